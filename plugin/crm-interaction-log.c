/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-interaction-log.c: recording conversations with linked customers.
 *
 * An interaction opens at the first message, in or out, exchanged with a
 * buddy linked to a customer, and is kept per (account, normalised
 * handle) rather than per conversation window, so that a message that
 * arrives with no window open still counts.  Each message updates the
 * stored record (the store writes only the fields that changed).  The
 * first-response time is measured from the customer's first message to
 * the agent's first reply, and only when the customer spoke first.  The
 * interaction ends after the idle time from the preferences, when the
 * conversation closes, or when the plugin unloads.
 *
 * Our own messages that the server reflects back (shared case F01: an
 * XMPP message "from" our own address in another case, such as a carbon
 * of what another client of ours sent) count as outgoing, once: for XMPP
 * they are counted from the protocol's message signal, where the
 * addressee is still known, and skipped in received-im-msg.
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include <string.h>

#include <debug.h>
#include <eventloop.h>
#include <signals.h>
#include <xmlnode.h>

#include "crm-normalize.h"
#include "crm-plugin-private.h"
#include "crm-prefs.h"

#define XMPP_PRPL "prpl-jabber"
#define NS_CARBONS "urn:xmpp:carbons:2"
#define NS_FORWARD "urn:xmpp:forward:0"
/* Failures to record are told at most this often, not at each message. */
#define FAILURE_TELL_INTERVAL_US (60 * G_USEC_PER_SEC)

typedef struct {
	PurpleAccount *account;
	char *key;
	char *handle;
	char *display;		/* what the identity's display was set to */
	CrmInteraction *ia;
	gint64 first_in_us;	/* customer's first message, if they began */
	gint64 last_us;		/* last message either way */
	guint idle_id;
} LogState;

static struct {
	GHashTable *states;	/* key -> LogState */
	gboolean xmpp_hooked;
	gint64 last_failure_told_us;
} ilog;

/* The store's wall clock, or the system's while no store is open. */
static gint64
wall_now (void)
{
	CrmStore *store = crm_plugin_get_store ();

	return store != NULL ? crm_store_now (store) : g_get_real_time ();
}

/* The table key of a buddy on an account. */
static char *
state_key (PurpleAccount *account, const char *handle)
{
	return g_strdup_printf ("%p\n%s", (void *) account, handle);
}

/* Frees a state; its timer goes with it. */
static void
state_free (gpointer data)
{
	LogState *st = data;

	if (st->idle_id != 0)
		purple_timeout_remove (st->idle_id);
	crm_interaction_free (st->ia);
	g_free (st->display);
	g_free (st->handle);
	g_free (st->key);
	g_free (st);
}

/* Tells the agent that recording failed, at most once a minute. */
static void
tell_failure (LogState *st, const char *who, const GError *error)
{
	PurpleConversation *conv;
	gint64 now = g_get_monotonic_time ();

	if (ilog.last_failure_told_us != 0 &&
	    now - ilog.last_failure_told_us < FAILURE_TELL_INTERVAL_US)
		return;
	ilog.last_failure_told_us = now;
	conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, who,
						      st->account);
	crm_plugin_write_failure (conv, _("This conversation could not be "
					  "recorded in the CRM."), error);
}

/* The account's name without an XMPP resource. */
static char *
account_bare (PurpleAccount *account)
{
	const char *user = purple_account_get_username (account);
	const char *slash = strchr (user, '/');

	return slash != NULL ? g_strndup (user, slash - user)
			     : g_strdup (user);
}

/* Starts the stored interaction of a new state. */
static gboolean
state_start (LogState *st, const char *customer_id, GError **error)
{
	CrmInteraction *ia = g_new0 (CrmInteraction, 1);

	ia->customer_id = g_strdup (customer_id);
	ia->agent = crm_prefs_agent_name (st->account);
	ia->department = crm_prefs_department ();
	ia->account = account_bare (st->account);
	ia->channel = g_strdup (purple_account_get_protocol_id (st->account));
	ia->started_us = crm_store_now (crm_plugin_get_store ());
	ia->first_response_us = -1;
	st->ia = ia;
	ia->id = crm_interaction_start (crm_plugin_get_store (), ia, error);
	return ia->id != NULL;
}

/*
 * The state of @handle on @account, made (and its interaction started)
 * when the handle is linked; NULL for unlinked buddies and on failure.
 */
