/*
 * rpc_send.c - sending an op: its header made and stamped with the clocks,
 * the path of its payload (eager, or a rendezvous descriptor), what fault
 * injection does to it by its handler's class, its transmissions and their
 * completion; replies and acknowledgements sent through ops; an op's
 * timers (runtime/timer.h): a held-back message sent when due, a call's
 * request sent again while no reply comes.
 */
#include "ordo_config.h"

#include "runtime/rpc_int.h"

#include <stdlib.h>

/* Retries: a call's request is sent again ORDO_RETRY_MS after its last
 * transmission while no reply has come.  While the transport still holds
 * the request, or fault injection holds it back, the retry looks again
 * after RETRY_RECHECK_NS. */
#define RETRY_RECHECK_NS 100000

static uint64_t retry_ns(void)
{
    return ordo__rt.cfg.retry_ms * 1000000u;
}

static void op_send_done(ordo__tl_send_req_t *sreq, int status)
{
    rpc_op_t *op = (rpc_op_t *)((char *)sreq - offsetof(rpc_op_t, sreq));
    op->send_pending--;
    ordo__rpc.in_flight--;
    if (op->kind == OP_CTRL)
        ordo__rpc.ctrl_held--;
    if (op->end_when_sent) {
        /* It was ended (reply, failed peer): it completes once the transport
         * holds no send of it any more. */
        if (!op->send_pending) {
            op->end_when_sent = 0;
            ordo__op_complete(op, op->status);
        }
        return;
    }
    /* An eager payload is free once sent. */
    if (status != ORDO_OK || (!op->send_pending && op->kind != OP_CALL && !op->rndv))
        ordo__op_complete(op, status);
    else
        ordo__op_maybe_put(op);
}

int ordo__op_transmit(rpc_op_t *op)
{
    const void *hdr = op->hdr_len > RPC_HDR_INLINE ? (const void *)op->hdr_heap : op->hdr_bytes;
    /* A send to a peer whose connection broke may declare it failed right
     * there, which ends the ops to it, this one too (its callback runs):
     * the op stays out of the pool until the send returns, and the caller
     * finds it DONE and does not end it twice. */
    op->holds |= OP_HOLD_EMIT;
    int s = ordo__rt.tl_ops->send(ordo__rt.tl, op->peer, hdr, op->hdr_len, op->wire, op->wire_len,
                                  &op->sreq);
    op->holds &= (uint8_t)~OP_HOLD_EMIT;
    if (ordo__rt.cfg.retry_ms)
        op->sent_ns = ordo__now_ns(); /* for retries only: a clock read costs */
    if (s == ORDO__INPROGRESS) {
        op->send_pending++;
        ordo__rpc.in_flight++;
        if (op->kind == OP_CTRL)
            ordo__rpc.ctrl_held++;
        s = ORDO_OK;
    }
    if (s == ORDO_OK)
        ordo__rt.stats.msgs_sent++;
    return s;
}

/* A fault the message's class does not take: it passes, held back still
 * if this rank is slow (delay_ns, from ordo__fault_next). */
static ordo__fault_action_t pass_or_hold(uint64_t delay_ns)
{
    return delay_ns ? ORDO__FAULT_DELAY : ORDO__FAULT_PASS;
}

/* What fault injection does to the op's message, by its handler's class:
 * requests and replies of ORDO__RPC_F_FAULTS handlers take any fault
 * (retries and the exactly-once window make up for them); one-way messages
 * of ORDO__RPC_F_ONEWAY_NORESEND handlers, whose protocols stand delay,
 * reordering and duplicates but not loss (nothing resends a one-way
 * message), take all but a drop, which becomes a pass; nothing else is
 * touched.  A slow rank's hold (slow=) goes with delay: on whatever delay
 * may hold back, even where a drop or duplicate became a pass.  A
 * partition cuts every message, whatever its class: ordo__op_emit holds it
 * until the cut ends, as a transport's own buffers would over a short cut;
 * a peer across that is declared failed meanwhile (fd.c) never gets it, and
 * what waited for it ends then. */
