/*
 * quorum.h - what the quorum protocols share: registers (qreg.c) and locks
 * (qlock.c) are built of rounds, and both log their operations to the
 * history (history.c).
 *
 * A round sends one request to each of a set of replica ranks and gathers
 * their answers by callback.  It is decided once `need` replicas answered
 * ORDO_OK, or once so many failed (an error status, a failed rank, a
 * replica already known failed is not even asked, an ORDO_OK answer the
 * owner's `answered` calls a refusal) that `need` cannot be reached any
 * more.  Answers that come after the decision are still
 * gathered (the request and reply buffers stay the round's until every
 * call has ended): the owner frees the round when it is idle.
 *
 * When this rank is one of the replicas and the owner gives a `local`
 * answer, the round asks it directly, after the messages to the others
 * have left (a round trip less for a quorum that includes this rank).
 *
 * The callbacks run inside progress, where nothing may be sent: a round's
 * owner that wants a next phase queues itself and wakes the quorum module
 * (ordo__quorum_defer), whose progress runs the deferred work next.
 */
#ifndef ORDO_CONSISTENCY_QUORUM_H
#define ORDO_CONSISTENCY_QUORUM_H

#include "consistency/obj.h"

#include <ordo.h>
#include <stddef.h>
#include <stdint.h>

/* The quorum module's configuration. */
typedef struct ordo__quorum_config {
    char history[1024];       /* ORDO_HISTORY: directory of the histories ("" off) */
    int history_format;       /* ORDO_HISTORY_FORMAT: 0 edn, 1 json */
    uint64_t drift_ppm;       /* ORDO_CLOCK_DRIFT_PPM: rho, the clocks' rate error bound */
    int lease_guard;          /* ORDO_LEASE_GUARD: n only to show what the guard prevents */
    uint64_t qreg_degrade_ms; /* ORDO_QREG_DEGRADE_MS: a degraded read's wait (0: every call) */
} ordo__quorum_config_t;
extern ordo__quorum_config_t ordo__quorum_cfg;

/* Replicas one key or lock can have. */
#define ORDO__QUORUM_MAX_REPLICAS 64

typedef struct ordo__qround ordo__qround_t;

typedef struct ordo__qround_call {
    ordo__qround_t *round;
    int idx;
} ordo__qround_call_t;

struct ordo__qround {
    /* Set by the owner before ordo__qround_start. */
    int n;                               /* replicas */
    int rank[ORDO__QUORUM_MAX_REPLICAS]; /* their ranks */
    int need;                            /* ORDO_OK answers that decide it */
    size_t cap;                          /* reply bytes per replica (0: none) */
    uint8_t *replies;                    /* n * cap bytes, the owner's */
    /* Each ORDO_OK answer (may be NULL: every one counts): 1 if it counts
     * towards need, 0 if it refuses (a lock replica's "held by another"),
     * which counts as a failed answer. */
    int (*answered)(ordo__qround_t *r, int idx);
    void (*decided)(ordo__qround_t *r); /* once */
    void (*idle)(ordo__qround_t *r);    /* decided and every call ended (may be NULL) */
    /* The answer of this rank's own replica, given at once instead of by a
     * message to itself (may be NULL: a message, as to the others): what
     * the handler would answer, into reply (cap bytes, *reply_len). */
    int (*local)(const void *req, size_t len, void *reply, size_t cap, size_t *reply_len);
    void *owner;
    /* Filled by the round. */
    int ok, bad, pending;
    int decided_ok; /* 1: need reached; 0: cannot be */
    int is_decided;
    int fenced;                            /* a replica answered ORDO_ERR_FENCED */
    int status[ORDO__QUORUM_MAX_REPLICAS]; /* per replica; 1 while in flight */
    size_t reply_len[ORDO__QUORUM_MAX_REPLICAS];
    ordo__qround_call_t call[ORDO__QUORUM_MAX_REPLICAS];
};

/* Send req (len bytes; it must stay valid until the round is idle) to every
 * replica of r with handler id.  The round may be decided (and even idle)
 * before this returns, when replicas are known failed or answer at once. */
void ordo__qround_start(ordo__qround_t *r, unsigned id, const void *req, size_t len);
/* Reply of replica idx (its ORDO_OK answer), cap bytes reserved. */
static inline const void *ordo__qround_reply(const ordo__qround_t *r, int idx)
{
    return r->replies + (size_t)idx * r->cap;
}
/* The round's outcome: ORDO_OK, ORDO_ERR_FENCED if a replica refused an old
 * token, else ORDO_ERR_NO_QUORUM. */
int ordo__qround_status(const ordo__qround_t *r);

/* The replica ranks of key: the first `replicas` distinct ranks from key's
 * point on the ring (ring.c's, over all ranks, so failures move nothing). */
void ordo__quorum_replicas(const ordo__ring_t *ring, uint64_t key, int replicas, int *out);

/* Work to run from the quorum module's progress (outside every callback):
 * fn(arg) once, in the order deferred.  ORDO_ERR_NOMEM if it cannot queue. */
int ordo__quorum_defer(void (*fn)(void *arg), void *arg);

/* Virtual nodes of the quorum ring (the objects' ORDO_OBJ_VNODES). */
const ordo__ring_t *ordo__quorum_ring(void);

/* Collective creation: the next id (the same on every rank: objects of the
 * quorum module are created in the same order everywhere). */
uint32_t ordo__quorum_next_id(void);

/* The parts of the module (qreg.c, qlock.c): init registers their handlers;
 * fini frees what is left; peer_failed runs in progress, sends nothing. */
int ordo__qreg_init(void);
void ordo__qreg_fini(void);
int ordo__qlock_init(void);
void ordo__qlock_fini(void);

/* The module (quorum.c), registered by lib/ordo.c after the objects. */
extern ordo__module_t ordo__quorum_module;

#endif
