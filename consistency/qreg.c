/*
 * qreg.c - quorum register operations, the client side and their API:
 * multi-writer ABD (include/ordo.h says what it guarantees).  An operation
 * is two rounds (quorum.h) of the same shape:
 *
 *   write  QUERY_TAG to every live replica, the highest tag of Q answers;
 *          STORE (that tag's counter + 1, this rank, its write number) with
 *          the value, W acks
 *   read   QUERY to every live replica, the freshest of Q answers; done if
 *          all of them agree and W replicas hold it, else STORE it back,
 *          W acks
 *
 * The rounds' callbacks run inside progress, so the step from one round to
 * the next is deferred to the quorum module's progress (ordo__quorum_defer).
 * An operation is freed once it is done, its caller has let it go (waited,
 * or given up on a timeout), and both rounds are idle.
 *
 * A read of a register with ORDO_QREG_DEGRADED_READ that has no Q answers
 * ORDO_QREG_DEGRADE_MS after its start answers with the freshest it has
 * (at least one), flagged ORDO_QREG_STALE, from its timer (degrade_fire);
 * the calls still out end later and change nothing (the op is done: the
 * query round's callbacks only count them, until it is idle and freed).
 */
#include "ordo_config.h"

#include "consistency/qreg.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

#define OP_MAGIC 0x71726f70u /* "qrop" */

typedef enum { OP_READ, OP_WRITE } op_kind_t;

struct ordo_qreg_op {
    uint32_t magic;
    op_kind_t kind;
    struct ordo_qreg *reg;
    uint64_t key;
    int fenced;
    uint64_t token;
    void *dst;    /* a read's destination (the caller's) */
    uint8_t *val; /* a write's value; a read's freshest */
    int status;
    unsigned flags;
    int done, held, stored; /* stored: a STORE went out (a failed write may show) */
    int wait_rest;          /* a degraded read without a quorum: every answer counts */
    int degrade_due;        /* its ORDO_QREG_DEGRADE_MS passed: the first answer ends it */
    ordo__timer_t degrade;  /* a degraded read's bound (reg->degrade_ns after its start) */
    int expired;            /* ordo_qreg_test found it past its deadline, not done */
    uint64_t deadline_ns;   /* ORDO_TIMEOUT_MS after its start */
    uint64_t process;       /* in the history */
    ordo__qround_t round[2];
    ordo__qreg_msg_t *msg[2];         /* each round's request (a STORE's carries the value) */
    uint8_t *replies;                 /* round 0's answers */
    struct ordo_qreg_op *prev, *next; /* in reg->ops */
};

/* ---- an operation's life -------------------------------------------------------- */

static int op_idle(const struct ordo_qreg_op *op)
{
    for (int i = 0; i < 2; i++)
        if (op->round[i].n && (!op->round[i].is_decided || op->round[i].pending))
            return 0;
    return 1;
}

static void op_free(struct ordo_qreg_op *op)
{
    struct ordo_qreg *reg = op->reg;
    if (op->prev)
        op->prev->next = op->next;
    else
        reg->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    reg->inflight--;
    ordo__timer_cancel(&op->degrade);
    op->magic = 0;
    free(op->msg[0]);
    free(op->msg[1]);
    free(op->replies);
    free(op->val);
    free(op);
}

static void op_free_if_over(struct ordo_qreg_op *op)
{
    if (op->done && !op->held && op_idle(op))
        op_free(op);
}

int ordo__qreg_open_ops(const struct ordo_qreg *reg)
{
    int open = 0;
    for (const struct ordo_qreg_op *op = reg->ops; op; op = op->next)
        open += !op->done;
    return open;
}

void ordo__qreg_say_out(const struct ordo_qreg *reg)
{
    uint64_t now = ordo__now_ns();
    for (const struct ordo_qreg_op *op = reg->ops; op; op = op->next)
        for (int i = 0; i < 2; i++) {
            const ordo__qround_t *r = &op->round[i];
            for (int k = 0; k < r->n; k++)
                if (r->status[k] == 1)
                    ordo_log_info("register set %u: key %llu: a call of round %d to rank %d is "
                                  "still out, %.1f s before its operation's deadline (the "
                                  "register stays, its replica serving, until the call ends)",
                                  reg->id, (unsigned long long)op->key, i, r->rank[k],
                                  op->deadline_ns > now ? (double)(op->deadline_ns - now) / 1e9
                                                        : 0.0);
        }
}

