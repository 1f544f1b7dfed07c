/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * handle.c: chat handles brought to the one form a customer is found by.
 *
 * Pure text rules, shared by the plugin (which adds libpurple's own
 * normalisation for the protocols it does not know) and the
 * administrator's tool (which links handles without libpurple): XMPP
 * addresses become bare, case-folded JIDs; IRC nicks fold by the case
 * mapping the network announced in RPL_ISUPPORT.  Nothing here touches the
 * store's database or keeps state.
 */
#include "crm-config.h"

#include <string.h>

#include "crm-handle.h"

/* RFC 7622 limits each part of a JID to 1023 bytes. */
#define XMPP_PART_MAX 1023

/*
 * Returns the case mapping named by a CASEMAPPING value.  Names are compared
 * without regard to ASCII case; anything else is rfc1459, the default.
 */
CrmCaseMapping
crm_handle_casemapping_from_name (const char *name)
{
	if (name == NULL)
		return CRM_CASEMAP_RFC1459;
	if (g_ascii_strcasecmp (name, "ascii") == 0)
		return CRM_CASEMAP_ASCII;
	if (g_ascii_strcasecmp (name, "strict-rfc1459") == 0)
		return CRM_CASEMAP_STRICT_RFC1459;
	return CRM_CASEMAP_RFC1459;
}

/*
 * Reads one ISUPPORT parameter.  "CASEMAPPING=name" names a mapping;
 * "CASEMAPPING" or "CASEMAPPING=" with no value and "-CASEMAPPING" (the
 * server withdrawing the token) all mean the default, rfc1459.
 */
static gboolean
isupport_token_casemapping (const char *token, CrmCaseMapping *out_map)
{
	static const char key[] = "CASEMAPPING";
	gsize key_len = sizeof key - 1;

	if (g_ascii_strcasecmp (token, "-CASEMAPPING") == 0 ||
	    g_ascii_strcasecmp (token, key) == 0) {
		*out_map = CRM_CASEMAP_RFC1459;
		return TRUE;
	}
	if (g_ascii_strncasecmp (token, key, key_len) != 0 ||
	    token[key_len] != '=')
		return FALSE;

	*out_map = crm_handle_casemapping_from_name (token + key_len + 1);
	return TRUE;
}

/* Index of the first non-empty token at or after @i (runs of spaces). */
static guint
isupport_skip_empty (char **tokens, guint i)
{
	while (tokens[i] != NULL && tokens[i][0] == '\0')
		i++;
	return i;
}

/*
 * Scans a raw IRC line: optional "@tags", optional ":prefix", the numeric
 * 005, the target nick, then parameters up to the trailing ":text".  The
 * last CASEMAPPING parameter wins.  Lines that are not 005 replies, or 005
 * replies without CASEMAPPING, leave *out_map alone and return FALSE.
 */
gboolean
crm_handle_parse_isupport (const char *line, CrmCaseMapping *out_map)
{
	g_auto (GStrv) tokens = NULL;
	CrmCaseMapping map = CRM_CASEMAP_RFC1459;
	gboolean found = FALSE;
	guint i;

	g_return_val_if_fail (line != NULL, FALSE);
	g_return_val_if_fail (out_map != NULL, FALSE);

	tokens = g_strsplit_set (line, " \r\n", -1);
	i = isupport_skip_empty (tokens, 0);
	if (tokens[i] != NULL && tokens[i][0] == '@')
		i = isupport_skip_empty (tokens, i + 1);
	if (tokens[i] != NULL && tokens[i][0] == ':')
		i = isupport_skip_empty (tokens, i + 1);
	if (g_strcmp0 (tokens[i], "005") != 0)
		return FALSE;

	/* The target (our own nick) comes first and is no parameter. */
	i = isupport_skip_empty (tokens, i + 1);
	if (tokens[i] == NULL || tokens[i][0] == ':')
		return FALSE;

	for (i = isupport_skip_empty (tokens, i + 1);
	     tokens[i] != NULL && tokens[i][0] != ':';
	     i = isupport_skip_empty (tokens, i + 1))
		if (isupport_token_casemapping (tokens[i], &map))
			found = TRUE;

	if (found)
		*out_map = map;
	return found;
}

/*
 * Whether @nick can be a nick: valid UTF-8, no space or control character,
 * none of the characters IRC gives a meaning in masks and lists (",*?!@"),
 * and no leading character that makes it a channel or a trailing parameter.
 */
static gboolean
irc_nick_is_valid (const char *nick)
{
	const char *p;

	if (nick[0] == '\0' || !g_utf8_validate (nick, -1, NULL))
		return FALSE;
	if (strchr ("#&:$", nick[0]) != NULL)
		return FALSE;

	for (p = nick; *p != '\0'; p++) {
		guchar c = (guchar) *p;

		if (c <= 0x20 || c == 0x7f || strchr (",*?!@", c) != NULL)
			return FALSE;
	}
	return TRUE;
}

/*
 * Folds @nick by @map.  Only ASCII bytes change, so UTF-8 sequences (all
 * bytes >= 0x80) pass through untouched.
 */
char *
crm_handle_irc_nick (const char *nick, CrmCaseMapping map)
{
	char *folded;
	char *p;

	g_return_val_if_fail (nick != NULL, NULL);

	if (!irc_nick_is_valid (nick))
		return NULL;

	folded = g_strdup (nick);
	for (p = folded; *p != '\0'; p++) {
		*p = g_ascii_tolower (*p);
		if (map == CRM_CASEMAP_ASCII)
			continue;
		if (*p == '[')
			*p = '{';
		else if (*p == ']')
			*p = '}';
		else if (*p == '\\')
			*p = '|';
		else if (*p == '~' && map == CRM_CASEMAP_RFC1459)
			*p = '^';
	}
	return folded;
}

