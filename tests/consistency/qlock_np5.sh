#!/bin/sh
# Quorum locks on 5 ranks: bad input, mutual exclusion over a fenced
# quorum register, a holder fenced off after its lease ran out.
exec "$top_srcdir/tests/mpirun.sh" 5 "$top_builddir/tests/consistency/test_qlock_mpi"
