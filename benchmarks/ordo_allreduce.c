/*
 * ordo_allreduce - latency of ordo_allreduce on every rank, as OSU's osu_allreduce
 * (--mpi: beside MPI_Allreduce; --alg: the algorithms).  See coll_bench.h.
 */
#include "coll_bench.h"

static const coll_bench_desc_t desc = {
    .prog = "ordo_allreduce",
    .title = "Allreduce Latency Test",
    .summary = "Latency of ordo_allreduce (a sum of floats; size in bytes) on every rank, "
               "as\nosu_allreduce.",
    .family = ORDO_COLL_ALLREDUCE,
};

int main(int argc, char **argv)
{
    return coll_bench_main(&desc, argc, argv);
}
