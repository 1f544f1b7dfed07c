/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * change.c: change capture, the hybrid logical clock and the merge rules.
 *
 * Every write of an entity field, local or remote, ends in change_apply():
 * it updates the state column and the field's clock.  A local write first
 * gets a timestamp and a sequence number and appends its change to the log;
 * a remote change is appended under its own origin and sequence, and
 * reaches the state only if the merge rules below let it.  The tables are
 * explained at the top of schema.c; erase is carried out in erase.c and
 * version vectors are kept in sync.c.
 *
 * The fields each entity has are listed once, in field_table below; the
 * SQL that touches a column is built only from that table.
 *
 * MERGE RULES
 *
 * Replicas receive the same changes in different orders, with duplicates,
 * and must end in the same state; so every rule decides from the changes
 * alone (origin, seq, ts, content), never from the order of arrival or
 * from the receiver's own clock.
 *
 * 1. Per field, the greatest change wins.  A field holds the value of its
 *    greatest change by (ts, origin replica id), the ids compared as
 *    strings; field_clock remembers which change that is, and a smaller
 *    one is only logged.  A change already held (same origin and seq) is
 *    skipped first, so applying is idempotent; the greatest change wins in
 *    any order, so applying commutes.  A change of this replica's own
 *    origin that it already has is such a duplicate.
 *
 * 2. Delete is a field.  `deleted` is an ordinary field: an edit of another
 *    field, concurrent or later, does not bring a deleted entity back; a
 *    later create does, because creating a customer writes `deleted` = 0
 *    as a change even on a brand-new row (F10: delete, then an import of
 *    the same id, reaches every replica in any order as "present").
 *
 * 3. Customer merge is a field.  crm_customer_merge() sets the loser's
 *    `merged_into`; clearing it undoes the merge; reads follow it
 *    (customer.c).  Both are rule 1 on one field and nothing of the loser
 *    is touched, so nothing is lost.  Concurrent merges that close a cycle
 *    read as one record, the smallest id of the cycle.
 *
 * 4. One handle, one customer.  An identity's id is derived from (protocol,
 *    handle), so two replicas linking one handle to two customers at once
 *    write the same entity, and rule 1 on `customer_id` keeps one link.
 *
 * 5. The first acceptance of a handover wins.  `accepted_by` is the one
 *    field where the smallest (ts, origin) wins, and it never takes NULL:
 *    two agents accepting at once on two replicas both saw the handover
 *    pending, and the earlier keeps it.  `accepted` (when) is not merged on
 *    its own: writing `accepted_by` stamps it with the physical time of
 *    that change's timestamp, so who and when always come from the same
 *    acceptance.  Changes to `accepted` are logged and never applied.
 *
 * 6. A closed follow-up stays closed (F11).  `status` is a field of its
 *    own and every due list asks for status = open, so moving the due
 *    time, or any edit of another field, concurrent or not, never reopens
 *    a done or cancelled follow-up; only an explicit reopen (status open,
 *    with a greater clock) does.  Cancelled on A while moved on B: every
 *    replica ends cancelled, with B's due time, and notifies nobody.
 *
 * 7. Erase wins over everything, for good.  crm_customer_erase() writes an
 *    `erased` change for the customer and for each record merged into it
 *    (as this replica sees them) and applies it, like every replica that
 *    receives it: the customer, and every entity that ever named it in
 *    `customer_id` (in the state or in any change of the log), get a
 *    tombstone; their rows leave the state (the customer keeps a bare row,
 *    invisible like a placeholder, for foreign keys); their clocks go; and
 *    their change log rows keep origin, seq, ts, entity and entity id but
 *    lose field and value.  Origin and seq stay so that version vectors
 *    keep no gap; the entity id stays because it is what blocks late
 *    changes, and a random UUID says nothing of the person.  The `erased`
 *    changes keep their content, so that they travel.  A change that
 *    arrives later for a tombstoned id, or that points the customer_id of
 *    any entity at an erased customer (a note written elsewhere while the
 *    erase was on its way), tombstones that entity too and is stored
 *    content-less: it keeps its place and is never applied.  Content-less
 *    changes travel as such (field and value NULL); one that still names
 *    its entity tombstones it on arrival.  "Ever named", not "names now":
 *    a replica may not have seen an entity's later move to another
 *    customer, and every replica must decide alike.  A record merged into
 *    the erased one by a replica that had not seen the erase stays: reads
 *    stop at it, as at a merge into a placeholder.  Local writes to a
 *    tombstoned id are refused with CONFLICT.
 *
 * 8. Clocks that disagree (F12).  Positions in the sync are sequence
 *    numbers, so a wrong clock never stops sync.  Timestamps are compared
 *    as they are and never clamped: a clamp would use the receiver's own
 *    clock, which differs from replica to replica, and would not converge.
 *    Instead this replica's clock follows every timestamp it applies, so
 *    its next edit orders after everything it has seen, whatever its wall
 *    clock says: a replica whose clock runs behind still wins with an edit
 *    made after it saw the other's, and a clock that runs ahead wins only
 *    against edits made before its change was seen, as any concurrent edit
 *    would.  A change more than CRM_SYNC_MAX_CLOCK_AHEAD_US ahead of the
 *    wall clock is counted (crm_sync_get_clock_ahead_count()) and reported
 *    at info level with its origin only, so that the wrong clock can be
 *    found.  Timestamps from 2^62 on (year 4200) are refused as malformed,
 *    so that following one can never overflow the clock.
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
	FIELD_ACCEPTANCE = 1 << 2,	/* rule 5: smallest wins, stamps
					 * `accepted`, never NULL */
	FIELD_DERIVED = 1 << 3,		/* logged, never applied (rule 5) */
	FIELD_ERASE = 1 << 4,		/* no column: erases (rule 7) */
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
	{ CRM_ENTITY_CUSTOMER, "erased", NULL, FIELD_INT, FIELD_ERASE },

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
	{ CRM_ENTITY_HANDOVER, "accepted_by", "accepted_by", FIELD_TEXT,
	  FIELD_ACCEPTANCE },
	{ CRM_ENTITY_HANDOVER, "accepted", "accepted", FIELD_INT,
	  FIELD_DERIVED },
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

	if (field == NULL)
		return NULL;
	for (i = 0; i < G_N_ELEMENTS (field_table); i++) {
		if (field_table[i].entity == entity &&
		    strcmp (field_table[i].field, field) == 0)
			return &field_table[i];
	}
	return NULL;
}

