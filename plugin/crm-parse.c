/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-parse.c: the words and due times an agent types after /crm.  All of
 * it is string work plus calendar arithmetic in the time zone of a given
 * "now", so that tests can pin both.  Due times are read as wall times in
 * that zone and turned into UTC by one rule, written out here rather than
 * left to GDateTime: a wall time that the zone skips (spring forward) moves
 * forward by the length of the gap, and one that it repeats (fall back) is
 * the first of the two instants.
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include "crm-parse.h"

#include <string.h>

/* A due time further ahead than this (about 100 years) is refused. */
#define DUE_MAX_DAYS 36525

/* The time of day of forms that name only a day. */
#define DUE_DEFAULT_HOUR 9

/* The most words a due time takes: "in", "2", "hours", and one to look at. */
#define DUE_MAX_TOKENS 4

/* g_date_get_julian() of 1970-01-01, the Unix epoch. */
#define JULIAN_UNIX_EPOCH 719163

/* The CRM_PARSE_ERROR domain. */
G_DEFINE_QUARK (crm-parse-error-quark, crm_parse_error)

/* Whether a white-space character (ASCII or Unicode) starts at @p. */
static gboolean
text_is_space (const char *p)
{
	return *p != '\0' && g_unichar_isspace (g_utf8_get_char (p));
}

static const char *
text_skip_space (const char *p)
{
	while (text_is_space (p))
		p = g_utf8_next_char (p);
	return p;
}

/* The end of the word that starts at @p: the next white space or NUL. */
static const char *
text_word_end (const char *p)
{
	while (*p != '\0' && !text_is_space (p))
		p = g_utf8_next_char (p);
	return p;
}

/* A copy of @p without white space at either end. */
static char *
text_dup_trimmed (const char *p)
{
	const char *start = text_skip_space (p);
	const char *end = start;

	for (p = start; *p != '\0'; p = g_utf8_next_char (p))
		if (!text_is_space (p))
			end = g_utf8_next_char (p);
	return g_strndup (start, end - start);
}

static gboolean
text_fail_utf8 (GError **error)
{
	g_set_error_literal (error, CRM_PARSE_ERROR, CRM_PARSE_ERROR_SYNTAX,
			     _("The text is not valid UTF-8. Type it again, or "
			       "check the character encoding of the client."));
	return FALSE;
}

/*
 * Splits off the first word, lower-cased by Unicode rules, and returns the
 * rest with white space trimmed.  Outputs are set only on success.
 */
gboolean
crm_parse_split_first (const char *text,
		       char **out_word,
		       char **out_rest,
		       GError **error)
{
	const char *start;
	const char *end;

	g_return_val_if_fail (text != NULL, FALSE);
	g_return_val_if_fail (out_word != NULL, FALSE);
	g_return_val_if_fail (out_rest != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!g_utf8_validate (text, -1, NULL))
		return text_fail_utf8 (error);

	start = text_skip_space (text);
	end = text_word_end (start);
	*out_word = g_utf8_strdown (start, end - start);
	*out_rest = text_dup_trimmed (end);
	return TRUE;
}

/* Ends the word being built, if there is one, and adds it to @words. */
static void
words_flush (GPtrArray *words, GString *word, gboolean *in_word)
{
	if (!*in_word)
		return;
	g_ptr_array_add (words, g_strndup (word->str, word->len));
	g_string_truncate (word, 0);
	*in_word = FALSE;
}

/*
 * Appends the character after the backslash at *@p to @word and leaves *@p
 * on it.  A backslash at the very end escapes nothing: an error.
 */
static gboolean
words_take_escaped (GString *word, const char **p, GError **error)
{
	const char *next = g_utf8_next_char (*p);

	if (*next == '\0') {
		g_set_error_literal (error, CRM_PARSE_ERROR,
				     CRM_PARSE_ERROR_SYNTAX,
				     _("The text ends with a backslash, which escapes nothing. Write \\\\ for a backslash itself."));
		return FALSE;
	}
	*p = next;
	g_string_append_len (word, next, g_utf8_next_char (next) - next);
	return TRUE;
}