static LogState *
state_get (PurpleAccount *account, const char *handle, const char *who)
{
	char *key = state_key (account, handle);
	LogState *st = g_hash_table_lookup (ilog.states, key);
	char *customer_id = NULL;
	GError *error = NULL;

	if (st != NULL || !crm_identity_lookup (crm_plugin_get_store (),
				purple_account_get_protocol_id (account),
				handle, &customer_id, &error) ||
	    customer_id == NULL) {
		g_free (key);
		if (error != NULL) {
			purple_debug_warning (CRM_DEBUG_CATEGORY, "looking up "
					      "a buddy: %s %d\n",
					      g_quark_to_string (error->domain),
					      error->code);
			g_error_free (error);
		}
		return st;
	}
	st = g_new0 (LogState, 1);
	st->account = account;
	st->key = key;
	st->handle = g_strdup (handle);
	st->first_in_us = -1;
	if (!state_start (st, customer_id, &error)) {
		tell_failure (st, who, error);
		g_error_free (error);
		state_free (st);
		st = NULL;
	} else {
		g_hash_table_insert (ilog.states, st->key, st);
	}
	g_free (customer_id);
	return st;
}

/* Counts one message and works out the first-response time. */
static void
state_count (LogState *st, gboolean outgoing, gint64 now_us)
{
	CrmInteraction *ia = st->ia;

	if (outgoing) {
		if (ia->msgs_out == 0 && st->first_in_us >= 0)
			ia->first_response_us = MAX (now_us - st->first_in_us,
						     0);
		ia->msgs_out++;
	} else {
		if (ia->msgs_in == 0 && ia->msgs_out == 0)
			st->first_in_us = now_us;
		ia->msgs_in++;
	}
	st->last_us = now_us;
}

/*
 * Keeps the identity's display form as the network last sent it, so that
 * replies go to that exact nick (shared case F02), not to a folded key.
 */
static void
state_update_display (LogState *st, const char *who)
{
	const char *slash = NULL;
	char *display;
	GError *error = NULL;

	if (g_strcmp0 (purple_account_get_protocol_id (st->account),
		       XMPP_PRPL) == 0)
		slash = strchr (who, '/');
	display = slash != NULL ? g_strndup (who, slash - who)
				: g_strdup (who);
	if (g_strcmp0 (display, st->display) == 0) {
		g_free (display);
		return;
	}
	if (!crm_identity_link (crm_plugin_get_store (), st->ia->customer_id,
				purple_account_get_protocol_id (st->account),
				st->handle, display, &error)) {
		purple_debug_warning (CRM_DEBUG_CATEGORY, "updating a handle's "
				      "display form: %s %d\n",
				      g_quark_to_string (error->domain),
				      error->code);
		g_error_free (error);
		g_free (display);
		return;
	}
	g_free (st->display);
	st->display = display;
}

/* Ends the interaction of @st at @end_us and drops the state. */
static void
state_end (LogState *st, gint64 end_us)
{
	CrmStore *store = crm_plugin_get_store ();
	GError *error = NULL;

	st->ia->ended_us = MAX (end_us, st->ia->started_us);
	if (store != NULL &&
	    !crm_interaction_update (store, st->ia, &error)) {
		purple_debug_warning (CRM_DEBUG_CATEGORY, "ending an "
				      "interaction: %s %d\n",
				      g_quark_to_string (error->domain),
				      error->code);
		g_error_free (error);
	}
	g_hash_table_remove (ilog.states, st->key);
}

/* The idle time passed without a message: the interaction is over. */
static gboolean
idle_cb (gpointer data)
{
	LogState *st = data;

	st->idle_id = 0;
	state_end (st, st->last_us);
	return FALSE;
}

/*
 * One message between the agent and @who on @account: counted on the
 * linked customer's open interaction, which starts here when needed.
 */
static void
log_message (PurpleAccount *account, const char *who, gboolean outgoing)
{
	CrmStore *store = crm_plugin_get_store ();
	char *handle;
	LogState *st;
	GError *error = NULL;

	if (store == NULL || who == NULL)
		return;
	handle = crm_normalize_handle (account, who);
	if (handle == NULL)
		return;
	st = state_get (account, handle, who);
	g_free (handle);
	if (st == NULL)
		return;

	state_count (st, outgoing, crm_store_now (store));
	if (!crm_interaction_update (store, st->ia, &error)) {
		tell_failure (st, who, error);
		g_error_free (error);
	}
	if (!outgoing)
		state_update_display (st, who);

	if (st->idle_id != 0)
		purple_timeout_remove (st->idle_id);
	st->idle_id = purple_timeout_add_seconds (crm_prefs_idle_seconds (),
						  idle_cb, st);
}

