/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.c: opening and closing a replica, and the SQLite boundary.
 *
 * Everything that talks to SQLite in a generic way lives here: opening the
 * file with the pragmas the store relies on, the one function that turns a
 * SQLite result code into a CrmStoreError, statement and transaction
 * helpers, the wall clock, UUIDs and the small text checks every entity
 * file uses.  The schema itself is in schema.c.
 */
#include "store-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

G_DEFINE_QUARK (crm-store-error-quark, crm_store_error)

/*
 * crm_store__set_error_from_sqlite:
 * The single place where SQLite result codes become CrmStoreError codes.
 * The message keeps what was being done, SQLite's own text and the extended
 * result code, so that a report from the field says exactly what happened.
 */
void
crm_store__set_error_from_sqlite (GError **error,
				  sqlite3 *db,
				  int rc,
				  const char *what)
{
	const char *msg = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
	CrmStoreError code = CRM_STORE_ERROR_FAILED;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY,
			     _("The customer store is locked by another program; nothing was changed, try again in a moment (%s: %s, SQLite code %d)"),
			     what, msg, rc);
		return;
	case SQLITE_FULL:
		code = CRM_STORE_ERROR_NO_SPACE;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		code = CRM_STORE_ERROR_CORRUPT;
		break;
	case SQLITE_READONLY:
		code = CRM_STORE_ERROR_READONLY;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		if (db && (sqlite3_system_errno (db) == EACCES ||
			   sqlite3_system_errno (db) == EPERM ||
			   sqlite3_system_errno (db) == EROFS))
			code = CRM_STORE_ERROR_READONLY;
		break;
	default:
		break;
	}
	g_set_error (error, CRM_STORE_ERROR, code,
		     _("%s: %s (SQLite code %d)"), what, msg, rc);
}

/*
 * crm_store__prepare:
 * Prepares @sql on the store's connection, for one use: the caller
 * finalizes it.  @sql is always a constant of the store (or built from the
 * field table), never text from a caller.  Paths that run often use
 * crm_store__stmt() instead.
 */
sqlite3_stmt *
crm_store__prepare (CrmStore *store, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "prepare");
		sqlite3_finalize (stmt);
		return NULL;
	}
	return stmt;
}

/*
 * crm_store__stmt:
 * Lends the statement of @sql from the store's cache, preparing it on
 * first use: preparing costs more than running most of the store's
 * statements (issue #7).  The statement stays the store's: hold it in a
 * g_autoptr(CrmCachedStmt), whose cleanup resets it.  The set of SQL texts
 * is finite (constants, and text built from the field table), so the
 * cache needs no bound.  One statement is lent once at a time: a caller
 * must not ask for the SQL it is still stepping.
 */
CrmCachedStmt *
crm_store__stmt (CrmStore *store, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = g_hash_table_lookup (store->stmts, sql);

	if (stmt != NULL) {
		g_assert (!sqlite3_stmt_busy (stmt));
		return stmt;
	}
	stmt = crm_store__prepare (store, sql, error);
	if (stmt != NULL)
		g_hash_table_insert (store->stmts, g_strdup (sql), stmt);
	return stmt;
}

/*
 * crm_store__release:
 * Gives a statement back to the cache: reset, with no value bound, so that
 * it holds no read lock and no caller's data.
 */
void
crm_store__release (CrmCachedStmt *stmt)
{
	if (stmt == NULL)
		return;
	sqlite3_reset (stmt);
	sqlite3_clear_bindings (stmt);
}

/*
 * crm_store__exec:
 * Runs statements that return no rows (schema, pragmas, transactions).
 */
gboolean
crm_store__exec (CrmStore *store, const char *sql, GError **error)
{
	int rc = sqlite3_exec (store->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		crm_store__set_error_from_sqlite (error, store->db, rc, sql);
		return FALSE;
	}
	return TRUE;
}

/*
 * crm_store__step_done:
 * Steps a statement that must finish without rows (INSERT, UPDATE).
 */
gboolean
crm_store__step_done (CrmStore *store, sqlite3_stmt *stmt, GError **error)
{
	int rc = sqlite3_step (stmt);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "write");
		return FALSE;
	}
	return TRUE;
}

