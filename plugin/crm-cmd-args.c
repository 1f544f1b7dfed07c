/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-cmd-args.c: checking the arguments of /crm commands.
 *
 * Everything an agent types after a subcommand is checked here before the
 * store is touched, so a wrong command changes nothing.  Assignees and
 * handover targets use one notation: "@anna" (or @"Anna Berg") is an agent,
 * "@dept:support" a department; a handover also takes a bare department
 * name.  An @agent must be someone in the agent directory (the caller
 * passes its names); departments are free text.  The handover /crm accept
 * takes is chosen here as well.  The edit form's e-mail, phone and tag
 * fields are checked here too, and a phone number typed in national form
 * is brought to E.164 with the default region from the preferences.
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include <string.h>

#include "crm-cmd-args.h"

#define DEPT_PREFIX "dept:"

/* The error domain of this file's checks. */
G_DEFINE_QUARK (crm-cmd-args-error-quark, crm_cmd_args_error)

/* Skips ASCII white space. */
static const char *
skip_space (const char *p)
{
	while (*p != '\0' && g_ascii_isspace (*p))
		p++;
	return p;
}

/*
 * Reads one word at @p: up to white space, or between double quotes when
 * it starts with one.  Sets *@out_end after the word.  NULL for an
 * unclosed quote.
 */
static char *
read_word (const char *p, const char **out_end, GError **error)
{
	const char *end;

	if (*p == '"') {
		end = strchr (p + 1, '"');
		if (end == NULL) {
			g_set_error (error, CRM_CMD_ARGS_ERROR,
				     CRM_CMD_ARGS_ERROR_INVALID,
				     _("A quote is not closed."));
			return NULL;
		}
		*out_end = end + 1;
		return g_strstrip (g_strndup (p + 1, end - p - 1));
	}
	for (end = p; *end != '\0' && !g_ascii_isspace (*end); end++)
		;
	*out_end = end;
	return g_strndup (p, end - p);
}

/*
 * Reads "@name", "@"Full Name"" or "@dept:name" at @p (just after the @)
 * into an agent or a department.
 */
static gboolean
read_at_word (const char *p, const char **out_end, char **out_agent,
	      char **out_department, GError **error)
{
	char *word = read_word (p, out_end, error);
	gsize prefix = strlen (DEPT_PREFIX);

	if (word == NULL)
		return FALSE;
	if (g_ascii_strncasecmp (word, DEPT_PREFIX, prefix) == 0) {
		char *dept = g_strstrip (g_strdup (word + prefix));

		g_free (word);
		if (*dept == '\0') {
			g_free (dept);
			g_set_error (error, CRM_CMD_ARGS_ERROR,
				     CRM_CMD_ARGS_ERROR_MISSING,
				     _("A department name is missing after "
				       "@dept:, for example @dept:support."));
			return FALSE;
		}
		*out_department = dept;
		return TRUE;
	}
	if (*word == '\0') {
		g_free (word);
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_MISSING,
			     _("A name is missing after @, for example @anna "
			       "or @dept:support."));
		return FALSE;
	}
	*out_agent = word;
	return TRUE;
}

/*
 * Splits a follow-up's arguments into an optional assignee (first word
 * "@agent" or "@dept:department") and the rest.  Without an @ word both
 * assignees come back NULL and the rest is the whole text, trimmed.
 */
gboolean
crm_cmd_args_parse_assignee (const char *text, char **out_agent,
			     char **out_department, char **out_rest,
			     GError **error)
{
	const char *p = skip_space (text != NULL ? text : "");
	const char *end = p;

	*out_agent = NULL;
	*out_department = NULL;
	*out_rest = NULL;
	if (*p == '@' && !read_at_word (p + 1, &end, out_agent,
					out_department, error))
		return FALSE;
	*out_rest = g_strstrip (g_strdup (end));
	return TRUE;
}

/*
 * Splits a handover's arguments into its target (a department, "@agent" or
 * "@dept:department") and the note for the receiver, which is required.
 */