/*
 * A small state machine: outside quotes white space ends a word; a quote
 * toggles quoting and may join text on either side ("a"b is ab); a pair of
 * quotes with nothing between makes an empty word; a backslash takes the
 * next character (a whole UTF-8 character) literally, inside quotes too.
 */
char **
crm_parse_words (const char *text, GError **error)
{
	g_autoptr (GPtrArray) words = NULL;
	g_autoptr (GString) word = NULL;
	gboolean in_word = FALSE;
	gboolean quoted = FALSE;
	const char *p;

	g_return_val_if_fail (text != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!g_utf8_validate (text, -1, NULL)) {
		text_fail_utf8 (error);
		return NULL;
	}

	words = g_ptr_array_new_with_free_func (g_free);
	word = g_string_new (NULL);
	for (p = text; *p != '\0'; p = g_utf8_next_char (p)) {
		if (*p == '\\') {
			if (!words_take_escaped (word, &p, error))
				return NULL;
			in_word = TRUE;
		} else if (*p == '"') {
			quoted = !quoted;
			in_word = TRUE;
		} else if (!quoted && text_is_space (p)) {
			words_flush (words, word, &in_word);
		} else {
			g_string_append_len (word, p,
					     g_utf8_next_char (p) - p);
			in_word = TRUE;
		}
	}

	if (quoted) {
		g_set_error_literal (error, CRM_PARSE_ERROR,
				     CRM_PARSE_ERROR_SYNTAX,
				     _("A double quote is not closed. Add the closing \" or write \\\" for a quote inside a word."));
		return NULL;
	}
	words_flush (words, word, &in_word);
	g_ptr_array_add (words, NULL);
	return (char **) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}

/*
 * The forms in one translated list.  Returned by gettext, so the string is
 * static and the caller does not free it.
 */
const char *
crm_parse_due_forms (void)
{
	return _("“2026-12-04 10:00”, “2026-12-04” (at 09:00), “10:00” "
		 "(today, or tomorrow when already past), “in 2h”, "
		 "“in 90 min”, “in 3 days”, “in 1 week”, “tomorrow” "
		 "(at 09:00), “tomorrow 9:00”, “today 17:30”, “fri” "
		 "(at 09:00), “fri 14:30”");
}

/* ------------------------------------------------------------------ */
/* Due times                                                            */
/* ------------------------------------------------------------------ */

typedef struct {
	const char *start;
	const char *end;
} DueToken;

typedef enum {
	DUE_UNREADABLE,		/* no form matches */
	DUE_BAD_CLOCK,		/* "25:00", "9:5" */
	DUE_BAD_DATE,		/* "2026-02-30" */
	DUE_BAD_NUMBER,		/* "in -2h", "in 0h", "in 1.5h" */
	DUE_TOO_FAR,		/* beyond DUE_MAX_DAYS */
	DUE_PAST,		/* at or before now */
	DUE_NO_TEXT,		/* nothing after the time */
	DUE_MISSING,		/* nothing at all */
} DueProblem;

/* What crm_parse_due() knows while it reads one due time. */
typedef struct {
	GTimeZone *tz;		/* now's zone, not owned */
	gint64 now_us;		/* now in UTC microseconds */
	GDate today;		/* now's local date */
	int now_hour;		/* now's local wall clock */
	int now_minute;
	int now_second;
	int now_usec;
	DueToken tokens[DUE_MAX_TOKENS];
	guint n_tokens;
	guint used;		/* tokens that make up the due time */
	gint64 due_us;		/* the result, UTC microseconds */
} DueReader;

typedef enum {
	SHAPE_NONE,		/* does not look like this form at all */
	SHAPE_BAD,		/* looks like it, but is not a valid one */
	SHAPE_OK,
} Shape;

