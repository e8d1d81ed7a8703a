/*
 * api.c - the public data collectives: argument checks, the view's places,
 * the algorithm (model.c), the schedule (one builder per family file),
 * then wait (blocking forms) or hand back the request.
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/coll.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"

#include <stdint.h>
#include <string.h>

typedef struct call {
    int family;
    const char *what;
    ordo__coll_args_t a;
    size_t bytes; /* what the model is asked about */
    ordo_dtype_t dtype;
    ordo_op_t op;
    int root;    /* a rank, or -1 */
    int by_rank; /* in / out hold one block per rank (allgather: out; alltoall: both) */
    int in_by_rank;
} call_t;

static int refuse(const char *what, const char *why)
{
    ordo_log_error("%s: %s", what, why);
    return ORDO_ERR_INVALID;
}

#define NO_ROOT INT32_MIN

/* Checks shared by every call, before the lock. */
static int check_common(const char *what, int root)
{
    if (ordo__in_handler)
        return refuse(what, "called from a message handler or callback, which must not block");
    if (root != NO_ROOT && (root < 0 || root >= ordo__rt.size)) {
        ordo_log_error("%s: root %d is outside [0, %d)", what, root, ordo__rt.size);
        return ORDO_ERR_INVALID;
    }
    return ORDO_OK;
}

static int check_reduction(const char *what, ordo_dtype_t t, ordo_op_t op, size_t count,
                           size_t *esize)
{
    if (ordo__coll_op_check(op, t) != ORDO_OK)
        return refuse(what, "bad datatype or operation (see above)");
    *esize = ordo_dtype_size(t);
    if (count > SIZE_MAX / *esize)
        return refuse(what, "count * element size overflows");
    return ORDO_OK;
}

/* Build and start c's schedule; *out receives it (or NULL). */
static int start(call_t *c, struct ordo_coll_req **out)
{
    *out = NULL;
    const ordo__coll_view_t *v = ordo__sched_view();
    if (ordo__member_unacked()) {
        ordo_log_info("%s: a failure is not acknowledged (ordo_failure_ack)", c->what);
        return ORDO_ERR_PEER_FAILED;
    }
    ordo__coll_args_t a = c->a;
    a.n = v->n;
    a.pos = v->pos;
    a.root = 0;
    if (c->root >= 0) {
        a.root = v->place[c->root];
        if (a.root < 0) {
            ordo_log_error("%s: root %d has failed", c->what, c->root);
            return ORDO_ERR_PEER_FAILED;
        }
    }
    const ordo__coll_alg_t *alg = ordo__coll_pick(c->family, a.n, c->bytes);
    struct ordo_coll_req *r = ordo__sched_new(c->family, alg->name);
    if (!r)
        return ORDO_ERR_NOMEM;
    r->dtype = c->dtype;
    r->op = c->op;
    size_t len = a.len;
    unsigned char *user_out = a.out;
    const unsigned char *user_in = a.in;
    int shrunk = a.n != ordo__rt.size;
    /* Blocks by place: a view without every rank, or an alltoall in place,
     * goes through scratch. */
    if (c->in_by_rank && (shrunk || (user_in && user_out && len &&
                                     user_in < user_out + len * (size_t)ordo__rt.size &&
                                     user_out < user_in + len * (size_t)ordo__rt.size))) {
        unsigned char *in = ordo__sched_scratch(r, len * (size_t)a.n);
        for (int p = 0; in && p < a.n; p++)
            ordo__sched_copy(r, in + len * (size_t)p, user_in + len * (size_t)v->live[p], len);
        a.in = in;
    }
    if (c->by_rank && shrunk) {
        a.out = ordo__sched_scratch(r, len * (size_t)a.n);
        if (!c->in_by_rank) /* allgather in place: in is out + rank * len */
            ordo__sched_copy(r, (unsigned char *)a.out + len * (size_t)a.pos, user_in, len);
    }
    int status = r->build_status == ORDO_OK ? alg->build(r, &a) : r->build_status;
    if (status == ORDO_OK && c->by_rank && shrunk && a.out)
        for (int p = 0; p < a.n; p++)
            ordo__sched_copy(r, user_out + len * (size_t)v->live[p],
                             (unsigned char *)a.out + len * (size_t)p, len);
    if (status != ORDO_OK) {
        ordo__sched_free(r);
        return status;
    }
    status = ordo__sched_start(r); /* frees r on an error */
    if (status == ORDO_OK)
        *out = r;
    return status;
}

