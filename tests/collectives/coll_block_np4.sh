#!/bin/sh
# Every collective algorithm against Open MPI on 4 ranks with ORDO_WAIT=block:
# the shm algorithms' waits sleep on the node segment's futex at once.
ORDO_WAIT=block
export ORDO_WAIT
exec "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_WAIT "$top_builddir/tests/collectives/test_coll_mpi"
