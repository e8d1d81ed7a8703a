#!/bin/sh
# run.sh - the main job: install what is missing, build, and run ordo on 4
# local ranks (ordo_info, then the message round of apps/ordo_ring).
set -eu
cd "$(dirname "$0")"
. ./config/setup.sh
ordo_setup_packages
ordo_build build

np=${NP:-4}
ordo_log "ordo_info on $np ranks"
$ORDO_MPIRUN -np "$np" -x ORDO_LOG build/tools/ordo_info 2>&1
ordo_log "message round on $np ranks"
$ORDO_MPIRUN -np "$np" build/apps/ordo_ring
ordo_log "done"
