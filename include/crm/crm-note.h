/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-note.h: notes that agents of any department write on a customer.
 */
#ifndef CRM_NOTE_H
#define CRM_NOTE_H

#include <glib.h>
#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmNote:
 * @id: UUID.
 * @customer_id: the customer.
 * @author: the agent's name.
 * @department: (nullable): the author's department.
 * @body: the text; never empty.
 * @created_us: when it was written, UTC microseconds.
 *
 * Since: 0.1
 */
typedef struct {
	char *id;
	char *customer_id;
	char *author;
	char *department;
	char *body;
	gint64 created_us;
} CrmNote;

void crm_note_free (CrmNote *note);

/**
 * crm_note_add:
 * @store: the store.
 * @customer_id: an existing customer.
 * @author: the agent's name; not empty.
 * @department: (nullable): the agent's department.
 * @body: the note; not empty after trimming, valid UTF-8, at most
 *   %CRM_NOTE_MAX_BYTES bytes.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full): the new note's id, or %NULL with @error set.
 */
#define CRM_NOTE_MAX_BYTES 65536
char *crm_note_add (CrmStore *store,
		    const char *customer_id,
		    const char *author,
		    const char *department,
		    const char *body,
		    GError **error);

/**
 * crm_note_list:
 * @store: the store.
 * @customer_id: the customer (merged customers' notes are included).
 * @limit: the most notes to return; 0 for all.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full) (element-type CrmNote): the notes, newest
 *   first, or %NULL with @error set.
 */
GPtrArray *crm_note_list (CrmStore *store,
			  const char *customer_id,
			  guint limit,
			  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmNote, crm_note_free)

G_END_DECLS

#endif /* CRM_NOTE_H */
