/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-import.c: the CSV reader on real-world edge files, and importing
 * customers: Northwind, a second import, F05 (line break in a quoted
 * field), F04 (byte-order mark before the header), refused files.
 */
#include "test-common.h"

static char *
data_path (const char *name)
{
	return g_test_build_filename (G_TEST_DIST, "shared-store", "data",
				      name, NULL);
}

static GPtrArray *
parse_file (const char *name)
{
	g_autofree char *path = data_path (name);
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0, skip;
	GPtrArray *records;

	g_assert_true (g_file_get_contents (path, &data, &len, &error));
	skip = len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	records = crm_csv__parse (data + skip, len - skip, &error);
	g_assert_no_error (error);
	return records;
}

static const char *
cell (GPtrArray *records, guint row, guint col)
{
	CrmCsvRecord *r = records->pdata[row];

	g_assert_cmpuint (col, <, g_strv_length (r->fields));
	return r->fields[col];
}

static void
test_reader (void)
{
	g_autoptr(GPtrArray) q = parse_file ("csvspectrum__quotes_and_newlines.csv");
	g_autoptr(GPtrArray) e = parse_file ("csvspectrum__escaped_quotes.csv");
	g_autoptr(GPtrArray) n = parse_file ("csvspectrum__newlines_crlf.csv");
	g_autoptr(GPtrArray) m = parse_file ("csvspectrum__empty_crlf.csv");
	g_autoptr(GPtrArray) b = parse_file ("csvkit__test_utf8_bom.csv");
	g_autoptr(GError) error = NULL;
	GPtrArray *open;

	g_assert_cmpuint (q->len, ==, 3);
	g_assert_cmpstr (cell (q, 1, 1), ==, "ha \n\"ha\" \nha");
	g_assert_cmpstr (cell (q, 2, 0), ==, "3");
	g_assert_cmpuint (((CrmCsvRecord *) q->pdata[2])->line, ==, 5);
	g_assert_cmpstr (cell (e, 1, 1), ==, "ha \"ha\" ha");
	g_assert_cmpuint (n->len, ==, 4);
	g_assert_cmpstr (cell (n, 2, 0), ==, "Once upon \na time");
	g_assert_cmpstr (cell (n, 3, 2), ==, "9");
	g_assert_cmpuint (m->len, ==, 3);
	g_assert_cmpstr (cell (m, 1, 1), ==, "");
	g_assert_cmpstr (cell (m, 2, 2), ==, "4");
	g_assert_cmpstr (cell (b, 0, 0), ==, "foo");
	g_assert_cmpstr (cell (b, 2, 2), ==, "ʤ");

	open = crm_csv__parse ("a,b\n\"x,y\n", 9, &error);
	g_assert_null (open);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static CrmImportReport *
import_ok (CrmStore *store, const char *path)
{
	g_autoptr(GError) error = NULL;
	CrmImportReport *r = crm_import_csv (store, path, "sales", &error);

	g_assert_no_error (error);
	g_assert_nonnull (r);
	return r;
}

static void
test_northwind (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autofree char *path = data_path ("northwind__customers.csv");
	g_autoptr(CrmImportReport) r1 = NULL;
	g_autoptr(CrmImportReport) r2 = NULL;
	g_autoptr(GPtrArray) found = NULL;
	g_autoptr(GError) error = NULL;
	CrmCustomer *c;
	gint64 changes;

	r1 = import_ok (store, path);
	g_assert_cmpuint (r1->taken, ==, 91);
	g_assert_cmpuint (r1->merged, ==, 0);
	g_assert_cmpuint (r1->unchanged, ==, 0);
	g_assert_cmpuint (r1->skipped, ==, 0);
	found = crm_customer_find (store, "Alfreds Futterkiste", 5, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (found->len, ==, 1);
	c = found->pdata[0];
	g_assert_cmpstr (c->name, ==, "Maria Anders");
	g_assert_cmpstr (c->company, ==, "Alfreds Futterkiste");
	g_assert_cmpstr (c->phone, ==, "030-0074321");
	g_assert_cmpstr (c->department, ==, "sales");
	g_assert_null (c->email);

	/* Importing again fills nothing new and adds nobody, and says so:
	 * every row matched, none changed anything. */
	changes = test_changes (store);
	r2 = import_ok (store, path);
	g_assert_cmpuint (r2->taken, ==, 0);
	g_assert_cmpuint (r2->merged, ==, 0);
	g_assert_cmpuint (r2->unchanged, ==, 91);
	g_assert_cmpuint (r2->skipped, ==, 0);
	g_assert_cmpint (test_changes (store), ==, changes);
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM customer"),
			 ==, 91);
}

static char *
write_file (const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename (dir, name, NULL);

	g_assert_true (g_file_set_contents (path, text, -1, NULL));
	return path;
}

static void
test_f05_newline (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = write_file (dir, "f05.csv",
		"name,phone,notes\n"
		"\"Ines Duarte\",\"+351 912 000 111\","
		"\"Prefers calls after 18:00\nask for Rui\"\n"
		"\"Karl Weber\",,\"no phone\"\n");
	g_autoptr(CrmImportReport) r = import_ok (store, path);
	g_autoptr(GPtrArray) ines = NULL;
	g_autoptr(GPtrArray) karl = NULL;
	g_autoptr(GPtrArray) notes = NULL;
	CrmCustomer *c;

	g_assert_cmpuint (r->taken, ==, 2);
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM customer"),
			 ==, 2);
	ines = crm_customer_find (store, "Ines", 5, NULL);
	c = ines->pdata[0];
	g_assert_cmpstr (c->phone, ==, "+351 912 000 111");
	g_assert_cmpstr (c->phone_e164, ==, "+351912000111");
	notes = crm_note_list (store, c->id, 0, NULL);
	g_assert_cmpuint (notes->len, ==, 1);
	g_assert_cmpstr (((CrmNote *) notes->pdata[0])->body, ==,
			 "Prefers calls after 18:00\nask for Rui");
	karl = crm_customer_find (store, "Karl Weber", 5, NULL);
	g_assert_null (((CrmCustomer *) karl->pdata[0])->phone);

	/* A second run adds no second note. */
	crm_import_report_free (import_ok (store, path));
	g_clear_pointer (&notes, g_ptr_array_unref);
	notes = crm_note_list (store, c->id, 0, NULL);
	g_assert_cmpuint (notes->len, ==, 1);

	/* A run that brings Karl a phone and Ines a new note merges both;
	 * a row that brings nothing new is unchanged. */
	g_free (path);
	path = write_file (dir, "f05-more.csv",
		"name,phone,notes\n"
		"\"Ines Duarte\",,\"Moved to Porto\"\n"
		"\"Karl Weber\",\"+49 30 1234567\",\"no phone\"\n"
		"\"Ines Duarte\",,\"Moved to Porto\"\n");
	g_clear_pointer (&r, crm_import_report_free);
	r = import_ok (store, path);
	g_assert_cmpuint (r->taken, ==, 0);
	g_assert_cmpuint (r->merged, ==, 2);
	g_assert_cmpuint (r->unchanged, ==, 1);
	test_dir_remove (dir);
}

