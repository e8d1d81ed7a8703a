/*
 * qlock_replica.c - a quorum lock's replica side: the grant (holder,
 * attempt, token, expiry by this rank's physical clock), the largest token
 * accepted, the attempts each rank has released, and the handler that
 * answers GRANT, COMMIT and RELEASE (qlock.h).
 */
#include "ordo_config.h"

#include "consistency/qlock.h"
#include "runtime/lclock.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

int ordo__qlock_replica_init(struct ordo_lock *lock)
{
    ordo__qlock_replica_t *rep = &lock->rep;
    memset(rep, 0, sizeof(*rep));
    rep->holder = -1;
    if (!lock->is_replica)
        return ORDO_OK;
    rep->closed = calloc((size_t)ordo__rt.size, sizeof(*rep->closed));
    return rep->closed ? ORDO_OK : ORDO_ERR_NOMEM;
}

void ordo__qlock_replica_free(struct ordo_lock *lock)
{
    free(lock->rep.closed);
    lock->rep.closed = NULL;
}

static int held_by(const ordo__qlock_replica_t *rep, int src, uint64_t attempt)
{
    return rep->holder == src && rep->attempt == attempt;
}

static int grant(const ordo_rpc_msg_t *msg, struct ordo_lock *lock, const ordo__qlock_msg_t *m)
{
    ordo__qlock_replica_t *rep = &lock->rep;
    ordo__qlock_grant_reply_t r = {.granted = 0, .holder = rep->holder};
    uint64_t now = ordo__phys_ns();
    int src = msg->src;
    /* A late copy of an attempt its rank has given up is refused. */
    int stale = m->attempt <= rep->closed[src] || (rep->holder == src && m->attempt < rep->attempt);
    if (!stale && held_by(rep, src, m->attempt)) {
        r.granted = 1; /* a copy of the request: the grant stands as it was */
    } else if (!stale && (rep->holder < 0 || rep->holder == src || now >= rep->expires_ns)) {
        /* Free, expired, or the same rank's older attempt (a rank asks
         * again only once it no longer trusts what it had). */
        rep->holder = src;
        rep->attempt = m->attempt;
        rep->token = 0;
        rep->expires_ns = now + m->lease_ns + ordo__qlock_guard_ns(m->lease_ns);
        r.granted = 1;
        lock->stats.replica_grants++;
    }
    if (r.granted) {
        r.holder = src;
        r.max_token = rep->max_token;
    } else {
        lock->stats.replica_refusals++;
    }
    return ordo_rpc_reply(msg, &r, sizeof(r));
}

static int commit(int src, struct ordo_lock *lock, const ordo__qlock_msg_t *m)
{
    ordo__qlock_replica_t *rep = &lock->rep;
    if (!held_by(rep, src, m->attempt))
        return ORDO_ERR_NOT_HELD;
    if (rep->token == m->token)
        return ORDO_OK; /* a copy */
    if (rep->token != 0 || m->token <= rep->max_token)
        return ORDO_ERR_FENCED;
    rep->token = m->token;
    rep->max_token = m->token;
    lock->stats.replica_commits++;
    return ORDO_OK;
}

static int release(int src, struct ordo_lock *lock, const ordo__qlock_msg_t *m)
{
    ordo__qlock_replica_t *rep = &lock->rep;
    if (m->attempt > rep->closed[src])
        rep->closed[src] = m->attempt;
    if (held_by(rep, src, m->attempt)) {
        rep->holder = -1;
        rep->token = 0;
        lock->stats.replica_frees++;
    }
    return ORDO_OK;
}

int ordo__qlock_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    ordo__qlock_msg_t m;
    if (msg->len != sizeof(m))
        return ORDO_ERR_MSG;
    memcpy(&m, msg->data, sizeof(m));
    if (m.attempt == 0 || m.op < ORDO__QLOCK_GRANT || m.op > ORDO__QLOCK_RELEASE)
        return ORDO_ERR_MSG;
    if (m.op == ORDO__QLOCK_GRANT &&
        (m.lease_ns == 0 || m.lease_ns > ORDO__QLOCK_LEASE_MAX_US * 1000))
        return ORDO_ERR_MSG;
    if (m.op == ORDO__QLOCK_COMMIT && m.token == 0)
        return ORDO_ERR_MSG;
    /* A rank declared failed is out: what it asks changes nothing here. */
    if (ordo__rt.peer_failed[msg->src])
        return ORDO_ERR_PEER_FAILED;
    struct ordo_lock *lock = ordo__qlock_find(m.lock);
    if (!lock || !lock->is_replica)
        return ORDO_ERR_INVALID; /* destroyed (a late message), never made, or not ours */
    switch (m.op) {
    case ORDO__QLOCK_GRANT:
        return grant(msg, lock, &m);
    case ORDO__QLOCK_COMMIT:
        return commit(msg->src, lock, &m);
    default:
        return release(msg->src, lock, &m);
    }
}
