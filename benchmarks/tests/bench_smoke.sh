#!/bin/sh
# Every benchmark on 2 ranks with small sizes (1 B .. 1 KiB, few iterations;
# ordo_obj_latency 8 B .. 1 KiB, also on 3 ranks; ordo_latency also with its
# raw UCX baseline, --ucx; ordo_qreg_latency on 3 ranks, with and without
# --delays, and on 2; ordo_lock_bench, sizeless, on 2 and 5): exit status 0, the
# OSU-style title, the "# Size" header with the metric, and one row of numbers
# per size.  Then bad options: exit status 2 and a message naming the option,
# with and without the launcher.
set -u
fail=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
bin=$top_builddir/benchmarks
sizes="1 2 4 8 16 32 64 128 256 512 1024"

show() {
    echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"
}

# check_output NAME METRIC: title, header, rows.
check_output() {
    name=$1 metric=$2
    grep -q "^# OSU-style ordo .* v[0-9][0-9.]*\$" "$out" ||
        { echo "FAIL: $name: no OSU-style title line"; return 1; }
    grep -q "^# Size  *$metric" "$out" ||
        { echo "FAIL: $name: no header line '# Size ... $metric'"; return 1; }
    grep -Eq "^# counters: (PAPI|perf_event|none)" "$out" ||
        { echo "FAIL: $name: no counters line"; return 1; }
    for s in $sizes; do
        grep -Eq "^$s +[0-9]" "$out" || { echo "FAIL: $name: no row for $s B"; return 1; }
    done
    rows=$(grep -vc '^#' "$out")
    nsizes=$(echo $sizes | wc -w)
    [ "$rows" -eq "$nsizes" ] || { echo "FAIL: $name: $rows rows, expected $nsizes"; return 1; }
    # Every field of a row is a number (or n/a, or a path name), and all
    # rows have as many fields.
    awk -v name="$name" '
        /^#/ { next }
        {
            for (i = 1; i <= NF; i++)
                if ($i !~ /^-?[0-9]+(\.[0-9]+)?$/ && $i != "n/a" && $i != "eager" && $i != "rndv") {
                    printf "FAIL: %s: field %d of row \"%s\" is not a number\n", name, i, $0
                    exit 1
                }
            if (nf && NF != nf) {
                printf "FAIL: %s: row \"%s\" has %d fields, not %d\n", name, $0, NF, nf
                exit 1
            }
            nf = NF
        }' "$out" || return 1
    return 0
}

# run NAME METRIC [ARGS...]: the benchmark on $np ranks (2), sizes $range.
np=2 range=1:1K
run() {
    name=$1 metric=$2
    shift 2
    "$top_srcdir/tests/mpirun.sh" $np "$bin/$name" -m $range -i 20 -x 5 "$@" >"$out" 2>"$err"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL: $name $*: exit status $rc"; show; fail=1; return
    fi
    if ! check_output "$name" "$metric"; then
        show; fail=1; return
    fi
    echo "ok: $name $*"
    grep -v "^# counters" "$out" | sed -n '1,3p;/^# Size/,$p' | sed 's/^/    /'
}

run ordo_latency "Latency (us)" --mpi -f
run ordo_latency "Latency (us) *UCX p50 (us) *ordo/UCX p50" --ucx
run ordo_bw "Bandwidth (MB/s)" --mpi -W 8
run ordo_bw "Bandwidth (MB/s) *UCX (MB/s) *ordo/UCX" --ucx -W 8
run ordo_bw "Bandwidth (MB/s) *UCX (MB/s) *ordo/UCX" --ucx -W 4 --buffer malloc
run ordo_bibw "Bandwidth (MB/s)" -W 8
run ordo_rpc_rate "Messages/s" --mpi -W 8
run ordo_crossover "Eager (us)"
grep -q "^# measured crossover" "$out" ||
    { echo "FAIL: ordo_crossover: no measured crossover line"; show; fail=1; }

# ordo_obj_latency: sizes from 8 B; the fetch-add lines and the summary
# against the targets; on 3 ranks too (the idle rank must join the
# collective ordo_obj_alloc of the set-up).
sizes="8 16 32 64 128 256 512 1024" range=8:1K
for np in 2 3; do
    run ordo_obj_latency "SC read (us)" --mpi -f
    for line in "^# fetch-add, 8 B, word homed at rank 1" "^#   SC fetch-add [0-9]" \
        "MPI_Fetch_and_op\\+flush [0-9]" "^# SC read/write vs RPC: worst ratio [0-9.]* .*: (met|NOT met)" \
        "^# TSO write \(8 B\): [0-9.]* us .*: (met|NOT met)" \
        "^# TSO read after own write \(8 B, store forwarding\): [0-9.]* us" "^# causal read \(8 B\): [0-9.]* us vs memcpy"; do
        grep -Eq "$line" "$out" ||
            { echo "FAIL: ordo_obj_latency on $np ranks: no line '$line'"; show; fail=1; }
    done
