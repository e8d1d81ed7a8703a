/*
 * rpc_dedup.c - the exactly-once window (ORDO_DELIVERY=exactly_once): per
 * source, the last ORDO_DEDUP_WINDOW requests seen, each with its outcome
 * and its reply, so that a repeated request (a retry, or a duplicate made
 * by fault injection) is answered again instead of run again.
 */
#include "ordo_config.h"

#include "runtime/rpc_int.h"

#include <stdlib.h>

/* A reply copy the window keeps inline. */
#define DEDUP_INLINE 32

/* The exactly-once window: per source, the last request seen in each of
 * ORDO_DEDUP_WINDOW entries, indexed by the call number. */
struct dedup_entry {
    uint64_t req_id;
    rpc_op_t *reply; /* a rendezvous reply, held (OP_HOLD_WINDOW): its descriptor is sent again */
    void *copy;      /* an eager reply's payload, to answer a repeat with */
    size_t len;
    unsigned handler;
    int status;
    uint8_t state;               /* DEDUP_FREE, DEDUP_RUNNING, DEDUP_DONE */
    uint8_t small[DEDUP_INLINE]; /* copy of a small reply: no malloc per call */
};

enum { DEDUP_FREE, DEDUP_RUNNING, DEDUP_DONE };

/* A request's number among the calls from its source to this rank. */
static uint64_t id_call(uint64_t id)
{
    return id >> RPC_SLOT_BITS;
}

static dedup_entry_t *dedup_entry(int src, uint64_t req_id)
{
    if (!ordo__rpc.dedup[src]) {
        ordo__rpc.dedup[src] = calloc(ordo__rt.cfg.dedup_window, sizeof(dedup_entry_t));
        if (!ordo__rpc.dedup[src])
            return NULL;
    }
    uint64_t n = id_call(req_id);
    /* A mask where the window is a power of two: a division costs ~30 cycles. */
    uint64_t mask = ordo__rpc.dedup_mask;
    return &ordo__rpc.dedup[src][mask ? n & mask : n % ordo__rt.cfg.dedup_window];
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
        e->reply->holds &= ~OP_HOLD_WINDOW;
        ordo__op_maybe_put(e->reply);
        e->reply = NULL;
    }
    dedup_free_copy(e);
    e->len = 0;
    e->state = DEDUP_FREE;
}

int ordo__dedup_seen(const ordo__msg_hdr_t *h)
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
            rpc_op_t *again = e->len ? ordo__rpc_reply_op(e->copy, e->len) : NULL;
            ordo__rpc_send_reply(h->src, h->req_id, e->handler, again,
                                 again || !e->len ? e->status : ORDO_ERR_NOMEM);
        } else if (!r->send_pending && !(r->holds & OP_HOLD_FAULT) && r->state != OP_DONE) {
            ordo__op_emit(r); /* the same rendezvous descriptor, once more */
        }
        /* else the reply is on its way, or was pulled (and so received) already */
        return 1;
    }
    if (e->state != DEDUP_FREE && id_call(h->req_id) < id_call(e->req_id)) {
        /* Older than what this slot has seen: the window moved past it, so
         * whether it ran is forgotten.  A retry waits for an answer: it
         * ends with an unknown outcome instead of retrying forever. */
        ordo__rt.stats.duplicates++;
        ordo__rpc_send_reply(h->src, h->req_id, h->handler, NULL, ORDO_ERR_TIMEOUT);
        return 1;
    }
    dedup_release(e);
    e->req_id = h->req_id;
    e->state = DEDUP_RUNNING;
    return 0;
}

/* data, len: the reply, in the op reply unless that is NULL.  An eager
 * reply is kept as a copy of its payload (a few bytes, usually); a
 * rendezvous reply's op is held, since its descriptor names its buffer. */
void ordo__dedup_done(int src, uint64_t req_id, unsigned handler, int status, rpc_op_t *reply,
                      const void *data, size_t len)
{
    if (ordo__rt.cfg.delivery != 0 || !ordo__rpc.dedup[src])
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
        reply->holds |= OP_HOLD_WINDOW;
        e->reply = reply;
    } else if ((e->copy = len <= DEDUP_INLINE ? e->small : malloc(len)) != NULL) {
        memcpy(e->copy, data, len);
        e->len = len;
    } else {
        e->status = ORDO_ERR_NOMEM; /* a repeat learns that the reply is lost */
    }
}

/* The copies of replies kept to answer repeats (the ops are gone by now). */
void ordo__dedup_fini(void)
{
    for (int r = 0; ordo__rpc.dedup && r < ordo__rt.size; r++) {
        for (uint64_t i = 0; ordo__rpc.dedup[r] && i < ordo__rt.cfg.dedup_window; i++)
            dedup_free_copy(&ordo__rpc.dedup[r][i]);
        free(ordo__rpc.dedup[r]);
    }
    free(ordo__rpc.dedup);
    ordo__rpc.dedup = NULL;
}
