/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-store.h: opening, closing and describing the shared store.
 *
 * A CrmStore is one replica of the team's CRM: one SQLite file in WAL mode
 * with foreign keys on and a busy timeout.  Every entity is keyed by a random
 * UUID, and every field change goes through one internal function that writes
 * the state row and the change log in the same transaction, so that the
 * replication layer can ship and merge changes field by field.
 *
 * A CrmStore is not thread-safe: use it from one thread (the client's main
 * loop), as libpurple does.
 */
#ifndef CRM_STORE_H
#define CRM_STORE_H

#include <glib.h>

G_BEGIN_DECLS

/**
 * CRM_STORE_ERROR:
 *
 * The error domain of every function of the store.
 */
#define CRM_STORE_ERROR (crm_store_error_quark ())
GQuark crm_store_error_quark (void);

/**
 * CrmStoreError:
 * @CRM_STORE_ERROR_FAILED: anything not listed below; the message says what.
 * @CRM_STORE_ERROR_BUSY: another connection holds the lock for longer than
 *   the busy timeout.  Nothing was changed; the same call may succeed later.
 * @CRM_STORE_ERROR_CORRUPT: the file is not a database or fails its checks.
 * @CRM_STORE_ERROR_VERSION: the file was written by a newer version of the
 *   schema than this build knows, or a sync frame by a newer protocol.
 * @CRM_STORE_ERROR_NOT_FOUND: the entity named does not exist (or is deleted).
 * @CRM_STORE_ERROR_INVALID: a value given by the caller is not acceptable;
 *   the message says which and why.  Nothing was changed.
 * @CRM_STORE_ERROR_CONFLICT: the change contradicts the store's state (a
 *   handle already linked to another customer, a handover already accepted).
 * @CRM_STORE_ERROR_NO_SPACE: the disk is full.  Nothing was changed.
 * @CRM_STORE_ERROR_READONLY: the file or its directory cannot be written.
 * @CRM_STORE_ERROR_FRAME: a sync frame was refused whole (wrong size, form
 *   or tag); the message gives the reason, and nothing of it was applied.
 *   A frame from a newer protocol version gives %CRM_STORE_ERROR_VERSION.
 *
 * Since: 0.1
 */
typedef enum {
	CRM_STORE_ERROR_FAILED,
	CRM_STORE_ERROR_BUSY,
	CRM_STORE_ERROR_CORRUPT,
	CRM_STORE_ERROR_VERSION,
	CRM_STORE_ERROR_NOT_FOUND,
	CRM_STORE_ERROR_INVALID,
	CRM_STORE_ERROR_CONFLICT,
	CRM_STORE_ERROR_NO_SPACE,
	CRM_STORE_ERROR_READONLY,
	CRM_STORE_ERROR_FRAME,
} CrmStoreError;

/**
 * CrmEntity:
 *
 * The kinds of entity the data model has (shared/DESIGN.md, "Data model").
 * The numeric values go into the change log and over the wire: never
 * renumber them.
 *
 * Since: 0.1
 */
typedef enum {
	CRM_ENTITY_CUSTOMER = 1,
	CRM_ENTITY_IDENTITY = 2,
	CRM_ENTITY_NOTE = 3,
	CRM_ENTITY_INTERACTION = 4,
	CRM_ENTITY_FOLLOWUP = 5,
	CRM_ENTITY_HANDOVER = 6,
	CRM_ENTITY_AGENT = 7,
} CrmEntity;

/**
 * CRM_STORE_SCHEMA_VERSION:
 *
 * The schema version this build writes, kept in `PRAGMA user_version`.
 */
#define CRM_STORE_SCHEMA_VERSION 3

/**
 * CRM_STORE_DEFAULT_BUSY_TIMEOUT_MS:
 *
 * How long a statement waits for another connection's lock by default.
 */
#define CRM_STORE_DEFAULT_BUSY_TIMEOUT_MS 5000

typedef struct _CrmStore CrmStore;

/**
 * crm_store_open:
 * @path: the database file; created with its directory if missing.
 *   ":memory:" opens a private in-memory store (tests).
 * @busy_timeout_ms: how long to wait for another connection's lock, in
 *   milliseconds, before failing with %CRM_STORE_ERROR_BUSY.
 * @error: return location for a #GError.
 *
 * Opens the store, creating or upgrading the schema.  Each migration step
 * runs in its own transaction: when one fails (a lock held past the timeout,
 * a full disk), the file is left exactly at the previous version, the error
 * says so, and a later call resumes from there.
 *
 * Returns: (transfer full): the store, or %NULL with @error set.
 *
 * Since: 0.1
 */
CrmStore *crm_store_open (const char *path,
			  guint busy_timeout_ms,
			  GError **error);

/**
 * crm_store_close:
 * @store: (nullable) (transfer full): the store.
 *
 * Closes the database and frees @store.
 */
void crm_store_close (CrmStore *store);

/**
 * crm_store_get_path:
 * @store: the store.
 *
 * Returns: (transfer none): the path the store was opened with.
 */
const char *crm_store_get_path (CrmStore *store);

/**
 * crm_store_get_replica_id:
 * @store: the store.
 *
 * The random id of this replica, made when the file was created.
 *
 * Returns: (transfer none): a UUID string.
 */
const char *crm_store_get_replica_id (CrmStore *store);

/**
 * crm_store_get_schema_version:
 * @store: the store.
 * @out_version: (out): the value of `PRAGMA user_version`.
 * @error: return location for a #GError.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_store_get_schema_version (CrmStore *store,
				       int *out_version,
				       GError **error);

/**
 * crm_store_set_clock:
 * @store: the store.
 * @now_us: (nullable): a function returning the wall clock in UTC
 *   microseconds, or %NULL for g_get_real_time().
 * @user_data: passed to @now_us.
 *
 * Replaces the wall clock the store reads (tests and simulators).
 */
void crm_store_set_clock (CrmStore *store,
			  gint64 (*now_us) (gpointer user_data),
			  gpointer user_data);

/**
 * crm_store_now:
 * @store: the store.
 *
 * Returns: the store's wall clock, UTC microseconds.
 */
gint64 crm_store_now (CrmStore *store);

/**
 * crm_store_count_changes:
 * @store: the store.
 * @out_count: (out): number of rows in the change log.
 * @error: return location for a #GError.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_store_count_changes (CrmStore *store,
				  gint64 *out_count,
				  GError **error);

/**
 * crm_uuid_is_valid:
 * @id: (nullable): a string.
 *
 * Returns: whether @id is a UUID in the canonical lower-case form.
 */
gboolean crm_uuid_is_valid (const char *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmStore, crm_store_close)

G_END_DECLS

#endif /* CRM_STORE_H */
