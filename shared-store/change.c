/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * change.c: change capture, the hybrid logical clock and the merge rule.
 *
 * Every write of an entity field, local or remote, ends in change_apply():
 * it updates the state column and the field's clock.  A local write first
 * gets a timestamp and a sequence number and appends its change to the log;
 * a remote change is appended under its own origin and sequence, and
 * reaches the state only if it is greater, by (timestamp, origin replica
 * id), than the change the state holds.  The design is explained at the
 * top of schema.c.
 *
 * The fields each entity has are listed once, in field_table below; the
 * SQL that touches a column is built only from that table.
 */
#include "store-private.h"

#include <string.h>

typedef enum {
	FIELD_TEXT,
	FIELD_INT,
} FieldType;

typedef enum {
	FIELD_CUSTOMER_REF = 1 << 0,	/* value is a customer id */
	FIELD_CASEFOLD = 1 << 1,	/* also sets <column>_norm */
} FieldFlags;

typedef struct {
	CrmEntity entity;
	const char *field;	/* name in the change log and on the wire */
	const char *column;	/* column of the entity's table */
	FieldType type;
	guint flags;
} FieldDesc;

static const FieldDesc field_table[] = {
	{ CRM_ENTITY_CUSTOMER, "name", "name", FIELD_TEXT, 0 },
	{ CRM_ENTITY_CUSTOMER, "company", "company", FIELD_TEXT, 0 },
	{ CRM_ENTITY_CUSTOMER, "email", "email", FIELD_TEXT, FIELD_CASEFOLD },
	{ CRM_ENTITY_CUSTOMER, "phone", "phone", FIELD_TEXT, 0 },
	{ CRM_ENTITY_CUSTOMER, "phone_e164", "phone_e164", FIELD_TEXT, 0 },
	{ CRM_ENTITY_CUSTOMER, "tags", "tags", FIELD_TEXT, 0 },
	{ CRM_ENTITY_CUSTOMER, "department", "department", FIELD_TEXT, 0 },
	{ CRM_ENTITY_CUSTOMER, "consent", "consent", FIELD_TEXT, 0 },
	{ CRM_ENTITY_CUSTOMER, "custom", "custom", FIELD_TEXT, 0 },
	{ CRM_ENTITY_CUSTOMER, "merged_into", "merged_into", FIELD_TEXT,
	  FIELD_CUSTOMER_REF },
	{ CRM_ENTITY_CUSTOMER, "created", "created", FIELD_INT, 0 },
	{ CRM_ENTITY_CUSTOMER, "deleted", "deleted", FIELD_INT, 0 },

	{ CRM_ENTITY_IDENTITY, "customer_id", "customer_id", FIELD_TEXT,
	  FIELD_CUSTOMER_REF },
	{ CRM_ENTITY_IDENTITY, "protocol", "protocol", FIELD_TEXT, 0 },
	{ CRM_ENTITY_IDENTITY, "handle", "handle", FIELD_TEXT, 0 },
	{ CRM_ENTITY_IDENTITY, "display", "display", FIELD_TEXT, 0 },
	{ CRM_ENTITY_IDENTITY, "deleted", "deleted", FIELD_INT, 0 },

	{ CRM_ENTITY_NOTE, "customer_id", "customer_id", FIELD_TEXT,
	  FIELD_CUSTOMER_REF },
	{ CRM_ENTITY_NOTE, "author", "author", FIELD_TEXT, 0 },
	{ CRM_ENTITY_NOTE, "department", "department", FIELD_TEXT, 0 },
	{ CRM_ENTITY_NOTE, "body", "body", FIELD_TEXT, 0 },
	{ CRM_ENTITY_NOTE, "created", "created", FIELD_INT, 0 },
	{ CRM_ENTITY_NOTE, "deleted", "deleted", FIELD_INT, 0 },

	{ CRM_ENTITY_INTERACTION, "customer_id", "customer_id", FIELD_TEXT,
	  FIELD_CUSTOMER_REF },
	{ CRM_ENTITY_INTERACTION, "agent", "agent", FIELD_TEXT, 0 },
	{ CRM_ENTITY_INTERACTION, "department", "department", FIELD_TEXT, 0 },
	{ CRM_ENTITY_INTERACTION, "account", "account", FIELD_TEXT, 0 },
	{ CRM_ENTITY_INTERACTION, "channel", "channel", FIELD_TEXT, 0 },
	{ CRM_ENTITY_INTERACTION, "started", "started", FIELD_INT, 0 },
	{ CRM_ENTITY_INTERACTION, "ended", "ended", FIELD_INT, 0 },
	{ CRM_ENTITY_INTERACTION, "msgs_in", "msgs_in", FIELD_INT, 0 },
	{ CRM_ENTITY_INTERACTION, "msgs_out", "msgs_out", FIELD_INT, 0 },
	{ CRM_ENTITY_INTERACTION, "first_response", "first_response",
	  FIELD_INT, 0 },
	{ CRM_ENTITY_INTERACTION, "deleted", "deleted", FIELD_INT, 0 },

	{ CRM_ENTITY_FOLLOWUP, "customer_id", "customer_id", FIELD_TEXT,
	  FIELD_CUSTOMER_REF },
	{ CRM_ENTITY_FOLLOWUP, "text", "text", FIELD_TEXT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "due", "due", FIELD_INT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "tz", "tz", FIELD_TEXT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "rrule", "rrule", FIELD_TEXT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "assignee_agent", "assignee_agent", FIELD_TEXT,
	  0 },
	{ CRM_ENTITY_FOLLOWUP, "assignee_department", "assignee_department",
	  FIELD_TEXT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "status", "status", FIELD_INT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "created_by", "created_by", FIELD_TEXT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "created", "created", FIELD_INT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "done_by", "done_by", FIELD_TEXT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "done", "done", FIELD_INT, 0 },
	{ CRM_ENTITY_FOLLOWUP, "deleted", "deleted", FIELD_INT, 0 },

	{ CRM_ENTITY_HANDOVER, "customer_id", "customer_id", FIELD_TEXT,
	  FIELD_CUSTOMER_REF },
	{ CRM_ENTITY_HANDOVER, "from_agent", "from_agent", FIELD_TEXT, 0 },
	{ CRM_ENTITY_HANDOVER, "from_department", "from_department",
	  FIELD_TEXT, 0 },
	{ CRM_ENTITY_HANDOVER, "to_department", "to_department", FIELD_TEXT,
	  0 },
	{ CRM_ENTITY_HANDOVER, "to_agent", "to_agent", FIELD_TEXT, 0 },
	{ CRM_ENTITY_HANDOVER, "note", "note", FIELD_TEXT, 0 },
	{ CRM_ENTITY_HANDOVER, "created", "created", FIELD_INT, 0 },
	{ CRM_ENTITY_HANDOVER, "accepted_by", "accepted_by", FIELD_TEXT, 0 },
	{ CRM_ENTITY_HANDOVER, "accepted", "accepted", FIELD_INT, 0 },
	{ CRM_ENTITY_HANDOVER, "deleted", "deleted", FIELD_INT, 0 },

	{ CRM_ENTITY_AGENT, "replica", "replica", FIELD_TEXT, 0 },
	{ CRM_ENTITY_AGENT, "name", "name", FIELD_TEXT, 0 },
	{ CRM_ENTITY_AGENT, "department", "department", FIELD_TEXT, 0 },
	{ CRM_ENTITY_AGENT, "account", "account", FIELD_TEXT, 0 },
	{ CRM_ENTITY_AGENT, "deleted", "deleted", FIELD_INT, 0 },
};

