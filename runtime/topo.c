/* topo.c - node topology with hwloc, exchanged over the bootstrap. */
#include "ordo_config.h"

#include "runtime/topo.h"

#include "runtime/boot.h"
#include "runtime/log.h"

#include <hwloc.h>
#include <ordo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void read_local(ordo__topo_t *t, ordo__topo_rank_t *me)
{
    hwloc_topology_t topo;
    hwloc_bitmap_t set = NULL;

    me->numa = -1;
    me->cpu = -1;
    me->pus = 0;
    if (hwloc_topology_init(&topo) != 0)
        return;
    if (hwloc_topology_load(topo) != 0)
        goto out;
    t->host_pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    t->host_cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    t->host_numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    set = hwloc_bitmap_alloc();
    if (!set)
        goto out;
    if (hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_PROCESS) == 0) {
        me->pus = hwloc_bitmap_weight(set);
        hwloc_bitmap_list_snprintf(t->cpubind, sizeof(t->cpubind), set);
    }
    if (hwloc_get_last_cpu_location(topo, set, HWLOC_CPUBIND_THREAD) == 0) {
        me->cpu = hwloc_bitmap_first(set);
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topo, (unsigned)me->cpu);
        hwloc_obj_t numa = NULL;
        if (pu)
            numa = hwloc_get_next_obj_covering_cpuset_by_type(topo, pu->cpuset, HWLOC_OBJ_NUMANODE,
                                                              NULL);
        if (numa)
            me->numa = (int)numa->os_index;
    }
out:
    if (set)
        hwloc_bitmap_free(set);
    hwloc_topology_destroy(topo);
}

int ordo__topo_init(ordo__topo_t *t, int rank, int nranks)
{
    ordo__topo_rank_t me;
    int status;

    memset(t, 0, sizeof(*t));
    memset(&me, 0, sizeof(me));
    if (gethostname(me.host, sizeof(me.host) - 1) != 0)
        snprintf(me.host, sizeof(me.host), "unknown");
    read_local(t, &me);
    t->nranks = nranks;
    t->ranks = calloc((size_t)nranks, sizeof(*t->ranks));
    if (!t->ranks)
        return ORDO_ERR_NOMEM;
    status = ordo__boot_allgather(&me, sizeof(me), t->ranks);
    if (status != ORDO_OK) {
        free(t->ranks);
        t->ranks = NULL;
        return status;
    }
    /* Number the hosts by their first rank, and the ranks within each host. */
    for (int r = 0; r < nranks; r++) {
        ordo__topo_rank_t *x = &t->ranks[r];
        x->node = -1;
        x->local_rank = 0;
        for (int q = 0; q < r; q++) {
            if (strcmp(t->ranks[q].host, x->host) == 0) {
                x->node = t->ranks[q].node;
                x->local_rank++;
            }
        }
        if (x->node < 0)
            x->node = t->nnodes++;
    }
    for (int r = 0; r < nranks; r++)
        if (t->ranks[r].node == t->ranks[rank].node)
            t->local_size++;
    ordo_log_debug("topology: host %s, local rank %d of %d, NUMA %d, cpu %d, bound to %s",
                   t->ranks[rank].host, t->ranks[rank].local_rank, t->local_size,
                   t->ranks[rank].numa, t->ranks[rank].cpu, t->cpubind);
    return ORDO_OK;
}

void ordo__topo_fini(ordo__topo_t *t)
{
    free(t->ranks);
    t->ranks = NULL;
}

void ordo__topo_print(const ordo__topo_t *t, FILE *out)
{
    fprintf(
        out,
        "# topology: %d rank(s) on %d node(s); this host: %d PU(s), %d core(s), %d NUMA node(s)\n",
        t->nranks, t->nnodes, t->host_pus, t->host_cores, t->host_numa);
    fprintf(out, "# %6s %-24s %5s %6s %5s %4s %4s\n", "rank", "host", "node", "local", "numa",
            "cpu", "pus");
    for (int r = 0; r < t->nranks; r++) {
        const ordo__topo_rank_t *x = &t->ranks[r];
        fprintf(out, "  %6d %-24s %5d %6d %5d %4d %4d\n", r, x->host, x->node, x->local_rank,
                x->numa, x->cpu, x->pus);
    }
}
