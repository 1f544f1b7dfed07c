/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * erase.c: erasing a customer for good, and the tombstones that keep it
 * erased.
 *
 * The rule and its reasons are rule 7 of the merge rules at the top of
 * change.c.  This file carries it out: crm_customer_erase() logs one
 * `erased` change per record of the merge tree and erases each;
 * crm_erase__entity() is the one place that removes an entity's content
 * from the state and the change log and records its tombstone, used alike
 * for a local erase, an `erased` change from a peer and a late change that
 * hits a tombstone.
 *
 * FIXME(#6): an identity's id is derived from (protocol, handle), so its
 * tombstone keeps a hash of the handle (anyone holding a candidate handle
 * can tell it was erased), and the same handle can never be linked again
 * on any replica (the link is refused with CONFLICT).  A per-link salt in
 * the id, or tombstones that expire once every replica has acknowledged
 * the erase, would fix both; both need a change of the identity scheme.
 */
#include "store-private.h"

G_STATIC_ASSERT (CRM_ENTITY_CUSTOMER == 1 && CRM_ENTITY_IDENTITY == 2 &&
		 CRM_ENTITY_NOTE == 3 && CRM_ENTITY_INTERACTION == 4 &&
		 CRM_ENTITY_FOLLOWUP == 5 && CRM_ENTITY_HANDOVER == 6);

/* Every entity that belongs, or ever belonged, to customer ?1: in the
 * state now, or named by any customer_id change of the log. */
#define ERASE_DEPENDENTS_SQL \
	"SELECT 2, id FROM identity WHERE customer_id = ?1" \
	" UNION SELECT 3, id FROM note WHERE customer_id = ?1" \
	" UNION SELECT 4, id FROM interaction WHERE customer_id = ?1" \
	" UNION SELECT 5, id FROM followup WHERE customer_id = ?1" \
	" UNION SELECT 6, id FROM handover WHERE customer_id = ?1" \
	" UNION SELECT entity, entity_id FROM change" \
	" WHERE field = 'customer_id' AND value = ?1 AND entity IS NOT NULL"

/* A customer's row stays, bare, for the foreign keys that may name it. */
#define ERASE_CUSTOMER_SQL \
	"UPDATE customer SET name = NULL, company = NULL, email = NULL," \
	" email_norm = NULL, phone = NULL, phone_e164 = NULL, tags = NULL," \
	" department = NULL, consent = NULL, custom = NULL," \
	" merged_into = NULL, created = NULL, updated = NULL, deleted = 1" \
	" WHERE id = ?1"

typedef struct {
	CrmEntity entity;
	char *id;
} EraseRef;

static void
erase_ref_free (gpointer data)
{
	EraseRef *ref = data;

	g_free (ref->id);
	g_free (ref);
}

static gpointer
erase_ref_from_row (sqlite3_stmt *stmt)
{
	EraseRef *ref = g_new0 (EraseRef, 1);

	ref->entity = (CrmEntity) sqlite3_column_int (stmt, 0);
	ref->id = crm_store__column_dup (stmt, 1);
	return ref;
}

static gboolean
erase_run (CrmStore *store, const char *sql, const char *id, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = crm_store__stmt (store, sql, error);

	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	return crm_store__step_done (store, stmt, error);
}

/* Whether any tombstone exists, read once per write transaction: most
 * replicas never erase, and then no change needs a look-up. */
static gboolean
erase_any (CrmStore *store, gboolean *out_any, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	int rc;

	if (store->tombstones == CRM_STORE_TOMBSTONES_UNKNOWN) {
		stmt = crm_store__stmt (store, "SELECT EXISTS (SELECT 1 "
					"FROM tombstone)", error);
		if (stmt == NULL)
			return FALSE;
		rc = sqlite3_step (stmt);
		if (rc != SQLITE_ROW) {
			crm_store__set_error_from_sqlite (error, store->db,
							  rc,
							  "read tombstone");
			return FALSE;
		}
		store->tombstones = sqlite3_column_int (stmt, 0) ?
				    CRM_STORE_TOMBSTONES_SOME :
				    CRM_STORE_TOMBSTONES_NONE;
	}
	*out_any = store->tombstones == CRM_STORE_TOMBSTONES_SOME;
	return TRUE;
}

/*
 * crm_erase__is_tombstoned:
 * Whether @id was erased on this replica.
 */
gboolean
crm_erase__is_tombstoned (CrmStore *store,
			  const char *id,
			  gboolean *out_tombstoned,
			  GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	gboolean any = TRUE;
	int rc;

	*out_tombstoned = FALSE;
	if (store->txn_depth > 0 && !erase_any (store, &any, error))
		return FALSE;
	if (!any)
		return TRUE;
	stmt = crm_store__stmt (store, "SELECT 1 FROM tombstone "
				"WHERE id = ?1", error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read tombstone");
		return FALSE;
	}
	*out_tombstoned = rc == SQLITE_ROW;
	return TRUE;
}

static gboolean
erase_drop_state (CrmStore *store, CrmEntity entity, const char *id,
		  GError **error)
{
	g_autofree char *sql = NULL;

	if (entity == CRM_ENTITY_CUSTOMER)
		return erase_run (store, ERASE_CUSTOMER_SQL, id, error);
	if (entity == CRM_ENTITY_FOLLOWUP &&
	    !erase_run (store, "DELETE FROM notified WHERE followup_id = ?1",
			id, error))
		return FALSE;
	sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?1",
			       crm_change__table_name (entity));
	return erase_run (store, sql, id, error);
}

