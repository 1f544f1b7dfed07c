/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-finch.c: the plugin in Finch, the real terminal client, read off
 * the screen.
 *
 * Finch runs in a tmux server of its own (a private socket under the
 * test's temporary directory, so a user's tmux is never touched), logged
 * in as the sales agent with the plugin loaded from its configuration
 * directory.  The customer's headless client writes; the test polls
 * `tmux capture-pane` until the card shows, types /crm help into the
 * conversation and reads the answer, then quits Finch with M-q.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "crm-prefs.h"
#include "harness.h"

#define DOMAIN "crm.test"
#define CUSTOMER_JID "customer@" DOMAIN
#define WAIT_MS harness_timeout_ms (30000)
#define POLL_MS 200

typedef struct {
	HarnessServer *server;
	char *store_path;
	char *customer_id;
	char *config_dir;
	char *socket;		/* the tmux server's name (-L) */
	gboolean tmux_started;
	HarnessClient *customer;
	gboolean ready;
} Fixture;

/* Runs tmux on the fixture's own server; returns stdout or NULL. */
static char *
tmux (Fixture *f, ...)
{
	GPtrArray *argv = g_ptr_array_new ();
	GError *error = NULL;
	char *out = NULL, *err = NULL;
	const char *arg;
	int status = -1;
	va_list args;

	g_ptr_array_add (argv, "tmux");
	g_ptr_array_add (argv, "-u");	/* the card has UTF-8 in it */
	g_ptr_array_add (argv, "-f");
	g_ptr_array_add (argv, "/dev/null");
	g_ptr_array_add (argv, "-L");
	g_ptr_array_add (argv, f->socket);
	va_start (args, f);
	while ((arg = va_arg (args, const char *)))
		g_ptr_array_add (argv, (char *)arg);
	va_end (args);
	g_ptr_array_add (argv, NULL);
	harness_run ((const char *const *)argv->pdata, 10000, &out, &err,
		     &status, &error);
	if (error || status != 0) {
		g_test_message ("tmux %s: %s %s", (char *)argv->pdata[6],
				error ? error->message : "", err ? err : "");
		g_clear_pointer (&out, g_free);
	}
	g_clear_error (&error);
	g_free (err);
	g_ptr_array_unref (argv);
	return out;
}