/* A message arrived; our own reflected messages count as outgoing. */
static void
on_received_im_msg (PurpleAccount *account, char *sender, char *message,
		    PurpleConversation *conv, PurpleMessageFlags flags,
		    gpointer data)
{
	const char *buddy;

	if (!crm_normalize_is_self (account, sender)) {
		log_message (account, sender, FALSE);
		return;
	}
	/* XMPP counts these where the addressee is known (below). */
	if (ilog.xmpp_hooked && g_strcmp0 (purple_account_get_protocol_id
					   (account), XMPP_PRPL) == 0)
		return;
	buddy = conv != NULL ? purple_conversation_get_name (conv) : NULL;
	if (buddy != NULL && !crm_normalize_is_self (account, buddy))
		log_message (account, buddy, TRUE);
}

/* The agent sent a message from this client. */
static void
on_sent_im_msg (PurpleAccount *account, const char *receiver,
		const char *message, gpointer data)
{
	log_message (account, receiver, TRUE);
}

/* The message inside a carbon of what another client of ours sent. */
static xmlnode *
carbon_sent_inner (xmlnode *message)
{
	xmlnode *sent = xmlnode_get_child_with_namespace (message, "sent",
							  NS_CARBONS);
	xmlnode *fwd;

	if (sent == NULL)
		return NULL;
	fwd = xmlnode_get_child_with_namespace (sent, "forwarded",
						NS_FORWARD);
	return fwd != NULL ? xmlnode_get_child (fwd, "message") : NULL;
}

/*
 * Every XMPP message stanza: one from our own address (in any case) to
 * someone else, or a carbon of one, is an outgoing message to that
 * someone.  Never consumes the stanza.
 */
static gboolean
on_jabber_receiving_message (PurpleConnection *gc, const char *type,
			     const char *id, const char *from, const char *to,
			     xmlnode *message, gpointer data)
{
	PurpleAccount *account = purple_connection_get_account (gc);
	xmlnode *inner;

	if (from == NULL || !crm_normalize_is_self (account, from))
		return FALSE;
	inner = carbon_sent_inner (message);
	if (inner != NULL) {
		message = inner;
		from = xmlnode_get_attrib (inner, "from");
		to = xmlnode_get_attrib (inner, "to");
		type = xmlnode_get_attrib (inner, "type");
	}
	if (to == NULL || crm_normalize_is_self (account, to) ||
	    g_strcmp0 (type, "groupchat") == 0 ||
	    g_strcmp0 (type, "error") == 0 ||
	    xmlnode_get_child (message, "body") == NULL)
		return FALSE;
	if (from != NULL && !crm_normalize_is_self (account, from))
		return FALSE;
	log_message (account, to, TRUE);
	return FALSE;
}

/* A conversation closes: its interaction ends now. */
static void
on_deleting_conversation (PurpleConversation *conv, gpointer data)
{
	if (purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_IM)
		return;
	crm_interaction_log_forget (purple_conversation_get_account (conv),
				    purple_conversation_get_name (conv));
}

/*
 * Connects the message and conversation signals, and the XMPP protocol's
 * message signal when that protocol is there.  Called at load.
 */
void
crm_interaction_log_connect (PurplePlugin *plugin)
{
	void *convs = purple_conversations_get_handle ();
	PurplePlugin *xmpp = purple_find_prpl (XMPP_PRPL);

	if (ilog.states == NULL)
		ilog.states = g_hash_table_new_full (g_str_hash, g_str_equal,
						     NULL, state_free);
	purple_signal_connect (convs, "received-im-msg", plugin,
			       PURPLE_CALLBACK (on_received_im_msg), NULL);
	purple_signal_connect (convs, "sent-im-msg", plugin,
			       PURPLE_CALLBACK (on_sent_im_msg), NULL);
	purple_signal_connect (convs, "deleting-conversation", plugin,
			       PURPLE_CALLBACK (on_deleting_conversation),
			       NULL);
	ilog.xmpp_hooked = xmpp != NULL &&
		purple_signal_connect (xmpp, "jabber-receiving-message",
			plugin, PURPLE_CALLBACK (on_jabber_receiving_message),
			NULL) != 0;
}

/*
 * Ends the open interaction with @who on @account, if any: the
 * conversation closed, or the buddy was linked or unlinked.
 */
void
crm_interaction_log_forget (PurpleAccount *account, const char *who)
{
	char *handle, *key;
	LogState *st;

	if (ilog.states == NULL || who == NULL)
		return;
	handle = crm_normalize_handle (account, who);
	if (handle == NULL)
		return;
	key = state_key (account, handle);
	st = g_hash_table_lookup (ilog.states, key);
	if (st != NULL)
		state_end (st, wall_now ());
	g_free (key);
	g_free (handle);
}

/* Ends every open interaction: before the store closes and at unload. */
void
crm_interaction_log_end_all (void)
{
	GList *states, *l;

	if (ilog.states == NULL)
		return;
	states = g_hash_table_get_values (ilog.states);
	for (l = states; l != NULL; l = l->next)
		state_end (l->data, wall_now ());
	g_list_free (states);
}
