/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-schema.c: opening, creating and upgrading a store file, and the
 * errors a file that is not ours (newer, not a database) gives.
 */
#include "test-common.h"

#include <unistd.h>

static void
test_open_memory (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	int version = 0;

	g_assert_true (crm_store_get_schema_version (store, &version, &error));
	g_assert_no_error (error);
	g_assert_cmpint (version, ==, CRM_STORE_SCHEMA_VERSION);
	g_assert_true (crm_uuid_is_valid (crm_store_get_replica_id (store)));
	g_assert_cmpstr (crm_store_get_path (store), ==, ":memory:");
	g_assert_cmpint (test_changes (store), ==, 0);
}

static void
test_create_reopen (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = g_build_filename (dir, "sub", "dir",
						  "store.db", NULL);
	g_autofree char *replica = NULL;
	g_autofree char *id = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) c = NULL;
	CrmStore *store;

	store = crm_store_open (path, 1000, &error);
	g_assert_no_error (error);
	replica = g_strdup (crm_store_get_replica_id (store));
	id = test_customer (store, "Maria Anders", "maria@example.de");
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM "
				     "pragma_journal_mode"), ==, 1);
	crm_store_close (store);

	store = crm_store_open (path, 1000, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (crm_store_get_replica_id (store), ==, replica);
	c = crm_customer_get (store, id, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (c->name, ==, "Maria Anders");
	g_assert_cmpint (test_count (store, "SELECT journal_mode = 'wal' "
				     "FROM pragma_journal_mode"), ==, 1);
	g_assert_cmpint (test_count (store, "PRAGMA foreign_keys"), ==, 1);
	crm_store_close (store);
	test_dir_remove (dir);
}

static gboolean
test_has_table (CrmStore *store, const char *name)
{
	g_autofree char *sql = g_strdup_printf (
		"SELECT count(*) FROM sqlite_master WHERE name = '%s'", name);

	return test_count (store, sql) > 0;
}

static void
test_migrate_v1_v2 (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = g_build_filename (dir, "old.db", NULL);
	g_autofree char *id = NULL;
	g_autofree char *note = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) notes = NULL;
	CrmStore *store;
	int version = 0;

	store = crm_store__open_at_version (path, 1000, 1, &error);
	g_assert_no_error (error);
	g_assert_true (crm_store_get_schema_version (store, &version, NULL));
	g_assert_cmpint (version, ==, 1);
	g_assert_false (test_has_table (store, "notified"));
	id = test_customer (store, "Ines Duarte", "ines@example.pt");
	note = crm_note_add (store, id, "ana", "support", "Prefers calls",
			     &error);
	g_assert_no_error (error);
	crm_store_close (store);

	store = crm_store__open_at_version (path, 1000, 2, &error);
	g_assert_no_error (error);
	g_assert_true (crm_store_get_schema_version (store, &version, NULL));
	g_assert_cmpint (version, ==, 2);
	g_assert_true (test_has_table (store, "notified"));
	notes = crm_note_list (store, id, 0, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (notes->len, ==, 1);
	g_assert_cmpstr (((CrmNote *) notes->pdata[0])->body, ==,
			 "Prefers calls");
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM "
				     "pragma_table_info('interaction') WHERE "
				     "name = 'first_response'"), ==, 1);
	crm_store_close (store);
	test_dir_remove (dir);
}

#define RA "aaaaaaaa-0000-4000-8000-000000000001"
#define CID "cccccccc-0000-4000-8000-00000000000c"

/* A version 2 log with a gap in a remote origin (1, 2, 4) and a text
 * value that looks like a number: version 3 keeps the log, fills the
 * vectors from it (own origin whole, RA up to 2), and sends the value as
 * text. */
static void
test_migrate_v2_v3 (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = g_build_filename (dir, "v2.db", NULL);
	g_autofree char *id = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmVector) vector = NULL;
	g_autoptr(CrmVector) empty = crm_vector_new ();
	g_autoptr(CrmBatch) batch = NULL;
	g_autofree char *own = NULL;
	CrmStore *store;
	gint64 before;
	int version = 0;
	guint i;

	store = crm_store__open_at_version (path, 1000, 2, &error);
	g_assert_no_error (error);
	id = test_customer (store, "Ines Duarte", "ines@example.pt");
	g_assert_cmpint (sqlite3_exec (store->db,
		"INSERT INTO replica (id) VALUES ('" RA "');"
		"INSERT INTO change SELECT r.num, s.n, s.n << 16, 1, '" CID
		"', 'phone', '0042' FROM replica r, (SELECT 1 AS n UNION "
		"SELECT 2 UNION SELECT 4) s WHERE r.id = '" RA "';",
		NULL, NULL, NULL), ==, SQLITE_OK);
	own = g_strdup (crm_store_get_replica_id (store));
	before = test_changes (store);
	crm_store_close (store);

	store = crm_store_open (path, 1000, &error);
	g_assert_no_error (error);
	g_assert_true (crm_store_get_schema_version (store, &version, NULL));
	g_assert_cmpint (version, ==, 3);
	g_assert_cmpint (test_changes (store), ==, before);
	vector = crm_sync_get_vector (store, &error);
	g_assert_no_error (error);
	g_assert_cmpint (crm_vector_get (vector, own), ==, 4);
	g_assert_cmpint (crm_vector_get (vector, RA), ==, 2);
	batch = crm_sync_collect (store, empty, 100, 1 << 20, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (crm_batch_get_n_changes (batch), ==, 6);
	for (i = 0; i < crm_batch_get_n_changes (batch); i++) {
		const CrmSyncChange *c = crm_batch_get_change (batch, i);

		if (g_strcmp0 (c->field, "phone") == 0)
			g_assert_true (g_variant_is_of_type (
				c->value, G_VARIANT_TYPE_STRING));
	}
	crm_store_close (store);
	test_dir_remove (dir);
}