gboolean
crm_cmd_args_parse_target (const char *text, char **out_agent,
			   char **out_department, char **out_note,
			   GError **error)
{
	const char *p = skip_space (text != NULL ? text : "");
	const char *end = p;
	char *dept = NULL;

	*out_agent = NULL;
	*out_department = NULL;
	*out_note = NULL;
	if (*p == '\0') {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_MISSING,
			     _("Say whom to hand the customer over to: a "
			       "department or @agent."));
		return FALSE;
	}
	if (*p == '@') {
		if (!read_at_word (p + 1, &end, out_agent, &dept, error))
			return FALSE;
	} else {
		char *word = read_word (p, &end, error);

		if (word == NULL)
			return FALSE;
		if (g_ascii_strncasecmp (word, DEPT_PREFIX,
					 strlen (DEPT_PREFIX)) == 0)
			memmove (word, word + strlen (DEPT_PREFIX),
				 strlen (word) - strlen (DEPT_PREFIX) + 1);
		dept = word;
	}
	if (dept != NULL && *dept == '\0') {
		g_free (dept);
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_MISSING,
			     _("The department name is missing."));
		return FALSE;
	}
	*out_department = dept;
	*out_note = g_strstrip (g_strdup (end));
	if (**out_note != '\0')
		return TRUE;
	g_clear_pointer (out_agent, g_free);
	g_clear_pointer (out_department, g_free);
	g_clear_pointer (out_note, g_free);
	g_set_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_MISSING,
		     _("Add a note for whoever takes the customer over."));
	return FALSE;
}

/* Whether @a and @b are the same name, ignoring case; NULL is no name. */
static gboolean
same_name (const char *a, const char *b)
{
	char *fa, *fb;
	gboolean same;

	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return FALSE;
	fa = g_utf8_casefold (a, -1);
	fb = g_utf8_casefold (b, -1);
	same = strcmp (fa, fb) == 0;
	g_free (fb);
	g_free (fa);
	return same;
}

/* Orders two elements of a GPtrArray of names for a reader. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
	return g_utf8_collate (*(char *const *) a, *(char *const *) b);
}

/*
 * The names in @known and @self, each once (ignoring case: the directory
 * has one entry per replica and account, so one agent may appear often),
 * sorted for the reader.
 */
static GPtrArray *
agent_names (const char *const *known, const char *self)
{
	GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
	GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal,
						  g_free, NULL);
	const char *const none[] = { NULL };
	const char *const *p;

	for (p = known != NULL ? known : none; *p != NULL; p++) {
		if (g_utf8_validate (*p, -1, NULL) && **p != '\0' &&
		    g_hash_table_add (seen, g_utf8_casefold (*p, -1)))
			g_ptr_array_add (names, g_strdup (*p));
	}
	if (self != NULL && *self != '\0' && g_utf8_validate (self, -1, NULL) &&
	    g_hash_table_add (seen, g_utf8_casefold (self, -1)))
		g_ptr_array_add (names, g_strdup (self));
	g_hash_table_destroy (seen);
	g_ptr_array_sort (names, compare_names);
	return names;
}

/* The error for an agent nobody on the team is called. */
static void
set_unknown_agent_error (GError **error, const char *name, GPtrArray *names)
{
	char *list;

	if (names->len == 0) {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_UNKNOWN,
			     _("There is no agent “%s”: no agents are known yet. To give it to a department instead, write @dept:<department>, for example @dept:billing."),
			     name);
		return;
	}
	g_ptr_array_add (names, NULL);
	list = g_strjoinv (", ", (char **) names->pdata);
	g_set_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_UNKNOWN,
		     _("There is no agent “%s”. Known agents: %s. To give it to a department instead, write @dept:<department>, for example @dept:billing."),
		     name, list);
	g_free (list);
}

