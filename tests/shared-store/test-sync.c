/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-sync.c: version vectors, anti-entropy (collect and apply), the
 * merge rules of change.c (erase, merge, handover acceptance, clock skew),
 * the state digest, and the shared replication cases F10, F11 and F12.
 *
 * Most tests run two or three in-memory replicas with injected clocks and
 * move changes between them only through crm_sync_collect() and
 * crm_sync_apply(), as the transport does.
 */
#include "test-common.h"

#define T0 G_GINT64_CONSTANT (1767225600000000)	/* 2026-01-01 UTC */
#define RC "cccccccc-0000-4000-8000-0000000000cc"

/* Anti-entropy between two stores until neither lacks anything, in
 * batches of @max changes; returns how many batches moved. */
static guint
sync_until_quiet (CrmStore *a, CrmStore *b, guint max)
{
	CrmStore *pair[2] = { a, b };
	guint batches = 0, rounds;
	gboolean moved = TRUE;

	for (rounds = 0; moved; rounds++) {
		int k;

		g_assert_cmpuint (rounds, <, 10000);
		moved = FALSE;
		for (k = 0; k < 2; k++) {
			g_autoptr(GError) error = NULL;
			g_autoptr(CrmVector) peer = NULL;
			g_autoptr(CrmVector) ack = NULL;
			g_autoptr(CrmBatch) batch = NULL;

			peer = crm_sync_get_vector (pair[1 - k], &error);
			g_assert_no_error (error);
			batch = crm_sync_collect (pair[k], peer, max, 4096,
						  &error);
			g_assert_no_error (error);
			if (crm_batch_get_n_changes (batch) == 0)
				continue;
			g_assert_true (crm_sync_apply (pair[1 - k], batch,
						       &ack, &error));
			g_assert_no_error (error);
			/* The acknowledgement moved past the peer's vector. */
			g_assert_true (crm_vector_covers (ack, peer));
			g_assert_false (crm_vector_equal (ack, peer));
			moved = TRUE;
			batches++;
		}
	}
	return batches;
}

/* Everything @from holds that @peer_vector lacks, in one batch. */
static CrmBatch *
sync_all (CrmStore *from, const CrmVector *peer_vector)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmVector) empty = crm_vector_new ();
	CrmBatch *batch;

	batch = crm_sync_collect (from, peer_vector ? peer_vector : empty,
				  100000, G_MAXSIZE, &error);
	g_assert_no_error (error);
	return batch;
}

static void
sync_apply_ok (CrmStore *store, const CrmBatch *batch)
{
	g_autoptr(GError) error = NULL;

	g_assert_true (crm_sync_apply (store, batch, NULL, &error));
	g_assert_no_error (error);
}

/* One-way pull: @to gets what it lacks from @from. */
static void
sync_pull (CrmStore *to, CrmStore *from)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmVector) v = crm_sync_get_vector (to, &error);
	g_autoptr(CrmBatch) batch = NULL;

	g_assert_no_error (error);
	batch = sync_all (from, v);
	sync_apply_ok (to, batch);
}

static CrmVector *
sync_vector (CrmStore *store)
{
	g_autoptr(GError) error = NULL;
	CrmVector *v = crm_sync_get_vector (store, &error);

	g_assert_no_error (error);
	return v;
}

static char *
sync_digest (CrmStore *store)
{
	g_autoptr(GError) error = NULL;
	char *d = crm_sync_digest (store, &error);

	g_assert_no_error (error);
	g_assert_cmpuint (strlen (d), ==, 64);
	return d;
}

static void
assert_converged (CrmStore *a, CrmStore *b)
{
	g_autofree char *da = sync_digest (a);
	g_autofree char *db = sync_digest (b);
	g_autoptr(CrmVector) va = sync_vector (a);
	g_autoptr(CrmVector) vb = sync_vector (b);

	g_assert_cmpstr (da, ==, db);
	g_assert_true (crm_vector_equal (va, vb));
}

/* The changes of @batch with index in [from, to). */
static CrmBatch *
batch_slice (const CrmBatch *batch, guint from, guint to)
{
	CrmBatch *out = crm_batch_new ();
	guint i;

	for (i = from; i < to && i < crm_batch_get_n_changes (batch); i++)
		crm_batch_add (out, crm_batch_get_change (batch, i));
	return out;
}

