/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-scheduler.c: notifying follow-ups when they fall due.
 *
 * The scheduler reads the wall clock (the store's clock) every few seconds
 * instead of counting down to a due time, so it is right after a suspend,
 * a resume or a clock change: whatever is due at the time of a tick is
 * notified.  The store remembers, per replica, which occurrence of a
 * follow-up was notified; so each fires once here even across restarts,
 * and what fell due while the client was closed fires at the first tick,
 * marked overdue.  When the next due time is closer than a tick, a
 * one-shot timeout fires at that moment.  Notifications go through the
 * notifier with done / snooze / open-chat actions, which come back to
 * crm_scheduler_on_action().
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include <connection.h>
#include <debug.h>
#include <eventloop.h>

#include "crm-card-format.h"
#include "crm-notifier.h"
#include "crm-plugin-private.h"
#include "crm-prefs.h"

#define TICK_SECONDS 5
/* Notified this long after its due time, a follow-up reads "overdue". */
#define LATE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define SNOOZE_SHORT_US (G_GINT64_CONSTANT (10 * 60) * G_USEC_PER_SEC)
#define SNOOZE_LONG_US (G_GINT64_CONSTANT (60 * 60) * G_USEC_PER_SEC)

static struct {
	guint tick_id;
	guint soon_id;
	gboolean failing;	/* the last tick failed and was logged */
} sched;

/*
 * The agent names this replica answers for: the preference, or the name
 * of each connected account, without repeats.
 */
static GPtrArray *
agent_names (void)
{
	GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
	GList *l;

	for (l = purple_connections_get_all (); l != NULL; l = l->next) {
		char *name = crm_prefs_agent_name
			(purple_connection_get_account (l->data));

		if (g_ptr_array_find_with_equal_func (names, name, g_str_equal,
						      NULL))
			g_free (name);
		else
			g_ptr_array_add (names, name);
	}
	if (names->len == 0)
		g_ptr_array_add (names, crm_prefs_agent_name (NULL));
	return names;
}

/* Logs a failed tick once, until a tick succeeds again. */
static void
tick_failed (const GError *error)
{
	if (sched.failing)
		return;
	sched.failing = TRUE;
	purple_debug_warning (CRM_DEBUG_CATEGORY, "checking due follow-ups: "
			      "%s %d\n", g_quark_to_string (error->domain),
			      error->code);
}

/* The body of a reminder: customer — text, then when it was due. */
static char *
reminder_body (const CrmFollowup *f, const char *customer, gint64 now_us)
{
	GTimeZone *tz = g_time_zone_new_local ();
	char *when = crm_card_format_time (f->due_us, tz, now_us);
	char *body;

	if (now_us - f->due_us > LATE_US)
		/* Translators: a reminder's text: the customer, what to do,
		 * and when it was due (it is late). */
		body = g_strdup_printf (_("%s — %s\nOverdue: was due %s"),
					customer, f->text, when);
	else
		/* Translators: a reminder's text: the customer, what to do,
		 * and when it is due. */
		body = g_strdup_printf (_("%s — %s\nDue %s"), customer,
					f->text, when);
	g_free (when);
	g_time_zone_unref (tz);
	return body;
}

/* Notifies one due follow-up. */
static void
notify_followup (CrmStore *store, const CrmFollowup *f, gint64 now_us)
{
	CrmCustomer *c = crm_customer_get (store, f->customer_id, NULL);
	char *customer = c != NULL ? crm_card_format_customer_title (c)
				   : g_strdup (_("a customer"));
	char *body = reminder_body (f, customer, now_us);

	if (c == NULL)
		purple_debug_warning (CRM_DEBUG_CATEGORY, "a due follow-up's "
				      "customer could not be read\n");
	crm_notifier_show (_("Follow-up due"), body, f->id,
			   CRM_NOTIFIER_ACTION_DONE |
			   CRM_NOTIFIER_ACTION_SNOOZE_10_MIN |
			   CRM_NOTIFIER_ACTION_SNOOZE_1_H |
			   CRM_NOTIFIER_ACTION_OPEN_CHAT,
			   crm_plugin_find_customer_conv (f->customer_id));
	g_free (body);
	g_free (customer);
	if (c != NULL)
		crm_customer_free (c);
}

/*
 * Notifies what is due for @agent or @department at @now_us and marks
 * each occurrence notified on this replica.
 */
static gboolean
notify_due (CrmStore *store, const char *agent, const char *department,
	    gint64 now_us, GError **error)
{
	GPtrArray *due = crm_followup_list_due (store, agent, department,
						now_us, error);
	guint i;

	if (due == NULL)
		return FALSE;
	for (i = 0; i < due->len; i++) {
		const CrmFollowup *f = g_ptr_array_index (due, i);

		/* FIXME(#5): a recurring follow-up is not moved on to its
		 * next occurrence here, so a daily one reminds only once
		 * until the reminders issue evaluates its rule. */
		notify_followup (store, f, now_us);
		if (!crm_followup_mark_notified (store, f->id, f->due_us,
						 error)) {
			g_ptr_array_unref (due);
			return FALSE;
		}
	}
	g_ptr_array_unref (due);
	return TRUE;
}

static gboolean soon_cb (gpointer data);

/* When the next due time is nearer than a tick, wake up for it. */
static void
plan_soon (CrmStore *store, GPtrArray *names, const char *department,
	   gint64 now_us)
{
	gint64 next = G_MAXINT64;
	guint i;

	for (i = 0; i < names->len; i++) {
		gint64 due = G_MAXINT64;

		if (crm_followup_next_due (store, names->pdata[i], department,
					   &due, NULL))
			next = MIN (next, due);
	}
	if (sched.soon_id != 0 || next == G_MAXINT64 ||
	    next - now_us >= TICK_SECONDS * G_USEC_PER_SEC)
		return;
	sched.soon_id = purple_timeout_add ((guint) (MAX (next - now_us, 0) /
						     1000 + 1), soon_cb, NULL);
}

/* One look at the wall clock: notify what is due, plan the next look. */
static void
tick (void)
{
	CrmStore *store = crm_plugin_get_store ();
	GPtrArray *names;
	char *department;
	gint64 now_us;
	GError *error = NULL;
	guint i;
	gboolean ok = TRUE;

	if (store == NULL)
		return;
	names = agent_names ();
	department = crm_prefs_department ();
	now_us = crm_store_now (store);
	for (i = 0; i < names->len && ok; i++)
		ok = notify_due (store, names->pdata[i], department, now_us,
				 &error);
	if (ok) {
		sched.failing = FALSE;
		plan_soon (store, names, department, now_us);
	} else {
		tick_failed (error);
		g_error_free (error);
	}
	g_free (department);
	g_ptr_array_unref (names);
}

/* The regular tick. */
static gboolean
tick_cb (gpointer data)
{
	tick ();
	return TRUE;
}

/* The one-shot wake-up for a due time between two ticks. */
static gboolean
soon_cb (gpointer data)
{
	sched.soon_id = 0;
	tick ();
	return FALSE;
}

/* Starts the regular tick and looks at the clock right away.  At load. */
void
crm_scheduler_start (void)
{
	if (sched.tick_id == 0)
		sched.tick_id = purple_timeout_add_seconds (TICK_SECONDS,
							    tick_cb, NULL);
	crm_scheduler_poke ();
}

/* Stops every timeout of the scheduler.  At unload. */
void
crm_scheduler_stop (void)
{
	if (sched.tick_id != 0)
		purple_timeout_remove (sched.tick_id);
	if (sched.soon_id != 0)
		purple_timeout_remove (sched.soon_id);
	sched.tick_id = 0;
	sched.soon_id = 0;
	sched.failing = FALSE;
}

/*
 * Looks at the clock as soon as the main loop is free: the store opened,
 * an account signed on, a follow-up was added or the agent changed.
 */
void
crm_scheduler_poke (void)
{
	if (sched.tick_id == 0)
		return;
	if (sched.soon_id != 0)
		purple_timeout_remove (sched.soon_id);
	sched.soon_id = purple_timeout_add (0, soon_cb, NULL);
}

/* Says in the customer's conversation (if open) what an action did. */
static void
confirm_action (const CrmFollowup *f, const char *text)
{
	PurpleConversation *conv = crm_plugin_find_customer_conv
		(f->customer_id);

	if (conv != NULL)
		crm_plugin_write_text (conv, text);
}

/* Applies a reminder's action to follow-up @f. */
static gboolean
apply_action (CrmStore *store, CrmNotifierAction action, CrmFollowup *f,
	      GError **error)
{
	gint64 now_us = crm_store_now (store);
	char *text, *agent;
	gboolean ok = TRUE;

	switch (action) {
	case CRM_NOTIFIER_ACTION_DONE:
		agent = crm_prefs_agent_name (NULL);
		ok = crm_followup_set_status (store, f->id, CRM_FOLLOWUP_DONE,
					      agent, error);
		g_free (agent);
		text = g_strdup_printf (_("Follow-up done: %s"), f->text);
		break;
	case CRM_NOTIFIER_ACTION_SNOOZE_10_MIN:
	case CRM_NOTIFIER_ACTION_SNOOZE_1_H:
		ok = crm_followup_set_due (store, f->id, now_us +
			(action == CRM_NOTIFIER_ACTION_SNOOZE_1_H
			 ? SNOOZE_LONG_US : SNOOZE_SHORT_US), error);
		text = g_strdup_printf (action == CRM_NOTIFIER_ACTION_SNOOZE_1_H
					? _("Follow-up snoozed for 1 hour: %s")
					: _("Follow-up snoozed for 10 minutes: "
					    "%s"), f->text);
		break;
	case CRM_NOTIFIER_ACTION_OPEN_CHAT:
		crm_plugin_open_customer_chat (f->customer_id);
		return TRUE;
	default:
		return TRUE;
	}
	if (ok)
		confirm_action (f, text);
	g_free (text);
	return ok;
}

/*
 * A reminder's button was pressed: done closes the follow-up, snooze
 * moves its due time 10 minutes or an hour from now, open chat brings
 * the customer's conversation up.
 */
void
crm_scheduler_on_action (int action, const char *followup_id,
			 gpointer user_data)
{
	CrmStore *store = crm_plugin_get_store ();
	PurpleConversation *conv;
	CrmFollowup *f;
	GError *error = NULL;

	if (store == NULL) {
		g_set_error_literal (&error, CRM_STORE_ERROR,
				     CRM_STORE_ERROR_FAILED,
				     crm_plugin_get_store_problem ());
		crm_plugin_write_failure (NULL, _("The reminder's action was "
						  "not done."), error);
		g_error_free (error);
		return;
	}
	f = crm_followup_get (store, followup_id, &error);
	if (f == NULL || !apply_action (store, action, f, &error)) {
		conv = f != NULL ? crm_plugin_find_customer_conv
				   (f->customer_id) : NULL;
		crm_plugin_write_failure (conv, _("The reminder's action was "
						  "not done."), error);
		g_clear_error (&error);
	}
	if (f != NULL)
		crm_followup_free (f);
	crm_scheduler_poke ();
}
