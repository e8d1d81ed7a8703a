#!/bin/sh
# Quorum locks when replicas die (test_qlock_crash.c): N = 5 on 5 ranks,
# rank 4 crashed by ORDO_FAULT at 2 s: ranks 0-3 acquire and release on
# (q = 3 of 4); then ranks 2 and 3 die too: ORDO_ERR_NO_QUORUM, no hang.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 ORDO_TIMEOUT_MS=60000 ORDO_FAULT=crash=4@2s
export ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS ORDO_TIMEOUT_MS ORDO_FAULT
TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 5 --enable-recovery \
    -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS -x ORDO_TIMEOUT_MS -x ORDO_FAULT \
    "$top_builddir/tests/consistency/test_qlock_crash" >"$out" 2>&1
rc=$?
cat "$out"
phase1=$(grep -c "^phase1 [0-3]: rank 4 failed, .* ok" "$out")
survivors=$(grep -c "^survivor [01]: .*ORDO_ERR_NO_QUORUM.*finalize: ORDO_OK" "$out")
if grep -q "FAILED" "$out" || [ "$phase1" != 4 ] || [ "$survivors" != 2 ]; then
    echo "FAIL: $phase1 of 4 ranks worked on with one replica failed, $survivors of 2 got ORDO_ERR_NO_QUORUM with three failed (mpirun exit $rc)"
    exit 1
fi
echo "ok: 4 ranks worked on with one replica failed, 2 got ORDO_ERR_NO_QUORUM with three failed"
