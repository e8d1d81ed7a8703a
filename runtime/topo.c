/* topo.c - node topology and binding (ORDO_BIND) with hwloc, exchanged over
 * the bootstrap. */
/* pthread_setname_np */
#define _GNU_SOURCE
#include "ordo_config.h"

#include "runtime/topo.h"

#include "runtime/boot.h"
#include "runtime/log.h"

#include <errno.h>
#include <hwloc.h>
#include <ordo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* This host's topology, loaded once at init, and the rank's set under ORDO_BIND. */
static hwloc_topology_t hw;
static int hw_loaded;
static hwloc_bitmap_t rank_set;

static int hw_load(void)
{
    if (hwloc_topology_init(&hw) != 0)
        return -1;
    if (hwloc_topology_load(hw) != 0) {
        hwloc_topology_destroy(hw);
        return -1;
    }
    hw_loaded = 1;
    return 0;
}

static void hw_unload(void)
{
    if (rank_set)
        hwloc_bitmap_free(rank_set);
    rank_set = NULL;
    if (hw_loaded)
        hwloc_topology_destroy(hw);
    hw_loaded = 0;
}

static void read_local(ordo__topo_t *t, ordo__topo_rank_t *me)
{
    hwloc_bitmap_t set = NULL;

    me->numa = -1;
    me->cpu = -1;
    me->pus = 0;
    me->set[0] = '\0';
    if (!hw_loaded)
        return;
    t->host_pus = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_PU);
    t->host_cores = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_CORE);
    t->host_numa = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_NUMANODE);
    hwloc_bitmap_list_snprintf(t->host_set, sizeof(t->host_set),
                               hwloc_topology_get_allowed_cpuset(hw));
    set = hwloc_bitmap_alloc();
    if (!set)
        return;
    if (hwloc_get_cpubind(hw, set, HWLOC_CPUBIND_PROCESS) == 0) {
        me->pus = hwloc_bitmap_weight(set);
        hwloc_bitmap_list_snprintf(t->cpubind, sizeof(t->cpubind), set);
        hwloc_bitmap_list_snprintf(me->set, sizeof(me->set), set);
    }
    if (hwloc_get_last_cpu_location(hw, set, HWLOC_CPUBIND_THREAD) == 0) {
        me->cpu = hwloc_bitmap_first(set);
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(hw, (unsigned)me->cpu);
        hwloc_obj_t numa = NULL;
        if (pu)
            numa = hwloc_get_next_obj_covering_cpuset_by_type(hw, pu->cpuset, HWLOC_OBJ_NUMANODE,
                                                              NULL);
        if (numa)
            me->numa = (int)numa->os_index;
    }
    hwloc_bitmap_free(set);
}

/* The set ORDO_BIND gives this rank (into set), or -1 with a message. */
static int bind_target(const ordo__topo_t *t, int local_rank, hwloc_bitmap_t set)
{
    hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(hw);
    hwloc_obj_t obj = NULL;

    if (t->bind == ORDO__BIND_CORE) {
        int ncores = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_CORE);
        hwloc_obj_type_t type = ncores > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
        int n = ncores > 0 ? ncores : hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_PU);
        if (n > 0)
            obj = hwloc_get_obj_by_type(hw, type, (unsigned)(local_rank % n));
    } else if (t->bind == ORDO__BIND_NUMA) {
        int nnuma = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_NUMANODE);
        if (nnuma > 0)
            obj = hwloc_get_obj_by_type(hw, HWLOC_OBJ_NUMANODE,
                                        (unsigned)(local_rank * nnuma / t->local_size));
    }
    if (t->bind == ORDO__BIND_NONE)
        hwloc_bitmap_copy(set, allowed);
    else if (obj)
        hwloc_bitmap_and(set, obj->cpuset, allowed);
    else
        hwloc_bitmap_zero(set);
    if (hwloc_bitmap_iszero(set)) {
        ordo_log_error("ORDO_BIND=%s: hwloc finds no %s for local rank %d among the PUs this "
                       "process may use (%s)",
                       ordo__bind_names[t->bind], t->bind == ORDO__BIND_NUMA ? "NUMA node" : "core",
                       local_rank, t->host_set);
        return -1;
    }
    return 0;
}

