/* topo.h - which ranks share a node, and where each one runs (hwloc). */
#ifndef ORDO_RUNTIME_TOPO_H
#define ORDO_RUNTIME_TOPO_H

#include <stdio.h>

#define ORDO__HOST_MAX 64

typedef struct ordo__topo_rank {
    char host[ORDO__HOST_MAX];
    int node;       /* index of the host among the job's hosts, by first rank */
    int local_rank; /* rank among the processes of the same host */
    int numa;       /* NUMA node the process last ran on, -1 if unknown */
    int cpu;        /* PU the process last ran on, -1 if unknown */
    int pus;        /* processing units the process may run on */
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
} ordo__topo_t;

/* Read this process's place with hwloc and exchange it (bootstrap allgather). */
int ordo__topo_init(ordo__topo_t *topo, int rank, int nranks);
void ordo__topo_fini(ordo__topo_t *topo);
void ordo__topo_print(const ordo__topo_t *topo, FILE *out);

#endif
