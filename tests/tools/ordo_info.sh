#!/bin/sh
# ordo_info runs as a singleton and under mpirun, and prints what it promises.
set -u
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
info="$top_builddir/tools/ordo_info"

check() { # what file patterns...
    what=$1 file=$2
    shift 2
    for p in "$@"; do
        grep -q -- "$p" "$file" || { echo "FAIL: $what: no '$p' in:"; cat "$file"; fail=1; }
    done
}

"$info" -c >"$out" 2>&1 || { echo "FAIL: ordo_info -c"; cat "$out"; fail=1; }
check "ordo_info -c" "$out" "# ordo " "ORDO_LOG=warn   (default)" "ORDO_TIMEOUT_MS=" \
    "ORDO_TRANSPORT=ucx   (default)" "# module collectives" "ORDO_BARRIER_TIMEOUT_MS=" \
    "ORDO_COLL_ALLREDUCE=auto   (default)" \
    "# module objects" "ORDO_OBJ_BLOCK="
# A module's variable set in the environment is its table's, not unknown.
ORDO_OBJ_BLOCK=128 "$info" -c >"$out" 2>&1 || { echo "FAIL: ordo_info -c with ORDO_OBJ_BLOCK"; cat "$out"; fail=1; }
check "module variable" "$out" "ORDO_OBJ_BLOCK=128   (environment)"
# ORDO_FAULT printed back in its grammar, a ring partition too.
ORDO_FAULT='partition=ring@1s-2s,drop=0.10@1s-2s' "$info" -c >"$out" 2>&1 || { echo "FAIL: ordo_info -c with ORDO_FAULT"; cat "$out"; fail=1; }
check "ORDO_FAULT printed back" "$out" "ORDO_FAULT=drop=0.1@1s-2s,partition=ring@1s-2s   (environment)"
ORDO_TRANSPORT=tcp "$info" >"$out" 2>&1 && { echo "FAIL: ORDO_TRANSPORT=tcp accepted"; fail=1; }
check "unknown transport" "$out" "ORDO_TRANSPORT='tcp'" "accepted values are ucx"

ORDO_WAIT=yield "$info" >"$out" 2>&1 || { echo "FAIL: singleton ordo_info"; cat "$out"; fail=1; }
check "singleton" "$out" "1 rank(s)" "ORDO_WAIT=yield   (environment)" "# transport: ucx" \
    "can: rdma-get mem-reg mem-alloc short-send event-fd peer-errors" "UCX 1." \
    "to self" "# topology: 1 rank(s) on 1 node(s)" "# shm: no node segment"

"$top_srcdir/tests/mpirun.sh" 4 "$info" >"$out" 2>&1 || { echo "FAIL: ordo_info on 4 ranks"; cat "$out"; fail=1; }
check "4 ranks" "$out" "# job: 4 rank(s)" "to same node" "# topology: 4 rank(s) on 1 node(s)" \
    "# collectives: decision table for 4 rank(s)" "  allreduce " \
    "# shm: node segment of [0-9]* bytes, [0-9]* per rank and phase; a cache line's hand-off" \
    "every rank run once (a pass) [0-9.]* us; a byte another rank wrote, copied [0-9.e-]* us (in 64 KiB), [0-9.e-]* us (in 512 KiB)" \
    "# model: a message's CPU (o) [0-9.]* us; a byte reduced [0-9.e-]* us, copied [0-9.e-]* us; [0-9.]* ranks per PU" \
    "# shm: a bcast of more than [0-9]* bytes by single copy (process_vm_readv"
[ "$(grep -c '^# ordo ' "$out")" = 1 ] || { echo "FAIL: more than one rank printed"; fail=1; }

# ORDO_BIND=core: the policy, each rank's set, this rank's threads.
ORDO_BIND=core ORDO_PROGRESS=thread "$top_srcdir/tests/mpirun.sh" 2 --bind-to none -x ORDO_BIND \
    -x ORDO_PROGRESS "$info" >"$out" 2>&1 || { echo "FAIL: ordo_info with ORDO_BIND=core"; cat "$out"; fail=1; }
check "ORDO_BIND=core" "$out" "ORDO_BIND=core   (environment)" \
    "# binding: ORDO_BIND=core (one core each" "bound to" \
    "# threads of this rank: main [0-9]* (before ORDO_BIND: [0-9,-]*), progress [0-9]*, failure detector [0-9,-]*"
# One shared-memory transport, not both (tl_ucx.c, one_shm_transport), when
# neither UCX_TLS nor a UCX_POSIX_* variable asks otherwise and sysv works.
if [ -z "${UCX_TLS:-}" ] && ! env | grep -q '^UCX_POSIX_' && grep -q "to same node.*sysv" "$out" &&
    grep -q "to same node.*posix" "$out"; then
    echo "FAIL: posix and sysv both in use:"; grep "to same node" "$out"; fail=1
fi

"$top_srcdir/tests/mpirun.sh" 3 "$info" -C >"$out" 2>&1 || { echo "FAIL: ordo_info -C on 3 ranks"; cat "$out"; fail=1; }
check "-C on 3 ranks" "$out" "# collectives: decision table for 3 rank(s)" "  bcast " "  reduce " \
    "  allgather " "  alltoall " "  barrier " "recursive_doubling"
grep -q "^# ordo " "$out" && { echo "FAIL: -C printed more than the table"; fail=1; }
"$info" --bogus >"$out" 2>&1 && { echo "FAIL: a bad option was accepted"; fail=1; }
check "bad option" "$out" "unknown option '--bogus'" "usage:"
[ $fail = 0 ] && echo "ok: ordo_info singleton, 4 ranks, -c, bad option"
exit $fail
