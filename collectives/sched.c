/*
 * sched.c - the schedule engine of the collectives (sched.h says what a
 * schedule is): building schedules, posting rounds, advancing them,
 * failing them; sched_recv.c has the messages coming in.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/node.h"
#include "collectives/sched_int.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"
#include "runtime/timer.h"

#include <stdlib.h>
#include <string.h>

/* ---- building ---------------------------------------------------------- */

static struct ordo_coll_req *spare; /* a freed blocking collective's request */

struct ordo_coll_req *ordo__sched_new(int family, const char *alg)
{
    struct ordo_coll_req *r = spare;
    if (r) { /* what is read before it is written: all but the inline arrays */
        spare = NULL;
        memset(r, 0, offsetof(struct ordo_coll_req, ops_inline));
    } else if (!(r = calloc(1, sizeof(*r)))) {
        return NULL;
    }
    /* Small schedules (most) live in the request itself. */
    r->ops = r->ops_inline;
    r->cap = ORDO__SCHED_INLINE_OPS;
    r->rend = r->rend_inline;
    r->rcap = ORDO__SCHED_INLINE_ROUNDS;
    r->magic = ORDO__COLL_REQ_MAGIC;
    r->family = family;
    r->alg = alg;
    return r;
}

/* A larger array for one that may still be the request's inline one. */
static void *grow(void *cur, const void *inl, size_t elem, uint32_t n, uint32_t cap)
{
    if (cur != inl)
        return realloc(cur, elem * cap);
    void *p = malloc(elem * cap);
    if (p)
        memcpy(p, cur, elem * n);
    return p;
}

static void close_round(struct ordo_coll_req *r, int all)
{
    if (r->nops == (r->nrounds ? r->rend[r->nrounds - 1] : 0))
        return; /* empty */
    if (!all && !r->open_comm)
        return; /* local steps alone: they open the next round */
    if (r->nrounds == r->rcap) {
        uint32_t cap = 2 * r->rcap;
        uint32_t *p = grow(r->rend, r->rend_inline, sizeof(*p), r->rcap, cap);
        if (!p) {
            r->build_status = ORDO_ERR_NOMEM;
            return;
        }
        r->rend = p;
        r->rcap = cap;
    }
    r->rend[r->nrounds++] = r->nops;
    r->open_comm = 0;
}

static ordo__sop_t *add(struct ordo_coll_req *r, int kind)
{
    int comm = kind == SOP_SEND || kind == SOP_RECV || kind == SOP_NODE;
    if (!comm && r->open_comm)
        close_round(r, 0); /* local steps run at a round's start */
    if (r->nops == r->cap) {
        uint32_t cap = 2 * r->cap;
        ordo__sop_t *p = grow(r->ops, r->ops_inline, sizeof(*p), r->cap, cap);
        if (!p) {
            r->build_status = ORDO_ERR_NOMEM;
            return NULL;
        }
        r->ops = p;
        r->cap = cap;
    }
    ordo__sop_t *s = &r->ops[r->nops++];
    memset(s, 0, sizeof(*s));
    s->kind = (uint8_t)kind;
    s->req = r;
    r->open_comm |= comm;
    return s;
}

static void add_comm(struct ordo_coll_req *r, int kind, int peer, void *dst, const void *src,
                     size_t len)
{
    if (peer < 0 || peer >= ordo__eng.view.n || peer == ordo__eng.view.pos) {
        ordo_log_error("collective %s: a step to place %d of %d (ours %d)", r->alg, peer,
                       ordo__eng.view.n, ordo__eng.view.pos);
        r->build_status = ORDO_ERR_INTERNAL;
        return;
    }
    ordo__sop_t *s = add(r, kind);
    if (!s)
        return;
    s->peer = ordo__eng.view.live[peer];
    s->dst = dst;
    s->src = src;
    s->len = len;
    if (!r->count) {
        size_t n2 = 2 * (size_t)ordo__eng.view.n;
        if (n2 <= ORDO__SCHED_INLINE_COUNT) {
            r->count = memset(r->count_inline, 0, n2 * sizeof(*r->count)); /* may be reused */
        } else if (!(r->count = calloc(n2, sizeof(*r->count)))) {
            r->build_status = ORDO_ERR_NOMEM;
            return;
        }
    }
    s->idx = r->count[2 * peer + (kind == SOP_RECV)]++;
}

