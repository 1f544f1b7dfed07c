/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame.c: the sync frame codec, turning a CrmFrame into authenticated
 * bytes for the wire and bytes from the wire back into a CrmFrame, refusing
 * whole any frame whose version, size, form or tag is wrong.
 *
 * THE LAYOUT
 *
 * A frame is a fixed ten-byte header, a body and a tag:
 *
 *     offset  size  content
 *     0       4     magic: 0x89 'C' 'R' 'M'
 *     4       1     version: CRM_FRAME_VERSION (1)
 *     5       1     flags: bit 0 set when the body is compressed (raw
 *                   deflate, RFC 1951); every other bit is zero
 *     6       4     body length N, unsigned, big-endian
 *     10      N     body
 *     10+N    32    HMAC-SHA256 under the team key of bytes 0 .. 10+N-1
 *
 * The body, once inflated, is one GVariant of type
 * "(yaya(ayxxyaysmv)a(ayx))" in normal form and little-endian byte order:
 * the kind (CrmFrameKind), the sender's replica id, the changes and the
 * version vector.  A change is (origin, seq, ts, entity, entity id, field,
 * value); replica and entity ids travel as their 16 raw bytes rather than
 * 36 characters of text, and the value is "nothing" for NULL or a variant
 * holding an "x" or an "s".  An erased change (its place in a replica's
 * sequence kept, its content gone) has an empty field, no value, and may
 * have an empty entity id.  A vector entry is (replica id, highest
 * sequence held without a gap).  HELLO and ACK carry no changes; CHANGES
 * carries no vector.  The body is compressed only when that makes it
 * smaller: ids are random, but the origin and entity ids repeat across a
 * batch and so do field names, and note text compresses well.
 *
 * THE ORDER OF THE CHECKS
 *
 * Nothing from the wire is trusted until the tag has been checked, and
 * nothing after that is trusted beyond what was checked:
 *
 *  1. The total size lies between header plus tag and CRM_FRAME_MAX_BYTES:
 *     every later read is within the buffer, and no attacker makes us hash
 *     megabytes.
 *  2. The magic: bytes that are not a frame at all get a plain answer.
 *  3. The version, before the tag, because a newer version may compute
 *     its tag differently (the design foresees authenticated encryption);
 *     its sender deserves "update the plugin", not "wrong key".
 *  4. The declared length equals what is actually there: the length is
 *     never used to read, only compared.
 *  5. The tag, compared in constant time.  From here on the bytes are
 *     known to come from a holder of the team key, though that holder may
 *     still run buggy or hostile code.
 *  6. The flags, then inflation into a buffer that is never allowed past
 *     CRM_FRAME_MAX_BODY_BYTES (a small body that inflates to gigabytes
 *     stops at the cap) and must end exactly where the body ends.
 *  7. The body must be a GVariant of the exact type in normal form, so
 *     that one frame has one encoding and the GVariant readers never see
 *     overlapping or out-of-range offsets.
 *  8. The counts are compared with their maxima before any element is
 *     read, then every element is checked: id lengths, entity numbers,
 *     field names, value types and sizes, sequence numbers.  The first
 *     bad element refuses the whole frame, and the caller gets nothing.
 *
 * Encoding runs the same element checks, so that this build never sends
 * a frame its peers would refuse.
 */
#include "frame-private.h"

#include <gio/gio.h>
#include <string.h>

#define FRAME_BODY_TYPE "(yaya(ayxxyaysmv)a(ayx))"
#define FRAME_FLAG_COMPRESSED 0x01
#define FRAME_ID_BYTES 16
#define FRAME_CHUNK_BYTES 16384

static const guint8 frame_magic[4] = { 0x89, 'C', 'R', 'M' };

static gboolean frame_refuse (GError **error, int code, const char *format,
			      ...) G_GNUC_PRINTF (3, 4);

/* Sets @error and returns FALSE, so that checks read as one line. */
static gboolean
frame_refuse (GError **error, int code, const char *format, ...)
{
	va_list args;
	char *message;

	va_start (args, format);
	message = g_strdup_vprintf (format, args);
	va_end (args);
	g_set_error_literal (error, CRM_STORE_ERROR, code, message);
	g_free (message);
	return FALSE;
}

