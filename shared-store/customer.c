/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * customer.c: customer records: create, read (following merges), update,
 * delete, merge.
 *
 * Every write goes field by field through crm_change__set_field(), inside
 * one transaction per call.  A customer row with no name is a placeholder
 * made by a replicated reference that arrived before the customer itself;
 * reads treat it as absent.  Search lives in search.c.
 */
#include "store-private.h"

#include <string.h>

/* The longest chain of merges followed before giving up. */
#define CUSTOMER_MAX_MERGE_HOPS 64

/*
 * crm_customer_new:
 * An empty record to fill in and pass to crm_customer_create().
 */
CrmCustomer *
crm_customer_new (void)
{
	return g_new0 (CrmCustomer, 1);
}

/*
 * crm_customer_free:
 * Frees a record and every string in it.
 */
void
crm_customer_free (CrmCustomer *customer)
{
	if (customer == NULL)
		return;
	g_free (customer->id);
	g_free (customer->name);
	g_free (customer->company);
	g_free (customer->email);
	g_free (customer->phone);
	g_free (customer->phone_e164);
	g_strfreev (customer->tags);
	g_free (customer->department);
	g_free (customer->consent);
	g_free (customer->custom);
	g_free (customer->merged_into);
	g_free (customer);
}

/*
 * crm_customer_copy:
 * A deep copy, for callers that keep a record beyond a list's life.
 */
CrmCustomer *
crm_customer_copy (const CrmCustomer *customer)
{
	CrmCustomer *copy;

	g_return_val_if_fail (customer != NULL, NULL);

	copy = g_new0 (CrmCustomer, 1);
	copy->id = g_strdup (customer->id);
	copy->name = g_strdup (customer->name);
	copy->company = g_strdup (customer->company);
	copy->email = g_strdup (customer->email);
	copy->phone = g_strdup (customer->phone);
	copy->phone_e164 = g_strdup (customer->phone_e164);
	copy->tags = g_strdupv (customer->tags);
	copy->department = g_strdup (customer->department);
	copy->consent = g_strdup (customer->consent);
	copy->custom = g_strdup (customer->custom);
	copy->merged_into = g_strdup (customer->merged_into);
	copy->created_us = customer->created_us;
	copy->updated_us = customer->updated_us;
	return copy;
}

/*
 * crm_customer__tags_from_text:
 * Splits the stored form of the tags (one per line) into a list.
 */
char **
crm_customer__tags_from_text (const char *text)
{
	if (text == NULL || *text == '\0')
		return NULL;
	return g_strsplit (text, "\n", -1);
}

static int
customer_cmp_str (gconstpointer a, gconstpointer b)
{
	return strcmp (*(char * const *) a, *(char * const *) b);
}

/*
 * crm_customer__tags_to_text:
 * The stored form of a tag list: trimmed, sorted, without duplicates or
 * empty tags, one per line; %NULL when no tag is left.  The caller has
 * checked that no tag holds a line break.
 */
char *
crm_customer__tags_to_text (char * const *tags)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GString) out = g_string_new (NULL);
	guint i;

	for (i = 0; tags && tags[i]; i++) {
		char *tag = g_strstrip (g_strdup (tags[i]));

		if (*tag)
			g_ptr_array_add (list, tag);
		else
			g_free (tag);
	}
	g_ptr_array_sort (list, customer_cmp_str);
	for (i = 0; i < list->len; i++) {
		const char *tag = list->pdata[i];

		if (i > 0 && strcmp (tag, list->pdata[i - 1]) == 0)
			continue;
		if (out->len)
			g_string_append_c (out, '\n');
		g_string_append (out, tag);
	}
	return out->len ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

/*
 * crm_customer__validate:
 * Checks a record given by a caller; INVALID names the first bad field.
 */
