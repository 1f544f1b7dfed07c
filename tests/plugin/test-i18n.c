/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-i18n.c: the plugin's own translations (shared case F14) and the
 * completeness of the Hindi catalogue.
 *
 * The catalogue checks regenerate the template from po/POTFILES.in with
 * the options of meson's glib preset, merge po/hi.po into it and ask
 * msgfmt whether every message is translated: a new or changed string in
 * the sources fails here until hi.po follows.  The F14 checks start a real
 * libpurple core in a subprocess per case, with the client's own domain
 * set up as Finch does, load the built plugin bound to a one-entry German
 * test catalogue, and read the title of a due follow-up's reminder from
 * libpurple's notify UI ops, which is what an agent sees when no desktop
 * notification server is in use.  Each case loads plugins in another order
 * (alone, a stock plugin before ours, after ours, ours unloaded and loaded
 * again), because a plugin that took the process's default domain or bound
 * its own only once would pass in one order and fail in another.
 */
#include "crm-config.h"

#include <libintl.h>
#include <locale.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <core.h>
#include <debug.h>
#include <eventloop.h>
#include <notify.h>
#include <plugin.h>
#include <prefs.h>
#include <status.h>
#include <util.h>

#include "crm.h"
#include "crm-prefs.h"

/* The client's own gettext domain: libpurple's, Pidgin's and Finch's. */
#define CLIENT_DOMAIN "pidgin"
#define F14_TITLE "R\xc3\xbc" "ckruf f\xc3\xa4llig"
/* po/hi.po's "Chat CRM" and "Follow-up due". */
#define HI_NAME "चैट सीआरएम"
#define HI_TITLE "फ़ॉलो-अप का समय हो गया"
#define AGENT "Anna Berg"
#define OTHER_PLUGIN "statenotify"
#define WAIT_US (20 * G_USEC_PER_SEC)

/* xgettext options of meson's glib preset (mesonbuild/modules/i18n.py),
 * so that the template here is the one `ninja chatcrm-pot` writes. */
static const char *const xgettext_preset[] = {
	"--from-code=UTF-8", "--add-comments",
	"--keyword=_", "--keyword=N_", "--keyword=C_:1c,2",
	"--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
	"--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
	"--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
	"--flag=NC_:2:pass-c-format", "--flag=g_dngettext:2:pass-c-format",
	"--flag=g_strdup_printf:1:c-format",
	"--flag=g_string_printf:2:c-format",
	"--flag=g_string_append_printf:2:c-format",
	"--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
	"--flag=g_markup_printf_escaped:1:c-format",
	"--flag=g_log:3:c-format", "--flag=g_print:1:c-format",
	"--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
	"--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
	"--flag=g_snprintf:3:c-format",
};

/* The directories whose files may carry translatable strings. */
static const char *const source_dirs[] = {
	"plugin", "shared-store", "include/crm",
};

/* ---- gettext tools ---- */

/* Whether the gettext tools are installed; skips the test if not. */
static gboolean
have_tools (void)
{
	const char *const tools[] = { "xgettext", "msgmerge", "msgfmt" };
	guint i;

	for (i = 0; i < G_N_ELEMENTS (tools); i++) {
		char *path = g_find_program_in_path (tools[i]);

		if (path == NULL) {
			g_test_skip_printf ("%s is not installed", tools[i]);
			return FALSE;
		}
		g_free (path);
	}
	return TRUE;
}

/*
 * Runs a gettext tool in the C locale (the statistics msgfmt prints are
 * translated otherwise) and returns its exit status; its stderr goes to
 * *@out_err.
 */