static void
test_vector_api (void)
{
	g_autoptr(CrmVector) a = crm_vector_new ();
	g_autoptr(CrmVector) b = NULL;
	g_autoptr(GPtrArray) ids = NULL;

	crm_vector_set (a, RC, 5);
	crm_vector_set (a, "aaaaaaaa-0000-4000-8000-000000000001", 2);
	b = crm_vector_copy (a);
	g_assert_true (crm_vector_equal (a, b));
	crm_vector_set (b, RC, 6);
	g_assert_true (crm_vector_covers (b, a));
	g_assert_false (crm_vector_covers (a, b));
	crm_vector_set (b, RC, 0);
	g_assert_cmpint (crm_vector_get (b, RC), ==, 0);
	ids = crm_vector_get_replicas (a);
	g_assert_cmpuint (ids->len, ==, 2);
	g_assert_cmpstr (ids->pdata[0], <, ids->pdata[1]);
}

/* A push of later changes before the gap is filled: applied and held,
 * the vector stays at the gap and moves over it when it fills. */
static void
test_vector_gaps (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(CrmBatch) all = NULL;
	g_autoptr(CrmBatch) head = NULL;
	g_autoptr(CrmBatch) gap = NULL;
	g_autoptr(CrmBatch) tail = NULL;
	g_autoptr(CrmBatch) relay = NULL;
	g_autoptr(CrmVector) v = NULL;
	g_autoptr(CrmCustomer) c = NULL;
	g_autofree char *id = test_customer (a, "Yuki Sato", NULL);
	const char *ra = crm_store_get_replica_id (a);

	c = crm_customer_get (a, id, NULL);
	g_free (c->phone);
	c->phone = g_strdup ("+81 3 0000 0000");
	g_assert_true (crm_customer_update (a, c, NULL));
	all = sync_all (a, NULL);
	/* name, created, deleted, phone */
	g_assert_cmpuint (crm_batch_get_n_changes (all), ==, 4);
	head = batch_slice (all, 0, 2);
	gap = batch_slice (all, 2, 3);
	tail = batch_slice (all, 3, 4);

	sync_apply_ok (b, head);
	sync_apply_ok (b, tail);
	v = sync_vector (b);
	g_assert_cmpint (crm_vector_get (v, ra), ==, 2);
	g_assert_cmpint (test_changes (b), ==, 3);
	/* Held changes are in the state already (the phone is seq 4)... */
	g_assert_cmpint (test_count (b, "SELECT count(*) FROM customer "
				     "WHERE phone IS NOT NULL"), ==, 1);
	/* ...but are not passed on beyond the gap. */
	relay = sync_all (b, NULL);
	g_assert_cmpuint (crm_batch_get_n_changes (relay), ==, 2);

	sync_apply_ok (b, gap);
	g_clear_pointer (&v, crm_vector_free);
	v = sync_vector (b);
	g_assert_cmpint (crm_vector_get (v, ra), ==, 4);
	assert_converged (a, b);
}

