#!/bin/sh
# The mutual exclusion of test_qlock_mpi with ORDO_HISTORY: every rank logs
# its acquires and releases (lock-<id>.<rank>.edn).  Each lock's files,
# merged by time, are checked here: no acquire completes while another
# rank holds the lock (from its acquire's ok to its release's invoke:
# inside the time it really held it), and the tokens of the acquires grow
# in that order.  tools/lincheck/ordo-lincheck --model mutex checks them
# too when it is built (it is another branch's; skipped with a message).
set -u
np=5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ORDO_HISTORY=$dir
export ORDO_HISTORY
"$top_srcdir/tests/mpirun.sh" $np -x ORDO_HISTORY \
    "$top_builddir/tests/consistency/test_qlock_mpi" mutex >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
if [ $rc != 0 ]; then
    echo "FAIL: test_qlock_mpi mutex (mpirun exit $rc)"
    exit 1
fi

# One lock's history: "time process type f value" lines sorted by time.
merged() {
    sed -n 's/^{:process \([0-9]*\), :type :\([a-z]*\), :f :\([a-z]*\), :key 0, :value \([0-9a-z]*\), :time \([0-9]*\)}$/\5 \1 \2 \3 \4/p' "$@" |
        sort -n -k1,1
}

status=0
checked=0
for first in "$dir"/lock-*.0.edn; do
    id=$(basename "$first" .0.edn)
    files=$(ls "$dir/$id".*.edn)
    lines=$(cat $files | wc -l)
    parsed=$(merged $files | wc -l)
    if [ "$lines" != "$parsed" ]; then
        echo "FAIL: $id: $lines lines, $parsed of them in the expected form"
        status=1
        continue
    fi
    merged $files | awk -v np=$np -v id="$id" '
        $3 == "ok" && $4 == "acquire" {
            if (holder >= 0) {
                printf "FAIL: %s: rank %d acquired at %s while rank %d held the lock (token %s)\n",
                    id, $2 % np, $1, holder, last
                bad = 1
            }
            if (n > 0 && $5 + 0 <= last + 0) {
                printf "FAIL: %s: token %s after token %s\n", id, $5, last
                bad = 1
            }
            holder = $2 % np; last = $5; n++
        }
        $3 == "invoke" && $4 == "release" && $2 % np == holder { holder = -1 }
        BEGIN { holder = -1; n = 0 }
        END {
            if (!bad)
                printf "ok: %s: %d acquisitions, one holder at a time, tokens growing\n", id, n
            exit bad
        }' || status=1
    checked=$((checked + 1))
    lincheck=""
    for c in "$top_builddir/tools/lincheck/ordo-lincheck" "$top_srcdir/tools/lincheck/ordo-lincheck"; do
        [ -x "$c" ] && lincheck=$c && break
    done
    if [ -z "$lincheck" ]; then
        echo "skip: $id: no tools/lincheck/ordo-lincheck built here (another branch): only the check above"
    elif "$lincheck" --model mutex $files; then
        echo "ok: $id: ordo-lincheck --model mutex: linearizable"
    else
        echo "FAIL: $id: ordo-lincheck --model mutex rejects the history"
        status=1
    fi
done
if [ $checked = 0 ]; then
    echo "FAIL: no lock history in $dir"
    status=1
fi
exit $status
