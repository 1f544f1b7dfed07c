/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * note.c: notes that agents write on customers.
 *
 * A note is written once (customer, author, department, body, time) as one
 * change per field; its edit history, when editing comes, is the change
 * log.  Listing a customer includes the notes of records merged into it.
 */
#include "store-private.h"

/*
 * crm_note_free:
 * Frees a note and its strings.
 */
void
crm_note_free (CrmNote *note)
{
	if (note == NULL)
		return;
	g_free (note->id);
	g_free (note->customer_id);
	g_free (note->author);
	g_free (note->department);
	g_free (note->body);
	g_free (note);
}

/*
 * crm_note__from_row:
 * A note from a row selected with CRM_NOTE_COLUMNS.
 */
CrmNote *
crm_note__from_row (sqlite3_stmt *stmt)
{
	CrmNote *n = g_new0 (CrmNote, 1);

	n->id = crm_store__column_dup (stmt, 0);
	n->customer_id = crm_store__column_dup (stmt, 1);
	n->author = crm_store__column_dup (stmt, 2);
	n->department = crm_store__column_dup (stmt, 3);
	n->body = crm_store__column_dup (stmt, 4);
	n->created_us = sqlite3_column_int64 (stmt, 5);
	return n;
}

static gboolean
note_write (CrmStore *store, const char *id, const char *customer_id,
	    const char *author, const char *department, const char *body,
	    GError **error)
{
	const CrmEntity e = CRM_ENTITY_NOTE;

	return crm_change__set_text (store, e, id, "customer_id", customer_id,
				     error) &&
	       crm_change__set_text (store, e, id, "author", author, error) &&
	       crm_change__set_text (store, e, id, "department", department,
				     error) &&
	       crm_change__set_text (store, e, id, "body", body, error) &&
	       crm_change__set_int (store, e, id, "created",
				    crm_store_now (store), error);
}

/*
 * crm_note_add:
 * Validates and writes a new note in one transaction.
 */
char *
crm_note_add (CrmStore *store,
	      const char *customer_id,
	      const char *author,
	      const char *department,
	      const char *body,
	      GError **error)
{
	const gsize max = CRM_STORE_MAX_FIELD_BYTES;
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (customer_id != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!crm_store__check_text (author, _("author"), max, TRUE, error) ||
	    !crm_store__check_text (department, _("department"), max, FALSE,
				    error) ||
	    !crm_store__check_text (body, _("note"), CRM_NOTE_MAX_BYTES, TRUE,
				    error) ||
	    !crm_customer__require (store, customer_id, error) ||
	    !crm_store__begin (store, error))
		return NULL;
	id = g_uuid_string_random ();
	if (!note_write (store, id, customer_id, author, department, body,
			 error)) {
		crm_store__rollback (store);
		return NULL;
	}
	if (!crm_store__commit (store, error))
		return NULL;
	return g_steal_pointer (&id);
}

/*
 * crm_note_list:
 * Notes of the customer and of the records merged into it, newest first.
 */
GPtrArray *
crm_note_list (CrmStore *store,
	       const char *customer_id,
	       guint limit,
	       GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (customer_id != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	id = crm_customer__resolve (store, customer_id, error);
	if (id == NULL)
		return NULL;
	stmt = crm_store__stmt (store, CRM_MERGE_TREE_CTE
				"SELECT " CRM_NOTE_COLUMNS " FROM note "
				"WHERE customer_id IN tree AND deleted = 0 "
				"ORDER BY created DESC, id DESC LIMIT ?2",
				error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, id);
	sqlite3_bind_int64 (stmt, 2, limit ? (gint64) limit : -1);
	return crm_store__collect (store, stmt,
				   (CrmRowReader) crm_note__from_row,
				   (GDestroyNotify) crm_note_free, error);
}
