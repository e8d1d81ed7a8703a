/*
 * qreg_set.c - quorum register sets: the table of live sets, creation and
 * destruction (collective), their counters and replicas, and the part of
 * the quorum module that is theirs.  The operations are qreg.c's, the
 * replicas' side qreg_replica.c's.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "consistency/qreg.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

unsigned ordo__qreg_rpc_id;
static struct ordo_qreg *live;

struct ordo_qreg *ordo__qreg_find(uint32_t id)
{
    for (struct ordo_qreg *r = live; r; r = r->next)
        if (r->id == id)
            return r;
    return NULL;
}

int ordo__qreg_valid(const struct ordo_qreg *reg)
{
    if (!reg)
        return 0;
    for (struct ordo_qreg *r = live; r; r = r->next)
        if (r == reg)
            return r->magic == ORDO__QREG_MAGIC;
    return 0;
}

ordo_status_t ordo_qreg_stats(const ordo_qreg_t *reg, ordo_qreg_stats_t *stats)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ordo__qreg_valid(reg) && stats ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK)
        *stats = reg->stats;
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_qreg_replicas(const ordo_qreg_t *reg, uint64_t key, int *replicas)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ordo__qreg_valid(reg) && replicas && key < reg->nkeys ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK)
        ordo__quorum_replicas(ordo__quorum_ring(), ordo__ring_key(reg->id, key), reg->R, replicas);
    ORDO__UNLOCK();
    return status;
}

/* ---- creation and destruction ------------------------------------------------------ */

static void unlink_reg(struct ordo_qreg *reg);

static int check_create(size_t nkeys, size_t vsize, int R, int W, int Q, unsigned flags)
{
    const unsigned known = ORDO_QREG_WEAK | ORDO_QREG_DEGRADED_READ | ORDO_QREG_NO_WRITEBACK;
    if (nkeys == 0 || vsize == 0 || vsize > ORDO_QREG_VALUE_MAX || (flags & ~known))
        return ORDO_ERR_INVALID;
    if (R < 1 || R > ordo__rt.size || R > ORDO__QUORUM_MAX_REPLICAS)
        return ORDO_ERR_INVALID;
    if (W < 1 || W > R || Q < 1 || Q > R)
        return ORDO_ERR_INVALID;
    if (W + Q <= R && !(flags & ORDO_QREG_WEAK))
        return ORDO_ERR_INVALID; /* a read quorum could miss the last write */
    return ORDO_OK;
}

ordo_status_t ordo_qreg_create(size_t nkeys, size_t value_size, int replicas, int w, int q,
                               unsigned flags, ordo_qreg_t **reg)
{
    ORDO__CHECK_INIT();
    if (!reg)
        return ORDO_ERR_INVALID;
    int status = check_create(nkeys, value_size, replicas, w, q, flags);
    if (status != ORDO_OK) {
        ordo_log_warn("ordo_qreg_create(nkeys %zu, value_size %zu, R %d, W %d, Q %d, flags %#x): "
                      "refused (needs 1 <= W, Q <= R <= %d ranks, W + Q > R unless "
                      "ORDO_QREG_WEAK, 1 <= value_size <= %d)",
                      nkeys, value_size, replicas, w, q, flags, ordo__rt.size, ORDO_QREG_VALUE_MAX);
        return status;
    }
    ORDO__LOCK();
    struct ordo_qreg *r = calloc(1, sizeof(*r));
    uint32_t id = ordo__quorum_next_id(); /* taken by every rank, made or not */
    if (r) {
        r->magic = ORDO__QREG_MAGIC;
        r->id = id;
        r->nkeys = nkeys;
        r->vsize = value_size;
        r->R = replicas;
        r->W = w;
        r->Q = q;
        r->flags = flags;
        if (flags & ORDO_QREG_DEGRADED_READ)
            r->degrade_ns = ordo__quorum_cfg.qreg_degrade_ms * 1000000u;
        r->stride = (sizeof(ordo__qreg_entry_t) + value_size + 7) / 8 * 8;
        r->hist = ordo__hist_open("qreg", id);
        r->next = live;
        live = r;
    }
    /* Every rank knows the register before any rank sends to it. */
    status = ordo__coll_barrier();
    if (!r && status == ORDO_OK)
        status = ORDO_ERR_NOMEM;
    ORDO__UNLOCK();
    if (status != ORDO_OK) {
        if (r) {
            ORDO__LOCK();
            unlink_reg(r);
            ORDO__UNLOCK();
        }
        return status;
    }
    *reg = r;
    return ORDO_OK;
}

static int none_open(void *arg)
{
    return ordo__qreg_open_ops(arg) == 0;
}

static void unlink_reg(struct ordo_qreg *reg)
{
    for (struct ordo_qreg **pp = &live; *pp; pp = &(*pp)->next)
        if (*pp == reg) {
            *pp = reg->next;
            break;
        }
    ordo__hist_close(reg->hist);
    ordo__qreg_replica_free(reg);
    reg->magic = 0;
    free(reg);
}

ordo_status_t ordo_qreg_destroy(ordo_qreg_t *reg)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ordo__qreg_valid(reg) && !ordo__in_handler ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK) {
        /* This rank's operations end first.  One that has ended for the
         * application but still awaits answers from replicas beyond its
         * quorum is not waited for (a replica cut off until the end, or a
         * lost answer, would hold this call for ORDO_TIMEOUT_MS): the
         * register stays, its replica serving, until those have come or
         * timed out (below, and qreg_fini). */
        status = ordo__wait_until(none_open, reg, 0);
        /* Every rank has stopped using it before its replicas go. */
        int bs = ordo__coll_barrier();
        if (status == ORDO_OK)
            status = bs;
        if (reg->inflight == 0) {
            unlink_reg(reg);
        } else {
            ordo__qreg_say_out(reg);
            reg->magic = ORDO__QREG_MAGIC ^ 1; /* its operations end it: see qreg_fini */
        }
    }
    ORDO__UNLOCK();
    return status;
}

int ordo__qreg_init(void)
{
    live = NULL;
    return ordo__rpc_handler_add("qreg", ordo__qreg_handler, NULL, ORDO__RPC_F_FAULTS,
                                 &ordo__qreg_rpc_id);
}

void ordo__qreg_fini(void)
{
    while (live) {
        struct ordo_qreg *reg = live;
        live = reg->next;
        ordo__qreg_ops_free(reg);
        ordo__hist_close(reg->hist);
        ordo__qreg_replica_free(reg);
        free(reg);
    }
}
