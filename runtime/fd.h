/*
 * fd.h - the failure detector: a runtime module with a light thread and a
 * transport channel of its own (ordo__tl_params_t.light), so heartbeats
 * are sent and answered while the application computes without calling
 * ordo, and never wait behind the message layer's traffic.
 *
 * Every ORDO_FD_PERIOD_MS the thread sends a heartbeat to every live peer.
 * A peer silent for half of ORDO_FD_TIMEOUT_MS is suspected, and
 * ORDO_FD_INDIRECT other ranks are asked whether they hear it (SWIM's
 * indirect probe: one that heard it itself lately vouches for it, with
 * the age of what it heard, never with a vouch it got); silent for the whole
 * timeout, it is declared failed, and the thread tells every other live
 * rank (an obituary), so their views agree within the timeout.  A rank that
 * receives a heartbeat from a rank it declared failed answers with the
 * obituary, so a rank that was paused or cut off learns that it is out.
 * A thread that itself did not run for half the timeout (the node is
 * overloaded, the process was stopped) suspects no one for that gap
 * (Lifeguard's local health: its own lateness is not the peers' silence).
 *
 * The thread never touches the message layer: it posts what it finds and
 * the module's progress hook applies it to the membership view (member.h).
 */
#ifndef ORDO_RUNTIME_FD_H
#define ORDO_RUNTIME_FD_H

#include "runtime/module.h"

#include <stdint.h>
#include <stdio.h>

typedef struct ordo__fd_config {
    int enabled;
    uint64_t period_ms;
    uint64_t timeout_ms;
    uint64_t indirect;
} ordo__fd_config_t;

extern ordo__fd_config_t ordo__fd_cfg;
extern ordo__module_t ordo__fd_module;

typedef struct ordo__fd_stats {
    uint64_t heartbeats_sent, heartbeats_received;
    uint64_t suspicions; /* peers suspected */
    uint64_t refuted;    /* suspicions ended by a heartbeat or a vouch */
    uint64_t declared;   /* peers this rank's detector declared failed */
    uint64_t stalls;     /* gaps of the thread itself, not held against peers */
    uint64_t cpu_ns;     /* CPU time its thread has used */
    uint64_t run_ns;     /* since its thread started */
} ordo__fd_stats_t;

/* 1 if this rank's detector suspects rank now (any thread). */
int ordo__fd_suspected(int rank);
/* The detector's counters (a snapshot). */
void ordo__fd_stats(ordo__fd_stats_t *out);
/* One line on the detector: settings, or why it does not run. */
void ordo__fd_describe(char *buf, size_t len);

#endif