gboolean
crm_customer__validate (const CrmCustomer *f, GError **error)
{
	const gsize max = CRM_STORE_MAX_FIELD_BYTES;
	guint i;

	if (!crm_store__check_text (f->name, _("name"), max, TRUE, error) ||
	    !crm_store__check_text (f->company, _("company"), max, FALSE,
				    error) ||
	    !crm_store__check_text (f->email, _("e-mail address"), max,
				    FALSE, error) ||
	    !crm_store__check_text (f->phone, _("phone number"), max, FALSE,
				    error) ||
	    !crm_store__check_text (f->phone_e164, _("E.164 phone number"),
				    max, FALSE, error) ||
	    !crm_store__check_text (f->department, _("department"), max,
				    FALSE, error) ||
	    !crm_store__check_text (f->consent, _("consent"), max, FALSE,
				    error) ||
	    !crm_store__check_text (f->custom, _("custom fields"),
				    CRM_STORE_MAX_TEXT_BYTES, FALSE, error))
		return FALSE;
	for (i = 0; f->tags && f->tags[i]; i++) {
		if (!crm_store__check_text (f->tags[i], _("tag"), max, FALSE,
					    error))
			return FALSE;
		if (strchr (f->tags[i], '\n') || strchr (f->tags[i], '\r')) {
			g_set_error (error, CRM_STORE_ERROR,
				     CRM_STORE_ERROR_INVALID,
				     _("A tag cannot contain a line break"));
			return FALSE;
		}
	}
	return TRUE;
}

/* Trimmed copy; %NULL for a missing or blank value. */
static char *
customer_clean (const char *value)
{
	char *copy;

	if (value == NULL)
		return NULL;
	copy = g_strstrip (g_strdup (value));
	if (*copy == '\0')
		g_clear_pointer (&copy, g_free);
	return copy;
}

/*
 * crm_customer__from_row:
 * A record from a row selected with CRM_CUSTOMER_COLUMNS.
 */
CrmCustomer *
crm_customer__from_row (sqlite3_stmt *stmt)
{
	CrmCustomer *c = g_new0 (CrmCustomer, 1);
	const char *tags = (const char *) sqlite3_column_text (stmt, 6);

	c->id = crm_store__column_dup (stmt, 0);
	c->name = crm_store__column_dup (stmt, 1);
	c->company = crm_store__column_dup (stmt, 2);
	c->email = crm_store__column_dup (stmt, 3);
	c->phone = crm_store__column_dup (stmt, 4);
	c->phone_e164 = crm_store__column_dup (stmt, 5);
	c->tags = crm_customer__tags_from_text (tags);
	c->department = crm_store__column_dup (stmt, 7);
	c->consent = crm_store__column_dup (stmt, 8);
	c->custom = crm_store__column_dup (stmt, 9);
	c->merged_into = crm_store__column_dup (stmt, 10);
	c->created_us = sqlite3_column_int64 (stmt, 11);
	c->updated_us = sqlite3_column_int64 (stmt, 12);
	return c;
}

/* Reads one row by id, without following merges; NULL row is no error. */
static gboolean
customer_read_raw (CrmStore *store, const char *id, CrmCustomer **out,
		   gboolean *out_deleted, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	int rc;

	*out = NULL;
	stmt = crm_store__stmt (store, "SELECT " CRM_CUSTOMER_COLUMNS
				", deleted FROM customer WHERE id = ?1 "
				"AND name IS NOT NULL", error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW) {
		*out = crm_customer__from_row (stmt);
		*out_deleted = sqlite3_column_int (stmt, 13) != 0;
	} else if (rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read customer");
		return FALSE;
	}
	return TRUE;
}

static void
customer_set_not_found (GError **error)
{
	g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
		     _("No such customer"));
}

/*
 * crm_customer__require:
 * Succeeds when @id names a live customer (not deleted, not a
 * placeholder); merges are not followed.
 */
gboolean
crm_customer__require (CrmStore *store, const char *id, GError **error)
{
	g_autoptr(CrmCustomer) c = NULL;
	gboolean deleted = FALSE;

	if (!crm_uuid_is_valid (id)) {
		customer_set_not_found (error);
		return FALSE;
	}
	if (!customer_read_raw (store, id, &c, &deleted, error))
		return FALSE;
	if (c == NULL || deleted) {
		customer_set_not_found (error);
		return FALSE;
	}
	return TRUE;
}

/* In a merge cycle (concurrent merges on two replicas), every replica
 * picks the same survivor: the smallest id of the cycle. */
static char *
customer_cycle_survivor (GPtrArray *path, const char *again)
{
	const char *best = again;
	guint i;

	for (i = 0; i < path->len; i++) {
		if (strcmp (path->pdata[i], again) == 0)
			break;
	}
	for (; i < path->len; i++) {
		if (strcmp (path->pdata[i], best) < 0)
			best = path->pdata[i];
	}
	return g_strdup (best);
}