void ordo__qreg_ops_free(struct ordo_qreg *reg)
{
    while (reg->ops)
        op_free(reg->ops);
}

static void after_query(void *arg);

/* This rank's own replica answers without a message. */
static int serve_self(const void *req, size_t len, void *reply, size_t cap, size_t *reply_len)
{
    return ordo__qreg_serve(ordo__rt.rank, req, len, reply, cap, reply_len);
}
static void finish(struct ordo_qreg_op *op, int status);

static void round_idle(ordo__qround_t *r)
{
    struct ordo_qreg_op *op = r->owner;
    if (op->wait_rest && r == &op->round[0]) {
        op->wait_rest = 0;
        if (ordo__quorum_defer(after_query, op) != ORDO_OK)
            finish(op, ORDO_ERR_NOMEM);
        return;
    }
    op_free_if_over(op);
}

static void finish(struct ordo_qreg_op *op, int status)
{
    struct ordo_qreg *reg = op->reg;
    const char *f = op->kind == OP_READ ? "read" : "write";
    op->status = status;
    op->done = 1;
    ordo__timer_cancel(&op->degrade);
    if (status == ORDO_OK) {
        if (op->kind == OP_READ) {
            memcpy(op->dst, op->val, reg->vsize);
            reg->stats.reads++;
            reg->stats.reads_agreed += !!(op->flags & ORDO_QREG_AGREED);
        } else {
            reg->stats.writes++;
        }
    } else {
        reg->stats.failed++;
    }
    /* A read that failed changed nothing a reader could tell from before
     * (its write-back carries a value already written); a write that
     * failed after a STORE went out may show. */
    int maybe = op->kind == OP_WRITE && op->stored;
    int show = status == ORDO_OK || maybe;
    ordo__hist_complete(reg->hist, op->process, ordo__hist_type(status, maybe), f, op->key, show,
                        show ? ordo__hist_value(op->val, reg->vsize) : 0);
}

static void store_decided(ordo__qround_t *r)
{
    struct ordo_qreg_op *op = r->owner;
    finish(op, ordo__qround_status(r));
}

static void start_store(struct ordo_qreg_op *op, const ordo__qreg_tag_t *tag)
{
    struct ordo_qreg *reg = op->reg;
    ordo__qreg_msg_t *m = malloc(sizeof(*m) + reg->vsize);
    if (!m) {
        finish(op, ORDO_ERR_NOMEM);
        return;
    }
    *m = *op->msg[0];
    m->op = ORDO__QREG_STORE;
    m->tag = *tag;
    memcpy(m + 1, op->val, reg->vsize);
    op->msg[1] = m;
    ordo__qround_t *r = &op->round[1];
    r->n = op->round[0].n;
    memcpy(r->rank, op->round[0].rank, sizeof(r->rank));
    r->need = reg->W;
    r->cap = 0;
    r->replies = NULL;
    r->answered = NULL;
    r->decided = store_decided;
    r->idle = round_idle;
    r->local = serve_self;
    r->owner = op;
    op->stored = 1;
    ordo__qround_start(r, ordo__qreg_rpc_id, m, sizeof(*m) + reg->vsize);
}

/* The freshest tag of round 0's answers so far into *best (a read's value
 * into op->val), *agree 1 if every answer has it, *holders how many; 0 if
 * there is no answer. */
