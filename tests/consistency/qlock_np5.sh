#!/bin/sh
# Quorum locks on 5 ranks: bad input, malformed messages, mutual exclusion
# over a fenced quorum register, a holder fenced off after its lease ran
# out; then, on 3 ranks with ORDO_TIMEOUT_MS=3000, a lease too short to be
# had ends in a timeout.  ORDO_TIMEOUT_MS bounds the start-up's calibration
# too, which takes longer than that under AddressSanitizer on a loaded
# machine: ORDO_RNDV_THRESH=8K skips it.
"$top_srcdir/tests/mpirun.sh" 5 "$top_builddir/tests/consistency/test_qlock_mpi" || exit 1
ORDO_TIMEOUT_MS=3000 ORDO_RNDV_THRESH=8K exec "$top_srcdir/tests/mpirun.sh" 3 \
    -x ORDO_TIMEOUT_MS -x ORDO_RNDV_THRESH \
    "$top_builddir/tests/consistency/test_qlock_mpi" short-lease
