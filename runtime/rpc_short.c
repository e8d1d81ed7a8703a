/*
 * rpc_short.c - the blocking call, and its short path: from the public
 * ordo_rpc_call (and ordo's own blocking calls) down to the transport's
 * send in one function, with no op (the fast call record, rpc_int.h); and
 * the same for a small one-way message that the transport takes at once.
 * The pieces the receiving side shares with it (put_short, send_now,
 * fast_reply, reply_now) are inline in rpc_int.h.
 */
#include "ordo_config.h"

#include "runtime/rpc_int.h"

/* The short path applies: no retries, no fault injection, an eager request. */
static RPC_HOT int fast_ok(int dest, const void *req, size_t len, size_t pre_len)
{
    return ordo__rpc.short_calls && !ordo__rt.peer_failed[dest] && !use_rndv(req, len, pre_len);
}

static int fast_over(void *arg)
{
    (void)arg;
    return ordo__rpc.fast.done || ordo__rpc.fast.op;
}

static RPC_HOT int fast_call(int dest, unsigned id, const void *pre, size_t pre_len,
                             const void *req, size_t len, void *reply, size_t cap,
                             size_t *reply_len)
{
    rpc_fast_t *fast = &ordo__rpc.fast;
    rpc_hdr_buf_t hb;
    int s;

    /* fast_ok: no retries, no fault injection */
    uint64_t req_id = ((uint64_t)++ordo__rpc.call_seq[dest] << RPC_SLOT_BITS) | RPC_SLOT_MASK;
    size_t hlen;
    if (ordo__rpc.short_req && pre_len + len <= SHORT_PAYLOAD_MAX) {
        if (!pre_len) {
            hlen = put_short(&hb, ordo__rpc.short_req, id, req_id);
        } else { /* the prefix after the short header, the payload after it */
            hlen = put_short(&hb, ordo__rpc.short_req | ORDO__MSG_SHORT_F_PRE << 24,
                             id | (uint32_t)pre_len << 16, req_id);
            copy_short(hb.b + hlen, pre, pre_len);
            hlen += pre_len;
        }
    } else {
        hb.h = hdr_new(ORDO__MSG_REQ, ORDO__MSG_F_ONCE, id, req_id, 0);
        hlen = stamp(&hb.h, hb.b, dest, pre, pre_len);
    }
    s = send_now(&hb, hlen, dest, req, len);
    /* Set after the send, while the request travels: the reply can only be
     * taken by a progress call, and none runs in between. */
    fast->req_id = req_id;
    fast->peer = dest;
    fast->done = 0;
    fast->op = NULL;
    fast->reply = reply;
    fast->cap = cap;
    fast->active = 1;
    if (s == ORDO__AGAIN) {
        /* Not at once (too large for the transport's short path, or its
         * queue is full): an op takes the request, header as made here. */
        rpc_op_t *op = ordo__op_get(OP_CALL);
        if (!op) {
            fast->active = 0;
            return ORDO_ERR_NOMEM;
        }
        op->payload = req;
        op->len = len;
        op->reply.buf = reply;
        op->reply.cap = cap;
        op->holds = OP_HOLD_OWNER;
        fast->op = op;
        ordo__op_send_stamped(op, hb.b, hlen, dest, ORDO__MSG_REQ, id);
        s = ORDO_OK;
    } else if (s == ORDO_OK) {
        ordo__rt.stats.msgs_sent++;
        s = ordo__wait_until(fast_over, NULL, 0);
    }
    if (fast->op) {
        /* An op carries the call on (a rendezvous reply, or the request). */
        s = ordo__op_wait(fast->op, reply_len);
        fast->op = NULL;
        fast->active = 0;
        return s;
    }
    fast->active = 0;
    if (s != ORDO_OK)
        return s; /* a late reply finds no call and is dropped */
    if (reply_len && (fast->status == ORDO_OK || fast->status == ORDO_ERR_TRUNCATED))
        *reply_len = fast->reply_len;
    return fast->status;
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
    status = ordo__op_start(OP_CALL, dest, id, pre, pre_len, req, len, reply, cap, NULL, NULL, &op);
    if (status != ORDO_OK)
        return status;
    return ordo__op_wait(op, reply_len);
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

int ordo__rpc_call(int dest, unsigned id, const void *req, size_t len, void *reply, size_t cap,
                   size_t *reply_len)
{
    return rpc_call(dest, id, NULL, 0, req, len, reply, cap, reply_len);
}

int ordo__rpc_call_pre(int dest, unsigned id, const void *pre, size_t pre_len, const void *payload,
                       size_t len, void *reply, size_t cap, size_t *reply_len)
{
    return rpc_call(dest, id, pre, pre_len, payload, len, reply, cap, reply_len);
}

int ordo__rpc_send_now(int dest, unsigned id, const void *pre, size_t pre_len, const void *msg,
                       size_t len)
{
    if (!ordo__rpc.short_calls || !ordo__rpc.short_send || pre_len + len > SHORT_PAYLOAD_MAX ||
        (pre_len && !pre) || (len && !msg) || pre_len > ORDO__RPC_PREFIX_MAX || dest < 0 ||
        dest >= ordo__rt.size || ordo__rt.peer_failed[dest])
        return ORDO__AGAIN;
    rpc_hdr_buf_t hb;
    size_t hlen;
    if (!pre_len) {
        hlen = put_short(&hb, ordo__rpc.short_send, id, 0);
    } else {
        hlen = put_short(&hb, ordo__rpc.short_send | ORDO__MSG_SHORT_F_PRE << 24,
                         id | (uint32_t)pre_len << 16, 0);
        copy_short(hb.b + hlen, pre, pre_len);
        hlen += pre_len;
    }
    int s = send_now(&hb, hlen, dest, msg, len); /* one packet: at once or not at all */
    if (s == ORDO_OK)
        ordo__rt.stats.msgs_sent++;
    return s; /* not sent: the clock ticked for nothing, which no one can see */
}
