/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-parse.c: what an agent types after /crm (crm-parse.h): the first
 * word, quoted words, and due times read against a fixed "now" in several
 * time zones, including both daylight-saving edges (shared case F07).
 * Due times are checked as local wall time with its UTC offset, which pins
 * the UTC instant too.
 */
#include "crm-config.h"

#include <string.h>

#include "crm-parse.h"

/* Wednesday 2026-05-06 10:15:30.5 in Berlin (CEST, +02:00). */
static GDateTime *
berlin_now (void)
{
	g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");

	g_assert_nonnull (tz);
	return g_date_time_new (tz, 2026, 5, 6, 10, 15, 30.5);
}

static GDateTime *
make_now (const char *zone, int year, int month, int day,
	  int hour, int minute)
{
	g_autoptr (GTimeZone) tz = zone != NULL
		? g_time_zone_new_identifier (zone) : g_time_zone_new_utc ();

	g_assert_nonnull (tz);
	return g_date_time_new (tz, year, month, day, hour, minute, 0);
}

/* @us (UTC microseconds) as local time in @now's zone, with offset. */
static char *
format_due (GDateTime *now, gint64 us)
{
	g_autoptr (GDateTime) utc = NULL;
	g_autoptr (GDateTime) local = NULL;

	utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
	g_assert_nonnull (utc);
	local = g_date_time_to_timezone (utc, g_date_time_get_timezone (now));
	return g_date_time_format (local, "%Y-%m-%d %H:%M:%S%:z");
}

static char *
format_utc (gint64 us)
{
	g_autoptr (GDateTime) utc = NULL;

	utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
	return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* crm_parse_due (@text) at @now gives @local and the text @rest. */
static void
check_due (GDateTime *now, const char *text, const char *local,
	   const char *rest)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *out_rest = NULL;
	g_autofree char *out_local = NULL;
	gint64 due = 0;

	g_test_message ("due: \"%s\"", text);
	g_assert_true (crm_parse_due (text, now, &due, &out_rest, &error));
	g_assert_no_error (error);
	out_local = format_due (now, due);
	g_assert_cmpstr (out_local, ==, local);
	g_assert_cmpstr (out_rest, ==, rest);
}

/* As check_due(), for the UTC instant and the microseconds. */
static void
check_due_utc (GDateTime *now, const char *text, const char *utc, int usec)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *rest = NULL;
	g_autofree char *out = NULL;
	gint64 due = 0;

	g_test_message ("due: \"%s\"", text);
	g_assert_true (crm_parse_due (text, now, &due, &rest, &error));
	g_assert_no_error (error);
	out = format_utc (due);
	g_assert_cmpstr (out, ==, utc);
	g_assert_cmpint (due % G_USEC_PER_SEC, ==, usec);
}

/*
 * crm_parse_due (@text) fails with @code, leaves its outputs alone, and
 * quotes @quoted (unless NULL) in the message.
 */
static void
check_due_error (GDateTime *now, const char *text, CrmParseError code,
		 const char *quoted)
{
	g_autoptr (GError) error = NULL;
	char *rest = NULL;
	gint64 due = -1;

	g_test_message ("due: \"%s\"", text);
	g_assert_false (crm_parse_due (text, now, &due, &rest, &error));
	g_assert_error (error, CRM_PARSE_ERROR, (int) code);
	g_assert_cmpint (due, ==, -1);
	g_assert_null (rest);
	g_test_message ("message: %s", error->message);
	if (quoted != NULL) {
		g_autofree char *q = g_strdup_printf ("“%s”", quoted);

		g_assert_nonnull (strstr (error->message, q));
	}
}

/* The error message lists the forms. */
static void
test_due_message (void)
{
	g_autoptr (GDateTime) now = berlin_now ();
	g_autoptr (GError) error = NULL;
	g_autofree char *rest = NULL;
	gint64 due = 0;

	g_assert_false (crm_parse_due ("next blursday call Ann", now, &due,
				       &rest, &error));
	g_assert_error (error, CRM_PARSE_ERROR, CRM_PARSE_ERROR_TIME);
	g_assert_cmpstr (error->message, ==,
			 "Could not read “next blursday” as a due time. Write one of: "
			 "“2026-12-04 10:00”, “2026-12-04” (at 09:00), “10:00” "
			 "(today, or tomorrow when already past), “in 2h”, "
			 "“in 90 min”, “in 3 days”, “in 1 week”, “tomorrow” "
			 "(at 09:00), “tomorrow 9:00”, “today 17:30”, “fri” "
			 "(at 09:00), “fri 14:30”.");
	g_assert_nonnull (strstr (error->message, crm_parse_due_forms ()));
}

