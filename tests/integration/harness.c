/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * harness.c: the throwaway XMPP server, the headless clients and the
 * timed waits the integration tests are built on (see harness.h).
 *
 * Everything happens on the default main context of the test process:
 * while a test waits for one client's line, the other clients' output is
 * still read, so no pipe fills up and no line is lost.  Nothing listens
 * or connects beyond 127.0.0.1.
 */
#include "harness.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#define HARNESS_WAKE_MS 50
#define HARNESS_START_TRIES 3

struct _HarnessServer {
	char *dir;
	char *domain;
	char *config_path;
	guint16 port;
	GHashTable *passwords;	/* user -> password */
	GHashTable *rosters;	/* user -> GPtrArray of bare JIDs */
	GSubprocess *process;
	guint clients_started;
};

struct _HarnessClient {
	char *name;		/* user@domain/resource, for messages */
	char *stderr_path;
	GSubprocess *process;
	GOutputStream *input;
	GDataInputStream *output;
	GCancellable *cancellable;
	GPtrArray *lines;
	guint cursor;
	gboolean reading;	/* a read_line_async is pending */
	gboolean eof;
	gboolean exited;
	int exit_code;
};

/* ---- small helpers ------------------------------------------------- */

guint
harness_timeout_ms (guint base_ms)
{
	const char *scale = g_getenv ("CRM_TEST_TIMEOUT_SCALE");
	double factor = scale ? g_ascii_strtod (scale, NULL) : 1.0;

	if (factor < 1.0)
		factor = 1.0;
	return (guint)(base_ms * factor);
}

/* Children die with the test process, whatever kills it. */
static void
child_setup (gpointer data)
{
	prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
on_wake (gpointer data)
{
	return G_SOURCE_CONTINUE;
}

/*
 * Runs the default main context until @done says so or @timeout_ms pass.
 * A short repeating timer makes sure the deadline is looked at even when
 * nothing else happens.
 */
static gboolean
wait_until (gboolean (*done) (gpointer), gpointer data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	guint wake = g_timeout_add (HARNESS_WAKE_MS, on_wake, NULL);
	gboolean ok;

	while (!(ok = done (data)) && g_get_monotonic_time () < deadline)
		g_main_context_iteration (NULL, TRUE);
	g_source_remove (wake);
	return ok;
}

char *
harness_make_temp_dir (const char *prefix, GError **error)
{
	char *template = g_strdup_printf ("%s-XXXXXX", prefix);
	char *dir = g_dir_make_tmp (template, error);

	g_free (template);
	return dir;
}

void
harness_remove_tree (const char *path)
{
	GDir *dir;
	const char *name;

	if (!path)
		return;
	if (g_file_test (path, G_FILE_TEST_IS_DIR)
	    && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)
	    && (dir = g_dir_open (path, 0, NULL))) {
		while ((name = g_dir_read_name (dir))) {
			char *child = g_build_filename (path, name, NULL);

			harness_remove_tree (child);
			g_free (child);
		}
		g_dir_close (dir);
		g_rmdir (path);
	} else {
		g_unlink (path);
	}
}

guint16
harness_free_port (GError **error)
{
	GSocket *socket;
	GInetAddress *loopback;
	GSocketAddress *address, *bound = NULL;
	guint16 port = 0;

	socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
			       G_SOCKET_PROTOCOL_TCP, error);
	if (!socket)
		return 0;
	loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	address = g_inet_socket_address_new (loopback, 0);
	if (g_socket_bind (socket, address, FALSE, error)
	    && (bound = g_socket_get_local_address (socket, error)))
		port = g_inet_socket_address_get_port (
			G_INET_SOCKET_ADDRESS (bound));
	g_clear_object (&bound);
	g_object_unref (address);
	g_object_unref (loopback);
	g_socket_close (socket, NULL);
	g_object_unref (socket);
	return port;
}

const char *
harness_env_path (const char *name)
{
	const char *path = g_getenv (name);

	if (!path || !g_file_test (path, G_FILE_TEST_EXISTS)) {
		g_test_message ("$%s is %s", name,
				path ? "not an existing file" : "unset");
		return NULL;
	}
	return path;
}

