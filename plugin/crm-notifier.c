/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-notifier.c: desktop notifications, with a libpurple fallback.
 *
 * The only file that includes libnotify.  Before each notification it asks
 * the server what it can do: the body is escaped only when the server
 * lists "body-markup" (shared case F13: the title is never escaped, the
 * body is never empty), and actions are offered only when it lists
 * "actions".  A notification with actions is kept alive until the server
 * closes it, so that its action can still come back.  When no server
 * answers (no session bus, nothing owning the name), or desktop
 * notifications are off in the preferences, the text goes to libpurple's
 * notify API and, when the caller names one, into a conversation.
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include <string.h>

#include <libnotify/notify.h>

#include <debug.h>
#include <notify.h>
#include <prefs.h>

#include "crm-notifier.h"
#include "crm-prefs.h"

#define KEY_DATA "chatcrm-key"
/* After the desktop failed to show one, how long to use only the fallback
 * (each try without a server costs a D-Bus round and a warning). */
#define DESKTOP_RETRY_US (G_GINT64_CONSTANT (300) * G_USEC_PER_SEC)

static struct {
	PurplePlugin *plugin;
	CrmNotifierActionFunc on_action;
	gpointer user_data;
	gboolean inited_here;
	gint64 desktop_down_until;	/* monotonic time, or 0 */
	GList *live;	/* NotifyNotification *, one reference each */
} notifier;

/* The actions a notification can carry: flag, action id, button label. */
static const struct {
	CrmNotifierAction flag;
	const char *id;
	const char *label;
} actions_table[] = {
	{ CRM_NOTIFIER_ACTION_DONE, "done", N_("Done") },
	/* Translators: a button that reminds again in 10 minutes. */
	{ CRM_NOTIFIER_ACTION_SNOOZE_10_MIN, "snooze-10min",
	  N_("Snooze 10 min") },
	/* Translators: a button that reminds again in one hour. */
	{ CRM_NOTIFIER_ACTION_SNOOZE_1_H, "snooze-1h", N_("Snooze 1 h") },
	{ CRM_NOTIFIER_ACTION_OPEN_CHAT, "open-chat", N_("Open chat") },
};

/*
 * Readies libnotify (once; another plugin may have done it already) and
 * remembers where actions go.  Called at plugin load.
 */
void
crm_notifier_init (PurplePlugin *plugin, CrmNotifierActionFunc on_action,
		   gpointer user_data)
{
	notifier.plugin = plugin;
	notifier.on_action = on_action;
	notifier.user_data = user_data;
	notifier.inited_here = FALSE;
	notifier.desktop_down_until = 0;
	if (!notify_is_initted ()) {
		notifier.inited_here = notify_init ("chatcrm");
		if (!notifier.inited_here)
			purple_debug_warning (CRM_DEBUG_CATEGORY,
					      "libnotify did not initialise; "
					      "reminders use the client's "
					      "dialogs\n");
	}
}

/* Drops a notification the server closed. */
static void
on_closed (NotifyNotification *n, gpointer user_data)
{
	GList *link = g_list_find (notifier.live, n);

	if (link == NULL)
		return;
	notifier.live = g_list_delete_link (notifier.live, link);
	g_object_unref (n);
}

/* An action button was pressed: hand it to the plugin. */
static void
on_action (NotifyNotification *n, char *action, gpointer user_data)
{
	const char *key = g_object_get_data (G_OBJECT (n), KEY_DATA);
	guint i;

	for (i = 0; i < G_N_ELEMENTS (actions_table); i++) {
		if (strcmp (action, actions_table[i].id) != 0)
			continue;
		if (notifier.on_action != NULL && key != NULL)
			notifier.on_action (actions_table[i].flag, key,
					    notifier.user_data);
		return;
	}
}

/*
 * Closes the notifications still shown (their actions could no longer
 * reach us) and undoes notify_init if it was ours.  Called at unload.
 */
