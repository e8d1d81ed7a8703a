#!/bin/sh
# The collectives example on 4 and 5 ranks: every result line says ok.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
for np in 4 5; do
    "$top_srcdir/tests/mpirun.sh" $np "$top_builddir/apps/ordo_collectives" >"$out" 2>&1
    rc=$?
    cat "$out"
    [ $rc = 0 ] || { echo "FAIL: ordo_collectives on $np ranks exited with $rc"; fail=1; }
    n=$(grep -c '^ordo_collectives: .*: ok$' "$out")
    [ "$n" = 7 ] || { echo "FAIL: $n of 7 results ok on $np ranks"; fail=1; }
    grep -q "heard 'done' from $np of $np ranks" "$out" || { echo "FAIL: gossip on $np ranks"; fail=1; }
done
exit $fail
