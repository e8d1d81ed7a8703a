#!/bin/sh
# Row 7, exactly-once cost: o = (1 + c_x/c_b) * exp(lambda * t_x), the cost
# of a successful call with the receiver's dedup window (ORDO_DELIVERY=
# exactly-once) over the same call without it (at-least-once), under
# injected message loss (ORDO_FAULT drop=d, retries every ORDO_RETRY_MS).
# c_b: the at-least-once call's mean time without loss; c_x = t_x: what the
# window adds to it (the median ratio of the modes without loss, minus 1,
# times c_b: so the row at drop 0 is the parameter itself); lambda:
# the failure rate per unit of attempt time that loses a call (request or
# reply) with probability 1 - (1 - d)^2 over an attempt of c_b.  Measured:
# mean time per call, exactly-once over at-least-once, the two modes taking
# turns (at most 100/d calls per run at drop d) (benchmarks/ordo_latency 8 B, the same seed, so the same messages
# are lost), the median of the rounds' ratios.
# shellcheck disable=SC2046 # set -- $(...) splits a line of figures on purpose
set -eu
# shellcheck source=benchmarks/report/lib.sh
. "$REPORT_SRC/benchmarks/report/lib.sh"
bin=$(report_bin ordo_latency)
drops="0 0.001 0.01 0.05" rounds=5 iters=20000
[ "$REPORT_QUICK" = 1 ] && drops="0 0.01" rounds=1 iters=2000
# A retry timer makes every request one that may repeat, so both modes take
# the same path and only the window differs; no calibration (8 B is eager).
export ORDO_RETRY_MS=${ORDO_RETRY_MS:-2} ORDO_RNDV_THRESH=8192
raw=$REPORT_OUT/exactly_once.txt
: >"$raw"
one() { # MODE DROP: mean and p50 of an 8 B call (us)
    f=none
    [ "$2" != 0 ] && f="drop=$2,seed=7"
    # About 200 lost calls per run at most: each waits for a retry of milliseconds.
    n=$(awk -v d="$2" -v i="$iters" 'BEGIN { n = d > 0 ? int(100 / d) : i; print (n < i ? n : i) }')
    ORDO_DELIVERY=$1 ORDO_FAULT=$f report_run 2 "$bin" -m 8:8 -i "$n" >"$raw.one" 2>&1 || {
        cat "$raw.one"; return 1; }
    echo "# ORDO_DELIVERY=$1 ORDO_FAULT=$f" >>"$raw"
    cat "$raw.one" >>"$raw"
    awk '!/^#/ && $1 == 8 { print $2, $3 }' "$raw.one"
}
rcsv=$REPORT_OUT/exactly_once_rounds.csv
echo "drop,round,alo_mean_us,eo_mean_us,alo_p50_us,eo_p50_us,ratio_mean,ratio_p50" >"$rcsv"
for d in $drops; do
    r=1
    while [ "$r" -le "$rounds" ]; do
        set -- $(one at-least-once "$d")
        am=$1 ap=$2
        set -- $(one exactly-once "$d")
        em=$1 ep=$2
        echo "$d,$r,$am,$em,$ap,$ep,$(awk -v a="$am" -v e="$em" -v x="$ap" -v y="$ep" 'BEGIN { printf "%.4f,%.4f", e / a, y / x }')" >>"$rcsv"
        r=$((r + 1))
    done
