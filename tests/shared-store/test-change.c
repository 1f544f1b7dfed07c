/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-change.c: change capture, the hybrid logical clock and the merge
 * rule (idempotence, order by (timestamp, replica), placeholders).
 */
#include "test-common.h"

#define T0 G_GINT64_CONSTANT (1767225600000000)	/* 2026-01-01 UTC */

static void
test_one_row_per_field (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) store = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) c = NULL;
	g_autofree char *id = NULL;

	/* name, email, created and deleted = 0: the NULL fields are the
	 * defaults of a new row and write nothing, but deleted = 0 is always
	 * written, so that a create wins over an earlier delete (F10). */
	id = test_customer (store, "Yuki Sato", "yuki@example.jp");
	g_assert_cmpint (test_changes (store), ==, 4);

	c = crm_customer_get (store, id, &error);
	g_assert_no_error (error);
	g_free (c->phone);
	c->phone = g_strdup ("+81 3 0000 0000");
	g_assert_true (crm_customer_update (store, c, &error));
	g_assert_no_error (error);
	g_assert_cmpint (test_changes (store), ==, 5);
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM change "
				     "WHERE field = 'phone'"), ==, 1);

	/* The same record again changes nothing. */
	g_assert_true (crm_customer_update (store, c, &error));
	g_assert_no_error (error);
	g_assert_cmpint (test_changes (store), ==, 5);

	/* Two fields at once: two rows. */
	g_free (c->company);
	c->company = g_strdup ("Sato KK");
	g_free (c->department);
	c->department = g_strdup ("sales");
	g_assert_true (crm_customer_update (store, c, &error));
	g_assert_cmpint (test_changes (store), ==, 7);
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM "
				     "field_clock"), ==, 7);
}

static void
test_hlc_monotonic (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) store = test_store_memory (&clock);
	g_autofree char *a = NULL;
	g_autofree char *b = NULL;
	g_autofree char *c = NULL;

	a = test_customer (store, "A", NULL);
	clock.now -= G_TIME_SPAN_HOUR;	/* the wall clock jumps back */
	b = test_customer (store, "B", NULL);
	clock.now -= G_TIME_SPAN_HOUR;
	c = test_customer (store, "C", NULL);

	/* Every later sequence number has a strictly greater timestamp. */
	g_assert_cmpint (test_count (store,
		"SELECT count(*) FROM change x JOIN change y "
		"ON y.origin = x.origin AND y.seq > x.seq "
		"WHERE y.ts <= x.ts"), ==, 0);
	g_assert_cmpint (test_count (store, "SELECT max(ts) >> 16 FROM change"),
			 ==, T0 / 1000);
	g_assert_cmpint (test_count (store, "SELECT hlc = (SELECT max(ts) "
				     "FROM change) FROM meta"), ==, 1);
}

static CrmChange
test_remote (const char *origin, gint64 seq, gint64 ts, CrmEntity entity,
	     const char *id, const char *field, GVariant *value)
{
	CrmChange c = { origin, seq, ts, entity, id, field, value };

	return c;
}

#define RA "aaaaaaaa-0000-4000-8000-000000000001"
#define RB "bbbbbbbb-0000-4000-8000-000000000002"
#define CID "cccccccc-0000-4000-8000-00000000000c"
#define NID "dddddddd-0000-4000-8000-00000000000d"

static void
test_remote_idempotent (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) c = NULL;
	g_autoptr(GVariant) name = g_variant_ref_sink (
		g_variant_new_string ("Oskar Lind"));
	g_autoptr(GVariant) created = g_variant_ref_sink (
		g_variant_new_int64 (T0));
	CrmChange batch[2];
	guint applied = 0;

	batch[0] = test_remote (RA, 1, 100 << 16, CRM_ENTITY_CUSTOMER, CID,
				"name", name);
	batch[1] = test_remote (RA, 2, 101 << 16, CRM_ENTITY_CUSTOMER, CID,
				"created", created);
	g_assert_true (crm_change__apply_remote (store, batch, 2, &applied,
						 &error));
	g_assert_no_error (error);
	g_assert_cmpuint (applied, ==, 2);
	g_assert_true (crm_change__apply_remote (store, batch, 2, &applied,
						 &error));
	g_assert_cmpuint (applied, ==, 0);
	g_assert_cmpint (test_changes (store), ==, 2);

	c = crm_customer_get (store, CID, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (c->name, ==, "Oskar Lind");
	g_assert_cmpint (c->created_us, ==, T0);
}

