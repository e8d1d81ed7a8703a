/*
 * barrier.c - the runtime's own barrier: dissemination over the message
 * layer (ceil(log2 n) rounds; in round k rank r signals r + 2^k).  Used by
 * ordo_finalize and start-up steps; it fails instead of hanging when a peer
 * dies or stops answering.
 */
#include "ordo_config.h"

#include "runtime/log.h"
#include "runtime/rt.h"

#include <string.h>

#define BARRIER_MAX_ROUNDS 32

typedef struct barrier_msg {
    uint64_t epoch;
    uint32_t round;
    uint32_t pad;
} barrier_msg_t;

static struct {
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

int ordo__rt_barrier_init(void)
{
    memset(&bar, 0, sizeof(bar));
    return ordo__rpc_register_internal(ORDO__RPC_ID_BARRIER, barrier_handler, NULL);
}

int ordo__rt_barrier(void)
{
    int n = ordo__rt.size, me = ordo__rt.rank, status = ORDO_OK;
    barrier_msg_t m = {.epoch = bar.epoch};
    uint64_t deadline = ordo__deadline();

    for (uint32_t k = 0; (1 << k) < n; k++) {
        round_wait_t w = {&bar.arrived[m.epoch & 1][k], (me - (1 << k) + n) % n};
        m.round = k;
        status = ordo__rpc_send((me + (1 << k)) % n, ORDO__RPC_ID_BARRIER, &m, sizeof(m));
        if (status != ORDO_OK)
            break;
        status = ordo__wait_until(round_done, &w, deadline);
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
