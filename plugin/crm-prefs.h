/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-prefs.h: the plugin's id, its preference paths and their defaults.
 *
 * These names are a contract with the tests, the main-job script and users'
 * prefs.xml files: do not rename them.
 */
#ifndef CRM_PREFS_H
#define CRM_PREFS_H

#define CRM_PLUGIN_ID "core-chatcrm"
#define CRM_DEBUG_CATEGORY "chatcrm"

#define CRM_PREFS_ROOT "/plugins/core/chatcrm"
/* string: the agent's name; empty means the account's alias or user name */
#define CRM_PREF_AGENT_NAME CRM_PREFS_ROOT "/agent_name"
/* string: the agent's department (sales, support, billing, ...) */
#define CRM_PREF_DEPARTMENT CRM_PREFS_ROOT "/department"
/* string: the store file; empty means <purple user dir>/chatcrm/store.db */
#define CRM_PREF_STORE_PATH CRM_PREFS_ROOT "/store_path"
/* int: how many notes a card shows (default 3) */
#define CRM_PREF_CARD_NOTES CRM_PREFS_ROOT "/card_notes"
/* int: how many past interactions a card shows (default 3) */
#define CRM_PREF_CARD_INTERACTIONS CRM_PREFS_ROOT "/card_interactions"
/* bool: write the card when a conversation opens (default TRUE) */
#define CRM_PREF_CARD_ON_OPEN CRM_PREFS_ROOT "/card_on_open"
/* int: minutes of silence after which an interaction ends (default 30) */
#define CRM_PREF_IDLE_MINUTES CRM_PREFS_ROOT "/idle_minutes"
/* bool: desktop notifications through libnotify (default TRUE) */
#define CRM_PREF_DESKTOP_NOTIFY CRM_PREFS_ROOT "/desktop_notify"
/* string: default region for phone numbers, ISO 3166 (default "US") */
#define CRM_PREF_PHONE_REGION CRM_PREFS_ROOT "/phone_region"

/* Defaults of the preferences above, as crm-prefs.c installs them. */
#define CRM_PREF_CARD_NOTES_DEFAULT 3
#define CRM_PREF_CARD_INTERACTIONS_DEFAULT 3
#define CRM_PREF_CARD_ON_OPEN_DEFAULT TRUE
#define CRM_PREF_IDLE_MINUTES_DEFAULT 30
#define CRM_PREF_DESKTOP_NOTIFY_DEFAULT TRUE
#define CRM_PREF_PHONE_REGION_DEFAULT "US"

#endif /* CRM_PREFS_H */
