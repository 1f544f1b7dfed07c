/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-handle.c: the store's handle rules (crm-handle.h): XMPP and IRC
 * normal forms, IRC case mappings and their announcement, and the
 * conservative rule for other protocols.  The plugin's use of them on a
 * libpurple account is tested in tests/plugin/test-normalize.c.
 */
#include "crm-config.h"

#include <string.h>

#include "crm.h"

/* Checks that crm_handle_xmpp (@in) is @expected (NULL: invalid). */
static void
check_xmpp (const char *in, const char *expected)
{
	g_autofree char *out = crm_handle_xmpp (in);

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
	out = crm_handle_xmpp (jid);
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
	g_assert_cmpint (crm_handle_casemapping_from_name ("rfc1459"), ==,
			 CRM_CASEMAP_RFC1459);
	g_assert_cmpint (crm_handle_casemapping_from_name ("strict-rfc1459"),
			 ==, CRM_CASEMAP_STRICT_RFC1459);
	g_assert_cmpint (crm_handle_casemapping_from_name ("ascii"), ==,
			 CRM_CASEMAP_ASCII);
	g_assert_cmpint (crm_handle_casemapping_from_name ("ASCII"), ==,
			 CRM_CASEMAP_ASCII);
	g_assert_cmpint (crm_handle_casemapping_from_name (NULL), ==,
			 CRM_CASEMAP_RFC1459);
	g_assert_cmpint (crm_handle_casemapping_from_name (""), ==,
			 CRM_CASEMAP_RFC1459);
	g_assert_cmpint (crm_handle_casemapping_from_name ("rfc7613"), ==,
			 CRM_CASEMAP_RFC1459);
}

/* Checks crm_handle_irc_nick (@in, @map) is @expected (NULL: invalid). */
static void
check_nick (const char *in, CrmCaseMapping map, const char *expected)
{
	g_autofree char *out = crm_handle_irc_nick (in, map);

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

/* crm_handle_parse_isupport on @line: @found, and then @expected. */
static void
check_isupport (const char *line, gboolean found, CrmCaseMapping expected)
{
	CrmCaseMapping map = (CrmCaseMapping) 42;

	if (crm_handle_parse_isupport (line, &map) != found)
		g_test_message ("line: \"%s\"", line);
	g_assert_cmpint (crm_handle_parse_isupport (line, &map), ==, found);
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

static void
test_for_protocol (void)
{
	g_autofree char *x = NULL;
	g_autofree char *i = NULL;
	g_autofree char *j = NULL;

	x = crm_handle_normalize ("prpl-jabber", "A@B.example/r",
				  CRM_CASEMAP_ASCII);
	g_assert_cmpstr (x, ==, "a@b.example");
	i = crm_handle_normalize ("prpl-irc", "Tom[QA]", CRM_CASEMAP_ASCII);
	g_assert_cmpstr (i, ==, "tom[qa]");
	j = crm_handle_normalize ("prpl-irc", "Tom[QA]", CRM_CASEMAP_RFC1459);
	g_assert_cmpstr (j, ==, "tom{qa}");
}

/* Checks crm_handle_normalize (@protocol, @in) is @expected (NULL: bad). */
static void
check_handle (const char *protocol, const char *in, const char *expected)
{
	g_autofree char *out = crm_handle_normalize (protocol, in,
						     CRM_CASEMAP_RFC1459);

	if (g_strcmp0 (out, expected) != 0)
		g_test_message ("%s: \"%s\"", protocol, in);
	g_assert_cmpstr (out, ==, expected);
}

/*
 * What an administrator types: "chatcrm-admin link ... prpl-jabber
 * Ana@Example.org/Home" once stored the handle as typed, which never
 * matched a conversation.
 */
static void
test_typed (void)
{
	check_handle ("prpl-jabber", "Ana@Example.org/Home",
		      "ana@example.org");
	check_handle ("prpl-jabber", "  Ana@Example.org \n", "ana@example.org");
	check_handle ("prpl-jabber", "Ana Trujillo@example.org", NULL);
	check_handle ("prpl-irc", " Tom[QA] ", "tom{qa}");
	check_handle ("prpl-irc", "Tom QA", NULL);
}

/*
 * Protocols without rules here keep the handle as typed, trimmed; only
 * what cannot be a handle is refused.
 */
static void
test_other_protocols (void)
{
	check_handle ("prpl-example", "Jos\xc3\xa9 Smith", "Jos\xc3\xa9 Smith");
	check_handle ("prpl-example", "\tAgent 7 ", "Agent 7");
	check_handle ("prpl-example", "", NULL);
	check_handle ("prpl-example", " \t\r\n", NULL);
	check_handle ("prpl-example", "bad \xff utf-8", NULL);
	check_handle ("prpl-example", "\xc3", NULL);
	check_handle ("prpl-example", "two\nlines", NULL);
	check_handle ("", "anything", "anything");
}

static void
test_preconditions (void)
{
	if (g_test_subprocess ()) {
		g_assert_null (crm_handle_xmpp (NULL));
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

	g_test_add_func ("/store/handle/xmpp/bare", test_xmpp_bare);
	g_test_add_func ("/store/handle/xmpp/resource", test_xmpp_resource);
	g_test_add_func ("/store/handle/xmpp/trailing-dot",
			 test_xmpp_trailing_dot);
	g_test_add_func ("/store/handle/xmpp/unicode", test_xmpp_unicode);
	g_test_add_func ("/store/handle/xmpp/invalid", test_xmpp_invalid);
	g_test_add_func ("/store/handle/xmpp/lengths", test_xmpp_lengths);
	g_test_add_func ("/store/handle/irc/casemapping-names",
			 test_casemapping_names);
	g_test_add_func ("/store/handle/irc/fold", test_irc_fold);
	g_test_add_func ("/store/handle/irc/invalid", test_irc_invalid);
	g_test_add_func ("/store/handle/irc/isupport", test_isupport);
	g_test_add_func ("/store/handle/irc/isupport-default-values",
			 test_isupport_default_values);
	g_test_add_func ("/store/handle/irc/isupport-not-found",
			 test_isupport_not_found);
	g_test_add_func ("/store/handle/normalize/for-protocol",
			 test_for_protocol);
	g_test_add_func ("/store/handle/normalize/typed", test_typed);
	g_test_add_func ("/store/handle/normalize/other-protocols",
			 test_other_protocols);
	g_test_add_func ("/store/handle/preconditions", test_preconditions);

	return g_test_run ();
}
