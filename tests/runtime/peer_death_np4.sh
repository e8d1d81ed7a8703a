#!/bin/sh
# A rank is killed mid-run: the 3 survivors get the error, keep working, finish.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_TIMEOUT_MS=10000
export ORDO_TIMEOUT_MS
"$top_srcdir/tests/mpirun.sh" 4 --enable-recovery \
    "$top_builddir/tests/runtime/test_peer_death" >"$out" 2>&1
rc=$?
cat "$out"
survivors=$(grep -c "^survivor [0-2]: dead rank 3 detected" "$out")
if grep -q "^rank [0-9]*: FAILED" "$out" || [ "$survivors" != 3 ]; then
    echo "FAIL: $survivors of 3 survivors finished (mpirun exit $rc)"
    exit 1
fi
echo "ok: 3 survivors detected the death and finished"
