#!/bin/sh
# ordo-litmus runs the whole catalogue on the runtime, 4 ranks, every model,
# a few hundred iterations each (the 10^5-iteration figures are a benchmark:
# see README.md, "Litmus tests"): no state a model forbids is ever observed,
# every test gets its litmus7 block and a summary row.  Then a test with
# homes on other ranks, and SB under stress with injected message delay.
set -u
bin=$top_builddir/tools/litmus/ordo-litmus
data=$top_srcdir/tests/litmus
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$top_srcdir/tests/mpirun.sh" 4 "$bin" -n 300 -b 150 "$data"/*.litmus >"$out" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$out"; bad "the catalogue: exit status $rc (1: a forbidden state observed)"; }
grep -q "^FORBIDDEN by" "$out" && { grep "^FORBIDDEN by" "$out"; bad "forbidden states observed"; }
ntests=$(ls "$data"/*.litmus | wc -l)
for m in sc tso causal; do
    n=$(grep -c "^Check .* $m: every observed state" "$out")
    [ "$n" = "$ntests" ] || bad "$m: $n of $ntests tests checked"
done
grep -q "^Observation SB " "$out" || bad "no Observation line"
grep -Eq "^Time SB [0-9.]+ s, [0-9]+ iterations/s" "$out" || bad "no Time line"
grep -q "^SB  *forbidden, seen 0/300, ok  *allowed, seen [0-9]*/300, ok" "$out" ||
    bad "no summary row for SB"

"$top_srcdir/tests/mpirun.sh" 4 "$bin" -n 200 --homes others -m sc,tso "$data/SB.litmus" \
    "$data/MP.litmus" >"$out" 2>&1 || { cat "$out"; bad "homes on other ranks"; }
"$top_srcdir/tests/mpirun.sh" 3 "$bin" -n 10 --homes others "$data/IRIW.litmus" >"$out" 2>&1
[ $? = 2 ] && grep -q "it needs 5 ranks (homes on other ranks), this run has 3" "$out" ||
    { cat "$out"; bad "too few ranks for IRIW"; }

ORDO_FAULT=delay=0.3:20,seed=5 "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_FAULT "$bin" -n 500 \
    --stress "$data/SB.litmus" "$data/WRC.litmus" "$data/MP.litmus" >"$out" 2>&1 ||
    { cat "$out"; bad "under stress and injected delay"; }
# TSO store forwarding: SB+rfi's read-backs come from the store buffer, and
# a write whose home may have it already is not forwarded after a read of
# memory that may be younger (MP+rfi stays forbidden); homes on other ranks
# keep every write travelling.
ORDO_FAULT=delay=0.3:20,seed=7 "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_FAULT "$bin" -n 1000 \
    -m tso --homes others --stress "$data/SB+rfi.litmus" "$data/MP+rfi.litmus" >"$out" 2>&1 ||
    { cat "$out"; bad "TSO forwarding under stress and injected delay"; }

[ $fail = 0 ] && echo "ok: ordo-litmus ran the catalogue ($ntests tests x 3 models) on 4 ranks: nothing forbidden observed"
exit $fail
