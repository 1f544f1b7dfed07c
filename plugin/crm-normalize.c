/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-normalize.c: chat handles as seen on a libpurple account.  The text
 * rules for XMPP and IRC live in the store (crm-handle.h), so that the
 * administrator's tool links handles in the form the plugin looks them up
 * by; this file adds what needs libpurple: the case mapping each IRC
 * network announced, remembered per account, libpurple's purple_normalize()
 * for every other protocol, and whether a name is the account itself.  The
 * registry lives on libpurple's (single) main thread.
 */
#include "crm-config.h"

#include "crm-normalize.h"

#include <string.h>

#include <util.h>

/* CrmCaseMapping of each IRC account, stored as map + 1 (0 is "none"). */
static GHashTable *account_casemaps;

/*
 * Remembers @map for @account.  The registry holds no reference: the plugin
 * forgets an account at sign-off, before libpurple may free it.
 */
void
crm_normalize_set_account_casemapping (PurpleAccount *account,
				       CrmCaseMapping map)
{
	g_return_if_fail (account != NULL);

	if (account_casemaps == NULL)
		account_casemaps = g_hash_table_new (g_direct_hash,
						     g_direct_equal);
	g_hash_table_insert (account_casemaps, account,
			     GINT_TO_POINTER ((int) map + 1));
}

/*
 * Forgets what crm_normalize_set_account_casemapping() remembered; the
 * registry itself goes when its last account does.
 */
void
crm_normalize_forget_account (PurpleAccount *account)
{
	g_return_if_fail (account != NULL);

	if (account_casemaps == NULL)
		return;
	g_hash_table_remove (account_casemaps, account);
	if (g_hash_table_size (account_casemaps) == 0)
		g_clear_pointer (&account_casemaps, g_hash_table_destroy);
}

/* The case mapping @account's server announced, rfc1459 when none. */
static CrmCaseMapping
account_casemapping (PurpleAccount *account)
{
	gpointer value = NULL;

	if (account_casemaps != NULL)
		value = g_hash_table_lookup (account_casemaps, account);
	if (value == NULL)
		return CRM_CASEMAP_RFC1459;
	return (CrmCaseMapping) (GPOINTER_TO_INT (value) - 1);
}

/*
 * libpurple's normalisation, with @account's protocol rules when its
 * protocol plugin is loaded and libpurple's generic fallback otherwise.
 * purple_normalize() returns a static buffer, hence the copy; its fallback
 * prints "(null)" for invalid UTF-8, hence the check first.
 */
static char *
other_normalize (PurpleAccount *account, const char *who)
{
	const char *normal;

	if (who[0] == '\0' || !g_utf8_validate (who, -1, NULL))
		return NULL;

	normal = purple_normalize (account, who);
	if (normal == NULL || normal[0] == '\0')
		return NULL;
	return g_strdup (normal);
}

/*
 * Dispatches on @account's protocol: XMPP and IRC by our rules (IRC with
 * the mapping remembered for @account), others by libpurple's.
 */
char *
crm_normalize_handle (PurpleAccount *account, const char *who)
{
	const char *protocol_id;

	g_return_val_if_fail (account != NULL, NULL);
	g_return_val_if_fail (who != NULL, NULL);

	protocol_id = purple_account_get_protocol_id (account);
	if (g_strcmp0 (protocol_id, "prpl-jabber") == 0)
		return crm_handle_xmpp (who);
	if (g_strcmp0 (protocol_id, "prpl-irc") == 0)
		return crm_handle_irc_nick (who, account_casemapping (account));
	return other_normalize (account, who);
}

/*
 * The normal form of @account's own handle.  libpurple's IRC usernames are
 * "nick@server": only the nick is a handle.  XMPP usernames carry a
 * resource, which crm_handle_xmpp() drops.
 */
static char *
self_handle (PurpleAccount *account)
{
	const char *username = purple_account_get_username (account);
	const char *at;
	g_autofree char *nick = NULL;

	if (username == NULL)
		return NULL;
	if (g_strcmp0 (purple_account_get_protocol_id (account),
		       "prpl-irc") != 0)
		return crm_normalize_handle (account, username);

	at = strchr (username, '@');
	nick = at != NULL ? g_strndup (username, at - username)
			  : g_strdup (username);
	return crm_normalize_handle (account, nick);
}

/*
 * Compares normal forms, so that "sales.desk@example.org" is the account
 * "Sales.Desk@Example.org/desk" (shared case F01).  An invalid @who is
 * never the account.
 */
gboolean
crm_normalize_is_self (PurpleAccount *account, const char *who)
{
	g_autofree char *self = NULL;
	g_autofree char *other = NULL;

	g_return_val_if_fail (account != NULL, FALSE);
	g_return_val_if_fail (who != NULL, FALSE);

	self = self_handle (account);
	if (self == NULL)
		return FALSE;
	other = crm_normalize_handle (account, who);
	return other != NULL && strcmp (self, other) == 0;
}