/*
 * Finds the agent @name among @known (the agent directory's names) and
 * @self (this agent, who may not be in the directory yet), ignoring case.
 * Returns the name as the directory spells it, since follow-ups reach
 * their assignee by exact name; NULL with an error naming the known agents
 * when nobody on the team has that name, so that a typo does not hand work
 * to nobody.
 */
char *
crm_cmd_args_match_agent (const char *name, const char *const *known,
			  const char *self, GError **error)
{
	GPtrArray *names;
	char *found = NULL;
	guint i;

	g_return_val_if_fail (name != NULL, NULL);

	names = agent_names (known, self);
	for (i = 0; i < names->len && found == NULL; i++) {
		if (same_name (names->pdata[i], name))
			found = g_strdup (names->pdata[i]);
	}
	if (found == NULL)
		set_unknown_agent_error (error, name, names);
	g_ptr_array_unref (names);
	return found;
}

/*
 * Picks the handover /crm accept takes from @pending (CrmHandover, newest
 * first, all pending): the newest addressed to @agent or to @department,
 * else, since a customer waiting on a handover nobody here was named for
 * still needs someone, the newest of all.  *@out_addressed says which of
 * the two it was, *@out_n_candidates how many it was the newest of, so
 * that the answer can say so.  NULL when nothing is pending.
 */
const CrmHandover *
crm_cmd_args_pick_handover (GPtrArray *pending, const char *agent,
			    const char *department, gboolean *out_addressed,
			    guint *out_n_candidates)
{
	const CrmHandover *pick = NULL;
	guint i;

	*out_addressed = FALSE;
	*out_n_candidates = 0;
	for (i = 0; i < pending->len; i++) {
		const CrmHandover *h = pending->pdata[i];

		if (!same_name (h->to_agent, agent) &&
		    !same_name (h->to_department, department))
			continue;
		if (pick == NULL)
			pick = h;
		(*out_n_candidates)++;
	}
	if (pick != NULL) {
		*out_addressed = TRUE;
		return pick;
	}
	*out_n_candidates = pending->len;
	return pending->len > 0 ? pending->pdata[0] : NULL;
}

/* The error for a follow-up number outside the list of @n_listed. */
static void
set_range_error (GError **error, guint number, guint n_listed)
{
	if (n_listed == 0) {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_RANGE,
			     _("There is no follow-up number %u: this customer "
			       "has no open follow-ups."), number);
		return;
	}
	g_set_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_RANGE,
		     g_dngettext (GETTEXT_PACKAGE,
				  "There is no follow-up number %u: the list "
				  "has %u follow-up.",
				  "There is no follow-up number %u: the list "
				  "has %u follow-ups.", n_listed),
		     number, n_listed);
}

/*
 * Reads the argument of /crm done: a number from 1 to @n_listed (as
 * /crm followups showed them; "#2" works too) or a follow-up id.
 * Exactly one of *@out_number (0 when unset) and *@out_id is set.
 */
gboolean
crm_cmd_args_parse_done (const char *text, guint n_listed, guint *out_number,
			 char **out_id, GError **error)
{
	char *arg = g_strstrip (g_strdup (text != NULL ? text : ""));
	const char *digits = arg[0] == '#' ? arg + 1 : arg;
	guint64 number = 0;
	gboolean ok = FALSE;

	*out_number = 0;
	*out_id = NULL;
	if (*arg == '\0') {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_MISSING,
			     _("Say which follow-up is done: its number from "
			       "/crm followups, or its id."));
	} else if (g_uuid_string_is_valid (arg)) {
		*out_id = g_ascii_strdown (arg, -1);
		ok = TRUE;
	} else if (*digits != '\0' && strspn (digits, "0123456789") ==
		   strlen (digits)) {
		if (n_listed == 0 ||
		    !g_ascii_string_to_unsigned (digits, 10, 1, n_listed,
						 &number, NULL)) {
			number = g_ascii_strtoull (digits, NULL, 10);
			set_range_error (error, (guint) MIN (number,
							     G_MAXUINT),
					 n_listed);
		} else {
			*out_number = (guint) number;
			ok = TRUE;
		}
	} else {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_INVALID,
			     _("“%s” is neither a number from /crm followups "
			       "nor a follow-up id."), arg);
	}
	g_free (arg);
	return ok;
}

