#!/bin/sh
# A real partition: 4 ranks on 2 network-namespace hosts (2 each), and one
# host cut off the data network mid-run (jobs/netns-cluster.sh cut). With
# ORDO_FD_TIMEOUT_MS=2000, each side declares the other side's ranks failed
# within the timeout (plus 1.5 s of slack for this loaded machine): calls
# across end with PEER_FAILED, calls within a host keep working, a barrier
# over each side after ordo_failure_ack works, every process finalizes and
# exits. Then heal, and down (tests/runtime/test_fd_partition.c).
set -u
# shellcheck source=tests/jobs/common.sh disable=SC2154
. "$top_srcdir/tests/jobs/common.sh"
need_root
need_netns
lock
netns_prefix=ojt4
netns_net=10.215
tmp=$(mktemp -d /tmp/ordo-test-partition.XXXXXX)
state=/tmp/ordo-netns-$netns_prefix
timeout_ms=2000
mpirun_pid=
cleanup() {
    [ -z "$mpirun_pid" ] || kill "$mpirun_pid" 2>/dev/null
    netns_cluster down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

netns_cluster up 2 || fail "netns-cluster.sh up 2"
[ -f "$state/mpirun.txt" ] || fail "no $state/mpirun.txt"
for h in ${netns_prefix}1 ${netns_prefix}2; do
    r2=$(nsenter --net="/run/netns/$h" cat /proc/sys/net/ipv4/tcp_retries2)
    [ "$r2" = 3 ] || fail "tcp_retries2 in $h is $r2, not 3"
done

line=$(sed -e "s|PROGRAM \[ARGS\]|$build/tests/runtime/test_fd_partition $tmp|" \
    -e "s|-np 2 |-np 4 --enable-recovery -x ORDO_FD_TIMEOUT_MS=$timeout_ms -x ORDO_FD_PERIOD_MS=200 -x ORDO_TIMEOUT_MS=60000 |" \
    "$state/mpirun.txt")
timeout -k 5 120 sh -c "exec $line" >"$tmp/out" 2>"$tmp/err" 9>&- &
mpirun_pid=$!

# Cut the second host once the ranks have met, and say when.
i=0
until [ -e "$tmp/ready" ]; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$mpirun_pid" 2>/dev/null; then
        cat "$tmp/out" "$tmp/err"
        fail "the ranks did not start (no $tmp/ready after 60 s)"
    fi
    sleep 0.1
done
sleep 1
netns_cluster cut ${netns_prefix}2 || fail "netns-cluster.sh cut"
date +%s.%N >"$tmp/cut"

# The ranks must all end by themselves. mpirun does not: with
# --enable-recovery across hosts its daemons wait on after every rank has
# exited without MPI_Finalize (ordo skips it once a peer failed), so it is
# stopped once no rank is left.
ranks_left() {
    for h in ${netns_prefix}1 ${netns_prefix}2; do
        for p in $(ip netns pids "$h" 2>/dev/null); do
            grep -q test_fd_partition "/proc/$p/cmdline" 2>/dev/null && echo "$p"
        done
    done
}
i=0
while [ -n "$(ranks_left)" ] && kill -0 "$mpirun_pid" 2>/dev/null && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
left=$(ranks_left)
kill "$mpirun_pid" 2>/dev/null
wait "$mpirun_pid"
rc=$?
mpirun_pid=
netns_cluster heal ${netns_prefix}2 || fail "netns-cluster.sh heal"
cat "$tmp/out"
echo "--- stderr (mpirun exit status $rc, stopped once every rank had exited)"
grep -v "PMIX ERROR" "$tmp/err"
[ -z "$left" ] || fail "ranks still running 60 s after the cut (pids $left): something hung"
grep -q "FAILED:" "$tmp/out" "$tmp/err" && fail "a rank failed its checks"
ok=$(grep -c "^rank [0-3] on $netns_prefix[12]: the other host's 2 ranks failed .* own host ok; finalize ok" "$tmp/out")
[ "$ok" = 4 ] || fail "$ok of 4 ranks finished their checks"
slow=$(awk -v lim="$timeout_ms" '/^rank .* failed .* s after the cut/ {
    for (i = 1; i <= NF; i++) if ($i == "failed") d = $(i + 1)
    if (d * 1000 > lim + 1500) print }' "$tmp/out")
[ -z "$slow" ] || fail "detected later than ORDO_FD_TIMEOUT_MS + 1.5 s: $slow"
echo "ok: both sides declared the other failed within ${timeout_ms} ms (+1.5 s), went on, exited"

netns_cluster down || fail "netns-cluster.sh down"
