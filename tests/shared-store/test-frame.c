/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-frame.c: the sync frame codec: round trips of every kind with
 * realistic content (and what a change costs on the wire), compression
 * only when smaller, and the refusal of every frame whose version, size,
 * form or tag is wrong, with nothing returned.
 */
#include "test-common.h"
#include "frame-private.h"

#include <gio/gio.h>

#define T0 G_GINT64_CONSTANT (1767225600000000)	/* 2026-01-01 UTC */
#define ME "0f8e1c52-3b7a-4d2e-9c61-5a4b3c2d1e0f"
#define PEER "6b1d2f3a-4c5e-4f60-8a7b-9c0d1e2f3a4b"
#define BODY_TYPE "(yaya(ayxxyaysmv)a(ayx))"

static GBytes *
test_key (void)
{
	return g_bytes_new_static ("team key of the frame tests, 32B",
				   32);
}

static GBytes *
test_encode (const CrmFrame *frame)
{
	g_autoptr(GBytes) key = test_key ();
	g_autoptr(GError) error = NULL;
	GBytes *bytes = crm_frame__encode (frame, key, &error);

	g_assert_no_error (error);
	g_assert_nonnull (bytes);
	return bytes;
}

static CrmFrame *
test_decode (GBytes *bytes)
{
	g_autoptr(GBytes) key = test_key ();
	g_autoptr(GError) error = NULL;
	CrmFrame *frame = crm_frame__decode (bytes, key, &error);

	g_assert_no_error (error);
	g_assert_nonnull (frame);
	return frame;
}

/* Decoding @data[0..len) fails with @code and returns nothing. */
static void
test_refused (const guint8 *data, gsize len, int code, const char *reason)
{
	g_autoptr(GBytes) key = test_key ();
	g_autoptr(GBytes) bytes = g_bytes_new (data, len);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmFrame) frame = crm_frame__decode (bytes, key, &error);

	g_assert_null (frame);
	g_assert_error (error, CRM_STORE_ERROR, code);
	if (reason && strstr (error->message, reason) == NULL)
		g_error ("\"%s\" does not say \"%s\"", error->message, reason);
}

/* Re-computes the tag of @frame in place, as a key holder would. */
static void
test_retag (GByteArray *frame)
{
	g_autoptr(GBytes) key = test_key ();
	g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256,
					    g_bytes_get_data (key, NULL), 32);
	gsize tag_len = CRM_FRAME_TAG_BYTES;

	g_assert_cmpuint (frame->len, >=, CRM_FRAME_TAG_BYTES);
	g_hmac_update (hmac, frame->data, frame->len - CRM_FRAME_TAG_BYTES);
	g_hmac_get_digest (hmac, frame->data + frame->len - tag_len,
			   &tag_len);
}

/* A validly tagged frame around @body bytes with @flags. */
static GByteArray *
test_wrap_bytes (const guint8 *body, gsize len, guint8 flags)
{
	GByteArray *frame = g_byte_array_new ();
	guint8 header[CRM_FRAME_HEADER_BYTES] = { 0x89, 'C', 'R', 'M',
						  CRM_FRAME_VERSION, flags };
	guint8 tag[CRM_FRAME_TAG_BYTES] = { 0 };
	guint32 len_be = GUINT32_TO_BE ((guint32) len);

	memcpy (header + 6, &len_be, 4);
	g_byte_array_append (frame, header, sizeof header);
	g_byte_array_append (frame, body, len);
	g_byte_array_append (frame, tag, sizeof tag);
	test_retag (frame);
	return frame;
}