void ordo__sched_send(struct ordo_coll_req *r, int peer, const void *src, size_t len)
{
    add_comm(r, SOP_SEND, peer, NULL, src, len);
}

void ordo__sched_recv(struct ordo_coll_req *r, int peer, void *dst, size_t len)
{
    add_comm(r, SOP_RECV, peer, dst, NULL, len);
}

void ordo__sched_copy(struct ordo_coll_req *r, void *dst, const void *src, size_t len)
{
    if (!len || dst == src)
        return;
    ordo__sop_t *s = add(r, SOP_COPY);
    if (s) {
        s->dst = dst;
        s->src = src;
        s->len = len;
    }
}

void ordo__sched_reduce(struct ordo_coll_req *r, void *dst, const void *src, size_t len)
{
    if (!len)
        return;
    ordo__sop_t *s = add(r, SOP_REDUCE);
    if (s) {
        s->dst = dst;
        s->src = src;
        s->len = len;
    }
}

void ordo__sched_node(struct ordo_coll_req *r, unsigned kind, int root, void *dst, const void *src,
                      size_t len)
{
    ordo__sop_t *s = add(r, SOP_NODE);
    r->node = 1;
    if (s) {
        s->idx = kind;
        s->peer = root;
        s->dst = dst;
        s->src = src;
        s->len = len;
    }
}

void ordo__sched_round(struct ordo_coll_req *r)
{
    close_round(r, 0);
}

void *ordo__sched_scratch(struct ordo_coll_req *r, size_t len)
{
    if (r->nscratch == (int)(sizeof(r->scratch) / sizeof(r->scratch[0]))) {
        r->build_status = ORDO_ERR_INTERNAL;
        return NULL;
    }
    void *p = ordo__buf_get(len ? len : 1, &r->scratch_cap[r->nscratch]);
    if (!p) {
        r->build_status = ORDO_ERR_NOMEM;
        return NULL;
    }
    r->scratch[r->nscratch++] = p;
    return p;
}

void ordo__sched_free(struct ordo_coll_req *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nscratch; i++)
        ordo__buf_put(r->scratch[i], r->scratch_cap[i]);
    if (r->ops != r->ops_inline)
        free(r->ops);
    if (r->rend != r->rend_inline)
        free(r->rend);
    if (r->count != r->count_inline)
        free(r->count);
    r->magic = 0;
    if (r->recycle && !spare)
        spare = r;
    else
        free(r);
}

void ordo__sched_spare_free(void)
{
    free(spare);
    spare = NULL;
}

/* ---- running ----------------------------------------------------------- */

void ordo__sched_step_done(struct ordo_coll_req *r, ordo__sop_t *s)
{
    s->done = 1;
    s->landing = 0;
    if (r->pending)
        r->pending--;
    if (!r->pending || r->status != ORDO_OK)
        ordo__module_wake(&ordo__coll_module);
}

static void send_done(ordo_request_t *rq, int status, void *arg)
{
    ordo__sop_t *s = arg;
    (void)rq;
    if (status != ORDO_OK && s->req->status == ORDO_OK)
        s->req->status = status;
    ordo__sched_step_done(s->req, s);
}