/* Parses a canonical UUID (crm_uuid_is_valid()) into its 16 bytes. */
static void
frame_uuid_to_bytes (const char *uuid, guint8 *out)
{
	guint i, n = 0;

	g_assert (crm_uuid_is_valid (uuid));
	for (i = 0; i < 36 && n < FRAME_ID_BYTES; i++) {
		if (uuid[i] == '-')
			continue;
		out[n++] = (g_ascii_xdigit_value (uuid[i]) << 4) |
			   g_ascii_xdigit_value (uuid[i + 1]);
		i++;
	}
}

/* Formats 16 bytes as a canonical UUID into @out (37 bytes). */
static void
frame_uuid_from_bytes (const guint8 *bytes, char *out)
{
	static const char hex[] = "0123456789abcdef";
	guint i, n = 0;

	for (i = 0; i < FRAME_ID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		out[n++] = hex[bytes[i] >> 4];
		out[n++] = hex[bytes[i] & 0x0f];
	}
	out[n] = '\0';
}

/* Field names are short lower-case identifiers, as in change.c's table. */
static gboolean
frame_field_is_valid (const char *field)
{
	gsize i;

	for (i = 0; field[i] != '\0'; i++) {
		if (i >= CRM_FRAME_MAX_FIELD_BYTES ||
		    !(g_ascii_islower (field[i]) ||
		      g_ascii_isdigit (field[i]) || field[i] == '_'))
			return FALSE;
	}
	return i > 0;
}

