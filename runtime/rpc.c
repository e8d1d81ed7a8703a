/*
 * rpc.c - the message layer: handlers by id, one-way sends and calls,
 * blocking or not, over the transport interface.
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
 */
#include "ordo_config.h"

#include "runtime/clock.h"
#include "runtime/fault.h"
#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/msg.h"
#include "runtime/rt.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
/* Header and clock of a message with the default clocks (Lamport alone). */
#define PACKED_HDR (sizeof(ordo__msg_hdr_t) + sizeof(uint64_t))

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

typedef enum {
    OP_CALL,  /* a call: done when its reply is in */
    OP_SEND,  /* a one-way send: done when the payload is free again */
    OP_REPLY, /* a handler's reply: done when the payload is free again */
    OP_CTRL,  /* an acknowledgement: header only */
    OP_PULL,  /* receiving a rendezvous payload */
} op_kind_t;

struct ordo_request {
    ordo__tl_send_req_t sreq; /* the header's send */
    ordo__tl_send_req_t greq; /* OP_PULL: the get */
    size_t hdr_len;
    uint32_t slot;
    uint32_t gen;
    uint8_t kind;
    uint8_t in_use;
    uint8_t pinned;      /* kept by the exactly-once window to answer repeats */
    uint8_t delayed;     /* held back by fault injection until due_ns */
    uint8_t waiting;     /* a call counted in rpc.calls */
    int send_pending;    /* sends the transport still reads hdr (and payload) for */
    uint8_t get_pending; /* OP_PULL: the get is in flight */
    uint8_t queued;      /* OP_PULL: waits in rpc.pullq for room */
    uint8_t done;        /* completed: status is final */
    uint8_t user_owned;  /* somebody will wait for or free it */
    uint8_t detached;    /* its owner gave up (timeout): drop what still comes */
    uint8_t rndv;        /* the payload goes by rendezvous */
    uint8_t replied;     /* OP_CALL: its reply came (copies that follow are dropped) */
    uint8_t stamped;     /* hdr_bytes hold the whole header already (reply_now) */
    uint8_t pre_len;     /* bytes in pre[] */
    void *land;          /* OP_PULL: where the handler's lander put the payload */
    int status;
    int peer;
    const void *payload;
    size_t len;
    const void *wire; /* what follows the header on the wire: payload or descriptor */
    size_t wire_len;
    uint64_t sent_ns; /* last transmission (retries) */
    uint64_t due_ns;  /* delayed: when to transmit */
    void *copy;       /* payload copy owned by the op */
    /* OP_CALL: where the reply goes */
    void *reply;
    size_t cap;
    size_t reply_len;
    /* rendezvous, sending side */
    ordo__tl_mem_t *mem;
    void *desc;
    size_t desc_len;
    /* OP_PULL */
    ordo__msg_hdr_t in_hdr;
    void *pull_buf;
    size_t buf_cap;  /* class of the pooled buffer in copy or pull_buf (0: malloc) */
    size_t pull_len; /* bytes pulled */
    size_t full_len; /* bytes the sender offered */
    uint64_t ack_id;
    struct ordo_request *call;      /* a rendezvous reply pulled for this call */
    struct ordo_request *next_pull; /* rpc.pullq */
    ordo_request_cb_t cb;
    void *cb_arg;
    struct ordo_request *next_free;
    /* Not cleared when the op is reused (op_get clears hdr alone): */
    union {
        ordo__msg_hdr_t hdr;               /* outgoing header, read by the transport until sent, */
        uint8_t hdr_bytes[RPC_HDR_INLINE]; /* followed by the clock extension */
    };
    uint8_t pre[ORDO__RPC_PREFIX_MAX]; /* a request's prefix (sent after the clocks) */
    uint8_t inline_copy[RPC_INLINE_COPY];
    uint8_t inline_desc[RPC_DESC_INLINE];
    /* A header too large for hdr_bytes (vector clocks of many ranks); kept
     * across reuses of the op. */
    uint8_t *hdr_heap;
    size_t hdr_heap_cap;
};

typedef struct ordo_request rpc_op_t;

typedef struct rpc_handler {
    ordo_rpc_cb_t cb;
    void *arg;
    ordo__rpc_lander_t land; /* where a rendezvous payload goes (NULL: a buffer of ours) */
    const char *name;        /* ordo's own handlers */
} rpc_handler_t;

/* What a handler may set while it runs (ordo_rpc_msg_t.priv).  A small
 * eager reply is kept here and sent straight from the handler's caller;
 * a larger one goes into an op. */
#define RPC_REPLY_SMALL 128
typedef struct rpc_reply_ctx {
    rpc_op_t *op; /* the reply, filled by ordo_rpc_reply, sent after the handler */
    size_t len;
    int status; /* ORDO_ERR_NOMEM if the reply could not be stored */
    int small_set;
    const void *pre; /* the request's prefix */
    size_t pre_len;
    /* RPC_REPLY_SMALL bytes for a small reply: in the reply packet itself,
     * after its header, when the clocks are the default (deliver). */
    uint8_t *small;
} rpc_reply_ctx_t;

static struct {
    rpc_handler_t handlers[RPC_NUM_IDS];
    /* Per id: its class (ORDO__RPC_F_*), known on the sending side too; the
     * application's ids are ORDO__RPC_F_FAULTS whether registered here or not. */
    uint8_t hflags[RPC_NUM_IDS];
    unsigned next_internal; /* the next of ordo's own ids */
    rpc_op_t **slots;
    uint32_t nslots;
    rpc_op_t *free_ops;
    uint32_t in_flight;      /* ops the transport still holds */
    int proto;               /* ordo_proto_t */
    size_t threshold;        /* ORDO_PROTO_AUTO: rendezvous above this */
    size_t threshold_mapped; /* ... for payloads in ordo_mem_alloc memory */
    uint32_t delayed;        /* ops held back by fault injection */
    uint32_t send_seq;       /* messages this rank has sent */
    uint32_t calls;          /* calls waiting for a reply (retries) */
    uint64_t next_timer_ns;
    struct dedup_entry **dedup; /* per source, ORDO_DEDUP_WINDOW entries, made on first use */
    uint64_t dedup_mask;        /* ORDO_DEDUP_WINDOW - 1 if a power of two, else 0 */
    /* The short paths (fast_call, reply_now) apply: no fault injection, and
     * header, clocks and prefix fit on the stack; calls also need no retries. */
    int short_replies, short_calls;
    /* Payloads up to eager_max go eagerly whatever memory they are in. */
    size_t eager_max;
    /* The first eight bytes of a packed request and reply with the default
     * clocks (ordo__rpc_recv takes them by a shorter path); 0 when this
     * rank's clocks are others. */
    uint64_t xreq_word, xreply_word;
    uint64_t *call_seq; /* per destination: calls made to it */
    /* Rendezvous payloads pulled into buffers of our own: bytes in flight
     * (at most ORDO_RNDV_INFLIGHT, or one pull) and the pulls that wait. */
    size_t pull_bytes;
    rpc_op_t *pullq, *pullq_tail;
} rpc;

/* The exactly-once window: per source, the last request seen in each of
 * ORDO_DEDUP_WINDOW entries, indexed by the call number. */
#define DEDUP_INLINE 32
typedef struct dedup_entry {
    uint64_t req_id;
    rpc_op_t *reply; /* a rendezvous reply, pinned: its descriptor is sent again */
    void *copy;      /* an eager reply's payload, to answer a repeat with */
    size_t len;
    unsigned handler;
    int status;
    uint8_t state;               /* DEDUP_FREE, DEDUP_RUNNING, DEDUP_DONE */
    uint8_t small[DEDUP_INLINE]; /* copy of a small reply: no malloc per call */
} dedup_entry_t;

enum { DEDUP_FREE, DEDUP_RUNNING, DEDUP_DONE };

static void op_start_pull(const ordo__msg_hdr_t *h, const void *pre, size_t pre_len,
                          const void *data, size_t len, rpc_op_t *call);
static void pull_next(void);

uint32_t ordo__rpc_timed;

/* The timers have work when a message is held back, or a call may need a retry. */
static void timers_update(void)
{
    ordo__rpc_timed = rpc.delayed + (ordo__rt.cfg.retry_ms ? rpc.calls : 0);
}

/* ---- op pool ---------------------------------------------------------- */

static int pool_grow(void)
{
    uint32_t n = rpc.nslots + RPC_POOL_CHUNK;
    if (n > RPC_SLOT_MASK)
        return ORDO_ERR_NOMEM;
    rpc_op_t **slots = realloc(rpc.slots, n * sizeof(*slots));
    if (!slots)
        return ORDO_ERR_NOMEM;
    rpc.slots = slots;
    rpc_op_t *chunk = calloc(RPC_POOL_CHUNK, sizeof(*chunk));
    if (!chunk)
        return ORDO_ERR_NOMEM;
    for (uint32_t i = 0; i < RPC_POOL_CHUNK; i++) {
        rpc_op_t *op = &chunk[i];
        op->slot = rpc.nslots + i;
        rpc.slots[op->slot] = op;
        op->next_free = rpc.free_ops;
        rpc.free_ops = op;
    }
    rpc.nslots = n;
    return ORDO_OK;
}

static rpc_op_t *op_get(op_kind_t kind)
{
    if (!rpc.free_ops && pool_grow() != ORDO_OK)
        return NULL;
    rpc_op_t *op = rpc.free_ops;
    rpc.free_ops = op->next_free;
    uint32_t gen = op->gen + 1, slot = op->slot;
    memset(op, 0, offsetof(rpc_op_t, hdr));
    memset(&op->hdr, 0, sizeof(op->hdr));
    op->slot = slot;
    op->gen = gen;
    op->kind = (uint8_t)kind;
    op->in_use = 1;
    return op;
}

