/*
 * rpc.c - the message layer: handlers by id, one-way sends, calls with
 * replies, over the transport interface.
 *
 * Every message in flight is an "op": it holds the wire header (which the
 * transport reads until the send completes), and for calls the place the
 * reply goes.  Ops live in a pool of slots; a call's request id is its slot
 * and a generation, so a reply that comes after its call timed out finds a
 * newer generation and is dropped.
 */
#include "ordo_config.h"

#include "runtime/log.h"
#include "runtime/msg.h"
#include "runtime/rt.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define RPC_NUM_IDS     ORDO__RPC_ID_END
#define RPC_INLINE_COPY 256
#define RPC_SLOT_BITS   24
#define RPC_SLOT_MASK   ((1u << RPC_SLOT_BITS) - 1)
#define RPC_POOL_CHUNK  64

typedef struct rpc_op {
    ordo__tl_send_req_t sreq;
    ordo__msg_hdr_t hdr;
    uint32_t slot;
    uint32_t gen;
    int in_use;
    int send_pending;  /* the transport still reads hdr and the payload */
    int reply_pending; /* a call waiting for its reply */
    int abandoned;     /* the caller gave up: free once the send completes */
    int status;
    int dest;
    void *reply;
    size_t cap;
    size_t reply_len;
    void *copy; /* payload copy owned by the op (replies, sends from handlers) */
    uint8_t inline_copy[RPC_INLINE_COPY];
    struct rpc_op *next_free;
} rpc_op_t;

typedef struct rpc_handler {
    ordo_rpc_cb_t cb;
    void *arg;
} rpc_handler_t;

/* What a handler may set while it runs (ordo_rpc_msg_t.priv). */
typedef struct rpc_reply_ctx {
    struct rpc_op *op; /* the reply, filled by ordo_rpc_reply, sent after the handler */
    size_t len;
    int status; /* ORDO_ERR_NOMEM if the reply could not be stored */
} rpc_reply_ctx_t;

static struct {
    rpc_handler_t handlers[RPC_NUM_IDS];
    rpc_op_t **slots;
    uint32_t nslots;
    rpc_op_t *free_ops;
    uint32_t in_flight; /* ops whose send is pending */
} rpc;

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

static rpc_op_t *op_get(void)
{
    if (!rpc.free_ops && pool_grow() != ORDO_OK)
        return NULL;
    rpc_op_t *op = rpc.free_ops;
    rpc.free_ops = op->next_free;
    uint32_t gen = op->gen + 1;
    uint32_t slot = op->slot;
    memset(op, 0, offsetof(rpc_op_t, inline_copy));
    op->slot = slot;
    op->gen = gen;
    op->in_use = 1;
    return op;
}

static void op_put(rpc_op_t *op)
{
    if (op->copy && op->copy != op->inline_copy)
        free(op->copy);
    op->copy = NULL;
    op->in_use = 0;
    op->gen++; /* a late reply no longer matches */
    op->next_free = rpc.free_ops;
    rpc.free_ops = op;
}

static uint64_t op_req_id(const rpc_op_t *op)
{
    return ((uint64_t)op->gen << RPC_SLOT_BITS) | op->slot;
}

static rpc_op_t *op_lookup(uint64_t req_id)
{
    uint32_t slot = (uint32_t)(req_id & RPC_SLOT_MASK);
    if (slot >= rpc.nslots)
        return NULL;
    rpc_op_t *op = rpc.slots[slot];
    if (!op->in_use || op_req_id(op) != req_id || !op->reply_pending)
        return NULL;
    return op;
}

/* The op may be freed once nobody needs it any more. */
static int op_idle(const rpc_op_t *op)
{
    return !op->send_pending && !op->reply_pending;
}

/* ---- sending ---------------------------------------------------------- */