static void
test_collect_bounds (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmVector) empty = crm_vector_new ();
	g_autoptr(CrmVector) full = NULL;
	g_autoptr(CrmBatch) batch = NULL;
	g_autoptr(GError) error = NULL;
	guint i;

	for (i = 0; i < 10; i++) {
		g_autofree char *name = g_strdup_printf ("Customer %u", i);
		g_autofree char *id = test_customer (a, name, NULL);
	}
	batch = crm_sync_collect (a, empty, 7, G_MAXSIZE, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (crm_batch_get_n_changes (batch), ==, 7);
	for (i = 0; i < 7; i++)
		g_assert_cmpint (crm_batch_get_change (batch, i)->seq, ==,
				 i + 1);
	crm_batch_free (batch);

	/* "Customer 0" is 10 bytes, created 8: 18 fit, the next does not. */
	batch = crm_sync_collect (a, empty, 100, 20, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (crm_batch_get_n_changes (batch), ==, 2);
	g_assert_cmpuint (crm_batch_get_value_bytes (batch), <=, 20);
	crm_batch_free (batch);

	/* A budget smaller than one change still moves one. */
	batch = crm_sync_collect (a, empty, 100, 0, &error);
	g_assert_cmpuint (crm_batch_get_n_changes (batch), ==, 1);
	crm_batch_free (batch);

	full = sync_vector (a);
	batch = crm_sync_collect (a, full, 100, G_MAXSIZE, &error);
	g_assert_cmpuint (crm_batch_get_n_changes (batch), ==, 0);
}

/* C never talks to A, yet gets A's changes through B. */
static void
test_relay (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(CrmStore) c = test_store_memory (&clock);
	g_autoptr(CrmCustomer) got = NULL;
	g_autoptr(CrmVector) vc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *id = test_customer (a, "Karl Weber", NULL);

	sync_until_quiet (a, b, 3);
	sync_until_quiet (b, c, 2);
	got = crm_customer_get (c, id, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (got->name, ==, "Karl Weber");
	vc = sync_vector (c);
	g_assert_cmpint (crm_vector_get (vc, crm_store_get_replica_id (a)), ==,
			 3);
	assert_converged (a, c);
}

static void
test_apply_idempotent (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(CrmBatch) batch = NULL;
	g_autofree char *id = test_customer (a, "Dana Reyes", NULL);
	g_autofree char *d1 = NULL;
	g_autofree char *d2 = NULL;
	g_autofree char *da = NULL;
	gint64 n;

	batch = sync_all (a, NULL);
	sync_apply_ok (b, batch);
	d1 = sync_digest (b);
	n = test_changes (b);
	sync_apply_ok (b, batch);
	d2 = sync_digest (b);
	g_assert_cmpstr (d1, ==, d2);
	g_assert_cmpint (test_changes (b), ==, n);

	/* Our own changes coming back are a no-op. */
	da = sync_digest (a);
	sync_apply_ok (a, batch);
	g_assert_cmpint (test_changes (a), ==, n);
	g_free (d1);
	d1 = sync_digest (a);
	g_assert_cmpstr (d1, ==, da);
}

static void
test_malformed (void)
{
	g_autoptr(CrmStore) b = test_store_memory (NULL);
	g_autoptr(GVariant) name = g_variant_ref_sink (
		g_variant_new_string ("Ok"));
	g_autoptr(GVariant) number = g_variant_ref_sink (
		g_variant_new_int64 (3));
	const char *cid = "cccccccc-0000-4000-8000-00000000000c";
	CrmSyncChange good = { (char *) RC, 1, 1 << 16, CRM_ENTITY_CUSTOMER,
			       (char *) cid, (char *) "name", name };
	CrmSyncChange bad[] = {
		{ (char *) RC, 2, 1 << 16, CRM_ENTITY_CUSTOMER, (char *) cid,
		  (char *) "nope", name },
		{ (char *) RC, 2, 1 << 16, CRM_ENTITY_CUSTOMER, (char *) cid,
		  (char *) "name", number },
		{ (char *) RC, 2, 1 << 16, CRM_ENTITY_NOTE, (char *) cid,
		  (char *) "phone", name },
		{ (char *) "RC", 2, 1 << 16, CRM_ENTITY_CUSTOMER, (char *) cid,
		  (char *) "name", name },
		{ (char *) RC, 0, 1 << 16, CRM_ENTITY_CUSTOMER, (char *) cid,
		  (char *) "name", name },
		{ (char *) RC, 2, 0, CRM_ENTITY_CUSTOMER, (char *) cid,
		  (char *) "name", name },
		{ (char *) RC, 2, 1 << 16, CRM_ENTITY_CUSTOMER, (char *) "x",
		  (char *) "name", name },
		{ (char *) RC, 2, 1 << 16, CRM_ENTITY_CUSTOMER, (char *) cid,
		  NULL, name },
		{ (char *) RC, 2, 1 << 16, CRM_ENTITY_CUSTOMER, (char *) cid,
		  (char *) "merged_into", name },
		{ (char *) RC, 2, G_MAXINT64, CRM_ENTITY_CUSTOMER,
		  (char *) cid, (char *) "name", name },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr(CrmBatch) batch = crm_batch_new ();
		g_autoptr(GError) error = NULL;

		crm_batch_add (batch, &good);
		crm_batch_add (batch, &bad[i]);
		g_assert_false (crm_sync_apply (b, batch, NULL, &error));
		g_assert_error (error, CRM_STORE_ERROR,
				CRM_STORE_ERROR_INVALID);
	}
	g_assert_cmpint (test_changes (b), ==, 0);
	g_assert_cmpint (test_count (b, "SELECT count(*) FROM customer"), ==,
			 0);
	g_assert_cmpint (test_count (b, "SELECT count(*) FROM vector"), ==, 0);
}

static void
test_busy (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autofree char *dir = test_dir_new ();
	g_autofree char *path = g_build_filename (dir, "b.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmBatch) batch = NULL;
	g_autofree char *id = test_customer (a, "Noor Haddad", NULL);
	CrmStore *b = crm_store_open (path, 100, &error);
	sqlite3 *other = NULL;

	g_assert_no_error (error);
	batch = sync_all (a, NULL);
	g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL,
				       NULL), ==, SQLITE_OK);
	g_assert_false (crm_sync_apply (b, batch, NULL, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY);
	g_clear_error (&error);
	sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close (other);
	g_assert_cmpint (test_changes (b), ==, 0);
	g_assert_cmpint (test_count (b, "SELECT count(*) FROM vector"), ==, 0);

	sync_apply_ok (b, batch);
	assert_converged (a, b);
	crm_store_close (b);
	test_dir_remove (dir);
}

typedef struct {
	char *customer;
	char *note;
	char *followup;
	char *handover;
} EraseFixture;

static void
erase_fixture_fill (CrmStore *a, EraseFixture *f)
{
	g_autoptr(GError) error = NULL;
	CrmFollowup fu = { 0 };
	CrmHandover ho = { 0 };

	f->customer = test_customer (a, "Ada Secret", "ada@secret.example");
	f->note = crm_note_add (a, f->customer, "ana", "support",
				"Secret body", &error);
	g_assert_no_error (error);
	g_assert_true (crm_identity_link (a, f->customer, "prpl-jabber",
					  "ada@secret.example", NULL, &error));
	fu.customer_id = f->customer;
	fu.text = (char *) "Call Ada back";
	fu.due_us = T0 + G_TIME_SPAN_DAY;
	fu.tz = (char *) "UTC";
	fu.assignee_agent = (char *) "ana";
	fu.created_by = (char *) "ana";
	f->followup = crm_followup_add (a, &fu, &error);
	g_assert_no_error (error);
	ho.customer_id = f->customer;
	ho.from_agent = (char *) "ana";
	ho.to_department = (char *) "billing";
	ho.note = (char *) "Secret refund";
	f->handover = crm_handover_create (a, &ho, &error);
	g_assert_no_error (error);
}

static void
erase_fixture_clear (EraseFixture *f)
{
	g_free (f->customer);
	g_free (f->note);
	g_free (f->followup);
	g_free (f->handover);
}

/* Nothing of the erased customer is readable, in state or log. */
static void
assert_erased (CrmStore *s, const EraseFixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) c = crm_customer_get (s, f->customer, &error);
	g_autofree char *owner = NULL;

	g_assert_null (c);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_true (crm_identity_lookup (s, "prpl-jabber",
					    "ada@secret.example", &owner,
					    &error));
	g_assert_null (owner);
	g_assert_cmpint (test_count (s, "SELECT (SELECT count(*) FROM note) + "
				     "(SELECT count(*) FROM identity) + "
				     "(SELECT count(*) FROM followup) + "
				     "(SELECT count(*) FROM handover)"), ==, 0);
	g_assert_cmpint (test_count (s, "SELECT count(*) FROM change WHERE "
				     "value LIKE '%secret%' OR value LIKE "
				     "'%Ada%'"), ==, 0);
	g_assert_cmpint (test_count (s, "SELECT count(*) FROM customer "
				     "WHERE name IS NOT NULL OR email IS NOT "
				     "NULL"), ==, 0);
	/* customer, note, identity, follow-up, handover, and the note
	 * written concurrently (or arriving late) elsewhere. */
	g_assert_cmpint (test_count (s, "SELECT count(*) FROM tombstone"), ==,
			 6);
}

static void
test_erase (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autofree char *concurrent = NULL;
	EraseFixture f = { 0 };

	erase_fixture_fill (a, &f);
	sync_until_quiet (a, b, 5);

	/* B writes a note while A erases; neither has seen the other. */
	clock.now += G_USEC_PER_SEC;
	concurrent = crm_note_add (b, f.customer, "bob", NULL,
				   "Concurrent secret", &error);
	g_assert_no_error (error);
	g_assert_true (crm_customer_erase (a, f.customer, &error));
	g_assert_no_error (error);
	g_assert_true (crm_customer_erase (a, f.customer, &error));

	sync_until_quiet (a, b, 4);
	assert_erased (a, &f);
	assert_erased (b, &f);
	assert_converged (a, b);

	/* No local write brings it back. */
	g_assert_false (crm_change__set_text (a, CRM_ENTITY_CUSTOMER,
					      f.customer, "name", "Ada",
					      &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT);
	erase_fixture_clear (&f);
}

/* Changes that arrive after the erase, in a later batch, from a replica
 * that never heard of it: kept in place, content-less, never applied. */
static void
test_erase_late (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmBatch) late = crm_batch_new ();
	g_autoptr(CrmVector) v = NULL;
	const char *late_note = "dddddddd-0000-4000-8000-0000000000dd";
	EraseFixture f = { 0 };
	CrmSyncChange c = { (char *) RC, 1, (T0 / 1000) << 16,
			    CRM_ENTITY_NOTE, (char *) late_note,
			    (char *) "customer_id", NULL };

	erase_fixture_fill (a, &f);
	sync_until_quiet (a, b, 50);
	g_assert_true (crm_customer_erase (a, f.customer, &error));
	sync_until_quiet (a, b, 50);

	c.value = g_variant_new_string (f.customer);
	crm_batch_add (late, &c);
	c.seq = 2;
	c.field = (char *) "body";
	c.value = g_variant_new_string ("Late secret");
	crm_batch_add (late, &c);
	c.seq = 3;
	c.entity = CRM_ENTITY_CUSTOMER;
	c.entity_id = f.customer;
	c.field = (char *) "phone";
	c.value = g_variant_new_string ("+1 555 secret");
	crm_batch_add (late, &c);
	sync_apply_ok (b, late);

	v = sync_vector (b);
	g_assert_cmpint (crm_vector_get (v, RC), ==, 3);
	g_assert_cmpint (test_count (b, "SELECT count(*) FROM change c JOIN "
				     "replica r ON r.num = c.origin WHERE "
				     "r.id = '" RC "' AND c.field IS NULL AND "
				     "c.value IS NULL"), ==, 3);
	sync_until_quiet (a, b, 2);
	g_assert_cmpint (test_count (a, "SELECT count(*) FROM tombstone"), ==,
			 6);
	assert_erased (a, &f);
	assert_converged (a, b);
	erase_fixture_clear (&f);
}

static void
test_merge_undo (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) got = NULL;
	g_autoptr(GPtrArray) notes = NULL;
	g_autofree char *x = test_customer (a, "D. Reyes", NULL);
	g_autofree char *y = test_customer (a, "Dana Reyes", NULL);
	g_autofree char *n = crm_note_add (a, x, "ana", NULL, "Prefers mail",
					   &error);

	sync_until_quiet (a, b, 3);
	clock.now += G_USEC_PER_SEC;
	g_assert_true (crm_customer_merge (a, x, y, &error));
	sync_until_quiet (a, b, 3);
	got = crm_customer_get (b, x, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (got->id, ==, y);
	notes = crm_note_list (b, y, 0, &error);
	g_assert_cmpuint (notes->len, ==, 1);

	clock.now += G_USEC_PER_SEC;
	g_assert_true (crm_customer_merge (b, x, NULL, &error));
	sync_until_quiet (a, b, 3);
	g_clear_pointer (&got, crm_customer_free);
	got = crm_customer_get (a, x, &error);
	g_assert_cmpstr (got->id, ==, x);
	g_assert_cmpstr (got->name, ==, "D. Reyes");
	assert_converged (a, b);
}

/* Erasing a survivor erases the records merged into it (one `erased`
 * change each), on every replica. */
static void
test_erase_merged (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autofree char *x = test_customer (a, "D. Reyes", NULL);
	g_autofree char *y = test_customer (a, "Dana Reyes", NULL);
	CrmStore *s[2] = { a, b };
	int k;

	g_assert_true (crm_customer_merge (a, x, y, &error));
	sync_until_quiet (a, b, 3);
	g_assert_true (crm_customer_erase (a, y, &error));
	sync_until_quiet (a, b, 3);
	for (k = 0; k < 2; k++) {
		g_autoptr(CrmCustomer) c = crm_customer_get (s[k], x, &error);

		g_assert_null (c);
		g_assert_error (error, CRM_STORE_ERROR,
				CRM_STORE_ERROR_NOT_FOUND);
		g_clear_error (&error);
		g_assert_cmpint (test_count (s[k], "SELECT count(*) FROM "
					     "change WHERE field = 'erased'"),
				 ==, 2);
		g_assert_cmpint (test_count (s[k], "SELECT count(*) FROM "
					     "tombstone"), ==, 2);
	}
	assert_converged (a, b);
}

/* Two agents accept one handover on two replicas; @first_a says whose
 * clock is earlier, @a_to_b_first which way the sync goes first. */
static void
run_double_accept (gboolean first_a, gboolean a_to_b_first)
{
	TestClock ca = { T0 }, cb = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&ca);
	g_autoptr(CrmStore) b = test_store_memory (&cb);
	g_autoptr(GError) error = NULL;
	g_autofree char *cid = test_customer (a, "Noor Haddad", NULL);
	CrmHandover f = { NULL, cid, (char *) "ana", NULL,
			  (char *) "billing", NULL, NULL, 0, NULL, 0 };
	g_autofree char *id = crm_handover_create (a, &f, &error);
	CrmStore *order[2];
	int k;

	sync_until_quiet (a, b, 10);
	ca.now += first_a ? G_USEC_PER_SEC : 2 * G_USEC_PER_SEC;
	cb.now += first_a ? 2 * G_USEC_PER_SEC : G_USEC_PER_SEC;
	g_assert_true (crm_handover_accept (a, id, "bob", &error));
	g_assert_true (crm_handover_accept (b, id, "carl", &error));
	order[0] = a_to_b_first ? b : a;
	order[1] = a_to_b_first ? a : b;
	sync_pull (order[0], order[1]);
	sync_pull (order[1], order[0]);

	for (k = 0; k < 2; k++) {
		g_autoptr(GPtrArray) all = crm_handover_list (order[k], cid,
							      FALSE, &error);
		CrmHandover *h;

		g_assert_cmpuint (all->len, ==, 1);
		h = all->pdata[0];
		g_assert_cmpstr (h->accepted_by, ==, first_a ? "bob" : "carl");
		g_assert_cmpint (h->accepted_us, ==,
				 T0 + G_USEC_PER_SEC);
	}
	assert_converged (a, b);
	/* The loser can no longer accept it locally. */
	g_assert_false (crm_handover_accept (first_a ? b : a, id, "dora",
					     &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT);
}

static void
test_double_accept (void)
{
	run_double_accept (TRUE, TRUE);
	run_double_accept (TRUE, FALSE);
	run_double_accept (FALSE, TRUE);
	run_double_accept (FALSE, FALSE);
}

/* Only the changes @origin made, of what @from holds beyond @to's. */
static CrmBatch *
batch_of_origin (CrmStore *from, CrmStore *to, const char *origin)
{
	g_autoptr(CrmVector) v = sync_vector (to);
	g_autoptr(CrmBatch) all = sync_all (from, v);
	CrmBatch *out = crm_batch_new ();
	guint i;

	for (i = 0; i < crm_batch_get_n_changes (all); i++) {
		const CrmSyncChange *c = crm_batch_get_change (all, i);

		if (strcmp (c->origin, origin) == 0)
			crm_batch_add (out, c);
	}
	return out;
}

/* Three replicas, edits on two, a placeholder on the third (a note on a
 * customer it has not received yet): equal digests after a full
 * exchange in both directions, different before. */
static void
test_digest_exchange (void)
{
	TestClock ca = { T0 }, cb = { T0 + 1234 };
	g_autoptr(CrmStore) a = test_store_memory (&ca);
	g_autoptr(CrmStore) b = test_store_memory (&cb);
	g_autoptr(CrmStore) c = test_store_memory (&ca);
	g_autoptr(CrmBatch) only_b = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *d1 = NULL;
	g_autofree char *d2 = NULL;
	g_autofree char *x = test_customer (a, "Ines Duarte", NULL);
	g_autofree char *y = test_customer (b, "Karl Weber", "karl@x.example");
	g_autofree char *n1 = crm_note_add (a, x, "ana", NULL, "one", &error);
	g_autofree char *n2 = crm_note_add (b, y, "bob", NULL, "two", &error);
	g_autofree char *n3 = NULL;

	g_assert_true (crm_agent_register_self (a, "ana", "support", NULL,
						&error));
	g_assert_true (crm_customer_delete (b, y, &error));
	sync_pull (a, b);
	d1 = sync_digest (a);
	d2 = sync_digest (b);
	g_assert_cmpstr (d1, !=, d2);
	sync_until_quiet (a, b, 1);
	assert_converged (a, b);

	n3 = crm_note_add (b, x, "bob", NULL, "three", &error);
	g_assert_no_error (error);
	only_b = batch_of_origin (b, c, crm_store_get_replica_id (b));
	sync_apply_ok (c, only_b);
	g_assert_cmpint (test_count (c, "SELECT count(*) FROM customer "
				     "WHERE name IS NULL"), ==, 1);
	sync_until_quiet (c, a, 2);
	sync_until_quiet (c, b, 3);
	sync_until_quiet (a, b, 3);
	assert_converged (a, c);
	assert_converged (b, c);
}

/* Rule 8: a timestamp far ahead is applied by the same rule, counted,
 * and the next local edit still wins. */
static void
test_clock_ahead (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmBatch) batch = crm_batch_new ();
	g_autoptr(CrmCustomer) c = NULL;
	g_autofree char *id = test_customer (a, "Yuki Sato", NULL);
	CrmSyncChange ahead = { (char *) RC, 1,
				((T0 + G_TIME_SPAN_DAY) / 1000) << 16,
				CRM_ENTITY_CUSTOMER, id, (char *) "company",
				g_variant_new_string ("Future KK") };
	gint64 count = -1;

	crm_batch_add (batch, &ahead);
	sync_apply_ok (a, batch);
	g_assert_true (crm_sync_get_clock_ahead_count (a, &count, &error));
	g_assert_cmpint (count, ==, 1);
	c = crm_customer_get (a, id, &error);
	g_assert_cmpstr (c->company, ==, "Future KK");

	clock.now += G_USEC_PER_SEC;
	g_free (c->company);
	c->company = g_strdup ("Sato KK");
	g_assert_true (crm_customer_update (a, c, &error));
	sync_until_quiet (a, b, 3);
	crm_customer_free (c);
	c = crm_customer_get (b, id, &error);
	g_assert_cmpstr (c->company, ==, "Sato KK");
	assert_converged (a, b);
}

