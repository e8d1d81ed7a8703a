#!/bin/sh
# benchmarks/report.sh - issue 19's report: the seeds' formulas, each
# predicted from parameters measured in the same run, beside what this
# machine measures.  One script per row in benchmarks/report/, each writing a
# CSV (header line first), a PNG (gnuplot, if installed) and a Markdown
# section; this driver runs them and writes OUT/report.md: the machine, the
# ranks, the commit, a summary table, then the sections.
#
# Usage: benchmarks/report.sh [-q] [-o OUT] [-n NP] [-r "ROWS"] [BUILD_DIR]
#   -q        QUICK: small sweeps, a smoke test (also ORDO_REPORT_QUICK=1)
#   -o OUT    output directory (default BUILD_DIR/report; ORDO_REPORT_DIR)
#   -n NP     most ranks a row starts (default 64 (gossip), others fewer;
#             QUICK 8; ORDO_REPORT_NP)
#   -r ROWS   the rows to run, e.g. "crossover ring" (default all;
#             ORDO_REPORT_ROWS)
# Launcher: mpirun --allow-run-as-root --oversubscribe -np N, or under Slurm
# (SLURM_JOB_ID set) srun --overcommit -n N; ORDO_REPORT_LAUNCH replaces it
# (the ranks follow it).  Exit status: 0 when every row produced its CSV and
# section (a figure off its target is reported, not an error), 1 when a row
# broke, 2 on bad usage.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
quick=${ORDO_REPORT_QUICK:-0}
out=${ORDO_REPORT_DIR:-}
np=${ORDO_REPORT_NP:-}
rows=${ORDO_REPORT_ROWS:-crossover gossip quorum clock stale ring exactly_once tail}
launch=${ORDO_REPORT_LAUNCH:-}
# ordo warns about ORDO_* variables it does not know: ours stop here.
unset ORDO_REPORT_QUICK ORDO_REPORT_DIR ORDO_REPORT_NP ORDO_REPORT_ROWS ORDO_REPORT_LAUNCH
usage() {
    echo "usage: $0 [-q] [-o OUT] [-n NP] [-r \"ROWS\"] [BUILD_DIR]" >&2
    exit 2
}
while getopts qo:n:r:h o; do
    case $o in
    q) quick=1 ;;
    o) out=$OPTARG ;;
    n) np=$OPTARG ;;
    r) rows=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
build=$(cd "${1:-$src/build}" 2>/dev/null && pwd) || { echo "$0: no build directory ${1:-$src/build}" >&2; exit 2; }
[ -n "$np" ] || { [ "$quick" = 1 ] && np=8 || np=64; }
case $np in '' | *[!0-9]* | 0 | 1) echo "$0: -n: '$np': 2 ranks or more" >&2; exit 2 ;; esac
for r in $rows; do
    [ -f "$src/benchmarks/report/row_$r.sh" ] || { echo "$0: no row '$r' (benchmarks/report/row_$r.sh)" >&2; exit 2; }
done
out=${out:-$build/report}
mkdir -p "$out/sections" || exit 1
out=$(cd "$out" && pwd)
rm -f "$out/summary.rows" "$out/plots.skipped" "$out/sections/"*.md
if [ -z "$launch" ]; then
    if [ -n "${SLURM_JOB_ID:-}" ]; then
        launch="srun --overcommit --mpi=pmix -n"
    else
        launch="mpirun --allow-run-as-root --oversubscribe -np"
    fi
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export REPORT_SRC=$src REPORT_BUILD=$build REPORT_OUT=$out REPORT_QUICK=$quick \
    REPORT_NP=$np REPORT_LAUNCH=$launch
# shellcheck source=benchmarks/report/lib.sh
. "$src/benchmarks/report/lib.sh"

start=$(date +%s)
failed=""
for r in $rows; do
    report_log "row $r"
    t0=$(date +%s)
    if sh "$src/benchmarks/report/row_$r.sh" >"$out/$r.log" 2>&1 &&
        [ -s "$out/sections/$r.md" ]; then
        report_log "row $r: done in $(($(date +%s) - t0)) s"
    else
        report_log "row $r: FAILED (see $out/$r.log)"
        tail -n 20 "$out/$r.log" >&2
        failed="$failed $r"
    fi
done

commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$src" status --porcelain 2>/dev/null | grep -v '^??' | head -n 1)
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')
{
    echo "# ordo report: the seeds' formulas against this machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); mode: $([ "$quick" = 1 ] && echo "QUICK (smoke test: small sweeps, figures indicative only)" || echo full)"
    echo "- machine: $(uname -n), $(uname -sr), $(nproc) cores ($cpu), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- ranks: up to $np, launched by \`$launch N\`$([ -n "${SLURM_JOB_ID:-}" ] && echo "; Slurm job $SLURM_JOB_ID, ${SLURM_NTASKS:-?} tasks on ${SLURM_JOB_NODELIST:-?}")"
    echo "- commit: $commit$([ -n "$dirty" ] && echo " (with uncommitted changes)")"
    echo "- command: \`benchmarks/report.sh$([ "$quick" = 1 ] && echo " -q") -n $np -o $out\`; $(($(date +%s) - start)) s"
    if [ -f "$out/plots.skipped" ]; then
        if command -v "${REPORT_GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
            echo "- plots skipped (gnuplot failed): $(tr '\n' ' ' <"$out/plots.skipped")"
        else
            echo "- plots skipped: gnuplot is not installed (Debian: gnuplot-nox); the CSV files are here"
        fi
    fi
    [ -n "$failed" ] && echo "- rows that broke (no figures):$failed (their logs: ROW.log)"
    echo
    echo "Each prediction comes from parameters measured in the same run; the target is"
    echo "measured / predicted within 10 %. A figure off its target is a finding, not a"
    echo "failure of the report."
    echo
    echo "| row | formula | parameters (measured) | predicted | measured | ratio | verdict | plot |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    [ -f "$out/summary.rows" ] && cat "$out/summary.rows"
    for r in $rows; do
        [ -f "$out/sections/$r.md" ] && { echo; cat "$out/sections/$r.md"; }
    done
} >"$out/report.md"
report_log "report: $out/report.md ($(($(date +%s) - start)) s)"
[ -z "$failed" ] || { report_log "rows that broke:$failed"; exit 1; }
exit 0
