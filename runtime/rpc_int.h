/*
 * rpc_int.h - the message layer's insides, shared by its files (and by
 * nothing else): the op and its pool, the layer's state, and the short
 * paths' pieces that must stay inline.
 *
 * The message layer, one file per concern:
 *   rpc_op.c     the op pool and an op's lifecycle (get, complete, put)
 *   rpc_send.c   sending an op: header, clocks, fault injection, transport
 *   rpc_short.c  the blocking call (ordo_rpc_call too) and its short path (no op)
 *   rpc_recv.c   receiving: parse and check (msg_decode.h), dispatch, run handlers, replies, acks
 *   rpc_rndv.c   rendezvous: descriptors, pulling payloads, the pull queue
 *   rpc_dedup.c  the exactly-once window
 *   rpc_api.c    the public calls and ordo's own non-blocking ones
 *   rpc_setup.c  init, fini, paths and thresholds, handler registration
 *
 * A payload travels one of two ways, chosen per message:
 *   eager       header + payload in one active message;
 *   rendezvous  the sender registers its buffer and sends a descriptor
 *               (address, length, packed remote key); the receiver pulls
 *               the payload with an RDMA get, then acknowledges (a call's
 *               reply is its acknowledgement) and the sender lets go.
 *
 * Every message in flight is an "op" from one pool.  An op's id (slot and
 * generation) names it on the wire, so a reply or acknowledgement for an op
 * that has since been reused is recognised and dropped.  The op a user holds
 * is the ordo_request_t of the public API.
 *
 * Performance: the blocking call's short path (ordo_rpc_call -> fast_call ->
 * put_short / send_now -> the transport) and the replier's (ordo__rpc_recv
 * -> deliver -> reply_now) are each one function down to the transport:
 * their pieces used across files are static inline here (RPC_HOT), so that
 * the split into files adds no call frame to an 8 B call.
 */
#ifndef ORDO_RUNTIME_RPC_INT_H
#define ORDO_RUNTIME_RPC_INT_H

#include "runtime/clock.h"
#include "runtime/fault.h"
#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/msg.h"
#include "runtime/rt.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Everything declared here stays inside libordo, and is reached without the
 * GOT (an extern declaration is not hidden by -fvisibility=hidden alone). */
#pragma GCC visibility push(hidden)

#define RPC_NUM_IDS     (ORDO_RPC_MAX_ID + ORDO__RPC_INTERNAL_IDS)
#define RPC_INLINE_COPY 256
#define RPC_DESC_INLINE 512
#define RPC_HDR_INLINE  256 /* header, clocks and prefix */
#define RPC_SLOT_BITS   24
#define RPC_SLOT_MASK   ((1u << RPC_SLOT_BITS) - 1)
#define RPC_POOL_CHUNK  64
/* The blocking call's short path is one function from the public call down
 * to the transport's send: call frames cost as much there as the work. */
#define RPC_HOT inline __attribute__((always_inline))
/* A message's header in the short form (msg.h), and the largest payload
 * that may follow it: the form goes only as one piece with its payload
 * (send_now), never as a transport's header. */
#define SHORT_HDR         sizeof(ordo__msg_short_t)
#define SHORT_PAYLOAD_MAX (RPC_HDR_INLINE - SHORT_HDR)
/* A small reply is kept in the handler's context (rpc_reply_ctx_t). */
#define RPC_REPLY_SMALL 128

/* ---- the op --------------------------------------------------------------- */

typedef enum {
    OP_CALL,  /* a call: done when its reply is in */
    OP_SEND,  /* a one-way send: done when the payload is free again */
    OP_REPLY, /* a handler's reply: done when the payload is free again */
    OP_CTRL,  /* an acknowledgement: header only */
    OP_PULL,  /* receiving a rendezvous payload */
} op_kind_t;

