/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-prefs.c: the plugin's preferences.
 *
 * The preferences live in libpurple's prefs tree under CRM_PREFS_ROOT, so
 * both clients save them in prefs.xml and show them in their plugin
 * preferences dialog through a PurplePluginPrefFrame.  This file installs
 * the defaults, builds that frame, reacts to changes that need action (a
 * new store path reopens the store; a new agent name or department
 * re-registers the agent) and turns raw values into what the rest of the
 * plugin uses: the store file's path, the agent's name, sane counts.
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include <string.h>

#include <connection.h>
#include <prefs.h>
#include <util.h>

#include "crm-plugin-private.h"
#include "crm-prefs.h"

#define MAX_CARD_ITEMS 50
#define MAX_IDLE_MINUTES (24 * 60)

/*
 * Installs the preferences with their defaults (values already saved in
 * prefs.xml are kept).  Called from init_plugin so that the preferences
 * dialog has them even before the plugin is loaded.
 */
void
crm_prefs_init (void)
{
	purple_prefs_add_none ("/plugins/core");
	purple_prefs_add_none (CRM_PREFS_ROOT);
	purple_prefs_add_string (CRM_PREF_AGENT_NAME, "");
	purple_prefs_add_string (CRM_PREF_DEPARTMENT, "");
	purple_prefs_add_string (CRM_PREF_STORE_PATH, "");
	purple_prefs_add_int (CRM_PREF_CARD_NOTES,
			      CRM_PREF_CARD_NOTES_DEFAULT);
	purple_prefs_add_int (CRM_PREF_CARD_INTERACTIONS,
			      CRM_PREF_CARD_INTERACTIONS_DEFAULT);
	purple_prefs_add_bool (CRM_PREF_CARD_ON_OPEN,
			       CRM_PREF_CARD_ON_OPEN_DEFAULT);
	purple_prefs_add_int (CRM_PREF_IDLE_MINUTES,
			      CRM_PREF_IDLE_MINUTES_DEFAULT);
	purple_prefs_add_bool (CRM_PREF_DESKTOP_NOTIFY,
			       CRM_PREF_DESKTOP_NOTIFY_DEFAULT);
	purple_prefs_add_string (CRM_PREF_PHONE_REGION,
				 CRM_PREF_PHONE_REGION_DEFAULT);
}

/* The store path changed: close the old store and open the new one. */
static void
on_store_path_changed (const char *name, PurplePrefType type,
		       gconstpointer value, gpointer data)
{
	crm_plugin_reopen_store ();
}

/* Agent name or department changed: the directory and the reminders
 * assigned to this agent follow. */
static void
on_agent_changed (const char *name, PurplePrefType type,
		  gconstpointer value, gpointer data)
{
	crm_plugin_register_agents ();
	crm_scheduler_poke ();
}

/*
 * Watches the preferences whose change needs action.  Called at load;
 * the callbacks go with the plugin handle at unload.
 */
void
crm_prefs_connect (PurplePlugin *plugin)
{
	purple_prefs_connect_callback (plugin, CRM_PREF_STORE_PATH,
				       on_store_path_changed, NULL);
	purple_prefs_connect_callback (plugin, CRM_PREF_AGENT_NAME,
				       on_agent_changed, NULL);
	purple_prefs_connect_callback (plugin, CRM_PREF_DEPARTMENT,
				       on_agent_changed, NULL);
}

/* Adds one preference with its label to @frame and returns it. */
static PurplePluginPref *
frame_add (PurplePluginPrefFrame *frame, const char *path, const char *label)
{
	PurplePluginPref *pref;

	pref = purple_plugin_pref_new_with_name_and_label (path, label);
	purple_plugin_pref_frame_add (frame, pref);
	return pref;
}

/*
 * Builds the page the client's plugin preferences dialog shows (Pidgin
 * and Finch alike); libpurple frees it.
 */
