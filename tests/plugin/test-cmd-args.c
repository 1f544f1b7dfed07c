/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-cmd-args.c: checking the arguments of /crm commands.
 *
 * Good and bad forms of each argument the command handlers read before
 * they touch the store: assignees of follow-ups, handover targets, the
 * follow-up number of /crm done, free text, the edit form's e-mail,
 * phone and tags, phone numbers brought to E.164 (shared case F03), an
 * @agent checked against the agent directory, and the handover /crm
 * accept takes.
 */
#include "crm-config.h"

#include <locale.h>
#include <string.h>

#include "crm-cmd-args.h"

static void
test_assignee (void)
{
	const struct {
		const char *in;
		const char *agent;
		const char *dept;
		const char *rest;
	} good[] = {
		{ "in 2h call back", NULL, NULL, "in 2h call back" },
		{ "  @anna in 2h call back ", "anna", NULL, "in 2h call back" },
		{ "@\"Anna Berg\" tomorrow x", "Anna Berg", NULL,
		  "tomorrow x" },
		{ "@dept:billing fri 10:00 x", NULL, "billing", "fri 10:00 x" },
		{ "@DEPT:Sales x", NULL, "Sales", "x" },
		{ "", NULL, NULL, "" },
	};
	const struct {
		const char *in;
		int code;
	} bad[] = {
		{ "@ in 2h x", CRM_CMD_ARGS_ERROR_MISSING },
		{ "@dept: in 2h x", CRM_CMD_ARGS_ERROR_MISSING },
		{ "@\"Anna Berg in 2h x", CRM_CMD_ARGS_ERROR_INVALID },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS (good); i++) {
		char *agent = NULL, *dept = NULL, *rest = NULL;
		GError *error = NULL;

		g_assert_true (crm_cmd_args_parse_assignee (good[i].in, &agent,
							    &dept, &rest,
							    &error));
		g_assert_no_error (error);
		g_assert_cmpstr (agent, ==, good[i].agent);
		g_assert_cmpstr (dept, ==, good[i].dept);
		g_assert_cmpstr (rest, ==, good[i].rest);
		g_free (agent);
		g_free (dept);
		g_free (rest);
	}
	for (i = 0; i < G_N_ELEMENTS (bad); i++) {
		char *agent = NULL, *dept = NULL, *rest = NULL;
		GError *error = NULL;

		g_assert_false (crm_cmd_args_parse_assignee (bad[i].in, &agent,
							     &dept, &rest,
							     &error));
		g_assert_error (error, CRM_CMD_ARGS_ERROR, bad[i].code);
		g_assert_null (agent);
		g_assert_null (dept);
		g_assert_null (rest);
		g_error_free (error);
	}
}

static void
test_target (void)
{
	const struct {
		const char *in;
		const char *agent;
		const char *dept;
		const char *note;
	} good[] = {
		{ "billing Please check the invoice", NULL, "billing",
		  "Please check the invoice" },
		{ "dept:sales wants a quote", NULL, "sales", "wants a quote" },
		{ "@dept:sales wants a quote", NULL, "sales", "wants a quote" },
		{ "@carl over to you", "carl", NULL, "over to you" },
		{ "@\"Carl Jones\"  over to you ", "Carl Jones", NULL,
		  "over to you" },
	};
	const char *missing[] = { "", "   ", "billing", "@carl  ",
				  "dept: note" };
	guint i;

	for (i = 0; i < G_N_ELEMENTS (good); i++) {
		char *agent = NULL, *dept = NULL, *note = NULL;
		GError *error = NULL;

		g_assert_true (crm_cmd_args_parse_target (good[i].in, &agent,
							  &dept, &note,
							  &error));
		g_assert_no_error (error);
		g_assert_cmpstr (agent, ==, good[i].agent);
		g_assert_cmpstr (dept, ==, good[i].dept);
		g_assert_cmpstr (note, ==, good[i].note);
		g_free (agent);
		g_free (dept);
		g_free (note);
	}
	for (i = 0; i < G_N_ELEMENTS (missing); i++) {
		char *agent = NULL, *dept = NULL, *note = NULL;
		GError *error = NULL;

		g_assert_false (crm_cmd_args_parse_target (missing[i], &agent,
							   &dept, &note,
							   &error));
		g_assert_error (error, CRM_CMD_ARGS_ERROR,
				CRM_CMD_ARGS_ERROR_MISSING);
		g_assert_null (agent);
		g_assert_null (dept);
		g_assert_null (note);
		g_error_free (error);
	}
}

