#!/bin/sh
# Row 4, clocks: the skew bound 2*rho*P under injected drift (ordo_skew: two
# ranks drifting +rho and -rho, physical clocks without messages, then the
# HLC with calls every millisecond), and the lease guard (the consistency
# suite's test_qlock_lease on 3 ranks: the holder 10 % slow, the replicas
# 10 % fast; overlaps of two holders without the guard, with a guard for
# rho = 100 ppm, and with one for rho = 100000 ppm).
# shellcheck disable=SC2046 # set -- $(...) splits a line of figures on purpose
set -eu
# shellcheck source=benchmarks/report/lib.sh
. "$REPORT_SRC/benchmarks/report/lib.sh"
bin=$(report_bin ordo_skew)
ppm=1000 secs=4 n=8
[ "$REPORT_QUICK" = 1 ] && secs=1 n=4
csv=$REPORT_OUT/clock_skew.csv
ORDO_CLOCKS=lamport,hlc ORDO_FAULT="drift=0:$ppm,drift=1:-$ppm" ORDO_TIMEOUT_MS=${ORDO_TIMEOUT_MS:-120000} \
    report_run 2 "$bin" -p "$ppm" -T "$secs" -s "$n" >"$csv" 2>"$REPORT_OUT/clock_skew.err" || {
    cat "$csv" "$REPORT_OUT/clock_skew.err"; exit 1; }
cat "$csv"
report_csv_check "$csv"
set -- $(awk -F, '$1 == "physical" { p = $3; m = $4; r = $5; t = $2 } END { print t, p, m, r }' "$csv")
pt=$1 ppred=$2 pmeas=$3 pratio=$4
set -- $(awk -F, '$1 == "hlc" { n++; v[n] = $4; if ($4 > mx) mx = $4; if ($4 / $3 > mr) mr = $4 / $3 }
    END { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
          printf "%.1f %.1f %.2f", v[int((n + 1) / 2)], mx, mr }' "$csv")
hmed=$1 hmax=$2 hworst=$3

# Leases: the consistency suite's program, if built (make check builds it).
lease=$REPORT_BUILD/tests/consistency/test_qlock_lease
lcsv=$REPORT_OUT/clock_lease.csv
echo "guard,rho_ppm,predicted_overlap_ms,overlaps,rounds,largest_overlap_ms,ratio" >"$lcsv"
if [ -x "$lease" ]; then
    export ORDO_FAULT="drift=0:100000,drift=1:-100000,drift=2:100000"
    for cfg in "n 100 overlap" "y 100 overlap" "y 100000 none"; do
        set -- $cfg
        # Holder 10 % slow trusts (D - g) / 0.9 of real time, replicas 10 % fast
        # grant again after (D + g) / 1.1, g = 2 rho D (0 without the guard), D = 500 ms.
        pred=$(awk -v gd="$1" -v rho="$2" 'BEGIN { D = 500; g = (gd == "y") ? 2 * rho / 1e6 * D : 0
            printf "%.1f", (D - g) / 0.9 - (D + g) / 1.1 }')
        ORDO_LEASE_GUARD=$1 ORDO_CLOCK_DRIFT_PPM=$2 report_run 3 "$lease" "$3" \
            >"$REPORT_OUT/clock_lease_$1_$2.txt" 2>&1 || true
        line=$(grep '^lease .* overlaps' "$REPORT_OUT/clock_lease_$1_$2.txt" || true)
        [ -n "$line" ] || { cat "$REPORT_OUT/clock_lease_$1_$2.txt"; exit 1; }
        echo "$line" | awk -v gd="$1" -v rho="$2" -v pred="$pred" '{
            for (i = 1; i <= NF; i++) { if ($i == "overlaps") { split($(i + 1) " " $(i + 3), a, " "); o = a[1]; r = $(i + 3); sub(/,/, "", r) }
                                         if ($i == "largest") m = $(i + 1) }
            printf "%s,%s,%s,%s,%s,%s,%.4f\n", gd, rho, pred, o, r, m, (pred != 0 ? m / pred : 0) }' >>"$lcsv"
    done
    unset ORDO_FAULT
    lease_note="test_qlock_lease, 3 ranks, lease D = 500 ms, 3 rounds per setting"
