#!/bin/sh
# Every collective algorithm against Open MPI on 3 rank(s) (tests/collectives/test_coll_mpi.c).
exec "$top_srcdir/tests/mpirun.sh" 3 "$top_builddir/tests/collectives/test_coll_mpi"
