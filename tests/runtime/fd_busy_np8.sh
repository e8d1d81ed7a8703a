#!/bin/sh
# 8 ranks on this machine's cores compute for FD_BUSY_S seconds (default 20)
# without calling ordo: no rank is declared failed, with the detector's
# default settings and with a tight one (heartbeats every 100 ms, failed
# after 2 s). One run per setting: about 45 s in all (test_fd_busy.c).
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
secs=${FD_BUSY_S:-20}
fail=0
for setting in default tight; do
    if [ $setting = tight ]; then
        ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=2000
        export ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS
    fi
    TEST_LIMIT=180 "$top_srcdir/tests/mpirun.sh" 8 "$top_builddir/tests/runtime/test_fd_busy" \
        "$secs" >"$out" 2>&1
    rc=$?
    cat "$out"
    ok=$(grep -c "^rank [0-7]: computed .* 0 failed, not out; finalize ok" "$out")
    if [ $rc != 0 ] || [ "$ok" != 8 ] || grep -q "FAILED:\|failed or is unreachable" "$out"; then
        echo "FAIL ($setting): $ok of 8 ranks finished clean (mpirun exit $rc)"
        fail=1
    else
        echo "ok ($setting): 8 ranks computed ${secs} s, none declared failed"
    fi
done
exit $fail
