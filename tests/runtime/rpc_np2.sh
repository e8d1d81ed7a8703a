#!/bin/sh
# The message layer under load on 2 ranks.
exec "$top_srcdir/tests/mpirun.sh" 2 "$top_builddir/tests/runtime/test_rpc_mpi"