/*
 * crm_change__table_name:
 * The state table of an entity kind, or %NULL for an unknown kind.
 */
const char *
crm_change__table_name (CrmEntity entity)
{
	switch (entity) {
	case CRM_ENTITY_CUSTOMER:
		return "customer";
	case CRM_ENTITY_IDENTITY:
		return "identity";
	case CRM_ENTITY_NOTE:
		return "note";
	case CRM_ENTITY_INTERACTION:
		return "interaction";
	case CRM_ENTITY_FOLLOWUP:
		return "followup";
	case CRM_ENTITY_HANDOVER:
		return "handover";
	case CRM_ENTITY_AGENT:
		return "agent";
	default:
		return NULL;
	}
}

/*
 * crm_change__hlc_to_us:
 * The physical part of a clock value, as UTC microseconds.
 */
gint64
crm_change__hlc_to_us (gint64 ts)
{
	return (ts >> 16) * 1000;
}

static const FieldDesc *
change_find_field (CrmEntity entity, const char *field)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (field_table); i++) {
		if (field_table[i].entity == entity &&
		    strcmp (field_table[i].field, field) == 0)
			return &field_table[i];
	}
	return NULL;
}

static gboolean
change_value_fits (const FieldDesc *desc, GVariant *value)
{
	const char *text;

	if (value == NULL)
		return TRUE;
	if (desc->type == FIELD_INT)
		return g_variant_is_of_type (value, G_VARIANT_TYPE_INT64);
	if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
		return FALSE;
	text = g_variant_get_string (value, NULL);
	if (strlen (text) > CRM_NOTE_MAX_BYTES)
		return FALSE;
	if (desc->flags & FIELD_CUSTOMER_REF)
		return crm_uuid_is_valid (text);
	return TRUE;
}

