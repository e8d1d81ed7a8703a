/*
 * ordo_allgather - latency of ordo_allgather on every rank, as OSU's osu_allgather
 * (--mpi: beside MPI_Allgather; --alg: the algorithms).  See coll_bench.h.
 */
#include "coll_bench.h"

static const coll_bench_desc_t desc = {
    .prog = "ordo_allgather",
    .title = "Allgather Latency Test",
    .summary =
        "Latency of ordo_allgather (size = bytes per rank) on every rank, as\nosu_allgather.",
    .family = ORDO_COLL_ALLGATHER,
};

int main(int argc, char **argv)
{
    return coll_bench_main(&desc, argc, argv);
}
