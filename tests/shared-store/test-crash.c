/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-crash.c: crash safety of sync.  A child process (this program run
 * with --apply) brings a target store up to a source store in batches of
 * thousands of changes, each applied with crm_sync_apply(); the parent
 * kills it with SIGKILL at a random moment while it applies, many times
 * over.  After each kill the target must open, pass SQLite's integrity
 * check, hold every batch whole or not at all (its version vector, change
 * count and digest are those after some number of whole batches), and
 * finish the sync to exactly the source's state.
 *
 * The moments are drawn from a seeded generator (CRM_SEED, printed), but
 * where in SQLite's work a kill lands still depends on the machine.
 */
#include "test-common.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define T0 G_GINT64_CONSTANT (1767225600000000)	/* 2026-01-01 UTC */

#define CRASH_CUSTOMERS 250	/* about 4,500 changes in the source */
#define CRASH_BATCH 2000	/* changes per batch */
#define CRASH_ITERATIONS 32	/* CRM_CRASH_ITERATIONS overrides */
#define CRASH_DEFAULT_SEED 20260101

typedef struct {
	char *dir;
	char *source;
	char *template;
	char *target;
	char *source_id;
	char *source_digest;
	/* After k whole batches: the target's entry for the source, its
	 * change count and its digest. */
	GArray *seqs;
	GArray *counts;
	GPtrArray *digests;
	gint64 apply_us;	/* how long applying every batch takes */
} Crash;

static char *crash_self;	/* this program, for the child */

/* Tmpfs when there is one: a kill leaves the page cache in place, so
 * the disk adds nothing to what is tested here but fsync waits. */
static char *
crash_make_dir (void)
{
	char *dir;

	if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) &&
	    g_access ("/dev/shm", W_OK) == 0) {
		dir = g_build_filename ("/dev/shm", "crm-crash-XXXXXX", NULL);
		if (g_mkdtemp (dir) != NULL)
			return dir;
		g_free (dir);
	}
	return test_dir_new ();
}

static CrmStore *
crash_open (const char *path, TestClock *clock)
{
	g_autoptr(GError) error = NULL;
	CrmStore *store = crm_store_open (path, 5000, &error);

	g_assert_no_error (error);
	g_assert_nonnull (store);
	if (clock)
		crm_store_set_clock (store, test_clock_read, clock);
	return store;
}

static char *
crash_digest (CrmStore *store)
{
	g_autoptr(GError) error = NULL;
	char *digest = crm_sync_digest (store, &error);

	g_assert_no_error (error);
	return digest;
}

/* One batch from @source that @target lacks, applied; FALSE when there
 * was nothing left to send. */
static gboolean
crash_sync_one (CrmStore *source, CrmStore *target)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmVector) have = crm_sync_get_vector (target, &error);
	g_autoptr(CrmBatch) batch = NULL;

	g_assert_no_error (error);
	batch = crm_sync_collect (source, have, CRASH_BATCH, 64 << 20, &error);
	g_assert_no_error (error);
	if (crm_batch_get_n_changes (batch) == 0)
		return FALSE;
	g_assert_true (crm_sync_apply (target, batch, NULL, &error));
	g_assert_no_error (error);
	return TRUE;
}

/* The child: announces itself on stdout once both stores are open, then
 * syncs until done (or until it is killed). */
static int
crash_child (const char *source_path, const char *target_path)
{
	CrmStore *source = crash_open (source_path, NULL);
	CrmStore *target = crash_open (target_path, NULL);

	if (write (STDOUT_FILENO, "R", 1) != 1)
		return 2;
	while (crash_sync_one (source, target))
		;
	crm_store_close (target);
	crm_store_close (source);
	return 0;
}

static void
crash_copy (const char *from, const char *to)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;
	g_autofree char *wal = g_strconcat (to, "-wal", NULL);
	g_autofree char *shm = g_strconcat (to, "-shm", NULL);
	gsize len = 0;

	g_unlink (wal);
	g_unlink (shm);
	g_assert_true (g_file_get_contents (from, &data, &len, &error));
	g_assert_true (g_file_set_contents (to, data, (gssize) len, &error));
	g_assert_no_error (error);
}

/* A source with thousands of changes of every kind, among them edits,
 * a deletion and an erase (whose changes travel with their content
 * gone); and an empty target to copy for each round. */