/* ---- running a program with a time limit --------------------------- */

typedef struct {
	gboolean done;
	GBytes *out;
	GBytes *err;
	GError *error;
} RunState;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer data)
{
	RunState *state = data;

	g_subprocess_communicate_finish (G_SUBPROCESS (source), result,
					 &state->out, &state->err,
					 &state->error);
	state->done = TRUE;
}

static gboolean
run_done (gpointer data)
{
	return ((RunState *)data)->done;
}

static char *
bytes_to_string (GBytes *bytes)
{
	gsize size = 0;
	const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

	return g_strndup (data ? data : "", size);
}

gboolean
harness_run (const char *const *argv, guint timeout_ms, char **out_stdout,
	     char **out_stderr, int *out_status, GError **error)
{
	GSubprocessLauncher *launcher;
	GSubprocess *process;
	RunState state = { FALSE, NULL, NULL, NULL };
	gboolean in_time, ok;

	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
					      | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL,
					       NULL);
	process = g_subprocess_launcher_spawnv (launcher, argv, error);
	g_object_unref (launcher);
	if (!process)
		return FALSE;

	g_subprocess_communicate_async (process, NULL, NULL, on_communicated,
					&state);
	in_time = wait_until (run_done, &state, timeout_ms);
	if (!in_time) {
		g_subprocess_force_exit (process);
		wait_until (run_done, &state, 5000);
	}
	if (out_stdout)
		*out_stdout = bytes_to_string (state.out);
	if (out_stderr)
		*out_stderr = bytes_to_string (state.err);
	if (out_status)
		*out_status = in_time && g_subprocess_get_if_exited (process)
			      ? g_subprocess_get_exit_status (process) : -1;
	ok = in_time && !state.error;
	if (!in_time)
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
			     "%s did not finish in %u ms", argv[0], timeout_ms);
	else if (state.error)
		g_propagate_error (error, g_steal_pointer (&state.error));
	g_clear_error (&state.error);
	g_clear_pointer (&state.out, g_bytes_unref);
	g_clear_pointer (&state.err, g_bytes_unref);
	g_object_unref (process);
	return ok;
}

/* ---- the store's command-line tool -------------------------------- */

char *
harness_admin (const char *store, ...)
{
	GPtrArray *argv = g_ptr_array_new ();
	GError *error = NULL;
	char *out = NULL, *err = NULL, *all;
	const char *arg;
	int status = -1;
	va_list args;

	g_ptr_array_add (argv, (char *)g_getenv ("CRM_ADMIN"));
	g_ptr_array_add (argv, "--store");
	g_ptr_array_add (argv, (char *)store);
	va_start (args, store);
	while ((arg = va_arg (args, const char *)))
		g_ptr_array_add (argv, (char *)arg);
	va_end (args);
	g_ptr_array_add (argv, NULL);

	if (!argv->pdata[0])
		g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			     "$CRM_ADMIN is not set");
	else
		harness_run ((const char *const *)argv->pdata,
			     harness_timeout_ms (60000), &out, &err, &status,
			     &error);
	all = g_strconcat (out ? out : "", err ? err : "", NULL);
	if (error || status != 0) {
		char *command = g_strjoinv (" ", (char **)argv->pdata + 3);

		g_test_fail_printf ("chatcrm-admin %s: %s (exit %d): %s",
				    command, error ? error->message : "failed",
				    status, all);
		g_free (command);
		g_clear_pointer (&all, g_free);
	}
	g_clear_error (&error);
	g_free (out);
	g_free (err);
	g_ptr_array_unref (argv);
	return all;
}

/* The first UUID in @text, or NULL. */
static char *
find_uuid (const char *text)
{
	GRegex *regex = g_regex_new ("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
				     "[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
				     "[0-9a-fA-F]{12}", 0, 0, NULL);
	GMatchInfo *match = NULL;
	char *uuid = NULL;

	if (text && g_regex_match (regex, text, 0, &match))
		uuid = g_match_info_fetch (match, 0);
	g_match_info_free (match);
	g_regex_unref (regex);
	return uuid;
}

