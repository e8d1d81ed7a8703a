#!/bin/sh
# test_qlock_mpi with a progress thread: replicas answer while their rank
# sleeps or computes, and the lock's calls take the runtime's lock.
ORDO_PROGRESS=thread exec "$top_srcdir/tests/mpirun.sh" 5 -x ORDO_PROGRESS \
    "$top_builddir/tests/consistency/test_qlock_mpi"
