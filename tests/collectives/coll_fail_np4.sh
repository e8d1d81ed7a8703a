#!/bin/sh
# A rank killed during a collective (test_coll_fail.c): the 3 survivors get
# ORDO_ERR_PEER_FAILED (never a timeout), acknowledge, then run every
# algorithm of every family over themselves and finalize.  The allreduce the
# rank dies in: ring (messages), then shm (the node segment); then a shm
# barrier the rank never comes to, and a shm bcast from ordo_mem_alloc
# memory that the receivers get from the root's (the root waits for them).
set -u
for alg in ring shm barrier bcast; do
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 ORDO_TIMEOUT_MS=60000
export ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS ORDO_TIMEOUT_MS
TEST_LIMIT=120 "$top_srcdir/tests/mpirun.sh" 4 --enable-recovery \
    "$top_builddir/tests/collectives/test_coll_fail" "$alg" >"$out" 2>&1
rc=$?
cat "$out"
ok=$(grep -c "^survivor [013]: ok" "$out")
if grep -q "FAILED:" "$out" || [ "$ok" != 3 ]; then
    echo "FAIL ($alg): $ok of 3 survivors finished (mpirun exit $rc)"
    exit 1
fi
echo "ok ($alg): 3 survivors saw the collective fail, went on over themselves and finalized"
done