/* One hop of the merge chain: either the next id, or the survivor. */
static gboolean
customer_next_hop (CrmStore *store, const char *cur, GPtrArray *path,
		   char **out_next, char **out_final, GError **error)
{
	g_autoptr(CrmCustomer) c = NULL;
	gboolean deleted = FALSE;
	guint i;

	if (!customer_read_raw (store, cur, &c, &deleted, error))
		return FALSE;
	if (c == NULL) {
		/* The first id must exist; a merge target that is only a
		 * placeholder leaves the reader at the last real record. */
		if (path->len == 0) {
			customer_set_not_found (error);
			return FALSE;
		}
		*out_final = g_strdup (path->pdata[path->len - 1]);
		return TRUE;
	}
	g_ptr_array_add (path, g_strdup (cur));
	if (c->merged_into == NULL) {
		*out_final = g_strdup (cur);
		return TRUE;
	}
	for (i = 0; i < path->len; i++) {
		if (strcmp (path->pdata[i], c->merged_into) == 0) {
			*out_final = customer_cycle_survivor (path,
							      c->merged_into);
			return TRUE;
		}
	}
	*out_next = g_strdup (c->merged_into);
	return TRUE;
}

/*
 * crm_customer__resolve:
 * Follows `merged_into` from @id to the surviving record and returns its
 * id; NOT_FOUND when @id is unknown or the survivor is deleted.
 */
char *
crm_customer__resolve (CrmStore *store, const char *id, GError **error)
{
	g_autoptr(GPtrArray) path = g_ptr_array_new_with_free_func (g_free);
	g_autofree char *cur = NULL;
	g_autofree char *final = NULL;
	guint hops;

	if (!crm_uuid_is_valid (id)) {
		customer_set_not_found (error);
		return NULL;
	}
	cur = g_strdup (id);
	for (hops = 0; hops < CUSTOMER_MAX_MERGE_HOPS && !final; hops++) {
		char *next = NULL;

		if (!customer_next_hop (store, cur, path, &next, &final,
					error))
			return NULL;
		if (next) {
			g_free (cur);
			cur = next;
		}
	}
	if (final == NULL)
		final = g_strdup (path->pdata[path->len - 1]);
	if (!crm_customer__require (store, final, error))
		return NULL;
	return g_steal_pointer (&final);
}

static gboolean
customer_field_empty (const CrmCustomer *c, const char *field)
{
	const char *v = NULL;

	if (strcmp (field, "tags") == 0)
		return c->tags == NULL || c->tags[0] == NULL;
	if (strcmp (field, "name") == 0)
		v = c->name;
	else if (strcmp (field, "company") == 0)
		v = c->company;
	else if (strcmp (field, "email") == 0)
		v = c->email;
	else if (strcmp (field, "phone") == 0)
		v = c->phone;
	else if (strcmp (field, "phone_e164") == 0)
		v = c->phone_e164;
	else if (strcmp (field, "department") == 0)
		v = c->department;
	else if (strcmp (field, "consent") == 0)
		v = c->consent;
	else if (strcmp (field, "custom") == 0)
		v = c->custom;
	return v == NULL || *v == '\0';
}

/*
 * crm_customer__write_fields:
 * Writes the public fields of @f to customer @id, one change per field that
 * differs.  With @only_empty, fields already holding a value are kept (an
 * import filling in what an existing record lacks).  Runs inside the
 * caller's transaction or its own.
 */
gboolean
crm_customer__write_fields (CrmStore *store,
			    const char *id,
			    const CrmCustomer *f,
			    gboolean only_empty,
			    GError **error)
{
	const CrmEntity e = CRM_ENTITY_CUSTOMER;
	g_autoptr(CrmCustomer) cur = NULL;
	g_autofree char *tags = crm_customer__tags_to_text (f->tags);
	gboolean deleted = FALSE;
	const struct {
		const char *field;
		const char *value;
	} *w, writes[] = {
		{ "name", f->name }, { "company", f->company },
		{ "email", f->email }, { "phone", f->phone },
		{ "phone_e164", f->phone_e164 }, { "tags", tags },
		{ "department", f->department }, { "consent", f->consent },
		{ "custom", f->custom },
	};
	gsize i;

	if (only_empty && !customer_read_raw (store, id, &cur, &deleted,
					      error))
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS (writes); i++) {
		g_autofree char *clean = NULL;

		w = &writes[i];
		clean = strcmp (w->field, "custom") == 0 ?
			g_strdup (w->value) : customer_clean (w->value);
		if (only_empty && cur && (clean == NULL ||
					  !customer_field_empty (cur,
								 w->field)))
			continue;
		if (!crm_change__set_text (store, e, id, w->field, clean,
					   error))
			return FALSE;
	}
	return TRUE;
}

