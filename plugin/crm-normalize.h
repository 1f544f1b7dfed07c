/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-normalize.h: chat handles brought to one form per protocol.
 *
 * A customer is found by (protocol, normalised handle).  XMPP folds the
 * case of the local part and the domain and drops the resource (which is
 * never folded); IRC folds nicks by the case mapping the server announced
 * in RPL_ISUPPORT (rfc1459 when none was announced); other protocols use
 * libpurple's own purple_normalize().  The display form, as the network
 * last sent it, is kept beside the normal form and is what replies use.
 */
#ifndef CRM_NORMALIZE_H
#define CRM_NORMALIZE_H

#include <glib.h>
#include <account.h>

G_BEGIN_DECLS

typedef enum {
	CRM_CASEMAP_RFC1459,		/* A-Z [ ] \ ~  ->  a-z { } | ^ */
	CRM_CASEMAP_STRICT_RFC1459,	/* as rfc1459 without ~ -> ^ */
	CRM_CASEMAP_ASCII,		/* A-Z -> a-z only */
} CrmCaseMapping;

/*
 * Returns the case mapping named by a CASEMAPPING token value ("rfc1459",
 * "strict-rfc1459", "ascii"); NULL or an unknown name gives rfc1459, the
 * protocol's default.
 */
CrmCaseMapping crm_normalize_casemapping_from_name (const char *name);

/*
 * Scans one raw IRC line for an RPL_ISUPPORT (005) reply carrying a
 * CASEMAPPING token.  Returns TRUE and sets *out_map when it has one.
 */
gboolean crm_normalize_parse_isupport (const char *line,
				       CrmCaseMapping *out_map);

/* Folds an IRC nick by @map.  Returns NULL for an empty or invalid nick. */
char *crm_normalize_irc_nick (const char *nick, CrmCaseMapping map);

/*
 * Brings a JID to its bare normal form: local part and domain case-folded
 * (and NFKC), resource dropped, a trailing dot of the domain dropped.
 * Returns NULL when @jid is not a valid JID (empty parts, bad characters,
 * parts over 1023 bytes).
 */
char *crm_normalize_xmpp (const char *jid);

/*
 * Remembers the case mapping an IRC account's server announced; the plugin
 * calls it from the IRC protocol's receiving-text signal.  Forgotten with
 * crm_normalize_forget_account() at sign-off.
 */
void crm_normalize_set_account_casemapping (PurpleAccount *account,
					    CrmCaseMapping map);
void crm_normalize_forget_account (PurpleAccount *account);

/*
 * Normalises @who as seen on @account: dispatches on the account's
 * protocol id to the rules above.  Returns NULL when @who is not a valid
 * handle for the protocol.
 */
char *crm_normalize_handle (PurpleAccount *account, const char *who);

/*
 * Same as crm_normalize_handle() for a protocol id alone, for callers
 * without an account (the store tool, tests); IRC uses @map.
 */
char *crm_normalize_handle_for_protocol (const char *protocol_id,
					 const char *who,
					 CrmCaseMapping map);

/* Whether @who names @account itself (after normalisation on both sides). */
gboolean crm_normalize_is_self (PurpleAccount *account, const char *who);

G_END_DECLS

#endif /* CRM_NORMALIZE_H */
