/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * schema.c: the tables of a replica and the migrations that make them.
 *
 * DESIGN
 *
 * One replica is one SQLite file.  It runs in WAL mode, so that the chat
 * client's reads (a customer card when a conversation opens) never wait for
 * a writer, with synchronous=NORMAL (a power cut may lose the last commits
 * but never corrupts the file), foreign keys on, and a busy timeout given
 * by the caller.
 *
 * Version.  The schema version is `PRAGMA user_version`.  The migrations
 * below are a list of steps; step N turns a version N-1 file into a version
 * N file.  Each step runs in its own transaction, opened with BEGIN
 * IMMEDIATE so that the write lock is taken first and the busy timeout
 * applies to taking it (SQLite does not retry a lock upgrade in WAL mode),
 * and the same transaction sets user_version.  A step that fails rolls back
 * whole: the file stays exactly at the previous version, with no half-made
 * table, and the next open resumes from there.  The version is read again
 * inside the transaction, so two programs opening the same old file at
 * once upgrade it once.  A file whose version is newer than this build
 * knows is refused before anything is written to it.  Old steps are never
 * edited: version 1 is the SQL that version 1 shipped, and the tests build
 * version 1 files by running only that step.
 *
 * State and changes.  Every entity table (customer, identity, note,
 * interaction, followup, handover, agent) holds the current state, one row
 * per entity, keyed by a UUID in text form.  The state is derived: what
 * replicates is the change log.  A change sets one field of one entity and
 * is identified by (origin, seq), the replica that made it and that
 * replica's sequence number; it carries a hybrid logical clock timestamp
 * `ts`.  Origins are stored as small integers through the `replica` table,
 * since the change log is the biggest table and a UUID in every row would
 * double it.  `field_clock` keeps, for each (entity, field), the (ts,
 * origin) of the change whose value the state holds; a change whose (ts,
 * origin replica id) is greater wins, anything else is only logged.  So
 * applying changes is idempotent (the change log's primary key catches a
 * duplicate) and commutative (the greatest change wins whatever the order).
 * Deleting sets the field `deleted`; a concurrent edit of another field
 * does not revive an entity, a later create (deleted = 0) does.
 *
 * Clock.  `meta` holds this replica's id, the last hybrid logical clock
 * value handed out or seen, and the next sequence number.  The clock is
 * (physical milliseconds << 16) | counter; it never goes back, even when
 * the wall clock does, and it moves past every remote timestamp applied,
 * so a local edit always orders after what this replica has seen.
 *
 * References.  Rows refer to customers with foreign keys.  On the local
 * path a missing customer is an error; on the remote path changes can
 * arrive in any order, so a reference to a customer not (yet) known makes
 * a bare placeholder row (all fields NULL) that the customer's own changes
 * fill in later.  Placeholders have no name and are invisible to reads.
 *
 * Identity ids.  A chat handle's identity id is a name-based UUID of
 * (protocol, handle), so two replicas that link the same handle write the
 * same entity, and "one customer per handle" holds after merging without
 * a UNIQUE constraint that a remote change could violate.
 *
 * Local-only data.  `notified` (version 2) remembers which follow-up
 * occurrences this replica has already shown; it is never in the change
 * log, since every replica notifies its own user.
 *
 * Version 2 adds `notified` and the interaction's first-response time.
 *
 * Version 3 adds what sync needs (the rules are in the essay at the top of
 * change.c).  `vector` keeps, per origin, the highest sequence held
 * without a gap, maintained as changes arrive, so that a peer's hello is
 * answered without reading the log.  `tombstone` keeps the ids that an
 * erase removed, with their kind, so that no late change brings them back.
 * The change log is rebuilt once: an erased change keeps origin, seq, ts,
 * entity and entity id but loses field and value, so those columns must
 * take NULL; and `value` gets BLOB (no) affinity, because the version 1
 * column, declared ANY, had NUMERIC affinity and stored the text "0042"
 * as the integer 42.  `change_by_ref` finds every entity that ever named a
 * customer in its `customer_id`, which an erase needs.  `meta` counts the
 * changes that arrived with a clock far ahead of ours.
 */
#include "store-private.h"

typedef struct {
	int version;
	const char *sql;
	gboolean (*post) (CrmStore *store, GError **error);
} SchemaStep;