static int
run_tool (GPtrArray *argv, char **out_err)
{
	char **envp = g_get_environ ();
	GError *error = NULL;
	int status = -1;

	envp = g_environ_setenv (envp, "LC_ALL", "C", TRUE);
	envp = g_environ_unsetenv (envp, "LANGUAGE");
	g_ptr_array_add (argv, NULL);
	g_spawn_sync (CRM_SOURCE_DIR, (char **) argv->pdata, envp,
		      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
		      NULL, NULL, out_err, &status, &error);
	g_assert_no_error (error);
	g_strfreev (envp);
	return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

/* A new argv: xgettext with the glib preset's options, writing @output. */
static GPtrArray *
xgettext_argv (const char *output)
{
	GPtrArray *argv = g_ptr_array_new ();
	guint i;

	g_ptr_array_add (argv, "xgettext");
	for (i = 0; i < G_N_ELEMENTS (xgettext_preset); i++)
		g_ptr_array_add (argv, (char *) xgettext_preset[i]);
	g_ptr_array_add (argv, "--package-name=" GETTEXT_PACKAGE);
	g_ptr_array_add (argv, "-o");
	g_ptr_array_add (argv, (char *) output);
	return argv;
}

/* Writes the template of the files po/POTFILES.in lists to @pot. */
static char *
make_pot (const char *pot)
{
	GPtrArray *argv = xgettext_argv (pot);
	char *err = NULL;

	g_ptr_array_add (argv, "--files-from=po/POTFILES.in");
	g_assert_cmpint (run_tool (argv, &err), ==, 0);
	g_ptr_array_unref (argv);
	return err;
}

/* The "N translated messages." part msgfmt prints for @po, parsed. */
static void
po_statistics (const char *po, guint *out_translated, guint *out_other)
{
	GPtrArray *argv = g_ptr_array_new ();
	char *err = NULL;
	char **parts;
	guint i;

	g_ptr_array_add (argv, "msgfmt");
	g_ptr_array_add (argv, "--statistics");
	g_ptr_array_add (argv, "-o");
	g_ptr_array_add (argv, "/dev/null");
	g_ptr_array_add (argv, (char *) po);
	g_assert_cmpint (run_tool (argv, &err), ==, 0);
	*out_translated = 0;
	*out_other = 0;
	parts = g_strsplit (g_strstrip (err), ",", -1);
	for (i = 0; parts[i] != NULL; i++) {
		guint64 n = g_ascii_strtoull (g_strstrip (parts[i]), NULL, 10);

		if (strstr (parts[i], " translated message") != NULL)
			*out_translated += n;
		else
			*out_other += n;
	}
	g_strfreev (parts);
	g_free (err);
	g_ptr_array_unref (argv);
}

/*
 * po/hi.po translates every message the sources have today: merged into
 * a freshly generated template (a changed msgid turns fuzzy there), all
 * are translated, none is fuzzy or untranslated, and msgfmt --check finds
 * no format or header problem in hi.po itself.
 */
static void
test_hi_complete (void)
{
	char *tmp, *pot, *merged, *err;
	GPtrArray *argv;
	guint pot_translated, in_pot, translated, other;

	if (!have_tools ())
		return;
	tmp = g_dir_make_tmp ("crm-i18n-XXXXXX", NULL);
	pot = g_build_filename (tmp, "chatcrm.pot", NULL);
	merged = g_build_filename (tmp, "hi.po", NULL);
	g_free (make_pot (pot));
	po_statistics (pot, &pot_translated, &in_pot);
	g_assert_cmpuint (in_pot, >, 0);

	argv = g_ptr_array_new ();
	g_ptr_array_add (argv, "msgmerge");
	g_ptr_array_add (argv, "--quiet");
	g_ptr_array_add (argv, "-o");
	g_ptr_array_add (argv, merged);
	g_ptr_array_add (argv, "po/hi.po");
	g_ptr_array_add (argv, pot);
	g_assert_cmpint (run_tool (argv, &err), ==, 0);
	g_free (err);
	g_ptr_array_unref (argv);

	po_statistics (merged, &translated, &other);
	g_assert_cmpuint (other, ==, 0);
	g_assert_cmpuint (translated, ==, in_pot);

	argv = g_ptr_array_new ();
	g_ptr_array_add (argv, "msgfmt");
	g_ptr_array_add (argv, "--check");
	g_ptr_array_add (argv, "-o");
	g_ptr_array_add (argv, "/dev/null");
	g_ptr_array_add (argv, "po/hi.po");
	g_assert_cmpint (run_tool (argv, &err), ==, 0);
	g_assert_cmpstr (err, ==, "");
	g_free (err);
	g_ptr_array_unref (argv);

	g_remove (merged);
	g_remove (pot);
	g_rmdir (tmp);
	g_free (merged);
	g_free (pot);
	g_free (tmp);
}

/* The lines of po/POTFILES.in, without comments and blank lines. */
static GHashTable *
read_potfiles (void)
{
	char *path = g_build_filename (CRM_SOURCE_DIR, "po", "POTFILES.in",
				       NULL);
	GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal,
						 g_free, NULL);
	char *text = NULL;
	char **lines;
	guint i;

	g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
	lines = g_strsplit (text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip (lines[i]);

		if (*line != '\0' && *line != '#')
			g_hash_table_add (set, g_strdup (line));
	}
	g_strfreev (lines);
	g_free (text);
	g_free (path);
	return set;
}

