/*
 * sched.c - the schedule engine of the collectives (sched.h says what a
 * schedule is): building, matching messages to receives, advancing rounds,
 * failures.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/sched.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

#define HDR_MAGIC 0x636d7367u /* "cmsg" */
/* A message for a collective this many ahead of ours is not believed. */
#define SEQ_AHEAD_MAX (1u << 20)

/* The prefix of every collective message. */
typedef struct coll_hdr {
    uint32_t magic;
    uint32_t seq;
    uint32_t idx; /* the sender's idx-th message to us in this collective */
    uint32_t nacked;
    uint64_t view;
} coll_hdr_t;

/* A message that came before its receive was posted. */
typedef struct unexp {
    struct unexp *next;
    int src;
    coll_hdr_t h;
    size_t len;
    unsigned char data[];
} unexp_t;

static struct {
    unsigned id; /* the handler */
    ordo__coll_view_t view;
    uint32_t seq;                      /* the next collective's number in the view */
    struct ordo_coll_req *head, *tail; /* in flight, in sequence order */
    unexp_t *unexp, **unexp_tail;
    size_t unexp_bytes;
} eng;

/* ---- the view ---------------------------------------------------------- */

static int view_current(void)
{
    return eng.view.nacked == (uint32_t)ordo__member.nacked &&
           eng.view.hash == ordo__member.acked_hash;
}

/* Drop what was kept for views before the current one. */
static void unexp_purge(void)
{
    unexp_t **p = &eng.unexp;
    eng.unexp_tail = &eng.unexp;
    while (*p) {
        unexp_t *u = *p;
        if (u->h.nacked <= eng.view.nacked &&
            !(u->h.nacked == eng.view.nacked && u->h.view == eng.view.hash)) {
            *p = u->next;
            eng.unexp_bytes -= u->len;
            free(u);
        } else {
            eng.unexp_tail = &u->next;
            p = &u->next;
        }
    }
}

static void view_enter(void)
{
    ordo__coll_view_t *v = &eng.view;
    v->n = 0;
    for (int r = 0; r < ordo__rt.size; r++) {
        v->place[r] = -1;
        if (ordo__member.acked[r])
            continue;
        if (r == ordo__rt.rank)
            v->pos = v->n;
        v->place[r] = v->n;
        v->live[v->n++] = r;
    }
    v->nacked = (uint32_t)ordo__member.nacked;
    v->hash = ordo__member.acked_hash;
    eng.seq = 0;
    unexp_purge();
}

const ordo__coll_view_t *ordo__sched_view(void)
{
    if (!view_current())
        view_enter();
    return &eng.view;
}

/* ---- building ---------------------------------------------------------- */

struct ordo_coll_req *ordo__sched_new(int family, const char *alg)
{
    struct ordo_coll_req *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->magic = ORDO__COLL_REQ_MAGIC;
    r->family = family;
    r->alg = alg;
    return r;
}