static gboolean
frame_value_is_valid (GVariant *value)
{
	const char *text;
	gsize len = 0;

	if (value == NULL ||
	    g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
		return TRUE;
	if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
		return FALSE;
	text = g_variant_get_string (value, &len);
	return len <= CRM_NOTE_MAX_BYTES && g_utf8_validate (text, len, NULL);
}

/*
 * The checks of one change that do not depend on how ids are spelt: both
 * sides run them, the encoder with @code INVALID, the decoder with FRAME.
 */
static gboolean
frame_check_change (const CrmChange *change, guint index, int code,
		    GError **error)
{
	gboolean erased = change->field == NULL;

	if (change->seq <= 0 || change->ts < 0)
		return frame_refuse (error, code,
				     _("Sync frame refused: change %u has a sequence or time out of range"),
				     index);
	if (change->entity < (erased ? 0 : CRM_ENTITY_CUSTOMER) ||
	    change->entity > CRM_ENTITY_AGENT)
		return frame_refuse (error, code,
				     _("Sync frame refused: change %u has unknown entity kind %d"),
				     index, (int) change->entity);
	if (change->entity_id == NULL && !erased)
		return frame_refuse (error, code,
				     _("Sync frame refused: change %u has no entity id"),
				     index);
	if (!erased && !frame_field_is_valid (change->field))
		return frame_refuse (error, code,
				     _("Sync frame refused: change %u has an invalid field name"),
				     index);
	if (erased ? change->value != NULL :
		     !frame_value_is_valid (change->value))
		return frame_refuse (error, code,
				     _("Sync frame refused: change %u has a value of the wrong type or size"),
				     index);
	return TRUE;
}

/* The rules of a frame as a whole: kind, counts, duplicate replicas. */
static gboolean
frame_check_shape (const CrmFrame *frame, int code, GError **error)
{
	g_autoptr(GHashTable) seen = NULL;
	guint i;

	if (frame->kind < CRM_FRAME_HELLO || frame->kind > CRM_FRAME_ACK)
		return frame_refuse (error, code, _("Sync frame refused: unknown kind %d"),
				     (int) frame->kind);
	if (frame->changes->len > CRM_FRAME_MAX_CHANGES ||
	    frame->vector->len > CRM_FRAME_MAX_VECTOR)
		return frame_refuse (error, code,
				     _("Sync frame refused: more than %u changes or %u vector entries"),
				     CRM_FRAME_MAX_CHANGES,
				     CRM_FRAME_MAX_VECTOR);
	if ((frame->kind == CRM_FRAME_CHANGES && frame->vector->len > 0) ||
	    (frame->kind != CRM_FRAME_CHANGES && frame->changes->len > 0))
		return frame_refuse (error, code,
				     _("Sync frame refused: its kind does not allow this content"));

	/* Strings are interned in frame->strings: equal means same. */
	seen = g_hash_table_new (NULL, NULL);
	for (i = 0; i < frame->vector->len; i++) {
		CrmFrameClock *clock = &g_array_index (frame->vector,
						       CrmFrameClock, i);

		if (clock->seq < 0 ||
		    !g_hash_table_add (seen, (gpointer) clock->replica))
			return frame_refuse (error, code,
					     _("Sync frame refused: vector entry %u is negative or repeated"),
					     i);
	}
	return TRUE;
}

/*
 * crm_frame__new:
 * An empty frame of @kind from replica @sender (a UUID), to be filled and
 * passed to crm_frame__encode().
 */
CrmFrame *
crm_frame__new (CrmFrameKind kind, const char *sender)
{
	CrmFrame *frame;

	g_return_val_if_fail (sender != NULL, NULL);

	frame = g_new0 (CrmFrame, 1);
	frame->kind = kind;
	frame->strings = g_string_chunk_new (1024);
	frame->sender = g_string_chunk_insert_const (frame->strings, sender);
	frame->changes = g_array_new (FALSE, TRUE, sizeof (CrmChange));
	frame->vector = g_array_new (FALSE, TRUE, sizeof (CrmFrameClock));
	return frame;
}

/*
 * crm_frame__free:
 * Frees @frame, its strings and its references to the values.
 */
void
crm_frame__free (CrmFrame *frame)
{
	guint i;

	if (frame == NULL)
		return;
	for (i = 0; i < frame->changes->len; i++) {
		CrmChange *change = &g_array_index (frame->changes,
						    CrmChange, i);

		g_clear_pointer (&change->value, g_variant_unref);
	}
	g_array_unref (frame->changes);
	g_array_unref (frame->vector);
	g_string_chunk_free (frame->strings);
	g_free (frame);
}

/*
 * crm_frame__add_change:
 * Appends a copy of @change to @frame: the strings are copied and the
 * value, if any, is referenced (a floating one is sunk).  Not checked
 * here: crm_frame__encode() checks the frame as a whole.
 */
void
crm_frame__add_change (CrmFrame *frame, const CrmChange *change)
{
	CrmChange copy = { NULL };
	GStringChunk *strings;

	g_return_if_fail (frame != NULL && change != NULL);
	g_return_if_fail (change->origin != NULL);

	strings = frame->strings;
	copy = *change;
	copy.origin = g_string_chunk_insert_const (strings, change->origin);
	if (change->entity_id)
		copy.entity_id = g_string_chunk_insert_const (
			strings, change->entity_id);
	if (change->field)
		copy.field = g_string_chunk_insert_const (strings,
							  change->field);
	if (change->value)
		copy.value = g_variant_ref_sink (change->value);
	g_array_append_val (frame->changes, copy);
}

/*
 * crm_frame__add_clock:
 * Appends the vector entry (@replica, @seq) to @frame.
 */
void
crm_frame__add_clock (CrmFrame *frame, const char *replica, gint64 seq)
{
	CrmFrameClock clock = { NULL, seq };

	g_return_if_fail (frame != NULL && replica != NULL);

	clock.replica = g_string_chunk_insert_const (frame->strings, replica);
	g_array_append_val (frame->vector, clock);
}

static GVariant *
frame_id_variant (const char *uuid)
{
	guint8 bytes[FRAME_ID_BYTES];

	if (uuid == NULL)
		return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
						  NULL, 0, 1);
	frame_uuid_to_bytes (uuid, bytes);
	return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, bytes,
					  FRAME_ID_BYTES, 1);
}

/* Checks one change as the encoder sees it: ids as text. */
static gboolean
frame_check_out_change (const CrmChange *change, guint index,
			GError **error)
{
	if (!crm_uuid_is_valid (change->origin) ||
	    (change->entity_id && !crm_uuid_is_valid (change->entity_id)))
		return frame_refuse (error, CRM_STORE_ERROR_INVALID,
				     _("Sync frame refused: change %u has an invalid replica or entity id"),
				     index);
	return frame_check_change (change, index, CRM_STORE_ERROR_INVALID,
				   error);
}