static ordo__fault_action_t fault_next(const rpc_op_t *op, uint64_t *delay_ns)
{
    unsigned cls = ordo__rpc.hflags[op->hdr.handler];
    int oneway = (cls & ORDO__RPC_F_ONEWAY_NORESEND) != 0;
    /* One word, inline: what ordo__fault_active() answers once ordo_init
     * has ended (before, ordo__fault_next lets everything pass). */
    if (!ordo__rt.cfg.fault.enabled)
        return ORDO__FAULT_PASS;
    uint64_t now = ordo__now_ns(); /* read only under fault injection */
    if (ordo__fault_active() && ordo__fault_cut(op->peer, now))
        return ORDO__FAULT_CUT;
    if (!(cls & ORDO__RPC_F_FAULTS))
        return ORDO__FAULT_PASS;
    if (op->rndv) {
        /* A rendezvous descriptor is not duplicated: a second pull could
         * still read the payload after the first acknowledgement freed it. */
        ordo__fault_action_t a = ordo__fault_next(now, delay_ns);
        if (a == ORDO__FAULT_DUP || (a == ORDO__FAULT_DROP && op->hdr.kind == ORDO__MSG_SEND))
            return pass_or_hold(*delay_ns);
        return a;
    }
    if (op->hdr.kind == ORDO__MSG_REQ || op->hdr.kind == ORDO__MSG_REPLY)
        return ordo__fault_next(now, delay_ns);
    if (!oneway || op->hdr.kind != ORDO__MSG_SEND)
        return ORDO__FAULT_PASS;
    ordo__fault_action_t a = ordo__fault_next(now, delay_ns);
    return a == ORDO__FAULT_DROP ? pass_or_hold(*delay_ns) : a;
}

/* Hold op's message back until delay_ns from now (op_hold_fire sends it). */
static void op_hold(rpc_op_t *op, uint64_t delay_ns)
{
    ordo__rt.stats.fault_delayed++;
    op->holds |= OP_HOLD_FAULT;
    /* Room is reserved for every op's timers (ordo__op_pool_grow). */
    ordo__timer_arm(&op->hold, ordo__now_ns() + delay_ns);
}

/* Hold op's message while a partition cuts it from its peer: until the next
 * time a partition starts or ends (op_hold_fire looks again then); for ever
 * under a cut with no end (the peer is declared failed, which ends the op).
 * Nothing that crosses a short cut is lost: collectives, the objects'
 * one-way messages and replies go once the cut heals. */
static void op_hold_cut(rpc_op_t *op, uint64_t now)
{
    op->holds |= OP_HOLD_FAULT;
    op->cut_held = 1;
    ordo__timer_arm(&op->hold, ordo__fault_next_event_ns(now));
}

int ordo__op_emit(rpc_op_t *op)
{
    uint64_t delay_ns = 0;
    int s;
    ordo__fault_action_t a = fault_next(op, &delay_ns);

    switch (a) {
    case ORDO__FAULT_CUT:
        ordo__rt.stats.fault_delayed++;
        op_hold_cut(op, ordo__now_ns());
        return ORDO_OK;
    case ORDO__FAULT_DROP:
        ordo__rt.stats.fault_dropped++;
        op->sent_ns = ordo__now_ns();
        return ORDO_OK;
    case ORDO__FAULT_DELAY:
        op_hold(op, delay_ns);
        return ORDO_OK;
    case ORDO__FAULT_DUP:
        ordo__rt.stats.fault_duplicated++;
        if (delay_ns) { /* a slow rank's: both copies after the hold */
            op->dup_held = 1;
            op_hold(op, delay_ns);
            return ORDO_OK;
        }
        s = ordo__op_transmit(op);
        return s == ORDO_OK ? ordo__op_transmit(op) : s;
    default:
        return ordo__op_transmit(op);
    }
}

