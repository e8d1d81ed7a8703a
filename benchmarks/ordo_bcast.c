/*
 * ordo_bcast - latency of ordo_bcast on every rank, as OSU's osu_bcast
 * (--mpi: beside MPI_Bcast; --alg: the algorithms).  See coll_bench.h.
 */
#include "coll_bench.h"

static const coll_bench_desc_t desc = {
    .prog = "ordo_bcast",
    .title = "Broadcast Latency Test",
    .summary = "Latency of ordo_bcast from root 0 on every rank, as osu_bcast.",
    .family = ORDO_COLL_BCAST,
};

int main(int argc, char **argv)
{
    return coll_bench_main(&desc, argc, argv);
}
