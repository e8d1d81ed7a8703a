#!/bin/sh
# A rank SIGSTOPped for 40% of the detector's timeout, three times, is not
# declared failed anywhere, and works afterwards (test_fd_pause.c).
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=2000 ORDO_TIMEOUT_MS=60000
export ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS ORDO_TIMEOUT_MS
TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 4 "$top_builddir/tests/runtime/test_fd_pause" \
    >"$out" 2>&1
rc=$?
cat "$out"
ok=$(grep -c "^rank [0-3]: rank 1 paused .* 0 failed; finalize ok" "$out")
if [ $rc != 0 ] || [ "$ok" != 4 ] || grep -q "FAILED:\|failed or is unreachable" "$out"; then
    echo "FAIL: $ok of 4 ranks finished clean (mpirun exit $rc)"
    exit 1
fi
echo "ok: the paused rank was never declared failed"
