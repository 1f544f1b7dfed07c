/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-headless.c: a libpurple client without a user interface, driven by
 * the integration tests and tests/main-job.sh.
 *
 * It signs on one XMPP account, loads plugins by path, and turns the chat
 * client's screen into lines on stdout that a test can match:
 *
 *   READY                         core up, plugins loaded, stdin read
 *   PLUGIN-LOADED <id> <path>     a --plugin was loaded
 *   PLUGIN-ERROR <path> <why>     it was not (and the client exits, 2)
 *   SIGNED-ON <account>           the account is online
 *   SIGNED-OFF <account>
 *   CONNECTION-ERROR <text>
 *   CONV <name> <flags> <text>    anything written into a conversation
 *   CMD <who> <status> <error>    the result of a "cmd" line
 *   REQUEST <kind> <title> | <primary>   a dialog, answered automatically
 *   NOTIFY <kind> <title> | <primary> | <secondary>
 *   PONG <token>, FLUSHED, ERROR <text>
 *
 * <flags> are the message flags as lower-case words joined by commas
 * ("recv", "system,no_log"), or "none".  <text> is the message with its
 * HTML stripped; so that every message stays one line, a newline in it is
 * written as the two characters \n and a backslash as \\ (tests match on
 * that form; tests/main-job.sh turns it back into lines for people).
 *
 * Commands, one per line on stdin, run in order:
 *
 *   wait-signon            hold later commands until the account is online
 *   send <who> <text>      send an IM (the text is escaped as HTML)
 *   cmd <who> <cmdline>    run a /command (without the slash) in the IM
 *                          conversation with <who>, opening it if needed
 *   open <who>, close <who>  create or destroy that IM conversation
 *   sleep <ms>             hold later commands for a while
 *   ping <token>           answer PONG <token> (a marker for the test)
 *   flush                  wait until the server has everything sent so far
 *   quit                   flush, then exit; end of stdin does the same
 *
 * Dialogs (request API) are answered the way a user pressing Enter would:
 * the default action, OK with the default values.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <purple.h>

#define HEADLESS_UI "crm-headless"
#define FLUSH_TIMEOUT_MS 10000

/* Everything the client knows, in one place for the callbacks. */
typedef struct {
	GMainLoop *loop;
	PurpleAccount *account;
	GQueue commands;	/* of char *, lines not yet run */
	gboolean waiting_signon;
	guint hold_id;		/* a "sleep" in progress */
	gboolean flushing;	/* a flush is waiting for its pong */
	gboolean quit_after_flush;
	char *flush_id;
	guint flush_timeout_id;
	guint stdin_id;
	gboolean stdin_done;
	gboolean verbose;
	int exit_status;
} Headless;

static Headless headless;

static void run_commands (void);

/* ---- output -------------------------------------------------------- */

/* Prints one event line; each is flushed so a test sees it at once. */
static void G_GNUC_PRINTF (1, 2)
emit (const char *format, ...)
{
	va_list args;

	va_start (args, format);
	vfprintf (stdout, format, args);
	va_end (args);
	fputc ('\n', stdout);
	fflush (stdout);
}

/* Keeps a text on one line: newline as \n, backslash as \\, CR dropped. */
static char *
one_line (const char *text)
{
	GString *out = g_string_new (NULL);
	const char *p;

	for (p = text ? text : ""; *p; p++) {
		if (*p == '\n')
			g_string_append (out, "\\n");
		else if (*p == '\\')
			g_string_append (out, "\\\\");
		else if (*p != '\r')
			g_string_append_c (out, *p);
	}
	return g_string_free (out, FALSE);
}

static char *
flag_words (PurpleMessageFlags flags)
{
	static const struct {
		PurpleMessageFlags flag;
		const char *word;
	} names[] = {
		{ PURPLE_MESSAGE_SEND, "send" },
		{ PURPLE_MESSAGE_RECV, "recv" },
		{ PURPLE_MESSAGE_SYSTEM, "system" },
		{ PURPLE_MESSAGE_AUTO_RESP, "auto_resp" },
		{ PURPLE_MESSAGE_ACTIVE_ONLY, "active_only" },
		{ PURPLE_MESSAGE_NICK, "nick" },
		{ PURPLE_MESSAGE_NO_LOG, "no_log" },
		{ PURPLE_MESSAGE_WHISPER, "whisper" },
		{ PURPLE_MESSAGE_ERROR, "error" },
		{ PURPLE_MESSAGE_DELAYED, "delayed" },
		{ PURPLE_MESSAGE_RAW, "raw" },
		{ PURPLE_MESSAGE_IMAGES, "images" },
		{ PURPLE_MESSAGE_NOTIFY, "notify" },
		{ PURPLE_MESSAGE_NO_LINKIFY, "no_linkify" },
		{ PURPLE_MESSAGE_INVISIBLE, "invisible" },
		{ PURPLE_MESSAGE_REMOTE_SEND, "remote_send" },
	};
	GString *out = g_string_new (NULL);
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (names); i++) {
		if (!(flags & names[i].flag))
			continue;
		if (out->len > 0)
			g_string_append_c (out, ',');
		g_string_append (out, names[i].word);
	}
	if (out->len == 0)
		g_string_append (out, "none");
	return g_string_free (out, FALSE);
}