static void op_send_done(ordo__tl_send_req_t *sreq, int status)
{
    rpc_op_t *op = (rpc_op_t *)((char *)sreq - offsetof(rpc_op_t, sreq));
    op->send_pending = 0;
    rpc.in_flight--;
    if (status != ORDO_OK) {
        if (op->status == ORDO_OK)
            op->status = status;
        op->reply_pending = 0; /* the request never left: no reply will come */
    }
    if (op->abandoned && op_idle(op))
        op_put(op);
}

static int op_copy_payload(rpc_op_t *op, const void *data, size_t len)
{
    if (len <= RPC_INLINE_COPY) {
        op->copy = op->inline_copy;
    } else {
        op->copy = malloc(len);
        if (!op->copy)
            return ORDO_ERR_NOMEM;
    }
    if (len)
        memcpy(op->copy, data, len);
    return ORDO_OK;
}

/* Hand the op to the transport.  A failure is recorded in op->status. */
static int op_send(rpc_op_t *op, int dest, unsigned kind, unsigned id, const void *data, size_t len)
{
    ordo__msg_hdr_t *h = &op->hdr;
    h->magic = ORDO__MSG_MAGIC;
    h->version = ORDO__MSG_VERSION;
    h->kind = (uint8_t)kind;
    h->hdr_len = sizeof(*h);
    h->handler = id;
    h->src = ordo__rt.rank;
    op->dest = dest;
    op->sreq.complete = op_send_done;
    if (ordo__rt.peer_failed[dest]) {
        op->status = ORDO_ERR_PEER_FAILED;
        return op->status;
    }
    int s = ordo__rt.tl_ops->send(ordo__rt.tl, dest, h, sizeof(*h), data, len, &op->sreq);
    if (s == ORDO__INPROGRESS) {
        op->send_pending = 1;
        rpc.in_flight++;
        s = ORDO_OK;
    }
    if (s == ORDO_OK)
        ordo__rt.stats.msgs_sent++;
    else
        op->status = s;
    return s;
}

static int op_done(void *arg)
{
    return op_idle(arg);
}

/* Wait for op to finish; on timeout leave it to be freed by its completion. */
static int op_wait_and_put(rpc_op_t *op, uint64_t deadline, size_t *reply_len)
{
    int status = ordo__wait_until(op_done, op, deadline);
    if (status == ORDO_ERR_TIMEOUT) {
        op->reply_pending = 0;
        op->abandoned = 1;
        op->gen++; /* a late reply must not find this op */
        if (op_idle(op))
            op_put(op);
        return status;
    }
    status = op->status;
    if (reply_len && (status == ORDO_OK || status == ORDO_ERR_TRUNCATED || status > 0))
        *reply_len = op->reply_len;
    op_put(op);
    return status;
}

static int check_dest(int dest, unsigned id, size_t len)
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
    if (ordo__rt.peer_failed[dest])
        return ORDO_ERR_PEER_FAILED;
    return ORDO_OK;
}

static int rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    int status = check_dest(dest, id, len);
    if (status != ORDO_OK)
        return status;
    if (len && !msg)
        return ORDO_ERR_INVALID;
    rpc_op_t *op = op_get();
    if (!op)
        return ORDO_ERR_NOMEM;
    if (ordo__rt.in_handler) {
        /* A handler cannot wait: send a copy and let completion free it. */
        status = op_copy_payload(op, msg, len);
        if (status == ORDO_OK)
            status = op_send(op, dest, ORDO__MSG_SEND, id, op->copy, len);
        op->abandoned = 1;
        if (op_idle(op))
            op_put(op);
        return status;
    }
    status = op_send(op, dest, ORDO__MSG_SEND, id, msg, len);
    if (status != ORDO_OK) {
        op_put(op);
        return status;
    }
    return op_wait_and_put(op, ordo__deadline(), NULL);
}