/*
 * Checks a free text (a note, a follow-up): valid UTF-8, not blank, at
 * most @max_bytes bytes.
 */
gboolean
crm_cmd_args_check_text (const char *text, gsize max_bytes, GError **error)
{
	const char *p;

	if (text == NULL || !g_utf8_validate (text, -1, NULL)) {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_INVALID,
			     _("The text is not valid UTF-8."));
		return FALSE;
	}
	p = skip_space (text);
	if (*p == '\0') {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_MISSING,
			     _("The text is missing."));
		return FALSE;
	}
	if (strlen (text) > max_bytes) {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_TOO_LONG,
			     _("The text is too long: %lu bytes, at most %lu."),
			     (gulong) strlen (text), (gulong) max_bytes);
		return FALSE;
	}
	return TRUE;
}

/*
 * Checks an e-mail address from the edit form: empty is fine (no
 * address); otherwise one @ with something on both sides, a dot in the
 * domain, no white space.
 */
gboolean
crm_cmd_args_check_email (const char *email, GError **error)
{
	const char *at;
	gboolean ok;

	if (email == NULL || *email == '\0')
		return TRUE;
	at = strchr (email, '@');
	ok = at != NULL && at != email && strchr (at + 1, '@') == NULL &&
	     strchr (at + 1, '.') != NULL && at[1] != '.' &&
	     email[strlen (email) - 1] != '.' &&
	     strpbrk (email, " \t\r\n<>,;\"") == NULL &&
	     strlen (email) <= 254 && g_utf8_validate (email, -1, NULL);
	if (!ok)
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_INVALID,
			     _("“%s” is not an e-mail address; write it as "
			       "name@example.com."), email);
	return ok;
}

/*
 * Checks a phone number from the edit form: empty is fine; otherwise
 * digits with spaces, dashes, dots, brackets or slashes, a + only at the
 * start, and between 3 and 15 digits (E.164's limit).
 */
gboolean
crm_cmd_args_check_phone (const char *phone, GError **error)
{
	const char *p;
	guint digits = 0;
	gboolean ok = TRUE;

	if (phone == NULL || *phone == '\0')
		return TRUE;
	for (p = phone; *p != '\0' && ok; p++) {
		if (g_ascii_isdigit (*p))
			digits++;
		else if (*p == '+')
			ok = p == skip_space (phone);
		else
			ok = strchr (" -.()/", *p) != NULL;
	}
	if (ok && digits >= 3 && digits <= 15)
		return TRUE;
	g_set_error (error, CRM_CMD_ARGS_ERROR, CRM_CMD_ARGS_ERROR_INVALID,
		     _("“%s” is not a phone number; use digits with spaces, "
		       "dashes or brackets, and + only at the start."), phone);
	return FALSE;
}

/*
 * Splits the edit form's tag field at commas: each tag trimmed, blanks
 * dropped, the second of two tags that differ only in case dropped.
 * Returns NULL when no tag is left.
 */
char **
crm_cmd_args_split_tags (const char *text)
{
	char **parts = g_strsplit (text != NULL ? text : "", ",", -1);
	GPtrArray *tags = g_ptr_array_new ();
	GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal,
						  g_free, NULL);
	guint i;

	for (i = 0; parts[i] != NULL; i++) {
		char *tag = g_strstrip (parts[i]);
		char *key;

		if (*tag == '\0')
			continue;
		key = g_utf8_casefold (tag, -1);
		if (!g_hash_table_add (seen, key))
			continue;
		g_ptr_array_add (tags, g_strdup (tag));
	}
	g_hash_table_destroy (seen);
	g_strfreev (parts);
	if (tags->len == 0) {
		g_ptr_array_free (tags, TRUE);
		return NULL;
	}
	g_ptr_array_add (tags, NULL);
	return (char **) g_ptr_array_free (tags, FALSE);
}

