#!/bin/sh
# benchmarks/coll-scaling.sh [-n "2 4 8 16"] [-r ROUNDS] [-b "BENCHMARKS"] [-a] [-f] [-o DIR]
#                            [BUILD_DIR] [-- BENCHMARK OPTIONS]
#
# The collective benchmarks with --mpi (ordo and Open MPI in the same run,
# in alternating blocks) on each rank count of -n (default 2 4 8 16), each
# ROUNDS times (default 3), one run at a time, then a summary per benchmark
# and rank count: ordo/MPI per size (the last column of every row) as the
# median over the rounds, its worst size, the geometric mean over the
# sizes, the sizes where ordo is at most MPI's time, and DESIGN.md's
# targets for allreduce and bcast (<= 1.0 at every size on 4 ranks; on 8
# and 16 ranks, oversubscribed on this 2-core machine, >= 2x faster:
# <= 0.5 at every size).  -a also runs each with --alg all and summarizes
# AUTO / best forced algorithm (target <= 1.05 at every size).  -f also
# times the floor (--floor: the synchronization alone, the least any
# algorithm could take here) and summarizes floor/MPI beside ordo/MPI and
# ordo/floor: where floor/MPI is above a target, no algorithm meets it.
#
# mpirun: --allow-run-as-root --oversubscribe -np N, Open MPI's defaults
# otherwise.  With more ranks than cores Open MPI sets mpi_oversubscribe=1
# and its progress loop then calls sched_yield between polls, but it still
# polls (never sleeps); ordo's ORDO_WAIT=auto also yields there.
#
# Default benchmark options: -m 1:1M -i 100 -x 10.  Outputs are kept in
# -o DIR (default: a temporary directory, removed at the end).
set -u
nps="2 4 8 16"
rounds=3
benches="ordo_allreduce ordo_bcast ordo_reduce ordo_allgather ordo_alltoall ordo_barrier"
algs=0
floor=""
keep=""
usage() {
    sed -n '2,3p' "$0" | sed 's/^# //' >&2
    exit 2
}
while getopts n:r:b:afo:h opt; do
    case $opt in
    n) nps=$OPTARG ;;
    r) rounds=$OPTARG ;;
    b) benches=$OPTARG ;;
    a) algs=1 ;;
    f) floor=--floor ;;
    o) keep=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
build=build
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    build=$1
    shift
fi
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || set -- -m 1:1M -i 100 -x 10
case $rounds in '' | *[!0-9]* | 0) echo "coll-scaling.sh: -r: '$rounds' is not a count >= 1" >&2; exit 2 ;; esac
for np in $nps; do
    case $np in '' | *[!0-9]* | 0 | 1) echo "coll-scaling.sh: -n: '$np' is not a rank count >= 2" >&2; exit 2 ;; esac
done
for b in $benches; do
    [ -x "$build/benchmarks/$b" ] || { echo "coll-scaling.sh: $build/benchmarks/$b not built" >&2; exit 2; }
done
if [ -n "$keep" ]; then
    out=$keep
    mkdir -p "$out" || exit 1
else
    out=$(mktemp -d /tmp/ordo-coll-scaling.XXXXXX) || exit 1
    trap 'rm -rf "$out"' EXIT
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# run FILE NP BENCH ARGS...: one run, its output in FILE.
run() {
    f=$1 np=$2 prog=$3
    shift 3
    if ! timeout -k 10 1800 mpirun --allow-run-as-root --oversubscribe -np "$np" \
        "$build/benchmarks/$prog" "$@" >"$f" 2>"$f.err"; then
        echo "coll-scaling.sh: FAILED: mpirun -np $np $prog $*" >&2
        cat "$f.err" >&2
        return 1
    fi
}

# summary LABEL TARGET WHAT FILES...: per size, the median over the files of
# WHAT (last: the last column; mpi: ordo/MPI, floor/mpi: Floor (us) / MPI
# (us), the --floor columns following MPI's); then the worst, the geometric
# mean, how many <= 1.0, the target.
summary() {
    label=$1 target=$2 what=$3
    shift 3
    awk -v label="$label" -v target="$target" -v what="$what" '
        !/^#/ && NF > 2 {
            x = what == "last" ? $NF : what == "mpi" ? $(NF - 2) : $(NF - 1) / $(NF - 3)
            v[$1] = v[$1] " " x; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 }
        }
        END {
            worst = 0; lsum = 0; under = 0
            for (i = 0; i < n; i++) {
                k = split(v[order[i]], a, " ")
                for (x = 1; x <= k; x++) for (y = x + 1; y <= k; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
                med = k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
                if (med > worst) { worst = med; at = order[i] }
                lsum += log(med); under += med <= 1.0
            }
            verdict = target == "" ? "" : (worst <= target ? "met" : "NOT met")
            printf "%-28s %9.2f %10s %9.2f %7d/%-3d %s%s\n", label, worst, at, exp(lsum / n), under, n,
                target == "" ? "" : "<= " target ": ", verdict
        }' "$@"
}

echo "# coll-scaling.sh: $rounds round(s), ranks: $nps; options: $*"
echo "# $(nproc) cores; Open MPI $(mpirun --version 2>/dev/null | sed -n 's/.*(Open MPI) //p')"
for np in $nps; do
    for b in $benches; do
        r=1
        while [ "$r" -le "$rounds" ]; do
            run "$out/$b-np$np-r$r.txt" "$np" "$b" --mpi $floor "$@" || exit 1
            [ $algs = 1 ] && { run "$out/$b-np$np-all-r$r.txt" "$np" "$b" --alg all "$@" || exit 1; }
            r=$((r + 1))
        done
        echo "# done: $b on $np ranks"
    done
done

ratio=last
[ -n "$floor" ] && ratio=mpi # the floor's two columns follow ordo/MPI
echo
echo "ordo/MPI (Avg Latency), median of $rounds round(s) per size"
printf '%-28s %9s %10s %9s %11s %s\n' "benchmark, ranks" "worst" "at (B)" "geomean" "<=1.0" "target"
for b in $benches; do
    for np in $nps; do
        target=""
        case $b in ordo_allreduce | ordo_bcast)
            [ "$np" = 4 ] && target=1.0
            [ "$np" -ge 8 ] && target=0.5 ;;
        esac
        summary "$b $np" "$target" "$ratio" "$out/$b-np$np"-r*.txt
    done
done
if [ -n "$floor" ]; then
    for what in floor/mpi last; do
        echo
        [ $what = last ] && echo "ordo/floor (Avg Latency), median of $rounds round(s) per size" ||
            echo "floor/MPI (Avg Latency), median of $rounds round(s) per size: no algorithm's ordo/MPI can be lower"
        printf '%-28s %9s %10s %9s %11s %s\n' "benchmark, ranks" "worst" "at (B)" "geomean" "<=1.0" "target"
        for b in $benches; do
            for np in $nps; do
                summary "$b $np" "" $what "$out/$b-np$np"-r*.txt
            done
        done
    done
fi
if [ $algs = 1 ]; then
    echo
    echo "AUTO / best forced algorithm (p50), median of $rounds round(s) per size"
    printf '%-28s %9s %10s %9s %11s %s\n' "benchmark, ranks" "worst" "at (B)" "geomean" "<=1.0" "target"
    for b in $benches; do
        for np in $nps; do
            # AUTO/best is the last column without --mpi.
            summary "$b $np" 1.05 last "$out/$b-np$np"-all-r*.txt
        done
    done
fi