static void
test_due_relative_hours (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due (now, "in 2h call back", "2026-05-06 12:15:30+02:00",
		   "call back");
	check_due (now, "in 2 h call back", "2026-05-06 12:15:30+02:00",
		   "call back");
	check_due (now, "in 2 hours call", "2026-05-06 12:15:30+02:00",
		   "call");
	check_due (now, "in 1 hour call", "2026-05-06 11:15:30+02:00",
		   "call");
	check_due (now, "in 3hrs x", "2026-05-06 13:15:30+02:00", "x");
	check_due (now, "In 2H Call Back", "2026-05-06 12:15:30+02:00",
		   "Call Back");
	check_due (now, "  in   2h   call  back  ",
		   "2026-05-06 12:15:30+02:00", "call  back");
	/* Elapsed time keeps now's seconds and microseconds. */
	check_due_utc (now, "in 2h x", "2026-05-06T10:15:30Z", 500000);
	/* Leading zeros are only zeros. */
	check_due (now, "in 002h x", "2026-05-06 12:15:30+02:00", "x");
}

static void
test_due_relative_minutes (void)
{
	g_autoptr (GDateTime) now = berlin_now ();
	static const char *const forms[] = {
		"in 90 min x", "in 90 mins x", "in 90 minutes x", "in 90 m x",
		"in 90min x", "in 90m x", "in 90 MIN x",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (forms); i++)
		check_due (now, forms[i], "2026-05-06 11:45:30+02:00", "x");
	check_due (now, "in 1 minute x", "2026-05-06 10:16:30+02:00", "x");
}

static void
test_due_relative_days (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due (now, "in 3 days x", "2026-05-09 10:15:30+02:00", "x");
	check_due (now, "in 3d x", "2026-05-09 10:15:30+02:00", "x");
	check_due (now, "in 3 d x", "2026-05-09 10:15:30+02:00", "x");
	check_due (now, "in 1 day x", "2026-05-07 10:15:30+02:00", "x");
	check_due_utc (now, "in 1 day x", "2026-05-07T08:15:30Z", 500000);
	check_due (now, "in 1 week x", "2026-05-13 10:15:30+02:00", "x");
	check_due (now, "in 2 weeks x", "2026-05-20 10:15:30+02:00", "x");
	check_due (now, "in 1w x", "2026-05-13 10:15:30+02:00", "x");
	check_due (now, "in 1 WEEK x", "2026-05-13 10:15:30+02:00", "x");
}

/* Days keep the wall clock over a DST change; hours do not. */
static void
test_due_relative_across_dst (void)
{
	g_autoptr (GDateTime) now = make_now ("Europe/Berlin",
					      2026, 3, 28, 10, 0);
	g_autoptr (GDateTime) night = make_now ("Europe/Berlin",
						2026, 3, 28, 2, 30);

	check_due (now, "in 1 day x", "2026-03-29 10:00:00+02:00", "x");
	check_due (now, "in 24h x", "2026-03-29 11:00:00+02:00", "x");
	/* Into the gap: 02:30 does not exist on the 29th. */
	check_due (night, "in 1 day x", "2026-03-29 03:30:00+02:00", "x");
}

static void
test_due_absolute (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due (now, "2026-12-04 10:00 quote", "2026-12-04 10:00:00+01:00",
		   "quote");
	check_due (now, "2026-12-04 quote", "2026-12-04 09:00:00+01:00",
		   "quote");
	check_due (now, "2026-5-7 8:05 x", "2026-05-07 08:05:00+02:00", "x");
	check_due (now, "2028-02-29 x", "2028-02-29 09:00:00+01:00", "x");
	check_due (now, "2026-05-06 10:16 x", "2026-05-06 10:16:00+02:00",
		   "x");
	/* A word after the date that is no time is the text. */
	check_due (now, "2026-12-04 call Ann", "2026-12-04 09:00:00+01:00",
		   "call Ann");
}