done
rm -f "$raw.one"
report_csv_check "$rcsv"
# Per drop rate: medians over the rounds, then the prediction from drop 0.
med() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
csv=$REPORT_OUT/exactly_once.csv
echo "drop,alo_mean_us,eo_mean_us,c_x_over_c_b,lambda_per_s,t_x_us,predicted,measured,ratio,measured_p50_ratio" >"$csv"
# The parameters from drop 0: c_b the at-least-once mean, 1 + c_x/c_b the
# median of the rounds' ratios (the same figure the measured column gives).
cb=$(awk -F, 'NR > 1 && $1 == 0 { print $3 }' "$rcsv" | med)
cxcb=$(awk -F, 'NR > 1 && $1 == 0 { print $7 - 1 }' "$rcsv" | med)
cx=$(awk -v cb="$cb" -v r="$cxcb" 'BEGIN { printf "%.4f", r * cb }') # < 0: noise
for d in $drops; do
    am=$(awk -F, -v d="$d" 'NR > 1 && $1 == d { print $3 }' "$rcsv" | med)
    em=$(awk -F, -v d="$d" 'NR > 1 && $1 == d { print $4 }' "$rcsv" | med)
    mr=$(awk -F, -v d="$d" 'NR > 1 && $1 == d { print $7 }' "$rcsv" | med)
    pr=$(awk -F, -v d="$d" 'NR > 1 && $1 == d { print $8 }' "$rcsv" | med)
    awk -v d="$d" -v am="$am" -v em="$em" -v cb="$cb" -v cx="$cx" -v mr="$mr" -v pr="$pr" 'BEGIN {
        lam = d > 0 ? -2 * log(1 - d) / (cb * 1e-6) : 0
        pred = (1 + cx / cb) * exp(lam * cx * 1e-6)
        printf "%s,%s,%s,%.4f,%.1f,%s,%.4f,%s,%.4f,%s\n", d, am, em, cx / cb, lam, cx, pred, mr, mr / pred, pr }' >>"$csv"
done
cat "$csv"
report_plot exactly_once <<'GP'
set title 'Exactly-once over at-least-once: mean time per 8 B call under message loss'
set xlabel 'drop probability per message'
set ylabel 'exactly-once / at-least-once'
set key left top
plot 'exactly_once.csv' using 1:7 with linespoints lw 2 pt 6 title '(1 + c_x/c_b) exp(lambda t_x)', \
     '' using 1:8 with points pt 7 ps 1.5 title 'measured (mean, median of rounds)', \
     '' using 1:10 with points pt 5 ps 1.2 title 'measured (p50, median of rounds)'
GP
png=$(report_png exactly_once)
set -- $(tail -n 1 "$csv" | tr , ' ')
report_summary "7 exactly-once" "o = (1 + c_x/c_b) exp(lambda t_x)" \
    "c_b $cb us, c_x = t_x $cx us (drop 0), lambda $5 /s at drop $1; $rounds rounds x $iters calls" \
    "$7" "$8" "$9" "$(report_verdict "$9") (largest drop)" "$png"
report_section exactly_once <<EOF2
## 7. Exactly-once cost

\`ORDO_DELIVERY=exactly-once|at-least-once ORDO_RETRY_MS=$ORDO_RETRY_MS ORDO_FAULT=drop=d,seed=7 $REPORT_LAUNCH 2 build/benchmarks/ordo_latency -m 8:8 -i N\`
(N = $iters, at most 100/d under loss),
the two modes taking turns, $rounds rounds per drop rate, the same seed (the same messages
are lost in both). c_b is the at-least-once mean without loss ($cb us), c_x = t_x what the
exactly-once window adds to it ($cx us: the median ratio of the modes without loss, minus 1,
times c_b; so the drop-0 row is the parameter, not a test), lambda the rate that loses an attempt of c_b with
probability 1 - (1 - d)^2. A negative c_x is noise: the window's cost is below what the
machine resolves. The exponential term is (1 - d)^(-2 c_x / c_b): at most a few per
mille at these rates, far below what this machine can resolve (the mean under loss is carried
by retries of milliseconds), so what the row can show is the first factor, 1 + c_x/c_b, and
whether loss changes the ratio. Under loss the mean is carried by a few lost calls whose
retries back off to tens of milliseconds (\`-f\` prints the max: 80-95 ms in a trial run),
so the ratio of means swings between runs (0.7 to 2.9 in trials of 2000-10000 calls); the
p50 ratio (last column) shows the calls that lost nothing. A retry timer is set in both modes, so both send every
request as one that may repeat (no short path) and only the window differs.

$(report_csv_md "$csv")

Rounds:

$(report_csv_md "$rcsv")

![exactly-once]($png)
EOF2
