/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-notes-followups.c: notes, interactions, follow-ups (due lists and
 * the per-replica notified memory), handovers, agents and the card.
 */
#include "test-common.h"

#define T0 G_GINT64_CONSTANT (1767225600000000)	/* 2026-01-01 UTC */
#define MINUTE G_TIME_SPAN_MINUTE

static void
test_notes (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) store = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autofree char *id = test_customer (store, "Ines Duarte", NULL);
	g_autofree char *big = g_strnfill (CRM_NOTE_MAX_BYTES + 1, 'x');
	g_autofree char *max = g_strnfill (CRM_NOTE_MAX_BYTES, 'x');
	g_autoptr(GPtrArray) notes = NULL;
	char *n;
	int i;

	for (i = 0; i < 3; i++) {
		g_autofree char *body = g_strdup_printf ("note %d", i);

		clock.now += MINUTE;
		n = crm_note_add (store, id, "ana", "support", body, &error);
		g_assert_no_error (error);
		g_free (n);
	}
	notes = crm_note_list (store, id, 2, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (notes->len, ==, 2);
	g_assert_cmpstr (((CrmNote *) notes->pdata[0])->body, ==, "note 2");
	g_assert_cmpint (((CrmNote *) notes->pdata[0])->created_us, ==,
			 T0 + 3 * MINUTE);
	g_assert_cmpstr (((CrmNote *) notes->pdata[1])->department, ==,
			 "support");

	n = crm_note_add (store, id, "ana", NULL, max, &error);
	g_assert_no_error (error);
	g_free (n);
	g_assert_null (crm_note_add (store, id, "ana", NULL, big, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	g_assert_null (crm_note_add (store, id, "ana", NULL, "\xff\xfe",
				     &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	g_assert_null (crm_note_add (store, id, "ana", NULL, " \n ", &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	g_assert_null (crm_note_add (store, id, "", NULL, "x", &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	g_assert_null (crm_note_add (store, "0f0e0d0c-0b0a-4908-8706-"
				     "050403020100", "ana", NULL, "x",
				     &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_true (crm_customer_delete (store, id, NULL));
	g_assert_null (crm_note_add (store, id, "ana", NULL, "x", &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
}

static void
test_interactions (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) store = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autofree char *cid = test_customer (store, "Karl Weber", NULL);
	CrmInteraction f = { NULL, cid, "ana", "support", "ana@example.org",
			     "prpl-jabber", 0, 0, 1, 0, -1 };
	g_autofree char *id = NULL;
	g_autoptr(GPtrArray) list = NULL;
	CrmInteraction *i;
	gint64 before;

	id = crm_interaction_start (store, &f, &error);
	g_assert_no_error (error);
	f.id = id;
	f.msgs_out = 1;
	f.first_response_us = 42 * G_USEC_PER_SEC;
	before = test_changes (store);
	g_assert_true (crm_interaction_update (store, &f, &error));
	g_assert_no_error (error);
	g_assert_cmpint (test_changes (store), ==, before + 2);
	list = crm_interaction_list (store, cid, 0, &error);
	g_assert_cmpuint (list->len, ==, 1);
	i = list->pdata[0];
	g_assert_cmpint (i->started_us, ==, T0);
	g_assert_cmpint (i->msgs_in, ==, 1);
	g_assert_cmpint (i->msgs_out, ==, 1);
	g_assert_cmpint (i->first_response_us, ==, 42 * G_USEC_PER_SEC);
	g_assert_cmpstr (i->channel, ==, "prpl-jabber");

	f.msgs_in = -1;
	g_assert_false (crm_interaction_update (store, &f, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	f.msgs_in = 1;
	f.id = "0f0e0d0c-0b0a-4908-8706-050403020100";
	g_assert_false (crm_interaction_update (store, &f, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	f.agent = NULL;
	g_assert_null (crm_interaction_start (store, &f, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static char *
add_followup (CrmStore *store, const char *cid, const char *text,
	      gint64 due, const char *agent, const char *dept)
{
	g_autoptr(GError) error = NULL;
	CrmFollowup f = { 0 };
	char *id;

	f.customer_id = (char *) cid;
	f.text = (char *) text;
	f.due_us = due;
	f.tz = "Europe/Berlin";
	f.assignee_agent = (char *) agent;
	f.assignee_department = (char *) dept;
	f.created_by = "ana";
	id = crm_followup_add (store, &f, &error);
	g_assert_no_error (error);
	return id;
}

static void
test_followups (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) store = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autofree char *cid = test_customer (store, "Yuki Sato", NULL);
	g_autofree char *a = add_followup (store, cid, "call", T0 + 120 * MINUTE,
					   "ana", NULL);
	g_autofree char *b = add_followup (store, cid, "mail", T0 + 60 * MINUTE,
					   NULL, "billing");
	g_autofree char *c = add_followup (store, cid, "quote", T0 + 90 * MINUTE,
					   "bob", NULL);
	g_autoptr(GPtrArray) due = NULL;
	g_autoptr(GPtrArray) all = NULL;
	g_autoptr(CrmFollowup) got = NULL;
	gint64 next = 0, changes;
	CrmFollowup bad = { 0 };

	g_assert_true (crm_followup_next_due (store, "ana", "billing", &next,
					      &error));
	g_assert_cmpint (next, ==, T0 + 60 * MINUTE);
	due = crm_followup_list_due (store, "ana", "billing", T0 + 200 * MINUTE,
				     &error);
	g_assert_no_error (error);
	g_assert_cmpuint (due->len, ==, 2);
	g_assert_cmpstr (((CrmFollowup *) due->pdata[0])->id, ==, b);
	g_assert_cmpstr (((CrmFollowup *) due->pdata[1])->id, ==, a);

	/* Notified here: not listed again, until its due time moves; the
	 * memory is local, never a change. */
	changes = test_changes (store);
	g_assert_true (crm_followup_mark_notified (store, b, T0 + 60 * MINUTE,
						   &error));
	g_assert_true (crm_followup_mark_notified (store, b, T0 + 60 * MINUTE,
						   &error));
	g_assert_cmpint (test_changes (store), ==, changes);
	g_clear_pointer (&due, g_ptr_array_unref);
	due = crm_followup_list_due (store, "ana", "billing", T0 + 200 * MINUTE,
				     NULL);
	g_assert_cmpuint (due->len, ==, 1);
	g_assert_true (crm_followup_set_due (store, b, T0 + 300 * MINUTE,
					     &error));
	g_assert_true (crm_followup_next_due (store, "ana", "billing", &next,
					      NULL));
	g_assert_cmpint (next, ==, T0 + 120 * MINUTE);

	g_assert_true (crm_followup_set_status (store, a, CRM_FOLLOWUP_DONE,
						"ana", &error));
	got = crm_followup_get (store, a, &error);
	g_assert_cmpint (got->status, ==, CRM_FOLLOWUP_DONE);
	g_assert_cmpstr (got->done_by, ==, "ana");
	g_assert_cmpint (got->done_us, ==, T0);
	all = crm_followup_list (store, cid, TRUE, &error);
	g_assert_cmpuint (all->len, ==, 2);
	g_assert_cmpstr (((CrmFollowup *) all->pdata[0])->id, ==, c);
	g_assert_true (crm_followup_next_due (store, "zed", NULL, &next, NULL));
	g_assert_cmpint (next, ==, G_MAXINT64);

	bad.customer_id = cid;
	bad.text = "x";
	bad.tz = "Mars/Olympus";
	bad.assignee_agent = "ana";
	bad.created_by = "ana";
	g_assert_null (crm_followup_add (store, &bad, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	bad.tz = "UTC";
	bad.assignee_agent = NULL;
	g_assert_null (crm_followup_add (store, &bad, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static void
test_handovers (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *cid = test_customer (store, "Noor Haddad", NULL);
	CrmHandover f = { NULL, cid, "ana", "support", "billing", NULL,
			  "refund question", 0, NULL, 0 };
	g_autofree char *id = crm_handover_create (store, &f, &error);
	g_autoptr(GPtrArray) pending = NULL;
	g_autoptr(GPtrArray) all = NULL;

	g_assert_no_error (error);
	pending = crm_handover_list (store, NULL, TRUE, &error);
	g_assert_cmpuint (pending->len, ==, 1);
	g_assert_true (crm_handover_accept (store, id, "bob", &error));
	g_assert_true (crm_handover_accept (store, id, "bob", &error));
	g_assert_false (crm_handover_accept (store, id, "carl", &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT);
	g_clear_error (&error);
	g_clear_pointer (&pending, g_ptr_array_unref);
	pending = crm_handover_list (store, cid, TRUE, &error);
	g_assert_cmpuint (pending->len, ==, 0);
	all = crm_handover_list (store, cid, FALSE, &error);
	g_assert_cmpuint (all->len, ==, 1);
	g_assert_cmpstr (((CrmHandover *) all->pdata[0])->accepted_by, ==,
			 "bob");
	f.to_department = NULL;
	g_assert_null (crm_handover_create (store, &f, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static void
test_agents (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	gint64 n;

	g_assert_true (crm_agent_register_self (store, "ana", "support",
						"ana@example.org", &error));
	n = test_changes (store);
	g_assert_true (crm_agent_register_self (store, "ana", "support",
						"ana@example.org", &error));
	g_assert_cmpint (test_changes (store), ==, n);
	g_assert_true (crm_agent_register_self (store, "ana", "billing",
						"ana@example.org", &error));
	g_assert_cmpint (test_changes (store), ==, n + 1);
	list = crm_agent_list (store, &error);
	g_assert_cmpuint (list->len, ==, 1);
	g_assert_cmpstr (((CrmAgent *) list->pdata[0])->department, ==,
			 "billing");
	g_assert_cmpstr (((CrmAgent *) list->pdata[0])->replica, ==,
			 crm_store_get_replica_id (store));
	g_assert_false (crm_agent_register_self (store, " ", NULL, NULL,
						 &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static void
test_card (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) store = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autofree char *cid = test_customer (store, "Mira Kovac", NULL);
	g_autofree char *f1 = add_followup (store, cid, "later", T0 + 90 * MINUTE,
					    "ana", NULL);
	g_autofree char *f2 = add_followup (store, cid, "sooner",
					    T0 + 30 * MINUTE, "ana", NULL);
	CrmInteraction in = { NULL, cid, "ana", NULL, "ana@example.org",
			      "prpl-jabber", 0, 0, 0, 0, -1 };
	CrmHandover h = { NULL, cid, "ana", NULL, "billing", NULL, NULL, 0,
			  NULL, 0 };
	g_autoptr(CrmCard) card = NULL;
	int i;

	g_assert_nonnull (f1);
	for (i = 0; i < 7; i++) {
		g_autofree char *n = NULL;

		clock.now += MINUTE;
		n = crm_note_add (store, cid, "ana", NULL, "note", &error);
		g_assert_no_error (error);
	}
	g_free (crm_interaction_start (store, &in, &error));
	g_free (crm_handover_create (store, &h, &error));
	g_assert_true (crm_identity_link (store, cid, "prpl-jabber",
					  "mira@shop.example", NULL, &error));
	g_assert_no_error (error);

	card = crm_card_load (store, cid, 3, 5, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (card->customer->name, ==, "Mira Kovac");
	g_assert_cmpuint (card->identities->len, ==, 1);
	g_assert_cmpuint (card->followups->len, ==, 2);
	g_assert_cmpstr (((CrmFollowup *) card->followups->pdata[0])->id, ==,
			 f2);
	g_assert_cmpuint (card->notes->len, ==, 3);
	g_assert_cmpint (card->n_notes_total, ==, 7);
	g_assert_cmpuint (card->interactions->len, ==, 1);
	g_assert_cmpuint (card->handovers->len, ==, 1);
	g_clear_pointer (&card, crm_card_free);
	card = crm_card_load (store, "0f0e0d0c-0b0a-4908-8706-050403020100",
			      3, 3, &error);
	g_assert_null (card);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/notes/add-list-validate", test_notes);
	g_test_add_func ("/store/interactions/start-update-list",
			 test_interactions);
	g_test_add_func ("/store/followups/due-notified", test_followups);
	g_test_add_func ("/store/handovers/create-accept", test_handovers);
	g_test_add_func ("/store/agents/register-self", test_agents);
	g_test_add_func ("/store/card/load", test_card);
	return g_test_run ();
}
