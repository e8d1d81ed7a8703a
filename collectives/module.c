/*
 * module.c - the collectives' module: configuration, start, end, progress
 * (the schedule engine) and what a failure does.
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/coll.h"
#include "collectives/node.h"
#include "runtime/clock.h"
#include "runtime/fd.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stddef.h>
#include <string.h>

ordo__coll_config_t ordo__coll_cfg;

uint64_t ordo__coll_deadline(uint64_t limit_ms)
{
    if (!limit_ms && !ordo__rt.cfg.peer_errors && !ordo__fd_cfg.enabled)
        limit_ms = ordo__rt.cfg.timeout_ms; /* nothing would tell us a peer died */
    return limit_ms ? ordo__now_ns() + limit_ms * 1000000u : UINT64_MAX;
}

static int choices_match(void);

static int coll_init(void)
{
    int status = choices_match();
    if (status != ORDO_OK) {
        ordo_log_error("collectives: ORDO_COLL_<FAMILY>'s choices differ from the algorithms");
        return status;
    }
    status = ordo__coll_leave_init();
    if (status == ORDO_OK)
        status = ordo__sched_init();
    if (status == ORDO_OK)
        status = ordo__node_init();
    if (status == ORDO_OK)
        status = ordo__coll_model_init();
    return status;
}

static void coll_fini(void)
{
    ordo__node_fini();
    ordo__sched_fini();
    ordo__coll_leave_fini();
}

static void coll_progress(void)
{
    if (ordo__node_progress())
        ordo__module_wake(&ordo__coll_module); /* polled until it ends */
    ordo__sched_progress();
}

static void coll_peer_failed(int peer, int status)
{
    ordo__sched_peer_failed(peer, status);
}

/* ORDO_COLL_<FAMILY>: "auto" or one of the family's algorithms. */
#define CHOICES(f, ...) static const char *const f##_choices[] = {"auto", __VA_ARGS__, NULL}
CHOICES(barrier, "dissemination", "shm");
CHOICES(bcast, "binomial", "knomial", "scatter_allgather", "linear", "shm");
CHOICES(reduce, "binomial", "ring", "shm");
CHOICES(allreduce, "recursive_doubling", "ring", "rabenseifner", "linear", "shm");
CHOICES(allgather, "recursive_doubling", "bruck", "ring", "linear", "shm");
CHOICES(alltoall, "pairwise", "bruck", "linear", "shm");

#define ALG_ENTRY(NAME, f, F)                                                                      \
    {                                                                                              \
        "ORDO_COLL_" NAME, ORDO__CFG_ENUM, "auto",                                                 \
            "The algorithm of ordo_" #f                                                            \
            ": auto (the cheapest the calibrated model predicts, per call) "                       \
            "or one of the listed ones, always.",                                                  \
            offsetof(ordo__coll_config_t, alg) + sizeof(int) * F, f##_choices, 0, 0, NULL          \
    }

