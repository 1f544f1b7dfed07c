/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-card-format.c: the customer card and list formatters.
 *
 * Cards are built by hand (no database) and formatted in UTC at a fixed
 * "now", so every line can be compared exactly.  Checks that each part of
 * the card appears only when the customer has it, that every value is
 * escaped, that overdue follow-ups are marked and come first, and the
 * exact text of the hint an unknown buddy gets.
 */
#include "crm-config.h"

#include <locale.h>
#include <string.h>

#include "crm-card-format.h"

/* 2026-05-04 12:00:00 UTC, a Monday. */
#define NOW_US (G_GINT64_CONSTANT (1777896000) * G_USEC_PER_SEC)
#define HOUR_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define DAY_US (24 * HOUR_US)

static GTimeZone *utc;

static CrmCard *
card_new (const char *name)
{
	CrmCard *card = g_new0 (CrmCard, 1);

	card->customer = crm_customer_new ();
	card->customer->id = g_strdup ("0c42d237-e750-4783-ba9d-ab5fc491ccf4");
	card->customer->name = g_strdup (name);
	card->identities = g_ptr_array_new_with_free_func
		((GDestroyNotify) crm_identity_free);
	card->followups = g_ptr_array_new_with_free_func
		((GDestroyNotify) crm_followup_free);
	card->notes = g_ptr_array_new_with_free_func
		((GDestroyNotify) crm_note_free);
	card->interactions = g_ptr_array_new_with_free_func
		((GDestroyNotify) crm_interaction_free);
	card->handovers = g_ptr_array_new_with_free_func
		((GDestroyNotify) crm_handover_free);
	return card;
}

static CrmFollowup *
followup_new (const char *text, gint64 due_us, const char *agent)
{
	CrmFollowup *f = g_new0 (CrmFollowup, 1);

	f->id = g_uuid_string_random ();
	f->customer_id = g_strdup ("c");
	f->text = g_strdup (text);
	f->due_us = due_us;
	f->tz = g_strdup ("UTC");
	f->assignee_agent = g_strdup (agent);
	f->created_by = g_strdup ("Anna Berg");
	return f;
}

static CrmNote *
note_new (const char *author, const char *dept, const char *body,
	  gint64 created_us)
{
	CrmNote *n = g_new0 (CrmNote, 1);

	n->id = g_uuid_string_random ();
	n->customer_id = g_strdup ("c");
	n->author = g_strdup (author);
	n->department = g_strdup (dept);
	n->body = g_strdup (body);
	n->created_us = created_us;
	return n;
}

static CrmInteraction *
interaction_new (gint64 started_us, gint64 in, gint64 out, gint64 first_us)
{
	CrmInteraction *ia = g_new0 (CrmInteraction, 1);

	ia->id = g_uuid_string_random ();
	ia->customer_id = g_strdup ("c");
	ia->agent = g_strdup ("Anna Berg");
	ia->department = g_strdup ("support");
	ia->account = g_strdup ("sales.desk@example.org");
	ia->channel = g_strdup ("prpl-jabber");
	ia->started_us = started_us;
	ia->ended_us = started_us + HOUR_US / 4;
	ia->msgs_in = in;
	ia->msgs_out = out;
	ia->first_response_us = first_us;
	return ia;
}

/* How many times @needle occurs in @hay. */
static guint
count (const char *hay, const char *needle)
{
	guint n = 0;
	const char *p;

	for (p = strstr (hay, needle); p != NULL;
	     p = strstr (p + strlen (needle), needle))
		n++;
	return n;
}

/* Every '<' in @markup opens one of the tags the formatter writes. */
static void
assert_only_our_tags (const char *markup)
{
	const char *p;

	for (p = strchr (markup, '<'); p != NULL; p = strchr (p + 1, '<')) {
		if (g_str_has_prefix (p, "<br>") || g_str_has_prefix (p, "<b>")
		    || g_str_has_prefix (p, "</b>"))
			continue;
		g_test_message ("stray markup at: %s", p);
		g_test_fail ();
		return;
	}
}