/* Runs @data through @conv to its end (deflate or inflate, raw). */
static GBytes *
test_convert (GConverter *conv, const guint8 *data, gsize len)
{
	g_autoptr(GByteArray) out = g_byte_array_new ();
	gsize pos = 0;
	GConverterResult res = G_CONVERTER_CONVERTED;

	while (res != G_CONVERTER_FINISHED) {
		g_autoptr(GError) error = NULL;
		guint8 buf[65536];
		gsize nread = 0, nwritten = 0;

		res = g_converter_convert (conv, data + pos, len - pos, buf,
					  sizeof buf,
					  G_CONVERTER_INPUT_AT_END, &nread,
					  &nwritten, &error);
		g_assert_no_error (error);
		pos += nread;
		g_byte_array_append (out, buf, nwritten);
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
test_deflate (const guint8 *data, gsize len)
{
	g_autoptr(GZlibCompressor) conv = g_zlib_compressor_new (
		G_ZLIB_COMPRESSOR_FORMAT_RAW, 9);

	return test_convert (G_CONVERTER (conv), data, len);
}

/* A validly tagged frame whose body is the serialised @body (sunk). */
static GByteArray *
test_wrap_variant (GVariant *body, gboolean compress)
{
	g_autoptr(GVariant) sunk = g_variant_ref_sink (body);
	g_autoptr(GBytes) data = g_variant_get_data_as_bytes (sunk);
	g_autoptr(GBytes) packed = NULL;

	g_assert_true (g_variant_is_of_type (sunk, G_VARIANT_TYPE (BODY_TYPE)));
	g_assert_cmpint (G_BYTE_ORDER, ==, G_LITTLE_ENDIAN);
	if (!compress)
		return test_wrap_bytes (g_bytes_get_data (data, NULL),
					g_bytes_get_size (data), 0);
	packed = test_deflate (g_bytes_get_data (data, NULL),
			       g_bytes_get_size (data));
	return test_wrap_bytes (g_bytes_get_data (packed, NULL),
				g_bytes_get_size (packed), 1);
}

static GVariant *
test_id (const char *hex16)
{
	return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, hex16,
					  strlen (hex16), 1);
}

/* One wire change: origin and entity id given as raw byte strings. */
static GVariant *
test_wire_change (const char *origin, gint64 seq, guint8 entity,
		  const char *id, const char *field, GVariant *value)
{
	return g_variant_new ("(@ayxxy@ays@mv)", test_id (origin), seq,
			      T0 >> 4, entity, test_id (id), field,
			      g_variant_new_maybe (G_VARIANT_TYPE_VARIANT,
			      value ? g_variant_new_variant (value) : NULL));
}

/* A body of @kind with one change (or none) and one clock (or none). */
static GVariant *
test_wire_body (guint8 kind, GVariant *change, GVariant *clock)
{
	return g_variant_new ("(y@ay@a(ayxxyaysmv)@a(ayx))", kind,
			      test_id ("0123456789abcdef"),
			      g_variant_new_array (
				      G_VARIANT_TYPE ("(ayxxyaysmv)"),
				      change ? &change : NULL, change ? 1 : 0),
			      g_variant_new_array (G_VARIANT_TYPE ("(ayx)"),
						   clock ? &clock : NULL,
						   clock ? 1 : 0));
}

static void
test_add (CrmFrame *frame, gint64 seq, CrmEntity entity, const char *id,
	  const char *field, GVariant *value)
{
	CrmChange change = { ME, seq, (T0 / 1000) << 16 | seq, entity, id,
			     field, value };

	crm_frame__add_change (frame, &change);
}

static guint8
test_flags (GBytes *bytes)
{
	return ((const guint8 *) g_bytes_get_data (bytes, NULL))[5];
}

static void
test_frames_equal (const CrmFrame *a, const CrmFrame *b)
{
	guint i;

	g_assert_cmpint (a->kind, ==, b->kind);
	g_assert_cmpstr (a->sender, ==, b->sender);
	g_assert_cmpuint (a->changes->len, ==, b->changes->len);
	g_assert_cmpuint (a->vector->len, ==, b->vector->len);
	for (i = 0; i < a->changes->len; i++) {
		CrmChange *x = &g_array_index (a->changes, CrmChange, i);
		CrmChange *y = &g_array_index (b->changes, CrmChange, i);

		g_assert_cmpstr (x->origin, ==, y->origin);
		g_assert_cmpint (x->seq, ==, y->seq);
		g_assert_cmpint (x->ts, ==, y->ts);
		g_assert_cmpint (x->entity, ==, y->entity);
		g_assert_cmpstr (x->entity_id, ==, y->entity_id);
		g_assert_cmpstr (x->field, ==, y->field);
		g_assert_true (x->value == NULL ? y->value == NULL :
			       g_variant_equal (x->value, y->value));
	}
	for (i = 0; i < a->vector->len; i++) {
		CrmFrameClock *x = &g_array_index (a->vector, CrmFrameClock, i);
		CrmFrameClock *y = &g_array_index (b->vector, CrmFrameClock, i);

		g_assert_cmpstr (x->replica, ==, y->replica);
		g_assert_cmpint (x->seq, ==, y->seq);
	}
}

static void
test_round_trip_vectors (void)
{
	CrmFrameKind kinds[] = { CRM_FRAME_HELLO, CRM_FRAME_ACK };
	guint k, i;

	for (k = 0; k < G_N_ELEMENTS (kinds); k++) {
		g_autoptr(CrmFrame) frame = crm_frame__new (kinds[k], ME);
		g_autoptr(CrmFrame) back = NULL;
		g_autoptr(GBytes) bytes = NULL;

		/* A team of 40 replicas, our own included. */
		for (i = 0; i < 40; i++) {
			g_autofree char *id = g_strdup_printf (
				"%08x-0000-4000-8000-%012x", i * 7919, i);

			crm_frame__add_clock (frame, id, i * 1000 + 1);
		}
		crm_frame__add_clock (frame, ME, 0);
		bytes = test_encode (frame);
		back = test_decode (bytes);
		test_frames_equal (frame, back);
		g_test_message ("%s of 41 entries: %" G_GSIZE_FORMAT " bytes",
				kinds[k] == CRM_FRAME_HELLO ? "HELLO" : "ACK",
				g_bytes_get_size (bytes));
	}
}

/* Fills @frame with @n note changes of realistic text; returns the raw
 * size of their values. */
static gsize
test_fill_notes (CrmFrame *frame, guint n)
{
	static const char *words[] = {
		"customer", "asked", "about", "the", "invoice", "again", "and",
		"wants", "a", "callback", "before", "Friday", "order", "#4471",
		"shipped", "late", "refund", "approved", "by", "Maria", "from",
		"billing", "contract", "renewal", "discount", "of", "15%",
		"promised", "escalate", "to", "second", "level", "support",
		"password", "reset", "done", "prefers", "e-mail", "not",
		"phone", "Münchner", "Filiale", "appelle", "demain", "会議",
	};
	g_autoptr(GRand) rand = g_rand_new_with_seed (3);
	gsize raw = 0;
	guint i;

	for (i = 0; i < n; i++) {
		g_autoptr(GString) body = g_string_new (NULL);
		g_autofree char *id = g_uuid_string_random ();
		guint len = g_rand_int_range (rand, 200, 500);

		while (body->len < len) {
			g_string_append (body, words[g_rand_int_range (
				rand, 0, G_N_ELEMENTS (words))]);
			g_string_append_c (body, ' ');
		}
		raw += body->len;
		test_add (frame, i + 1, CRM_ENTITY_NOTE, id, "body",
			  g_variant_new_string (body->str));
	}
	return raw;
}

static void
test_round_trip_notes (void)
{
	g_autoptr(CrmFrame) frame = crm_frame__new (CRM_FRAME_CHANGES, ME);
	g_autoptr(CrmFrame) back = NULL;
	g_autoptr(GBytes) bytes = NULL;
	gsize raw = test_fill_notes (frame, 300);
	gsize size;

	bytes = test_encode (frame);
	size = g_bytes_get_size (bytes);
	back = test_decode (bytes);
	test_frames_equal (frame, back);

	g_test_message ("300 note bodies: %" G_GSIZE_FORMAT
			" bytes of text, frame %" G_GSIZE_FORMAT " bytes: "
			"%.1f bytes per change for %.1f bytes of text (%.0f%%)",
			raw, size, size / 300.0, raw / 300.0,
			100.0 * size / raw);
	/* Compressed, the frame is smaller than the bare text. */
	g_assert_cmpuint (test_flags (bytes), ==, 1);
	g_assert_cmpuint (size, <, raw);
}

/* Customer records: short values, where the per-change overhead shows. */
static void
test_round_trip_records (void)
{
	g_autoptr(CrmFrame) frame = crm_frame__new (CRM_FRAME_CHANGES, ME);
	g_autoptr(CrmFrame) back = NULL;
	g_autoptr(GBytes) bytes = NULL;
	gsize raw = 0, size;
	guint i, n = 0;

	for (i = 0; i < 100; i++) {
		g_autofree char *id = g_uuid_string_random ();
		g_autofree char *name = g_strdup_printf ("Customer %u Sato", i);
		g_autofree char *mail = g_strdup_printf ("c%u@example.jp", i);

		test_add (frame, ++n, CRM_ENTITY_CUSTOMER, id, "name",
			  g_variant_new_string (name));
		test_add (frame, ++n, CRM_ENTITY_CUSTOMER, id, "email",
			  g_variant_new_string (mail));
		test_add (frame, ++n, CRM_ENTITY_CUSTOMER, id, "created",
			  g_variant_new_int64 (T0 + i));
		test_add (frame, ++n, CRM_ENTITY_CUSTOMER, id, "phone", NULL);
		raw += strlen (name) + strlen (mail) + 8;
	}
	bytes = test_encode (frame);
	size = g_bytes_get_size (bytes);
	back = test_decode (bytes);
	test_frames_equal (frame, back);
	g_test_message ("%u customer field changes: %" G_GSIZE_FORMAT
			" bytes of values, frame %" G_GSIZE_FORMAT " bytes: "
			"%.1f bytes per change for %.1f bytes of value",
			n, raw, size, (double) size / n, (double) raw / n);
	/* Ids are random: what remains is about one id per change. */
	g_assert_cmpuint (size / n, <, 48);
}

/* An erased change: origin and sequence kept, content gone. */
static void
test_round_trip_erased (void)
{
	g_autoptr(CrmFrame) frame = crm_frame__new (CRM_FRAME_CHANGES, ME);
	g_autoptr(CrmFrame) back = NULL;
	g_autoptr(GBytes) bytes = NULL;
	CrmChange erased = { PEER, 12, 99, 0, NULL, NULL, NULL };
	CrmChange kept = { PEER, 13, 100, CRM_ENTITY_NOTE, ME, NULL, NULL };

	crm_frame__add_change (frame, &erased);
	crm_frame__add_change (frame, &kept);
	bytes = test_encode (frame);
	back = test_decode (bytes);
	test_frames_equal (frame, back);
}

/* Changes from a real store's log decode and apply on another store. */
static void
test_round_trip_store (void)
{
	TestClock clock = { T0 };
	g_autoptr(CrmStore) a = test_store_memory (&clock);
	g_autoptr(CrmStore) b = test_store_memory (&clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) log = NULL;
	g_autoptr(CrmFrame) frame = NULL, back = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autofree char *id = test_customer (a, "Yuki Sato", "yuki@ex.jp");
	g_autofree char *note = crm_note_add (a, id, "Maria", "billing",
					      "Asked for the invoice.", &error);
	guint i, applied = 0;

	g_assert_no_error (error);
	g_assert_true (crm_uuid_is_valid (note));
	log = test_read_log (a, 1, G_MAXINT64);
	frame = crm_frame__new (CRM_FRAME_CHANGES,
				crm_store_get_replica_id (a));
	for (i = 0; i < log->len; i++)
		crm_frame__add_change (frame,
				       &g_array_index (log, TestChange, i).c);
	bytes = test_encode (frame);
	back = test_decode (bytes);
	test_frames_equal (frame, back);

	g_assert_true (crm_change__apply_remote (b,
		(const CrmChange *) back->changes->data, back->changes->len,
		&applied, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (applied, ==, log->len);
	g_assert_cmpint (test_count (b, "SELECT count(*) FROM note WHERE "
				     "body = 'Asked for the invoice.'"), ==, 1);
}

static GBytes *
test_inflate (const guint8 *data, gsize len)
{
	g_autoptr(GZlibDecompressor) conv = g_zlib_decompressor_new (
		G_ZLIB_COMPRESSOR_FORMAT_RAW);

	return test_convert (G_CONVERTER (conv), data, len);
}

/* The body of @frame is compressed exactly when that is smaller. */
static guint8
test_check_compression (const CrmFrame *frame)
{
	g_autoptr(GBytes) bytes = test_encode (frame);
	g_autoptr(GBytes) other = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (bytes, &len);
	const guint8 *body = data + CRM_FRAME_HEADER_BYTES;
	gsize body_len = len - CRM_FRAME_HEADER_BYTES - CRM_FRAME_TAG_BYTES;

	if (data[5] == 1) {
		other = test_inflate (body, body_len);
		g_assert_cmpuint (g_bytes_get_size (other), >, body_len);
	} else {
		other = test_deflate (body, body_len);
		g_assert_cmpuint (g_bytes_get_size (other), >=, body_len);
	}
	return data[5];
}

static void
test_compression (void)
{
	g_autoptr(CrmFrame) empty = crm_frame__new (CRM_FRAME_HELLO, ME);
	g_autoptr(CrmFrame) small = crm_frame__new (CRM_FRAME_HELLO, ME);
	g_autoptr(CrmFrame) one = crm_frame__new (CRM_FRAME_CHANGES, ME);
	g_autoptr(CrmFrame) notes = crm_frame__new (CRM_FRAME_CHANGES, ME);

	g_autoptr(GByteArray) plain = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(CrmFrame) back = NULL;

	/* GVariant's zero padding makes even tiny bodies shrink a little;
	 * what matters is that the choice is right either way. */
	test_check_compression (empty);
	crm_frame__add_clock (small, PEER, 3);
	test_check_compression (small);
	test_add (one, 1, CRM_ENTITY_CUSTOMER, PEER, "name",
		  g_variant_new_string ("Yuki"));
	test_check_compression (one);
	test_fill_notes (notes, 20);
	g_assert_cmpuint (test_check_compression (notes), ==, 1);

	/* An uncompressed body is read as well. */
	plain = test_wrap_variant (test_wire_body (CRM_FRAME_HELLO, NULL,
		g_variant_new ("(@ayx)", test_id ("0123456789abcdef"),
			       (gint64) 5)), FALSE);
	bytes = g_bytes_new (plain->data, plain->len);
	back = test_decode (bytes);
	g_assert_cmpuint (back->vector->len, ==, 1);
	g_assert_cmpstr (g_array_index (back->vector, CrmFrameClock,
					0).replica, ==,
			 "30313233-3435-3637-3839-616263646566");
}

/* A small valid frame, as a byte array to damage. */
static GByteArray *
test_small_frame (void)
{
	g_autoptr(CrmFrame) frame = crm_frame__new (CRM_FRAME_CHANGES, ME);
	g_autoptr(GBytes) bytes = NULL;

	test_add (frame, 1, CRM_ENTITY_CUSTOMER, PEER, "name",
		  g_variant_new_string ("Yuki"));
	bytes = test_encode (frame);
	return g_bytes_unref_to_array (g_steal_pointer (&bytes));
}

static void
test_refuse_bit_flips (void)
{
	g_autoptr(GByteArray) frame = test_small_frame ();
	guint bit;

	g_test_message ("flipping each of %u bits", frame->len * 8);
	for (bit = 0; bit < frame->len * 8; bit++) {
		g_autoptr(GBytes) key = test_key ();
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(CrmFrame) back = NULL;

		frame->data[bit / 8] ^= 1 << (bit % 8);
		bytes = g_bytes_new (frame->data, frame->len);
		back = crm_frame__decode (bytes, key, &error);
		g_assert_null (back);
		/* The version byte raised says "newer"; all else: refused. */
		if (bit / 8 == 4 && frame->data[4] > CRM_FRAME_VERSION)
			g_assert_error (error, CRM_STORE_ERROR,
					CRM_STORE_ERROR_VERSION);
		else
			g_assert_error (error, CRM_STORE_ERROR,
					CRM_STORE_ERROR_FRAME);
		frame->data[bit / 8] ^= 1 << (bit % 8);
	}
}

static void
test_refuse_truncation (void)
{
	g_autoptr(GByteArray) frame = test_small_frame ();
	guint len;

	for (len = 0; len < frame->len; len++)
		test_refused (frame->data, len, CRM_STORE_ERROR_FRAME, NULL);
	test_refused (frame->data, 20, CRM_STORE_ERROR_FRAME, "truncated");
}

static void
test_refuse_extension (void)
{
	g_autoptr(GByteArray) frame = test_small_frame ();
	guint8 zero = 0;

	g_byte_array_append (frame, &zero, 1);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "follow its declared end");
	/* Even with the tag recomputed over the longer body. */
	test_retag (frame);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME, NULL);
}

static void
test_refuse_wrong_key (void)
{
	g_autoptr(GByteArray) frame = test_small_frame ();
	g_autoptr(GBytes) bytes = g_bytes_new (frame->data, frame->len);
	g_autoptr(GBytes) other = g_bytes_new_static (
		"team key of the frame tests, 32b", 32);
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmFrame) back = crm_frame__decode (bytes, other, &error);

	g_assert_null (back);
	g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FRAME);
	g_assert_nonnull (strstr (error->message,
				  "tag does not match the team key"));
}

