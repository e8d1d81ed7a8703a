#!/bin/sh
# The message-layer suite on 4 ranks with a progress thread that sleeps on the
# worker's event fd when idle (ORDO_PROGRESS=thread ORDO_WAIT=block).
ORDO_PROGRESS=thread
ORDO_WAIT=block
export ORDO_PROGRESS ORDO_WAIT
exec "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_PROGRESS -x ORDO_WAIT \
    "$top_builddir/tests/runtime/test_rpc_mpi"
