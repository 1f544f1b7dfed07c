/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-sync.h: what two replicas exchange to converge, independent of any
 * transport.
 *
 * Each replica knows, per origin replica, the highest sequence number it
 * holds without gaps: its version vector.  Anti-entropy is: send your
 * vector; the peer collects the changes you lack, in batches of bounded
 * size; you apply each batch in one transaction and answer with your new
 * vector, which acknowledges the batch and paces the sender.  Any replica
 * can fill any other's gaps, including changes that came from a third.
 * A new local change is pushed the same way: collect against the peer's
 * last known vector.  Applying is idempotent and commutative: any order of
 * any set of batches, with duplicates, gives the same state.
 *
 * Positions in the sync are sequence numbers, never times, so a replica
 * whose wall clock is wrong still syncs.
 */
#ifndef CRM_SYNC_H
#define CRM_SYNC_H

#include <glib.h>
#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmVector:
 *
 * A version vector: for each origin replica id (a UUID string), the
 * highest sequence number held without gaps.  Replicas not in the vector
 * count as 0.
 *
 * Since: 0.2
 */
typedef struct _CrmVector CrmVector;

CrmVector *crm_vector_new (void);
CrmVector *crm_vector_copy (const CrmVector *vector);
void crm_vector_free (CrmVector *vector);

/* The sequence held for @replica_id, 0 when none. */
gint64 crm_vector_get (const CrmVector *vector, const char *replica_id);

/* Sets the sequence for @replica_id (a valid UUID); 0 removes it. */
void crm_vector_set (CrmVector *vector,
		     const char *replica_id,
		     gint64 seq);

/* The replica ids in the vector, sorted; (transfer container). */
GPtrArray *crm_vector_get_replicas (const CrmVector *vector);

/* Whether every entry of @a is >= the same entry of @b. */
gboolean crm_vector_covers (const CrmVector *a, const CrmVector *b);

gboolean crm_vector_equal (const CrmVector *a, const CrmVector *b);

/**
 * CrmSyncChange:
 * @origin: the replica that made the change (UUID).
 * @seq: its sequence number at @origin, from 1.
 * @ts: hybrid logical clock timestamp: `(physical_ms << 16) | counter`.
 * @entity: the kind of entity.
 * @entity_id: the entity's UUID.
 * @field: the field's name.
 * @value: (nullable): %NULL for SQL NULL, else a "x" or "s" GVariant.
 *   An erased change has @field and @value %NULL: its place in the
 *   sequence is kept, its content is gone.
 *
 * One change as it travels between replicas.  Owned by its #CrmBatch.
 *
 * Since: 0.2
 */
typedef struct {
	char *origin;
	gint64 seq;
	gint64 ts;
	CrmEntity entity;
	char *entity_id;
	char *field;
	GVariant *value;
} CrmSyncChange;

/**
 * CrmBatch:
 *
 * An ordered list of changes.  Within one origin, changes are in
 * increasing sequence order.
 *
 * Since: 0.2
 */
typedef struct _CrmBatch CrmBatch;

CrmBatch *crm_batch_new (void);
void crm_batch_free (CrmBatch *batch);
guint crm_batch_get_n_changes (const CrmBatch *batch);
const CrmSyncChange *crm_batch_get_change (const CrmBatch *batch, guint i);

/* Appends a copy of @change.  Does not validate; crm_sync_apply() does. */
void crm_batch_add (CrmBatch *batch, const CrmSyncChange *change);

/* The sum of the raw sizes of the values (bytes of text, 8 per integer). */
gsize crm_batch_get_value_bytes (const CrmBatch *batch);

/**
 * crm_sync_get_vector:
 * @store: the store.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full): the store's version vector, or %NULL with
 *   @error set.
 */
CrmVector *crm_sync_get_vector (CrmStore *store, GError **error);

/**
 * crm_sync_collect:
 * @store: the store.
 * @peer: the peer's version vector (what it already holds).
 * @max_changes: the most changes in the batch (at least 1).
 * @max_value_bytes: stop adding changes once the values add up to this
 *   many bytes (at least one change is always added when any is lacking).
 * @error: return location for a #GError.
 *
 * The changes this store holds that @peer lacks, oldest first per origin,
 * with no gap per origin after the peer's entry, so that applying the
 * batch advances the peer's vector.  An empty batch means the peer lacks
 * nothing this store has.
 *
 * Returns: (transfer full): the batch, or %NULL with @error set.
 */
CrmBatch *crm_sync_collect (CrmStore *store,
			    const CrmVector *peer,
			    guint max_changes,
			    gsize max_value_bytes,
			    GError **error);

/**
 * crm_sync_apply:
 * @store: the store.
 * @batch: changes from a peer (of any origin, this store's own included).
 * @out_vector: (out) (optional) (transfer full): the store's version
 *   vector after the batch, to send back as the acknowledgement.
 * @error: return location for a #GError.
 *
 * Applies every change of @batch by the merge rules, in one transaction:
 * all of the batch or nothing.  Changes already held are skipped.  A batch
 * with any malformed change (unknown entity or field, a value of the wrong
 * type, an invalid id) is refused whole with %CRM_STORE_ERROR_INVALID.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_sync_apply (CrmStore *store,
			 const CrmBatch *batch,
			 CrmVector **out_vector,
			 GError **error);

/**
 * crm_sync_digest:
 * @store: the store.
 * @error: return location for a #GError.
 *
 * A digest of the store's replicated state (every entity's visible
 * fields, not the change log and not local-only tables), equal on two
 * replicas exactly when they have converged.
 *
 * Returns: (transfer full): a hex SHA-256, or %NULL with @error set.
 */
char *crm_sync_digest (CrmStore *store, GError **error);

/**
 * CRM_SYNC_MAX_CLOCK_AHEAD_US:
 *
 * A replicated change whose timestamp is further than this ahead of the
 * receiver's wall clock is still applied by the same rule as every other
 * (the receiver's clock then follows it, so the next edit anywhere orders
 * after it), but it is counted, so that a wrong clock can be found.
 *
 * Since: 0.2
 */
#define CRM_SYNC_MAX_CLOCK_AHEAD_US (5 * G_TIME_SPAN_MINUTE)

/**
 * crm_sync_get_clock_ahead_count:
 * @store: the store.
 * @out_count: (out): how many replicated changes this replica applied with
 *   a timestamp more than %CRM_SYNC_MAX_CLOCK_AHEAD_US ahead of its clock.
 * @error: return location for a #GError.
 *
 * Returns: %TRUE on success.
 *
 * Since: 0.2
 */
gboolean crm_sync_get_clock_ahead_count (CrmStore *store,
					 gint64 *out_count,
					 GError **error);

/**
 * crm_customer_erase:
 * @store: the store.
 * @id: a customer id.
 * @error: return location for a #GError.
 *
 * Erases a customer for good (the right to be forgotten): its fields,
 * notes, identities, interactions, follow-ups and handovers leave the
 * state and the change log, on this replica now and on every replica the
 * erase reaches; only the fact that @id was erased stays, so that no late
 * change brings any of it back.  The records merged into @id are erased
 * with it.  Erasing an erased id succeeds and does nothing; an unknown id
 * is %CRM_STORE_ERROR_NOT_FOUND.  The rules are in shared-store/change.c.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_customer_erase (CrmStore *store, const char *id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmVector, crm_vector_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmBatch, crm_batch_free)

G_END_DECLS

#endif /* CRM_SYNC_H */