static void
test_refuse_header (void)
{
	g_autoptr(GByteArray) frame = test_small_frame ();
	guint32 len_be;
	guint32 len = frame->len - CRM_FRAME_HEADER_BYTES -
		      CRM_FRAME_TAG_BYTES;

	/* Each damage is re-tagged, so that the check itself is seen. */
	frame->data[1] = 'c';
	test_retag (frame);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME, "magic");
	frame->data[1] = 'C';

	frame->data[4] = 3;
	test_retag (frame);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_VERSION,
		      "version 3 is newer than this client understands (1); "
		      "update the plugin");
	frame->data[4] = 0;
	test_retag (frame);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "no longer supported");
	frame->data[4] = CRM_FRAME_VERSION;

	len_be = GUINT32_TO_BE (len + 1);
	memcpy (frame->data + 6, &len_be, 4);
	test_retag (frame);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "truncated");
	len_be = GUINT32_TO_BE (G_MAXUINT32);
	memcpy (frame->data + 6, &len_be, 4);
	test_retag (frame);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "truncated");
	len_be = GUINT32_TO_BE (len - 1);
	memcpy (frame->data + 6, &len_be, 4);
	test_retag (frame);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "follow");

	len_be = GUINT32_TO_BE (len);
	memcpy (frame->data + 6, &len_be, 4);
	frame->data[5] = 0x80;
	test_retag (frame);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "unknown flags");
}