static void post_round(struct ordo_coll_req *r)
{
    uint32_t b = ordo__sched_round_begin(r, r->round), e = r->rend[r->round];
    uint32_t comm = 0;
    for (uint32_t i = b; i < e; i++) {
        ordo__sop_t *s = &r->ops[i];
        if (s->kind == SOP_COPY)
            memmove(s->dst, s->src, s->len);
        else if (s->kind == SOP_REDUCE)
            ordo__coll_op_apply(r->op, r->dtype, s->dst, s->src,
                                s->len / ordo_dtype_size(r->dtype));
        else if (s->kind != SOP_NODE || ordo__node_post(s) == ORDO_OK)
            comm++;
        else if (r->status == ORDO_OK)
            r->status = ORDO_ERR_NOMEM; /* not posted: nothing to wait for */
    }
    r->pending = comm;
    coll_hdr_t h = {.magic = HDR_MAGIC,
                    .family = (uint8_t)r->family,
                    .seq = r->seq,
                    .nacked = r->nacked,
                    .view = r->view};
    for (uint32_t i = b; i < e && r->status == ORDO_OK; i++) {
        ordo__sop_t *s = &r->ops[i];
        if (s->kind == SOP_RECV) {
            unexp_t *u = ordo__sched_unexp_take(r, s);
            if (u) {
                if (!ordo__sched_mismatch(r, s, &u->h, u->len) && u->len)
                    memcpy(s->dst, u->data, u->len);
                free(u);
                ordo__sched_step_done(r, s);
            }
        } else if (s->kind == SOP_SEND) {
            h.idx = s->idx;
            /* A small message the transport takes at once needs no op. */
            int st = ordo__rpc_send_now(s->peer, ordo__eng.id, &h, sizeof(h), s->src, s->len);
            if (st == ORDO_OK) {
                ordo__sched_step_done(r, s);
                continue;
            }
            st = ordo__rpc_send_pre_nb_cb(s->peer, ordo__eng.id, &h, sizeof(h), s->src, s->len,
                                          send_done, s);
            if (st != ORDO_OK) { /* not started: no callback */
                if (r->status == ORDO_OK)
                    r->status = st;
                ordo__sched_step_done(r, s);
            }
        }
    }
    if (r->node && r->status == ORDO_OK)
        if (ordo__node_progress())                 /* a step of the segment may end at once */
            ordo__module_wake(&ordo__coll_module); /* else it is polled until it does */
}

/* A failed collective ends once nothing it sent is still read from its
 * buffers and nothing is pulled into them from a live peer. */
static int drained(const struct ordo_coll_req *r)
{
    if (r->round >= r->nrounds)
        return 1;
    for (uint32_t i = ordo__sched_round_begin(r, r->round); i < r->rend[r->round]; i++) {
        const ordo__sop_t *s = &r->ops[i];
        if (s->kind == SOP_SEND && !s->done)
            return 0;
        if (s->kind == SOP_RECV && s->landing && !ordo__rt.peer_failed[s->peer])
            return 0;
    }
    return 1;
}

static void unlink_req(struct ordo_coll_req *r)
{
    struct ordo_coll_req **p = &ordo__eng.head, *prev = NULL;
    while (*p && *p != r) {
        prev = *p;
        p = &(*p)->next;
    }
    if (!*p)
        return;
    *p = r->next;
    if (ordo__eng.tail == r)
        ordo__eng.tail = prev;
    r->next = NULL;
}

static void abort_sent(ordo_request_t *rq, int status, void *arg)
{
    (void)rq;
    (void)status;
    (void)arg;
}

/* Tell every other member that r failed here for its arguments, so that
 * none waits for what this rank will no longer send. */
static void send_abort(const struct ordo_coll_req *r)
{
    coll_hdr_t h = {.magic = HDR_MAGIC,
                    .family = (uint8_t)r->family,
                    .seq = r->seq,
                    .idx = IDX_ABORT,
                    .nacked = r->nacked,
                    .view = r->view};
    for (int p = 0; p < ordo__eng.view.n; p++)
        if (p != ordo__eng.view.pos &&
            ordo__rpc_send_pre_nb_cb(ordo__eng.view.live[p], ordo__eng.id, &h, sizeof(h), NULL, 0,
                                     abort_sent, NULL) != ORDO_OK)
            ordo_log_debug("abort of collective %u to rank %d not sent", r->seq,
                           ordo__eng.view.live[p]);
}