static gboolean
due_token_is (const DueToken *t, const char *word)
{
	gsize len = strlen (word);

	return (gsize) (t->end - t->start) == len &&
	       g_ascii_strncasecmp (t->start, word, len) == 0;
}

static gboolean
ascii_all_digits (const char *p, gsize len)
{
	gsize i;

	for (i = 0; i < len; i++)
		if (!g_ascii_isdigit (p[i]))
			return FALSE;
	return len > 0;
}

/* The value of @len (at most 9) ASCII digits at @p. */
static int
ascii_digits_value (const char *p, gsize len)
{
	int value = 0;
	gsize i;

	for (i = 0; i < len; i++)
		value = value * 10 + (p[i] - '0');
	return value;
}

/*
 * "H:MM" or "HH:MM".  A token that starts with a digit and holds a colon
 * is meant as a time: if it is not a valid one it is an error, never the
 * start of the follow-up's text.  Outputs are set only for SHAPE_OK.
 */
static Shape
due_read_clock (const DueToken *t, int *out_hour, int *out_minute)
{
	const char *colon = memchr (t->start, ':', t->end - t->start);
	gsize hour_len;
	gsize minute_len;
	int hour;
	int minute;

	if (colon == NULL || !g_ascii_isdigit (t->start[0]))
		return SHAPE_NONE;
	hour_len = colon - t->start;
	minute_len = t->end - colon - 1;
	if (hour_len > 2 || minute_len != 2 ||
	    !ascii_all_digits (t->start, hour_len) ||
	    !ascii_all_digits (colon + 1, minute_len))
		return SHAPE_BAD;

	hour = ascii_digits_value (t->start, hour_len);
	minute = ascii_digits_value (colon + 1, minute_len);
	if (hour > 23 || minute > 59)
		return SHAPE_BAD;
	*out_hour = hour;
	*out_minute = minute;
	return SHAPE_OK;
}

/*
 * "YYYY-MM-DD" (month and day may have one digit).  Four digits and a dash
 * mark a date; anything after that which is not a calendar date is bad.
 */
static Shape
due_read_date (const DueToken *t, GDate *out_date)
{
	gsize len = t->end - t->start;
	const char *month;
	const char *dash;
	int year;
	int mon;
	int day;

	if (len < 5 || !ascii_all_digits (t->start, 4) || t->start[4] != '-')
		return SHAPE_NONE;
	month = t->start + 5;
	dash = memchr (month, '-', t->end - month);
	if (dash == NULL || dash - month > 2 || t->end - dash - 1 > 2 ||
	    !ascii_all_digits (month, dash - month) ||
	    !ascii_all_digits (dash + 1, t->end - dash - 1))
		return SHAPE_BAD;

	year = ascii_digits_value (t->start, 4);
	mon = ascii_digits_value (month, dash - month);
	day = ascii_digits_value (dash + 1, t->end - dash - 1);
	if (mon < 1 || mon > 12 ||
	    !g_date_valid_dmy (day, mon, year))
		return SHAPE_BAD;
	g_date_clear (out_date, 1);
	g_date_set_dmy (out_date, day, mon, year);
	return SHAPE_OK;
}

/* The weekday a token names (three letters or in full), or 0. */
static GDateWeekday
due_read_weekday (const DueToken *t)
{
	static const struct {
		const char *name;
		GDateWeekday day;
	} names[] = {
		{ "mon", G_DATE_MONDAY }, { "monday", G_DATE_MONDAY },
		{ "tue", G_DATE_TUESDAY }, { "tuesday", G_DATE_TUESDAY },
		{ "wed", G_DATE_WEDNESDAY }, { "wednesday", G_DATE_WEDNESDAY },
		{ "thu", G_DATE_THURSDAY }, { "thursday", G_DATE_THURSDAY },
		{ "fri", G_DATE_FRIDAY }, { "friday", G_DATE_FRIDAY },
		{ "sat", G_DATE_SATURDAY }, { "saturday", G_DATE_SATURDAY },
		{ "sun", G_DATE_SUNDAY }, { "sunday", G_DATE_SUNDAY },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (names); i++)
		if (due_token_is (t, names[i].name))
			return names[i].day;
	return G_DATE_BAD_WEEKDAY;
}

