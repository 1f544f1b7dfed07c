/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame-decode.c: fuzz target of the sync frame decoder.
 *
 * The decoder checks the HMAC tag before it reads anything else, so random
 * bytes would almost never get past it.  The first input byte therefore
 * picks a mode, and the modes other than 0 do the authenticating part for
 * the fuzzer with the fixed test key:
 *
 *   0  the rest is a whole frame, decoded as it is;
 *   1  the rest is header and body: the tag is appended;
 *   2  the rest is a plain body: header and tag are built around it;
 *   3  the rest is a compressed body: the same, with the compressed flag.
 *
 * A frame that decodes must encode again and decode to the same frame.
 */
#include "frame-private.h"
#include "fuzz.h"

#include <string.h>

static GBytes *
fuzz_key (void)
{
	return g_bytes_new_static (FUZZ_KEY, strlen (FUZZ_KEY));
}

static void
fuzz_append_tag (GByteArray *frame, GBytes *key)
{
	g_autoptr(GHmac) hmac = NULL;
	guint8 tag[CRM_FRAME_TAG_BYTES];
	gsize tag_len = sizeof tag;

	hmac = g_hmac_new (G_CHECKSUM_SHA256, g_bytes_get_data (key, NULL),
			   g_bytes_get_size (key));
	g_hmac_update (hmac, frame->data, frame->len);
	g_hmac_get_digest (hmac, tag, &tag_len);
	g_byte_array_append (frame, tag, sizeof tag);
}

/* The bytes the decoder is given in @mode for @data. */
static GBytes *
fuzz_wrap (guint mode, const guint8 *data, gsize size, GBytes *key)
{
	g_autoptr(GByteArray) frame = g_byte_array_new ();
	guint8 header[CRM_FRAME_HEADER_BYTES] = { 0x89, 'C', 'R', 'M',
						  CRM_FRAME_VERSION };
	guint32 len_be = GUINT32_TO_BE ((guint32) size);

	if (mode == 0)
		return g_bytes_new (data, size);
	if (mode >= 2) {
		header[5] = mode == 3 ? 0x01 : 0x00;
		memcpy (header + 6, &len_be, 4);
		g_byte_array_append (frame, header, sizeof header);
	}
	g_byte_array_append (frame, data, size);
	fuzz_append_tag (frame, key);
	return g_byte_array_free_to_bytes (g_steal_pointer (&frame));
}

static gboolean
fuzz_change_equal (const CrmChange *a, const CrmChange *b)
{
	return g_strcmp0 (a->origin, b->origin) == 0 && a->seq == b->seq &&
	       a->ts == b->ts && a->entity == b->entity &&
	       g_strcmp0 (a->entity_id, b->entity_id) == 0 &&
	       g_strcmp0 (a->field, b->field) == 0 &&
	       (a->value == NULL ? b->value == NULL :
		b->value != NULL && g_variant_equal (a->value, b->value));
}

static gboolean
fuzz_frame_equal (const CrmFrame *a, const CrmFrame *b)
{
	guint i;

	if (a->kind != b->kind || strcmp (a->sender, b->sender) != 0 ||
	    a->changes->len != b->changes->len ||
	    a->vector->len != b->vector->len)
		return FALSE;
	for (i = 0; i < a->changes->len; i++) {
		if (!fuzz_change_equal (&g_array_index (a->changes,
							CrmChange, i),
					&g_array_index (b->changes,
							CrmChange, i)))
			return FALSE;
	}
	for (i = 0; i < a->vector->len; i++) {
		const CrmFrameClock *x = &g_array_index (a->vector,
							 CrmFrameClock, i);
		const CrmFrameClock *y = &g_array_index (b->vector,
							 CrmFrameClock, i);

		if (strcmp (x->replica, y->replica) != 0 || x->seq != y->seq)
			return FALSE;
	}
	return TRUE;
}

/* What decodes must survive a round trip unchanged. */
static void
fuzz_round_trip (const CrmFrame *frame, GBytes *key)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) again = NULL;
	g_autoptr(CrmFrame) back = NULL;

	again = crm_frame__encode (frame, key, &error);
	if (again == NULL) {
		/* Only a body that compressed better than we compress. */
		g_assert_true (g_error_matches (error, CRM_STORE_ERROR,
						CRM_STORE_ERROR_INVALID));
		return;
	}
	back = crm_frame__decode (again, key, &error);
	g_assert_no_error (error);
	g_assert_true (fuzz_frame_equal (frame, back));
}

int
LLVMFuzzerTestOneInput (const unsigned char *data, size_t size)
{
	g_autoptr(GBytes) key = fuzz_key ();
	g_autoptr(GBytes) input = NULL;
	g_autoptr(CrmFrame) frame = NULL;
	g_autoptr(GError) error = NULL;

	fuzz_silence_logging ();
	if (size < 1 || size > 2 * CRM_FRAME_MAX_BYTES)
		return 0;
	input = fuzz_wrap (data[0] & 3, data + 1, size - 1, key);
	frame = crm_frame__decode (input, key, &error);
	if (frame == NULL) {
		g_assert_nonnull (error);
		g_assert_true (error->domain == CRM_STORE_ERROR);
		return 0;
	}
	g_assert_no_error (error);
	fuzz_round_trip (frame, key);
	return 0;
}
