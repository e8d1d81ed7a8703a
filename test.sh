#!/bin/sh
# test.sh - install what is missing, build, and run every test: the unit and
# multi-rank suites (make check), the report in its QUICK mode
# (benchmarks/report.sh -q), an installed build used from outside the tree,
# the fuzz targets for 20 s each (tests/fuzz/run.sh), the suites again
# under AddressSanitizer and UndefinedBehaviorSanitizer (but those listed
# below), and make distcheck.
#   QUICK=1 ./test.sh    skip the sanitizer build and distcheck
set -eu
cd "$(dirname "$0")"
. ./config/setup.sh
ordo_setup_packages

summary() { # print the CUnit run summaries and automake's totals of a build
    dir=$1
    for log in $(find "$dir/tests" -name '*.log' | sort); do
        if grep -q "Run Summary" "$log"; then
            printf '%s\n' "${log#$dir/}"
            grep -A3 "Run Summary" "$log" | sed 's/^/    /' | head -4
        fi
    done
    grep -E "^# (TOTAL|PASS|FAIL|ERROR|SKIP)" "$dir/test-suite.log" 2>/dev/null || true
}

check() { # dir label [tests]  (tests: a TESTS list; all when not given)
    dir=$1 label=$2
    ordo_log "make check ($label)"
    if [ $# -ge 3 ]; then
        set -- TESTS="$3"
    else
        set --
    fi
    # The test programs build on every core first (TESTS empty: nothing
    # runs); the tests then run one at a time (the multi-rank ones already
    # oversubscribe the cores).
    if ! make -C "$dir" -j"$(nproc)" -s check TESTS= >"$dir/check.out" 2>&1 ||
        ! make -C "$dir" -s check "$@" >"$dir/check.out" 2>&1; then
        cat "$dir/check.out"
        for log in $(grep -l "^FAIL\|^ERROR" $(find "$dir/tests" -name '*.log') 2>/dev/null); do
            ordo_log "$log"; tail -n 60 "$log"
        done
        ordo_log "FAILED: make check ($label)"
        exit 1
    fi
    grep -E "^(PASS|FAIL|SKIP|XFAIL|ERROR)" "$dir/check.out" || true
    summary "$dir"
}

ordo_build build
check build "default build"

# The report's smoke test: every row's sweep, small, end to end (CSV,
# sections, plots if gnuplot is there); it fails only when the script or a
# sweep breaks, never on a figure off its target (those are reported).
ordo_log "report, QUICK mode (benchmarks/report.sh -q -o build/report-quick)"
benchmarks/report.sh -q -o build/report-quick build >build/report-quick.out 2>&1 || {
    cat build/report-quick.out; ordo_log "FAILED: benchmarks/report.sh -q"; exit 1; }
tail -n 1 build/report-quick.out

ordo_log "install, then build and run an application outside the tree"
tests/install_check.sh build

ordo_log "fuzzing: every parser of outside input for 20 s (tests/fuzz/run.sh)"
tests/fuzz/run.sh 20 || { ordo_log "FAILED: fuzzing"; exit 1; }

if [ "${QUICK:-0}" = 1 ]; then
    ordo_log "QUICK=1: skipping the sanitizer build and distcheck"
    exit 0
fi

ordo_build build-asan --enable-sanitizers
# Under the sanitizers, every test of the default build but: the launch jobs
# (Slurm, network-namespace hosts: the same library under other launchers),
# the benchmarks' smoke tests (their harness; the library's paths are the
# suites'), the 20 s false-positive soak, the objects' fault run and the
# ORDO_WAIT=block variant of the message-layer suite (the same code as the
# plain runs, longer), the 5-7 rank collective runs (2, 3, 4 and 8 run), and
# the registers' fault campaign (its linearizability checks take 5-6 minutes
# under the sanitizers; the register suite itself runs), gossip on 2 to 8
# ranks and the registers' degraded reads (gossip_member_np4,
# gossip_death_np5, qreg_np5 and qreg_expire_np5 run that code), and the apps'
# runs (the key-value store, the bank, the stencil) and ordo-nemesis's
# (applications of the registers, locks and objects, whose suites run; one
# to several minutes each under the sanitizers), the litmus catalogue's run
# (the objects' suites run its code; the litmus unit tests run), the fault
# modes' run on 4 ranks (fd_crash, fd_pause and peer_death run the failure
# paths), thread binding and leases under drift (the runtime and lock suites
# run that code): CI stays under 30 minutes.
asan_tests=$(grep -E "^(PASS|SKIP): " build/check.out | cut -d' ' -f2 |
    grep -v -e '^tests/jobs/' -e '^benchmarks/tests/' -e 'fd_busy_np8' -e 'obj_fault_np4' \
        -e 'rpc_block_np4' -e 'coll_np[567]' -e 'qreg_faults_np5' -e 'tests/apps/ordo_kv.sh' \
        -e 'tests/apps/ordo_bank.sh' -e 'tests/apps/ordo_stencil.sh' \
        -e 'tests/tools/ordo_nemesis.sh' -e 'gossip_np2to8' -e 'qreg_degrade_np5' \
        -e 'litmus_run_np4' -e 'faults_np4' -e 'bind_np2' -e 'lease_drift_np3' | tr '\n' ' ')
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:fast_unwind_on_malloc=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    check build-asan "AddressSanitizer + UndefinedBehaviorSanitizer" "$asan_tests"

# distcheck checks the package: the tarball configures, builds, installs
# and uninstalls, and tests run from it.  The whole suite ran twice above,
# so there it runs the unit tests and the 2-rank message-layer suite (CI
# stays under 30 minutes).
DISTCHECK_TESTS="tests/layering.sh tests/runtime/test_status tests/runtime/test_config \
tests/runtime/test_fault tests/runtime/test_timer tests/runtime/test_fifo tests/runtime/test_module \
tests/runtime/test_lclock tests/consistency/test_ring tests/runtime/rpc_np2.sh \
tests/litmus/test_litmus"
ordo_log "make distcheck (tests: the unit tests and the 2-rank message-layer suite)"
# On every core: the build, and the tests (unit tests beside one 2-rank suite).
make -C build -j"$(nproc)" -s distcheck TESTS="$DISTCHECK_TESTS" >build/distcheck.out 2>&1 || {
    tail -n 80 build/distcheck.out; ordo_log "FAILED: make distcheck"; exit 1; }
grep -A3 "archives ready for distribution" build/distcheck.out || tail -n 5 build/distcheck.out
ordo_log "all tests passed"