/*
 * crm_store__begin:
 * Opens a write transaction, or joins the one already open.  BEGIN
 * IMMEDIATE takes the write lock at once, so the busy timeout applies here
 * and never to a later lock upgrade, which SQLite does not retry in WAL
 * mode.
 */
gboolean
crm_store__begin (CrmStore *store, GError **error)
{
	if (store->txn_depth++ > 0)
		return TRUE;
	if (!crm_store__exec (store, "BEGIN IMMEDIATE", error)) {
		store->txn_depth--;
		return FALSE;
	}
	/* Another connection may have written since our last transaction. */
	store->clock_loaded = FALSE;
	store->clock_dirty = FALSE;
	store->tombstones = CRM_STORE_TOMBSTONES_UNKNOWN;
	return TRUE;
}

/* Writes the clock kept in memory during the transaction back to `meta`,
 * before COMMIT, so that it commits (or not) with the changes. */
static gboolean
store_flush_clock (CrmStore *store, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;

	if (!store->clock_dirty)
		return TRUE;
	stmt = crm_store__stmt (store, "UPDATE meta SET hlc = ?1, "
				"next_seq = ?2", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64 (stmt, 1, store->hlc);
	sqlite3_bind_int64 (stmt, 2, store->next_seq);
	if (!crm_store__step_done (store, stmt, error))
		return FALSE;
	store->clock_dirty = FALSE;
	return TRUE;
}

/* What the store keeps in memory may name rows that a rollback removed. */
static void
store_forget (CrmStore *store)
{
	store->clock_loaded = FALSE;
	store->clock_dirty = FALSE;
	store->tombstones = CRM_STORE_TOMBSTONES_UNKNOWN;
	g_hash_table_remove_all (store->origins);
	g_hash_table_remove_all (store->origin_ids);
}

/*
 * crm_store__commit:
 * Leaves a transaction; the outermost one commits.  A failed commit rolls
 * back, so that FALSE always means nothing was written.
 */
gboolean
crm_store__commit (CrmStore *store, GError **error)
{
	g_assert (store->txn_depth > 0);
	if (--store->txn_depth > 0)
		return TRUE;
	if (!store_flush_clock (store, error) ||
	    !crm_store__exec (store, "COMMIT", error)) {
		sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
		store_forget (store);
		return FALSE;
	}
	store->clock_loaded = FALSE;
	return TRUE;
}

/*
 * crm_store__rollback:
 * Leaves a transaction after a failure.  An inner level only unwinds: the
 * failure is propagated to the outer level, which rolls back everything.
 */
void
crm_store__rollback (CrmStore *store)
{
	g_assert (store->txn_depth > 0);
	if (--store->txn_depth > 0)
		return;
	if (sqlite3_get_autocommit (store->db) == 0)
		sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
	store_forget (store);
}

/*
 * crm_store__column_dup:
 * A copy of a text column, or %NULL for SQL NULL.
 */
char *
crm_store__column_dup (sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text (stmt, col);

	return text ? g_strdup ((const char *) text) : NULL;
}

/*
 * crm_store__collect:
 * Steps @stmt to the end and turns every row into an element with
 * @read_row; the list owns its elements.
 */
GPtrArray *
crm_store__collect (CrmStore *store,
		    sqlite3_stmt *stmt,
		    CrmRowReader read_row,
		    GDestroyNotify free_row,
		    GError **error)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_row);
	int rc;

	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
		g_ptr_array_add (list, read_row (stmt));
	if (rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read");
		return NULL;
	}
	return g_steal_pointer (&list);
}

/*
 * crm_store__bind_text:
 * Binds @text (or NULL) to parameter @idx; SQLite copies it.
 */
void
crm_store__bind_text (sqlite3_stmt *stmt, int idx, const char *text)
{
	if (text)
		sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null (stmt, idx);
}

/*
 * crm_store__check_text:
 * Checks a caller's text: valid UTF-8, at most @max_bytes, and when
 * @required not empty after trimming.  @what names the field in the
 * message.
 */