static void
change_bind_value (sqlite3_stmt *stmt, int idx, GVariant *value)
{
	if (value == NULL)
		sqlite3_bind_null (stmt, idx);
	else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
		sqlite3_bind_int64 (stmt, idx, g_variant_get_int64 (value));
	else
		crm_store__bind_text (stmt, idx,
				      g_variant_get_string (value, NULL));
}

/* Whether column 0 of @stmt's current row holds @value. */
static gboolean
change_column_equals (sqlite3_stmt *stmt, GVariant *value)
{
	int type = sqlite3_column_type (stmt, 0);

	if (value == NULL)
		return type == SQLITE_NULL;
	if (type == SQLITE_NULL)
		return FALSE;
	if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
		return type == SQLITE_INTEGER &&
		       sqlite3_column_int64 (stmt, 0) ==
		       g_variant_get_int64 (value);
	return type == SQLITE_TEXT &&
	       g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0),
			  g_variant_get_string (value, NULL)) == 0;
}

static gboolean
change_run (CrmStore *store, const char *sql, const char *id,
	    GVariant *value, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = crm_store__prepare (store, sql, error);

	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	if (sqlite3_bind_parameter_count (stmt) >= 2)
		change_bind_value (stmt, 2, value);
	return crm_store__step_done (store, stmt, error);
}

static gboolean
change_ensure_row (CrmStore *store, const char *table, const char *id,
		   GError **error)
{
	g_autofree char *sql = NULL;

	sql = g_strdup_printf ("INSERT OR IGNORE INTO %s (id) VALUES (?1)",
			       table);
	return change_run (store, sql, id, NULL, error);
}

/* Sets <column>_norm, the case-folded form a field is matched by. */
static gboolean
change_apply_norm (CrmStore *store, const FieldDesc *desc, const char *id,
		   GVariant *value, GError **error)
{
	g_autofree char *sql = NULL;
	g_autofree char *norm = NULL;
	g_autoptr(GVariant) norm_value = NULL;

	norm = crm_store__casefold (value ? g_variant_get_string (value, NULL)
				    : NULL);
	if (norm)
		norm_value = g_variant_ref_sink (g_variant_new_string (norm));
	sql = g_strdup_printf ("UPDATE %s SET %s_norm = ?2 WHERE id = ?1",
			       crm_change__table_name (desc->entity),
			       desc->column);
	return change_run (store, sql, id, norm_value, error);
}

