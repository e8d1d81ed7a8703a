#!/bin/sh
# tests/fuzz/run.sh - build the libFuzzer targets and run each for a while.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (default: 30 s, every target)
#   FUZZ_JOBS=N: targets run at once (default: the number of cores)
#
# Targets (tests/fuzz/<target>.c), each on a parser of outside input:
#   fuzz_msg     the receiver's message decoding (runtime/msg_decode.h)
#   fuzz_lisa    ordo-litmus's LISA parser (tools/litmus/litmus_lex.c, litmus_parse.c)
#   fuzz_trace   ordo-trace's reader (tools/trace/trace_input.c, trace_read.c)
#   fuzz_lincheck ordo-lincheck's reader and search (tools/lincheck/)
#   fuzz_config  the ORDO_* values (runtime/config.c, parse.c, fault_parse.c)
#
# Each is compiled here with clang -fsanitize=fuzzer,address,undefined from the
# sources it needs (not the autotools build), seeded from tests/fuzz/corpus/
# <target>/ and the tests' own inputs, and run for SECONDS.  New corpus
# entries go to a scratch directory, never into the tree: $ORDO_FUZZ_DIR if
# set (kept, so a long run can go on where the last one stopped), else a
# temporary directory, removed unless something was found.  A crash, leak or
# timeout makes the exit status 1 and leaves its reproducer in
# <dir>/artifacts/ (rerun: <dir>/bin/<target> <reproducer>).  Exit 2: no
# clang, or clang cannot link -fsanitize=fuzzer (Debian: libclang-rt-14-dev).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_msg fuzz_lisa fuzz_trace fuzz_lincheck fuzz_config}
CLANG=${CLANG:-clang}
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror"

case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

# The sources each target is built from.
sources() {
    case $1 in
    fuzz_msg) echo runtime/lclock.c runtime/log.c runtime/fault.c ;;
    fuzz_lisa) echo tools/litmus/litmus_lex.c tools/litmus/litmus_parse.c tools/litmus/litmus_state.c ;;
    fuzz_trace) echo tools/trace/trace_input.c tools/trace/trace_read.c tools/trace/trace_order.c tools/common/tool_files.c \
        tools/trace/trace_check.c tools/trace/trace_export.c ;;
    fuzz_lincheck) echo tools/lincheck/history_parse.c tools/lincheck/history_files.c tools/common/tool_files.c tools/lincheck/history_read.c \
        tools/lincheck/keys.c tools/lincheck/models.c tools/lincheck/wgl.c tools/lincheck/report.c ;;
    fuzz_config) echo runtime/config.c runtime/parse.c runtime/fault.c runtime/fault_parse.c ;;
    *) return 1 ;;
    esac
}

for t in $targets; do
    sources "$t" >/dev/null || { echo "$0: unknown target $t" >&2; exit 2; }
done

if [ -n "${ORDO_FUZZ_DIR:-}" ]; then
    dir=$ORDO_FUZZ_DIR keep=1
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/ordo-fuzz.XXXXXX") keep=0
fi
mkdir -p "$dir/bin" "$dir/corpus" "$dir/seeds" "$dir/artifacts" "$dir/logs"

# clang and its fuzzer runtime.
if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "$0: $CLANG not found: install clang (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
    'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
    >"$dir/probe.c"
if ! $CLANG $FLAGS -o "$dir/probe" "$dir/probe.c" >"$dir/probe.log" 2>&1; then
    cat "$dir/probe.log" >&2
    echo "$0: $CLANG cannot link -fsanitize=fuzzer,address,undefined:" \
        "the compiler-rt runtimes are missing (Debian: apt-get install libclang-rt-14-dev)" >&2
    exit 2
fi

# The sources include ordo_config.h, which configure makes; they use nothing
# of what it says.
echo '/* ordo_config.h for the fuzz targets (tests/fuzz/run.sh): nothing from configure */' \
    >"$dir/ordo_config.h"

