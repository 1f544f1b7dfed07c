/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-private.h: what the files of the store share and nobody else sees.
 *
 * The CrmStore struct, the SQLite boundary (statement helpers, the one
 * function that turns SQLite result codes into CrmStoreError), transactions,
 * the migration runner, the field table and the two entry points of change
 * capture (a local field write and a remote change), the CSV reader, and
 * small validation helpers used by every entity file.
 */
#ifndef CRM_STORE_PRIVATE_H
#define CRM_STORE_PRIVATE_H

#include "crm-config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "crm.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close_v2)

/*
 * CrmCachedStmt:
 * A statement lent by the store's cache (crm_store__stmt()).  It
 * is a plain sqlite3_stmt; only its cleanup differs: g_autoptr() resets it
 * and clears its bindings for the next caller instead of finalizing it.
 */
typedef sqlite3_stmt CrmCachedStmt;
void crm_store__release (CrmCachedStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCachedStmt, crm_store__release)

/* Longest text accepted in any short field (names, e-mail, handles...). */
#define CRM_STORE_MAX_FIELD_BYTES 4096
/* Longest free text outside notes (custom fields, follow-up text...). */
#define CRM_STORE_MAX_TEXT_BYTES 65536

typedef enum {
	CRM_STORE_TOMBSTONES_UNKNOWN,
	CRM_STORE_TOMBSTONES_NONE,
	CRM_STORE_TOMBSTONES_SOME,
} CrmStoreTombstones;

struct _CrmStore {
	sqlite3 *db;
	char *path;
	char *replica_id;
	gint64 replica_num;	/* this replica's row in the replica table */
	guint txn_depth;
	GHashTable *stmts;	/* SQL text -> its prepared statement */
	GHashTable *origins;	/* replica id -> its number (gint64 *) */
	GHashTable *origin_ids;	/* replica number (gint64 *) -> id */

	/* Read once per write transaction and kept here until it ends:
	 * the clock of `meta` (written back before COMMIT when it moved)
	 * and whether any tombstone exists. */
	gboolean clock_loaded;
	gboolean clock_dirty;
	gint64 hlc;
	gint64 next_seq;
	CrmStoreTombstones tombstones;
	int schema_version;	/* < 3 only for test files of old schemas */
	gint64 (*now_us) (gpointer user_data);
	gpointer now_data;
};

/* SQLite boundary (store.c). */
void crm_store__set_error_from_sqlite (GError **error,
				       sqlite3 *db,
				       int rc,
				       const char *what);
sqlite3_stmt *crm_store__prepare (CrmStore *store,
				  const char *sql,
				  GError **error);
CrmCachedStmt *crm_store__stmt (CrmStore *store,
					  const char *sql,
					  GError **error);
gboolean crm_store__exec (CrmStore *store, const char *sql, GError **error);
gboolean crm_store__step_done (CrmStore *store,
			       sqlite3_stmt *stmt,
			       GError **error);
gboolean crm_store__begin (CrmStore *store, GError **error);
gboolean crm_store__commit (CrmStore *store, GError **error);
void crm_store__rollback (CrmStore *store);
char *crm_store__column_dup (sqlite3_stmt *stmt, int col);
typedef gpointer (*CrmRowReader) (sqlite3_stmt *stmt);
GPtrArray *crm_store__collect (CrmStore *store,
			       sqlite3_stmt *stmt,
			       CrmRowReader read_row,
			       GDestroyNotify free_row,
			       GError **error);
void crm_store__bind_text (sqlite3_stmt *stmt, int idx, const char *text);
CrmStore *crm_store__open_at_version (const char *path,
				      guint busy_timeout_ms,
				      int target_version,
				      GError **error);

/* Validation helpers (store.c). */
gboolean crm_store__check_text (const char *value,
				const char *what,
				gsize max_bytes,
				gboolean required,
				GError **error);
char *crm_store__uuid_from_name (const char *ns, const char *name);
char *crm_store__casefold (const char *text);

/* Schema and migrations (schema.c). */
gboolean crm_schema__migrate (CrmStore *store,
			      int target_version,
			      GError **error);

/* Change capture (change.c). */

/*
 * CrmChange:
 * One field of one entity set to one value: the unit of the change log and
 * of replication.  @value is %NULL (SQL NULL), an int64 ("x") or a string
 * ("s") GVariant, according to the field's type.
 */
typedef struct {
	const char *origin;
	gint64 seq;
	gint64 ts;
	CrmEntity entity;
	const char *entity_id;
	const char *field;
	GVariant *value;
} CrmChange;

/* Timestamps from here on are malformed: following one could overflow the
 * clock (change.c, rule 8).  2^62 is in the year 4200. */
