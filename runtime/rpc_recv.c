/*
 * rpc_recv.c - receiving: every message the transport hands up is parsed
 * and checked (msg_decode.h) before any field is trusted, then dispatched: a request
 * or one-way message to its handler (deliver, which sends the reply), a
 * reply to its call, an acknowledgement to the op it releases.  Also the
 * end of what waited for a peer that failed (member.c says when).
 */
#include "ordo_config.h"

#include "runtime/msg_decode.h"
#include "runtime/rpc_int.h"

void ordo__rpc_deliver(const ordo__msg_hdr_t *h, const void *pre, size_t pre_len, const void *data,
                       size_t len)
{
    rpc_handler_t *hd = h->handler < RPC_NUM_IDS ? &ordo__rpc.handlers[h->handler] : NULL;
    rpc_reply_ctx_t ctx;
    /* A small reply is written where it goes out: after the header in the
     * reply packet, whose header in the short form is SHORT_HDR
     * bytes; with other clocks, their length is known only once stamped,
     * and the reply waits in spare.  Neither is cleared: only small_set
     * says that a reply is there. */
    rpc_hdr_buf_t pkt;
    uint8_t spare[RPC_REPLY_SMALL];
    int status;

    _Static_assert(RPC_REPLY_SMALL <= SHORT_PAYLOAD_MAX, "a small reply fits the packet");
    ctx.small = ordo__rpc.short_reply ? pkt.b + SHORT_HDR : spare;
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
            ordo__rpc_send_reply(h->src, h->req_id, h->handler, NULL, ORDO_ERR_NO_HANDLER);
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
    if (!ctx.op && ctx.small_set && !(ctx.op = ordo__rpc_reply_op(ctx.small, ctx.len)))
        status = ORDO_ERR_NOMEM;
    ordo__rpc_send_reply(h->src, h->req_id, h->handler, ctx.op, status);
}

static void recv_reply(const ordo__msg_hdr_t *h, const ordo__stamp_t *st, const void *data,
                       size_t len)
{
    rpc_op_t *op;
    if ((h->req_id & RPC_SLOT_MASK) == RPC_SLOT_MASK) {
        if (fast_reply(h, st, data, len))
            return;
        /* A fast call that an op carries on. */
        rpc_op_t *fop = ordo__rpc.fast.op;
        op = fop && fop->hdr.req_id == h->req_id && fop->state != OP_DONE ? fop : NULL;
    } else {
        op = ordo__op_lookup(h->req_id, OP_CALL);
    }
    if (op && op->peer != h->src)
        op = NULL; /* a call to another rank that happens to carry the same id */
    if (op && op->state == OP_REPLIED && !op->detached) {
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
            ordo__op_complete(op, ORDO_ERR_TIMEOUT);
        if (h->flags & ORDO__MSG_F_RNDV) {
            /* Let the replier release its buffer all the same. */
            ordo__rndv_desc_t d;
            if (len >= sizeof(d)) {
                memcpy(&d, data, sizeof(d));
                ordo__rpc_send_ctrl(h->src, ORDO__MSG_ACK, d.ack_id, ORDO_ERR_TIMEOUT);
            }
        }
        return;
    }
    ordo__lclock_recv_inline(st, h->src, h->handler, h->seq);
    op->state = OP_REPLIED;
    if (op->rndv) {
        /* Our request was pulled: its buffer is free. */
        ordo__rt.tl_ops->mem_release(ordo__rt.tl, op->offer.mem);
        op->offer.mem = NULL;
    }
    if (h->flags & ORDO__MSG_F_RNDV) {
        ordo__pull_start(h, NULL, 0, data, len, op);
        return;
    }
    ordo__op_end(op, take_reply(h, data, len, op->reply.buf, op->reply.cap, &op->reply.len));
}

