#!/bin/sh
# ORDO_BIND on 2 ranks (and core on 3: cores shared round-robin): each rank
# checks its main, progress and detector threads' real affinity against the
# policy (test_bind.c).  mpirun's own binding is set so that ordo's shows:
# --bind-to none for core and numa, --bind-to core for none and launcher.
set -u
fail=0
run() { # NP MPIRUN-BIND POLICY
    echo "== ORDO_BIND=$3 on $1 ranks, mpirun --bind-to $2"
    ORDO_BIND=$3 ORDO_PROGRESS=thread "$top_srcdir/tests/mpirun.sh" "$1" --bind-to "$2" \
        -x ORDO_BIND -x ORDO_PROGRESS "$top_builddir/tests/runtime/test_bind" "$3" || fail=1
}
run 2 none core
run 2 none numa
run 2 core none
run 2 core launcher
run 3 none core
exit $fail
