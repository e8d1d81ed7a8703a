#!/bin/sh
# ordo-nemesis: a schedule is a function of its seed (--dry-run twice);
# bad options exit 2; a short campaign of 2 seeds on 5 ranks passes (bank,
# and kv when apps/ordo_kv is built); the checks bite: the same run checked
# again (--check) with a lost write fabricated in a history, the bank's
# total changed in its output, a rank's report gone, each exits 1 naming
# the check; a replayed schedule with a kill; a launcher that cannot run
# exits 2.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nem="$top_builddir/tools/nemesis/ordo-nemesis"
campaign="$top_srcdir/tools/nemesis/campaign.sh"
unset ORDO_TIMEOUT_MS # ordo-nemesis sets its own (3 s) for the ranks

bad() {
    echo "FAIL: $*"
    fail=1
}
expect() { # what file patterns...
    what=$1 file=$2
    shift 2
    for p in "$@"; do
        grep -q -- "$p" "$file" || { bad "$what: no '$p' in:"; cat "$file"; }
    done
}
status() { # want what command...
    want=$1 what=$2
    shift 2
    "$@" >"$tmp/out" 2>&1
    rc=$?
    [ $rc = "$want" ] || { bad "$what: exit $rc, want $want"; cat "$tmp/out"; return 1; }
}

# Same seed, same schedule; another seed, another.
"$nem" --dry-run -s 7 -d 20 -c 8 >"$tmp/a" 2>&1 || bad "--dry-run exit $?"
"$nem" --dry-run -s 7 -d 20 -c 8 >"$tmp/b" 2>&1
"$nem" --dry-run -s 8 -d 20 -c 8 >"$tmp/c" 2>&1
cmp -s "$tmp/a" "$tmp/b" || bad "--dry-run -s 7 twice differs"
cmp -s "$tmp/a" "$tmp/c" && bad "--dry-run -s 7 and -s 8 are the same"
expect "--dry-run" "$tmp/a" "^schedule: 8 faults" "ORDO_FAULT=" "^replay: ordo-nemesis -w both -n 5 -d 20 -s 7 --schedule '"
# The replay line gives the same schedule back.
replay=$(sed -n "s/^replay: ordo-nemesis //p" "$tmp/a")
eval "\"\$nem\" --dry-run $replay" >"$tmp/r" 2>&1 || bad "the replay line failed"
[ "$(sed -n 2p "$tmp/a")" = "$(sed -n 2p "$tmp/r")" ] || { bad "replay differs"; cat "$tmp/a" "$tmp/r"; }
status 0 "every kind" "$nem" --dry-run -s 3 -c 11 -n 7 &&
    expect "every kind" "$tmp/out" "drop dup delay minority majority ring crash kill pause drift skew"

# Bad usage: exit 2 with a message.
status 2 "-w foo" "$nem" -w foo && expect "-w foo" "$tmp/out" "expected kv, bank or both"
status 2 "-n 2" "$nem" -n 2 && expect "-n 2" "$tmp/out" "--np: expected an integer from 3 to 64"
status 2 "--faults bogus" "$nem" -f drop,bogus && expect "--faults" "$tmp/out" "unknown kind 'bogus'"
status 2 "--kill alone" "$nem" --kill 1@2s && expect "--kill alone" "$tmp/out" "give --schedule too"
status 2 "--kill 9@1s" "$nem" -n 5 --schedule none --kill 9@1s && expect "--kill 9" "$tmp/out" "R@T expected"
status 2 "extra argument" "$nem" extra && expect "extra" "$tmp/out" "unexpected argument 'extra'"
status 2 "--check nowhere" "$nem" --check "$tmp/nowhere" && expect "--check" "$tmp/out" "cannot read"
status 2 "no launcher" "$nem" -w bank -d 1 -o "$tmp/nolaunch" --launcher /nonexistent/mpirun &&
    expect "no launcher" "$tmp/out" "no rank of bank started"

# A short campaign: 2 seeds, 5 ranks, every fault kind possible.
wl=bank
[ -x "$top_builddir/apps/ordo_kv" ] && wl=both
# Seeds 2 and 3: seed 1 (a kill, then a ring partition with the dead rank in
# it) hung ordo_kv's survivors once in ten runs (README, the campaign: open).
ORDO_NEMESIS=$nem "$campaign" -s 2 -f 2 -d 4 -n 5 -w $wl -o "$tmp/camp" >"$tmp/camp.out" 2>&1 ||
    { bad "campaign of 2 seeds ($wl) exit $? (its output kept in $top_builddir/ordo_nemesis-failed)"
        cat "$tmp/camp.out" "$tmp"/camp/seed-*.log; rm -rf "$top_builddir/ordo_nemesis-failed"
        cp -r "$tmp/camp" "$top_builddir/ordo_nemesis-failed"; }
expect "campaign" "$tmp/camp/summary.txt" "# totals: 2 seeds run (0 could not run)" "PASS 2, FAIL 0"

# A replay with a real SIGKILL of rank 4 after 1 s: it is not counted as hung.
status 0 "replay with a kill" "$nem" -w bank -n 5 -d 3 -o "$tmp/kill" \
    --schedule 'drop=0.1@500ms-1500ms,seed=3' --kill 4@1s &&
    expect "kill" "$tmp/out" "SIGKILL rank 4" "^verdict:     PASS" "kinds=drop+kill"

# The controls: the same run checked again after a fault is planted.
run=$tmp/kill
cp -r "$run" "$tmp/lost"
h=$(ls "$tmp"/lost/bank/hist/qreg-*.0.edn | head -1)
t=4611686018427387904 # 2^62 ns: after everything
cat >>"$h" <<EOF
{:process 9990, :type :invoke, :f :write, :key 0, :value 123456789, :time $t}
{:process 9990, :type :ok, :f :write, :key 0, :value 123456789, :time $((t + 1))}
{:process 9991, :type :invoke, :f :write, :key 0, :value 987654321, :time $((t + 2))}
{:process 9991, :type :ok, :f :write, :key 0, :value 987654321, :time $((t + 3))}
{:process 9992, :type :invoke, :f :read, :key 0, :value nil, :time $((t + 4))}
{:process 9992, :type :ok, :f :read, :key 0, :value 123456789, :time $((t + 5))}
EOF
status 1 "control: a lost write" "$nem" --check "$tmp/lost" &&
    expect "control: lost write" "$tmp/out" "^lost writes: VIOLATED 1" "^lincheck:    VIOLATED" \
        "verdict=FAIL"
cp -r "$run" "$tmp/total"
sed -i 's/total 64000 before, 64000 after/total 64000 before, 63990 after/; s/: ok$/: TOTAL CHANGED/' \
    "$tmp/total/bank/out.txt"
status 1 "control: the bank's total" "$nem" --check "$tmp/total" &&
    expect "control: total" "$tmp/out" "^bank:        VIOLATED" "TOTAL CHANGED"
cp -r "$run" "$tmp/gone"
rm -f "$tmp/gone/bank/bank.1.report"
status 1 "control: a rank without a report" "$nem" --check "$tmp/gone" &&
    expect "control: gone" "$tmp/out" "bank rank 1 ended without a report" "^hung:        VIOLATED"
status 0 "the run itself, checked again" "$nem" --check "$run"

[ $fail = 0 ] && echo "ok: ordo-nemesis: schedules by seed, replay, bad usage, a campaign of 2 seeds ($wl), a kill, 3 controls that fail"
exit $fail
