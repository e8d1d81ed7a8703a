#!/bin/sh
# fd-detect.sh - the failure detector measured on this node (ordo_fd runs one
# trial per job; this runs the jobs and sums them up).
#
#   kill   TRIALS jobs of NP ranks; the last rank stamps CLOCK_REALTIME to the
#          others and SIGKILLs itself; every survivor's delay from the stamp
#          to its view's failure callback: p50, p99, max (ms), against
#          ORDO_FD_TIMEOUT_MS (the transport usually reports a kill first)
#   stop   the same with SIGSTOP: only the detector sees it
#   fp     8 ranks all computing (more ranks than cores) for FP_SECONDS
#          without calling ordo: failures declared (target 0), per hour, and
#          the 95% upper bound per hour when none was seen (3 / time)
#   cost   ordo_latency 8 B (p50) and ordo_bw 4 MiB with ORDO_FD=y and
#          ORDO_FD=n, blocks taking turns, ROUNDS rounds: medians and the
#          ratio y/n (target: within 2%)
#   partition  TRIALS jobs of NP ranks where ORDO_FAULT cuts the last rank
#          off from the others 1.5 s after ordo_init; every rank's delay
#          from the cut to its view's failure callback for a rank across
#          (both sides): p50, p99, max (ms). A real cut across network
#          namespaces is measured by tests/jobs/netns_partition.sh
#
# Usage: benchmarks/fd-detect.sh [-t TRIALS] [-n NP] [-f FP_SECONDS] [-r ROUNDS]
#                                [-s "kill stop partition fp cost"] [BUILD_DIR]
#   defaults: -t 20 -n 4 -f 60 -r 5, sections kill stop partition fp cost; the
#   crash, partition and fp sections use ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 unless set.
#   Exit status 0 if every run ran, 1 if one failed, 2 for a usage error.
set -u

usage() {
    sed -n 's/^# \{0,1\}//; /^Usage:/,/usage error\./p' "$0"
}

trials=20 np=4 fp_s=60 rounds=5 sections="kill stop partition fp cost"
while getopts t:n:f:r:s:h opt; do
    case $opt in
    t) trials=$OPTARG ;;
    n) np=$OPTARG ;;
    f) fp_s=$OPTARG ;;
    r) rounds=$OPTARG ;;
    s) sections=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
for v in "$trials" "$np" "$fp_s" "$rounds"; do
    case $v in '' | *[!0-9]*) echo "fd-detect.sh: '$v' is not a number" >&2; exit 2 ;; esac
done
[ "$np" -ge 3 ] || { echo "fd-detect.sh: -n: at least 3 ranks" >&2; exit 2; }
srcdir=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$srcdir/build}
bench=$build/benchmarks
[ -x "$bench/ordo_fd" ] || { echo "fd-detect.sh: $bench/ordo_fd not found: build first" >&2; exit 2; }

: "${ORDO_FD_PERIOD_MS:=100}" "${ORDO_FD_TIMEOUT_MS:=1000}"
export ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
LIMIT=${LIMIT:-120}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# pct FILE: p50 p99 max of the numbers in FILE (nearest rank).
pct() {
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        if (!NR) { print "n/a n/a n/a"; exit }
        i50 = int(0.50 * NR + 0.999); i99 = int(0.99 * NR + 0.999)
        printf "%.1f %.1f %.1f\n", v[i50], v[i99], v[NR] }'
}

median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (!NR) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2];
        else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

crash() { # kill|stop|partition
    : >"$tmp/$1.ms"
    t=1
    while [ "$t" -le "$trials" ]; do
        if [ "$1" = partition ]; then
            ORDO_FAULT="partition=0-$((np - 2))|$((np - 1))@1500ms-" timeout "$LIMIT" \
                $MPIRUN --enable-recovery -np "$np" -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS \
                -x ORDO_FAULT "$bench/ordo_fd" --partition 1500 >"$tmp/out" 2>&1
            want=$np
        else
            timeout "$LIMIT" $MPIRUN --enable-recovery -np "$np" -x ORDO_FD_PERIOD_MS \
                -x ORDO_FD_TIMEOUT_MS "$bench/ordo_fd" --crash "$1" >"$tmp/out" 2>&1
            want=$((np - 1))
        fi
        got=$(grep -c "^detect [0-9]* -\{0,1\}[0-9.]* ORDO_ERR_PEER_FAILED$" "$tmp/out")
        if [ "$got" != "$want" ]; then
            echo "   trial $t: $got of $want ranks reported:"; cat "$tmp/out"
            failed=1
        fi
        awk '/^detect / { print $3 }' "$tmp/out" >>"$tmp/$1.ms"
        t=$((t + 1))
    done
    set -- "$1" $(pct "$tmp/$1.ms")
    printf '%-10s %8s %10s %10s %10s %12s\n' "$1" "$(wc -l <"$tmp/$1.ms")" "$2" "$3" "$4" \
        "$ORDO_FD_TIMEOUT_MS"
}

