/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-card-format.h: customer cards and command answers as conversation
 * markup.
 *
 * Pure functions from store records to the HTML-like markup a libpurple
 * conversation takes: every value escaped, lines separated by <br>, short
 * enough to read in an 80-column Finch window.  Times are shown in the time
 * zone and relative to the "now" the caller passes, so that tests can pin
 * both.  Nothing here touches libpurple, the store's database or the clock.
 */
#ifndef CRM_CARD_FORMAT_H
#define CRM_CARD_FORMAT_H

#include <glib.h>
#include "crm.h"

G_BEGIN_DECLS

/* Longest stretch of a note's text a card shows, in characters. */
#define CRM_CARD_FORMAT_NOTE_CHARS 100

char *crm_card_format (const CrmCard *card, GTimeZone *tz, gint64 now_us);

char *crm_card_format_time (gint64 when_us, GTimeZone *tz, gint64 now_us);
char *crm_card_format_duration (gint64 duration_us);
char *crm_card_format_customer_title (const CrmCustomer *customer);

char *crm_card_format_unknown_hint (void);
char *crm_card_format_unavailable (const char *reason);

char *crm_card_format_notes (const CrmCustomer *customer,
			     GPtrArray *notes,
			     GTimeZone *tz,
			     gint64 now_us);
char *crm_card_format_history (const CrmCustomer *customer,
			       GPtrArray *interactions,
			       GTimeZone *tz,
			       gint64 now_us);
void crm_card_format_sort_followups (GPtrArray *followups, gint64 now_us);
char *crm_card_format_followups (const CrmCustomer *customer,
				 GPtrArray *followups,
				 GTimeZone *tz,
				 gint64 now_us);
char *crm_card_format_customers (GPtrArray *customers);

G_END_DECLS

#endif /* CRM_CARD_FORMAT_H */
