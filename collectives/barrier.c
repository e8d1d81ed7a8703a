/*
 * barrier.c - ordo_barrier, and the collectives' module: dissemination over
 * the message layer (ceil(log2 n) rounds; in round k the member at place p
 * signals the one at p + 2^k).  A rank that computes long before it comes
 * is waited for, as MPI_Barrier would (ORDO_BARRIER_TIMEOUT_MS can bound
 * that); a failure in the view fails the barrier with ORDO_ERR_PEER_FAILED
 * on every survivor, and once acknowledged (ordo_failure_ack) the barrier
 * runs over the live members (ULFM's acknowledge and shrink): its messages
 * name the view, and a message for a view this rank has not acknowledged
 * yet waits until it has.
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/coll.h"
#include "runtime/clock.h"
#include "runtime/fd.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"
#include "runtime/timer.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define BARRIER_MAX_ROUNDS 32
/* Messages kept for a view this rank has not acknowledged yet. */
#define BARRIER_PARKED 64

/* The barrier runs over a view: the ranks whose failure was not
 * acknowledged (ordo_failure_ack), named by how many were and a hash of
 * which.  Its sequence number restarts in each view. */
typedef struct barrier_msg {
    uint64_t seq;
    uint32_t round;
    uint32_t nacked;
    uint64_t view;
} barrier_msg_t;

static struct {
    unsigned id; /* the barrier's handler */
    uint64_t seq;
    uint32_t nacked; /* the view the counters below are for */
    uint64_t view;
    /* A peer can be at most one barrier ahead of us, so two sets of counters do. */
    uint32_t arrived[2][BARRIER_MAX_ROUNDS];
    barrier_msg_t parked[BARRIER_PARKED];
    int nparked;
    /* The view's members in rank order, and this rank's place among them. */
    int *live;
    int nlive, pos;
} bar;

/* Count m, which is for the view the counters are for. */
static int count(const barrier_msg_t *m, int src)
{
    if (m->round >= BARRIER_MAX_ROUNDS || (m->seq != bar.seq && m->seq != bar.seq + 1)) {
        ordo_log_warn("barrier message (seq %llu round %u) from rank %d dropped",
                      (unsigned long long)m->seq, m->round, src);
        return ORDO_ERR_MSG;
    }
    bar.arrived[m->seq & 1][m->round]++;
    return ORDO_OK;
}

static int barrier_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    barrier_msg_t m;
    (void)arg;
    if (msg->len != sizeof(m)) {
        ordo_log_warn("barrier message of %zu bytes from rank %d dropped", msg->len, msg->src);
        return ORDO_ERR_MSG;
    }
    memcpy(&m, msg->data, sizeof(m));
    if (m.nacked == bar.nacked && m.view == bar.view)
        return count(&m, msg->src);
    if (m.nacked > bar.nacked) {
        /* The sender acknowledged failures we have not: ours to come. */
        if (bar.nparked == BARRIER_PARKED) {
            ordo_log_warn("barrier: %d messages for views not yet acknowledged; the oldest "
                          "is dropped",
                          BARRIER_PARKED);
            memmove(bar.parked, bar.parked + 1, sizeof(m) * (BARRIER_PARKED - 1));
            bar.nparked--;
        }
        bar.parked[bar.nparked++] = m;
        return ORDO_OK;
    }
    /* From a view we left, or one that acknowledged other failures. */
    ordo_log_debug("barrier message from rank %d for another view (%u failures acknowledged, "
                   "we have %u) dropped",
                   msg->src, m.nacked, bar.nacked);
    return ORDO_OK;
}

/* The application acknowledged failures: a new view, its sequence from 0,
 * and what was parked for it counted. */
static void enter_view(uint32_t nacked, uint64_t view)
{
    bar.nlive = 0;
    for (int r = 0; r < ordo__rt.size; r++) {
        if (r == ordo__rt.rank)
            bar.pos = bar.nlive;
        if (!ordo__member.acked[r])
            bar.live[bar.nlive++] = r;
    }
    bar.nacked = nacked;
    bar.view = view;
    bar.seq = 0;
    memset(bar.arrived, 0, sizeof(bar.arrived));
    int kept = 0;
    for (int i = 0; i < bar.nparked; i++) {
        barrier_msg_t *m = &bar.parked[i];
        if (m->nacked == nacked && m->view == view)
            (void)count(m, -1);
        else if (m->nacked > nacked)
            bar.parked[kept++] = *m;
    }
    bar.nparked = kept;
}

typedef struct round_wait {
    uint32_t *count;
    int from;
} round_wait_t;

/* Wait for the one rank that signals us in this round: a rank that has
 * already left the barrier (and perhaps the job) does not matter.  A
 * failure anywhere in the view ends it too: every survivor's barrier then
 * fails, and they meet again in the view that acknowledges it. */
static int round_done(void *arg)
{
    round_wait_t *w = arg;
    return *w->count > 0 || ordo__rt.peer_failed[w->from] || ordo__member_unacked();
}

