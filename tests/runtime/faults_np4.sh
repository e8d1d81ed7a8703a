#!/bin/sh
# ORDO_FAULT's partition (groups and ring), pause, crash, clock skew and slow ranks on 4 ranks, each run
# checked by tests/runtime/test_faults_mpi.c (its comment says what each
# mode asserts).  The detector is tight (100 ms period, 1 s timeout) and
# ORDO_TIMEOUT_MS long, so a call that ends with ORDO_ERR_PEER_FAILED was
# ended by the detector, not by the timeout.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
export ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 ORDO_TIMEOUT_MS=60000
export ORDO_HLC_MAX_OFFSET_US=500000 ORDO_CLOCKS=lamport
fail=0
run() { # mode fault survivors
    mode=$1 fault=$2 want=$3
    ORDO_FAULT=$fault TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 4 --enable-recovery \
        -x ORDO_FAULT -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS -x ORDO_TIMEOUT_MS \
        -x ORDO_HLC_MAX_OFFSET_US -x ORDO_CLOCKS \
        "$top_builddir/tests/runtime/test_faults_mpi" "$mode" >"$out" 2>&1
    rc=$?
    ok=$(grep -c "^rank [0-9]: ok" "$out")
    if [ "$ok" != "$want" ] || grep -q "FAILED" "$out"; then
        cat "$out"
        echo "FAIL: $mode ($fault): $ok of $want ranks ok (mpirun exit $rc)"
        fail=1
    else
        grep "^rank" "$out" | grep -v ": ok$" | sort
        echo "ok: $mode ($fault)"
    fi
}
run partition "partition=0,1|2,3@1s-" 4
run pause-short "pause=3@1s-1300ms" 4
run pause-long "pause=3@1s-3500ms" 4
run crash "crash=3@1s" 3
ORDO_TIMEOUT_MS=1500
run ring "partition=ring@1s-3500ms" 4
ORDO_TIMEOUT_MS=60000
run slow "slow=1:30000,slow=2:10000@1500ms-" 4
ORDO_HLC_MAX_OFFSET_US=1000000 ORDO_CLOCKS=lamport,hlc
run skew "skew=1:2000000" 4
exit $fail