static void close_round(struct ordo_coll_req *r, int all)
{
    if (r->nops == (r->nrounds ? r->rend[r->nrounds - 1] : 0))
        return; /* empty */
    if (!all && !r->open_comm)
        return; /* local steps alone: they open the next round */
    if (r->nrounds == r->rcap) {
        uint32_t cap = r->rcap ? 2 * r->rcap : 8;
        uint32_t *p = realloc(r->rend, sizeof(*p) * cap);
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
    int comm = kind == SOP_SEND || kind == SOP_RECV;
    if (!comm && r->open_comm)
        close_round(r, 0); /* local steps run at a round's start */
    if (r->nops == r->cap) {
        uint32_t cap = r->cap ? 2 * r->cap : 16;
        ordo__sop_t *p = realloc(r->ops, sizeof(*p) * cap);
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
    if (peer < 0 || peer >= eng.view.n || peer == eng.view.pos) {
        ordo_log_error("collective %s: a step to place %d of %d (ours %d)", r->alg, peer,
                       eng.view.n, eng.view.pos);
        r->build_status = ORDO_ERR_INTERNAL;
        return;
    }
    ordo__sop_t *s = add(r, kind);
    if (!s)
        return;
    s->peer = eng.view.live[peer];
    s->dst = dst;
    s->src = src;
    s->len = len;
    if (!r->count) {
        r->count = calloc(2 * (size_t)eng.view.n, sizeof(*r->count));
        if (!r->count) {
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
    free(r->ops);
    free(r->rend);
    free(r->count);
    r->magic = 0;
    free(r);
}

/* ---- running ----------------------------------------------------------- */

static uint32_t round_begin(const struct ordo_coll_req *r, uint32_t round)
{
    return round ? r->rend[round - 1] : 0;
}

static void step_done(struct ordo_coll_req *r, ordo__sop_t *s)
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
    step_done(s->req, s);
}

/* A kept message for receive s of r, if one came. */
static unexp_t *unexp_take(const struct ordo_coll_req *r, const ordo__sop_t *s)
{
    for (unexp_t **p = &eng.unexp; *p; p = &(*p)->next) {
        unexp_t *u = *p;
        if (u->src == s->peer && u->h.seq == r->seq && u->h.idx == s->idx &&
            u->h.nacked == r->nacked && u->h.view == r->view) {
            *p = u->next;
            if (eng.unexp_tail == &u->next)
                eng.unexp_tail = p;
            eng.unexp_bytes -= u->len;
            return u;
        }
    }
    return NULL;
}

/* A message of the wrong size for its receive: the ranks called the
 * collective with different arguments. */
static void size_mismatch(struct ordo_coll_req *r, const ordo__sop_t *s, size_t len)
{
    ordo_log_error("%s (%s): rank %d sent %zu bytes where %zu were expected: the ranks called "
                   "it with different sizes",
                   ordo_coll_family_name((ordo_coll_family_t)r->family), r->alg, s->peer, len,
                   s->len);
    if (r->status == ORDO_OK)
        r->status = ORDO_ERR_INVALID;
}

static void post_round(struct ordo_coll_req *r)
{
    uint32_t b = round_begin(r, r->round), e = r->rend[r->round];
    uint32_t comm = 0;
    for (uint32_t i = b; i < e; i++) {
        ordo__sop_t *s = &r->ops[i];
        if (s->kind == SOP_COPY)
            memmove(s->dst, s->src, s->len);
        else if (s->kind == SOP_REDUCE)
            ordo__coll_op_apply(r->op, r->dtype, s->dst, s->src,
                                s->len / ordo_dtype_size(r->dtype));
        else
            comm++;
    }
    r->pending = comm;
    coll_hdr_t h = {.magic = HDR_MAGIC, .seq = r->seq, .nacked = r->nacked, .view = r->view};
    for (uint32_t i = b; i < e && r->status == ORDO_OK; i++) {
        ordo__sop_t *s = &r->ops[i];
        if (s->kind == SOP_RECV) {
            unexp_t *u = unexp_take(r, s);
            if (u) {
                if (u->len != s->len)
                    size_mismatch(r, s, u->len);
                else
                    memcpy(s->dst, u->data, u->len);
                free(u);
                step_done(r, s);
            }
        } else if (s->kind == SOP_SEND) {
            h.idx = s->idx;
            int st = ordo__rpc_send_pre_nb_cb(s->peer, eng.id, &h, sizeof(h), s->src, s->len,
                                              send_done, s);
            if (st != ORDO_OK) { /* not started: no callback */
                if (r->status == ORDO_OK)
                    r->status = st;
                step_done(r, s);
            }
        }
    }
}

/* A failed collective ends once nothing it sent is still read from its
 * buffers and nothing is pulled into them from a live peer. */
static int drained(const struct ordo_coll_req *r)
{
    if (r->round >= r->nrounds)
        return 1;
    for (uint32_t i = round_begin(r, r->round); i < r->rend[r->round]; i++) {
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
    struct ordo_coll_req **p = &eng.head, *prev = NULL;
    while (*p && *p != r) {
        prev = *p;
        p = &(*p)->next;
    }
    if (!*p)
        return;
    *p = r->next;
    if (eng.tail == r)
        eng.tail = prev;
    r->next = NULL;
}

static void finish(struct ordo_coll_req *r)
{
    r->done = 1;
    unlink_req(r);
    if (r->status != ORDO_OK && r->status != ORDO_ERR_PEER_FAILED)
        ordo_log_error("%s (%s) failed: %s", ordo_coll_family_name((ordo_coll_family_t)r->family),
                       r->alg, ordo_strerror(r->status));
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
    struct ordo_coll_req *r = eng.head;
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
    r->seq = eng.seq++;
    r->nacked = eng.view.nacked;
    r->view = eng.view.hash;
    r->status = ORDO_OK;
    r->started = 1;
    if (eng.tail)
        eng.tail->next = r;
    else
        eng.head = r;
    eng.tail = r;
    if (!r->nrounds) {
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

int ordo__sched_wait(struct ordo_coll_req *r)
{
    int status = ordo__wait_until(req_done, r, ordo__coll_deadline());
    if (status == ORDO_OK) {
        status = r->status;
        ordo__sched_free(r);
        return status;
    }
    /* Timed out: end it as a failure, then wait for its buffers. */
    ordo_log_error("%s (%s): no progress within the collectives' timeout; failing it",
                   ordo_coll_family_name((ordo_coll_family_t)r->family), r->alg);
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

/* ---- receiving --------------------------------------------------------- */

static int parse(const ordo_rpc_msg_t *msg, coll_hdr_t *h)
{
    size_t plen;
    const void *pre = ordo__rpc_msg_prefix(msg, &plen);
    if (!pre || plen != sizeof(*h)) {
        ordo_log_warn("collective message from rank %d with a prefix of %zu bytes dropped",
                      msg->src, pre ? plen : 0);
        return ORDO_ERR_MSG;
    }
    memcpy(h, pre, sizeof(*h));
    if (h->magic != HDR_MAGIC) {
        ordo_log_warn("collective message from rank %d without its magic dropped", msg->src);
        return ORDO_ERR_MSG;
    }
    return ORDO_OK;
}

/* The receive of the current view that message h from src is for, if it
 * is posted. */
static ordo__sop_t *match(int src, const coll_hdr_t *h, struct ordo_coll_req **out)
{
    if (h->nacked != eng.view.nacked || h->view != eng.view.hash)
        return NULL;
    for (struct ordo_coll_req *r = eng.head; r; r = r->next) {
        if (r->seq != h->seq)
            continue;
        *out = r;
        if (r->round >= r->nrounds || r->status != ORDO_OK)
            return NULL;
        for (uint32_t i = round_begin(r, r->round); i < r->rend[r->round]; i++) {
            ordo__sop_t *s = &r->ops[i];
            if (s->kind == SOP_RECV && s->peer == src && s->idx == h->idx && !s->done)
                return s;
        }
        return NULL;
    }
    return NULL;
}

static void *lander(int src, const void *pre, size_t pre_len, size_t len)
{
    coll_hdr_t h;
    struct ordo_coll_req *r = NULL;
    if (pre_len != sizeof(h))
        return NULL;
    memcpy(&h, pre, sizeof(h));
    ordo__sop_t *s = match(src, &h, &r);
    if (!s || s->landing || s->len != len)
        return NULL;
    s->landing = 1;
    return s->dst;
}

/* Is message h one we may still need (else it is dropped)? */
static int wanted(int src, const coll_hdr_t *h)
{
    if (h->nacked < eng.view.nacked || (h->nacked == eng.view.nacked && h->view != eng.view.hash))
        return 0; /* a view we have left */
    if (h->nacked == eng.view.nacked && (h->seq - eng.seq) < 0x80000000u &&
        h->seq - eng.seq > SEQ_AHEAD_MAX) {
        ordo_log_warn("collective message from rank %d for collective %u (ours: %u) dropped", src,
                      h->seq, eng.seq);
        return 0;
    }
    return 1;
}

static int coll_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    coll_hdr_t h;
    (void)arg;
    if (parse(msg, &h) != ORDO_OK)
        return ORDO_ERR_MSG;
    if (!view_current() && !eng.head)
        view_enter(); /* acknowledged since the last collective */
    struct ordo_coll_req *r = NULL;
    ordo__sop_t *s = match(msg->src, &h, &r);
    if (s) {
        if (msg->len != s->len)
            size_mismatch(r, s, msg->len);
        else if (msg->data != s->dst)
            memcpy(s->dst, msg->data, msg->len);
        step_done(r, s);
        return ORDO_OK;
    }
    if (!r && h.nacked == eng.view.nacked && h.view == eng.view.hash &&
        eng.seq - h.seq - 1 < 0x80000000u) {
        ordo_log_debug("collective message from rank %d for collective %u, which has ended here, "
                       "dropped",
                       msg->src, h.seq);
        return ORDO_OK; /* a failed collective's, from a peer that went on longer */
    }
    if (!wanted(msg->src, &h))
        return ORDO_OK;
    unexp_t *u = malloc(sizeof(*u) + msg->len);
    if (!u) {
        ordo_log_error("out of memory: a collective message of %zu bytes from rank %d dropped",
                       msg->len, msg->src);
        return ORDO_ERR_NOMEM;
    }
    u->next = NULL;
    u->src = msg->src;
    u->h = h;
    u->len = msg->len;
    if (msg->len)
        memcpy(u->data, msg->data, msg->len);
    *eng.unexp_tail = u;
    eng.unexp_tail = &u->next;
    eng.unexp_bytes += msg->len;
    return ORDO_OK;
}

/* ---- the module's part ------------------------------------------------- */

int ordo__sched_init(void)
{
    memset(&eng, 0, sizeof(eng));
    eng.unexp_tail = &eng.unexp;
    eng.view.live = malloc(sizeof(int) * (size_t)ordo__rt.size);
    eng.view.place = malloc(sizeof(int) * (size_t)ordo__rt.size);
    if (!eng.view.live || !eng.view.place)
        return ORDO_ERR_NOMEM;
    view_enter();
    int status = ordo__rpc_handler_add("collective", coll_handler, NULL, 0, &eng.id);
    if (status == ORDO_OK)
        status = ordo__rpc_set_lander(eng.id, lander);
    return status;
}

void ordo__sched_fini(void)
{
    while (eng.head) {
        struct ordo_coll_req *r = eng.head;
        unlink_req(r);
        r->done = 1; /* its owner never waited: the job ends */
    }
    while (eng.unexp) {
        unexp_t *u = eng.unexp;
        eng.unexp = u->next;
        free(u);
    }
    free(eng.view.live);
    free(eng.view.place);
    memset(&eng, 0, sizeof(eng));
}

void ordo__sched_peer_failed(int peer, int status)
{
    (void)status;
    for (struct ordo_coll_req *r = eng.head; r; r = r->next)
        if (r->status == ORDO_OK)
            r->status = ORDO_ERR_PEER_FAILED;
    if (eng.head) {
        ordo_log_info("rank %d failed: %s collectives in flight fail", peer,
                      eng.head->next ? "the" : "the one");
        ordo__module_wake(&ordo__coll_module);
    }
}