# Seeds beside the corpus in the tree: the tests' own inputs.
seeds() {
    case $1 in
    fuzz_lisa) echo "$src/tests/litmus" ;;
    fuzz_trace) # good/ with one rank's file swapped for a damaged or altered one
        s="$dir/seeds/fuzz_trace" good="$src/tools/trace/tests/good"
        mkdir -p "$s"
        for f in "$src"/tools/trace/tests/corrupt/*.txt "$src"/tools/trace/tests/violations/*.txt; do
            r=${f%.txt}
            r=${r##*.}
            {
                for q in 0 1 2; do
                    [ "$q" = 0 ] || printf '\f'
                    if [ "$q" = "$r" ]; then cat "$f"; else cat "$good/ordo-trace.$q.txt"; fi
                done
            } >"$s/$(basename "$f")"
        done
        echo "$s" ;;
    fuzz_lincheck) # the hand-made histories, and the per-rank files as one input
        s="$dir/seeds/fuzz_lincheck" l="$src/tools/lincheck/tests"
        mkdir -p "$s"
        sep=''
        for f in "$l"/ranks/*.edn "$l"/ranks/*.jsonl; do
            printf '%b' "$sep"
            cat "$f"
            sep='\f'
        done >"$s/ranks"
        echo "$s $l/valid $l/invalid $l/bad" ;;
    esac
}

# A dictionary of the words a target's parser knows, if it has one.
dict() {
    [ -f "$src/tests/fuzz/$1.dict" ] && echo "-dict=$src/tests/fuzz/$1.dict"
    return 0
}

# Build and run one target; its report goes to $dir/logs/<target>.result, and
# $dir/logs/<target>.failed exists if it failed.
one() {
    t=$1
    # shellcheck disable=SC2046
    if ! (cd "$src" && $CLANG $FLAGS -I"$dir" -I"$src" -I"$src/include" -o "$dir/bin/$t" \
        "tests/fuzz/$t.c" $(sources "$t")) >"$dir/logs/$t.build" 2>&1; then
        { cat "$dir/logs/$t.build"; echo "$t: FAILED to build"; } >"$dir/logs/$t.result"
        : >"$dir/logs/$t.failed"
        return
    fi
    mkdir -p "$dir/corpus/$t"
    # shellcheck disable=SC2046
    if "$dir/bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
        -artifact_prefix="$dir/artifacts/$t-" -print_final_stats=1 $(dict "$t") \
        "$dir/corpus/$t" "$src/tests/fuzz/corpus/$t" $(seeds "$t") >"$dir/logs/$t.log" 2>&1; then
        runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$dir/logs/$t.log" | tail -n 1)
        echo "$t: ${runs:-?} executions in ${secs} s, nothing found" \
            "(corpus $(ls "$dir/corpus/$t" | wc -l) new entries)" >"$dir/logs/$t.result"
    else
        {
            tail -n 60 "$dir/logs/$t.log"
            echo "$t: FOUND A PROBLEM; reproducer:" \
                "$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$dir/logs/$t.log" | tail -n 1)"
            echo "   rerun it: $dir/bin/$t <reproducer>"
        } >"$dir/logs/$t.result"
        : >"$dir/logs/$t.failed"
    fi
}

# The targets run FUZZ_JOBS at a time (default: one per core), each for
# SECONDS: the same fuzzing per target, in less wall time.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in
'' | *[!0-9]* | 0) echo "$0: FUZZ_JOBS=$jobs: expected a number of parallel targets >= 1" >&2; exit 2 ;;
esac
running=0
for t in $targets; do
    one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

status=0
for t in $targets; do
    cat "$dir/logs/$t.result"
    [ ! -e "$dir/logs/$t.failed" ] || status=1
done

if [ "$status" = 0 ] && [ "$keep" = 0 ]; then
    rm -rf "$dir"
else
    echo "fuzz directory (binaries, corpus, logs, reproducers): $dir"
fi
exit $status