gboolean
harness_seed_store (const char *store, const char *jid,
		    char **out_customer_id)
{
	const char *csv = g_test_get_filename (G_TEST_DIST, "data",
					       "northwind__customers.csv",
					       NULL);
	char *out;

	*out_customer_id = NULL;
	out = harness_admin (store, "import-csv", csv, "--department", "sales",
			     NULL);
	if (!out)
		return FALSE;
	g_free (out);
	out = harness_admin (store, "link", "Maria Anders", "prpl-jabber", jid,
			     NULL);
	if (!out)
		return FALSE;
	g_free (out);
	out = harness_admin (store, "find", "Maria Anders", NULL);
	*out_customer_id = find_uuid (out);
	if (out && !*out_customer_id)
		g_test_fail_printf ("no customer id in chatcrm-admin find's "
				    "answer: %s", out);
	g_free (out);
	return *out_customer_id != NULL;
}

/* ---- the server ---------------------------------------------------- */

/* prosody's datamanager names files with every non-alphanumeric byte
 * written as %xx: "crm.test" is stored as "crm%2etest". */
static char *
prosody_encode (const char *name)
{
	GString *out = g_string_new (NULL);
	const char *p;

	for (p = name; *p; p++) {
		if (g_ascii_isalnum (*p))
			g_string_append_c (out, *p);
		else
			g_string_append_printf (out, "%%%02x", (guchar)*p);
	}
	return g_string_free (out, FALSE);
}

static gboolean
server_write_config (HarnessServer *server, GError **error)
{
	char *config;
	gboolean ok;

	config = g_strdup_printf (
		"-- Written by the chatcrm integration harness.\n"
		"run_as_root = true\n"
		"daemonize = false\n"
		"pidfile = \"%1$s/prosody.pid\"\n"
		"data_path = \"%1$s/data\"\n"
		"certificates = \"%1$s/certs\"\n"
		"log = { debug = \"%1$s/prosody.log\"; "
		"error = \"%1$s/prosody.err\"; }\n"
		"modules_enabled = { \"roster\"; \"saslauth\"; \"disco\"; "
		"\"ping\"; \"posix\"; }\n"
		"modules_disabled = { \"s2s\" }\n"
		"s2s_ports = { }\n"
		"c2s_ports = { %2$u }\n"
		"c2s_interfaces = { \"127.0.0.1\" }\n"
		"interfaces = { \"127.0.0.1\" }\n"
		"c2s_require_encryption = false\n"
		"allow_unencrypted_plain_auth = true\n"
		"authentication = \"internal_plain\"\n"
		"storage = \"internal\"\n"
		"VirtualHost \"%3$s\"\n",
		server->dir, server->port, server->domain);
	ok = g_file_set_contents (server->config_path, config, -1, error);
	g_free (config);
	return ok;
}

HarnessServer *
harness_server_new (const char *domain, GError **error)
{
	HarnessServer *server = g_new0 (HarnessServer, 1);
	char *certs, *data;

	server->domain = g_strdup (domain);
	server->passwords = g_hash_table_new_full (g_str_hash, g_str_equal,
						   g_free, g_free);
	server->rosters = g_hash_table_new_full (
		g_str_hash, g_str_equal, g_free,
		(GDestroyNotify)g_ptr_array_unref);
	server->dir = harness_make_temp_dir ("crm-prosody", error);
	if (!server->dir) {
		harness_server_free (server);
		return NULL;
	}
	server->config_path = g_build_filename (server->dir, "prosody.cfg.lua",
						NULL);
	certs = g_build_filename (server->dir, "certs", NULL);
	data = g_build_filename (server->dir, "data", NULL);
	g_mkdir_with_parents (certs, 0700);
	g_mkdir_with_parents (data, 0700);
	g_free (certs);
	g_free (data);
	server->port = harness_free_port (error);
	if (!server->port || !server_write_config (server, error)) {
		harness_server_free (server);
		return NULL;
	}
	return server;
}