/* Bind every thread of the process (MPI's and UCX's included) to the set
 * ORDO_BIND gives it. */
static int bind_self(ordo__topo_t *t, int local_rank)
{
    char want[128];

    rank_set = hwloc_bitmap_alloc();
    if (!rank_set)
        return ORDO_ERR_NOMEM;
    if (!hw_loaded) {
        ordo_log_error("ORDO_BIND=%s: hwloc could not load this host's topology",
                       ordo__bind_names[t->bind]);
        return ORDO_ERR_UNSUPPORTED;
    }
    if (bind_target(t, local_rank, rank_set) != 0)
        return ORDO_ERR_UNSUPPORTED;
    hwloc_bitmap_list_snprintf(want, sizeof(want), rank_set);
    if (hwloc_set_cpubind(hw, rank_set, HWLOC_CPUBIND_PROCESS) != 0) {
        ordo_log_error("ORDO_BIND=%s: cannot bind local rank %d to PUs %s: %s",
                       ordo__bind_names[t->bind], local_rank, want, strerror(errno));
        return ORDO_ERR_UNSUPPORTED;
    }
    if (t->shared_cores && local_rank == 0)
        ordo_log_info("ORDO_BIND=core: %d ranks on %d core(s) of this host: cores are shared "
                      "round-robin (local rank r on core r mod %d)",
                      t->local_size, t->host_cores, t->host_cores);
    ordo_log_debug("ORDO_BIND=%s: local rank %d bound to PUs %s (was %s)",
                   ordo__bind_names[t->bind], local_rank, want, t->launcher_set);
    return ORDO_OK;
}

