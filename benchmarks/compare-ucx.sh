#!/bin/sh
# compare-ucx.sh - ordo beside raw UCX (ucx_perftest) and MPI on this host,
# for the targets of DESIGN.md ("Performance targets"):
#
#   8 B latency      ordo_latency -m 8:8, p50    ucx_perftest -t ucp_am_lat -s 8, p50
#                    target ordo/ucx <= 1.2;     and ordo_latency --ucx: the same
#                                                ping-pong on raw UCX in ordo's own
#                                                processes, between ordo's blocks
#   4 MiB bandwidth  ordo_bw -m 4M:4M, MB/s      ucx_perftest -t ucp_get -s 4194304, overall
#                    target ordo/ucx >= 0.9;     and ordo_bw --ucx: windows of the
#                                                same gets on raw UCX in ordo's own
#                                                processes, between ordo's blocks
#
# The MPI figures are the --mpi baseline of the same ordo runs (Open MPI's
# default pml).  ucx_perftest prints MiB/s; they are converted to MB/s
# (10^6 B/s), the unit of OSU and of ordo's benchmarks.
#
# ordo creates its endpoints with UCX peer error handling unless
# ORDO_PEER_ERRORS=n, and with it UCX 1.13 leaves out shared memory unless
# UCX_MM_ERROR_HANDLING=y (for posix and sysv alike).  ucx_perftest gets
# -e (error handling) in the same case, so both pick transports alike; the
# transports each used are printed.  Configurations:
#   default  UCX's defaults for error handling (shared memory left out; ordo
#            gets UCX_MM_ERROR_HANDLING=n, else it would turn shared memory on)
#   shm      UCX_MM_ERROR_HANDLING=y (ordo's default)
#   both     the two, one after the other (the default)
# UCX_TLS and other UCX_* / ORDO_* variables of the environment apply to
# both sides.
#
# Usage: benchmarks/compare-ucx.sh [-c default|shm|both] [-r ROUNDS] [BUILD_DIR]
#   -r ROUNDS  measure each figure ROUNDS times (1..20, default 3), ucx and
#              ordo taking turns, and compare the medians: this machine's
#              speed drifts between runs, which a single pair can catch on
#              opposite sides.  Each round's ratios are printed too.
#   BUILD_DIR defaults to build/ beside the source tree.  Every command runs
#   under timeout (LIMIT seconds, default 120); the ucx_perftest server is
#   stopped on every way out.  Exit status 0 if every measurement ran (met
#   or not), 1 if one failed, 2 for a usage error.
set -u

usage() {
    sed -n 's/^# \{0,1\}//; /^Usage:/,/usage error\./p' "$0"
}

config=both
rounds=3
while getopts c:r:h opt; do
    case $opt in
    c) config=$OPTARG ;;
    r) rounds=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
case $config in
default | shm | both) ;;
*) echo "compare-ucx.sh: -c: '$config' is not a configuration; accepted: default, shm, both" >&2
    exit 2 ;;
esac
case $rounds in
[1-9] | 1[0-9] | 20) ;;
*) echo "compare-ucx.sh: -r: '$rounds' is not a number of rounds; accepted: 1..20" >&2
    exit 2 ;;
esac
[ $# -le 1 ] || { usage >&2; exit 2; }

srcdir=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$srcdir/build}
bench=$build/benchmarks
for prog in ordo_latency ordo_bw; do
    [ -x "$bench/$prog" ] || {
        echo "compare-ucx.sh: $bench/$prog not found: build first (make) or name the build directory" >&2
        exit 2
    }
done
command -v ucx_perftest >/dev/null 2>&1 || {
    echo "compare-ucx.sh: ucx_perftest not found: install the Debian package ucx-utils" >&2
    exit 2
}

LIMIT=${LIMIT:-120}
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
tmp=$(mktemp -d)
server_pid=
failed=0

# Let the ucx_perftest server finish (it exits after one test), for at most
# GRACE tenths of a second, then stop it.
stop_server() {
    grace=${1:-0}
    [ -n "$server_pid" ] || return 0
    i=0
    while [ $i -lt "$grace" ] && kill -0 "$server_pid" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
}

# bounded OUT CMD...: CMD under timeout, output to OUT; run in the background
# and waited for, so that a signal to this script is acted on at once.
fg_pid=
bounded() {
    out=$1
    shift
    timeout "$LIMIT" "$@" >"$out" 2>&1 &
    fg_pid=$!
    wait "$fg_pid"
    rc=$?
    fg_pid=
    return $rc
}