else
    lease_note="skipped: $lease is not built (make check, or make -C BUILD tests/consistency/test_qlock_lease)"
fi
cat "$lcsv"

report_plot clock_skew <<'GP'
set title 'Clock skew between a rank drifting +rho and one drifting -rho'
set xlabel 'P, seconds since the clocks were right'
set ylabel 'skew (us)'
set key left top
plot 'clock_skew.csv' using 2:3 with lines lw 2 title '2 rho P', \
     '' using 2:(strcol(1) eq "physical" ? $4 : 1/0) with points pt 7 ps 1.5 title 'physical clocks (measured)', \
     '' using 2:(strcol(1) eq "hlc" ? $4 : 1/0) with points pt 5 ps 1.3 title 'HLC l, calls every 1 ms (measured)'
GP
png=$(report_png clock_skew)
report_summary "4 skew" "S = 2 rho P" "rho = $ppm ppm (ORDO_FAULT drift +-), P = $pt s" "$ppred us" "$pmeas us" "$pratio" \
    "$(report_verdict "$pratio") (largest P)" "$png"
report_summary "4 HLC skew" "HLC l skew <= 2 rho P while messages flow" "calls every 1 ms" "<= bound" \
    "median $hmed us, max $hmax us" "worst / bound $hworst" \
    "$(awk -v w="$hworst" 'BEGIN { print (w <= 1.1 ? "within the bound" : "above the bound") }')" "$png"
if [ "$(wc -l <"$lcsv")" -ge 2 ]; then
    while IFS=, read -r g rho pred o r m ratio; do
        [ "$g" = guard ] && continue
        if awk -v p="$pred" 'BEGIN { exit !(p > 0) }'; then
            v="$(report_verdict "$ratio"): $o of $r rounds overlapped"
        else
            v="$([ "$o" = 0 ] && echo "no overlap, as predicted" || echo "overlap, NOT as predicted"): $o of $r rounds; the margin $(report_verdict "$ratio")"
        fi
        report_summary "4 lease" "overlap = (D-g)/(1-0.1) - (D+g)/(1+0.1), g = 2 rho D" \
            "guard $g, rho $rho ppm, drift +-10%" "$pred ms" "$m ms (largest)" "$ratio" "$v" ""
    done <"$lcsv"
fi

report_section clock <<EOF2
## 4. Clock skew 2 rho P and the lease guard

\`ORDO_CLOCKS=lamport,hlc ORDO_FAULT=drift=0:$ppm,drift=1:-$ppm $REPORT_LAUNCH 2 build/benchmarks/ordo_skew -p $ppm -T $secs -s $n\`:
rank 0's physical clock runs $ppm ppm fast, rank 1's as slow, from the end of ordo_init (when
both were right). Both ranks share one host, so CLOCK_REALTIME is one true clock: a rank's
offset is its HLC's l minus CLOCK_REALTIME, the skew rank 0's offset minus rank 1's at the
same moment. The first half sends no messages (l is the physical clock): the skew against
2 rho P. The second half, rank 1 calls rank 0 every millisecond and merges rank 0's HLC from
the replies: the HLC skew is then the time since the last reply (median $hmed us, at most
$hmax us; a sample at the full physical skew means rank 1 made no call for that long: its
core was busy elsewhere), never above the physical one, which keeps growing.

$(report_csv_md "$csv")

![skew]($png)

Leases ($lease_note): the holder (rank 1) 10 % slow, the replicas (ranks 0, 2) 10 % fast
(ORDO_FAULT's largest drift). The holder trusts its lease for D - g by its clock, (D - g)/0.9
of real time; the replicas grant again after D + g by theirs, (D + g)/1.1; g = 2 rho D with
rho = ORDO_CLOCK_DRIFT_PPM (g = 0 with ORDO_LEASE_GUARD=n). The measured overlap is the old
holder's last trusted moment minus the new holder's first (real time); it is smaller than
predicted by the time the new holder takes to get the lock once the replicas let it.

$(report_csv_md "$lcsv")
EOF2
