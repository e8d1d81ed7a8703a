#!/bin/sh
# ordo_gossip on 2 and 4 ranks, 3 records, short rounds: exit status 0, the
# OSU-style title, the header, one row of numbers keyed by N with at least
# one round; with every rank publishing too; a record over 256 B refused.
set -u
fail=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
bin=$top_builddir/benchmarks/ordo_gossip
ORDO_GOSSIP_PERIOD_MS=5
export ORDO_GOSSIP_PERIOD_MS
show() {
    echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"
}
for args in "2" "4" "4 --publishers 4"; do
    np=${args%% *}
    set -- $args
    shift
    "$top_srcdir/tests/mpirun.sh" "$np" -x ORDO_GOSSIP_PERIOD_MS "$bin" -i 3 -x 1 "$@" \
        >"$out" 2>"$err"
    rc=$?
    ok=1
    [ $rc -eq 0 ] || ok=0
    grep -q "^# OSU-style ordo Gossip Dissemination Test v" "$out" || ok=0
    grep -Eq "^# Size +Rounds mean +Rounds max +log2\(N\) +Registry steps +Hops mean +Hops max +Msgs/rank/round +Msgs/record +Registry msgs" "$out" || ok=0
    [ "$(grep -vc '^#' "$out")" = 1 ] || ok=0
    # N, rounds mean >= 1, ..., the registry's N - 1 steps and messages.
    awk -v n="$np" '!/^#/ { if ($1 != n || $2 < 1 || $5 != n - 1 || $10 != n - 1 || NF != 10) exit 1
        for (i = 1; i <= NF; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/) exit 1 }' "$out" || ok=0
    if [ $ok = 1 ]; then
        echo "ok: ordo_gossip on $np ranks $*"
        sed -n '/^# Size/,$p' "$out" | sed 's/^/    /'
    else
        echo "FAIL: ordo_gossip on $np ranks $* (exit status $rc)"; show; fail=1
    fi
done
if "$top_srcdir/tests/mpirun.sh" 2 "$bin" -m 300 -i 1 >"$out" 2>"$err"; then
    echo "FAIL: a 300 B record accepted"; show; fail=1
elif grep -q "ORDO_GOSSIP_MAX_RECORD" "$out" "$err"; then
    echo "ok: a 300 B record refused"
else
    echo "FAIL: a 300 B record refused without saying why"; show; fail=1
fi
exit $fail