#define CRM_CHANGE_MAX_TS (G_GINT64_CONSTANT (1) << 62)

const char *crm_change__table_name (CrmEntity entity);
gint64 crm_change__hlc_to_us (gint64 ts);
gboolean crm_change__field_is_int (CrmEntity entity, const char *field);
gboolean crm_change__check (const CrmChange *change,
			    guint index,
			    GError **error);
gboolean crm_change__set_field_full (CrmStore *store,
				     CrmEntity entity,
				     const char *id,
				     const char *field,
				     GVariant *value,
				     gboolean always,
				     GError **error);
gboolean crm_change__append_local (CrmStore *store,
				   CrmEntity entity,
				   const char *id,
				   const char *field,
				   GVariant *value,
				   GError **error);
gboolean crm_change__set_field (CrmStore *store,
				CrmEntity entity,
				const char *id,
				const char *field,
				GVariant *value,
				GError **error);
gboolean crm_change__set_text (CrmStore *store,
			       CrmEntity entity,
			       const char *id,
			       const char *field,
			       const char *value,
			       GError **error);
gboolean crm_change__set_int (CrmStore *store,
			      CrmEntity entity,
			      const char *id,
			      const char *field,
			      gint64 value,
			      GError **error);
gboolean crm_change__apply_remote (CrmStore *store,
				   const CrmChange *changes,
				   guint n_changes,
				   guint *out_applied,
				   GError **error);
gboolean crm_change__apply_checked (CrmStore *store,
				    const CrmChange *changes,
				    guint n_changes,
				    guint *out_applied,
				    GError **error);

/* Erase and tombstones (erase.c). */
gboolean crm_erase__is_tombstoned (CrmStore *store,
				   const char *id,
				   gboolean *out_tombstoned,
				   GError **error);
gboolean crm_erase__entity (CrmStore *store,
			    CrmEntity entity,
			    const char *id,
			    GError **error);

/* Version vectors (sync.c). */
gboolean crm_sync__advance (CrmStore *store, gint64 origin, GError **error);

/* Entity helpers shared between files. */
gboolean crm_customer__require (CrmStore *store,
				const char *id,
				GError **error);
char *crm_customer__resolve (CrmStore *store,
			     const char *id,
			     GError **error);
gboolean crm_customer__write_fields (CrmStore *store,
				     const char *id,
				     const CrmCustomer *fields,
				     gboolean only_empty,
				     GError **error);
gboolean crm_customer__validate (const CrmCustomer *fields, GError **error);
CrmCustomer *crm_customer__from_row (sqlite3_stmt *stmt);
char **crm_customer__tags_from_text (const char *text);
char *crm_customer__tags_to_text (char * const *tags);
CrmNote *crm_note__from_row (sqlite3_stmt *stmt);
CrmInteraction *crm_interaction__from_row (sqlite3_stmt *stmt);
CrmFollowup *crm_followup__from_row (sqlite3_stmt *stmt);
CrmHandover *crm_handover__from_row (sqlite3_stmt *stmt);
CrmIdentity *crm_identity__from_row (sqlite3_stmt *stmt);

/*
 * The customers whose merges lead to ?1, as a CTE named `tree(id)`: used to
 * gather the notes, handles and history of merged records.
 */
#define CRM_MERGE_TREE_CTE \
	"WITH RECURSIVE tree(id) AS (SELECT ?1 UNION " \
	"SELECT c.id FROM customer c JOIN tree ON c.merged_into = tree.id) "

/* Column lists matching the *__from_row readers. */
#define CRM_CUSTOMER_COLUMNS \
	"id, name, company, email, phone, phone_e164, tags, department, " \
	"consent, custom, merged_into, created, updated"
#define CRM_NOTE_COLUMNS "id, customer_id, author, department, body, created"
#define CRM_INTERACTION_COLUMNS \
	"id, customer_id, agent, department, account, channel, started, " \
	"ended, msgs_in, msgs_out, first_response"
#define CRM_FOLLOWUP_COLUMNS \
	"id, customer_id, text, due, tz, rrule, assignee_agent, " \
	"assignee_department, status, created_by, created, done_by, done"
#define CRM_HANDOVER_COLUMNS \
	"id, customer_id, from_agent, from_department, to_department, " \
	"to_agent, note, created, accepted_by, accepted"
#define CRM_IDENTITY_COLUMNS "id, customer_id, protocol, handle, display"

/* CSV reader (import-csv.c). */
typedef struct {
	guint line;		/* line of the file where the record starts */
	GStrv fields;
} CrmCsvRecord;

void crm_csv__record_free (CrmCsvRecord *record);
GPtrArray *crm_csv__parse (const char *data, gsize len, GError **error);

G_END_DECLS

#endif /* CRM_STORE_PRIVATE_H */