static void op_put(rpc_op_t *op)
{
    if (op->copy && op->copy != op->inline_copy)
        ordo__buf_put(op->copy, op->buf_cap);
    if (op->desc && op->desc != op->inline_desc)
        free(op->desc);
    if (op->kind == OP_PULL && op->pull_buf && !op->call)
        ordo__buf_put(op->pull_buf, op->buf_cap);
    if (op->mem)
        ordo__rt.tl_ops->mem_release(ordo__rt.tl, op->mem);
    op->copy = op->desc = op->pull_buf = NULL;
    op->mem = NULL;
    op->in_use = 0;
    op->gen++; /* an id naming the old use no longer matches */
    op->next_free = rpc.free_ops;
    rpc.free_ops = op;
}

/* Keep a copy of a request's prefix (at most ORDO__RPC_PREFIX_MAX bytes). */
static void op_set_prefix(rpc_op_t *op, const void *pre, size_t pre_len)
{
    if (pre_len)
        memcpy(op->pre, pre, pre_len);
    op->pre_len = (uint8_t)pre_len;
}

static uint64_t op_id(const rpc_op_t *op)
{
    return ((uint64_t)op->gen << RPC_SLOT_BITS) | op->slot;
}

static rpc_op_t *op_lookup(uint64_t id, op_kind_t kind)
{
    uint32_t slot = (uint32_t)(id & RPC_SLOT_MASK);
    if (slot >= rpc.nslots)
        return NULL;
    rpc_op_t *op = rpc.slots[slot];
    /* A call is named by its request id, the others by their op id. */
    uint64_t own = kind == OP_CALL ? op->hdr.req_id : op_id(op);
    if (!op->in_use || own != id || op->kind != kind || op->done)
        return NULL;
    return op;
}

/* Free the op once nobody needs it.  The caller must not touch it afterwards. */
static void op_maybe_put(rpc_op_t *op)
{
    if (op->in_use && op->done && !op->send_pending && !op->get_pending && !op->user_owned &&
        !op->pinned && !op->delayed)
        op_put(op);
}

/* The op reached its end (a second completion changes nothing): tell its
 * owner, and free it if nobody holds it.  Buffers the peer may read are let
 * go here, so the op must not complete while a rendezvous get could run.
 * The caller must not touch the op afterwards. */
static void op_complete(rpc_op_t *op, int status)
{
    if (!op->done) {
        op->done = 1;
        op->status = status;
        if (op->waiting) {
            op->waiting = 0;
            rpc.calls--;
            timers_update();
        }
        if (op->mem) {
            ordo__rt.tl_ops->mem_release(ordo__rt.tl, op->mem);
            op->mem = NULL;
        }
        if (op->cb && !op->detached)
            op->cb(op, status, op->cb_arg);
    }
    op_maybe_put(op);
}

/* ---- sending ---------------------------------------------------------- */

static void op_send_done(ordo__tl_send_req_t *sreq, int status)
{
    rpc_op_t *op = (rpc_op_t *)((char *)sreq - offsetof(rpc_op_t, sreq));
    op->send_pending--;
    rpc.in_flight--;
    /* An eager payload is free once sent. */
    if (status != ORDO_OK || (!op->send_pending && op->kind != OP_CALL && !op->rndv))
        op_complete(op, status);
    else
        op_maybe_put(op);
}

static int op_copy_payload(rpc_op_t *op, const void *data, size_t len)
{
    if (len <= RPC_INLINE_COPY) {
        op->copy = op->inline_copy;
    } else {
        op->copy = ordo__buf_get(len, &op->buf_cap);
        if (!op->copy)
            return ORDO_ERR_NOMEM;
    }
    if (len)
        memcpy(op->copy, data, len);
    op->payload = op->copy;
    op->len = len;
    return ORDO_OK;
}

/* The path of a payload of len bytes with a prefix of pre_len: forced, or
 * by the threshold of the memory the payload is in (the prefix counts: it
 * goes with the payload when eager). */
static int use_rndv_slow(const void *payload, size_t len, size_t n)
{
    if (!(ordo__rt.tl_ops->caps & ORDO__TL_CAP_RNDV))
        return 0;
    if (rpc.proto != ORDO_PROTO_AUTO)
        return rpc.proto == ORDO_PROTO_RNDV;
    if (n > rpc.threshold && n > rpc.threshold_mapped)
        return 1;
    if (n <= rpc.threshold && n <= rpc.threshold_mapped)
        return 0;
    int mapped = (ordo__rt.tl_ops->caps & ORDO__TL_CAP_MEM_ALLOC) &&
                 ordo__rt.tl_ops->mem_is_alloc(ordo__rt.tl, payload, len);
    return n > (mapped ? rpc.threshold_mapped : rpc.threshold);
}

static inline int use_rndv(const void *payload, size_t len, size_t pre_len)
{
    size_t n = len + pre_len;
    if (len == 0 || n <= rpc.eager_max)
        return 0;
    return use_rndv_slow(payload, len, n);
}

/* Register the payload and describe it; ack_id is who the receiver acknowledges. */
static int op_make_desc(rpc_op_t *op, uint64_t ack_id)
{
    const void *rkey;
    size_t rkey_len;
    int status = ordo__rt.tl_ops->mem_reg(ordo__rt.tl, (void *)op->payload, op->len, &op->mem,
                                          &rkey, &rkey_len);
    if (status != ORDO_OK)
        return status;
    op->desc_len = sizeof(ordo__rndv_desc_t) + rkey_len;
    op->desc = op->desc_len <= RPC_DESC_INLINE ? op->inline_desc : malloc(op->desc_len);
    if (!op->desc)
        return ORDO_ERR_NOMEM;
    ordo__rndv_desc_t d = {
        .addr = (uint64_t)(uintptr_t)op->payload,
        .len = op->len,
        .ack_id = ack_id,
        .rkey_len = (uint32_t)rkey_len,
    };
    memcpy(op->desc, &d, sizeof(d));
    memcpy((char *)op->desc + sizeof(d), rkey, rkey_len);
    op->rndv = 1;
    return ORDO_OK;
}

/* One transmission of the op's header and wire data. */
static int op_transmit(rpc_op_t *op)
{
    const void *hdr = op->hdr_len > RPC_HDR_INLINE ? (const void *)op->hdr_heap : op->hdr_bytes;
    int s = ordo__rt.tl_ops->send(ordo__rt.tl, op->peer, hdr, op->hdr_len, op->wire, op->wire_len,
                                  &op->sreq);
    if (ordo__rt.cfg.retry_ms)
        op->sent_ns = ordo__now_ns(); /* for retries only: a clock read costs */
    if (s == ORDO__INPROGRESS) {
        op->send_pending++;
        rpc.in_flight++;
        s = ORDO_OK;
    }
    if (s == ORDO_OK)
        ordo__rt.stats.msgs_sent++;
    return s;
}

/* What fault injection does to the op's message, by its handler's class:
 * requests and replies of ORDO__RPC_F_FAULTS handlers take any fault
 * (retries and the exactly-once window make up for them); one-way messages
 * of ORDO__RPC_F_ONEWAY_NORESEND handlers, whose protocols stand delay,
 * reordering and duplicates but not loss (nothing resends a one-way
 * message), take all but a drop, which becomes a pass; nothing else is
 * touched. */
static ordo__fault_action_t fault_next(const rpc_op_t *op, uint64_t *delay_ns)
{
    unsigned cls = rpc.hflags[op->hdr.handler];
    int oneway = (cls & ORDO__RPC_F_ONEWAY_NORESEND) != 0;
    if (!ordo__rt.cfg.fault.enabled || !(cls & ORDO__RPC_F_FAULTS))
        return ORDO__FAULT_PASS;
    if (op->rndv) {
        /* A rendezvous descriptor is not duplicated: a second pull could
         * still read the payload after the first acknowledgement freed it. */
        ordo__fault_action_t a = ordo__fault_next(delay_ns);
        if (a == ORDO__FAULT_DUP || (a == ORDO__FAULT_DROP && op->hdr.kind == ORDO__MSG_SEND))
            return ORDO__FAULT_PASS;
        return a;
    }
    if (op->hdr.kind == ORDO__MSG_REQ || op->hdr.kind == ORDO__MSG_REPLY)
        return ordo__fault_next(delay_ns);
    if (!oneway || op->hdr.kind != ORDO__MSG_SEND)
        return ORDO__FAULT_PASS;
    ordo__fault_action_t a = ordo__fault_next(delay_ns);
    return a == ORDO__FAULT_DROP ? ORDO__FAULT_PASS : a;
}

/* Transmit, or let fault injection drop, duplicate or hold back the message. */
static int op_emit(rpc_op_t *op)
{
    uint64_t delay_ns = 0;
    int s;
    ordo__fault_action_t a = fault_next(op, &delay_ns);

    switch (a) {
    case ORDO__FAULT_DROP:
        ordo__rt.stats.fault_dropped++;
        op->sent_ns = ordo__now_ns();
        return ORDO_OK;
    case ORDO__FAULT_DELAY:
        ordo__rt.stats.fault_delayed++;
        op->delayed = 1;
        op->due_ns = ordo__now_ns() + delay_ns;
        rpc.delayed++;
        timers_update();
        return ORDO_OK;
    case ORDO__FAULT_DUP:
        ordo__rt.stats.fault_duplicated++;
        s = op_transmit(op);
        return s == ORDO_OK ? op_transmit(op) : s;
    default:
        return op_transmit(op);
    }
}

