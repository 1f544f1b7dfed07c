/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-f09.c: shared case F09, the database is busy.
 *
 * A separate process (store-lock-helper) holds BEGIN IMMEDIATE on a store
 * file of the old schema.  Held 3 s, the upgrade waits and completes; held
 * past the busy timeout, opening fails with a clear, retryable error and
 * leaves the file exactly at the old version; replicated changes that
 * arrive meanwhile fail whole and are applied exactly once afterwards.
 */
#include "test-common.h"

#include <gio/gio.h>

#define RA "aaaaaaaa-0000-4000-8000-000000000001"
#define CID "cccccccc-0000-4000-8000-00000000000c"

typedef struct {
	GSubprocess *proc;
	GDataInputStream *out;
} Locker;

static void
locker_start (Locker *l, const char *path, int seconds)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *secs = g_strdup_printf ("%d", seconds);
	g_autofree char *line = NULL;

	l->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
				    G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
				    LOCK_HELPER, path, secs, NULL);
	g_assert_no_error (error);
	l->out = g_data_input_stream_new (
		g_subprocess_get_stdout_pipe (l->proc));
	line = g_data_input_stream_read_line (l->out, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (line, ==, "locked");
}

static void
locker_release (Locker *l)
{
	g_autoptr(GError) error = NULL;
	GOutputStream *in = g_subprocess_get_stdin_pipe (l->proc);

	g_output_stream_close (in, NULL, NULL);
	g_assert_true (g_subprocess_wait_check (l->proc, NULL, &error));
	g_assert_no_error (error);
	g_clear_object (&l->out);
	g_clear_object (&l->proc);
}

static char *
make_v1_file (const char *dir, const char *name)
{
	g_autoptr(GError) error = NULL;
	char *path = g_build_filename (dir, name, NULL);
	CrmStore *store = crm_store__open_at_version (path, 1000, 1, &error);
	g_autofree char *id = NULL;

	g_assert_no_error (error);
	id = test_customer (store, "Mira Kovac", "mira@shop.example");
	crm_store_close (store);
	return path;
}

/* Reads the schema state with a plain connection (readers never wait in
 * WAL mode, even while the helper holds the write lock). */
static void
assert_still_v1 (const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY,
					  NULL), ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_prepare_v2 (db,
		"SELECT (SELECT user_version FROM pragma_user_version), "
		"(SELECT count(*) FROM sqlite_master WHERE name = 'notified'), "
		"(SELECT count(*) FROM pragma_table_info('interaction') "
		"WHERE name = 'first_response')", -1, &stmt, NULL), ==,
		SQLITE_OK);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
	g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
	g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 0);
	sqlite3_finalize (stmt);
	sqlite3_close (db);
}

static void
test_lock_short (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = make_v1_file (dir, "short.db");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) found = NULL;
	Locker l = { NULL, NULL };
	CrmStore *store;
	gint64 start, waited;
	int version = 0;

	locker_start (&l, path, 3);
	start = g_get_monotonic_time ();
	store = crm_store_open (path, 5000, &error);
	waited = g_get_monotonic_time () - start;
	g_assert_no_error (error);
	g_assert_nonnull (store);
	g_assert_cmpint (waited, >=, 2 * G_USEC_PER_SEC);
	g_assert_true (crm_store_get_schema_version (store, &version, NULL));
	g_assert_cmpint (version, ==, CRM_STORE_SCHEMA_VERSION);
	found = crm_customer_find (store, "mira", 10, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (found->len, ==, 1);
	crm_store_close (store);
	locker_release (&l);
	test_dir_remove (dir);
}

static void
test_lock_long (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = make_v1_file (dir, "long.db");
	g_autoptr(GError) error = NULL;
	Locker l = { NULL, NULL };
	CrmStore *store;
	int version = 0;

	locker_start (&l, path, 30);
	store = crm_store_open (path, 5000, &error);
	g_assert_null (store);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY);
	g_assert_nonnull (strstr (error->message,
				  "locked by another program"));
	g_assert_nonnull (strstr (error->message, "try again"));
	g_test_message ("busy error: %s", error->message);
	assert_still_v1 (path);
	locker_release (&l);
	g_clear_error (&error);

	store = crm_store_open (path, 5000, &error);
	g_assert_no_error (error);
	g_assert_true (crm_store_get_schema_version (store, &version, NULL));
	g_assert_cmpint (version, ==, CRM_STORE_SCHEMA_VERSION);
	crm_store_close (store);
	test_dir_remove (dir);
}

static void
test_lock_remote (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = make_v1_file (dir, "remote.db");
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmStore) store = NULL;
	g_autoptr(CrmCustomer) c = NULL;
	const char *fields[] = { "name", "company", "email", "phone", "tags" };
	const char *values[] = { "Dana Reyes", "Reyes & Co",
				 "dana.reyes@example.com", "+1 415 555 0100",
				 "vip" };
	GVariant *vals[5];
	CrmChange changes[5];
	Locker l = { NULL, NULL };
	gint64 before;
	guint applied = 0;
	int i;

	store = crm_store_open (path, 300, &error);
	g_assert_no_error (error);
	for (i = 0; i < 5; i++) {
		vals[i] = g_variant_ref_sink (g_variant_new_string (values[i]));
		changes[i] = (CrmChange) { RA, i + 1, (gint64) (i + 1) << 16,
					   CRM_ENTITY_CUSTOMER, CID, fields[i],
					   vals[i] };
	}
	before = test_changes (store);

	locker_start (&l, path, 30);
	for (i = 0; i < 5; i++) {
		g_assert_false (crm_change__apply_remote (store, &changes[i],
							  1, &applied, &error));
		g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY);
		g_clear_error (&error);
	}
	locker_release (&l);
	g_assert_cmpint (test_changes (store), ==, before);

	g_assert_true (crm_change__apply_remote (store, changes, 5, &applied,
						 &error));
	g_assert_no_error (error);
	g_assert_cmpuint (applied, ==, 5);
	g_assert_true (crm_change__apply_remote (store, changes, 5, &applied,
						 &error));
	g_assert_cmpuint (applied, ==, 0);
	g_assert_cmpint (test_changes (store), ==, before + 5);
	c = crm_customer_get (store, CID, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (c->email, ==, "dana.reyes@example.com");
	g_assert_cmpstr (c->tags[0], ==, "vip");
	for (i = 0; i < 5; i++)
		g_variant_unref (vals[i]);
	g_clear_pointer (&store, crm_store_close);
	test_dir_remove (dir);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/f09/lock-3s-upgrade-waits", test_lock_short);
	g_test_add_func ("/store/f09/lock-past-timeout", test_lock_long);
	g_test_add_func ("/store/f09/remote-while-locked", test_lock_remote);
	return g_test_run ();
}
