#!/bin/sh
# The quorum-register example on 4 ranks with its history, checked by
# ordo-lincheck: every rank reads the same final values, the history is
# linearizable.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ORDO_HISTORY="$dir/h" "$top_srcdir/tests/mpirun.sh" 4 -x ORDO_HISTORY \
    "$top_builddir/apps/ordo_registers" 1 >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ $rc = 0 ] || { echo "FAIL: ordo_registers exited with $rc"; exit 1; }
grep -qxF "registers: R = 3, W = Q = 2, 8 keys: the 4 ranks read the same final values" \
    "$dir/out" || { echo "FAIL: no agreement line"; exit 1; }
[ "$(ls "$dir"/h/qreg-1.*.edn | wc -l)" = 4 ] || { echo "FAIL: not 4 history files"; exit 1; }
lincheck="$top_builddir/tools/lincheck/ordo-lincheck"
"$lincheck" "$dir"/h/qreg-1.*.edn || { echo "FAIL: ordo-lincheck exit $?"; exit 1; }