/*
 * An op's lifecycle: op->state, moved by the functions on the arrows.
 *
 *          ordo__op_get
 *   FREE ----------------> NEW
 *    ^                      |
 *    |        +-------------+-------------+------------------+-----------------+
 *    |        | op_send:    | op_send:    | op_send:         | pull_start:     |
 *    |        | CALL        | SEND, REPLY | SEND, REPLY      | room            | pull_start:
 *    |        v             | rendezvous  | eager, CTRL      |                 | no room
 *    |   WAIT_REPLY         v             v                  |                 v
 *    |    |      |       WAIT_ACK      SENDING               |              QUEUED
 *    |    |      | rendezvous |           |                  v                 |
 *    |    |      | reply      |           |               PULLING <------------+
 *    |    |      v            |           |                  |      pull_next
 *    |    |   REPLIED         | ACK       | the transport    | the get ended
 *    |    |      | pulled     | (recv_    | is done with it  | (pull_done)
 *    |    |eager | into its   | ack)      | (op_send_done)   |
 *    |    |reply | buffer     |           |                  |
 *    |    v      v            v           v                  |
 *    |   DONE <----------------------------------------------+
 *    |    |   also from any state but QUEUED and PULLING (ordo__op_complete): the send
 *    |    |   failed, the peer failed, a late reply to a detached call
 *    +----+
 *      ordo__op_maybe_put, once nothing holds the op: no hold (OP_HOLD_*) and no
 *      send the transport still reads (send_pending)
 *
 * DONE is final: the status is set and the owner told (its callback runs
 * once).  A call the blocking short path started needs no op (rpc_fast_t);
 * one whose reply comes by rendezvous gets one at REPLIED (fast_reply).
 * A call's retry timer is armed from WAIT_REPLY until DONE (ORDO_RETRY_MS).
 */
typedef enum {
    OP_FREE,       /* in the pool */
    OP_NEW,        /* taken, being set up (no progress runs before it moves on) */
    OP_SENDING,    /* an eager one-way message, reply or acknowledgement in the transport */
    OP_WAIT_REPLY, /* a call whose request is out */
    OP_REPLIED,    /* a call whose rendezvous reply is being pulled into its buffer */
    OP_WAIT_ACK,   /* a rendezvous send or reply: the peer may pull until it acknowledges */
    OP_QUEUED,     /* a pull waiting for room (ORDO_RNDV_INFLIGHT) */
    OP_PULLING,    /* a pull whose get is in flight */
    OP_DONE,       /* completed: status is final */
} op_state_t;

/* Holds: what keeps a DONE op out of the pool, besides send_pending. */
#define OP_HOLD_OWNER  0x1u /* the user will wait for it or free it (ordo_request_t) */
#define OP_HOLD_WINDOW 0x2u /* the exactly-once window answers repeats with it */
#define OP_HOLD_FAULT  0x4u /* fault injection holds its message back (timer hold) */
#define OP_HOLD_EMIT   0x8u /* the transport is sending it (a failure found there may end it) */

