#!/bin/sh
# The survival example on 4 ranks with rank 3 crashing (ORDO_FAULT) after
# about a second: the three survivors hear of it once, acknowledge it, finish
# every round as a job of three and leave together.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FAULT=crash=3@1s ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 \
    TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 4 --enable-recovery \
    -x ORDO_FAULT -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS \
    "$top_builddir/apps/ordo_survive" 40 >"$out" 2>&1
rc=$?
cat "$out"
heard=$(grep -c "^rank [0-2]: heard that rank 3 is lost" "$out")
done=$(grep -c "^rank [0-2]: done: 40 rounds.*view epoch 1: 3 live, 1 lost" "$out")
left=$(grep -c "^rank [0-2]: left with the other survivors (1 failure(s) heard)" "$out")
if [ "$heard" != 3 ] || [ "$done" != 3 ] || [ "$left" != 3 ] || grep -q "^rank 3: done" "$out"; then
    echo "FAIL: heard $heard, done $done, left $left of 3 survivors (mpirun exit $rc)"
    exit 1
fi
echo "ok: 3 survivors went on and left together"
