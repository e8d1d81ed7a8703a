/*
 * qlock_set.c - quorum locks as objects: the table of live locks, creation
 * and destruction (collective), their counters and replicas, and the part
 * of the quorum module that is theirs.  Acquire and release are qlock.c's,
 * the replicas' side qlock_replica.c's.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "consistency/qlock.h"
#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned ordo__qlock_rpc_id;
static struct ordo_lock *live;

struct ordo_lock *ordo__qlock_find(uint32_t id)
{
    for (struct ordo_lock *l = live; l; l = l->next)
        if (l->id == id && l->magic == ORDO__QLOCK_MAGIC)
            return l;
    return NULL;
}

int ordo__qlock_valid(const struct ordo_lock *lock)
{
    if (!lock)
        return 0;
    for (struct ordo_lock *l = live; l; l = l->next)
        if (l == lock)
            return l->magic == ORDO__QLOCK_MAGIC;
    return 0;
}

ordo_status_t ordo_lock_stats(const ordo_lock_t *lock, ordo_lock_stats_t *stats)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ordo__qlock_valid(lock) && stats ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK)
        *stats = lock->stats;
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_lock_replicas(const ordo_lock_t *lock, int *replicas)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ordo__qlock_valid(lock) && replicas ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK)
        memcpy(replicas, lock->replica, (size_t)lock->n * sizeof(int));
    ORDO__UNLOCK();
    return status;
}

/* ---- creation and destruction ------------------------------------------------------- */

static void lock_free(struct ordo_lock *lock)
{
    ordo__qlock_atts_free(lock);
    ordo__hist_close(lock->hist);
    ordo__qlock_replica_free(lock);
    lock->magic = 0;
    free(lock);
}

static void unlink_lock(struct ordo_lock *lock)
{
    for (struct ordo_lock **pp = &live; *pp; pp = &(*pp)->next)
        if (*pp == lock) {
            *pp = lock->next;
            break;
        }
    lock_free(lock);
}

static struct ordo_lock *lock_new(uint32_t id, int n)
{
    struct ordo_lock *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->magic = ORDO__QLOCK_MAGIC;
    l->id = id;
    l->n = n;
    l->q = n / 2 + 1;
    ordo__quorum_replicas(ordo__quorum_ring(), ordo__ring_key(id, 0), n, l->replica);
    for (int i = 0; i < n; i++)
        l->is_replica |= l->replica[i] == ordo__rt.rank;
    if (ordo__qlock_replica_init(l) != ORDO_OK) {
        free(l);
        return NULL;
    }
    l->stats.replicas = n;
    l->stats.quorum = l->q;
    l->stats.tolerates = n - l->q;
    l->rng = (uint32_t)(ordo__phys_ns() ^ (0x9e3779b9u * (uint32_t)(ordo__rt.rank + 1))) | 1;
    l->hist = ordo__hist_open("lock", id);
    return l;
}

static void log_created(const struct ordo_lock *l)
{
    char ranks[256];
    size_t len = 0;
    ranks[0] = 0;
    for (int i = 0; i < l->n && len + 16 < sizeof(ranks); i++)
        len +=
            (size_t)snprintf(ranks + len, sizeof(ranks) - len, "%s%d", i ? " " : "", l->replica[i]);
    ordo_log_info("lock %u: N = %d replicas (ranks %s), quorum q = %d: survives f = %d failed "
                  "replicas",
                  (unsigned)l->id, l->n, ranks, l->q, l->n - l->q);
}

ordo_status_t ordo_lock_create(int replicas, ordo_lock_t **lock)
{
    ORDO__CHECK_INIT();
    if (!lock || replicas < 1 || replicas > ordo__rt.size || replicas > ORDO__QUORUM_MAX_REPLICAS) {
        ordo_log_warn("ordo_lock_create(replicas %d, lock %p): refused (needs 1 <= replicas <= "
                      "%d ranks, at most %d, and somewhere to put the handle)",
                      replicas, (void *)lock, ordo__rt.size, ORDO__QUORUM_MAX_REPLICAS);
        return ORDO_ERR_INVALID;
    }
    ORDO__LOCK();
    uint32_t id = ordo__quorum_next_id(); /* taken by every rank, made or not */
    struct ordo_lock *l = lock_new(id, replicas);
    if (l) {
        l->next = live;
        live = l;
    }
    /* Every rank knows the lock before any rank sends to it. */
    int status = ordo__coll_barrier();
    if (!l && status == ORDO_OK)
        status = ORDO_ERR_NOMEM;
    if (status != ORDO_OK && l)
        unlink_lock(l);
    ORDO__UNLOCK();
    if (status != ORDO_OK)
        return status;
    if (ordo__rt.rank == 0)
        log_created(l);
    *lock = l;
    return ORDO_OK;
}

static int no_attempts(void *arg)
{
    return ((struct ordo_lock *)arg)->atts == NULL;
}

ordo_status_t ordo_lock_destroy(ordo_lock_t *lock)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ordo__qlock_valid(lock) && !ordo__in_handler ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK) {
        /* A lease still held goes with the replicas: nothing to send. */
        ordo__qlock_att_t *a = lock->held;
        lock->held = NULL;
        if (a)
            ordo__qlock_att_let_go(a);
        /* This rank's messages end first (they may still be answered). */
        status = ordo__wait_until(no_attempts, lock, 0);
        /* Every rank has stopped using it before its replicas go. */
        int bs = ordo__coll_barrier();
        if (status == ORDO_OK)
            status = bs;
        if (!lock->atts)
            unlink_lock(lock);
        else
            lock->magic = ORDO__QLOCK_MAGIC ^ 1; /* its attempts end it: see qlock_fini */
    }
    ORDO__UNLOCK();
    return status;
}

int ordo__qlock_init(void)
{
    live = NULL;
    return ordo__rpc_handler_add("qlock", ordo__qlock_handler, NULL, ORDO__RPC_F_FAULTS,
                                 &ordo__qlock_rpc_id);
}

void ordo__qlock_fini(void)
{
    while (live) {
        struct ordo_lock *l = live;
        live = l->next;
        lock_free(l);
    }
}
