/* member.c - the membership view, and its public API (member.h says how a
 * failure travels through the layers). */
#include "ordo_config.h"

#include "runtime/member.h"

#include "runtime/fd.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

ordo__member_t ordo__member;

static struct {
    ordo_failure_cb_t cb;
    void *arg;
} callbacks[ORDO__MEMBER_CB_MAX];
static int ncallbacks;

/* Failed ranks whose transport endpoint is still to be closed: done from a
 * timer, as failures are often learnt inside the transport's callbacks. */
static ordo__timer_t down_timer;
static char *down_pending;

static void close_down(void *arg)
{
    (void)arg;
    for (int r = 0; r < ordo__rt.size; r++)
        if (down_pending[r]) {
            down_pending[r] = 0;
            if (ordo__rt.tl_ops->peer_down && ordo__rt.tl)
                ordo__rt.tl_ops->peer_down(ordo__rt.tl, r);
        }
}

int ordo__member_init(int nranks)
{
    memset(&ordo__member, 0, sizeof(ordo__member));
    ordo__member.acked = calloc((size_t)nranks, 1);
    down_pending = calloc((size_t)nranks, 1);
    ordo__timer_init(&down_timer, close_down, NULL);
    return ordo__member.acked && down_pending ? ORDO_OK : ORDO_ERR_NOMEM;
}

void ordo__member_fini(void)
{
    ordo__timer_cancel(&down_timer);
    free(down_pending);
    down_pending = NULL;
    free(ordo__member.acked);
    memset(&ordo__member, 0, sizeof(ordo__member));
    ncallbacks = 0;
}

void ordo__member_fail(int peer, int status, const char *why)
{
    if (peer < 0 || peer >= ordo__rt.size || peer == ordo__rt.rank || ordo__rt.peer_failed[peer])
        return;
    ordo__rt.peer_failed[peer] = 1;
    ordo__rt.npeers_failed++;
    uint64_t epoch = ++ordo__member.epoch;
    if (ordo__rt.finalizing)
        ordo_log_debug("rank %d has left (%s)", peer, why);
    else if (!ordo__member.out)
        ordo_log_warn("rank %d failed or is unreachable (%s): membership epoch %llu", peer, why,
                      (unsigned long long)epoch);
    /* Everything that waited for the peer ends now (what its endpoint still
     * holds, once the timer has closed it) ... */
    ordo__rpc_peer_down(peer, status);
    down_pending[peer] = 1;
    if (!ordo__timer_armed(&down_timer) && ordo__timer_arm(&down_timer, 0) != ORDO_OK)
        close_down(NULL); /* no memory for the timer: now, then */
    /* ... then the layers above, then the application. */
    ordo__modules_peer_failed(peer, status);
    ordo__in_handler++;
    for (int i = 0; i < ncallbacks; i++)
        callbacks[i].cb(peer, epoch, callbacks[i].arg);
    ordo__in_handler--;
}

void ordo__member_fail_self(int by)
{
    if (ordo__member.out)
        return;
    ordo__member.out = 1;
    if (!ordo__rt.finalizing)
        ordo_log_error("rank %d declared this rank failed (paused or cut off for longer than "
                       "ORDO_FD_TIMEOUT_MS): out of the job, every peer is failed for it",
                       by);
    for (int r = 0; r < ordo__rt.size; r++)
        if (r != ordo__rt.rank)
            ordo__member_fail(r, ORDO_ERR_PEER_FAILED, "this rank is out");
}

void ordo__member_transport_failed(void *arg, int peer, int status)
{
    (void)arg;
    if (ordo__rt.peer_failed[peer]) {
        /* Known already: what the transport still held ends now. */
        ordo__rpc_peer_down(peer, status);
        return;
    }
    ordo__member_fail(peer, status, "its connection broke");
}

int ordo__member_unacked(void)
{
    return ordo__rt.npeers_failed > ordo__member.nacked;
}

/* ---- public API ---------------------------------------------------------- */

int ordo_peer_state(int rank)
{
    ORDO__CHECK_INIT();
    if (rank < 0 || rank >= ordo__rt.size)
        return ORDO_ERR_INVALID;
    if (ordo__rt.peer_failed[rank])
        return ORDO_PEER_FAILED;
    return ordo__fd_suspected(rank) ? ORDO_PEER_SUSPECTED : ORDO_PEER_ALIVE;
}

ordo_status_t ordo_membership(ordo_membership_t *m)
{
    ORDO__CHECK_INIT();
    if (!m)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    memset(m, 0, sizeof(*m));
    m->epoch = ordo__member.epoch;
    m->acked_epoch = ordo__member.acked_epoch;
    m->failed = ordo__rt.npeers_failed;
    m->live = ordo__rt.size - ordo__rt.npeers_failed;
    m->out = ordo__member.out;
    for (int r = 0; r < ordo__rt.size; r++)
        m->suspected += !ordo__rt.peer_failed[r] && ordo__fd_suspected(r);
    ORDO__UNLOCK();
    return ORDO_OK;
}

ordo_status_t ordo_failure_cb_register(ordo_failure_cb_t cb, void *arg)
{
    ORDO__CHECK_INIT();
    if (!cb)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = ORDO_OK;
    if (ncallbacks == ORDO__MEMBER_CB_MAX)
        status = ORDO_ERR_NOMEM;
    else
        callbacks[ncallbacks++] = (typeof(callbacks[0])){cb, arg};
    ORDO__UNLOCK();
    return status;
}

/* A set's hash: two ranks that acknowledged the same failures agree on it. */
static uint64_t mix(uint64_t h, uint64_t r)
{
    uint64_t z = (r + 1) * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    return h ^ (z ^ (z >> 31));
}

ordo_status_t ordo_failure_ack(uint64_t *epoch)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    for (int r = 0; r < ordo__rt.size; r++)
        if (ordo__rt.peer_failed[r] && !ordo__member.acked[r]) {
            ordo__member.acked[r] = 1;
            ordo__member.nacked++;
            ordo__member.acked_hash = mix(ordo__member.acked_hash, (uint64_t)r);
        }
    ordo__member.acked_epoch = ordo__member.epoch;
    if (epoch)
        *epoch = ordo__member.acked_epoch;
    ORDO__UNLOCK();
    return ORDO_OK;
}
