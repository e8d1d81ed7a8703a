/*
 * ordo_barrier - latency of ordo_barrier on every rank, as OSU's osu_barrier
 * (--mpi: beside MPI_Barrier; --alg: the algorithms).  See coll_bench.h.
 */
#include "coll_bench.h"

static const coll_bench_desc_t desc = {
    .prog = "ordo_barrier",
    .title = "Barrier Latency Test",
    .summary = "Latency of ordo_barrier on every rank, as osu_barrier.",
    .family = ORDO_COLL_BARRIER,
};

int main(int argc, char **argv)
{
    return coll_bench_main(&desc, argc, argv);
}
