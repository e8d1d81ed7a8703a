#!/bin/sh
# at-least-once delivery on 3 ranks under injected drops, duplicates and delays, with retries.
ORDO_DELIVERY=at-least-once
ORDO_FAULT=drop=0.1,dup=0.1,delay=0.2:3000,seed=11
ORDO_RETRY_MS=20
ORDO_RNDV_THRESH=4096
export ORDO_DELIVERY ORDO_FAULT ORDO_RETRY_MS ORDO_RNDV_THRESH
exec "$top_srcdir/tests/mpirun.sh" 3 -x ORDO_DELIVERY -x ORDO_FAULT -x ORDO_RETRY_MS \
    -x ORDO_RNDV_THRESH "$top_builddir/tests/runtime/test_delivery_mpi"