static void
test_refuse_size (void)
{
	g_autofree guint8 *big = g_malloc0 (CRM_FRAME_MAX_BYTES + 1);
	g_autoptr(GByteArray) frame = test_small_frame ();

	memcpy (big, frame->data, CRM_FRAME_HEADER_BYTES);
	test_refused (big, CRM_FRAME_MAX_BYTES + 1, CRM_STORE_ERROR_FRAME,
		      "over the limit");
}

static void
test_refuse_not_normal (void)
{
	g_autoptr(GVariant) body = g_variant_ref_sink (
		test_wire_body (CRM_FRAME_HELLO, NULL, NULL));
	g_autoptr(GBytes) data = g_variant_get_data_as_bytes (body);
	g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (data, NULL),
					      g_bytes_get_size (data));
	gsize len = g_bytes_get_size (data);
	g_autoptr(GByteArray) frame = NULL;

	/* The kind byte and the 16-byte sender, then padding to the
	 * 8-aligned array of changes: padding must be zero. */
	g_assert_cmpuint (len, >, 17);
	copy[17] = 0x5a;
	frame = test_wrap_bytes (copy, len, 0);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "normal form");

	/* Garbage of the right size is refused the same way. */
	g_clear_pointer (&frame, g_byte_array_unref);
	memset (copy, 0xff, len);
	frame = test_wrap_bytes (copy, len, 0);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "normal form");
	g_clear_pointer (&frame, g_byte_array_unref);
	frame = test_wrap_bytes (copy, 0, 0);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "normal form");
}

