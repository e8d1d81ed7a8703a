#!/bin/sh
# ORDO_FAULT names a rank the job does not have: ordo_init fails on every
# rank, promptly, with a message naming the item; the same when only one
# rank was given the bad value (the other must not wait in a collective).
set -u
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
info="$top_builddir/tools/ordo_info"
bad="partition=0|9@1s-2s"

finished() { # rc what
    [ "$1" != 124 ] && [ "$1" != 137 ] || { echo "FAIL: $2: the job hung (exit $1)"; fail=1; }
    [ "$1" != 0 ] || { echo "FAIL: $2: the job succeeded"; fail=1; }
}

ORDO_FAULT=$bad TEST_LIMIT=60 "$top_srcdir/tests/mpirun.sh" 2 -x ORDO_FAULT "$info" >"$out" 2>&1
rc=$?
cat "$out"
finished $rc "both ranks"
[ "$(grep -c "bad value ORDO_FAULT: $bad: rank 9 does not exist (the job has 2 ranks, 0 to 1)" \
    "$out")" = 2 ] || { echo "FAIL: not every rank said why"; fail=1; }

TEST_LIMIT=60 "$top_srcdir/tests/mpirun.sh" 1 env ORDO_FAULT="$bad" "$info" : -np 1 "$info" \
    >"$out" 2>&1
rc=$?
cat "$out"
finished $rc "one rank"
grep -q "bad value ORDO_FAULT: $bad: rank 9 does not exist" "$out" ||
    { echo "FAIL: the failing rank did not say why"; fail=1; }
grep -q "another rank failed to start: bad configuration value" "$out" ||
    { echo "FAIL: the other rank did not report the failure"; fail=1; }

# The same item with ranks the job has is accepted.
ORDO_FAULT="partition=0|1@1s-2s" TEST_LIMIT=60 "$top_srcdir/tests/mpirun.sh" 2 -x ORDO_FAULT \
    "$info" >"$out" 2>&1 || { echo "FAIL: partition=0|1@1s-2s refused on 2 ranks"; cat "$out"; fail=1; }
grep -q "ORDO_FAULT=partition=0|1@1s-2s   (environment)" "$out" ||
    { echo "FAIL: ordo_info does not show the spec"; cat "$out"; fail=1; }
[ $fail = 0 ] && echo "ok: ranks beyond the job refused on every rank, no hang"
exit $fail
