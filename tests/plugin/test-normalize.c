/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-normalize.c: handle normalisation per protocol (crm-normalize.h),
 * with the shared cases F01 (case of an XMPP address) and F02 (IRC nick
 * case follows the server).
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

#include <string.h>

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

/* Checks that crm_normalize_xmpp (@in) is @expected (NULL: invalid). */
static void
check_xmpp (const char *in, const char *expected)
{
	g_autofree char *out = crm_normalize_xmpp (in);

	if (g_strcmp0 (out, expected) != 0)
		g_test_message ("input: \"%s\"", in);
	g_assert_cmpstr (out, ==, expected);
}

static void
test_xmpp_bare (void)
{
	check_xmpp ("Mira.Kovac@Shop.example/phone", "mira.kovac@shop.example");
	check_xmpp ("mira.kovac@shop.example", "mira.kovac@shop.example");
	check_xmpp ("Sales.Desk@Example.org/desk", "sales.desk@example.org");
	check_xmpp ("Example.ORG", "example.org");
	check_xmpp ("Example.ORG/Some Resource", "example.org");
	check_xmpp ("user@[::1]", "user@[::1]");
}

static void
test_xmpp_resource (void)
{
	/* The resource starts at the first "/" and may hold "@" and "/". */
	check_xmpp ("a@b.example/Res@X/Y", "a@b.example");
	check_xmpp ("b.example/Res@X", "b.example");
	/* So "a/b@example.org" is the domain "a" with a resource. */
	check_xmpp ("a/b@example.org", "a");
	/* An empty resource is not allowed. */
	check_xmpp ("a@b.example/", NULL);
}

static void
test_xmpp_trailing_dot (void)
{
	check_xmpp ("user@Example.ORG.", "user@example.org");
	check_xmpp ("user@example.org./res", "user@example.org");
	check_xmpp ("Example.org.", "example.org");
	check_xmpp ("user@example.org..", NULL);
	check_xmpp ("user@.", NULL);
	check_xmpp (".", NULL);
}

static void
test_xmpp_unicode (void)
{
	check_xmpp ("ÄNNE@BÜRO.example", "änne@büro.example");
	/* Fullwidth letters fold to ASCII under NFKC. */
	check_xmpp ("ＡＢＣ@example.org", "abc@example.org");
	/* Full case folding: sharp s becomes "ss". */
	check_xmpp ("Straße@x.example", "strasse@x.example");
	/* Decomposed and composed forms meet. */
	check_xmpp ("Jose\xcc\x81@example.org", "jos\xc3\xa9@example.org");
	check_xmpp ("JOS\xc3\x89@example.org", "jos\xc3\xa9@example.org");
}

static void
test_xmpp_invalid (void)
{
	static const char *const bad[] = {
		"", "@example.org", "user@", "user@/res", "a@b@example.org",
		"a b@example.org", "a\"b@example.org", "a&b@example.org",
		"a'b@example.org", "a:b@example.org", "a<b@example.org",
		"a>b@example.org", "a\tb@example.org",
		"a\xc2\xa0" "b@example.org",	/* no-break space */
		"a\xef\xbc\xa0" "b@example.org",	/* fullwidth @ */
		"user@exa mple.org", "user@example..org", "user@.example.org",
		"us\xff" "er@example.org", "user@example.org/\xc3",
		"/res",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (bad); i++)
		check_xmpp (bad[i], NULL);
}

static void
test_xmpp_lengths (void)
{
	g_autofree char *part = g_strnfill (1023, 'a');
	g_autofree char *longer = g_strnfill (1024, 'a');
	g_autofree char *jid = NULL;
	g_autofree char *out = NULL;

	jid = g_strconcat (part, "@", part, "/", part, NULL);
	out = crm_normalize_xmpp (jid);
	g_assert_nonnull (out);
	g_assert_cmpuint (strlen (out), ==, 1023 * 2 + 1);
	g_clear_pointer (&jid, g_free);

	jid = g_strconcat (longer, "@example.org", NULL);
	check_xmpp (jid, NULL);
	g_clear_pointer (&jid, g_free);
	jid = g_strconcat ("user@", longer, NULL);
	check_xmpp (jid, NULL);
	g_clear_pointer (&jid, g_free);
	jid = g_strconcat ("user@example.org/", longer, NULL);
	check_xmpp (jid, NULL);
}

