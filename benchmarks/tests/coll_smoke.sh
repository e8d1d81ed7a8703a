#!/bin/sh
# The collective benchmarks (ordo_allreduce, ordo_bcast, ordo_reduce,
# ordo_allgather, ordo_alltoall, ordo_barrier) once each on 3 ranks (not a
# power of two) with small sizes and few iterations, with --mpi: exit status
# 0, the OSU-style title, the "# Size" header ending with the MPI columns,
# one row per size whose last two fields are numbers, and the ordo/MPI
# summary.  ordo_allreduce also with --alg all (a p50 column per algorithm,
# AUTO/best, the model's table and the AUTO/best line) and --alg ring, and
# ordo_barrier with --alg all; --floor (the floor's columns and summaries).
# Then bad options: exit status 2 and a message
# naming the option.  No timing is checked.
# shellcheck disable=SC2154
set -u
fail=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
bin=$top_builddir/benchmarks
np=3

show() {
    echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"
}

# check NAME HEADER_RE SIZES: title, header, a row per size, numeric fields
# (an algorithm's name where the header has one).
check() {
    name=$1 header=$2 sizes=$3 full=
    case " $* " in *" -f "*) full=" +Min Latency\(us\) +Max Latency\(us\) +Iterations" ;; esac
    grep -q "^# OSU-style ordo .* Latency Test v[0-9][0-9.]*\$" "$out" ||
        { echo "FAIL: $name: no OSU-style title line"; return 1; }
    grep -Eq "^# Size +Avg Latency\(us\) +p50 \(us\) +p99 \(us\)$full( +cycles/iter +instr/iter| +cpu us/iter +ctx-sw +migrations +faults)? +$header\$" "$out" ||
        { echo "FAIL: $name: no header line '# Size  Avg Latency(us) ... $header'"; return 1; }
    for s in $sizes; do
        grep -Eq "^$s +[0-9]" "$out" || { echo "FAIL: $name: no row for $s B"; return 1; }
    done
    rows=$(grep -vc '^#' "$out")
    [ "$rows" -eq "$(echo "$sizes" | wc -w)" ] ||
        { echo "FAIL: $name: $rows rows for sizes $sizes"; return 1; }
    awk -v name="$name" '
        /^#/ { next }
        {
            for (i = 1; i <= NF; i++)
                if ($i !~ /^-?[0-9]+(\.[0-9]+)?$/ && $i != "n/a" && $i !~ /^[a-z_]+$/) {
                    printf "FAIL: %s: field %d of row \"%s\" is not a number or a name\n", name, i, $0
                    exit 1
                }
            if (nf && NF != nf) { printf "FAIL: %s: rows of %d and %d fields\n", name, nf, NF; exit 1 }
            nf = NF
        }' "$out" || return 1
}

# run NAME HEADER_RE SIZES ARGS...
run() {
    name=$1 header=$2 sizes=$3
    shift 3
    "$top_srcdir/tests/mpirun.sh" $np "$bin/$name" -i 4 -x 2 "$@" >"$out" 2>"$err"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL: $name $*: exit status $rc"; show; fail=1; return 1
    fi
    if ! check "$name" "$header" "$sizes" "$@"; then
        show; fail=1; return 1
    fi
    echo "ok: $name $*"
    sed -n '/^# Size/,$p' "$out" | sed 's/^/    /'
    return 0
}

mpi_cols="Algorithm +Predicted \(us\) +MPI \(us\) +ordo/MPI"
summary="^# ordo/MPI \(Avg Latency\): best [0-9.]+ at [0-9]+ B, worst [0-9.]+ at [0-9]+ B; <= 1.0 at [0-9]+ of [0-9]+ sizes \(3 ranks\)"
for b in ordo_allreduce ordo_reduce; do
    run $b "$mpi_cols" "4 8 16 32 64 128 256 512 1024" -m 1:1K --mpi || continue
    grep -Eq "$summary" "$out" || { echo "FAIL: $b: no ordo/MPI summary"; show; fail=1; }
done
for b in ordo_bcast ordo_allgather ordo_alltoall; do
    run $b "$mpi_cols" "1 2 4 8 16 32 64 128 256 512 1024" -m 1:1K --mpi || continue
    grep -Eq "$summary" "$out" || { echo "FAIL: $b: no ordo/MPI summary"; show; fail=1; }
