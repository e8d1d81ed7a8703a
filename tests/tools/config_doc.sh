#!/bin/sh
# docs/config.md is what `ordo_info -m` prints from the configuration tables:
# the reference of every ORDO_* variable cannot drift from the code.  A
# variable added, renamed or reworded without regenerating it fails here.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! env -i PATH="$PATH" "$top_builddir/tools/ordo_info" -m >"$out" 2>&1; then
    echo "FAIL: ordo_info -m"
    cat "$out"
    exit 1
fi
grep -q '^| `ORDO_TIMEOUT_MS` |' "$out" && grep -q '^## collectives$' "$out" ||
    { echo "FAIL: ordo_info -m lacks the runtime's or a module's table:"; cat "$out"; exit 1; }
if ! diff -u "$top_srcdir/docs/config.md" "$out"; then
    echo "FAIL: docs/config.md is out of date; regenerate it:"
    echo "    build/tools/ordo_info -m > docs/config.md"
    exit 1
fi
echo "docs/config.md matches ordo_info -m"
