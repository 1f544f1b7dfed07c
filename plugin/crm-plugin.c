/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-plugin.c: the libpurple 2 plugin's entry points and shared glue.
 *
 * Registration (PURPLE_INIT_PLUGIN, a core plugin with no UI code, so the
 * same .so works in Pidgin and Finch), the plugin's own gettext domain,
 * the store's lifecycle and the conversation helpers every other file
 * writes through.  The store is opened at load with a short busy timeout
 * so that loading never freezes the client; when it cannot be opened the
 * agent is told once, chat keeps working, and a timeout retries with a
 * growing interval until the store opens, which is announced too.  Cards
 * are written into IM conversations as they are created, which covers
 * both the agent opening a conversation and a customer's first message.
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include <locale.h>
#include <string.h>

#include <connection.h>
#include <conversation.h>
#include <debug.h>
#include <eventloop.h>
#include <notify.h>
#include <plugin.h>
#include <prefs.h>
#include <signals.h>
#include <version.h>

#include "crm-card-format.h"
#include "crm-normalize.h"
#include "crm-notifier.h"
#include "crm-plugin-private.h"
#include "crm-prefs.h"

#define RETRY_FIRST_SECONDS 5
#define RETRY_MAX_SECONDS 60

static struct {
	PurplePlugin *plugin;
	CrmStore *store;
	char *problem;		/* why the store is not open, translated */
	guint retry_id;
	guint retry_seconds;
	gboolean outage_told;	/* the agent was told it is not open */
} crm;

/*
 * Binds the plugin's own catalogue: from CHATCRM_LOCALEDIR when set (an
 * uninstalled build, the tests), else where it was installed.  Never
 * textdomain(): that would take the client's own strings away.
 */
static void
bind_domain (void)
{
	const char *dir = g_getenv ("CHATCRM_LOCALEDIR");

	bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0'
					 ? dir : CRM_LOCALEDIR);
	bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

/* The plugin instance, the handle of our signals, prefs and dialogs. */
PurplePlugin *
crm_plugin_get_handle (void)
{
	return crm.plugin;
}

/* The open store, or NULL while it cannot be opened. */
CrmStore *
crm_plugin_get_store (void)
{
	return crm.store;
}

/* Why the store is not open (translated), or NULL when it is. */
const char *
crm_plugin_get_store_problem (void)
{
	return crm.store != NULL ? NULL : crm.problem;
}

/*
 * Writes @markup into @conv as a system line that is not logged: cards,
 * answers and hints are for the agent, not the chat history.
 */
void
crm_plugin_write (PurpleConversation *conv, const char *markup)
{
	g_return_if_fail (conv != NULL);

	purple_conversation_write (conv, NULL, markup,
				   PURPLE_MESSAGE_SYSTEM |
				   PURPLE_MESSAGE_NO_LOG, time (NULL));
}

/* Writes plain @text (escaped here) as a system line into @conv. */
void
crm_plugin_write_text (PurpleConversation *conv, const char *text)
{
	char *markup = g_markup_escape_text (text, -1);

	crm_plugin_write (conv, markup);
	g_free (markup);
}

/* The error's own message without a final full stop, which the sentences
 * that quote it bring themselves. */
static char *
message_of (const GError *error)
{
	char *text = g_strstrip (g_strdup (error->message));
	gsize len = strlen (text);

	while (len > 0 && text[len - 1] == '.')
		text[--len] = '\0';
	return text;
}

/*
 * Turns a store or argument error into words for the agent: what the
 * condition means and what to do, with the store's own detail where it
 * names a file or a field.  No final full stop.
 */
char *
crm_plugin_explain_error (const GError *error)
{
	if (error == NULL)
		return g_strdup (_("unknown error"));
	if (error->domain != CRM_STORE_ERROR)
		return message_of (error);
	switch (error->code) {
	case CRM_STORE_ERROR_BUSY:
		return g_strdup (_("the store is busy (another program holds "
				   "its lock); try again in a moment"));
	case CRM_STORE_ERROR_NO_SPACE:
		return g_strdup (_("the disk is full; free some space and "
				   "try again"));
	case CRM_STORE_ERROR_VERSION:
		return g_strdup (_("the store was written by a newer version "
				   "of Chat CRM; update the plugin"));
	case CRM_STORE_ERROR_CORRUPT:
		/* Translators: %s is the store's own detail. */
		return g_strdup_printf (_("the store file is damaged or is not "
					  "a CRM store (%s)"), error->message);
	case CRM_STORE_ERROR_READONLY:
		/* Translators: %s is the store's own detail. */
		return g_strdup_printf (_("the store file or its folder cannot "
					  "be written (%s)"), error->message);
	case CRM_STORE_ERROR_NOT_FOUND:
		return g_strdup (_("the record no longer exists; it may have "
				   "been deleted"));
	default:
		return message_of (error);
	}
}