static void
test_bom_header (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = write_file (dir, "bom.csv",
		"\xef\xbb\xbfname,E-mail Address\r\n"
		"Noor Haddad,noor@example.net\r\n");
	g_autoptr(CrmImportReport) r = import_ok (store, path);
	g_autoptr(GPtrArray) found = NULL;
	CrmCustomer *c;

	g_assert_cmpuint (r->taken, ==, 1);
	found = crm_customer_find (store, "noor", 5, NULL);
	c = found->pdata[0];
	g_assert_cmpstr (c->name, ==, "Noor Haddad");
	g_assert_cmpstr (c->email, ==, "noor@example.net");
	test_dir_remove (dir);
}

static void
test_email_case_and_skips (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = write_file (dir, "dana.csv",
		"Full Name,Company,email,tags\n"
		"Dana Reyes,,Dana.Reyes@Example.COM,vip\n"
		",,nobody@example.com,\n"
		"D. Reyes,Reyes & Co,dana.reyes@example.com,\"vip, billing\"\n"
		",Only A Company,,\n");
	g_autoptr(CrmImportReport) r = import_ok (store, path);
	g_autoptr(GPtrArray) found = NULL;
	CrmCustomer *c;

	g_assert_cmpuint (r->taken, ==, 2);
	g_assert_cmpuint (r->merged, ==, 1);
	g_assert_cmpuint (r->unchanged, ==, 0);
	g_assert_cmpuint (r->skipped, ==, 1);
	g_assert_cmpuint (r->reasons->len, ==, 1);
	g_assert_cmpstr (r->reasons->pdata[0], ==,
			 "row 2 (line 3): no name or company");
	found = crm_customer_find (store, "dana.reyes", 5, NULL);
	g_assert_cmpuint (found->len, ==, 1);
	c = found->pdata[0];
	g_assert_cmpstr (c->name, ==, "Dana Reyes");
	g_assert_cmpstr (c->email, ==, "Dana.Reyes@Example.COM");
	g_assert_cmpstr (c->company, ==, "Reyes & Co");
	g_clear_pointer (&found, g_ptr_array_unref);
	found = crm_customer_find (store, "Only A Company", 5, NULL);
	g_assert_cmpuint (found->len, ==, 1);
	test_dir_remove (dir);
}

static void
test_refused (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	const char *files[] = { "csvkit__test_latin1.csv",
				"csvspectrum__escaped_quotes.csv",
				"no-such-file.csv" };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (files); i++) {
		g_autofree char *path = data_path (files[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(CrmImportReport) r = NULL;

		r = crm_import_csv (store, path, NULL, &error);
		g_assert_null (r);
		g_assert_error (error, CRM_STORE_ERROR,
				CRM_STORE_ERROR_INVALID);
		if (i == 0)
			g_assert_nonnull (strstr (error->message, "UTF-8"));
	}
	g_assert_cmpint (test_changes (store), ==, 0);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/import/csv-reader", test_reader);
	g_test_add_func ("/store/import/northwind-twice", test_northwind);
	g_test_add_func ("/store/import/f05-newline-in-field",
			 test_f05_newline);
	g_test_add_func ("/store/import/f04-bom-header", test_bom_header);
	g_test_add_func ("/store/import/email-case-and-skips",
			 test_email_case_and_skips);
	g_test_add_func ("/store/import/refused", test_refused);
	return g_test_run ();
}