/* An eager send or reply is done once nothing of it is left with the transport. */
static void op_emitted(rpc_op_t *op)
{
    if (!op->send_pending && !op->delayed && op->kind != OP_CALL && !op->rndv)
        op_complete(op, ORDO_OK);
}

/* Number the message h and write what follows the header into buf (where
 * the header starts): its clocks, then the prefix, if any.  Returns the
 * length of all that, header included (the header struct itself is the
 * caller's to put at buf). */
static RPC_HOT size_t stamp(ordo__msg_hdr_t *h, uint8_t *buf, int dest, const void *pre,
                            size_t pre_len)
{
    unsigned flags;
    h->seq = ++rpc.send_seq;
    size_t len = ordo__lclock_send_inline(buf + sizeof(*h), &flags, dest, h->handler, h->seq);
    h->flags |= flags | (pre_len ? ORDO__MSG_F_PREFIX : 0);
    h->hdr_len = (uint16_t)(sizeof(*h) + len);
    h->pre_len = (uint16_t)pre_len;
    if (pre_len)
        memcpy(buf + h->hdr_len, pre, pre_len);
    return h->hdr_len + pre_len;
}

/* Number the message and add the clocks to its header (a new message: a
 * retransmission sends the same header again). */
static int op_stamp(rpc_op_t *op, int dest)
{
    size_t need = sizeof(ordo__msg_hdr_t) + ordo__lclock_ext_max() + op->pre_len;

    if (need <= RPC_HDR_INLINE) {
        op->hdr_len = stamp(&op->hdr, op->hdr_bytes, dest, op->pre, op->pre_len);
        return ORDO_OK;
    }
    if (op->hdr_heap_cap < need) {
        uint8_t *p = realloc(op->hdr_heap, need);
        if (!p)
            return ORDO_ERR_NOMEM;
        op->hdr_heap = p;
        op->hdr_heap_cap = need;
    }
    op->hdr_len = stamp(&op->hdr, op->hdr_heap, dest, op->pre, op->pre_len);
    memcpy(op->hdr_heap, &op->hdr, sizeof(ordo__msg_hdr_t));
    return ORDO_OK;
}

static int op_send(rpc_op_t *op, int dest, unsigned kind, unsigned id);

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

/* The header and clock of a packed message with the default clocks (lead:
 * rpc.xreq_word or rpc.xreply_word), the same bytes as hdr_new and stamp
 * make, written as five words (msg.h's layout, little-endian).  Returns
 * their length, PACKED_HDR. */
static RPC_HOT size_t put_packed(rpc_hdr_buf_t *hb, uint64_t lead, unsigned id, int status,
                                 uint64_t req_id)
{
    _Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "msg.h: little-endian hosts");
    _Static_assert(
        offsetof(ordo__msg_hdr_t, handler) == 8 && offsetof(ordo__msg_hdr_t, pre_len) == 10 &&
            offsetof(ordo__msg_hdr_t, src) == 12 && offsetof(ordo__msg_hdr_t, status) == 16 &&
            offsetof(ordo__msg_hdr_t, seq) == 20 && offsetof(ordo__msg_hdr_t, req_id) == 24 &&
            sizeof(ordo__msg_hdr_t) == 32,
        "the header is four words");
    uint32_t seq = ++rpc.send_seq;
    uint64_t w[5] = {lead, (uint64_t)(uint16_t)id | (uint64_t)(uint32_t)ordo__rt.rank << 32,
                     (uint64_t)(uint32_t)status | (uint64_t)seq << 32, req_id, ++ordo__lamport};
    memcpy(hb->b, w, sizeof(w));
    return PACKED_HDR;
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

/* The short path could not send at once: op takes the message, with the
 * header as made there (already numbered and stamped), and sends it like
 * any other. */
static void op_send_stamped(rpc_op_t *op, const rpc_hdr_buf_t *hb, size_t hlen, int dest,
                            unsigned kind, unsigned id)
{
    memcpy(op->hdr_bytes, hb->b, hlen);
    op->hdr_len = hlen;
    op->stamped = 1;
    op_send(op, dest, kind, id);
}

/* Hand the op to the transport.  On failure the op is completed with the error;
 * the caller must not touch the op afterwards unless somebody owns it. */
static int op_send(rpc_op_t *op, int dest, unsigned kind, unsigned id)
{
    ordo__msg_hdr_t *h = &op->hdr;
    int s;

    if (!op->stamped) {
        unsigned once =
            kind == ORDO__MSG_REQ && !ordo__rt.cfg.retry_ms && !ordo__rt.cfg.fault.enabled
                ? ORDO__MSG_F_ONCE
                : 0;
        *h = hdr_new(kind, once, id, h->req_id, h->status); /* the caller set these */
    }
    op->peer = dest;
    op->sreq.complete = op_send_done;
    op->wire = op->payload;
    op->wire_len = op->len;
    if (ordo__rt.peer_failed[dest]) {
        s = ORDO_ERR_PEER_FAILED;
        goto fail;
    }
    if (kind != ORDO__MSG_ACK && use_rndv(op->payload, op->len, op->pre_len)) {
        /* A call's reply acknowledges its request; others name themselves. */
        s = op_make_desc(op, kind == ORDO__MSG_REQ ? 0 : op_id(op));
        if (s != ORDO_OK)
            goto fail;
        h->flags |= ORDO__MSG_F_RNDV;
        op->wire = op->desc;
        op->wire_len = op->desc_len;
    }
    s = op->stamped ? ORDO_OK : op_stamp(op, dest);
    if (s != ORDO_OK)
        goto fail;
    s = op_emit(op);
    if (s != ORDO_OK)
        goto fail;
    if (op->kind == OP_CALL) {
        op->waiting = 1;
        rpc.calls++;
        timers_update();
    }
    op_emitted(op);
    return ORDO_OK;

fail:
    op_complete(op, s);
    return s;
}

static int check_dest_fail(int dest, unsigned id, size_t len)
{
    if (dest < 0 || dest >= ordo__rt.size) {
        ordo_log_error("destination rank %d is outside [0, %d)", dest, ordo__rt.size);
        return ORDO_ERR_INVALID;
    }
    if (id >= RPC_NUM_IDS) {
        ordo_log_error("handler id %u is not below %d", id, ORDO_RPC_MAX_ID);
        return ORDO_ERR_INVALID;
    }
    if (len > ordo__rt.cfg.max_msg_size) {
        ordo_log_error("payload of %zu bytes is over ORDO_MAX_MSG_SIZE (%llu)", len,
                       (unsigned long long)ordo__rt.cfg.max_msg_size);
        return ORDO_ERR_INVALID;
    }
    return ORDO_ERR_PEER_FAILED;
}

/* The destination exists and lives, the id is one, the payload not too
 * large (check_dest_fail says which is not). */
static RPC_HOT int check_dest(int dest, unsigned id, size_t len)
{
    if (dest >= 0 && dest < ordo__rt.size && id < RPC_NUM_IDS && len <= ordo__rt.cfg.max_msg_size &&
        !ordo__rt.peer_failed[dest])
        return ORDO_OK;
    return check_dest_fail(dest, id, len);
}

/* The checks of a send or call: destination, id, sizes, buffers. */
static RPC_HOT int check_args(int dest, unsigned id, const void *pre, size_t pre_len,
                              const void *data, size_t len, const void *reply, size_t cap)
{
    int status = check_dest(dest, id, len);
    if (status != ORDO_OK)
        return status;
    if ((len && !data) || (cap && !reply) || pre_len > ORDO__RPC_PREFIX_MAX || (pre_len && !pre))
        return ORDO_ERR_INVALID;
    return ORDO_OK;
}

/* Start a send or call whose arguments are checked.  *out receives the op
 * if the caller keeps it. */
static int op_start(op_kind_t kind, int dest, unsigned id, const void *pre, size_t pre_len,
                    const void *data, size_t len, void *reply, size_t cap, ordo_request_cb_t cb,
                    void *cb_arg, rpc_op_t **out)
{
    int status;
    rpc_op_t *op = op_get(kind);
    if (!op)
        return ORDO_ERR_NOMEM;
    op_set_prefix(op, pre, pre_len);
    op->payload = data;
    op->len = len;
    op->reply = reply;
    op->cap = cap;
    op->cb = cb;
    op->cb_arg = cb_arg;
    op->user_owned = out != NULL;
    if (kind == OP_CALL)
        /* The request id: this rank's call number to dest, and the slot.
         * Consecutive per destination, so the receiver's exactly-once
         * window holds the last ORDO_DEDUP_WINDOW calls from us. */
        op->hdr.req_id = ((uint64_t)++rpc.call_seq[dest] << RPC_SLOT_BITS) | op->slot;
    if (ordo__in_handler && kind == OP_SEND && len) {
        /* A handler's buffer may vanish when it returns: send a copy. */
        status = op_copy_payload(op, data, len);
        if (status != ORDO_OK) {
            op->user_owned = 0;
            if (!out) { /* a callback request: the callback tells, once */
                op_complete(op, status);
                return ORDO_OK;
            }
            op->cb = NULL;
            op_complete(op, status);
            return status;
        }
    }
    if (out)
        *out = op;
    op_send(op, dest, kind == OP_CALL ? ORDO__MSG_REQ : ORDO__MSG_SEND, id);
    return ORDO_OK; /* a failure to send is the request's status */
}