gboolean
harness_server_add_user (HarnessServer *server, const char *user,
			 const char *password, GError **error)
{
	const char *argv[] = { "prosodyctl", "--config", server->config_path,
			       "register", user, server->domain, password,
			       NULL };
	char *out = NULL, *err = NULL;
	int status = -1;
	gboolean ok;

	ok = harness_run (argv, harness_timeout_ms (30000), &out, &err,
			  &status, error);
	if (ok && status != 0) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
			     "prosodyctl register %s failed (%d): %s%s", user,
			     status, out, err);
		ok = FALSE;
	}
	if (ok)
		g_hash_table_replace (server->passwords, g_strdup (user),
				      g_strdup (password));
	g_free (out);
	g_free (err);
	return ok;
}

static void
roster_add (HarnessServer *server, const char *user, const char *contact)
{
	GPtrArray *roster = g_hash_table_lookup (server->rosters, user);

	if (!roster) {
		roster = g_ptr_array_new_with_free_func (g_free);
		g_hash_table_insert (server->rosters, g_strdup (user), roster);
	}
	g_ptr_array_add (roster, g_strdup_printf ("%s@%s", contact,
						  server->domain));
}

gboolean
harness_server_befriend (HarnessServer *server, const char *a,
			 const char *b, GError **error)
{
	if (server->process) {
		/* prosody caches rosters: files written now are not read. */
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
			     "rosters must be written before the server starts");
		return FALSE;
	}
	roster_add (server, a, b);
	roster_add (server, b, a);
	return TRUE;
}

/*
 * Writes each user's roster in prosody's internal storage format: one Lua
 * table per user, contacts keyed by bare JID, metadata under [false].
 */
static gboolean
server_write_rosters (HarnessServer *server, GError **error)
{
	char *host = prosody_encode (server->domain);
	char *dir = g_build_filename (server->dir, "data", host, "roster", NULL);
	GHashTableIter iter;
	gpointer key, value;
	gboolean ok = TRUE;

	g_mkdir_with_parents (dir, 0700);
	g_hash_table_iter_init (&iter, server->rosters);
	while (ok && g_hash_table_iter_next (&iter, &key, &value)) {
		GPtrArray *roster = value;
		GString *lua = g_string_new ("return {\n\t[false] = { "
					     "[\"version\"] = 1; "
					     "[\"pending\"] = {}; };\n");
		char *file = prosody_encode (key);
		char *path;
		guint i;

		for (i = 0; i < roster->len; i++)
			g_string_append_printf (
				lua, "\t[\"%s\"] = { [\"subscription\"] = "
				"\"both\"; [\"groups\"] = { [\"CRM\"] = true; "
				"}; };\n", (char *)roster->pdata[i]);
		g_string_append (lua, "};\n");
		path = g_strdup_printf ("%s/%s.dat", dir, file);
		ok = g_file_set_contents (path, lua->str, -1, error);
		g_free (path);
		g_free (file);
		g_string_free (lua, TRUE);
	}
	g_free (dir);
	g_free (host);
	return ok;
}

static gboolean
process_gone (gpointer data)
{
	return g_subprocess_get_identifier (G_SUBPROCESS (data)) == NULL;
}

/* A plain socket: GSocketClient would ask GSettings for a proxy, and the
 * isolated test directories have no schemas. */
static gboolean
server_accepts (HarnessServer *server)
{
	GSocket *socket;
	GInetAddress *loopback;
	GSocketAddress *address;
	gboolean ok;

	socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
			       G_SOCKET_PROTOCOL_TCP, NULL);
	if (!socket)
		return FALSE;
	loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	address = g_inet_socket_address_new (loopback, server->port);
	ok = g_socket_connect (socket, address, NULL, NULL);
	g_socket_close (socket, NULL);
	g_object_unref (address);
	g_object_unref (loopback);
	g_object_unref (socket);
	return ok;
}

static gboolean
server_up_or_gone (gpointer data)
{
	HarnessServer *server = data;

	return process_gone (server->process) || server_accepts (server);
}