static int freshest(struct ordo_qreg_op *op, ordo__qreg_tag_t *out, int *out_agree,
                    int *out_holders)
{
    struct ordo_qreg *reg = op->reg;
    ordo__qround_t *r = &op->round[0];
    const size_t tlen = sizeof(ordo__qreg_tag_t);
    ordo__qreg_tag_t best = {0, 0, 0, 0};
    int have = 0, agree = 1;
    for (int i = 0; i < r->n; i++) {
        if (r->status[i] != ORDO_OK)
            continue;
        ordo__qreg_tag_t t;
        memcpy(&t, ordo__qround_reply(r, i), tlen);
        if (have && ordo__qreg_tag_cmp(&t, &best) != 0)
            agree = 0;
        if (!have || ordo__qreg_tag_cmp(&t, &best) > 0) {
            best = t;
            if (op->kind == OP_READ)
                memcpy(op->val, (const uint8_t *)ordo__qround_reply(r, i) + tlen, reg->vsize);
        }
        have = 1;
    }
    int holders = 0;
    for (int i = 0; i < r->n; i++) {
        ordo__qreg_tag_t t;
        if (r->status[i] != ORDO_OK)
            continue;
        memcpy(&t, ordo__qround_reply(r, i), tlen);
        holders += ordo__qreg_tag_cmp(&t, &best) == 0;
    }
    *out = best;
    *out_agree = agree;
    *out_holders = holders;
    return have;
}

/* Round 0 decided: on to the store, or done. */
static void after_query(void *arg)
{
    struct ordo_qreg_op *op = arg;
    struct ordo_qreg *reg = op->reg;
    ordo__qround_t *r = &op->round[0];
    ordo__qreg_tag_t best;
    int agree, holders;
    int have = freshest(op, &best, &agree, &holders);
    if (!r->decided_ok) {
        if (op->kind == OP_READ && have && (reg->flags & ORDO_QREG_DEGRADED_READ) && !r->fenced) {
            op->flags |= ORDO_QREG_STALE;
            finish(op, ORDO_OK);
        } else {
            finish(op, ordo__qround_status(r));
        }
        op_free_if_over(op);
        return;
    }
    if (op->kind == OP_WRITE) {
        static uint32_t writes;
        if (op->fenced && op->token > best.token) /* (an unfenced write carried best's) */
            best.token = op->token;
        best.ctr++;
        best.writer = (uint32_t)ordo__rt.rank;
        best.seq = ++writes;
        start_store(op, &best);
    } else if ((agree && holders >= reg->W) || (reg->flags & ORDO_QREG_NO_WRITEBACK)) {
        /* Every answer has the freshest tag and at least W replicas hold
         * it: a write quorum already, no later read can miss it.  (Q
         * agreeing answers alone are not enough when Q < W.) */
        op->flags |= agree && holders >= reg->W ? ORDO_QREG_AGREED : 0;
        finish(op, ORDO_OK);
        op_free_if_over(op);
    } else {
        start_store(op, &best);
    }
}

static void query_decided(ordo__qround_t *r)
{
    struct ordo_qreg_op *op = r->owner;
    if (op->done)
        return; /* a degraded read answered already: the rest only end */
    if (!r->decided_ok && op->kind == OP_READ && (op->reg->flags & ORDO_QREG_DEGRADED_READ) &&
        r->pending) {
        /* The freshest of all answers, once every call has ended or at
         * the degraded read's bound (its timer, still armed, or armed
         * again by the first answer once the bound has passed). */
        op->wait_rest = 1;
        return;
    }
    ordo__timer_cancel(&op->degrade); /* after_query answers */
    if (ordo__quorum_defer(after_query, op) != ORDO_OK)
        finish(op, ORDO_ERR_NOMEM);
}

/* ---- a degraded read's bound ------------------------------------------------------ */

/* ORDO_QREG_DEGRADE_MS after a degraded read's start, or at the first
 * answer after that: the freshest of the answers so far, flagged stale,
 * unless round 0 decided on its own (after_query answers then).  Runs in
 * progress (a timer), sends nothing. */
static void degrade_fire(void *arg)
{
    struct ordo_qreg_op *op = arg;
    ordo__qround_t *r = &op->round[0];
    if (op->done || (r->is_decided && !op->wait_rest))
        return;
    op->degrade_due = 1;
    ordo__qreg_tag_t best;
    int agree, holders;
    if (!freshest(op, &best, &agree, &holders))
        return; /* none yet: the first answer arms the timer again */
    op->wait_rest = 0;
    op->flags |= ORDO_QREG_STALE;
    finish(op, ORDO_OK);
    op_free_if_over(op);
}