/* The same two concurrent edits in both orders, on two stores. */
static void
test_remote_order (void)
{
	g_autoptr(GVariant) va = g_variant_ref_sink (
		g_variant_new_string ("yuki@a.example"));
	g_autoptr(GVariant) vb = g_variant_ref_sink (
		g_variant_new_string ("yuki@b.example"));
	g_autoptr(GVariant) vlate = g_variant_ref_sink (
		g_variant_new_string ("yuki@late.example"));
	g_autoptr(GVariant) name = g_variant_ref_sink (
		g_variant_new_string ("Yuki Sato"));
	CrmChange base = test_remote (RA, 1, 1 << 16, CRM_ENTITY_CUSTOMER,
				      CID, "name", name);
	CrmChange a = test_remote (RA, 2, 5 << 16, CRM_ENTITY_CUSTOMER, CID,
				   "email", va);
	CrmChange b = test_remote (RB, 1, 5 << 16, CRM_ENTITY_CUSTOMER, CID,
				   "email", vb);
	CrmChange late = test_remote (RA, 3, 6 << 16, CRM_ENTITY_CUSTOMER,
				      CID, "email", vlate);
	CrmChange order1[] = { base, a, b };
	CrmChange order2[] = { b, base, a };
	g_autoptr(CrmStore) s1 = test_store_memory (NULL);
	g_autoptr(CrmStore) s2 = test_store_memory (NULL);
	g_autoptr(CrmCustomer) c1 = NULL;
	g_autoptr(CrmCustomer) c2 = NULL;
	g_autoptr(CrmCustomer) c3 = NULL;

	g_assert_true (crm_change__apply_remote (s1, order1, 3, NULL, NULL));
	g_assert_true (crm_change__apply_remote (s2, order2, 3, NULL, NULL));
	c1 = crm_customer_get (s1, CID, NULL);
	c2 = crm_customer_get (s2, CID, NULL);
	/* Same timestamp: the greater replica id wins, in both orders. */
	g_assert_cmpstr (c1->email, ==, "yuki@b.example");
	g_assert_cmpstr (c2->email, ==, "yuki@b.example");

	/* A greater timestamp wins whatever its replica id. */
	g_assert_true (crm_change__apply_remote (s1, &late, 1, NULL, NULL));
	c3 = crm_customer_get (s1, CID, NULL);
	g_assert_cmpstr (c3->email, ==, "yuki@late.example");
	g_assert_cmpint (test_count (s1, "SELECT count(*) FROM change"), ==,
			 4);
}

static void
test_remote_placeholder (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) cid = g_variant_ref_sink (
		g_variant_new_string (CID));
	g_autoptr(GVariant) body = g_variant_ref_sink (
		g_variant_new_string ("Met at the fair"));
	g_autoptr(GVariant) author = g_variant_ref_sink (
		g_variant_new_string ("ana"));
	g_autoptr(GVariant) name = g_variant_ref_sink (
		g_variant_new_string ("Karl Weber"));
	g_autoptr(GPtrArray) notes = NULL;
	g_autoptr(CrmCustomer) c = NULL;
	CrmChange note[] = {
		test_remote (RA, 1, 1 << 16, CRM_ENTITY_NOTE, NID,
			     "customer_id", cid),
		test_remote (RA, 2, 1 << 16, CRM_ENTITY_NOTE, NID, "body", body),
		test_remote (RA, 3, 1 << 16, CRM_ENTITY_NOTE, NID, "author",
			     author),
	};
	CrmChange customer = test_remote (RA, 4, 2 << 16, CRM_ENTITY_CUSTOMER,
					  CID, "name", name);

	g_assert_true (crm_change__apply_remote (store, note, 3, NULL,
						 &error));
	g_assert_no_error (error);
	/* The placeholder is there for the foreign key, but not visible. */
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM customer"),
			 ==, 1);
	c = crm_customer_get (store, CID, &error);
	g_assert_null (c);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
	g_clear_error (&error);

	g_assert_true (crm_change__apply_remote (store, &customer, 1, NULL,
						 &error));
	notes = crm_note_list (store, CID, 0, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (notes->len, ==, 1);
	g_assert_cmpstr (((CrmNote *) notes->pdata[0])->body, ==,
			 "Met at the fair");
}

