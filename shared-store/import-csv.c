/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * import-csv.c: customers from CSV files other programs wrote.
 *
 * The reader follows RFC 4180 and what real exports do beside it: quoted
 * fields with commas, doubled quotes and line breaks, CRLF, LF or CR line
 * ends, a UTF-8 byte-order mark, blank lines.  The importer maps header
 * names (case, spaces, dashes and underscores ignored) to customer fields,
 * matches rows against existing customers so that importing twice makes no
 * duplicates, and runs the whole file in one transaction.
 */
#include "store-private.h"

#include <string.h>

/* Files larger than this are refused rather than read into memory. */
#define IMPORT_MAX_FILE_BYTES (64 * 1024 * 1024)

typedef enum {
	COL_NAME,
	COL_FIRST,
	COL_LAST,
	COL_COMPANY,
	COL_EMAIL,
	COL_PHONE,
	COL_TAGS,
	COL_DEPARTMENT,
	COL_NOTES,
	N_COLS
} ImportColumn;

static const struct {
	const char *header;	/* lower case, no spaces, dashes, '_', '.' */
	ImportColumn column;
} import_headers[] = {
	{ "name", COL_NAME }, { "fullname", COL_NAME },
	{ "contactname", COL_NAME }, { "displayname", COL_NAME },
	{ "firstname", COL_FIRST }, { "givenname", COL_FIRST },
	{ "lastname", COL_LAST }, { "surname", COL_LAST },
	{ "familyname", COL_LAST },
	{ "company", COL_COMPANY }, { "companyname", COL_COMPANY },
	{ "organization", COL_COMPANY }, { "organisation", COL_COMPANY },
	{ "email", COL_EMAIL }, { "emailaddress", COL_EMAIL },
	{ "primaryemail", COL_EMAIL },
	{ "phone", COL_PHONE }, { "telephone", COL_PHONE },
	{ "mobile", COL_PHONE }, { "phonenumber", COL_PHONE },
	{ "mobilephone", COL_PHONE }, { "workphone", COL_PHONE },
	{ "tags", COL_TAGS }, { "tag", COL_TAGS }, { "categories", COL_TAGS },
	{ "department", COL_DEPARTMENT }, { "dept", COL_DEPARTMENT },
	{ "notes", COL_NOTES }, { "note", COL_NOTES },
	{ "comments", COL_NOTES },
};

/*
 * crm_csv__record_free:
 * Frees one parsed record.
 */
void
crm_csv__record_free (CrmCsvRecord *record)
{
	if (record == NULL)
		return;
	g_strfreev (record->fields);
	g_free (record);
}

typedef struct {
	const char *p;
	const char *end;
	guint line;
} CsvCursor;

/* Consumes a line end at the cursor, if there is one. */
static gboolean
csv_eat_newline (CsvCursor *c)
{
	if (c->p < c->end && *c->p == '\r') {
		c->p++;
		if (c->p < c->end && *c->p == '\n')
			c->p++;
		c->line++;
		return TRUE;
	}
	if (c->p < c->end && *c->p == '\n') {
		c->p++;
		c->line++;
		return TRUE;
	}
	return FALSE;
}

/* A quoted field; line breaks inside become one LF each. */
static gboolean
csv_read_quoted (CsvCursor *c, GString *out, GError **error)
{
	guint start_line = c->line;

	c->p++;
	for (;;) {
		if (c->p >= c->end) {
			g_set_error (error, CRM_STORE_ERROR,
				     CRM_STORE_ERROR_INVALID,
				     _("Line %u: a quoted field is not closed"),
				     start_line);
			return FALSE;
		}
		if (*c->p == '"') {
			if (c->p + 1 < c->end && c->p[1] == '"') {
				g_string_append_c (out, '"');
				c->p += 2;
				continue;
			}
			c->p++;
			return TRUE;
		}
		if (csv_eat_newline (c)) {
			g_string_append_c (out, '\n');
			continue;
		}
		g_string_append_c (out, *c->p++);
	}
}