static int run(call_t *c, ordo_coll_req_t **req)
{
    struct ordo_coll_req *r;
    ORDO__LOCK();
    int status = start(c, &r);
    if (status == ORDO_OK && !req) {
        r->recycle = 1; /* never the application's */
        status = ordo__sched_wait(r, ordo__coll_deadline(ordo__coll_cfg.coll_timeout_ms));
    }
    ORDO__UNLOCK();
    if (req)
        *req = status == ORDO_OK ? r : NULL;
    return status;
}

/* ---- the calls --------------------------------------------------------- */

static int bcast(void *buf, size_t len, int root, ordo_coll_req_t **req)
{
    ORDO__CHECK_INIT();
    int status = check_common("ordo_bcast", root);
    if (status != ORDO_OK)
        return status;
    if (len && !buf)
        return refuse("ordo_bcast", "buf is NULL");
    call_t c = {.family = ORDO_COLL_BCAST, .what = "ordo_bcast", .root = root, .bytes = len};
    c.a.out = buf;
    c.a.len = len;
    return run(&c, req);
}

/* reduce (root: a rank; out at the root only) and allreduce (root NO_ROOT). */
static int reduction(int family, const void *in, void *out, size_t count, ordo_dtype_t t,
                     ordo_op_t op, int root, ordo_coll_req_t **req)
{
    ORDO__CHECK_INIT();
    const char *what = family == ORDO_COLL_REDUCE ? "ordo_reduce" : "ordo_allreduce";
    int at_root = family == ORDO_COLL_ALLREDUCE || root == ordo__rt.rank;
    size_t esize;
    int status = check_common(what, root);
    if (status == ORDO_OK)
        status = check_reduction(what, t, op, count, &esize);
    if (status != ORDO_OK)
        return status;
    if (count && !in)
        return refuse(what, "in is NULL");
    if (count && at_root && !out)
        return refuse(what, family == ORDO_COLL_REDUCE ? "out is NULL at the root" : "out is NULL");
    call_t c = {.family = family,
                .what = what,
                .root = family == ORDO_COLL_REDUCE ? root : -1,
                .dtype = t,
                .op = op,
                .bytes = count * esize};
    c.a = (ordo__coll_args_t){
        .in = in, .out = out, .len = count * esize, .count = count, .esize = esize};
    return run(&c, req);
}

static int gather_checks(const char *what, const void *in, size_t len, void *out)
{
    int status = check_common(what, NO_ROOT);
    if (status != ORDO_OK)
        return status;
    if (len && (!in || !out))
        return refuse(what, !in ? "in is NULL" : "out is NULL");
    if (len > SIZE_MAX / (size_t)ordo__rt.size)
        return refuse(what, "len * ordo_size() overflows");
    return ORDO_OK;
}

/* allgather (out by rank) and alltoall (in and out by rank). */
static int exchange(int family, const void *in, size_t len, void *out, ordo_coll_req_t **req)
{
    ORDO__CHECK_INIT();
    const char *what = family == ORDO_COLL_ALLGATHER ? "ordo_allgather" : "ordo_alltoall";
    int status = gather_checks(what, in, len, out);
    if (status != ORDO_OK)
        return status;
    call_t c = {.family = family,
                .what = what,
                .root = -1,
                .bytes = len,
                .by_rank = 1,
                .in_by_rank = family == ORDO_COLL_ALLTOALL};
    c.a = (ordo__coll_args_t){.in = in, .out = out, .len = len};
    return run(&c, req);
}

