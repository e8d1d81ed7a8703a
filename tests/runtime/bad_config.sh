#!/bin/sh
# A bad ORDO_* value makes ordo_init fail with a message naming the variable,
# the value and the accepted values: alone and under mpirun.
set -u
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

expect_refused() { # VAR=value "accepted text" command...
    assignment=$1 accepted=$2
    shift 2
    if env "$assignment" "$@" >"$out" 2>&1; then
        echo "FAIL: $assignment was accepted by: $*"; cat "$out"; fail=1; return
    fi
    var=${assignment%%=*} value=${assignment#*=}
    for want in "$var" "'$value'" "$accepted" "ORDO_ERR_CONFIG\|bad configuration"; do
        if ! grep -q -- "$want" "$out"; then
            echo "FAIL: output for $assignment does not mention $want:"; cat "$out"; fail=1
        fi
    done
    echo "ok: $assignment refused: $(grep -m1 "$var" "$out")"
}

info="$top_builddir/tools/ordo_info"
expect_refused ORDO_LOG=loud "error|warn|info|debug" "$info"
expect_refused ORDO_WAIT=forever "auto|spin|yield|block" "$info"
expect_refused ORDO_BIND=socket "launcher|none|core|numa" "$info"
expect_refused ORDO_BIND=socket "launcher|none|core|numa" \
    "$top_srcdir/tests/mpirun.sh" 2 -x ORDO_BIND "$top_builddir/apps/ordo_ring"
expect_refused ORDO_TIMEOUT_MS=soon "an integer" "$info"
expect_refused ORDO_COLL_ALLREDUCE=fastest "auto|recursive_doubling|ring|rabenseifner" "$info"
expect_refused ORDO_COLL_TIMEOUT_MS=-1 "an integer" "$info"
expect_refused ORDO_LOG=loud "error|warn|info|debug" \
    "$top_srcdir/tests/mpirun.sh" 2 -x ORDO_LOG "$top_builddir/apps/ordo_ring"
# Strict values: one parser per type, nothing after the value.
expect_refused ORDO_TIMEOUT_MS=0x10 "decimal digits only" "$info"
expect_refused ORDO_MAX_MSG_SIZE=1KB "suffix K, M or G" "$info"
expect_refused ORDO_MAX_MSG_SIZE=1.5K "suffix K, M or G" "$info"
expect_refused ORDO_CLOCKS=lamport,,vector "item 2 is empty" "$info"
expect_refused ORDO_CLOCKS=lamport, "item 2 is empty" "$info"
expect_refused ORDO_CLOCKS=,lamport "item 1 is empty" "$info"
expect_refused ORDO_CLOCKS=lamport,lamport "lamport given twice" "$info"
expect_refused ORDO_FAULT=drop=nan "drop=nan: a probability from 0 to 1 is expected" "$info"
expect_refused ORDO_FAULT=dup=0x1 "dup=0x1: a probability from 0 to 1 is expected" "$info"
expect_refused ORDO_FAULT=drop=0.5,drop=0.5 "drop given twice" "$info"
expect_refused ORDO_FAULT=drop=0.5, "item 2 is empty" "$info"
expect_refused ORDO_FAULT=, "item 1 is empty" "$info"
expect_refused ORDO_FAULT=drop=0.1,,seed=1 "item 2 is empty" "$info"
expect_refused ORDO_FAULT=crash=1@1s,crash=1@2s "rank 1 already has a crash" "$info"
expect_refused ORDO_FAULT=partition=ring "partition=ring: GROUPS@WINDOW or ring@WINDOW expected" "$info"
expect_refused ORDO_FAULT=partition=rings@1s-2s "'rings' is not a rank" "$info"
expect_refused ORDO_FAULT=foo=1 "unknown key 'foo' (known: drop, dup, delay, seed, partition" "$info"
expect_refused ORDO_HISTORY_FORMAT=xml "edn|json" "$info"
expect_refused ORDO_CLOCK_DRIFT_PPM=-5 "decimal digits only" "$info"
expect_refused ORDO_CLOCK_DRIFT_PPM=600000 "500000" "$info"
expect_refused ORDO_LEASE_GUARD=maybe "y|n" "$info"
expect_refused ORDO_FAULT=drop=nan "a probability from 0 to 1" \
    "$top_srcdir/tests/mpirun.sh" 2 -x ORDO_FAULT "$top_builddir/apps/ordo_ring"

# A module's constraint beyond the type: ordo_info -c, ordo_info and
# ordo_init on 2 ranks refuse it, with the same message.
block_msg() { sed -n "s/.*\(bad value ORDO_OBJ_BLOCK=.*\)/\1/p" "$out" | sed 's/ ([a-z_]*\.c:[0-9]*)$//' | sort -u; }
expect_refused ORDO_OBJ_BLOCK=12 "a block must be a multiple of 8 bytes" "$info"
from_init=$(block_msg)
expect_refused ORDO_OBJ_BLOCK=12 "a block must be a multiple of 8 bytes" \
    "$top_srcdir/tests/mpirun.sh" 2 -x ORDO_OBJ_BLOCK "$top_builddir/apps/ordo_ring"
from_mpi=$(block_msg)
if ORDO_OBJ_BLOCK=12 "$info" -c >"$out" 2>&1; then
    echo "FAIL: ordo_info -c accepted ORDO_OBJ_BLOCK=12"; cat "$out"; fail=1
fi
from_c=$(block_msg)
if [ -z "$from_c" ] || [ "$from_c" != "$from_init" ] || [ "$from_c" != "$from_mpi" ]; then
    echo "FAIL: ORDO_OBJ_BLOCK=12: messages differ:"
    printf '  ordo_info -c: %s\n  ordo_init: %s\n  2 ranks: %s\n' "$from_c" "$from_init" "$from_mpi"
    fail=1
else
    echo "ok: ORDO_OBJ_BLOCK=12 refused alike by ordo_info -c and ordo_init"
fi

# An unknown ORDO_ variable is only a warning.
if ! ORDO_NO_SUCH_THING=1 "$info" >"$out" 2>&1; then
    echo "FAIL: an unknown variable made ordo_info fail"; cat "$out"; fail=1
elif ! grep -q "unknown variable ORDO_NO_SUCH_THING=1" "$out"; then
    echo "FAIL: no warning for ORDO_NO_SUCH_THING"; cat "$out"; fail=1
else
    echo "ok: unknown variable warned about"
fi
exit $fail