static void
test_refuse_bomb (void)
{
	g_autofree guint8 *zeros = g_malloc0 (8 * CRM_FRAME_MAX_BODY_BYTES);
	g_autoptr(GBytes) packed = test_deflate (zeros,
						 8 * CRM_FRAME_MAX_BODY_BYTES);
	g_autoptr(GByteArray) frame = NULL;
	static const guint8 junk[] = { 0xff, 0xfe, 0x00, 0x13 };

	g_test_message ("8 MiB of zeros deflate to %" G_GSIZE_FORMAT " bytes",
			g_bytes_get_size (packed));
	frame = test_wrap_bytes (g_bytes_get_data (packed, NULL),
				 g_bytes_get_size (packed), 1);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "inflates beyond");

	/* A corrupt, a truncated, and an over-long deflate stream. */
	g_clear_pointer (&frame, g_byte_array_unref);
	frame = test_wrap_bytes (junk, sizeof junk, 1);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "corrupt or truncated");
	g_clear_pointer (&frame, g_byte_array_unref);
	frame = test_wrap_bytes (g_bytes_get_data (packed, NULL), 100, 1);
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME, NULL);
	g_clear_pointer (&packed, g_bytes_unref);
	packed = test_deflate ((const guint8 *) "abcabcabcabc\0\0\0\0", 16);
	g_clear_pointer (&frame, g_byte_array_unref);
	{
		g_autoptr(GByteArray) longer = g_byte_array_new ();

		g_byte_array_append (longer, g_bytes_get_data (packed, NULL),
				     g_bytes_get_size (packed));
		g_byte_array_append (longer, junk, sizeof junk);
		frame = test_wrap_bytes (longer->data, longer->len, 1);
	}
	test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
		      "bytes follow its compressed body");
}

