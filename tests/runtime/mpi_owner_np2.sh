#!/bin/sh
# ordo inside an application that owns MPI, on 2 ranks.
exec "$top_srcdir/tests/mpirun.sh" 2 "$top_builddir/tests/runtime/test_mpi_owner"
