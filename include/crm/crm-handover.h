/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-handover.h: passing a customer to another department or agent.
 */
#ifndef CRM_HANDOVER_H
#define CRM_HANDOVER_H

#include <glib.h>
#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmHandover:
 * @id: UUID.
 * @customer_id: the customer.
 * @from_agent: the sender.
 * @from_department: (nullable): the sender's department.
 * @to_department: (nullable): the receiving department.
 * @to_agent: (nullable): or the receiving agent.
 * @note: (nullable): what the receiver should know.
 * @created_us: when it was made, UTC microseconds.
 * @accepted_by: (nullable): who accepted it.
 * @accepted_us: when, or 0 while pending.
 *
 * Since: 0.1
 */
typedef struct {
	char *id;
	char *customer_id;
	char *from_agent;
	char *from_department;
	char *to_department;
	char *to_agent;
	char *note;
	gint64 created_us;
	char *accepted_by;
	gint64 accepted_us;
} CrmHandover;

void crm_handover_free (CrmHandover *handover);

/**
 * crm_handover_create:
 * @store: the store.
 * @fields: the handover; @customer_id, @from_agent and one of
 *   @to_department or @to_agent are required.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full): the new id, or %NULL with @error set.
 */
char *crm_handover_create (CrmStore *store,
			   const CrmHandover *fields,
			   GError **error);

/**
 * crm_handover_accept:
 * @store: the store.
 * @id: a handover id.
 * @agent: who accepts it.
 * @error: return location for a #GError.
 *
 * %CRM_STORE_ERROR_CONFLICT when it was already accepted by someone else.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_handover_accept (CrmStore *store,
			      const char *id,
			      const char *agent,
			      GError **error);

/**
 * crm_handover_list:
 * @store: the store.
 * @customer_id: (nullable): one customer, or %NULL for all.
 * @pending_only: only those not yet accepted.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full) (element-type CrmHandover): newest first, or
 *   %NULL with @error set.
 */
GPtrArray *crm_handover_list (CrmStore *store,
			      const char *customer_id,
			      gboolean pending_only,
			      GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmHandover, crm_handover_free)

G_END_DECLS

#endif /* CRM_HANDOVER_H */
