#!/bin/sh
# run.sh - the main job: install what is missing, build, and show what ordo
# does on NP local ranks (default 4), a line or two per capability.  Each
# step's whole output goes to build/run/<step>.log; a step that fails prints
# the end of its log and stops the job (exit 1).
#
#   header       ordo_info: ranks, transport, the calibrated message model
#   messages     a message round (apps/ordo_ring) with every message traced,
#                the trace checked for happens-before (ordo-trace) and
#                exported as a timeline (build/run-trace.json, Perfetto)
#   objects      shared objects of each model: SC, TSO, causal+
#   litmus       SB, SB+rfi and IRIW measured on shared objects of every
#                model (LITMUS_N iterations each, default 20000)
#   registers    quorum registers (apps/ordo_registers) with their history
#                checked for linearizability (ordo-lincheck)
#   collectives  bcast, allreduce, allgather, alltoall and gossip in a small
#                computation (apps/ordo_collectives), then ordo_allreduce
#                beside MPI_Allreduce
#   stencil      2-D Jacobi with halos through TSO objects, SC objects and MPI,
#                the grids compared bit for bit (apps/ordo_stencil)
#   failure      a rank crashes (ORDO_FAULT), the others detect it, acknowledge
#                and go on (apps/ordo_survive)
#   bank         transfers that must conserve money, under a quorum lock with a
#                fenced ledger, and lock-free with CAS (apps/ordo_bank)
#   kv           a key-value store on quorum registers, YCSB workload a, its
#                history checked, then on SC objects (apps/ordo_kv)
#   nemesis      a fault campaign of one seed: kv, then bank, under a drawn
#                schedule of faults; histories, lost writes, totals and hung
#                ranks checked (tools/nemesis/ordo-nemesis)
#
# The whole configuration is `build/tools/ordo_info -c`; everything about
# this job is in build/run/info.log.
set -eu
cd "$(dirname "$0")"
. ./config/setup.sh
ordo_setup_packages
mkdir -p build
if ! ordo_build build >build/run-build.log 2>&1; then
    tail -n 40 build/run-build.log
    exit 1
fi
np=${NP:-4}
out=build/run
rm -rf "$out"
mkdir -p "$out"

# step NAME COMMAND...: run COMMAND, its output into $out/NAME.log; on a
# failure, show the log's end and stop.
step() {
    name=$1
    shift
    if ! "$@" >"$out/$name.log" 2>&1; then
        echo "FAILED: $name (exit status $?); the end of $out/$name.log:"
        tail -n 25 "$out/$name.log"
        exit 1
    fi
}
# show NAME PATTERN [MAX]: the lines of NAME's log that match, indented.
show() {
    grep -E "$2" "$out/$1.log" | head -n "${3:-4}" | sed 's/^/    /'
}
title() {
    printf '\n%s\n' "$*"
}
run() { # mpirun on np ranks, with VAR=value pairs before the program passed on
    $ORDO_MPIRUN -np "$np" "$@"
}

step info run build/tools/ordo_info
echo "ordo $(build/tools/ordo_info -c | sed -n 's/^# ordo //p') on $np local ranks; details in $out/*.log"
sed -n 's/^# \(topology: .*\)/  \1/p; s/^# \(wait mode: .*\)/  \1/p; s/^# transport: \(.*\)/  transport: \1/p' "$out/info.log"
sed -n 's/^#   eager: */  model, eager:      /p; s/^#   rndv: */  model, rendezvous: /p' "$out/info.log"
sed -n 's/^# message paths: \(.*\)/  message paths: \1/p' "$out/info.log"

title "Messages: a token round on $np ranks, every message traced (ORDO_TRACE)"
trace=build/run-trace
rm -rf "$trace"
step ring env ORDO_TRACE="$PWD/$trace" $ORDO_MPIRUN -np "$np" -x ORDO_TRACE build/apps/ordo_ring
step trace build/tools/trace/ordo-trace check "$trace"
build/tools/trace/ordo-trace export -o build/run-trace.json "$trace" >>"$out/trace.log" 2>&1
show ring 'ordo_ring:'
show trace '^(ordo-trace check|violations)'
echo "    timeline: build/run-trace.json (open it at https://ui.perfetto.dev)"