/* Round 0's ORDO_OK answers: each counts; once the bound has passed with
 * no answer, the first one ends the read (from the timer, at the next
 * progress: the round has not counted this answer yet). */
static int query_answered(ordo__qround_t *r, int idx)
{
    struct ordo_qreg_op *op = r->owner;
    (void)idx;
    if (op->degrade_due && !op->done && ordo__timer_arm(&op->degrade, 0) != ORDO_OK)
        ordo_log_debug("degraded read: no memory for its timer, it waits for every call");
    return 1;
}

static int op_start(struct ordo_qreg *reg, op_kind_t kind, uint64_t key, const void *val, void *dst,
                    int fenced, uint64_t token, struct ordo_qreg_op **out)
{
    const size_t tlen = sizeof(ordo__qreg_tag_t);
    size_t cap = tlen + (kind == OP_READ ? reg->vsize : 0);
    struct ordo_qreg_op *op = calloc(1, sizeof(*op));
    if (!op)
        return ORDO_ERR_NOMEM;
    op->val = malloc(reg->vsize);
    op->msg[0] = calloc(1, sizeof(ordo__qreg_msg_t));
    op->replies = malloc((size_t)reg->R * cap);
    if (!op->val || !op->msg[0] || !op->replies) {
        free(op->val);
        free(op->msg[0]);
        free(op->replies);
        free(op);
        return ORDO_ERR_NOMEM;
    }
    op->magic = OP_MAGIC;
    op->kind = kind;
    op->reg = reg;
    op->key = key;
    op->fenced = fenced;
    op->token = token;
    op->dst = dst;
    op->held = 1;
    op->deadline_ns = ordo__deadline();
    ordo__timer_init(&op->degrade, degrade_fire, op);
    if (kind == OP_WRITE)
        memcpy(op->val, val, reg->vsize);
    *op->msg[0] =
        (ordo__qreg_msg_t){.reg = reg->id,
                           .op = kind == OP_READ ? ORDO__QREG_QUERY : ORDO__QREG_QUERY_TAG,
                           .fenced = (uint8_t)fenced,
                           .key = key,
                           .token = token};
    ordo__qround_t *r = &op->round[0];
    r->n = reg->R;
    ordo__quorum_replicas(ordo__quorum_ring(), ordo__ring_key(reg->id, key), reg->R, r->rank);
    r->need = reg->Q;
    r->cap = cap;
    r->replies = op->replies;
    r->decided = query_decided;
    r->idle = round_idle;
    r->local = serve_self;
    r->owner = op;
    if (kind == OP_READ && reg->degrade_ns) {
        r->answered = query_answered;
        /* Armed before the round starts (it may decide at once, which
         * cancels it); the room it takes serves its re-arm too. */
        if (ordo__timer_arm(&op->degrade, ordo__now_ns() + reg->degrade_ns) != ORDO_OK) {
            free(op->val);
            free(op->msg[0]);
            free(op->replies);
            free(op);
            return ORDO_ERR_NOMEM;
        }
    }
    reg->inflight++;
    op->next = reg->ops;
    if (reg->ops)
        reg->ops->prev = op;
    reg->ops = op;
    op->process =
        ordo__hist_invoke(reg->hist, kind == OP_READ ? "read" : "write", key, kind == OP_WRITE,
                          kind == OP_WRITE ? ordo__hist_value(val, reg->vsize) : 0);
    *out = op;
    ordo__qround_start(r, ordo__qreg_rpc_id, op->msg[0], sizeof(ordo__qreg_msg_t));
    return ORDO_OK;
}

/* ---- the API ---------------------------------------------------------------------- */

static int op_done(void *arg)
{
    return ((struct ordo_qreg_op *)arg)->done;
}

/* Wait for op and let it go: its status (ORDO_ERR_TIMEOUT: it goes on, and
 * is freed when it ends). */