int ordo__coll_barrier_init(void)
{
    memset(&bar, 0, sizeof(bar));
    bar.live = malloc(sizeof(*bar.live) * (size_t)ordo__rt.size);
    if (!bar.live)
        return ORDO_ERR_NOMEM;
    enter_view(0, 0); /* every rank */
    return ordo__rpc_handler_add("barrier", barrier_handler, NULL, 0, &bar.id);
}

void ordo__coll_barrier_fini(void)
{
    free(bar.live);
    bar.live = NULL;
}

/* The warning while a live rank keeps us waiting: a timer of the runtime's,
 * every ORDO_TIMEOUT_MS, so the wait itself is one ordo__wait_until. */
typedef struct round_warn {
    ordo__timer_t timer;
    const round_wait_t *w;
    uint64_t seq, start_ns, period_ns;
} round_warn_t;

static void warn_slow(void *arg)
{
    round_warn_t *rw = arg;
    uint64_t now = ordo__now_ns();
    ordo_log_warn("barrier %llu: rank %d has not come after %.1f s (it is alive); waiting on "
                  "(ORDO_BARRIER_TIMEOUT_MS bounds this)",
                  (unsigned long long)rw->seq, rw->w->from, (double)(now - rw->start_ns) / 1e9);
    if (ordo__timer_arm(&rw->timer, now + rw->period_ns) != ORDO_OK)
        ordo_log_debug("barrier %llu: no further warnings (no memory for the timer)",
                       (unsigned long long)rw->seq);
}

/* Wait for round w until the barrier's deadline (0: none), warning every
 * ORDO_TIMEOUT_MS. */
static int round_wait(round_wait_t *w, uint64_t seq, uint64_t deadline)
{
    round_warn_t rw = {.w = w,
                       .seq = seq,
                       .start_ns = ordo__now_ns(),
                       .period_ns = ordo__rt.cfg.timeout_ms * 1000000u};
    ordo__timer_init(&rw.timer, warn_slow, &rw);
    if (!deadline || deadline > rw.start_ns + rw.period_ns)
        (void)ordo__timer_arm(&rw.timer, rw.start_ns + rw.period_ns); /* no memory: no warning */
    int status = ordo__wait_until(round_done, w, deadline ? deadline : UINT64_MAX);
    ordo__timer_cancel(&rw.timer);
    return status;
}

int ordo__coll_barrier(void)
{
    int status = ORDO_OK;
    if (ordo__member_unacked())
        return ORDO_ERR_PEER_FAILED; /* the application acknowledges first */
    if ((uint32_t)ordo__member.nacked != bar.nacked || ordo__member.acked_hash != bar.view)
        enter_view((uint32_t)ordo__member.nacked, ordo__member.acked_hash);
    const int n = bar.nlive, pos = bar.pos, *live = bar.live;
    barrier_msg_t m = {.seq = bar.seq, .nacked = bar.nacked, .view = bar.view};
    uint64_t limit_ms = ordo__coll_cfg.barrier_timeout_ms;
    if (!limit_ms && !ordo__rt.cfg.peer_errors && !ordo__fd_cfg.enabled)
        limit_ms = ordo__rt.cfg.timeout_ms; /* nothing would tell us a peer died */
    uint64_t deadline = limit_ms ? ordo__now_ns() + limit_ms * 1000000u : 0;

    for (uint32_t k = 0; (1 << k) < n; k++) {
        round_wait_t w = {&bar.arrived[m.seq & 1][k], live[(pos - (1 << k) + n) % n]};
        m.round = k;
        status = ordo__rpc_send(live[(pos + (1 << k)) % n], bar.id, &m, sizeof(m));
        if (status != ORDO_OK)
            break;
        status = round_wait(&w, m.seq, deadline);
        if (status != ORDO_OK)
            break;
        if (*w.count == 0) {
            status = ORDO_ERR_PEER_FAILED;
            break;
        }
        (*w.count)--;
    }
    bar.seq++;
    /* A failure is the application's to acknowledge: said, not shouted. */
    if (status == ORDO_ERR_PEER_FAILED)
        ordo_log_info("barrier %llu failed: %s", (unsigned long long)m.seq, ordo_strerror(status));
    else if (status != ORDO_OK)
        ordo_log_error("barrier %llu failed: %s", (unsigned long long)m.seq, ordo_strerror(status));
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

/* ---- ordo_ibarrier's schedule ------------------------------------------ */

/* The same dissemination, as a schedule of the engine (sched.h): round k
 * sends an empty message to place p + 2^k and waits for p - 2^k's. */
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
    return ordo__coll_clog2(n) * ordo__coll_t(m, 0);
}

const ordo__coll_alg_t ordo__coll_barrier_algs[] = {
    {"dissemination", "ceil(log2 n) rounds: place p signals p + 2^k", build_dissemination,
     cost_dissemination},
};