/*
 * Every write into a conversation lands here: libpurple falls back to
 * write_conv when write_im and write_chat are not set, so IM, chat and
 * system lines all take this one path.
 */
static void
headless_write_conv (PurpleConversation *conv, const char *name,
		     const char *alias, const char *message,
		     PurpleMessageFlags flags, time_t mtime)
{
	char *plain = purple_markup_strip_html (message);
	char *line = one_line (plain);
	char *words = flag_words (flags);

	emit ("CONV %s %s %s", purple_conversation_get_name (conv), words,
	      line);
	g_free (words);
	g_free (line);
	g_free (plain);
}

static PurpleConversationUiOps conv_ops = {
	.write_conv = headless_write_conv,
};

/* ---- dialogs, answered at once ------------------------------------- */

/*
 * A pending dialog.  The answer is given from an idle callback, not from
 * inside the request call: the caller has not seen the handle yet and may
 * still be setting up what the callback uses.
 */
typedef struct {
	PurpleRequestType type;
	GCallback ok_cb;	/* or the chosen action's callback */
	GCallback cancel_cb;
	void *user_data;
	int value;		/* the choice or the action's index */
	char *text;		/* an input's default value */
	PurpleRequestFields *fields;
	guint idle_id;
} Request;

static gboolean
request_answer (gpointer data)
{
	Request *req = data;

	req->idle_id = 0;
	switch (req->type) {
	case PURPLE_REQUEST_INPUT:
		if (req->ok_cb)
			((PurpleRequestInputCb)req->ok_cb) (req->user_data,
							    req->text);
		break;
	case PURPLE_REQUEST_CHOICE:
	case PURPLE_REQUEST_ACTION:
		if (req->ok_cb)
			((PurpleRequestChoiceCb)req->ok_cb) (req->user_data,
							     req->value);
		break;
	case PURPLE_REQUEST_FIELDS:
		if (purple_request_fields_all_required_filled (req->fields)
		    && req->ok_cb)
			((PurpleRequestFieldsCb)req->ok_cb) (req->user_data,
							     req->fields);
		else if (req->cancel_cb)
			((PurpleRequestFieldsCb)req->cancel_cb) (
				req->user_data, req->fields);
		break;
	default:
		if (req->cancel_cb)
			((PurpleRequestFileCb)req->cancel_cb) (req->user_data,
							       NULL);
		break;
	}
	/* This calls headless_close_request(), which frees req. */
	purple_request_close (req->type, req);
	return G_SOURCE_REMOVE;
}

static Request *
request_new (PurpleRequestType type, const char *kind, const char *title,
	     const char *primary, GCallback ok_cb, GCallback cancel_cb,
	     void *user_data)
{
	Request *req = g_new0 (Request, 1);
	char *t = one_line (title), *p = one_line (primary);

	emit ("REQUEST %s %s | %s", kind, t, p);
	g_free (t);
	g_free (p);
	req->type = type;
	req->ok_cb = ok_cb;
	req->cancel_cb = cancel_cb;
	req->user_data = user_data;
	req->idle_id = g_idle_add (request_answer, req);
	return req;
}

static void *
headless_request_input (const char *title, const char *primary,
			const char *secondary, const char *default_value,
			gboolean multiline, gboolean masked, gchar *hint,
			const char *ok_text, GCallback ok_cb,
			const char *cancel_text, GCallback cancel_cb,
			PurpleAccount *account, const char *who,
			PurpleConversation *conv, void *user_data)
{
	Request *req = request_new (PURPLE_REQUEST_INPUT, "input", title,
				    primary, ok_cb, cancel_cb, user_data);

	req->text = g_strdup (default_value ? default_value : "");
	return req;
}

static void *
headless_request_choice (const char *title, const char *primary,
			 const char *secondary, int default_value,
			 const char *ok_text, GCallback ok_cb,
			 const char *cancel_text, GCallback cancel_cb,
			 PurpleAccount *account, const char *who,
			 PurpleConversation *conv, void *user_data,
			 va_list choices)
{
	Request *req = request_new (PURPLE_REQUEST_CHOICE, "choice", title,
				    primary, ok_cb, cancel_cb, user_data);

	req->value = default_value;
	return req;
}