static void
test_header (void)
{
	CrmCard *card = card_new ("Maria Anders");
	char *text;

	card->customer->company = g_strdup ("Alfreds Futterkiste");
	card->customer->department = g_strdup ("sales");
	text = crm_card_format (card, utc, NOW_US);
	g_assert_true (g_str_has_prefix (text, "<b>CRM — Maria Anders (Alfreds "
					       "Futterkiste) · owner: sales"
					       "</b>"));
	g_free (text);
	crm_card_free (card);
}

static void
test_linked_customer (void)
{
	CrmCard *card = card_new ("Maria Anders");
	char *text;
	const char *overdue, *later;

	card->customer->email = g_strdup ("maria@alfreds.example");
	card->customer->phone = g_strdup ("+49 30 1234567");
	card->customer->tags = g_strsplit ("vip,export", ",", -1);
	g_ptr_array_add (card->followups,
			 followup_new ("Send the quote", NOW_US - 2 * HOUR_US,
				       "Anna Berg"));
	g_ptr_array_add (card->followups,
			 followup_new ("Call back", NOW_US + DAY_US, NULL));
	g_ptr_array_add (card->notes, note_new ("Carl Jones", "billing",
						"Paid late twice", NOW_US -
						HOUR_US));
	g_ptr_array_add (card->interactions,
			 interaction_new (NOW_US - DAY_US, 4, 3,
					  90 * G_USEC_PER_SEC));
	card->n_notes_total = 1;
	text = crm_card_format (card, utc, NOW_US);

	g_assert_nonnull (strstr (text, "<br>E-mail: maria@alfreds.example · "
					"Phone: +49 30 1234567<br>"));
	g_assert_nonnull (strstr (text, "<br>Tags: vip, export<br>"));
	g_assert_nonnull (strstr (text, "<br>2 open follow-ups:<br>"));
	g_assert_nonnull (strstr (text, "• today 10:00, OVERDUE — Send the "
					"quote · for Anna Berg"));
	g_assert_nonnull (strstr (text, "• tomorrow 12:00 — Call back<br>"));
	g_assert_cmpuint (count (text, "OVERDUE"), ==, 1);
	overdue = strstr (text, "Send the quote");
	later = strstr (text, "Call back");
	g_assert_true (overdue < later);
	g_assert_nonnull (strstr (text, "<br>1 note:<br>• today 11:00, Carl "
					"Jones (billing): Paid late twice"));
	g_assert_nonnull (strstr (text, "<br>Recent conversations:<br>• "
					"yesterday 12:00, Anna Berg (support): "
					"4 in, 3 out, first reply after 1 "
					"min"));
	g_assert_null (strstr (text, "handover"));
	assert_only_our_tags (text);
	g_free (text);
	crm_card_free (card);
}

static void
test_escaping (void)
{
	CrmCard *card = card_new ("Smith & Jones <Ltd>");
	CrmHandover *h = g_new0 (CrmHandover, 1);
	char *text;

	card->customer->company = g_strdup ("A<&>B");
	card->customer->tags = g_strsplit ("<b>,x&y", ",", -1);
	g_ptr_array_add (card->followups,
			 followup_new ("quote 5 > 3 & <i>", NOW_US + HOUR_US,
				       "<agent>"));
	g_ptr_array_add (card->notes, note_new ("<script>", "&dept", "a<b>&c",
						NOW_US));
	h->id = g_uuid_string_random ();
	h->customer_id = g_strdup ("c");
	h->from_agent = g_strdup ("Anna & Co");
	h->to_department = g_strdup ("<billing>");
	h->note = g_strdup ("check <this> & that");
	h->created_us = NOW_US;
	g_ptr_array_add (card->handovers, h);
	text = crm_card_format (card, utc, NOW_US);

	g_assert_nonnull (strstr (text, "Smith &amp; Jones &lt;Ltd&gt; "
					"(A&lt;&amp;&gt;B)"));
	g_assert_nonnull (strstr (text, "Tags: &lt;b&gt;, x&amp;y"));
	g_assert_nonnull (strstr (text, "quote 5 &gt; 3 &amp; &lt;i&gt;"));
	g_assert_nonnull (strstr (text, "for &lt;agent&gt;"));
	g_assert_nonnull (strstr (text, "&lt;script&gt; (&amp;dept): "
					"a&lt;b&gt;&amp;c"));
	g_assert_nonnull (strstr (text, "from Anna &amp; Co to &lt;billing&gt;"
					": check &lt;this&gt; &amp; that"));
	assert_only_our_tags (text);
	g_free (text);
	crm_card_free (card);
}

