#!/bin/sh
# Quorum registers under faults, checked for linearizability (Jepsen-style):
#   abd   R = 5, W = Q = 3, 5 ranks reading and writing 3 keys for 6 s under
#         drop, dup and delay, a partition of rank 4 (1 s to 3 s) and a crash
#         of rank 3 (at 4 s): every history must be linearizable;
#   weak  W = Q = 2 of R = 5 (ORDO_QREG_WEAK) under a partition {0,1}|{2,3,4}
#         that the detector does not act on: ordo-lincheck must reject it;
#   nowb  ABD without the read write-back (ORDO_QREG_NO_WRITEBACK), messages
#         held back up to 20 ms: ordo-lincheck must reject it too (the two
#         controls show the checker bites);
#   degraded  3 of 5 replicas crash: writes and strict reads fail with
#         ORDO_ERR_NO_QUORUM, a degraded read returns the last value, flagged
#         stale.
set -u
lincheck="$top_builddir/tools/lincheck/ordo-lincheck"
if [ ! -x "$lincheck" ]; then
    echo "FAIL: $lincheck not built"
    exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ORDO_RETRY_MS=20 ORDO_TIMEOUT_MS=10000 ORDO_FD_PERIOD_MS=100
export ORDO_RETRY_MS ORDO_TIMEOUT_MS ORDO_FD_PERIOD_MS
status=0
seed=

# run MODE WANT FD_TIMEOUT_MS FAULT
run() {
    mode=$1 want=$2
    rm -rf "$dir/h"
    ORDO_FD_TIMEOUT_MS=$3 ORDO_FAULT=$4 ORDO_HISTORY="$dir/h"
    export ORDO_FD_TIMEOUT_MS ORDO_FAULT ORDO_HISTORY
    "$top_srcdir/tests/mpirun.sh" 5 --enable-recovery \
        -x ORDO_RETRY_MS -x ORDO_TIMEOUT_MS -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS \
        -x ORDO_FAULT -x ORDO_HISTORY \
        "$top_builddir/tests/consistency/test_qreg_faults" "$mode" 6 >"$dir/out" 2>&1
    rc=$?
    grep -E "^(survivor|out|rank [0-9]+:)" "$dir/out"
    if grep -q "FAILED" "$dir/out"; then
        cat "$dir/out"
        echo "FAIL ($mode): an operation returned a status no fault explains (mpirun exit $rc)"
        status=1
        return
    fi
    survivors=$(grep -c "^survivor .*end ORDO_OK, finalize ORDO_OK" "$dir/out")
    "$lincheck" --time-limit 120 "$dir"/h/qreg-1.*.edn >"$dir/check" 2>&1
    got=$?
    head -20 "$dir/check"
    if [ "$got" != "$want" ]; then
        if [ "$mode" = nowb ] && [ "$got" = 0 ] && [ "$seed" != 7 ]; then
            echo "note (nowb): this run happened to be linearizable; another seed"
            return 1
        fi
        echo "FAIL ($mode): ordo-lincheck exit $got, expected $want"
        status=1
    else
        echo "ok ($mode): ordo-lincheck exit $got as expected; $survivors survivors finished cleanly"
    fi
    if [ "$mode" = abd ] && [ "$survivors" -lt 3 ]; then
        cat "$dir/out"
        echo "FAIL (abd): $survivors of the 3 majority survivors finished cleanly"
        status=1
    fi
}

run abd 0 1000 "seed=7,drop=0.02,dup=0.02,delay=0.05:2000,partition=0-3|4@1s-3s,crash=3@4s"
run weak 1 60000 "seed=5,partition=0,1|2-4@1s-4s"
# Without the write-back a read can see a write that reaches one replica
# before the others, and a later read miss it: likely, not certain, in one
# run (3 in 4 here), so up to three runs; with the write-back, never.
run abd-1w 0 60000 "seed=3,delay=1:5000"
for seed in 3 5 7; do
    run nowb 1 60000 "seed=$seed,delay=1:5000" && break
done

ORDO_FD_TIMEOUT_MS=1000 ORDO_FAULT="crash=2@1s,crash=3@1s,crash=4@1s"
export ORDO_FD_TIMEOUT_MS ORDO_FAULT
"$top_srcdir/tests/mpirun.sh" 5 --enable-recovery -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS \
    -x ORDO_FAULT "$top_builddir/tests/consistency/test_qreg_faults" degraded 1 >"$dir/out" 2>&1
want="3 failed; write ORDO_ERR_NO_QUORUM, strict read ORDO_ERR_NO_QUORUM, degraded read ORDO_OK value 1000 stale"
grep "^degraded" "$dir/out"
if [ "$(grep -c "^degraded [01]: $want\$" "$dir/out")" != 2 ]; then
    cat "$dir/out"
    echo "FAIL (degraded): expected 2 lines '$want'"
    status=1
else
    echo "ok (degraded): no quorum refused, the degraded read flagged stale"
fi
exit $status
