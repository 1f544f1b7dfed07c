/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-integration.c: the plugin in a real libpurple client against a real
 * XMPP server, with a store seeded by chatcrm-admin.
 *
 * Each test gets its own prosody on 127.0.0.1 with a sales agent, a
 * support agent, a customer and a stranger, and a store holding the
 * Northwind customers with customer@crm.test linked to Maria Anders.  The
 * agents run crm-headless with the plugin loaded; the customer and the
 * stranger run it without.  What the agents' conversations show is read
 * from the clients' CONV lines; what the store holds is read back with
 * chatcrm-admin, which opens the same file.
 */
#include <string.h>

#include <glib.h>

#include "crm-prefs.h"
#include "harness.h"

#define DOMAIN "crm.test"
#define CUSTOMER_JID "customer@" DOMAIN
#define STRANGER_JID "stranger@" DOMAIN
#define WAIT_MS harness_timeout_ms (20000)
#define ADMIN_MS harness_timeout_ms (60000)

/* A CONV line in the customer's conversation (named by bare or full JID)
 * that libpurple shows as a system message. */
#define CUSTOMER_SYSTEM "^CONV customer@crm\\.test(/\\S*)? \\S*system\\S* "
#define CARD_LINE CUSTOMER_SYSTEM "(?=.*Maria Anders)(?=.*Alfreds Futterkiste)"

typedef struct {
	HarnessServer *server;
	char *store_path;
	char *customer_id;
	HarnessClient *agent;
	HarnessClient *customer;
	HarnessClient *stranger;
	gboolean ready;
} Fixture;

/* chatcrm-admin on the fixture's store; see harness_admin(). */
#define admin(f, ...) harness_admin ((f)->store_path, __VA_ARGS__)

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
	static const char *const users[] = {
		"sales", "support", "customer", "stranger"
	};
	GError *error = NULL;
	char *prosody = g_find_program_in_path ("prosody");
	gsize i;

	if (!prosody) {
		g_test_skip ("prosody is not installed");
		return;
	}
	g_free (prosody);
	if (!harness_env_path ("CRM_HEADLESS")
	    || !harness_env_path ("CRM_PLUGIN_PATH")
	    || !harness_env_path ("CRM_ADMIN")) {
		g_test_fail_printf ("the programs under test were not found");
		return;
	}
	f->server = harness_server_new (DOMAIN, &error);
	for (i = 0; f->server && !error && i < G_N_ELEMENTS (users); i++) {
		char *password = g_strdup_printf ("pw-%s", users[i]);

		harness_server_add_user (f->server, users[i], password,
					 &error);
		g_free (password);
	}
	if (f->server && !error
	    && harness_server_befriend (f->server, "sales", "customer", &error)
	    && harness_server_befriend (f->server, "support", "customer",
					&error)
	    && harness_server_befriend (f->server, "sales", "stranger", &error))
		harness_server_start (f->server, &error);
	g_assert_no_error (error);
	g_clear_error (&error);
	if (f->server && !g_test_failed ()) {
		f->store_path = g_build_filename (
			harness_server_get_dir (f->server), "store.db", NULL);
		f->ready = harness_seed_store (f->store_path, CUSTOMER_JID,
					       &f->customer_id);
	}
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
	HarnessClient **clients[] = { &f->agent, &f->customer, &f->stranger };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (clients); i++) {
		HarnessClient *client = *clients[i];

		/* A client that crashes on the way out fails the test too. */
		if (client && harness_client_stop (client, WAIT_MS) != 0)
			g_test_fail_printf ("a client did not exit cleanly");
		g_clear_pointer (clients[i], harness_client_free);
	}
	harness_server_free (f->server);
	g_free (f->store_path);
	g_free (f->customer_id);
}