static gboolean
server_launch (HarnessServer *server, GError **error)
{
	GSubprocessLauncher *launcher;
	char *out_path = g_build_filename (server->dir, "prosody.out", NULL);

	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
	g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
	g_subprocess_launcher_set_stderr_file_path (launcher, out_path);
	g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL,
					       NULL);
	server->process = g_subprocess_launcher_spawn (launcher, error,
						       "prosody", "--config",
						       server->config_path,
						       "-F", NULL);
	g_object_unref (launcher);
	g_free (out_path);
	if (!server->process)
		return FALSE;
	return wait_until (server_up_or_gone, server,
			   harness_timeout_ms (20000))
	       && !process_gone (server->process);
}

static void
server_stop (HarnessServer *server)
{
	if (!server->process)
		return;
	g_subprocess_send_signal (server->process, SIGTERM);
	if (!wait_until (process_gone, server->process, 10000)) {
		g_subprocess_force_exit (server->process);
		g_subprocess_wait (server->process, NULL, NULL);
	}
	g_clear_object (&server->process);
}

gboolean
harness_server_start (HarnessServer *server, GError **error)
{
	int tries;

	if (!server_write_rosters (server, error))
		return FALSE;
	/* A port found free can be taken before prosody binds it: retry. */
	for (tries = 0; tries < HARNESS_START_TRIES; tries++) {
		if (server_launch (server, error))
			return TRUE;
		if (error && *error)
			return FALSE;
		server_stop (server);
		server->port = harness_free_port (error);
		if (!server->port || !server_write_config (server, error))
			return FALSE;
	}
	g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
		     "prosody did not start; see %s/prosody.out and .log",
		     server->dir);
	return FALSE;
}

guint16
harness_server_get_port (HarnessServer *server)
{
	return server->port;
}

const char *
harness_server_get_domain (HarnessServer *server)
{
	return server->domain;
}

const char *
harness_server_get_password (HarnessServer *server, const char *user)
{
	return g_hash_table_lookup (server->passwords, user);
}

const char *
harness_server_get_dir (HarnessServer *server)
{
	return server->dir;
}

void
harness_server_free (HarnessServer *server)
{
	if (!server)
		return;
	server_stop (server);
	if (g_getenv ("CRM_TEST_KEEP_TMP"))
		g_test_message ("kept %s", server->dir);
	else
		harness_remove_tree (server->dir);
	g_free (server->dir);
	g_free (server->domain);
	g_free (server->config_path);
	g_hash_table_unref (server->passwords);
	g_hash_table_unref (server->rosters);
	g_free (server);
}

/* ---- clients ------------------------------------------------------- */

static void client_read_next (HarnessClient *client);

static void
on_client_line (GObject *source, GAsyncResult *result, gpointer data)
{
	HarnessClient *client = data;
	char *line;

	line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
						     result, NULL, NULL);
	client->reading = FALSE;
	if (!line) {
		client->eof = TRUE;
		return;
	}
	if (g_getenv ("CRM_TEST_VERBOSE"))
		g_printerr ("%s> %s\n", client->name, line);
	g_ptr_array_add (client->lines, line);
	client_read_next (client);
}

static void
client_read_next (HarnessClient *client)
{
	if (g_cancellable_is_cancelled (client->cancellable))
		return;
	client->reading = TRUE;
	g_data_input_stream_read_line_async (client->output,
					     G_PRIORITY_DEFAULT,
					     client->cancellable,
					     on_client_line, client);
}

/* Appends copies of the NULL-terminated strings to @argv. */
static void
client_argv_add (GPtrArray *argv, ...)
{
	const char *arg;
	va_list args;

	va_start (args, argv);
	while ((arg = va_arg (args, const char *)))
		g_ptr_array_add (argv, g_strdup (arg));
	va_end (args);
}

