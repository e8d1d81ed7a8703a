/* topo.h - which ranks share a node, where each one runs, and binding
 * (ORDO_BIND) of the ranks and of ordo's threads (hwloc). */
#ifndef ORDO_RUNTIME_TOPO_H
#define ORDO_RUNTIME_TOPO_H

#include <pthread.h>
#include <stdio.h>

#define ORDO__HOST_MAX 64
#define ORDO__SET_MAX  64 /* a CPU set as a list, e.g. "0-3,8-11" */

/* ORDO_BIND, in the order of its choices (config.c). */
typedef enum {
    ORDO__BIND_LAUNCHER, /* keep what the launcher (or taskset) did: ordo binds nothing */
    ORDO__BIND_NONE,     /* unbind: every PU the host allows this process */
    ORDO__BIND_CORE,     /* one core: core (local rank mod cores) */
    ORDO__BIND_NUMA,     /* the PUs of one NUMA node: node (local rank * nodes / local size) */
} ordo__bind_t;

/* ordo's threads, as ordo__topo_bind_thread() places them. */
typedef enum {
    ORDO__TOPO_THREAD_PROGRESS, /* within the rank's set */
    ORDO__TOPO_THREAD_FD,       /* the failure detector: the host's whole set */
    ORDO__TOPO_THREADS
} ordo__topo_thread_t;

typedef struct ordo__topo_rank {
    char host[ORDO__HOST_MAX];
    int node;                /* index of the host among the job's hosts, by first rank */
    int local_rank;          /* rank among the processes of the same host */
    int numa;                /* NUMA node the process last ran on, -1 if unknown */
    int cpu;                 /* PU the process last ran on, -1 if unknown */
    int pus;                 /* processing units the process may run on */
    char set[ORDO__SET_MAX]; /* those PUs, as a list ("" if unknown) */
} ordo__topo_rank_t;

typedef struct ordo__topo {
    int nranks;
    int nnodes;
    int local_size;
    ordo__topo_rank_t *ranks;
    int host_pus;   /* PUs of this host */
    int host_cores; /* cores of this host */
    int host_numa;  /* NUMA nodes of this host */
    char cpubind[128];
    int bind;               /* ORDO_BIND: ordo__bind_t */
    int shared_cores;       /* ORDO_BIND=core with more local ranks than cores */
    char host_set[128];     /* every PU the host allows this process */
    char launcher_set[128]; /* this process's set before ORDO_BIND applied */
    /* This rank's threads as read back after ordo__topo_bind_thread(); "" if
     * the thread was not started. */
    char thread_set[ORDO__TOPO_THREADS][128];
} ordo__topo_t;

/* Read this process's place with hwloc, bind it as bind (ordo__bind_t) says
 * and exchange where every rank runs (bootstrap allgather; collective). */
int ordo__topo_init(ordo__topo_t *topo, int rank, int nranks, int bind);
void ordo__topo_fini(ordo__topo_t *topo);
void ordo__topo_print(const ordo__topo_t *topo, FILE *out);

/* Name ("ordo-progress", "ordo-fd") and place one of ordo's threads (just
 * created by this process): with
 * ORDO_BIND=launcher it keeps the set it inherited; otherwise the progress
 * thread gets the rank's set and the failure detector's thread the host's
 * whole set.  Records the set read back; never fails the caller. */
void ordo__topo_bind_thread(ordo__topo_t *topo, pthread_t thread, ordo__topo_thread_t which);

/* The names of ORDO_BIND's values (defined with its config entry, config.c). */
extern const char *const ordo__bind_names[];

#endif