static void
test_absent_fields (void)
{
	CrmCard *card = card_new ("Okafor");
	char *text = crm_card_format (card, utc, NOW_US);

	g_assert_cmpstr (text, ==, "<b>CRM — Okafor</b>");
	g_free (text);
	crm_card_free (card);

	/* Blank values count as absent. */
	card = card_new ("Okafor");
	card->customer->company = g_strdup ("  ");
	card->customer->email = g_strdup ("");
	card->customer->department = g_strdup ("");
	card->customer->tags = g_new0 (char *, 1);
	text = crm_card_format (card, utc, NOW_US);
	g_assert_cmpstr (text, ==, "<b>CRM — Okafor</b>");
	g_free (text);
	crm_card_free (card);
}

static void
test_notes_cut (void)
{
	CrmCard *card = card_new ("Maria Anders");
	GString *longer = g_string_new ("first line\nsecond line ");
	char *text;

	while (longer->len < 300)
		g_string_append (longer, "more words ");
	g_ptr_array_add (card->notes, note_new ("Anna Berg", NULL,
						longer->str, NOW_US));
	g_ptr_array_add (card->notes, note_new ("Anna Berg", NULL, "older",
						NOW_US - 40 * DAY_US));
	card->n_notes_total = 5;
	text = crm_card_format (card, utc, NOW_US);

	g_assert_nonnull (strstr (text, "<br>Latest notes (2 of 5):<br>"));
	g_assert_nonnull (strstr (text, "• today 12:00, Anna Berg: first line "
					"second line more"));
	g_assert_nonnull (strstr (text, "…<br>"));
	g_assert_nonnull (strstr (text, "• Wed 25 Mar 12:00, Anna Berg: "
					"older"));
	g_assert_null (strstr (text, "\n"));
	g_free (text);
	g_string_free (longer, TRUE);
	crm_card_free (card);
}

static void
test_time (void)
{
	GTimeZone *berlin = g_time_zone_new_identifier ("Europe/Berlin");
	char *t;

	t = crm_card_format_time (NOW_US, utc, NOW_US);
	g_assert_cmpstr (t, ==, "today 12:00");
	g_free (t);
	t = crm_card_format_time (NOW_US + DAY_US, utc, NOW_US);
	g_assert_cmpstr (t, ==, "tomorrow 12:00");
	g_free (t);
	t = crm_card_format_time (NOW_US - DAY_US, utc, NOW_US);
	g_assert_cmpstr (t, ==, "yesterday 12:00");
	g_free (t);
	t = crm_card_format_time (NOW_US + 3 * DAY_US, utc, NOW_US);
	g_assert_cmpstr (t, ==, "Thu 7 May 12:00");
	g_free (t);
	t = crm_card_format_time (NOW_US - 400 * DAY_US, utc, NOW_US);
	g_assert_cmpstr (t, ==, "30 Mar 2025 12:00");
	g_free (t);
	if (berlin != NULL) {
		/* 12:00 UTC is 14:00 in Berlin in May (CEST). */
		t = crm_card_format_time (NOW_US, berlin, NOW_US);
		g_assert_cmpstr (t, ==, "today 14:00");
		g_free (t);
		g_time_zone_unref (berlin);
	}
}

