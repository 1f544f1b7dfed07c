/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * followup.c: follow-ups, their status and due time, and which occurrences
 * this replica has already notified.
 *
 * The follow-up itself replicates like every entity; the `notified` table
 * does not: each replica remembers what it showed its own user, so that a
 * restart or a second resume never notifies twice.
 */
#include "store-private.h"

#include <string.h>

/* Open follow-ups of live customers assigned to ?1 (agent) or ?2
 * (department) and not yet notified here for their current due time. */
#define FOLLOWUP_DUE_WHERE \
	" WHERE status = 0 AND deleted = 0 AND text IS NOT NULL" \
	" AND ((?1 IS NOT NULL AND assignee_agent = ?1)" \
	" OR (?2 IS NOT NULL AND assignee_department = ?2))" \
	" AND customer_id NOT IN (SELECT id FROM customer WHERE deleted = 1)" \
	" AND NOT EXISTS (SELECT 1 FROM notified n" \
	" WHERE n.followup_id = followup.id AND n.due_us = followup.due)"

/*
 * crm_followup_free:
 * Frees a follow-up and its strings.
 */
void
crm_followup_free (CrmFollowup *followup)
{
	if (followup == NULL)
		return;
	g_free (followup->id);
	g_free (followup->customer_id);
	g_free (followup->text);
	g_free (followup->tz);
	g_free (followup->rrule);
	g_free (followup->assignee_agent);
	g_free (followup->assignee_department);
	g_free (followup->created_by);
	g_free (followup->done_by);
	g_free (followup);
}

/*
 * crm_followup__from_row:
 * A follow-up from a row selected with CRM_FOLLOWUP_COLUMNS.
 */
CrmFollowup *
crm_followup__from_row (sqlite3_stmt *stmt)
{
	CrmFollowup *f = g_new0 (CrmFollowup, 1);

	f->id = crm_store__column_dup (stmt, 0);
	f->customer_id = crm_store__column_dup (stmt, 1);
	f->text = crm_store__column_dup (stmt, 2);
	f->due_us = sqlite3_column_int64 (stmt, 3);
	f->tz = crm_store__column_dup (stmt, 4);
	f->rrule = crm_store__column_dup (stmt, 5);
	f->assignee_agent = crm_store__column_dup (stmt, 6);
	f->assignee_department = crm_store__column_dup (stmt, 7);
	f->status = (CrmFollowupStatus) sqlite3_column_int (stmt, 8);
	f->created_by = crm_store__column_dup (stmt, 9);
	f->created_us = sqlite3_column_int64 (stmt, 10);
	f->done_by = crm_store__column_dup (stmt, 11);
	f->done_us = sqlite3_column_int64 (stmt, 12);
	return f;
}

