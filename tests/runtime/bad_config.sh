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
expect_refused ORDO_TIMEOUT_MS=soon "an integer" "$info"
expect_refused ORDO_LOG=loud "error|warn|info|debug" \
    "$top_srcdir/tests/mpirun.sh" 2 -x ORDO_LOG "$top_builddir/apps/ordo_ring"

# An unknown ORDO_ variable is only a warning.
if ! ORDO_NO_SUCH_THING=1 "$info" >"$out" 2>&1; then
    echo "FAIL: an unknown variable made ordo_info fail"; cat "$out"; fail=1
elif ! grep -q "unknown variable ORDO_NO_SUCH_THING=1" "$out"; then
    echo "FAIL: no warning for ORDO_NO_SUCH_THING"; cat "$out"; fail=1
else
    echo "ok: unknown variable warned about"
fi
exit $fail
