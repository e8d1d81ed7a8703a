#!/bin/sh
# Three hosts in network namespaces (jobs/netns-cluster.sh up 3): the mpirun
# line the script prints runs ordo_info and ordo_ring across them, UCX over
# TCP on the data network; every rank on another host. Then down: nothing left.
set -u
# shellcheck source=tests/jobs/common.sh disable=SC2154
. "$top_srcdir/tests/jobs/common.sh"
need_root
need_netns
lock
netns_prefix=ojt2
netns_net=10.213
tmp=$(mktemp -d /tmp/ordo-test-netns.XXXXXX)
state=/tmp/ordo-netns-$netns_prefix
cleanup() {
    netns_cluster down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

netns_cluster up 3 || fail "netns-cluster.sh up 3"
[ -f "$state/mpirun.txt" ] || fail "no $state/mpirun.txt"

# run PROGRAM: the printed mpirun line with PROGRAM, at most 2 minutes;
# standard output in $tmp/out (mpirun's own warnings, e.g. a setpgid race of
# its rsh launcher, go to standard error).
run() {
    line=$(sed "s|PROGRAM \[ARGS\]|$1|" "$state/mpirun.txt")
    timeout -k 5 120 sh -c "$line" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    cat "$tmp/out"
    [ -s "$tmp/err" ] && { echo "--- stderr"; cat "$tmp/err"; }
    [ $rc = 0 ] || fail "mpirun $1 across the namespaces: exit status $rc"
}

run "$build/tools/ordo_info"
grep -q "topology: 3 rank(s) on 3 node(s)" "$tmp/out" || fail "ordo_info did not see 3 nodes"
grep -q "to other node (rank 1): tcp/eth0" "$tmp/out" ||
    fail "rank 1 is not reached by tcp over eth0 (the data network)"
for r in 0 1 2; do
    grep -Eq "^ +$r +$netns_prefix$((r + 1)) " "$tmp/out" ||
        fail "rank $r is not on host $netns_prefix$((r + 1))"
done
echo "ok: 3 ranks on 3 hosts, UCX over tcp on eth0"

run "$build/apps/ordo_ring"
grep -q "ordo_ring: 3 ranks; 9 calls checked; token went round with sum 3 (expected 3): ok" "$tmp/out" ||
    fail "ordo_ring: unexpected output"

# Latency over the data network: rows of numbers only (no UCX warnings on
# stdout), and no 4 ms round trips (two ranks spinning on one core: mpirun
# binds the first rank of every host to core 0 unless --bind-to none).
run "$build/benchmarks/ordo_latency -m 1:64 -i 20 -x 5 --mpi"
check_bench "$tmp/out" ordo_latency
awk '$1 == 8 && $2 >= 1000 { exit 1 }' "$tmp/out" ||
    fail "8 B latency over the namespaces is 1 ms or more: ranks sharing a core?"

netns_cluster down || fail "netns-cluster.sh down"
left=$(ip netns list | grep -E "^$netns_prefix(-sw|[0-9]+)( |\$)")
[ -z "$left" ] || fail "namespaces left after down: $left"
! ip link show "$netns_prefix-mgmt" >/dev/null 2>&1 || fail "interface $netns_prefix-mgmt left after down"
[ ! -e "$state" ] || fail "$state left after down"
echo "ok: down removed the namespaces, the interface and $state"
