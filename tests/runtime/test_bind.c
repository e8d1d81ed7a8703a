/*
 * test_bind - ORDO_BIND as each rank really runs: after ordo_init, the main
 * thread's affinity (sched_getaffinity), and that of ordo's progress thread
 * ("ordo-progress") and failure detector's thread ("ordo-fd"), found by name
 * in /proc/self/task, match the policy given as argv[1] (the rule is
 * written here again, from README's words, with hwloc):
 *   launcher  every thread keeps the set the process started with
 *   none      the host's whole set (hwloc's allowed cpuset)
 *   core      core (local rank mod cores); the progress thread too
 *   numa      NUMA node (local rank * nodes / local ranks); the progress thread too
 * and, but for launcher, the detector's thread has the host's whole set.
 * With core and no more local ranks than cores, ranks have distinct cores.
 * Run with ORDO_PROGRESS=thread and ORDO_BIND=argv[1] (bind_np2.sh).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <hwloc.h>
#include <mpi.h>
#include <ordo.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL: rank %d: ", ordo_rank());                                       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* The affinity of thread tid (0: the caller) as an hwloc bitmap. */
static hwloc_bitmap_t affinity(pid_t tid)
{
    cpu_set_t cs;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    CPU_ZERO(&cs);
    if (sched_getaffinity(tid, sizeof(cs), &cs) != 0) {
        hwloc_bitmap_free(set);
        return NULL;
    }
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &cs))
            hwloc_bitmap_set(set, (unsigned)c);
    return set;
}

/* The thread of this process named name, or 0. */
static pid_t thread_named(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    pid_t found = 0;
    while (d && (e = readdir(d))) {
        char path[300], comm[64] = "";
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f && fgets(comm, sizeof(comm), f)) {
            comm[strcspn(comm, "\n")] = '\0';
            if (strcmp(comm, name) == 0)
                found = (pid_t)atoi(e->d_name);
        }
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return found;
}

static void check_set(const char *who, hwloc_const_bitmap_t got, hwloc_const_bitmap_t want)
{
    char g[128] = "?", w[128] = "?";
    if (got)
        hwloc_bitmap_list_snprintf(g, sizeof(g), got);
    hwloc_bitmap_list_snprintf(w, sizeof(w), want);
    CHECK(got && hwloc_bitmap_isequal(got, want), "%s runs on PUs %s, ORDO_BIND wants %s", who, g,
          w);
}

int main(int argc, char **argv)
{
    const char *policy = argc > 1 ? argv[1] : "launcher";
    hwloc_topology_t topo;
    hwloc_bitmap_t before = affinity(0);

    if (ordo_init(&argc, &argv) != ORDO_OK) {
        fprintf(stderr, "test_bind: ordo_init failed\n");
        return 1;
    }
    hwloc_topology_init(&topo);
    hwloc_topology_load(topo);
    int local = ordo_local_rank(), nlocal = ordo_local_size();
    int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    int nnuma = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    hwloc_const_bitmap_t host = hwloc_topology_get_allowed_cpuset(topo);
    hwloc_bitmap_t want = hwloc_bitmap_dup(before);
    if (strcmp(policy, "none") == 0)
        hwloc_bitmap_copy(want, host);
    else if (strcmp(policy, "core") == 0)
        hwloc_bitmap_copy(
            want, hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)(local % ncores))->cpuset);
    else if (strcmp(policy, "numa") == 0)
        hwloc_bitmap_copy(want, hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE,
                                                      (unsigned)(local * nnuma / nlocal))
                                    ->cpuset);
    hwloc_bitmap_and(want, want, host);

    hwloc_bitmap_t main_set = affinity(0);
    pid_t progress = thread_named("ordo-progress"), fd = thread_named("ordo-fd");
    CHECK(progress != 0, "no thread named ordo-progress (run with ORDO_PROGRESS=thread)");
    CHECK(fd != 0, "no thread named ordo-fd");
    hwloc_bitmap_t progress_set = progress ? affinity(progress) : NULL;
    hwloc_bitmap_t fd_set = fd ? affinity(fd) : NULL;
    check_set("the main thread", main_set, want);
    check_set("the progress thread", progress_set, want);
    check_set("the failure detector's thread", fd_set,
              strcmp(policy, "launcher") == 0 ? before : host);

    /* core: distinct cores while there are enough of them. */
    int first = main_set ? hwloc_bitmap_first(main_set) : -1;
    int *firsts = calloc((size_t)ordo_size(), sizeof(int));
    MPI_Allgather(&first, 1, MPI_INT, firsts, 1, MPI_INT, MPI_COMM_WORLD);
    if (strcmp(policy, "core") == 0 && nlocal <= ncores)
        for (int r = 0; r < ordo_rank(); r++)
            CHECK(firsts[r] != first, "shares PU %d with rank %d under ORDO_BIND=core", first, r);

    char m[128], p[128] = "-", f[128] = "-", b[128];
    hwloc_bitmap_list_snprintf(b, sizeof(b), before);
    hwloc_bitmap_list_snprintf(m, sizeof(m), main_set);
    if (progress_set)
        hwloc_bitmap_list_snprintf(p, sizeof(p), progress_set);
    if (fd_set)
        hwloc_bitmap_list_snprintf(f, sizeof(f), fd_set);
    printf("%s: rank %d (local %d of %d, %d core(s), %d NUMA node(s)): ORDO_BIND=%s: started on "
           "%s; main %s, progress %s, detector %s\n",
           failures ? "FAIL" : "ok", ordo_rank(), local, nlocal, ncores, nnuma, policy, b, m, p, f);
    int all = 0;
    MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    free(firsts);
    hwloc_bitmap_free(want);
    hwloc_bitmap_free(before);
    hwloc_bitmap_free(main_set);
    if (progress_set)
        hwloc_bitmap_free(progress_set);
    if (fd_set)
        hwloc_bitmap_free(fd_set);
    hwloc_topology_destroy(topo);
    ordo_finalize();
    return all ? 1 : 0;
}
