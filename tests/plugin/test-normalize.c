/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-normalize.c: handle normalisation on a libpurple account
 * (crm-normalize.h), with the shared cases F01 (case of an XMPP address)
 * and F02 (IRC nick case follows the server).  The text rules themselves
 * are the store's and are tested in tests/shared-store/test-handle.c.
 *
 * No libpurple core runs here.  purple_account_new() needs one (it
 * registers the account in libpurple's D-Bus pointer table and emits
 * "account-created"), and on Debian's libpurple 2.14 a minimal core set up
 * with purple_core_init() still raised a critical inside that signal's
 * emission.  libpurple 2 keeps struct _PurpleAccount public, and the code
 * under test reads an account only through purple_account_get_username()
 * and purple_account_get_protocol_id(), so the tests fill one in directly.
 * With no protocol plugins loaded, purple_normalize() takes its generic
 * path (Unicode normalisation only), which is what the "other protocol"
 * tests expect.
 */
#include "crm-config.h"

#include "crm-normalize.h"

static PurpleAccount *
test_account_new (const char *username, const char *protocol_id)
{
	PurpleAccount *account = g_new0 (PurpleAccount, 1);

	account->username = g_strdup (username);
	account->protocol_id = g_strdup (protocol_id);
	return account;
}

static void
test_account_free (PurpleAccount *account)
{
	crm_normalize_forget_account (account);
	g_free (account->username);
	g_free (account->protocol_id);
	g_free (account);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PurpleAccount, test_account_free)

/*
 * Shared case F02: the same two nicks are one key on a network that
 * announces rfc1459 (or nothing), two on one that announces ascii.
 */
static void
test_f02 (void)
{
	g_autoptr (PurpleAccount) net1 = NULL;
	g_autoptr (PurpleAccount) net2 = NULL;
	g_autoptr (PurpleAccount) net3 = NULL;
	CrmCaseMapping map = CRM_CASEMAP_RFC1459;
	g_autofree char *a = NULL;
	g_autofree char *b = NULL;

	net1 = test_account_new ("agent@irc.one.example", "prpl-irc");
	net2 = test_account_new ("agent@irc.two.example", "prpl-irc");
	net3 = test_account_new ("agent@irc.three.example", "prpl-irc");
	g_assert_true (crm_handle_parse_isupport (
		":irc.one.example 005 agent CASEMAPPING=rfc1459 "
		":are supported by this server", &map));
	crm_normalize_set_account_casemapping (net1, map);
	g_assert_true (crm_handle_parse_isupport (
		":irc.two.example 005 agent CASEMAPPING=ascii "
		":are supported by this server", &map));
	crm_normalize_set_account_casemapping (net2, map);

	a = crm_normalize_handle (net1, "Tom[QA]");
	b = crm_normalize_handle (net1, "tom{qa}");
	g_assert_cmpstr (a, ==, b);
	g_clear_pointer (&a, g_free);
	g_clear_pointer (&b, g_free);

	a = crm_normalize_handle (net2, "Tom[QA]");
	b = crm_normalize_handle (net2, "tom{qa}");
	g_assert_cmpstr (a, ==, "tom[qa]");
	g_assert_cmpstr (b, ==, "tom{qa}");
	g_clear_pointer (&a, g_free);
	g_clear_pointer (&b, g_free);

	/* Network 3 announced nothing. */
	a = crm_normalize_handle (net3, "Tom[QA]");
	b = crm_normalize_handle (net3, "tom{qa}");
	g_assert_cmpstr (a, ==, "tom{qa}");
	g_assert_cmpstr (a, ==, b);
}