gboolean
crm_store__check_text (const char *value,
		       const char *what,
		       gsize max_bytes,
		       gboolean required,
		       GError **error)
{
	const char *p;

	if (value == NULL) {
		if (!required)
			return TRUE;
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The %s is missing"), what);
		return FALSE;
	}
	if (!g_utf8_validate (value, -1, NULL)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The %s is not valid UTF-8 text"), what);
		return FALSE;
	}
	if (strlen (value) > max_bytes) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The %s is longer than %lu bytes"),
			     what, (gulong) max_bytes);
		return FALSE;
	}
	for (p = value; *p && g_ascii_isspace (*p); p++)
		;
	if (required && *p == '\0') {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The %s is empty"), what);
		return FALSE;
	}
	return TRUE;
}

/*
 * crm_store__casefold:
 * The form text is compared in (e-mail matching, search): NFKC, then
 * case-folded.
 */
char *
crm_store__casefold (const char *text)
{
	g_autofree char *norm = NULL;

	if (text == NULL)
		return NULL;
	norm = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
	return g_utf8_casefold (norm ? norm : text, -1);
}

/*
 * crm_store__uuid_from_name:
 * A name-based UUID (RFC 4122 version 5: SHA-1 of a namespace and a name),
 * so that every replica derives the same id for the same thing (a chat
 * handle, an agent account) without asking the others.
 */
char *
crm_store__uuid_from_name (const char *ns, const char *name)
{
	g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
	guint8 digest[20];
	gsize len = sizeof digest;
	guint8 *b = digest;

	g_checksum_update (sum, (const guchar *) ns, strlen (ns));
	g_checksum_update (sum, (const guchar *) "\0", 1);
	g_checksum_update (sum, (const guchar *) name, strlen (name));
	g_checksum_get_digest (sum, digest, &len);
	b[6] = (b[6] & 0x0f) | 0x50;
	b[8] = (b[8] & 0x3f) | 0x80;
	return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-"
				"%02x%02x-%02x%02x%02x%02x%02x%02x",
				b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
				b[8], b[9], b[10], b[11], b[12], b[13], b[14],
				b[15]);
}

/*
 * crm_uuid_is_valid:
 * Accepts only the canonical lower-case 8-4-4-4-12 form the store writes,
 * so that one id has one spelling everywhere.
 */
gboolean
crm_uuid_is_valid (const char *id)
{
	int i;

	if (id == NULL || strlen (id) != 36)
		return FALSE;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (id[i] != '-')
				return FALSE;
		} else if (!g_ascii_isdigit (id[i]) &&
			   !(id[i] >= 'a' && id[i] <= 'f')) {
			return FALSE;
		}
	}
	return TRUE;
}

static void
store_sql_fold (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *) sqlite3_value_text (argv[0]);
	char *folded;

	if (text == NULL || !g_utf8_validate (text, -1, NULL)) {
		sqlite3_result_null (ctx);
		return;
	}
	folded = crm_store__casefold (text);
	sqlite3_result_text (ctx, folded, -1, g_free);
}

static gboolean
store_configure (CrmStore *store, guint busy_timeout_ms, GError **error)
{
	int rc;

	sqlite3_extended_result_codes (store->db, 1);
	sqlite3_busy_timeout (store->db, (int) MIN (busy_timeout_ms,
						    G_MAXINT));
	rc = sqlite3_create_function (store->db, "crm_fold", 1,
				      SQLITE_UTF8 | SQLITE_DETERMINISTIC |
				      SQLITE_INNOCUOUS, NULL,
				      store_sql_fold, NULL, NULL);
	if (rc != SQLITE_OK) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "create function");
		return FALSE;
	}
	/* A 16 MB page cache holds a sync batch's working set (the log's
	 * and state's index pages) instead of re-reading it from the file
	 * system; temporary b-trees stay in memory. */
	return crm_store__exec (store, "PRAGMA foreign_keys = ON; "
				"PRAGMA cache_size = -16000; "
				"PRAGMA temp_store = MEMORY", error);
}

static gboolean
store_read_version (CrmStore *store, int *out_version, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	stmt = crm_store__prepare (store, "PRAGMA user_version", error);
	if (stmt == NULL) {
		g_prefix_error (error, _("Cannot read the customer store: "));
		return FALSE;
	}
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "user_version");
		return FALSE;
	}
	*out_version = sqlite3_column_int (stmt, 0);
	return TRUE;
}