done
np=2

# ordo_qreg_latency: every rank takes part.  On 3 ranks R = 3 runs (W = 1..3
# with Q = 4 - W: 3 register sets) and R = 5 is skipped, which it says; its
# three tables (one rank, all ranks, throughput) have a row per set of
# numbers only, and the summary follows.  Again with --delays: rank 1's
# messages held 300 us, rank 2's 600 us, so round trips to them take at
# least that.  On 2 ranks both R are skipped: the baselines alone, exit 0.
qreg_rows="3 +1 +3|3 +2 +2|3 +3 +1"
qreg() { # NP ARGS...: run, check, print
    qnp=$1
    shift
    "$top_srcdir/tests/mpirun.sh" $qnp "$bin/ordo_qreg_latency" -i 10 -x 2 -W 8 "$@" \
        >"$out" 2>"$err"
    rc=$?
    [ $rc -eq 0 ] || { echo "FAIL: ordo_qreg_latency on $qnp ranks $*: exit status $rc"; show; fail=1; return 1; }
    for line in "^# OSU-style ordo Quorum Register Latency Test v[0-9.]*\$" "^# counters: " \
        "^# R = 5 needs 5 ranks, the job has $qnp: skipped" "^#    rank 0 \(self\) [0-9.]+ / [0-9.]+" \
        "^# SC object, 8 B word homed at rank [1-9]"; do
        grep -Eq "$line" "$out" ||
            { echo "FAIL: ordo_qreg_latency on $qnp ranks: no line '$line'"; show; fail=1; return 1; }
    done
    echo "ok: ordo_qreg_latency on $qnp ranks $*"
    grep -v "^# counters" "$out" | sed -n '/^# delays/p;/^# R = /p;/^#    rank/p;/^# Size/,$p' | sed 's/^/    /'
    return 0
}
# qreg_tables: the three headers, 3 rows each (the sets above), numbers only.
qreg_tables() {
    for h in "^# Size +R +W +Q +Write p50 \(us\) +p99 +Predicted +Ratio +Read p50 \(us\)" \
        "^# Size +R +W +Q +Write p50 \(us\) +p99 +Read p50 \(us\) +p99 +Agreed %" \
        "^# Size +R +W +Q +Writes/s \(one\)" \
        "^#   write: worst ratio [0-9.]+ \(R 3 W [1-3] Q [1-3]; measured - predicted -?[0-9.]+ us\): (met|NOT met)" \
        "^#   read: worst ratio [0-9.]+ .*: (met|NOT met)" \
        "^#   reads whose Q answers agreed \(one phase, no write-back\): [0-9]+ of [0-9]+"; do
        grep -Eq "$h" "$out" || { echo "FAIL: ordo_qreg_latency: no line '$h'"; show; fail=1; return; }
    done
    rows=$(grep -vc '^#' "$out")
    [ "$rows" -eq 9 ] || { echo "FAIL: ordo_qreg_latency: $rows rows, expected 9"; show; fail=1; return; }
    [ "$(grep -Ec "^8 +($qreg_rows) " "$out")" -eq 9 ] ||
        { echo "FAIL: ordo_qreg_latency: rows are not R W Q = 3 1 3, 3 2 2, 3 3 1, 3 times"; show; fail=1; return; }
    awk '!/^#/ { for (i = 1; i <= NF; i++) if ($i !~ /^-?[0-9]+(\.[0-9]+)?$/) {
            printf "FAIL: ordo_qreg_latency: field %d of row \"%s\" is not a number\n", i, $0; exit 1 } }' \
        "$out" || { show; fail=1; }
}
if qreg 3; then
    qreg_tables
fi
if qreg 3 --delays 0,300,600; then
    qreg_tables
    grep -q "^# delays: ORDO_FAULT=slow=1:300,slow=2:600 (--delays)" "$out" ||
        { echo "FAIL: ordo_qreg_latency --delays: no delays line"; show; fail=1; }
    awk '/^#    rank 0/ { for (i = 1; i < NF; i++) if ($i == "rank") {
            r = $(i + 1); t = $(i + 2) == "(self)" ? $(i + 3) : $(i + 2); sub(",", "", t)
            if ((r == 1 && t < 300) || (r == 2 && t < 600)) { print "FAIL: round trip to rank " r " " t " us, under its hold"; bad = 1 } }
        } END { exit bad }' "$out" || { show; fail=1; }