/* Writes the state column, its derived column and the field's clock. */
static gboolean
change_apply (CrmStore *store, const FieldDesc *desc, const char *id,
	      GVariant *value, gint64 ts, gint64 origin, GError **error)
{
	const char *table = crm_change__table_name (desc->entity);
	g_autofree char *sql = NULL;
	g_autoptr(sqlite3_stmt) clock = NULL;

	if ((desc->flags & FIELD_CUSTOMER_REF) && value &&
	    !change_ensure_row (store, "customer",
				g_variant_get_string (value, NULL), error))
		return FALSE;
	if (!change_ensure_row (store, table, id, error))
		return FALSE;
	sql = g_strdup_printf ("UPDATE %s SET %s = ?2 WHERE id = ?1",
			       table, desc->column);
	if (!change_run (store, sql, id, value, error))
		return FALSE;
	if ((desc->flags & FIELD_CASEFOLD) &&
	    !change_apply_norm (store, desc, id, value, error))
		return FALSE;
	if (desc->entity == CRM_ENTITY_CUSTOMER) {
		g_autoptr(GVariant) when = g_variant_ref_sink (
			g_variant_new_int64 (crm_change__hlc_to_us (ts)));

		if (!change_run (store, "UPDATE customer SET updated = "
				 "max(coalesce(updated, 0), ?2) WHERE id = ?1",
				 id, when, error))
			return FALSE;
	}

	clock = crm_store__prepare (store,
				    "INSERT OR REPLACE INTO field_clock "
				    "(entity_id, field, ts, origin) "
				    "VALUES (?1, ?2, ?3, ?4)", error);
	if (clock == NULL)
		return FALSE;
	crm_store__bind_text (clock, 1, id);
	crm_store__bind_text (clock, 2, desc->field);
	sqlite3_bind_int64 (clock, 3, ts);
	sqlite3_bind_int64 (clock, 4, origin);
	return crm_store__step_done (store, clock, error);
}

static gboolean
change_append (CrmStore *store, gint64 origin, gint64 seq, gint64 ts,
	       const FieldDesc *desc, const char *id, GVariant *value,
	       gboolean *out_new, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = crm_store__prepare (store,
				   "INSERT OR IGNORE INTO change (origin, seq, "
				   "ts, entity, entity_id, field, value) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64 (stmt, 1, origin);
	sqlite3_bind_int64 (stmt, 2, seq);
	sqlite3_bind_int64 (stmt, 3, ts);
	sqlite3_bind_int (stmt, 4, desc->entity);
	crm_store__bind_text (stmt, 5, id);
	crm_store__bind_text (stmt, 6, desc->field);
	change_bind_value (stmt, 7, value);
	if (!crm_store__step_done (store, stmt, error))
		return FALSE;
	*out_new = sqlite3_changes (store->db) > 0;
	return TRUE;
}

/*
 * Advances the hybrid logical clock.  For a local change (@remote_ts < 0)
 * it returns a new timestamp and sequence number; for a remote one it only
 * moves the clock past @remote_ts.
 */
static gboolean
change_clock (CrmStore *store, gint64 remote_ts, gint64 *out_ts,
	      gint64 *out_seq, GError **error)
{
	g_autoptr(sqlite3_stmt) read = NULL;
	g_autoptr(sqlite3_stmt) write = NULL;
	gint64 last, seq, phys, ts;
	int rc;

	read = crm_store__prepare (store, "SELECT hlc, next_seq FROM meta",
				   error);
	if (read == NULL)
		return FALSE;
	rc = sqlite3_step (read);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc, "meta");
		return FALSE;
	}
	last = sqlite3_column_int64 (read, 0);
	seq = sqlite3_column_int64 (read, 1);

	if (remote_ts >= 0) {
		ts = MAX (last, remote_ts);
	} else {
		phys = MAX (crm_store_now (store) / 1000, 0);
		ts = MAX (phys << 16, last + 1);
		*out_seq = seq++;
	}
	*out_ts = ts;

	write = crm_store__prepare (store, "UPDATE meta SET hlc = ?1, "
				    "next_seq = ?2", error);
	if (write == NULL)
		return FALSE;
	sqlite3_bind_int64 (write, 1, ts);
	sqlite3_bind_int64 (write, 2, seq);
	return crm_store__step_done (store, write, error);
}

