/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * identity.c: chat handles linked to customers.
 *
 * An identity's id is a name-based UUID of (protocol, handle), so every
 * replica that links a handle writes the same entity and a handle can only
 * ever point at one customer, without a UNIQUE constraint that a replicated
 * change could break.  Handles arrive already normalised by the plugin.
 */
#include "store-private.h"

#include <string.h>

#define IDENTITY_NAMESPACE "chatcrm/identity"

/*
 * crm_identity_free:
 * Frees an identity and its strings.
 */
void
crm_identity_free (CrmIdentity *identity)
{
	if (identity == NULL)
		return;
	g_free (identity->id);
	g_free (identity->customer_id);
	g_free (identity->protocol);
	g_free (identity->handle);
	g_free (identity->display);
	g_free (identity);
}

/*
 * crm_identity__from_row:
 * An identity from a row selected with CRM_IDENTITY_COLUMNS.
 */
CrmIdentity *
crm_identity__from_row (sqlite3_stmt *stmt)
{
	CrmIdentity *i = g_new0 (CrmIdentity, 1);

	i->id = crm_store__column_dup (stmt, 0);
	i->customer_id = crm_store__column_dup (stmt, 1);
	i->protocol = crm_store__column_dup (stmt, 2);
	i->handle = crm_store__column_dup (stmt, 3);
	i->display = crm_store__column_dup (stmt, 4);
	return i;
}

static gboolean
identity_check (const char *protocol, const char *handle, GError **error)
{
	const gsize max = CRM_STORE_MAX_FIELD_BYTES;

	if (!crm_store__check_text (protocol, _("protocol"), max, TRUE,
				    error) ||
	    !crm_store__check_text (handle, _("chat handle"), max, TRUE,
				    error))
		return FALSE;
	if (strchr (protocol, '\n')) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The protocol cannot contain a line break"));
		return FALSE;
	}
	return TRUE;
}

static char *
identity_id (const char *protocol, const char *handle)
{
	g_autofree char *name = g_strdup_printf ("%s\n%s", protocol, handle);

	return crm_store__uuid_from_name (IDENTITY_NAMESPACE, name);
}

/* The customer a live identity points at, or %NULL. */
static gboolean
identity_read (CrmStore *store, const char *id, char **out_customer,
	       GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	int rc;

	*out_customer = NULL;
	stmt = crm_store__stmt (store, "SELECT customer_id FROM identity "
				"WHERE id = ?1 AND deleted = 0", error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW)
		*out_customer = crm_store__column_dup (stmt, 0);
	else if (rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read identity");
		return FALSE;
	}
	return TRUE;
}

/* CONFLICT when the handle belongs to another live customer. */
static gboolean
identity_check_owner (CrmStore *store, const char *id,
		      const char *customer_id, GError **error)
{
	g_autofree char *owner = NULL;
	g_autofree char *owner_final = NULL;
	g_autofree char *wanted_final = NULL;

	if (!identity_read (store, id, &owner, error))
		return FALSE;
	if (owner == NULL || strcmp (owner, customer_id) == 0)
		return TRUE;
	owner_final = crm_customer__resolve (store, owner, NULL);
	if (owner_final == NULL)
		return TRUE;	/* its customer is gone: the handle is free */
	wanted_final = crm_customer__resolve (store, customer_id, error);
	if (wanted_final == NULL)
		return FALSE;
	if (strcmp (owner_final, wanted_final) == 0)
		return TRUE;
	g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT,
		     _("This chat handle is already linked to another customer"));
	return FALSE;
}

/*
 * crm_identity_link:
 * Links (or re-links, or updates the display form of) a handle.
 */
gboolean
crm_identity_link (CrmStore *store,
		   const char *customer_id,
		   const char *protocol,
		   const char *handle,
		   const char *display,
		   GError **error)
{
	const CrmEntity e = CRM_ENTITY_IDENTITY;
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (customer_id != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!identity_check (protocol, handle, error) ||
	    !crm_store__check_text (display, _("display name"),
				    CRM_STORE_MAX_FIELD_BYTES, FALSE, error) ||
	    !crm_customer__require (store, customer_id, error))
		return FALSE;
	id = identity_id (protocol, handle);
	if (!crm_store__begin (store, error))
		return FALSE;
	if (!identity_check_owner (store, id, customer_id, error) ||
	    !crm_change__set_text (store, e, id, "customer_id", customer_id,
				   error) ||
	    !crm_change__set_text (store, e, id, "protocol", protocol, error) ||
	    !crm_change__set_text (store, e, id, "handle", handle, error) ||
	    !crm_change__set_text (store, e, id, "display",
				   display && *display ? display : handle,
				   error) ||
	    !crm_change__set_int (store, e, id, "deleted", 0, error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	return crm_store__commit (store, error);
}

/*
 * crm_identity_unlink:
 * Marks the identity deleted, so that the handle is free again.
 */
gboolean
crm_identity_unlink (CrmStore *store,
		     const char *protocol,
		     const char *handle,
		     GError **error)
{
	g_autofree char *id = NULL;
	g_autofree char *owner = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!identity_check (protocol, handle, error))
		return FALSE;
	id = identity_id (protocol, handle);
	if (!identity_read (store, id, &owner, error))
		return FALSE;
	if (owner == NULL) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
			     _("This chat handle is not linked to a customer"));
		return FALSE;
	}
	return crm_change__set_int (store, CRM_ENTITY_IDENTITY, id, "deleted",
				    1, error);
}

/*
 * crm_identity_lookup:
 * The hot path when a conversation opens: one primary-key read, then the
 * merge chain.  A handle whose customer was deleted counts as unlinked.
 */
gboolean
crm_identity_lookup (CrmStore *store,
		     const char *protocol,
		     const char *handle,
		     char **out_customer_id,
		     GError **error)
{
	g_autofree char *id = NULL;
	g_autofree char *owner = NULL;
	g_autoptr(GError) local = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (out_customer_id != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	*out_customer_id = NULL;
	if (!identity_check (protocol, handle, error))
		return FALSE;
	id = identity_id (protocol, handle);
	if (!identity_read (store, id, &owner, error))
		return FALSE;
	if (owner == NULL)
		return TRUE;
	*out_customer_id = crm_customer__resolve (store, owner, &local);
	if (*out_customer_id == NULL &&
	    !g_error_matches (local, CRM_STORE_ERROR,
			      CRM_STORE_ERROR_NOT_FOUND)) {
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	return TRUE;
}

/*
 * crm_identity_list:
 * The handles of a customer and of the records merged into it.
 */
GPtrArray *
crm_identity_list (CrmStore *store, const char *customer_id, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (customer_id != NULL, NULL);

	id = crm_customer__resolve (store, customer_id, error);
	if (id == NULL)
		return NULL;
	stmt = crm_store__stmt (store, CRM_MERGE_TREE_CTE
				"SELECT " CRM_IDENTITY_COLUMNS
				" FROM identity WHERE deleted = 0 AND "
				"customer_id IN tree "
				"ORDER BY protocol, handle", error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, id);
	return crm_store__collect (store, stmt,
				   (CrmRowReader) crm_identity__from_row,
				   (GDestroyNotify) crm_identity_free, error);
}
