/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sync.c: version vectors, batches, and the anti-entropy entry points:
 * what a peer lacks (collect), taking a peer's batch (apply), and a digest
 * of the replicated state to tell whether two replicas have converged.
 *
 * DESIGN
 *
 * Vectors.  The `vector` table (schema version 3) holds, per origin, the
 * highest sequence held without a gap.  It is kept as changes arrive, not
 * computed from the log: after a batch, each origin that got a new change
 * is advanced from its stored value over the log rows that follow it,
 * stopping at the first gap (a primary-key range scan that reads only the
 * rows it advances over, plus one).  A change that arrives ahead of a gap
 * (a push of 12 before anti-entropy brought 10 and 11) is applied to the
 * state at once, since merging commutes, and kept in the log; the vector
 * moves over it when the gap fills.
 *
 * Collect.  For each origin where this replica's vector is ahead of the
 * peer's, the changes from the peer's entry + 1 up to ours, read by range
 * on the log's primary key (origin, seq): contiguous, oldest first, and
 * never beyond our own gap-free part, so that every batch advances the
 * peer's vector.  Changes of third replicas are sent like our own.  Erased
 * changes go content-less (field and value NULL) so that no gap opens.
 * Values go in the type of their field, whatever SQLite stored.
 *
 * Apply.  The batch is checked whole first, then applied in one
 * transaction by crm_change__apply_remote(), the path every replicated
 * change takes; the new vector is read in the same transaction.
 *
 * Digest.  SHA-256 over every replicated entity row's visible fields and
 * deleted flag, tables by name and rows by id, then the tombstones; the
 * change log and local-only tables (`notified`) are left out.  Rows that
 * no change was ever applied to (placeholders made for a reference, bare
 * rows of erased customers) are left out too: whether one exists depends
 * on arrival order, so two converged replicas may differ in them.
 */
#include "store-private.h"

#include <string.h>

struct _CrmVector {
	GHashTable *seqs;	/* replica id -> gint64 * */
};

struct _CrmBatch {
	GArray *changes;	/* CrmSyncChange */
	gsize value_bytes;
};

/*
 * crm_vector_new:
 * An empty vector (every replica at 0).
 */
CrmVector *
crm_vector_new (void)
{
	CrmVector *vector = g_new0 (CrmVector, 1);

	vector->seqs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					      g_free);
	return vector;
}

/*
 * crm_vector_copy:
 * A deep copy.
 */
CrmVector *
crm_vector_copy (const CrmVector *vector)
{
	CrmVector *copy;
	GHashTableIter iter;
	gpointer key, value;

	g_return_val_if_fail (vector != NULL, NULL);

	copy = crm_vector_new ();
	g_hash_table_iter_init (&iter, vector->seqs);
	while (g_hash_table_iter_next (&iter, &key, &value))
		crm_vector_set (copy, key, *(gint64 *) value);
	return copy;
}

/*
 * crm_vector_free:
 * Frees a vector; %NULL is ignored.
 */
void
crm_vector_free (CrmVector *vector)
{
	if (vector == NULL)
		return;
	g_hash_table_unref (vector->seqs);
	g_free (vector);
}

/*
 * crm_vector_get:
 * The entry of @replica_id, 0 when absent.
 */
gint64
crm_vector_get (const CrmVector *vector, const char *replica_id)
{
	gint64 *seq;

	g_return_val_if_fail (vector != NULL, 0);
	g_return_val_if_fail (replica_id != NULL, 0);

	seq = g_hash_table_lookup (vector->seqs, replica_id);
	return seq ? *seq : 0;
}

/*
 * crm_vector_set:
 * Sets an entry; 0 (or less) removes it, so that absent and 0 are one.
 */
void
crm_vector_set (CrmVector *vector, const char *replica_id, gint64 seq)
{
	g_return_if_fail (vector != NULL);
	g_return_if_fail (crm_uuid_is_valid (replica_id));

	if (seq <= 0) {
		g_hash_table_remove (vector->seqs, replica_id);
		return;
	}
	g_hash_table_replace (vector->seqs, g_strdup (replica_id),
			      g_memdup2 (&seq, sizeof seq));
}

static int
sync_cmp_str (gconstpointer a, gconstpointer b)
{
	return strcmp (*(char * const *) a, *(char * const *) b);
}

