#!/bin/sh
# The message layer under load on 4 ranks.
exec "$top_srcdir/tests/mpirun.sh" 4 "$top_builddir/tests/runtime/test_rpc_mpi"