static void
test_remote_invalid (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) name = g_variant_ref_sink (
		g_variant_new_string ("X"));
	g_autoptr(GVariant) number = g_variant_ref_sink (
		g_variant_new_int64 (1));
	CrmChange bad_field[] = {
		test_remote (RA, 1, 1, CRM_ENTITY_CUSTOMER, CID, "name", name),
		test_remote (RA, 2, 1, CRM_ENTITY_CUSTOMER, CID,
			     "name; DROP TABLE customer", name),
	};
	CrmChange bad_type = test_remote (RA, 3, 1, CRM_ENTITY_CUSTOMER, CID,
					  "name", number);
	CrmChange bad_entity = test_remote (RA, 4, 1, (CrmEntity) 99, CID,
					    "name", name);
	CrmChange bad_origin = test_remote ("me", 5, 1, CRM_ENTITY_CUSTOMER,
					    CID, "name", name);

	g_assert_false (crm_change__apply_remote (store, bad_field, 2, NULL,
						  &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	g_assert_false (crm_change__apply_remote (store, &bad_type, 1, NULL,
						  &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	g_assert_false (crm_change__apply_remote (store, &bad_entity, 1, NULL,
						  &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);
	g_assert_false (crm_change__apply_remote (store, &bad_origin, 1, NULL,
						  &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_assert_cmpint (test_changes (store), ==, 0);
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM customer"),
			 ==, 0);
}

/* F10: create, delete, create again with the same id; every order of the
 * three batches gives the same state on the receiver. */
static void
test_delete_recreate (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) fields = crm_customer_new ();
	g_autofree char *id = NULL;
	g_autofree char *again = NULL;
	GArray *batches[3];
	const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	gint64 s1, s2, s3;
	int o, k;

	fields->name = g_strdup ("Oskar Lind");
	id = crm_customer_create (a, fields, &error);
	g_assert_no_error (error);
	s1 = test_changes (a);
	clock.now += G_USEC_PER_SEC;
	g_assert_true (crm_customer_delete (a, id, &error));
	s2 = test_changes (a);
	clock.now += G_USEC_PER_SEC;
	fields->id = g_strdup (id);
	fields->phone = g_strdup ("+46 70 000 0007");
	again = crm_customer_create (a, fields, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (again, ==, id);
	s3 = test_changes (a);
	batches[0] = test_read_log (a, 1, s1);
	batches[1] = test_read_log (a, s1 + 1, s2);
	batches[2] = test_read_log (a, s2 + 1, s3);

	for (o = 0; o < 6; o++) {
		g_autoptr(CrmStore) b = test_store_memory (NULL);
		g_autoptr(CrmCustomer) c = NULL;

		for (k = 0; k < 3; k++)
			test_apply (b, batches[orders[o][k]]);
		c = crm_customer_get (b, id, &error);
		g_assert_no_error (error);
		g_assert_cmpstr (c->phone, ==, "+46 70 000 0007");
		g_assert_cmpstr (c->name, ==, "Oskar Lind");
	}
	for (k = 0; k < 3; k++)
		g_array_unref (batches[k]);
}

/* After seeing a change from a clock running ahead, a local edit still
 * orders after it (it wins). */
static void
test_local_after_remote (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) store = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ahead = g_variant_ref_sink (
		g_variant_new_string ("from the future"));
	g_autoptr(CrmCustomer) c = NULL;
	g_autofree char *id = test_customer (store, "Yuki Sato", NULL);
	CrmChange change = test_remote (RB, 1,
					((T0 / 1000) + 600000) << 16,
					CRM_ENTITY_CUSTOMER, id, "company",
					ahead);

	g_assert_true (crm_change__apply_remote (store, &change, 1, NULL,
						 &error));
	c = crm_customer_get (store, id, &error);
	g_assert_cmpstr (c->company, ==, "from the future");
	g_free (c->company);
	c->company = g_strdup ("local");
	g_assert_true (crm_customer_update (store, c, &error));
	g_assert_no_error (error);
	crm_customer_free (c);
	c = crm_customer_get (store, id, &error);
	g_assert_cmpstr (c->company, ==, "local");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/change/one-row-per-field",
			 test_one_row_per_field);
	g_test_add_func ("/store/change/hlc-monotonic", test_hlc_monotonic);
	g_test_add_func ("/store/change/remote-idempotent",
			 test_remote_idempotent);
	g_test_add_func ("/store/change/remote-order", test_remote_order);
	g_test_add_func ("/store/change/remote-placeholder",
			 test_remote_placeholder);
	g_test_add_func ("/store/change/remote-invalid", test_remote_invalid);
	g_test_add_func ("/store/change/delete-recreate",
			 test_delete_recreate);
	g_test_add_func ("/store/change/local-after-remote",
			 test_local_after_remote);
	return g_test_run ();
}