static void
test_casemapping_names (void)
{
	g_assert_cmpint (crm_normalize_casemapping_from_name ("rfc1459"), ==,
			 CRM_CASEMAP_RFC1459);
	g_assert_cmpint (crm_normalize_casemapping_from_name ("strict-rfc1459"),
			 ==, CRM_CASEMAP_STRICT_RFC1459);
	g_assert_cmpint (crm_normalize_casemapping_from_name ("ascii"), ==,
			 CRM_CASEMAP_ASCII);
	g_assert_cmpint (crm_normalize_casemapping_from_name ("ASCII"), ==,
			 CRM_CASEMAP_ASCII);
	g_assert_cmpint (crm_normalize_casemapping_from_name (NULL), ==,
			 CRM_CASEMAP_RFC1459);
	g_assert_cmpint (crm_normalize_casemapping_from_name (""), ==,
			 CRM_CASEMAP_RFC1459);
	g_assert_cmpint (crm_normalize_casemapping_from_name ("rfc7613"), ==,
			 CRM_CASEMAP_RFC1459);
}

/* Checks crm_normalize_irc_nick (@in, @map) is @expected (NULL: invalid). */
static void
check_nick (const char *in, CrmCaseMapping map, const char *expected)
{
	g_autofree char *out = crm_normalize_irc_nick (in, map);

	g_assert_cmpstr (out, ==, expected);
}

static void
test_irc_fold (void)
{
	check_nick ("Tom[QA]", CRM_CASEMAP_RFC1459, "tom{qa}");
	check_nick ("A\\B~", CRM_CASEMAP_RFC1459, "a|b^");
	check_nick ("A\\B~", CRM_CASEMAP_STRICT_RFC1459, "a|b~");
	check_nick ("Tom[QA]", CRM_CASEMAP_STRICT_RFC1459, "tom{qa}");
	check_nick ("Tom[QA]\\~", CRM_CASEMAP_ASCII, "tom[qa]\\~");
	check_nick ("tom{qa}|^", CRM_CASEMAP_RFC1459, "tom{qa}|^");
	/* Only ASCII letters fold; other characters pass through. */
	check_nick ("\xc3\x9cNAL", CRM_CASEMAP_RFC1459, "\xc3\x9cnal");
}

static void
test_irc_invalid (void)
{
	static const char *const bad[] = {
		"", "a b", "a,b", "a!b", "a@b", "a*", "a?", "#chan", "&chan",
		":nick", "$mask", "a\tb", "a\x7f", "\xff\xfe",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (bad); i++)
		check_nick (bad[i], CRM_CASEMAP_RFC1459, NULL);
}

/* crm_normalize_parse_isupport on @line: @found, and then @expected. */
static void
check_isupport (const char *line, gboolean found, CrmCaseMapping expected)
{
	CrmCaseMapping map = (CrmCaseMapping) 42;

	if (crm_normalize_parse_isupport (line, &map) != found)
		g_test_message ("line: \"%s\"", line);
	g_assert_cmpint (crm_normalize_parse_isupport (line, &map), ==, found);
	g_assert_cmpint (map, ==, found ? expected : (CrmCaseMapping) 42);
}

static void
test_isupport (void)
{
	check_isupport (":irc.example.net 005 mynick CHANTYPES=# "
			"CASEMAPPING=ascii PREFIX=(ov)@+ "
			":are supported by this server",
			TRUE, CRM_CASEMAP_ASCII);
	check_isupport (":irc.example.net 005 mynick CASEMAPPING=rfc1459 :x",
			TRUE, CRM_CASEMAP_RFC1459);
	check_isupport (":srv 005 me CASEMAPPING=strict-rfc1459\r\n",
			TRUE, CRM_CASEMAP_STRICT_RFC1459);
	/* No prefix: the numeric is the first token. */
	check_isupport ("005 mynick CASEMAPPING=ascii :are supported",
			TRUE, CRM_CASEMAP_ASCII);
	/* IRCv3 message tags before the prefix, runs of spaces. */
	check_isupport ("@time=2026-01-01T00:00:00Z :srv  005  me   "
			"CASEMAPPING=ascii  :x",
			TRUE, CRM_CASEMAP_ASCII);
	/* The last one wins. */
	check_isupport (":srv 005 me CASEMAPPING=ascii CASEMAPPING=rfc1459 :x",
			TRUE, CRM_CASEMAP_RFC1459);
}

static void
test_isupport_default_values (void)
{
	/* Empty or missing value, withdrawal, unknown name: the default. */
	check_isupport (":srv 005 me CASEMAPPING= :x", TRUE,
			CRM_CASEMAP_RFC1459);
	check_isupport (":srv 005 me CASEMAPPING :x", TRUE,
			CRM_CASEMAP_RFC1459);
	check_isupport (":srv 005 me -CASEMAPPING :x", TRUE,
			CRM_CASEMAP_RFC1459);
	check_isupport (":srv 005 me CASEMAPPING=rfc7613 :x", TRUE,
			CRM_CASEMAP_RFC1459);
}