static void *
headless_request_action (const char *title, const char *primary,
			 const char *secondary, int default_action,
			 PurpleAccount *account, const char *who,
			 PurpleConversation *conv, void *user_data,
			 size_t action_count, va_list actions)
{
	GCallback chosen = NULL;
	size_t i;
	Request *req;

	/* The actions come as (label, callback) pairs. */
	if (default_action < 0 || (size_t)default_action >= action_count)
		default_action = 0;
	for (i = 0; i < action_count; i++) {
		GCallback cb;

		(void)va_arg (actions, const char *);
		cb = va_arg (actions, GCallback);
		if (i == (size_t)default_action)
			chosen = cb;
	}
	req = request_new (PURPLE_REQUEST_ACTION, "action", title, primary,
			   chosen, NULL, user_data);
	req->value = default_action;
	return req;
}

static void *
headless_request_fields (const char *title, const char *primary,
			 const char *secondary, PurpleRequestFields *fields,
			 const char *ok_text, GCallback ok_cb,
			 const char *cancel_text, GCallback cancel_cb,
			 PurpleAccount *account, const char *who,
			 PurpleConversation *conv, void *user_data)
{
	Request *req = request_new (PURPLE_REQUEST_FIELDS, "fields", title,
				    primary, ok_cb, cancel_cb, user_data);

	req->fields = fields;
	return req;
}

static void *
headless_request_file (const char *title, const char *filename,
		       gboolean savedialog, GCallback ok_cb,
		       GCallback cancel_cb, PurpleAccount *account,
		       const char *who, PurpleConversation *conv,
		       void *user_data)
{
	/* No file is ever chosen: a test has no one to pick it. */
	return request_new (PURPLE_REQUEST_FILE, "file", title, filename,
			    NULL, cancel_cb, user_data);
}

/* Called by purple_request_close(), after an answer or by the caller. */
static void
headless_close_request (PurpleRequestType type, void *ui_handle)
{
	Request *req = ui_handle;

	if (req->idle_id)
		g_source_remove (req->idle_id);
	/* The UI owns the fields of a fields dialog (as Pidgin's does). */
	if (req->fields)
		purple_request_fields_destroy (req->fields);
	g_free (req->text);
	g_free (req);
}

static PurpleRequestUiOps request_ops = {
	.request_input = headless_request_input,
	.request_choice = headless_request_choice,
	.request_action = headless_request_action,
	.request_fields = headless_request_fields,
	.request_file = headless_request_file,
	.close_request = headless_close_request,
};

/* ---- notifications ------------------------------------------------- */

/* Returning NULL tells libpurple the notice is already closed. */
static void *
headless_notify_message (PurpleNotifyMsgType type, const char *title,
			 const char *primary, const char *secondary)
{
	char *t = one_line (title), *p = one_line (primary);
	char *s = one_line (secondary);

	emit ("NOTIFY message %s | %s | %s", t, p, s);
	g_free (t);
	g_free (p);
	g_free (s);
	return NULL;
}

static void *
headless_notify_formatted (const char *title, const char *primary,
			   const char *secondary, const char *text)
{
	char *plain = purple_markup_strip_html (text);
	char *t = one_line (title), *p = one_line (primary);
	char *s = one_line (plain);

	emit ("NOTIFY formatted %s | %s | %s", t, p, s);
	g_free (t);
	g_free (p);
	g_free (s);
	g_free (plain);
	return NULL;
}

static PurpleNotifyUiOps notify_ops = {
	.notify_message = headless_notify_message,
	.notify_formatted = headless_notify_formatted,
};

/* ---- libpurple's debug output goes to stderr, never to stdout ------ */

static void
headless_debug_print (PurpleDebugLevel level, const char *category,
		      const char *arg_s)
{
	fprintf (stderr, "[%d] %s: %s", level, category ? category : "-",
		 arg_s);
	if (!g_str_has_suffix (arg_s, "\n"))
		fputc ('\n', stderr);
}

/* Warnings and errors always; the chatter only with --debug. */
static gboolean
headless_debug_is_enabled (PurpleDebugLevel level, const char *category)
{
	return headless.verbose || level >= PURPLE_DEBUG_WARNING;
}

static PurpleDebugUiOps debug_ops = {
	.print = headless_debug_print,
	.is_enabled = headless_debug_is_enabled,
};

/* ---- name lookups: none leaves the machine ------------------------- */

/*
 * The XMPP plugin asks DNS for SRV records (a STUN server for the
 * account's domain) even with connect_server set, and any host name would
 * go to the system resolver: the tests must never reach beyond 127.0.0.1.
 * So every SRV or TXT query and every host-name lookup fails here, a
 * moment later (the caller keeps the query's handle only once we return).
 * Connections to IP addresses never get this far.
 */
