#!/bin/sh
# A one-node Slurm from jobs/local-slurm.sh: ordo_init under srun --mpi=pmix
# (ordo_ring and the runtime suite on 4 tasks), the benchmark jobs
# jobs/pt2pt.sbatch and jobs/collectives.sbatch with sbatch --wait on 4 tasks
# (their output checked), the objects, litmus, bank, kv and stencil jobs on small
# sizes, stop;
# then start again in the same directory and stop: nothing left running.
# shellcheck disable=SC2119
set -u
# shellcheck source=tests/jobs/common.sh disable=SC2154
. "$top_srcdir/tests/jobs/common.sh"
need_root
lock
tmp=$(mktemp -d /tmp/ordo-test-slurm.XXXXXX)
export SLURM_CONF="$tmp/slurm/slurm.conf"
cleanup() {
    local_slurm stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# submit NAME TASKS [ARGS...]: jobs/NAME.sbatch with sbatch --wait on TASKS
# tasks of one node, from $tmp/submit as a user would; sets id and job_out;
# fails unless it was submitted, exited 0 and (all but the nemesis job,
# whose summary says) ended with "all ok".  The job sees this shell's
# exported variables.
submit() {
    name=$1 tasks=$2
    shift 2
    ORDO_SRC=$top_srcdir ORDO_BUILD=$build ORDO_RESULTS=$tmp/results \
        timeout 300 sbatch --wait -O -N 1 -n "$tasks" "$jobs/$name.sbatch" "$@" >sbatch.out 2>&1
    rc=$?
    id=$(sed -n 's/^Submitted batch job //p' sbatch.out)
    [ -n "$id" ] || { cat sbatch.out; fail "sbatch did not submit the $name job"; }
    job_out=$tmp/submit/ordo-$name-$id.out
    [ -f "$job_out" ] || fail "no job output $job_out"
    [ $rc = 0 ] || { cat "$job_out"; fail "$name job: exit status $rc"; }
    [ "$name" = nemesis ] || grep -q "^# ordo-job: all ok" "$job_out" ||
        { cat "$job_out"; fail "the $name job did not end with 'all ok'"; }
}

start_slurm

# ordo_init under srun --mpi=pmix.
out=$(timeout 120 srun --mpi=pmix -O -n 4 "$build/apps/ordo_ring" 2>&1) ||
    fail "srun ordo_ring: exit status $?: $out"
echo "$out"
echo "$out" | grep -q "ordo_ring: 4 ranks; 16 calls checked; token went round with sum 6 (expected 6): ok" ||
    fail "srun ordo_ring: unexpected output"
timeout 180 srun --mpi=pmix -O -n 4 "$build/tests/runtime/test_runtime_mpi" >"$tmp/suite.out" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$tmp/suite.out"; fail "srun test_runtime_mpi on 4 tasks: exit status $rc"; }
grep -A3 "Run Summary" "$tmp/suite.out" | head -4
echo "ok: srun --mpi=pmix: ordo_ring and the runtime suite on 4 tasks"

# The benchmark job, as a user would submit it (from another directory).
mkdir "$tmp/submit"
cd "$tmp/submit" || fail "cd $tmp/submit"
submit pt2pt 4 -m 1:1K -i 20 -x 5
sed -n '/^# ordo-job/p; /^# topology/,/^# ordo-job/p' "$job_out" | awk '!seen[$0]++' | head -30
grep -q "topology: 4 rank(s) on 1 node(s)" "$job_out" || fail "ordo_info did not see 4 ranks on 1 node"
res=$tmp/results/pt2pt-$id
for b in ordo_latency ordo_bw ordo_bibw ordo_rpc_rate ordo_crossover; do
    check_bench "$res/$b.txt" "$b"
    [ "$(grep -vc '^#' "$res/$b.txt")" = 11 ] || fail "$b: not 11 sizes (1 B .. 1 KiB)"
done

# The collectives job: every collective benchmark with --mpi on 4 tasks,
# small sizes and few iterations (9 rows from 4 B for the reductions, 11
# from 1 B for the others, one for the barrier).
submit collectives 4 -m 1:1K -i 10 -x 2
for b in ordo_allreduce:9 ordo_reduce:9 ordo_bcast:11 ordo_allgather:11 ordo_alltoall:11 ordo_barrier:1; do
    f=$tmp/results/collectives-$id/${b%:*}.txt
    check_bench "$f" "${b%:*}"
    [ "$(grep -vc '^#' "$f")" = "${b#*:}" ] || fail "${b%:*}: not ${b#*:} rows"
    grep -q "^# Size .*MPI (us) *ordo/MPI\$" "$f" || fail "${b%:*}: MPI and ordo/MPI are not the last columns"
done
echo "ok: the collectives job ran the six collective benchmarks with --mpi on 4 tasks"

# The objects job: the demo and the object benchmark on 2 tasks of one node.
submit objects 2 -m 8:64 -i 50 -x 5
[ "$(grep -c '^[0-9]' "$tmp/results/objects-$id/ordo_obj_latency.txt")" = 4 ] ||
    { cat "$job_out"; fail "objects job: not 4 sizes (8 .. 64 B) in ordo_obj_latency.txt"; }
grep -q "^# SC read/write vs RPC" "$tmp/results/objects-$id/ordo_obj_latency.txt" ||
    fail "objects job: no summary of ordo_obj_latency"
echo "ok: the objects job ran ordo_objects and ordo_obj_latency on 2 tasks"

# The litmus job: SB and IRIW on 4 tasks, every model, nothing forbidden seen.
ORDO_LITMUS_TESTS="SB IRIW"
export ORDO_LITMUS_TESTS
submit litmus 4 -n 200
unset ORDO_LITMUS_TESTS
for t in SB IRIW; do
    grep -q "^$t  *forbidden, seen 0/200, ok  .* ok  .* ok" "$job_out" ||
        { cat "$job_out"; fail "litmus job: no summary row for $t"; }
done
grep -q "^Test IRIW Allowed" "$tmp/results/litmus-$id/ordo-litmus.txt" ||
    fail "litmus job: results/litmus-$id/ordo-litmus.txt"
echo "ok: the litmus job ran SB and IRIW under sc, tso and causal on 4 tasks"

# The bank job: ordo_bank in both modes on 4 tasks for a second each.
submit bank 4 -a 16 -d 1 -i 200
for mode in lock cas; do
    grep -q "^ordo_bank: mode $mode, 4 ranks (0 failed), 16 accounts: .*total 16000 before, 16000 after, .*: ok$" \
        "$tmp/results/bank-$id/ordo_bank-$mode.txt" ||
        { cat "$job_out"; fail "bank job: no good summary for mode $mode"; }
done
echo "ok: the bank job ran ordo_bank in lock and cas mode on 4 tasks"

# The nemesis job: a campaign of 1 seed of 3 s of the bank on 5 tasks.
submit nemesis 5 1 3 bank
grep -q "PASS 1, FAIL 0" "$tmp/results/nemesis-$id/summary.txt" ||
    { cat "$job_out"; fail "nemesis job: no passing summary"; }
echo "ok: the nemesis job ran a campaign of 1 seed on 5 tasks under srun"
# The kv job: ordo_kv on quorum registers, then on SC objects, a second each.
submit kv 4 -d 1 -k 256 -q
for backend in qreg sc; do
    grep -Eq "^ordo_kv: workload a, dist zipfian, backend $backend.*, 4 ranks \(0 failed\), 256 keys .*verified 256 keys on 4 ranks \(0 unread, 0 differ\): ok$" \
        "$tmp/results/kv-$id/ordo_kv-$backend.txt" ||
        { cat "$job_out"; fail "kv job: no good summary for backend $backend"; }
done
echo "ok: the kv job ran ordo_kv on quorum registers and SC objects on 4 tasks"

# The stencil job: TSO, SC and MPI halos on 4 tasks, small grids, the grids equal.
submit stencil 4 -n 32,64 -k 5 -x 1 -r 1
for n in 32 64; do
    grep -qxF "# N=$n: grids equal bit for bit (tso sc mpi); serial reference: equal" \
        "$tmp/results/stencil-$id/ordo_stencil.txt" ||
        { cat "$job_out"; fail "stencil job: no 'equal' line for N=$n"; }
done
echo "ok: the stencil job ran ordo_stencil (TSO, SC, MPI halos) on 4 tasks, grids equal"

# Stop, then a second start in the same directory.
cd /
local_slurm stop || fail "local-slurm.sh stop"
no_process_in "$tmp"
start_slurm
timeout 10 sinfo -h -N -o '%N %t' | grep -q " idle$" || fail "second start: the node is not idle"
local_slurm stop || fail "local-slurm.sh stop (second time)"
no_process_in "$tmp"
echo "ok: started twice in $tmp/slurm, stopped, nothing left"
