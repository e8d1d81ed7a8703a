#!/bin/sh
# Quorum registers on 5 ranks: values, quorum rules, many in flight, tokens, bad input.
exec "$top_srcdir/tests/mpirun.sh" 5 "$top_builddir/tests/consistency/test_qreg_mpi"
