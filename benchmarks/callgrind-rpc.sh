#!/bin/sh
# callgrind-rpc.sh - instructions per ordo_rpc_call of SIZE bytes (default 8),
# counted by callgrind, split into ordo's own, UCX's and the rest.
#
# Two ranks spin while they wait for each other, and the number of empty
# polls depends on timing, so a two-rank count moves from run to run.  Here
# one process calls its own echo handler (UCX's self transport): the
# message layer runs exactly as between two ranks (short call path, packed
# header, exactly-once bypass, handler, reply_now, reply matching), caller
# and replier on one thread, and every poll finds work, so the count is the
# same in every run.  The program runs twice, with N1 and N2 calls; the
# difference of the counts divided by N2 - N1 is one call, with start-up
# cancelled out.  Instructions are attributed by the object their code is
# in: ordo (libordo), UCX (libucp, libuct, libucs and UCX's modules), other
# (libc, the loop).  Code inlined from ordo's headers (rpc_int.h, lclock.h,
# msg_decode.h) is listed by callgrind_annotate under the header's path with
# no object named: it counts as ordo's when that path is in the source or
# build tree.  They do not depend on the machine's
# speed, so figures compare across sessions and machines of one ISA.
#
# Usage: benchmarks/callgrind-rpc.sh [-s SIZE] [BUILD_DIR]   (BUILD_DIR: build/)
set -eu
size=8
while getopts s: o; do
    case $o in
    s) size=$OPTARG ;;
    *) echo "usage: $0 [-s SIZE] [BUILD_DIR]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
[ -f "$build/.libs/libordo.so" ] || { echo "$0: $build/.libs/libordo.so is missing (build first)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "$0: valgrind is not installed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
n1=2000
n2=12000

cat >"$tmp/self.c" <<'EOF'
#include <ordo.h>
#include <stdio.h>
#include <stdlib.h>
static int echo(const ordo_rpc_msg_t *m, void *a)
{
    (void)a;
    return ordo_rpc_reply(m, m->data, m->len);
}
int main(int argc, char **argv)
{
    long n = atol(argv[1]);
    size_t size = (size_t)atol(argv[2]), len;
    char buf[65536], rep[65536];
    if (ordo_init(&argc, &argv) != ORDO_OK || ordo_rpc_register(1, echo, NULL) != ORDO_OK)
        return 1;
    for (long i = 0; i < n; i++)
        if (ordo_rpc_call(ordo_rank(), 1, buf, size, rep, sizeof(rep), &len) != ORDO_OK ||
            len != size)
            return 1;
    return ordo_finalize() == ORDO_OK ? 0 : 1;
}
EOF
mpicc -O2 -g -I"$src/include" -o "$tmp/self" "$tmp/self.c" -L"$build/.libs" -lordo \
    -Wl,-rpath,"$build/.libs"

# run N: the profile $tmp/cg.N
run() {
    ORDO_RNDV_THRESH=65536 ORDO_LOG=error timeout 600 valgrind -q --tool=callgrind \
        --callgrind-out-file="$tmp/cg.$1" "$tmp/self" "$1" "$size" >"$tmp/out.$1" 2>&1 ||
        { cat "$tmp/out.$1"; exit 1; }
}

# sums FILE: "ordo ucx other" instructions
sums() {
    # (from /: callgrind_annotate shortens the paths under its working directory)
    (cd / && callgrind_annotate --auto=no --threshold=100 --inclusive=no "$1" 2>/dev/null) | awk -v src="$src" -v build="$build" '
        /^ *[0-9,]+ / && /:/ {
            n = $1; gsub(",", "", n)
            if ($0 ~ /\[[^]]*libordo\.so[^]]*\]/) ordo += n
            else if ($0 !~ /\]$/ && (index($0, "%)  " src "/") || index($0, "%)  " build "/"))) ordo += n
            else if ($0 ~ /\[[^]]*(libuc[pts]|\/ucx\/)[^]]*\]/) ucx += n
            else other += n
        }
        END { printf "%d %d %d\n", ordo, ucx, other }'
}

run $n1
run $n2
a=$(sums "$tmp/cg.$n1")
b=$(sums "$tmp/cg.$n2")
printf '# instructions per %s B ordo_rpc_call, caller and replier together (callgrind, %d - %d calls to self)\n' \
    "$size" "$n2" "$n1"
printf '# %10s %10s %10s\n' ordo UCX other
echo "$a $b" | awk -v d=$((n2 - n1)) '{ printf "  %10.0f %10.0f %10.0f\n", ($4-$1)/d, ($5-$2)/d, ($6-$3)/d }'
