/*
 * coll.h - the collectives layer: what it offers the layers above and
 * lib/ordo.c (one file per family; today the barrier).
 */
#ifndef ORDO_COLLECTIVES_COLL_H
#define ORDO_COLLECTIVES_COLL_H

#include "runtime/module.h"

#include <stdint.h>

/* The collectives' configuration (their module's table). */
typedef struct ordo__coll_config {
    uint64_t barrier_timeout_ms; /* ORDO_BARRIER_TIMEOUT_MS: 0 = while the peers live */
} ordo__coll_config_t;
extern ordo__coll_config_t ordo__coll_cfg;

/* The module of the collectives (registered by lib/ordo.c). */
extern ordo__module_t ordo__coll_module;

/* The dissemination barrier (barrier.c), for layers above: fails with
 * ORDO_ERR_TIMEOUT or ORDO_ERR_PEER_FAILED instead of hanging.  bounded:
 * fail after ORDO_TIMEOUT_MS (ordo_finalize); else ORDO_BARRIER_TIMEOUT_MS
 * applies.  Called under the runtime lock. */
int ordo__coll_barrier(int bounded);

#endif