/* Check, then start a send or call (op_start). */
static int rpc_start(op_kind_t kind, int dest, unsigned id, const void *pre, size_t pre_len,
                     const void *data, size_t len, void *reply, size_t cap, ordo_request_cb_t cb,
                     void *cb_arg, rpc_op_t **out)
{
    int status = check_args(dest, id, pre, pre_len, data, len, reply, cap);
    if (status != ORDO_OK)
        return status;
    if (!out && !cb)
        return ORDO_ERR_INVALID;
    return op_start(kind, dest, id, pre, pre_len, data, len, reply, cap, cb, cb_arg, out);
}

static int op_done_cond(void *arg)
{
    return ((rpc_op_t *)arg)->done;
}

/* Wait for op; release it and return its status.  On timeout the op is
 * detached: whatever still arrives for it is dropped. */
static int op_wait(rpc_op_t *op, size_t *reply_len)
{
    int status = ordo__wait_until(op_done_cond, op, 0);
    if (status != ORDO_OK) {
        op->detached = 1;
        op->reply = NULL;
        op->cap = 0;
        op->user_owned = 0;
        op_maybe_put(op);
        return status;
    }
    status = op->status;
    if (reply_len && op->kind == OP_CALL && (status == ORDO_OK || status == ORDO_ERR_TRUNCATED))
        *reply_len = op->reply_len;
    op->user_owned = 0;
    op_maybe_put(op);
    return status;
}

static int rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    rpc_op_t *op;
    int status = rpc_start(OP_SEND, dest, id, NULL, 0, msg, len, NULL, 0, NULL, NULL, &op);
    if (status != ORDO_OK)
        return status;
    if (ordo__in_handler) {
        /* A handler cannot wait: the runtime frees the request when done. */
        op->user_owned = 0;
        status = op->done ? op->status : ORDO_OK;
        op_maybe_put(op);
        return status;
    }
    return op_wait(op, NULL);
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

/* ---- the blocking call's fast path ------------------------------------- */

/* A blocking call whose request goes eager, with no fault injection and no
 * retries, needs no op: the request is sent at once from the stack (the
 * caller's buffer stays put until the call returns) and the reply is
 * matched here.  Its request id carries the slot RPC_SLOT_MASK, which no
 * op has.  A reply that comes by rendezvous is pulled by an op that takes
 * the call over. */
static struct {
    uint64_t req_id;
    int peer;
    int active; /* a call waits */
    int done;   /* its reply is in: status, reply_len */
    int status;
    void *reply;
    size_t cap, reply_len;
    rpc_op_t *op; /* the op that took over (a rendezvous reply) */
} fast;

static RPC_HOT int fast_ok(int dest, const void *req, size_t len, size_t pre_len)
{
    return rpc.short_calls && !ordo__rt.peer_failed[dest] && !use_rndv(req, len, pre_len);
}

static int fast_over(void *arg)
{
    (void)arg;
    return fast.done || fast.op;
}

static RPC_HOT int fast_call(int dest, unsigned id, const void *pre, size_t pre_len,
                             const void *req, size_t len, void *reply, size_t cap,
                             size_t *reply_len)
{
    rpc_hdr_buf_t hb;
    int s;

    /* fast_ok: no retries, no fault injection */
    uint64_t req_id = ((uint64_t)++rpc.call_seq[dest] << RPC_SLOT_BITS) | RPC_SLOT_MASK;
    size_t hlen;
    if (rpc.xreq_word && !pre_len) {
        hlen = put_packed(&hb, rpc.xreq_word, id, 0, req_id);
    } else {
        hb.h = hdr_new(ORDO__MSG_REQ, ORDO__MSG_F_ONCE, id, req_id, 0);
        hlen = stamp(&hb.h, hb.b, dest, pre, pre_len);
    }
    s = send_now(&hb, hlen, dest, req, len);
    /* Set after the send, while the request travels: the reply can only be
     * taken by a progress call, and none runs in between. */
    fast.req_id = hb.h.req_id;
    fast.peer = dest;
    fast.done = 0;
    fast.op = NULL;
    fast.reply = reply;
    fast.cap = cap;
    fast.active = 1;
    if (s == ORDO__AGAIN) {
        /* Not at once (too large for the transport's short path, or its
         * queue is full): an op takes the request, header as made here. */
        rpc_op_t *op = op_get(OP_CALL);
        if (!op) {
            fast.active = 0;
            return ORDO_ERR_NOMEM;
        }
        op->payload = req;
        op->len = len;
        op->reply = reply;
        op->cap = cap;
        op->user_owned = 1;
        fast.op = op;
        op_send_stamped(op, &hb, hlen, dest, ORDO__MSG_REQ, id);
        s = ORDO_OK;
    } else if (s == ORDO_OK) {
        ordo__rt.stats.msgs_sent++;
        s = ordo__wait_until(fast_over, NULL, 0);
    }
    if (fast.op) {
        /* An op carries the call on (a rendezvous reply, or the request). */
        s = op_wait(fast.op, reply_len);
        fast.op = NULL;
        fast.active = 0;
        return s;
    }
    fast.active = 0;
    if (s != ORDO_OK)
        return s; /* a late reply finds no call and is dropped */
    if (reply_len && (fast.status == ORDO_OK || fast.status == ORDO_ERR_TRUNCATED))
        *reply_len = fast.reply_len;
    return fast.status;
}

/* A reply with a fast call's id: 1 if handled here, 0 if it is for the op
 * that carries the call on, or late. */
static RPC_HOT int fast_reply(const ordo__msg_hdr_t *h, const ordo__stamp_t *st, const void *data,
                              size_t len)
{
    if (!fast.active || fast.done || fast.op || fast.req_id != h->req_id || fast.peer != h->src)
        return 0; /* late or foreign: dropped as such */
    ordo__lclock_recv_inline(st, h->src, h->handler, h->seq);
    if (h->flags & ORDO__MSG_F_RNDV) {
        rpc_op_t *op = op_get(OP_CALL);
        if (!op) {
            fast.status = ORDO_ERR_NOMEM;
            fast.done = 1;
            return 0; /* the replier is told, as for a late reply */
        }
        op->hdr.req_id = h->req_id;
        op->peer = h->src;
        op->reply = fast.reply;
        op->cap = fast.cap;
        op->user_owned = 1;
        op->replied = 1;
        fast.op = op;
        op_start_pull(h, NULL, 0, data, len, op);
        return 1;
    }
    fast.status = take_reply(h, data, len, fast.reply, fast.cap, &fast.reply_len);
    fast.done = 1;
    return 1;
}

static RPC_HOT int rpc_call(int dest, unsigned id, const void *pre, size_t pre_len, const void *req,
                            size_t len, void *reply, size_t cap, size_t *reply_len)
{
    rpc_op_t *op;
    if (ordo__in_handler) {
        ordo_log_error("ordo_rpc_call from inside a message handler would block it");
        return ORDO_ERR_INVALID;
    }
    int status = check_args(dest, id, pre, pre_len, req, len, reply, cap);
    if (status != ORDO_OK)
        return status;
    if (fast_ok(dest, req, len, pre_len))
        return fast_call(dest, id, pre, pre_len, req, len, reply, cap, reply_len);
    status = op_start(OP_CALL, dest, id, pre, pre_len, req, len, reply, cap, NULL, NULL, &op);
    if (status != ORDO_OK)
        return status;
    return op_wait(op, reply_len);
}

/* ---- timers: held-back messages and retries ---------------------------- */

#define TIMER_PERIOD_NS 100000

void ordo__rpc_timers(void)
{
    if (!ordo__rpc_timed)
        return;
    uint64_t now = ordo__now_ns();
    if (now < rpc.next_timer_ns)
        return;
    /* Look again after a period, or when the next held-back message is due
     * if that is sooner (a delay of a few microseconds stays one). */
    uint64_t next = now + TIMER_PERIOD_NS;
    uint64_t retry_ns = ordo__rt.cfg.retry_ms * 1000000u;
    for (uint32_t i = 0; i < rpc.nslots; i++) {
        rpc_op_t *op = rpc.slots[i];
        if (!op->in_use)
            continue;
        if (op->delayed && now < op->due_ns && op->due_ns < next)
            next = op->due_ns;
        if (op->delayed && now >= op->due_ns) {
            op->delayed = 0;
            rpc.delayed--;
            timers_update();
            int st = op->done ? ORDO_OK : op_transmit(op);
            if (st != ORDO_OK)
                op_complete(op, st);
            else if (op->done)
                op_maybe_put(op);
            else
                op_emitted(op);
        } else if (retry_ns && op->waiting && !op->delayed && !op->send_pending &&
                   now - op->sent_ns >= retry_ns) {
            ordo__rt.stats.retries++;
            int st = op_emit(op);
            if (st != ORDO_OK)
                op_complete(op, st);
        }
    }
    rpc.next_timer_ns = next;
}

/* ---- exactly-once window ---------------------------------------------- */

/* A request's number among the calls from its source to this rank. */
static uint64_t id_call(uint64_t id)
{
    return id >> RPC_SLOT_BITS;
}

static dedup_entry_t *dedup_entry(int src, uint64_t req_id)
{
    if (!rpc.dedup[src]) {
        rpc.dedup[src] = calloc(ordo__rt.cfg.dedup_window, sizeof(dedup_entry_t));
        if (!rpc.dedup[src])
            return NULL;
    }
    uint64_t n = id_call(req_id);
    /* A mask where the window is a power of two: a division costs ~30 cycles. */
    return &rpc.dedup[src][rpc.dedup_mask ? n & rpc.dedup_mask : n % ordo__rt.cfg.dedup_window];
}

