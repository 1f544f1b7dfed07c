/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-customer.c: customers (create, read, update, delete, merge), their
 * chat identities and search.
 */
#include "test-common.h"

static void
test_crud (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) f = crm_customer_new ();
	g_autoptr(CrmCustomer) c = NULL;
	g_autoptr(CrmCustomer) copy = NULL;
	g_autofree char *id = NULL;
	char *tags[] = { "vip", " billing ", "vip", "", NULL };

	f->name = g_strdup ("  Dana Reyes ");
	f->email = g_strdup ("Dana.Reyes@Example.COM");
	f->company = g_strdup ("");
	f->tags = g_strdupv (tags);
	f->custom = g_strdup ("{\"tier\": 2}");
	id = crm_customer_create (store, f, &error);
	g_assert_no_error (error);

	c = crm_customer_get (store, id, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (c->id, ==, id);
	g_assert_cmpstr (c->name, ==, "Dana Reyes");
	g_assert_cmpstr (c->email, ==, "Dana.Reyes@Example.COM");
	g_assert_null (c->company);
	g_assert_cmpstr (c->custom, ==, "{\"tier\": 2}");
	g_assert_cmpuint (g_strv_length (c->tags), ==, 2);
	g_assert_cmpstr (c->tags[0], ==, "billing");
	g_assert_cmpstr (c->tags[1], ==, "vip");
	g_assert_cmpint (c->created_us, >, 0);
	g_assert_cmpint (c->updated_us, >, 0);

	copy = crm_customer_copy (c);
	g_free (copy->company);
	copy->company = g_strdup ("Reyes & Co");
	g_assert_true (crm_customer_update (store, copy, &error));
	g_assert_no_error (error);
	crm_customer_free (c);
	c = crm_customer_get (store, id, &error);
	g_assert_cmpstr (c->company, ==, "Reyes & Co");

	g_assert_true (crm_customer_delete (store, id, &error));
	g_assert_no_error (error);
	crm_customer_free (c);
	c = crm_customer_get (store, id, &error);
	g_assert_null (c);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_false (crm_customer_delete (store, id, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_false (crm_customer_update (store, copy, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
}

static void
test_validation (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(CrmCustomer) f = crm_customer_new ();
	char *bad_tags[] = { "a\nb", NULL };
	const char *bad_names[] = { "", "   ", "caf\xe9" };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (bad_names); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *id = NULL;

		g_free (f->name);
		f->name = g_strdup (bad_names[i]);
		id = crm_customer_create (store, f, &error);
		g_assert_null (id);
		g_assert_error (error, CRM_STORE_ERROR,
				CRM_STORE_ERROR_INVALID);
	}
	{
		g_autoptr(GError) error = NULL;
		g_autofree char *id = NULL;

		g_free (f->name);
		f->name = g_strdup ("Ok");
		f->tags = g_strdupv (bad_tags);
		id = crm_customer_create (store, f, &error);
		g_assert_error (error, CRM_STORE_ERROR,
				CRM_STORE_ERROR_INVALID);
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(CrmCustomer) c = NULL;

		c = crm_customer_get (store, "not-a-uuid", &error);
		g_assert_error (error, CRM_STORE_ERROR,
				CRM_STORE_ERROR_NOT_FOUND);
	}
	g_assert_cmpint (test_changes (store), ==, 0);
}

static void
test_own_id (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) f = crm_customer_new ();
	g_autofree char *id = NULL;
	g_autofree char *again = NULL;

	f->id = g_strdup ("0f0e0d0c-0b0a-4908-8706-050403020100");
	f->name = g_strdup ("Carded");
	id = crm_customer_create (store, f, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (id, ==, f->id);
	again = crm_customer_create (store, f, &error);
	g_assert_null (again);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT);
}

static void
test_merge (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *a = test_customer (store, "Dana R.", NULL);
	g_autofree char *b = test_customer (store, "Dana Reyes", NULL);
	g_autofree char *n = crm_note_add (store, a, "ana", NULL, "old note",
					   NULL);
	g_autoptr(CrmCustomer) c = NULL;
	g_autoptr(GPtrArray) notes = NULL;

	g_assert_nonnull (n);
	g_assert_true (crm_customer_merge (store, a, b, &error));
	g_assert_no_error (error);
	c = crm_customer_get (store, a, &error);
	g_assert_cmpstr (c->id, ==, b);
	notes = crm_note_list (store, b, 0, &error);
	g_assert_cmpuint (notes->len, ==, 1);
	g_assert_false (crm_customer_merge (store, b, a, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
	g_clear_error (&error);

	g_assert_true (crm_customer_merge (store, a, NULL, &error));
	crm_customer_free (c);
	c = crm_customer_get (store, a, &error);
	g_assert_cmpstr (c->id, ==, a);
	g_assert_cmpstr (c->name, ==, "Dana R.");
}

/* Two replicas merged the two records into each other at once: every
 * reader picks the same survivor, the smaller id. */
static void
test_merge_cycle (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autofree char *a = test_customer (store, "One", NULL);
	g_autofree char *b = test_customer (store, "Two", NULL);
	g_autoptr(GVariant) va = g_variant_ref_sink (g_variant_new_string (a));
	g_autoptr(GVariant) vb = g_variant_ref_sink (g_variant_new_string (b));
	const char *r = "eeeeeeee-0000-4000-8000-00000000000e";
	CrmChange both[] = {
		{ r, 1, G_MAXINT64 / 2, CRM_ENTITY_CUSTOMER, a, "merged_into",
		  vb },
		{ r, 2, G_MAXINT64 / 2, CRM_ENTITY_CUSTOMER, b, "merged_into",
		  va },
	};
	g_autoptr(CrmCustomer) ca = NULL;
	g_autoptr(CrmCustomer) cb = NULL;

	g_assert_true (crm_change__apply_remote (store, both, 2, NULL, NULL));
	ca = crm_customer_get (store, a, NULL);
	cb = crm_customer_get (store, b, NULL);
	g_assert_nonnull (ca);
	g_assert_cmpstr (ca->id, ==, cb->id);
	g_assert_cmpstr (ca->id, ==, strcmp (a, b) < 0 ? a : b);
}

static void
test_identity (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(CrmStore) other = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *a = test_customer (store, "Mira Kovac", NULL);
	g_autofree char *b = test_customer (store, "Tom", NULL);
	g_autofree char *found = NULL;
	g_autofree char *o = test_customer (other, "Mira", NULL);
	g_autoptr(GPtrArray) list = NULL;
	const char *jid = "mira.kovac@shop.example";

	g_assert_true (crm_identity_link (store, a, "prpl-jabber", jid,
					  "Mira.Kovac@Shop.example", &error));
	g_assert_no_error (error);
	g_assert_true (crm_identity_lookup (store, "prpl-jabber", jid, &found,
					    &error));
	g_assert_cmpstr (found, ==, a);
	g_clear_pointer (&found, g_free);

	/* Same customer again: only the display form changes. */
	g_assert_true (crm_identity_link (store, a, "prpl-jabber", jid,
					  "mira.kovac@shop.example", &error));
	list = crm_identity_list (store, a, &error);
	g_assert_cmpuint (list->len, ==, 1);
	g_assert_cmpstr (((CrmIdentity *) list->pdata[0])->display, ==, jid);

	g_assert_false (crm_identity_link (store, b, "prpl-jabber", jid, NULL,
					   &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CONFLICT);
	g_clear_error (&error);

	g_assert_true (crm_identity_unlink (store, "prpl-jabber", jid, &error));
	g_assert_false (crm_identity_unlink (store, "prpl-jabber", jid,
					     &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_true (crm_identity_lookup (store, "prpl-jabber", jid, &found,
					    &error));
	g_assert_null (found);
	g_assert_true (crm_identity_link (store, b, "prpl-jabber", jid, NULL,
					  &error));
	g_assert_no_error (error);

	/* Another replica linking the same handle writes the same entity. */
	g_assert_true (crm_identity_link (other, o, "prpl-jabber", jid, NULL,
					  &error));
	g_assert_cmpint (test_count (store, "SELECT count(*) FROM identity"),
			 ==, 1);
	g_assert_cmpint (test_count (other, "SELECT count(*) FROM identity"),
			 ==, 1);
	{
		g_autoptr(GPtrArray) l1 = crm_identity_list (store, b, NULL);
		g_autoptr(GPtrArray) l2 = crm_identity_list (other, o, NULL);

		g_assert_cmpstr (((CrmIdentity *) l1->pdata[0])->id, ==,
				 ((CrmIdentity *) l2->pdata[0])->id);
	}
	g_assert_false (crm_identity_link (store, "0f0e0d0c-0b0a-4908-8706-"
					   "050403020100", "prpl-irc", "tom",
					   NULL, &error));
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
}

static guint
test_find_n (CrmStore *store, const char *query, const char *first_name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) found = crm_customer_find (store, query, 10,
							&error);

	g_assert_no_error (error);
	if (first_name) {
		g_assert_cmpuint (found->len, >, 0);
		g_assert_cmpstr (((CrmCustomer *) found->pdata[0])->name, ==,
				 first_name);
	}
	return found->len;
}

static void
test_find (void)
{
	g_autoptr(CrmStore) store = test_store_memory (NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *a = test_customer (store, "Maria Anders",
					    "maria@alfki.de");
	g_autofree char *b = test_customer (store, "Anders Larsson", NULL);
	g_autofree char *c = test_customer (store, "Ana Trujillo", NULL);
	g_autofree char *d = test_customer (store, "Anders", NULL);
	g_autofree char *e = test_customer (store, "Ünal Öztürk", NULL);
	g_autoptr(GPtrArray) none = NULL;

	g_assert_nonnull (a);
	g_assert_nonnull (d);
	g_assert_nonnull (e);
	g_assert_true (crm_identity_link (store, c, "prpl-irc", "ana_t", NULL,
					  &error));
	g_assert_true (crm_identity_link (store, a, "prpl-jabber",
					  "maria@example.org", NULL, &error));
	g_assert_cmpuint (test_find_n (store, "MARIA anders", "Maria Anders"),
			  ==, 1);
	g_assert_cmpuint (test_find_n (store, "anders", "Anders"), ==, 3);
	g_assert_cmpuint (test_find_n (store, "alfki", "Maria Anders"), ==, 1);
	g_assert_cmpuint (test_find_n (store, "ana_t", "Ana Trujillo"), ==, 1);
	g_assert_cmpuint (test_find_n (store, "ÜNAL", "Ünal Öztürk"), ==, 1);
	g_assert_cmpuint (test_find_n (store, "%", NULL), ==, 0);
	g_assert_cmpuint (test_find_n (store, "_", NULL), ==, 1);
	g_assert_cmpuint (test_find_n (store, b, "Anders Larsson"), ==, 1);
	/* A JID as typed, with capitals and a resource, finds the bare
	 * normal form the handle is stored in. */
	g_assert_cmpuint (test_find_n (store, " Maria@Example.org/Home ",
				       "Maria Anders"), ==, 1);
	g_assert_cmpuint (test_find_n (store, "maria@example.org/Home",
				       "Maria Anders"), ==, 1);
	g_assert_cmpuint (test_find_n (store, "Maria@Example.org/Home",
				       "Maria Anders"), ==, 1);
	g_assert_cmpuint (test_find_n (store, "nobody@example.org/Home",
				       NULL), ==, 0);
	none = crm_customer_find (store, "  ", 10, &error);
	g_assert_null (none);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/customer/crud", test_crud);
	g_test_add_func ("/store/customer/validation", test_validation);
	g_test_add_func ("/store/customer/own-id", test_own_id);
	g_test_add_func ("/store/customer/merge", test_merge);
	g_test_add_func ("/store/customer/merge-cycle", test_merge_cycle);
	g_test_add_func ("/store/customer/identity", test_identity);
	g_test_add_func ("/store/customer/find", test_find);
	return g_test_run ();
}