PurplePluginPrefFrame *
crm_prefs_get_frame (PurplePlugin *plugin)
{
	PurplePluginPrefFrame *frame = purple_plugin_pref_frame_new ();
	PurplePluginPref *pref;

	purple_plugin_pref_frame_add (frame,
		purple_plugin_pref_new_with_label (_("You, the agent")));
	pref = frame_add (frame, CRM_PREF_AGENT_NAME,
			  _("Your name (empty: the account's alias)"));
	purple_plugin_pref_set_max_length (pref, 200);
	pref = frame_add (frame, CRM_PREF_DEPARTMENT, _("Your department"));
	purple_plugin_pref_set_max_length (pref, 200);
	pref = frame_add (frame, CRM_PREF_STORE_PATH,
			  _("Store file (empty: chatcrm/store.db in the "
			    "client's folder)"));

	purple_plugin_pref_frame_add (frame,
		purple_plugin_pref_new_with_label (_("Customer cards")));
	frame_add (frame, CRM_PREF_CARD_ON_OPEN,
		   _("Show the card when a conversation opens"));
	pref = frame_add (frame, CRM_PREF_CARD_NOTES,
			  _("Notes on a card"));
	purple_plugin_pref_set_bounds (pref, 0, MAX_CARD_ITEMS);
	pref = frame_add (frame, CRM_PREF_CARD_INTERACTIONS,
			  _("Past conversations on a card"));
	purple_plugin_pref_set_bounds (pref, 0, MAX_CARD_ITEMS);

	purple_plugin_pref_frame_add (frame,
		purple_plugin_pref_new_with_label (_("Conversations and "
						     "reminders")));
	pref = frame_add (frame, CRM_PREF_IDLE_MINUTES,
			  _("Minutes of silence that end a conversation"));
	purple_plugin_pref_set_bounds (pref, 1, MAX_IDLE_MINUTES);
	frame_add (frame, CRM_PREF_DESKTOP_NOTIFY,
		   _("Desktop notifications for reminders"));
	pref = frame_add (frame, CRM_PREF_PHONE_REGION,
			  _("Default phone region (two letters, e.g. US)"));
	purple_plugin_pref_set_max_length (pref, 2);
	return frame;
}

/* A string preference with white space trimmed; NULL when blank. */
static char *
pref_text (const char *path)
{
	const char *value = purple_prefs_get_string (path);
	char *text;

	if (value == NULL)
		return NULL;
	text = g_strstrip (g_strdup (value));
	if (*text == '\0') {
		g_free (text);
		return NULL;
	}
	return text;
}

/*
 * The store file to open: the preference, with ~ expanded, or
 * chatcrm/store.db in the client's own folder (~/.purple by default).
 */
char *
crm_prefs_store_path (void)
{
	char *path = pref_text (CRM_PREF_STORE_PATH);
	char *expanded;

	if (path == NULL)
		return g_build_filename (purple_user_dir (), "chatcrm",
					 "store.db", NULL);
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		expanded = g_build_filename (g_get_home_dir (), path + 1,
					     NULL);
		g_free (path);
		return expanded;
	}
	return path;
}

/* The account's own name as a person would read it: alias, else the user
 * name without an XMPP resource. */
static char *
account_person (PurpleAccount *account)
{
	const char *alias = purple_account_get_alias (account);
	const char *user = purple_account_get_username (account);
	const char *slash;

	if (alias != NULL && *alias != '\0')
		return g_strdup (alias);
	if (user == NULL)
		return NULL;
	slash = strchr (user, '/');
	return slash != NULL ? g_strndup (user, slash - user)
			     : g_strdup (user);
}

/*
 * The agent's name as notes, follow-ups and interactions record it: the
 * preference when set, else the name of @account (or, without one, of the
 * first connected account), else the system's user name.
 */
char *
crm_prefs_agent_name (PurpleAccount *account)
{
	char *name = pref_text (CRM_PREF_AGENT_NAME);
	GList *gcs;

	if (name != NULL)
		return name;
	if (account == NULL) {
		gcs = purple_connections_get_all ();
		if (gcs != NULL)
			account = purple_connection_get_account (gcs->data);
	}
	if (account != NULL)
		name = account_person (account);
	if (name == NULL || *name == '\0') {
		g_free (name);
		name = g_strdup (g_get_user_name ());
	}
	return name;
}

/* The agent's department, or NULL when the preference is blank. */
char *
crm_prefs_department (void)
{
	return pref_text (CRM_PREF_DEPARTMENT);
}

/* An int preference held within [@min, @max]. */
static guint
pref_count (const char *path, int min, int max)
{
	return (guint) CLAMP (purple_prefs_get_int (path), min, max);
}

/* How many notes a card shows. */
guint
crm_prefs_card_notes (void)
{
	return pref_count (CRM_PREF_CARD_NOTES, 0, MAX_CARD_ITEMS);
}

/* How many past interactions a card shows. */
guint
crm_prefs_card_interactions (void)
{
	return pref_count (CRM_PREF_CARD_INTERACTIONS, 0, MAX_CARD_ITEMS);
}

/* The silence, in seconds, after which an interaction ends. */
guint
crm_prefs_idle_seconds (void)
{
	return 60 * pref_count (CRM_PREF_IDLE_MINUTES, 1, MAX_IDLE_MINUTES);
}

/* The default region of phone numbers typed without a country code. */
char *
crm_prefs_phone_region (void)
{
	char *region = pref_text (CRM_PREF_PHONE_REGION);

	return region != NULL ? region
			      : g_strdup (CRM_PREF_PHONE_REGION_DEFAULT);
}
