#!/bin/sh
# The runtime test suite on 2 rank(s).
exec "$top_srcdir/tests/mpirun.sh" 2 "$top_builddir/tests/runtime/test_runtime_mpi"
