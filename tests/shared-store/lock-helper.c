/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lock-helper.c: another program holding a store's write lock (case F09).
 *
 * Usage: store-lock-helper PATH SECONDS.  Opens PATH with plain SQLite,
 * takes the write lock with BEGIN IMMEDIATE, prints "locked", and holds
 * it for SECONDS or until a line (or end of file) arrives on standard
 * input, whichever comes first; then rolls back and prints "released".
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>

int
main (int argc, char **argv)
{
	struct pollfd in = { STDIN_FILENO, POLLIN, 0 };
	sqlite3 *db = NULL;
	int rc;

	if (argc != 3) {
		fprintf (stderr, "usage: store-lock-helper PATH SECONDS\n");
		return 2;
	}
	if (sqlite3_open_v2 (argv[1], &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fprintf (stderr, "open: %s\n", sqlite3_errmsg (db));
		return 1;
	}
	rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fprintf (stderr, "begin: %s\n", sqlite3_errmsg (db));
		return 1;
	}
	printf ("locked\n");
	fflush (stdout);
	poll (&in, 1, atoi (argv[2]) * 1000);
	sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close (db);
	printf ("released\n");
	fflush (stdout);
	return 0;
}