typedef void (*LookupFailed) (gpointer query, const char *message);

static GHashTable *lookups;	/* query -> Lookup */

typedef struct {
	gpointer query;
	LookupFailed failed;
	guint idle_id;
} Lookup;

static gboolean
lookup_fail (gpointer data)
{
	Lookup *lookup = data;
	gpointer query = lookup->query;
	LookupFailed failed = lookup->failed;

	/* The failure callback destroys the query, and with it this entry. */
	lookup->idle_id = 0;
	g_hash_table_remove (lookups, query);
	failed (query, "crm-headless looks up no names (tests stay on "
		"127.0.0.1)");
	return G_SOURCE_REMOVE;
}

static gboolean
lookup_refuse (gpointer query, LookupFailed failed)
{
	Lookup *lookup = g_new0 (Lookup, 1);

	if (!lookups)
		lookups = g_hash_table_new_full (g_direct_hash, g_direct_equal,
						 NULL, g_free);
	lookup->query = query;
	lookup->failed = failed;
	lookup->idle_id = g_idle_add (lookup_fail, lookup);
	g_hash_table_replace (lookups, query, lookup);
	return TRUE;
}

static void
lookup_destroy (gpointer query)
{
	Lookup *lookup = lookups ? g_hash_table_lookup (lookups, query) : NULL;

	if (lookup && lookup->idle_id)
		g_source_remove (lookup->idle_id);
	if (lookup)
		g_hash_table_remove (lookups, query);
}

static gboolean
headless_srv_resolve (PurpleSrvTxtQueryData *query,
		      PurpleSrvTxtQueryResolvedCallback resolved_cb,
		      PurpleSrvTxtQueryFailedCallback failed_cb)
{
	return lookup_refuse (query, (LookupFailed)failed_cb);
}

static void
headless_srv_destroy (PurpleSrvTxtQueryData *query)
{
	lookup_destroy (query);
}

static PurpleSrvTxtQueryUiOps srv_ops = {
	.resolve = headless_srv_resolve,
	.destroy = headless_srv_destroy,
};

static gboolean
headless_dns_resolve (PurpleDnsQueryData *query,
		      PurpleDnsQueryResolvedCallback resolved_cb,
		      PurpleDnsQueryFailedCallback failed_cb)
{
	return lookup_refuse (query, (LookupFailed)failed_cb);
}

static void
headless_dns_destroy (PurpleDnsQueryData *query)
{
	lookup_destroy (query);
}

static PurpleDnsQueryUiOps dns_ops = {
	.resolve_host = headless_dns_resolve,
	.destroy = headless_dns_destroy,
};

/* ---- event loop: libpurple's sources on the GLib main loop --------- */

typedef struct {
	PurpleInputFunction function;
	gpointer data;
} InputClosure;

static gboolean
input_dispatch (GIOChannel *source, GIOCondition condition, gpointer data)
{
	InputClosure *closure = data;
	int cond = 0;

	if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
		cond |= PURPLE_INPUT_READ;
	if (condition & (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL))
		cond |= PURPLE_INPUT_WRITE;
	closure->function (closure->data, g_io_channel_unix_get_fd (source),
			   cond);
	return TRUE;
}

static guint
headless_input_add (gint fd, PurpleInputCondition condition,
		    PurpleInputFunction function, gpointer data)
{
	InputClosure *closure = g_new0 (InputClosure, 1);
	GIOCondition cond = 0;
	GIOChannel *channel;
	guint id;

	closure->function = function;
	closure->data = data;
	if (condition & PURPLE_INPUT_READ)
		cond |= G_IO_IN | G_IO_HUP | G_IO_ERR;
	if (condition & PURPLE_INPUT_WRITE)
		cond |= G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL;
	channel = g_io_channel_unix_new (fd);
	id = g_io_add_watch_full (channel, G_PRIORITY_DEFAULT, cond,
				  input_dispatch, closure, g_free);
	g_io_channel_unref (channel);
	return id;
}

static PurpleEventLoopUiOps eventloop_ops = {
	.timeout_add = g_timeout_add,
	.timeout_remove = g_source_remove,
	.input_add = headless_input_add,
	.input_remove = g_source_remove,
	.timeout_add_seconds = g_timeout_add_seconds,
};

static void
headless_ui_init (void)
{
	purple_conversations_set_ui_ops (&conv_ops);
	purple_request_set_ui_ops (&request_ops);
	purple_notify_set_ui_ops (&notify_ops);
	purple_srv_txt_query_set_ui_ops (&srv_ops);
	purple_dnsquery_set_ui_ops (&dns_ops);
}

