#!/bin/sh
# The layering rule, checked on the objects: a layer references only
# symbols of its own layer and of the layers below it (runtime <
# collectives < consistency < lib).  Each layer is a convenience library;
# an undefined symbol of a layer that a higher layer defines fails the test,
# with the object and the symbol named.  A self-check first: a made-up
# upward reference must be caught, so the test cannot pass by seeing nothing.
set -u
b=${top_builddir:-.}
layers="rt coll cons core"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for l in $layers; do
    a="$b/.libs/libordo_$l.a"
    [ -f "$a" ] || { echo "FAIL: $a is missing (build first)"; exit 1; }
    # Defined globals of the layer, and each object's undefined symbols.
    nm -g --defined-only "$a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/def.$l"
    nm -u -A "$a" 2>/dev/null | awk '{ print $1, $NF }' | sed 's/:[^ ]*$//' >"$tmp/undef.$l"
    [ -s "$tmp/def.$l" ] || { echo "FAIL: no symbols in $a"; exit 1; }
done
# libtool puts the layers' objects into libordo_core.a too: its own layer
# (lib/) is what the layers below do not define.
cat "$tmp/def.rt" "$tmp/def.coll" "$tmp/def.cons" | sort -u >"$tmp/below"
comm -23 "$tmp/def.core" "$tmp/below" >"$tmp/def.top"
mv "$tmp/def.top" "$tmp/def.core"
grep -v -e 'libordo_rt_la-' -e 'libordo_coll_la-' -e 'libordo_cons_la-' "$tmp/undef.core" \
    >"$tmp/undef.top"
mv "$tmp/undef.top" "$tmp/undef.core"

# check LOWER_LAYER HIGHER_LAYERS...: prints the offending references
check() {
    low=$1
    shift
    for high in "$@"; do
        awk -v high="$high" -v low="$low" 'NR == FNR { d[$1] = 1; next }
            ($2 in d) { print "FAIL: layer " low " (" $1 ") references " $2 \
                        ", defined by layer " high }' "$tmp/def.$high" "$tmp/undef.$low"
    done
}

bad=$( {
    check rt coll cons core
    check coll cons core
    check cons core
} )

# Self-check: pretend the runtime referenced the collectives' barrier.
sym=$(grep -m1 '^ordo__coll_barrier$' "$tmp/def.coll")
[ -n "$sym" ] || { echo "FAIL: self-check: ordo__coll_barrier not found in the collectives"; exit 1; }
echo "libordo_rt.a:fake.o $sym" >>"$tmp/undef.rt"
caught=$(check rt coll | grep -c "$sym")
[ "$caught" -ge 1 ] || { echo "FAIL: self-check: an upward reference went unnoticed"; exit 1; }

if [ -n "$bad" ]; then
    printf '%s\n' "$bad"
    exit 1
fi
for l in $layers; do
    printf '%s: %s symbols defined, %s references, none upward\n' "$l" \
        "$(wc -l <"$tmp/def.$l")" "$(wc -l <"$tmp/undef.$l")"
done
echo "PASS: no layer references a layer above it"
