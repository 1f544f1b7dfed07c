/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * card.c: everything a customer card shows, read in one go.
 *
 * One read transaction, so that the card is a consistent snapshot even
 * while a sync batch is being applied, and one indexed query per part.
 */
#include "store-private.h"

/*
 * crm_card_free:
 * Frees a card and every list in it.
 */
void
crm_card_free (CrmCard *card)
{
	if (card == NULL)
		return;
	crm_customer_free (card->customer);
	g_clear_pointer (&card->identities, g_ptr_array_unref);
	g_clear_pointer (&card->followups, g_ptr_array_unref);
	g_clear_pointer (&card->notes, g_ptr_array_unref);
	g_clear_pointer (&card->interactions, g_ptr_array_unref);
	g_clear_pointer (&card->handovers, g_ptr_array_unref);
	g_free (card);
}

static gboolean
card_count_notes (CrmStore *store, const char *id, gint64 *out_count,
		  GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	int rc;

	stmt = crm_store__stmt (store, CRM_MERGE_TREE_CTE
				"SELECT count(*) FROM note WHERE "
				"customer_id IN tree AND deleted = 0",
				error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "count notes");
		return FALSE;
	}
	*out_count = sqlite3_column_int64 (stmt, 0);
	return TRUE;
}

static GPtrArray *
card_empty (GDestroyNotify free_func)
{
	return g_ptr_array_new_with_free_func (free_func);
}

static gboolean
card_fill (CrmStore *store, CrmCard *card, guint max_notes,
	   guint max_interactions, GError **error)
{
	const char *id = card->customer->id;

	card->identities = crm_identity_list (store, id, error);
	if (card->identities == NULL)
		return FALSE;
	card->followups = crm_followup_list (store, id, TRUE, error);
	if (card->followups == NULL)
		return FALSE;
	card->notes = max_notes ? crm_note_list (store, id, max_notes, error)
		      : card_empty ((GDestroyNotify) crm_note_free);
	if (card->notes == NULL)
		return FALSE;
	card->interactions = max_interactions ?
		crm_interaction_list (store, id, max_interactions, error) :
		card_empty ((GDestroyNotify) crm_interaction_free);
	if (card->interactions == NULL)
		return FALSE;
	card->handovers = crm_handover_list (store, id, TRUE, error);
	if (card->handovers == NULL)
		return FALSE;
	return card_count_notes (store, id, &card->n_notes_total, error);
}

/*
 * crm_card_load:
 * Reads the card of the surviving record @customer_id leads to.
 */
CrmCard *
crm_card_load (CrmStore *store,
	       const char *customer_id,
	       guint max_notes,
	       guint max_interactions,
	       GError **error)
{
	g_autoptr(CrmCard) card = NULL;
	gboolean ok;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (customer_id != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	card = g_new0 (CrmCard, 1);
	if (store->txn_depth == 0 &&
	    !crm_store__exec (store, "BEGIN DEFERRED", error))
		return NULL;
	card->customer = crm_customer_get (store, customer_id, error);
	ok = card->customer != NULL &&
	     card_fill (store, card, max_notes, max_interactions, error);
	if (store->txn_depth == 0)
		sqlite3_exec (store->db, "COMMIT", NULL, NULL, NULL);
	return ok ? g_steal_pointer (&card) : NULL;
}