/*
 * crm_vector_get_replicas:
 * The replica ids with an entry, sorted; the strings belong to @vector.
 */
GPtrArray *
crm_vector_get_replicas (const CrmVector *vector)
{
	GPtrArray *ids;
	GHashTableIter iter;
	gpointer key;

	g_return_val_if_fail (vector != NULL, NULL);

	ids = g_ptr_array_new ();
	g_hash_table_iter_init (&iter, vector->seqs);
	while (g_hash_table_iter_next (&iter, &key, NULL))
		g_ptr_array_add (ids, key);
	g_ptr_array_sort (ids, sync_cmp_str);
	return ids;
}

/*
 * crm_vector_covers:
 * Whether @a holds everything @b holds.
 */
gboolean
crm_vector_covers (const CrmVector *a, const CrmVector *b)
{
	GHashTableIter iter;
	gpointer key, value;

	g_return_val_if_fail (a != NULL && b != NULL, FALSE);

	g_hash_table_iter_init (&iter, b->seqs);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		if (crm_vector_get (a, key) < *(gint64 *) value)
			return FALSE;
	}
	return TRUE;
}

/*
 * crm_vector_equal:
 * Whether two vectors hold the same entries.
 */
gboolean
crm_vector_equal (const CrmVector *a, const CrmVector *b)
{
	return crm_vector_covers (a, b) && crm_vector_covers (b, a);
}

static void
sync_change_clear (gpointer data)
{
	CrmSyncChange *change = data;

	g_free (change->origin);
	g_free (change->entity_id);
	g_free (change->field);
	g_clear_pointer (&change->value, g_variant_unref);
}

/*
 * crm_batch_new:
 * An empty batch.
 */
CrmBatch *
crm_batch_new (void)
{
	CrmBatch *batch = g_new0 (CrmBatch, 1);

	batch->changes = g_array_new (FALSE, TRUE, sizeof (CrmSyncChange));
	g_array_set_clear_func (batch->changes, sync_change_clear);
	return batch;
}

/*
 * crm_batch_free:
 * Frees a batch and its changes; %NULL is ignored.
 */
void
crm_batch_free (CrmBatch *batch)
{
	if (batch == NULL)
		return;
	g_array_unref (batch->changes);
	g_free (batch);
}

/*
 * crm_batch_get_n_changes:
 * How many changes the batch holds.
 */
guint
crm_batch_get_n_changes (const CrmBatch *batch)
{
	g_return_val_if_fail (batch != NULL, 0);
	return batch->changes->len;
}

/*
 * crm_batch_get_change:
 * The change at @i; it belongs to the batch.
 */
const CrmSyncChange *
crm_batch_get_change (const CrmBatch *batch, guint i)
{
	g_return_val_if_fail (batch != NULL, NULL);
	g_return_val_if_fail (i < batch->changes->len, NULL);
	return &g_array_index (batch->changes, CrmSyncChange, i);
}

static gsize
sync_value_size (GVariant *value)
{
	if (value == NULL)
		return 0;
	if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
		return strlen (g_variant_get_string (value, NULL));
	return 8;
}

/*
 * crm_batch_add:
 * Appends a copy of @change; a floating value is sunk, any other gets a
 * reference.
 */
void
crm_batch_add (CrmBatch *batch, const CrmSyncChange *change)
{
	CrmSyncChange copy = { 0 };

	g_return_if_fail (batch != NULL);
	g_return_if_fail (change != NULL);

	copy.origin = g_strdup (change->origin);
	copy.seq = change->seq;
	copy.ts = change->ts;
	copy.entity = change->entity;
	copy.entity_id = g_strdup (change->entity_id);
	copy.field = g_strdup (change->field);
	copy.value = change->value ? g_variant_ref_sink (change->value) : NULL;
	batch->value_bytes += sync_value_size (copy.value);
	g_array_append_val (batch->changes, copy);
}

/*
 * crm_batch_get_value_bytes:
 * The raw size of the batch's values, the budget crm_sync_collect() keeps.
 */
gsize
crm_batch_get_value_bytes (const CrmBatch *batch)
{
	g_return_val_if_fail (batch != NULL, 0);
	return batch->value_bytes;
}

