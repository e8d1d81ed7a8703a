#!/bin/sh
# Quorum locks on 5 ranks: bad input, mutual exclusion over a fenced
# quorum register, a holder fenced off after its lease ran out; then, with
# ORDO_TIMEOUT_MS=5000 (it bounds the start-up too: 3 ranks start faster),
# a lease too short to be had ends in a timeout.
"$top_srcdir/tests/mpirun.sh" 5 "$top_builddir/tests/consistency/test_qlock_mpi" || exit 1
ORDO_TIMEOUT_MS=5000 exec "$top_srcdir/tests/mpirun.sh" 3 -x ORDO_TIMEOUT_MS \
    "$top_builddir/tests/consistency/test_qlock_mpi" short-lease
