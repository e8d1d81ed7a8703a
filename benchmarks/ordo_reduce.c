/*
 * ordo_reduce - latency of ordo_reduce on every rank, as OSU's osu_reduce
 * (--mpi: beside MPI_Reduce; --alg: the algorithms).  See coll_bench.h.
 */
#include "coll_bench.h"

static const coll_bench_desc_t desc = {
    .prog = "ordo_reduce",
    .title = "Reduce Latency Test",
    .summary = "Latency of ordo_reduce (a sum of floats to root 0; size in bytes) on every\nrank, "
               "as osu_reduce.",
    .family = ORDO_COLL_REDUCE,
};

int main(int argc, char **argv)
{
    return coll_bench_main(&desc, argc, argv);
}
