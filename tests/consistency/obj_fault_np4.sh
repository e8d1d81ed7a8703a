#!/bin/sh
# The same under injected faults: messages held back up to 300 us (which
# reorders them), duplicated, and lost (calls are retried after 20 ms and
# the exactly-once window keeps an atomic from running twice; one-way
# messages of the protocols are delayed and duplicated, never lost).
ORDO_FAULT="delay=0.3:300,dup=0.05,drop=0.02,seed=11" ORDO_RETRY_MS=20 \
    exec "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_FAULT -x ORDO_RETRY_MS \
    "$top_builddir/tests/consistency/test_obj_mpi"
