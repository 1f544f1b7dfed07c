/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-followup.h: follow-ups with a due time, an assignee and a status.
 *
 * The due time is kept in UTC microseconds beside the IANA time zone it was
 * written in, so that a recurring follow-up keeps its local wall time across
 * daylight-saving changes.  Which occurrences were already notified is kept
 * per replica (never replicated), so that no replica notifies twice.
 */
#ifndef CRM_FOLLOWUP_H
#define CRM_FOLLOWUP_H

#include <glib.h>
#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmFollowupStatus:
 * @CRM_FOLLOWUP_OPEN: waiting.
 * @CRM_FOLLOWUP_DONE: done by someone.
 * @CRM_FOLLOWUP_CANCELLED: no longer wanted.
 *
 * Since: 0.1
 */
typedef enum {
	CRM_FOLLOWUP_OPEN = 0,
	CRM_FOLLOWUP_DONE = 1,
	CRM_FOLLOWUP_CANCELLED = 2,
} CrmFollowupStatus;

/**
 * CrmFollowup:
 * @id: UUID.
 * @customer_id: the customer.
 * @text: what to do; never empty.
 * @due_us: the (next) due time, UTC microseconds.
 * @tz: the IANA time zone it was written in, e.g. `Europe/Berlin`.
 * @rrule: (nullable): an RFC 5545 recurrence rule, e.g. `FREQ=DAILY`.
 * @assignee_agent: (nullable): the agent who must do it.
 * @assignee_department: (nullable): or the department.
 * @status: open, done or cancelled.
 * @created_by: the agent who wrote it.
 * @created_us: when, UTC microseconds.
 * @done_by: (nullable): who closed it.
 * @done_us: when it was closed, or 0.
 *
 * Since: 0.1
 */
typedef struct {
	char *id;
	char *customer_id;
	char *text;
	gint64 due_us;
	char *tz;
	char *rrule;
	char *assignee_agent;
	char *assignee_department;
	CrmFollowupStatus status;
	char *created_by;
	gint64 created_us;
	char *done_by;
	gint64 done_us;
} CrmFollowup;

void crm_followup_free (CrmFollowup *followup);

/**
 * crm_followup_add:
 * @store: the store.
 * @fields: the follow-up; @customer_id, @text, @due_us, @tz and
 *   @created_by are required, and one of the assignees.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full): the new id, or %NULL with @error set.
 */
char *crm_followup_add (CrmStore *store,
			const CrmFollowup *fields,
			GError **error);

/**
 * crm_followup_get:
 * @store: the store.
 * @id: a follow-up id.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full): the follow-up, or %NULL with @error set.
 */
CrmFollowup *crm_followup_get (CrmStore *store,
			       const char *id,
			       GError **error);

/**
 * crm_followup_set_status:
 * @store: the store.
 * @id: a follow-up id.
 * @status: the new status.
 * @by: the agent who changed it.
 * @error: return location for a #GError.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_followup_set_status (CrmStore *store,
				  const char *id,
				  CrmFollowupStatus status,
				  const char *by,
				  GError **error);

/**
 * crm_followup_set_due:
 * @store: the store.
 * @id: a follow-up id.
 * @due_us: the new due time (snooze, next occurrence), UTC microseconds.
 * @error: return location for a #GError.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_followup_set_due (CrmStore *store,
			       const char *id,
			       gint64 due_us,
			       GError **error);

/**
 * crm_followup_list:
 * @store: the store.
 * @customer_id: (nullable): one customer, or %NULL for every customer.
 * @open_only: only open follow-ups.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full) (element-type CrmFollowup): earliest due first,
 *   or %NULL with @error set.
 */
GPtrArray *crm_followup_list (CrmStore *store,
			      const char *customer_id,
			      gboolean open_only,
			      GError **error);

/**
 * crm_followup_list_due:
 * @store: the store.
 * @agent: (nullable): this replica's agent name.
 * @department: (nullable): this replica's department.
 * @now_us: the wall clock, UTC microseconds.
 * @error: return location for a #GError.
 *
 * The open follow-ups assigned to @agent or @department that are due at or
 * before @now_us and not yet notified on this replica for their current due
 * time.
 *
 * Returns: (transfer full) (element-type CrmFollowup): earliest first, or
 *   %NULL with @error set.
 */
GPtrArray *crm_followup_list_due (CrmStore *store,
				  const char *agent,
				  const char *department,
				  gint64 now_us,
				  GError **error);

/**
 * crm_followup_next_due:
 * @store: the store.
 * @agent: (nullable): this replica's agent name.
 * @department: (nullable): this replica's department.
 * @out_due_us: (out): the earliest due time not yet notified, or
 *   %G_MAXINT64 when there is none.
 * @error: return location for a #GError.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_followup_next_due (CrmStore *store,
				const char *agent,
				const char *department,
				gint64 *out_due_us,
				GError **error);

/**
 * crm_followup_mark_notified:
 * @store: the store.
 * @id: a follow-up id.
 * @due_us: the occurrence that was notified.
 * @error: return location for a #GError.
 *
 * Remembers, on this replica only, that this occurrence was notified.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_followup_mark_notified (CrmStore *store,
				     const char *id,
				     gint64 due_us,
				     GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmFollowup, crm_followup_free)

G_END_DECLS

#endif /* CRM_FOLLOWUP_H */