struct ordo_request {
    /* Lifecycle. */
    uint8_t state;    /* op_state_t */
    uint8_t holds;    /* OP_HOLD_* */
    uint8_t kind;     /* op_kind_t */
    uint8_t rndv;     /* its payload is offered by rendezvous (offer) */
    uint8_t stamped;  /* hdr_bytes hold the whole header already (the short paths) */
    uint8_t detached; /* its owner gave up (timeout): drop what still comes */
    /* An op ended (its reply came, its peer failed) while the transport
     * still held a send of it (a retried or duplicated request, a payload
     * behind a full FIFO), which it reads from the caller's buffer: it
     * completes when the transport lets go (ordo__op_end), with status. */
    uint8_t end_when_sent;
    uint8_t pre_len;  /* bytes in pre[] */
    uint8_t dup_held; /* OP_HOLD_FAULT ends in two transmissions (dup on a slow rank) */
    uint8_t cut_held; /* OP_HOLD_FAULT: a partition cuts it (looked at again when due) */
    int send_pending; /* sends the transport still reads hdr (and payload) for */
    uint32_t slot;
    uint32_t gen;
    int status;
    int peer;
    ordo_request_cb_t cb;
    void *cb_arg;
    /* The message it sends (all kinds but OP_PULL). */
    ordo__tl_send_req_t sreq; /* the header's send */
    size_t hdr_len;
    const void *payload;
    size_t len;
    const void *wire; /* what follows the header on the wire: payload or descriptor */
    size_t wire_len;
    uint64_t sent_ns;   /* last transmission (retries) */
    uint64_t retry_end; /* retries stop here: ORDO_ERR_TIMEOUT (ORDO_TIMEOUT_MS after the first) */
    void *copy;         /* payload copy owned by the op */
    size_t copy_cap;    /* class of the pooled buffer in copy (0: malloc) */
    /* A payload offered by rendezvous (rndv): its registration and the
     * descriptor that names it (CALL, SEND, REPLY). */
    struct {
        ordo__tl_mem_t *mem;
        void *desc;
        size_t desc_len;
    } offer;
    union {
        /* OP_CALL: where the reply goes. */
        struct {
            void *buf;
            size_t cap;
            size_t len; /* the reply's whole length (may be over cap) */
        } reply;
        /* OP_PULL: a rendezvous payload coming in. */
        struct {
            ordo__tl_send_req_t greq;  /* the get */
            ordo__msg_hdr_t hdr;       /* the message that offered it */
            struct ordo_request *into; /* a call whose reply buffer it fills, or NULL */
            void *land;                /* where the handler's lander put it */
            void *buf;                 /* else: a pooled buffer of ours, */
            size_t buf_cap;            /* of this class (0: malloc) */
            size_t len;                /* bytes pulled */
            size_t full_len;           /* bytes the sender offered */
            uint64_t ack_id;
            void *desc; /* QUEUED: the descriptor, kept */
            size_t desc_len;
            struct ordo_request *next; /* ordo__rpc.pullq */
        } pull;
    };
    struct ordo_request *next_free;
    /* Not cleared when the op is reused (op_get clears hdr alone): */
    union {
        ordo__msg_hdr_t hdr;               /* outgoing header, read by the transport until sent, */
        uint8_t hdr_bytes[RPC_HDR_INLINE]; /* followed by the clock extension */
    };
    uint8_t pre[ORDO__RPC_PREFIX_MAX]; /* a request's prefix (sent after the clocks) */
    uint8_t inline_copy[RPC_INLINE_COPY];
    uint8_t inline_desc[RPC_DESC_INLINE]; /* offer.desc or pull.desc, when small */
    /* Its timers (rpc_send.c), given their callbacks once, with the pool:
     * hold sends a message fault injection held back when it is due; retry
     * sends a call's request again while no reply comes (ORDO_RETRY_MS). */
    ordo__timer_t hold, retry;
    /* A header too large for hdr_bytes (vector clocks of many ranks); kept
     * across reuses of the op. */
    uint8_t *hdr_heap;
    size_t hdr_heap_cap;
};

typedef struct ordo_request rpc_op_t;

/* ---- the layer's state ------------------------------------------------------ */

typedef struct rpc_handler {
    ordo_rpc_cb_t cb;
    void *arg;
    ordo__rpc_lander_t land; /* where a rendezvous payload goes (NULL: a buffer of ours) */
    const char *name;        /* ordo's own handlers */
} rpc_handler_t;

/* What a handler may set while it runs (ordo_rpc_msg_t.priv).  A small
 * eager reply is kept here and sent straight from the handler's caller;
 * a larger one goes into an op. */
typedef struct rpc_reply_ctx {
    rpc_op_t *op; /* the reply, filled by ordo_rpc_reply, sent after the handler */
    size_t len;
    int status; /* ORDO_ERR_NOMEM if the reply could not be stored */
    int small_set;
    const void *pre; /* the request's prefix */
    size_t pre_len;
    /* RPC_REPLY_SMALL bytes for a small reply: in the reply packet itself,
     * after its header, when the reply goes in the short form (deliver). */
    uint8_t *small;
} rpc_reply_ctx_t;

/* An entry of the exactly-once window (rpc_dedup.c). */
typedef struct dedup_entry dedup_entry_t;

/* The blocking call's short path (rpc_short.c): a blocking call whose
 * request goes eager, with no fault injection and no retries, needs no op:
 * the request is sent at once from the stack (the caller's buffer stays put
 * until the call returns) and the reply is matched against this record.
 * Its request id carries the slot RPC_SLOT_MASK, which no op has.  A reply
 * that comes by rendezvous is pulled by an op that takes the call over. */