/* Number the hosts by their first rank, and the ranks within each host. */
static void number_hosts(ordo__topo_t *t, int rank)
{
    t->nnodes = 0;
    t->local_size = 0;
    for (int r = 0; r < t->nranks; r++) {
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
    for (int r = 0; r < t->nranks; r++)
        if (t->ranks[r].node == t->ranks[rank].node)
            t->local_size++;
}

static int exchange(ordo__topo_t *t, int rank)
{
    ordo__topo_rank_t me;

    memset(&me, 0, sizeof(me));
    if (gethostname(me.host, sizeof(me.host) - 1) != 0)
        snprintf(me.host, sizeof(me.host), "unknown");
    read_local(t, &me);
    int status = ordo__boot_allgather(&me, sizeof(me), t->ranks);
    if (status == ORDO_OK)
        number_hosts(t, rank);
    return status;
}

int ordo__topo_init(ordo__topo_t *t, int rank, int nranks, int bind)
{
    int status;

    memset(t, 0, sizeof(*t));
    t->bind = bind;
    t->nranks = nranks;
    t->ranks = calloc((size_t)nranks, sizeof(*t->ranks));
    if (!t->ranks)
        return ORDO_ERR_NOMEM;
    if (hw_load() != 0)
        ordo_log_warn("hwloc cannot load this host's topology: no placement information");
    status = exchange(t, rank);
    snprintf(t->launcher_set, sizeof(t->launcher_set), "%s", t->cpubind);
    if (status == ORDO_OK && bind != ORDO__BIND_LAUNCHER) {
        /* Binding needs the local rank: bind, every rank agrees, then
         * exchange where each one runs now. */
        t->shared_cores = bind == ORDO__BIND_CORE && t->local_size > t->host_cores;
        status = ordo__boot_agree(bind_self(t, t->ranks[rank].local_rank));
        if (status == ORDO_OK)
            status = exchange(t, rank);
    }
    if (status != ORDO_OK) {
        ordo__topo_fini(t);
        return status;
    }
    ordo_log_debug("topology: host %s, local rank %d of %d, NUMA %d, cpu %d, bound to %s "
                   "(ORDO_BIND=%s)",
                   t->ranks[rank].host, t->ranks[rank].local_rank, t->local_size,
                   t->ranks[rank].numa, t->ranks[rank].cpu, t->cpubind, ordo__bind_names[bind]);
    return ORDO_OK;
}

void ordo__topo_fini(ordo__topo_t *t)
{
    free(t->ranks);
    t->ranks = NULL;
    hw_unload();
}

void ordo__topo_bind_thread(ordo__topo_t *t, pthread_t thread, ordo__topo_thread_t which)
{
    char *out = t->thread_set[which];
    hwloc_bitmap_t set;

    /* Named, so that top -H, ps -L and tests (test_bind.c) can tell them apart. */
    pthread_setname_np(thread, which == ORDO__TOPO_THREAD_PROGRESS ? "ordo-progress" : "ordo-fd");
    snprintf(out, sizeof(t->thread_set[which]), "?");
    if (!hw_loaded || !(set = hwloc_bitmap_alloc()))
        return;
    if (t->bind != ORDO__BIND_LAUNCHER) {
        hwloc_const_cpuset_t want = which == ORDO__TOPO_THREAD_PROGRESS && rank_set
                                        ? rank_set
                                        : hwloc_topology_get_allowed_cpuset(hw);
        if (hwloc_set_thread_cpubind(hw, thread, want, 0) != 0)
            ordo_log_warn("ORDO_BIND=%s: cannot bind the %s thread: %s", ordo__bind_names[t->bind],
                          which == ORDO__TOPO_THREAD_PROGRESS ? "progress" : "failure detector",
                          strerror(errno));
    }
    if (hwloc_get_thread_cpubind(hw, thread, set, 0) == 0)
        hwloc_bitmap_list_snprintf(out, sizeof(t->thread_set[which]), set);
    hwloc_bitmap_free(set);
}

static const char *bind_rule(int bind)
{
    switch (bind) {
    case ORDO__BIND_NONE:
        return "unbound: every PU the host allows";
    case ORDO__BIND_CORE:
        return "one core each: local rank r on core r mod cores";
    case ORDO__BIND_NUMA:
        return "one NUMA node each: local rank r on node r * nodes / local ranks";
    default:
        return "as the launcher left it; ordo binds nothing";
    }
}

void ordo__topo_print(const ordo__topo_t *t, FILE *out)
{
    fprintf(
        out,
        "# topology: %d rank(s) on %d node(s); this host: %d PU(s), %d core(s), %d NUMA node(s)\n",
        t->nranks, t->nnodes, t->host_pus, t->host_cores, t->host_numa);
    fprintf(out, "# binding: ORDO_BIND=%s (%s)%s\n", ordo__bind_names[t->bind], bind_rule(t->bind),
            t->shared_cores ? "; more ranks than cores here: cores are shared" : "");
    fprintf(out, "# %6s %-24s %5s %6s %5s %4s %4s  %s\n", "rank", "host", "node", "local", "numa",
            "cpu", "pus", "bound to");
    for (int r = 0; r < t->nranks; r++) {
        const ordo__topo_rank_t *x = &t->ranks[r];
        fprintf(out, "  %6d %-24s %5d %6d %5d %4d %4d  %s\n", r, x->host, x->node, x->local_rank,
                x->numa, x->cpu, x->pus, x->set[0] ? x->set : "?");
    }
    fprintf(out,
            "# threads of this rank: main %s (before ORDO_BIND: %s), progress %s, failure "
            "detector %s%s\n",
            t->cpubind[0] ? t->cpubind : "?", t->launcher_set[0] ? t->launcher_set : "?",
            t->thread_set[ORDO__TOPO_THREAD_PROGRESS][0] ? t->thread_set[ORDO__TOPO_THREAD_PROGRESS]
                                                         : "(not started)",
            t->thread_set[ORDO__TOPO_THREAD_FD][0] ? t->thread_set[ORDO__TOPO_THREAD_FD]
                                                   : "(not started)",
            t->bind == ORDO__BIND_LAUNCHER
                ? ""
                : " (progress within the rank's set, the detector on the host's)");
}
