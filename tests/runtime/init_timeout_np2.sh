#!/bin/sh
# ORDO_TIMEOUT_MS=1 (within its range) is too short for start-up: ordo_init
# fails on both ranks with a message naming the variable, and cleans up
# without aborting (UCX asserted in ucp_worker_destroy on an endpoint close
# that had not finished).
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_TIMEOUT_MS=1 TEST_LIMIT=60 "$top_srcdir/tests/mpirun.sh" 2 "$top_builddir/tools/ordo_info" \
    >"$out" 2>&1
rc=$?
cat "$out"
[ $rc != 124 ] && [ $rc != 137 ] || { echo "FAIL: the job hung (exit $rc)"; exit 1; }
if grep -q "Assertion\|signal 6\|Aborted\|Segmentation" "$out"; then
    echo "FAIL: a rank aborted while cleaning up"
    exit 1
fi
if grep -q "ORDO_TIMEOUT_MS=1 ms may be too short" "$out" ||
    ! grep -q "error" "$out"; then
    echo "ok: start-up failed cleanly (or passed within 1 ms)"
    exit 0
fi
echo "FAIL: no message names ORDO_TIMEOUT_MS"
exit 1
