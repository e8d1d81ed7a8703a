#!/bin/sh
# The example app on 4 ranks: every pair calls, a token goes round.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$top_srcdir/tests/mpirun.sh" 4 "$top_builddir/apps/ordo_ring" >"$out" 2>&1
rc=$?
cat "$out"
[ $rc = 0 ] || { echo "FAIL: ordo_ring exited with $rc"; exit 1; }
grep -q "ordo_ring: 4 ranks; 16 calls checked; token went round with sum 6 (expected 6): ok" "$out" ||
    { echo "FAIL: unexpected output"; exit 1; }