static void
test_done (void)
{
	const struct {
		const char *in;
		guint n_listed;
		guint number;
		const char *id;
		int code;	/* -1: no error */
	} cases[] = {
		{ "2", 3, 2, NULL, -1 },
		{ " #3 ", 3, 3, NULL, -1 },
		{ "1", 1, 1, NULL, -1 },
		{ "0", 3, 0, NULL, CRM_CMD_ARGS_ERROR_RANGE },
		{ "4", 3, 0, NULL, CRM_CMD_ARGS_ERROR_RANGE },
		{ "1", 0, 0, NULL, CRM_CMD_ARGS_ERROR_RANGE },
		{ "99999999999999999999", 3, 0, NULL,
		  CRM_CMD_ARGS_ERROR_RANGE },
		{ "", 3, 0, NULL, CRM_CMD_ARGS_ERROR_MISSING },
		{ "two", 3, 0, NULL, CRM_CMD_ARGS_ERROR_INVALID },
		{ "-1", 3, 0, NULL, CRM_CMD_ARGS_ERROR_INVALID },
		{ "2x", 3, 0, NULL, CRM_CMD_ARGS_ERROR_INVALID },
		{ "0C42D237-E750-4783-BA9D-AB5FC491CCF4", 0, 0,
		  "0c42d237-e750-4783-ba9d-ab5fc491ccf4", -1 },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS (cases); i++) {
		guint number = 77;
		char *id = NULL;
		GError *error = NULL;
		gboolean ok = crm_cmd_args_parse_done (cases[i].in,
						       cases[i].n_listed,
						       &number, &id, &error);

		g_test_message ("case %u: “%s”", i, cases[i].in);
		if (cases[i].code < 0) {
			g_assert_no_error (error);
			g_assert_true (ok);
		} else {
			g_assert_error (error, CRM_CMD_ARGS_ERROR,
					cases[i].code);
			g_assert_false (ok);
			g_error_free (error);
		}
		g_assert_cmpuint (number, ==, cases[i].number);
		g_assert_cmpstr (id, ==, cases[i].id);
		g_free (id);
	}
}

static void
test_range_message (void)
{
	guint number;
	char *id;
	GError *error = NULL;

	g_assert_false (crm_cmd_args_parse_done ("7", 2, &number, &id,
						 &error));
	g_assert_cmpstr (error->message, ==, "There is no follow-up number 7: "
					     "the list has 2 follow-ups.");
	g_clear_error (&error);
	g_assert_false (crm_cmd_args_parse_done ("2", 1, &number, &id,
						 &error));
	g_assert_cmpstr (error->message, ==, "There is no follow-up number 2: "
					     "the list has 1 follow-up.");
	g_clear_error (&error);
}

static void
test_text (void)
{
	char *big = g_strnfill (101, 'x');
	GError *error = NULL;

	g_assert_true (crm_cmd_args_check_text ("Called about invoice", 100,
						&error));
	g_assert_no_error (error);
	g_assert_false (crm_cmd_args_check_text ("", 100, &error));
	g_assert_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_MISSING);
	g_clear_error (&error);
	g_assert_false (crm_cmd_args_check_text (" \t ", 100, &error));
	g_assert_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_MISSING);
	g_clear_error (&error);
	g_assert_false (crm_cmd_args_check_text (big, 100, &error));
	g_assert_error (error, CRM_CMD_ARGS_ERROR,
			CRM_CMD_ARGS_ERROR_TOO_LONG);
	g_clear_error (&error);
	g_assert_false (crm_cmd_args_check_text ("bad \xff byte", 100,
						 &error));
	g_assert_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_INVALID);
	g_clear_error (&error);
	g_free (big);
}

static void
test_email (void)
{
	const char *good[] = { "", "maria@alfreds.example",
			       "Dana.Reyes@Example.COM", "a+b@x.co" };
	const char *bad[] = { "maria", "@x.org", "maria@", "maria@x",
			      "a@b@c.org", "maria anders@x.org", "maria@.org",
			      "maria@x.org.", "<maria@x.org>" };
	guint i;

	for (i = 0; i < G_N_ELEMENTS (good); i++)
		g_assert_true (crm_cmd_args_check_email (good[i], NULL));
	for (i = 0; i < G_N_ELEMENTS (bad); i++) {
		GError *error = NULL;

		g_assert_false (crm_cmd_args_check_email (bad[i], &error));
		g_assert_error (error, CRM_CMD_ARGS_ERROR,
				CRM_CMD_ARGS_ERROR_INVALID);
		g_error_free (error);
	}
}

