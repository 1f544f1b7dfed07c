/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-card-format.c: customer cards and command answers as markup.
 *
 * A conversation window takes HTML-like markup, so every value that came
 * from the store (names, notes, tags) is escaped with g_markup_escape_text
 * before it is put between our own tags, and lines are joined with <br>.
 * Each translatable line is one whole sentence or label with printf-style
 * holes; values are filled in after translation.  Time stamps read as the
 * agent's wall clock ("today 14:05", "Tue 4 Nov 09:00") in the time zone
 * the caller gives.
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include <string.h>

#include "crm-card-format.h"

#define LINE_BREAK "<br>"

/* Appends a <br> unless @out is empty, then @markup. */
static void
line_add (GString *out, const char *markup)
{
	if (out->len > 0)
		g_string_append (out, LINE_BREAK);
	g_string_append (out, markup);
}

/* Appends a line made from a translated format and escaped values. */
G_GNUC_PRINTF (2, 3) static void
line_addf (GString *out, const char *format, ...)
{
	va_list args;
	char *line;

	va_start (args, format);
	line = g_markup_vprintf_escaped (format, args);
	va_end (args);
	line_add (out, line);
	g_free (line);
}

/* Whether @s holds something other than white space. */
static gboolean
has_text (const char *s)
{
	if (s == NULL)
		return FALSE;
	for (; *s != '\0'; s++) {
		if (!g_ascii_isspace (*s))
			return TRUE;
	}
	return FALSE;
}

/*
 * Brings a note's text to one line of at most @max_chars characters:
 * line breaks become spaces, and a cut text ends with an ellipsis.
 */
static char *
one_line (const char *text, glong max_chars)
{
	GString *out = g_string_new (NULL);
	const char *p;
	glong n = 0;

	for (p = text; *p != '\0' && n < max_chars; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		g_string_append_unichar (out, c);
		n++;
	}
	if (*p != '\0')
		g_string_append (out, "…");
	return g_strstrip (g_string_free (out, FALSE));
}

/* "Anna Berg (support)", or just the name when the department is unset. */
static char *
who_text (const char *agent, const char *department)
{
	const char *name = has_text (agent) ? agent : _("someone");

	if (has_text (department))
		/* Translators: an agent and their department. */
		return g_strdup_printf (_("%s (%s)"), name, department);
	return g_strdup (name);
}

/* @us (UTC microseconds) as a local time in @tz, to the second. */
static GDateTime *
local_time (gint64 us, GTimeZone *tz)
{
	GDateTime *utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
	GDateTime *local;

	if (utc == NULL)
		return NULL;
	local = g_date_time_to_timezone (utc, tz);
	g_date_time_unref (utc);
	return local;
}

/* A day count that grows by one from each local calendar day to the next. */
static gint
day_number (GDateTime *dt)
{
	GDate date;

	g_date_clear (&date, 1);
	g_date_set_dmy (&date, g_date_time_get_day_of_month (dt),
			g_date_time_get_month (dt), g_date_time_get_year (dt));
	return (gint) g_date_get_julian (&date);
}

/*
 * Formats @when_us as the agent reads a time: relative day words for
 * yesterday, today and tomorrow, the weekday within the year, the year
 * otherwise.  Used by every list so that all times read alike.
 */
char *
crm_card_format_time (gint64 when_us, GTimeZone *tz, gint64 now_us)
{
	GDateTime *lw = local_time (when_us, tz);
	GDateTime *ln = local_time (now_us, tz);
	const char *format;
	char *text;
	gint days;

	if (lw == NULL || ln == NULL) {
		g_clear_pointer (&lw, g_date_time_unref);
		g_clear_pointer (&ln, g_date_time_unref);
		return g_strdup ("?");
	}
	days = day_number (lw) - day_number (ln);

	/* Translators: the formats below are for g_date_time_format(): %H
	 * hour, %M minute, %a weekday, %-d day, %b month, %Y year.  Keep
	 * the words outside the % codes translated. */
	if (days == 0)
		format = _("today %H:%M");
	else if (days == 1)
		format = _("tomorrow %H:%M");
	else if (days == -1)
		format = _("yesterday %H:%M");
	else if (g_date_time_get_year (lw) == g_date_time_get_year (ln))
		format = _("%a %-d %b %H:%M");
	else
		format = _("%-d %b %Y %H:%M");
	text = g_date_time_format (lw, format);

	g_date_time_unref (lw);
	g_date_time_unref (ln);
	return text != NULL ? text : g_strdup ("?");
}

