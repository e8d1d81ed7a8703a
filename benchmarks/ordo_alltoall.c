/*
 * ordo_alltoall - latency of ordo_alltoall on every rank, as OSU's osu_alltoall
 * (--mpi: beside MPI_Alltoall; --alg: the algorithms).  See coll_bench.h.
 */
#include "coll_bench.h"

static const coll_bench_desc_t desc = {
    .prog = "ordo_alltoall",
    .title = "All-to-All Personalized Exchange Latency Test",
    .summary = "Latency of ordo_alltoall (size = bytes per rank and destination) on every\nrank, "
               "as osu_alltoall.",
    .family = ORDO_COLL_ALLTOALL,
};

int main(int argc, char **argv)
{
    return coll_bench_main(&desc, argc, argv);
}