done
run ordo_barrier "$mpi_cols" "0" --mpi
grep -q "^# ordo_barrier on all 3 ranks" "$out" || { echo "FAIL: ordo_barrier: no note"; show; fail=1; }

# -f: OSU's Min, Max and Iterations; --type double; one forced algorithm.
run ordo_allreduce "$mpi_cols" "8 16 32 64" \
    -m 8:64 -f --type double --mpi
if run ordo_allreduce "Algorithm +Predicted \(us\)" "4 8 16" -m 4:16 --alg ring; then
    [ "$(grep -Ec '^[0-9]+ .* ring +[0-9.]+$' "$out")" = 3 ] ||
        { echo "FAIL: --alg ring: rows do not say ring"; show; fail=1; }
fi

# --alg all: a p50 per algorithm, the best, AUTO/best; the model's table.
all_cols="AUTO runs +recursive_doubling p50 +ring p50 +rabenseifner p50 +linear p50 +shm p50 +Best forced +AUTO/best"
if run ordo_allreduce "$all_cols" "4 8 16 32 64" -m 4:64 --alg all; then
    for line in "^# Size +recursive_doubling +ring +rabenseifner +linear +shm +model's pick" \
        "^# 64 +[0-9.]+ / [0-9.]+ \([0-9.]+\) " \
        "^# the model picked the measured best forced algorithm at [0-9]+ of 5 sizes" \
        "^# AUTO/best forced \(p50\): worst [0-9.]+ at [0-9]+ B .*: (met|NOT met)" \
        "^# the model's pick forced / best forced \(p50\): worst [0-9.]+ at [0-9]+ B, above 1.05 at [0-9]+ of 5 sizes; AUTO / its pick forced \(the same algorithm twice: the noise\) [0-9.]+-[0-9.]+"; do
        grep -Eq "$line" "$out" || { echo "FAIL: --alg all: no line '$line'"; show; fail=1; }
    done
fi
run ordo_barrier "AUTO runs +dissemination p50 +shm p50 +Best forced +AUTO/best" "0" --alg all

# --floor: the floor's columns after MPI's, its note and its two summaries
# (one host here: the floor exists); bcast and reduce too (their floors
# differ: a root).
floor_cols="$mpi_cols +Floor \(us\) +ordo/floor"
for b in ordo_allreduce ordo_bcast ordo_reduce ordo_alltoall; do
    run $b "$floor_cols" "4 8" -m 4:8 --mpi --floor || continue
    for line in "^# floor: the synchronization alone" \
        "^# ordo/floor \(Avg Latency\): best [0-9.]+ at [0-9]+ B, worst [0-9.]+ at [0-9]+ B \(3 ranks\)" \
        "^# floor/MPI \(Avg Latency\): [0-9.]+ at [0-9]+ B to [0-9.]+ at [0-9]+ B"; do
        grep -Eq "$line" "$out" || { echo "FAIL: $b --floor: no line '$line'"; show; fail=1; }
    done
done
run ordo_barrier "Algorithm +Predicted \(us\) +Floor \(us\) +ordo/floor" "0" --floor

# expect_usage_error OPTION ARGS...: exit status 2, OPTION named on stderr.
expect_usage_error() {
    opt=$1
    shift
    "$@" >"$out" 2>"$err"
    rc=$?
    if [ $rc -ne 2 ] || ! grep -q -- "$opt" "$err"; then
        echo "FAIL: $*: exit status $rc (expected 2), or $opt not named"; show; fail=1; return
    fi
    echo "ok: refused with 2: $(grep -- "$opt" "$err" | head -n 1)"
}
expect_usage_error "--alg" "$bin/ordo_allreduce" --alg fastest
expect_usage_error "--alg" "$bin/ordo_bcast" --alg ring
expect_usage_error "--type" "$bin/ordo_allreduce" --type int
expect_usage_error "--type" "$bin/ordo_bcast" --type float
expect_usage_error "--floor" "$bin/ordo_bcast" --floor=yes
expect_usage_error "-m" "$bin/ordo_alltoall" -m 1K:1
expect_usage_error "-i" "$bin/ordo_barrier" -i 0
expect_usage_error "-m" "$top_srcdir/tests/mpirun.sh" 2 "$bin/ordo_allreduce" -m 2
exit $fail