static char *
test_file_sum (const char *path)
{
	g_autofree char *data = NULL;
	gsize len = 0;

	g_assert_true (g_file_get_contents (path, &data, &len, NULL));
	return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
					    (const guchar *) data, len);
}

static void
test_newer_version (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = g_build_filename (dir, "new.db", NULL);
	g_autofree char *before = NULL;
	g_autofree char *after = NULL;
	g_autofree char *sql = NULL;
	g_autoptr(GError) error = NULL;
	sqlite3 *db = NULL;
	CrmStore *store;

	g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
	sql = g_strdup_printf ("CREATE TABLE future (x); "
			       "PRAGMA user_version = %d",
			       CRM_STORE_SCHEMA_VERSION + 1);
	g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==,
			 SQLITE_OK);
	sqlite3_close (db);
	before = test_file_sum (path);

	store = crm_store_open (path, 1000, &error);
	g_assert_null (store);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_VERSION);
	after = test_file_sum (path);
	g_assert_cmpstr (before, ==, after);
	test_dir_remove (dir);
}

static void
test_not_a_database (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = g_build_filename (dir, "notes.txt", NULL);
	g_autofree char *before = NULL;
	g_autofree char *after = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) text = g_string_new (NULL);
	CrmStore *store;
	int i;

	for (i = 0; i < 100; i++)
		g_string_append (text, "call Maria back about the invoice\n");
	g_assert_true (g_file_set_contents (path, text->str, text->len,
					    NULL));
	before = test_file_sum (path);
	store = crm_store_open (path, 1000, &error);
	g_assert_null (store);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
	after = test_file_sum (path);
	g_assert_cmpstr (before, ==, after);
	test_dir_remove (dir);
}

static void
test_error_mapping (void)
{
	const struct {
		int rc;
		int code;
	} cases[] = {
		{ SQLITE_BUSY, CRM_STORE_ERROR_BUSY },
		{ SQLITE_BUSY_SNAPSHOT, CRM_STORE_ERROR_BUSY },
		{ SQLITE_LOCKED, CRM_STORE_ERROR_BUSY },
		{ SQLITE_FULL, CRM_STORE_ERROR_NO_SPACE },
		{ SQLITE_CORRUPT, CRM_STORE_ERROR_CORRUPT },
		{ SQLITE_NOTADB, CRM_STORE_ERROR_CORRUPT },
		{ SQLITE_READONLY, CRM_STORE_ERROR_READONLY },
		{ SQLITE_READONLY_DBMOVED, CRM_STORE_ERROR_READONLY },
		{ SQLITE_IOERR_WRITE, CRM_STORE_ERROR_FAILED },
		{ SQLITE_CONSTRAINT, CRM_STORE_ERROR_FAILED },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *code = g_strdup_printf ("%d", cases[i].rc);

		crm_store__set_error_from_sqlite (&error, NULL, cases[i].rc,
						  "test");
		g_assert_error (error, CRM_STORE_ERROR, cases[i].code);
		g_assert_nonnull (strstr (error->message, code));
	}
}

static void
test_readonly_dir (void)
{
	g_autofree char *dir = NULL;
	g_autofree char *path = NULL;
	g_autoptr(GError) error = NULL;
	CrmStore *store;

	if (geteuid () == 0) {
		g_test_skip ("permissions do not apply to root");
		return;
	}
	dir = test_dir_new ();
	path = g_build_filename (dir, "store.db", NULL);
	g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
	store = crm_store_open (path, 1000, &error);
	g_assert_null (store);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READONLY);
	g_chmod (dir, 0700);
	test_dir_remove (dir);
}

/* A store path that names a folder says so, instead of SQLite's "unable
 * to open database file". */
static void
test_path_is_folder (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autoptr(GError) error = NULL;
	CrmStore *store;

	store = crm_store_open (dir, 1000, &error);
	g_assert_null (store);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, dir));
	test_dir_remove (dir);
}

/* A store file that cannot be written is refused at open as read-only,
 * not opened read-only to fail at the first write. */
static void
test_readonly_file (void)
{
	g_autofree char *dir = NULL;
	g_autofree char *path = NULL;
	g_autoptr(GError) error = NULL;
	CrmStore *store;

	if (geteuid () == 0) {
		g_test_skip ("permissions do not apply to root");
		return;
	}
	dir = test_dir_new ();
	path = g_build_filename (dir, "store.db", NULL);
	store = crm_store_open (path, 1000, &error);
	g_assert_no_error (error);
	crm_store_close (store);
	g_assert_cmpint (g_chmod (path, 0400), ==, 0);
	store = crm_store_open (path, 1000, &error);
	g_assert_null (store);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READONLY);
	g_chmod (path, 0600);
	test_dir_remove (dir);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/schema/open-memory", test_open_memory);
	g_test_add_func ("/store/schema/create-reopen", test_create_reopen);
	g_test_add_func ("/store/schema/migrate-v1-v2", test_migrate_v1_v2);
	g_test_add_func ("/store/schema/migrate-v2-v3", test_migrate_v2_v3);
	g_test_add_func ("/store/schema/newer-version", test_newer_version);
	g_test_add_func ("/store/schema/not-a-database",
			 test_not_a_database);
	g_test_add_func ("/store/schema/error-mapping", test_error_mapping);
	g_test_add_func ("/store/schema/readonly-dir", test_readonly_dir);
	g_test_add_func ("/store/schema/path-is-folder",
			 test_path_is_folder);
	g_test_add_func ("/store/schema/readonly-file", test_readonly_file);
	return g_test_run ();
}
