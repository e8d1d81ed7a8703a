#!/bin/sh
# Every collective algorithm against Open MPI on 3 rank(s) (tests/collectives/test_coll_mpi.c);
# then again with ORDO_COLL_SHM_CMA=n (the shm bcast of 3 MiB through the segment, not by
# single copy).
"$top_srcdir/tests/mpirun.sh" 3 "$top_builddir/tests/collectives/test_coll_mpi" || exit 1
ORDO_COLL_SHM_CMA=n exec "$top_srcdir/tests/mpirun.sh" 3 -x ORDO_COLL_SHM_CMA \
    "$top_builddir/tests/collectives/test_coll_mpi"