static void
crash_make_stores (Crash *c)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) source = crash_open (c->source, &clock);
	g_autoptr(CrmStore) target = crash_open (c->template, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	guint i;

	for (i = 0; i < CRASH_CUSTOMERS; i++) {
		g_autofree char *name = g_strdup_printf ("Customer %u", i);
		g_autofree char *email = g_strdup_printf ("c%u@example.org", i);
		g_autofree char *note = NULL;
		char *id = test_customer (source, name, email);

		clock.now += G_TIME_SPAN_SECOND;
		g_ptr_array_add (ids, id);
		note = crm_note_add (source, id, "ana", "support",
				     "called about the invoice", &error);
		g_assert_no_error (error);
		g_free (g_steal_pointer (&note));
		note = crm_note_add (source, id, "raj", "billing",
				     "refund sent", &error);
		g_assert_no_error (error);
		g_assert_true (crm_identity_link (source, id, "prpl-jabber",
						  email, NULL, &error));
		g_assert_no_error (error);
	}
	g_assert_true (crm_customer_delete (source, ids->pdata[1], &error));
	g_assert_true (crm_customer_merge (source, ids->pdata[2],
					   ids->pdata[3], &error));
	g_assert_true (crm_customer_erase (source, ids->pdata[0], &error));
	g_assert_no_error (error);
	c->source_id = g_strdup (crm_store_get_replica_id (source));
	c->source_digest = crash_digest (source);
}

/* Applies the batches to a copy of the template in this process, and
 * notes the state after each; times the whole. */
static void
crash_reference (Crash *c)
{
	g_autofree char *path = g_build_filename (c->dir, "ref.db", NULL);
	g_autoptr(CrmStore) source = NULL;
	g_autoptr(CrmStore) target = NULL;
	gint64 start;

	crash_copy (c->template, path);
	source = crash_open (c->source, NULL);
	target = crash_open (path, NULL);
	start = g_get_monotonic_time ();
	do {
		g_autoptr(GError) error = NULL;
		g_autoptr(CrmVector) v = crm_sync_get_vector (target, &error);
		gint64 seq, count = 0;

		g_assert_no_error (error);
		seq = crm_vector_get (v, c->source_id);
		g_assert_true (crm_store_count_changes (target, &count,
							&error));
		g_array_append_val (c->seqs, seq);
		g_array_append_val (c->counts, count);
		g_ptr_array_add (c->digests, crash_digest (target));
	} while (crash_sync_one (source, target));
	c->apply_us = g_get_monotonic_time () - start;
	g_assert_cmpstr (c->digests->pdata[c->digests->len - 1], ==,
			 c->source_digest);
	/* Several batches, so that "whole or nothing" is tested per batch. */
	g_assert_cmpuint (c->seqs->len, >=, 3);
}

/* Starts the child on a fresh copy of the target and waits until it has
 * opened both stores; its stdout is returned in @out_fd. */
static GPid
crash_spawn_ready (Crash *c, int *out_fd)
{
	g_autoptr(GError) error = NULL;
	const char *argv[] = { crash_self, "--apply", c->source, c->target,
			       NULL };
	GPid pid = 0;
	char ready = 0;

	crash_copy (c->template, c->target);
	g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
						 G_SPAWN_DO_NOT_REAP_CHILD,
						 NULL, NULL, &pid, NULL, out_fd,
						 NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpint (read (*out_fd, &ready, 1), ==, 1);
	g_assert_cmpint (ready, ==, 'R');
	return pid;
}

/* Runs the child on a fresh target and kills it @delay_us after it has
 * opened the stores; says whether the kill came before it finished. */
static gboolean
crash_run_child (Crash *c, gint64 delay_us)
{
	GPid pid;
	int out = -1, status = 0;

	pid = crash_spawn_ready (c, &out);
	g_usleep ((gulong) delay_us);
	/* A child that already exited is a zombie: the kill does nothing. */
	g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
	g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
	g_spawn_close_pid (pid);
	close (out);
	if (WIFEXITED (status)) {
		g_assert_cmpint (WEXITSTATUS (status), ==, 0);
		return FALSE;
	}
	g_assert_true (WIFSIGNALED (status));
	g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
	return TRUE;
}

/* How long the child takes from opening the stores to exiting, when it
 * is left alone: the range the kills are drawn from. */
static gint64
crash_time_child (Crash *c)
{
	GPid pid;
	int out = -1, status = 0;
	gint64 start;

	pid = crash_spawn_ready (c, &out);
	start = g_get_monotonic_time ();
	g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
	g_spawn_close_pid (pid);
	close (out);
	g_assert_true (WIFEXITED (status));
	g_assert_cmpint (WEXITSTATUS (status), ==, 0);
	return g_get_monotonic_time () - start;
}

static void
crash_integrity_check (const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE,
					  NULL), ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1,
					     &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==,
			 "ok");
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
	sqlite3_finalize (stmt);
	g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* The target after a kill: sound, at a batch boundary, and able to
 * finish.  Returns how many whole batches it held. */
