/*
 * sched_recv.c - the schedule engine's side of the messages coming in: the
 * view collectives run over, the handler and the lander (a rendezvous
 * payload straight into its receive), matching a message to the k-th
 * receive from its sender, keeping the early ones, and what a message of
 * another family or size means.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/node.h"
#include "collectives/sched_int.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

/* A message for a collective this many ahead of ours is not believed. */
#define SEQ_AHEAD_MAX (1u << 20)

ordo__sched_eng_t ordo__eng;

static void size_mismatch(struct ordo_coll_req *r, const ordo__sop_t *s, size_t len);

/* ---- the view ---------------------------------------------------------- */

static int view_current(void)
{
    return ordo__eng.view.nacked == (uint32_t)ordo__member.nacked &&
           ordo__eng.view.hash == ordo__member.acked_hash;
}

/* Drop what was kept for views before the current one. */
static void unexp_purge(void)
{
    unexp_t **p = &ordo__eng.unexp;
    ordo__eng.unexp_tail = &ordo__eng.unexp;
    while (*p) {
        unexp_t *u = *p;
        if (u->h.nacked <= ordo__eng.view.nacked &&
            !(u->h.nacked == ordo__eng.view.nacked && u->h.view == ordo__eng.view.hash)) {
            *p = u->next;
            free(u);
        } else {
            ordo__eng.unexp_tail = &u->next;
            p = &u->next;
        }
    }
}

static void view_enter(void)
{
    ordo__coll_view_t *v = &ordo__eng.view;
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
    ordo__eng.seq = 0;
    unexp_purge();
}

const ordo__coll_view_t *ordo__sched_view(void)
{
    if (!view_current())
        view_enter();
    return &ordo__eng.view;
}

/* A kept message for receive s of r, if one came. */
unexp_t *ordo__sched_unexp_take(const struct ordo_coll_req *r, const ordo__sop_t *s)
{
    for (unexp_t **p = &ordo__eng.unexp; *p; p = &(*p)->next) {
        unexp_t *u = *p;
        if (u->src == s->peer && u->h.seq == r->seq && u->h.idx == s->idx &&
            u->h.nacked == r->nacked && u->h.view == r->view) {
            *p = u->next;
            if (ordo__eng.unexp_tail == &u->next)
                ordo__eng.unexp_tail = p;
            return u;
        }
    }
    return NULL;
}

/* A message of another family or of the wrong size for its receive: the
 * ranks called the collective with different arguments. */
int ordo__sched_mismatch(struct ordo_coll_req *r, const ordo__sop_t *s, const coll_hdr_t *h,
                         size_t len)
{
    if (h->family != r->family) {
        const char *theirs = ordo_coll_family_name((ordo_coll_family_t)h->family);
        ordo_log_error("collective %u: rank %d called ordo_%s where this rank called ordo_%s",
                       r->seq, s->peer, theirs ? theirs : "?",
                       ordo_coll_family_name((ordo_coll_family_t)r->family));
    } else if (len != s->len) {
        size_mismatch(r, s, len);
        return 1;
    } else {
        return 0;
    }
    if (r->status == ORDO_OK)
        r->status = ORDO_ERR_INVALID;
    return 1;
}

/* The ranks of one node that chose differently for one collective (their
 * sizes differ): some run it through the node's segment, some with
 * messages.  A message sent to a rank in the segment fails it there
 * (ordo__sched_unwanted); but a linear root only receives at first and a
 * segment's rank sends nothing, so each could wait for the other for ever. */
int ordo__sched_seen(struct ordo_coll_req *r)
{
    if (r->node || r->done || r->status != ORDO_OK || !r->pending)
        return 0;
    int status = ordo__node_seen_in(r, ordo__eng.view.n);
    if (status == ORDO_OK)
        return 0;
    r->status = status; /* not aborted: the others hear of it */
    ordo__module_wake(&ordo__coll_module);
    return 1;
}

static void size_mismatch(struct ordo_coll_req *r, const ordo__sop_t *s, size_t len)
{
    ordo_log_error("%s (%s): rank %d sent %zu bytes where %zu were expected: the ranks called "
                   "it with different sizes",
                   ordo_coll_family_name((ordo_coll_family_t)r->family), r->alg, s->peer, len,
                   s->len);
    if (r->status == ORDO_OK)
        r->status = ORDO_ERR_INVALID;
}

