#!/bin/sh
# tests/mpirun.sh NP PROGRAM [ARGS...] - run PROGRAM on NP oversubscribed ranks,
# never for longer than TEST_LIMIT seconds (default 300).
np=$1
shift
exec timeout -k 10 "${TEST_LIMIT:-300}" \
    "${MPIEXEC:-mpirun}" --allow-run-as-root --oversubscribe -np "$np" \
    "$@"