/* A body of @n copies of @child in an array of @type, compressed. */
static GByteArray *
test_many (guint n, gboolean changes)
{
	g_autofree GVariant **items = g_new (GVariant *, n);
	GVariant *array;
	guint i;

	for (i = 0; i < n; i++)
		items[i] = changes ?
			test_wire_change ("0123456789abcdef", i + 1,
					  CRM_ENTITY_NOTE, "fedcba9876543210",
					  "deleted", g_variant_new_int64 (1)) :
			g_variant_new ("(@ayx)", test_id ((char[17]) {
				'r', 'e', 'p', 'l', 'i', 'c', 'a', ' ',
				'0' + i / 1000 % 10, '0' + i / 100 % 10,
				'0' + i / 10 % 10, '0' + i % 10,
				'.', '.', '.', '.', 0 }), (gint64) i);
	array = g_variant_new_array (NULL, items, n);
	return test_wrap_variant (g_variant_new (
		"(y@ay@a(ayxxyaysmv)@a(ayx))",
		changes ? CRM_FRAME_CHANGES : CRM_FRAME_HELLO,
		test_id ("0123456789abcdef"),
		changes ? array : g_variant_new_array (
			G_VARIANT_TYPE ("(ayxxyaysmv)"), NULL, 0),
		changes ? g_variant_new_array (G_VARIANT_TYPE ("(ayx)"),
					       NULL, 0) : array), TRUE);
}

