/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-plugin-private.h: what the plugin's files share.
 *
 * One plugin instance per client process: the open store (or why it is
 * not open), the preferences, the conversation helpers every answer goes
 * through, and the entry points of the command, interaction-log and
 * scheduler files that crm-plugin.c wires to libpurple's signals.
 */
#ifndef CRM_PLUGIN_PRIVATE_H
#define CRM_PLUGIN_PRIVATE_H

#include <glib.h>

#include <account.h>
#include <connection.h>
#include <conversation.h>
#include <plugin.h>
#include <pluginpref.h>

#include "crm.h"

G_BEGIN_DECLS

/* How long a statement may wait for another connection's lock: short, so
 * that the client never freezes on a busy store. */
#define CRM_PLUGIN_BUSY_TIMEOUT_MS 200

/* crm-plugin.c: the store, conversations, cards. */
PurplePlugin *crm_plugin_get_handle (void);
CrmStore *crm_plugin_get_store (void);
const char *crm_plugin_get_store_problem (void);
void crm_plugin_reopen_store (void);
void crm_plugin_write (PurpleConversation *conv, const char *markup);
void crm_plugin_write_text (PurpleConversation *conv, const char *text);
void crm_plugin_write_failure (PurpleConversation *conv,
			       const char *what,
			       const GError *error);
char *crm_plugin_explain_error (const GError *error);
gboolean crm_plugin_conv_handle (PurpleConversation *conv,
				 char **out_protocol,
				 char **out_handle);
gboolean crm_plugin_lookup_conv (PurpleConversation *conv,
				 char **out_customer_id,
				 GError **error);
void crm_plugin_show_card (PurpleConversation *conv);
PurpleConversation *crm_plugin_find_customer_conv (const char *customer_id);
void crm_plugin_open_customer_chat (const char *customer_id);
void crm_plugin_register_agents (void);

/* crm-prefs.c: the preferences and the values derived from them. */
void crm_prefs_init (void);
void crm_prefs_connect (PurplePlugin *plugin);
PurplePluginPrefFrame *crm_prefs_get_frame (PurplePlugin *plugin);
char *crm_prefs_store_path (void);
char *crm_prefs_agent_name (PurpleAccount *account);
char *crm_prefs_department (void);
guint crm_prefs_card_notes (void);
guint crm_prefs_card_interactions (void);
guint crm_prefs_idle_seconds (void);
char *crm_prefs_phone_region (void);

/* crm-cmd.c: the /crm command. */
void crm_cmd_register (PurplePlugin *plugin);
void crm_cmd_unregister (void);
void crm_cmd_forget_conv (PurpleConversation *conv);

/* crm-interaction-log.c: recording conversations with customers. */
void crm_interaction_log_connect (PurplePlugin *plugin);
void crm_interaction_log_end_all (void);
void crm_interaction_log_forget (PurpleAccount *account, const char *who);

/* crm-scheduler.c: follow-ups that fall due. */
void crm_scheduler_start (void);
void crm_scheduler_stop (void);
void crm_scheduler_poke (void);
void crm_scheduler_on_action (int action, const char *followup_id,
			      gpointer user_data);

G_END_DECLS

#endif /* CRM_PLUGIN_PRIVATE_H */
