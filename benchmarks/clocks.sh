#!/bin/sh
# clocks.sh [BUILD_DIR] - what the logical clocks cost per message: header
# bytes and ordo_latency at 8 B and 64 KiB with ORDO_CLOCKS=lamport,
# lamport,vector and lamport,vector,hlc, on 2, 4 and 8 ranks (ranks 0 and 1
# measure; the others idle but count in the vector clock).
set -u
build=${1:-$(dirname "$0")/../build}
lat="$build/benchmarks/ordo_latency"
[ -x "$lat" ] || { echo "clocks.sh: $lat not found (build first, or pass the build dir)" >&2; exit 2; }
run() { timeout 300 mpirun --allow-run-as-root --oversubscribe -np "$1" -x ORDO_CLOCKS "$lat" \
    -m 8:64K -i "${ITERS:-3000}" -x 200; }

printf '# ordo clock cost: ordo_latency p50 (us, round trip / 2) and clock bytes per message\n'
printf '%-6s %-20s %12s %12s %12s\n' ranks clocks "bytes/msg" "8 B (us)" "64 KiB (us)"
for np in 2 4 8; do
    for clocks in lamport lamport,vector lamport,vector,hlc; do
        out=$(ORDO_CLOCKS=$clocks run "$np" 2>&1) || { echo "$out" | tail -5; exit 1; }
        bytes=$(echo "$out" | sed -n 's/.*, \([0-9]*\) B of clocks in each message header.*/\1/p')
        l8=$(echo "$out" | awk '$1 == 8 { print $3 }')
        l64=$(echo "$out" | awk '$1 == 65536 { print $3 }')
        printf '%-6s %-20s %12s %12s %12s\n' "$np" "$clocks" "$bytes" "$l8" "$l64"
    done
done
