#!/bin/sh
# Every collective algorithm against Open MPI on 7 rank(s) (tests/collectives/test_coll_mpi.c).
export COLL_MAX_BYTES=1048576
exec "$top_srcdir/tests/mpirun.sh" 7 "$top_builddir/tests/collectives/test_coll_mpi"
