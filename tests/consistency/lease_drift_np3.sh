#!/bin/sh
# Leases under clock drift on 3 ranks (test_qlock_lease.c): rank 1, the
# holder, runs 10 % slow, ranks 0 and 2 (the replicas that grant the next
# holder) 10 % fast (ORDO_FAULT's largest drift), a lease of 500 ms: the
# holder counts it to 556 ms of real time, the replicas to 455 ms.  Without
# the guard, or with a guard for rho = 100 ppm, the old holder still trusts
# its lease when the next one has the lock (it must happen in every round);
# with rho = 100000 ppm (the drift) the holder stops at 444 ms and the
# replicas wait 545 ms: it never does.  Each run prints the overlaps.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FAULT="drift=0:100000,drift=1:-100000,drift=2:100000"
export ORDO_FAULT
status=0
for run in "n 100 overlap" "y 100 overlap" "y 100000 none"; do
    set -- $run
    ORDO_LEASE_GUARD=$1 ORDO_CLOCK_DRIFT_PPM=$2
    export ORDO_LEASE_GUARD ORDO_CLOCK_DRIFT_PPM
    TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 3 \
        -x ORDO_FAULT -x ORDO_LEASE_GUARD -x ORDO_CLOCK_DRIFT_PPM \
        "$top_builddir/tests/consistency/test_qlock_lease" "$3" >"$out" 2>&1
    rc=$?
    cat "$out"
    if [ $rc != 0 ] || grep -q "FAILED" "$out" || ! grep -q "^lease .* overlaps" "$out"; then
        echo "FAIL (ORDO_LEASE_GUARD=$1 ORDO_CLOCK_DRIFT_PPM=$2, expected $3; mpirun exit $rc)"
        status=1
    else
        echo "ok (ORDO_LEASE_GUARD=$1 ORDO_CLOCK_DRIFT_PPM=$2: $3)"
    fi
done
exit $status