/* Starts @user as an agent of @department with the plugin on the store. */
static HarnessClient *
start_agent (Fixture *f, const char *user, const char *department)
{
	char *store = g_strconcat (CRM_PREF_STORE_PATH "=", f->store_path,
				   NULL);
	char *dept = g_strconcat (CRM_PREF_DEPARTMENT "=", department, NULL);
	char *name = g_strconcat (CRM_PREF_AGENT_NAME "=", user, NULL);
	const char *args[] = {
		"--plugin", g_getenv ("CRM_PLUGIN_PATH"),
		"--pref", store, "--pref", dept, "--pref", name,
		/* No session bus here: the fallback is tested elsewhere. */
		"--pref", CRM_PREF_DESKTOP_NOTIFY "=false",
		NULL
	};
	GError *error = NULL;
	HarnessClient *agent;

	agent = harness_client_start (f->server, user, "desk", args, &error);
	g_assert_no_error (error);
	g_clear_error (&error);
	g_free (store);
	g_free (dept);
	g_free (name);
	if (agent && (!harness_client_expect (agent, "^PLUGIN-LOADED "
					      CRM_PLUGIN_ID " ", WAIT_MS)
		      || !harness_client_expect (agent, "^SIGNED-ON ", WAIT_MS)))
		g_clear_pointer (&agent, harness_client_free);
	return agent;
}

/* Starts a client without the plugin and waits until it is online. */
static HarnessClient *
start_plain (Fixture *f, const char *user)
{
	GError *error = NULL;
	HarnessClient *client;

	client = harness_client_start (f->server, user, "phone", NULL, &error);
	g_assert_no_error (error);
	g_clear_error (&error);
	if (client && !harness_client_expect (client, "^SIGNED-ON ", WAIT_MS))
		g_clear_pointer (&client, harness_client_free);
	return client;
}

/*
 * Runs "/crm ARGS" in the agent's conversation with the customer and
 * waits for an answer matching @answer_pattern.  An answer is a system
 * line in that conversation, or the error text the command API hands back
 * (which Pidgin and Finch show in the conversation).
 */
static gboolean
crm_command (Fixture *f, const char *args, const char *answer_pattern)
{
	guint mark = harness_client_mark (f->agent);
	const char *cmd;
	char *pattern;
	gboolean ok;

	harness_client_send (f->agent, "cmd " CUSTOMER_JID " crm %s", args);
	cmd = harness_client_expect_from (f->agent, mark,
					  "^CMD " CUSTOMER_JID " ", WAIT_MS);
	if (!cmd)
		return FALSE;
	pattern = g_strconcat ("(", CUSTOMER_SYSTEM, "|^CMD ", CUSTOMER_JID,
			       " (failed|wrong-args) (?!-$))", ".*",
			       answer_pattern, NULL);
	ok = harness_client_expect_from (f->agent, mark, pattern, WAIT_MS)
	     != NULL;
	g_free (pattern);
	return ok;
}

/* The customer writes; the sales agent's conversation shows the card. */
static void
test_card (Fixture *f, gconstpointer data)
{
	const char *card;
	guint mark;

	HARNESS_REQUIRE (f->ready);
	HARNESS_REQUIRE (f->agent = start_agent (f, "sales", "sales"));
	HARNESS_REQUIRE (f->customer = start_plain (f, "customer"));
	mark = harness_client_mark (f->agent);

	harness_client_send (f->customer, "send sales@" DOMAIN " Hello, I "
			     "have a question about my invoice");
	HARNESS_REQUIRE (harness_client_expect_from (
		f->agent, mark, "^CONV customer@crm\\.test\\S* recv .*question "
		"about my invoice", WAIT_MS));
	card = harness_client_expect_from (f->agent, mark, CARD_LINE, WAIT_MS);
	HARNESS_REQUIRE (card);
	/* Cards are system messages kept out of the chat log. */
	g_assert_true (g_regex_match_simple ("^CONV \\S+ \\S*no_log", card, 0,
					     0));

	/* A second message is no new conversation: still one card. */
	harness_client_send (f->customer, "send sales@" DOMAIN " Are you "
			     "there?");
	HARNESS_REQUIRE (harness_client_expect_from (
		f->agent, mark, "^CONV customer@crm\\.test\\S* recv Are you "
		"there\\?", WAIT_MS));
	g_assert_cmpuint (harness_client_count_from (f->agent, mark,
						     CARD_LINE), ==, 1);

	/* Someone the store does not know gets the one-line hint. */
	HARNESS_REQUIRE (f->stranger = start_plain (f, "stranger"));
	harness_client_send (f->stranger, "send sales@" DOMAIN " hi");
	HARNESS_REQUIRE (harness_client_expect_from (
		f->agent, mark, "^CONV stranger@crm\\.test\\S* \\S*system\\S* "
		"(?=.*/crm new)(?=.*/crm link)", WAIT_MS));
	g_assert_cmpuint (harness_client_count_from (
		f->agent, mark, "^CONV stranger@crm\\.test\\S* \\S*system"),
		==, 1);
}

