#!/bin/sh
# run.sh - the main job: install what is missing, build, and run ordo on 4
# local ranks: ordo_info (configuration, transports, the calibrated
# eager/rendezvous model, topology), then the message round of apps/ordo_ring
# with every message traced, the trace checked for happens-before and
# exported as a timeline (build/run-trace.json, open it in Perfetto); then
# shared objects of each consistency model (apps/ordo_objects), and the
# litmus tests SB, SB+rfi (TSO's store forwarding) and IRIW on shared
# objects of every model, with a summary table (LITMUS_N iterations each,
# default 20000); then quorum registers (apps/ordo_registers) with every
# operation in a history that ordo-lincheck checks; then collectives and
# gossip in a small computation (apps/ordo_collectives: bcast, allreduce,
# allgather, alltoall, a non-blocking allreduce, each with the algorithm the
# model chose; ordo_info above prints the whole decision table); then the
# Jacobi stencil apps/ordo_stencil (halo rows through TSO objects, SC objects
# and MPI_Sendrecv, the final grids compared bit for bit); then a job
# that loses a rank and goes on (apps/ordo_survive,
# a crash injected by ORDO_FAULT, the failure detector, acknowledge and
# shrink); then the bank of apps/ordo_bank (transfers that must conserve
# money) under a quorum lock and lock-free with CAS, a few seconds each;
# then the key-value store apps/ordo_kv (YCSB workload a, Zipfian keys) on
# quorum registers with its history checked by ordo-lincheck, and the same
# load on SC shared objects beside it; then a fault campaign of one seed
# (tools/nemesis/ordo-nemesis: the key-value store and the bank under a
# seeded schedule of faults, histories, lost writes and totals checked).
set -eu
cd "$(dirname "$0")"
. ./config/setup.sh
ordo_setup_packages
ordo_build build

np=${NP:-4}
ordo_log "ordo_info on $np ranks"
$ORDO_MPIRUN -np "$np" -x ORDO_LOG build/tools/ordo_info 2>&1
trace=build/run-trace
rm -rf "$trace"
ordo_log "message round on $np ranks, traced into $trace"
ORDO_TRACE=$PWD/$trace $ORDO_MPIRUN -np "$np" -x ORDO_TRACE build/apps/ordo_ring
ordo_log "happens-before check of the trace"
build/tools/trace/ordo-trace check "$trace"
build/tools/trace/ordo-trace export -o build/run-trace.json "$trace"
ordo_log "timeline: build/run-trace.json (open it at https://ui.perfetto.dev)"
ordo_log "shared objects on $np ranks"
$ORDO_MPIRUN -np "$np" build/apps/ordo_objects
ordo_log "litmus tests SB, SB+rfi and IRIW on $np ranks, shared objects of every model"
ORDO_FAULT=delay=0.3:20,seed=1 $ORDO_MPIRUN -np "$np" -x ORDO_FAULT \
    build/tools/litmus/ordo-litmus -n "${LITMUS_N:-20000}" --stress \
    tests/litmus/SB.litmus tests/litmus/SB+rfi.litmus tests/litmus/IRIW.litmus
hist=build/run-history
rm -rf "$hist"
ordo_log "quorum registers on $np ranks (R = 3, W = Q = 2, 8 in flight per rank), history into $hist"
ORDO_HISTORY=$PWD/$hist $ORDO_MPIRUN -np "$np" -x ORDO_HISTORY build/apps/ordo_registers 2
ordo_log "linearizability check of the registers' history"
build/tools/lincheck/ordo-lincheck "$hist"/qreg-*.edn
ordo_log "collectives and gossip on $np ranks"
$ORDO_MPIRUN -np "$np" build/apps/ordo_collectives
ordo_log "Jacobi stencil on $np ranks: halos through TSO objects, SC objects and MPI, grids compared"
$ORDO_MPIRUN -np "$np" build/apps/ordo_stencil -n 128,512 -k 20 -r 1
last=$((np - 1))
ordo_log "a job that loses a rank: rank $last crashes after 1 s (ORDO_FAULT), the others go on"
ORDO_FAULT=crash=$last@1s ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 \
    $ORDO_MPIRUN --enable-recovery -np "$np" -x ORDO_FAULT -x ORDO_FD_PERIOD_MS \
    -x ORDO_FD_TIMEOUT_MS build/apps/ordo_survive 40 2>&1 | grep -v "PMIX ERROR"
for mode in lock cas; do
    ordo_log "bank transfers on $np ranks, mode $mode (audited: the total must not change)"
    $ORDO_MPIRUN -np "$np" build/apps/ordo_bank -m $mode -d 3 -i 500
done
kvhist=build/run-kv-history
rm -rf "$kvhist"
ordo_log "key-value store on $np ranks: workload a, zipfian, quorum registers, history into $kvhist"
ORDO_HISTORY=$PWD/$kvhist $ORDO_MPIRUN -np "$np" -x ORDO_HISTORY build/apps/ordo_kv -w a -d 3
ordo_log "linearizability check of the key-value store's history"
build/tools/lincheck/ordo-lincheck "$kvhist"
ordo_log "the same load on SC shared objects (no replication, no history), for comparison"
$ORDO_MPIRUN -np "$np" build/apps/ordo_kv -w a -d 3 -b sc
ordo_log "a fault campaign of one seed: ordo-nemesis, kv then bank on 5 ranks, 5 s each, under 4 drawn faults"
rm -rf build/run-nemesis
build/tools/nemesis/ordo-nemesis -w both -n 5 -d 5 -s 1 -o build/run-nemesis | sed -n '/^====/,$p'
ordo_log "done"
