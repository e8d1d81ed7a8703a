#!/bin/sh
# Gossip while a rank dies (test_gossip_failure.c kill): 5 ranks, the
# failure detector on with a short timeout; rank 4 is killed, the 4
# survivors publish at once and deliver every survivor's record exactly
# once, and each holds a membership record of rank 4.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 ORDO_TIMEOUT_MS=30000 ORDO_GOSSIP_PERIOD_MS=10
export ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS ORDO_TIMEOUT_MS ORDO_GOSSIP_PERIOD_MS
TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 5 --enable-recovery \
    -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS -x ORDO_TIMEOUT_MS -x ORDO_GOSSIP_PERIOD_MS \
    "$top_builddir/tests/collectives/test_gossip_failure" kill >"$out" 2>&1
rc=$?
cat "$out"
survivors=$(grep -c "^survivor [0-3]: 18 records delivered once each; [1-9][0-9]* membership record(s), .* finalize: ORDO_OK" "$out")
if grep -q "FAILED" "$out" || [ "$survivors" != 4 ]; then
    echo "FAIL: $survivors of 4 survivors delivered every record once and hold the failure (mpirun exit $rc)"
    exit 1
fi
echo "ok: 4 survivors delivered every record once and hold a membership record of rank 4"
