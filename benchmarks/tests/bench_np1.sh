#!/bin/sh
# On one rank a benchmark refuses to run: exit status 1 and a message that
# says it needs 2 ranks.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$top_srcdir/tests/mpirun.sh" 1 "$top_builddir/benchmarks/ordo_latency" -m 1:1K -i 20 -x 5 \
    >"$out" 2>&1
rc=$?
cat "$out"
[ $rc -eq 1 ] || { echo "FAIL: ordo_latency on 1 rank exited with $rc, expected 1"; exit 1; }
grep -q "needs at least 2 ranks" "$out" || { echo "FAIL: no message about 2 ranks"; exit 1; }
grep -q "^[0-9]" "$out" && { echo "FAIL: it printed results on 1 rank"; exit 1; }
echo "ok: refused on 1 rank with exit status 1"
