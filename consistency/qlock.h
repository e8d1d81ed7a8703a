/*
 * qlock.h - quorum locks inside: the handle, the wire format, the lease
 * arithmetic, and what the client side (qlock.c) and the replica side
 * (qlock_replica.c) share.
 *
 * An attempt to acquire is named by (rank, attempt number); a rank's
 * attempt numbers only grow.  Messages (handler "qlock", one request each
 * way, replies by the message layer):
 *
 *   GRANT    attempt, lease D -> ORDO_OK and a grant reply: granted (with
 *            the replica's max_token) if the lock is free there, its grant
 *            expired (D + 2*rho*D after it was given, by the replica's
 *            clock), or already this attempt's (or an older one of the same
 *            rank); refused (with the holder) otherwise, and for an attempt
 *            its rank already released
 *   COMMIT   attempt, token   -> ORDO_OK if the attempt holds the replica's
 *            grant and token is above max_token (which it becomes), or is
 *            the token already committed with it; ORDO_ERR_NOT_HELD if the
 *            grant is another's, ORDO_ERR_FENCED if the token is not above
 *   RELEASE  attempt          -> ORDO_OK: the grant is freed if it is this
 *            attempt's; the rank's attempts up to this one are closed
 *
 * Why a token is larger than every earlier holder's: a replica accepts a
 * commit only while the attempt holds its grant and only for a token above
 * every token it accepted before; two quorums of commits meet at a replica,
 * which accepted the later holder's token after the earlier holder's grant
 * ended there.  Why two holders never overlap: q grants of 2q > N meet at
 * a replica, which grants again only once the earlier grant was released
 * or expired by its clock, and the holder stops trusting its lease
 * (D - 2*rho*D after it asked, by its own clock) before that.
 */
#ifndef ORDO_CONSISTENCY_QLOCK_H
#define ORDO_CONSISTENCY_QLOCK_H

#include "consistency/history.h"
#include "consistency/quorum.h"

#include <ordo.h>
#include <stddef.h>
#include <stdint.h>

#define ORDO__QLOCK_MAGIC 0x716c6b31u /* "qlk1" */

/* The longest lease: a day. */
#define ORDO__QLOCK_LEASE_MAX_US (86400ull * 1000000ull)

enum { ORDO__QLOCK_GRANT = 1, ORDO__QLOCK_COMMIT, ORDO__QLOCK_RELEASE };

typedef struct ordo__qlock_msg {
    uint32_t lock;
    uint8_t op;
    uint8_t pad[3];
    uint64_t attempt;
    uint64_t lease_ns; /* GRANT */
    uint64_t token;    /* COMMIT */
} ordo__qlock_msg_t;

/* A GRANT's reply. */
typedef struct ordo__qlock_grant_reply {
    uint8_t granted; /* 0 or 1 */
    uint8_t pad[3];
    int32_t holder;     /* refused: the rank that holds the grant (-1: none) */
    uint64_t max_token; /* granted: the largest token this replica accepted */
} ordo__qlock_grant_reply_t;

/* A replica's state of one lock. */
typedef struct ordo__qlock_replica {
    int holder;          /* rank of the grant, or -1: free */
    uint64_t attempt;    /* the grant's attempt */
    uint64_t token;      /* committed with the grant (0: not yet) */
    uint64_t expires_ns; /* by ordo__phys_ns(): grant time + D (+ 2*rho*D) */
    uint64_t max_token;  /* the largest token accepted */
    uint64_t *closed;    /* per rank: the largest attempt it released */
} ordo__qlock_replica_t;

typedef struct ordo__qlock_att ordo__qlock_att_t;

struct ordo_lock {
    uint32_t magic;
    uint32_t id;
    int n, q; /* replicas, quorum */
    int replica[ORDO__QUORUM_MAX_REPLICAS];
    int is_replica;
    /* client side */
    uint64_t attempts;       /* attempt numbers given out */
    ordo__qlock_att_t *held; /* the attempt that holds the lock, or NULL */
    uint64_t trust_until_ns; /* by ordo__phys_ns(): the lease as its holder trusts it */
    ordo__qlock_att_t *atts; /* attempts not freed yet (held, or rounds in flight) */
    uint32_t rng;            /* back-off */
    ordo_lock_stats_t stats;
    ordo__hist_file_t *hist;
    /* replica side */
    ordo__qlock_replica_t rep;
    struct ordo_lock *next;
};

/* 2*rho*D, the guard on a lease of lease_ns (0 with ORDO_LEASE_GUARD=n). */
static inline uint64_t ordo__qlock_guard_ns(uint64_t lease_ns)
{
    if (!ordo__quorum_cfg.lease_guard)
        return 0;
    uint64_t ppm2 = 2 * ordo__quorum_cfg.drift_ppm; /* lease_ns * ppm2 may not fit 64 bits */
    return lease_ns / 1000000 * ppm2 + lease_ns % 1000000 * ppm2 / 1000000;
}

/* qlock_set.c: the handler's id, the live locks. */
extern unsigned ordo__qlock_rpc_id;
struct ordo_lock *ordo__qlock_find(uint32_t id);
/* lock is a live lock (not destroyed). */
int ordo__qlock_valid(const struct ordo_lock *lock);

/* qlock.c: the call (or the holding) is done with attempt a (freed once
 * idle); free every attempt of a lock that goes. */
void ordo__qlock_att_let_go(ordo__qlock_att_t *a);
void ordo__qlock_atts_free(struct ordo_lock *lock);

/* qlock_replica.c: the handler; the replica's state. */
int ordo__qlock_handler(const ordo_rpc_msg_t *msg, void *arg);
int ordo__qlock_replica_init(struct ordo_lock *lock);
void ordo__qlock_replica_free(struct ordo_lock *lock);

#endif