typedef struct rpc_fast {
    uint64_t req_id;
    int peer;
    int active; /* a call waits */
    int done;   /* its reply is in: status, reply_len */
    int status;
    void *reply;
    size_t cap, reply_len;
    rpc_op_t *op; /* the op that took over (a rendezvous reply) */
} rpc_fast_t;

typedef struct ordo__rpc {
    rpc_handler_t handlers[RPC_NUM_IDS];
    /* Per id: its class (ORDO__RPC_F_*), known on the sending side too; the
     * application's ids are ORDO__RPC_F_FAULTS whether registered here or not. */
    uint8_t hflags[RPC_NUM_IDS];
    unsigned next_internal; /* the next of ordo's own ids */
    rpc_op_t **slots;
    uint32_t nslots;
    rpc_op_t *free_ops;
    uint32_t in_flight;      /* ops the transport still holds */
    uint32_t ctrl_held;      /* ... of them acknowledgements (ordo__rpc_flush_ctrl) */
    int proto;               /* ordo_proto_t */
    size_t threshold;        /* ORDO_PROTO_AUTO: rendezvous above this */
    size_t threshold_mapped; /* ... for payloads in ordo_mem_alloc memory */
    uint32_t send_seq;       /* messages this rank has sent */
    dedup_entry_t **dedup;   /* per source, ORDO_DEDUP_WINDOW entries, made on first use */
    uint64_t dedup_mask;     /* ORDO_DEDUP_WINDOW - 1 if a power of two, else 0 */
    /* The short paths (fast_call, reply_now) apply: no fault injection, and
     * header, clocks and prefix fit on the stack; calls also need no retries. */
    int short_replies, short_calls;
    /* Payloads up to eager_max go eagerly whatever memory they are in. */
    size_t eager_max;
    /* The first word of this rank's requests and replies in the short form
     * (msg.h: its rank and the tag); 0 when it cannot use the form (other
     * clocks, or a rank past ORDO__MSG_SHORT_SRC_MAX). */
    uint32_t short_req, short_reply, short_send;
    uint64_t *call_seq; /* per destination: calls made to it */
    /* Rendezvous payloads pulled into buffers of our own: bytes in flight
     * (at most ORDO_RNDV_INFLIGHT, or one pull) and the pulls that wait. */
    size_t pull_bytes;
    rpc_op_t *pullq, *pullq_tail;
    rpc_fast_t fast; /* the blocking call in progress on the short path */
} ordo__rpc_t;

extern ordo__rpc_t ordo__rpc;

/* ---- ops (rpc_op.c) ----------------------------------------------------------- */

int ordo__op_pool_grow(void);
rpc_op_t *ordo__op_get(op_kind_t kind);
/* Back to the pool at once, whatever holds it (a failed set-up, fini). */
void ordo__op_put(rpc_op_t *op);
/* Free the op once nobody needs it.  The caller must not touch it afterwards. */
void ordo__op_maybe_put(rpc_op_t *op);
/* The op reached its end (a second completion changes nothing): tell its
 * owner, and free it if nobody holds it.  The caller must not touch the op
 * afterwards. */
void ordo__op_complete(rpc_op_t *op, int status);
/* End op with status (a call's reply is in, or its peer failed): complete
 * it now, or, while the transport still holds a send of it (a copy of a
 * request, a one-way payload), once the transport lets go. */
void ordo__op_end(rpc_op_t *op, int status);
/* The op of id (a call: its request id) if it is of kind and not done. */
rpc_op_t *ordo__op_lookup(uint64_t id, op_kind_t kind);
/* Keep a copy of a request's prefix (at most ORDO__RPC_PREFIX_MAX bytes). */
void ordo__op_set_prefix(rpc_op_t *op, const void *pre, size_t pre_len);
/* Make the op's payload a copy of data, owned by the op. */
int ordo__op_copy_payload(rpc_op_t *op, const void *data, size_t len);
/* Wait for op; release it and return its status (detached on timeout). */
int ordo__op_wait(rpc_op_t *op, size_t *reply_len);

static inline uint64_t ordo__op_id(const rpc_op_t *op)
{
    return ((uint64_t)op->gen << RPC_SLOT_BITS) | op->slot;
}