unexp_t *ordo__sched_unexp_early(const struct ordo_coll_req *r, int any)
{
    for (unexp_t **p = &ordo__eng.unexp; *p; p = &(*p)->next) {
        unexp_t *u = *p;
        if ((any || u->h.idx == IDX_ABORT) && u->h.seq == r->seq && u->h.nacked == r->nacked &&
            u->h.view == r->view) {
            *p = u->next;
            if (ordo__eng.unexp_tail == &u->next)
                ordo__eng.unexp_tail = p;
            return u;
        }
    }
    return NULL;
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
    if (h->nacked != ordo__eng.view.nacked || h->view != ordo__eng.view.hash)
        return NULL;
    for (struct ordo_coll_req *r = ordo__eng.head; r; r = r->next) {
        if (r->seq != h->seq)
            continue;
        *out = r;
        if (r->round >= r->nrounds || r->status != ORDO_OK)
            return NULL;
        for (uint32_t i = ordo__sched_round_begin(r, r->round); i < r->rend[r->round]; i++) {
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
    if (h->nacked < ordo__eng.view.nacked ||
        (h->nacked == ordo__eng.view.nacked && h->view != ordo__eng.view.hash))
        return 0; /* a view we have left */
    if (h->nacked == ordo__eng.view.nacked && (h->seq - ordo__eng.seq) < 0x80000000u &&
        h->seq - ordo__eng.seq > SEQ_AHEAD_MAX) {
        ordo_log_warn("collective message from rank %d for collective %u (ours: %u) dropped", src,
                      h->seq, ordo__eng.seq);
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
    if (!view_current() && !ordo__eng.head)
        view_enter(); /* acknowledged since the last collective */
    struct ordo_coll_req *r = NULL;
    ordo__sop_t *s = match(msg->src, &h, &r);
    if (h.idx == IDX_ABORT && r) {
        ordo__sched_aborted_by(r, msg->src);
        return ORDO_OK;
    }
    if (r && r->node && !s) {
        ordo__sched_unwanted(r, msg->src);
        return ORDO_OK;
    }
    if (s) {
        if (ordo__sched_mismatch(r, s, &h, msg->len))
            ;
        else if (msg->len && msg->data != s->dst)
            memcpy(s->dst, msg->data, msg->len);
        ordo__sched_step_done(r, s);
        return ORDO_OK;
    }
    if (!r && h.nacked == ordo__eng.view.nacked && h.view == ordo__eng.view.hash &&
        ordo__eng.seq - h.seq - 1 < 0x80000000u) {
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
    *ordo__eng.unexp_tail = u;
    ordo__eng.unexp_tail = &u->next;
    return ORDO_OK;
}

/* ---- the module's part ------------------------------------------------- */

int ordo__sched_init(void)
{
    memset(&ordo__eng, 0, sizeof(ordo__eng));
    ordo__eng.unexp_tail = &ordo__eng.unexp;
    ordo__eng.view.live = malloc(sizeof(int) * (size_t)ordo__rt.size);
    ordo__eng.view.place = malloc(sizeof(int) * (size_t)ordo__rt.size);
    if (!ordo__eng.view.live || !ordo__eng.view.place)
        return ORDO_ERR_NOMEM;
    view_enter();
    int status = ordo__rpc_handler_add("collective", coll_handler, NULL, 0, &ordo__eng.id);
    if (status == ORDO_OK)
        status = ordo__rpc_set_lander(ordo__eng.id, lander);
    return status;
}

void ordo__sched_fini(void)
{
    for (struct ordo_coll_req *r = ordo__eng.head, *next; r; r = next) {
        next = r->next;
        r->next = NULL;
        r->done = 1; /* its owner never waited: the job ends */
    }
    while (ordo__eng.unexp) {
        unexp_t *u = ordo__eng.unexp;
        ordo__eng.unexp = u->next;
        free(u);
    }
    free(ordo__eng.view.live);
    free(ordo__eng.view.place);
    memset(&ordo__eng, 0, sizeof(ordo__eng));
    ordo__sched_spare_free();
}