static guint
crash_check_target (Crash *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmStore) source = crash_open (c->source, NULL);
	g_autoptr(CrmStore) target = crash_open (c->target, NULL);
	g_autoptr(CrmVector) v = NULL;
	g_autoptr(CrmVector) want = NULL;
	g_autofree char *digest = NULL;
	gint64 seq, count = 0;
	guint k;

	crash_integrity_check (c->target);
	v = crm_sync_get_vector (target, &error);
	g_assert_no_error (error);
	seq = crm_vector_get (v, c->source_id);
	for (k = 0; k < c->seqs->len; k++) {
		if (g_array_index (c->seqs, gint64, k) == seq)
			break;
	}
	if (k == c->seqs->len)
		g_test_message ("the target holds the source's changes up to "
				"%" G_GINT64_FORMAT ", inside a batch", seq);
	g_assert_cmpuint (k, <, c->seqs->len);
	g_assert_true (crm_store_count_changes (target, &count, &error));
	g_assert_cmpint (count, ==, g_array_index (c->counts, gint64, k));
	digest = crash_digest (target);
	g_assert_cmpstr (digest, ==, c->digests->pdata[k]);

	while (crash_sync_one (source, target))
		;
	g_clear_pointer (&digest, g_free);
	digest = crash_digest (target);
	g_assert_cmpstr (digest, ==, c->source_digest);
	g_clear_pointer (&v, crm_vector_free);
	v = crm_sync_get_vector (target, &error);
	want = crm_sync_get_vector (source, &error);
	g_assert_no_error (error);
	g_assert_true (crm_vector_equal (v, want));
	return k;
}

static void
crash_free (Crash *c)
{
	test_dir_remove (c->dir);
	g_free (c->dir);
	g_free (c->source);
	g_free (c->template);
	g_free (c->target);
	g_free (c->source_id);
	g_free (c->source_digest);
	g_array_unref (c->seqs);
	g_array_unref (c->counts);
	g_ptr_array_unref (c->digests);
}

static void
test_kill_during_apply (void)
{
	const char *seed_env = g_getenv ("CRM_SEED");
	const char *runs_env = g_getenv ("CRM_CRASH_ITERATIONS");
	guint runs = runs_env ? (guint) g_ascii_strtoull (runs_env, NULL, 10)
			      : CRASH_ITERATIONS;
	guint32 seed = seed_env ? (guint32) g_ascii_strtoull (seed_env, NULL,
							     10)
				: CRASH_DEFAULT_SEED;
	g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
	Crash c = { 0 };
	guint hist[16] = { 0 };
	guint killed = 0, i;
	gint64 start = g_get_monotonic_time ();
	g_autoptr(GString) spread = g_string_new (NULL);

	c.dir = crash_make_dir ();
	c.source = g_build_filename (c.dir, "source.db", NULL);
	c.template = g_build_filename (c.dir, "template.db", NULL);
	c.target = g_build_filename (c.dir, "target.db", NULL);
	c.seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
	c.counts = g_array_new (FALSE, FALSE, sizeof (gint64));
	c.digests = g_ptr_array_new_with_free_func (g_free);
	crash_make_stores (&c);
	crash_reference (&c);
	c.apply_us = MAX (c.apply_us, crash_time_child (&c));
	g_test_message ("seed %u; %u batches of up to %u changes, applied in "
			"%" G_GINT64_FORMAT " ms at most", seed,
			c.seqs->len - 1,
			CRASH_BATCH, c.apply_us / 1000);

	for (i = 0; i < runs; i++) {
		/* Mostly while it applies; a few after it is done. */
		gint64 delay = g_rand_int_range (rand, 0, (gint32)
						 (c.apply_us * 11 / 10 + 1));
		guint k;

		killed += crash_run_child (&c, delay) ? 1 : 0;
		k = crash_check_target (&c);
		hist[MIN (k, G_N_ELEMENTS (hist) - 1)]++;
	}
	for (i = 0; i < c.seqs->len && i < G_N_ELEMENTS (hist); i++)
		g_string_append_printf (spread, " %u", hist[i]);
	g_test_message ("%u runs, %u killed; whole batches held after a "
			"kill, 0..%u:%s; %.1f s", runs, killed,
			c.seqs->len - 1, spread->str,
			(double) (g_get_monotonic_time () - start) /
			G_USEC_PER_SEC);
	/* A loaded machine can put some kills after the end, never most. */
	g_assert_cmpuint (runs, >, 0);
	g_assert_cmpuint (killed, >=, MAX (runs / 4, 1));
	crash_free (&c);
}

int
main (int argc, char **argv)
{
	g_autoptr(GError) error = NULL;

	if (argc == 4 && strcmp (argv[1], "--apply") == 0)
		return crash_child (argv[2], argv[3]);

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	crash_self = g_file_read_link ("/proc/self/exe", &error);
	g_assert_no_error (error);

	g_test_add_func ("/store/crash/kill-during-apply",
			 test_kill_during_apply);
	return g_test_run ();
}