/* ---- sending (rpc_send.c) ------------------------------------------------------ */

/* Hand the op to the transport.  On failure the op is completed with the error;
 * the caller must not touch the op afterwards unless somebody owns it. */
int ordo__op_send(rpc_op_t *op, int dest, unsigned kind, unsigned id);
/* The short path could not send at once: op takes the message, with the
 * header as made there (hlen bytes of hdr, numbered and stamped; one in
 * the short form goes in the long form, with the same clock). */
void ordo__op_send_stamped(rpc_op_t *op, const void *hdr, size_t hlen, int dest, unsigned kind,
                           unsigned id);
/* One transmission of the op's header and wire data. */
int ordo__op_transmit(rpc_op_t *op);
/* Transmit, or let fault injection drop, duplicate or hold back the message. */
int ordo__op_emit(rpc_op_t *op);
/* An eager send or reply is done once nothing of it is left with the transport. */
void ordo__op_emitted(rpc_op_t *op);
/* Start a send or call whose arguments are checked; *out receives the op
 * if the caller keeps it (else cb tells the end). */
int ordo__op_start(op_kind_t kind, int dest, unsigned id, const void *pre, size_t pre_len,
                   const void *data, size_t len, void *reply, size_t cap, ordo_request_cb_t cb,
                   void *cb_arg, rpc_op_t **out);
/* A reply op holding a copy of data (the handler's buffer may be on its stack). */
rpc_op_t *ordo__rpc_reply_op(const void *data, size_t len);
/* Send the reply op (NULL: the status alone) to request req_id of dest. */
void ordo__rpc_send_reply(int dest, uint64_t req_id, unsigned id, rpc_op_t *op, int status);
/* An acknowledgement (header only) naming id. */
void ordo__rpc_send_ctrl(int dest, unsigned kind, uint64_t id, int status);
/* Give a new op its timers' callbacks. */
void ordo__op_timers_init(rpc_op_t *op);

/* ---- rendezvous (rpc_rndv.c) ---------------------------------------------------- */

int ordo__rpc_use_rndv_slow(const void *payload, size_t len, size_t n);
/* Register the payload and describe it; ack_id is who the receiver acknowledges. */
int ordo__op_make_desc(rpc_op_t *op, uint64_t ack_id);
/* Pull the payload described by data (len bytes) into the reply buffer of
 * call, or into a buffer of our own when call is NULL. */
void ordo__pull_start(const ordo__msg_hdr_t *h, const void *pre, size_t pre_len, const void *data,
                      size_t len, rpc_op_t *call);

/* ---- receiving (rpc_recv.c) ------------------------------------------------------ */

/* Run the handler of a request or one-way message whose payload is here. */
void ordo__rpc_deliver(const ordo__msg_hdr_t *h, const void *pre, size_t pre_len, const void *data,
                       size_t len);

/* ---- the exactly-once window (rpc_dedup.c) --------------------------------------- */

/* 1 if the request was seen before (it was answered again, or is still
 * running); 0 if it is new and now remembered as running. */
int ordo__dedup_seen(const ordo__msg_hdr_t *h);
/* The request ran: remember its outcome and its reply, to answer a repeat. */
void ordo__dedup_done(int src, uint64_t req_id, unsigned handler, int status, rpc_op_t *reply,
                      const void *data, size_t len);
void ordo__dedup_fini(void);

/* ---- set-up (rpc_setup.c) ---------------------------------------------------------- */

/* Register the application's handler id (checked by the caller). */
int ordo__rpc_register_id(unsigned id, ordo_rpc_cb_t cb, void *arg);

/* ---- the short paths' pieces, inline ---------------------------------------------- */

/* memcpy for the short paths: up to 16 bytes are moved inline, by two
 * overlapping loads and stores (a library call costs more than the copy). */
static RPC_HOT void copy_short(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n > 16) {
        memcpy(d, s, n);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
}

/* The path of a payload of len bytes with a prefix of pre_len: forced, or
 * by the threshold of the memory the payload is in (the prefix counts: it
 * goes with the payload when eager).  1: rendezvous. */
