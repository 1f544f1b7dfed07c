/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * driver.c: runs a fuzz target over its corpus without libFuzzer, so that
 * every ordinary build replays the seed and regression inputs as a test
 * (libgit2's fuzzers/standalone_driver.c and GLib's fuzzing/driver.c are
 * the model).  Each argument is a file or a directory of files; a crash
 * or a sanitizer report fails the test.
 */
#include "fuzz.h"

#include <stdio.h>

static gboolean
driver_run_file (const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &data, &len, &error)) {
		fprintf (stderr, "%s\n", error->message);
		return FALSE;
	}
	LLVMFuzzerTestOneInput ((const unsigned char *) data, len);
	return TRUE;
}

/* Runs every regular file in @path (not recursing); counts into @n_run. */
static gboolean
driver_run_dir (const char *path, guint *n_run)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
	const char *name;

	if (dir == NULL) {
		fprintf (stderr, "%s\n", error->message);
		return FALSE;
	}
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree char *file = g_build_filename (path, name, NULL);

		if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
			continue;
		if (!driver_run_file (file))
			return FALSE;
		(*n_run)++;
	}
	return TRUE;
}

int
main (int argc, char **argv)
{
	guint n_run = 0;
	int i;

	if (argc < 2) {
		fprintf (stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		gboolean ok;

		if (g_file_test (argv[i], G_FILE_TEST_IS_DIR)) {
			ok = driver_run_dir (argv[i], &n_run);
		} else {
			ok = driver_run_file (argv[i]);
			n_run++;
		}
		if (!ok)
			return 1;
	}
	if (n_run == 0) {
		fprintf (stderr, "no inputs in the corpus\n");
		return 1;
	}
	printf ("ran %u inputs\n", n_run);
	return 0;
}
