/*
 * rpc_rndv.c - the rendezvous: which payloads take it, the descriptor the
 * sender makes of its registered buffer, and the receiver's pull (an RDMA
 * get into the caller's reply buffer, where a lander says, or a buffer of
 * our own), with the queue that holds pulls into our buffers to
 * ORDO_RNDV_INFLIGHT bytes at once.
 */
#include "ordo_config.h"

#include "runtime/rpc_int.h"

#include <stdlib.h>

int ordo__rpc_use_rndv_slow(const void *payload, size_t len, size_t n)
{
    if (!(ordo__rt.tl_ops->caps & ORDO__TL_CAP_RNDV))
        return 0;
    if (ordo__rpc.proto != ORDO_PROTO_AUTO)
        return ordo__rpc.proto == ORDO_PROTO_RNDV;
    if (n > ordo__rpc.threshold && n > ordo__rpc.threshold_mapped)
        return 1;
    if (n <= ordo__rpc.threshold && n <= ordo__rpc.threshold_mapped)
        return 0;
    int mapped = (ordo__rt.tl_ops->caps & ORDO__TL_CAP_MEM_ALLOC) &&
                 ordo__rt.tl_ops->mem_is_alloc(ordo__rt.tl, payload, len);
    return n > (mapped ? ordo__rpc.threshold_mapped : ordo__rpc.threshold);
}

int ordo__op_make_desc(rpc_op_t *op, uint64_t ack_id)
{
    const void *rkey;
    size_t rkey_len;
    int status = ordo__rt.tl_ops->mem_reg(ordo__rt.tl, (void *)op->payload, op->len, &op->offer.mem,
                                          &rkey, &rkey_len);
    if (status != ORDO_OK)
        return status;
    size_t desc_len = sizeof(ordo__rndv_desc_t) + rkey_len;
    op->offer.desc_len = desc_len;
    op->offer.desc = desc_len <= RPC_DESC_INLINE ? op->inline_desc : malloc(desc_len);
    if (!op->offer.desc)
        return ORDO_ERR_NOMEM;
    ordo__rndv_desc_t d = {
        .addr = (uint64_t)(uintptr_t)op->payload,
        .len = op->len,
        .ack_id = ack_id,
        .rkey_len = (uint32_t)rkey_len,
    };
    memcpy(op->offer.desc, &d, sizeof(d));
    memcpy((char *)op->offer.desc + sizeof(d), rkey, rkey_len);
    op->rndv = 1;
    return ORDO_OK;
}

static void pull_next(void);

/* The pull finished (or failed): hand the payload on, then acknowledge. */
static void pull_done(ordo__tl_send_req_t *greq, int status)
{
    rpc_op_t *op = (rpc_op_t *)((char *)greq - offsetof(rpc_op_t, pull.greq));
    const ordo__msg_hdr_t *h = &op->pull.hdr;

    if (!op->pull.into && !op->pull.land && op->pull.len)
        ordo__rpc.pull_bytes -= op->pull.len;
    if (status != ORDO_OK)
        ordo_log_warn("pulling %zu bytes from rank %d failed: %s", op->pull.len, h->src,
                      ordo_strerror(status));
    if (op->pull.into) {
        /* A rendezvous reply landed in the caller's buffer. */
        rpc_op_t *call = op->pull.into;
        ordo__rpc_send_ctrl(h->src, ORDO__MSG_ACK, op->pull.ack_id, status);
        if (status == ORDO_OK)
            status = h->status;
        if (status == ORDO_OK && op->pull.full_len > call->reply.cap)
            status = ORDO_ERR_TRUNCATED;
        call->reply.len = op->pull.full_len;
        ordo__op_end(call, status);
    } else if (status != ORDO_OK) {
        if (h->kind == ORDO__MSG_REQ)
            ordo__rpc_send_reply(h->src, h->req_id, h->handler, NULL, status);
        else
            ordo__rpc_send_ctrl(h->src, ORDO__MSG_ACK, op->pull.ack_id, status);
    } else {
        ordo__rpc_deliver(h, op->pre, op->pre_len, op->pull.land ? op->pull.land : op->pull.buf,
                          op->pull.len);
        if (h->kind == ORDO__MSG_SEND)
            ordo__rpc_send_ctrl(h->src, ORDO__MSG_ACK, op->pull.ack_id, ORDO_OK);
    }
    ordo__op_complete(op, status);
    pull_next();
}

/* Start the get of a pull op: into the caller's buffer (pull.into), where
 * the lander said, or into a pooled buffer of our own. */
static void pull_issue(rpc_op_t *op, uint64_t addr, const void *rkey, uint32_t rkey_len)
{
    int status;

    if (!op->pull.into && !op->pull.land) {
        op->pull.buf = ordo__buf_get(op->pull.len, &op->pull.buf_cap);
        if (!op->pull.buf) {
            ordo_log_error("cannot receive %zu bytes from rank %d: %s", op->pull.len, op->peer,
                           ordo_strerror(ORDO_ERR_NOMEM));
            pull_done(&op->pull.greq, ORDO_ERR_NOMEM);
            return;
        }
    }
    if (ordo__rt.peer_failed[op->peer]) {
        pull_done(&op->pull.greq, ORDO_ERR_PEER_FAILED);
        return;
    }
    void *dst = op->pull.into   ? op->pull.into->reply.buf
                : op->pull.land ? op->pull.land
                                : op->pull.buf;
    op->state = OP_PULLING;
    status = ordo__rt.tl_ops->get(ordo__rt.tl, op->peer, dst, op->pull.len, addr, rkey, rkey_len,
                                  &op->pull.greq);
    if (status != ORDO__INPROGRESS)
        pull_done(&op->pull.greq, status);
}

