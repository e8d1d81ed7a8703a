#!/bin/sh
# The same under injected faults: GRANT, COMMIT and RELEASE requests and
# their replies held back up to 300 us (which reorders them), duplicated
# and lost (calls are retried after 20 ms; the exactly-once window and the
# replicas' own checks make a copy harmless).
ORDO_FAULT="delay=0.3:300,dup=0.05,drop=0.02,seed=5" ORDO_RETRY_MS=20 \
    exec "$top_srcdir/tests/mpirun.sh" 5 -x ORDO_FAULT -x ORDO_RETRY_MS \
    "$top_builddir/tests/consistency/test_qlock_mpi"
