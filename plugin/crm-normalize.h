/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-normalize.h: chat handles brought to one form per protocol, as seen
 * on a libpurple account.
 *
 * A customer is found by (protocol, normalised handle).  XMPP and IRC
 * follow the store's text rules (crm-handle.h), IRC with the case mapping
 * the account's server announced in RPL_ISUPPORT (rfc1459 when none was
 * announced); other protocols use libpurple's own purple_normalize().  The
 * display form, as the network last sent it, is kept beside the normal form
 * and is what replies use.
 */
#ifndef CRM_NORMALIZE_H
#define CRM_NORMALIZE_H

#include <glib.h>
#include <account.h>

#include "crm-handle.h"

G_BEGIN_DECLS

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

/* Whether @who names @account itself (after normalisation on both sides). */
gboolean crm_normalize_is_self (PurpleAccount *account, const char *who);

G_END_DECLS

#endif /* CRM_NORMALIZE_H */