/* Start waiting pulls while there is room (one always runs). */
static void pull_next(void)
{
    static int running; /* a pull that fails at once comes back here */

    if (running)
        return;
    running = 1;
    while (ordo__rpc.pullq &&
           (ordo__rpc.pull_bytes == 0 ||
            ordo__rpc.pull_bytes + ordo__rpc.pullq->pull.len <= ordo__rt.cfg.rndv_inflight)) {
        rpc_op_t *op = ordo__rpc.pullq;
        ordo__rndv_desc_t d;

        ordo__rpc.pullq = op->pull.next;
        if (!ordo__rpc.pullq)
            ordo__rpc.pullq_tail = NULL;
        op->pull.next = NULL;
        ordo__rpc.pull_bytes += op->pull.len;
        memcpy(&d, op->pull.desc, sizeof(d));
        pull_issue(op, d.addr, (const char *)op->pull.desc + sizeof(d), d.rkey_len);
    }
    running = 0;
}

/* Pulls into our own buffers are held to ORDO_RNDV_INFLIGHT bytes at once,
 * so that many large messages arriving together reuse a few warm buffers
 * instead of faulting in fresh memory for each. */
void ordo__pull_start(const ordo__msg_hdr_t *h, const void *pre, size_t pre_len, const void *data,
                      size_t len, rpc_op_t *call)
{
    ordo__rndv_desc_t d;
    int status;

    if (len < sizeof(d)) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a rendezvous message from rank %d: descriptor of %zu bytes", h->src,
                      len);
        if (call)
            ordo__op_complete(call, ORDO_ERR_MSG);
        return;
    }
    memcpy(&d, data, sizeof(d));
    if (len != sizeof(d) + d.rkey_len || d.len > ordo__rt.cfg.max_msg_size) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a rendezvous message from rank %d: bad descriptor (%llu bytes, "
                      "key of %u bytes)",
                      h->src, (unsigned long long)d.len, d.rkey_len);
        if (call)
            ordo__op_complete(call, ORDO_ERR_MSG);
        else if (h->kind == ORDO__MSG_REQ)
            ordo__rpc_send_reply(h->src, h->req_id, h->handler, NULL, ORDO_ERR_MSG);
        return;
    }
    rpc_op_t *op = ordo__op_get(OP_PULL);
    if (!op) {
        status = ORDO_ERR_NOMEM;
        goto fail;
    }
    op->pull.hdr = *h;
    op->peer = h->src;
    op->pull.ack_id = d.ack_id;
    op->pull.full_len = d.len;
    op->pull.into = call;
    op->pull.len = call ? (d.len < call->reply.cap ? d.len : call->reply.cap) : d.len;
    op->pull.greq.complete = pull_done;
    ordo__op_set_prefix(op, pre, pre_len);
    if (op->pull.len == 0) {
        pull_done(&op->pull.greq, ORDO_OK);
        return;
    }
    if (!call && h->handler < RPC_NUM_IDS && ordo__rpc.handlers[h->handler].land)
        /* The handler says where the payload goes (straight into place). */
        op->pull.land = ordo__rpc.handlers[h->handler].land(h->src, pre, pre_len, op->pull.len);
    if (op->pull.land)
        ordo__rt.stats.landed++;
    if (call || op->pull.land) { /* the caller's buffer: nothing to hold back */
        pull_issue(op, d.addr, (const char *)data + sizeof(d), d.rkey_len);
        return;
    }
    if (ordo__rpc.pull_bytes == 0 ||
        ordo__rpc.pull_bytes + op->pull.len <= ordo__rt.cfg.rndv_inflight) {
        ordo__rpc.pull_bytes += op->pull.len;
        pull_issue(op, d.addr, (const char *)data + sizeof(d), d.rkey_len);
        return;
    }
    /* Keep the descriptor (the message is gone after this callback) and wait. */
    op->pull.desc_len = len;
    op->pull.desc = len <= RPC_DESC_INLINE ? op->inline_desc : malloc(len);
    if (!op->pull.desc) {
        status = ORDO_ERR_NOMEM;
        goto fail_op;
    }
    memcpy(op->pull.desc, data, len);
    op->state = OP_QUEUED;
    if (ordo__rpc.pullq_tail)
        ordo__rpc.pullq_tail->pull.next = op;
    else
        ordo__rpc.pullq = op;
    ordo__rpc.pullq_tail = op;
    return;

fail_op:
    ordo__op_put(op);
fail:
    ordo_log_error("cannot receive %llu bytes from rank %d: %s", (unsigned long long)d.len, h->src,
                   ordo_strerror(status));
    if (call) {
        ordo__rpc_send_ctrl(h->src, ORDO__MSG_ACK, d.ack_id, status);
        ordo__op_complete(call, status);
    } else if (h->kind == ORDO__MSG_REQ) {
        ordo__rpc_send_reply(h->src, h->req_id, h->handler, NULL, status);
    } else {
        ordo__rpc_send_ctrl(h->src, ORDO__MSG_ACK, d.ack_id, status);
    }
}