static GVariant *
frame_change_variant (const CrmChange *change)
{
	GVariant *value = NULL;

	if (change->value)
		value = g_variant_new_variant (change->value);
	return g_variant_new ("(@ayxxy@ays@mv)",
			      frame_id_variant (change->origin),
			      change->seq, change->ts, (guchar) change->entity,
			      frame_id_variant (change->entity_id),
			      change->field ? change->field : "",
			      g_variant_new_maybe (G_VARIANT_TYPE_VARIANT,
						   value));
}

/* The body as a GVariant in wire byte order, or NULL with @error set. */
static GVariant *
frame_body_variant (const CrmFrame *frame, GError **error)
{
	GVariantBuilder changes, vector;
	g_autoptr(GVariant) body = NULL;
	guint i;

	if (!crm_uuid_is_valid (frame->sender)) {
		frame_refuse (error, CRM_STORE_ERROR_INVALID,
			      _("Sync frame refused: the sender is not a replica id"));
		return NULL;
	}
	if (!frame_check_shape (frame, CRM_STORE_ERROR_INVALID, error))
		return NULL;

	g_variant_builder_init (&changes, G_VARIANT_TYPE ("a(ayxxyaysmv)"));
	for (i = 0; i < frame->changes->len; i++) {
		const CrmChange *change = &g_array_index (frame->changes,
							  CrmChange, i);

		if (!frame_check_out_change (change, i, error)) {
			g_variant_builder_clear (&changes);
			return NULL;
		}
		g_variant_builder_add_value (&changes,
					     frame_change_variant (change));
	}
	g_variant_builder_init (&vector, G_VARIANT_TYPE ("a(ayx)"));
	for (i = 0; i < frame->vector->len; i++) {
		const CrmFrameClock *clock = &g_array_index (frame->vector,
							     CrmFrameClock, i);

		if (!crm_uuid_is_valid (clock->replica)) {
			g_variant_builder_clear (&changes);
			g_variant_builder_clear (&vector);
			frame_refuse (error, CRM_STORE_ERROR_INVALID,
				      _("Sync frame refused: vector entry %u is not a replica id"),
				      i);
			return NULL;
		}
		g_variant_builder_add (&vector, "(@ayx)",
				       frame_id_variant (clock->replica),
				       clock->seq);
	}
	body = g_variant_ref_sink (g_variant_new ("(y@ay@a(ayxxyaysmv)@a(ayx))",
		(guchar) frame->kind, frame_id_variant (frame->sender),
		g_variant_builder_end (&changes),
		g_variant_builder_end (&vector)));
	if (G_BYTE_ORDER == G_BIG_ENDIAN)
		return g_variant_byteswap (body);
	return g_steal_pointer (&body);
}

/*
 * Runs @conv over all of @in, output growing up to @cap bytes: past that,
 * or on a stream that is corrupt, truncated or followed by more bytes,
 * fails with CRM_STORE_ERROR_FRAME.
 */
static GBytes *
frame_convert (GConverter *conv, const guint8 *in, gsize len, gsize cap,
	       GError **error)
{
	g_autoptr(GByteArray) out = g_byte_array_new ();
	GConverterResult res = G_CONVERTER_CONVERTED;
	gsize pos = 0;

	while (res != G_CONVERTER_FINISHED) {
		gsize used = out->len, room, nread = 0, nwritten = 0;

		room = MIN (FRAME_CHUNK_BYTES, cap + 1 - used);
		g_byte_array_set_size (out, used + room);
		res = g_converter_convert (conv, in + pos, len - pos,
					  out->data + used, room,
					  G_CONVERTER_INPUT_AT_END, &nread,
					  &nwritten, NULL);
		g_byte_array_set_size (out, used + nwritten);
		pos += nread;
		if (res == G_CONVERTER_ERROR ||
		    (res != G_CONVERTER_FINISHED && nread == 0 &&
		     nwritten == 0))
			return frame_refuse (error, CRM_STORE_ERROR_FRAME,
					     _("Sync frame refused: its compressed body is corrupt or truncated")),
			       NULL;
		if (out->len > cap)
			return frame_refuse (error, CRM_STORE_ERROR_FRAME,
					     _("Sync frame refused: its body inflates beyond %lu bytes"),
					     (gulong) cap), NULL;
	}
	if (pos != len)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: bytes follow its compressed body")),
		       NULL;
	return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
frame_compute_tag (GBytes *key, const guint8 *data, gsize len,
		   guint8 *tag)
{
	g_autoptr(GHmac) hmac = NULL;
	gsize key_len = 0, tag_len = CRM_FRAME_TAG_BYTES;
	const guint8 *key_data = g_bytes_get_data (key, &key_len);

	hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_len);
	g_hmac_update (hmac, data, len);
	g_hmac_get_digest (hmac, tag, &tag_len);
	g_assert (tag_len == CRM_FRAME_TAG_BYTES);
}

