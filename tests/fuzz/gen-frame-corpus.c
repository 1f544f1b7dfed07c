/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen-frame-corpus.c: writes the seed corpus of the frame-decode fuzz
 * target into the directory given: valid frames of each kind, compressed
 * and not, in each of the target's input modes (see frame-decode.c), and
 * a few broken ones.  Every file is the mode byte followed by its bytes.
 */
#include "frame-private.h"
#include "fuzz.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

static const char *dir;

static void
gen_write (const char *name, guint8 mode, const guint8 *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename (dir, name, NULL);
	g_autofree guint8 *buf = g_malloc (len + 1);

	buf[0] = mode;
	memcpy (buf + 1, data, len);
	if (!g_file_set_contents (path, (char *) buf, len + 1, &error))
		g_error ("%s", error->message);
}

/* Writes @frame in modes 0, 1 and 2 or 3 (body only) as @name-*. */
static void
gen_frame (const char *name, const CrmFrame *frame)
{
	g_autoptr(GBytes) key = g_bytes_new_static (FUZZ_KEY,
						    strlen (FUZZ_KEY));
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = crm_frame__encode (frame, key, &error);
	g_autofree char *full = g_strconcat (name, "-full", NULL);
	g_autofree char *untagged = g_strconcat (name, "-untagged", NULL);
	g_autofree char *body = g_strconcat (name, "-body", NULL);
	gsize len = 0;
	const guint8 *data;

	g_assert_no_error (error);
	data = g_bytes_get_data (bytes, &len);
	gen_write (full, 0, data, len);
	gen_write (untagged, 1, data, len - CRM_FRAME_TAG_BYTES);
	gen_write (body, data[5] ? 3 : 2, data + CRM_FRAME_HEADER_BYTES,
		   len - CRM_FRAME_HEADER_BYTES - CRM_FRAME_TAG_BYTES);
}

static void
gen_change (CrmFrame *frame, gint64 seq, CrmEntity entity, const char *id,
	    const char *field, GVariant *value)
{
	CrmChange change = {
		"0f8e1c52-3b7a-4d2e-9c61-5a4b3c2d1e0f", seq,
		G_GINT64_CONSTANT (1767225600000) << 16 | seq, entity, id,
		field, value
	};

	crm_frame__add_change (frame, &change);
}

static void
gen_valid (void)
{
	const char *me = "0f8e1c52-3b7a-4d2e-9c61-5a4b3c2d1e0f";
	const char *cust = "6b1d2f3a-4c5e-4f60-8a7b-9c0d1e2f3a4b";
	const char *note = "a1b2c3d4-e5f6-4789-8abc-def012345678";
	g_autoptr(CrmFrame) hello = crm_frame__new (CRM_FRAME_HELLO, me);
	g_autoptr(CrmFrame) ack = crm_frame__new (CRM_FRAME_ACK, me);
	g_autoptr(CrmFrame) small = crm_frame__new (CRM_FRAME_CHANGES, me);
	g_autoptr(CrmFrame) notes = crm_frame__new (CRM_FRAME_CHANGES, me);
	CrmChange erased = { me, 9, 9, 0, NULL, NULL, NULL };
	guint i;

	gen_frame ("hello-empty", hello);
	crm_frame__add_clock (hello, me, 41);
	crm_frame__add_clock (hello, cust, 0);
	gen_frame ("hello", hello);
	crm_frame__add_clock (ack, note, 7);
	gen_frame ("ack", ack);

	gen_change (small, 1, CRM_ENTITY_CUSTOMER, cust, "name",
		    g_variant_new_string ("Yuki Sato"));
	gen_change (small, 2, CRM_ENTITY_CUSTOMER, cust, "created",
		    g_variant_new_int64 (1767225600000000));
	gen_change (small, 3, CRM_ENTITY_CUSTOMER, cust, "phone", NULL);
	crm_frame__add_change (small, &erased);
	gen_frame ("changes-small", small);

	for (i = 1; i <= 12; i++) {
		g_autofree char *body = g_strdup_printf (
			"Call %u: customer asked about the invoice again; "
			"promised a callback before Friday. Прошу уточнить. "
			"請確認。", i);

		gen_change (notes, i, CRM_ENTITY_NOTE, note, "body",
			    g_variant_new_string (body));
	}
	gen_frame ("changes-notes", notes);
}

static void
gen_broken (void)
{
	static const guint8 garbage[] = "\x89" "CRM\x01\x00\x00\x00\x00\x04"
					"abcd";
	static guint8 zeros[1 << 21];
	guint8 bomb[8192];
	uLongf bomb_len = sizeof bomb;

	gen_write ("broken-magic", 0, (const guint8 *) "CRM\x01", 4);
	gen_write ("broken-untagged-garbage", 1, garbage, sizeof garbage - 1);
	gen_write ("broken-body-garbage", 2, (const guint8 *) "\x02\x00\xff",
		   3);
	gen_write ("broken-newer", 0, (const guint8 *) "\x89" "CRM\x07",
		   5);
	/* zlib's compress() writes a zlib header; skip it for raw deflate. */
	if (compress2 (bomb, &bomb_len, zeros, sizeof zeros, 9) != Z_OK)
		g_error ("compress2 failed");
	gen_write ("broken-bomb", 3, bomb + 2, bomb_len - 6);
}

int
main (int argc, char **argv)
{
	if (argc != 2) {
		fprintf (stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	gen_valid ();
	gen_broken ();
	return 0;
}