static void
test_due_clock (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due (now, "17:30 x", "2026-05-06 17:30:00+02:00", "x");
	check_due (now, "10:16 x", "2026-05-06 10:16:00+02:00", "x");
	/* Already past today: tomorrow. */
	check_due (now, "10:00 x", "2026-05-07 10:00:00+02:00", "x");
	check_due (now, "9:05 x", "2026-05-07 09:05:00+02:00", "x");
	check_due (now, "10:15 x", "2026-05-07 10:15:00+02:00", "x");
	check_due (now, "0:00 x", "2026-05-07 00:00:00+02:00", "x");
	check_due (now, "23:59 x", "2026-05-06 23:59:00+02:00", "x");
}

static void
test_due_tomorrow_today (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due (now, "tomorrow call", "2026-05-07 09:00:00+02:00", "call");
	check_due (now, "Tomorrow 9:00 call", "2026-05-07 09:00:00+02:00",
		   "call");
	check_due (now, "TOMORROW 18:45 call", "2026-05-07 18:45:00+02:00",
		   "call");
	check_due (now, "today 17:30 call", "2026-05-06 17:30:00+02:00",
		   "call");
	check_due (now, "Today 10:16 call", "2026-05-06 10:16:00+02:00",
		   "call");
	check_due_error (now, "today 10:00 call", CRM_PARSE_ERROR_PAST,
			 "today 10:00");
	check_due_error (now, "today call", CRM_PARSE_ERROR_TIME, "today");
	check_due_error (now, "today", CRM_PARSE_ERROR_TIME, "today");
}

/* Now is a Wednesday, 10:15:30. */
static void
test_due_weekday (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due (now, "fri x", "2026-05-08 09:00:00+02:00", "x");
	check_due (now, "Friday x", "2026-05-08 09:00:00+02:00", "x");
	check_due (now, "fri 14:30 x", "2026-05-08 14:30:00+02:00", "x");
	check_due (now, "sat x", "2026-05-09 09:00:00+02:00", "x");
	check_due (now, "SUNDAY x", "2026-05-10 09:00:00+02:00", "x");
	check_due (now, "mon x", "2026-05-11 09:00:00+02:00", "x");
	check_due (now, "tuesday 8:00 x", "2026-05-12 08:00:00+02:00", "x");
	check_due (now, "thu x", "2026-05-07 09:00:00+02:00", "x");
	check_due (now, "thursday 7:00 x", "2026-05-07 07:00:00+02:00", "x");
	/* Today's weekday: next week, unless a time still ahead is given. */
	check_due (now, "wed x", "2026-05-13 09:00:00+02:00", "x");
	check_due (now, "wednesday x", "2026-05-13 09:00:00+02:00", "x");
	check_due (now, "wed 17:00 x", "2026-05-06 17:00:00+02:00", "x");
	check_due (now, "wed 10:00 x", "2026-05-13 10:00:00+02:00", "x");
	check_due (now, "wed 10:15 x", "2026-05-13 10:15:00+02:00", "x");
	check_due_error (now, "fri 25:00 x", CRM_PARSE_ERROR_TIME,
			 "fri 25:00");
}

/* Spring forward in Berlin: 02:00 CET becomes 03:00 CEST. */
static void
test_due_dst_gap_berlin (void)
{
	g_autoptr (GDateTime) now = make_now ("Europe/Berlin",
					      2026, 3, 28, 12, 0);
	g_autoptr (GDateTime) early = make_now ("Europe/Berlin",
						2026, 3, 29, 1, 0);

	check_due (now, "2026-03-29 02:30 x", "2026-03-29 03:30:00+02:00",
		   "x");
	check_due_utc (now, "2026-03-29 02:30 x", "2026-03-29T01:30:00Z", 0);
	check_due (now, "2026-03-29 02:00 x", "2026-03-29 03:00:00+02:00",
		   "x");
	check_due (now, "2026-03-29 02:59 x", "2026-03-29 03:59:00+02:00",
		   "x");
	check_due (now, "2026-03-29 03:00 x", "2026-03-29 03:00:00+02:00",
		   "x");
	check_due (now, "2026-03-29 01:59 x", "2026-03-29 01:59:00+01:00",
		   "x");
	check_due (now, "tomorrow 2:30 x", "2026-03-29 03:30:00+02:00", "x");
	check_due (now, "sun 2:30 x", "2026-03-29 03:30:00+02:00", "x");
	check_due (early, "2:30 x", "2026-03-29 03:30:00+02:00", "x");
}