static void recv_ack(const ordo__msg_hdr_t *h, const ordo__stamp_t *st)
{
    rpc_op_t *op = ordo__op_lookup(h->req_id, OP_SEND);
    if (!op)
        op = ordo__op_lookup(h->req_id, OP_REPLY);
    if (!op || op->peer != h->src || !op->rndv) {
        ordo_log_debug("acknowledgement from rank %d for unknown op %llx dropped", h->src,
                       (unsigned long long)h->req_id);
        return;
    }
    ordo__lclock_recv_inline(st, h->src, h->handler, h->seq);
    ordo__op_complete(op, h->status == ORDO_ERR_TIMEOUT ? ORDO_OK : h->status);
}

/* Is src failed (its message is then dropped)?  Out of line: the check
 * must cost the receive path nothing while no peer has failed. */
__attribute__((cold, noinline)) static int from_failed(int src)
{
    if (!ordo__rt.peer_failed[src])
        return 0;
    ordo_log_debug("message from failed rank %d dropped", src);
    return 1;
}

void ordo__rpc_recv(void *arg, const void *hdr, size_t hlen, const void *data, size_t len)
{
    ordo__msg_hdr_t h;
    ordo__stamp_t stamp;
    ordo__msg_body_t b;
    const char *why;
    (void)arg;

    /* The message is in the sender's last writes (shared memory): ask now
     * for the cache line its end is in, so that it comes while the header
     * is read.  A short message's header fits the first line the transport
     * writes, its payload often starts the next, and fetched only when the
     * handler reads it, that line cost an 8 B call about a tenth of its
     * time here (the long form's header spanned both lines). */
    if (len)
        __builtin_prefetch((const uint8_t *)data + len - 1);
    /* Everything a peer could get wrong is checked before any field is trusted. */
    if (ordo__msg_decode(hdr, hlen, data, len, ordo__rt.size, &h, &stamp, &b, &why) < 0) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a malformed message: %s (magic %#x version %u kind %u hdr_len %u "
                      "pre_len %u flags %#x handler %u status %d src %d)",
                      why, h.magic, h.version, h.kind, h.hdr_len, h.pre_len, h.flags, h.handler,
                      h.status, h.src);
        return;
    }
    ordo__rt.stats.msgs_received++;
    switch (h.kind) {
    case ORDO__MSG_REPLY:
        recv_reply(&h, &stamp, b.data, b.len);
        break;
    case ORDO__MSG_ACK:
        recv_ack(&h, &stamp);
        break;
    default:
        /* A rank the view failed is fenced off: what it still sends (it was
         * paused, or cut off, and is out) must not change the survivors.
         * (Its replies and acknowledgements find their ops ended already.) */
        if (__builtin_expect(ordo__rt.npeers_failed != 0, 0) && from_failed(h.src))
            break;
        if (h.kind == ORDO__MSG_REQ && !(h.flags & ORDO__MSG_F_ONCE) && ordo__dedup_seen(&h))
            break;
        ordo__lclock_recv_inline(&stamp, h.src, h.handler, h.seq);
        if (h.flags & ORDO__MSG_F_RNDV)
            ordo__pull_start(&h, b.pre, b.pre_len, b.data, b.len, NULL);
        else
            ordo__rpc_deliver(&h, b.pre, b.pre_len, b.data, b.len);
        break;
    }
}

void ordo__rpc_peer_down(int peer, int status)
{
    /* Everything that waits for the peer ends now; what the transport still
     * holds ends when the transport gives it back. */
    for (uint32_t i = 0; i < ordo__rpc.nslots; i++) {
        rpc_op_t *op = ordo__rpc.slots[i];
        if (op->peer == peer && op->state != OP_FREE && op->state != OP_DONE &&
            op->state != OP_PULLING && op->state != OP_QUEUED)
            ordo__op_end(op, status);
    }
    rpc_fast_t *fast = &ordo__rpc.fast;
    if (fast->active && fast->peer == peer && !fast->done && !fast->op) {
        fast->status = status;
        fast->done = 1;
    }
}
