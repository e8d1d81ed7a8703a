#!/bin/sh
# campaign.sh - a long fault campaign: ordo-nemesis for many seeds, one
# after the other, and one summary table (per seed: the faults, operations,
# operations per second, each check, the verdict; totals at the end).
#
#   tools/nemesis/campaign.sh [-s SEEDS] [-f FIRST] [-d DURATION] [-n NP] [-w WORKLOAD]
#                             [-c COUNT] [-o DIR] [-C] [-- ordo-nemesis options...]
#
# SEEDS seeds from FIRST (default 10 from 1), DURATION seconds each
# (default 20), NP ranks (default 5), WORKLOAD kv, bank or both (default
# both), COUNT faults per seed (default 4). Each seed's output goes to
# DIR/seed-N (default nemesis-campaign), the table to DIR/summary.txt and
# stdout. -C runs nothing: every seed's directory of an earlier campaign in
# DIR is checked again (ordo-nemesis --check) and the table rewritten.
# ORDO_NEMESIS names the binary (default: next to this script in a
# build tree, else ordo-nemesis on PATH). Exit 0 if every seed passed, 1 if
# any found a violation, 2 if any could not run.
set -u
seeds=10 first=1 duration=20 np=5 workload=both count=4 out=nemesis-campaign recheck=
usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}
while getopts "s:f:d:n:w:c:o:Ch" opt; do
    case $opt in
    s) seeds=$OPTARG ;;
    f) first=$OPTARG ;;
    d) duration=$OPTARG ;;
    n) np=$OPTARG ;;
    w) workload=$OPTARG ;;
    c) count=$OPTARG ;;
    o) out=$OPTARG ;;
    C) recheck=1 ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
case $seeds$first in *[!0-9]* | "") echo "campaign.sh: -s and -f take integers" >&2; exit 2 ;; esac
if [ -z "${ORDO_NEMESIS:-}" ]; then
    here=$(cd "$(dirname "$0")" && pwd)
    for c in "$here/ordo-nemesis" "$here/../../build/tools/nemesis/ordo-nemesis"; do
        [ -x "$c" ] && ORDO_NEMESIS=$c && break
    done
    : "${ORDO_NEMESIS:=ordo-nemesis}"
fi
mkdir -p "$out" || exit 2
table=$out/summary.txt
start=$(date +%s)
{
    if [ -n "$recheck" ]; then
        echo "# ordo-nemesis campaign in $out: $seeds seeds from $first checked again (each seed's options: its schedule file)"
    else
        echo "# ordo-nemesis campaign: $seeds seeds from $first, workload $workload, $np ranks, ${duration} s each, $count faults per seed"
    fi
    printf '%-6s %-44s %9s %8s %8s %8s %5s %5s %5s %5s %s\n' seed faults ops ok_ops ops/s lincheck lost kv bank hung verdict
} >"$table"
cat "$table"
worst=0 s=$first last=$((first + seeds - 1))
while [ "$s" -le "$last" ]; do
    if [ -n "$recheck" ]; then
        "$ORDO_NEMESIS" --check "$out/seed-$s" >"$out/seed-$s.check.log" 2>&1
        rc=$?
        grep '^nemesis: seed=' "$out/seed-$s.check.log" >>"$out/seed-$s.log"
    else
        "$ORDO_NEMESIS" -s "$s" -d "$duration" -n "$np" -w "$workload" -c "$count" \
            -o "$out/seed-$s" "$@" >"$out/seed-$s.log" 2>&1
        rc=$?
    fi
    [ $rc -gt $worst ] && worst=$rc
    line=$(grep '^nemesis: seed=' "$out/seed-$s.log" | tail -1)
    if [ -z "$line" ]; then
        printf '%-6s %s\n' "$s" "NO RUN (exit $rc): see $out/seed-$s.log" | tee -a "$table"
    else
        # key=value fields of ordo-nemesis's last line
        eval "$(echo "$line" | sed 's/^nemesis: //' | tr ' ' '\n' | sed -n 's/^\([a-z_]*\)=\(.*\)$/f_\1="\2"/p')"
        printf '%-6s %-44s %9s %8s %8s %8s %5s %5s %5s %5s %s\n' "$s" "$f_faults:$f_kinds" "$f_ops" \
            "$f_ok" "$f_ops_s" "$f_lincheck" "$f_lost" "$f_kv" "$f_bank" "$f_hung" "$f_verdict" |
            tee -a "$table"
    fi
    s=$((s + 1))
done
# totals: operations, the load's seconds, kinds seen, verdicts
awk -v wall=$(($(date +%s) - start)) '
    /^#/ || NF < 11 { if (!/^#/ && $0 != "") norun++; next }
    $1 == "seed" { next }
    { ops += $3; ok += $4; if ($5 > 0) secs += $3 / $5; runs++
      split($2, a, ":"); n = split(a[2], kk, "+"); for (i = 1; i <= n; i++) kinds[kk[i]]++
      lin[$6]++; lost += $7; kv[$8]++; bank[$9]++; hung += $10; verdict[$11]++ }
    END {
      printf "# totals: %d seeds run (%d could not run), %d operations (%d ok), %.0f ops/s (%.0f ok ops/s) under faults over %.0f s of load (%d s wall)\n", runs, norun, ops, ok, (secs > 0 ? ops / secs : 0), (secs > 0 ? ok / secs : 0), secs, wall
      s = ""; for (k in kinds) s = s " " k "=" kinds[k]; print "# fault kinds (seeds with each):" s
      printf "# linearizable: %d of %d; lost writes: %d; kv survivors agree: %d (not run: %d); bank ok: %d (not run: %d); hung or died: %d; PASS %d, FAIL %d\n", lin["ok"], runs, lost, kv["ok"], kv["-"], bank["ok"], bank["-"], hung, verdict["PASS"], verdict["FAIL"]
    }' "$table" | tee -a "$table.tmp"
cat "$table.tmp" >>"$table" && rm -f "$table.tmp"
exit "$worst"