static gboolean
followup_check (const CrmFollowup *f, GError **error)
{
	const gsize max = CRM_STORE_MAX_FIELD_BYTES;
	g_autoptr(GTimeZone) tz = NULL;

	if (!crm_store__check_text (f->text, _("follow-up text"),
				    CRM_STORE_MAX_TEXT_BYTES, TRUE, error) ||
	    !crm_store__check_text (f->tz, _("time zone"), max, TRUE, error) ||
	    !crm_store__check_text (f->rrule, _("recurrence rule"), max,
				    FALSE, error) ||
	    !crm_store__check_text (f->assignee_agent, _("assignee"), max,
				    FALSE, error) ||
	    !crm_store__check_text (f->assignee_department,
				    _("assignee department"), max, FALSE,
				    error) ||
	    !crm_store__check_text (f->created_by, _("author"), max, TRUE,
				    error))
		return FALSE;
	tz = g_time_zone_new_identifier (f->tz);
	if (tz == NULL) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("Unknown time zone “%s”"), f->tz);
		return FALSE;
	}
	if (f->rrule && strstr (f->rrule, "FREQ=") == NULL) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("A recurrence rule needs a FREQ= part"));
		return FALSE;
	}
	if ((f->assignee_agent == NULL || !*f->assignee_agent) &&
	    (f->assignee_department == NULL || !*f->assignee_department)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("A follow-up needs an assignee: an agent or a department"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
followup_write (CrmStore *store, const char *id, const CrmFollowup *f,
		GError **error)
{
	const CrmEntity e = CRM_ENTITY_FOLLOWUP;

	return crm_change__set_text (store, e, id, "customer_id",
				     f->customer_id, error) &&
	       crm_change__set_text (store, e, id, "text", f->text, error) &&
	       crm_change__set_int (store, e, id, "due", f->due_us, error) &&
	       crm_change__set_text (store, e, id, "tz", f->tz, error) &&
	       crm_change__set_text (store, e, id, "rrule", f->rrule, error) &&
	       crm_change__set_text (store, e, id, "assignee_agent",
				     f->assignee_agent, error) &&
	       crm_change__set_text (store, e, id, "assignee_department",
				     f->assignee_department, error) &&
	       crm_change__set_int (store, e, id, "status", CRM_FOLLOWUP_OPEN,
				    error) &&
	       crm_change__set_text (store, e, id, "created_by",
				     f->created_by, error) &&
	       crm_change__set_int (store, e, id, "created",
				    crm_store_now (store), error);
}

/*
 * crm_followup_add:
 * Validates (the time zone must be known to GLib) and writes a new open
 * follow-up in one transaction.
 */
char *
crm_followup_add (CrmStore *store, const CrmFollowup *fields, GError **error)
{
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (fields != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!followup_check (fields, error) ||
	    !crm_customer__require (store, fields->customer_id, error) ||
	    !crm_store__begin (store, error))
		return NULL;
	id = g_uuid_string_random ();
	if (!followup_write (store, id, fields, error)) {
		crm_store__rollback (store);
		return NULL;
	}
	if (!crm_store__commit (store, error))
		return NULL;
	return g_steal_pointer (&id);
}

/*
 * crm_followup_get:
 * Reads one follow-up; NOT_FOUND when unknown or deleted.
 */
CrmFollowup *
crm_followup_get (CrmStore *store, const char *id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (id != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	stmt = crm_store__prepare (store, "SELECT " CRM_FOLLOWUP_COLUMNS
				   " FROM followup WHERE id = ?1 AND "
				   "deleted = 0 AND text IS NOT NULL", error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, id);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW)
		return crm_followup__from_row (stmt);
	if (rc == SQLITE_DONE)
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
			     _("No such follow-up"));
	else
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read follow-up");
	return NULL;
}

/*
 * crm_followup_set_status:
 * Closing records who and when; reopening clears both.
 */
gboolean
crm_followup_set_status (CrmStore *store,
			 const char *id,
			 CrmFollowupStatus status,
			 const char *by,
			 GError **error)
{
	const CrmEntity e = CRM_ENTITY_FOLLOWUP;
	g_autoptr(CrmFollowup) f = NULL;
	gboolean open = status == CRM_FOLLOWUP_OPEN;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (id != NULL, FALSE);
	g_return_val_if_fail (status <= CRM_FOLLOWUP_CANCELLED, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!crm_store__check_text (by, _("agent"), CRM_STORE_MAX_FIELD_BYTES,
				    !open, error))
		return FALSE;
	f = crm_followup_get (store, id, error);
	if (f == NULL || !crm_store__begin (store, error))
		return FALSE;
	if (!crm_change__set_int (store, e, id, "status", status, error) ||
	    !crm_change__set_text (store, e, id, "done_by", open ? NULL : by,
				   error) ||
	    !crm_change__set_int (store, e, id, "done",
				  open ? 0 : crm_store_now (store), error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	return crm_store__commit (store, error);
}

/*
 * crm_followup_set_due:
 * Moves the due time (snooze, next occurrence of a recurring one).
 */
gboolean
crm_followup_set_due (CrmStore *store,
		      const char *id,
		      gint64 due_us,
		      GError **error)
{
	g_autoptr(CrmFollowup) f = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (id != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	f = crm_followup_get (store, id, error);
	if (f == NULL)
		return FALSE;
	return crm_change__set_int (store, CRM_ENTITY_FOLLOWUP, id, "due",
				    due_us, error);
}

/*
 * crm_followup_list:
 * One customer's (with merged records) or everybody's follow-ups, earliest
 * due first.
 */
GPtrArray *
crm_followup_list (CrmStore *store,
		   const char *customer_id,
		   gboolean open_only,
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
				"SELECT " CRM_FOLLOWUP_COLUMNS
				" FROM followup WHERE deleted = 0"
				" AND text IS NOT NULL"
				" AND (?1 IS NULL OR customer_id IN tree)"
				" AND (?2 = 0 OR status = 0)"
				" AND customer_id NOT IN (SELECT id FROM"
				" customer WHERE deleted = 1)"
				" ORDER BY due, id", error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, id);
	sqlite3_bind_int (stmt, 2, open_only ? 1 : 0);
	return crm_store__collect (store, stmt,
				   (CrmRowReader) crm_followup__from_row,
				   (GDestroyNotify) crm_followup_free, error);
}

/*
 * crm_followup_list_due:
 * What the reminder scheduler must show now on this replica.
 */
GPtrArray *
crm_followup_list_due (CrmStore *store,
		       const char *agent,
		       const char *department,
		       gint64 now_us,
		       GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	stmt = crm_store__prepare (store, "SELECT " CRM_FOLLOWUP_COLUMNS
				   " FROM followup" FOLLOWUP_DUE_WHERE
				   " AND due <= ?3 ORDER BY due, id", error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, agent);
	crm_store__bind_text (stmt, 2, department);
	sqlite3_bind_int64 (stmt, 3, now_us);
	return crm_store__collect (store, stmt,
				   (CrmRowReader) crm_followup__from_row,
				   (GDestroyNotify) crm_followup_free, error);
}

/*
 * crm_followup_next_due:
 * When the scheduler must wake next.
 */
gboolean
crm_followup_next_due (CrmStore *store,
		       const char *agent,
		       const char *department,
		       gint64 *out_due_us,
		       GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (out_due_us != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	stmt = crm_store__prepare (store, "SELECT min(due) FROM followup"
				   FOLLOWUP_DUE_WHERE, error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, agent);
	crm_store__bind_text (stmt, 2, department);
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "next due");
		return FALSE;
	}
	*out_due_us = sqlite3_column_type (stmt, 0) == SQLITE_NULL ?
		      G_MAXINT64 : sqlite3_column_int64 (stmt, 0);
	return TRUE;
}

/*
 * crm_followup_mark_notified:
 * Remembers a notified occurrence on this replica only (no change row).
 */
gboolean
crm_followup_mark_notified (CrmStore *store,
			    const char *id,
			    gint64 due_us,
			    GError **error)
{
	g_autoptr(CrmFollowup) f = NULL;
	g_autoptr(sqlite3_stmt) stmt = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (id != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	f = crm_followup_get (store, id, error);
	if (f == NULL)
		return FALSE;
	stmt = crm_store__prepare (store, "INSERT OR IGNORE INTO notified "
				   "(followup_id, due_us) VALUES (?1, ?2)",
				   error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	sqlite3_bind_int64 (stmt, 2, due_us);
	return crm_store__step_done (store, stmt, error);
}