/* Logs a handled failure once, without customer data unless allowed. */
static void
log_failure (const char *context, const GError *error)
{
	if (purple_debug_is_unsafe ())
		purple_debug_warning (CRM_DEBUG_CATEGORY, "%s: %s (%s %d)\n",
				      context, error->message,
				      g_quark_to_string (error->domain),
				      error->code);
	else
		purple_debug_warning (CRM_DEBUG_CATEGORY, "%s: %s %d\n",
				      context,
				      g_quark_to_string (error->domain),
				      error->code);
}

/*
 * Tells the agent that something was not done: @what is a translated
 * sentence ("The note was not saved."), the error says why.  Into @conv
 * when there is one, else a dialog; the plugin carries on either way.
 */
void
crm_plugin_write_failure (PurpleConversation *conv, const char *what,
			  const GError *error)
{
	char *why = crm_plugin_explain_error (error);
	char *text;

	if (error != NULL)
		log_failure (what, error);
	/* Translators: what failed, then why. */
	text = g_strdup_printf (_("%s Reason: %s."), what, why);
	if (conv != NULL)
		crm_plugin_write_text (conv, text);
	else
		purple_notify_error (crm.plugin, _("Chat CRM"), what, why);
	g_free (text);
	g_free (why);
}

/* Writes @text into every open IM conversation; FALSE when there is none. */
static gboolean
tell_open_ims (const char *text)
{
	GList *l;
	gboolean told = FALSE;

	for (l = purple_get_ims (); l != NULL; l = l->next) {
		crm_plugin_write_text (l->data, text);
		told = TRUE;
	}
	return told;
}

/* The store could not be opened: remember why and say so, once. */
static void
store_failed (const GError *error)
{
	char *hint;

	g_free (crm.problem);
	crm.problem = crm_plugin_explain_error (error);
	if (crm.outage_told)
		return;
	crm.outage_told = TRUE;
	log_failure ("opening the store", error);
	hint = g_strdup_printf (_("The CRM store could not be opened: %s. "
				  "Chat keeps working; the CRM will try "
				  "again every few seconds."), crm.problem);
	tell_open_ims (hint);
	purple_notify_error (crm.plugin, _("Chat CRM"),
			     _("The CRM store could not be opened."), hint);
	g_free (hint);
}

/* The store opened: say so when the agent was told it had not. */
static void
store_recovered (void)
{
	g_clear_pointer (&crm.problem, g_free);
	if (!crm.outage_told)
		return;
	crm.outage_told = FALSE;
	purple_debug_info (CRM_DEBUG_CATEGORY, "the store is open again\n");
	if (!tell_open_ims (_("The CRM store is available again.")))
		purple_notify_info (crm.plugin, _("Chat CRM"),
				    _("The CRM store is available again."),
				    NULL);
}

/* One attempt to open the store at the path the preferences name. */
static gboolean
store_try_open (void)
{
	char *path = crm_prefs_store_path ();
	GError *error = NULL;

	crm.store = crm_store_open (path, CRM_PLUGIN_BUSY_TIMEOUT_MS, &error);
	g_free (path);
	if (crm.store == NULL) {
		store_failed (error);
		g_error_free (error);
		return FALSE;
	}
	store_recovered ();
	crm_plugin_register_agents ();
	crm_scheduler_poke ();
	return TRUE;
}

static gboolean retry_cb (gpointer data);

/* Plans the next attempt, each wait longer than the last. */
static void
retry_schedule (void)
{
	if (crm.retry_id != 0)
		return;
	crm.retry_id = purple_timeout_add_seconds (crm.retry_seconds,
						   retry_cb, NULL);
	crm.retry_seconds = MIN (crm.retry_seconds * 2, RETRY_MAX_SECONDS);
}