/*
 * Formats a waiting time ("45 s", "12 min", "2 h 5 min", "3 days") for the
 * first-response column of interactions.
 */
char *
crm_card_format_duration (gint64 duration_us)
{
	gint64 s = MAX (duration_us, 0) / G_USEC_PER_SEC;
	gulong n;

	if (s < 60) {
		n = (gulong) s;
		return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu s",
						     "%lu s", n), n);
	}
	if (s < 3600) {
		n = (gulong) (s / 60);
		return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
						     "%lu min", "%lu min", n),
					n);
	}
	if (s < 86400) {
		gulong h = (gulong) (s / 3600);
		gulong m = (gulong) (s % 3600 / 60);

		/* Translators: hours and minutes, e.g. "2 h 5 min". */
		return g_strdup_printf (_("%lu h %lu min"), h, m);
	}
	n = (gulong) (s / 86400);
	return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu day",
					     "%lu days", n), n);
}

/*
 * "Maria Anders (Alfreds Futterkiste)", unescaped: the name a command
 * answer uses for a customer.
 */
char *
crm_card_format_customer_title (const CrmCustomer *customer)
{
	const char *name = has_text (customer->name) ? customer->name : "?";

	if (has_text (customer->company))
		/* Translators: a customer's name and company. */
		return g_strdup_printf (_("%s (%s)"), name, customer->company);
	return g_strdup (name);
}

/* The first line: who the customer is and which department owns them. */
static void
card_header (GString *out, const CrmCustomer *c)
{
	char *title = crm_card_format_customer_title (c);
	char *line;

	if (has_text (c->department))
		/* Translators: first line of a customer card: the customer
		 * and the department that owns them. */
		line = g_markup_printf_escaped (_("CRM — %s · owner: %s"),
						title, c->department);
	else
		/* Translators: first line of a card without an owner. */
		line = g_markup_printf_escaped (_("CRM — %s"), title);
	g_string_append_printf (out, "<b>%s</b>", line);
	g_free (line);
	g_free (title);
}

/* E-mail and phone on one line, tags on the next; absent ones left out. */
static void
card_contact (GString *out, const CrmCustomer *c)
{
	GString *line = g_string_new (NULL);
	char *part;

	if (has_text (c->email)) {
		part = g_markup_printf_escaped (_("E-mail: %s"), c->email);
		g_string_append (line, part);
		g_free (part);
	}
	if (has_text (c->phone)) {
		if (line->len > 0)
			g_string_append (line, " · ");
		part = g_markup_printf_escaped (_("Phone: %s"), c->phone);
		g_string_append (line, part);
		g_free (part);
	}
	if (line->len > 0)
		line_add (out, line->str);
	g_string_free (line, TRUE);

	if (c->tags != NULL && c->tags[0] != NULL) {
		char *tags = g_strjoinv (", ", c->tags);

		line_addf (out, _("Tags: %s"), tags);
		g_free (tags);
	}
}

/* One follow-up: its due time, whether it is overdue, text, assignee. */
static void
followup_line (GString *out, const char *prefix, const CrmFollowup *f,
	       GTimeZone *tz, gint64 now_us)
{
	char *when = crm_card_format_time (f->due_us, tz, now_us);
	GString *line = g_string_new (NULL);
	char *part;

	if (f->due_us < now_us)
		/* Translators: a follow-up whose due time has passed: a
		 * bullet or number, the due time, then the text. */
		part = g_markup_printf_escaped (_("%s%s, OVERDUE — %s"),
						prefix, when, f->text);
	else
		/* Translators: a follow-up: a bullet or number, the due
		 * time, then the text. */
		part = g_markup_printf_escaped (_("%s%s — %s"), prefix,
						when, f->text);
	g_string_append (line, part);
	g_free (part);

	if (has_text (f->assignee_agent) || has_text (f->assignee_department)) {
		const char *who = has_text (f->assignee_agent) ?
				  f->assignee_agent : f->assignee_department;

		/* Translators: who must do a follow-up. */
		part = g_markup_printf_escaped (_(" · for %s"), who);
		g_string_append (line, part);
		g_free (part);
	}
	line_add (out, line->str);
	g_string_free (line, TRUE);
	g_free (when);
}

