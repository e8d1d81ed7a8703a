#!/bin/sh
# The benchmarks' counters (bench_counters.c): the header names the source
# ("# counters: PAPI...", "perf_event software (PAPI: no hardware counters:
# <why>)..." or "none (...)") and, with one, every row has a number in each
# of its columns.  BENCH_COUNTERS=perf and =none are honoured, and no source
# ever makes a benchmark fail.  On 2 ranks: ordo_latency, ordo_bw, and a
# collective (its own table: ordo_allreduce).
set -u
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bin=$top_builddir/benchmarks

# check NAME SOURCE: the counters line, and the columns' numbers.
check() {
    name=$1 src=$2
    line=$(grep "^# counters: " "$out" | head -1)
    case "$line" in
    "# counters: PAPI: "*) got=papi cols="cycles/iter +instr/iter" ;;
    "# counters: perf_event software"*" ("*) got=perf cols="cpu us/iter +ctx-sw +migrations +faults" ;;
    "# counters: none (PAPI: "*"perf_event"*) got=none cols= ;;
    *) echo "FAIL: $name: no '# counters:' line naming the source"; cat "$out"; fail=1; return ;;
    esac
    if [ "$src" != any ] && [ "$got" != "$src" ] && ! { [ "$src" = perf ] && [ "$got" = none ]; }; then
        echo "FAIL: $name: counters from $got, expected $src"; cat "$out"; fail=1; return
    fi
    echo "ok: $name: $line"
    [ -n "$cols" ] || return
    grep -Eq "^# Size .*$cols" "$out" ||
        { echo "FAIL: $name: no columns '$cols'"; cat "$out"; fail=1; return; }
    # Their cells, right-aligned under their names: from the first name's
    # start to the last name's end, each row holds one number per column.
    n=$(echo "$cols" | awk -F ' [+]' '{ print NF }')
    firstname=$(echo "$cols" | sed 's/ +.*//')
    lastname=$(echo "$cols" | sed 's/.* +//')
    grep -v '^#' "$out" | awk -v h="$(grep '^# Size' "$out" | head -1)" -v a="$firstname" \
        -v z="$lastname" -v n="$n" -v name="$name" '
        BEGIN { from = index(h, a); to = index(h, z) + length(z) }
        { k = split(substr($0, from, to - from), v, " ")
          ok = k == n
          for (i = 1; i <= k; i++) if (v[i] !~ /^[0-9]+(\.[0-9]+)?$/) ok = 0
          if (!ok) { printf "FAIL: %s: counters of \"%s\" are not %d numbers\n", name, $0, n; bad = 1 } }
        END { exit bad }' || fail=1
    grep -v '^#' "$out" | sed 's/^/    /'
}

run() { # NAME SOURCE [ARGS...]
    name=$1 src=$2
    shift 2
    if ! "$top_srcdir/tests/mpirun.sh" 2 -x BENCH_COUNTERS "$bin/$name" "$@" >"$out" 2>&1; then
        echo "FAIL: $name $* (BENCH_COUNTERS=${BENCH_COUNTERS:-}): exit status $?"; cat "$out"; fail=1
        return
    fi
    check "$name $* (BENCH_COUNTERS=${BENCH_COUNTERS:-auto})" "$src"
}

export BENCH_COUNTERS=
run ordo_latency any -m 8:64 -i 200 -x 20
run ordo_bw any -m 4K:4K -i 10 -x 2
run ordo_allreduce any -m 8:8 -i 50 -x 5
BENCH_COUNTERS=perf run ordo_latency perf -m 8:8 -i 200 -x 20
BENCH_COUNTERS=none run ordo_latency none -m 8:8 -i 200 -x 20
exit $fail