/* Fall back in Berlin: 03:00 CEST becomes 02:00 CET (shared case F07). */
static void
test_due_dst_overlap_berlin (void)
{
	g_autoptr (GDateTime) now = make_now ("Europe/Berlin",
					      2026, 10, 23, 12, 0);

	check_due_utc (now, "2026-10-25 02:30 x", "2026-10-25T00:30:00Z", 0);
	check_due (now, "2026-10-25 02:30 x", "2026-10-25 02:30:00+02:00",
		   "x");
	check_due_utc (now, "2026-10-25 02:00 x", "2026-10-25T00:00:00Z", 0);
	check_due_utc (now, "2026-10-25 02:59 x", "2026-10-25T00:59:00Z", 0);
	check_due_utc (now, "2026-10-25 03:00 x", "2026-10-25T02:00:00Z", 0);
	check_due_utc (now, "2026-10-25 01:59 x", "2026-10-24T23:59:00Z", 0);
	check_due_utc (now, "2026-10-25 09:00 x", "2026-10-25T08:00:00Z", 0);
	check_due_utc (now, "2026-10-24 09:00 x", "2026-10-24T07:00:00Z", 0);
	check_due_utc (now, "sun 2:30 x", "2026-10-25T00:30:00Z", 0);
}

/* New York: 2026-03-08 02:00 EST -> 03:00 EDT, 2026-11-01 02:00 -> 01:00. */
static void
test_due_dst_new_york (void)
{
	g_autoptr (GDateTime) now = make_now ("America/New_York",
					      2026, 3, 1, 12, 0);

	check_due (now, "2026-03-08 02:30 x", "2026-03-08 03:30:00-04:00",
		   "x");
	check_due_utc (now, "2026-03-08 02:30 x", "2026-03-08T07:30:00Z", 0);
	check_due_utc (now, "2026-11-01 01:30 x", "2026-11-01T05:30:00Z", 0);
	check_due (now, "2026-11-01 01:30 x", "2026-11-01 01:30:00-04:00",
		   "x");
	check_due_utc (now, "2026-11-01 02:30 x", "2026-11-01T07:30:00Z", 0);
	check_due (now, "tomorrow x", "2026-03-02 09:00:00-05:00", "x");
}

static void
test_due_utc_and_fixed_offset (void)
{
	g_autoptr (GDateTime) utc = make_now (NULL, 2026, 3, 28, 12, 0);
	g_autoptr (GDateTime) india = make_now ("+05:30", 2026, 3, 28, 12, 0);

	check_due_utc (utc, "2026-03-29 02:30 x", "2026-03-29T02:30:00Z", 0);
	check_due (utc, "tomorrow x", "2026-03-29 09:00:00+00:00", "x");
	check_due_utc (india, "2026-03-29 02:30 x", "2026-03-28T21:00:00Z",
		       0);
	check_due (india, "2026-03-29 02:30 x", "2026-03-29 02:30:00+05:30",
		   "x");
	check_due (india, "in 1 day x", "2026-03-29 12:00:00+05:30", "x");
	check_due (india, "11:00 x", "2026-03-29 11:00:00+05:30", "x");
}

static void
test_due_empty (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due_error (now, "", CRM_PARSE_ERROR_EMPTY, NULL);
	check_due_error (now, "   ", CRM_PARSE_ERROR_EMPTY, NULL);
	check_due_error (now, " \t\n", CRM_PARSE_ERROR_EMPTY, NULL);
	/* A time without the follow-up's text. */
	check_due_error (now, "in 2h", CRM_PARSE_ERROR_EMPTY, "in 2h");
	check_due_error (now, "in 2 hours   ", CRM_PARSE_ERROR_EMPTY,
			 "in 2 hours");
	check_due_error (now, "tomorrow", CRM_PARSE_ERROR_EMPTY, "tomorrow");
	check_due_error (now, "tomorrow 9:00 ", CRM_PARSE_ERROR_EMPTY,
			 "tomorrow 9:00");
	check_due_error (now, "fri", CRM_PARSE_ERROR_EMPTY, "fri");
	check_due_error (now, "2026-12-04 10:00", CRM_PARSE_ERROR_EMPTY,
			 "2026-12-04 10:00");
	check_due_error (now, "17:30", CRM_PARSE_ERROR_EMPTY, "17:30");
}

