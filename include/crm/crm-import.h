/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-import.h: bringing customers in from files other programs wrote.
 *
 * This first version reads CSV (RFC 4180) with a header row.  Each import
 * reports what it took, merged, found unchanged and skipped, and why it
 * skipped each row; one bad row never stops the rest, and running the same
 * import twice creates no duplicates (rows match existing customers by
 * e-mail, ignoring case, or by exact name and company).
 */
#ifndef CRM_IMPORT_H
#define CRM_IMPORT_H

#include <glib.h>
#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmImportReport:
 * @taken: records that made a new customer.
 * @merged: records that matched an existing customer and changed it
 *   (filled in empty fields or added a note).
 * @skipped: records left out.
 * @reasons: (element-type utf8): one line per skipped record, saying which
 *   record and why.
 * @unchanged: records that matched an existing customer and changed
 *   nothing, as when the same file is imported again.
 *
 * Since: 0.1
 */
typedef struct {
	guint taken;
	guint merged;
	guint skipped;
	GPtrArray *reasons;
	guint unchanged;
} CrmImportReport;

void crm_import_report_free (CrmImportReport *report);

/**
 * crm_import_csv:
 * @store: the store.
 * @path: a CSV file in UTF-8 (a byte-order mark is skipped).
 * @department: (nullable): owning department for the new customers.
 * @error: return location for a #GError.
 *
 * Imports customers.  The header's column names are mapped to fields
 * (name, contact, company, e-mail, phone, ...; the Northwind layout
 * included).  A file that cannot be read, or is not UTF-8, fails whole
 * with %CRM_STORE_ERROR_INVALID and changes nothing.
 *
 * Returns: (transfer full): the report, or %NULL with @error set.
 */
CrmImportReport *crm_import_csv (CrmStore *store,
				 const char *path,
				 const char *department,
				 GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmImportReport, crm_import_report_free)

G_END_DECLS

#endif /* CRM_IMPORT_H */
