#!/bin/sh
# benchmarks/gossip-scaling.sh [BUILD_DIR] - ordo_gossip at N = 2, 4, 8, 16,
# 32 and 64 ranks (oversubscribed: the ranks share the machine's cores),
# one publisher, then every rank publishing at once; one table row per run.
# Short rounds (ORDO_GOSSIP_PERIOD_MS, default 10 here) keep it quick; rounds
# are counted, so the period changes the time, not the figures, as long as
# every rank gets to run within a period.  NS="2 4 8" picks the sizes.
set -u
build=${1:-build}
bin="$build/benchmarks/ordo_gossip"
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ORDO_GOSSIP_PERIOD_MS=${ORDO_GOSSIP_PERIOD_MS:-10}
# Many ranks on few cores: the failure detector must not take a starved rank for dead.
ORDO_FD_TIMEOUT_MS=${ORDO_FD_TIMEOUT_MS:-60000} ORDO_TIMEOUT_MS=${ORDO_TIMEOUT_MS:-120000}
export ORDO_GOSSIP_PERIOD_MS ORDO_FD_TIMEOUT_MS ORDO_TIMEOUT_MS
for pubs in 1 all; do
    header=
    for n in ${NS:-2 4 8 16 32 64}; do
        k=$pubs
        [ "$pubs" = all ] && k=$n
        out=$(timeout 900 mpirun --allow-run-as-root --oversubscribe -np "$n" \
            -x ORDO_GOSSIP_PERIOD_MS -x ORDO_FD_TIMEOUT_MS -x ORDO_TIMEOUT_MS \
            "$bin" -i "${ITERS:-10}" --publishers "$k" 2>&1)
        rc=$?
        if [ $rc -ne 0 ]; then
            echo "# N = $n: failed (exit status $rc)"
            echo "$out" | tail -n 5 | sed 's/^/#   /'
            continue
        fi
        if [ -z "$header" ]; then
            echo "# publishers: $pubs; ORDO_GOSSIP_PERIOD_MS=$ORDO_GOSSIP_PERIOD_MS"
            echo "$out" | grep '^# Size'
            header=1
        fi
        echo "$out" | grep -v '^#'
        echo "$out" | grep 'ms per iteration' | sed "s/^# /#   N = $n: /"
    done
done
