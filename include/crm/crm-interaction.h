/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-interaction.h: the record of one conversation with a customer.
 */
#ifndef CRM_INTERACTION_H
#define CRM_INTERACTION_H

#include <glib.h>
#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmInteraction:
 * @id: UUID.
 * @customer_id: the customer.
 * @agent: the agent's name.
 * @department: (nullable): the agent's department.
 * @account: the agent's chat account (`user@host/resource` as libpurple
 *   names it, without the resource).
 * @channel: the protocol id, e.g. `prpl-jabber`.
 * @started_us: first message, UTC microseconds.
 * @ended_us: end, or 0 while it is open.
 * @msgs_in: messages received from the customer.
 * @msgs_out: messages sent to the customer.
 * @first_response_us: how long the customer waited for the first answer,
 *   in microseconds, or -1 when there was none yet (or the agent spoke
 *   first).
 *
 * Since: 0.1
 */
typedef struct {
	char *id;
	char *customer_id;
	char *agent;
	char *department;
	char *account;
	char *channel;
	gint64 started_us;
	gint64 ended_us;
	gint64 msgs_in;
	gint64 msgs_out;
	gint64 first_response_us;
} CrmInteraction;

void crm_interaction_free (CrmInteraction *interaction);

/**
 * crm_interaction_start:
 * @store: the store.
 * @fields: the interaction; @customer_id, @agent, @account and @channel are
 *   required, the id is made by the store.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full): the new id, or %NULL with @error set.
 */
char *crm_interaction_start (CrmStore *store,
			     const CrmInteraction *fields,
			     GError **error);

/**
 * crm_interaction_update:
 * @store: the store.
 * @interaction: the interaction with new counts, first response or end.
 * @error: return location for a #GError.
 *
 * Writes the fields that changed, in one transaction.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_interaction_update (CrmStore *store,
				 const CrmInteraction *interaction,
				 GError **error);

/**
 * crm_interaction_list:
 * @store: the store.
 * @customer_id: the customer.
 * @limit: the most to return; 0 for all.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full) (element-type CrmInteraction): newest first, or
 *   %NULL with @error set.
 */
GPtrArray *crm_interaction_list (CrmStore *store,
				 const char *customer_id,
				 guint limit,
				 GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmInteraction, crm_interaction_free)

G_END_DECLS

#endif /* CRM_INTERACTION_H */
