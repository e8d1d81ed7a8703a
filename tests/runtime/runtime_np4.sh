#!/bin/sh
# The runtime test suite on 4 rank(s).
exec "$top_srcdir/tests/mpirun.sh" 4 "$top_builddir/tests/runtime/test_runtime_mpi"
