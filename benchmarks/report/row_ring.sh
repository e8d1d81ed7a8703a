#!/bin/sh
# Row 6, consistent hashing (consistency/ring.c): the fraction of blocks that
# move when one of N ranks leaves or joins, against 1/N, and the balance
# (max/mean blocks per rank) against the virtual nodes per rank, both from
# benchmarks/ordo_ring_bench (no ranks: the ring is a pure function).
# shellcheck disable=SC2046 # set -- $(...) splits a line of figures on purpose
set -eu
# shellcheck source=benchmarks/report/lib.sh
. "$REPORT_SRC/benchmarks/report/lib.sh"
bin=$(report_bin ordo_ring_bench)
rings=50 blocks=100000
[ "$REPORT_QUICK" = 1 ] && rings=4 blocks=20000
"$bin" moves -t "$rings" -b "$blocks" >"$REPORT_OUT/ring_moves.csv"
"$bin" balance -t "$rings" -b "$blocks" -n 16 >"$REPORT_OUT/ring_balance.csv"
report_csv_check "$REPORT_OUT/ring_moves.csv"
report_csv_check "$REPORT_OUT/ring_balance.csv"

report_plot ring_moves <<'GP'
set title 'Blocks moved when one of N ranks leaves or joins (64 virtual nodes)'
set logscale xy 2
set xlabel 'N (ranks)'
set ylabel 'fraction of blocks moved'
plot 'ring_moves.csv' using 1:5 with lines lw 2 title '1/N', \
     '' using 1:6 with points pt 7 ps 1.5 title 'leave (measured)', \
     '' using 1:8 with points pt 5 ps 1.2 title 'join (measured)'
GP
report_plot ring_balance <<'GP'
set title 'Balance: max/mean blocks per rank, 16 ranks'
set logscale x 2
set xlabel 'virtual nodes per rank'
set ylabel 'max / mean'
plot 'ring_balance.csv' using 1:5 with lines lw 2 title 'predicted E[max] of 16 Gamma loads', \
     '' using 1:6 with points pt 7 ps 1.5 title 'measured (mean over rings)'
GP

# Summary: the worst ratio of each sweep.
worst() { # FILE COLUMN: the ratio farthest from 1, with its row's first field
    awk -F, -v c="$2" 'NR > 1 { d = $c - 1; if (d < 0) d = -d; if (d >= best) { best = d; r = $c; k = $1 } }
        END { print k, r }' "$1"
}
set -- $(worst "$REPORT_OUT/ring_moves.csv" 7)
ln=$1 lr=$2
set -- $(worst "$REPORT_OUT/ring_moves.csv" 9)
jn=$1 jr=$2
set -- $(worst "$REPORT_OUT/ring_balance.csv" 7)
bv=$1 br=$2
lpred=$(awk -F, -v n="$ln" '$1 == n { print $5 " / " $6 }' "$REPORT_OUT/ring_moves.csv")
jpred=$(awk -F, -v n="$jn" '$1 == n { print $5 " / " $8 }' "$REPORT_OUT/ring_moves.csv")
bpred=$(awk -F, -v v="$bv" '$1 == v { print $5 " / " $6 }' "$REPORT_OUT/ring_balance.csv")
report_summary "6 ring: leave" "moved = 1/N" "N = 2..64, 64 vnodes, $rings rings x $blocks blocks; worst at N = $ln" \
    "${lpred% / *}" "${lpred#* / }" "$lr" "$(report_verdict "$lr") (worst N)" "$(report_png ring_moves)"
report_summary "6 ring: join" "moved = 1/N" "worst at N = $jn" \
    "${jpred% / *}" "${jpred#* / }" "$jr" "$(report_verdict "$jr") (worst N)" "$(report_png ring_moves)"
report_summary "6 ring: balance" "max/mean = E[max of N Gamma(mean 1, var (N-1)/(NV+1))]" \
    "N = 16, V = 1..256; worst at V = $bv" "${bpred% / *}" "${bpred#* / }" "$br" \
    "$(report_verdict "$br") (worst V)" "$(report_png ring_balance)"

report_section ring <<EOF2
## 6. Consistent hashing: blocks moved and balance

\`build/benchmarks/ordo_ring_bench moves|balance -t $rings -b $blocks\` (consistency/ring.c, the
ring of the shared objects' homes and the registers' replicas). Each figure is the mean over
$rings rings (ring t: ranks t*N .. t*N+N-1 of a larger job, so the rings are independent).
A leave removes one rank from a ring of N; a join adds one to N - 1 others; only the rank's
own blocks move, so the prediction is its share, 1/N. Balance: a rank's load is the sum of V
arcs of a ring of N*V random points (Beta(V, (N-1)V), scaled to mean 1); the prediction is the
expected maximum of N such loads, each taken as a Gamma of the same mean and variance and the
N as independent (integrated numerically).

$(report_csv_md "$REPORT_OUT/ring_moves.csv")

![moves]($(report_png ring_moves))

$(report_csv_md "$REPORT_OUT/ring_balance.csv")

![balance]($(report_png ring_balance))
EOF2
