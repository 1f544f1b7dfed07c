/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-common.h: helpers the store's test programs share: temporary
 * directories, an injectable clock, a store opened on either, and reading
 * a store's change log back as CrmChange values to replay elsewhere.
 */
#ifndef CRM_TEST_COMMON_H
#define CRM_TEST_COMMON_H

#include "store-private.h"

#include <glib/gstdio.h>
#include <string.h>

/* LeakSanitizer: GLib 2.74 leaks the user directories that
 * G_TEST_OPTION_ISOLATE_DIRS sets for each test; the leak is GLib's. */
const char *__lsan_default_suppressions (void);
G_GNUC_UNUSED const char *
__lsan_default_suppressions (void)
{
	return "leak:g_set_user_dirs\n";
}

/* GLib is built without frame pointers: unwind slowly so that leak
 * reports (and the suppression above) see the whole stack. */
const char *__asan_default_options (void);
G_GNUC_UNUSED const char *
__asan_default_options (void)
{
	return "fast_unwind_on_malloc=0";
}

typedef struct {
	gint64 now;
} TestClock;

static inline gint64
test_clock_read (gpointer data)
{
	return ((TestClock *) data)->now;
}

/* A fresh directory; test_dir_remove() deletes it and what is in it. */
static inline char *
test_dir_new (void)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp ("crm-store-test-XXXXXX", &error);

	g_assert_no_error (error);
	return dir;
}

static inline void
test_dir_remove (const char *path)
{
	GDir *dir = g_dir_open (path, 0, NULL);
	const char *name;

	if (dir == NULL)
		return;
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree char *child = g_build_filename (path, name, NULL);

		if (g_file_test (child, G_FILE_TEST_IS_DIR))
			test_dir_remove (child);
		else
			g_unlink (child);
	}
	g_dir_close (dir);
	g_rmdir (path);
}

static inline CrmStore *
test_store_memory (TestClock *clock)
{
	g_autoptr(GError) error = NULL;
	CrmStore *store = crm_store_open (":memory:", 1000, &error);

	g_assert_no_error (error);
	g_assert_nonnull (store);
	if (clock)
		crm_store_set_clock (store, test_clock_read, clock);
	return store;
}

static inline char *
test_customer (CrmStore *store, const char *name, const char *email)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCustomer) c = crm_customer_new ();
	char *id;

	c->name = g_strdup (name);
	c->email = g_strdup (email);
	id = crm_customer_create (store, c, &error);
	g_assert_no_error (error);
	g_assert_true (crm_uuid_is_valid (id));
	return id;
}

static inline gint64
test_count (CrmStore *store, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	gint64 n;

	g_assert_cmpint (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL),
			 ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	n = sqlite3_column_int64 (stmt, 0);
	sqlite3_finalize (stmt);
	return n;
}

static inline gint64
test_changes (CrmStore *store)
{
	g_autoptr(GError) error = NULL;
	gint64 n = -1;

	g_assert_true (crm_store_count_changes (store, &n, &error));
	g_assert_no_error (error);
	return n;
}

/* A change that owns its strings, for replaying one store's log. */
typedef struct {
	CrmChange c;
	char *origin;
	char *entity_id;
	char *field;
} TestChange;

static inline void
test_change_clear (gpointer data)
{
	TestChange *t = data;

	g_free (t->origin);
	g_free (t->entity_id);
	g_free (t->field);
	g_clear_pointer (&t->c.value, g_variant_unref);
}

/* The change log rows with seq in [from, to], as CrmChange values. */
static inline GArray *
test_read_log (CrmStore *store, gint64 from, gint64 to)
{
	GArray *out = g_array_new (FALSE, TRUE, sizeof (TestChange));
	sqlite3_stmt *stmt = NULL;

	g_array_set_clear_func (out, test_change_clear);
	g_assert_cmpint (sqlite3_prepare_v2 (store->db,
		"SELECT r.id, c.seq, c.ts, c.entity, c.entity_id, c.field, "
		"c.value FROM change c JOIN replica r ON r.num = c.origin "
		"WHERE c.seq BETWEEN ?1 AND ?2 ORDER BY r.id, c.seq",
		-1, &stmt, NULL), ==, SQLITE_OK);
	sqlite3_bind_int64 (stmt, 1, from);
	sqlite3_bind_int64 (stmt, 2, to);
	while (sqlite3_step (stmt) == SQLITE_ROW) {
		TestChange t = { { 0 }, 0 };
		int type = sqlite3_column_type (stmt, 6);

		t.origin = g_strdup ((const char *) sqlite3_column_text (stmt,
									 0));
		t.entity_id = g_strdup ((const char *)
					sqlite3_column_text (stmt, 4));
		t.field = g_strdup ((const char *) sqlite3_column_text (stmt,
									5));
		t.c.origin = t.origin;
		t.c.seq = sqlite3_column_int64 (stmt, 1);
		t.c.ts = sqlite3_column_int64 (stmt, 2);
		t.c.entity = (CrmEntity) sqlite3_column_int (stmt, 3);
		t.c.entity_id = t.entity_id;
		t.c.field = t.field;
		if (type == SQLITE_INTEGER)
			t.c.value = g_variant_ref_sink (g_variant_new_int64 (
				sqlite3_column_int64 (stmt, 6)));
		else if (type == SQLITE_TEXT)
			t.c.value = g_variant_ref_sink (g_variant_new_string (
				(const char *) sqlite3_column_text (stmt, 6)));
		g_array_append_val (out, t);
	}
	sqlite3_finalize (stmt);
	return out;
}

static inline guint
test_apply (CrmStore *store, GArray *log)
{
	g_autoptr(GError) error = NULL;
	g_autofree CrmChange *changes = g_new0 (CrmChange, log->len + 1);
	guint applied = 0;
	guint i;

	for (i = 0; i < log->len; i++)
		changes[i] = g_array_index (log, TestChange, i).c;
	g_assert_true (crm_change__apply_remote (store, changes, log->len,
						 &applied, &error));
	g_assert_no_error (error);
	return applied;
}

#endif /* CRM_TEST_COMMON_H */
