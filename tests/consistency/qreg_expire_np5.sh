#!/bin/sh
# A register operation polled with ordo_qreg_test ends within ORDO_TIMEOUT_MS
# like a waited one: rank 0 is cut off from the other four from 1.5 s to
# 4.5 s (ORDO_FAULT partition) while the failure detector's timeout is longer, so
# no one is declared failed and rank 0's write can neither finish nor fail;
# with ORDO_TIMEOUT_MS=1000 and no retries (whose own deadline would fail
# the write first, with ORDO_ERR_NO_QUORUM) the test must report it complete after about
# 1 s and the wait return ORDO_ERR_TIMEOUT.  Meanwhile the others are in a
# barrier with rank 0 across the cut: its messages are held while the cut
# lasts and delivered when it heals, so it ends (a partition shorter than
# the detector's timeout used to lose them, and the barrier hung); the
# barrier is the message one (ORDO_COLL_BARRIER=dissemination: the shm one
# moves no message, so a partition of ORDO_FAULT does not hold it).  (An
# operation that was only ever tested used to be polled for ever: a hang
# ordo-nemesis found under a ring partition.)
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FAULT='partition=0|1-4@1500ms-4500ms' ORDO_TIMEOUT_MS=1000 ORDO_FD_TIMEOUT_MS=20000 \
    ORDO_RETRY_MS=0 ORDO_COLL_BARRIER=dissemination "$top_srcdir/tests/mpirun.sh" 5 \
    -x ORDO_FAULT -x ORDO_TIMEOUT_MS -x ORDO_FD_TIMEOUT_MS -x ORDO_RETRY_MS -x ORDO_COLL_BARRIER \
    "$top_builddir/tests/consistency/test_qreg_faults" expire 0 >"$out" 2>&1
rc=$?
cat "$out"
[ $rc = 0 ] || { echo "FAIL: exit status $rc"; exit 1; }
grep -q "^expire: test said 1 after .* s, wait ORDO_ERR_TIMEOUT$" "$out" ||
    { echo "FAIL: no expired write"; exit 1; }
[ "$(grep -c '^survivor .*end ORDO_OK, finalize ORDO_OK' "$out")" = 5 ] ||
    { echo "FAIL: not all five met and finished"; exit 1; }
echo "ok"
