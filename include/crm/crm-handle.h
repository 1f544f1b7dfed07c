/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-handle.h: chat handles brought to the one form a customer is found by.
 *
 * A customer is found by (protocol, normalised handle), and the plugin and
 * the administrator's tool must agree on that form.  These are the text
 * rules both use, with no libpurple behind them: XMPP folds the case of the
 * local part and the domain and drops the resource (which is never folded);
 * IRC folds nicks by the case mapping the server announced in RPL_ISUPPORT
 * (rfc1459 when none was announced).  Other protocols are only checked and
 * trimmed here; the plugin adds libpurple's own normalisation for them.
 */
#ifndef CRM_HANDLE_H
#define CRM_HANDLE_H

#include <glib.h>

G_BEGIN_DECLS

/**
 * CrmCaseMapping:
 * @CRM_CASEMAP_RFC1459: A-Z [ ] \ ~ fold to a-z { } | ^ (IRC's default).
 * @CRM_CASEMAP_STRICT_RFC1459: as rfc1459, without ~ to ^.
 * @CRM_CASEMAP_ASCII: only A-Z fold to a-z.
 *
 * How an IRC network folds the case of nicks.
 *
 * Since: 0.1
 */
typedef enum {
	CRM_CASEMAP_RFC1459,
	CRM_CASEMAP_STRICT_RFC1459,
	CRM_CASEMAP_ASCII,
} CrmCaseMapping;

/**
 * crm_handle_casemapping_from_name:
 * @name: (nullable): a CASEMAPPING token value ("rfc1459",
 *   "strict-rfc1459", "ascii"), compared without regard to ASCII case.
 *
 * Returns: the case mapping @name names; %NULL or an unknown name gives
 *   %CRM_CASEMAP_RFC1459, the protocol's default.
 *
 * Since: 0.1
 */
CrmCaseMapping crm_handle_casemapping_from_name (const char *name);

/**
 * crm_handle_parse_isupport:
 * @line: one raw IRC line.
 * @out_map: (out): the announced case mapping.
 *
 * Scans @line for an RPL_ISUPPORT (005) reply carrying a CASEMAPPING
 * token; the last one wins.  Other lines leave @out_map alone.
 *
 * Returns: %TRUE when @line announced a case mapping.
 *
 * Since: 0.1
 */
gboolean crm_handle_parse_isupport (const char *line,
				    CrmCaseMapping *out_map);

/**
 * crm_handle_irc_nick:
 * @nick: an IRC nick.
 * @map: the network's case mapping.
 *
 * Folds @nick by @map.
 *
 * Returns: (transfer full) (nullable): the folded nick, or %NULL for an
 *   empty or invalid nick.
 *
 * Since: 0.1
 */
char *crm_handle_irc_nick (const char *nick, CrmCaseMapping map);

/**
 * crm_handle_xmpp:
 * @jid: a JID, with or without resource.
 *
 * Brings a JID to its bare normal form: local part and domain case-folded
 * (and NFKC), resource dropped, a trailing dot of the domain dropped.
 *
 * Returns: (transfer full) (nullable): the bare JID, or %NULL when @jid is
 *   not a valid JID (empty parts, bad characters, parts over 1023 bytes).
 *
 * Since: 0.1
 */
char *crm_handle_xmpp (const char *jid);

/**
 * crm_handle_normalize:
 * @protocol_id: the libpurple protocol id ("prpl-jabber", "prpl-irc", ...).
 * @handle: the handle as typed or as the network sent it.
 * @map: the case mapping for IRC; ignored by other protocols.
 *
 * Trims white space at both ends, then applies the protocol's rules:
 * crm_handle_xmpp() for XMPP, crm_handle_irc_nick() for IRC.  Any other
 * protocol keeps the handle as typed, since its rules live in its libpurple
 * plugin; only text that cannot be a handle is refused.
 *
 * Returns: (transfer full) (nullable): the normal form, or %NULL when
 *   @handle is empty, blank, not UTF-8 or invalid for the protocol.
 *
 * Since: 0.1
 */
char *crm_handle_normalize (const char *protocol_id,
			    const char *handle,
			    CrmCaseMapping map);

G_END_DECLS

#endif /* CRM_HANDLE_H */