static void
test_phone (void)
{
	const char *good[] = { "", "(415) 555-0100", "415.555.0100",
			       "+1 415 555 0100", "030/1234567" };
	const char *bad[] = { "12", "call me", "415+555", "+1 415 555 0100 "
			      "0100 0100", "555-0100 ext. 3" };
	guint i;

	for (i = 0; i < G_N_ELEMENTS (good); i++)
		g_assert_true (crm_cmd_args_check_phone (good[i], NULL));
	for (i = 0; i < G_N_ELEMENTS (bad); i++) {
		GError *error = NULL;

		g_assert_false (crm_cmd_args_check_phone (bad[i], &error));
		g_assert_error (error, CRM_CMD_ARGS_ERROR,
				CRM_CMD_ARGS_ERROR_INVALID);
		g_error_free (error);
	}
}

static void
test_e164 (void)
{
	const struct {
		const char *phone;
		const char *region;
		const char *e164;
	} cases[] = {
		/* Shared case F03: three forms, one number. */
		{ "(415) 555-0100", "US", "+14155550100" },
		{ "415.555.0100", "US", "+14155550100" },
		{ "+1 415 555 0100", "US", "+14155550100" },
		{ "+1 415 555 0100", "DE", "+14155550100" },
		{ "1 (415) 555-0100", "us", "+14155550100" },
		{ "030 1234567", "DE", "+49301234567" },
		{ "0049 30 1234567", "US", "+49301234567" },
		{ "020 7946 0018", "GB", "+442079460018" },
		{ "06 12 34 56 78", "FR", "+33612345678" },
		{ "555-0100", "US", NULL },
		{ "12", "US", NULL },
		{ "030 1234567", "XX", NULL },
		{ "030 1234567", "", NULL },
		{ "call me", "US", NULL },
		{ "", "US", NULL },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS (cases); i++) {
		char *e164 = crm_cmd_args_phone_e164 (cases[i].phone,
						      cases[i].region);

		g_test_message ("case %u: %s in %s", i, cases[i].phone,
				cases[i].region);
		g_assert_cmpstr (e164, ==, cases[i].e164);
		g_free (e164);
	}
}

static void
test_tags (void)
{
	char **tags = crm_cmd_args_split_tags (" vip, Export ,,VIP , x ,");

	g_assert_nonnull (tags);
	g_assert_cmpuint (g_strv_length (tags), ==, 3);
	g_assert_cmpstr (tags[0], ==, "vip");
	g_assert_cmpstr (tags[1], ==, "Export");
	g_assert_cmpstr (tags[2], ==, "x");
	g_strfreev (tags);
	g_assert_null (crm_cmd_args_split_tags (""));
	g_assert_null (crm_cmd_args_split_tags (" , ,"));
	g_assert_null (crm_cmd_args_split_tags (NULL));
}

/*
 * "/crm followup @nobody in 1h x" once assigned a follow-up to "nobody".
 * An @agent must be in the directory (or be this agent), in any case, and
 * comes back as the directory spells it.
 */