/* Free the heap copy of a reply an entry kept (a small one is inline). */
static void dedup_free_copy(dedup_entry_t *e)
{
    if (e->copy != e->small)
        free(e->copy);
    e->copy = NULL;
}

static void dedup_release(dedup_entry_t *e)
{
    if (e->reply) {
        e->reply->pinned = 0;
        op_maybe_put(e->reply);
        e->reply = NULL;
    }
    dedup_free_copy(e);
    e->len = 0;
    e->state = DEDUP_FREE;
}

static void send_reply(int dest, uint64_t req_id, unsigned id, rpc_op_t *op, int status);
static rpc_op_t *reply_op(const void *data, size_t len);

/* 1 if the request was seen before (it was answered again, or is still
 * running); 0 if it is new and now remembered as running. */
static int dedup_seen(const ordo__msg_hdr_t *h)
{
    if (ordo__rt.cfg.delivery != 0)
        return 0;
    dedup_entry_t *e = dedup_entry(h->src, h->req_id);
    if (!e)
        return 0; /* no memory: at-least-once for this one */
    if (e->state != DEDUP_FREE && e->req_id == h->req_id) {
        ordo__rt.stats.duplicates++;
        if (e->state == DEDUP_RUNNING)
            return 1;
        rpc_op_t *r = e->reply;
        if (!r) {
            /* The same reply, once more, from the copy kept. */
            rpc_op_t *again = e->len ? reply_op(e->copy, e->len) : NULL;
            send_reply(h->src, h->req_id, e->handler, again,
                       again || !e->len ? e->status : ORDO_ERR_NOMEM);
        } else if (!r->send_pending && !r->delayed && !r->done) {
            op_emit(r); /* the same rendezvous descriptor, once more */
        }
        /* else the reply is on its way, or was pulled (and so received) already */
        return 1;
    }
    if (e->state != DEDUP_FREE && id_call(h->req_id) < id_call(e->req_id)) {
        ordo__rt.stats.duplicates++; /* older than what this slot has seen: stale */
        return 1;
    }
    dedup_release(e);
    e->req_id = h->req_id;
    e->state = DEDUP_RUNNING;
    return 0;
}

/* The request ran: remember its outcome and its reply (data, len; in the
 * op reply unless that is NULL), to answer a repeat.  An eager reply is
 * kept as a copy of its payload (a few bytes, usually); a rendezvous
 * reply's op is pinned, since its descriptor names its buffer. */
static void dedup_done(int src, uint64_t req_id, unsigned handler, int status, rpc_op_t *reply,
                       const void *data, size_t len)
{
    if (ordo__rt.cfg.delivery != 0 || !rpc.dedup[src])
        return;
    dedup_entry_t *e = dedup_entry(src, req_id);
    if (e->req_id != req_id || e->state != DEDUP_RUNNING)
        return;
    e->state = DEDUP_DONE;
    e->status = status;
    e->handler = handler;
    if (!len)
        return;
    if (reply && use_rndv(data, len, 0)) {
        reply->pinned = 1;
        e->reply = reply;
    } else if ((e->copy = len <= DEDUP_INLINE ? e->small : malloc(len)) != NULL) {
        memcpy(e->copy, data, len);
        e->len = len;
    } else {
        e->status = ORDO_ERR_NOMEM; /* a repeat learns that the reply is lost */
    }
}

/* ---- receiving -------------------------------------------------------- */

static void send_ctrl(int dest, unsigned kind, uint64_t id, int status)
{
    rpc_op_t *op = op_get(OP_CTRL);
    if (!op) {
        ordo_log_error("out of memory: acknowledgement to rank %d dropped", dest);
        return;
    }
    op->hdr.req_id = id;
    op->hdr.status = status;
    op_send(op, dest, kind, 0);
}

/* A reply op holding a copy of data (the handler's buffer may be on its stack). */
static rpc_op_t *reply_op(const void *data, size_t len)
{
    rpc_op_t *op = op_get(OP_REPLY);
    if (op && op_copy_payload(op, data, len) != ORDO_OK) {
        op_put(op);
        return NULL;
    }
    return op;
}

static void send_reply(int dest, uint64_t req_id, unsigned id, rpc_op_t *op, int status)
{
    if (!op) {
        /* No reply stored (none set, or no memory for it): send the status alone. */
        op = reply_op(NULL, 0);
        if (!op) {
            ordo_log_error("out of memory: reply to rank %d dropped", dest);
            return;
        }
    }
    op->hdr.req_id = req_id;
    op->hdr.status = status;
    /* Pinned before it is sent, so that it outlives its own completion. */
    dedup_done(dest, req_id, id, status, op, op->payload, op->len);
    int s = op_send(op, dest, ORDO__MSG_REPLY, id);
    if (s != ORDO_OK)
        ordo_log_debug("reply to rank %d not sent: %s", dest, ordo_strerror(s));
}

/* Answer the request h with a small eager reply at once, from here, with
 * no op: the common case of a call, and the cheapest.  The reply packet is
 * made in hb, where the payload (data, len) may already be, after the
 * header (deliver).  If the transport cannot take it at once, the reply
 * goes into an op with the header made here, and waits its turn like any
 * other message. */
static void reply_now(const ordo__msg_hdr_t *req, rpc_hdr_buf_t *hb, const void *data, size_t len,
                      int status)
{
    int dest = req->src;

    size_t hlen;
    if (rpc.xreply_word) {
        hlen = put_packed(hb, rpc.xreply_word, req->handler, status, req->req_id);
    } else {
        hb->h = hdr_new(ORDO__MSG_REPLY, 0, req->handler, req->req_id, status);
        hlen = stamp(&hb->h, hb->b, dest, NULL, 0);
    }
    if (!(req->flags & ORDO__MSG_F_ONCE))
        dedup_done(dest, req->req_id, req->handler, status, NULL, data, len);
    int s = send_now(hb, hlen, dest, data, len);
    if (s == ORDO_OK) {
        ordo__rt.stats.msgs_sent++;
        return;
    }
    if (s != ORDO__AGAIN) {
        ordo_log_debug("reply to rank %d not sent: %s", dest, ordo_strerror(s));
        return;
    }
    rpc_op_t *op = reply_op(data, len);
    if (!op) {
        ordo_log_error("out of memory: reply to rank %d dropped", dest);
        return;
    }
    op_send_stamped(op, hb, hlen, dest, ORDO__MSG_REPLY, req->handler);
}

/* reply_now can take the reply: no fault injection to apply, eager, and
 * the header fits on the stack. */
static int reply_now_ok(const void *data, size_t len)
{
    return rpc.short_replies && !use_rndv(data, len, 0);
}

/* Run the handler of a request or one-way message whose payload is here. */
static void deliver(const ordo__msg_hdr_t *h, const void *pre, size_t pre_len, const void *data,
                    size_t len)
{
    rpc_handler_t *hd = h->handler < RPC_NUM_IDS ? &rpc.handlers[h->handler] : NULL;
    rpc_reply_ctx_t ctx;
    /* A small reply is written where it goes out: after the header in the
     * reply packet, whose header with the default clocks is PACKED_HDR
     * bytes; with other clocks, their length is known only once stamped,
     * and the reply waits in spare.  Neither is cleared: only small_set
     * says that a reply is there. */
    rpc_hdr_buf_t pkt;
    uint8_t spare[RPC_REPLY_SMALL];
    int status;

    _Static_assert(PACKED_HDR + RPC_REPLY_SMALL <= sizeof(pkt.b), "a small reply fits the packet");
    ctx.small = ordo__lclock_lamport_only ? pkt.b + PACKED_HDR : spare;
    ctx.op = NULL;
    ctx.len = 0;
    ctx.status = ORDO_OK;
    ctx.small_set = 0;
    ctx.pre = pre;
    ctx.pre_len = pre_len;

    if (!hd || !hd->cb) {
        ordo_log_warn("message for handler id %u from rank %d: no handler registered", h->handler,
                      h->src);
        if (h->kind == ORDO__MSG_REQ)
            send_reply(h->src, h->req_id, h->handler, NULL, ORDO_ERR_NO_HANDLER);
        else
            ordo__rt.stats.no_handler++;
        return;
    }
    ordo_rpc_msg_t msg = {
        .src = h->src,
        .id = h->handler,
        .data = data,
        .len = len,
        .expects_reply = h->kind == ORDO__MSG_REQ,
        .priv = &ctx,
    };
    ordo__in_handler++;
    status = hd->cb(&msg, hd->arg);
    ordo__in_handler--;
    if (h->kind != ORDO__MSG_REQ)
        return;
    if (ctx.status != ORDO_OK)
        status = ctx.status;
    if (!ctx.op && reply_now_ok(ctx.small, ctx.len)) {
        reply_now(h, &pkt, ctx.small, ctx.len, status);
        return;
    }
    if (!ctx.op && ctx.small_set && !(ctx.op = reply_op(ctx.small, ctx.len)))
        status = ORDO_ERR_NOMEM;
    send_reply(h->src, h->req_id, h->handler, ctx.op, status);
}