/* Adds the .c and .h files of @dir that POTFILES.in lacks to @files. */
static void
add_unlisted (GPtrArray *files, const char *dir, GHashTable *listed)
{
	char *full = g_build_filename (CRM_SOURCE_DIR, dir, NULL);
	GDir *d = g_dir_open (full, 0, NULL);
	const char *name;

	g_assert_nonnull (d);
	while ((name = g_dir_read_name (d)) != NULL) {
		char *rel;

		if (!g_str_has_suffix (name, ".c") &&
		    !g_str_has_suffix (name, ".h"))
			continue;
		rel = g_build_filename (dir, name, NULL);
		if (g_hash_table_contains (listed, rel))
			g_free (rel);
		else
			g_ptr_array_add (files, rel);
	}
	g_dir_close (d);
	g_free (full);
}

/*
 * POTFILES.in lists every source file with a marked string: xgettext
 * with the same keywords finds none in the files it leaves out (it writes
 * no output file when it finds nothing).
 */
static void
test_potfiles (void)
{
	char *tmp, *pot, *err = NULL, *text = NULL;
	GHashTable *listed;
	GPtrArray *files, *argv;
	guint i;

	if (!have_tools ())
		return;
	tmp = g_dir_make_tmp ("crm-i18n-XXXXXX", NULL);
	pot = g_build_filename (tmp, "unlisted.pot", NULL);
	listed = read_potfiles ();
	g_assert_cmpuint (g_hash_table_size (listed), >, 0);
	files = g_ptr_array_new_with_free_func (g_free);
	for (i = 0; i < G_N_ELEMENTS (source_dirs); i++)
		add_unlisted (files, source_dirs[i], listed);
	g_test_message ("%u source files are not in POTFILES.in", files->len);

	if (files->len > 0) {
		argv = xgettext_argv (pot);
		for (i = 0; i < files->len; i++)
			g_ptr_array_add (argv, files->pdata[i]);
		g_assert_cmpint (run_tool (argv, &err), ==, 0);
		g_ptr_array_unref (argv);
	}
	if (g_file_get_contents (pot, &text, NULL, NULL))
		g_test_message ("strings outside POTFILES.in:\n%s", text);
	g_assert_null (text);

	g_free (err);
	g_ptr_array_unref (files);
	g_hash_table_unref (listed);
	g_rmdir (tmp);
	g_free (pot);
	g_free (tmp);
}

/*
 * Every marked string can be found at run time: a msgid glued to a
 * format macro (_("%" G_GSIZE_FORMAT " bytes")) is cut at the macro by
 * xgettext, so its translation is never looked up.  xgettext says so.
 */
static void
test_msgids_whole (void)
{
	char *tmp, *pot, *err;

	if (!have_tools ())
		return;
	tmp = g_dir_make_tmp ("crm-i18n-XXXXXX", NULL);
	pot = g_build_filename (tmp, "chatcrm.pot", NULL);
	err = make_pot (pot);
	if (strstr (err, "not a valid C format string") != NULL)
		g_test_message ("%s", err);
	g_assert_null (strstr (err, "not a valid C format string"));
	g_free (err);
	g_remove (pot);
	g_rmdir (tmp);
	g_free (pot);
	g_free (tmp);
}

/* ---- a minimal libpurple client ---- */

/* What the client showed through purple_notify_message(). */
static GPtrArray *shown_primary;	/* char * */
static GPtrArray *shown_secondary;	/* char * */