/* The retry timeout: try again, and plan another try if it fails. */
static gboolean
retry_cb (gpointer data)
{
	crm.retry_id = 0;
	if (crm.plugin == NULL || crm.store != NULL)
		return FALSE;
	if (!store_try_open ())
		retry_schedule ();
	return FALSE;
}

/* Opens the store now, or starts retrying. */
static void
store_open (void)
{
	crm.retry_seconds = RETRY_FIRST_SECONDS;
	if (!store_try_open ())
		retry_schedule ();
}

/* Ends what uses the store, then closes it. */
static void
store_close (void)
{
	if (crm.retry_id != 0) {
		purple_timeout_remove (crm.retry_id);
		crm.retry_id = 0;
	}
	crm_interaction_log_end_all ();
	g_clear_pointer (&crm.store, crm_store_close);
}

/*
 * Closes the store and opens the one the preferences now name; called when
 * the store path changes.
 */
void
crm_plugin_reopen_store (void)
{
	if (crm.plugin == NULL)
		return;
	store_close ();
	crm.outage_told = FALSE;
	store_open ();
}

/*
 * Registers this replica's agent for every connected account, so that the
 * team's directory knows who is behind each account.
 */
void
crm_plugin_register_agents (void)
{
	GList *l;

	if (crm.store == NULL)
		return;
	for (l = purple_connections_get_all (); l != NULL; l = l->next) {
		PurpleAccount *account =
			purple_connection_get_account (l->data);
		char *name = crm_prefs_agent_name (account);
		char *dept = crm_prefs_department ();
		GError *error = NULL;

		if (!crm_agent_register_self (crm.store, name, dept,
					      purple_account_get_username
					      (account), &error)) {
			log_failure ("registering the agent", error);
			g_error_free (error);
		}
		g_free (dept);
		g_free (name);
	}
}

/*
 * The protocol and normalised handle of an IM conversation's buddy; FALSE
 * for chats and for names the protocol's rules reject.
 */
gboolean
crm_plugin_conv_handle (PurpleConversation *conv, char **out_protocol,
			char **out_handle)
{
	PurpleAccount *account;
	char *handle;

	*out_protocol = NULL;
	*out_handle = NULL;
	if (purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_IM)
		return FALSE;
	account = purple_conversation_get_account (conv);
	handle = crm_normalize_handle (account,
				       purple_conversation_get_name (conv));
	if (handle == NULL)
		return FALSE;
	*out_protocol = g_strdup (purple_account_get_protocol_id (account));
	*out_handle = handle;
	return TRUE;
}

/*
 * The customer linked to an IM conversation's buddy: TRUE with
 * *@out_customer_id NULL when there is none, FALSE on a store error.
 */
gboolean
crm_plugin_lookup_conv (PurpleConversation *conv, char **out_customer_id,
			GError **error)
{
	char *protocol = NULL, *handle = NULL;
	gboolean ok = TRUE;

	*out_customer_id = NULL;
	g_return_val_if_fail (crm.store != NULL, FALSE);
	if (crm_plugin_conv_handle (conv, &protocol, &handle))
		ok = crm_identity_lookup (crm.store, protocol, handle,
					  out_customer_id, error);
	g_free (protocol);
	g_free (handle);
	return ok;
}

/* Loads and writes the card of @customer_id into @conv. */
static void
write_card (PurpleConversation *conv, const char *customer_id)
{
	GError *error = NULL;
	CrmCard *card = crm_card_load (crm.store, customer_id,
				       crm_prefs_card_notes (),
				       crm_prefs_card_interactions (), &error);
	GTimeZone *tz;
	char *markup;

	if (card == NULL) {
		crm_plugin_write_failure (conv, _("The customer card could not "
						  "be read."), error);
		g_error_free (error);
		return;
	}
	tz = g_time_zone_new_local ();
	markup = crm_card_format (card, tz, crm_store_now (crm.store));
	crm_plugin_write (conv, markup);
	g_free (markup);
	g_time_zone_unref (tz);
	crm_card_free (card);
}

/*
 * Writes the buddy's card into an IM conversation: the card when the
 * buddy is linked to a customer, a one-line hint when not, and one line
 * saying why when the store is not open.
 */