static int rpc_call(int dest, unsigned id, const void *req, size_t len, void *reply, size_t cap,
                    size_t *reply_len)
{
    int status = check_dest(dest, id, len);
    if (status != ORDO_OK)
        return status;
    if ((len && !req) || (cap && !reply))
        return ORDO_ERR_INVALID;
    if (ordo__rt.in_handler) {
        ordo_log_error("ordo_rpc_call from inside a message handler would block it");
        return ORDO_ERR_INVALID;
    }
    rpc_op_t *op = op_get();
    if (!op)
        return ORDO_ERR_NOMEM;
    op->reply = reply;
    op->cap = cap;
    op->reply_pending = 1;
    op->hdr.req_id = op_req_id(op);
    status = op_send(op, dest, ORDO__MSG_REQ, id, req, len);
    if (status != ORDO_OK) {
        op_put(op);
        return status;
    }
    return op_wait_and_put(op, ordo__deadline(), reply_len);
}

/* ---- receiving -------------------------------------------------------- */

/* A reply op holding a copy of data (the handler's buffer may be on its stack). */
static rpc_op_t *reply_op(const void *data, size_t len)
{
    rpc_op_t *op = op_get();
    if (!op)
        return NULL;
    op->abandoned = 1; /* nobody waits for a reply's send */
    if (op_copy_payload(op, data, len) != ORDO_OK) {
        op_put(op);
        return NULL;
    }
    return op;
}

static void send_reply(const ordo__msg_hdr_t *req, rpc_op_t *op, int status, size_t len)
{
    if (!op) {
        /* No reply stored (none set, or no memory for it): send the status alone. */
        op = reply_op(NULL, 0);
        len = 0;
        if (!op) {
            ordo_log_error("out of memory: reply to rank %d dropped", req->src);
            return;
        }
    }
    op->hdr.req_id = req->req_id;
    op->hdr.status = status;
    if (op_send(op, req->src, ORDO__MSG_REPLY, 0, op->copy, len) != ORDO_OK)
        ordo_log_debug("reply to rank %d not sent: %s", req->src, ordo_strerror(op->status));
    if (op_idle(op))
        op_put(op);
}

static void recv_reply(const ordo__msg_hdr_t *h, const void *data, size_t len)
{
    rpc_op_t *op = op_lookup(h->req_id);
    if (!op || op->dest != h->src) {
        ordo__rt.stats.late_replies++;
        ordo_log_debug("reply from rank %d to unknown request %llx dropped", h->src,
                       (unsigned long long)h->req_id);
        return;
    }
    size_t n = len < op->cap ? len : op->cap;
    if (n)
        memcpy(op->reply, data, n);
    op->reply_len = len;
    op->status = h->status;
    if (op->status == ORDO_OK && len > op->cap)
        op->status = ORDO_ERR_TRUNCATED;
    op->reply_pending = 0;
}

static void recv_request(const ordo__msg_hdr_t *h, const void *data, size_t len)
{
    rpc_handler_t *hd = h->handler < RPC_NUM_IDS ? &rpc.handlers[h->handler] : NULL;
    rpc_reply_ctx_t ctx = {NULL, 0, ORDO_OK};
    int status;

    if (!hd || !hd->cb) {
        ordo_log_warn("message for handler id %u from rank %d: no handler registered", h->handler,
                      h->src);
        if (h->kind == ORDO__MSG_REQ)
            send_reply(h, NULL, ORDO_ERR_NO_HANDLER, 0);
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
    ordo__rt.in_handler++;
    status = hd->cb(&msg, hd->arg);
    ordo__rt.in_handler--;
    if (h->kind == ORDO__MSG_REQ)
        send_reply(h, ctx.op, ctx.status != ORDO_OK ? ctx.status : status, ctx.len);
}

void ordo__rpc_recv(void *arg, const void *hdr, size_t hlen, const void *data, size_t len)
{
    ordo__msg_hdr_t h;
    (void)arg;

    /* Check everything a peer could get wrong before trusting any field. */
    if (hlen < sizeof(h)) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a message with a truncated header (%zu of %zu bytes)", hlen,
                      sizeof(h));
        return;
    }
    memcpy(&h, hdr, sizeof(h));
    if (h.magic != ORDO__MSG_MAGIC || h.version != ORDO__MSG_VERSION || h.hdr_len != hlen ||
        h.src < 0 || h.src >= ordo__rt.size || h.kind < ORDO__MSG_SEND ||
        h.kind > ORDO__MSG_REPLY) {
        ordo__rt.stats.malformed++;
        ordo_log_warn(
            "dropped a malformed message (magic %#x version %u kind %u hdr_len %u src %d)", h.magic,
            h.version, h.kind, h.hdr_len, h.src);
        return;
    }
    ordo__rt.stats.msgs_received++;
    if (h.kind == ORDO__MSG_REPLY)
        recv_reply(&h, data, len);
    else
        recv_request(&h, data, len);
}

