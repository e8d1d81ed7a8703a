# jobs/lib.sh - sourced by every job in jobs/: find ordo, run its programs
# with srun, keep their output. A job reads:
#
#   ordo_job_init NAME            header, results directory, which ordo
#   ordo_job_run PROGRAM [ARGS]   srun --mpi=pmix PROGRAM ARGS on the job's tasks,
#                                 output also to RESULTS/PROGRAM.txt
#   ordo_job_finish               one line per program, exit status
#
# Which ordo (the first that has the program):
#   1. $ORDO_BUILD: a build tree (benchmarks/, tools/, apps/) or an install
#      prefix (bin/);
#   2. build/ in the ordo source tree the job comes from ($ORDO_SRC, else the
#      directory above jobs/: found from $SLURM_SUBMIT_DIR, see the jobs);
#   3. the PATH;
#   4. the prefix of `pkg-config ordo` (bin/).
# Results: $ORDO_RESULTS/NAME-JOBID/ (default RESULTS = $SLURM_SUBMIT_DIR/results).
# srun options can be added with $ORDO_SRUN_ARGS (e.g. "--cpu-bind=cores").
# shellcheck shell=sh

ordo_job_fail=0
# The scripts' own variables never reach ordo (it warns about ORDO_* names it
# does not know).
ordo_job_unset="-u ORDO_BUILD -u ORDO_SRC -u ORDO_RESULTS -u ORDO_BENCHMARKS -u ORDO_LITMUS_TESTS -u ORDO_SRUN_ARGS
-u ORDO_SLURM_DIR -u ORDO_SLURM_PORT -u ORDO_SLURM_WAIT -u ORDO_NETNS_PREFIX -u ORDO_NETNS_NET"
ordo_job_done=""

ordo_job_log() { printf '# ordo-job: %s\n' "$*"; }

# ordo_job_where_build PROGRAM: its path under $ORDO_BUILD.
ordo_job_where_build() {
    for d in benchmarks tools tools/litmus tools/nemesis apps bin; do
        [ -x "$ORDO_BUILD/$d/$1" ] && { echo "$ORDO_BUILD/$d/$1"; return 0; }
    done
    return 1
}

# ordo_job_where PROGRAM: print the path of PROGRAM by the rule above.
ordo_job_where() {
    [ -n "${ORDO_BUILD:-}" ] && ordo_job_where_build "$1" && return 0
    for d in benchmarks tools tools/litmus tools/nemesis apps; do
        [ -x "$ORDO_SRC/build/$d/$1" ] && { echo "$ORDO_SRC/build/$d/$1"; return 0; }
    done
    command -v "$1" 2>/dev/null && return 0
    prefix=$(pkg-config --variable=prefix ordo 2>/dev/null) &&
        [ -x "$prefix/bin/$1" ] && { echo "$prefix/bin/$1"; return 0; }
    return 1
}

ordo_job_init() {
    ordo_job_name=$1
    ordo_job_id=${SLURM_JOB_ID:-$(date +%Y%m%d-%H%M%S)}
    results=${ORDO_RESULTS:-${SLURM_SUBMIT_DIR:-$(pwd)}/results}/$ordo_job_name-$ordo_job_id
    mkdir -p "$results" || { echo "ordo-job: cannot create $results" >&2; exit 1; }
    command -v srun >/dev/null ||
        { echo "ordo-job: srun not found: submit with sbatch, or run inside salloc" >&2; exit 1; }
    if [ -n "${ORDO_BUILD:-}" ] && ! ordo_job_where_build ordo_info >/dev/null; then
        echo "ordo-job: ORDO_BUILD=$ORDO_BUILD has no ordo_info in benchmarks/, tools/, apps/ or bin/" >&2
        exit 1
    fi
    info=$(ordo_job_where ordo_info) || {
        echo "ordo-job: ordo not found: set ORDO_BUILD to a build tree or install prefix," >&2
        echo "  or build in $ORDO_SRC/build, or put ordo's bin/ on PATH (see jobs/README.md)" >&2
        exit 1
    }
    ordo_job_log "job $ordo_job_name, id $ordo_job_id, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    ordo_job_log "nodes ${SLURM_JOB_NODELIST:-?} (${SLURM_JOB_NUM_NODES:-?}), tasks ${SLURM_NTASKS:-?}"
    ordo_job_log "ordo from $(dirname "$info")"
    ordo_job_log "results in $results"
    env | grep -E '^(ORDO|UCX|OMPI_MCA|SLURM_JOB|SLURM_NTASKS|SLURM_NNODES)' | sort >"$results/env.txt"
}

ordo_job_run() {
    name=$1
    shift
    prog=$(ordo_job_where "$name") || {
        echo "ordo-job: $name not found (see the rule in jobs/lib.sh)" >&2
        ordo_job_fail=1
        ordo_job_done="$ordo_job_done
# ordo-job: $name: FAILED (not found)"
        return 1
    }
    ordo_job_log "srun --mpi=pmix ${ORDO_SRUN_ARGS:-}${ORDO_SRUN_ARGS:+ }$prog $*"
    # stdout to the job's output and to the results; stderr to the job's output.
    # shellcheck disable=SC2086
    { env $ordo_job_unset srun --mpi=pmix ${ORDO_SRUN_ARGS:-} "$prog" "$@"
        echo $? >"$results/.$name.rc"; } |
        tee "$results/$name.txt"
    rc=$(cat "$results/.$name.rc" 2>/dev/null)
    rm -f "$results/.$name.rc"
    if [ "$rc" = 0 ]; then
        ordo_job_done="$ordo_job_done
# ordo-job: $name: ok"
    else
        ordo_job_fail=1
        ordo_job_done="$ordo_job_done
# ordo-job: $name: FAILED (srun exit status $rc)"
    fi
    return 0
}

# ordo_job_data SUBDIR: the directory of ordo's data files SUBDIR (the
# litmus catalogue): in the source tree (tests/SUBDIR), else installed
# beside the programs (PREFIX/share/ordo/SUBDIR).
ordo_job_data() {
    [ -d "$ORDO_SRC/tests/$1" ] && { echo "$ORDO_SRC/tests/$1"; return 0; }
    info=$(ordo_job_where ordo_info) || return 1
    d=$(dirname "$(dirname "$info")")/share/ordo/$1
    [ -d "$d" ] && { echo "$d"; return 0; }
    return 1
}

ordo_job_finish() {
    printf '%s\n' "$ordo_job_done" | sed '/^$/d'
    if [ $ordo_job_fail = 0 ]; then
        ordo_job_log "all ok; results in $results"
    else
        ordo_job_log "FAILED; results in $results"
    fi
    exit $ordo_job_fail
}
