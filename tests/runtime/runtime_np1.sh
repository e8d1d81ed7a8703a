#!/bin/sh
# The runtime test suite on 1 rank(s).
exec "$top_srcdir/tests/mpirun.sh" 1 "$top_builddir/tests/runtime/test_runtime_mpi"
