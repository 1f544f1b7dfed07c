/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * handover.c: passing a customer to another department or agent.
 *
 * A handover is pending until someone accepts it; the first acceptance
 * seen on this replica holds, and a second agent's acceptance is a
 * conflict.  Two agents accepting on two replicas at once converge on the
 * first acceptance, and `accepted` is stamped from the same change as
 * `accepted_by` (rule 5 at the top of change.c).
 */
#include "store-private.h"

/*
 * crm_handover_free:
 * Frees a handover and its strings.
 */
void
crm_handover_free (CrmHandover *handover)
{
	if (handover == NULL)
		return;
	g_free (handover->id);
	g_free (handover->customer_id);
	g_free (handover->from_agent);
	g_free (handover->from_department);
	g_free (handover->to_department);
	g_free (handover->to_agent);
	g_free (handover->note);
	g_free (handover->accepted_by);
	g_free (handover);
}

/*
 * crm_handover__from_row:
 * A handover from a row selected with CRM_HANDOVER_COLUMNS.
 */
CrmHandover *
crm_handover__from_row (sqlite3_stmt *stmt)
{
	CrmHandover *h = g_new0 (CrmHandover, 1);

	h->id = crm_store__column_dup (stmt, 0);
	h->customer_id = crm_store__column_dup (stmt, 1);
	h->from_agent = crm_store__column_dup (stmt, 2);
	h->from_department = crm_store__column_dup (stmt, 3);
	h->to_department = crm_store__column_dup (stmt, 4);
	h->to_agent = crm_store__column_dup (stmt, 5);
	h->note = crm_store__column_dup (stmt, 6);
	h->created_us = sqlite3_column_int64 (stmt, 7);
	h->accepted_by = crm_store__column_dup (stmt, 8);
	h->accepted_us = sqlite3_column_int64 (stmt, 9);
	return h;
}

static gboolean
handover_check (const CrmHandover *f, GError **error)
{
	const gsize max = CRM_STORE_MAX_FIELD_BYTES;

	if (!crm_store__check_text (f->from_agent, _("sender"), max, TRUE,
				    error) ||
	    !crm_store__check_text (f->from_department, _("department"), max,
				    FALSE, error) ||
	    !crm_store__check_text (f->to_department, _("receiving department"),
				    max, FALSE, error) ||
	    !crm_store__check_text (f->to_agent, _("receiving agent"), max,
				    FALSE, error) ||
	    !crm_store__check_text (f->note, _("handover note"),
				    CRM_NOTE_MAX_BYTES, FALSE, error))
		return FALSE;
	if ((f->to_department == NULL || !*f->to_department) &&
	    (f->to_agent == NULL || !*f->to_agent)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("A handover needs a receiving department or agent"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
handover_write (CrmStore *store, const char *id, const CrmHandover *f,
		GError **error)
{
	const CrmEntity e = CRM_ENTITY_HANDOVER;

	return crm_change__set_text (store, e, id, "customer_id",
				     f->customer_id, error) &&
	       crm_change__set_text (store, e, id, "from_agent", f->from_agent,
				     error) &&
	       crm_change__set_text (store, e, id, "from_department",
				     f->from_department, error) &&
	       crm_change__set_text (store, e, id, "to_department",
				     f->to_department, error) &&
	       crm_change__set_text (store, e, id, "to_agent", f->to_agent,
				     error) &&
	       crm_change__set_text (store, e, id, "note", f->note, error) &&
	       crm_change__set_int (store, e, id, "created",
				    crm_store_now (store), error);
}

/*
 * crm_handover_create:
 * Validates and writes a new pending handover in one transaction.
 */
char *
crm_handover_create (CrmStore *store,
		     const CrmHandover *fields,
		     GError **error)
{
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (fields != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!handover_check (fields, error) ||
	    !crm_customer__require (store, fields->customer_id, error) ||
	    !crm_store__begin (store, error))
		return NULL;
	id = g_uuid_string_random ();
	if (!handover_write (store, id, fields, error)) {
		crm_store__rollback (store);
		return NULL;
	}
	if (!crm_store__commit (store, error))
		return NULL;
	return g_steal_pointer (&id);
}

static gboolean
handover_read_acceptor (CrmStore *store, const char *id,
			char **out_accepted_by, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	stmt = crm_store__prepare (store, "SELECT accepted_by FROM handover "
				   "WHERE id = ?1 AND deleted = 0 AND "
				   "from_agent IS NOT NULL", error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW) {
		*out_accepted_by = crm_store__column_dup (stmt, 0);
		return TRUE;
	}
	if (rc == SQLITE_DONE)
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
			     _("No such handover"));
	else
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read handover");
	return FALSE;
}

/*
 * crm_handover_accept:
 * Records who accepted (one change; when is stamped from its clock);
 * accepting twice by the same agent is a no-op, by another a conflict.
 */
gboolean
crm_handover_accept (CrmStore *store,
		     const char *id,
		     const char *agent,
		     GError **error)
{
	const CrmEntity e = CRM_ENTITY_HANDOVER;
	g_autofree char *accepted_by = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (id != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!crm_store__check_text (agent, _("agent"),
				    CRM_STORE_MAX_FIELD_BYTES, TRUE, error) ||
	    !crm_store__begin (store, error))
		return FALSE;
	if (!handover_read_acceptor (store, id, &accepted_by, error))
		goto rollback;
	if (accepted_by && g_strcmp0 (accepted_by, agent) != 0) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT,
			     _("This handover was already accepted by %s"),
			     accepted_by);
		goto rollback;
	}
	if (accepted_by == NULL &&
	    !crm_change__set_text (store, e, id, "accepted_by", agent, error))
		goto rollback;
	return crm_store__commit (store, error);

rollback:
	crm_store__rollback (store);
	return FALSE;
}

/*
 * crm_handover_list:
 * One customer's (with merged records) or everybody's handovers, newest
 * first; handovers of deleted customers are left out.
 */
GPtrArray *
crm_handover_list (CrmStore *store,
		   const char *customer_id,
		   gboolean pending_only,
		   GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (customer_id) {
		id = crm_customer__resolve (store, customer_id, error);
		if (id == NULL)
			return NULL;
	}
	stmt = crm_store__stmt (store, CRM_MERGE_TREE_CTE
				"SELECT " CRM_HANDOVER_COLUMNS
				" FROM handover WHERE deleted = 0"
				" AND from_agent IS NOT NULL"
				" AND (?1 IS NULL OR customer_id IN tree)"
				" AND (?2 = 0 OR accepted_by IS NULL)"
				" AND customer_id NOT IN (SELECT id FROM"
				" customer WHERE deleted = 1)"
				" ORDER BY created DESC, id DESC", error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, id);
	sqlite3_bind_int (stmt, 2, pending_only ? 1 : 0);
	return crm_store__collect (store, stmt,
				   (CrmRowReader) crm_handover__from_row,
				   (GDestroyNotify) crm_handover_free, error);
}
