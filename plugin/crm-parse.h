/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-parse.h: reading what an agent types after /crm.
 *
 * Pure functions over strings and GDateTime, so that every form of good and
 * bad input is tested without a client.  Errors are in the CRM_PARSE_ERROR
 * domain and their messages are translated, complete sentences that say
 * what was wrong and how to write it.
 */
#ifndef CRM_PARSE_H
#define CRM_PARSE_H

#include <glib.h>

G_BEGIN_DECLS

#define CRM_PARSE_ERROR (crm_parse_error_quark ())
GQuark crm_parse_error_quark (void);

typedef enum {
	CRM_PARSE_ERROR_EMPTY,		/* nothing where something is needed */
	CRM_PARSE_ERROR_SYNTAX,		/* unbalanced quote, bad character */
	CRM_PARSE_ERROR_TIME,		/* a due time that cannot be read */
	CRM_PARSE_ERROR_PAST,		/* a due time already gone */
	CRM_PARSE_ERROR_TOO_LONG,	/* over the limit for the field */
} CrmParseError;

/*
 * Splits @text into its first word (lower-cased) and the rest, trimmed.
 * "  Note  Called back " gives "note" and "Called back".  Either may be
 * an empty string; neither is NULL.  Returns FALSE only for text that is
 * not valid UTF-8.
 */
gboolean crm_parse_split_first (const char *text,
				char **out_word,
				char **out_rest,
				GError **error);

/*
 * Splits @text into words: white space separates, double quotes group
 * ("Smith & Jones" is one word), a backslash escapes the next character.
 * Returns a NULL-terminated vector, or NULL with CRM_PARSE_ERROR_SYNTAX for
 * an unclosed quote or invalid UTF-8.
 *
 * Details: quotes may join text on either side (ab"c d" is one word,
 * "abc d"); "" is an empty word; a backslash at the very end is
 * CRM_PARSE_ERROR_SYNTAX.  Empty or blank @text gives an empty vector.
 */
char **crm_parse_words (const char *text, GError **error);

/*
 * Reads a due time at the start of @text and returns the rest (the
 * follow-up's text, trimmed) in @out_rest.  Times are read in @now's time
 * zone.  Forms:
 *   "2026-12-04 10:00", "2026-12-04" (09:00), "10:00" (today, or tomorrow
 *   when already past), "in 2h", "in 90 min", "in 3 days", "in 1 week",
 *   "tomorrow", "tomorrow 9:00", "today 17:30", "fri", "fri 14:30"
 *   (the next such day), weekday names in full too.
 * A wall time that does not exist that day (spring forward) moves forward
 * by the gap; one that exists twice (fall back) is the first of the two.
 * A time before @now is CRM_PARSE_ERROR_PAST.  On any error the message
 * quotes what was understood and lists the forms.
 *
 * Details: words are matched without regard to case, and units may be
 * written h/hr/hrs/hour/hours, m/min/mins/minute/minutes, d/day/days,
 * w/week/weeks, with or without a space after the number.  Minutes and
 * hours are elapsed time; days and weeks keep the wall clock.  The count
 * must be 1 or more ("in 0h" is CRM_PARSE_ERROR_TIME, as are "in -2h" and
 * "in 1.5h").  A weekday is the next such day after today; today only when
 * today is that day and a time still ahead today is given ("fri 17:00" on
 * a Friday morning).  A due time at @now counts as past; one more than
 * 100 years ahead is CRM_PARSE_ERROR_TIME.  Nothing after the time is
 * CRM_PARSE_ERROR_EMPTY, as is empty @text.  Invalid UTF-8 is
 * CRM_PARSE_ERROR_SYNTAX.  @out_due_us is UTC microseconds since the epoch.
 */
gboolean crm_parse_due (const char *text,
			GDateTime *now,
			gint64 *out_due_us,
			char **out_rest,
			GError **error);

/* The forms crm_parse_due() takes, translated, for help texts. */
const char *crm_parse_due_forms (void);

G_END_DECLS

#endif /* CRM_PARSE_H */