void ordo__op_emitted(rpc_op_t *op)
{
    if (!op->send_pending && !(op->holds & OP_HOLD_FAULT) && op->kind != OP_CALL && !op->rndv)
        ordo__op_complete(op, ORDO_OK);
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

void ordo__op_send_stamped(rpc_op_t *op, const void *hdr, size_t hlen, int dest, unsigned kind,
                           unsigned id)
{
    ordo__msg_short_t m;
    unsigned tag = 0;
    if (hlen >= SHORT_HDR) {
        memcpy(&m, hdr, sizeof(m));
        tag = m.src_tag >> 24;
    }
    if (ORDO__MSG_IS_SHORT(tag)) {
        /* The short form goes only as one piece with its payload, and an op
         * finds its request id and handler in op->hdr: the same message in
         * the long form, with the clock it was stamped with (and the
         * prefix after it). */
        int req = kind == ORDO__MSG_REQ;
        size_t pre_len = hlen - SHORT_HDR;
        op->hdr = hdr_new(kind,
                          ORDO__MSG_F_LAMPORT | (req ? ORDO__MSG_F_ONCE : 0) |
                              (pre_len ? ORDO__MSG_F_PREFIX : 0),
                          id, m.req_id, kind == ORDO__MSG_REPLY ? (int32_t)m.arg : 0);
        op->hdr.hdr_len = sizeof(ordo__msg_hdr_t) + sizeof(m.lamport);
        op->hdr.pre_len = (uint16_t)pre_len;
        op->hdr.seq = ++ordo__rpc.send_seq;
        memcpy(op->hdr_bytes + sizeof(ordo__msg_hdr_t), &m.lamport, sizeof(m.lamport));
        memcpy(op->hdr_bytes + op->hdr.hdr_len, (const uint8_t *)hdr + SHORT_HDR, pre_len);
        op->hdr_len = op->hdr.hdr_len + pre_len;
    } else {
        memcpy(op->hdr_bytes, hdr, hlen);
        op->hdr_len = hlen;
    }
    op->stamped = 1;
    ordo__op_send(op, dest, kind, id);
}

int ordo__op_send(rpc_op_t *op, int dest, unsigned kind, unsigned id)
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
        s = ordo__op_make_desc(op, kind == ORDO__MSG_REQ ? 0 : ordo__op_id(op));
        if (s != ORDO_OK)
            goto fail;
        h->flags |= ORDO__MSG_F_RNDV;
        op->wire = op->offer.desc;
        op->wire_len = op->offer.desc_len;
    }
    s = op->stamped ? ORDO_OK : op_stamp(op, dest);
    if (s != ORDO_OK)
        goto fail;
    /* Where it waits once out (an eager send may end at once, in op_emitted). */
    op->state = op->kind == OP_CALL ? OP_WAIT_REPLY : op->rndv ? OP_WAIT_ACK : OP_SENDING;
    s = ordo__op_emit(op);
    if (op->state == OP_DONE) { /* ended inside (ordo__op_transmit): not twice */
        ordo__op_maybe_put(op);
        return s;
    }
    if (s != ORDO_OK)
        goto fail;
    if (op->kind == OP_CALL && retry_ns()) {
        op->retry_end = ordo__deadline();
        ordo__timer_arm(&op->retry, op->holds & OP_HOLD_FAULT ? ordo__now_ns() + RETRY_RECHECK_NS
                                                              : op->sent_ns + retry_ns());
    }
    ordo__op_emitted(op);
    return ORDO_OK;

fail:
    ordo__op_complete(op, s);
    return s;
}

int ordo__op_start(op_kind_t kind, int dest, unsigned id, const void *pre, size_t pre_len,
                   const void *data, size_t len, void *reply, size_t cap, ordo_request_cb_t cb,
                   void *cb_arg, rpc_op_t **out)
{
    int status;
    rpc_op_t *op = ordo__op_get(kind);
    if (!op)
        return ORDO_ERR_NOMEM;
    ordo__op_set_prefix(op, pre, pre_len);
    op->payload = data;
    op->len = len;
    if (kind == OP_CALL) {
        op->reply.buf = reply;
        op->reply.cap = cap;
    }
    op->cb = cb;
    op->cb_arg = cb_arg;
    op->holds = out ? OP_HOLD_OWNER : 0;
    if (kind == OP_CALL)
        /* The request id: this rank's call number to dest, and the slot.
         * Consecutive per destination, so the receiver's exactly-once
         * window holds the last ORDO_DEDUP_WINDOW calls from us. */
        op->hdr.req_id = ((uint64_t)++ordo__rpc.call_seq[dest] << RPC_SLOT_BITS) | op->slot;
    if (ordo__in_handler && kind == OP_SEND && len) {
        /* A handler's buffer may vanish when it returns: send a copy. */
        status = ordo__op_copy_payload(op, data, len);
        if (status != ORDO_OK) {
            op->holds &= ~OP_HOLD_OWNER;
            if (!out) { /* a callback request: the callback tells, once */
                ordo__op_complete(op, status);
                return ORDO_OK;
            }
            op->cb = NULL;
            ordo__op_complete(op, status);
            return status;
        }
    }
    if (out)
        *out = op;
    ordo__op_send(op, dest, kind == OP_CALL ? ORDO__MSG_REQ : ORDO__MSG_SEND, id);
    return ORDO_OK; /* a failure to send is the request's status */
}