static void
test_isupport_not_found (void)
{
	static const char *const lines[] = {
		"",
		"   ",
		":srv",
		":srv 005",
		":srv 005 me",
		":srv 005 :CASEMAPPING=ascii",
		":srv 005 me :CASEMAPPING=ascii is in the trailing text",
		":srv 005 me CHANTYPES=# PREFIX=(ov)@+ :are supported",
		":srv 004 me CASEMAPPING=ascii",
		":srv 0050 me CASEMAPPING=ascii",
		":srv 5 me CASEMAPPING=ascii",
		":srv PRIVMSG me :CASEMAPPING=ascii",
		":srv PRIVMSG me CASEMAPPING=ascii",
		"CASEMAPPING=ascii",
		":srv 005 me CASEMAPPINGS=ascii XCASEMAPPING=ascii :x",
		"@tags",
		"\xff\xfe 005 me \xff",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (lines); i++)
		check_isupport (lines[i], FALSE, CRM_CASEMAP_RFC1459);
}

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
	g_assert_true (crm_normalize_parse_isupport (
		":irc.one.example 005 agent CASEMAPPING=rfc1459 "
		":are supported by this server", &map));
	crm_normalize_set_account_casemapping (net1, map);
	g_assert_true (crm_normalize_parse_isupport (
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

/* Other protocols: libpurple's generic rule, Unicode normalisation. */
static void
test_other_protocols (void)
{
	g_autoptr (PurpleAccount) other = test_account_new ("Agent",
							    "prpl-example");
	g_autofree char *a = NULL;
	g_autofree char *b = NULL;

	a = crm_normalize_handle (other, "Jose\xcc\x81 Smith");
	b = crm_normalize_handle_for_protocol ("prpl-example",
					       "Jos\xc3\xa9 Smith",
					       CRM_CASEMAP_RFC1459);
	g_assert_cmpstr (a, ==, b);
	g_assert_nonnull (a);
	g_clear_pointer (&a, g_free);

	a = crm_normalize_handle (other, "");
	g_assert_null (a);
	a = crm_normalize_handle (other, "bad \xff utf-8");
	g_assert_null (a);
	a = crm_normalize_handle_for_protocol ("prpl-example", "\xc3",
					       CRM_CASEMAP_RFC1459);
	g_assert_null (a);

	g_assert_true (crm_normalize_is_self (other, "Agent"));
	g_assert_false (crm_normalize_is_self (other, "Other"));
}

static void
test_for_protocol (void)
{
	g_autofree char *x = NULL;
	g_autofree char *i = NULL;
	g_autofree char *j = NULL;

	x = crm_normalize_handle_for_protocol ("prpl-jabber", "A@B.example/r",
					       CRM_CASEMAP_ASCII);
	g_assert_cmpstr (x, ==, "a@b.example");
	i = crm_normalize_handle_for_protocol ("prpl-irc", "Tom[QA]",
					       CRM_CASEMAP_ASCII);
	g_assert_cmpstr (i, ==, "tom[qa]");
	j = crm_normalize_handle_for_protocol ("prpl-irc", "Tom[QA]",
					       CRM_CASEMAP_RFC1459);
	g_assert_cmpstr (j, ==, "tom{qa}");
}

static void
test_preconditions (void)
{
	if (g_test_subprocess ()) {
		g_assert_null (crm_normalize_xmpp (NULL));
		return;
	}
	g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed ();
	g_test_trap_assert_stderr ("*CRITICAL*jid != NULL*");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/normalize/xmpp/bare", test_xmpp_bare);
	g_test_add_func ("/normalize/xmpp/resource", test_xmpp_resource);
	g_test_add_func ("/normalize/xmpp/trailing-dot",
			 test_xmpp_trailing_dot);
	g_test_add_func ("/normalize/xmpp/unicode", test_xmpp_unicode);
	g_test_add_func ("/normalize/xmpp/invalid", test_xmpp_invalid);
	g_test_add_func ("/normalize/xmpp/lengths", test_xmpp_lengths);
	g_test_add_func ("/normalize/irc/casemapping-names",
			 test_casemapping_names);
	g_test_add_func ("/normalize/irc/fold", test_irc_fold);
	g_test_add_func ("/normalize/irc/invalid", test_irc_invalid);
	g_test_add_func ("/normalize/irc/isupport", test_isupport);
	g_test_add_func ("/normalize/irc/isupport-default-values",
			 test_isupport_default_values);
	g_test_add_func ("/normalize/irc/isupport-not-found",
			 test_isupport_not_found);
	g_test_add_func ("/normalize/irc/f02", test_f02);
	g_test_add_func ("/normalize/account/registry", test_account_registry);
	g_test_add_func ("/normalize/account/f01", test_f01);
	g_test_add_func ("/normalize/account/self-without-username",
			 test_self_without_username);
	g_test_add_func ("/normalize/account/other-protocols",
			 test_other_protocols);
	g_test_add_func ("/normalize/for-protocol", test_for_protocol);
	g_test_add_func ("/normalize/preconditions", test_preconditions);

	return g_test_run ();
}
