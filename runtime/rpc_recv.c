/*
 * rpc_recv.c - receiving: every message the transport hands up is parsed
 * and checked here before any field is trusted, then dispatched: a request
 * or one-way message to its handler (deliver, which sends the reply), a
 * reply to its call, an acknowledgement to the op it releases.  Also the
 * end of what waited for a peer that failed (member.c says when).
 */
#include "ordo_config.h"

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
    ordo__op_complete(op, take_reply(h, data, len, op->reply.buf, op->reply.cap, &op->reply.len));
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

/* A message in the short form (msg.h), sent as one piece: 1 if data is
 * one (h and st filled; h->pre_len bytes of prefix follow the header), 0 if
 * it is not, -1 if it is but lies (counted). */
static inline int parse_short(const void *data, size_t len, ordo__msg_hdr_t *h, ordo__stamp_t *st)
{
    ordo__msg_short_t m;
    if (len < SHORT_HDR)
        return 0;
    memcpy(&m, data, sizeof(m));
    unsigned tag = m.src_tag >> 24, src = m.src_tag & ORDO__MSG_SHORT_SRC_MAX;
    int with_pre = tag == ORDO__MSG_SHORT_REQ_PRE;
    int req = tag == ORDO__MSG_SHORT_REQ || with_pre;
    if (!req && tag != ORDO__MSG_SHORT_REPLY)
        return 0;
    uint32_t handler = with_pre ? m.arg & 0xffffu : m.arg, pre_len = with_pre ? m.arg >> 16 : 0;
    if (src >= (unsigned)ordo__rt.size || (req && handler > UINT16_MAX) ||
        (with_pre &&
         (pre_len == 0 || pre_len > ORDO__RPC_PREFIX_MAX || len < SHORT_HDR + (size_t)pre_len))) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a malformed short message (tag %#x src %u, %s %u)", tag, src,
                      req ? "handler" : "status", m.arg);
        return -1;
    }
    *h = (ordo__msg_hdr_t){.magic = ORDO__MSG_MAGIC,
                           .version = ORDO__MSG_VERSION,
                           .kind = (uint8_t)(tag & 0xf),
                           .hdr_len = SHORT_HDR,
                           .flags = (uint16_t)(ORDO__MSG_F_LAMPORT | (req ? ORDO__MSG_F_ONCE : 0) |
                                               (pre_len ? ORDO__MSG_F_PREFIX : 0)),
                           .handler = (uint16_t)(req ? handler : 0),
                           .pre_len = (uint16_t)pre_len,
                           .src = (int32_t)src,
                           .status = req ? 0 : (int32_t)m.arg,
                           .req_id = m.req_id};
    *st = (ordo__stamp_t){.flags = ORDO__CLOCK_LAMPORT, .lamport = m.lamport};
    return 1;
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
    (void)arg;

    const void *pre = NULL;
    size_t pre_len = 0;
    /* The message is in the sender's last writes (shared memory): ask now
     * for the cache line its end is in, so that it comes while the header
     * is read.  A short message's header fits the first line the transport
     * writes, its payload often starts the next, and fetched only when the
     * handler reads it, that line cost an 8 B call about a tenth of its
     * time here (the long form's header spanned both lines). */
    if (len)
        __builtin_prefetch((const uint8_t *)data + len - 1);
    if (hlen == 0) {
        int s = parse_short(data, len, &h, &stamp);
        if (s < 0)
            return;
        if (s > 0) {
            pre_len = h.pre_len;
            pre = pre_len ? (const uint8_t *)data + SHORT_HDR : NULL;
            data = (const uint8_t *)data + SHORT_HDR + pre_len;
            len -= SHORT_HDR + pre_len;
            goto dispatch;
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
        /* A rank the view failed is fenced off: what it still sends (it was
         * paused, or cut off, and is out) must not change the survivors.
         * (Its replies and acknowledgements find their ops ended already.) */
        if (__builtin_expect(ordo__rt.npeers_failed != 0, 0) && from_failed(h.src))
            break;
        if (h.kind == ORDO__MSG_REQ && !(h.flags & ORDO__MSG_F_ONCE) && ordo__dedup_seen(&h))
            break;
        ordo__lclock_recv_inline(&stamp, h.src, h.handler, h.seq);
        if (h.flags & ORDO__MSG_F_RNDV)
            ordo__pull_start(&h, pre, pre_len, data, len, NULL);
        else
            ordo__rpc_deliver(&h, pre, pre_len, data, len);
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
            ordo__op_complete(op, status);
    }
    rpc_fast_t *fast = &ordo__rpc.fast;
    if (fast->active && fast->peer == peer && !fast->done && !fast->op) {
        fast->status = status;
        fast->done = 1;
    }
}
