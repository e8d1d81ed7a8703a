#!/bin/sh
# The message-layer suite on 4 ranks, sleeping on the worker's event fd when idle.
ORDO_WAIT=block
export ORDO_WAIT
exec "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_WAIT "$top_builddir/tests/runtime/test_rpc_mpi"