static PurpleCoreUiOps core_ops = {
	.debug_ui_init = NULL,
	.ui_init = headless_ui_init,
};

/* ---- the account --------------------------------------------------- */

static void
on_signed_on (PurpleConnection *gc, gpointer data)
{
	emit ("SIGNED-ON %s",
	      purple_account_get_username (purple_connection_get_account (gc)));
	if (headless.waiting_signon) {
		headless.waiting_signon = FALSE;
		run_commands ();
	}
}

static void
on_signed_off (PurpleConnection *gc, gpointer data)
{
	emit ("SIGNED-OFF %s",
	      purple_account_get_username (purple_connection_get_account (gc)));
}

static void
on_connection_error (PurpleConnection *gc, PurpleConnectionError reason,
		     const char *description, gpointer data)
{
	char *text = one_line (description);

	emit ("CONNECTION-ERROR %s", text);
	g_free (text);
}

static PurpleAccount *
account_set_up (const char *username, const char *password,
		const char *server, int port)
{
	PurpleAccount *account;
	PurpleSavedStatus *status;

	account = purple_accounts_find (username, "prpl-jabber");
	if (!account) {
		account = purple_account_new (username, "prpl-jabber");
		purple_accounts_add (account);
	}
	purple_account_set_password (account, password);
	purple_account_set_remember_password (account, TRUE);
	if (server)
		purple_account_set_string (account, "connect_server", server);
	if (port > 0)
		purple_account_set_int (account, "port", port);
	purple_account_set_string (account, "connection_security",
				   "opportunistic_tls");
	purple_account_set_bool (account, "auth_plain_in_clear", TRUE);
	purple_account_set_enabled (account, HEADLESS_UI, TRUE);

	status = purple_savedstatus_new (NULL, PURPLE_STATUS_AVAILABLE);
	purple_savedstatus_activate (status);
	return account;
}

/* ---- flushing: an XMPP ping answered by the server ---------------- */

/*
 * The server handles a client's stanzas in order, so its answer to a
 * ping proves that every message queued before it has been routed.
 * The ping goes out through jabber-sending-xmlnode, the path the XMPP
 * plugin's own stanzas take, so stream management counts it.
 */
static gboolean
on_receiving_iq (PurpleConnection *gc, const char *type, const char *id,
		 const char *from, xmlnode *iq, gpointer data)
{
	if (!headless.flushing || g_strcmp0 (id, headless.flush_id) != 0)
		return FALSE;
	headless.flushing = FALSE;
	g_source_remove (headless.flush_timeout_id);
	headless.flush_timeout_id = 0;
	emit ("FLUSHED");
	if (headless.quit_after_flush)
		g_main_loop_quit (headless.loop);
	else
		run_commands ();
	return TRUE;
}

static gboolean
on_flush_timeout (gpointer data)
{
	headless.flush_timeout_id = 0;
	headless.flushing = FALSE;
	emit ("ERROR flush: no answer from the server in %d ms",
	      FLUSH_TIMEOUT_MS);
	headless.exit_status = 1;
	if (headless.quit_after_flush)
		g_main_loop_quit (headless.loop);
	else
		run_commands ();
	return G_SOURCE_REMOVE;
}

/* Returns FALSE when there is nothing to wait for (not online). */
static gboolean
flush_start (void)
{
	static guint serial;
	PurpleConnection *gc = purple_account_get_connection (headless.account);
	PurplePlugin *prpl = purple_find_prpl ("prpl-jabber");
	xmlnode *iq, *ping;
	char *domain;

	if (!gc || !PURPLE_CONNECTION_IS_CONNECTED (gc) || !prpl)
		return FALSE;
	/* The server's own address: user@DOMAIN/resource. */
	domain = g_strdup (strchr (purple_account_get_username (
					   headless.account), '@') + 1);
	domain[strcspn (domain, "/")] = '\0';
	g_free (headless.flush_id);
	headless.flush_id = g_strdup_printf ("crm-headless-flush-%u", ++serial);
	iq = xmlnode_new ("iq");
	xmlnode_set_attrib (iq, "type", "get");
	xmlnode_set_attrib (iq, "id", headless.flush_id);
	xmlnode_set_attrib (iq, "to", domain);
	ping = xmlnode_new_child (iq, "ping");
	xmlnode_set_namespace (ping, "urn:xmpp:ping");
	headless.flushing = TRUE;
	headless.flush_timeout_id = g_timeout_add (FLUSH_TIMEOUT_MS,
						   on_flush_timeout, NULL);
	purple_signal_emit (prpl, "jabber-sending-xmlnode", gc, &iq);
	if (iq)
		xmlnode_free (iq);
	g_free (domain);
	return TRUE;
}