static inline int use_rndv(const void *payload, size_t len, size_t pre_len)
{
    size_t n = len + pre_len;
    if (len == 0 || n <= ordo__rpc.eager_max)
        return 0;
    return ordo__rpc_use_rndv_slow(payload, len, n);
}

/* The checks of a send or call, in order: the destination exists and
 * lives, the id is one, the payload not too large (ordo__rpc_check_fail
 * says which is not), then the buffers and the prefix. */
int ordo__rpc_check_fail(int dest, unsigned id, size_t len);
static RPC_HOT int check_args(int dest, unsigned id, const void *pre, size_t pre_len,
                              const void *data, size_t len, const void *reply, size_t cap)
{
    if (!(dest >= 0 && dest < ordo__rt.size && id < RPC_NUM_IDS &&
          len <= ordo__rt.cfg.max_msg_size && !ordo__rt.peer_failed[dest]))
        return ordo__rpc_check_fail(dest, id, len);
    if ((len && !data) || (cap && !reply) || pre_len > ORDO__RPC_PREFIX_MAX || (pre_len && !pre))
        return ORDO_ERR_INVALID;
    return ORDO_OK;
}

/* A header built on the stack by the short paths (fast_call, reply_now). */
typedef union rpc_hdr_buf {
    ordo__msg_hdr_t h;
    uint8_t b[RPC_HDR_INLINE];
} rpc_hdr_buf_t;

/* A new message's header, to be stamped. */
static inline ordo__msg_hdr_t hdr_new(unsigned kind, unsigned flags, unsigned id, uint64_t req_id,
                                      int status)
{
    return (ordo__msg_hdr_t){.magic = ORDO__MSG_MAGIC,
                             .version = ORDO__MSG_VERSION,
                             .kind = (uint8_t)kind,
                             .hdr_len = sizeof(ordo__msg_hdr_t),
                             .flags = (uint16_t)flags,
                             .handler = (uint16_t)id,
                             .src = ordo__rt.rank,
                             .status = status,
                             .req_id = req_id};
}

/* Number the message h and write what follows the header into buf (where
 * the header starts): its clocks, then the prefix, if any.  Returns the
 * length of all that, header included (the header struct itself is the
 * caller's to put at buf). */
static RPC_HOT size_t stamp(ordo__msg_hdr_t *h, uint8_t *buf, int dest, const void *pre,
                            size_t pre_len)
{
    unsigned flags;
    h->seq = ++ordo__rpc.send_seq;
    size_t len = ordo__lclock_send_inline(buf + sizeof(*h), &flags, dest, h->handler, h->seq);
    h->flags |= flags | (pre_len ? ORDO__MSG_F_PREFIX : 0);
    h->hdr_len = (uint16_t)(sizeof(*h) + len);
    h->pre_len = (uint16_t)pre_len;
    if (pre_len)
        memcpy(buf + h->hdr_len, pre, pre_len);
    return h->hdr_len + pre_len;
}

/* A message's header in the short form (msg.h), ticking the Lamport clock:
 * first is ordo__rpc.short_req, short_send or short_reply, arg the handler
 * id or the status.  Three words (little-endian).  Returns SHORT_HDR. */
static RPC_HOT size_t put_short(rpc_hdr_buf_t *hb, uint32_t first, uint32_t arg, uint64_t req_id)
{
    _Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "msg.h: little-endian hosts");
    _Static_assert(offsetof(ordo__msg_short_t, arg) == 4 &&
                       offsetof(ordo__msg_short_t, req_id) == 8 &&
                       offsetof(ordo__msg_short_t, lamport) == 16 && SHORT_HDR == 24,
                   "the short form is three words");
    uint64_t w[3] = {first | (uint64_t)arg << 32, req_id, ++ordo__lamport};
    memcpy(hb->b, w, sizeof(w));
    return SHORT_HDR;
}

/* Send a stamped header (hlen bytes of hb) and its payload at once (or
 * ORDO__AGAIN, nothing sent).  If both fit in hb they go as one piece
 * (msg.h): UCX sends a message without a header of its own by a shorter
 * path, which saves more than the copy costs. */