static void
test_duration (void)
{
	const struct {
		gint64 seconds;
		const char *text;
	} cases[] = {
		{ 0, "0 s" }, { 45, "45 s" }, { 60, "1 min" },
		{ 12 * 60 + 5, "12 min" }, { 2 * 3600 + 5 * 60, "2 h 5 min" },
		{ 3 * 86400 + 10, "3 days" }, { 86400, "1 day" },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS (cases); i++) {
		char *t = crm_card_format_duration (cases[i].seconds *
						    G_USEC_PER_SEC);

		g_assert_cmpstr (t, ==, cases[i].text);
		g_free (t);
	}
}

static void
test_unknown_and_unavailable (void)
{
	char *t = crm_card_format_unknown_hint ();

	g_assert_cmpstr (t, ==, "Not in the CRM yet. Type /crm new to create "
				"a customer, or /crm link &lt;name, e-mail or "
				"id&gt; to link an existing one.");
	g_free (t);
	t = crm_card_format_unavailable ("the file <x> & y is locked");
	g_assert_cmpstr (t, ==, "The CRM is unavailable: the file &lt;x&gt; "
				"&amp; y is locked");
	g_free (t);
	t = crm_card_format_unavailable (NULL);
	g_assert_cmpstr (t, ==, "The CRM is unavailable.");
	g_free (t);
}

static void
test_followup_list (void)
{
	CrmCard *card = card_new ("Maria Anders");
	GPtrArray *list = card->followups;
	char *t;

	g_ptr_array_add (list, followup_new ("later", NOW_US + HOUR_US, NULL));
	g_ptr_array_add (list, followup_new ("late", NOW_US - HOUR_US, NULL));
	g_ptr_array_add (list, followup_new ("last", NOW_US + DAY_US, NULL));
	g_ptr_array_add (list, followup_new ("lost", NOW_US - DAY_US, NULL));
	crm_card_format_sort_followups (list, NOW_US);
	g_assert_cmpstr (((CrmFollowup *) list->pdata[0])->text, ==, "late");
	g_assert_cmpstr (((CrmFollowup *) list->pdata[1])->text, ==, "lost");
	g_assert_cmpstr (((CrmFollowup *) list->pdata[2])->text, ==, "later");
	g_assert_cmpstr (((CrmFollowup *) list->pdata[3])->text, ==, "last");

	t = crm_card_format_followups (card->customer, list, utc, NOW_US);
	g_assert_true (g_str_has_prefix (t, "4 open follow-ups for Maria "
					    "Anders:<br>1. today 11:00, "
					    "OVERDUE — late<br>2. yesterday "
					    "12:00, OVERDUE — lost<br>3. today "
					    "13:00 — later<br>4. tomorrow "
					    "12:00 — last<br>"));
	g_assert_true (g_str_has_suffix (t, "Type /crm done &lt;number&gt; "
					    "when one is done."));
	g_free (t);
	g_ptr_array_set_size (list, 0);
	t = crm_card_format_followups (card->customer, list, utc, NOW_US);
	g_assert_cmpstr (t, ==, "Maria Anders has no open follow-ups.");
	g_free (t);
	crm_card_free (card);
}

static void
test_customer_list (void)
{
	GPtrArray *list = g_ptr_array_new_with_free_func
		((GDestroyNotify) crm_customer_free);
	CrmCustomer *a = crm_customer_new ();
	CrmCustomer *b = crm_customer_new ();
	char *t;

	a->id = g_strdup ("id-a");
	a->name = g_strdup ("Maria Anders");
	a->company = g_strdup ("Alfreds & Co");
	a->email = g_strdup ("maria@alfreds.example");
	b->id = g_strdup ("id-b");
	b->name = g_strdup ("Maria <2>");
	g_ptr_array_add (list, a);
	g_ptr_array_add (list, b);
	t = crm_card_format_customers (list);
	g_assert_cmpstr (t, ==, "2 customers found:<br>• Maria Anders (Alfreds "
				"&amp; Co) · maria@alfreds.example · id id-a"
				"<br>• Maria &lt;2&gt; · id id-b");
	g_free (t);
	g_ptr_array_unref (list);
}

