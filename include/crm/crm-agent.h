/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-agent.h: the directory of who is on the team.
 */
#ifndef CRM_AGENT_H
#define CRM_AGENT_H

#include <glib.h>
#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmAgent:
 * @id: UUID; one per (replica, account).
 * @replica: the replica id of the agent's store.
 * @name: the agent's name.
 * @department: (nullable): the agent's department.
 * @account: (nullable): the agent's chat account.
 *
 * Since: 0.1
 */
typedef struct {
	char *id;
	char *replica;
	char *name;
	char *department;
	char *account;
} CrmAgent;

void crm_agent_free (CrmAgent *agent);

/**
 * crm_agent_register_self:
 * @store: the store.
 * @name: the agent's name; not empty.
 * @department: (nullable): the agent's department.
 * @account: (nullable): the agent's chat account.
 * @error: return location for a #GError.
 *
 * Creates or updates this replica's agent entry (only fields that changed
 * are written).
 *
 * Returns: %TRUE on success.
 */
gboolean crm_agent_register_self (CrmStore *store,
				  const char *name,
				  const char *department,
				  const char *account,
				  GError **error);

/**
 * crm_agent_list:
 * @store: the store.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full) (element-type CrmAgent): by name, or %NULL with
 *   @error set.
 */
GPtrArray *crm_agent_list (CrmStore *store, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmAgent, crm_agent_free)

G_END_DECLS

#endif /* CRM_AGENT_H */