static gboolean
erase_tombstone (CrmStore *store, CrmEntity entity, const char *id,
		 GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;

	stmt = crm_store__stmt (store, "INSERT INTO tombstone (id, entity) "
				"VALUES (?1, ?2)", error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	sqlite3_bind_int (stmt, 2, entity);
	if (!crm_store__step_done (store, stmt, error))
		return FALSE;
	store->tombstones = CRM_STORE_TOMBSTONES_SOME;
	return TRUE;
}

static GPtrArray *
erase_dependents (CrmStore *store, const char *customer_id, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;

	stmt = crm_store__stmt (store, ERASE_DEPENDENTS_SQL, error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, customer_id);
	return crm_store__collect (store, stmt, erase_ref_from_row,
				   erase_ref_free, error);
}

/*
 * crm_erase__entity:
 * Erases one entity on this replica (rule 7), inside the caller's
 * transaction: records its tombstone, blanks the field and value of its
 * change log rows (keeping origin, seq, ts, entity and id; `erased`
 * changes keep their content), drops its clocks and its state; for a
 * customer, also every entity that ever belonged to it.  Erasing an id
 * that is already tombstoned does nothing.
 */
gboolean
crm_erase__entity (CrmStore *store,
		   CrmEntity entity,
		   const char *id,
		   GError **error)
{
	g_autoptr(GPtrArray) deps = NULL;
	gboolean done = FALSE;
	guint i;

	g_assert (crm_change__table_name (entity) != NULL);
	if (!crm_erase__is_tombstoned (store, id, &done, error))
		return FALSE;
	if (done)
		return TRUE;
	if (entity == CRM_ENTITY_CUSTOMER) {
		deps = erase_dependents (store, id, error);
		if (deps == NULL)
			return FALSE;
	}
	if (!erase_tombstone (store, entity, id, error) ||
	    !erase_run (store, "UPDATE change SET field = NULL, value = NULL "
			"WHERE entity_id = ?1 AND field IS NOT NULL "
			"AND field <> 'erased'", id, error) ||
	    !erase_run (store, "DELETE FROM field_clock WHERE entity_id = ?1",
			id, error) ||
	    !erase_drop_state (store, entity, id, error))
		return FALSE;
	for (i = 0; deps && i < deps->len; i++) {
		EraseRef *ref = deps->pdata[i];

		if (crm_change__table_name (ref->entity) == NULL ||
		    ref->entity == CRM_ENTITY_CUSTOMER)
			continue;
		if (!crm_erase__entity (store, ref->entity, ref->id, error))
			return FALSE;
	}
	return TRUE;
}

static gpointer
erase_id_from_row (sqlite3_stmt *stmt)
{
	return crm_store__column_dup (stmt, 0);
}

/* The customer and the records merged into it, as this replica sees them;
 * %NULL with NOT_FOUND when @id is no customer. */
static GPtrArray *
erase_tree (CrmStore *store, const char *id, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	g_autoptr(GPtrArray) ids = NULL;

	stmt = crm_store__stmt (store, CRM_MERGE_TREE_CTE
				"SELECT t.id FROM tree t WHERE EXISTS "
				"(SELECT 1 FROM customer c WHERE c.id = ?1 "
				"AND c.name IS NOT NULL) ORDER BY t.id",
				error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, id);
	ids = crm_store__collect (store, stmt, erase_id_from_row, g_free,
				  error);
	if (ids != NULL && ids->len == 0) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
			     _("No such customer"));
		return NULL;
	}
	return g_steal_pointer (&ids);
}

static gboolean
erase_customer_tree (CrmStore *store, const char *id, GError **error)
{
	g_autoptr(GPtrArray) tree = NULL;
	gboolean done = FALSE;
	guint i;

	if (!crm_erase__is_tombstoned (store, id, &done, error))
		return FALSE;
	if (done)
		return TRUE;
	tree = erase_tree (store, id, error);
	if (tree == NULL)
		return FALSE;
	for (i = 0; i < tree->len; i++) {
		const char *cid = tree->pdata[i];

		if (!crm_erase__is_tombstoned (store, cid, &done, error))
			return FALSE;
		if (done)
			continue;
		if (!crm_change__append_local (store, CRM_ENTITY_CUSTOMER, cid,
					       "erased",
					       g_variant_new_int64 (1),
					       error) ||
		    !crm_erase__entity (store, CRM_ENTITY_CUSTOMER, cid,
					error))
			return FALSE;
	}
	return TRUE;
}

/*
 * crm_customer_erase:
 * See crm-sync.h.  One transaction: the `erased` changes are logged and
 * carried out together.  Erasing an id erased before succeeds and does
 * nothing; an unknown id is NOT_FOUND.
 */
gboolean
crm_customer_erase (CrmStore *store, const char *id, GError **error)
{
	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (id != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!crm_uuid_is_valid (id)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
			     _("No such customer"));
		return FALSE;
	}
	if (!crm_store__begin (store, error))
		return FALSE;
	if (!erase_customer_tree (store, id, error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	return crm_store__commit (store, error);
}
