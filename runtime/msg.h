/* msg.h - the wire header of every ordo message (little-endian hosts). */
#ifndef ORDO_RUNTIME_MSG_H
#define ORDO_RUNTIME_MSG_H

#include <stdint.h>

#define ORDO__MSG_MAGIC   0x0d0au
#define ORDO__MSG_VERSION 3u

typedef enum {
    ORDO__MSG_SEND = 1,  /* one-way: run the handler */
    ORDO__MSG_REQ = 2,   /* request: run the handler, reply with its status */
    ORDO__MSG_REPLY = 3, /* reply to req_id */
    ORDO__MSG_ACK = 4,   /* a rendezvous payload was pulled: release op req_id */
} ordo__msg_kind_t;

/* flags */
#define ORDO__MSG_F_RNDV    0x1u /* the payload is an ordo__rndv_desc_t, not the data */
#define ORDO__MSG_F_LAMPORT 0x2u /* clock extension: Lamport clock, u64 */
#define ORDO__MSG_F_HLC     0x4u /* clock extension: HLC l and c, u64 each */
#define ORDO__MSG_F_VC      0x8u /* clock extension: vector clock, varints */
/* REQ: its sender never sends it again (no retries, no fault injection),
 * so the exactly-once window can pass it by. */
#define ORDO__MSG_F_ONCE   0x10u
#define ORDO__MSG_F_PREFIX 0x20u /* REQ, SEND: a prefix follows the clocks, from hdr_len on */
#define ORDO__MSG_F_ALL    0x3fu
#define ORDO__MSG_F_CLOCKS (ORDO__MSG_F_LAMPORT | ORDO__MSG_F_HLC | ORDO__MSG_F_VC)
/* The clock extension follows the header, in the order of the flags above;
 * hdr_len counts it.  A vector clock is a LEB128 varint count n, then n
 * LEB128 varints.  The prefix follows the clock extension, then the payload.
 *
 * On the wire the header, clocks and prefix travel either as the transport's
 * message header and the payload as its data, or (a small message the
 * transport sends at once) all of it as data, the payload starting at
 * hdr_len + pre_len; the receiver takes both.  A message sent as one piece
 * may also be in the short form below. */

typedef struct ordo__msg_hdr {
    uint16_t magic;
    uint8_t version;
    uint8_t kind;
    uint16_t hdr_len; /* bytes of header, this struct included */
    uint16_t flags;
    uint16_t handler;
    uint16_t pre_len; /* bytes of request prefix, after hdr_len (flag PREFIX) */
    int32_t src;
    int32_t status;  /* REPLY: the handler's status */
    uint32_t seq;    /* per-source message number (traces match send and receive) */
    uint64_t req_id; /* REQ and REPLY */
} ordo__msg_hdr_t;

/* The short form: a request sent once (ORDO__MSG_F_ONCE), a one-way message
 * (sent once: no retries, no fault injection) or a reply, with
 * the default clocks (Lamport alone), eager, sent as one piece:
 * 24 bytes instead of the 40 of header and clock, so that header and a
 * payload of up to 64 bytes stay within UCX's short messages on shared
 * memory (92 bytes with 128-byte FIFO elements), as raw UCX's do.  What it
 * leaves out: hdr_len and flags (implied), pre_len (0), seq (traces use
 * the long form), a request's status (0) and a reply's handler.  Its
 * fourth byte, the long form's kind, is the tag: 0xc0 | kind, and 0x10
 * more for a request or one-way message with a prefix (a shared object's
 * write request, a collective's message), whose pre_len is the upper half
 * of bytes 4..7 (1 .. ORDO__RPC_PREFIX_MAX) and whose prefix comes before
 * the payload.
 *
 *   bytes 0..3    src | tag << 24        (src below 2^24; else the long form)
 *   bytes 4..7    REQ, SEND: the handler id (| pre_len << 16 with 0x10 in
 *                 the tag); REPLY: the handler's status
 *   bytes 8..15   req_id (SEND: 0)
 *   bytes 16..23  Lamport clock
 *   bytes 24..    the prefix (pre_len bytes, if any), then the payload
 */
#define ORDO__MSG_SHORT_TAG(kind) (0xc0u | (kind))
/* Byte 3 of a message is a short form's tag (never a long form's kind). */
#define ORDO__MSG_IS_SHORT(byte3) (((byte3)&0xc0u) == 0xc0u)
#define ORDO__MSG_SHORT_REQ       ORDO__MSG_SHORT_TAG(ORDO__MSG_REQ)
#define ORDO__MSG_SHORT_REPLY     ORDO__MSG_SHORT_TAG(ORDO__MSG_REPLY)
#define ORDO__MSG_SHORT_F_PRE     0x10u /* bytes 4..7: handler | pre_len << 16 */
#define ORDO__MSG_SHORT_REQ_PRE   (ORDO__MSG_SHORT_REQ | ORDO__MSG_SHORT_F_PRE)
#define ORDO__MSG_SHORT_SEND      ORDO__MSG_SHORT_TAG(ORDO__MSG_SEND)
#define ORDO__MSG_SHORT_SEND_PRE  (ORDO__MSG_SHORT_SEND | ORDO__MSG_SHORT_F_PRE)
#define ORDO__MSG_SHORT_SRC_MAX   0xffffffu

typedef struct ordo__msg_short {
    uint32_t src_tag;
    uint32_t arg;
    uint64_t req_id;
    uint64_t lamport;
} ordo__msg_short_t;

/* What the receiver needs to pull a rendezvous payload; the packed remote
 * key (rkey_len bytes) follows. */
typedef struct ordo__rndv_desc {
    uint64_t addr;   /* in the sender's address space */
    uint64_t len;    /* payload bytes */
    uint64_t ack_id; /* op to name in the ACK (0: the reply acknowledges) */
    uint32_t rkey_len;
    uint32_t reserved;
} ordo__rndv_desc_t;

#endif
