#!/bin/sh
# The bank on 4 ranks: transfers under a quorum lock with a fenced ledger,
# then lock-free with CAS, then both under ORDO_FAULT (messages dropped,
# duplicated, held back; calls retried after 20 ms).  Every run must exit
# 0 and end with a summary whose total is unchanged; lock mode must show
# its stale-token write refused.  Then both with rank 3 crashing after 1 s:
# the three survivors go on, the money lost with rank 3's home is reported,
# and the invariant holds over what is left.  No timing is checked.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
failed=0    # ranks the summary must say failed
after=16000 # the total it must report at the end
run() { # NAME ARGS...: run the bank, check its status and summary
    name=$1
    shift
    "$top_srcdir/tests/mpirun.sh" 4 "$@" >"$out" 2>&1
    rc=$?
    cat "$out"
    [ $rc = 0 ] || { echo "FAIL: $name: exit status $rc"; fail=1; }
    grep -Eq "^ordo_bank: mode (lock|cas), 4 ranks \($failed failed\), 16 accounts: [1-9][0-9]* transfers .*, total 16000 before, $after after, .* transfers/s: ok$" "$out" ||
        { echo "FAIL: $name: no good summary line"; fail=1; }
    if grep -q "mode lock" "$out"; then
        grep -q "^ordo_bank: fencing: .* was refused (ORDO_ERR_FENCED): ok$" "$out" ||
            { echo "FAIL: $name: the stale token was not refused"; fail=1; }
    fi
    if grep -q "WRONG" "$out"; then
        echo "FAIL: $name: an audit found a wrong total"
        fail=1
    fi
}
bank=$top_builddir/apps/ordo_bank
run lock "$bank" -m lock -a 16 -d 2 -i 200 -s 7
run cas "$bank" -m cas -a 16 -d 2 -i 200 -s 7
export ORDO_FAULT=drop=0.05,dup=0.05,delay=0.2:200,seed=3 ORDO_RETRY_MS=20
run "lock under ORDO_FAULT" -x ORDO_FAULT -x ORDO_RETRY_MS "$bank" -m lock -a 16 -d 2 -i 200
run "cas under ORDO_FAULT" -x ORDO_FAULT -x ORDO_RETRY_MS "$bank" -m cas -a 16 -d 2 -i 200
unset ORDO_FAULT ORDO_RETRY_MS
# A crash: rank 3 dies after 1 s (SIGKILL); its accounts are lost with it.
export ORDO_FAULT=crash=3@1s ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000
crash="--enable-recovery -x ORDO_FAULT -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS"
failed=1
# shellcheck disable=SC2086
run "lock, rank 3 crashes" $crash "$bank" -m lock -a 16 -d 3 -i 300
grep -q "^ordo_bank: [0-9]* lost with failed homes" "$out" || { echo "FAIL: lock crash: no loss line"; fail=1; }
after='[0-9]*'
# shellcheck disable=SC2086
run "cas, rank 3 crashes" $crash "$bank" -m cas -a 16 -d 3 -i 300
grep -q "^ordo_bank: [0-9]* lost with the failed homes and in flight" "$out" ||
    { echo "FAIL: cas crash: no loss line"; fail=1; }
unset ORDO_FAULT ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS
# Bad arguments: a clear error and exit status 2, before any rank starts.
"$bank" -m nope >"$out" 2>&1
rc=$?
if [ $rc != 2 ] || ! grep -q "bad --mode 'nope'" "$out"; then
    cat "$out"
    echo "FAIL: bad --mode: exit status $rc"
    fail=1
fi
[ $fail = 0 ] && echo "ok: ordo_bank conserved the money in both modes, with and without faults"
exit $fail
