#!/bin/sh
# The same with a progress thread: handlers also run while ranks compute.
ORDO_PROGRESS=thread exec "$top_srcdir/tests/mpirun.sh" 4 \
    -x ORDO_PROGRESS "$top_builddir/tests/consistency/test_obj_mpi"