static RPC_HOT int send_now(rpc_hdr_buf_t *hb, size_t hlen, int dest, const void *data, size_t len)
{
    if (hlen + len <= sizeof(hb->b)) {
        if (data != hb->b + hlen) /* else the payload was written in place (reply_now) */
            copy_short(hb->b + hlen, data, len);
        return ordo__rt.tl_ops->send_short(ordo__rt.tl, dest, hb->b, hlen + len);
    }
    return ordo__rt.tl_ops->send(ordo__rt.tl, dest, hb->b, hlen, data, len, NULL);
}

/* An eager reply of len bytes into the caller's buffer (cap bytes): what
 * fits is copied, the whole length noted; the call's status. */
static RPC_HOT int take_reply(const ordo__msg_hdr_t *h, const void *data, size_t len, void *reply,
                              size_t cap, size_t *reply_len)
{
    copy_short(reply, data, len < cap ? len : cap);
    *reply_len = len;
    return h->status == ORDO_OK && len > cap ? ORDO_ERR_TRUNCATED : h->status;
}

/* A reply with the fast call's id: 1 if handled here, 0 if it is for the op
 * that carries the call on, or late. */
static RPC_HOT int fast_reply(const ordo__msg_hdr_t *h, const ordo__stamp_t *st, const void *data,
                              size_t len)
{
    rpc_fast_t *fast = &ordo__rpc.fast;
    if (!fast->active || fast->done || fast->op || fast->req_id != h->req_id ||
        fast->peer != h->src)
        return 0; /* late or foreign: dropped as such */
    ordo__lclock_recv_inline(st, h->src, h->handler, h->seq);
    if (h->flags & ORDO__MSG_F_RNDV) {
        rpc_op_t *op = ordo__op_get(OP_CALL);
        if (!op) {
            fast->status = ORDO_ERR_NOMEM;
            fast->done = 1;
            return 0; /* the replier is told, as for a late reply */
        }
        op->hdr.req_id = h->req_id;
        op->peer = h->src;
        op->reply.buf = fast->reply;
        op->reply.cap = fast->cap;
        op->holds = OP_HOLD_OWNER;
        op->state = OP_REPLIED;
        fast->op = op;
        ordo__pull_start(h, NULL, 0, data, len, op);
        return 1;
    }
    fast->status = take_reply(h, data, len, fast->reply, fast->cap, &fast->reply_len);
    fast->done = 1;
    return 1;
}

/* Answer the request h with a small eager reply at once, from here, with
 * no op: the common case of a call, and the cheapest.  The reply packet is
 * made in hb, where the payload (data, len) may already be, after the
 * header (deliver).  If the transport cannot take it at once, the reply
 * goes into an op with the header made here, and waits its turn like any
 * other message. */
static RPC_HOT void reply_now(const ordo__msg_hdr_t *req, rpc_hdr_buf_t *hb, const void *data,
                              size_t len, int status)
{
    int dest = req->src;

    size_t hlen;
    if (ordo__rpc.short_reply) {
        hlen = put_short(hb, ordo__rpc.short_reply, (uint32_t)status, req->req_id);
    } else {
        hb->h = hdr_new(ORDO__MSG_REPLY, 0, req->handler, req->req_id, status);
        hlen = stamp(&hb->h, hb->b, dest, NULL, 0);
    }
    if (!(req->flags & ORDO__MSG_F_ONCE))
        ordo__dedup_done(dest, req->req_id, req->handler, status, NULL, data, len);
    int s = send_now(hb, hlen, dest, data, len);
    if (s == ORDO_OK) {
        ordo__rt.stats.msgs_sent++;
        return;
    }
    if (s != ORDO__AGAIN) {
        ordo_log_debug("reply to rank %d not sent: %s", dest, ordo_strerror(s));
        return;
    }
    rpc_op_t *op = ordo__rpc_reply_op(data, len);
    if (!op) {
        ordo_log_error("out of memory: reply to rank %d dropped", dest);
        return;
    }
    ordo__op_send_stamped(op, hb->b, hlen, dest, ORDO__MSG_REPLY, req->handler);
}

/* reply_now can take the reply: no fault injection to apply, eager, and
 * the header fits on the stack. */
static inline int reply_now_ok(const void *data, size_t len)
{
    return ordo__rpc.short_replies && !use_rndv(data, len, 0);
}

#pragma GCC visibility pop

#endif