/* Reads the current value and tells whether @value differs from it. */
static gboolean
change_differs (CrmStore *store, const FieldDesc *desc, const char *id,
		GVariant *value, gboolean *out_differs, GError **error)
{
	g_autofree char *sql = NULL;
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	if (!change_ensure_row (store, crm_change__table_name (desc->entity),
				id, error))
		return FALSE;
	sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?1",
			       desc->column,
			       crm_change__table_name (desc->entity));
	stmt = crm_store__prepare (store, sql, error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read field");
		return FALSE;
	}
	*out_differs = !change_column_equals (stmt, value);
	return TRUE;
}

static gboolean
change_set_local (CrmStore *store, const FieldDesc *desc, const char *id,
		  GVariant *value, GError **error)
{
	gboolean differs = FALSE;
	gboolean is_new = FALSE;
	gint64 ts = 0, seq = 0;

	if (!change_differs (store, desc, id, value, &differs, error))
		return FALSE;
	if (!differs)
		return TRUE;
	if (!change_clock (store, -1, &ts, &seq, error) ||
	    !change_append (store, store->replica_num, seq, ts, desc, id,
			    value, &is_new, error))
		return FALSE;
	g_assert (is_new);
	return change_apply (store, desc, id, value, ts, store->replica_num,
			     error);
}

/*
 * crm_change__set_field:
 * THE local write: sets one field of one entity, creating the row if it is
 * new.  When the value differs from the stored one, the change gets the
 * next clock value and sequence number, is appended to the log and written
 * to the state, all in one transaction; an unchanged value writes nothing.
 * @value is floating or owned by the caller.
 */
gboolean
crm_change__set_field (CrmStore *store,
		       CrmEntity entity,
		       const char *id,
		       const char *field,
		       GVariant *value,
		       GError **error)
{
	const FieldDesc *desc = change_find_field (entity, field);
	g_autoptr(GVariant) owned = value ? g_variant_ref_sink (value) : NULL;

	g_assert (crm_uuid_is_valid (id));
	if (desc == NULL || !change_value_fits (desc, owned)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("Field %s cannot take this value"), field);
		return FALSE;
	}
	if (!crm_store__begin (store, error))
		return FALSE;
	if (!change_set_local (store, desc, id, owned, error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	return crm_store__commit (store, error);
}

/*
 * crm_change__set_text:
 * crm_change__set_field() for a text field; %NULL clears it.
 */
gboolean
crm_change__set_text (CrmStore *store,
		      CrmEntity entity,
		      const char *id,
		      const char *field,
		      const char *value,
		      GError **error)
{
	if (value && !g_utf8_validate (value, -1, NULL)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("The %s is not valid UTF-8 text"), field);
		return FALSE;
	}
	return crm_change__set_field (store, entity, id, field,
				      value ? g_variant_new_string (value)
				      : NULL, error);
}

/*
 * crm_change__set_int:
 * crm_change__set_field() for an integer field.
 */
gboolean
crm_change__set_int (CrmStore *store,
		     CrmEntity entity,
		     const char *id,
		     const char *field,
		     gint64 value,
		     GError **error)
{
	return crm_change__set_field (store, entity, id, field,
				      g_variant_new_int64 (value), error);
}

static gboolean
change_check_remote (const CrmChange *change, guint index, GError **error)
{
	const FieldDesc *desc = NULL;

	if (change->field && change->entity_id)
		desc = change_find_field (change->entity, change->field);
	if (desc == NULL || !crm_uuid_is_valid (change->origin) ||
	    !crm_uuid_is_valid (change->entity_id) || change->seq <= 0 ||
	    change->ts < 0 || !change_value_fits (desc, change->value)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("Replicated change %u is malformed; the batch was refused"),
			     index);
		return FALSE;
	}
	return TRUE;
}

