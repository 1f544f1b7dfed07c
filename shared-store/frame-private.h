/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame-private.h: the sync frame codec, the bytes replicas exchange.
 *
 * A CrmFrame is one message of the sync protocol (shared/DESIGN.md, "Sync"):
 * a HELLO or an ACK carries the sender's version vector, a CHANGES frame a
 * batch of changes ready for crm_change__apply_remote().  This header only
 * turns frames into authenticated bytes and back; when and to whom they go
 * is the transport's business.  The layout is described at the top of
 * frame.c.
 */
#ifndef CRM_FRAME_PRIVATE_H
#define CRM_FRAME_PRIVATE_H

#include "store-private.h"

G_BEGIN_DECLS

/* The frame format this build writes, and the only one it reads. */
#define CRM_FRAME_VERSION 1
/* Largest encoded frame, header and tag included. */
#define CRM_FRAME_MAX_BYTES (256 * 1024)
/* Largest body after decompression (the zip-bomb cap). */
#define CRM_FRAME_MAX_BODY_BYTES (1024 * 1024)
/* Most changes in one CHANGES frame. */
#define CRM_FRAME_MAX_CHANGES 4096
/* Most entries in one version vector. */
#define CRM_FRAME_MAX_VECTOR 1024
/* Longest field name on the wire. */
#define CRM_FRAME_MAX_FIELD_BYTES 64
/* Shortest team key accepted. */
#define CRM_FRAME_MIN_KEY_BYTES 16
/* Fixed parts: magic, version, flags, length; and the HMAC-SHA256 tag. */
#define CRM_FRAME_HEADER_BYTES 10
#define CRM_FRAME_TAG_BYTES 32

/*
 * CrmFrameKind:
 * What a frame says.  The values go over the wire: never renumber them.
 */
typedef enum {
	CRM_FRAME_HELLO = 1,	/* here is my vector; send what I lack */
	CRM_FRAME_CHANGES = 2,	/* a batch of changes, no vector */
	CRM_FRAME_ACK = 3,	/* batch applied; here is my new vector */
} CrmFrameKind;

/*
 * CrmFrameClock:
 * One entry of a version vector: the highest sequence of @replica's own
 * changes held without a gap (0 when none).
 */
typedef struct {
	const char *replica;
	gint64 seq;
} CrmFrameClock;

/*
 * CrmFrame:
 * A decoded or to-be-encoded frame.  @changes is a GArray of CrmChange and
 * @vector a GArray of CrmFrameClock; every string they point to, and every
 * value, belongs to the frame and lives as long as it does.  Fill a frame
 * with crm_frame__add_change() and crm_frame__add_clock() only.  A decoded
 * CHANGES frame goes to the store as it is:
 *
 *     crm_change__apply_remote (store, (CrmChange *) frame->changes->data,
 *                               frame->changes->len, &applied, &error);
 */
typedef struct {
	CrmFrameKind kind;
	const char *sender;
	GArray *changes;
	GArray *vector;
	/*< private >*/
	GStringChunk *strings;
} CrmFrame;

CrmFrame *crm_frame__new (CrmFrameKind kind, const char *sender);
void crm_frame__free (CrmFrame *frame);
void crm_frame__add_change (CrmFrame *frame, const CrmChange *change);
void crm_frame__add_clock (CrmFrame *frame, const char *replica, gint64 seq);
GBytes *crm_frame__encode (const CrmFrame *frame,
			   GBytes *key,
			   GError **error);
CrmFrame *crm_frame__decode (GBytes *data, GBytes *key, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmFrame, crm_frame__free)

G_END_DECLS

#endif /* CRM_FRAME_PRIVATE_H */