static const char schema_v1[] =
	"CREATE TABLE meta ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" replica_id TEXT NOT NULL,"
	" hlc INTEGER NOT NULL,"
	" next_seq INTEGER NOT NULL);"
	"CREATE TABLE replica ("
	" num INTEGER PRIMARY KEY,"
	" id TEXT NOT NULL UNIQUE);"
	"CREATE TABLE change ("
	" origin INTEGER NOT NULL REFERENCES replica (num),"
	" seq INTEGER NOT NULL,"
	" ts INTEGER NOT NULL,"
	" entity INTEGER NOT NULL,"
	" entity_id TEXT NOT NULL,"
	" field TEXT NOT NULL,"
	" value ANY,"
	" PRIMARY KEY (origin, seq)) WITHOUT ROWID;"
	"CREATE INDEX change_by_entity ON change (entity_id, field);"
	"CREATE TABLE field_clock ("
	" entity_id TEXT NOT NULL,"
	" field TEXT NOT NULL,"
	" ts INTEGER NOT NULL,"
	" origin INTEGER NOT NULL REFERENCES replica (num),"
	" PRIMARY KEY (entity_id, field)) WITHOUT ROWID;"
	"CREATE TABLE customer ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" name TEXT, company TEXT, email TEXT, email_norm TEXT,"
	" phone TEXT, phone_e164 TEXT, tags TEXT, department TEXT,"
	" consent TEXT, custom TEXT,"
	" merged_into TEXT REFERENCES customer (id),"
	" deleted INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER, updated INTEGER);"
	"CREATE INDEX customer_by_email ON customer (email_norm);"
	"CREATE INDEX customer_by_name ON customer (name, company);"
	"CREATE INDEX customer_by_merge ON customer (merged_into)"
	" WHERE merged_into IS NOT NULL;"
	"CREATE TABLE identity ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" customer_id TEXT REFERENCES customer (id),"
	" protocol TEXT, handle TEXT, display TEXT,"
	" deleted INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX identity_by_handle ON identity (protocol, handle);"
	"CREATE INDEX identity_by_customer ON identity (customer_id);"
	"CREATE TABLE note ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" customer_id TEXT REFERENCES customer (id),"
	" author TEXT, department TEXT, body TEXT, created INTEGER,"
	" deleted INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX note_by_customer ON note (customer_id, created);"
	"CREATE TABLE interaction ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" customer_id TEXT REFERENCES customer (id),"
	" agent TEXT, department TEXT, account TEXT, channel TEXT,"
	" started INTEGER, ended INTEGER, msgs_in INTEGER, msgs_out INTEGER,"
	" deleted INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX interaction_by_customer"
	" ON interaction (customer_id, started);"
	"CREATE TABLE followup ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" customer_id TEXT REFERENCES customer (id),"
	" text TEXT, due INTEGER, tz TEXT, rrule TEXT,"
	" assignee_agent TEXT, assignee_department TEXT,"
	" status INTEGER NOT NULL DEFAULT 0,"
	" created_by TEXT, created INTEGER, done_by TEXT, done INTEGER,"
	" deleted INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX followup_by_status ON followup (status, due);"
	"CREATE INDEX followup_by_customer ON followup (customer_id, due);"
	"CREATE TABLE handover ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" customer_id TEXT REFERENCES customer (id),"
	" from_agent TEXT, from_department TEXT,"
	" to_department TEXT, to_agent TEXT, note TEXT, created INTEGER,"
	" accepted_by TEXT, accepted INTEGER,"
	" deleted INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX handover_by_customer ON handover (customer_id, created);"
	"CREATE INDEX handover_pending ON handover (created)"
	" WHERE accepted_by IS NULL;"
	"CREATE TABLE agent ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" replica TEXT, name TEXT, department TEXT, account TEXT,"
	" deleted INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX agent_by_name ON agent (name);";

static const char schema_v2[] =
	"CREATE TABLE notified ("
	" followup_id TEXT NOT NULL REFERENCES followup (id),"
	" due_us INTEGER NOT NULL,"
	" PRIMARY KEY (followup_id, due_us)) WITHOUT ROWID;"
	"ALTER TABLE interaction ADD COLUMN first_response INTEGER;";

