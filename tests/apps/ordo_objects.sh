#!/bin/sh
# The shared-objects example on 4 ranks: SC counter total, TSO store
# forwarding and visibility after a fence, causal slots on every replica.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$top_srcdir/tests/mpirun.sh" 4 "$top_builddir/apps/ordo_objects" >"$out" 2>&1
rc=$?
cat "$out"
[ $rc = 0 ] || { echo "FAIL: ordo_objects exited with $rc"; exit 1; }
fail=0
for line in \
    "ordo_objects: SC: 4 ranks x 100 fetch-adds on one counter: total 400 (expected 400): ok" \
    "ordo_objects: TSO: 4 ranks read their own word back before the fence (store forwarding), the next rank read it after: 0 wrong: ok" \
    "ordo_objects: causal: 4 ranks checked all 4 slots on their own replicas after fence and barrier: 0 wrong: ok"; do
    grep -qxF "$line" "$out" || { echo "FAIL: no line '$line'"; fail=1; }
done
[ "$(grep -c '^ordo_objects: ' "$out")" = 3 ] || { echo "FAIL: not exactly 3 result lines"; fail=1; }
exit $fail
