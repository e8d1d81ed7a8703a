#!/bin/sh
# Failure knowledge spreads by gossip where no obituary does
# (test_gossip_failure.c declare): 4 ranks, ORDO_FD=n; rank 3 dies once
# gossip is quiet, rank 0 alone is told (as its transport would tell it),
# and ranks 1 and 2 learn of it from gossip alone, then deliver on.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FD=n ORDO_TIMEOUT_MS=30000 ORDO_GOSSIP_PERIOD_MS=10
export ORDO_FD ORDO_TIMEOUT_MS ORDO_GOSSIP_PERIOD_MS
TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 4 --enable-recovery \
    -x ORDO_FD -x ORDO_TIMEOUT_MS -x ORDO_GOSSIP_PERIOD_MS \
    "$top_builddir/tests/collectives/test_gossip_failure" declare >"$out" 2>&1
rc=$?
cat "$out"
told=$(grep -c "^survivor [12]: 14 records delivered once each; 1 membership record(s), 1 failure(s) learnt from gossip; finalize: ORDO_OK" "$out")
first=$(grep -c "^survivor 0: 14 records delivered once each; 1 membership record(s), 0 failure(s) learnt from gossip; finalize: ORDO_OK" "$out")
why=$(grep -c "rank 3 failed or is unreachable (gossip: rank 0 reported it failed)" "$out")
if grep -q "FAILED" "$out" || [ "$told" != 2 ] || [ "$first" != 1 ] || [ "$why" != 2 ]; then
    echo "FAIL: $told of 2 ranks learnt of the failure from gossip ($why said so), rank 0 finished: $first (mpirun exit $rc)"
    exit 1
fi
echo "ok: ranks 1 and 2 learnt of rank 3's failure from gossip alone and delivered on"