/* Calling code and national trunk prefix of the regions we know. */
static const struct {
	const char *region;
	const char *code;
	const char *trunk;	/* dropped from national numbers; "" none */
} regions[] = {
	{ "US", "1", "1" }, { "CA", "1", "1" }, { "GB", "44", "0" },
	{ "IE", "353", "0" }, { "DE", "49", "0" }, { "AT", "43", "0" },
	{ "CH", "41", "0" }, { "FR", "33", "0" }, { "BE", "32", "0" },
	{ "NL", "31", "0" }, { "ES", "34", "" }, { "PT", "351", "" },
	{ "IT", "39", "" }, { "SE", "46", "0" }, { "NO", "47", "" },
	{ "DK", "45", "" }, { "FI", "358", "0" }, { "PL", "48", "" },
	{ "CZ", "420", "" }, { "GR", "30", "" }, { "TR", "90", "0" },
	{ "IN", "91", "0" }, { "PK", "92", "0" }, { "CN", "86", "0" },
	{ "JP", "81", "0" }, { "KR", "82", "0" }, { "AU", "61", "0" },
	{ "NZ", "64", "0" }, { "BR", "55", "0" }, { "MX", "52", "" },
	{ "ZA", "27", "0" }, { "RU", "7", "8" }, { "AE", "971", "0" },
	{ "SG", "65", "" }, { "HK", "852", "" },
};

/* The digits of @phone, in order. */
static GString *
phone_digits (const char *phone)
{
	GString *digits = g_string_new (NULL);
	const char *p;

	for (p = phone; *p != '\0'; p++) {
		if (g_ascii_isdigit (*p))
			g_string_append_c (digits, *p);
	}
	return digits;
}

/* Prefixes a national number with the region's calling code. */
static char *
national_to_e164 (GString *digits, const char *region)
{
	const char *national = digits->str;
	guint i;

	for (i = 0; i < G_N_ELEMENTS (regions); i++) {
		if (g_ascii_strcasecmp (region, regions[i].region) != 0)
			continue;
		/* NANP numbers have ten digits after the optional trunk 1. */
		if (strcmp (regions[i].code, "1") == 0 && digits->len == 10)
			return g_strconcat ("+1", national, NULL);
		if (*regions[i].trunk != '\0' &&
		    g_str_has_prefix (national, regions[i].trunk))
			national += strlen (regions[i].trunk);
		if (strcmp (regions[i].code, "1") == 0 &&
		    strlen (national) != 10)
			return NULL;
		if (strlen (regions[i].code) + strlen (national) > 15 ||
		    strlen (national) < 4)
			return NULL;
		return g_strconcat ("+", regions[i].code, national, NULL);
	}
	return NULL;
}

/*
 * Brings a phone number to E.164 ("+14155550100"): "+..." and "00..." are
 * international already; anything else is national in @region (ISO 3166
 * code).  NULL when the number or the region cannot be read.
 */
char *
crm_cmd_args_phone_e164 (const char *phone, const char *region)
{
	const char *start = skip_space (phone != NULL ? phone : "");
	GString *digits;
	char *e164 = NULL;

	if (!crm_cmd_args_check_phone (start, NULL) || *start == '\0')
		return NULL;
	digits = phone_digits (start);
	if (*start == '+' || g_str_has_prefix (digits->str, "00")) {
		const char *intl = *start == '+' ? digits->str
						 : digits->str + 2;

		if (strlen (intl) >= 7 && strlen (intl) <= 15 && *intl != '0')
			e164 = g_strconcat ("+", intl, NULL);
	} else if (region != NULL && *region != '\0') {
		e164 = national_to_e164 (digits, region);
	}
	g_string_free (digits, TRUE);
	return e164;
}