/* F10: create, sync, delete, sync, import again with the same id: every
 * order of the three batches at B ends present with the new phone. */
static void
test_f10 (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) fields = crm_customer_new ();
	const char *id = "c0000007-0000-4000-8000-000000000007";
	g_autofree char *made = NULL;
	g_autofree char *again = NULL;
	CrmBatch *batches[3];
	CrmVector *seen = crm_vector_new ();
	const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	int o, k;

	fields->id = g_strdup (id);
	fields->name = g_strdup ("Oskar Lind");
	made = crm_customer_create (a, fields, &error);
	g_assert_cmpstr (made, ==, id);
	for (k = 0; k < 3; k++) {
		batches[k] = sync_all (a, seen);
		crm_vector_free (seen);
		seen = sync_vector (a);
		clock.now += G_USEC_PER_SEC;
		if (k == 0)
			g_assert_true (crm_customer_delete (a, id, &error));
		if (k == 1) {
			fields->phone = g_strdup ("+46 70 000 0007");
			again = crm_customer_create (a, fields, &error);
			g_assert_no_error (error);
		}
	}
	for (o = 0; o < 6; o++) {
		g_autoptr(CrmStore) b = test_store_memory (NULL);
		g_autoptr(CrmCustomer) c = NULL;

		for (k = 0; k < 3; k++)
			sync_apply_ok (b, batches[orders[o][k]]);
		c = crm_customer_get (b, id, &error);
		g_assert_no_error (error);
		g_assert_cmpstr (c->phone, ==, "+46 70 000 0007");
		assert_converged (a, b);
	}
	for (k = 0; k < 3; k++)
		crm_batch_free (batches[k]);
	crm_vector_free (seen);
}