static int op_wait(struct ordo_qreg_op *op, unsigned *out_flags)
{
    /* One that ordo_qreg_test reported as over its deadline ends now. */
    int status =
        op->expired ? (op->done ? ORDO_OK : ORDO_ERR_TIMEOUT) : ordo__wait_until(op_done, op, 0);
    if (status == ORDO_OK) {
        status = op->status;
        if (out_flags)
            *out_flags = op->flags;
    }
    op->held = 0;
    op_free_if_over(op);
    return status;
}

static int check_op(struct ordo_qreg *reg, uint64_t key, const void *val)
{
    if (!ordo__qreg_valid(reg) || !val || key >= reg->nkeys)
        return ORDO_ERR_INVALID;
    if (ordo__in_handler)
        return ORDO_ERR_INVALID; /* it would wait inside progress */
    return ORDO_OK;
}

static int start_locked(struct ordo_qreg *reg, op_kind_t kind, uint64_t key, const void *val,
                        void *dst, int fenced, uint64_t token, struct ordo_qreg_op **op)
{
    int status = check_op(reg, key, kind == OP_WRITE ? val : dst);
    if (status == ORDO_OK)
        status = op_start(reg, kind, key, val, dst, fenced, token, op);
    return status;
}

static int run(struct ordo_qreg *reg, op_kind_t kind, uint64_t key, const void *val, void *dst,
               int fenced, uint64_t token, unsigned *out_flags)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    struct ordo_qreg_op *op = NULL;
    int status = start_locked(reg, kind, key, val, dst, fenced, token, &op);
    if (status == ORDO_OK)
        status = op_wait(op, out_flags);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_qreg_write(ordo_qreg_t *reg, uint64_t key, const void *val)
{
    return run(reg, OP_WRITE, key, val, NULL, 0, 0, NULL);
}

ordo_status_t ordo_qreg_write_fenced(ordo_qreg_t *reg, uint64_t key, const void *val,
                                     uint64_t token)
{
    return run(reg, OP_WRITE, key, val, NULL, 1, token, NULL);
}

ordo_status_t ordo_qreg_read(ordo_qreg_t *reg, uint64_t key, void *val, unsigned *out_flags)
{
    if (out_flags)
        *out_flags = 0;
    return run(reg, OP_READ, key, NULL, val, 0, 0, out_flags);
}

static int start_nb(struct ordo_qreg *reg, op_kind_t kind, uint64_t key, const void *val, void *dst,
                    ordo_qreg_op_t **op)
{
    ORDO__CHECK_INIT();
    if (!op)
        return ORDO_ERR_INVALID;
    *op = NULL;
    ORDO__LOCK();
    int status = start_locked(reg, kind, key, val, dst, 0, 0, op);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_qreg_write_nb(ordo_qreg_t *reg, uint64_t key, const void *val,
                                 ordo_qreg_op_t **op)
{
    return start_nb(reg, OP_WRITE, key, val, NULL, op);
}

ordo_status_t ordo_qreg_read_nb(ordo_qreg_t *reg, uint64_t key, void *val, ordo_qreg_op_t **op)
{
    return start_nb(reg, OP_READ, key, NULL, val, op);
}

static int op_valid(const struct ordo_qreg_op *op)
{
    return op && op->magic == OP_MAGIC && op->held;
}

int ordo_qreg_test(ordo_qreg_op_t *op)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ORDO_ERR_INVALID;
    if (op_valid(op)) {
        if (!op->done && !ordo__in_handler) {
            ordo__progress();
            /* Polled, as waited for, an operation ends within ORDO_TIMEOUT_MS:
             * one whose replicas neither answer nor are declared failed
             * (cut off from this rank only) is reported complete, and
             * ordo_qreg_wait then returns ORDO_ERR_TIMEOUT. */
            if (!op->done && ordo__now_ns() >= op->deadline_ns)
                op->expired = 1;
        }
        status = op->done || op->expired;
    }
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_qreg_wait(ordo_qreg_op_t *op, unsigned *out_flags)
{
    ORDO__CHECK_INIT();
    if (out_flags)
        *out_flags = 0;
    ORDO__LOCK();
    int status = ORDO_ERR_INVALID;
    if (op_valid(op) && !ordo__in_handler)
        status = op_wait(op, out_flags);
    ORDO__UNLOCK();
    return status;
}