static void
test_notes_and_history_lists (void)
{
	CrmCard *card = card_new ("Maria Anders");
	char *t;

	g_ptr_array_add (card->notes, note_new ("Anna Berg", "support",
						"line one\nline <two>",
						NOW_US));
	t = crm_card_format_notes (card->customer, card->notes, utc, NOW_US);
	g_assert_cmpstr (t, ==, "1 note on Maria Anders, newest first:<br>• "
				"today 12:00, Anna Berg (support): line one"
				"<br>line &lt;two&gt;");
	g_free (t);
	g_ptr_array_add (card->interactions,
			 interaction_new (NOW_US - HOUR_US, 2, 0, -1));
	t = crm_card_format_history (card->customer, card->interactions, utc,
				     NOW_US);
	g_assert_cmpstr (t, ==, "1 conversation with Maria Anders:<br>• today "
				"11:00, Anna Berg (support): 2 in, 0 out");
	g_free (t);
	g_ptr_array_set_size (card->interactions, 0);
	t = crm_card_format_history (card->customer, card->interactions, utc,
				     NOW_US);
	g_assert_cmpstr (t, ==, "There are no past conversations with Maria "
				"Anders yet.");
	g_free (t);
	crm_card_free (card);
}

/*
 * libpurple reports a conversation's first message before the
 * conversation exists, so its first card already holds the interaction
 * just opened: it reads as going on, not as a past conversation.
 */
static void
test_open_interaction (void)
{
	CrmCard *card = card_new ("Maria Anders");
	CrmInteraction *now = interaction_new (NOW_US - HOUR_US / 4, 1, 0, -1);
	CrmInteraction *night = interaction_new (NOW_US - 14 * HOUR_US, 3, 1,
						 -1);
	char *text;

	now->ended_us = 0;
	night->ended_us = 0;
	g_ptr_array_add (card->interactions, now);
	g_ptr_array_add (card->interactions,
			 interaction_new (NOW_US - DAY_US, 4, 3, -1));
	text = crm_card_format (card, utc, NOW_US);
	g_assert_nonnull (strstr (text, "<br>Recent conversations:<br>• now "
					"(since 11:45), Anna Berg (support): "
					"1 in, 0 out<br>• yesterday 12:00, "
					"Anna Berg (support): 4 in, 3 out"));
	g_assert_null (strstr (text, "today"));
	g_free (text);

	/* One left open since another day says which day. */
	g_ptr_array_add (card->interactions, night);
	text = crm_card_format_history (card->customer, card->interactions, utc,
					NOW_US);
	g_assert_nonnull (strstr (text, "• now (since yesterday 22:00), Anna "
					"Berg (support): 3 in, 1 out"));
	g_free (text);
	crm_card_free (card);
}

int
main (int argc, char **argv)
{
	int rc;

	setlocale (LC_ALL, "C");
	g_setenv ("LANGUAGE", "C", TRUE);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	utc = g_time_zone_new_utc ();

	g_test_add_func ("/plugin/card-format/header", test_header);
	g_test_add_func ("/plugin/card-format/open-interaction",
			 test_open_interaction);
	g_test_add_func ("/plugin/card-format/linked-customer",
			 test_linked_customer);
	g_test_add_func ("/plugin/card-format/escaping", test_escaping);
	g_test_add_func ("/plugin/card-format/absent-fields",
			 test_absent_fields);
	g_test_add_func ("/plugin/card-format/notes-cut", test_notes_cut);
	g_test_add_func ("/plugin/card-format/time", test_time);
	g_test_add_func ("/plugin/card-format/duration", test_duration);
	g_test_add_func ("/plugin/card-format/unknown-and-unavailable",
			 test_unknown_and_unavailable);
	g_test_add_func ("/plugin/card-format/followup-list",
			 test_followup_list);
	g_test_add_func ("/plugin/card-format/customer-list",
			 test_customer_list);
	g_test_add_func ("/plugin/card-format/notes-and-history",
			 test_notes_and_history_lists);
	rc = g_test_run ();
	g_time_zone_unref (utc);
	return rc;
}