void ordo__rpc_peer_failed(void *arg, int peer, int status)
{
    (void)arg;
    if (!ordo__rt.peer_failed[peer]) {
        ordo__rt.peer_failed[peer] = 1;
        ordo__rt.npeers_failed++;
        if (ordo__rt.finalizing)
            ordo_log_debug("rank %d has left", peer);
        else
            ordo_log_warn("rank %d failed or is unreachable: %s", peer, ordo_strerror(status));
    }
    for (uint32_t i = 0; i < rpc.nslots; i++) {
        rpc_op_t *op = rpc.slots[i];
        if (op->in_use && op->dest == peer && op->reply_pending) {
            op->reply_pending = 0;
            op->status = status;
        }
    }
}

/* ---- set-up and public calls ------------------------------------------ */

int ordo__rpc_init(void)
{
    memset(&rpc, 0, sizeof(rpc));
    return pool_grow();
}

void ordo__rpc_fini(void)
{
    /* Ops still owned by the transport (a send that never completed) are
     * released with the transport; their memory goes with the chunks. */
    for (uint32_t i = 0; i < rpc.nslots; i += RPC_POOL_CHUNK) {
        for (uint32_t j = i; j < i + RPC_POOL_CHUNK; j++) {
            rpc_op_t *op = rpc.slots[j];
            if (op->copy && op->copy != op->inline_copy)
                free(op->copy);
        }
        free(rpc.slots[i]);
    }
    free(rpc.slots);
    memset(&rpc, 0, sizeof(rpc));
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

int ordo__rpc_register_internal(unsigned id, ordo_rpc_cb_t cb, void *arg)
{
    if (id < ORDO_RPC_MAX_ID || id >= RPC_NUM_IDS)
        return ORDO_ERR_INVALID;
    return register_id(id, cb, arg);
}

ordo_status_t ordo_rpc_register(unsigned id, ordo_rpc_cb_t cb, void *arg)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    return register_id(id, cb, arg);
}

ordo_status_t ordo_rpc_deregister(unsigned id)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    if (!rpc.handlers[id].cb)
        return ORDO_ERR_NO_HANDLER;
    rpc.handlers[id].cb = NULL;
    rpc.handlers[id].arg = NULL;
    return ORDO_OK;
}

ordo_status_t ordo_rpc_reply(const ordo_rpc_msg_t *msg, const void *buf, size_t len)
{
    ORDO__CHECK_INIT();
    if (!msg || !msg->priv || !msg->expects_reply || (len && !buf))
        return ORDO_ERR_INVALID;
    if (len > ordo__rt.cfg.max_msg_size)
        return ORDO_ERR_INVALID;
    rpc_reply_ctx_t *ctx = msg->priv;
    if (ctx->op || ctx->status != ORDO_OK)
        return ORDO_ERR_EXISTS;
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
    return rpc_call(dest, id, req, len, reply, cap, reply_len);
}

ordo_status_t ordo_rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    return rpc_send(dest, id, msg, len);
}

size_t ordo_rpc_max_size(void)
{
    return ordo__rt.initialized ? ordo__rt.cfg.max_msg_size : 0;
}

/* Internal senders (barrier, later protocols) use the same paths. */
int ordo__rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    return rpc_send(dest, id, msg, len);
}

int ordo__rpc_call(int dest, unsigned id, const void *req, size_t len, void *reply, size_t cap,
                   size_t *reply_len)
{
    return rpc_call(dest, id, req, len, reply, cap, reply_len);
}
