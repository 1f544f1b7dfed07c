/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-card.h: everything a customer card shows, read in one go.
 *
 * The card is what an agent sees when a conversation opens; reading it is
 * on the hot path, so the store gathers it with a few indexed queries and
 * the plugin only formats it.
 */
#ifndef CRM_CARD_H
#define CRM_CARD_H

#include <glib.h>
#include "crm-store.h"
#include "crm-customer.h"
#include "crm-note.h"
#include "crm-interaction.h"
#include "crm-followup.h"
#include "crm-handover.h"

G_BEGIN_DECLS

/**
 * CrmCard:
 * @customer: the customer (after following merges).
 * @identities: (element-type CrmIdentity): the customer's handles.
 * @followups: (element-type CrmFollowup): open follow-ups, earliest first.
 * @notes: (element-type CrmNote): the latest notes, newest first.
 * @interactions: (element-type CrmInteraction): the latest, newest first.
 * @handovers: (element-type CrmHandover): pending handovers, newest first.
 * @n_notes_total: how many notes the customer has in all.
 *
 * Since: 0.1
 */
typedef struct {
	CrmCustomer *customer;
	GPtrArray *identities;
	GPtrArray *followups;
	GPtrArray *notes;
	GPtrArray *interactions;
	GPtrArray *handovers;
	gint64 n_notes_total;
} CrmCard;

void crm_card_free (CrmCard *card);

/**
 * crm_card_load:
 * @store: the store.
 * @customer_id: the customer.
 * @max_notes: the most notes to include.
 * @max_interactions: the most interactions to include.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full): the card, or %NULL with @error set.
 */
CrmCard *crm_card_load (CrmStore *store,
			const char *customer_id,
			guint max_notes,
			guint max_interactions,
			GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCard, crm_card_free)

G_END_DECLS

#endif /* CRM_CARD_H */