/* Switches to WAL only after the version check: the switch writes the
 * file header, and a file from a newer build must stay untouched. */
static gboolean
store_set_journal (CrmStore *store, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	const char *mode;
	int rc;

	stmt = crm_store__prepare (store, "PRAGMA journal_mode = WAL", error);
	if (stmt == NULL)
		return FALSE;
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "journal_mode");
		return FALSE;
	}
	mode = (const char *) sqlite3_column_text (stmt, 0);
	if (g_strcmp0 (mode, "wal") != 0 && g_strcmp0 (mode, "memory") != 0) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
			     _("The customer store cannot use write-ahead logging (journal mode is %s)"),
			     mode ? mode : "?");
		return FALSE;
	}
	return crm_store__exec (store, "PRAGMA synchronous = NORMAL", error);
}

static gboolean
store_load_meta (CrmStore *store, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	stmt = crm_store__prepare (store,
				   "SELECT m.replica_id, r.num FROM meta m "
				   "JOIN replica r ON r.id = m.replica_id",
				   error);
	if (stmt == NULL)
		return FALSE;
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			g_set_error (error, CRM_STORE_ERROR,
				     CRM_STORE_ERROR_CORRUPT,
				     _("The customer store has no replica id"));
		else
			crm_store__set_error_from_sqlite (error, store->db,
							  rc, "meta");
		return FALSE;
	}
	store->replica_id = crm_store__column_dup (stmt, 0);
	store->replica_num = sqlite3_column_int64 (stmt, 1);
	return TRUE;
}

static gboolean
store_open_db (CrmStore *store, GError **error)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc;

	if (g_strcmp0 (store->path, ":memory:") != 0) {
		g_autofree char *dir = g_path_get_dirname (store->path);

		if (g_mkdir_with_parents (dir, 0700) != 0) {
			int saved = errno;

			g_set_error (error, CRM_STORE_ERROR,
				     saved == EACCES || saved == EROFS ?
				     CRM_STORE_ERROR_READONLY :
				     CRM_STORE_ERROR_FAILED,
				     _("Cannot create the folder of the customer store: %s"),
				     g_strerror (saved));
			return FALSE;
		}
		/* A new file in a folder we may not write: SQLite's own
		 * error then carries the errno of its read-only retry
		 * (ENOENT), not EACCES, so say it here. */
		if (!g_file_test (store->path, G_FILE_TEST_EXISTS) &&
		    g_access (dir, W_OK) != 0) {
			int saved = errno;

			g_set_error (error, CRM_STORE_ERROR,
				     CRM_STORE_ERROR_READONLY,
				     _("Cannot create the customer store in its folder: %s"),
				     g_strerror (saved));
			return FALSE;
		}
	}
	/* SQLite only says "unable to open database file" for a folder;
	 * the agent needs to know what is wrong with the path. */
	if (g_file_test (store->path, G_FILE_TEST_IS_DIR)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
			     _("The customer store path is a folder, not a file: %s"),
			     store->path);
		return FALSE;
	}
	rc = sqlite3_open_v2 (store->path, &store->db, flags, NULL);
	if (rc != SQLITE_OK) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "open");
		return FALSE;
	}
	/* A file SQLite may not write (read-only file or file system) is
	 * opened read-only without a word, and fails later with an obscure
	 * "unable to open" from the WAL or at the first write. */
	if (sqlite3_db_readonly (store->db, "main") == 1) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READONLY,
			     _("The customer store file cannot be written: %s"),
			     store->path);
		return FALSE;
	}
	return TRUE;
}

static void
store_stmt_finalize (gpointer stmt)
{
	sqlite3_finalize (stmt);
}

/*
 * crm_store__open_at_version:
 * crm_store_open() with the target schema version as a parameter, so that
 * the tests can make files of an older schema with the real migrations.
 */
