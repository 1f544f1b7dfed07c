/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * harness.h: real parts for the integration tests.
 *
 * A throwaway prosody on 127.0.0.1 with its own config, data and port; the
 * headless libpurple client (crm-headless) as a child process whose output
 * lines are collected and matched against patterns with deadlines; and
 * helpers to run other programs (chatcrm-admin, tmux) with a time limit.
 *
 * Tests run with g_test_set_nonfatal_assertions(): a failed wait marks the
 * test failed with everything the client printed so far, and returns NULL
 * or FALSE so that the test can stop and its teardown still stops the
 * server and removes the temporary directory.  Children also get SIGTERM
 * if the test process dies, so no prosody outlives a crashed test.
 */
#ifndef CRM_HARNESS_H
#define CRM_HARNESS_H

#include <gio/gio.h>

G_BEGIN_DECLS

/* Stops the current test function when a harness step failed. */
#define HARNESS_REQUIRE(expr) \
	G_STMT_START { if (!(expr)) return; } G_STMT_END

/* A deadline in milliseconds, scaled by $CRM_TEST_TIMEOUT_SCALE. */
guint harness_timeout_ms (guint base_ms);

/* A new directory under $TMPDIR (or /tmp), named after @prefix. */
char *harness_make_temp_dir (const char *prefix, GError **error);

/* Removes @path and everything under it; quiet about what is missing. */
void harness_remove_tree (const char *path);

/* A TCP port on 127.0.0.1 that nobody listens on right now. */
guint16 harness_free_port (GError **error);

/*
 * Runs @argv with a time limit.  Output is collected in @out_stdout and
 * @out_stderr (either may be NULL) and the exit status in @out_status
 * (the wait status's exit code, or -1 after a signal or the time limit).
 * Returns FALSE only when the program could not be run or timed out.
 */
gboolean harness_run (const char *const *argv, guint timeout_ms,
		      char **out_stdout, char **out_stderr, int *out_status,
		      GError **error);

/* Returns the path in environment variable @name, or NULL (and a
 * g_test_message) when it is unset or names no file. */
const char *harness_env_path (const char *name);

/*
 * Runs chatcrm-admin (path in $CRM_ADMIN) on the store at @store with the
 * NULL-terminated arguments after it.  Returns its stdout and stderr
 * together, or NULL with the test marked failed when it could not run or
 * exited non-zero.
 */
char *harness_admin (const char *store, ...) G_GNUC_NULL_TERMINATED;

/*
 * Seeds @store: imports the Northwind customers (tests/integration/data)
 * for the sales department and links XMPP handle @jid to Maria Anders.
 * Returns her customer id in @out_customer_id.  On failure the test is
 * marked failed and FALSE returned.
 */
gboolean harness_seed_store (const char *store, const char *jid,
			     char **out_customer_id);

/* ---- the server ---------------------------------------------------- */

typedef struct _HarnessServer HarnessServer;

/* A server for @domain in a new temporary directory; not started. */
HarnessServer *harness_server_new (const char *domain, GError **error);

/* Registers @user@domain with @password (before or after start). */
gboolean harness_server_add_user (HarnessServer *server, const char *user,
				  const char *password, GError **error);

/* Makes @a and @b buddies with mutual subscription (before start). */
gboolean harness_server_befriend (HarnessServer *server, const char *a,
				  const char *b, GError **error);

/* Starts prosody and waits until it accepts connections. */
gboolean harness_server_start (HarnessServer *server, GError **error);

guint16 harness_server_get_port (HarnessServer *server);
const char *harness_server_get_domain (HarnessServer *server);
const char *harness_server_get_password (HarnessServer *server,
					 const char *user);
/* The temporary directory; tests may keep their own files in it. */
const char *harness_server_get_dir (HarnessServer *server);

/* Stops prosody (SIGTERM, then SIGKILL) and removes its directory. */
void harness_server_free (HarnessServer *server);

/* ---- headless clients ---------------------------------------------- */

typedef struct _HarnessClient HarnessClient;

/*
 * Starts crm-headless (path in $CRM_HEADLESS) as @user@domain/@resource
 * with its own user directory, plus @extra_args (NULL-terminated, may be
 * NULL) such as "--plugin", PATH, "--pref", "/x=y".
 */
HarnessClient *harness_client_start (HarnessServer *server, const char *user,
				     const char *resource,
				     const char *const *extra_args,
				     GError **error);

/* Writes one command line to the client's stdin. */
void harness_client_send (HarnessClient *client, const char *format, ...)
	G_GNUC_PRINTF (2, 3);

/* How many lines the client has printed so far: a mark for _expect_from. */
guint harness_client_mark (HarnessClient *client);

/*
 * Waits until a line at or after the client's cursor matches @pattern
 * (a GRegex); the cursor moves past it.  Returns the line (owned by the
 * client), or NULL after @timeout_ms, with the test marked failed and the
 * lines seen so far printed.
 */
const char *harness_client_expect (HarnessClient *client, const char *pattern,
				   guint timeout_ms);

/* As _expect, but searches from line @mark and leaves the cursor alone. */
const char *harness_client_expect_from (HarnessClient *client, guint mark,
					const char *pattern, guint timeout_ms);

/* Counts the lines from @mark on that match @pattern, without waiting. */
guint harness_client_count_from (HarnessClient *client, guint mark,
				 const char *pattern);

/* Every line printed from @mark on, joined by newlines. */
char *harness_client_lines_from (HarnessClient *client, guint mark);

/*
 * Sends "quit" and closes stdin, then waits up to @timeout_ms for the
 * client to exit (killing it after that).  Returns its exit code, or -1
 * when it was killed or died by a signal.
 */
int harness_client_stop (HarnessClient *client, guint timeout_ms);

/* Stops the client if it still runs, and frees it. */
void harness_client_free (HarnessClient *client);

G_END_DECLS

#endif /* CRM_HARNESS_H */
