/*
 * coll_floor.c - the floor of the collective benchmarks: a counter in an
 * MPI-3 shared window, which the ranks add to and poll.  See coll_floor.h.
 */
#include "coll_floor.h"

#include <mpi.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define LINE 64

static struct {
    MPI_Win win;
    MPI_Comm node;
    _Atomic uint64_t *count; /* arrivals (its own cache line) */
    _Atomic uint64_t *word;  /* a bcast's root's call number (another line) */
    uint64_t calls;          /* this rank's calls so far */
    int rank, n, yield;
    ordo_coll_family_t family;
} fl;

int coll_floor_init(ordo_coll_family_t family, int yield, char *why, size_t len)
{
    int world, node_n = 0, ok;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    MPI_Comm_rank(MPI_COMM_WORLD, &fl.rank);
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &fl.node) !=
        MPI_SUCCESS) {
        snprintf(why, len, "MPI_Comm_split_type (shared) failed");
        return -1;
    }
    MPI_Comm_size(fl.node, &node_n);
    ok = node_n == world;
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (!ok) {
        MPI_Comm_free(&fl.node);
        snprintf(why, len, "the ranks span hosts: no memory is shared by all");
        return -1;
    }
    void *base = NULL;
    MPI_Aint bytes = fl.rank == 0 ? 2 * LINE : 0, got = 0;
    int disp = 1;
    int made =
        MPI_Win_allocate_shared(bytes, 1, MPI_INFO_NULL, fl.node, &base, &fl.win) == MPI_SUCCESS;
    MPI_Allreduce(MPI_IN_PLACE, &made, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    ok = made && MPI_Win_shared_query(fl.win, 0, &got, &disp, &base) == MPI_SUCCESS &&
         got >= 2 * LINE && base != NULL;
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (!ok) {
        snprintf(why, len, "MPI_Win_allocate_shared gave no window of %d bytes", 2 * LINE);
        if (made) /* every rank has it: freed together */
            MPI_Win_free(&fl.win);
        MPI_Comm_free(&fl.node);
        return -1;
    }
    fl.count = base;
    fl.word = (_Atomic uint64_t *)((char *)base + LINE);
    if (fl.rank == 0) {
        atomic_store(fl.count, 0);
        atomic_store(fl.word, 0);
    }
    fl.calls = 0;
    fl.n = world;
    fl.yield = yield;
    fl.family = family;
    MPI_Barrier(MPI_COMM_WORLD); /* the words are zero before anyone adds */
    return 0;
}

static void wait_at_least(_Atomic uint64_t *w, uint64_t v)
{
    while (atomic_load_explicit(w, memory_order_acquire) < v)
        if (fl.yield)
            sched_yield();
}

void coll_floor_call(void)
{
    uint64_t k = ++fl.calls;
    switch (fl.family) {
    case ORDO_COLL_BCAST:
        if (fl.rank == 0)
            atomic_store_explicit(fl.word, k, memory_order_release);
        else
            wait_at_least(fl.word, k);
        return;
    case ORDO_COLL_REDUCE:
        atomic_fetch_add(fl.count, 1);
        if (fl.rank == 0)
            wait_at_least(fl.count, k * (uint64_t)fl.n);
        return;
    default:
        atomic_fetch_add(fl.count, 1);
        wait_at_least(fl.count, k * (uint64_t)fl.n);
    }
}

void coll_floor_fini(void)
{
    MPI_Win_free(&fl.win);
    MPI_Comm_free(&fl.node);
}