static const ordo__cfg_entry_t coll_cfg_table[] = {
    /* [0] barrier timeout, [1] coll timeout, then one per family (FIRST_ALG on) */
    {"ORDO_BARRIER_TIMEOUT_MS", ORDO__CFG_UINT, "0",
     "Milliseconds ordo_barrier (and ordo_obj_alloc / ordo_obj_free) waits for the other ranks "
     "before it fails with ORDO_ERR_TIMEOUT; 0: as long as they are alive (a dead one fails it "
     "with ORDO_ERR_PEER_FAILED), with a warning every ORDO_TIMEOUT_MS; with "
     "ORDO_PEER_ERRORS=n and ORDO_FD=n, 0 means ORDO_TIMEOUT_MS.",
     offsetof(ordo__coll_config_t, barrier_timeout_ms), NULL, 0, 86400000, NULL},
    {"ORDO_COLL_TIMEOUT_MS", ORDO__CFG_UINT, "0",
     "Milliseconds a blocking data collective (ordo_bcast, ordo_allreduce, ...) waits before it "
     "fails with ORDO_ERR_TIMEOUT; 0: as long as the ranks it waits for are alive (a dead one "
     "fails it with ORDO_ERR_PEER_FAILED); with ORDO_PEER_ERRORS=n and ORDO_FD=n, 0 means "
     "ORDO_TIMEOUT_MS.",
     offsetof(ordo__coll_config_t, coll_timeout_ms), NULL, 0, 86400000, NULL},
    ALG_ENTRY("BARRIER", barrier, ORDO_COLL_BARRIER),
    ALG_ENTRY("BCAST", bcast, ORDO_COLL_BCAST),
    ALG_ENTRY("REDUCE", reduce, ORDO_COLL_REDUCE),
    ALG_ENTRY("ALLREDUCE", allreduce, ORDO_COLL_ALLREDUCE),
    ALG_ENTRY("ALLGATHER", allgather, ORDO_COLL_ALLGATHER),
    ALG_ENTRY("ALLTOALL", alltoall, ORDO_COLL_ALLTOALL),
    {"ORDO_COLL_SHM_CHUNK", ORDO__CFG_SIZE, "512K",
     "Bytes per rank of the node's shared segment, which the shm algorithms (barrier, bcast, "
     "reduce, allreduce, allgather, alltoall) move a chunk at a time when every rank of the job "
     "is on one host; the segment takes (ranks + 2) times this (rounded down to 64 bytes) in "
     "/dev/shm.  0: no segment, messages only.",
     offsetof(ordo__coll_config_t, shm_chunk), NULL, 0, 64u << 20, NULL},
    {"ORDO_COLL_SHM_CMA", ORDO__CFG_BOOL, "y",
     "Single copy for the shm bcast of more than two ORDO_COLL_SHM_CHUNKs: each rank reads the "
     "root's buffer straight into its own with process_vm_readv.  Probed at start-up and used "
     "only if every rank can (a ptrace policy or a seccomp filter may forbid it).  n: through "
     "the segment at every size.",
     offsetof(ordo__coll_config_t, shm_cma), NULL, 0, 0, NULL},
    {"ORDO_COLL_SHM_GET_MIN", ORDO__CFG_SIZE, "16K",
     "The shm bcast from a root whose buffer is ordo_mem_alloc memory (which a peer on the "
     "node maps) goes by single copy from this size on: each rank gets the payload with the "
     "transport's RMA get, straight from the root's buffer into its own, instead of through "
     "the segment a chunk at a time.  The root decides alone, from its own buffer.",
     offsetof(ordo__coll_config_t, shm_get_min), NULL, 0, 1ull << 40, NULL},
};

/* Each ORDO_COLL_<FAMILY>'s choices are "auto" and the family's algorithms,
 * in their order (the value is the index + 1). */
#define FIRST_ALG 2

static int choices_match(void)
{
    for (int f = 0; f < ORDO_COLL_FAMILIES; f++) {
        const ordo__coll_family_desc_t *d = &ordo__coll_families[f];
        const char *const *c = coll_cfg_table[FIRST_ALG + f].choices;
        for (int i = 0; i < d->nalgs; i++)
            if (!c[i + 1] || strcmp(c[i + 1], d->algs[i].name))
                return ORDO_ERR_INTERNAL;
        if (c[d->nalgs + 1])
            return ORDO_ERR_INTERNAL;
    }
    return ORDO_OK;
}

ordo__module_t ordo__coll_module = {
    .name = "collectives",
    .cfg = coll_cfg_table,
    .cfg_len = sizeof(coll_cfg_table) / sizeof(coll_cfg_table[0]),
    .cfg_values = &ordo__coll_cfg,
    .cfg_size = sizeof(ordo__coll_cfg),
    .init = coll_init,
    .fini = coll_fini,
    .progress = coll_progress,
    .peer_failed = coll_peer_failed,
    .leave = ordo__coll_leave,
};
