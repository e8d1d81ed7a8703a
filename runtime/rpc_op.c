/*
 * rpc_op.c - the op pool and an op's lifecycle: taking an op, naming it by
 * id, completing it (its owner told once), waiting for it, and giving it
 * back to the pool once nothing holds it.  (rpc_int.h: what an op is.)
 */
#include "ordo_config.h"

#include "runtime/rpc_int.h"

#include <stdlib.h>

int ordo__op_pool_grow(void)
{
    uint32_t n = ordo__rpc.nslots + RPC_POOL_CHUNK;
    if (n > RPC_SLOT_MASK)
        return ORDO_ERR_NOMEM;
    rpc_op_t **slots = realloc(ordo__rpc.slots, n * sizeof(*slots));
    if (!slots)
        return ORDO_ERR_NOMEM;
    ordo__rpc.slots = slots;
    /* Room for both timers of every op: arming them cannot fail. */
    if (ordo__timer_reserve(2 * RPC_POOL_CHUNK) != ORDO_OK)
        return ORDO_ERR_NOMEM;
    rpc_op_t *chunk = calloc(RPC_POOL_CHUNK, sizeof(*chunk));
    if (!chunk)
        return ORDO_ERR_NOMEM;
    for (uint32_t i = 0; i < RPC_POOL_CHUNK; i++) {
        rpc_op_t *op = &chunk[i];
        op->slot = ordo__rpc.nslots + i;
        ordo__op_timers_init(op);
        ordo__rpc.slots[op->slot] = op;
        op->next_free = ordo__rpc.free_ops;
        ordo__rpc.free_ops = op;
    }
    ordo__rpc.nslots = n;
    return ORDO_OK;
}

rpc_op_t *ordo__op_get(op_kind_t kind)
{
    if (!ordo__rpc.free_ops && ordo__op_pool_grow() != ORDO_OK)
        return NULL;
    rpc_op_t *op = ordo__rpc.free_ops;
    ordo__rpc.free_ops = op->next_free;
    uint32_t gen = op->gen + 1, slot = op->slot;
    memset(op, 0, offsetof(rpc_op_t, hdr));
    memset(&op->hdr, 0, sizeof(op->hdr));
    op->slot = slot;
    op->gen = gen;
    op->kind = (uint8_t)kind;
    op->state = OP_NEW;
    return op;
}

void ordo__op_put(rpc_op_t *op)
{
    ordo__timer_cancel(&op->hold);
    ordo__timer_cancel(&op->retry);
    if (op->copy && op->copy != op->inline_copy)
        ordo__buf_put(op->copy, op->copy_cap);
    if (op->offer.desc && op->offer.desc != op->inline_desc)
        free(op->offer.desc);
    if (op->offer.mem)
        ordo__rt.tl_ops->mem_release(ordo__rt.tl, op->offer.mem);
    if (op->kind == OP_PULL) {
        if (op->pull.desc && op->pull.desc != op->inline_desc)
            free(op->pull.desc);
        if (op->pull.buf)
            ordo__buf_put(op->pull.buf, op->pull.buf_cap);
    }
    op->copy = op->offer.desc = NULL;
    op->offer.mem = NULL;
    op->state = OP_FREE;
    op->gen++; /* an id naming the old use no longer matches */
    op->next_free = ordo__rpc.free_ops;
    ordo__rpc.free_ops = op;
}

void ordo__op_set_prefix(rpc_op_t *op, const void *pre, size_t pre_len)
{
    if (pre_len)
        memcpy(op->pre, pre, pre_len);
    op->pre_len = (uint8_t)pre_len;
}

rpc_op_t *ordo__op_lookup(uint64_t id, op_kind_t kind)
{
    uint32_t slot = (uint32_t)(id & RPC_SLOT_MASK);
    if (slot >= ordo__rpc.nslots)
        return NULL;
    rpc_op_t *op = ordo__rpc.slots[slot];
    /* A call is named by its request id, the others by their op id. */
    uint64_t own = kind == OP_CALL ? op->hdr.req_id : ordo__op_id(op);
    if (op->state == OP_FREE || op->state == OP_DONE || own != id || op->kind != kind)
        return NULL;
    return op;
}

void ordo__op_maybe_put(rpc_op_t *op)
{
    if (op->state == OP_DONE && !op->holds && !op->send_pending)
        ordo__op_put(op);
}

/* Buffers the peer may read are let go here, so the op must not complete
 * while a rendezvous get could run. */
void ordo__op_complete(rpc_op_t *op, int status)
{
    if (op->state != OP_DONE) {
        op->state = OP_DONE;
        op->status = status;
        ordo__timer_cancel(&op->retry);
        if (op->offer.mem) {
            ordo__rt.tl_ops->mem_release(ordo__rt.tl, op->offer.mem);
            op->offer.mem = NULL;
        }
        if (op->cb && !op->detached)
            op->cb(op, status, op->cb_arg);
    }
    ordo__op_maybe_put(op);
}

void ordo__op_end(rpc_op_t *op, int status)
{
    if (op->send_pending && op->state != OP_DONE) {
        /* The caller may free its buffers at completion: not while the
         * transport reads them (op_send_done completes the op once the
         * transport lets go, which a failed peer's closed endpoint makes
         * it do). */
        ordo__timer_cancel(&op->retry);
        op->end_when_sent = 1;
        op->status = status;
        return;
    }
    ordo__op_complete(op, status);
}

int ordo__op_copy_payload(rpc_op_t *op, const void *data, size_t len)
{
    if (len <= RPC_INLINE_COPY) {
        op->copy = op->inline_copy;
    } else {
        op->copy = ordo__buf_get(len, &op->copy_cap);
        if (!op->copy)
            return ORDO_ERR_NOMEM;
    }
    if (len)
        memcpy(op->copy, data, len);
    op->payload = op->copy;
    op->len = len;
    return ORDO_OK;
}

static int op_done_cond(void *arg)
{
    return ((rpc_op_t *)arg)->state == OP_DONE;
}

/* On timeout the op is detached: whatever still arrives for it is dropped. */
int ordo__op_wait(rpc_op_t *op, size_t *reply_len)
{
    int status = ordo__wait_until(op_done_cond, op, 0);
    if (status != ORDO_OK) {
        op->detached = 1;
        if (op->kind == OP_CALL) {
            op->reply.buf = NULL;
            op->reply.cap = 0;
        }
        op->holds &= ~OP_HOLD_OWNER;
        ordo__op_maybe_put(op);
        return status;
    }
    status = op->status;
    if (reply_len && op->kind == OP_CALL && (status == ORDO_OK || status == ORDO_ERR_TRUNCATED))
        *reply_len = op->reply.len;
    op->holds &= ~OP_HOLD_OWNER;
    ordo__op_maybe_put(op);
    return status;
}
