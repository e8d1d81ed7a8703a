#!/bin/sh
# Shared objects when a rank fails: rank 3 of 4 is SIGKILLed, then (second
# run) SIGSTOPped and later continued.  The survivors' operations on its
# blocks fail with ORDO_ERR_PEER_FAILED, the rest keeps working, fences and
# barriers work again after ordo_failure_ack; the stopped rank, continued,
# finds itself out and its ordo_finalize returns.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ORDO_FD_PERIOD_MS=100 ORDO_FD_TIMEOUT_MS=1000 ORDO_TIMEOUT_MS=60000
export ORDO_FD_PERIOD_MS ORDO_FD_TIMEOUT_MS ORDO_TIMEOUT_MS
status=0
for how in kill stop; do
    "$top_srcdir/tests/mpirun.sh" 4 --enable-recovery \
        -x ORDO_FD_PERIOD_MS -x ORDO_FD_TIMEOUT_MS -x ORDO_TIMEOUT_MS \
        "$top_builddir/tests/consistency/test_obj_failure" "$how" >"$out" 2>&1
    rc=$?
    cat "$out"
    survivors=$(grep -c "^survivor [0-2]: rank 3 ($how) failed: .*finalize: ORDO_OK" "$out")
    victims=$(grep -c "^victim 3: out" "$out")
    want_victims=0
    [ "$how" = stop ] && want_victims=1
    if grep -q "^rank [0-9]*: FAILED" "$out" || [ "$survivors" != 3 ] ||
        [ "$victims" != "$want_victims" ]; then
        echo "FAIL ($how): $survivors of 3 survivors, $victims of $want_victims victims finished (mpirun exit $rc)"
        status=1
    else
        echo "ok ($how): 3 survivors finished, $victims continued victim found itself out"
    fi
done
exit $status