/* The open follow-ups of a card, overdue ones marked. */
static void
card_followups (GString *out, GPtrArray *followups, GTimeZone *tz,
		gint64 now_us)
{
	guint i, n = followups != NULL ? followups->len : 0;

	if (n == 0)
		return;
	line_addf (out, g_dngettext (GETTEXT_PACKAGE, "%u open follow-up:",
				     "%u open follow-ups:", n), n);
	for (i = 0; i < n; i++)
		followup_line (out, "• ", g_ptr_array_index (followups, i),
			       tz, now_us);
}

/* One note; the card cuts long ones, the notes command does not. */
static void
note_line (GString *out, const CrmNote *note, GTimeZone *tz, gint64 now_us,
	   gboolean whole)
{
	char *when = crm_card_format_time (note->created_us, tz, now_us);
	char *who = who_text (note->author, note->department);
	char *text = whole ? g_strdup (note->body)
			   : one_line (note->body, CRM_CARD_FORMAT_NOTE_CHARS);
	char *line;

	/* Translators: a note: when, who wrote it, then the text. */
	line = g_markup_printf_escaped (_("• %s, %s: %s"), when, who, text);
	if (whole) {
		char **parts = g_strsplit (line, "\n", -1);

		g_free (line);
		line = g_strjoinv (LINE_BREAK, parts);
		g_strfreev (parts);
	}
	line_add (out, line);
	g_free (line);
	g_free (text);
	g_free (who);
	g_free (when);
}

/* The latest notes of a card, newest first. */
static void
card_notes (GString *out, const CrmCard *card, GTimeZone *tz, gint64 now_us)
{
	guint i, n = card->notes != NULL ? card->notes->len : 0;
	guint total = (guint) MAX (card->n_notes_total, (gint64) n);

	if (n == 0)
		return;
	if (total > n)
		line_addf (out, _("Latest notes (%u of %u):"), n, total);
	else
		line_addf (out, g_dngettext (GETTEXT_PACKAGE, "%u note:",
					     "%u notes:", n), n);
	for (i = 0; i < n; i++)
		note_line (out, g_ptr_array_index (card->notes, i), tz,
			   now_us, FALSE);
}

/*
 * When a conversation was: its start or, while it is still open, "now
 * (since 14:45)".  The first card of a conversation lists the one going
 * on, since libpurple reports the first message before the conversation
 * exists, and it must not read as a past one.
 */
static char *
interaction_when (const CrmInteraction *ia, GTimeZone *tz, gint64 now_us)
{
	GDateTime *ls, *ln;
	char *since, *when;

	if (ia->ended_us != 0)
		return crm_card_format_time (ia->started_us, tz, now_us);
	ls = local_time (ia->started_us, tz);
	ln = local_time (now_us, tz);
	if (ls != NULL && ln != NULL && day_number (ls) == day_number (ln))
		/* Translators: a time of today, for g_date_time_format(). */
		since = g_date_time_format (ls, _("%H:%M"));
	else
		since = crm_card_format_time (ia->started_us, tz, now_us);
	g_clear_pointer (&ls, g_date_time_unref);
	g_clear_pointer (&ln, g_date_time_unref);
	/* Translators: a conversation still going on, and when it began:
	 * "14:45", or "yesterday 23:50" when it began on another day. */
	when = g_strdup_printf (_("now (since %s)"), since);
	g_free (since);
	return when;
}