HarnessClient *
harness_client_start (HarnessServer *server, const char *user,
		      const char *resource, const char *const *extra_args,
		      GError **error)
{
	const char *headless = harness_env_path ("CRM_HEADLESS");
	const char *password = harness_server_get_password (server, user);
	GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
	GSubprocessLauncher *launcher;
	HarnessClient *client;
	char *base;
	guint i;

	if (!headless || !password) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			     "%s", !headless ? "$CRM_HEADLESS is not set"
			     : "no such user on the server");
		g_ptr_array_unref (argv);
		return NULL;
	}
	client = g_new0 (HarnessClient, 1);
	client->name = g_strdup_printf ("%s@%s/%s", user, server->domain,
					resource);
	client->lines = g_ptr_array_new_with_free_func (g_free);
	client->cancellable = g_cancellable_new ();
	client->exit_code = -1;
	/* Each start gets its own user dir, as a fresh install would. */
	base = g_strdup_printf ("%s/clients/%s-%s-%u", server->dir, user,
				resource, ++server->clients_started);
	client->stderr_path = g_strconcat (base, ".stderr", NULL);
	g_mkdir_with_parents (base, 0700);

	client_argv_add (argv, headless, "--user-dir", base, "--account",
			 client->name, "--password", password, "--server",
			 "127.0.0.1", NULL);
	g_ptr_array_add (argv, g_strdup ("--port"));
	g_ptr_array_add (argv, g_strdup_printf ("%u", server->port));
	for (i = 0; extra_args && extra_args[i]; i++)
		g_ptr_array_add (argv, g_strdup (extra_args[i]));
	g_ptr_array_add (argv, NULL);

	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
					      | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_subprocess_launcher_set_stderr_file_path (launcher,
						    client->stderr_path);
	g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL,
					       NULL);
	client->process = g_subprocess_launcher_spawnv (
		launcher, (const char *const *)argv->pdata, error);
	g_object_unref (launcher);
	g_ptr_array_unref (argv);
	g_free (base);
	if (!client->process) {
		harness_client_free (client);
		return NULL;
	}
	client->input = g_object_ref (g_subprocess_get_stdin_pipe (
		client->process));
	client->output = g_data_input_stream_new (
		g_subprocess_get_stdout_pipe (client->process));
	client_read_next (client);
	return client;
}

void
harness_client_send (HarnessClient *client, const char *format, ...)
{
	va_list args;
	char *line;

	va_start (args, format);
	line = g_strdup_vprintf (format, args);
	va_end (args);
	if (g_getenv ("CRM_TEST_VERBOSE"))
		g_printerr ("%s< %s\n", client->name, line);
	/* A dead client is noticed by the next expect; ignore the error. */
	if (!g_output_stream_write_all (client->input, line, strlen (line),
					NULL, NULL, NULL)
	    || !g_output_stream_write_all (client->input, "\n", 1, NULL, NULL,
					   NULL))
		g_test_message ("%s: could not write \"%s\"", client->name,
				line);
	g_output_stream_flush (client->input, NULL, NULL);
	g_free (line);
}

guint
harness_client_mark (HarnessClient *client)
{
	return client->lines->len;
}

char *
harness_client_lines_from (HarnessClient *client, guint mark)
{
	GString *out = g_string_new (NULL);
	guint i;

	for (i = mark; i < client->lines->len; i++)
		g_string_append_printf (out, "%s\n",
					(char *)client->lines->pdata[i]);
	return g_string_free (out, FALSE);
}

typedef struct {
	HarnessClient *client;
	GRegex *regex;
	guint next;		/* the first line not yet looked at */
	int found;		/* its index, or -1 */
} Expect;

static gboolean
expect_done (gpointer data)
{
	Expect *e = data;
	GPtrArray *lines = e->client->lines;

	for (; e->found < 0 && e->next < lines->len; e->next++)
		if (g_regex_match (e->regex, lines->pdata[e->next], 0, NULL))
			e->found = (int)e->next;
	/* Nothing more can come from a client whose output has ended. */
	return e->found >= 0 || e->client->eof;
}