/* ---- commands ------------------------------------------------------ */

static PurpleConversation *
im_conversation (const char *who, gboolean create)
{
	PurpleConversation *conv;

	conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM,
						      who, headless.account);
	if (!conv && create)
		conv = purple_conversation_new (PURPLE_CONV_TYPE_IM,
						headless.account, who);
	return conv;
}

static const char *
cmd_status_word (PurpleCmdStatus status)
{
	switch (status) {
	case PURPLE_CMD_STATUS_OK:
		return "ok";
	case PURPLE_CMD_STATUS_FAILED:
		return "failed";
	case PURPLE_CMD_STATUS_NOT_FOUND:
		return "not-found";
	case PURPLE_CMD_STATUS_WRONG_ARGS:
		return "wrong-args";
	case PURPLE_CMD_STATUS_WRONG_PRPL:
		return "wrong-prpl";
	case PURPLE_CMD_STATUS_WRONG_TYPE:
		return "wrong-type";
	}
	return "unknown";
}

static void
command_cmd (const char *who, const char *cmdline)
{
	PurpleConversation *conv = im_conversation (who, TRUE);
	char *markup = g_markup_escape_text (cmdline, -1);
	char *error = NULL;
	char *text;
	PurpleCmdStatus status;

	status = purple_cmd_do_command (conv, cmdline, markup, &error);
	text = one_line (error ? error : "-");
	emit ("CMD %s %s %s", who, cmd_status_word (status), text);
	g_free (text);
	g_free (error);
	g_free (markup);
}

static gboolean
on_hold_over (gpointer data)
{
	headless.hold_id = 0;
	run_commands ();
	return G_SOURCE_REMOVE;
}

/* Runs one command; returns FALSE when later commands must wait. */
static gboolean
command_run (const char *line)
{
	char **argv = g_strsplit (line, " ", 3);
	const char *verb = argv[0] ? argv[0] : "";
	const char *who = argv[0] && argv[1] ? argv[1] : NULL;
	const char *rest = who && argv[2] ? argv[2] : "";
	PurpleConnection *gc = purple_account_get_connection (headless.account);
	gboolean online = gc && PURPLE_CONNECTION_IS_CONNECTED (gc);
	gboolean go_on = TRUE;

	if (*verb == '\0' || *verb == '#') {
		/* Blank lines and comments are allowed in scripts. */
	} else if (g_str_equal (verb, "wait-signon")) {
		headless.waiting_signon = !online;
		go_on = online;
	} else if (g_str_equal (verb, "sleep") && who) {
		headless.hold_id = g_timeout_add (atoi (who), on_hold_over,
						  NULL);
		go_on = FALSE;
	} else if (g_str_equal (verb, "ping")) {
		emit ("PONG %s", who ? who : "");
	} else if (g_str_equal (verb, "flush")) {
		go_on = !flush_start ();
		if (go_on)
			emit ("FLUSHED");
	} else if (g_str_equal (verb, "quit")) {
		headless.quit_after_flush = TRUE;
		if (!flush_start ())
			g_main_loop_quit (headless.loop);
		go_on = FALSE;
	} else if (!who) {
		emit ("ERROR %s: missing argument", verb);
	} else if (g_str_equal (verb, "open")) {
		im_conversation (who, TRUE);
	} else if (g_str_equal (verb, "close")) {
		PurpleConversation *conv = im_conversation (who, FALSE);

		if (conv)
			purple_conversation_destroy (conv);
	} else if (g_str_equal (verb, "cmd")) {
		command_cmd (who, rest);
	} else if (g_str_equal (verb, "send") && !online) {
		emit ("ERROR send: not signed on");
	} else if (g_str_equal (verb, "send")) {
		char *markup = g_markup_escape_text (rest, -1);

		/* A conversation first: XMPP complains without one. */
		purple_conv_im_send (PURPLE_CONV_IM (im_conversation (who, TRUE)),
				     markup);
		g_free (markup);
	} else {
		emit ("ERROR unknown command: %s", verb);
	}
	g_strfreev (argv);
	return go_on;
}

static void
run_commands (void)
{
	char *line;

	while (!headless.waiting_signon && !headless.hold_id
	       && !headless.flushing && !headless.quit_after_flush
	       && (line = g_queue_pop_head (&headless.commands))) {
		gboolean go_on = command_run (line);

		g_free (line);
		if (!go_on)
			return;
	}
	/* End of input and nothing left to run: leave as "quit" does. */
	if (headless.stdin_done && g_queue_is_empty (&headless.commands)
	    && !headless.waiting_signon && !headless.hold_id
	    && !headless.flushing && !headless.quit_after_flush)
		command_run ("quit");
}