#define F11_DUE G_GINT64_CONSTANT (1777888800000000)	/* 2026-05-04 10:00 */

static void
run_f11 (gboolean a_first)
{
	TestClock clock = { F11_DUE - G_TIME_SPAN_DAY };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autofree char *cid = test_customer (a, "Mira Kovac", NULL);
	CrmFollowup fu = { 0 };
	g_autofree char *r = NULL;
	CrmStore *s[2] = { a, b };
	int k;

	fu.customer_id = cid;
	fu.text = (char *) "Call about the quote";
	fu.due_us = F11_DUE;
	fu.tz = (char *) "Europe/Berlin";
	fu.assignee_agent = (char *) "ana";
	fu.created_by = (char *) "ana";
	r = crm_followup_add (a, &fu, &error);
	g_assert_no_error (error);
	sync_until_quiet (a, b, 10);

	clock.now += G_TIME_SPAN_MINUTE;
	g_assert_true (crm_followup_set_status (a, r, CRM_FOLLOWUP_CANCELLED,
						"ana", &error));
	clock.now += G_TIME_SPAN_MINUTE;
	g_assert_true (crm_followup_set_due (b, r, F11_DUE + G_TIME_SPAN_HOUR,
					     &error));
	if (a_first) {
		sync_pull (b, a);
		sync_pull (a, b);
	} else {
		sync_pull (a, b);
		sync_pull (b, a);
	}
	assert_converged (a, b);
	for (k = 0; k < 2; k++) {
		g_autoptr(GPtrArray) due = NULL;
		g_autoptr(CrmFollowup) got = crm_followup_get (s[k], r, &error);

		g_assert_no_error (error);
		g_assert_cmpint (got->status, ==, CRM_FOLLOWUP_CANCELLED);
		due = crm_followup_list_due (s[k], "ana", NULL,
					     F11_DUE + 2 * G_TIME_SPAN_HOUR,
					     &error);
		g_assert_no_error (error);
		g_assert_cmpuint (due->len, ==, 0);
	}
}