static void
test_due_unreadable (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due_error (now, "next blursday", CRM_PARSE_ERROR_TIME,
			 "next blursday");
	check_due_error (now, "soon", CRM_PARSE_ERROR_TIME, "soon");
	check_due_error (now, "in", CRM_PARSE_ERROR_TIME, "in");
	check_due_error (now, "in 2", CRM_PARSE_ERROR_TIME, "in 2");
	check_due_error (now, "in two hours x", CRM_PARSE_ERROR_TIME,
			 "in two");
	check_due_error (now, "in 2 parsecs x", CRM_PARSE_ERROR_TIME,
			 "in 2 parsecs");
	check_due_error (now, "in 2parsecs x", CRM_PARSE_ERROR_TIME,
			 "in 2parsecs");
	check_due_error (now, "in 2 x", CRM_PARSE_ERROR_TIME, "in 2 x");
	check_due_error (now, "frid x", CRM_PARSE_ERROR_TIME, "frid x");
	check_due_error (now, "\xc3\xa9t\xc3\xa9", CRM_PARSE_ERROR_TIME,
			 "\xc3\xa9t\xc3\xa9");
}

static void
test_due_bad_numbers (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due_error (now, "in -2h x", CRM_PARSE_ERROR_TIME, "in -2h");
	check_due_error (now, "in -2 h x", CRM_PARSE_ERROR_TIME, "in -2");
	check_due_error (now, "in +2h x", CRM_PARSE_ERROR_TIME, "in +2h");
	check_due_error (now, "in 0h x", CRM_PARSE_ERROR_TIME, "in 0h");
	check_due_error (now, "in 0 minutes x", CRM_PARSE_ERROR_TIME,
			 "in 0");
	check_due_error (now, "in 1.5h x", CRM_PARSE_ERROR_TIME, "in 1.5h");
	check_due_error (now, "in 1,5 h x", CRM_PARSE_ERROR_TIME, "in 1,5");
}

static void
test_due_overflow (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due_error (now, "in 99999999 days x", CRM_PARSE_ERROR_TIME,
			 "in 99999999 days");
	check_due_error (now, "in 99999999999999999999999999 h x",
			 CRM_PARSE_ERROR_TIME, NULL);
	check_due_error (now, "in 36526 days x", CRM_PARSE_ERROR_TIME,
			 "in 36526 days");
	check_due_error (now, "in 5218 weeks x", CRM_PARSE_ERROR_TIME, NULL);
	check_due_error (now, "in 876601 hours x", CRM_PARSE_ERROR_TIME,
			 NULL);
	check_due_error (now, "9999-12-31 x", CRM_PARSE_ERROR_TIME,
			 "9999-12-31");
	/* The limit itself is fine. */
	check_due (now, "in 36525 days x", "2126-05-07 10:15:30+02:00", "x");
	check_due (now, "in 876600 h x", "2126-05-07 10:15:30+02:00", "x");
}

static void
test_due_bad_clock_and_date (void)
{
	g_autoptr (GDateTime) now = berlin_now ();
	static const char *const clocks[] = {
		"25:00", "24:00", "23:60", "9:5", "123:00", "10:00am", "1:2:3",
		"10:",
	};
	static const char *const dates[] = {
		"2026-02-30", "2026-02-29", "2026-13-01", "2026-00-10",
		"2026-1-32", "2026-04-31", "0000-01-01", "2026-", "2026-12",
		"2026-123-1", "2026-12-04x",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (clocks); i++) {
		g_autofree char *text = g_strconcat (clocks[i], " x", NULL);
		g_autofree char *later = g_strconcat ("tomorrow ", clocks[i],
						      " x", NULL);

		check_due_error (now, text, CRM_PARSE_ERROR_TIME, clocks[i]);
		check_due_error (now, later, CRM_PARSE_ERROR_TIME, NULL);
	}
	for (i = 0; i < G_N_ELEMENTS (dates); i++) {
		g_autofree char *text = g_strconcat (dates[i], " x", NULL);

		check_due_error (now, text, CRM_PARSE_ERROR_TIME, dates[i]);
	}
	check_due_error (now, "2026-12-04 25:00 x", CRM_PARSE_ERROR_TIME,
			 "2026-12-04 25:00");
}