void
crm_plugin_show_card (PurpleConversation *conv)
{
	char *customer_id = NULL;
	GError *error = NULL;
	char *line;

	if (purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_IM)
		return;
	if (crm.store == NULL) {
		line = crm_card_format_unavailable (crm.problem);
		crm_plugin_write (conv, line);
		g_free (line);
		return;
	}
	if (!crm_plugin_lookup_conv (conv, &customer_id, &error)) {
		crm_plugin_write_failure (conv, _("The customer card could not "
						  "be read."), error);
		g_error_free (error);
		return;
	}
	if (customer_id == NULL) {
		line = crm_card_format_unknown_hint ();
		crm_plugin_write (conv, line);
		g_free (line);
		return;
	}
	write_card (conv, customer_id);
	g_free (customer_id);
}

/* The open IM conversation whose buddy is linked to @customer_id. */
PurpleConversation *
crm_plugin_find_customer_conv (const char *customer_id)
{
	GList *l;

	if (crm.store == NULL || customer_id == NULL)
		return NULL;
	for (l = purple_get_ims (); l != NULL; l = l->next) {
		char *id = NULL;
		gboolean same;

		if (!crm_plugin_lookup_conv (l->data, &id, NULL))
			continue;
		same = g_strcmp0 (id, customer_id) == 0;
		g_free (id);
		if (same)
			return l->data;
	}
	return NULL;
}

/* A connected account of @protocol, or NULL. */
static PurpleAccount *
connected_account_for (const char *protocol)
{
	GList *l;

	for (l = purple_connections_get_all (); l != NULL; l = l->next) {
		PurpleAccount *a = purple_connection_get_account (l->data);

		if (g_strcmp0 (purple_account_get_protocol_id (a),
			       protocol) == 0)
			return a;
	}
	return NULL;
}

/*
 * Brings the customer's conversation to the front, opening one on a
 * connected account of the right protocol when none is open ("open chat"
 * in a reminder).
 */
void
crm_plugin_open_customer_chat (const char *customer_id)
{
	PurpleConversation *conv = crm_plugin_find_customer_conv (customer_id);
	GPtrArray *ids;
	guint i;

	if (conv == NULL && crm.store != NULL &&
	    (ids = crm_identity_list (crm.store, customer_id, NULL)) != NULL) {
		for (i = 0; i < ids->len && conv == NULL; i++) {
			CrmIdentity *id = g_ptr_array_index (ids, i);
			PurpleAccount *a = connected_account_for (id->protocol);

			if (a != NULL)
				conv = purple_conversation_new (
					PURPLE_CONV_TYPE_IM, a,
					id->display != NULL ? id->display
							    : id->handle);
		}
		g_ptr_array_unref (ids);
	}
	if (conv != NULL)
		purple_conversation_present (conv);
}

/* A conversation was created: an IM gets the buddy's card. */
static void
on_conversation_created (PurpleConversation *conv, gpointer data)
{
	if (purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_IM)
		return;
	if (!purple_prefs_get_bool (CRM_PREF_CARD_ON_OPEN))
		return;
	crm_plugin_show_card (conv);
}

/* A conversation is going away: forget what commands kept for it. */
static void
on_deleting_conversation (PurpleConversation *conv, gpointer data)
{
	crm_cmd_forget_conv (conv);
}

/* An account signed on: its agent goes into the team's directory. */
static void
on_signed_on (PurpleConnection *gc, gpointer data)
{
	crm_plugin_register_agents ();
	crm_scheduler_poke ();
}

/* An account signed off: its IRC case mapping is no longer known. */
static void
on_signed_off (PurpleConnection *gc, gpointer data)
{
	crm_normalize_forget_account (purple_connection_get_account (gc));
}

/*
 * Every raw line an IRC server sends: RPL_ISUPPORT tells how the network
 * folds nick case (shared case F02), which the handle rules follow.
 */
static void
on_irc_receiving_text (PurpleConnection *gc, char **text, gpointer data)
{
	CrmCaseMapping map;

	if (text == NULL || *text == NULL)
		return;
	if (crm_handle_parse_isupport (*text, &map))
		crm_normalize_set_account_casemapping
			(purple_connection_get_account (gc), map);
}