title "Shared objects: one per consistency model"
step objects run build/apps/ordo_objects
show objects 'ordo_objects:' 3 | sed 's/ordo_objects: //'

title "Litmus tests on shared objects: how often each model shows the weak outcome"
step litmus env ORDO_FAULT=delay=0.3:20,seed=1 $ORDO_MPIRUN -np "$np" -x ORDO_FAULT \
    build/tools/litmus/ordo-litmus -n "${LITMUS_N:-20000}" --stress \
    tests/litmus/SB.litmus tests/litmus/SB+rfi.litmus tests/litmus/IRIW.litmus
sed -n '/^Test  *sc /,$p' "$out/litmus.log" | sed 's/^/    /'

title "Quorum registers (R = 3, W = Q = 2), every operation in a history"
hist=build/run-history
rm -rf "$hist"
step registers env ORDO_HISTORY="$PWD/$hist" $ORDO_MPIRUN -np "$np" -x ORDO_HISTORY \
    build/apps/ordo_registers 2
step registers-check build/tools/lincheck/ordo-lincheck "$hist"
show registers '^registers:'
show registers-check '^ordo-lincheck'

title "Collectives and gossip, the algorithm each time as the calibrated model chose it"
step collectives run build/apps/ordo_collectives
ok=$(grep -c ': ok$' "$out/collectives.log" || true)
echo "    $ok checks ok: $(sed -n 's/^ordo_collectives: \([a-z]*\) *\([a-z_-]*\) .*/\1 (\2)/p' "$out/collectives.log" | sort -u | tr '\n' ' ')"
step allreduce run build/benchmarks/ordo_allreduce -m 8:4096 -i 200 -x 20 --mpi
show allreduce '^# ordo/MPI'

title "Jacobi stencil: halos through TSO objects, SC objects and MPI_Sendrecv"
step stencil run build/apps/ordo_stencil -n 128,512 -k 20 -r 1
show stencil '^# N  |^[0-9]' 3
show stencil 'grids equal' 2 | sed 's/# //'

last=$((np - 1))
title "Failure: rank $last crashes after 1 s; the others detect it, acknowledge, go on"
step failure env ORDO_FAULT="crash=$last@1s" ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 \
    $ORDO_MPIRUN --enable-recovery -np "$np" -x ORDO_FAULT -x ORDO_FD_PERIOD_MS \
    -x ORDO_FD_TIMEOUT_MS build/apps/ordo_survive 40
show failure '^rank 0: (heard|done|left)' 3

title "Bank: transfers that must conserve money, audited"
for mode in lock cas; do
    step "bank-$mode" run build/apps/ordo_bank -m $mode -d 3 -i 500
    show "bank-$mode" '^ordo_bank: mode' 1 | sed 's/ordo_bank: //'
done

title "Key-value store: YCSB workload a, Zipfian keys, on quorum registers, then on SC objects"
kvhist=build/run-kv-history
rm -rf "$kvhist"
step kv env ORDO_HISTORY="$PWD/$kvhist" $ORDO_MPIRUN -np "$np" -x ORDO_HISTORY \
    build/apps/ordo_kv -w a -d 3 -q
step kv-check build/tools/lincheck/ordo-lincheck "$kvhist"
step kv-sc run build/apps/ordo_kv -w a -d 3 -b sc -q
show kv '^ordo_kv:' 1 | sed 's/ordo_kv: //; s/, read p50/,\n      read p50/'
show kv-check '^ordo-lincheck'
show kv-sc '^ordo_kv:' 1 | sed 's/ordo_kv: //; s/, read p50/,\n      read p50/'

title "Fault campaign of one seed: kv, then bank, on 5 ranks under drawn faults (ordo-nemesis)"
step nemesis build/tools/nemesis/ordo-nemesis -w both -n 5 -d 5 -s 2 -o build/run-nemesis
sed -n '/^====/,$p' "$out/nemesis.log" | grep -E '^(schedule|operations|lincheck|lost writes|kv|bank|hung|verdict):' |
    cut -c1-150 | sed 's/^/    /'

title "Where to look next"
echo "    every step's whole output: $out/<step>.log; the configuration: build/tools/ordo_info -c"
echo "    the trace's timeline: build/run-trace.json; histories: $hist, $kvhist"
echo "    the tests: ./test.sh; benchmarks: benchmarks/README.md"