static void
test_account_registry (void)
{
	g_autoptr (PurpleAccount) irc = NULL;
	g_autofree char *key = NULL;

	irc = test_account_new ("Tom[QA]@irc.example.net", "prpl-irc");
	crm_normalize_set_account_casemapping (irc, CRM_CASEMAP_ASCII);
	key = crm_normalize_handle (irc, "A[b]~");
	g_assert_cmpstr (key, ==, "a[b]~");
	g_assert_false (crm_normalize_is_self (irc, "tom{qa}"));
	g_assert_true (crm_normalize_is_self (irc, "TOM[qa]"));

	/* Announced again (a reconnect to another server of the network). */
	crm_normalize_set_account_casemapping (irc, CRM_CASEMAP_STRICT_RFC1459);
	g_clear_pointer (&key, g_free);
	key = crm_normalize_handle (irc, "A[b]~");
	g_assert_cmpstr (key, ==, "a{b}~");

	/* Forgotten at sign-off: back to the default. */
	crm_normalize_forget_account (irc);
	crm_normalize_forget_account (irc);
	g_clear_pointer (&key, g_free);
	key = crm_normalize_handle (irc, "A[b]~");
	g_assert_cmpstr (key, ==, "a{b}^");
	g_assert_true (crm_normalize_is_self (irc, "tom{qa}"));
	g_assert_false (crm_normalize_is_self (irc, "tom"));
	g_assert_false (crm_normalize_is_self (irc, "tom{qa} x"));
}

/* Shared case F01: our own XMPP address, in another case, is us. */
static void
test_f01 (void)
{
	g_autoptr (PurpleAccount) xmpp = NULL;
	g_autofree char *peer = NULL;

	xmpp = test_account_new ("Sales.Desk@Example.org/desk", "prpl-jabber");
	g_assert_true (crm_normalize_is_self (xmpp, "sales.desk@example.org"));
	g_assert_true (crm_normalize_is_self (xmpp,
					      "Sales.Desk@Example.org/other"));
	g_assert_false (crm_normalize_is_self (xmpp,
					       "sales.desk@other.example"));
	g_assert_false (crm_normalize_is_self (xmpp,
					       "mira.kovac@shop.example"));
	g_assert_false (crm_normalize_is_self (xmpp, "not a jid@"));

	peer = crm_normalize_handle (xmpp, "Mira.Kovac@Shop.example/phone");
	g_assert_cmpstr (peer, ==, "mira.kovac@shop.example");
}

static void
test_self_without_username (void)
{
	g_autoptr (PurpleAccount) xmpp = test_account_new (NULL, "prpl-jabber");
	g_autoptr (PurpleAccount) irc = test_account_new ("nick-without-server",
							  "prpl-irc");

	g_assert_false (crm_normalize_is_self (xmpp, "a@b.example"));
	g_assert_true (crm_normalize_is_self (irc, "NICK-without-server"));
}

/*
 * Other protocols: libpurple's generic rule, Unicode normalisation, which
 * the store's rule (as typed) does not apply.
 */
static void
test_other_protocols (void)
{
	g_autoptr (PurpleAccount) other = test_account_new ("Agent",
							    "prpl-example");
	g_autofree char *a = NULL;
	g_autofree char *b = NULL;

	a = crm_normalize_handle (other, "Jose\xcc\x81 Smith");
	b = crm_normalize_handle (other, "Jos\xc3\xa9 Smith");
	g_assert_cmpstr (a, ==, b);
	g_assert_nonnull (a);
	g_clear_pointer (&a, g_free);

	a = crm_normalize_handle (other, "");
	g_assert_null (a);
	a = crm_normalize_handle (other, "bad \xff utf-8");
	g_assert_null (a);
	a = crm_normalize_handle (other, "\xc3");
	g_assert_null (a);

	g_assert_true (crm_normalize_is_self (other, "Agent"));
	g_assert_false (crm_normalize_is_self (other, "Other"));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/normalize/irc/f02", test_f02);
	g_test_add_func ("/normalize/account/registry", test_account_registry);
	g_test_add_func ("/normalize/account/f01", test_f01);
	g_test_add_func ("/normalize/account/self-without-username",
			 test_self_without_username);
	g_test_add_func ("/normalize/account/other-protocols",
			 test_other_protocols);

	return g_test_run ();
}