/* A notification's button: reminders handle their own actions. */
static void
on_notifier_action (CrmNotifierAction action, const char *key,
		    gpointer data)
{
	crm_scheduler_on_action ((int) action, key, data);
}

/* Connects the signals of conversations, connections and IRC. */
static void
connect_signals (PurplePlugin *plugin)
{
	void *convs = purple_conversations_get_handle ();
	void *conns = purple_connections_get_handle ();
	PurplePlugin *irc = purple_find_prpl ("prpl-irc");

	purple_signal_connect (convs, "conversation-created", plugin,
			       PURPLE_CALLBACK (on_conversation_created), NULL);
	purple_signal_connect (convs, "deleting-conversation", plugin,
			       PURPLE_CALLBACK (on_deleting_conversation),
			       NULL);
	purple_signal_connect (conns, "signed-on", plugin,
			       PURPLE_CALLBACK (on_signed_on), NULL);
	purple_signal_connect (conns, "signed-off", plugin,
			       PURPLE_CALLBACK (on_signed_off), NULL);
	if (irc != NULL)
		purple_signal_connect (irc, "irc-receiving-text", plugin,
				       PURPLE_CALLBACK (on_irc_receiving_text),
				       NULL);
	crm_interaction_log_connect (plugin);
}

/* Load: catalogue, notifier, store, command, signals, scheduler. */
static gboolean
plugin_load (PurplePlugin *plugin)
{
	bind_domain ();
	crm.plugin = plugin;
	crm.outage_told = FALSE;
	crm_notifier_init (plugin, on_notifier_action, NULL);
	crm_prefs_connect (plugin);
	store_open ();
	crm_cmd_register (plugin);
	connect_signals (plugin);
	crm_scheduler_start ();
	purple_debug_info (CRM_DEBUG_CATEGORY, "loaded%s\n",
			   crm.store != NULL ? "" : " without a store");
	return TRUE;
}

/* Unload: undo everything load did, in reverse. */
static gboolean
plugin_unload (PurplePlugin *plugin)
{
	crm_scheduler_stop ();
	purple_signals_disconnect_by_handle (plugin);
	crm_cmd_unregister ();
	store_close ();
	g_clear_pointer (&crm.problem, g_free);
	purple_prefs_disconnect_by_handle (plugin);
	purple_notify_close_with_handle (plugin);
	crm_notifier_uninit ();
	crm.plugin = NULL;
	purple_debug_info (CRM_DEBUG_CATEGORY, "unloaded\n");
	return TRUE;
}

static PurplePluginUiInfo prefs_info = {
	crm_prefs_get_frame,
	0,
	NULL,
	NULL, NULL, NULL, NULL
};

static PurplePluginInfo info = {
	PURPLE_PLUGIN_MAGIC,
	PURPLE_MAJOR_VERSION,
	PURPLE_MINOR_VERSION,
	PURPLE_PLUGIN_STANDARD,
	NULL,				/* no UI requirement */
	0,
	NULL,
	PURPLE_PRIORITY_DEFAULT,
	CRM_PLUGIN_ID,
	NULL,				/* name, summary and description */
	CRM_VERSION,			/* are set, translated, in */
	NULL,				/* init_plugin */
	NULL,
	"chatcrm team",
	NULL,				/* no homepage */
	plugin_load,
	plugin_unload,
	NULL,
	NULL,
	NULL,
	&prefs_info,
	NULL,
	NULL, NULL, NULL, NULL
};

/*
 * Probe time: bind the catalogue first, so that the name and descriptions
 * the plugin list shows are in the agent's language (PluginInfo is static,
 * so they are translated here), then install the preferences.
 */
static void
init_plugin (PurplePlugin *plugin)
{
	bind_domain ();
	info.name = (char *) _("Chat CRM");
	info.summary = (char *) _("Customer cards, notes, follow-ups and "
				  "handovers inside your conversations.");
	info.description = (char *) _("Shows who a customer is when a "
				      "conversation opens, records every "
				      "conversation with them, and lets the "
				      "team share notes, follow-ups with "
				      "reminders and handovers across "
				      "departments. Type /crm help in any "
				      "conversation.");
	crm_prefs_init ();
}

PURPLE_INIT_PLUGIN (chatcrm, init_plugin, info)
