#!/bin/sh
# The gossip service (test_gossip_mpi.c) at 2, 3, 4, 5, 7 and 8 ranks, with
# short rounds: every rank delivers every record once, with its bytes;
# rounds under a bound; bad input and malformed messages refused (rank 1
# warns about the malformed ones, and nobody crashes).  Then at 4 ranks with
# the progress thread driving the rounds.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_GOSSIP_PERIOD_MS=5
export ORDO_GOSSIP_PERIOD_MS
fail=0
run() { # NP [VAR=VALUE...]
    np=$1
    shift
    env "$@" "$top_srcdir/tests/mpirun.sh" "$np" -x ORDO_GOSSIP_PERIOD_MS \
        "$top_builddir/tests/collectives/test_gossip_mpi" >"$out" 2>&1
    rc=$?
    lines=$(grep -o "gossip rank [0-9]* of $np: " "$out" | wc -l | tr -d " ")
    if [ $rc -ne 0 ] || [ "$lines" != "$np" ] ||
        ! grep -q "gossip: malformed message from rank 0 dropped: version 9" "$out"; then
        cat "$out"
        echo "FAIL: $np ranks $* (exit status $rc, $lines of $np ranks reported)"
        fail=1
        return
    fi
    echo "ok: $np ranks $*"
    grep -o "gossip rank [0-9]* of .*messages sent" "$out" | sed 's/^/    /'
}
for np in 2 3 4 5 7 8; do
    run $np
done
run 4 ORDO_PROGRESS=thread
exit $fail