fp() {
    timeout $((fp_s + LIMIT)) $MPIRUN -np 8 -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS \
        "$bench/ordo_fd" --false-positives "$fp_s" >"$tmp/out" 2>&1 || failed=1
    ranks=$(grep -c "^fp " "$tmp/out")
    n=$(awk '/^fp / { s += $3 + $4 } END { print s + 0 }' "$tmp/out")
    [ "$ranks" = 8 ] || { echo "   only $ranks of 8 ranks reported:"; cat "$tmp/out"; failed=1; }
    echo "   8 ranks on $(nproc) cores computing ${fp_s} s, ORDO_FD_PERIOD_MS=$ORDO_FD_PERIOD_MS" \
        "ORDO_FD_TIMEOUT_MS=$ORDO_FD_TIMEOUT_MS: $n failure(s) declared (target 0)"
    awk -v n="$n" -v s="$fp_s" 'BEGIN {
        printf "   per hour of such a job: %.1f", n * 3600 / s
        if (n == 0) printf " (95%% upper bound: %.0f)", 3 * 3600 / s
        printf "\n" }'
}

cost() {
    : >"$tmp/ly" ; : >"$tmp/ln" ; : >"$tmp/by" ; : >"$tmp/bn"
    r=1
    while [ "$r" -le "$rounds" ]; do
        for fd in y n; do
            if timeout "$LIMIT" $MPIRUN -np 2 -x ORDO_FD=$fd "$bench/ordo_latency" -m 8:8 \
                -i 100000 -x 10000 --digits 3 >"$tmp/out" 2>&1; then
                awk '$1 == 8 { print $3 }' "$tmp/out" >>"$tmp/l$fd"
            else
                cat "$tmp/out"; failed=1
            fi
        done
        for fd in y n; do
            if timeout "$LIMIT" $MPIRUN -np 2 -x ORDO_FD=$fd "$bench/ordo_bw" -m 4M:4M -i 48 \
                -x 5 >"$tmp/out" 2>&1; then
                awk '$1 == 4194304 { print $2 }' "$tmp/out" >>"$tmp/b$fd"
            else
                cat "$tmp/out"; failed=1
            fi
        done
        echo "   round $r: 8 B p50 y $(tail -n 1 "$tmp/ly") n $(tail -n 1 "$tmp/ln") us;" \
            "4 MiB y $(tail -n 1 "$tmp/by") n $(tail -n 1 "$tmp/bn") MB/s"
        r=$((r + 1))
    done
    ly=$(median <"$tmp/ly") ln=$(median <"$tmp/ln") by=$(median <"$tmp/by") bn=$(median <"$tmp/bn")
    printf '   %-22s %12s %12s %8s\n' "medians of $rounds" "ORDO_FD=y" "ORDO_FD=n" "y/n"
    printf '   %-22s %12s %12s %8s\n' "8 B latency p50 (us)" "$ly" "$ln" \
        "$(awk -v a="$ly" -v b="$ln" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')"
    printf '   %-22s %12s %12s %8s\n' "4 MiB bandwidth (MB/s)" "$by" "$bn" \
        "$(awk -v a="$by" -v b="$bn" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')"
}

echo "# ordo failure detector on $(hostname), $(nproc) cores; ORDO_FD_PERIOD_MS=$ORDO_FD_PERIOD_MS" \
    "ORDO_FD_TIMEOUT_MS=$ORDO_FD_TIMEOUT_MS (crash and fp sections)"
for s in $sections; do
    case $s in
    kill | stop | partition)
        [ -n "${crash_head:-}" ] || {
            echo "# detection delay (ms), from the victim's stamp (partition: the cut) to each" \
                "rank's failure callback"
            printf '%-10s %8s %10s %10s %10s %12s\n' "# signal" "samples" "p50" "p99" "max" "timeout"
            crash_head=1
        }
        crash "$s" ;;
    fp) echo "# false positives"; fp ;;
    cost) echo "# detector cost: ORDO_FD=y vs n, blocks taking turns"; cost ;;
    *) echo "fd-detect.sh: unknown section '$s'" >&2; exit 2 ;;
    esac
done
exit $failed