/* One field; text after a closing quote is kept, as spreadsheets do. */
static gboolean
csv_read_field (CsvCursor *c, GString *out, GError **error)
{
	g_string_truncate (out, 0);
	if (c->p < c->end && *c->p == '"' && !csv_read_quoted (c, out, error))
		return FALSE;
	while (c->p < c->end && *c->p != ',' && *c->p != '\r' &&
	       *c->p != '\n')
		g_string_append_c (out, *c->p++);
	return TRUE;
}

static CrmCsvRecord *
csv_read_record (CsvCursor *c, GError **error)
{
	g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GString) field = g_string_new (NULL);
	CrmCsvRecord *record;
	guint line = c->line;

	for (;;) {
		if (!csv_read_field (c, field, error))
			return NULL;
		g_ptr_array_add (fields, g_strdup (field->str));
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		csv_eat_newline (c);
		break;
	}
	g_ptr_array_add (fields, NULL);
	record = g_new0 (CrmCsvRecord, 1);
	record->line = line;
	record->fields = (GStrv) g_ptr_array_free (g_steal_pointer (&fields),
						   FALSE);
	return record;
}

/*
 * crm_csv__parse:
 * Splits RFC 4180 text into records.  @data must be valid UTF-8 without
 * its byte-order mark.  Blank lines are not records.  The only error is a
 * quoted field left open at the end of the data.
 */
GPtrArray *
crm_csv__parse (const char *data, gsize len, GError **error)
{
	g_autoptr(GPtrArray) records = NULL;
	CsvCursor c = { data, data + len, 1 };

	records = g_ptr_array_new_with_free_func (
		(GDestroyNotify) crm_csv__record_free);
	while (c.p < c.end) {
		CrmCsvRecord *record;

		if (csv_eat_newline (&c))
			continue;
		record = csv_read_record (&c, error);
		if (record == NULL)
			return NULL;
		g_ptr_array_add (records, record);
	}
	return g_steal_pointer (&records);
}

/*
 * crm_import_report_free:
 * Frees a report and its reasons.
 */
void
crm_import_report_free (CrmImportReport *report)
{
	if (report == NULL)
		return;
	g_clear_pointer (&report->reasons, g_ptr_array_unref);
	g_free (report);
}

static int
import_header_column (const char *header)
{
	g_autoptr(GString) key = g_string_new (NULL);
	const char *p;
	gsize i;

	for (p = header; *p; p++) {
		if (*p != ' ' && *p != '-' && *p != '_' && *p != '.')
			g_string_append_c (key, g_ascii_tolower (*p));
	}
	for (i = 0; i < G_N_ELEMENTS (import_headers); i++) {
		if (strcmp (key->str, import_headers[i].header) == 0)
			return import_headers[i].column;
	}
	return -1;
}

/* Maps each known field to its column index, -1 when absent. */
static gboolean
import_map_header (const CrmCsvRecord *header, int map[N_COLS],
		   GError **error)
{
	guint i;

	for (i = 0; i < N_COLS; i++)
		map[i] = -1;
	for (i = 0; header->fields[i]; i++) {
		int col = import_header_column (header->fields[i]);

		if (col >= 0 && map[col] < 0)
			map[col] = (int) i;
	}
	if (map[COL_NAME] < 0 && map[COL_FIRST] < 0 && map[COL_LAST] < 0 &&
	    map[COL_COMPANY] < 0) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The header names no column for a name or a company (expected e.g. “name”, “contact name” or “company”)"));
		return FALSE;
	}
	return TRUE;
}

/* A trimmed cell; Northwind's literal NULL and blanks give %NULL. */
static char *
import_cell (const CrmCsvRecord *row, const int map[N_COLS],
	     ImportColumn col)
{
	char *value;

	if (map[col] < 0 ||
	    (guint) map[col] >= g_strv_length (row->fields))
		return NULL;
	value = g_strstrip (g_strdup (row->fields[map[col]]));
	if (*value == '\0' || strcmp (value, "NULL") == 0)
		g_clear_pointer (&value, g_free);
	return value;
}

/* "+44 20 7946 0958" -> "+442079460958"; other forms are left to the
 * plugin, which knows the team's default region. */