static void finish(struct ordo_coll_req *r)
{
    r->done = 1;
    unlink_req(r);
    if (r->node)
        ordo__node_cancel(r); /* its steps of the node's segment that did not end */
    if (r->status == ORDO_ERR_INVALID && !r->aborted)
        send_abort(r);
    if (r->status != ORDO_OK && r->status != ORDO_ERR_PEER_FAILED)
        ordo_log_error("%s (%s) failed: %s", ordo_coll_family_name((ordo_coll_family_t)r->family),
                       r->alg, ordo_strerror(r->status));
}

/* src says r failed there for its arguments: r fails here too. */
void ordo__sched_aborted_by(struct ordo_coll_req *r, int src)
{
    if (r->status != ORDO_OK)
        return;
    ordo_log_error("%s (%s), collective %u: rank %d found that the ranks called it with different "
                   "arguments",
                   ordo_coll_family_name((ordo_coll_family_t)r->family), r->alg, r->seq, src);
    r->status = ORDO_ERR_INVALID;
    r->aborted = 1;
    ordo__module_wake(&ordo__coll_module);
}

void ordo__sched_unwanted(struct ordo_coll_req *r, int src)
{
    if (r->status != ORDO_OK)
        return;
    ordo_log_error("%s (%s), collective %u: rank %d sent it a message, so it called another "
                   "collective or size there (the ranks called it with different arguments)",
                   ordo_coll_family_name((ordo_coll_family_t)r->family), r->alg, r->seq, src);
    r->status = ORDO_ERR_INVALID; /* not aborted: the others hear of it */
    ordo__module_wake(&ordo__coll_module);
}

static void advance(struct ordo_coll_req *r)
{
    while (!r->done) {
        if (r->status != ORDO_OK) {
            if (drained(r))
                finish(r);
            return;
        }
        if (r->pending)
            return;
        if (r->round + 1 >= r->nrounds) {
            r->round = r->nrounds;
            finish(r);
            return;
        }
        r->round++;
        post_round(r);
    }
}

void ordo__sched_progress(void)
{
    struct ordo_coll_req *r = ordo__eng.head;
    while (r) {
        struct ordo_coll_req *next = r->next; /* r may leave the list */
        advance(r);
        r = next;
    }
}

int ordo__sched_start(struct ordo_coll_req *r)
{
    close_round(r, 1);
    int status = r->build_status;
    if (status == ORDO_OK && ordo__member_unacked())
        status = ORDO_ERR_PEER_FAILED; /* the application acknowledges first */
    if (status != ORDO_OK) {
        ordo__sched_free(r);
        return status;
    }
    (void)ordo__sched_view();
    r->seq = ordo__eng.seq++;
    r->nacked = ordo__eng.view.nacked;
    r->view = ordo__eng.view.hash;
    r->status = ORDO_OK;
    if (ordo__eng.tail)
        ordo__eng.tail->next = r;
    else
        ordo__eng.head = r;
    ordo__eng.tail = r;
    /* A peer may have failed it already (arguments that differ), or sent
     * it a message it takes none of (it called another collective). */
    unexp_t *u = ordo__sched_unexp_early(r, r->node);
    if (u) {
        if (u->h.idx == IDX_ABORT)
            ordo__sched_aborted_by(r, u->src);
        else
            ordo__sched_unwanted(r, u->src);
        free(u);
    }
    if (!r->nrounds || r->status != ORDO_OK) {
        r->round = r->nrounds;
        finish(r);
        return ORDO_OK;
    }
    r->round = 0;
    post_round(r);
    advance(r);
    return ORDO_OK;
}

static int req_done(void *arg)
{
    return ((struct ordo_coll_req *)arg)->done;
}

/* The rank r's current round still waits for (-1: none). */
static int waited_rank(const struct ordo_coll_req *r)
{
    if (r->round >= r->nrounds)
        return -1;
    for (uint32_t i = ordo__sched_round_begin(r, r->round); i < r->rend[r->round]; i++) {
        const ordo__sop_t *s = &r->ops[i];
        if (s->kind == SOP_RECV && !s->done)
            return s->peer;
        if (s->kind == SOP_NODE && !s->done)
            return ordo__node_waited(s);
    }
    return -1;
}