/* Compresses @body when that makes it smaller; returns the flags. */
static guint8
frame_deflate (GBytes **body)
{
	g_autoptr(GZlibCompressor) conv = NULL;
	g_autoptr(GBytes) packed = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (*body, &len);

	if (len < 2)
		return 0;
	conv = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, 9);
	/* The cap makes the conversion stop, and fail, once it would not
	 * be smaller. */
	packed = frame_convert (G_CONVERTER (conv), data, len, len - 1, NULL);
	if (packed == NULL)
		return 0;
	g_bytes_unref (*body);
	*body = g_steal_pointer (&packed);
	return FRAME_FLAG_COMPRESSED;
}

/*
 * crm_frame__encode:
 * The bytes of @frame, authenticated under the team @key: checked as the
 * decoder will check them, compressed when smaller.  A frame that would
 * be larger than CRM_FRAME_MAX_BYTES fails with CRM_STORE_ERROR_INVALID:
 * the caller sends fewer changes per frame.
 */
GBytes *
crm_frame__encode (const CrmFrame *frame, GBytes *key, GError **error)
{
	g_autoptr(GVariant) variant = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GByteArray) out = NULL;
	guint8 header[CRM_FRAME_HEADER_BYTES], tag[CRM_FRAME_TAG_BYTES];
	guint32 len_be;
	gsize len;

	g_return_val_if_fail (frame != NULL, NULL);
	g_return_val_if_fail (key != NULL, NULL);
	g_return_val_if_fail (g_bytes_get_size (key) >= CRM_FRAME_MIN_KEY_BYTES,
			      NULL);

	variant = frame_body_variant (frame, error);
	if (variant == NULL)
		return NULL;
	body = g_variant_get_data_as_bytes (variant);
	if (g_bytes_get_size (body) > CRM_FRAME_MAX_BODY_BYTES)
		return frame_refuse (error, CRM_STORE_ERROR_INVALID,
				     _("Sync frame refused: its body would exceed %u bytes; send fewer changes"),
				     CRM_FRAME_MAX_BODY_BYTES), NULL;

	memcpy (header, frame_magic, sizeof frame_magic);
	header[4] = CRM_FRAME_VERSION;
	header[5] = frame_deflate (&body);
	len = g_bytes_get_size (body);
	if (len > CRM_FRAME_MAX_BYTES - CRM_FRAME_HEADER_BYTES -
		  CRM_FRAME_TAG_BYTES)
		return frame_refuse (error, CRM_STORE_ERROR_INVALID,
				     _("Sync frame refused: it would exceed %u bytes; send fewer changes"),
				     CRM_FRAME_MAX_BYTES), NULL;
	len_be = GUINT32_TO_BE ((guint32) len);
	memcpy (header + 6, &len_be, 4);

	out = g_byte_array_sized_new (CRM_FRAME_HEADER_BYTES + len +
				      CRM_FRAME_TAG_BYTES);
	g_byte_array_append (out, header, sizeof header);
	g_byte_array_append (out, g_bytes_get_data (body, NULL), len);
	frame_compute_tag (key, out->data, out->len, tag);
	g_byte_array_append (out, tag, sizeof tag);
	return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Steps 1 to 4 of the checks: size, magic, version, declared length. */