static gboolean
sync_read_int (CrmStore *store, sqlite3_stmt *stmt, gint64 *out,
	       GError **error)
{
	int rc = sqlite3_step (stmt);

	if (rc != SQLITE_ROW) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read vector");
		return FALSE;
	}
	*out = sqlite3_column_int64 (stmt, 0);
	return TRUE;
}

static gboolean
sync_write_vector (CrmStore *store, gint64 origin, gint64 seq,
		   GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;

	stmt = crm_store__stmt (store, "INSERT INTO vector (origin, seq) "
				"VALUES (?1, ?2) ON CONFLICT (origin) "
				"DO UPDATE SET seq = excluded.seq", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64 (stmt, 1, origin);
	sqlite3_bind_int64 (stmt, 2, seq);
	return crm_store__step_done (store, stmt, error);
}

/*
 * crm_sync__advance:
 * Moves the vector entry of @origin (a replica number) over the log rows
 * that now follow it without a gap.  Inside the caller's transaction.
 */
gboolean
crm_sync__advance (CrmStore *store, gint64 origin, GError **error)
{
	g_autoptr(CrmCachedStmt) read = NULL;
	g_autoptr(CrmCachedStmt) scan = NULL;
	gint64 held = 0, seq;
	int rc;

	read = crm_store__stmt (store, "SELECT coalesce((SELECT seq FROM "
				"vector WHERE origin = ?1), 0)", error);
	if (read == NULL)
		return FALSE;
	sqlite3_bind_int64 (read, 1, origin);
	if (!sync_read_int (store, read, &held, error))
		return FALSE;
	scan = crm_store__stmt (store, "SELECT seq FROM change WHERE "
				"origin = ?1 AND seq > ?2 ORDER BY seq",
				error);
	if (scan == NULL)
		return FALSE;
	sqlite3_bind_int64 (scan, 1, origin);
	sqlite3_bind_int64 (scan, 2, held);
	seq = held;
	while ((rc = sqlite3_step (scan)) == SQLITE_ROW &&
	       sqlite3_column_int64 (scan, 0) == seq + 1)
		seq++;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "scan changes");
		return FALSE;
	}
	if (seq == held)
		return TRUE;
	return sync_write_vector (store, origin, seq, error);
}

/*
 * crm_sync_get_vector:
 * Reads the vector table: one row per origin, no log scan.
 */
CrmVector *
crm_sync_get_vector (CrmStore *store, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	g_autoptr(CrmVector) vector = NULL;
	int rc;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	stmt = crm_store__stmt (store, "SELECT r.id, v.seq FROM vector v "
				"JOIN replica r ON r.num = v.origin", error);
	if (stmt == NULL)
		return NULL;
	vector = crm_vector_new ();
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
		crm_vector_set (vector,
				(const char *) sqlite3_column_text (stmt, 0),
				sqlite3_column_int64 (stmt, 1));
	if (rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "read vector");
		return NULL;
	}
	return g_steal_pointer (&vector);
}

/* A log value in its field's type (schema 1 and 2 logs may hold a text
 * field's value as a number); %NULL for SQL NULL or an erased change. */
static GVariant *
sync_read_value (sqlite3_stmt *stmt, int col, CrmEntity entity,
		 const char *field)
{
	g_autofree char *text = NULL;

	if (field == NULL || sqlite3_column_type (stmt, col) == SQLITE_NULL)
		return NULL;
	if (crm_change__field_is_int (entity, field))
		return g_variant_ref_sink (g_variant_new_int64 (
			sqlite3_column_int64 (stmt, col)));
	text = g_utf8_make_valid ((const char *)
				  sqlite3_column_text (stmt, col), -1);
	return g_variant_ref_sink (g_variant_new_string (text));
}

static void
sync_change_from_row (sqlite3_stmt *stmt, const char *origin,
		      CrmSyncChange *out)
{
	out->origin = (char *) origin;
	out->seq = sqlite3_column_int64 (stmt, 0);
	out->ts = sqlite3_column_int64 (stmt, 1);
	out->entity = (CrmEntity) sqlite3_column_int (stmt, 2);
	out->entity_id = (char *) sqlite3_column_text (stmt, 3);
	out->field = (char *) sqlite3_column_text (stmt, 4);
	out->value = sync_read_value (stmt, 5, out->entity, out->field);
}

