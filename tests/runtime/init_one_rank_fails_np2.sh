#!/bin/sh
# ordo_init fails on one rank only (its trace directory cannot be created):
# the other rank must fail too, promptly, and not wait in a collective.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
info="$top_builddir/tools/ordo_info"
TEST_LIMIT=60 "$top_srcdir/tests/mpirun.sh" 1 env ORDO_TRACE=/proc/ordo-no-such-dir "$info" : \
    -np 1 "$info" >"$out" 2>&1
rc=$?
cat "$out"
[ $rc != 124 ] && [ $rc != 137 ] || { echo "FAIL: the job hung (exit $rc)"; exit 1; }
[ $rc != 0 ] || { echo "FAIL: the job succeeded"; exit 1; }
grep -q "ORDO_TRACE=/proc/ordo-no-such-dir: cannot create the directory" "$out" ||
    { echo "FAIL: the failing rank did not say why"; exit 1; }
grep -q "another rank failed to start" "$out" ||
    { echo "FAIL: the other rank did not report the failure"; exit 1; }
echo "ok: both ranks failed cleanly"