/* One conversation: when, who, messages each way, first reply. */
static void
interaction_line (GString *out, const CrmInteraction *ia, GTimeZone *tz,
		  gint64 now_us)
{
	char *when = interaction_when (ia, tz, now_us);
	char *who = who_text (ia->agent, ia->department);
	guint in = (guint) MAX (ia->msgs_in, 0);
	guint out_n = (guint) MAX (ia->msgs_out, 0);

	if (ia->first_response_us >= 0) {
		char *wait = crm_card_format_duration (ia->first_response_us);

		/* Translators: a past conversation: when, which agent,
		 * messages from and to the customer, and how long the
		 * customer waited for the first answer. */
		line_addf (out, _("• %s, %s: %u in, %u out, first reply "
				  "after %s"), when, who, in, out_n, wait);
		g_free (wait);
	} else {
		/* Translators: a past conversation: when, which agent,
		 * messages from and to the customer. */
		line_addf (out, _("• %s, %s: %u in, %u out"), when, who, in,
			   out_n);
	}
	g_free (who);
	g_free (when);
}

/* The last interactions of a card, newest first. */
static void
card_interactions (GString *out, GPtrArray *interactions, GTimeZone *tz,
		   gint64 now_us)
{
	guint i, n = interactions != NULL ? interactions->len : 0;

	if (n == 0)
		return;
	line_add (out, _("Recent conversations:"));
	for (i = 0; i < n; i++)
		interaction_line (out, g_ptr_array_index (interactions, i), tz,
				  now_us);
}

/* Handovers of the customer that nobody has accepted yet. */
static void
card_handovers (GString *out, GPtrArray *handovers, GTimeZone *tz,
		gint64 now_us)
{
	guint i, n = handovers != NULL ? handovers->len : 0;

	if (n == 0)
		return;
	line_add (out, _("Pending handovers:"));
	for (i = 0; i < n; i++) {
		const CrmHandover *h = g_ptr_array_index (handovers, i);
		char *when = crm_card_format_time (h->created_us, tz, now_us);
		char *from = who_text (h->from_agent, h->from_department);
		const char *to = has_text (h->to_agent) ? h->to_agent
							: h->to_department;

		if (has_text (h->note))
			/* Translators: when, from whom, to whom, the note. */
			line_addf (out, _("• %s, from %s to %s: %s"), when,
				   from, to != NULL ? to : "?", h->note);
		else
			line_addf (out, _("• %s, from %s to %s"), when, from,
				   to != NULL ? to : "?");
		g_free (from);
		g_free (when);
	}
}

/*
 * Formats a whole card as conversation markup: header with name, company
 * and owner, contact details, open follow-ups (overdue marked), the latest
 * notes, the last conversations and pending handovers.  Fields the
 * customer does not have are left out, never shown empty.
 */
char *
crm_card_format (const CrmCard *card, GTimeZone *tz, gint64 now_us)
{
	GString *out;

	g_return_val_if_fail (card != NULL, NULL);
	g_return_val_if_fail (card->customer != NULL, NULL);
	g_return_val_if_fail (tz != NULL, NULL);

	out = g_string_new (NULL);
	card_header (out, card->customer);
	card_contact (out, card->customer);
	card_followups (out, card->followups, tz, now_us);
	card_notes (out, card, tz, now_us);
	card_interactions (out, card->interactions, tz, now_us);
	card_handovers (out, card->handovers, tz, now_us);
	return g_string_free (out, FALSE);
}

/*
 * The one line an unknown buddy gets: how to create or link a customer.
 * Escaped, since the hint itself contains angle brackets.
 */
char *
crm_card_format_unknown_hint (void)
{
	return g_markup_escape_text (_("Not in the CRM yet. Type /crm new to "
				       "create a customer, or /crm link <name, "
				       "e-mail or id> to link an existing "
				       "one."), -1);
}

/* The one line written where a card would be while the store is shut. */
char *
crm_card_format_unavailable (const char *reason)
{
	if (!has_text (reason))
		return g_markup_escape_text (_("The CRM is unavailable."), -1);
	/* Translators: %s says why, e.g. "the database is locked". */
	return g_markup_printf_escaped (_("The CRM is unavailable: %s"),
					reason);
}

/* Answer to /crm notes: every note given, newest first, text in full. */
char *
crm_card_format_notes (const CrmCustomer *customer, GPtrArray *notes,
		       GTimeZone *tz, gint64 now_us)
{
	char *title = crm_card_format_customer_title (customer);
	guint i, n = notes != NULL ? notes->len : 0;
	GString *out = g_string_new (NULL);

	if (n == 0)
		line_addf (out, _("There are no notes on %s yet."), title);
	else
		line_addf (out, g_dngettext (GETTEXT_PACKAGE,
					     "%u note on %s, newest first:",
					     "%u notes on %s, newest first:",
					     n), n, title);
	for (i = 0; i < n; i++)
		note_line (out, g_ptr_array_index (notes, i), tz, now_us,
			   TRUE);
	g_free (title);
	return g_string_free (out, FALSE);
}