/* ---- replies and acknowledgements ------------------------------------------ */

void ordo__rpc_send_ctrl(int dest, unsigned kind, uint64_t id, int status)
{
    rpc_op_t *op = ordo__op_get(OP_CTRL);
    if (!op) {
        ordo_log_error("out of memory: acknowledgement to rank %d dropped", dest);
        return;
    }
    op->hdr.req_id = id;
    op->hdr.status = status;
    ordo__op_send(op, dest, kind, 0);
}

rpc_op_t *ordo__rpc_reply_op(const void *data, size_t len)
{
    rpc_op_t *op = ordo__op_get(OP_REPLY);
    if (op && ordo__op_copy_payload(op, data, len) != ORDO_OK) {
        ordo__op_put(op);
        return NULL;
    }
    return op;
}

void ordo__rpc_send_reply(int dest, uint64_t req_id, unsigned id, rpc_op_t *op, int status)
{
    if (!op) {
        /* No reply stored (none set, or no memory for it): send the status alone. */
        op = ordo__rpc_reply_op(NULL, 0);
        if (!op) {
            ordo_log_error("out of memory: reply to rank %d dropped", dest);
            return;
        }
    }
    op->hdr.req_id = req_id;
    op->hdr.status = status;
    /* Pinned before it is sent, so that it outlives its own completion. */
    ordo__dedup_done(dest, req_id, id, status, op, op->payload, op->len);
    int s = ordo__op_send(op, dest, ORDO__MSG_REPLY, id);
    if (s != ORDO_OK)
        ordo_log_debug("reply to rank %d not sent: %s", dest, ordo_strerror(s));
}

/* ---- an op's timers ---------------------------------------------------- */

/* A held-back message is due: send it now (unless its op ended meanwhile). */
static void op_hold_fire(void *arg)
{
    rpc_op_t *op = arg;
    int done = op->state == OP_DONE;
    if (op->cut_held && !done) {
        uint64_t now = ordo__now_ns();
        if (ordo__fault_active() && ordo__fault_cut(op->peer, now)) {
            op_hold_cut(op, now); /* another cut, or the next event was not its end */
            return;
        }
    }
    int twice = op->dup_held;
    op->holds &= ~OP_HOLD_FAULT;
    op->dup_held = 0;
    op->cut_held = 0;
    int st = done ? ORDO_OK : ordo__op_transmit(op);
    if (st == ORDO_OK && !done && twice && op->state != OP_DONE)
        st = ordo__op_transmit(op);
    if (!done && op->state == OP_DONE) /* ended inside the send */
        ordo__op_maybe_put(op);
    else if (st != ORDO_OK)
        ordo__op_complete(op, st);
    else if (done)
        ordo__op_maybe_put(op);
    else
        ordo__op_emitted(op);
}

/* No reply yet: send the request again once ORDO_RETRY_MS has passed since
 * its last transmission, and look again after that long; ORDO_TIMEOUT_MS
 * after the first transmission, give up. */
static void op_retry_fire(void *arg)
{
    rpc_op_t *op = arg;
    uint64_t now = ordo__now_ns();
    if (now >= op->retry_end) {
        /* No reply for ORDO_TIMEOUT_MS: a call with a callback ends too. */
        ordo__op_complete(op, ORDO_ERR_TIMEOUT);
        return;
    }
    if ((op->holds & OP_HOLD_FAULT) || op->send_pending) {
        ordo__timer_arm(&op->retry, now + RETRY_RECHECK_NS);
        return;
    }
    if (now - op->sent_ns < retry_ns()) {
        ordo__timer_arm(&op->retry, op->sent_ns + retry_ns());
        return;
    }
    ordo__rt.stats.retries++;
    int st = ordo__op_emit(op);
    if (op->state == OP_DONE) { /* ended inside the send */
        ordo__op_maybe_put(op);
        return;
    }
    if (st != ORDO_OK) {
        ordo__op_complete(op, st);
        return;
    }
    ordo__timer_arm(&op->retry,
                    op->holds & OP_HOLD_FAULT ? now + RETRY_RECHECK_NS : op->sent_ns + retry_ns());
}

void ordo__op_timers_init(rpc_op_t *op)
{
    ordo__timer_init(&op->hold, op_hold_fire, op);
    ordo__timer_init(&op->retry, op_retry_fire, op);
}
