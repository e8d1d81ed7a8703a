#!/bin/sh
# A rank killed with a register write in flight leaves the write's invoke in
# its history (consistency/history.c flushes invokes too): the write may
# have reached replicas, so a history without it could show later reads
# returning a value nobody wrote, a linearizability violation that never
# happened (ordo-nemesis found one: SIGKILL between a write's invoke and
# the next flush). test_qreg_faults killed: rank 4 starts a write of 4242
# and SIGKILLs itself at once; the four others go on and finalize.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ORDO_HISTORY=$dir/h ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000
export ORDO_HISTORY ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS
"$top_srcdir/tests/mpirun.sh" 5 --enable-recovery -x ORDO_HISTORY -x ORDO_FD_PERIOD_MS \
    -x ORDO_FD_TIMEOUT_MS "$top_builddir/tests/consistency/test_qreg_faults" killed 1 \
    >"$dir/out" 2>&1
fail=0
n=$(grep -c "^survivor [0-3]: end ORDO_OK, finalize ORDO_OK" "$dir/out")
[ "$n" = 4 ] || { cat "$dir/out"; echo "FAIL: $n of 4 survivors finished cleanly"; fail=1; }
grep -q ":type :invoke, :f :write, :key 0, :value 4242," "$dir"/h/qreg-*.4.edn 2>/dev/null || {
    echo "FAIL: the killed rank's history lacks the invoke of its write in flight:"
    cat "$dir"/h/qreg-*.4.edn 2>/dev/null
    fail=1
}
[ $fail = 0 ] && echo "ok: a rank killed with a write in flight left its invoke in the history"
exit $fail
