#!/bin/sh
# The runtime test suite on 4 rank(s).  Its slow-rank barrier test makes the
# others wait past ORDO_TIMEOUT_MS (200 ms there) for rank 3: the warning
# timer must have said so while they waited.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$top_srcdir/tests/mpirun.sh" 4 "$top_builddir/tests/runtime/test_runtime_mpi" >"$out" 2>&1
rc=$?
cat "$out"
[ "$rc" = 0 ] || exit "$rc"
if ! grep -q "warn: barrier [0-9]*: rank 3 has not come after 0\.[0-9] s (it is alive)" "$out"; then
    echo "FAIL: no barrier warning named the slow rank 3"
    exit 1
fi
