#!/bin/sh
# Clocks on 4 ranks with a random message pattern, traced; ordo-trace finds no
# violation in the trace, and finds the damage in a corrupted copy.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tool="$top_builddir/tools/trace/ordo-trace"
fail=0

ORDO_TRACE="$dir/run"
export ORDO_TRACE
"$top_srcdir/tests/mpirun.sh" 4 -x ORDO_TRACE "$top_builddir/tests/runtime/test_clocks_mpi" ||
    { echo "FAIL: the clock suite failed"; exit 1; }
ls "$dir/run"

if ! "$tool" check "$dir/run" >"$dir/out" 2>&1 || ! grep -q "^violations: 0 " "$dir/out"; then
    echo "FAIL: ordo-trace check of a real run:"; fail=1
fi
cat "$dir/out"

# A receive whose Lamport time is 1 cannot come after its send: a violation.
mkdir "$dir/bad"
cp "$dir"/run/*.txt "$dir/bad/"
awk '$2 == "recv" && !done && $4 > 3 { $4 = 1; done = 1 } { print }' "$dir/run/ordo-trace.1.txt" \
    >"$dir/bad/ordo-trace.1.txt"
"$tool" check "$dir/bad" >"$dir/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "lamport-order" "$dir/out" ||
    { echo "FAIL: a forged Lamport time was not reported (exit $rc)"; cat "$dir/out"; fail=1; }

# A truncated file is refused with the file and the line.
mkdir "$dir/cut"
cp "$dir"/run/*.txt "$dir/cut/"
head -c 300 "$dir/run/ordo-trace.2.txt" >"$dir/cut/ordo-trace.2.txt"
"$tool" check "$dir/cut" >"$dir/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "ordo-trace.2.txt:[0-9]" "$dir/out" ||
    { echo "FAIL: a truncated trace was not refused (exit $rc)"; cat "$dir/out"; fail=1; }
[ $fail = 0 ] && echo "ok: trace checked clean; forged and truncated traces caught"
exit $fail