ordo_status_t ordo_bcast(void *buf, size_t len, int root)
{
    return bcast(buf, len, root, NULL);
}

ordo_status_t ordo_reduce(const void *in, void *out, size_t count, ordo_dtype_t t, ordo_op_t op,
                          int root)
{
    return reduction(ORDO_COLL_REDUCE, in, out, count, t, op, root, NULL);
}

ordo_status_t ordo_allreduce(const void *in, void *out, size_t count, ordo_dtype_t t, ordo_op_t op)
{
    return reduction(ORDO_COLL_ALLREDUCE, in, out, count, t, op, NO_ROOT, NULL);
}

ordo_status_t ordo_allgather(const void *in, size_t len, void *out)
{
    return exchange(ORDO_COLL_ALLGATHER, in, len, out, NULL);
}

ordo_status_t ordo_alltoall(const void *in, size_t len, void *out)
{
    return exchange(ORDO_COLL_ALLTOALL, in, len, out, NULL);
}

#define NEED_REQ(req, what)                                                                        \
    do {                                                                                           \
        if (!(req))                                                                                \
            return refuse(what, "req is NULL");                                                    \
        *(req) = NULL;                                                                             \
    } while (0)

ordo_status_t ordo_ibcast(void *buf, size_t len, int root, ordo_coll_req_t **req)
{
    NEED_REQ(req, "ordo_ibcast");
    return bcast(buf, len, root, req);
}

ordo_status_t ordo_ireduce(const void *in, void *out, size_t count, ordo_dtype_t t, ordo_op_t op,
                           int root, ordo_coll_req_t **req)
{
    NEED_REQ(req, "ordo_ireduce");
    return reduction(ORDO_COLL_REDUCE, in, out, count, t, op, root, req);
}

ordo_status_t ordo_iallreduce(const void *in, void *out, size_t count, ordo_dtype_t t, ordo_op_t op,
                              ordo_coll_req_t **req)
{
    NEED_REQ(req, "ordo_iallreduce");
    return reduction(ORDO_COLL_ALLREDUCE, in, out, count, t, op, NO_ROOT, req);
}

ordo_status_t ordo_iallgather(const void *in, size_t len, void *out, ordo_coll_req_t **req)
{
    NEED_REQ(req, "ordo_iallgather");
    return exchange(ORDO_COLL_ALLGATHER, in, len, out, req);
}

ordo_status_t ordo_ialltoall(const void *in, size_t len, void *out, ordo_coll_req_t **req)
{
    NEED_REQ(req, "ordo_ialltoall");
    return exchange(ORDO_COLL_ALLTOALL, in, len, out, req);
}

int ordo_coll_test(ordo_coll_req_t *req)
{
    ORDO__CHECK_INIT();
    if (!req || req->magic != ORDO__COLL_REQ_MAGIC)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    if (!req->done)
        (void)ordo__progress();
    if (!req->done && ++req->tests % ORDO__COLL_SEEN_TESTS == 0 && ordo__sched_seen(req))
        (void)ordo__progress(); /* it fails: its end runs */
    int done = req->done;
    if (done)
        ordo__rpc_flush_ctrl(ORDO__COLL_FLUSH_NS);
    ORDO__UNLOCK();
    return done;
}

ordo_status_t ordo_coll_wait(ordo_coll_req_t *req)
{
    ORDO__CHECK_INIT();
    if (!req || req->magic != ORDO__COLL_REQ_MAGIC)
        return ORDO_ERR_INVALID;
    if (ordo__in_handler)
        return refuse("ordo_coll_wait", "called from a message handler or callback");
    ORDO__LOCK();
    int status = ordo__sched_wait(req, ordo__coll_deadline(ordo__coll_cfg.coll_timeout_ms));
    ORDO__UNLOCK();
    return status;
}