/* The watch over a blocking collective that waits: one timer, so the wait
 * itself is one ordo__wait_until.  Every ORDO_TIMEOUT_MS it warns while a
 * live rank keeps it waiting; every ORDO__COLL_SEEN_MS, while it runs without the
 * node's segment, it looks for ranks that run it through the segment. */
typedef struct watch {
    ordo__timer_t timer;
    struct ordo_coll_req *r;
    uint64_t start_ns, period_ns, warn_ns;
} watch_t;

static void watch_arm(watch_t *w, uint64_t now)
{
    uint64_t at = w->warn_ns;
    if (!w->r->node && now + ORDO__COLL_SEEN_MS * 1000000u < at)
        at = now + ORDO__COLL_SEEN_MS * 1000000u;
    if (ordo__timer_arm(&w->timer, at) != ORDO_OK)
        ordo_log_debug("collective %u: no further watch (no memory for the timer)", w->r->seq);
}

static void watch(void *arg)
{
    watch_t *w = arg;
    uint64_t now = ordo__now_ns();
    if (ordo__sched_seen(w->r))
        return; /* it fails: nothing more to watch */
    if (now >= w->warn_ns) {
        int peer = waited_rank(w->r);
        if (peer >= 0)
            ordo_log_warn("%s %u: rank %d has not come after %.1f s (it is alive); waiting on "
                          "(%s bounds this)",
                          ordo_coll_family_name((ordo_coll_family_t)w->r->family), w->r->seq, peer,
                          (double)(now - w->start_ns) / 1e9,
                          w->r->family == ORDO_COLL_BARRIER ? "ORDO_BARRIER_TIMEOUT_MS"
                                                            : "ORDO_COLL_TIMEOUT_MS");
        w->warn_ns = now + w->period_ns;
    }
    watch_arm(w, now);
}

int ordo__sched_wait(struct ordo_coll_req *r, uint64_t deadline_ns)
{
    watch_t w = {
        .r = r, .start_ns = ordo__now_ns(), .period_ns = ordo__rt.cfg.timeout_ms * 1000000u};
    w.warn_ns = w.start_ns + w.period_ns;
    ordo__timer_init(&w.timer, watch, &w);
    if (!r->done)
        watch_arm(&w, w.start_ns); /* no memory: no watch */
    int status = ordo__node_sleeps() ? ordo__node_wait_until(req_done, r, deadline_ns)
                                     : ordo__wait_until(req_done, r, deadline_ns);
    ordo__timer_cancel(&w.timer);
    if (status == ORDO_OK) {
        ordo__rpc_flush_ctrl(ORDO__COLL_FLUSH_NS);
        status = r->status;
        ordo__sched_free(r);
        return status;
    }
    /* Timed out: end it as a failure, then wait for its buffers. */
    ordo_log_error("%s (%s) %u: not done within its timeout; failing it",
                   ordo_coll_family_name((ordo_coll_family_t)r->family), r->alg, r->seq);
    if (r->status == ORDO_OK)
        r->status = status;
    advance(r);
    if (ordo__wait_until(req_done, r, 0) != ORDO_OK) {
        ordo_log_error("%s (%s): its messages are still in flight; its memory is kept",
                       ordo_coll_family_name((ordo_coll_family_t)r->family), r->alg);
        return status; /* leaked on purpose: the transport may still use it */
    }
    ordo__sched_free(r);
    return status;
}

void ordo__sched_peer_failed(int peer, int status)
{
    (void)status;
    for (struct ordo_coll_req *r = ordo__eng.head; r; r = r->next)
        if (r->status == ORDO_OK)
            r->status = ORDO_ERR_PEER_FAILED;
    if (ordo__eng.head) {
        ordo_log_info("rank %d failed: the collectives in flight fail", peer);
        ordo__module_wake(&ordo__coll_module);
    }
}