/* A caller's id is taken only for a new or deleted record. */
static char *
customer_pick_id (CrmStore *store, const char *given, GError **error)
{
	g_autoptr(CrmCustomer) cur = NULL;
	gboolean deleted = FALSE;

	if (!crm_uuid_is_valid (given))
		return g_uuid_string_random ();
	if (!customer_read_raw (store, given, &cur, &deleted, error))
		return NULL;
	if (cur && !deleted) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT,
			     _("A customer with id %s already exists"), given);
		return NULL;
	}
	return g_strdup (given);
}

/*
 * crm_customer_create:
 * Validates, then writes every field, the creation time and `deleted` = 0
 * in one transaction.  `deleted` = 0 is written as a change even on a new
 * row, so that this create wins over a delete of the same id that it
 * follows on any replica (rule 2 at the top of change.c, case F10).
 */
char *
crm_customer_create (CrmStore *store, const CrmCustomer *fields,
		     GError **error)
{
	g_autofree char *id = NULL;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (fields != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!crm_customer__validate (fields, error) ||
	    !crm_store__begin (store, error))
		return NULL;
	id = customer_pick_id (store, fields->id, error);
	if (id == NULL ||
	    !crm_customer__write_fields (store, id, fields, FALSE, error) ||
	    !crm_change__set_int (store, CRM_ENTITY_CUSTOMER, id, "created",
				  crm_store_now (store), error) ||
	    !crm_change__set_text (store, CRM_ENTITY_CUSTOMER, id,
				   "merged_into", NULL, error) ||
	    !crm_change__set_field_full (store, CRM_ENTITY_CUSTOMER, id,
					 "deleted", g_variant_new_int64 (0),
					 TRUE, error)) {
		crm_store__rollback (store);
		return NULL;
	}
	if (!crm_store__commit (store, error))
		return NULL;
	return g_steal_pointer (&id);
}

/*
 * crm_customer_update:
 * Writes the public fields of @customer that changed, in one transaction.
 */
gboolean
crm_customer_update (CrmStore *store, const CrmCustomer *customer,
		     GError **error)
{
	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (customer != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!crm_customer__require (store, customer->id, error) ||
	    !crm_customer__validate (customer, error) ||
	    !crm_store__begin (store, error))
		return FALSE;
	if (!crm_customer__write_fields (store, customer->id, customer, FALSE,
					 error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	return crm_store__commit (store, error);
}

/*
 * crm_customer_get:
 * Reads the surviving record @id leads to.
 */
CrmCustomer *
crm_customer_get (CrmStore *store, const char *id, GError **error)
{
	g_autofree char *final = NULL;
	CrmCustomer *c = NULL;
	gboolean deleted = FALSE;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (id != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	final = crm_customer__resolve (store, id, error);
	if (final == NULL)
		return NULL;
	if (!customer_read_raw (store, final, &c, &deleted, error))
		return NULL;
	g_assert (c != NULL && !deleted);
	return c;
}

/*
 * crm_customer_delete:
 * Sets `deleted`; the record's history stays in the change log.
 */
gboolean
crm_customer_delete (CrmStore *store, const char *id, GError **error)
{
	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (id != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!crm_customer__require (store, id, error))
		return FALSE;
	return crm_change__set_int (store, CRM_ENTITY_CUSTOMER, id, "deleted",
				    1, error);
}

/*
 * crm_customer_merge:
 * Sets or clears `merged_into`; refuses a merge that would make a cycle
 * on this replica (concurrent merges on two replicas are resolved by
 * reads, see crm_customer__resolve()).
 */
gboolean
crm_customer_merge (CrmStore *store, const char *loser_id,
		    const char *survivor_id, GError **error)
{
	g_autofree char *target = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (loser_id != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!crm_customer__require (store, loser_id, error))
		return FALSE;
	if (survivor_id) {
		target = crm_customer__resolve (store, survivor_id, error);
		if (target == NULL)
			return FALSE;
		if (strcmp (target, loser_id) == 0) {
			g_set_error (error, CRM_STORE_ERROR,
				     CRM_STORE_ERROR_INVALID,
				     _("A customer cannot be merged into itself"));
			return FALSE;
		}
	}
	return crm_change__set_text (store, CRM_ENTITY_CUSTOMER, loser_id,
				     "merged_into", survivor_id, error);
}
