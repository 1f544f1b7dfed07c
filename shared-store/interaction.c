/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * interaction.c: the record of each conversation with a customer.
 *
 * The plugin starts an interaction when a conversation with a linked
 * customer begins and updates its counts, first-response time and end as
 * it goes; only the fields that changed are written.
 */
#include "store-private.h"

/*
 * crm_interaction_free:
 * Frees an interaction and its strings.
 */
void
crm_interaction_free (CrmInteraction *interaction)
{
	if (interaction == NULL)
		return;
	g_free (interaction->id);
	g_free (interaction->customer_id);
	g_free (interaction->agent);
	g_free (interaction->department);
	g_free (interaction->account);
	g_free (interaction->channel);
	g_free (interaction);
}

/*
 * crm_interaction__from_row:
 * An interaction from a row selected with CRM_INTERACTION_COLUMNS; a
 * first-response time never written (schema 1 rows) reads as -1.
 */
CrmInteraction *
crm_interaction__from_row (sqlite3_stmt *stmt)
{
	CrmInteraction *i = g_new0 (CrmInteraction, 1);

	i->id = crm_store__column_dup (stmt, 0);
	i->customer_id = crm_store__column_dup (stmt, 1);
	i->agent = crm_store__column_dup (stmt, 2);
	i->department = crm_store__column_dup (stmt, 3);
	i->account = crm_store__column_dup (stmt, 4);
	i->channel = crm_store__column_dup (stmt, 5);
	i->started_us = sqlite3_column_int64 (stmt, 6);
	i->ended_us = sqlite3_column_int64 (stmt, 7);
	i->msgs_in = sqlite3_column_int64 (stmt, 8);
	i->msgs_out = sqlite3_column_int64 (stmt, 9);
	i->first_response_us = sqlite3_column_type (stmt, 10) == SQLITE_NULL ?
			       -1 : sqlite3_column_int64 (stmt, 10);
	return i;
}

static gboolean
interaction_check_counts (const CrmInteraction *f, GError **error)
{
	if (f->ended_us < 0 || f->msgs_in < 0 || f->msgs_out < 0 ||
	    f->first_response_us < -1 || f->started_us < 0) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("Interaction times and counts cannot be negative"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
interaction_write_counts (CrmStore *store, const char *id,
			  const CrmInteraction *f, GError **error)
{
	const CrmEntity e = CRM_ENTITY_INTERACTION;

	return crm_change__set_int (store, e, id, "ended", f->ended_us,
				    error) &&
	       crm_change__set_int (store, e, id, "msgs_in", f->msgs_in,
				    error) &&
	       crm_change__set_int (store, e, id, "msgs_out", f->msgs_out,
				    error) &&
	       crm_change__set_int (store, e, id, "first_response",
				    f->first_response_us, error);
}

static gboolean
interaction_write (CrmStore *store, const char *id, const CrmInteraction *f,
		   GError **error)
{
	const CrmEntity e = CRM_ENTITY_INTERACTION;
	gint64 started = f->started_us ? f->started_us : crm_store_now (store);

	return crm_change__set_text (store, e, id, "customer_id",
				     f->customer_id, error) &&
	       crm_change__set_text (store, e, id, "agent", f->agent, error) &&
	       crm_change__set_text (store, e, id, "department",
				     f->department, error) &&
	       crm_change__set_text (store, e, id, "account", f->account,
				     error) &&
	       crm_change__set_text (store, e, id, "channel", f->channel,
				     error) &&
	       crm_change__set_int (store, e, id, "started", started, error) &&
	       interaction_write_counts (store, id, f, error);
}

/*
 * crm_interaction_start:
 * Validates and writes a new interaction; a zero start time means now.
 */
char *
crm_interaction_start (CrmStore *store,
		       const CrmInteraction *fields,
		       GError **error)
{
	const gsize max = CRM_STORE_MAX_FIELD_BYTES;
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (fields != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!crm_store__check_text (fields->agent, _("agent"), max, TRUE,
				    error) ||
	    !crm_store__check_text (fields->department, _("department"), max,
				    FALSE, error) ||
	    !crm_store__check_text (fields->account, _("account"), max, TRUE,
				    error) ||
	    !crm_store__check_text (fields->channel, _("channel"), max, TRUE,
				    error) ||
	    !interaction_check_counts (fields, error) ||
	    !crm_customer__require (store, fields->customer_id, error) ||
	    !crm_store__begin (store, error))
		return NULL;
	id = g_uuid_string_random ();
	if (!interaction_write (store, id, fields, error)) {
		crm_store__rollback (store);
		return NULL;
	}
	if (!crm_store__commit (store, error))
		return NULL;
	return g_steal_pointer (&id);
}

static gboolean
interaction_require (CrmStore *store, const char *id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	stmt = crm_store__prepare (store, "SELECT 1 FROM interaction WHERE "
				   "id = ?1 AND deleted = 0 AND "
				   "agent IS NOT NULL", error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW)
		return TRUE;
	if (rc == SQLITE_DONE)
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
			     _("No such interaction"));
	else
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read interaction");
	return FALSE;
}

/*
 * crm_interaction_update:
 * Writes the end, counts and first-response time that changed.
 */
gboolean
crm_interaction_update (CrmStore *store,
			const CrmInteraction *interaction,
			GError **error)
{
	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (interaction != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!crm_uuid_is_valid (interaction->id)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
			     _("No such interaction"));
		return FALSE;
	}
	if (!interaction_check_counts (interaction, error) ||
	    !interaction_require (store, interaction->id, error) ||
	    !crm_store__begin (store, error))
		return FALSE;
	if (!interaction_write_counts (store, interaction->id, interaction,
				       error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	return crm_store__commit (store, error);
}

/*
 * crm_interaction_list:
 * Interactions of the customer and its merged records, newest first.
 */
GPtrArray *
crm_interaction_list (CrmStore *store,
		      const char *customer_id,
		      guint limit,
		      GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (customer_id != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	id = crm_customer__resolve (store, customer_id, error);
	if (id == NULL)
		return NULL;
	stmt = crm_store__stmt (store, CRM_MERGE_TREE_CTE
				"SELECT " CRM_INTERACTION_COLUMNS
				" FROM interaction WHERE customer_id IN tree"
				" AND deleted = 0 "
				"ORDER BY started DESC, id DESC LIMIT ?2",
				error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, id);
	sqlite3_bind_int64 (stmt, 2, limit ? (gint64) limit : -1);
	return crm_store__collect (store, stmt,
				   (CrmRowReader) crm_interaction__from_row,
				   (GDestroyNotify) crm_interaction_free,
				   error);
}