/* Writes the Finch configuration: plugin, prefs and the agent's account. */
static gboolean
write_finch_config (Fixture *f)
{
	const char *plugin = g_getenv ("CRM_PLUGIN_PATH");
	char *plugins = g_build_filename (f->config_dir, "plugins", NULL);
	char *link = g_build_filename (plugins, "chatcrm.so", NULL);
	char *prefs_path = g_build_filename (f->config_dir, "prefs.xml", NULL);
	char *accounts_path = g_build_filename (f->config_dir, "accounts.xml",
						NULL);
	char *prefs, *accounts;
	GError *error = NULL;

	g_mkdir_with_parents (plugins, 0700);
	if (symlink (plugin, link) != 0)
		g_test_fail_printf ("symlink %s: %s", link,
				    g_strerror (errno));
	/* Finch loads what /finch/plugins/loaded lists.  The plugin's prefs
	 * are given with the types it registers them with. */
	prefs = g_markup_printf_escaped (
		"<?xml version='1.0' encoding='UTF-8' ?>\n"
		"<pref version='1' name='/'>\n"
		" <pref name='finch'>\n"
		"  <pref name='plugins'>\n"
		"   <pref name='loaded' type='pathlist'>\n"
		"    <item value='%s'/>\n"
		"   </pref>\n"
		"  </pref>\n"
		"  <pref name='blist'>\n"
		"   <pref name='showoffline' type='bool' value='1'/>\n"
		"  </pref>\n"
		" </pref>\n"
		" <pref name='plugins'>\n"
		"  <pref name='core'>\n"
		"   <pref name='chatcrm'>\n"
		"    <pref name='store_path' type='string' value='%s'/>\n"
		"    <pref name='department' type='string' value='sales'/>\n"
		"    <pref name='agent_name' type='string' value='sales'/>\n"
		"    <pref name='desktop_notify' type='bool' value='0'/>\n"
		"   </pref>\n"
		"  </pref>\n"
		" </pref>\n"
		" <pref name='purple'>\n"
		/* A STUN server given as an address keeps the XMPP plugin
		 * from asking DNS for one: nothing leaves 127.0.0.1. */
		"  <pref name='network'>\n"
		"   <pref name='stun_server' type='string' value='127.0.0.1'/>\n"
		"   <pref name='auto_ip' type='bool' value='0'/>\n"
		"   <pref name='map_ports' type='bool' value='0'/>\n"
		"  </pref>\n"
		"  <pref name='logging'>\n"
		"   <pref name='log_ims' type='bool' value='0'/>\n"
		"   <pref name='log_chats' type='bool' value='0'/>\n"
		"   <pref name='log_system' type='bool' value='0'/>\n"
		"  </pref>\n"
		" </pref>\n"
		"</pref>\n", link, f->store_path);
	accounts = g_markup_printf_escaped (
		"<?xml version='1.0' encoding='UTF-8' ?>\n"
		"<account version='1.0'>\n"
		" <account>\n"
		"  <protocol>prpl-jabber</protocol>\n"
		"  <name>sales@%s/finch</name>\n"
		"  <password>%s</password>\n"
		"  <settings>\n"
		"   <setting name='connect_server' type='string'>127.0.0.1"
		"</setting>\n"
		"   <setting name='port' type='int'>%u</setting>\n"
		"   <setting name='connection_security' type='string'>"
		"opportunistic_tls</setting>\n"
		"   <setting name='auth_plain_in_clear' type='bool'>1"
		"</setting>\n"
		"  </settings>\n"
		"  <settings ui='gnt-purple'>\n"
		"   <setting name='auto-login' type='bool'>1</setting>\n"
		"  </settings>\n"
		" </account>\n"
		"</account>\n", DOMAIN,
		harness_server_get_password (f->server, "sales"),
		harness_server_get_port (f->server));
	if (g_file_set_contents (prefs_path, prefs, -1, &error))
		g_file_set_contents (accounts_path, accounts, -1, &error);
	g_assert_no_error (error);
	g_clear_error (&error);
	g_free (prefs);
	g_free (accounts);
	g_free (prefs_path);
	g_free (accounts_path);
	g_free (link);
	g_free (plugins);
	return !g_test_failed ();
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
	static const char *const tools[] = { "prosody", "finch", "tmux" };
	GError *error = NULL;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (tools); i++) {
		char *path = g_find_program_in_path (tools[i]);

		g_free (path);
		if (!path) {
			char *why = g_strdup_printf ("%s is not installed",
						     tools[i]);

			g_test_skip (why);
			g_free (why);
			return;
		}
	}
	/* An ASan-built plugin needs the runtime in the host process, and
	 * Finch with libasan preloaded hangs in bindtextdomain() at start
	 * (glibc 2.36, GCC 12).  The headless tests cover the plugin under
	 * the sanitizers; this one covers it in the real Finch. */
	if (g_getenv ("CRM_SANITIZED")) {
		g_test_skip ("Finch cannot load a plugin built with "
			     "AddressSanitizer");
		return;
	}
	if (!harness_env_path ("CRM_HEADLESS")
	    || !harness_env_path ("CRM_PLUGIN_PATH")
	    || !harness_env_path ("CRM_ADMIN")) {
		g_test_fail_printf ("the programs under test were not found");
		return;
	}
	f->server = harness_server_new (DOMAIN, &error);
	if (f->server
	    && harness_server_add_user (f->server, "sales", "pw-sales", &error)
	    && harness_server_add_user (f->server, "customer", "pw-customer",
					&error)
	    && harness_server_befriend (f->server, "sales", "customer", &error))
		harness_server_start (f->server, &error);
	g_assert_no_error (error);
	g_clear_error (&error);
	if (!f->server || g_test_failed ())
		return;

	f->store_path = g_build_filename (harness_server_get_dir (f->server),
					  "store.db", NULL);
	f->config_dir = g_build_filename (harness_server_get_dir (f->server),
					  "finch", NULL);
	f->socket = g_strdup_printf ("crm-finch-%d", (int)getpid ());
	/* tmux puts its socket under $TMUX_TMPDIR: keep it in ours. */
	g_setenv ("TMUX_TMPDIR", harness_server_get_dir (f->server), TRUE);
	f->ready = harness_seed_store (f->store_path, CUSTOMER_JID,
				       &f->customer_id)
		   && write_finch_config (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
	if (f->customer && harness_client_stop (f->customer, WAIT_MS) != 0)
		g_test_fail_printf ("the customer's client did not exit "
				    "cleanly");
	g_clear_pointer (&f->customer, harness_client_free);
	if (f->tmux_started)
		g_free (tmux (f, "kill-server", NULL));
	harness_server_free (f->server);
	g_free (f->store_path);
	g_free (f->customer_id);
	g_free (f->config_dir);
	g_free (f->socket);
}