fi
if qreg 2; then
    grep -q "^# R = 3 needs 3 ranks, the job has 2: skipped" "$out" ||
        { echo "FAIL: ordo_qreg_latency on 2 ranks: R = 3 not said skipped"; show; fail=1; }
    [ "$(grep -vc '^#' "$out")" -eq 0 ] || { echo "FAIL: ordo_qreg_latency on 2 ranks printed rows"; show; fail=1; }
fi
# ordo_lock_bench: no sizes; two tables keyed by N (on 2 ranks: N = 2), on
# 2 and 5 ranks (N = 3 and 5).
for np in 2 5; do
    "$top_srcdir/tests/mpirun.sh" $np "$bin/ordo_lock_bench" -i 20 -x 5 >"$out" 2>"$err"
    rc=$?
    want=2
    [ $np = 5 ] && want="3 5"
    ok=1
    [ $rc -eq 0 ] || ok=0
    grep -q "^# OSU-style ordo Quorum Lock Test v" "$out" || ok=0
    grep -q "^# Size  *Acquire p50  *Acquire p99  *Release p50" "$out" || ok=0
    grep -q "^# Size  *Acquires/s  *Ranks  *Attempts/acq" "$out" || ok=0
    for n in $want; do
        [ "$(grep -Ec "^$n +[0-9]+\.[0-9]+ +[0-9]" "$out")" = 2 ] || ok=0
    done
    if [ $ok = 1 ]; then
        echo "ok: ordo_lock_bench on $np ranks"
        sed -n '/^# Size/,$p' "$out" | sed 's/^/    /'
    else
        echo "FAIL: ordo_lock_bench on $np ranks (exit status $rc)"; show; fail=1
    fi
done
np=2

# expect_usage_error OPTION ARGS...: exit status 2, OPTION named on stderr.
expect_usage_error() {
    opt=$1
    shift
    "$@" >"$out" 2>"$err"
    rc=$?
    if [ $rc -ne 2 ]; then
        echo "FAIL: $* exited with $rc, expected 2"; show; fail=1; return
    fi
    if ! grep -q -- "$opt" "$err" || ! grep -q "Usage:" "$err"; then
        echo "FAIL: $*: the message does not name $opt or lacks the usage"; show; fail=1; return
    fi
    echo "ok: refused with 2: $(head -n 1 "$err")"
}

expect_usage_error "-m" "$bin/ordo_latency" -m abc
expect_usage_error "-m" "$bin/ordo_bw" -m 4K:1K
expect_usage_error "-i" "$bin/ordo_latency" -i 0
expect_usage_error "-x" "$bin/ordo_latency" -x -3
expect_usage_error "-W" "$bin/ordo_latency" -W 8
expect_usage_error "-W" "$bin/ordo_bw" -W 0
expect_usage_error "--proto" "$bin/ordo_bw" --proto fast
expect_usage_error "--ucx" "$bin/ordo_bibw" --ucx
expect_usage_error "--proto" "$bin/ordo_crossover" --proto eager
expect_usage_error "-q" "$bin/ordo_rpc_rate" -q
expect_usage_error "-m" "$bin/ordo_bibw" -m
expect_usage_error "-m" "$bin/ordo_obj_latency" -m 1K:abc
expect_usage_error "-W" "$bin/ordo_obj_latency" -W 8
expect_usage_error "--proto" "$bin/ordo_obj_latency" --proto eager
expect_usage_error "-W" "$bin/ordo_lock_bench" -W 8
expect_usage_error "-m" "$top_srcdir/tests/mpirun.sh" 2 "$bin/ordo_latency" -m abc
expect_usage_error "--delays" "$bin/ordo_qreg_latency" --delays 100,x
expect_usage_error "--delays" "$bin/ordo_qreg_latency" --delays 0,20000000
expect_usage_error "--delays" "$bin/ordo_qreg_latency" --delays ""
expect_usage_error "--delays" env ORDO_FAULT=slow=1:5 "$bin/ordo_qreg_latency" --delays 0,5
expect_usage_error "--quorums" "$bin/ordo_qreg_latency" --quorums most
expect_usage_error "--mpi" "$bin/ordo_qreg_latency" --mpi

# -h: the usage on stdout, exit status 0.
if "$bin/ordo_latency" -h >"$out" 2>"$err" && grep -q "^Usage: ordo_latency" "$out"; then
    echo "ok: -h"
else
    echo "FAIL: ordo_latency -h"; show; fail=1
fi
exit $fail