/* Minutes in one of a unit of "in N unit", or 0 for no unit. */
static gint64
due_unit_minutes (const char *start, const char *end)
{
	static const struct {
		const char *name;
		gint64 minutes;
	} units[] = {
		{ "m", 1 }, { "min", 1 }, { "mins", 1 },
		{ "minute", 1 }, { "minutes", 1 },
		{ "h", 60 }, { "hr", 60 }, { "hrs", 60 },
		{ "hour", 60 }, { "hours", 60 },
		{ "d", 1440 }, { "day", 1440 }, { "days", 1440 },
		{ "w", 10080 }, { "week", 10080 }, { "weeks", 10080 },
	};
	DueToken t = { start, end };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (units); i++)
		if (due_token_is (&t, units[i].name))
			return units[i].minutes;
	return 0;
}

/* The UTC offset of @tz, in seconds, at the UTC instant @utc. */
static gint64
zone_offset_at (GTimeZone *tz, gint64 utc)
{
	int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL,
						  utc);

	return g_time_zone_get_offset (tz, interval);
}

/*
 * The UTC microseconds of a wall time in @tz, by the rule at the top of
 * this file.  Candidate offsets are those a day before, at, and a day after
 * the wall time read as UTC; a candidate is right when the zone has that
 * offset at the instant it gives.  Two right ones mean fall back: the
 * earlier instant wins.  None means spring forward: reading the wall time
 * with the offset from before the gap lands after the gap by its length.
 * (This assumes no zone changes its offset twice within two days.)
 */
static gint64
due_wall_to_utc (GTimeZone *tz, const GDate *date,
		 int hour, int minute, int second)
{
	gint64 wall = ((gint64) g_date_get_julian (date) - JULIAN_UNIX_EPOCH)
		      * 86400 + hour * 3600 + minute * 60 + second;
	gint64 offsets[3];
	gint64 best = 0;
	gboolean found = FALSE;
	gsize i;

	offsets[0] = zone_offset_at (tz, wall - 86400);
	offsets[1] = zone_offset_at (tz, wall);
	offsets[2] = zone_offset_at (tz, wall + 86400);
	for (i = 0; i < G_N_ELEMENTS (offsets); i++) {
		gint64 utc = wall - offsets[i];

		if (zone_offset_at (tz, utc) == offsets[i] &&
		    (!found || utc < best)) {
			best = utc;
			found = TRUE;
		}
	}
	if (!found)
		best = wall - offsets[0];
	return best * G_USEC_PER_SEC;
}

