#!/bin/sh
# qreg-latency.sh - ordo_qreg_latency on NP ranks (default 6) twice: as the
# machine is, then with every rank's messages held back a time of its own
# (--delays, which sets ORDO_FAULT=slow=r:US_r,...; default 0 us for rank 0,
# which operates, and 200, 400, ... us for the ranks after it), then both
# runs' one-rank tables side by side as markdown: per (R, W, Q) the
# predicted write (rtt(Q) + rtt(W)) and read (rtt(Q)) from the round trips
# measured in the same run, the measured p50 and their ratio (DESIGN.md's
# target: <= 1.2).
#
# Usage: benchmarks/qreg-latency.sh [-n NP] [-i ITERS] [-d US0,US1,...] [-a] [BUILD_DIR]
#   -a: every W + Q > R (--quorums all), not only Q = R - W + 1
# BUILD_DIR defaults to build/.  On a shared or oversubscribed machine the
# figures move from run to run: see benchmarks/README.md.
set -eu
np=6
iters=200
delays=
quorums=min
while getopts n:i:d:a o; do
    case $o in
    n) np=$OPTARG ;;
    i) iters=$OPTARG ;;
    d) delays=$OPTARG ;;
    a) quorums=all ;;
    *) echo "usage: $0 [-n NP] [-i ITERS] [-d US0,US1,...] [-a] [BUILD_DIR]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
case $np in '' | *[!0-9]*) echo "$0: -n: '$np' is not a number of ranks" >&2; exit 2 ;; esac
if [ -z "$delays" ]; then
    delays=0
    r=1
    while [ "$r" -lt "$np" ]; do
        delays="$delays,$((200 * r))"
        r=$((r + 1))
    done
fi
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
bin=$build/benchmarks/ordo_qreg_latency
[ -x "$bin" ] || { echo "$0: $bin is missing (build first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# run NAME ARGS...: the benchmark, its output shown and kept in $tmp/NAME
run() {
    name=$1
    shift
    echo "== mpirun -np $np ordo_qreg_latency -i $iters --quorums $quorums $*"
    timeout 900 mpirun --allow-run-as-root --oversubscribe -np "$np" "$bin" -i "$iters" \
        --quorums "$quorums" "$@" >"$tmp/$name" 2>&1 || { cat "$tmp/$name"; exit 1; }
    cat "$tmp/$name"
    echo
}

run plain
run delays --delays "$delays"

# rows NAME LABEL: the one-rank table of run NAME as markdown rows
rows() {
    awk -v label="$2" '
        /^# Size .*Predicted/ { on = 1; next }
        /^#/ { on = 0 }
        on && NF >= 13 {
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                label, $2, $3, $4, $7, $5, $8, $11, $9, $12, $13
        }' "$tmp/$1"
}

echo "== one rank operating: predicted (from the round trips of the same run) vs measured p50, us"
echo
echo "| delays | R | W | Q | write predicted | write p50 | ratio | read predicted | read p50 | ratio | reads agreed % |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
rows plain none
rows delays "$delays"
echo
grep -h "^#    rank\|^#   write: worst\|^#   read: worst" "$tmp/plain" | sed 's/^/none: /'
grep -h "^#    rank\|^#   write: worst\|^#   read: worst" "$tmp/delays" | sed "s/^/$delays: /"