void
crm_notifier_uninit (void)
{
	while (notifier.live != NULL) {
		NotifyNotification *n = notifier.live->data;

		notifier.live = g_list_delete_link (notifier.live,
						    notifier.live);
		g_signal_handlers_disconnect_by_func (n, on_closed, NULL);
		notify_notification_close (n, NULL);
		g_object_unref (n);
	}
	if (notifier.inited_here)
		notify_uninit ();
	notifier.inited_here = FALSE;
	notifier.on_action = NULL;
	notifier.plugin = NULL;
}

/* Whether the server's capability list has @cap. */
static gboolean
caps_have (GList *caps, const char *cap)
{
	return g_list_find_custom (caps, cap, (GCompareFunc) strcmp) != NULL;
}

/* Adds the buttons asked for. */
static void
add_actions (NotifyNotification *n, CrmNotifierAction actions)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS (actions_table); i++) {
		if ((actions & actions_table[i].flag) == 0)
			continue;
		notify_notification_add_action (n, actions_table[i].id,
						_(actions_table[i].label),
						on_action, NULL, NULL);
	}
}

/* Shows @title and @body on the desktop; FALSE when no server took it. */
static gboolean
show_desktop (const char *title, const char *body, const char *key,
	      CrmNotifierAction actions)
{
	GList *caps = notify_get_server_caps ();
	char *text = caps_have (caps, "body-markup")
		     ? g_markup_escape_text (body, -1) : g_strdup (body);
	NotifyNotification *n = notify_notification_new (title, text, NULL);
	GError *error = NULL;
	gboolean with_actions = actions != CRM_NOTIFIER_ACTION_NONE &&
				key != NULL && caps_have (caps, "actions");

	g_list_free_full (caps, g_free);
	g_free (text);
	notify_notification_set_category (n, "im");
	if (with_actions) {
		g_object_set_data_full (G_OBJECT (n), KEY_DATA, g_strdup (key),
					g_free);
		add_actions (n, actions);
	}
	if (!notify_notification_show (n, &error)) {
		purple_debug_info (CRM_DEBUG_CATEGORY,
				   "no notification server (%s); using the "
				   "client's dialogs for a while\n",
				   error->message);
		g_error_free (error);
		g_object_unref (n);
		notifier.desktop_down_until = g_get_monotonic_time () +
					      DESKTOP_RETRY_US;
		return FALSE;
	}
	if (!with_actions) {
		g_object_unref (n);
		return TRUE;
	}
	g_signal_connect (n, "closed", G_CALLBACK (on_closed), NULL);
	notifier.live = g_list_prepend (notifier.live, n);
	return TRUE;
}

/* Says it through libpurple and in @conv, for clients without a server. */
static void
show_fallback (const char *title, const char *body, PurpleConversation *conv)
{
	purple_notify_info (notifier.plugin, _("Chat CRM"), title, body);
	if (conv != NULL) {
		char *markup = g_markup_printf_escaped ("<b>%s</b>: %s", title,
							body);
		char **lines = g_strsplit (markup, "\n", -1);
		char *joined = g_strjoinv ("<br>", lines);

		purple_conversation_write (conv, NULL, joined,
					   PURPLE_MESSAGE_SYSTEM |
					   PURPLE_MESSAGE_NO_LOG,
					   time (NULL));
		g_free (joined);
		g_strfreev (lines);
		g_free (markup);
	}
}

/*
 * Tells the agent @title / @body (plain text).  On the desktop when there
 * is a server and the preference allows it, with the @actions the server
 * supports, reported back with @key; otherwise through libpurple and a
 * line in @conv (nullable).  Returns whether the desktop showed it.
 */
gboolean
crm_notifier_show (const char *title, const char *body, const char *key,
		   CrmNotifierAction actions, PurpleConversation *conv)
{
	const char *text;

	g_return_val_if_fail (title != NULL && *title != '\0', FALSE);

	/* A server shows an empty body as a bare title at best. */
	text = body != NULL && *body != '\0' ? body : title;
	if (purple_prefs_get_bool (CRM_PREF_DESKTOP_NOTIFY) &&
	    notify_is_initted () &&
	    g_get_monotonic_time () >= notifier.desktop_down_until &&
	    show_desktop (title, text, key, actions))
		return TRUE;
	show_fallback (title, text, conv);
	return FALSE;
}
