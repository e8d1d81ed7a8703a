#!/bin/sh
# The bank on 4 ranks: transfers under a quorum lock with a fenced ledger,
# then lock-free with CAS, then both under ORDO_FAULT (messages dropped,
# duplicated, held back; calls retried after 20 ms).  Every run must exit
# 0 and end with a summary whose total is unchanged; lock mode must show
# its stale-token write refused.  No timing is checked.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
run() { # NAME ARGS...: run the bank, check its status and summary
    name=$1
    shift
    "$top_srcdir/tests/mpirun.sh" 4 "$@" >"$out" 2>&1
    rc=$?
    cat "$out"
    [ $rc = 0 ] || { echo "FAIL: $name: exit status $rc"; fail=1; }
    grep -Eq "^ordo_bank: mode (lock|cas), 4 ranks \(0 failed\), 16 accounts: [1-9][0-9]* transfers .*, total 16000 before, 16000 after, .* transfers/s: ok$" "$out" ||
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
# Bad arguments: a clear error and exit status 2, before any rank starts.
"$bank" -m nope >"$out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "bad --mode 'nope'" "$out" || { cat "$out"; echo "FAIL: bad --mode: exit $rc"; fail=1; }
[ $fail = 0 ] && echo "ok: ordo_bank conserved the money in both modes, with and without faults"
exit $fail