static const char schema_v3[] =
	"CREATE TABLE change_v3 ("
	" origin INTEGER NOT NULL REFERENCES replica (num),"
	" seq INTEGER NOT NULL,"
	" ts INTEGER NOT NULL,"
	" entity INTEGER,"
	" entity_id TEXT,"
	" field TEXT,"
	" value BLOB,"
	" PRIMARY KEY (origin, seq)) WITHOUT ROWID;"
	"INSERT INTO change_v3 (origin, seq, ts, entity, entity_id, field,"
	" value) SELECT origin, seq, ts, entity, entity_id, field, value"
	" FROM change;"
	"DROP TABLE change;"
	"ALTER TABLE change_v3 RENAME TO change;"
	"CREATE INDEX change_by_entity ON change (entity_id, field);"
	"CREATE INDEX change_by_ref ON change (value)"
	" WHERE field = 'customer_id';"
	"CREATE TABLE vector ("
	" origin INTEGER PRIMARY KEY REFERENCES replica (num),"
	" seq INTEGER NOT NULL);"
	"INSERT INTO vector (origin, seq)"
	" SELECT c.origin, min(c.seq) FROM change c"
	" WHERE EXISTS (SELECT 1 FROM change f"
	"  WHERE f.origin = c.origin AND f.seq = 1)"
	" AND NOT EXISTS (SELECT 1 FROM change n"
	"  WHERE n.origin = c.origin AND n.seq = c.seq + 1)"
	" GROUP BY c.origin;"
	"CREATE TABLE tombstone ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" entity INTEGER NOT NULL) WITHOUT ROWID;"
	"ALTER TABLE meta ADD COLUMN clock_ahead INTEGER NOT NULL DEFAULT 0;";

/* Version 1 also makes this replica's identity: a random id, clock 0. */
static gboolean
schema_v1_post (CrmStore *store, GError **error)
{
	g_autoptr(sqlite3_stmt) meta = NULL;
	g_autoptr(sqlite3_stmt) replica = NULL;
	g_autofree char *id = g_uuid_string_random ();

	meta = crm_store__prepare (store,
				   "INSERT INTO meta (id, replica_id, hlc, "
				   "next_seq) VALUES (1, ?1, 0, 1)", error);
	if (meta == NULL)
		return FALSE;
	crm_store__bind_text (meta, 1, id);
	if (!crm_store__step_done (store, meta, error))
		return FALSE;
	replica = crm_store__prepare (store,
				      "INSERT INTO replica (id) VALUES (?1)",
				      error);
	if (replica == NULL)
		return FALSE;
	crm_store__bind_text (replica, 1, id);
	return crm_store__step_done (store, replica, error);
}

static const SchemaStep schema_steps[] = {
	{ 1, schema_v1, schema_v1_post },
	{ 2, schema_v2, NULL },
	{ 3, schema_v3, NULL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (schema_steps) == CRM_STORE_SCHEMA_VERSION);

/* One step in one transaction; the version is read under the write lock. */
static gboolean
schema_run_step (CrmStore *store, const SchemaStep *step, GError **error)
{
	g_autofree char *bump = NULL;
	int version = 0;

	if (!crm_store__begin (store, error))
		return FALSE;
	if (!crm_store_get_schema_version (store, &version, error))
		goto rollback;
	if (version >= step->version)
		return crm_store__commit (store, error);
	g_assert (version == step->version - 1);

	if (!crm_store__exec (store, step->sql, error))
		goto rollback;
	if (step->post && !step->post (store, error))
		goto rollback;
	bump = g_strdup_printf ("PRAGMA user_version = %d", step->version);
	if (!crm_store__exec (store, bump, error))
		goto rollback;
	if (!crm_store__commit (store, error))
		return FALSE;
	g_info ("store schema upgraded to version %d", step->version);
	return TRUE;

rollback:
	crm_store__rollback (store);
	return FALSE;
}

/*
 * crm_schema__migrate:
 * Brings the file to @target_version, one step per transaction.  On
 * failure the error says which version the file was left at.
 */
gboolean
crm_schema__migrate (CrmStore *store, int target_version, GError **error)
{
	int version = 0;
	gsize i;

	g_assert (target_version >= 1 &&
		  target_version <= CRM_STORE_SCHEMA_VERSION);

	if (!crm_store_get_schema_version (store, &version, error))
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS (schema_steps); i++) {
		const SchemaStep *step = &schema_steps[i];

		if (step->version <= version)
			continue;
		if (step->version > target_version)
			break;
		if (!schema_run_step (store, step, error)) {
			g_prefix_error (error,
					_("Upgrading the customer store to schema version %d failed; it stays at version %d: "),
					step->version, step->version - 1);
			return FALSE;
		}
	}
	return TRUE;
}