/* A note outlives the client: it is in the store and on the next card. */
static void
test_note_survives_restart (Fixture *f, gconstpointer data)
{
	char *notes;

	HARNESS_REQUIRE (f->ready);
	HARNESS_REQUIRE (f->agent = start_agent (f, "sales", "sales"));
	HARNESS_REQUIRE (crm_command (f, "note Called about the invoice",
				      "Note added to Maria Anders"));
	g_assert_cmpint (harness_client_stop (f->agent, WAIT_MS), ==, 0);
	g_clear_pointer (&f->agent, harness_client_free);

	notes = admin (f, "notes", f->customer_id, NULL);
	HARNESS_REQUIRE (notes);
	g_assert_nonnull (strstr (notes, "Called about the invoice"));
	g_free (notes);

	HARNESS_REQUIRE (f->agent = start_agent (f, "sales", "sales"));
	/* The card written when the conversation opens shows the note... */
	harness_client_send (f->agent, "open " CUSTOMER_JID);
	HARNESS_REQUIRE (harness_client_expect (
		f->agent, CARD_LINE ".*Called about the invoice", WAIT_MS));
	/* ...and so does /crm notes. */
	HARNESS_REQUIRE (crm_command (f, "notes", "Called about the invoice"));
}

/*
 * A handover is recorded for the whole team to see, and an agent of the
 * receiving department accepts it from the client: billing then owns the
 * customer.
 */
static void
test_handover (Fixture *f, gconstpointer data)
{
	char *handovers, *show;

	HARNESS_REQUIRE (f->ready);
	HARNESS_REQUIRE (f->agent = start_agent (f, "sales", "sales"));
	HARNESS_REQUIRE (crm_command (f, "handover billing Needs a refund",
				      "(?i)billing"));
	handovers = admin (f, "handovers", NULL);
	HARNESS_REQUIRE (handovers);
	g_assert_nonnull (strstr (handovers, "Needs a refund"));
	g_assert_nonnull (strstr (handovers, "billing"));
	g_assert_nonnull (strstr (handovers, "pending"));
	g_free (handovers);

	/* The support user, working in billing, takes the customer over. */
	g_assert_cmpint (harness_client_stop (f->agent, WAIT_MS), ==, 0);
	g_clear_pointer (&f->agent, harness_client_free);
	HARNESS_REQUIRE (f->agent = start_agent (f, "support", "billing"));
	HARNESS_REQUIRE (crm_command (f, "accept", "You accepted the "
				      "handover of Maria Anders from sales "
				      "\\(sales\\)\\. Owner is now "
				      "billing\\."));
	handovers = admin (f, "handovers", NULL);
	HARNESS_REQUIRE (handovers);
	g_assert_nonnull (strstr (handovers, "accepted by  support"));
	g_free (handovers);
	show = admin (f, "show", f->customer_id, NULL);
	HARNESS_REQUIRE (show);
	g_assert_nonnull (strstr (show, "department: billing"));
	g_free (show);
	HARNESS_REQUIRE (crm_command (f, "accept", "no pending handover"));
}

/* What the store shows of the customer, for before/after comparisons. */
static char *
store_snapshot (Fixture *f)
{
	char *show = admin (f, "show", f->customer_id, NULL);
	char *notes = admin (f, "notes", f->customer_id, NULL);
	char *handovers = admin (f, "handovers", NULL);
	char *all = NULL;

	if (show && notes && handovers)
		all = g_strconcat (show, "\n", notes, "\n", handovers, NULL);
	g_free (show);
	g_free (notes);
	g_free (handovers);
	return all;
}

/* Wrong commands, and a form left as it was, are answered and change
 * nothing. */