static void *
notify_message (PurpleNotifyMsgType type, const char *title,
		const char *primary, const char *secondary)
{
	g_ptr_array_add (shown_primary, g_strdup (primary));
	g_ptr_array_add (shown_secondary, g_strdup (secondary));
	return NULL;
}

static PurpleNotifyUiOps notify_ops = {
	.notify_message = notify_message,
};

typedef struct {
	PurpleInputFunction func;
	gpointer data;
} InputClosure;

static gboolean
input_dispatch (GIOChannel *source, GIOCondition condition, gpointer data)
{
	InputClosure *closure = data;
	int cond = 0;

	if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
		cond |= PURPLE_INPUT_READ;
	if (condition & (G_IO_OUT | G_IO_HUP | G_IO_ERR))
		cond |= PURPLE_INPUT_WRITE;
	closure->func (closure->data, g_io_channel_unix_get_fd (source),
		       (PurpleInputCondition) cond);
	return TRUE;
}

/* libpurple's file-descriptor watches on the GLib main loop. */
static guint
input_add (int fd, PurpleInputCondition cond, PurpleInputFunction func,
	   gpointer data)
{
	InputClosure *closure = g_new0 (InputClosure, 1);
	GIOChannel *channel = g_io_channel_unix_new (fd);
	int watch = G_IO_HUP | G_IO_ERR | G_IO_NVAL;
	guint id;

	closure->func = func;
	closure->data = data;
	if (cond & PURPLE_INPUT_READ)
		watch |= G_IO_IN;
	if (cond & PURPLE_INPUT_WRITE)
		watch |= G_IO_OUT;
	id = g_io_add_watch_full (channel, G_PRIORITY_DEFAULT,
				  (GIOCondition) watch, input_dispatch,
				  closure, g_free);
	g_io_channel_unref (channel);
	return id;
}

static PurpleEventLoopUiOps loop_ops = {
	.timeout_add = g_timeout_add,
	.timeout_remove = g_source_remove,
	.input_add = input_add,
	.input_remove = g_source_remove,
	.timeout_add_seconds = g_timeout_add_seconds,
};

/*
 * Starts the core as a client would: the client's own catalogue is the
 * process's default domain in UTF-8 (Finch's main() does this), libpurple
 * keeps its files in a fresh folder, and its loop is GLib's.
 */
static void
client_start (void)
{
	char *dir = g_build_filename (g_get_user_config_dir (), "purple",
				      NULL);

	bind_textdomain_codeset (CLIENT_DOMAIN, "UTF-8");
	textdomain (CLIENT_DOMAIN);
	shown_primary = g_ptr_array_new_with_free_func (g_free);
	shown_secondary = g_ptr_array_new_with_free_func (g_free);
	purple_util_set_user_dir (dir);
	purple_debug_set_enabled (FALSE);
	purple_eventloop_set_ui_ops (&loop_ops);
	purple_notify_set_ui_ops (&notify_ops);
	g_assert_true (purple_core_init ("chatcrm-test"));
	g_free (dir);
}

static void
client_quit (void)
{
	purple_core_quit ();
	g_ptr_array_unref (shown_primary);
	g_ptr_array_unref (shown_secondary);
}

/*
 * Probes and loads the plugin at @path; ours is told, between probe
 * (which installs its preferences) and load, whose reminders to show and
 * not to try a desktop notification server.
 */
static PurplePlugin *
plugin_load_path (const char *path)
{
	PurplePlugin *plugin = purple_plugin_probe (path);

	g_assert_nonnull (plugin);
	if (g_strcmp0 (purple_plugin_get_id (plugin), CRM_PLUGIN_ID) == 0) {
		purple_prefs_set_string (CRM_PREF_AGENT_NAME, AGENT);
		purple_prefs_set_bool (CRM_PREF_DESKTOP_NOTIFY, FALSE);
	}
	g_assert_true (purple_plugin_load (plugin));
	g_assert_true (purple_plugin_is_loaded (plugin));
	return plugin;
}

static PurplePlugin *
load_ours (void)
{
	return plugin_load_path (g_getenv ("CRM_PLUGIN_PATH"));
}

