/*
 * barrier.c - ordo_barrier and ordo_ibarrier: dissemination, a schedule of
 * the collectives' engine (sched.h) like every other collective:
 * ceil(log2 n) rounds; in round k the member at place p signals the one at
 * p + 2^k and waits for p - 2^k's signal.  A rank that computes long before
 * it comes is waited for, as MPI_Barrier would (ORDO_BARRIER_TIMEOUT_MS
 * can bound that), with a warning every ORDO_TIMEOUT_MS naming it; a
 * failure in the view fails the barrier with ORDO_ERR_PEER_FAILED on every
 * survivor, and once acknowledged (ordo_failure_ack) the barrier runs over
 * the live members (ULFM's acknowledge and shrink): its messages name the
 * view, and one for a view this rank has not acknowledged yet waits until
 * it has.
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/coll.h"
#include "collectives/node.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"

#include <stdint.h>

static int build_dissemination(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    for (int d = 1; d < a->n; d <<= 1) {
        ordo__sched_send(r, (a->pos + d) % a->n, NULL, 0);
        ordo__sched_recv(r, (a->pos - d + a->n) % a->n, NULL, 0);
        ordo__sched_round(r);
    }
    return ORDO_OK;
}

static double cost_dissemination(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    (void)bytes;
    return ordo__coll_clog2(n) * ordo__coll_t(m, 0, n);
}

static int build_shm(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    return ordo__node_build(r, a, ORDO__NODE_BARRIER);
}

static double cost_shm(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return ordo__node_cost(m, n, bytes, ORDO__NODE_BARRIER);
}

const ordo__coll_alg_t ordo__coll_barrier_algs[] = {
    {"dissemination", "ceil(log2 n) rounds: place p signals p + 2^k", build_dissemination,
     cost_dissemination},
    {"shm",
     "through the node's shared segment: every rank arrives, the last checks the calls and "
     "publishes (one host)",
     build_shm, cost_shm},
};

/* Start a barrier over the current view; *out receives it. */
static int barrier_start(struct ordo_coll_req **out)
{
    *out = NULL;
    if (ordo__member_unacked())
        return ORDO_ERR_PEER_FAILED; /* the application acknowledges first */
    const ordo__coll_view_t *v = ordo__sched_view();
    const ordo__coll_alg_t *alg = ordo__coll_pick(ORDO_COLL_BARRIER, v->n, 0);
    struct ordo_coll_req *r = ordo__sched_new(ORDO_COLL_BARRIER, alg->name);
    if (!r)
        return ORDO_ERR_NOMEM;
    ordo__coll_args_t a = {.n = v->n, .pos = v->pos};
    int status = alg->build(r, &a);
    if (status != ORDO_OK) {
        ordo__sched_free(r);
        return status;
    }
    status = ordo__sched_start(r); /* frees r on an error */
    if (status == ORDO_OK)
        *out = r;
    return status;
}

int ordo__coll_barrier(void)
{
    struct ordo_coll_req *r;
    int status = barrier_start(&r);
    if (status == ORDO_OK) {
        r->recycle = 1; /* never the application's */
        status = ordo__sched_wait(r, ordo__coll_deadline(ordo__coll_cfg.barrier_timeout_ms));
    }
    /* A failure is the application's to acknowledge: said, not shouted. */
    if (status == ORDO_ERR_PEER_FAILED)
        ordo_log_info("barrier failed: %s", ordo_strerror(status));
    else if (status != ORDO_OK)
        ordo_log_error("barrier failed: %s", ordo_strerror(status));
    return status;
}

ordo_status_t ordo_barrier(void)
{
    ORDO__CHECK_INIT();
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = ordo__coll_barrier();
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_ibarrier(ordo_coll_req_t **req)
{
    ORDO__CHECK_INIT();
    if (!req)
        return ORDO_ERR_INVALID;
    *req = NULL;
    if (ordo__in_handler) {
        ordo_log_error("ordo_ibarrier: called from a message handler or callback");
        return ORDO_ERR_INVALID;
    }
    ORDO__LOCK();
    int status = barrier_start(req);
    ORDO__UNLOCK();
    return status;
}