typedef struct {
	guint max_changes;
	gsize max_bytes;
	gboolean full;
} SyncBudget;

/* Adds the changes of @origin in (@from, @to] until the budget is spent. */
static gboolean
sync_collect_origin (CrmStore *store, const char *origin, gint64 from,
		     gint64 to, CrmBatch *batch, SyncBudget *budget,
		     GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;
	int rc;

	stmt = crm_store__stmt (store, "SELECT seq, ts, entity, entity_id, "
				"field, value FROM change WHERE origin = "
				"(SELECT num FROM replica WHERE id = ?1) "
				"AND seq > ?2 AND seq <= ?3 ORDER BY seq",
				error);
	if (stmt == NULL)
		return FALSE;
	crm_store__bind_text (stmt, 1, origin);
	sqlite3_bind_int64 (stmt, 2, from);
	sqlite3_bind_int64 (stmt, 3, to);
	while (!budget->full && (rc = sqlite3_step (stmt)) == SQLITE_ROW) {
		CrmSyncChange change = { 0 };
		guint n = batch->changes->len;

		sync_change_from_row (stmt, origin, &change);
		if (n > 0 && batch->value_bytes +
		    sync_value_size (change.value) > budget->max_bytes) {
			budget->full = TRUE;
		} else {
			crm_batch_add (batch, &change);
			budget->full = n + 1 >= budget->max_changes;
		}
		g_clear_pointer (&change.value, g_variant_unref);
	}
	if (!budget->full && rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "collect changes");
		return FALSE;
	}
	return TRUE;
}

/*
 * crm_sync_collect:
 * See crm-sync.h and the design above: per origin, by range on the log's
 * primary key, origins in the order of their ids.
 */