static char *
screen (Fixture *f)
{
	return tmux (f, "capture-pane", "-p", "-t", "crm", NULL);
}

/* Polls the screen until @pattern matches it; NULL (test failed) after
 * @timeout_ms, with the last screen printed. */
static char *
wait_screen (Fixture *f, const char *pattern, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
	char *text = NULL;

	do {
		g_free (text);
		text = screen (f);
		if (text && g_regex_match_simple (pattern, text,
						  G_REGEX_MULTILINE, 0))
			return text;
		g_usleep (POLL_MS * 1000);
		/* Keep the clients' output flowing while we sleep. */
		while (g_main_context_iteration (NULL, FALSE))
			;
	} while (g_get_monotonic_time () < deadline);
	g_test_message ("the screen:\n%s", text ? text : "(none)");
	g_test_fail_printf ("/%s/ did not show on Finch's screen in %u ms",
			    pattern, timeout_ms);
	g_free (text);
	return NULL;
}

static gboolean
finch_gone (Fixture *f)
{
	char *out = tmux (f, "has-session", "-t", "crm", NULL);

	g_free (out);
	return out == NULL;
}

static void
test_finch_card (Fixture *f, gconstpointer data)
{
	char *command = g_strdup_printf ("finch -c '%s'", f->config_dir);
	char *text, *out;
	GError *error = NULL;
	gint64 deadline;

	HARNESS_REQUIRE (f->ready);
	out = tmux (f, "new-session", "-d", "-s", "crm", "-x", "150", "-y",
		    "40", command, NULL);
	g_free (command);
	f->tmux_started = TRUE;
	HARNESS_REQUIRE (out);
	g_free (out);

	/* The customer shows in the buddy list once the roster came in. */
	HARNESS_REQUIRE (text = wait_screen (f, "Buddy List", WAIT_MS));
	g_free (text);
	HARNESS_REQUIRE (text = wait_screen (f, "customer", WAIT_MS));
	g_free (text);

	f->customer = harness_client_start (f->server, "customer", "phone",
					    NULL, &error);
	g_assert_no_error (error);
	g_clear_error (&error);
	HARNESS_REQUIRE (f->customer);
	HARNESS_REQUIRE (harness_client_expect (f->customer, "^SIGNED-ON ",
						WAIT_MS));
	harness_client_send (f->customer, "send sales@" DOMAIN " Hello from "
			     "the customer");

	/* The conversation opens behind the buddy list; M-n brings it to
	 * the front, so that no part of the card is hidden. */
	HARNESS_REQUIRE (text = wait_screen (f, "sales@crm\\.test/finch -- "
					     "XMPP", WAIT_MS));
	g_free (text);
	g_free (tmux (f, "send-keys", "-t", "crm", "M-n", NULL));
	HARNESS_REQUIRE (text = wait_screen (f, "\\A┌─*┤customer", WAIT_MS));
	g_free (text);
	HARNESS_REQUIRE (text = wait_screen (f, "Hello from the customer",
					     WAIT_MS));
	g_free (text);
	HARNESS_REQUIRE (text = wait_screen (
		f, "Maria Anders.*Alfreds Futterkiste", WAIT_MS));
	g_free (text);

	/* A command typed into the conversation is answered there. */
	g_free (tmux (f, "send-keys", "-t", "crm", "/crm help", "Enter", NULL));
	HARNESS_REQUIRE (text = wait_screen (f, "/crm note", WAIT_MS));
	g_assert_null (strstr (text, "No such command"));
	g_test_message ("Finch showed:\n%s", text);
	g_free (text);

	g_free (tmux (f, "send-keys", "-t", "crm", "M-q", NULL));
	deadline = g_get_monotonic_time () + WAIT_MS * 1000;
	while (!finch_gone (f) && g_get_monotonic_time () < deadline)
		g_usleep (POLL_MS * 1000);
	g_assert_true (finch_gone (f));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	/* A failed step must still reach teardown, which stops prosody. */
	g_test_set_nonfatal_assertions ();

	g_test_add ("/integration/finch/card", Fixture, NULL, fixture_set_up,
		    test_finch_card, fixture_tear_down);
	return g_test_run ();
}