static void recv_reply(const ordo__msg_hdr_t *h, const ordo__stamp_t *st, const void *data,
                       size_t len)
{
    rpc_op_t *op;
    if ((h->req_id & RPC_SLOT_MASK) == RPC_SLOT_MASK) {
        if (fast_reply(h, st, data, len))
            return;
        /* A fast call that an op carries on. */
        op = fast.op && fast.op->hdr.req_id == h->req_id && !fast.op->done ? fast.op : NULL;
    } else {
        op = op_lookup(h->req_id, OP_CALL);
    }
    if (op && op->peer != h->src)
        op = NULL; /* a call to another rank that happens to carry the same id */
    if (op && op->replied && !op->detached) {
        /* Another copy of the reply (a repeated request was answered again,
         * or faults duplicated it): the first is taken, or being pulled and
         * acknowledged; this one must not touch the call again. */
        ordo__rt.stats.duplicates++;
        return;
    }
    if (!op || op->detached) {
        ordo__rt.stats.late_replies++;
        ordo_log_debug("reply from rank %d to unknown or abandoned request %llx dropped", h->src,
                       (unsigned long long)h->req_id);
        if (op)
            op_complete(op, ORDO_ERR_TIMEOUT);
        if (h->flags & ORDO__MSG_F_RNDV) {
            /* Let the replier release its buffer all the same. */
            ordo__rndv_desc_t d;
            if (len >= sizeof(d)) {
                memcpy(&d, data, sizeof(d));
                send_ctrl(h->src, ORDO__MSG_ACK, d.ack_id, ORDO_ERR_TIMEOUT);
            }
        }
        return;
    }
    ordo__lclock_recv_inline(st, h->src, h->handler, h->seq);
    op->replied = 1;
    if (op->rndv) {
        /* Our request was pulled: its buffer is free. */
        ordo__rt.tl_ops->mem_release(ordo__rt.tl, op->mem);
        op->mem = NULL;
    }
    if (h->flags & ORDO__MSG_F_RNDV) {
        op_start_pull(h, NULL, 0, data, len, op);
        return;
    }
    op_complete(op, take_reply(h, data, len, op->reply, op->cap, &op->reply_len));
}

static void recv_ack(const ordo__msg_hdr_t *h, const ordo__stamp_t *st)
{
    rpc_op_t *op = op_lookup(h->req_id, OP_SEND);
    if (!op)
        op = op_lookup(h->req_id, OP_REPLY);
    if (!op || op->peer != h->src || !op->rndv) {
        ordo_log_debug("acknowledgement from rank %d for unknown op %llx dropped", h->src,
                       (unsigned long long)h->req_id);
        return;
    }
    ordo__lclock_recv_inline(st, h->src, h->handler, h->seq);
    op_complete(op, h->status == ORDO_ERR_TIMEOUT ? ORDO_OK : h->status);
}

/* ---- rendezvous: pulling a payload ------------------------------------- */

/* The pull finished (or failed): hand the payload on, then acknowledge. */
static void pull_done(ordo__tl_send_req_t *greq, int status)
{
    rpc_op_t *op = (rpc_op_t *)((char *)greq - offsetof(rpc_op_t, greq));
    const ordo__msg_hdr_t *h = &op->in_hdr;

    op->get_pending = 0;
    if (!op->call && !op->land && op->pull_len)
        rpc.pull_bytes -= op->pull_len;
    if (status != ORDO_OK)
        ordo_log_warn("pulling %zu bytes from rank %d failed: %s", op->pull_len, h->src,
                      ordo_strerror(status));
    if (op->call) {
        /* A rendezvous reply landed in the caller's buffer. */
        rpc_op_t *call = op->call;
        send_ctrl(h->src, ORDO__MSG_ACK, op->ack_id, status);
        if (status == ORDO_OK)
            status = h->status;
        if (status == ORDO_OK && op->full_len > call->cap)
            status = ORDO_ERR_TRUNCATED;
        call->reply_len = op->full_len;
        op_complete(call, status);
    } else if (status != ORDO_OK) {
        if (h->kind == ORDO__MSG_REQ)
            send_reply(h->src, h->req_id, h->handler, NULL, status);
        else
            send_ctrl(h->src, ORDO__MSG_ACK, op->ack_id, status);
    } else {
        deliver(h, op->pre, op->pre_len, op->land ? op->land : op->pull_buf, op->pull_len);
        if (h->kind == ORDO__MSG_SEND)
            send_ctrl(h->src, ORDO__MSG_ACK, op->ack_id, ORDO_OK);
    }
    op_complete(op, status);
    pull_next();
}

/* Start the get of a pull op: into the caller's buffer (op->call) or into
 * a pooled buffer of our own. */
static void pull_issue(rpc_op_t *op, uint64_t addr, const void *rkey, uint32_t rkey_len)
{
    int status;

    if (!op->call && !op->land) {
        op->pull_buf = ordo__buf_get(op->pull_len, &op->buf_cap);
        if (!op->pull_buf) {
            ordo_log_error("cannot receive %zu bytes from rank %d: %s", op->pull_len, op->peer,
                           ordo_strerror(ORDO_ERR_NOMEM));
            pull_done(&op->greq, ORDO_ERR_NOMEM);
            return;
        }
    }
    if (ordo__rt.peer_failed[op->peer]) {
        pull_done(&op->greq, ORDO_ERR_PEER_FAILED);
        return;
    }
    void *dst = op->call ? op->call->reply : op->land ? op->land : op->pull_buf;
    status = ordo__rt.tl_ops->get(ordo__rt.tl, op->peer, dst, op->pull_len, addr, rkey, rkey_len,
                                  &op->greq);
    if (status == ORDO__INPROGRESS) {
        op->get_pending = 1;
        return;
    }
    pull_done(&op->greq, status);
}

/* Start waiting pulls while there is room (one always runs). */
static void pull_next(void)
{
    static int running; /* a pull that fails at once comes back here */

    if (running)
        return;
    running = 1;
    while (rpc.pullq && (rpc.pull_bytes == 0 ||
                         rpc.pull_bytes + rpc.pullq->pull_len <= ordo__rt.cfg.rndv_inflight)) {
        rpc_op_t *op = rpc.pullq;
        ordo__rndv_desc_t d;

        rpc.pullq = op->next_pull;
        if (!rpc.pullq)
            rpc.pullq_tail = NULL;
        op->next_pull = NULL;
        op->queued = 0;
        rpc.pull_bytes += op->pull_len;
        memcpy(&d, op->desc, sizeof(d));
        pull_issue(op, d.addr, (const char *)op->desc + sizeof(d), d.rkey_len);
    }
    running = 0;
}

/* Pull the payload described by data into the reply buffer of call, or
 * into a buffer of our own when call is NULL (requests and one-way messages).
 * Pulls into our own buffers are held to ORDO_RNDV_INFLIGHT bytes at once,
 * so that many large messages arriving together reuse a few warm buffers
 * instead of faulting in fresh memory for each. */
static void op_start_pull(const ordo__msg_hdr_t *h, const void *pre, size_t pre_len,
                          const void *data, size_t len, rpc_op_t *call)
{
    ordo__rndv_desc_t d;
    int status;

    if (len < sizeof(d)) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a rendezvous message from rank %d: descriptor of %zu bytes", h->src,
                      len);
        if (call)
            op_complete(call, ORDO_ERR_MSG);
        return;
    }
    memcpy(&d, data, sizeof(d));
    if (len != sizeof(d) + d.rkey_len || d.len > ordo__rt.cfg.max_msg_size) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a rendezvous message from rank %d: bad descriptor (%llu bytes, "
                      "key of %u bytes)",
                      h->src, (unsigned long long)d.len, d.rkey_len);
        if (call)
            op_complete(call, ORDO_ERR_MSG);
        else if (h->kind == ORDO__MSG_REQ)
            send_reply(h->src, h->req_id, h->handler, NULL, ORDO_ERR_MSG);
        return;
    }
    rpc_op_t *op = op_get(OP_PULL);
    if (!op) {
        status = ORDO_ERR_NOMEM;
        goto fail;
    }
    op->in_hdr = *h;
    op->peer = h->src;
    op->ack_id = d.ack_id;
    op->full_len = d.len;
    op->call = call;
    op->pull_len = call ? (d.len < call->cap ? d.len : call->cap) : d.len;
    op->greq.complete = pull_done;
    op_set_prefix(op, pre, pre_len);
    if (op->pull_len == 0) {
        pull_done(&op->greq, ORDO_OK);
        return;
    }
    if (!call && h->handler < RPC_NUM_IDS && rpc.handlers[h->handler].land)
        /* The handler says where the payload goes (straight into place). */
        op->land = rpc.handlers[h->handler].land(h->src, pre, pre_len, op->pull_len);
    if (op->land)
        ordo__rt.stats.landed++;
    if (call || op->land) { /* the caller's buffer: nothing to hold back */
        pull_issue(op, d.addr, (const char *)data + sizeof(d), d.rkey_len);
        return;
    }
    if (rpc.pull_bytes == 0 || rpc.pull_bytes + op->pull_len <= ordo__rt.cfg.rndv_inflight) {
        rpc.pull_bytes += op->pull_len;
        pull_issue(op, d.addr, (const char *)data + sizeof(d), d.rkey_len);
        return;
    }
    /* Keep the descriptor (the message is gone after this callback) and wait. */
    op->desc_len = len;
    op->desc = len <= RPC_DESC_INLINE ? op->inline_desc : malloc(len);
    if (!op->desc) {
        status = ORDO_ERR_NOMEM;
        goto fail_op;
    }
    memcpy(op->desc, data, len);
    op->queued = 1;
    if (rpc.pullq_tail)
        rpc.pullq_tail->next_pull = op;
    else
        rpc.pullq = op;
    rpc.pullq_tail = op;
    return;

fail_op:
    op_put(op);