static char *
import_e164 (const char *phone)
{
	g_autoptr(GString) out = g_string_new ("+");
	const char *p;

	if (phone == NULL || phone[0] != '+')
		return NULL;
	for (p = phone + 1; *p; p++) {
		if (g_ascii_isdigit (*p))
			g_string_append_c (out, *p);
		else if (!strchr (" -.()/", *p))
			return NULL;
	}
	if (out->len < 8 || out->len > 16)
		return NULL;
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
import_join_name (char *first, char *last)
{
	if (first && last)
		return g_strconcat (first, " ", last, NULL);
	return g_strdup (first ? first : last);
}

/* Fills @c from one row; FALSE when the row has no name or company. */
static gboolean
import_row_fields (const CrmCsvRecord *row, const int map[N_COLS],
		   const char *department, CrmCustomer *c)
{
	g_autofree char *first = import_cell (row, map, COL_FIRST);
	g_autofree char *last = import_cell (row, map, COL_LAST);
	g_autofree char *tags = import_cell (row, map, COL_TAGS);

	c->name = import_cell (row, map, COL_NAME);
	c->company = import_cell (row, map, COL_COMPANY);
	if (c->name == NULL)
		c->name = import_join_name (first, last);
	if (c->name == NULL)
		c->name = g_strdup (c->company);
	if (c->name == NULL)
		return FALSE;
	c->email = import_cell (row, map, COL_EMAIL);
	c->phone = import_cell (row, map, COL_PHONE);
	c->phone_e164 = import_e164 (c->phone);
	c->department = import_cell (row, map, COL_DEPARTMENT);
	if (c->department == NULL)
		c->department = g_strdup (department);
	if (tags)
		c->tags = g_strsplit_set (tags, ",;\n", -1);
	return TRUE;
}

static gboolean
import_find_one (CrmStore *store, const char *sql, const char *a,
		 const char *b, char **out_id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = crm_store__prepare (store, sql, error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, a);
	crm_store__bind_text (stmt, 2, b);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW)
		*out_id = crm_store__column_dup (stmt, 0);
	else if (rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "match customer");
		return FALSE;
	}
	return TRUE;
}

/* An existing live customer with the same e-mail (ignoring case), or the
 * same name and company. */
static gboolean
import_match (CrmStore *store, const CrmCustomer *c, char **out_id,
	      GError **error)
{
	g_autofree char *email = crm_store__casefold (c->email);

	*out_id = NULL;
	if (email && !import_find_one (store,
				       "SELECT id FROM customer WHERE "
				       "email_norm = ?1 AND deleted = 0 AND "
				       "name IS NOT NULL AND merged_into IS NULL "
				       "ORDER BY created, id LIMIT 1",
				       email, NULL, out_id, error))
		return FALSE;
	if (*out_id)
		return TRUE;
	return import_find_one (store,
				"SELECT id FROM customer WHERE name = ?1 AND "
				"coalesce(company, '') = coalesce(?2, '') AND "
				"deleted = 0 AND merged_into IS NULL "
				"ORDER BY created, id LIMIT 1",
				c->name, c->company, out_id, error);
}

/* Adds the row's note unless the customer already has the same text. */
static gboolean
import_note (CrmStore *store, const char *id, const char *body,
	     const char *department, GError **error)
{
	g_autofree char *found = NULL;
	g_autofree char *note_id = NULL;

	if (body == NULL)
		return TRUE;
	if (!import_find_one (store, "SELECT id FROM note WHERE "
			      "customer_id = ?1 AND body = ?2 AND deleted = 0",
			      id, body, &found, error))
		return FALSE;
	if (found)
		return TRUE;
	note_id = crm_note_add (store, id, _("import"), department, body,
				error);
	return note_id != NULL;
}

static void
import_skip (CrmImportReport *report, guint row, guint line,
	     const char *why)
{
	report->skipped++;
	g_ptr_array_add (report->reasons,
			 g_strdup_printf (_("row %u (line %u): %s"), row, line,
					  why));
}

/*
 * Fills in what customer @id lacks from the row, and adds its note.  The
 * row counts as merged only when that wrote something: importing the same
 * file again must say that nothing changed.  Only real changes write rows
 * (empty fields filled, a note not there yet), so SQLite's count of
 * changed rows tells.
 */