static void
test_f11 (void)
{
	run_f11 (TRUE);
	run_f11 (FALSE);
}

/* The e-mail value of the greatest change by (ts, origin id). */
static char *
f12_greatest_email (CrmStore *s)
{
	sqlite3_stmt *stmt = NULL;
	char *value;

	g_assert_cmpint (sqlite3_prepare_v2 (s->db,
		"SELECT c.value FROM change c JOIN replica r ON r.num = c.origin"
		" WHERE c.field = 'email' ORDER BY c.ts DESC, r.id DESC LIMIT 1",
		-1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
	sqlite3_finalize (stmt);
	return value;
}

static void
f12_edit (CrmStore *s, const char *id, const char *phone, const char *email)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) c = crm_customer_get (s, id, &error);

	g_assert_no_error (error);
	if (phone) {
		g_free (c->phone);
		c->phone = g_strdup (phone);
	}
	if (email) {
		g_free (c->email);
		c->email = g_strdup (email);
	}
	g_assert_true (crm_customer_update (s, c, &error));
	g_assert_no_error (error);
}

/* F12: B's clock is 10 minutes behind A's. */
static void
test_f12 (void)
{
	TestClock ca = { T0 }, cb = { T0 - 10 * G_TIME_SPAN_MINUTE };
	g_autoptr(CrmStore) a = test_store_memory (&ca);
	g_autoptr(CrmStore) b = test_store_memory (&cb);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) ya = NULL;
	g_autoptr(CrmCustomer) yb = NULL;
	g_autofree char *id = test_customer (a, "Yuki Sato",
					     "yuki@a.example");
	g_autofree char *winner = NULL;

	g_assert_true (crm_agent_register_self (b, "bob", "sales", NULL,
						&error));
	sync_pull (b, a);
	sync_pull (a, b);
	ca.now += G_USEC_PER_SEC;
	cb.now += G_USEC_PER_SEC;
	f12_edit (b, id, "+81 90 0000 0001", NULL);
	sync_pull (a, b);
	ya = crm_customer_get (a, id, &error);
	g_assert_cmpstr (ya->phone, ==, "+81 90 0000 0001");

	/* The same moment, two e-mails. */
	ca.now += G_USEC_PER_SEC;
	cb.now += G_USEC_PER_SEC;
	f12_edit (a, id, NULL, "yuki@from-a.example");
	f12_edit (b, id, NULL, "yuki@from-b.example");
	sync_until_quiet (a, b, 2);
	assert_converged (a, b);
	g_clear_pointer (&ya, crm_customer_free);
	ya = crm_customer_get (a, id, &error);
	yb = crm_customer_get (b, id, &error);
	winner = f12_greatest_email (a);
	g_assert_cmpstr (ya->email, ==, yb->email);
	g_assert_cmpstr (ya->email, ==, winner);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/sync/vector-api", test_vector_api);
	g_test_add_func ("/store/sync/vector-gaps", test_vector_gaps);
	g_test_add_func ("/store/sync/collect-bounds", test_collect_bounds);
	g_test_add_func ("/store/sync/relay", test_relay);
	g_test_add_func ("/store/sync/apply-idempotent",
			 test_apply_idempotent);
	g_test_add_func ("/store/sync/malformed-refused", test_malformed);
	g_test_add_func ("/store/sync/busy-nothing-applied", test_busy);
	g_test_add_func ("/store/sync/erase", test_erase);
	g_test_add_func ("/store/sync/erase-late-change", test_erase_late);
	g_test_add_func ("/store/sync/erase-merged", test_erase_merged);
	g_test_add_func ("/store/sync/merge-undo", test_merge_undo);
	g_test_add_func ("/store/sync/handover-double-accept",
			 test_double_accept);
	g_test_add_func ("/store/sync/digest-exchange", test_digest_exchange);
	g_test_add_func ("/store/sync/clock-ahead", test_clock_ahead);
	g_test_add_func ("/store/sync/f10-delete-then-create", test_f10);
	g_test_add_func ("/store/sync/f11-cancel-vs-move", test_f11);
	g_test_add_func ("/store/sync/f12-clock-skew", test_f12);
	return g_test_run ();
}
