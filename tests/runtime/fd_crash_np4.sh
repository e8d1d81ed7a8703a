#!/bin/sh
# The failure detector on 4 ranks: the last one is killed (SIGKILL), then, in
# a second job, busy and SIGSTOPped with a full shared-memory FIFO to it. The
# 3 survivors see PEER_FAILED (never a timeout) within ORDO_FD_TIMEOUT_MS,
# agree on the view, acknowledge and go on (test_fd_crash.c says what is checked).
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 ORDO_TIMEOUT_MS=60000
export ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS ORDO_TIMEOUT_MS
fail=0
for mode in kill fifo; do
    TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 4 --enable-recovery \
        "$top_builddir/tests/runtime/test_fd_crash" $mode >"$out" 2>&1
    rc=$?
    cat "$out"
    survivors=$(grep -c "^survivor [0-2]: rank 3 failed" "$out")
    if grep -q "FAILED:" "$out" || [ "$survivors" != 3 ]; then
        echo "FAIL ($mode): $survivors of 3 survivors finished (mpirun exit $rc)"
        fail=1
    else
        echo "ok ($mode): 3 survivors saw rank 3 fail, went on and finalized"
    fi
done
exit $fail
