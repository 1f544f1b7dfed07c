/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-notifier.h: telling the agent something when they may not be looking.
 *
 * A small interface over desktop notifications (libnotify, the only user of
 * it in the project) with a fallback to libpurple's notify API and a line in
 * a conversation when no notification server answers.  Callers pass plain
 * text; the notifier escapes only for servers that take markup.  Actions
 * the server supports come back through one callback with the key the
 * caller gave (a follow-up id, a handover id).
 */
#ifndef CRM_NOTIFIER_H
#define CRM_NOTIFIER_H

#include <glib.h>
#include <conversation.h>
#include <plugin.h>

G_BEGIN_DECLS

typedef enum {
	CRM_NOTIFIER_ACTION_NONE = 0,
	CRM_NOTIFIER_ACTION_DONE = 1 << 0,
	CRM_NOTIFIER_ACTION_SNOOZE_10_MIN = 1 << 1,
	CRM_NOTIFIER_ACTION_SNOOZE_1_H = 1 << 2,
	CRM_NOTIFIER_ACTION_OPEN_CHAT = 1 << 3,
} CrmNotifierAction;

typedef void (*CrmNotifierActionFunc) (CrmNotifierAction action,
				       const char *key,
				       gpointer user_data);

void crm_notifier_init (PurplePlugin *plugin,
			CrmNotifierActionFunc on_action,
			gpointer user_data);
void crm_notifier_uninit (void);
gboolean crm_notifier_show (const char *title,
			    const char *body,
			    const char *key,
			    CrmNotifierAction actions,
			    PurpleConversation *conv);

G_END_DECLS

#endif /* CRM_NOTIFIER_H */
