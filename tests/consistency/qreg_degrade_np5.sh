#!/bin/sh
# A degraded read answers within ORDO_QREG_DEGRADE_MS across a partition,
# not after it heals.  {0,1,2} are cut from {3,4} from 2 s to 6 s, shorter
# than the failure detector's timeout (no one is declared failed: the cut
# holds messages, it loses none); rank 0 writes 2 on the majority side at
# 2.5 s over the 1 written before; at 3 s the minority reads
# (tests/consistency/test_qreg_degrade.c says who reads what):
#   bounded    ORDO_QREG_DEGRADE_MS=300: the degraded reads (blocking, and
#              non-blocking polled) answer during the cut, ORDO_OK, the old
#              value 1 flagged ORDO_QREG_STALE; a strict read waits out the
#              cut and returns 2; after the heal the degraded register reads
#              2, not stale;
#   unbounded  ORDO_QREG_DEGRADE_MS=0 keeps the behaviour before the bound:
#              the degraded reads wait out the cut too and return 2.
# Outcomes and values are asserted; the only time checked is "answered
# before the heal", 3 s after the read began.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
for mode in bounded unbounded; do
    ms=300
    [ "$mode" = unbounded ] && ms=0
    ORDO_FAULT='partition=0-2|3-4@2s-6s' ORDO_FD_TIMEOUT_MS=20000 ORDO_TIMEOUT_MS=15000 \
        ORDO_QREG_DEGRADE_MS=$ms "$top_srcdir/tests/mpirun.sh" 5 -x ORDO_FAULT \
        -x ORDO_FD_TIMEOUT_MS -x ORDO_TIMEOUT_MS -x ORDO_QREG_DEGRADE_MS \
        "$top_builddir/tests/consistency/test_qreg_degrade" "$mode" >"$out" 2>&1
    rc=$?
    sort "$out"
    if [ $rc != 0 ] || grep -q FAILED "$out"; then
        echo "FAIL ($mode, ORDO_QREG_DEGRADE_MS=$ms): exit status $rc; the FAILED lines above say what"
        status=1
    elif [ "$(grep -c '^rank [0-4]: end ok, finalize ORDO_OK$' "$out")" != 5 ]; then
        echo "FAIL ($mode): not all five ranks ended cleanly"
        status=1
    else
        echo "ok ($mode, ORDO_QREG_DEGRADE_MS=$ms)"
    fi
done
exit $status