static void
test_bad_input (Fixture *f, gconstpointer data)
{
	static const char *const bad[] = {
		"note",
		"note    ",
		"followup blursday call",
		"followup in 2 fortnights call",
		"handover",
		"handover billing",
		"handover @nobody Needs a refund",
		"followup @nobody in 1h call back",
		"done 99",
		"frobnicate",
	};
	char *before, *after;
	guint mark;
	gsize i;

	HARNESS_REQUIRE (f->ready);
	HARNESS_REQUIRE (f->agent = start_agent (f, "sales", "sales"));
	/* Open the conversation first, so its card is not counted below. */
	harness_client_send (f->agent, "open " CUSTOMER_JID);
	HARNESS_REQUIRE (harness_client_expect (f->agent, CARD_LINE, WAIT_MS));
	HARNESS_REQUIRE (before = store_snapshot (f));

	for (i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_test_message ("/crm %s", bad[i]);
		if (!crm_command (f, bad[i], ""))
			break;
	}
	/* Linking the buddy to the customer it is linked to already is no
	 * reason to unlink it first. */
	HARNESS_REQUIRE (crm_command (f, "link Maria Anders", "already linked "
				      "to Maria Anders\\.(?! Type)"));
	/* The edit form, answered with OK and its values untouched
	 * (crm-headless does that), goes through the request API. */
	mark = harness_client_mark (f->agent);
	if (crm_command (f, "edit", "(?i)nothing was changed"))
		g_assert_nonnull (harness_client_expect_from (
			f->agent, mark, "^REQUEST fields ", WAIT_MS));
	after = store_snapshot (f);
	g_assert_cmpstr (after, ==, before);
	g_free (before);
	g_free (after);
}

/*
 * What the agent types is stored as typed (libpurple hands /crm the plain
 * text, so "&amp;" and "<br>" are not markup); a too long follow-up says
 * so; and /crm done never closes another customer's follow-up, here one
 * from a list shown before the buddy was linked to someone else.
 */
static void
test_command_text_and_done (Fixture *f, gconstpointer data)
{
	char *notes, *show, *big, *fill;

	HARNESS_REQUIRE (f->ready);
	HARNESS_REQUIRE (f->agent = start_agent (f, "sales", "sales"));
	HARNESS_REQUIRE (crm_command (f, "note R&amp;D <br> & <b>x</b>",
				      "Note added"));
	notes = admin (f, "notes", f->customer_id, NULL);
	HARNESS_REQUIRE (notes);
	g_assert_nonnull (strstr (notes, "R&amp;D <br> & <b>x</b>"));
	g_free (notes);

	fill = g_strnfill (70000, 'x');
	big = g_strconcat ("followup tomorrow ", fill, NULL);
	g_free (fill);
	HARNESS_REQUIRE (crm_command (f, big, "too long"));
	g_free (big);

	HARNESS_REQUIRE (crm_command (f, "followup tomorrow Call Maria",
				      "Follow-up for Maria Anders"));
	HARNESS_REQUIRE (crm_command (f, "followups", "Call Maria"));
	HARNESS_REQUIRE (crm_command (f, "unlink", "no longer linked"));
	HARNESS_REQUIRE (crm_command (f, "link Ana Trujillo",
				      "now linked to Ana Trujillo"));
	HARNESS_REQUIRE (crm_command (f, "done 1", "another customer"));
	show = admin (f, "show", f->customer_id, NULL);
	HARNESS_REQUIRE (show);
	g_assert_nonnull (strstr (show, "Call Maria"));
	g_free (show);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	/* A failed step must still reach teardown, which stops prosody. */
	g_test_set_nonfatal_assertions ();

	g_test_add ("/integration/card", Fixture, NULL, fixture_set_up,
		    test_card, fixture_tear_down);
	g_test_add ("/integration/note-survives-restart", Fixture, NULL,
		    fixture_set_up, test_note_survives_restart,
		    fixture_tear_down);
	g_test_add ("/integration/handover", Fixture, NULL, fixture_set_up,
		    test_handover, fixture_tear_down);
	g_test_add ("/integration/bad-input", Fixture, NULL, fixture_set_up,
		    test_bad_input, fixture_tear_down);
	g_test_add ("/integration/command-text-and-done", Fixture, NULL,
		    fixture_set_up, test_command_text_and_done,
		    fixture_tear_down);
	return g_test_run ();
}
