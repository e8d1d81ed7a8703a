#!/bin/sh
# compare-ucx.sh end to end, one round on shared memory: exit status 0, the
# transports each side used, a round line, and the table with a ratio and a
# verdict for both figures.  Then bad usage: exit status 2 and a message
# naming the option.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
script=$top_srcdir/benchmarks/compare-ucx.sh
fail=0

command -v ucx_perftest >/dev/null 2>&1 || { echo "SKIP: no ucx_perftest (ucx-utils)"; exit 77; }

LIMIT=60 sh "$script" -c shm -r 1 "$top_builddir" >"$out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL: compare-ucx.sh -c shm -r 1 exited $rc"; cat "$out"; exit 1
fi
for pattern in '^   ucx_perftest ucp_am_lat transports: ' '^   ordo transports: ' \
    '^   round 1: 8 B latency ucx [0-9.]+ ordo [0-9.]+ ' \
    '^8 B latency, p50 \(us\) +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +<= 1.2 +(met|NOT met)$' \
    '^  vs UCX in the same run +[0-9.]+ +[0-9.]+ +[0-9.]+ +<= 1.2 +(met|NOT met)$' \
    'in-run UCX [0-9.]+: [0-9.]+\);' \
    '^4 MiB bandwidth \(MB/s\) +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +>= 0.9 +(met|NOT met)$' \
    '^  vs UCX in the same run +[0-9.]+ +[0-9.]+ +[0-9.]+ +>= 0.9 +(met|NOT met)$' \
    'in-run UCX [0-9.]+: [0-9.]+\)$'; do
    grep -Eq "$pattern" "$out" || { echo "FAIL: no line matching '$pattern'"; fail=1; }
done
[ $fail -eq 0 ] || cat "$out"

bad() { # EXPECTED-TEXT ARGS...
    want=$1
    shift
    sh "$script" "$@" >"$out" 2>&1
    rc=$?
    if [ $rc -ne 2 ] || ! grep -q -- "$want" "$out"; then
        echo "FAIL: compare-ucx.sh $*: exit $rc (want 2), message:"; cat "$out"; fail=1
    fi
}
bad "-r: '0' is not a number of rounds" -r 0
bad "-r: 'x' is not a number of rounds" -r x
bad "-c: 'tcp' is not a configuration" -c tcp
exit $fail