/* Marks the test failed, with what the client printed and logged. */
static void
client_report_failure (HarnessClient *client, const char *what)
{
	char *lines = harness_client_lines_from (client, 0);
	char *log = NULL;
	gsize length = 0;

	g_file_get_contents (client->stderr_path, &log, &length, NULL);
	g_test_message ("%s printed:\n%s", client->name, lines);
	if (log && length > 4000)
		g_test_message ("%s logged (last 4000 bytes):\n%s",
				client->name, log + length - 4000);
	else if (log)
		g_test_message ("%s logged:\n%s", client->name, log);
	g_test_fail_printf ("%s: %s", client->name, what);
	g_free (lines);
	g_free (log);
}

static int
client_expect (HarnessClient *client, guint mark, const char *pattern,
	       guint timeout_ms)
{
	GError *error = NULL;
	Expect e = { client, NULL, mark, -1 };
	char *what;

	e.regex = g_regex_new (pattern, G_REGEX_OPTIMIZE, 0, &error);
	g_assert_no_error (error);
	wait_until (expect_done, &e, timeout_ms);
	g_regex_unref (e.regex);
	if (e.found >= 0)
		return e.found;
	what = g_strdup_printf ("no line matching /%s/ %s", pattern,
				client->eof ? "before the client exited"
				: "in time");
	client_report_failure (client, what);
	g_free (what);
	return -1;
}

const char *
harness_client_expect (HarnessClient *client, const char *pattern,
		       guint timeout_ms)
{
	int found = client_expect (client, client->cursor, pattern,
				   timeout_ms);

	if (found < 0)
		return NULL;
	client->cursor = (guint)found + 1;
	return client->lines->pdata[found];
}

const char *
harness_client_expect_from (HarnessClient *client, guint mark,
			    const char *pattern, guint timeout_ms)
{
	int found = client_expect (client, mark, pattern, timeout_ms);

	return found < 0 ? NULL : client->lines->pdata[found];
}

guint
harness_client_count_from (HarnessClient *client, guint mark,
			   const char *pattern)
{
	GRegex *regex = g_regex_new (pattern, 0, 0, NULL);
	guint i, count = 0;

	g_assert_nonnull (regex);
	for (i = mark; i < client->lines->len; i++)
		if (g_regex_match (regex, client->lines->pdata[i], 0, NULL))
			count++;
	g_regex_unref (regex);
	return count;
}

static gboolean
client_gone (gpointer data)
{
	HarnessClient *client = data;

	return g_subprocess_get_identifier (client->process) == NULL
	       && client->eof;
}

int
harness_client_stop (HarnessClient *client, guint timeout_ms)
{
	if (client->exited)
		return client->exit_code;
	if (!g_output_stream_is_closed (client->input)) {
		harness_client_send (client, "quit");
		g_output_stream_close (client->input, NULL, NULL);
	}
	if (!wait_until (client_gone, client, timeout_ms)) {
		g_test_message ("%s did not quit in %u ms: killed",
				client->name, timeout_ms);
		g_subprocess_force_exit (client->process);
		g_subprocess_wait (client->process, NULL, NULL);
	} else if (g_subprocess_get_if_exited (client->process)) {
		client->exit_code = g_subprocess_get_exit_status (
			client->process);
	}
	if (g_subprocess_get_if_signaled (client->process))
		g_test_message ("%s died of signal %d", client->name,
				g_subprocess_get_term_sig (client->process));
	client->exited = TRUE;
	return client->exit_code;
}

static gboolean
client_not_reading (gpointer data)
{
	return !((HarnessClient *)data)->reading;
}

void
harness_client_free (HarnessClient *client)
{
	if (!client)
		return;
	if (client->process && !client->exited)
		harness_client_stop (client, 5000);
	/* The pending read holds a pointer to client: let it finish. */
	g_cancellable_cancel (client->cancellable);
	wait_until (client_not_reading, client, 5000);
	g_clear_object (&client->input);
	g_clear_object (&client->output);
	g_clear_object (&client->process);
	g_clear_object (&client->cancellable);
	g_ptr_array_unref (client->lines);
	g_free (client->stderr_path);
	g_free (client->name);
	g_free (client);
}