static gboolean
on_stdin (GIOChannel *channel, GIOCondition condition, gpointer data)
{
	char *line = NULL;
	gsize term = 0;
	GIOStatus status;

	status = g_io_channel_read_line (channel, &line, NULL, &term, NULL);
	if (status == G_IO_STATUS_NORMAL) {
		line[term] = '\0';
		g_queue_push_tail (&headless.commands, line);
		run_commands ();
		return G_SOURCE_CONTINUE;
	}
	g_free (line);
	if (status == G_IO_STATUS_AGAIN)
		return G_SOURCE_CONTINUE;
	headless.stdin_done = TRUE;
	headless.stdin_id = 0;
	run_commands ();
	return G_SOURCE_REMOVE;
}

/* ---- start-up ------------------------------------------------------ */

/*
 * Sets "/path=value" by the pref's registered type.  A pref that does
 * not exist yet is added with the type its value looks like (true/false,
 * a number, else a string), so that it is in place before the plugin
 * loads: purple_prefs_add_*() keeps an existing value.
 */
static gboolean
pref_apply (const char *spec)
{
	char **kv = g_strsplit (spec, "=", 2);
	const char *path = kv[0], *value = kv[1];
	gboolean ok = value && path[0] == '/';
	char *end = NULL;
	long number = ok ? strtol (value, &end, 10) : 0;
	gboolean is_number = ok && *value && end && *end == '\0';
	gboolean is_bool = ok && (g_str_equal (value, "true")
				  || g_str_equal (value, "false"));

	if (ok && !purple_prefs_exists (path)) {
		char *parent = g_path_get_dirname (path);

		if (!purple_prefs_exists (parent))
			purple_prefs_add_none (parent);
		g_free (parent);
		if (is_bool)
			purple_prefs_add_bool (path, FALSE);
		else if (is_number)
			purple_prefs_add_int (path, 0);
		else
			purple_prefs_add_string (path, "");
	}
	if (ok) {
		switch (purple_prefs_get_type (path)) {
		case PURPLE_PREF_BOOLEAN:
			purple_prefs_set_bool (path, g_str_equal (value, "true")
					       || g_str_equal (value, "1"));
			break;
		case PURPLE_PREF_INT:
			ok = is_number;
			if (ok)
				purple_prefs_set_int (path, (int)number);
			break;
		case PURPLE_PREF_STRING:
		case PURPLE_PREF_PATH:
			purple_prefs_set_string (path, value);
			break;
		default:
			ok = FALSE;
			break;
		}
	}
	if (!ok)
		emit ("ERROR bad --pref %s", spec);
	g_strfreev (kv);
	return ok;
}

/*
 * libpurple creates directories under the user dir as it saves; make the
 * parents too, and refuse to run against the real ~/.purple by accident.
 */
static gboolean
core_start (const char *user_dir)
{
	if (g_mkdir_with_parents (user_dir, 0700) != 0) {
		fprintf (stderr, "crm-headless: %s: %s\n", user_dir,
			 g_strerror (errno));
		return FALSE;
	}
	purple_util_set_user_dir (user_dir);
	purple_debug_set_ui_ops (&debug_ops);
	purple_core_set_ui_ops (&core_ops);
	purple_eventloop_set_ui_ops (&eventloop_ops);
	if (!purple_core_init (HEADLESS_UI)) {
		fprintf (stderr, "crm-headless: libpurple did not start\n");
		return FALSE;
	}
	purple_set_blist (purple_blist_new ());
	purple_blist_load ();
	purple_prefs_set_bool ("/purple/logging/log_ims", FALSE);
	purple_prefs_set_bool ("/purple/logging/log_chats", FALSE);
	purple_prefs_set_bool ("/purple/logging/log_system", FALSE);
	return TRUE;
}

static gboolean
plugin_load (const char *path)
{
	/* Probed already by plugins_load(): this finds the same plugin. */
	PurplePlugin *plugin = purple_plugin_probe (path);

	if (!purple_plugin_is_loaded (plugin) && !purple_plugin_load (plugin)) {
		emit ("PLUGIN-ERROR %s %s", path,
		      plugin->error ? plugin->error : "load failed");
		return FALSE;
	}
	emit ("PLUGIN-LOADED %s %s", purple_plugin_get_id (plugin), path);
	return TRUE;
}

static void
connect_signals (void)
{
	static int handle;
	PurplePlugin *prpl = purple_find_prpl ("prpl-jabber");

	purple_signal_connect (purple_connections_get_handle (), "signed-on",
			       &handle, PURPLE_CALLBACK (on_signed_on), NULL);
	purple_signal_connect (purple_connections_get_handle (), "signed-off",
			       &handle, PURPLE_CALLBACK (on_signed_off), NULL);
	purple_signal_connect (purple_connections_get_handle (),
			       "connection-error", &handle,
			       PURPLE_CALLBACK (on_connection_error), NULL);
	if (prpl)
		purple_signal_connect (prpl, "jabber-receiving-iq", &handle,
				       PURPLE_CALLBACK (on_receiving_iq), NULL);
}

