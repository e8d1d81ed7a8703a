#!/bin/sh
# Every collective algorithm against Open MPI on 2 rank(s) (tests/collectives/test_coll_mpi.c).
exec "$top_srcdir/tests/mpirun.sh" 2 "$top_builddir/tests/collectives/test_coll_mpi"
