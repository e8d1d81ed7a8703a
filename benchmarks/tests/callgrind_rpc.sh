#!/bin/sh
# benchmarks/callgrind-rpc.sh counts instructions per call: it runs, prints
# a row of three counts, and ordo's and UCX's are above zero (the call
# really went through both).  Skipped without valgrind, and in sanitizer builds.
set -u
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
if ldd "$top_builddir/.libs/libordo.so" 2>/dev/null | grep -q libasan; then
    echo "SKIP: a sanitizer build does not run under valgrind"; exit 77
fi
out=$("$top_srcdir/benchmarks/callgrind-rpc.sh" "$top_builddir" 2>&1) || {
    echo "FAIL: callgrind-rpc.sh"; echo "$out"; exit 1; }
echo "$out"
row=$(echo "$out" | tail -n 1)
set -- $row
[ $# = 3 ] && [ "$1" -gt 0 ] && [ "$2" -gt 0 ] || { echo "FAIL: no counts in '$row'"; exit 1; }
echo "ok: $1 instructions of ordo, $2 of UCX per call"
"$top_srcdir/benchmarks/callgrind-rpc.sh" -s 2>/dev/null && { echo "FAIL: -s without a size accepted"; exit 1; }
exit 0