/* Answer to /crm history: past conversations, newest first. */
char *
crm_card_format_history (const CrmCustomer *customer, GPtrArray *interactions,
			 GTimeZone *tz, gint64 now_us)
{
	char *title = crm_card_format_customer_title (customer);
	guint i, n = interactions != NULL ? interactions->len : 0;
	GString *out = g_string_new (NULL);

	if (n == 0)
		line_addf (out, _("There are no past conversations with %s "
				  "yet."), title);
	else
		line_addf (out, g_dngettext (GETTEXT_PACKAGE,
					     "%u conversation with %s:",
					     "%u conversations with %s:", n),
			   n, title);
	for (i = 0; i < n; i++)
		interaction_line (out, g_ptr_array_index (interactions, i), tz,
				  now_us);
	g_free (title);
	return g_string_free (out, FALSE);
}

/*
 * Puts overdue follow-ups first, keeping the order within each part, so
 * that /crm followups and /crm done number them alike.
 */
void
crm_card_format_sort_followups (GPtrArray *followups, gint64 now_us)
{
	GPtrArray *later;
	guint i, n_overdue = 0;

	g_return_if_fail (followups != NULL);

	later = g_ptr_array_new ();
	for (i = 0; i < followups->len; i++) {
		CrmFollowup *f = g_ptr_array_index (followups, i);

		if (f->due_us < now_us)
			followups->pdata[n_overdue++] = f;
		else
			g_ptr_array_add (later, f);
	}
	for (i = 0; i < later->len; i++)
		followups->pdata[n_overdue + i] = later->pdata[i];
	g_ptr_array_free (later, TRUE);
}

/* Answer to /crm followups: numbered, in the order given. */
char *
crm_card_format_followups (const CrmCustomer *customer, GPtrArray *followups,
			   GTimeZone *tz, gint64 now_us)
{
	char *title = crm_card_format_customer_title (customer);
	guint i, n = followups != NULL ? followups->len : 0;
	GString *out = g_string_new (NULL);
	char *hint;

	if (n == 0) {
		line_addf (out, _("%s has no open follow-ups."), title);
		g_free (title);
		return g_string_free (out, FALSE);
	}
	line_addf (out, g_dngettext (GETTEXT_PACKAGE,
				     "%u open follow-up for %s:",
				     "%u open follow-ups for %s:", n),
		   n, title);
	for (i = 0; i < n; i++) {
		char *prefix = g_strdup_printf ("%u. ", i + 1);

		followup_line (out, prefix, g_ptr_array_index (followups, i),
			       tz, now_us);
		g_free (prefix);
	}
	hint = g_markup_escape_text (_("Type /crm done <number> when one is "
				       "done."), -1);
	line_add (out, hint);
	g_free (hint);
	g_free (title);
	return g_string_free (out, FALSE);
}

/*
 * Answer to /crm find, and to /crm link when the query is ambiguous: one
 * line per customer with company, e-mail and the id to type.
 */
char *
crm_card_format_customers (GPtrArray *customers)
{
	guint i, n = customers != NULL ? customers->len : 0;
	GString *out = g_string_new (NULL);

	line_addf (out, g_dngettext (GETTEXT_PACKAGE, "%u customer found:",
				     "%u customers found:", n), n);
	for (i = 0; i < n; i++) {
		const CrmCustomer *c = g_ptr_array_index (customers, i);
		char *title = crm_card_format_customer_title (c);

		if (has_text (c->email))
			/* Translators: a search result: customer, e-mail,
			 * and the id to type in /crm link. */
			line_addf (out, _("• %s · %s · id %s"), title,
				   c->email, c->id);
		else
			/* Translators: a search result: customer and id. */
			line_addf (out, _("• %s · id %s"), title, c->id);
		g_free (title);
	}
	return g_string_free (out, FALSE);
}