CrmStore *
crm_store__open_at_version (const char *path,
			    guint busy_timeout_ms,
			    int target_version,
			    GError **error)
{
	g_autoptr(CrmStore) store = g_new0 (CrmStore, 1);
	int version = 0;

	store->path = g_strdup (path);
	store->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					      store_stmt_finalize);
	store->origins = g_hash_table_new_full (g_str_hash, g_str_equal,
						g_free, g_free);
	store->origin_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal,
						   g_free, g_free);
	if (!store_open_db (store, error) ||
	    !store_configure (store, busy_timeout_ms, error) ||
	    !store_read_version (store, &version, error))
		return NULL;
	if (version > CRM_STORE_SCHEMA_VERSION) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_VERSION,
			     _("The customer store was written by a newer version of chatcrm (schema %d; this version knows up to %d)"),
			     version, CRM_STORE_SCHEMA_VERSION);
		return NULL;
	}
	if (!store_set_journal (store, error) ||
	    !crm_schema__migrate (store, target_version, error) ||
	    !store_read_version (store, &store->schema_version, error) ||
	    !store_load_meta (store, error))
		return NULL;
	g_info ("store opened at schema version %d", target_version);
	return g_steal_pointer (&store);
}

/*
 * crm_store_open:
 * See crm-store.h.  Opening, configuring and migrating are separate steps
 * so that every failure leaves the file as it was before the failing step.
 */
CrmStore *
crm_store_open (const char *path, guint busy_timeout_ms, GError **error)
{
	g_return_val_if_fail (path != NULL && *path != '\0', NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	return crm_store__open_at_version (path, busy_timeout_ms,
					   CRM_STORE_SCHEMA_VERSION, error);
}

/*
 * crm_store_close:
 * Finalizes the cached statements and closes the connection; SQLite
 * checkpoints the WAL when the last connection goes.
 */
void
crm_store_close (CrmStore *store)
{
	if (store == NULL)
		return;
	g_warn_if_fail (store->txn_depth == 0);
	g_clear_pointer (&store->stmts, g_hash_table_destroy);
	g_clear_pointer (&store->origins, g_hash_table_destroy);
	g_clear_pointer (&store->origin_ids, g_hash_table_destroy);
	if (store->db)
		sqlite3_close_v2 (store->db);
	g_free (store->path);
	g_free (store->replica_id);
	g_free (store);
}

/*
 * crm_store_get_path:
 * The path given to crm_store_open().
 */
const char *
crm_store_get_path (CrmStore *store)
{
	g_return_val_if_fail (store != NULL, NULL);
	return store->path;
}

/*
 * crm_store_get_replica_id:
 * This replica's id, from the meta table.
 */
const char *
crm_store_get_replica_id (CrmStore *store)
{
	g_return_val_if_fail (store != NULL, NULL);
	return store->replica_id;
}

/*
 * crm_store_get_schema_version:
 * Reads `PRAGMA user_version` again (not a cached value), for diagnostics.
 */
gboolean
crm_store_get_schema_version (CrmStore *store,
			      int *out_version,
			      GError **error)
{
	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (out_version != NULL, FALSE);

	return store_read_version (store, out_version, error);
}

/*
 * crm_store_set_clock:
 * Injects a wall clock; the hybrid logical clock still never goes back.
 */
void
crm_store_set_clock (CrmStore *store,
		     gint64 (*now_us) (gpointer user_data),
		     gpointer user_data)
{
	g_return_if_fail (store != NULL);
	store->now_us = now_us;
	store->now_data = user_data;
}

/*
 * crm_store_now:
 * The wall clock every part of the store reads.
 */
gint64
crm_store_now (CrmStore *store)
{
	g_return_val_if_fail (store != NULL, 0);
	if (store->now_us)
		return store->now_us (store->now_data);
	return g_get_real_time ();
}

/*
 * crm_store_count_changes:
 * Size of the change log, for tests and the administrator tool.
 */
gboolean
crm_store_count_changes (CrmStore *store, gint64 *out_count, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (out_count != NULL, FALSE);

	stmt = crm_store__prepare (store, "SELECT count(*) FROM change",
				   error);
	if (stmt == NULL)
		return FALSE;
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "count changes");
		return FALSE;
	}
	*out_count = sqlite3_column_int64 (stmt, 0);
	return TRUE;
}