static gboolean
frame_check_envelope (const guint8 *data, gsize size, GError **error)
{
	guint32 len_be;
	gsize declared;

	if (size < CRM_FRAME_HEADER_BYTES + CRM_FRAME_TAG_BYTES)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: it is truncated (%lu bytes)"),
				     (gulong) size);
	if (size > CRM_FRAME_MAX_BYTES)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: %lu bytes is over the limit of %u"),
				     (gulong) size, CRM_FRAME_MAX_BYTES);
	if (memcmp (data, frame_magic, sizeof frame_magic) != 0)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: it does not start with the frame magic"));
	if (data[4] > CRM_FRAME_VERSION)
		return frame_refuse (error, CRM_STORE_ERROR_VERSION,
				     _("Sync frame version %u is newer than this client understands (%u); update the plugin"),
				     data[4], CRM_FRAME_VERSION);
	if (data[4] < CRM_FRAME_VERSION)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: version %u is no longer supported"),
				     data[4]);

	memcpy (&len_be, data + 6, 4);
	declared = GUINT32_FROM_BE (len_be);
	if (declared > size - CRM_FRAME_HEADER_BYTES - CRM_FRAME_TAG_BYTES)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: it is truncated (%lu bytes of body declared)"),
				     (gulong) declared);
	if (declared < size - CRM_FRAME_HEADER_BYTES - CRM_FRAME_TAG_BYTES)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: bytes follow its declared end"));
	return TRUE;
}

/* Step 5: the tag, compared in constant time. */
static gboolean
frame_check_tag (const guint8 *data, gsize size, GBytes *key,
		 GError **error)
{
	guint8 tag[CRM_FRAME_TAG_BYTES];
	const guint8 *wire = data + size - CRM_FRAME_TAG_BYTES;
	guint8 diff = 0;
	gsize i;

	frame_compute_tag (key, data, size - CRM_FRAME_TAG_BYTES, tag);
	for (i = 0; i < CRM_FRAME_TAG_BYTES; i++)
		diff |= tag[i] ^ wire[i];
	if (diff != 0)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: its tag does not match the team key"));
	return TRUE;
}

/* Steps 6 and 7: flags, inflation, exact type in normal form. */
static GVariant *
frame_open_body (GBytes *data, GError **error)
{
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GVariant) variant = NULL;
	gsize size = 0;
	const guint8 *bytes = g_bytes_get_data (data, &size);
	gsize len = size - CRM_FRAME_HEADER_BYTES - CRM_FRAME_TAG_BYTES;

	if (bytes[5] & ~FRAME_FLAG_COMPRESSED)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: unknown flags 0x%02x"),
				     bytes[5]), NULL;
	if (bytes[5] & FRAME_FLAG_COMPRESSED) {
		g_autoptr(GZlibDecompressor) conv = NULL;

		conv = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
		body = frame_convert (G_CONVERTER (conv),
				      bytes + CRM_FRAME_HEADER_BYTES, len,
				      CRM_FRAME_MAX_BODY_BYTES, error);
		if (body == NULL)
			return NULL;
	} else {
		body = g_bytes_new_from_bytes (data, CRM_FRAME_HEADER_BYTES,
					       len);
	}

	variant = g_variant_ref_sink (g_variant_new_from_bytes (
		G_VARIANT_TYPE (FRAME_BODY_TYPE), body, FALSE));
	if (!g_variant_is_normal_form (variant))
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: its body is not in normal form")),
		       NULL;
	if (G_BYTE_ORDER == G_BIG_ENDIAN)
		return g_variant_byteswap (variant);
	return g_steal_pointer (&variant);
}

/* An id from the wire: 16 bytes, interned; NULL for none or bad. */
static const char *
frame_read_id (CrmFrame *frame, GVariant *bytes, gboolean *out_empty)
{
	char uuid[37];
	gsize n = 0;
	const guint8 *data = g_variant_get_fixed_array (bytes, &n, 1);

	if (out_empty)
		*out_empty = n == 0;
	if (n != FRAME_ID_BYTES)
		return NULL;
	frame_uuid_from_bytes (data, uuid);
	return g_string_chunk_insert_const (frame->strings, uuid);
}