static void
test_match_agent (void)
{
	const char *const known[] = { "Sam Sales", "Anna Berg", "sam sales",
				      "Ümit", NULL };
	const char *const none[] = { NULL };
	const char *const names[] = { "Anna Berg", "me", "Sam Sales", "Ümit" };
	GError *error = NULL;
	const char *start;
	char *found, *list;
	char **listed;
	gsize i;

	found = crm_cmd_args_match_agent ("anna berg", known, "me", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (found, ==, "Anna Berg");
	g_free (found);
	found = crm_cmd_args_match_agent ("ÜMIT", known, "me", &error);
	g_assert_cmpstr (found, ==, "Ümit");
	g_free (found);
	/* This agent counts even before the directory has them. */
	found = crm_cmd_args_match_agent ("Me", none, "me", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (found, ==, "me");
	g_free (found);

	found = crm_cmd_args_match_agent ("nobody", known, "me", &error);
	g_assert_null (found);
	g_assert_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_UNKNOWN);
	g_assert_nonnull (strstr (error->message, "“nobody”"));
	/* Each known agent once (in the locale's order), this agent too. */
	start = strstr (error->message, "Known agents: ");
	g_assert_nonnull (start);
	start += strlen ("Known agents: ");
	list = g_strndup (start, strstr (start, ". ") - start);
	listed = g_strsplit (list, ", ", -1);
	g_assert_cmpuint (g_strv_length (listed), ==, G_N_ELEMENTS (names));
	for (i = 0; i < G_N_ELEMENTS (names); i++)
		g_assert_true (g_strv_contains ((const char *const *) listed,
						names[i]));
	g_strfreev (listed);
	g_free (list);
	g_assert_nonnull (strstr (error->message, "@dept:"));
	g_clear_error (&error);
	/* A part of a name is not the name. */
	found = crm_cmd_args_match_agent ("anna", known, NULL, &error);
	g_assert_null (found);
	g_clear_error (&error);

	found = crm_cmd_args_match_agent ("nobody", none, NULL, &error);
	g_assert_null (found);
	g_assert_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_UNKNOWN);
	g_assert_nonnull (strstr (error->message, "no agents are known yet"));
	g_assert_nonnull (strstr (error->message, "@dept:"));
	g_clear_error (&error);
}

/* A pending handover to @agent or @dept, for pick_handover below. */
static CrmHandover *
pending_handover (const char *id, const char *agent, const char *dept)
{
	CrmHandover *h = g_new0 (CrmHandover, 1);

	h->id = g_strdup (id);
	h->from_agent = g_strdup ("Sam Sales");
	h->to_agent = g_strdup (agent);
	h->to_department = g_strdup (dept);
	return h;
}

/* /crm accept takes the newest addressed to us, else the newest of all. */
static void
test_pick_handover (void)
{
	GPtrArray *pending = g_ptr_array_new_with_free_func (
		(GDestroyNotify) crm_handover_free);
	const CrmHandover *h;
	gboolean addressed = TRUE;
	guint n = 99;

	h = crm_cmd_args_pick_handover (pending, "anna", "billing",
					&addressed, &n);
	g_assert_null (h);
	g_assert_false (addressed);
	g_assert_cmpuint (n, ==, 0);

	/* Newest first, as crm_handover_list() gives them. */
	g_ptr_array_add (pending, pending_handover ("h4", NULL, "support"));
	g_ptr_array_add (pending, pending_handover ("h3", NULL, "Billing"));
	g_ptr_array_add (pending, pending_handover ("h2", "Anna", NULL));
	g_ptr_array_add (pending, pending_handover ("h1", NULL, "billing"));

	h = crm_cmd_args_pick_handover (pending, "anna", "billing",
					&addressed, &n);
	g_assert_cmpstr (h->id, ==, "h3");
	g_assert_true (addressed);
	g_assert_cmpuint (n, ==, 3);

	h = crm_cmd_args_pick_handover (pending, "anna", NULL, &addressed,
					&n);
	g_assert_cmpstr (h->id, ==, "h2");
	g_assert_true (addressed);
	g_assert_cmpuint (n, ==, 1);

	/* Nothing for us: the newest of all, and say so. */
	h = crm_cmd_args_pick_handover (pending, "carl", "sales", &addressed,
					&n);
	g_assert_cmpstr (h->id, ==, "h4");
	g_assert_false (addressed);
	g_assert_cmpuint (n, ==, 4);
	g_ptr_array_unref (pending);
}

int
main (int argc, char **argv)
{
	setlocale (LC_ALL, "C");
	g_setenv ("LANGUAGE", "C", TRUE);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/plugin/cmd-args/assignee", test_assignee);
	g_test_add_func ("/plugin/cmd-args/target", test_target);
	g_test_add_func ("/plugin/cmd-args/done", test_done);
	g_test_add_func ("/plugin/cmd-args/range-message", test_range_message);
	g_test_add_func ("/plugin/cmd-args/text", test_text);
	g_test_add_func ("/plugin/cmd-args/email", test_email);
	g_test_add_func ("/plugin/cmd-args/phone", test_phone);
	g_test_add_func ("/plugin/cmd-args/e164", test_e164);
	g_test_add_func ("/plugin/cmd-args/tags", test_tags);
	g_test_add_func ("/plugin/cmd-args/match-agent", test_match_agent);
	g_test_add_func ("/plugin/cmd-args/pick-handover",
			 test_pick_handover);
	return g_test_run ();
}