static void
test_refuse_counts (void)
{
	g_autoptr(GByteArray) ok = test_many (CRM_FRAME_MAX_CHANGES, TRUE);
	g_autoptr(GByteArray) over = test_many (CRM_FRAME_MAX_CHANGES + 1,
						TRUE);
	g_autoptr(GByteArray) ok_vec = test_many (CRM_FRAME_MAX_VECTOR, FALSE);
	g_autoptr(GByteArray) over_vec = test_many (CRM_FRAME_MAX_VECTOR + 1,
						    FALSE);
	g_autoptr(GBytes) bytes = g_bytes_new (ok->data, ok->len);
	g_autoptr(GBytes) vec = g_bytes_new (ok_vec->data, ok_vec->len);
	g_autoptr(CrmFrame) frame = test_decode (bytes);
	g_autoptr(CrmFrame) frame_vec = test_decode (vec);

	g_assert_cmpuint (frame->changes->len, ==, CRM_FRAME_MAX_CHANGES);
	g_assert_cmpuint (frame_vec->vector->len, ==, CRM_FRAME_MAX_VECTOR);
	test_refused (over->data, over->len, CRM_STORE_ERROR_FRAME,
		      "more than");
	test_refused (over_vec->data, over_vec->len, CRM_STORE_ERROR_FRAME,
		      "more than");
}

/* Well-formed bodies whose content is wrong, each refused whole. */
static void
test_refuse_elements (void)
{
	const char *o = "0123456789abcdef", *e = "fedcba9876543210";
	struct {
		GVariant *body;
		const char *reason;
	} cases[] = {
		{ test_wire_body (9, NULL, NULL), "unknown kind" },
		{ test_wire_body (CRM_FRAME_HELLO, test_wire_change (o, 1,
		  1, e, "name", NULL), NULL), "does not allow" },
		{ test_wire_body (CRM_FRAME_CHANGES, NULL, g_variant_new (
		  "(@ayx)", test_id (o), (gint64) 1)), "does not allow" },
		{ test_wire_body (CRM_FRAME_CHANGES, test_wire_change (
		  "0123456789abcde", 1, 1, e, "name", NULL), NULL),
		  "not 16 bytes" },
		{ test_wire_body (CRM_FRAME_CHANGES, test_wire_change (o, 1,
		  1, "", "name", NULL), NULL), "not 16 bytes" },
		{ test_wire_body (CRM_FRAME_CHANGES, test_wire_change (o, 0,
		  1, e, "name", NULL), NULL), "out of range" },
		{ test_wire_body (CRM_FRAME_CHANGES, test_wire_change (o, 1,
		  0, e, "name", NULL), NULL), "unknown entity" },
		{ test_wire_body (CRM_FRAME_CHANGES, test_wire_change (o, 1,
		  8, e, "name", NULL), NULL), "unknown entity" },
		{ test_wire_body (CRM_FRAME_CHANGES, test_wire_change (o, 1,
		  1, e, "Name; DROP", NULL), NULL), "field name" },
		{ test_wire_body (CRM_FRAME_CHANGES, test_wire_change (o, 1,
		  1, e, "name", g_variant_new_boolean (TRUE)), NULL),
		  "wrong type" },
		{ test_wire_body (CRM_FRAME_CHANGES, test_wire_change (o, 1,
		  1, e, "", g_variant_new_int64 (1)), NULL), "wrong type" },
		{ test_wire_body (CRM_FRAME_ACK, NULL, g_variant_new (
		  "(@ayx)", test_id (o), (gint64) -1)), "negative" },
		{ test_wire_body (CRM_FRAME_ACK, NULL, g_variant_new (
		  "(@ayx)", test_id ("short"), (gint64) 1)), "16 bytes" },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GByteArray) frame = test_wrap_variant (cases[i].body,
								 i % 2);

		test_refused (frame->data, frame->len, CRM_STORE_ERROR_FRAME,
			      cases[i].reason);
	}
}

