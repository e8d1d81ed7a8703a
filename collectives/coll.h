/*
 * coll.h - the collectives layer: what it offers the layers above and
 * lib/ordo.c.  The module (module.c); the barrier (barrier.c); leaving
 * together (leave.c); the data collectives: the engine (sched.c), one file
 * per family (bcast.c, reduce.c, allreduce.c, allgather.c, alltoall.c),
 * the algorithm choice (model.c, algs.h), the reductions (op.c) and the
 * public calls (api.c).
 */
#ifndef ORDO_COLLECTIVES_COLL_H
#define ORDO_COLLECTIVES_COLL_H

#include "ordo.h"
#include "runtime/module.h"

#include <stdint.h>

/* The collectives' configuration (their module's table). */
typedef struct ordo__coll_config {
    uint64_t barrier_timeout_ms; /* ORDO_BARRIER_TIMEOUT_MS: 0 = while the peers live */
    uint64_t coll_timeout_ms;    /* ORDO_COLL_TIMEOUT_MS: the data collectives' */
    int alg[ORDO_COLL_FAMILIES]; /* ORDO_COLL_<FAMILY>: 0 auto, else algorithm index + 1 */
    uint64_t shm_chunk;          /* ORDO_COLL_SHM_CHUNK: bytes per rank of the node segment */
    int shm_cma;                 /* ORDO_COLL_SHM_CMA: the cma bcast may run */
    uint64_t shm_get_min;        /* ORDO_COLL_SHM_GET_MIN: a get bcast from this size */
} ordo__coll_config_t;
extern ordo__coll_config_t ordo__coll_cfg;

/* The module of the collectives (registered by lib/ordo.c). */
extern ordo__module_t ordo__coll_module;

/* The dissemination barrier (barrier.c: a schedule of the engine), for
 * layers above: over the view's members (those whose failure was not
 * acknowledged); fails with ORDO_ERR_PEER_FAILED while a failure is not
 * acknowledged, and with ORDO_ERR_TIMEOUT after ORDO_BARRIER_TIMEOUT_MS.
 * Called under the runtime lock. */
int ordo__coll_barrier(void);

/* The deadline of a blocking collective started now with a timeout of
 * limit_ms (ORDO_COLL_TIMEOUT_MS, ORDO_BARRIER_TIMEOUT_MS): 0 is no deadline
 * (UINT64_MAX) while the peers live, ORDO_TIMEOUT_MS when nothing would tell
 * that one died (ORDO_PEER_ERRORS=n and ORDO_FD=n). */
uint64_t ordo__coll_deadline(uint64_t limit_ms);

/* The model's start (model.c). */
int ordo__coll_model_init(void);

/* Leaving the job together (leave.c): the module's leave hook, which
 * ordo_finalize runs; its handler is registered by ordo__coll_leave_init. */
int ordo__coll_leave_init(void);
int ordo__coll_leave(void);
void ordo__coll_leave_fini(void);

#endif