static void
test_due_past (void)
{
	g_autoptr (GDateTime) now = berlin_now ();
	g_autoptr (GDateTime) exact = make_now ("Europe/Berlin",
						2026, 5, 6, 10, 15);

	check_due_error (now, "2026-05-06 10:00 x", CRM_PARSE_ERROR_PAST,
			 "2026-05-06 10:00");
	check_due_error (now, "2026-05-06 x", CRM_PARSE_ERROR_PAST,
			 "2026-05-06");
	check_due_error (now, "2020-01-01 x", CRM_PARSE_ERROR_PAST,
			 "2020-01-01");
	check_due_error (now, "0001-01-01 x", CRM_PARSE_ERROR_PAST, NULL);
	check_due_error (now, "today 10:15 x", CRM_PARSE_ERROR_PAST,
			 "today 10:15");
	/* Exactly now is not ahead. */
	check_due_error (exact, "today 10:15 x", CRM_PARSE_ERROR_PAST, NULL);
	check_due_error (exact, "2026-05-06 10:15 x", CRM_PARSE_ERROR_PAST,
			 "2026-05-06 10:15");
}

static void
test_due_past_message (void)
{
	g_autoptr (GDateTime) now = berlin_now ();
	g_autoptr (GError) error = NULL;
	g_autofree char *rest = NULL;
	gint64 due = 0;

	g_assert_false (crm_parse_due ("2026-05-06 x", now, &due, &rest,
				       &error));
	g_assert_error (error, CRM_PARSE_ERROR, CRM_PARSE_ERROR_PAST);
	g_assert_nonnull (strstr (error->message,
				  "“2026-05-06” (2026-05-06 09:00)"));
	g_assert_nonnull (strstr (error->message, crm_parse_due_forms ()));
}

static void
test_due_invalid_utf8 (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due_error (now, "in 2h call \xff", CRM_PARSE_ERROR_SYNTAX, NULL);
	check_due_error (now, "\xc3", CRM_PARSE_ERROR_SYNTAX, NULL);
}

/* The text after the time keeps its inner spacing and any characters. */
static void
test_due_rest (void)
{
	g_autoptr (GDateTime) now = berlin_now ();

	check_due (now, "in 2h \"Smith & Jones\" <Ltd>  quote 5 > 3\n",
		   "2026-05-06 12:15:30+02:00",
		   "\"Smith & Jones\" <Ltd>  quote 5 > 3");
	check_due (now, "in\t2h\tcall", "2026-05-06 12:15:30+02:00", "call");
	/* No-break spaces separate and are trimmed too. */
	check_due (now, "in 2h\xc2\xa0" "call\xc2\xa0",
		   "2026-05-06 12:15:30+02:00", "call");
	check_due (now, "tomorrow 9 o'clock", "2026-05-07 09:00:00+02:00",
		   "9 o'clock");
}

/* crm_parse_split_first (@text) gives @word and @rest. */
static void
check_split (const char *text, const char *word, const char *rest)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *out_word = NULL;
	g_autofree char *out_rest = NULL;

	g_assert_true (crm_parse_split_first (text, &out_word, &out_rest,
					      &error));
	g_assert_no_error (error);
	g_assert_cmpstr (out_word, ==, word);
	g_assert_cmpstr (out_rest, ==, rest);
}

static void
test_split_first (void)
{
	check_split ("  Note  Called back ", "note", "Called back");
	check_split ("NOTE", "note", "");
	check_split ("find Smith", "find", "Smith");
	check_split ("", "", "");
	check_split ("   ", "", "");
	check_split ("\tFind\n Smith & Jones \n", "find", "Smith & Jones");
	check_split ("ÉTAT Offen", "état", "Offen");
	check_split ("note  a  b  ", "note", "a  b");
	check_split ("note\xc2\xa0" "x", "note", "x");
}

static void
test_split_first_invalid (void)
{
	g_autoptr (GError) error = NULL;
	char *word = NULL;
	char *rest = NULL;

	g_assert_false (crm_parse_split_first ("note \xff", &word, &rest,
					       &error));
	g_assert_error (error, CRM_PARSE_ERROR, CRM_PARSE_ERROR_SYNTAX);
	g_assert_null (word);
	g_assert_null (rest);
}

/* crm_parse_words (@text) gives the NULL-terminated @expected. */
static void
check_words (const char *text, const char *const *expected)
{
	g_autoptr (GError) error = NULL;
	g_auto (GStrv) words = NULL;

	g_test_message ("words: %s", text);
	words = crm_parse_words (text, &error);
	g_assert_no_error (error);
	g_assert_nonnull (words);
	g_assert_cmpstrv (words, expected);
}