/* Step 8 for one change: reads it into @frame, or refuses it. */
static gboolean
frame_read_change (CrmFrame *frame, GVariant *child, guint index,
		   GError **error)
{
	g_autoptr(GVariant) origin = NULL, entity_id = NULL, maybe = NULL;
	g_autoptr(GVariant) boxed = NULL;
	g_autoptr(GVariant) value = NULL;
	CrmChange change = { NULL };
	const char *field = NULL;
	gboolean no_entity = FALSE;
	guint8 entity = 0;

	g_variant_get (child, "(@ayxxy@ay&s@mv)", &origin, &change.seq,
		       &change.ts, &entity, &entity_id, &field, &maybe);
	change.entity = entity;
	change.origin = frame_read_id (frame, origin, NULL);
	change.entity_id = frame_read_id (frame, entity_id, &no_entity);
	if (*field != '\0')
		change.field = g_string_chunk_insert_const (frame->strings,
							    field);
	boxed = g_variant_get_maybe (maybe);
	if (boxed)
		value = g_variant_get_variant (boxed);
	change.value = value;

	if (change.origin == NULL ||
	    (change.entity_id == NULL && !(no_entity && !change.field)))
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: change %u has a replica or entity id that is not 16 bytes"),
				     index);
	if (!frame_check_change (&change, index, CRM_STORE_ERROR_FRAME,
				 error))
		return FALSE;
	change.value = g_steal_pointer (&value);
	g_array_append_val (frame->changes, change);
	return TRUE;
}

/* Step 8 for the vector entries. */
static gboolean
frame_read_vector (CrmFrame *frame, GVariant *vector, GError **error)
{
	gsize i, n = g_variant_n_children (vector);

	for (i = 0; i < n; i++) {
		g_autoptr(GVariant) id = NULL;
		CrmFrameClock clock = { NULL, 0 };

		g_variant_get_child (vector, i, "(@ayx)", &id, &clock.seq);
		clock.replica = frame_read_id (frame, id, NULL);
		if (clock.replica == NULL)
			return frame_refuse (error, CRM_STORE_ERROR_FRAME,
					     _("Sync frame refused: vector entry %lu is not 16 bytes"),
					     (gulong) i);
		g_array_append_val (frame->vector, clock);
	}
	return TRUE;
}

/* Step 8: the counts against their maxima first, then every element. */
static CrmFrame *
frame_from_variant (GVariant *body, GError **error)
{
	g_autoptr(CrmFrame) frame = NULL;
	g_autoptr(GVariant) sender = NULL, changes = NULL, vector = NULL;
	guint8 kind = 0;
	gsize i, n;

	g_variant_get (body, "(y@ay@a(ayxxyaysmv)@a(ayx))", &kind, &sender,
		       &changes, &vector);
	n = g_variant_n_children (changes);
	if (n > CRM_FRAME_MAX_CHANGES ||
	    g_variant_n_children (vector) > CRM_FRAME_MAX_VECTOR)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: more than %u changes or %u vector entries"),
				     CRM_FRAME_MAX_CHANGES,
				     CRM_FRAME_MAX_VECTOR), NULL;

	frame = crm_frame__new (kind, "");
	frame->sender = frame_read_id (frame, sender, NULL);
	if (frame->sender == NULL)
		return frame_refuse (error, CRM_STORE_ERROR_FRAME,
				     _("Sync frame refused: the sender id is not 16 bytes")),
		       NULL;
	for (i = 0; i < n; i++) {
		g_autoptr(GVariant) child = g_variant_get_child_value (changes,
								       i);

		if (!frame_read_change (frame, child, i, error))
			return NULL;
	}
	if (!frame_read_vector (frame, vector, error) ||
	    !frame_check_shape (frame, CRM_STORE_ERROR_FRAME, error))
		return NULL;
	return g_steal_pointer (&frame);
}

/*
 * crm_frame__decode:
 * The frame in @data, checked against the team @key in the order the
 * essay at the top of this file gives.  Any failure refuses the whole
 * frame: %NULL with @error set, CRM_STORE_ERROR_VERSION for a frame of a
 * newer protocol and CRM_STORE_ERROR_FRAME for anything else.
 */
CrmFrame *
crm_frame__decode (GBytes *data, GBytes *key, GError **error)
{
	g_autoptr(GVariant) body = NULL;
	gsize size = 0;
	const guint8 *bytes;

	g_return_val_if_fail (data != NULL, NULL);
	g_return_val_if_fail (key != NULL, NULL);
	g_return_val_if_fail (g_bytes_get_size (key) >= CRM_FRAME_MIN_KEY_BYTES,
			      NULL);

	bytes = g_bytes_get_data (data, &size);
	if (!frame_check_envelope (bytes, size, error) ||
	    !frame_check_tag (bytes, size, key, error))
		return NULL;
	body = frame_open_body (data, error);
	if (body == NULL)
		return NULL;
	return frame_from_variant (body, error);
}
