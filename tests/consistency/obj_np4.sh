#!/bin/sh
# Shared objects of every model on 4 ranks, handlers run inside ordo calls.
exec "$top_srcdir/tests/mpirun.sh" 4 "$top_builddir/tests/consistency/test_obj_mpi"
