/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-admin.c: the built chatcrm-admin, run as a user runs it: a
 * mistyped --store path creates nothing (only import-csv makes a store), a
 * second import of the same file reports it unchanged, and link stores a
 * handle in the normal form the plugin looks it up by, refusing one that
 * cannot be a handle.
 */
#include "test-common.h"

/* What one run of chatcrm-admin printed and how it ended. */
typedef struct {
	char *out;
	char *err;
	int status;		/* the exit status; -1 when it did not exit */
} AdminRun;

static void
admin_run_free (AdminRun *run)
{
	g_free (run->out);
	g_free (run->err);
	g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdminRun, admin_run_free)

/*
 * Runs chatcrm-admin with @argv (after the program name) in the C locale,
 * with no CHATCRM_STORE, so that only the arguments name the store.
 */
static AdminRun *
admin_run (const char *const *argv)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new ();
	g_auto(GStrv) env = g_get_environ ();
	g_autoptr(GError) error = NULL;
	AdminRun *run = g_new0 (AdminRun, 1);
	int wait_status = 0;

	g_ptr_array_add (args, (char *) CRM_ADMIN_PATH);
	for (; *argv != NULL; argv++)
		g_ptr_array_add (args, (char *) *argv);
	g_ptr_array_add (args, NULL);
	env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
	env = g_environ_unsetenv (env, "LANGUAGE");
	env = g_environ_unsetenv (env, "CHATCRM_STORE");

	g_assert_true (g_spawn_sync (NULL, (char **) args->pdata, env, 0,
				     NULL, NULL, &run->out, &run->err,
				     &wait_status, &error));
	g_assert_no_error (error);
	run->status = -1;
	if (g_spawn_check_wait_status (wait_status, &error))
		run->status = 0;
	else if (error->domain == G_SPAWN_EXIT_ERROR)
		run->status = error->code;
	return run;
}

static char *
northwind_path (void)
{
	return g_test_build_filename (G_TEST_DIST, "shared-store", "data",
				      "northwind__customers.csv", NULL);
}

/*
 * Every command but import-csv, on a path that does not exist: exit 1, a
 * message that names the path, and neither the file nor its folder made.
 */
static void
test_missing_store (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *folder = g_build_filename (dir, "typo", NULL);
	g_autofree char *path = g_build_filename (folder, "store.db", NULL);
	const char *const commands[][5] = {
		{ "find", "anders", NULL },
		{ "show", "e4f2e33b-fa7a-4a80-a021-820cad8a05ca", NULL },
		{ "notes", "e4f2e33b-fa7a-4a80-a021-820cad8a05ca", NULL },
		{ "handovers", NULL },
		{ "link", "Maria Anders", "prpl-jabber", "m@example.org",
		  NULL },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (commands); i++) {
		const char *argv[8] = { "--store", path, NULL };
		g_autoptr(AdminRun) run = NULL;
		gsize j;

		for (j = 0; commands[i][j] != NULL; j++)
			argv[2 + j] = commands[i][j];
		run = admin_run (argv);
		g_test_message ("%s: %s", commands[i][0], run->err);
		g_assert_cmpint (run->status, ==, 1);
		g_assert_nonnull (strstr (run->err, "No store at"));
		g_assert_nonnull (strstr (run->err, path));
		g_assert_nonnull (strstr (run->err, "import-csv"));
		g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
	}
	test_dir_remove (dir);
}

/* import-csv makes the store, folder and all. */
static void
test_import_creates (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = g_build_filename (dir, "new", "store.db",
						  NULL);
	g_autofree char *csv = northwind_path ();
	const char *argv[] = { "--store", path, "import-csv", csv, NULL };
	const char *find[] = { "--store", path, "find", "anders", NULL };
	g_autoptr(AdminRun) run = admin_run (argv);
	g_autoptr(AdminRun) found = NULL;

	g_assert_cmpint (run->status, ==, 0);
	g_assert_nonnull (strstr (run->out, "taken: 91\nmerged: 0\n"));
	g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
	found = admin_run (find);
	g_assert_cmpint (found->status, ==, 0);
	g_assert_nonnull (strstr (found->out, "Maria Anders"));

	/* The same file again: nothing new, and the report says so. */
	g_clear_pointer (&run, admin_run_free);
	run = admin_run (argv);
	g_assert_cmpint (run->status, ==, 0);
	g_assert_cmpstr (run->out, ==, "taken: 0\nmerged: 0\nunchanged: 91\n"
				       "skipped: 0\n");
	test_dir_remove (dir);
}

/* The store's link of @protocol @handle: the customer, or NULL. */
static char *
linked_customer (const char *path, const char *protocol, const char *handle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmStore) store = crm_store_open (path, 1000, &error);
	char *customer = NULL;

	g_assert_no_error (error);
	g_assert_true (crm_identity_lookup (store, protocol, handle, &customer,
					    &error));
	g_assert_no_error (error);
	return customer;
}

/*
 * The user's report: a JID typed with capitals and a resource was stored
 * as typed and never matched a conversation.  Now the bare, folded JID is
 * the key, the typed form its display, and an invalid handle links nothing.
 */
static void
test_link_normalizes (void)
{
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = g_build_filename (dir, "store.db", NULL);
	g_autofree char *csv = northwind_path ();
	const char *import[] = { "--store", path, "import-csv", csv, NULL };
	const char *link[] = { "--store", path, "link", "Ana Trujillo",
			       "prpl-jabber", "Ana@Example.org/Home", NULL };
	const char *bad[] = { "--store", path, "link", "Maria Anders",
			      "prpl-jabber", "Maria Anders@example.org", NULL };
	g_autoptr(AdminRun) run = admin_run (import);
	g_autofree char *ana = NULL;
	g_autofree char *typed = NULL;

	g_assert_cmpint (run->status, ==, 0);
	g_clear_pointer (&run, admin_run_free);
	run = admin_run (link);
	g_assert_cmpint (run->status, ==, 0);
	g_assert_nonnull (strstr (run->out, "ana@example.org"));
	g_assert_nonnull (strstr (run->out, "Ana@Example.org/Home"));
	ana = linked_customer (path, "prpl-jabber", "ana@example.org");
	g_assert_nonnull (ana);
	typed = linked_customer (path, "prpl-jabber", "Ana@Example.org/Home");
	g_assert_null (typed);

	g_clear_pointer (&run, admin_run_free);
	run = admin_run (bad);
	g_assert_cmpint (run->status, ==, 1);
	g_assert_nonnull (strstr (run->err, "not a valid prpl-jabber handle"));
	g_assert_nonnull (strstr (run->err, "Maria Anders@example.org"));
	test_dir_remove (dir);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/admin/missing-store", test_missing_store);
	g_test_add_func ("/store/admin/import-creates", test_import_creates);
	g_test_add_func ("/store/admin/link-normalizes", test_link_normalizes);

	return g_test_run ();
}
