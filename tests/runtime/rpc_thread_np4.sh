#!/bin/sh
# The message-layer suite on 4 ranks with a progress thread.
ORDO_PROGRESS=thread
export ORDO_PROGRESS
exec "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_PROGRESS "$top_builddir/tests/runtime/test_rpc_mpi"