CrmBatch *
crm_sync_collect (CrmStore *store,
		  const CrmVector *peer,
		  guint max_changes,
		  gsize max_value_bytes,
		  GError **error)
{
	g_autoptr(CrmVector) ours = NULL;
	g_autoptr(CrmBatch) batch = NULL;
	g_autoptr(GPtrArray) ids = NULL;
	SyncBudget budget = { MAX (max_changes, 1), max_value_bytes, FALSE };
	guint i;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (peer != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	ours = crm_sync_get_vector (store, error);
	if (ours == NULL)
		return NULL;
	batch = crm_batch_new ();
	ids = crm_vector_get_replicas (ours);
	for (i = 0; i < ids->len && !budget.full; i++) {
		const char *id = ids->pdata[i];
		gint64 mine = crm_vector_get (ours, id);
		gint64 theirs = crm_vector_get (peer, id);

		if (mine > theirs &&
		    !sync_collect_origin (store, id, theirs, mine, batch,
					  &budget, error))
			return NULL;
	}
	return g_steal_pointer (&batch);
}

/*
 * crm_sync_apply:
 * Checks the whole batch, then applies it and reads the new vector in one
 * transaction (BEGIN IMMEDIATE: a lock held elsewhere past the busy
 * timeout is BUSY with nothing applied).
 */
gboolean
crm_sync_apply (CrmStore *store,
		const CrmBatch *batch,
		CrmVector **out_vector,
		GError **error)
{
	g_autoptr(CrmVector) vector = NULL;
	g_autofree CrmChange *changes = NULL;
	guint i, n;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (batch != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	n = batch->changes->len;
	changes = g_new0 (CrmChange, n + 1);
	for (i = 0; i < n; i++) {
		const CrmSyncChange *c = crm_batch_get_change (batch, i);

		changes[i] = (CrmChange) { c->origin, c->seq, c->ts, c->entity,
					   c->entity_id, c->field, c->value };
	}
	for (i = 0; i < n; i++) {
		if (!crm_change__check (&changes[i], i, error))
			return FALSE;
	}
	if (!crm_store__begin (store, error))
		return FALSE;
	if (!crm_change__apply_checked (store, changes, n, NULL, error) ||
	    (out_vector && (vector = crm_sync_get_vector (store,
							  error)) == NULL)) {
		crm_store__rollback (store);
		return FALSE;
	}
	if (!crm_store__commit (store, error))
		return FALSE;
	if (out_vector)
		*out_vector = g_steal_pointer (&vector);
	return TRUE;
}

/*
 * crm_sync_get_clock_ahead_count:
 * Reads the counter that rule 8 of change.c keeps.
 */
gboolean
crm_sync_get_clock_ahead_count (CrmStore *store,
				gint64 *out_count,
				GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = NULL;

	g_return_val_if_fail (store != NULL, FALSE);
	g_return_val_if_fail (out_count != NULL, FALSE);

	stmt = crm_store__stmt (store, "SELECT clock_ahead FROM meta",
				error);
	if (stmt == NULL)
		return FALSE;
	return sync_read_int (store, stmt, out_count, error);
}

/* The tables of the digest, by name, with the columns a reader sees. */
static const struct {
	const char *table;
	const char *columns;
} sync_digest_tables[] = {
	{ "agent", "id, replica, name, department, account, deleted" },
	{ "customer", CRM_CUSTOMER_COLUMNS ", deleted" },
	{ "followup", CRM_FOLLOWUP_COLUMNS ", deleted" },
	{ "handover", CRM_HANDOVER_COLUMNS ", deleted" },
	{ "identity", CRM_IDENTITY_COLUMNS ", deleted" },
	{ "interaction", CRM_INTERACTION_COLUMNS ", deleted" },
	{ "note", CRM_NOTE_COLUMNS ", deleted" },
};

/* Each column as a type byte, then 8 bytes of integer or 4 bytes of
 * length and the text, so that no two rows hash alike by accident. */
static void
sync_digest_row (GChecksum *sum, const char *table, sqlite3_stmt *stmt)
{
	int i, n = sqlite3_column_count (stmt);

	g_checksum_update (sum, (const guchar *) table, strlen (table) + 1);
	for (i = 0; i < n; i++) {
		int type = sqlite3_column_type (stmt, i);
		guchar tag = (guchar) type;
		guint64 be;
		guint32 len;

		g_checksum_update (sum, &tag, 1);
		if (type == SQLITE_INTEGER) {
			be = GUINT64_TO_BE ((guint64)
					    sqlite3_column_int64 (stmt, i));
			g_checksum_update (sum, (const guchar *) &be, 8);
		} else if (type != SQLITE_NULL) {
			len = (guint32) sqlite3_column_bytes (stmt, i);
			be = GUINT32_TO_BE (len);
			g_checksum_update (sum, (const guchar *) &be, 4);
			g_checksum_update (sum, sqlite3_column_text (stmt, i),
					   len);
		}
	}
}

static gboolean
sync_digest_query (CrmStore *store, GChecksum *sum, const char *table,
		   const char *sql, GError **error)
{
	g_autoptr(CrmCachedStmt) stmt = crm_store__stmt (store, sql, error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
		sync_digest_row (sum, table, stmt);
	if (rc != SQLITE_DONE) {
		crm_store__set_error_from_sqlite (error, store->db, rc,
						  "digest");
		return FALSE;
	}
	return TRUE;
}

/*
 * crm_sync_digest:
 * See crm-sync.h and the design above.  Reads in one read transaction
 * (which takes no write lock), so that a writer cannot split the picture.
 */
char *
crm_sync_digest (CrmStore *store, GError **error)
{
	g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
	gsize i;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (store->txn_depth == 0 && !crm_store__exec (store, "BEGIN", error))
		return NULL;
	for (i = 0; i < G_N_ELEMENTS (sync_digest_tables); i++) {
		const char *table = sync_digest_tables[i].table;
		g_autofree char *sql = g_strdup_printf (
			"SELECT %s FROM %s t WHERE EXISTS (SELECT 1 FROM "
			"field_clock fc WHERE fc.entity_id = t.id) "
			"ORDER BY t.id", sync_digest_tables[i].columns, table);

		if (!sync_digest_query (store, sum, table, sql, error))
			goto rollback;
	}
	if (!sync_digest_query (store, sum, "tombstone", "SELECT id, entity "
				"FROM tombstone ORDER BY id", error))
		goto rollback;
	if (store->txn_depth == 0 && !crm_store__exec (store, "COMMIT", error))
		goto rollback;
	return g_strdup (g_checksum_get_string (sum));

rollback:
	if (store->txn_depth == 0 && sqlite3_get_autocommit (store->db) == 0)
		sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
	return NULL;
}
