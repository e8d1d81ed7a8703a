#!/bin/sh
# Row 3, quorum latency: a read waits for the Q-th fastest of R replies, a
# write for the Q-th (tag query) then the W-th (store): predicted from the
# p50 round trips to the key's replicas measured in the same run, with every
# replica's messages held back a time of its own (ORDO_FAULT slow=r:US, set
# by ordo_qreg_latency --delays 0,200,400,...), against the measured p50
# (benchmarks/ordo_qreg_latency, rank 0 operating, the others serving).
# shellcheck disable=SC2046 # set -- $(...) splits a line of figures on purpose
set -eu
# shellcheck source=benchmarks/report/lib.sh
. "$REPORT_SRC/benchmarks/report/lib.sh"
bin=$(report_bin ordo_qreg_latency)
np=6 iters=200
[ "$REPORT_QUICK" = 1 ] && iters=30
[ "$REPORT_NP" -lt "$np" ] && np=$REPORT_NP
[ "$np" -ge 3 ] || { echo "row_quorum: needs 3 ranks, has $np"; exit 1; }
delays=0 r=1
while [ "$r" -lt "$np" ]; do
    delays="$delays,$((200 * r))"
    r=$((r + 1))
done
raw=$REPORT_OUT/quorum.txt
report_run "$np" "$bin" -i "$iters" --delays "$delays" >"$raw" 2>&1 || { cat "$raw"; exit 1; }
cat "$raw"
csv=$REPORT_OUT/quorum.csv
echo "R,W,Q,write_predicted_us,write_p50_us,write_ratio,read_predicted_us,read_p50_us,read_ratio,reads_agreed_pct" >"$csv"
awk '/^# Size .*Predicted/ { on = 1; next } /^#/ { on = 0 }
     on && NF >= 13 { printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", $2, $3, $4, $7, $5, $8, $11, $9, $12, $13 }' \
    "$raw" >>"$csv"
report_csv_check "$csv"
# The median ratio of reads and of writes, and the worst.
stat() { # COLUMN
    tail -n +2 "$csv" | cut -d, -f"$1" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f %.2f %.2f", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
set -- $(stat 9)
rmed=$1 rlo=$2 rhi=$3
set -- $(stat 6)
wmed=$1 wlo=$2 whi=$3
rtts=$(grep '^#    rank' "$raw" | sed 's/^# *//' | paste -sd ',' -)

# Plot: predicted against measured, one point per (R, W, Q) and operation.
awk -F, 'NR > 1 { printf "%s,%s,write R%s W%s Q%s\n%s,%s,read R%s W%s Q%s\n", $4, $5, $1, $2, $3, $7, $8, $1, $2, $3 }' \
    "$csv" | { echo "predicted_us,measured_us,op"; cat; } >"$REPORT_OUT/quorum_points.csv"
report_plot quorum <<'GP'
set title 'Quorum register: measured p50 against the Q-th / W-th fastest replica (held-back replicas)'
set xlabel 'predicted (us)'
set ylabel 'measured p50 (us)'
set key left top
f(x) = x
plot 'quorum_points.csv' using 1:2 with points pt 7 ps 1.5 title 'operations (R, W, Q)', \
     f(x) with lines dt 2 title 'measured = predicted', 1.1 * x with lines dt 3 lc rgb 'gray50' title '+10%'
GP
png=$(report_png quorum)
report_summary "3 quorum read" "read = rtt(Q-th fastest of R)" "holds $delays us on ranks 0..$((np - 1)); $iters iterations" \
    "per (R,W,Q): see section" "p50" "median $rmed ($rlo-$rhi)" "$(report_verdict "$rmed") (median)" "$png"
report_summary "3 quorum write" "write = rtt(Q-th) + rtt(W-th)" "same" "per (R,W,Q)" "p50" \
    "median $wmed ($wlo-$whi)" "$(report_verdict "$wmed") (median)" "$png"

report_section quorum <<EOF2
## 3. Quorum latency: the Q-th / W-th fastest of R replies

\`$REPORT_LAUNCH $np build/benchmarks/ordo_qreg_latency -i $iters --delays $delays\`: every
message rank r sends is held back its own time (ORDO_FAULT slow=r:US: the per-replica delay
is a fixed hold plus what the machine adds), so the replicas answer in a known order. The
prediction takes the p50 round trips from rank 0 to the key's replicas measured in the same
run (interleaved with the operations), rtt(k) the k-th fastest: read = rtt(Q) (+ rtt(W) when
it writes back), write = rtt(Q) + rtt(W). Round trips measured (p50 / p99, us): $rtts. Reads: median ratio $rmed; writes: median ratio $wmed. Where the measured time is
well above the prediction (a ratio over 1.1), the operation paid more than its quorum's
round trips: with $np ranks on this machine's cores a replica's answer also waits for its
turn on a core, and a write pays that in both phases.

$(report_csv_md "$csv")

![quorum]($png)
EOF2