static gboolean
import_merge (CrmStore *store, const char *id, const CrmCustomer *c,
	      const char *note, const char *department,
	      CrmImportReport *report, GError **error)
{
	sqlite3_int64 before = sqlite3_total_changes64 (store->db);

	if (!crm_customer__write_fields (store, id, c, TRUE, error) ||
	    !import_note (store, id, note, department, error))
		return FALSE;
	if (sqlite3_total_changes64 (store->db) != before)
		report->merged++;
	else
		report->unchanged++;
	return TRUE;
}

/* One row; FALSE only for a failure that must abort the whole import. */
static gboolean
import_row (CrmStore *store, const CrmCsvRecord *row, guint n,
	    const int map[N_COLS], const char *department,
	    CrmImportReport *report, GError **error)
{
	g_autoptr(CrmCustomer) c = crm_customer_new ();
	g_autoptr(GError) invalid = NULL;
	g_autofree char *id = NULL;
	g_autofree char *note = import_cell (row, map, COL_NOTES);

	if (!import_row_fields (row, map, department, c)) {
		import_skip (report, n, row->line, _("no name or company"));
		return TRUE;
	}
	if (!crm_customer__validate (c, &invalid) ||
	    !crm_store__check_text (note, _("note"), CRM_NOTE_MAX_BYTES,
				    FALSE, &invalid)) {
		import_skip (report, n, row->line, invalid->message);
		return TRUE;
	}
	if (!import_match (store, c, &id, error))
		return FALSE;
	if (id == NULL) {
		id = crm_customer_create (store, c, error);
		if (id == NULL)
			return FALSE;
		report->taken++;
		return import_note (store, id, note, department, error);
	}
	return import_merge (store, id, c, note, department, report, error);
}

static gboolean
import_records (CrmStore *store, GPtrArray *records, const char *department,
		CrmImportReport *report, GError **error)
{
	int map[N_COLS];
	guint i;

	if (records->len == 0) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The file is empty"));
		return FALSE;
	}
	if (!import_map_header (records->pdata[0], map, error) ||
	    !crm_store__begin (store, error))
		return FALSE;
	for (i = 1; i < records->len; i++) {
		if (!import_row (store, records->pdata[i], i, map, department,
				 report, error)) {
			g_prefix_error (error, _("Row %u: "), i);
			crm_store__rollback (store);
			return FALSE;
		}
	}
	return crm_store__commit (store, error);
}

static gboolean
import_read (const char *path, char **out_data, gsize *out_len,
	     gsize *out_skip, GError **error)
{
	g_autoptr(GError) local = NULL;
	const char *bad = NULL;

	if (!g_file_get_contents (path, out_data, out_len, &local)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("Cannot read the file: %s"), local->message);
		return FALSE;
	}
	if (*out_len > IMPORT_MAX_FILE_BYTES) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The file is larger than %d MiB"),
			     IMPORT_MAX_FILE_BYTES / (1024 * 1024));
		return FALSE;
	}
	*out_skip = *out_len >= 3 &&
		    memcmp (*out_data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if (!g_utf8_validate_len (*out_data + *out_skip,
				  *out_len - *out_skip, &bad)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The file is not UTF-8 text (byte %lu is not); save it as UTF-8 and import again"),
			     (gulong) (bad - *out_data));
		return FALSE;
	}
	return TRUE;
}

/*
 * crm_import_csv:
 * Reads the whole file, checks it is UTF-8, parses it, then imports every
 * row in one transaction.  Rows without a name or company, or with a value
 * the store refuses, are skipped with a reason; anything else that fails
 * rolls the whole import back.
 */
CrmImportReport *
crm_import_csv (CrmStore *store,
		const char *path,
		const char *department,
		GError **error)
{
	g_autoptr(CrmImportReport) report = NULL;
	g_autoptr(GPtrArray) records = NULL;
	g_autofree char *data = NULL;
	gsize len = 0, skip = 0;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (path != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!crm_store__check_text (department, _("department"),
				    CRM_STORE_MAX_FIELD_BYTES, FALSE, error) ||
	    !import_read (path, &data, &len, &skip, error))
		return NULL;
	records = crm_csv__parse (data + skip, len - skip, error);
	if (records == NULL)
		return NULL;
	report = g_new0 (CrmImportReport, 1);
	report->reasons = g_ptr_array_new_with_free_func (g_free);
	if (!import_records (store, records, department, report, error))
		return NULL;
	return g_steal_pointer (&report);
}