/*
 * crm_change__field_is_int:
 * Whether @field of @entity holds integers (else text); FALSE for an
 * unknown field.  The sync layer uses it to send each value in its type.
 */
gboolean
crm_change__field_is_int (CrmEntity entity, const char *field)
{
	const FieldDesc *desc = change_find_field (entity, field);

	return desc != NULL && desc->type == FIELD_INT;
}

static gboolean
change_value_fits (const FieldDesc *desc, GVariant *value)
{
	const char *text;

	if (value == NULL)
		return !(desc->flags & (FIELD_ACCEPTANCE | FIELD_ERASE));
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
	g_autoptr(CrmCachedStmt) stmt = crm_store__stmt (store, sql, error);

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

/*
 * The statement that writes a state column and what derives from it, in
 * one INSERT ... ON CONFLICT DO UPDATE, so that a new row costs nothing
 * more: ?1 the id, ?2 the value, ?3 its case-folded form (<column>_norm,
 * what the field is matched by), ?4 the physical time of the change for
 * the columns it stamps: a customer's `updated` (the latest) and a
 * handover's `accepted` (rule 5).  A new row's `updated` is max(0, ?4), as
 * when it was NULL.
 */
static char *
change_upsert_sql (const FieldDesc *desc)
{
	const char *c = desc->column;
	g_autoptr(GString) cols = g_string_new (NULL);
	g_autoptr(GString) vals = g_string_new ("?1, ?2");
	g_autoptr(GString) sets = g_string_new (NULL);

	g_string_printf (cols, "id, %s", c);
	g_string_printf (sets, "%s = excluded.%s", c, c);
	if (desc->flags & FIELD_CASEFOLD) {
		g_string_append_printf (cols, ", %s_norm", c);
		g_string_append (vals, ", ?3");
		g_string_append_printf (sets, ", %s_norm = excluded.%s_norm",
					c, c);
	}
	if (desc->flags & FIELD_ACCEPTANCE) {
		g_string_append (cols, ", accepted");
		g_string_append (vals, ", ?4");
		g_string_append (sets, ", accepted = excluded.accepted");
	} else if (desc->entity == CRM_ENTITY_CUSTOMER) {
		g_string_append (cols, ", updated");
		g_string_append (vals, ", max(0, ?4)");
		g_string_append (sets, ", updated = "
				 "max(coalesce(updated, 0), ?4)");
	}
	return g_strdup_printf ("INSERT INTO %s (%s) VALUES (%s) "
				"ON CONFLICT (id) DO UPDATE SET %s",
				crm_change__table_name (desc->entity),
				cols->str, vals->str, sets->str);
}

static gboolean
change_write_clock (CrmStore *store, const FieldDesc *desc, const char *id,
		    gint64 ts, gint64 origin, GError **error)
{
	g_autoptr(CrmCachedStmt) clock = NULL;

	clock = crm_store__stmt (store,
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

/* Writes the state column, its derived columns and the field's clock. */
static gboolean
change_apply (CrmStore *store, const FieldDesc *desc, const char *id,
	      GVariant *value, gint64 ts, gint64 origin, GError **error)
{
	g_autofree char *sql = NULL;
	g_autofree char *norm = NULL;
	g_autoptr(CrmCachedStmt) stmt = NULL;

	g_assert (desc->column != NULL);
	if ((desc->flags & FIELD_CUSTOMER_REF) && value &&
	    !change_ensure_row (store, "customer",
				g_variant_get_string (value, NULL), error))
		return FALSE;
	sql = change_upsert_sql (desc);
	stmt = crm_store__stmt (store, sql, error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, id);
	change_bind_value (stmt, 2, value);
	if (desc->flags & FIELD_CASEFOLD) {
		norm = crm_store__casefold (value ?
					    g_variant_get_string (value, NULL) :
					    NULL);
		crm_store__bind_text (stmt, 3, norm);
	}
	if ((desc->flags & FIELD_ACCEPTANCE) ||
	    desc->entity == CRM_ENTITY_CUSTOMER)
		sqlite3_bind_int64 (stmt, 4, crm_change__hlc_to_us (ts));
	if (!crm_store__step_done (store, stmt, error))
		return FALSE;
	return change_write_clock (store, desc, id, ts, origin, error);
}

/* Appends one row to the log; @field and @value %NULL make it
 * content-less (rule 7).  @out_new is FALSE when (origin, seq) was held. */
static gboolean
change_append (CrmStore *store, gint64 origin, const CrmChange *change,
	       gboolean *out_new, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;

	stmt = crm_store__stmt (store,
				"INSERT OR IGNORE INTO change (origin, seq, "
				"ts, entity, entity_id, field, value) "
				"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64 (stmt, 1, origin);
	sqlite3_bind_int64 (stmt, 2, change->seq);
	sqlite3_bind_int64 (stmt, 3, change->ts);
	if (crm_change__table_name (change->entity) != NULL)
		sqlite3_bind_int (stmt, 4, change->entity);
	crm_store__bind_text (stmt, 5, change->entity_id);
	crm_store__bind_text (stmt, 6, change->field);
	change_bind_value (stmt, 7, change->field ? change->value : NULL);
	if (!crm_store__step_done (store, stmt, error))
		return FALSE;
	*out_new = sqlite3_changes (store->db) > 0;
	return TRUE;
}

/* Reads the clock of `meta` once per write transaction: the write lock
 * keeps it ours until COMMIT, which writes it back (store.c). */
static gboolean
change_load_clock (CrmStore *store, GError **error)
{
	g_autoptr(CrmCachedStmt) read = NULL;
	int rc;

	g_assert (store->txn_depth > 0);
	if (store->clock_loaded)
		return TRUE;
	read = crm_store__stmt (store, "SELECT hlc, next_seq FROM meta",
				error);
	if (read == NULL)
		return FALSE;
	rc = sqlite3_step (read);
	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc, "meta");
		return FALSE;
	}
	store->hlc = sqlite3_column_int64 (read, 0);
	store->next_seq = sqlite3_column_int64 (read, 1);
	store->clock_loaded = TRUE;
	return TRUE;
}

/*
 * Advances the hybrid logical clock.  For a local change (@remote_ts < 0)
 * it returns a new timestamp and sequence number; for a remote one it only
 * moves the clock past @remote_ts (rule 8), and past @remote_seq when the
 * change is one of this replica's own that it had lost (a restored backup),
 * so that no sequence number is ever handed out twice.
 */
static gboolean
change_clock (CrmStore *store, gint64 remote_ts, gint64 remote_seq,
	      gint64 *out_ts, gint64 *out_seq, GError **error)
{
	gint64 last, seq, phys, ts;

	if (!change_load_clock (store, error))
		return FALSE;
	last = store->hlc;
	seq = store->next_seq;
	if (remote_ts >= 0) {
		ts = MAX (last, remote_ts);
		seq = MAX (seq, remote_seq + 1);
	} else {
		phys = MAX (crm_store_now (store) / 1000, 0);
		ts = MAX (phys << 16, last + 1);
		*out_seq = seq++;
	}
	*out_ts = ts;
	if (ts != store->hlc || seq != store->next_seq)
		store->clock_dirty = TRUE;
	store->hlc = ts;
	store->next_seq = seq;
	return TRUE;
}

/* Reads the current value: whether @value differs, whether it is NULL. */
static gboolean
change_read_current (CrmStore *store, const FieldDesc *desc, const char *id,
		     GVariant *value, gboolean *out_differs,
		     gboolean *out_null, GError **error)
{
	g_autofree char *sql = NULL;
	g_autoptr(CrmCachedStmt) stmt = NULL;
	int rc;

	if (!change_ensure_row (store, crm_change__table_name (desc->entity),
				id, error))
		return FALSE;
	sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?1",
			       desc->column,
			       crm_change__table_name (desc->entity));
	stmt = crm_store__stmt (store, sql, error);
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
	*out_null = sqlite3_column_type (stmt, 0) == SQLITE_NULL;
	return TRUE;
}

static gboolean
change_append_local (CrmStore *store, const FieldDesc *desc, const char *id,
		     GVariant *value, gint64 *out_ts, GError **error)
{
	CrmChange change = { store->replica_id, 0, 0, desc->entity, id,
			     desc->field, value };
	gboolean is_new = FALSE;

	if (!change_clock (store, -1, 0, &change.ts, &change.seq, error) ||
	    !change_append (store, store->replica_num, &change, &is_new,
			    error))
		return FALSE;
	g_assert (is_new);
	*out_ts = change.ts;
	if (store->schema_version < 3)
		return TRUE;
	return crm_sync__advance (store, store->replica_num, error);
}

/*
 * crm_change__append_local:
 * Gives a local change its clock value and sequence number and appends it
 * to the log, without touching the state: for changes whose effect is not
 * a column (an erase, which the caller then carries out).
 */
gboolean
crm_change__append_local (CrmStore *store,
			  CrmEntity entity,
			  const char *id,
			  const char *field,
			  GVariant *value,
			  GError **error)
{
	const FieldDesc *desc = change_find_field (entity, field);
	g_autoptr(GVariant) owned = value ? g_variant_ref_sink (value) : NULL;
	gint64 ts = 0;

	g_assert (desc != NULL && change_value_fits (desc, owned));
	return change_append_local (store, desc, id, owned, &ts, error);
}

static gboolean
change_refuse_erased (CrmStore *store, const char *id, GError **error)
{
	gboolean erased = FALSE;

	if (store->schema_version < 3)
		return TRUE;
	if (!crm_erase__is_tombstoned (store, id, &erased, error))
		return FALSE;
	if (erased) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT,
			     _("This record was erased and cannot be written again"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
change_set_local (CrmStore *store, const FieldDesc *desc, const char *id,
		  GVariant *value, gboolean always, GError **error)
{
	gboolean differs = FALSE;
	gboolean was_null = TRUE;
	gint64 ts = 0;

	if (!change_refuse_erased (store, id, error) ||
	    !change_read_current (store, desc, id, value, &differs,
				  &was_null, error))
		return FALSE;
	if (!differs && !always)
		return TRUE;
	if ((desc->flags & FIELD_ACCEPTANCE) && !was_null) {
		/* Rule 5: a later acceptance would lose on every peer. */
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT,
			     _("This handover was already accepted"));
		return FALSE;
	}
	if (!change_append_local (store, desc, id, value, &ts, error))
		return FALSE;
	return change_apply (store, desc, id, value, ts, store->replica_num,
			     error);
}

/*
 * crm_change__set_field_full:
 * THE local write: sets one field of one entity, creating the row if it is
 * new.  When the value differs from the stored one, or @always is set, the
 * change gets the next clock value and sequence number, is appended to the
 * log and written to the state, all in one transaction; otherwise nothing
 * is written.  @always is for writes whose change must exist even when the
 * row already holds the value (a create's `deleted` = 0, rule 2).  @value
 * is floating or owned by the caller.  A tombstoned id is CONFLICT.
 */
gboolean
crm_change__set_field_full (CrmStore *store,
			    CrmEntity entity,
			    const char *id,
			    const char *field,
			    GVariant *value,
			    gboolean always,
			    GError **error)
{
	const FieldDesc *desc = change_find_field (entity, field);
	g_autoptr(GVariant) owned = value ? g_variant_ref_sink (value) : NULL;

	g_assert (crm_uuid_is_valid (id));
	if (desc == NULL || desc->column == NULL ||
	    (desc->flags & FIELD_DERIVED) ||
	    !change_value_fits (desc, owned)) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("Field %s cannot take this value"), field);
		return FALSE;
	}
	if (!crm_store__begin (store, error))
		return FALSE;
	if (!change_set_local (store, desc, id, owned, always, error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	return crm_store__commit (store, error);
}

/*
 * crm_change__set_field:
 * crm_change__set_field_full() that writes only a value that differs.
 */
gboolean
crm_change__set_field (CrmStore *store,
		       CrmEntity entity,
		       const char *id,
		       const char *field,
		       GVariant *value,
		       GError **error)
{
	return crm_change__set_field_full (store, entity, id, field, value,
					   FALSE, error);
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

/* An erased change: no field, no value; its entity, when given, known. */
static gboolean
change_check_erased (const CrmChange *change)
{
	if (change->value != NULL)
		return FALSE;
	if (change->entity_id == NULL)
		return TRUE;
	return crm_uuid_is_valid (change->entity_id) &&
	       crm_change__table_name (change->entity) != NULL;
}

/*
 * crm_change__check:
 * Whether a replicated change is well formed: origin a UUID, seq from 1,
 * ts in (0, CRM_CHANGE_MAX_TS), and either a known field of a known entity
 * with a valid id and a value of the field's type, or an erased change
 * (field and value %NULL).  @index names the change in the message.
 */
gboolean
crm_change__check (const CrmChange *change, guint index, GError **error)
{
	const FieldDesc *desc = NULL;
	gboolean ok;

	ok = crm_uuid_is_valid (change->origin) && change->seq > 0 &&
	     change->ts > 0 && change->ts < CRM_CHANGE_MAX_TS;
	if (ok && change->field == NULL) {
		ok = change_check_erased (change);
	} else if (ok) {
		desc = change_find_field (change->entity, change->field);
		ok = desc != NULL && crm_uuid_is_valid (change->entity_id) &&
		     change_value_fits (desc, change->value);
	}
	if (!ok) {
		g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
			     _("Replicated change %u is malformed; the batch was refused"),
			     index);
		return FALSE;
	}
	return TRUE;
}

/* The number of replica @origin in the replica table, added when new.
 * Numbers never change once committed, so they are kept in memory; a
 * rollback forgets them, since it may remove rows added here. */
static gboolean
change_origin_num (CrmStore *store, const char *origin, gint64 *out_num,
		   GError **error)
{
	g_autoptr(CrmCachedStmt) insert = NULL;
	g_autoptr(CrmCachedStmt) select = NULL;
	gint64 *known = g_hash_table_lookup (store->origins, origin);
	int rc;

	if (known != NULL) {
		*out_num = *known;
		return TRUE;
	}
	insert = crm_store__stmt (store, "INSERT OR IGNORE INTO replica "
				  "(id) VALUES (?1)", error);
	if (insert == NULL)
		return FALSE;
	crm_store__bind_text (insert, 1, origin);
	if (!crm_store__step_done (store, insert, error))
		return FALSE;
	select = crm_store__stmt (store, "SELECT num FROM replica "
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
	g_hash_table_insert (store->origins, g_strdup (origin),
			     g_memdup2 (out_num, sizeof *out_num));
	return TRUE;
}

/* The id of replica number @num, kept in memory like change_origin_num()
 * keeps the other direction. */
static gboolean
change_origin_id (CrmStore *store, gint64 num, const char **out_id,
		  GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	char *id = g_hash_table_lookup (store->origin_ids, &num);
	int rc;

	if (id == NULL) {
		stmt = crm_store__stmt (store, "SELECT id FROM replica "
					"WHERE num = ?1", error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64 (stmt, 1, num);
		rc = sqlite3_step (stmt);
		if (rc != SQLITE_ROW) {
			crm_store__set_error_from_sqlite (error, store->db,
							  rc, "replica");
			return FALSE;
		}
		id = crm_store__column_dup (stmt, 0);
		g_hash_table_insert (store->origin_ids,
				     g_memdup2 (&num, sizeof num), id);
	}
	*out_id = id;
	return TRUE;
}

/*
 * Rules 1 and 5: does (ts, origin) beat the change the state holds?
 * @origin is the number of the change's origin: equal numbers are equal
 * ids, and the ids themselves are needed only when the timestamps tie.
 */
static gboolean
change_wins (CrmStore *store, const FieldDesc *desc, const CrmChange *change,
	     gint64 origin, gboolean *out_wins, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	const char *held_id = NULL;
	gboolean greater;
	gint64 ts, held;
	int rc, by_origin = 0;

	stmt = crm_store__stmt (store, "SELECT ts, origin FROM field_clock "
				"WHERE entity_id = ?1 AND field = ?2", error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, change->entity_id);
	crm_store__bind_text (stmt, 2, change->field);
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE) {
		*out_wins = TRUE;
		return TRUE;
	} else if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "field clock");
		return FALSE;
	}
	ts = sqlite3_column_int64 (stmt, 0);
	held = sqlite3_column_int64 (stmt, 1);
	if (change->ts == ts && held != origin) {
		if (!change_origin_id (store, held, &held_id, error))
			return FALSE;
		by_origin = g_strcmp0 (change->origin, held_id);
	}
	greater = change->ts > ts || (change->ts == ts && by_origin > 0);
	if (change->ts == ts && by_origin == 0)
		*out_wins = FALSE;	/* the same change */
	else if (desc->flags & FIELD_ACCEPTANCE)
		*out_wins = !greater;
	else
		*out_wins = greater;
	return TRUE;
}

static gboolean
change_is_held (CrmStore *store, gint64 origin, gint64 seq,
		gboolean *out_held, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	int rc;

	stmt = crm_store__stmt (store, "SELECT 1 FROM change WHERE "
				"origin = ?1 AND seq = ?2", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64 (stmt, 1, origin);
	sqlite3_bind_int64 (stmt, 2, seq);
	rc = sqlite3_step (stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read change");
		return FALSE;
	}
	*out_held = rc == SQLITE_ROW;
	return TRUE;
}

/* Rule 8: counts a change far ahead of the wall clock; @out_ahead says. */
static gboolean
change_note_ahead (CrmStore *store, const CrmChange *change,
		   gboolean *out_ahead, GError **error)
{
	gint64 ahead = crm_change__hlc_to_us (change->ts) -
		       crm_store_now (store);

	*out_ahead = ahead > CRM_SYNC_MAX_CLOCK_AHEAD_US;
	if (!*out_ahead)
		return TRUE;
	return crm_store__exec (store, "UPDATE meta SET clock_ahead = "
				"clock_ahead + 1", error);
}

/*
 * Rule 7 on arrival: is the change's entity tombstoned, or does it point
 * an entity at an erased customer (which tombstones the entity now)?
 */
static gboolean
change_hits_tombstone (CrmStore *store, const FieldDesc *desc,
		       const CrmChange *change, gboolean *out_hit,
		       GError **error)
{
	if (!crm_erase__is_tombstoned (store, change->entity_id, out_hit,
				       error))
		return FALSE;
	if (*out_hit || !(desc->flags & FIELD_CUSTOMER_REF) ||
	    desc->entity == CRM_ENTITY_CUSTOMER || change->value == NULL)
		return TRUE;
	if (!crm_erase__is_tombstoned (store,
				       g_variant_get_string (change->value,
							     NULL),
				       out_hit, error))
		return FALSE;
	if (!*out_hit)
		return TRUE;
	return crm_erase__entity (store, desc->entity, change->entity_id,
				  error);
}

/* A change not held yet, with its origin's number: log it, then merge. */
static gboolean
change_merge_new (CrmStore *store, const CrmChange *change, gint64 origin,
		  GError **error)
{
	const FieldDesc *desc = change_find_field (change->entity,
						   change->field);
	CrmChange blank = *change;
	gboolean hit = FALSE, wins = FALSE, is_new = FALSE;

	blank.field = NULL;
	blank.value = NULL;
	if (desc == NULL) {
		/* Content-less: its entity, when named, is erased here too. */
		if (!change_append (store, origin, &blank, &is_new, error))
			return FALSE;
		return change->entity_id == NULL ||
		       crm_erase__entity (store, change->entity,
					  change->entity_id, error);
	}
	if (!(desc->flags & FIELD_ERASE) &&
	    !change_hits_tombstone (store, desc, change, &hit, error))
		return FALSE;
	if (!change_append (store, origin, hit ? &blank : change, &is_new,
			    error))
		return FALSE;
	if (hit || (desc->flags & FIELD_DERIVED))
		return TRUE;
	if (desc->flags & FIELD_ERASE)
		return crm_erase__entity (store, desc->entity,
					  change->entity_id, error);
	if (!change_wins (store, desc, change, origin, &wins, error))
		return FALSE;
	if (!wins)
		return TRUE;
	return change_apply (store, desc, change->entity_id, change->value,
			     change->ts, origin, error);
}

static gboolean
change_apply_one (CrmStore *store, const CrmChange *change, gint64 *out_num,
		  gboolean *out_new, gboolean *out_ahead, GError **error)
{
	gboolean held = FALSE;
	gint64 ts = 0;
	gint64 own = g_strcmp0 (change->origin, store->replica_id) == 0 ?
		     change->seq : 0;

	*out_new = FALSE;
	*out_ahead = FALSE;
	if (!change_origin_num (store, change->origin, out_num, error) ||
	    !change_is_held (store, *out_num, change->seq, &held, error))
		return FALSE;
	if (held)
		return TRUE;
	*out_new = TRUE;
	if (!change_note_ahead (store, change, out_ahead, error) ||
	    !change_clock (store, change->ts, own, &ts, NULL, error))
		return FALSE;
	return change_merge_new (store, change, *out_num, error);
}

static gboolean
change_apply_all (CrmStore *store, const CrmChange *changes,
		  guint n_changes, guint *out_applied, GError **error)
{
	g_autoptr(GHashTable) origins = g_hash_table_new (g_int64_hash,
							  g_int64_equal);
	g_autofree gint64 *nums = g_new0 (gint64, n_changes + 1);
	guint ahead = 0;
	GHashTableIter iter;
	gpointer key;
	guint i;

	*out_applied = 0;
	for (i = 0; i < n_changes; i++) {
		gboolean is_new = FALSE, is_ahead = FALSE;

		if (!change_apply_one (store, &changes[i], &nums[i], &is_new,
				       &is_ahead, error))
			return FALSE;
		*out_applied += is_new ? 1 : 0;
		ahead += is_ahead ? 1 : 0;
		if (is_new)
			g_hash_table_add (origins, &nums[i]);
	}
	g_hash_table_iter_init (&iter, origins);
	while (g_hash_table_iter_next (&iter, &key, NULL)) {
		if (!crm_sync__advance (store, *(gint64 *) key, error))
			return FALSE;
	}
	if (ahead > 0)
		g_info ("%u replicated changes carry a clock more than %d s "
			"ahead of this replica's", ahead,
			(int) (CRM_SYNC_MAX_CLOCK_AHEAD_US / G_USEC_PER_SEC));
	return TRUE;
}

/*
 * crm_change__apply_remote:
 * The entry point for changes made on other replicas: the batch is checked
 * whole first (one malformed change refuses it all), then applied in one
 * transaction by the merge rules, and the version vector of every origin
 * that got a new change is advanced over what is now held without a gap.
 * A change already in the log is skipped, so applying a batch twice is a
 * no-op; @out_applied counts the changes that were new.
 */
gboolean
crm_change__apply_remote (CrmStore *store,
			  const CrmChange *changes,
			  guint n_changes,
			  guint *out_applied,
			  GError **error)
{
	guint i;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (changes != NULL || n_changes == 0, FALSE);
	g_return_val_if_fail (store->schema_version >= 3, FALSE);

	for (i = 0; i < n_changes; i++) {
		if (!crm_change__check (&changes[i], i, error))
			return FALSE;
	}
	return crm_change__apply_checked (store, changes, n_changes,
					  out_applied, error);
}

/*
 * crm_change__apply_checked:
 * crm_change__apply_remote() for a batch the caller has already passed
 * through crm_change__check() (crm_sync_apply()), so that it is checked
 * once.
 */
gboolean
crm_change__apply_checked (CrmStore *store,
			   const CrmChange *changes,
			   guint n_changes,
			   guint *out_applied,
			   GError **error)
{
	guint applied = 0;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (changes != NULL || n_changes == 0, FALSE);
	g_return_val_if_fail (store->schema_version >= 3, FALSE);

	if (!crm_store__begin (store, error))
		return FALSE;
	if (!change_apply_all (store, changes, n_changes, &applied, error)) {
		crm_store__rollback (store);
		return FALSE;
	}
	if (!crm_store__commit (store, error))
		return FALSE;
	if (out_applied)
		*out_applied = applied;
	return TRUE;
}
