/*
 * obj_rma.c - ordo_obj_latency's --mpi baseline: MPI-3 RMA on a
 * passive-target window from MPI_Win_allocate over ranks 0 and 1
 * (MPI_Win_lock_all once); rank 0 times Get/Put/Fetch_and_op + flush.
 */
#include "obj_latency.h"

#include <string.h>

void obj_rma_open(const bench_t *b, obj_rma_t *r)
{
    MPI_Group world, pair;
    int ranks[2] = {0, 1};
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    MPI_Group_incl(world, 2, ranks, &pair);
    MPI_Comm_create_group(MPI_COMM_WORLD, pair, 77, &r->comm);
    MPI_Group_free(&pair);
    MPI_Group_free(&world);
    MPI_Aint len = (MPI_Aint)(b->opts.max_size > 8 ? b->opts.max_size : 8);
    MPI_Win_allocate(len, 1, MPI_INFO_NULL, r->comm, &r->base, &r->win);
    memset(r->base, 0, (size_t)len);
    MPI_Barrier(r->comm); /* both windows are zero */
    if (b->role == BENCH_ACTIVE)
        MPI_Win_lock_all(0, r->win);
}

void obj_rma_close(const bench_t *b, obj_rma_t *r)
{
    if (b->role == BENCH_ACTIVE)
        MPI_Win_unlock_all(r->win);
    MPI_Win_free(&r->win);
    MPI_Comm_free(&r->comm);
}

/* Rank 1 stays inside MPI (which then progresses the window, whatever osc
 * component serves it) until rank 0 is done with it. */
static void rma_serve(const bench_t *b)
{
    MPI_Recv(NULL, 0, MPI_BYTE, b->peer, 998, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

static void rma_done(const bench_t *b)
{
    MPI_Send(NULL, 0, MPI_BYTE, b->peer, 998, MPI_COMM_WORLD);
}

/* Both ranks: Get+flush and Put+flush of size, interleaved; medians on rank 0. */
void obj_rma_measure(bench_t *b, obj_rma_t *r, size_t size, void *buf, double *samples[2],
                     point_t *pt)
{
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size), n = (int)size;
    bench_mpi_sync(b);
    if (b->role != BENCH_ACTIVE) {
        rma_serve(b);
        return;
    }
    for (int it = 0; it < warmup + iters; it++)
        for (int k = 0; k < 2; k++) {
            int op = (it + k) % 2; /* alternate which goes first */
            double t0 = bench_now_us();
            if (op == 0)
                MPI_Get(buf, n, MPI_BYTE, 1, 0, n, MPI_BYTE, r->win);
            else
                MPI_Put(buf, n, MPI_BYTE, 1, 0, n, MPI_BYTE, r->win);
            MPI_Win_flush(1, r->win);
            if (it >= warmup)
                samples[op][it - warmup] = bench_now_us() - t0;
        }
    rma_done(b);
    bench_stats_t st;
    bench_stats_of(b, samples[0], (size_t)iters, &st);
    pt->mpi_get = st.p50;
    pt->mpi_get99 = st.p99;
    bench_stats_of(b, samples[1], (size_t)iters, &st);
    pt->mpi_put = st.p50;
    pt->mpi_put99 = st.p99;
}

void obj_rma_atomics(bench_t *b, obj_rma_t *r, double *samples, atomics_t *a)
{
    int iters = bench_iters(b, 8), warmup = bench_warmup(b, 8);
    bench_mpi_sync(b);
    if (b->role != BENCH_ACTIVE) {
        rma_serve(b);
        return;
    }
    for (int it = 0; it < warmup + iters; it++) {
        int64_t one = 1, old = 0;
        double t0 = bench_now_us();
        MPI_Fetch_and_op(&one, &old, MPI_INT64_T, 1, 0, MPI_SUM, r->win);
        MPI_Win_flush(1, r->win);
        if (it >= warmup)
            samples[it - warmup] = bench_now_us() - t0;
    }
    rma_done(b);
    bench_stats_t st;
    bench_stats_of(b, samples, (size_t)iters, &st);
    a->mpi = st.p50;
    a->mpi99 = st.p99;
}