static gboolean
change_origin_num (CrmStore *store, const char *origin, gint64 *out_num,
		   GError **error)
{
	g_autoptr(sqlite3_stmt) insert = NULL;
	g_autoptr(sqlite3_stmt) select = NULL;
	int rc;

	insert = crm_store__prepare (store, "INSERT OR IGNORE INTO replica "
				     "(id) VALUES (?1)", error);
	if (insert == NULL)
		return FALSE;
	crm_store__bind_text (insert, 1, origin);
	if (!crm_store__step_done (store, insert, error))
		return FALSE;
	select = crm_store__prepare (store, "SELECT num FROM replica "
				     "WHERE id = ?1", error);
	if (select == NULL)
		return FALSE;
	crm_store__bind_text (select, 1, origin);
	rc = sqlite3_step (select);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "replica");
		return FALSE;
	}
	*out_num = sqlite3_column_int64 (select, 0);
	return TRUE;
}

/* The merge rule: does (ts, origin) beat the change the state holds? */
static gboolean
change_wins (CrmStore *store, const CrmChange *change, gboolean *out_wins,
	     GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc;

	stmt = crm_store__prepare (store,
				   "SELECT fc.ts, r.id FROM field_clock fc "
				   "JOIN replica r ON r.num = fc.origin "
				   "WHERE fc.entity_id = ?1 AND fc.field = ?2",
				   error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, change->entity_id);
	crm_store__bind_text (stmt, 2, change->field);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE) {
		*out_wins = TRUE;
	} else if (rc == SQLITE_ROW) {
		gint64 ts = sqlite3_column_int64 (stmt, 0);
		const char *origin =
			(const char *) sqlite3_column_text (stmt, 1);

		*out_wins = change->ts > ts ||
			    (change->ts == ts &&
			     g_strcmp0 (change->origin, origin) > 0);
	} else {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "field clock");
		return FALSE;
	}
	return TRUE;
}

static gboolean
change_apply_one (CrmStore *store, const CrmChange *change,
		  gboolean *out_new, GError **error)
{
	const FieldDesc *desc = change_find_field (change->entity,
						   change->field);
	gint64 origin = 0, ts = 0;
	gboolean wins = FALSE;

	if (!change_origin_num (store, change->origin, &origin, error) ||
	    !change_append (store, origin, change->seq, change->ts, desc,
			    change->entity_id, change->value, out_new, error))
		return FALSE;
	if (!*out_new)
		return TRUE;
	/* FIXME(#3): a peer whose wall clock runs far ahead drags this
	 * clock along; bound the accepted drift once sync exists. */
	if (!change_clock (store, change->ts, &ts, NULL, error) ||
	    !change_wins (store, change, &wins, error))
		return FALSE;
	if (!wins)
		return TRUE;
	return change_apply (store, desc, change->entity_id, change->value,
			     change->ts, origin, error);
}

/*
 * crm_change__apply_remote:
 * The entry point for changes made on other replicas: the batch is checked
 * whole first (one malformed change refuses it all), then applied in one
 * transaction.  A change already in the log is skipped, so applying a batch
 * twice is a no-op; @out_applied counts the changes that were new.
 */
gboolean
crm_change__apply_remote (CrmStore *store,
			  const CrmChange *changes,
			  guint n_changes,
			  guint *out_applied,
			  GError **error)
{
	guint applied = 0;
	guint i;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (changes != NULL || n_changes == 0, FALSE);

	for (i = 0; i < n_changes; i++) {
		if (!change_check_remote (&changes[i], i, error))
			return FALSE;
	}
	if (!crm_store__begin (store, error))
		return FALSE;
	for (i = 0; i < n_changes; i++) {
		gboolean is_new = FALSE;

		if (!change_apply_one (store, &changes[i], &is_new, error)) {
			crm_store__rollback (store);
			return FALSE;
		}
		applied += is_new ? 1 : 0;
	}
	if (!crm_store__commit (store, error))
		return FALSE;
	if (out_applied)
		*out_applied = applied;
	return TRUE;
}