static void
test_words (void)
{
	check_words ("find \"Smith & Jones\" ltd",
		     (const char *const[]) { "find", "Smith & Jones", "ltd",
					     NULL });
	check_words ("  a   b  ", (const char *const[]) { "a", "b", NULL });
	check_words ("", (const char *const[]) { NULL });
	check_words (" \t ", (const char *const[]) { NULL });
	check_words ("ab\"c d\"e", (const char *const[]) { "abc de", NULL });
	check_words ("\"\"", (const char *const[]) { "", NULL });
	check_words ("a \"\" b", (const char *const[]) { "a", "", "b", NULL });
	check_words ("\"Ünïcödé  ok\"",
		     (const char *const[]) { "Ünïcödé  ok", NULL });
}

static void
test_words_escapes (void)
{
	check_words ("a\\ b c", (const char *const[]) { "a b", "c", NULL });
	check_words ("say \\\"hi\\\"",
		     (const char *const[]) { "say", "\"hi\"", NULL });
	check_words ("\"a \\\" b\"", (const char *const[]) { "a \" b", NULL });
	check_words ("\\\\", (const char *const[]) { "\\", NULL });
	check_words ("\\é", (const char *const[]) { "é", NULL });
	check_words ("\"x\\\\\"", (const char *const[]) { "x\\", NULL });
	check_words ("\\\"", (const char *const[]) { "\"", NULL });
}

static void
test_words_errors (void)
{
	static const char *const bad[] = {
		"\"unclosed", "a \"b c", "\"a\" \"", "abc\\", "\"abc\\\"",
		"a \xff", "\xc3",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		char **words = crm_parse_words (bad[i], &error);

		g_test_message ("words: %s", bad[i]);
		g_assert_null (words);
		g_assert_error (error, CRM_PARSE_ERROR,
				CRM_PARSE_ERROR_SYNTAX);
	}
}

static void
test_preconditions (void)
{
	if (g_test_subprocess ()) {
		gint64 due = 0;
		char *rest = NULL;

		g_assert_false (crm_parse_due ("in 2h x", NULL, &due, &rest,
					       NULL));
		return;
	}
	g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed ();
	g_test_trap_assert_stderr ("*CRITICAL*now != NULL*");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/parse/due/message", test_due_message);
	g_test_add_func ("/parse/due/relative-hours", test_due_relative_hours);
	g_test_add_func ("/parse/due/relative-minutes",
			 test_due_relative_minutes);
	g_test_add_func ("/parse/due/relative-days", test_due_relative_days);
	g_test_add_func ("/parse/due/relative-across-dst",
			 test_due_relative_across_dst);
	g_test_add_func ("/parse/due/absolute", test_due_absolute);
	g_test_add_func ("/parse/due/clock", test_due_clock);
	g_test_add_func ("/parse/due/tomorrow-today", test_due_tomorrow_today);
	g_test_add_func ("/parse/due/weekday", test_due_weekday);
	g_test_add_func ("/parse/due/dst-gap-berlin", test_due_dst_gap_berlin);
	g_test_add_func ("/parse/due/dst-overlap-berlin",
			 test_due_dst_overlap_berlin);
	g_test_add_func ("/parse/due/dst-new-york", test_due_dst_new_york);
	g_test_add_func ("/parse/due/utc-and-fixed-offset",
			 test_due_utc_and_fixed_offset);
	g_test_add_func ("/parse/due/empty", test_due_empty);
	g_test_add_func ("/parse/due/unreadable", test_due_unreadable);
	g_test_add_func ("/parse/due/bad-numbers", test_due_bad_numbers);
	g_test_add_func ("/parse/due/overflow", test_due_overflow);
	g_test_add_func ("/parse/due/bad-clock-and-date",
			 test_due_bad_clock_and_date);
	g_test_add_func ("/parse/due/past", test_due_past);
	g_test_add_func ("/parse/due/past-message", test_due_past_message);
	g_test_add_func ("/parse/due/invalid-utf8", test_due_invalid_utf8);
	g_test_add_func ("/parse/due/rest", test_due_rest);
	g_test_add_func ("/parse/split-first/words", test_split_first);
	g_test_add_func ("/parse/split-first/invalid-utf8",
			 test_split_first_invalid);
	g_test_add_func ("/parse/words/quotes", test_words);
	g_test_add_func ("/parse/words/escapes", test_words_escapes);
	g_test_add_func ("/parse/words/errors", test_words_errors);
	g_test_add_func ("/parse/preconditions", test_preconditions);

	return g_test_run ();
}