/* What the command line asked for. */
typedef struct {
	char *user_dir;
	char *account;
	char *password;
	char *server;
	char **plugins;
	char **prefs;
	int port;
} Options;

static gboolean
options_parse (Options *o, int *argc, char ***argv)
{
	GOptionEntry entries[] = {
		{ "user-dir", 'u', 0, G_OPTION_ARG_FILENAME, &o->user_dir,
		  "libpurple's configuration directory (required)", "DIR" },
		{ "plugin", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->plugins,
		  "Load this plugin (repeatable)", "PATH" },
		{ "pref", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->prefs,
		  "Set a preference before the plugins load", "/PATH=VALUE" },
		{ "account", 'a', 0, G_OPTION_ARG_STRING, &o->account,
		  "XMPP account, with a resource", "USER@HOST/RESOURCE" },
		{ "password", 'w', 0, G_OPTION_ARG_STRING, &o->password,
		  "The account's password", "PASSWORD" },
		{ "server", 's', 0, G_OPTION_ARG_STRING, &o->server,
		  "Connect to this address", "ADDRESS" },
		{ "port", 'P', 0, G_OPTION_ARG_INT, &o->port, "and port", "N" },
		{ "debug", 'd', 0, G_OPTION_ARG_NONE, &headless.verbose,
		  "All of libpurple's debug output on stderr", NULL },
		{ NULL }
	};
	GOptionContext *context = g_option_context_new ("- headless chat "
							"client for tests");
	GError *error = NULL;
	gboolean ok;

	g_option_context_add_main_entries (context, entries, NULL);
	ok = g_option_context_parse (context, argc, argv, &error)
	     && o->user_dir && o->account && strchr (o->account, '@');
	if (!ok)
		fprintf (stderr, "crm-headless: %s\n", error ? error->message
			 : "--user-dir and --account USER@HOST are required");
	g_clear_error (&error);
	g_option_context_free (context);
	return ok;
}

static void
options_clear (Options *o)
{
	g_strfreev (o->plugins);
	g_strfreev (o->prefs);
	g_free (o->user_dir);
	g_free (o->account);
	g_free (o->password);
	g_free (o->server);
}

/* Probes the plugins (a plugin's init may add its prefs), sets the prefs,
 * loads the plugins, and sets the prefs again, now that every one of
 * them is registered with its type. */
static gboolean
plugins_load (Options *o)
{
	gboolean ok = TRUE;
	int i;

	for (i = 0; ok && o->plugins && o->plugins[i]; i++) {
		ok = purple_plugin_probe (o->plugins[i]) != NULL;
		if (!ok)
			emit ("PLUGIN-ERROR %s cannot be probed", o->plugins[i]);
	}
	for (i = 0; ok && o->prefs && o->prefs[i]; i++)
		ok = pref_apply (o->prefs[i]);
	for (i = 0; ok && o->plugins && o->plugins[i]; i++)
		ok = plugin_load (o->plugins[i]);
	for (i = 0; ok && o->prefs && o->prefs[i]; i++)
		ok = pref_apply (o->prefs[i]);
	return ok;
}

int
main (int argc, char **argv)
{
	Options o = { NULL };
	GIOChannel *input;

	if (!options_parse (&o, &argc, &argv)) {
		options_clear (&o);
		return 2;
	}
	/* A test that dies must not leave us writing into a closed pipe. */
	signal (SIGPIPE, SIG_IGN);
	headless.loop = g_main_loop_new (NULL, FALSE);
	g_queue_init (&headless.commands);
	if (!core_start (o.user_dir))
		return 1;
	connect_signals ();
	if (!plugins_load (&o)) {
		purple_core_quit ();
		options_clear (&o);
		return 2;
	}

	headless.account = account_set_up (o.account, o.password ? o.password
					   : "", o.server, o.port);
	input = g_io_channel_unix_new (0);
	headless.stdin_id = g_io_add_watch (input, G_IO_IN | G_IO_HUP
					    | G_IO_ERR, on_stdin, NULL);
	g_io_channel_unref (input);
	emit ("READY");

	g_main_loop_run (headless.loop);

	purple_core_quit ();
	g_main_loop_unref (headless.loop);
	g_queue_clear_full (&headless.commands, g_free);
	g_free (headless.flush_id);
	options_clear (&o);
	return headless.exit_status;
}