fail:
    ordo_log_error("cannot receive %llu bytes from rank %d: %s", (unsigned long long)d.len, h->src,
                   ordo_strerror(status));
    if (call) {
        send_ctrl(h->src, ORDO__MSG_ACK, d.ack_id, status);
        op_complete(call, status);
    } else if (h->kind == ORDO__MSG_REQ) {
        send_reply(h->src, h->req_id, h->handler, NULL, status);
    } else {
        send_ctrl(h->src, ORDO__MSG_ACK, d.ack_id, status);
    }
}

void ordo__rpc_recv(void *arg, const void *hdr, size_t hlen, const void *data, size_t len)
{
    ordo__msg_hdr_t h;
    ordo__stamp_t stamp;
    (void)arg;

    const void *pre = NULL;
    size_t pre_len = 0;
    if (hlen == 0 && len >= PACKED_HDR) {
        /* A packed request or reply with the default clocks: its first
         * eight bytes hold all there is to check but the source. */
        uint64_t lead;
        memcpy(&lead, data, sizeof(lead));
        if (lead && (lead == rpc.xreq_word || lead == rpc.xreply_word)) {
            memcpy(&h, data, sizeof(h));
            if (!h.pre_len && h.src >= 0 && h.src < ordo__rt.size &&
                ordo__lclock_decode_inline((const uint8_t *)data + sizeof(h), sizeof(uint64_t),
                                           ORDO__CLOCK_LAMPORT, &stamp) == 0) {
                data = (const uint8_t *)data + PACKED_HDR;
                len -= PACKED_HDR;
                goto dispatch;
            }
        }
    }
    /* Check everything a peer could get wrong before trusting any field. */
    if (hlen == 0) {
        /* Header and payload as one (msg.h): the header leads the data. */
        if (len < sizeof(h)) {
            ordo__rt.stats.malformed++;
            ordo_log_warn("dropped a message with a truncated header (%zu of %zu bytes)", len,
                          sizeof(h));
            return;
        }
        memcpy(&h, data, sizeof(h));
        hlen = (size_t)h.hdr_len + h.pre_len;
        if (hlen > len)
            hlen = 0; /* refused below */
        hdr = data;
        data = (const uint8_t *)data + hlen;
        len -= hlen;
    } else if (hlen >= sizeof(h)) {
        memcpy(&h, hdr, sizeof(h));
    } else {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a message with a truncated header (%zu of %zu bytes)", hlen,
                      sizeof(h));
        return;
    }
    /* A request's prefix follows the clocks. */
    pre_len = h.pre_len;
    pre = (const uint8_t *)hdr + h.hdr_len;
    if (h.magic != ORDO__MSG_MAGIC || h.version != ORDO__MSG_VERSION || h.hdr_len < sizeof(h) ||
        (size_t)h.hdr_len + pre_len != hlen || (pre_len && !(h.flags & ORDO__MSG_F_PREFIX)) ||
        ((h.flags & ORDO__MSG_F_PREFIX) &&
         (!pre_len || pre_len > ORDO__RPC_PREFIX_MAX || h.kind == ORDO__MSG_REPLY ||
          h.kind == ORDO__MSG_ACK)) ||
        h.src < 0 || h.src >= ordo__rt.size || h.kind < ORDO__MSG_SEND || h.kind > ORDO__MSG_ACK ||
        (h.flags & ~ORDO__MSG_F_ALL) ||
        ordo__lclock_decode_inline((const uint8_t *)hdr + sizeof(h), h.hdr_len - sizeof(h),
                                   h.flags & ORDO__MSG_F_CLOCKS, &stamp) != 0) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a malformed message (magic %#x version %u kind %u hdr_len %u "
                      "pre_len %u flags %#x src %d, %zu header bytes)",
                      h.magic, h.version, h.kind, h.hdr_len, h.pre_len, h.flags, h.src,
                      hlen ? hlen : len);
        return;
    }
dispatch:
    ordo__rt.stats.msgs_received++;
    switch (h.kind) {
    case ORDO__MSG_REPLY:
        recv_reply(&h, &stamp, data, len);
        break;
    case ORDO__MSG_ACK:
        recv_ack(&h, &stamp);
        break;
    default:
        if (h.kind == ORDO__MSG_REQ && !(h.flags & ORDO__MSG_F_ONCE) && dedup_seen(&h))
            break;
        ordo__lclock_recv_inline(&stamp, h.src, h.handler, h.seq);
        if (h.flags & ORDO__MSG_F_RNDV)
            op_start_pull(&h, pre, pre_len, data, len, NULL);
        else
            deliver(&h, pre, pre_len, data, len);
        break;
    }
}

void ordo__rpc_peer_failed(void *arg, int peer, int status)
{
    (void)arg;
    int first = !ordo__rt.peer_failed[peer];
    if (first) {
        ordo__rt.peer_failed[peer] = 1;
        ordo__rt.npeers_failed++;
        if (ordo__rt.finalizing)
            ordo_log_debug("rank %d has left", peer);
        else
            ordo_log_warn("rank %d failed or is unreachable: %s", peer, ordo_strerror(status));
    }
    /* Everything that waits for the peer ends now; what the transport still
     * holds ends when the transport gives it back. */
    for (uint32_t i = 0; i < rpc.nslots; i++) {
        rpc_op_t *op = rpc.slots[i];
        if (op->in_use && op->peer == peer && !op->done && !op->get_pending && !op->queued)
            op_complete(op, status);
    }
    if (fast.active && fast.peer == peer && !fast.done && !fast.op) {
        fast.status = status;
        fast.done = 1;
    }
    if (first)
        ordo__modules_peer_failed(peer, status);
}

/* ---- set-up ------------------------------------------------------------ */

/* The lead word of a packed message with the default clocks (msg.h). */
static uint64_t packed_word(unsigned kind, unsigned flags)
{
    ordo__msg_hdr_t h = {.magic = ORDO__MSG_MAGIC,
                         .version = ORDO__MSG_VERSION,
                         .kind = (uint8_t)kind,
                         .hdr_len = PACKED_HDR,
                         .flags = (uint16_t)(ORDO__MSG_F_LAMPORT | flags)};
    uint64_t w;
    memcpy(&w, &h, sizeof(w));
    return w;
}

/* After a change of path or threshold: what the hot paths look up. */
static void paths_update(void)
{
    if (rpc.proto == ORDO_PROTO_EAGER || !(ordo__rt.tl_ops->caps & ORDO__TL_CAP_RNDV))
        rpc.eager_max = SIZE_MAX; /* (a transport with no RDMA get: eager always) */
    else if (rpc.proto == ORDO_PROTO_RNDV)
        rpc.eager_max = 0;
    else
        rpc.eager_max = rpc.threshold < rpc.threshold_mapped ? rpc.threshold : rpc.threshold_mapped;
    int lamport = ordo__lclock_lamport_only;
    rpc.xreq_word = lamport ? packed_word(ORDO__MSG_REQ, ORDO__MSG_F_ONCE) : 0;
    rpc.xreply_word = lamport ? packed_word(ORDO__MSG_REPLY, 0) : 0;
}

int ordo__rpc_init(void)
{
    memset(&rpc, 0, sizeof(rpc));
    memset(rpc.hflags, ORDO__RPC_F_FAULTS, ORDO_RPC_MAX_ID);
    rpc.next_internal = ORDO_RPC_MAX_ID;
    ordo__rpc_timed = 0;
    uint64_t w = ordo__rt.cfg.dedup_window;
    rpc.dedup_mask = (w & (w - 1)) == 0 ? w - 1 : 0;
    unsigned caps = ordo__rt.tl_ops->caps;
    rpc.short_replies =
        !ordo__rt.cfg.fault.enabled && (caps & ORDO__TL_CAP_SEND_SHORT) &&
        sizeof(ordo__msg_hdr_t) + ordo__lclock_ext_max() + ORDO__RPC_PREFIX_MAX <= RPC_HDR_INLINE;
    rpc.short_calls = rpc.short_replies && !ordo__rt.cfg.retry_ms;
    rpc.proto = ORDO_PROTO_AUTO;
    rpc.threshold = rpc.threshold_mapped = (size_t)-1;
    paths_update();
    rpc.dedup = calloc((size_t)ordo__rt.size, sizeof(*rpc.dedup));
    rpc.call_seq = calloc((size_t)ordo__rt.size, sizeof(*rpc.call_seq));
    if (!rpc.dedup || !rpc.call_seq)
        return ORDO_ERR_NOMEM;
    ordo__fault_init(&ordo__rt.cfg.fault, ordo__rt.rank);
    return pool_grow();
}

void ordo__rpc_fini(void)
{
    /* Ops the transport never gave back are released with the chunks. */
    for (uint32_t i = 0; i < rpc.nslots; i += RPC_POOL_CHUNK) {
        for (uint32_t j = i; j < i + RPC_POOL_CHUNK; j++) {
            rpc_op_t *op = rpc.slots[j];
            if (op->in_use)
                op->mem = NULL; /* the transport is gone, and its registrations */
            if (op->in_use)
                op_put(op);
            free(op->hdr_heap);
        }
        free(rpc.slots[i]);
    }
    free(rpc.slots);
    for (int r = 0; rpc.dedup && r < ordo__rt.size; r++) {
        /* The copies of replies kept to answer repeats (the ops are gone). */
        for (uint64_t i = 0; rpc.dedup[r] && i < ordo__rt.cfg.dedup_window; i++)
            dedup_free_copy(&rpc.dedup[r][i]);
        free(rpc.dedup[r]);
    }
    ordo__buf_release();
    free(rpc.dedup);
    free(rpc.call_seq);
    memset(&rpc, 0, sizeof(rpc));
}