/* The local wall-clock text of UTC microseconds @us in @tz, for messages. */
static char *
due_format_local (GTimeZone *tz, gint64 us)
{
	g_autoptr (GDateTime) utc = NULL;
	g_autoptr (GDateTime) local = NULL;

	utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
	if (utc == NULL)
		return g_strdup ("?");
	local = g_date_time_to_timezone (utc, tz);
	return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/*
 * The CRM_PARSE_ERROR_TIME messages: a due time that cannot be read.  Each
 * format stays a literal, so that the compiler checks its arguments.
 */
static void
due_fail_time (const char *quoted, DueProblem problem, const char *forms,
	       GError **error)
{
	GQuark domain = CRM_PARSE_ERROR;
	int code = CRM_PARSE_ERROR_TIME;

	switch (problem) {
	case DUE_BAD_CLOCK:
		/* Translators: the time as typed, then the forms. */
		g_set_error (error, domain, code, _("“%s” is not a time of day: hours go from 0 to 23 and minutes from 00 to 59. Write one of: %s."),
			     quoted, forms);
		break;
	case DUE_BAD_DATE:
		/* Translators: the date as typed, then the forms. */
		g_set_error (error, domain, code, _("“%s” is not a date on the calendar. Write one of: %s."),
			     quoted, forms);
		break;
	case DUE_BAD_NUMBER:
		/* Translators: the due time as typed, then the forms. */
		g_set_error (error, domain, code, _("“%s” needs a whole number of 1 or more. Write one of: %s."),
			     quoted, forms);
		break;
	case DUE_TOO_FAR:
		/* Translators: the due time as typed, then the forms. */
		g_set_error (error, domain, code, _("“%s” is too far ahead: a due time must be within 100 years. Write one of: %s."),
			     quoted, forms);
		break;
	default:
		/* Translators: the due time as typed, then the forms. */
		g_set_error (error, domain, code, _("Could not read “%s” as a due time. Write one of: %s."),
			     quoted, forms);
		break;
	}
}

/*
 * Sets @error for @problem, quoting the first @n_quoted tokens (what was
 * read as the due time so far), and returns FALSE.
 */
static gboolean
due_fail (const DueReader *r, guint n_quoted, DueProblem problem,
	  GError **error)
{
	g_autofree char *quoted = NULL;
	g_autofree char *when = NULL;
	const char *forms = crm_parse_due_forms ();

	if (n_quoted > 0)
		quoted = g_strndup (r->tokens[0].start,
				    r->tokens[n_quoted - 1].end -
				    r->tokens[0].start);

	switch (problem) {
	case DUE_MISSING:
		/* Translators: %s is the list of due-time forms. */
		g_set_error (error, CRM_PARSE_ERROR, CRM_PARSE_ERROR_EMPTY,
			     _("The due time is missing. Write one of: %s, then the text of the follow-up."),
			     forms);
		break;
	case DUE_NO_TEXT:
		/* Translators: %s is the due time as typed. */
		g_set_error (error, CRM_PARSE_ERROR, CRM_PARSE_ERROR_EMPTY,
			     _("The follow-up due “%s” has no text. Write what to follow up after the time, for example “in 2h call back about the quote”."),
			     quoted);
		break;
	case DUE_PAST:
		when = due_format_local (r->tz, r->due_us);
		/* Translators: the due time as typed, the same as a date and
		 * time, then the list of due-time forms. */
		g_set_error (error, CRM_PARSE_ERROR, CRM_PARSE_ERROR_PAST,
			     _("The due time “%s” (%s) has already passed. Write a later one, as one of: %s."),
			     quoted, when, forms);
		break;
	default:
		due_fail_time (quoted, problem, forms, error);
		break;
	}
	return FALSE;
}

/*
 * Reads an optional "H:MM" at token @i.  Without one the time is 09:00 and
 * *out_given is FALSE; a malformed one is an error.
 */
static gboolean
due_read_optional_clock (DueReader *r, guint i, int *out_hour,
			 int *out_minute, gboolean *out_given,
			 GError **error)
{
	*out_hour = DUE_DEFAULT_HOUR;
	*out_minute = 0;
	*out_given = FALSE;
	if (i >= r->n_tokens)
		return TRUE;

	switch (due_read_clock (&r->tokens[i], out_hour, out_minute)) {
	case SHAPE_NONE:
		return TRUE;
	case SHAPE_BAD:
		return due_fail (r, i + 1, DUE_BAD_CLOCK, error);
	case SHAPE_OK:
	default:
		*out_given = TRUE;
		r->used = i + 1;
		return TRUE;
	}
}

/* The due time @days after today at @hour:@minute. */
static gint64
due_on_day (const DueReader *r, guint days, int hour, int minute)
{
	GDate date = r->today;

	g_date_add_days (&date, days);
	return due_wall_to_utc (r->tz, &date, hour, minute, 0);
}

/*
 * "in N unit" and "in Nunit".  Minutes and hours are elapsed time; days
 * and weeks keep the wall clock ("in 1 day" at 10:15 is 10:15 tomorrow,
 * whatever the clocks did overnight).
 */
static gboolean
due_read_relative (DueReader *r, GError **error)
{
	const DueToken *count;
	const char *p;
	gint64 n = 0;
	gint64 unit;
	guint n_unit;

	if (r->n_tokens < 2)
		return due_fail (r, 1, DUE_UNREADABLE, error);
	count = &r->tokens[1];
	for (p = count->start; p < count->end && g_ascii_isdigit (*p); p++)
		if (n <= (gint64) DUE_MAX_DAYS * 1440)
			n = n * 10 + (*p - '0');

	if (p == count->start && *p != '-' && *p != '+')
		return due_fail (r, 2, DUE_UNREADABLE, error);
	if (p == count->start || n == 0 ||
	    (p < count->end && (*p == '.' || *p == ',')))
		return due_fail (r, 2, DUE_BAD_NUMBER, error);

	n_unit = p < count->end ? 2 : 3;
	if (n_unit > r->n_tokens)
		return due_fail (r, 2, DUE_UNREADABLE, error);
	unit = p < count->end ? due_unit_minutes (p, count->end)
			      : due_unit_minutes (r->tokens[2].start,
						  r->tokens[2].end);
	if (unit == 0)
		return due_fail (r, n_unit, DUE_UNREADABLE, error);
	if (n > (gint64) DUE_MAX_DAYS * 1440 / unit)
		return due_fail (r, n_unit, DUE_TOO_FAR, error);

	r->used = n_unit;
	if (unit < 1440) {
		r->due_us = r->now_us + n * unit * G_TIME_SPAN_MINUTE;
	} else {
		GDate date = r->today;

		g_date_add_days (&date, (guint) (n * unit / 1440));
		r->due_us = due_wall_to_utc (r->tz, &date, r->now_hour,
					     r->now_minute, r->now_second) +
			    r->now_usec;
	}
	return TRUE;
}

/* "tomorrow [H:MM]" (@days 1) and "today H:MM" (@days 0, time needed). */
static gboolean
due_read_named_day (DueReader *r, guint days, GError **error)
{
	int hour;
	int minute;
	gboolean given;

	r->used = 1;
	if (!due_read_optional_clock (r, 1, &hour, &minute, &given, error))
		return FALSE;
	if (days == 0 && !given)
		return due_fail (r, 1, DUE_UNREADABLE, error);

	r->due_us = due_on_day (r, days, hour, minute);
	return TRUE;
}

/*
 * "fri [H:MM]": the next such day after today.  Today itself only when it
 * is that day and a time is given that is still ahead: "fri 17:00" said on
 * a Friday morning is this afternoon, "fri" alone is next week.
 */
static gboolean
due_read_weekday_form (DueReader *r, GDateWeekday weekday, GError **error)
{
	int hour;
	int minute;
	gboolean given;
	guint days;

	r->used = 1;
	if (!due_read_optional_clock (r, 1, &hour, &minute, &given, error))
		return FALSE;

	days = ((int) weekday - (int) g_date_get_weekday (&r->today) + 7) % 7;
	if (days == 0 && !given)
		days = 7;
	r->due_us = due_on_day (r, days, hour, minute);
	if (days == 0 && r->due_us <= r->now_us)
		r->due_us = due_on_day (r, 7, hour, minute);
	return TRUE;
}

/* "YYYY-MM-DD [H:MM]", or "H:MM" alone: today, or tomorrow when past. */
static gboolean
due_read_absolute (DueReader *r, GError **error)
{
	GDate date;
	int hour;
	int minute;
	gboolean given;

	switch (due_read_date (&r->tokens[0], &date)) {
	case SHAPE_OK:
		r->used = 1;
		if (!due_read_optional_clock (r, 1, &hour, &minute, &given,
					      error))
			return FALSE;
		r->due_us = due_wall_to_utc (r->tz, &date, hour, minute, 0);
		return TRUE;
	case SHAPE_BAD:
		return due_fail (r, 1, DUE_BAD_DATE, error);
	case SHAPE_NONE:
	default:
		break;
	}

	switch (due_read_clock (&r->tokens[0], &hour, &minute)) {
	case SHAPE_OK:
		r->used = 1;
		r->due_us = due_on_day (r, 0, hour, minute);
		if (r->due_us <= r->now_us)
			r->due_us = due_on_day (r, 1, hour, minute);
		return TRUE;
	case SHAPE_BAD:
		return due_fail (r, 1, DUE_BAD_CLOCK, error);
	case SHAPE_NONE:
	default:
		/* A time we cannot read may be two words ("next friday"). */
		return due_fail (r, MIN (r->n_tokens, 2), DUE_UNREADABLE,
				 error);
	}
}

/* Dispatches on the first word; sets r->used and r->due_us. */
static gboolean
due_read (DueReader *r, GError **error)
{
	const DueToken *first = &r->tokens[0];
	GDateWeekday weekday;

	if (due_token_is (first, "in"))
		return due_read_relative (r, error);
	if (due_token_is (first, "tomorrow"))
		return due_read_named_day (r, 1, error);
	if (due_token_is (first, "today"))
		return due_read_named_day (r, 0, error);

	weekday = due_read_weekday (first);
	if (weekday != G_DATE_BAD_WEEKDAY)
		return due_read_weekday_form (r, weekday, error);
	return due_read_absolute (r, error);
}

/* Fills in what @r knows about @now and the first words of @text. */
static void
due_reader_init (DueReader *r, const char *text, GDateTime *now)
{
	const char *p = text_skip_space (text);
	int year;
	int month;
	int day;

	memset (r, 0, sizeof *r);
	r->tz = g_date_time_get_timezone (now);
	r->now_us = g_date_time_to_unix (now) * G_USEC_PER_SEC +
		    g_date_time_get_microsecond (now);
	g_date_time_get_ymd (now, &year, &month, &day);
	g_date_clear (&r->today, 1);
	g_date_set_dmy (&r->today, day, month, year);
	r->now_hour = g_date_time_get_hour (now);
	r->now_minute = g_date_time_get_minute (now);
	r->now_second = g_date_time_get_second (now);
	r->now_usec = g_date_time_get_microsecond (now);

	while (*p != '\0' && r->n_tokens < DUE_MAX_TOKENS) {
		r->tokens[r->n_tokens].start = p;
		p = text_word_end (p);
		r->tokens[r->n_tokens++].end = p;
		p = text_skip_space (p);
	}
}

/*
 * Reads the due time, then checks it is ahead of now, within reach, and
 * followed by text.  Outputs are set only on success.
 */
gboolean
crm_parse_due (const char *text,
	       GDateTime *now,
	       gint64 *out_due_us,
	       char **out_rest,
	       GError **error)
{
	DueReader r;
	g_autofree char *rest = NULL;

	g_return_val_if_fail (text != NULL, FALSE);
	g_return_val_if_fail (now != NULL, FALSE);
	g_return_val_if_fail (out_due_us != NULL, FALSE);
	g_return_val_if_fail (out_rest != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!g_utf8_validate (text, -1, NULL))
		return text_fail_utf8 (error);

	due_reader_init (&r, text, now);
	if (r.n_tokens == 0)
		return due_fail (&r, 0, DUE_MISSING, error);
	if (!due_read (&r, error))
		return FALSE;

	if (r.due_us <= r.now_us)
		return due_fail (&r, r.used, DUE_PAST, error);
	if (r.due_us - r.now_us > (gint64) DUE_MAX_DAYS * G_TIME_SPAN_DAY)
		return due_fail (&r, r.used, DUE_TOO_FAR, error);

	rest = text_dup_trimmed (r.tokens[r.used - 1].end);
	if (rest[0] == '\0')
		return due_fail (&r, r.used, DUE_NO_TEXT, error);

	*out_due_us = r.due_us;
	*out_rest = g_steal_pointer (&rest);
	return TRUE;
}
