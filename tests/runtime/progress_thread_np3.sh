#!/bin/sh
# ORDO_PROGRESS=thread on 3 ranks: rank 1 computes while the others call it.
exec "$top_srcdir/tests/mpirun.sh" 3 "$top_builddir/tests/runtime/test_progress_thread"
