#!/bin/sh
# A fault campaign with a real partition: ordo-nemesis runs the key-value
# store on 5 ranks over 2 network-namespace hosts (mpirun --map-by node:
# ranks 0, 2, 4 on the first, 1 and 3 on the second) with no injected
# fault, and the second host is cut off the data network 3 s into the load
# (jobs/netns-cluster.sh cut) and healed 4 s later. The majority side goes
# on, the minority is declared failed; every check must pass: the history
# linearizable, no acknowledged write lost, the survivors agreeing, no rank
# hung. mpirun across hosts does not exit once its ranks have (they skip
# MPI_Finalize after a failure): ordo-nemesis's time limit stops it.
set -u
# shellcheck source=tests/jobs/common.sh disable=SC2154
. "$top_srcdir/tests/jobs/common.sh"
need_root
need_netns
lock
netns_prefix=ojt6
netns_net=10.217
tmp=$(mktemp -d /tmp/ordo-test-nemesis.XXXXXX)
state=/tmp/ordo-netns-$netns_prefix
nem_pid=
cleanup() {
    [ -z "$nem_pid" ] || kill "$nem_pid" 2>/dev/null
    netns_cluster down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

netns_cluster up 2 || fail "netns-cluster.sh up 2"
[ -f "$state/mpirun.txt" ] || fail "no $state/mpirun.txt"
# The cluster's mpirun line as a launcher: one line, without -np and the
# program (ordo-nemesis adds them), with --enable-recovery.
launcher=$(tr -d '\\\n' <"$state/mpirun.txt" | sed -e 's/PROGRAM \[ARGS\]//' \
    -e 's/-np [0-9]* /--enable-recovery /' -e 's/  */ /g')
ORDO_FD_TIMEOUT_MS=2000 "$build/tools/nemesis/ordo-nemesis" -w kv -n 5 -d 10 -s 1 \
    --schedule none --grace 15 --launcher "$launcher" -o "$tmp/run" >"$tmp/out" 2>&1 &
nem_pid=$!

i=0
until [ -e "$tmp/run/kv/kv.1.pid" ] && [ -e "$tmp/run/kv/kv.0.pid" ]; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$nem_pid" 2>/dev/null; then
        cat "$tmp/out" "$tmp/run/kv/out.txt" 2>/dev/null
        fail "the ranks did not start (no pid files after 60 s)"
    fi
    sleep 0.1
done
sleep 3
netns_cluster cut ${netns_prefix}2 || fail "netns-cluster.sh cut"
sleep 4
netns_cluster heal ${netns_prefix}2 || fail "netns-cluster.sh heal"
wait "$nem_pid"
rc=$?
nem_pid=
sed -n '/^====/,$p' "$tmp/out"
[ $rc = 0 ] || {
    cat "$tmp/out"
    grep -v "PMIX ERROR" "$tmp/run/kv/out.txt"
    fail "ordo-nemesis exit $rc under a real partition"
}
grep -q "failed or is unreachable" "$tmp/run/kv/out.txt" ||
    fail "no rank saw the partition (no failure declared)"
echo "ok: ordo-nemesis: kv on 2 network-namespace hosts, the second cut for 4 s: every check passed"
