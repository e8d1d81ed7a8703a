/*
 * coll_bench.h - the collective benchmarks (ordo_allreduce, ordo_bcast,
 * ordo_reduce, ordo_allgather, ordo_alltoall, ordo_barrier), as OSU's
 * osu_allreduce etc., over the shared harness (bench.h).
 *
 * Every rank calls the collective; each times every call it makes.  Per size
 * (bytes per rank; reductions: count = size / element size, as OSU):
 *
 *   Avg Latency(us)  the mean over ranks and iterations of one call's time,
 *                    as OSU computes it (each rank's average, averaged)
 *   p50, p99         of the slowest rank's time in each iteration
 *   -f               OSU's Min / Max Latency (the fastest and slowest rank's
 *                    average) and Iterations
 *   Algorithm        what ran (ordo_coll_predict) and its predicted time
 *   --mpi            the same collective over Open MPI (MPI_Allreduce, ...)
 *                    in the same processes, in blocks alternating with
 *                    ordo's; "MPI (us)" (its Avg Latency) and ordo/MPI are
 *                    the last two columns
 *   --alg NAME       force one algorithm (ordo_coll_force)
 *   --floor          the floor (coll_floor.h): the synchronization alone,
 *                    timed in the same blocks; "Floor (us)" and ordo/floor
 *                    after the MPI columns, and floor/MPI in the summary
 *   --alg all        every algorithm forced in turn and AUTO, in blocks in a
 *                    fresh random order: a p50 column per algorithm, the
 *                    best forced one and AUTO/best, then the model's
 *                    prediction beside each measured p50
 */
#ifndef ORDO_COLL_BENCH_H
#define ORDO_COLL_BENCH_H

#include "bench.h"

/* What one benchmark measures. */
typedef struct coll_bench_desc {
    const char *prog;          /* "ordo_allreduce" */
    const char *title;         /* "Allreduce Latency Test" */
    const char *summary;       /* one line for -h */
    ordo_coll_family_t family; /* which collective */
} coll_bench_desc_t;

/* The whole benchmark: options, the run, the output; returns main's exit
 * status (2 for a bad option, as every benchmark). */
int coll_bench_main(const coll_bench_desc_t *d, int argc, char **argv);

#endif /* ORDO_COLL_BENCH_H */