/* The stock libpurple plugin the order cases load beside ours. */
static char *
other_plugin_path (void)
{
	return g_build_filename (g_getenv ("CRM_PURPLE_PLUGINDIR"),
				 OTHER_PLUGIN "." G_MODULE_SUFFIX, NULL);
}

/*
 * Writes a customer with a follow-up for AGENT that fell due a moment ago
 * into the store the plugin opens (its default path under the client's
 * folder), as a teammate's replica would have.
 */
static void
add_due_followup (const char *text)
{
	char *path = g_build_filename (purple_user_dir (), "chatcrm",
				       "store.db", NULL);
	GError *error = NULL;
	CrmStore *store = crm_store_open (path, 2000, &error);
	CrmCustomer *c = crm_customer_new ();
	CrmFollowup f = { 0 };
	char *fid;

	g_assert_no_error (error);
	c->name = g_strdup ("Mira Kovač");
	f.customer_id = crm_customer_create (store, c, &error);
	g_assert_no_error (error);
	f.text = (char *) text;
	f.due_us = g_get_real_time () - 2 * G_USEC_PER_SEC;
	f.tz = "UTC";
	f.assignee_agent = AGENT;
	f.created_by = AGENT;
	fid = crm_followup_add (store, &f, &error);
	g_assert_no_error (error);
	g_free (fid);
	g_free (f.customer_id);
	crm_customer_free (c);
	crm_store_close (store);
	g_free (path);
}

static gboolean
wake_up (gpointer data)
{
	return G_SOURCE_CONTINUE;
}

/*
 * Runs the main loop until the reminder of the follow-up @text was shown
 * and returns its title (the notification's primary text), or NULL when
 * none came within WAIT_US.
 */
static const char *
wait_for_reminder (const char *text)
{
	gint64 deadline = g_get_monotonic_time () + WAIT_US;
	guint waker = g_timeout_add (100, wake_up, NULL);
	const char *title = NULL;

	while (title == NULL && g_get_monotonic_time () < deadline) {
		guint i;

		g_main_context_iteration (NULL, TRUE);
		for (i = 0; i < shown_secondary->len; i++)
			if (shown_secondary->pdata[i] != NULL &&
			    strstr (shown_secondary->pdata[i], text) != NULL)
				title = shown_primary->pdata[i];
	}
	g_source_remove (waker);
	return title;
}

/*
 * F14's three claims, after whatever was loaded: the reminder shows our
 * catalogue's title in UTF-8, our domain still gives it, and the client's
 * own strings (its default domain, and libpurple's) are still German.
 */
static void
assert_f14 (const char *followup_text)
{
	const char *title = wait_for_reminder (followup_text);

	g_assert_nonnull (title);
	g_assert_true (g_utf8_validate (title, -1, NULL));
	g_assert_cmpstr (title, ==, F14_TITLE);
	g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Follow-up due"), ==,
			 F14_TITLE);

	g_assert_cmpstr (textdomain (NULL), ==, CLIENT_DOMAIN);
	g_assert_cmpstr (gettext ("Buddy List"), ==, "Buddy-Liste");
	g_assert_cmpstr (purple_primitive_get_name_from_type
			 (PURPLE_STATUS_AWAY), ==, "Abwesend");
}

/*
 * Puts the test catalogue where the plugin will bind its domain:
 * CHATCRM_LOCALEDIR/de/LC_MESSAGES/chatcrm.mo, copied from the build.
 */
static void
stage_german_catalogue (void)
{
	char *root = g_build_filename (g_get_user_data_dir (), "locale",
				       NULL);
	char *dir = g_build_filename (root, "de", "LC_MESSAGES", NULL);
	char *mo = g_build_filename (dir, GETTEXT_PACKAGE ".mo", NULL);
	char *data = NULL;
	gsize len = 0;

	g_assert_true (g_file_get_contents (g_getenv ("CRM_F14_MO"), &data,
					    &len, NULL));
	g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
	g_assert_true (g_file_set_contents (mo, data, (gssize) len, NULL));
	g_setenv ("CHATCRM_LOCALEDIR", root, TRUE);
	g_setenv ("LANGUAGE", "de", TRUE);
	g_free (data);
	g_free (mo);
	g_free (dir);
	g_free (root);
}

