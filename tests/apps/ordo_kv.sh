#!/bin/sh
# The key-value store on 4 ranks.  Workloads a, b and c with uniform and
# Zipfian keys (-n: a fixed number of operations per rank, so the counts
# in the summary are exact), each with its history checked by ordo-lincheck;
# the SC backend once; then under ORDO_FAULT drop/dup/delay (retries after
# 20 ms), and with rank 3 crashing after 1 s: the survivors finish, exit 0,
# the summary says 1 failed, the history is linearizable and the survivors'
# reports say ok.  Bad options exit 2 with a message naming the option.
# Values come from the summary line, never timing.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
kv=$top_builddir/apps/ordo_kv
lincheck=$top_builddir/tools/lincheck/ordo-lincheck
n=0
run() { # NAME PATTERN MPIRUN-ARGS... -- KV-ARGS...: run, check status, summary, history
    name=$1 pattern=$2
    shift 2
    n=$((n + 1))
    hist=$dir/h$n
    ORDO_HISTORY=$hist "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_HISTORY "$@" >"$dir/out" 2>&1
    rc=$?
    grep -v "PMIX ERROR" "$dir/out"
    [ $rc = 0 ] || { echo "FAIL: $name: exit status $rc"; fail=1; }
    grep -Eq "^ordo_kv: $pattern" "$dir/out" || { echo "FAIL: $name: no summary matching '$pattern'"; fail=1; }
    if grep -q "WRONG" "$dir/out"; then
        echo "FAIL: $name: the survivors read different values"
        fail=1
    fi
    if grep -q "backend qreg" "$dir/out"; then
        "$lincheck" "$hist" || { echo "FAIL: $name: ordo-lincheck exit status $?"; fail=1; }
    fi
}
ok4='4 ranks \(0 failed\), [0-9]+ keys of [0-9]+ B, [0-9]+ in flight'
verified='verified [0-9]+ keys on 4 ranks \(0 unread, 0 differ\): ok$'
for w in a b c; do
    for d in uniform zipfian; do
        writes='[1-9][0-9]*'
        [ $w = c ] && writes=0
        run "workload $w, $d" \
            "workload $w, dist $d, backend qreg \(R 4, W 3, Q 3\), $ok4: 8000 ops \([0-9]+ reads, $writes writes, 0 failed, 0 unknown\), .*, $verified" \
            "$kv" -w $w -z $d -n 2000 -k 256 -q
    done
done
# Many keys: the verification reads a sample of 4096.
run "workload a, 100000 keys" \
    "workload a, dist zipfian, .* verified 4096 keys on 4 ranks \(0 unread, 0 differ\): ok$" \
    "$kv" -n 1000 -k 100000 -v 100 -i 16 -q
# Progress lines (one per second) and the report files.
mkdir "$dir/rep"
run "progress and reports" "workload a, dist zipfian, backend qreg .*: ok$" \
    "$kv" -d 2 -o "$dir/rep"
grep -Eq "^ordo_kv +[12] s: +[0-9]+ ops/s, [0-9]+ failed, latency p50 [0-9.]+ p99 [0-9.]+ p99.9 [0-9.]+ us, 4/4 ranks$" \
    "$dir/out" || { echo "FAIL: no progress line"; fail=1; }
for r in 0 1 2 3; do
    if ! grep -qx "status=ok" "$dir/rep/kv.$r.report" || ! grep -qx "rank=$r" "$dir/rep/kv.$r.report" ||
        ! grep -Eqx "ops_ok=[1-9][0-9]*" "$dir/rep/kv.$r.report" || ! grep -Eqx "[0-9]+" "$dir/rep/kv.$r.pid"; then
        echo "FAIL: rank $r: report or pid file"
        cat "$dir/rep/kv.$r.report"
        fail=1
    fi
done
run "SC backend" \
    "workload a, dist zipfian, backend sc, 4 ranks \(0 failed\), 256 keys of 64 B, 1 in flight: 4000 ops .*, $verified" \
    "$kv" -b sc -n 1000 -k 256 -q
# Faults: lost, duplicated and held-back messages, retried after 20 ms.  A
# dedup window larger than the 256 default: a retry that comes after more
# than 256 newer requests from its sender is answered ORDO_ERR_TIMEOUT.
export ORDO_FAULT=drop=0.05,dup=0.05,delay=0.2:200,seed=3 ORDO_RETRY_MS=20 ORDO_DEDUP_WINDOW=4096
run "under ORDO_FAULT" "workload a, dist zipfian, backend qreg .*, 4 ranks \(0 failed\), .*: [1-9][0-9]* ops .*, $verified" \
    -x ORDO_FAULT -x ORDO_RETRY_MS -x ORDO_DEDUP_WINDOW "$kv" -d 1 -k 64 -q
unset ORDO_FAULT ORDO_RETRY_MS ORDO_DEDUP_WINDOW
# A crash: rank 3 dies after 1 s (SIGKILL); R = 4, W = Q = 3 survive it.
export ORDO_FAULT=crash=3@1s ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000
mkdir "$dir/crash"
run "rank 3 crashes" \
    "workload a, dist zipfian, backend qreg .*, 4 ranks \(1 failed\), .*: [1-9][0-9]* ops .*verified 256 keys on 3 ranks \(0 unread, 0 differ\): ok$" \
    --enable-recovery -x ORDO_FAULT -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS \
    "$kv" -d 3 -k 256 -q -o "$dir/crash"
for r in 0 1 2; do
    grep -qx "status=ok" "$dir/crash/kv.$r.report" || { echo "FAIL: crash: rank $r's report"; fail=1; }
done
if [ ! -f "$dir/crash/kv.3.pid" ] || [ -f "$dir/crash/kv.3.report" ]; then
    echo "FAIL: crash: rank 3 should leave a pid file and no report"
    fail=1
fi
unset ORDO_FAULT ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS
# Bad options: a message naming the option and its range, exit status 2.
bad() { # EXPECTED-MESSAGE ARGS...
    msg=$1
    shift
    "$kv" "$@" >"$dir/out" 2>&1
    rc=$?
    if [ $rc != 2 ] || ! grep -qF -- "$msg" "$dir/out"; then
        cat "$dir/out"
        echo "FAIL: ordo_kv $*: exit status $rc, expected 2 and '$msg'"
        fail=1
    fi
}
bad "bad --workload 'x' (expected a, b or c)" -w x
bad "bad --dist 'pareto' (expected uniform or zipfian)" -z pareto
bad "bad --keys '0' (expected an integer 1 .. 1048576)" -k 0
bad "bad --value-size '8' (expected an integer 16 .. 65536)" -v 8
bad "bad --inflight '257' (expected an integer 1 .. 256)" -i 257
bad "bad --backend 'mpi' (expected qreg or sc)" -b mpi
bad "bad --duration '0' (expected seconds, 0 < S <= 86400)" -d 0
bad "--duration and --ops exclude each other" -d 1 -n 5
"$top_srcdir/tests/mpirun.sh" 4 "$kv" -r 4 -W 2 -Q 2 -n 1 >"$dir/out" 2>&1
rc=$?
if [ $rc != 2 ] || ! grep -qF "bad quorums R 4, W 2, Q 2 on 4 ranks" "$dir/out"; then
    cat "$dir/out"
    echo "FAIL: W + Q <= R: exit status $rc, expected 2"
    fail=1
fi
[ $fail = 0 ] && echo "ok: ordo_kv: workloads a, b, c, both key distributions, SC, faults and a crash"
exit $fail