cleanup() {
    [ -z "$fg_pid" ] || { kill "$fg_pid" 2>/dev/null; wait "$fg_pid" 2>/dev/null; }
    stop_server 0
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The UCX transports a run's endpoints used, from UCX_LOG_LEVEL=info output.
transports() {
    grep -o 'ep_cfg\[[0-9]*\]: .*' "$1" | sed 's/^ep_cfg\[[0-9]*\]: *//' | sort -u |
        paste -sd ';' - | sed 's/;/; /g'
}

# ucx_run TEST SIZE ITERS WARMUP: server in the background, client here; the
# client's result line ends in $tmp/ucx.out.
runs=0
ucx_run() {
    runs=$((runs + 1))
    port=$((20000 + $$ % 20000 + runs))
    # stdbuf: the server's "Waiting for connection" must not sit in a buffer.
    timeout "$LIMIT" env UCX_LOG_LEVEL=info stdbuf -oL ucx_perftest -p "$port" $eflag \
        >"$tmp/server.out" 2>&1 &
    server_pid=$!
    i=0
    until grep -q "Waiting for connection" "$tmp/server.out" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "ucx_perftest server did not start:"; cat "$tmp/server.out"
            stop_server 0
            return 1
        fi
        sleep 0.1
    done
    # The server may print that line before it listens: retry a refused connection.
    tries=0
    while :; do
        bounded "$tmp/ucx.out" env UCX_LOG_LEVEL=info ucx_perftest localhost -p "$port" \
            -t "$1" -s "$2" -n "$3" -w "$4" $eflag -f
        rc=$?
        tries=$((tries + 1))
        [ $rc -ne 0 ] && [ $tries -lt 20 ] && grep -q "Connection refused" "$tmp/ucx.out" &&
            kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.2
    done
    stop_server 50
    if [ $rc -ne 0 ]; then
        echo "ucx_perftest -t $1 -s $2 failed (exit status $rc):"; cat "$tmp/ucx.out"
        return 1
    fi
    # "  iterations  p50  avg  overall  bw-avg  bw-overall  rate-avg  rate-overall"
    grep -Eq '^ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+' "$tmp/ucx.out" || {
        echo "ucx_perftest -t $1: no result line:"; cat "$tmp/ucx.out"; return 1; }
}

ucx_field() { # N: field N of the result line
    grep -E '^ +[0-9]+ +[0-9.]+ +[0-9.]+' "$tmp/ucx.out" | tail -n 1 | awk -v n="$1" '{ print $n }'
}

# ordo_run PROG ARGS...: the benchmark on 2 ranks, output in $tmp/ordo.out.
ordo_run() {
    prog=$1
    shift
    xargs=
    for v in $(env | sed -n 's/^\(\(UCX\|ORDO\)_[A-Za-z0-9_]*\)=.*/\1/p'); do
        xargs="$xargs -x $v"
    done
    bounded "$tmp/ordo.out" env UCX_LOG_LEVEL=info $MPIRUN -np 2 -x UCX_LOG_LEVEL $xargs \
        "$bench/$prog" --mpi "$@"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "$prog $* failed (exit status $rc):"; cat "$tmp/ordo.out"
        return 1
    fi
}

ordo_field() { # SIZE N: field N of the row of SIZE
    awk -v s="$1" -v n="$2" '$1 == s && $2 ~ /^[0-9]/ { print $n; exit }' "$tmp/ordo.out"
}

median() { # VALUES...: their median (n/a ones left out; n/a if none)
    printf '%s\n' "$@" | awk '$1 ~ /^[0-9]+([.][0-9]*)?$/' | sort -g |
        awk '{ v[NR] = $1 } END {
            if (NR == 0) print "n/a"
            else if (NR % 2) print v[(NR + 1) / 2]
            else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        num = "^[0-9]+([.][0-9]*)?$"
        if (a ~ num && b ~ num && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'
}
verdict() { # RATIO OP LIMIT
    awk -v r="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (r == "n/a") { print "n/a"; exit }
        ok = op == "<=" ? r <= l : r >= l
        print ok ? "met" : "NOT met" }'
}

row() { # WHAT UCX ORDO MPI RATIO TARGET RESULT
    printf '%-26s %12s %12s %12s %9s %9s  %s\n' "$@"
}

compare() { # CONFIG
    case $1 in
    default)
        # ordo itself turns shared memory on unless told otherwise: tell it.
        unset UCX_POSIX_ERROR_HANDLING UCX_SYSV_ERROR_HANDLING
        UCX_MM_ERROR_HANDLING=n
        export UCX_MM_ERROR_HANDLING
        what="UCX defaults (with peer error handling, shared memory is left out: tcp)" ;;
    shm)
        unset UCX_POSIX_ERROR_HANDLING UCX_SYSV_ERROR_HANDLING
        UCX_MM_ERROR_HANDLING=y
        export UCX_MM_ERROR_HANDLING
        what="UCX_MM_ERROR_HANDLING=y (shared memory with error handling)" ;;
    esac
    case ${ORDO_PEER_ERRORS:-y} in
    n | no | 0 | off | false) eflag= peer="off (ORDO_PEER_ERRORS=$ORDO_PEER_ERRORS)" ;;
    *) eflag=-e peer="on (ucx_perftest -e)" ;;
    esac
    echo
    echo "== configuration '$1': $what"
    echo "   UCX_TLS=${UCX_TLS:-<unset: UCX chooses>}; peer error handling $peer"

    l_ucx= l_ordo= l_mpi= l_in= r_in= b_ucx= b_ordo= b_mpi= b_in= rb_in=
    r=1
    while [ $r -le "$rounds" ]; do
        lu=n/a li=n/a lo=n/a lm=n/a bu=n/a bi=n/a bo=n/a bm=n/a
        if ucx_run ucp_am_lat 8 100000 10000; then
            lu=$(ucx_field 2)
            [ $r -gt 1 ] || echo "   ucx_perftest ucp_am_lat transports: $(transports "$tmp/ucx.out")"
        else
            failed=1
        fi
        if ordo_run ordo_latency -m 8:8 -i 100000 -x 10000 --digits 3 --ucx; then
            li=$(ordo_field 8 3) lo=$(ordo_field 8 5) lm=$(ordo_field 8 7)
            [ $r -gt 1 ] || echo "   ordo transports:                    $(transports "$tmp/ordo.out")"
        else
            failed=1
        fi
        if ucx_run ucp_get 4194304 200 20; then
            bu=$(ucx_field 6 | awk '{ printf "%.2f", $1 * 1.048576 }') # MiB/s -> MB/s
            [ $r -gt 1 ] || echo "   ucx_perftest ucp_get transports:    $(transports "$tmp/ucx.out")"
        else
            failed=1
        fi
        if ordo_run ordo_bw -m 4M:4M -i 48 -x 5 --ucx; then
            bo=$(ordo_field 4194304 2) bi=$(ordo_field 4194304 3) bm=$(ordo_field 4194304 7)
        else
            failed=1
        fi
        echo "   round $r: 8 B latency ucx $lu ordo $lo MPI $lm (ordo/ucx $(ratio "$lo" "$lu")," \
            "in-run UCX $li: $(ratio "$lo" "$li"));" \
            "4 MiB bandwidth ucx $bu ordo $bo MPI $bm (ordo/ucx $(ratio "$bo" "$bu")," \
            "in-run UCX $bi: $(ratio "$bo" "$bi"))"
        l_ucx="$l_ucx $lu" l_ordo="$l_ordo $lo" l_mpi="$l_mpi $lm"
        l_in="$l_in $li" r_in="$r_in $(ratio "$lo" "$li")"
        b_ucx="$b_ucx $bu" b_ordo="$b_ordo $bo" b_mpi="$b_mpi $bm"
        b_in="$b_in $bi" rb_in="$rb_in $(ratio "$bo" "$bi")"
        r=$((r + 1))
    done
    lat_ucx=$(median $l_ucx) lat_ordo=$(median $l_ordo) lat_mpi=$(median $l_mpi)
    bw_ucx=$(median $b_ucx) bw_ordo=$(median $b_ordo) bw_mpi=$(median $b_mpi)
    lat_ratio=$(ratio "$lat_ordo" "$lat_ucx")
    lat_in=$(median $l_in) in_ratio=$(median $r_in)
    bw_ratio=$(ratio "$bw_ordo" "$bw_ucx")
    bw_in=$(median $b_in) bw_in_ratio=$(median $rb_in)
    echo
    echo "   medians of $rounds round(s):"
    row "what" "ucx" "ordo" "MPI" "ordo/ucx" "target" "result"
    row "8 B latency, p50 (us)" "$lat_ucx" "$lat_ordo" "$lat_mpi" "$lat_ratio" "<= 1.2" \
        "$(verdict "$lat_ratio" "<=" 1.2)"
    row "  vs UCX in the same run" "$lat_in" "$lat_ordo" "" "$in_ratio" "<= 1.2" \
        "$(verdict "$in_ratio" "<=" 1.2)"
    row "4 MiB bandwidth (MB/s)" "$bw_ucx" "$bw_ordo" "$bw_mpi" "$bw_ratio" ">= 0.9" \
        "$(verdict "$bw_ratio" ">=" 0.9)"
    row "  vs UCX in the same run" "$bw_in" "$bw_ordo" "" "$bw_in_ratio" ">= 0.9" \
        "$(verdict "$bw_in_ratio" ">=" 0.9)"
}

echo "# ordo $(sed -n 's/.*AC_INIT(\[ordo\], \[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac") vs $(ucx_info -v 2>/dev/null | sed -n 's/^# \(Version .*\)/UCX \1/p') on $(hostname), $(nproc) cores"
echo "# ucx: ucx_perftest over localhost (latency: p50 of ucp_am_lat, half a round trip;"
echo "#      bandwidth: overall of ucp_get, MiB/s converted to MB/s)"
echo "# ordo: ordo_latency p50 (round trip / 2), ordo_bw average (window 64), MB/s = 10^6 B/s"
echo "# in-run UCX: ordo_latency --ucx, the same ping-pong as ucp_am_lat, and ordo_bw --ucx,"
echo "#      the same gets as ucp_get (windows of 64), in ordo's processes, timed in blocks"
echo "#      between ordo's (their ratios: the medians of the rounds' ratios);"
echo "#      ucx_perftest runs apart, and this host's speed drifts between runs"
echo "# MPI: the --mpi baseline of the same ordo runs (MPI_Send/MPI_Recv, MPI_Isend windows)"
case $config in
both) compare default; compare shm ;;
*) compare "$config" ;;
esac
exit $failed