/*
 * Case-folds one part of a JID.  RFC 7622 asks for the PRECIS
 * UsernameCaseMapped profile on the local part and IDNA2008 on the domain
 * (RFC 6122 before it: nodeprep and nameprep).  Without a stringprep/PRECIS
 * library we approximate both with NFKC, Unicode case folding, then NFKC
 * again (folding can leave a string that is no longer normalised).  This
 * agrees with the real profiles for the addresses people type; it differs
 * on characters those profiles forbid, which we then accept.
 */
static char *
xmpp_fold_part (const char *part, gssize len)
{
	g_autofree char *nfkc = g_utf8_normalize (part, len, G_NORMALIZE_NFKC);
	g_autofree char *folded = NULL;

	if (nfkc == NULL)
		return NULL;
	folded = g_utf8_casefold (nfkc, -1);
	return g_utf8_normalize (folded, -1, G_NORMALIZE_NFKC);
}

/*
 * Whether a folded local part is allowed: non-empty, not too long, and none
 * of the characters RFC 7622 section 3.3.1 forbids ("&'/:<>@ and spaces),
 * nor control characters.  Checked after folding, since NFKC turns for
 * example a fullwidth commercial at into "@".
 */
static gboolean
xmpp_local_is_valid (const char *local)
{
	const char *p;

	if (local[0] == '\0' || strlen (local) > XMPP_PART_MAX)
		return FALSE;

	for (p = local; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);

		if (g_unichar_isspace (c) || g_unichar_iscntrl (c) ||
		    (c < 0x80 && strchr ("\"&'/:<>@", (int) c) != NULL))
			return FALSE;
	}
	return TRUE;
}

/*
 * Drops one trailing dot of a folded domain (in place) and checks it: not
 * empty, not too long, no empty label, no space, control character or "@".
 */
static gboolean
xmpp_domain_check (char *domain)
{
	gsize len = strlen (domain);
	const char *p;

	if (len > 0 && domain[len - 1] == '.')
		domain[--len] = '\0';
	if (len == 0 || len > XMPP_PART_MAX)
		return FALSE;
	if (domain[0] == '.' || domain[len - 1] == '.' ||
	    strstr (domain, "..") != NULL)
		return FALSE;

	for (p = domain; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);

		if (g_unichar_isspace (c) || g_unichar_iscntrl (c) || c == '@')
			return FALSE;
	}
	return TRUE;
}

/*
 * Splits at the first "/" (the resource, which must not be empty and is
 * dropped unfolded), then at the "@" of the bare part.  A second "@" makes
 * the JID invalid, since neither the local part nor the domain may hold one.
 */
char *
crm_handle_xmpp (const char *jid)
{
	const char *slash;
	const char *at;
	gsize bare_len;
	g_autofree char *local = NULL;
	g_autofree char *domain = NULL;

	g_return_val_if_fail (jid != NULL, NULL);

	if (!g_utf8_validate (jid, -1, NULL))
		return NULL;

	slash = strchr (jid, '/');
	if (slash != NULL &&
	    (slash[1] == '\0' || strlen (slash + 1) > XMPP_PART_MAX))
		return NULL;
	bare_len = slash != NULL ? (gsize) (slash - jid) : strlen (jid);

	at = memchr (jid, '@', bare_len);
	if (at == NULL) {
		domain = xmpp_fold_part (jid, (gssize) bare_len);
		if (domain == NULL || !xmpp_domain_check (domain))
			return NULL;
		return g_steal_pointer (&domain);
	}

	local = xmpp_fold_part (jid, at - jid);
	domain = xmpp_fold_part (at + 1, (gssize) bare_len - (at + 1 - jid));
	if (local == NULL || domain == NULL)
		return NULL;
	if (!xmpp_local_is_valid (local) || !xmpp_domain_check (domain))
		return NULL;

	return g_strconcat (local, "@", domain, NULL);
}

/*
 * Whether @text can be a handle of a protocol we have no rules for: valid
 * UTF-8, not blank, and no control character (a line break in a handle
 * could only come from a paste gone wrong).
 */
static gboolean
other_is_valid (const char *text)
{
	const char *p;

	if (text[0] == '\0' || !g_utf8_validate (text, -1, NULL))
		return FALSE;
	for (p = text; *p != '\0'; p = g_utf8_next_char (p)) {
		if (g_unichar_iscntrl (g_utf8_get_char (p)))
			return FALSE;
	}
	return TRUE;
}

/*
 * Trims first, since a handle never begins or ends with white space and
 * typed or pasted ones often do.  Other protocols keep their case: only
 * their libpurple plugin knows whether it matters.
 */
char *
crm_handle_normalize (const char *protocol_id, const char *handle,
		      CrmCaseMapping map)
{
	g_autofree char *trimmed = NULL;

	g_return_val_if_fail (protocol_id != NULL, NULL);
	g_return_val_if_fail (handle != NULL, NULL);

	trimmed = g_strstrip (g_strdup (handle));
	if (strcmp (protocol_id, "prpl-jabber") == 0)
		return crm_handle_xmpp (trimmed);
	if (strcmp (protocol_id, "prpl-irc") == 0)
		return crm_handle_irc_nick (trimmed, map);
	if (!other_is_valid (trimmed))
		return NULL;
	return g_steal_pointer (&trimmed);
}
