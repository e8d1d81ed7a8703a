/*
 * barrier.c - ordo_barrier, and the collectives' module: dissemination over
 * the message layer (ceil(log2 n) rounds; in round k rank r signals r + 2^k).  A rank
 * that computes long before it comes is waited for, as MPI_Barrier would
 * (ORDO_BARRIER_TIMEOUT_MS can bound that); a dead one fails the barrier
 * with ORDO_ERR_PEER_FAILED.  ordo_finalize's barrier gives up after
 * ORDO_TIMEOUT_MS.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/rt.h"
#include "runtime/timer.h"

#include <stddef.h>
#include <string.h>

#define BARRIER_MAX_ROUNDS 32

typedef struct barrier_msg {
    uint64_t epoch;
    uint32_t round;
    uint32_t pad;
} barrier_msg_t;

static struct {
    unsigned id; /* the barrier's handler */
    uint64_t epoch;
    /* A peer can be at most one epoch ahead of us, so two sets of counters do. */
    uint32_t arrived[2][BARRIER_MAX_ROUNDS];
} bar;

static int barrier_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    barrier_msg_t m;
    (void)arg;
    if (msg->len != sizeof(m)) {
        ordo_log_warn("barrier message of %zu bytes from rank %d dropped", msg->len, msg->src);
        return ORDO_ERR_MSG;
    }
    memcpy(&m, msg->data, sizeof(m));
    if (m.round >= BARRIER_MAX_ROUNDS || (m.epoch != bar.epoch && m.epoch != bar.epoch + 1)) {
        ordo_log_warn("barrier message (epoch %llu round %u) from rank %d dropped",
                      (unsigned long long)m.epoch, m.round, msg->src);
        return ORDO_ERR_MSG;
    }
    bar.arrived[m.epoch & 1][m.round]++;
    return ORDO_OK;
}

typedef struct round_wait {
    uint32_t *count;
    int from;
} round_wait_t;

/* Wait for the one rank that signals us in this round: a rank that has
 * already left the barrier (and perhaps the job) does not matter. */
static int round_done(void *arg)
{
    round_wait_t *w = arg;
    return *w->count > 0 || ordo__rt.peer_failed[w->from];
}

static int coll_init(void)
{
    memset(&bar, 0, sizeof(bar));
    return ordo__rpc_handler_add("barrier", barrier_handler, NULL, 0, &bar.id);
}

/* The warning while a live rank keeps us waiting: a timer of the runtime's,
 * every ORDO_TIMEOUT_MS, so the wait itself is one ordo__wait_until. */
typedef struct round_warn {
    ordo__timer_t timer;
    const round_wait_t *w;
    uint64_t epoch, start_ns, period_ns;
} round_warn_t;

static void warn_slow(void *arg)
{
    round_warn_t *rw = arg;
    uint64_t now = ordo__now_ns();
    ordo_log_warn("barrier %llu: rank %d has not come after %.1f s (it is alive); waiting on "
                  "(ORDO_BARRIER_TIMEOUT_MS bounds this)",
                  (unsigned long long)rw->epoch, rw->w->from, (double)(now - rw->start_ns) / 1e9);
    if (ordo__timer_arm(&rw->timer, now + rw->period_ns) != ORDO_OK)
        ordo_log_debug("barrier %llu: no further warnings (no memory for the timer)",
                       (unsigned long long)rw->epoch);
}

/* Wait for round w until the barrier's deadline (0: none), warning every
 * ORDO_TIMEOUT_MS. */
static int round_wait(round_wait_t *w, uint64_t epoch, uint64_t deadline)
{
    round_warn_t rw = {.w = w,
                       .epoch = epoch,
                       .start_ns = ordo__now_ns(),
                       .period_ns = ordo__rt.cfg.timeout_ms * 1000000u};
    ordo__timer_init(&rw.timer, warn_slow, &rw);
    if (!deadline || deadline > rw.start_ns + rw.period_ns)
        (void)ordo__timer_arm(&rw.timer, rw.start_ns + rw.period_ns); /* no memory: no warning */
    int status = ordo__wait_until(round_done, w, deadline ? deadline : UINT64_MAX);
    ordo__timer_cancel(&rw.timer);
    return status;
}

int ordo__coll_barrier(int bounded)
{
    int n = ordo__rt.size, me = ordo__rt.rank, status = ORDO_OK;
    barrier_msg_t m = {.epoch = bar.epoch};
    uint64_t limit_ms = bounded ? ordo__rt.cfg.timeout_ms : ordo__coll_cfg.barrier_timeout_ms;
    if (!limit_ms && !ordo__rt.cfg.peer_errors)
        limit_ms = ordo__rt.cfg.timeout_ms; /* nothing would tell us a peer died */
    uint64_t deadline = limit_ms ? ordo__now_ns() + limit_ms * 1000000u : 0;

    for (uint32_t k = 0; (1 << k) < n; k++) {
        round_wait_t w = {&bar.arrived[m.epoch & 1][k], (me - (1 << k) + n) % n};
        m.round = k;
        status = ordo__rpc_send((me + (1 << k)) % n, bar.id, &m, sizeof(m));
        if (status != ORDO_OK)
            break;
        status = round_wait(&w, m.epoch, deadline);
        if (status != ORDO_OK)
            break;
        if (*w.count == 0) {
            status = ORDO_ERR_PEER_FAILED;
            break;
        }
        (*w.count)--;
    }
    bar.epoch++;
    if (status != ORDO_OK)
        ordo_log_error("barrier %llu failed: %s", (unsigned long long)m.epoch,
                       ordo_strerror(status));
    return status;
}

ordo_status_t ordo_barrier(void)
{
    ORDO__CHECK_INIT();
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = ordo__coll_barrier(0);
    ORDO__UNLOCK();
    return status;
}

/* ---- the module --------------------------------------------------------- */

ordo__coll_config_t ordo__coll_cfg;

static const ordo__cfg_entry_t coll_cfg_table[] = {
    {"ORDO_BARRIER_TIMEOUT_MS", ORDO__CFG_UINT, "0",
     "Milliseconds ordo_barrier (and ordo_obj_alloc / ordo_obj_free) waits for the other ranks "
     "before it fails with ORDO_ERR_TIMEOUT; 0: as long as they are alive (a dead one fails it "
     "with ORDO_ERR_PEER_FAILED), with a warning every ORDO_TIMEOUT_MS; with "
     "ORDO_PEER_ERRORS=n, 0 means ORDO_TIMEOUT_MS.",
     offsetof(ordo__coll_config_t, barrier_timeout_ms), NULL, 0, 86400000, NULL},
};

ordo__module_t ordo__coll_module = {
    .name = "collectives",
    .cfg = coll_cfg_table,
    .cfg_len = sizeof(coll_cfg_table) / sizeof(coll_cfg_table[0]),
    .cfg_values = &ordo__coll_cfg,
    .cfg_size = sizeof(ordo__coll_cfg),
    .init = coll_init,
    .barrier = ordo__coll_barrier,
};
