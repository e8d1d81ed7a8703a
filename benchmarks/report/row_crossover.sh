#!/bin/sh
# Row 1, eager / rendezvous crossover: x* = (alpha_r - alpha_e) /
# (1/beta_e - 1/beta_r) from the model ordo calibrated at start-up
# (ordo_rpc_model, printed by benchmarks/ordo_crossover), and its T(x) =
# alpha + x/beta of both paths, against the medians of both paths forced in
# turn (call by call) in the same run: the measured crossover is where the
# measured curves cross (linear interpolation between the two sizes around
# the last change of sign).
# shellcheck disable=SC2046 # set -- $(...) splits a line of figures on purpose
set -eu
# shellcheck source=benchmarks/report/lib.sh
. "$REPORT_SRC/benchmarks/report/lib.sh"
bin=$(report_bin ordo_crossover)
opts="-m 1:4M"
[ "$REPORT_QUICK" = 1 ] && opts="-m 1:64K -i 200 -x 20"
raw=$REPORT_OUT/crossover.txt
# shellcheck disable=SC2086
report_run 2 "$bin" $opts >"$raw" 2>&1 || { cat "$raw"; exit 1; }
cat "$raw"
csv=$REPORT_OUT/crossover.csv
echo "size_B,eager_us,rndv_us,auto_us,model_eager_us,model_rndv_us,eager_over_model,rndv_over_model" >"$csv"
awk '!/^#/ && NF >= 8 && $1 ~ /^[0-9]+$/ {
        printf "%s,%s,%s,%s,%s,%s,%.4f,%.4f\n", $1, $2, $3, $4, $5, $6, $2 / $5, $3 / $6 }' "$raw" >>"$csv"
report_csv_check "$csv"

# The calibrated model's parameters, and x* by the formula.
set -- $(sed -n 's/^#   eager T(x) = \([0-9.]*\) us + x \/ \([0-9.]*\) MB\/s; rndv T(x) = \([0-9.]*\) us + x \/ \([0-9.]*\) MB\/s.*/\1 \2 \3 \4/p' "$raw")
[ $# -eq 4 ] || { echo "row_crossover: no calibrated model in the output"; exit 1; }
ae=$1 be=$2 ar=$3 br=$4
xpred=$(awk -v ae="$ae" -v be="$be" -v ar="$ar" -v br="$br" 'BEGIN {
    d = 1 / be - 1 / br; if (d <= 0) print "none"; else printf "%.0f", (ar - ae) / d }')
model_x=$(sed -n 's/^#   x\* = \([0-9]*\) B.*/\1/p' "$raw")
# Measured: after the last size where eager is at most rendezvous, rendezvous
# stays faster; interpolate eager - rndv between that size and the next.
xmeas=$(awk -F, 'NR > 1 { n++; x[n] = $1; d[n] = $2 - $3 }
    END { last = 0; for (i = 1; i <= n; i++) if (d[i] <= 0) last = i
          if (last == 0) { print "below " x[1]; exit }
          if (last == n) { print "none"; exit }
          printf "%.0f", x[last] + (x[last + 1] - x[last]) * (-d[last]) / (d[last + 1] - d[last]) }' "$csv")
ratio=$(awk -v p="$xpred" -v m="$xmeas" 'BEGIN { if (p + 0 > 0 && m + 0 > 0) printf "%.2f", m / p; else print "" }')
verdict=$(report_verdict "$ratio")
[ -z "$ratio" ] && verdict="no crossover within the sizes measured"
# T(x): per path, the median and the worst of measured / model over the sizes.
curve() { # COLUMN: "median worst"
    tail -n +2 "$csv" | cut -d, -f"$1" | sort -g | awk '{ v[NR] = $1; d = $1 - 1; if (d < 0) d = -d
        if (d >= w) { w = d; wr = $1 } } END { printf "%.2f %.2f", v[int((NR + 1) / 2)], wr }'
}
set -- $(curve 7)
em=$1 ew=$2
set -- $(curve 8)
rm=$1 rw=$2
# The eager path's largest step between neighbouring sizes (a protocol change).
step=$(awk -F, 'NR > 2 && $2 / prev > best { best = $2 / prev; a = px; b = $1 } NR > 1 { prev = $2; px = $1 }
    END { printf "%.1fx from %s to %s B", best, a, b }' "$csv")
within=$(awk -F, 'NR > 1 { n += 2; d = $7 - 1; e = $8 - 1; k += (d <= 0.1 && d >= -0.1) + (e <= 0.1 && e >= -0.1) }
    END { printf "%d of %d", k, n }' "$csv")

report_plot crossover <<GP
set title 'Eager / rendezvous: ordo_rpc_call, x-byte request, empty reply (medians)'
set logscale xy
set xlabel 'x (bytes)'
set ylabel 'round trip (us)'
set key left top
$( [ "$xpred" != none ] && echo "set arrow from $xpred, graph 0 to $xpred, graph 1 nohead dt 2 lc rgb 'gray40'")
$( [ "$xpred" != none ] && echo "set label 'x* = $xpred B (model)' at $xpred, graph 0.9 offset 0.5,0")
plot 'crossover.csv' using 1:2 with linespoints pt 7 title 'eager (measured)', \
     '' using 1:3 with linespoints pt 5 title 'rendezvous (measured)', \
     '' using 1:5 with lines dt 2 lw 2 title 'eager T(x) model', \
     '' using 1:6 with lines dt 2 lw 2 title 'rendezvous T(x) model'
GP

png=$(report_png crossover)
report_summary "1 crossover" "x* = (alpha_r - alpha_e) / (1/beta_e - 1/beta_r)" \
    "alpha_e $ae us, beta_e $be MB/s, alpha_r $ar us, beta_r $br MB/s (start-up calibration)" \
    "$xpred B" "$xmeas B" "$ratio" "$verdict" "$png"
report_summary "1 T(x) curves" "T(x) = alpha + x / beta, each path" "same" "model" \
    "measured/model median: eager $em, rndv $rm" "worst: eager $ew, rndv $rw" \
    "$within sizes within 10%" "$png"

report_section crossover <<EOF2
## 1. Eager / rendezvous crossover

\`$REPORT_LAUNCH 2 build/benchmarks/ordo_crossover $opts\`: rank 0 calls rank 1 with an x-byte
request and an empty reply, eager and rendezvous forced call by call in a random order, medians.
The model is the one ordo calibrated at start-up in the same run (ordo_rpc_model):
eager T(x) = $ae us + x / $be MB/s, rendezvous T(x) = $ar us + x / $br MB/s, so
x* = ($ar - $ae) / (1/$be - 1/$br) = **$xpred B** (ordo's own threshold, which it
places on the calibration's measured sizes: ${model_x:-?} B). Measured crossover (where the
medians cross, interpolated): **$xmeas B**; measured / predicted = $ratio ($verdict).
T(x): measured / model within 10 % at $within sizes (medians eager $em, rendezvous $rm).
A straight line fits the eager path poorly where its cost steps at a protocol change of the
transport underneath (this run's largest step of the eager medians: $step), and the
crossover sits at such a step, so two lines fitted over all sizes can place it far off.

$(report_csv_md "$csv")

![crossover]($png)

<details><summary>ordo_crossover's own output</summary>

\`\`\`
$(cat "$raw")
\`\`\`
</details>
EOF2