/* The encoder refuses what the decoder would, as INVALID. */
static void
test_encode_refused (void)
{
	g_autoptr(GBytes) key = test_key ();
	g_autoptr(CrmFrame) bad_sender = crm_frame__new (CRM_FRAME_HELLO,
							 "not-a-uuid");
	g_autoptr(CrmFrame) bad_field = crm_frame__new (CRM_FRAME_CHANGES, ME);
	g_autoptr(CrmFrame) twice = crm_frame__new (CRM_FRAME_ACK, ME);
	g_autoptr(CrmFrame) huge = crm_frame__new (CRM_FRAME_CHANGES, ME);
	CrmFrame *frames[] = { bad_sender, bad_field, twice, huge };
	g_autofree char *noise = g_malloc (CRM_NOTE_MAX_BYTES + 1);
	guint i;

	test_add (bad_field, 1, CRM_ENTITY_NOTE, PEER, "Body", NULL);
	crm_frame__add_clock (twice, PEER, 1);
	crm_frame__add_clock (twice, PEER, 2);
	/* 64 KiB of incompressible text, 32 times: 2 MiB. */
	for (i = 0; i < CRM_NOTE_MAX_BYTES; i++)
		noise[i] = 'a' + g_test_rand_int_range (0, 26);
	noise[CRM_NOTE_MAX_BYTES] = '\0';
	for (i = 0; i < 32; i++)
		test_add (huge, i + 1, CRM_ENTITY_NOTE, PEER, "body",
			  g_variant_new_string (noise));

	for (i = 0; i < G_N_ELEMENTS (frames); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) bytes = crm_frame__encode (frames[i], key,
							     &error);

		g_assert_null (bytes);
		g_assert_error (error, CRM_STORE_ERROR,
				CRM_STORE_ERROR_INVALID);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/store/frame/round-trip/vectors",
			 test_round_trip_vectors);
	g_test_add_func ("/store/frame/round-trip/notes",
			 test_round_trip_notes);
	g_test_add_func ("/store/frame/round-trip/records",
			 test_round_trip_records);
	g_test_add_func ("/store/frame/round-trip/erased",
			 test_round_trip_erased);
	g_test_add_func ("/store/frame/round-trip/store",
			 test_round_trip_store);
	g_test_add_func ("/store/frame/compression", test_compression);
	g_test_add_func ("/store/frame/refuse/bit-flips",
			 test_refuse_bit_flips);
	g_test_add_func ("/store/frame/refuse/truncation",
			 test_refuse_truncation);
	g_test_add_func ("/store/frame/refuse/extension",
			 test_refuse_extension);
	g_test_add_func ("/store/frame/refuse/wrong-key",
			 test_refuse_wrong_key);
	g_test_add_func ("/store/frame/refuse/header", test_refuse_header);
	g_test_add_func ("/store/frame/refuse/size", test_refuse_size);
	g_test_add_func ("/store/frame/refuse/not-normal",
			 test_refuse_not_normal);
	g_test_add_func ("/store/frame/refuse/bomb", test_refuse_bomb);
	g_test_add_func ("/store/frame/refuse/counts", test_refuse_counts);
	g_test_add_func ("/store/frame/refuse/elements",
			 test_refuse_elements);
	g_test_add_func ("/store/frame/encode-refused", test_encode_refused);
	return g_test_run ();
}
