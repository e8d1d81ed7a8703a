#!/bin/sh
# The Jacobi stencil on 4 ranks and on 3 (an uneven split of the rows): the
# grids of the TSO, SC and MPI halo exchanges equal bit for bit and equal to
# the serial run, exit status 0; bad arguments exit 2.  No timing checked.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
prog=$top_builddir/apps/ordo_stencil
for run in "4 --sync flag" "4 --sync barrier" "3 --sync flag" "3 --sync barrier --no-overlap"; do
    np=${run%% *}
    opts=${run#* }
    # shellcheck disable=SC2086
    "$top_srcdir/tests/mpirun.sh" $np "$prog" -n 40,67 -k 12 -x 2 -r 2 $opts >"$out" 2>&1
    rc=$?
    cat "$out"
    [ $rc = 0 ] || { echo "FAIL: $np ranks, $opts: exit status $rc"; fail=1; }
    for n in 40 67; do
        grep -qxF "# N=$n: grids equal bit for bit (tso sc mpi); serial reference: equal" "$out" ||
            { echo "FAIL: $np ranks, $opts: no 'equal' line for N=$n"; fail=1; }
        grep -q "^$n  *[0-9.]*  *[0-9.]*  *[0-9.]* " "$out" ||
            { echo "FAIL: $np ranks, $opts: no row for N=$n"; fail=1; }
    done
done
# Two variants only (no MPI baseline, so no ratios).
"$top_srcdir/tests/mpirun.sh" 3 "$prog" -n 16 -k 3 --modes sc,tso >"$out" 2>&1
rc=$?
cat "$out"
if [ $rc != 0 ] || ! grep -qxF "# N=16: grids equal bit for bit (tso sc); serial reference: equal" "$out"; then
    echo "FAIL: --modes sc,tso (exit status $rc)"
    fail=1
fi
# Bad arguments: a clear message, exit status 2.
for args in "-n 2" "-n 64,x" "-n 3" "-k 0" "-k" "-r 0" "--modes tso,foo" "--sync maybe" "-q" "extra"; do
    # shellcheck disable=SC2086
    "$top_srcdir/tests/mpirun.sh" 4 "$prog" $args >"$out" 2>&1
    rc=$?
    if [ $rc != 2 ] || ! grep -q "^ordo_stencil: " "$out"; then
        cat "$out"
        echo "FAIL: '$args': exit status $rc, not 2 with a message"
        fail=1
    fi
    [ "$(grep -c '^ordo_stencil: ' "$out")" = 1 ] ||
        { cat "$out"; echo "FAIL: '$args': not one message (rank 0 only)"; fail=1; }
done
if ! "$top_srcdir/tests/mpirun.sh" 1 "$prog" -h >"$out" 2>&1 || ! grep -q "^usage: ordo_stencil" "$out"; then
    cat "$out"
    echo "FAIL: -h"
    fail=1
fi
exit $fail
