/*
 * module.h - the module registry: how the layers above the runtime plug in.
 *
 * The runtime never names what sits above it.  A layer (collectives,
 * consistency, and every later protocol) describes itself as a module: a
 * name, its configuration table, and hooks the runtime calls at fixed
 * points.  lib/ordo.c lists the modules in init order; ordo_init registers
 * them, then runs (runtime/init.c):
 *
 *   configuration of the runtime and of every module (one pass over environ)
 *   bootstrap, topology, clocks, message layer, transport, addresses
 *   module init, in registration order (they register handlers and timers)
 *   calibration, progress thread
 *
 * and ordo_finalize:
 *
 *   module quiesce, in reverse order (objects drain their writes)
 *   the message layer's sends complete, then every live rank agrees to
 *   leave (the leave a module offers), transport closed
 *   module fini, in reverse order, then the runtime's own pieces
 *
 * Hooks run under the runtime lock; any may be NULL.  Work that is due at
 * a time (a lease, a heartbeat, a gossip round, a warning) is a timer of
 * the runtime's timer service (timer.h), armed from any hook or handler;
 * its callback runs inside progress, under the lock, and must not block.
 */
#ifndef ORDO_RUNTIME_MODULE_H
#define ORDO_RUNTIME_MODULE_H

#include "runtime/config.h"

#include <stddef.h>
#include <stdint.h>

/* Modules one job can have; ordo__module_register refuses more. */
#define ORDO__MODULE_MAX 16

typedef struct ordo__module {
    const char *name;
    /* Configuration: entries whose offsets point into values; loaded and
     * validated with the runtime's own table, printed by ordo_info. */
    const ordo__cfg_entry_t *cfg;
    size_t cfg_len;
    void *cfg_values;
    size_t cfg_size;
    /* After the message layer is up, before calibration (so the module's
     * handlers exist on every rank before anyone sends).  A failure stops
     * ordo_init; modules initialized before it are finalized. */
    int (*init)(void);
    void (*fini)(void);
    /* Deferred work, run by progress after ordo__module_wake (a module that
     * still has work wakes itself again). */
    void (*progress)(void);
    /* Finish this module's own work before the job ends (ordo_finalize),
     * at most until deadline_ns. */
    int (*quiesce)(uint64_t deadline_ns);
    /* A peer failed or left; called once per peer, after the message layer
     * has ended the operations that waited for it. */
    void (*peer_failed)(int peer, int status);
    /* A service: block until every live rank has called it, never waiting
     * on a failed one.  ordo_finalize uses the first module that offers one
     * to know that every live rank has stopped sending. */
    int (*leave)(void);
    /* Set by the registry and the configuration's load. */
    unsigned index;
    int cfg_origin[ORDO__CFG_MAX];
} ordo__module_t;

/* The module's configuration table, with its values struct. */
static inline ordo__cfg_table_t ordo__module_cfg_table(const ordo__module_t *m)
{
    return (ordo__cfg_table_t){m->name, m->cfg, m->cfg_len, m->cfg_values, m->cfg_size};
}

/* Register a module (before ordo__rt_init reads the configuration). */
int ordo__module_register(ordo__module_t *m);
/* Forget every module (ordo_finalize, or a failed ordo_init). */
void ordo__module_clear(void);
size_t ordo__module_count(void);
ordo__module_t *ordo__module_at(size_t i);

/* The hooks, run over every module in the order the comment above gives. */
int ordo__modules_init(void);
void ordo__modules_fini(void);
int ordo__modules_quiesce(uint64_t deadline_ns);
void ordo__modules_peer_failed(int peer, int status);
int ordo__modules_leave(void);

/* Modules with deferred work: one bit per module (inline test in progress). */
extern volatile uint32_t ordo__modules_pending;
/* Any thread may wake a module (the failure detector's does). */
static inline void ordo__module_wake(const ordo__module_t *m)
{
    __atomic_fetch_or(&ordo__modules_pending, 1u << m->index, __ATOMIC_RELEASE);
}
void ordo__modules_progress(void);

#endif