void ordo__rpc_set_threshold(size_t threshold, size_t threshold_mapped)
{
    rpc.threshold = threshold;
    rpc.threshold_mapped = threshold_mapped;
    paths_update();
}

int ordo__rpc_proto(void)
{
    return rpc.proto;
}

void ordo__rpc_set_proto_internal(int proto)
{
    rpc.proto = proto;
    paths_update();
}

static int quiet(void *arg)
{
    (void)arg;
    return rpc.in_flight == 0;
}

int ordo__rpc_quiesce(uint64_t deadline_ns)
{
    return ordo__wait_until(quiet, NULL, deadline_ns);
}

static int register_id(unsigned id, ordo_rpc_cb_t cb, void *arg)
{
    if (!cb)
        return ORDO_ERR_INVALID;
    if (rpc.handlers[id].cb)
        return ORDO_ERR_EXISTS;
    rpc.handlers[id].cb = cb;
    rpc.handlers[id].arg = arg;
    return ORDO_OK;
}

int ordo__rpc_handler_add(const char *name, ordo_rpc_cb_t cb, void *arg, unsigned flags,
                          unsigned *id)
{
    if (!cb || !id || !name)
        return ORDO_ERR_INVALID;
    if (rpc.next_internal >= RPC_NUM_IDS) {
        ordo_log_error("handler %s: all %d of ordo's handler ids are taken", name,
                       ORDO__RPC_INTERNAL_IDS);
        return ORDO_ERR_NOMEM;
    }
    unsigned n = rpc.next_internal++;
    rpc.handlers[n] = (rpc_handler_t){.cb = cb, .arg = arg, .name = name};
    rpc.hflags[n] = (uint8_t)flags;
    *id = n;
    return ORDO_OK;
}

int ordo__rpc_handler_id(const char *name, unsigned *id)
{
    for (unsigned i = ORDO_RPC_MAX_ID; i < rpc.next_internal; i++)
        if (!strcmp(rpc.handlers[i].name, name)) {
            *id = i;
            return ORDO_OK;
        }
    return ORDO_ERR_NO_HANDLER;
}

int ordo__rpc_set_lander(unsigned id, ordo__rpc_lander_t land)
{
    if (id >= RPC_NUM_IDS)
        return ORDO_ERR_INVALID;
    rpc.handlers[id].land = land;
    return ORDO_OK;
}

const void *ordo__rpc_msg_prefix(const ordo_rpc_msg_t *msg, size_t *len)
{
    const rpc_reply_ctx_t *ctx = msg->priv;
    *len = ctx ? ctx->pre_len : 0;
    return ctx && ctx->pre_len ? ctx->pre : NULL;
}

int ordo__rpc_call_pre(int dest, unsigned id, const void *pre, size_t pre_len, const void *payload,
                       size_t len, void *reply, size_t cap, size_t *reply_len)
{
    return rpc_call(dest, id, pre, pre_len, payload, len, reply, cap, reply_len);
}

int ordo__rpc_call_pre_nb(int dest, unsigned id, const void *pre, size_t pre_len,
                          const void *payload, size_t len, void *reply, size_t cap,
                          ordo_request_t **out)
{
    return rpc_start(OP_CALL, dest, id, pre, pre_len, payload, len, reply, cap, NULL, NULL, out);
}

int ordo__rpc_call_pre_nb_cb(int dest, unsigned id, const void *pre, size_t pre_len,
                             const void *payload, size_t len, ordo_request_cb_t cb, void *arg)
{
    return rpc_start(OP_CALL, dest, id, pre, pre_len, payload, len, NULL, 0, cb, arg, NULL);
}

int ordo__rpc_call_nb(int dest, unsigned id, const void *req, size_t len, void *reply, size_t cap,
                      ordo_request_t **out)
{
    return rpc_start(OP_CALL, dest, id, NULL, 0, req, len, reply, cap, NULL, NULL, out);
}

int ordo__rpc_call_nb_cb(int dest, unsigned id, const void *req, size_t len, ordo_request_cb_t cb,
                         void *arg)
{
    return rpc_start(OP_CALL, dest, id, NULL, 0, req, len, NULL, 0, cb, arg, NULL);
}

int ordo__rpc_send_nb_cb(int dest, unsigned id, const void *msg, size_t len, ordo_request_cb_t cb,
                         void *arg)
{
    return rpc_start(OP_SEND, dest, id, NULL, 0, msg, len, NULL, 0, cb, arg, NULL);
}

int ordo__rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    return rpc_send(dest, id, msg, len);
}

int ordo__rpc_call(int dest, unsigned id, const void *req, size_t len, void *reply, size_t cap,
                   size_t *reply_len)
{
    return rpc_call(dest, id, NULL, 0, req, len, reply, cap, reply_len);
}

/* ---- public calls ------------------------------------------------------ */

ordo_status_t ordo_rpc_register(unsigned id, ordo_rpc_cb_t cb, void *arg)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = register_id(id, cb, arg);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_deregister(unsigned id)
{
    int status = ORDO_OK;
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    if (!rpc.handlers[id].cb)
        status = ORDO_ERR_NO_HANDLER;
    rpc.handlers[id].cb = NULL;
    rpc.handlers[id].arg = NULL;
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_reply(const ordo_rpc_msg_t *msg, const void *buf, size_t len)
{
    ORDO__CHECK_INIT();
    if (!msg || !msg->priv || !msg->expects_reply || (len && !buf))
        return ORDO_ERR_INVALID;
    if (len > ordo__rt.cfg.max_msg_size)
        return ORDO_ERR_INVALID;
    rpc_reply_ctx_t *ctx = msg->priv;
    if (ctx->op || ctx->small_set || ctx->status != ORDO_OK)
        return ORDO_ERR_EXISTS;
    if (len <= RPC_REPLY_SMALL) {
        copy_short(ctx->small, buf, len);
        ctx->small_set = 1;
        ctx->len = len;
        return ORDO_OK;
    }
    ctx->op = reply_op(buf, len);
    if (!ctx->op) {
        ctx->status = ORDO_ERR_NOMEM; /* the caller learns it */
        return ORDO_ERR_NOMEM;
    }
    ctx->len = len;
    return ORDO_OK;
}

ordo_status_t ordo_rpc_call(int dest, unsigned id, const void *req, size_t len, void *reply,
                            size_t cap, size_t *reply_len)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = rpc_call(dest, id, NULL, 0, req, len, reply, cap, reply_len);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_mem_alloc(size_t len, void **ptr)
{
    ORDO__CHECK_INIT();
    if (!ptr)
        return ORDO_ERR_INVALID;
    if (!(ordo__rt.tl_ops->caps & ORDO__TL_CAP_MEM_ALLOC))
        return ORDO_ERR_UNSUPPORTED;
    ORDO__LOCK();
    int status = ordo__rt.tl_ops->mem_alloc(ordo__rt.tl, len, ptr);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_mem_free(void *ptr)
{
    ORDO__CHECK_INIT();
    if (!ptr)
        return ORDO_ERR_INVALID;
    if (!(ordo__rt.tl_ops->caps & ORDO__TL_CAP_MEM_ALLOC))
        return ORDO_ERR_UNSUPPORTED;
    ORDO__LOCK();
    int status = ordo__rt.tl_ops->mem_free(ordo__rt.tl, ptr);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = rpc_send(dest, id, msg, len);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_call_nb(int dest, unsigned id, const void *req, size_t len, void *reply,
                               size_t cap, ordo_request_cb_t cb, void *cb_arg, ordo_request_t **out)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = rpc_start(OP_CALL, dest, id, NULL, 0, req, len, reply, cap, cb, cb_arg, out);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_send_nb(int dest, unsigned id, const void *msg, size_t len,
                               ordo_request_cb_t cb, void *cb_arg, ordo_request_t **out)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = rpc_start(OP_SEND, dest, id, NULL, 0, msg, len, NULL, 0, cb, cb_arg, out);
    ORDO__UNLOCK();
    return status;
}

static int request_valid(const rpc_op_t *op)
{
    return op && op->in_use && op->user_owned && (op->kind == OP_CALL || op->kind == OP_SEND);
}

int ordo_request_test(ordo_request_t *req)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int done = ORDO_ERR_INVALID;
    if (request_valid(req)) {
        if (!req->done && !ordo__in_handler)
            ordo__progress();
        done = req->done;
    }
    ORDO__UNLOCK();
    return done;
}

ordo_status_t ordo_request_wait(ordo_request_t *req, size_t *reply_len)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ORDO_ERR_INVALID;
    if (request_valid(req) && (!ordo__in_handler || req->done))
        status = op_wait(req, reply_len);
    ORDO__UNLOCK();
    return status;
}

size_t ordo_request_reply_len(const ordo_request_t *req)
{
    return req && req->in_use && req->kind == OP_CALL && req->done ? req->reply_len : 0;
}

ordo_status_t ordo_request_free(ordo_request_t *req)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ORDO_ERR_INVALID;
    if (request_valid(req)) {
        req->user_owned = 0;
        op_maybe_put(req);
        status = ORDO_OK;
    }
    ORDO__UNLOCK();
    return status;
}

size_t ordo_rpc_max_size(void)
{
    return ordo__rt.initialized ? ordo__rt.cfg.max_msg_size : 0;
}

ordo_status_t ordo_rpc_set_proto(ordo_proto_t proto)
{
    ORDO__CHECK_INIT();
    if (proto != ORDO_PROTO_AUTO && proto != ORDO_PROTO_EAGER && proto != ORDO_PROTO_RNDV)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    ordo__rpc_set_proto_internal(proto);
    ORDO__UNLOCK();
    return ORDO_OK;
}
