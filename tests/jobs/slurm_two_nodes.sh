#!/bin/sh
# A two-node Slurm (jobs/local-slurm.sh start --nodes 2: one slurmd in each of
# two network-namespace hosts): jobs/pt2pt.sbatch (2 tasks on 2 nodes, as on a
# cluster) and srun of ordo_ring on 4 tasks span both hosts; stop takes down
# the daemons and the namespaces.
set -u
# shellcheck source=tests/jobs/common.sh disable=SC2154
. "$top_srcdir/tests/jobs/common.sh"
need_root
need_netns
lock
netns_prefix=ojt3
netns_net=10.214
slurm_port=16927
tmp=$(mktemp -d /tmp/ordo-test-slurm2.XXXXXX)
export SLURM_CONF="$tmp/slurm/slurm.conf"
cleanup() {
    local_slurm stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

start_slurm --nodes 2
# Between namespaces UCX could use shared memory: force TCP on the data
# network (the other two: see jobs/netns-cluster.sh).
export UCX_TLS=tcp,self UCX_NET_DEVICES=eth0

out=$(timeout 120 srun --mpi=pmix -O -N 2 -n 4 "$build/apps/ordo_ring" 2>&1) ||
    fail "srun -N 2 -n 4 ordo_ring: exit status $?: $out"
echo "$out"
echo "$out" | grep -q "ordo_ring: 4 ranks; 16 calls checked; token went round with sum 6 (expected 6): ok" ||
    fail "srun ordo_ring: unexpected output"

mkdir "$tmp/submit"
cd "$tmp/submit" || fail "cd $tmp/submit"
ORDO_SRC=$top_srcdir ORDO_BUILD=$build ORDO_RESULTS=$tmp/results ORDO_BENCHMARKS=ordo_latency \
    timeout 240 sbatch --wait "$jobs/pt2pt.sbatch" -m 1:64 -i 20 -x 5 >sbatch.out 2>&1
rc=$?
cat sbatch.out
id=$(sed -n 's/^Submitted batch job //p' sbatch.out)
[ -n "$id" ] || fail "sbatch did not submit the job"
job_out=$tmp/submit/ordo-pt2pt-$id.out
[ -f "$job_out" ] || fail "no job output $job_out"
sed -n '/^# ordo-job/p; /^# transport/,/^#   to other/p; /^# topology/,/^# ordo-job/p' "$job_out" |
    awk '!seen[$0]++' | head -30
[ $rc = 0 ] || { cat "$job_out"; fail "sbatch --wait: exit status $rc"; }
grep -q "^# ordo-job: all ok" "$job_out" || { cat "$job_out"; fail "the job did not end with 'all ok'"; }
grep -q "topology: 2 rank(s) on 2 node(s)" "$job_out" || fail "ordo_info did not see 2 nodes"
# ordo_info's table of ranks: the rows after its '#   rank host ...' header.
host_of() {
    awk -v r="$1" '/^#   rank host/ { t = 1; next } t && /^#/ { t = 0 } t && $1 == r { print $2; exit }' "$job_out"
}
h0=$(host_of 0)
h1=$(host_of 1)
if [ -z "$h0" ] || [ -z "$h1" ] || [ "$h0" = "$h1" ]; then
    fail "ranks 0 and 1 are not on different hosts ('$h0', '$h1')"
fi
grep -q "to other node (rank 1): tcp/eth0" "$job_out" || fail "rank 1 not reached over tcp/eth0"
check_bench "$tmp/results/pt2pt-$id/ordo_latency.txt" ordo_latency
echo "ok: rank 0 on $h0, rank 1 on $h1"

cd /
local_slurm stop || fail "local-slurm.sh stop"
no_process_in "$tmp"
left=$(ip netns list | grep -E "^$netns_prefix(-sw|[0-9]+)( |\$)")
[ -z "$left" ] || fail "namespaces left after stop: $left"
echo "ok: stopped, namespaces removed"
