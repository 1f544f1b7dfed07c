/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent.c: the team directory, one entry per (replica, chat account).
 *
 * An agent entry's id is derived from the replica id and the account, so
 * registering again updates the same entry instead of adding another.
 */
#include "store-private.h"

#define AGENT_NAMESPACE "chatcrm/agent"

/*
 * crm_agent_free:
 * Frees an agent entry and its strings.
 */
void
crm_agent_free (CrmAgent *agent)
{
	if (agent == NULL)
		return;
	g_free (agent->id);
	g_free (agent->replica);
	g_free (agent->name);
	g_free (agent->department);
	g_free (agent->account);
	g_free (agent);
}

/*
 * crm_agent_register_self:
 * Writes the fields of this replica's entry that changed.
 */
gboolean
crm_agent_register_self (CrmStore *store,
			 const char *name,
			 const char *department,
			 const char *account,
			 GError **error)
{
	const gsize max = CRM_STORE_MAX_FIELD_BYTES;
	const CrmEntity e = CRM_ENTITY_AGENT;
	g_autofree char *key = NULL;
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!crm_store__check_text (name, _("agent name"), max, TRUE, error) ||
	    !crm_store__check_text (department, _("department"), max, FALSE,
				    error) ||
	    !crm_store__check_text (account, _("account"), max, FALSE, error))
		return FALSE;
	key = g_strdup_printf ("%s\n%s", store->replica_id,
			       account ? account : "");
	id = crm_store__uuid_from_name (AGENT_NAMESPACE, key);
	if (!crm_store__begin (store, error))
		return FALSE;
	if (!crm_change__set_text (store, e, id, "replica", store->replica_id,
				   error) ||
	    !crm_change__set_text (store, e, id, "name", name, error) ||
	    !crm_change__set_text (store, e, id, "department", department,
				   error) ||
	    !crm_change__set_text (store, e, id, "account", account, error) ||
	    !crm_change__set_int (store, e, id, "deleted", 0, error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	return crm_store__commit (store, error);
}

static CrmAgent *
agent_from_row (sqlite3_stmt *stmt)
{
	CrmAgent *a = g_new0 (CrmAgent, 1);

	a->id = crm_store__column_dup (stmt, 0);
	a->replica = crm_store__column_dup (stmt, 1);
	a->name = crm_store__column_dup (stmt, 2);
	a->department = crm_store__column_dup (stmt, 3);
	a->account = crm_store__column_dup (stmt, 4);
	return a;
}

/*
 * crm_agent_list:
 * Every agent known to this replica, by name.
 */
GPtrArray *
crm_agent_list (CrmStore *store, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	stmt = crm_store__prepare (store, "SELECT id, replica, name, "
				   "department, account FROM agent "
				   "WHERE deleted = 0 AND name IS NOT NULL "
				   "ORDER BY name, id", error);
	if (stmt == NULL)
		return NULL;
	return crm_store__collect (store, stmt, (CrmRowReader) agent_from_row,
				   (GDestroyNotify) crm_agent_free, error);
}