typedef enum {
	ORDER_ALONE,
	ORDER_OTHER_FIRST,
	ORDER_OTHER_AFTER,
	ORDER_RELOAD,
} LoadOrder;

/* One F14 case, in a fresh process: load in @order, then check. */
static void
run_f14 (LoadOrder order)
{
	char *other = other_plugin_path ();
	PurplePlugin *ours;

	stage_german_catalogue ();
	client_start ();
	add_due_followup ("Call back about the invoice");
	if (order == ORDER_OTHER_FIRST)
		plugin_load_path (other);
	ours = load_ours ();
	if (order == ORDER_OTHER_AFTER)
		plugin_load_path (other);
	assert_f14 ("Call back about the invoice");

	if (order == ORDER_RELOAD) {
		g_assert_true (purple_plugin_unload (ours));
		add_due_followup ("Send the corrected quote");
		ours = load_ours ();
		assert_f14 ("Send the corrected quote");
	}
	g_assert_true (purple_plugin_unload (ours));
	g_assert_cmpstr (textdomain (NULL), ==, CLIENT_DOMAIN);
	client_quit ();
	g_free (other);
}

/* Runs @order's case in a subprocess, so that each has a fresh core. */
static void
trap_f14 (LoadOrder order)
{
	char *other;

	if (g_test_subprocess ()) {
		run_f14 (order);
		return;
	}
	other = other_plugin_path ();
	if (!g_file_test (other, G_FILE_TEST_EXISTS)) {
		g_test_skip_printf ("no stock plugin %s", other);
		g_free (other);
		return;
	}
	g_free (other);
	g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC,
				G_TEST_SUBPROCESS_INHERIT_STDERR);
	g_test_trap_assert_passed ();
}

static void
test_f14_alone (void)
{
	trap_f14 (ORDER_ALONE);
}

static void
test_f14_other_first (void)
{
	trap_f14 (ORDER_OTHER_FIRST);
}

static void
test_f14_other_after (void)
{
	trap_f14 (ORDER_OTHER_AFTER);
}

static void
test_f14_reload (void)
{
	trap_f14 (ORDER_RELOAD);
}

/*
 * The Hindi catalogue as the build makes it (po/hi/LC_MESSAGES in the
 * build tree): the plugin list shows the Hindi name, translated at probe
 * time, and a reminder the Hindi title.
 */
static void
run_hindi (void)
{
	PurplePlugin *ours;

	g_setenv ("CHATCRM_LOCALEDIR", g_getenv ("CRM_BUILD_LOCALEDIR"), TRUE);
	g_setenv ("LANGUAGE", "hi", TRUE);
	client_start ();
	add_due_followup ("इनवॉइस के बारे में वापस कॉल करें");
	ours = load_ours ();
	g_assert_cmpstr (purple_plugin_get_name (ours), ==, HI_NAME);
	g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Follow-up due"), ==,
			 HI_TITLE);
	g_assert_cmpstr (wait_for_reminder ("इनवॉइस के बारे में"), ==,
			 HI_TITLE);
	g_assert_true (purple_plugin_unload (ours));
	client_quit ();
}

static void
test_hindi (void)
{
	if (g_test_subprocess ()) {
		run_hindi ();
		return;
	}
	g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC,
				G_TEST_SUBPROCESS_INHERIT_STDERR);
	g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
	setlocale (LC_ALL, "");
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/i18n/po/hi-complete", test_hi_complete);
	g_test_add_func ("/i18n/po/potfiles", test_potfiles);
	g_test_add_func ("/i18n/po/msgids-whole", test_msgids_whole);
	g_test_add_func ("/i18n/f14/alone", test_f14_alone);
	g_test_add_func ("/i18n/f14/other-first", test_f14_other_first);
	g_test_add_func ("/i18n/f14/other-after", test_f14_other_after);
	g_test_add_func ("/i18n/f14/reload", test_f14_reload);
	g_test_add_func ("/i18n/hindi", test_hindi);
	return g_test_run ();
}
