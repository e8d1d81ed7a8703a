# tests/jobs/common.sh - sourced by the tests of jobs/: skipping, a lock so
# they never run at once (ports, addresses and namespaces of this machine), and
# checks of benchmark output.
#
# A test sets tmp (its scratch directory) and, for the scripts of jobs/,
# slurm_port, netns_prefix, netns_net; the scripts get them through their
# environment variables only (ordo warns about ORDO_* names it does not know).
# shellcheck shell=sh disable=SC2154,SC2034

jobs=$top_srcdir/jobs
build=$top_builddir
slurm_port=16917
netns_prefix=ojt
netns_net=10.212

# local_slurm CMD [ARGS]: jobs/local-slurm.sh CMD --dir $tmp/slurm ARGS
# (at most 5 minutes: start may install packages).
local_slurm() {
    c=$1
    shift
    ORDO_SLURM_PORT=$slurm_port ORDO_NETNS_PREFIX=$netns_prefix ORDO_NETNS_NET=$netns_net \
        timeout 300 "$jobs/local-slurm.sh" "$c" --dir "$tmp/slurm" "$@"
}

# netns_cluster CMD [ARGS]: jobs/netns-cluster.sh CMD ARGS.
netns_cluster() {
    ORDO_NETNS_PREFIX=$netns_prefix ORDO_NETNS_NET=$netns_net \
        timeout 120 "$jobs/netns-cluster.sh" "$@"
}

skip() {
    echo "SKIP: $*" >&2
    exit 77
}

fail() {
    echo "FAIL: $*"
    exit 1
}

need_root() {
    [ "$(id -u)" = 0 ] || skip "needs root (starts daemons or creates network namespaces)"
}

# need_netns: this machine lets us create network namespaces.
need_netns() {
    for c in ip unshare nsenter; do
        command -v $c >/dev/null || skip "$c is not installed"
    done
    probe=ordoprobe$$
    if ! err=$(ip netns add "$probe" 2>&1); then
        skip "this machine forbids network namespaces (ip netns add: $err)"
    fi
    ip netns del "$probe"
}

# lock: one test of jobs/ at a time (bounded wait); then clear what a test
# killed before its cleanup left behind.
lock() {
    exec 9>/tmp/ordo-jobs-tests.lock
    flock -w 600 9 || fail "another test of jobs/ held /tmp/ordo-jobs-tests.lock for 10 minutes"
    clear_leftovers
}

# clear_leftovers: Slurm daemons and network-namespace clusters of these tests
# (their scratch directories and prefixes) that a killed run left up. We hold
# the lock, so no live test owns them; left up, they would hold the ports and
# prefixes and fail the next run.
clear_leftovers() {
    for d in /tmp/ordo-test-*/slurm; do
        [ -e "$d/slurmctld.pid.own" ] || [ -e "$d/munged.pid" ] || continue
        echo "note: Slurm left running in $d by an earlier run that was killed: stopping it"
        timeout 120 "$jobs/local-slurm.sh" stop --dir "$d" || fail "local-slurm.sh stop --dir $d (leftover)"
        rm -rf "${d%/slurm}"
    done
    for s in /tmp/ordo-netns-ojt*; do
        [ -e "$s/created" ] || continue
        p=${s#/tmp/ordo-netns-}
        echo "note: cluster '$p' left up by an earlier run that was killed: taking it down"
        ORDO_NETNS_PREFIX=$p timeout 120 "$jobs/netns-cluster.sh" down || fail "netns-cluster.sh down (leftover cluster '$p')"
    done
}

# slurm_missing: some Slurm or munge program is still not installed.
slurm_missing() {
    for c in slurmctld slurmd munged sbatch srun sinfo; do
        command -v $c >/dev/null || return 0
    done
    return 1
}

# start_slurm [ARGS]: local_slurm start ARGS (which installs Slurm with
# apt-get if missing); skip if Slurm cannot be installed.
start_slurm() {
    if ! local_slurm start "$@" >"$tmp/start.out" 2>&1; then
        cat "$tmp/start.out"
        slurm_missing && skip "Slurm cannot be installed here (see above)"
        fail "local-slurm.sh start $* failed"
    fi
    cat "$tmp/start.out"
}

# no_process_in DIR: nothing runs with DIR in its command line.
no_process_in() {
    left=$(pgrep -af -- "$1")
    [ -z "$left" ] || fail "processes still running with $1 in their command line: $left"
}

# check_bench FILE NAME: OSU-style rows 1 .. 2^k with a positive first value
# and an MPI column; prints the table.
check_bench() {
    [ -s "$1" ] || fail "$2: no output in $1"
    grep -q "^# Size .*MPI (" "$1" || fail "$2: no MPI column (--mpi) in $1"
    awk -v name="$2" '
        /^#/ { next }
        {
            if ($1 !~ /^[0-9]+$/ || $2 !~ /^[0-9.]+$/ || $2 <= 0) {
                printf "FAIL: %s: bad row \"%s\"\n", name, $0
                bad = 1
            }
            rows++
        }
        END {
            if (rows < 1) { printf "FAIL: %s: no rows\n", name; exit 1 }
            exit bad
        }' "$1" || exit 1
    echo "ok: $2: $(grep -vc '^#' "$1") sizes"
}
