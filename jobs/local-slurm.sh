#!/bin/sh
# jobs/local-slurm.sh - a private Slurm cluster on this machine, for running the
# jobs in jobs/ without a real cluster (as root; Debian 12 packages slurm-wlm
# and munge, installed with apt-get when missing).
#
#   jobs/local-slurm.sh start [--nodes N] [--dir DIR]
#   jobs/local-slurm.sh stop [--dir DIR]
#   jobs/local-slurm.sh status [--dir DIR]
#
# start: a munged, a slurmctld and one slurmd per node, all with their
#   configuration, keys, sockets, pid files, logs and state in DIR (default
#   $ORDO_SLURM_DIR, else /tmp/ordo-slurm; recreated on every start), on
#   private ports; waits until every node is idle and prints how to use it.
#   --nodes 1 (default): one node, this host, described with its real CPU count.
#   --nodes N > 1: N hosts in network namespaces (jobs/netns-cluster.sh up N,
#   unless a cluster with $ORDO_NETNS_PREFIX is already up), one slurmd in each,
#   so a job on several nodes really crosses a network.
#   One partition "debug" that allows oversubscription: more tasks than cores
#   fit with --overcommit (sbatch -O, or SBATCH_OVERCOMMIT=1).
# stop: cancels every job, stops the daemons it started (pid files in DIR) and
#   takes down the network namespaces if start brought them up. Logs stay in DIR.
# status: the daemons and the nodes.
#
# Environment: ORDO_SLURM_DIR, ORDO_SLURM_PORT (slurmctld's port, default 16817;
# slurmd uses the next one), ORDO_SLURM_WAIT (seconds to wait for the nodes,
# default 60), ORDO_NETNS_PREFIX / ORDO_NETNS_NET (passed to netns-cluster.sh).
set -u

prog=local-slurm.sh
jobs_dir=$(cd "$(dirname "$0")" && pwd)

usage() {
    cat >&2 <<EOF
Usage: $prog start [--nodes N] [--dir DIR]
       $prog stop [--dir DIR]
       $prog status [--dir DIR]
Starts, stops or shows a private Slurm cluster on this machine (as root).
DIR defaults to \$ORDO_SLURM_DIR or /tmp/ordo-slurm.
EOF
    exit 2
}

die() {
    echo "$prog: $*" >&2
    exit 1
}

say() { echo "$prog: $*"; }

# ---- arguments ----------------------------------------------------------------
[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start | stop | status) ;;
-h | --help) usage ;;
*) echo "$prog: unknown command '$cmd'" >&2 && usage ;;
esac
dir=${ORDO_SLURM_DIR:-/tmp/ordo-slurm}
nodes=1
while [ $# -gt 0 ]; do
    case $1 in
    --nodes)
        [ $# -ge 2 ] || { echo "$prog: --nodes needs a number" >&2 && usage; }
        nodes=$2
        shift 2
        ;;
    --dir)
        [ $# -ge 2 ] || { echo "$prog: --dir needs a directory" >&2 && usage; }
        dir=$2
        shift 2
        ;;
    *) echo "$prog: unknown argument '$1'" >&2 && usage ;;
    esac
done
case $nodes in
'' | *[!0-9]*) echo "$prog: --nodes '$nodes' is not a number (1..64)" >&2 && usage ;;
esac
if [ "$nodes" -lt 1 ] || [ "$nodes" -gt 64 ]; then
    echo "$prog: --nodes $nodes is out of range (1..64)" >&2
    usage
fi
[ "$cmd" = start ] || [ "$nodes" = 1 ] ||
    { echo "$prog: --nodes is for start only" >&2 && usage; }
case $dir in
/*) ;;
*) dir=$(pwd)/$dir ;;
esac
port=${ORDO_SLURM_PORT:-16817}
wait_s=${ORDO_SLURM_WAIT:-60}
case $port in
'' | *[!0-9]*) echo "$prog: ORDO_SLURM_PORT '$port' is not a port number (1024..65534)" >&2 && usage ;;
esac
if [ "$port" -lt 1024 ] || [ "$port" -gt 65534 ]; then
    echo "$prog: ORDO_SLURM_PORT $port is out of range (1024..65534)" >&2
    usage
fi
case $wait_s in
'' | *[!0-9]*) echo "$prog: ORDO_SLURM_WAIT '$wait_s' is not a number of seconds" >&2 && usage ;;
esac
marker=.ordo-local-slurm

# ---- processes we started -----------------------------------------------------
# alive PIDFILE NAME: the pid in PIDFILE runs a program called NAME (a
# zombie does not count: the daemons are reparented to init, which may reap
# them late).
alive() {
    [ -f "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null)
    case $pid in '' | *[!0-9]*) return 1 ;; esac
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] &&
        [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)" != Z ]
}

# running PIDFILE: its process exists and is not a zombie, whatever its
# name: a daemon just started may not have exec'd its program yet (its name is
# still the shell's, or nsenter's), which alive would take for an exit.
running() {
    [ -f "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null)
    case $pid in '' | *[!0-9]*) return 1 ;; esac
    [ -e "/proc/$pid" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)" != Z ]
}

# stop_pid PIDFILE NAME: TERM, up to 10 s, then KILL; remove PIDFILE.
stop_pid() {
    if alive "$1" "$2"; then
        kill -TERM "$pid" 2>/dev/null
        i=0
        while alive "$1" "$2" && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        if alive "$1" "$2"; then
            say "$2 (pid $pid) did not stop in 10 s: killing it"
            kill -KILL "$pid" 2>/dev/null
        fi
        say "stopped $2 (pid $pid)"
    fi
    rm -f "$1"
}

# ---- start --------------------------------------------------------------------
need_packages() {
    missing=""
    for p in slurmctld slurmd slurm-client munge; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    say "installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; } ||
        die "cannot install$missing with apt-get"
}

# write_conf HOST_ADDR: slurm.conf for $nodes nodes.  MinJobAge=5 keeps a
# finished job's record 5 s (at least; slurmctld purges them in passes): `sbatch
# --wait` polls every 2 s while that is below MinJobAge / 2, else its waits grow
# 2, 8, 32, 32 s (Slurm 22.05), and a 10 s job took 42 s to report.
write_conf() {
    cpus=$(getconf _NPROCESSORS_ONLN)
    cat >"$dir/slurm.conf" <<EOF
# Written by jobs/local-slurm.sh: a private cluster, everything under $dir.
ClusterName=ordo-local
SlurmctldHost=$(hostname)($1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
KillWait=5
MinJobAge=5
StateSaveLocation=$dir/ctld
SlurmctldPidFile=$dir/slurmctld.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdSpoolDir=$dir/spool-%n
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmdLogFile=$dir/slurmd-%n.log
TmpFS=$dir/tmp-%n
EOF
    if [ "$nodes" = 1 ]; then
        echo "NodeName=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN" >>"$dir/slurm.conf"
    else
        while read -r name mgmt _data; do
            echo "NodeName=$name NodeAddr=$mgmt CPUs=$cpus State=UNKNOWN"
        done <"$netns_dir/hosts" >>"$dir/slurm.conf"
    fi
    echo "PartitionName=debug Nodes=ALL Default=YES OverSubscribe=FORCE:4 MaxTime=INFINITE State=UP" \
        >>"$dir/slurm.conf"
}

start_munge() {
    mkdir -p "$dir/munge"
    chmod 700 "$dir/munge"
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null ||
        die "cannot write the munge key $dir/munge/munge.key"
    chmod 400 "$dir/munge/munge.key"
    munged --foreground --force --socket="$dir/munge/munge.socket" \
        --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid.own" \
        --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
        >>"$dir/munge/munged.out" 2>&1 &
    echo $! >"$dir/munged.pid"
    i=0
    while [ ! -S "$dir/munge/munge.socket" ] && [ $i -lt 100 ]; do
        running "$dir/munged.pid" || break
        sleep 0.1
        i=$((i + 1))
    done
    [ -S "$dir/munge/munge.socket" ] ||
        die "munged did not start; see $dir/munge/munged.log and munged.out: $(tail -n 3 "$dir/munge/munged.out" "$dir/munge/munged.log" 2>/dev/null)"
    say "munged running (pid $(cat "$dir/munged.pid"))"
}

start_slurmctld() {
    mkdir -p "$dir/ctld"
    slurmctld -D -i -f "$dir/slurm.conf" >>"$dir/slurmctld.out" 2>&1 &
    echo $! >"$dir/slurmctld.pid.own"
    say "slurmctld running (pid $(cat "$dir/slurmctld.pid.own"))"
}

# start_slurmd NAME [NETNS]: one slurmd, inside network namespace NETNS (and
# its own UTS namespace with hostname NETNS) if given.
start_slurmd() {
    name=$1
    mkdir -p "$dir/spool-$name" "$dir/tmp-$name"
    if [ $# -ge 2 ]; then
        # nsenter and unshare exec (no fork), so $! is slurmd's pid. Not
        # "ip netns exec": it remounts /sys and slurmd fails on cgroups.
        # shellcheck disable=SC2016
        nsenter --net="/run/netns/$2" unshare --uts \
            sh -c 'hostname "$1" && exec slurmd -D -f "$2" -N "$1"' sh "$name" "$dir/slurm.conf" \
            >>"$dir/slurmd-$name.out" 2>&1 &
    else
        slurmd -D -f "$dir/slurm.conf" >>"$dir/slurmd-$name.out" 2>&1 &
    fi
    echo $! >"$dir/slurmd-$name.pid.own"
    say "slurmd for node $name running (pid $!)"
}

# wait_idle: every node idle within $wait_s seconds.
wait_idle() {
    i=0
    while [ $i -lt $((wait_s * 2)) ]; do
        states=$(SLURM_CONF=$dir/slurm.conf timeout 10 sinfo -h -N -o '%t' 2>/dev/null | sort -u)
        [ "$states" = idle ] && return 0
        for f in "$dir"/slurmd-*.pid.own "$dir/slurmctld.pid.own"; do
            n=$(basename "$f" .pid.own)
            running "$f" ||
                die "$n exited; see $dir/$n.log and $dir/$n.out: $(tail -n 5 "$dir/$n.log" "$dir/$n.out" 2>/dev/null)"
        done
        sleep 0.5
        i=$((i + 1))
    done
    die "the nodes are not idle after $wait_s s (states: $(echo "$states" | tr '\n' ' ')); see the logs in $dir"
}

do_start() {
    [ "$(id -u)" = 0 ] || die "must run as root (it starts munged, slurmctld and slurmd)"
    if [ -d "$dir" ]; then
        for f in "$dir"/*.pid.own "$dir/munged.pid"; do
            n=$(basename "$f" .pid.own)
            n=${n%.pid}
            alive "$f" "${n%%-*}" && die "already running in $dir ($n, pid $pid): run '$0 stop --dir $dir' first"
        done
        [ -f "$dir/$marker" ] || [ -z "$(ls -A "$dir")" ] ||
            die "$dir exists and was not made by $prog: choose another --dir"
        rm -rf "$dir"
    fi
    need_packages
    for p in "$port" $((port + 1)); do
        ss -Hltn "sport = :$p" 2>/dev/null | grep -q . &&
            die "port $p is in use (another Slurm? see 'ss -ltnp'): set ORDO_SLURM_PORT"
    done
    mkdir -p "$dir" || die "cannot create $dir"
    chmod 755 "$dir"
    touch "$dir/$marker"
    trap 'echo "$prog: start failed, stopping what was started" >&2; do_stop >&2' EXIT
    if [ "$nodes" = 1 ]; then
        addr=127.0.0.1
    else
        netns_prefix=${ORDO_NETNS_PREFIX:-ordo}
        netns_dir=/tmp/ordo-netns-$netns_prefix
        if [ -f "$netns_dir/hosts" ]; then
            [ "$(wc -l <"$netns_dir/hosts")" = "$nodes" ] ||
                die "a network-namespace cluster '$netns_prefix' with $(wc -l <"$netns_dir/hosts") hosts is up, not $nodes: take it down or set ORDO_NETNS_PREFIX"
            say "using the network namespaces of $netns_dir"
        else
            "$jobs_dir/netns-cluster.sh" up "$nodes" >"$dir/netns-up.out" 2>&1 ||
                die "netns-cluster.sh up $nodes failed: $(cat "$dir/netns-up.out")"
            echo "$netns_prefix" >"$dir/netns"
            say "network namespaces up ($netns_dir)"
        fi
        addr=$(cat "$netns_dir/head")
    fi
    write_conf "$addr"
    start_munge
    start_slurmctld
    if [ "$nodes" = 1 ]; then
        start_slurmd "$(hostname)"
    else
        while read -r name _mgmt _data; do
            start_slurmd "$name" "$name"
        done <"$netns_dir/hosts"
    fi
    wait_idle
    trap - EXIT
    SLURM_CONF=$dir/slurm.conf sinfo -N
    cat <<EOF
$prog: Slurm is up ($nodes node(s)). To use it:
    export SLURM_CONF=$dir/slurm.conf
EOF
    [ "$nodes" = 1 ] || cat <<EOF
    # the nodes are network namespaces: keep UCX off shared memory, on eth0
    export UCX_TLS=tcp,self UCX_NET_DEVICES=eth0
EOF
    cat <<EOF
    sbatch -O jobs/pt2pt.sbatch        # -O (--overcommit): more tasks than cores
    srun --mpi=pmix -O -n 4 build/apps/ordo_ring
Stop it with: $0 stop --dir $dir
EOF
}

# ---- stop ---------------------------------------------------------------------
do_stop() {
    [ -d "$dir" ] || { say "nothing to stop in $dir"; return 0; }
    if alive "$dir/slurmctld.pid.own" slurmctld; then
        jobs=$(SLURM_CONF=$dir/slurm.conf timeout 10 squeue -h -o %i 2>/dev/null)
        if [ -n "$jobs" ]; then
            say "cancelling jobs: $(echo "$jobs" | tr '\n' ' ')"
            # shellcheck disable=SC2086
            SLURM_CONF=$dir/slurm.conf timeout 10 scancel $jobs
            i=0
            while [ -n "$(SLURM_CONF=$dir/slurm.conf timeout 10 squeue -h -o %i 2>/dev/null)" ] &&
                [ $i -lt 40 ]; do
                sleep 0.5
                i=$((i + 1))
            done
        fi
    fi
    for f in "$dir"/slurmd-*.pid.own; do
        [ -e "$f" ] && stop_pid "$f" slurmd
    done
    stop_pid "$dir/slurmctld.pid.own" slurmctld
    rm -f "$dir/slurmctld.pid"
    stop_pid "$dir/munged.pid" munged
    if [ -f "$dir/netns" ]; then
        ORDO_NETNS_PREFIX=$(cat "$dir/netns") "$jobs_dir/netns-cluster.sh" down
        rm -f "$dir/netns"
    fi
    return 0
}

# ---- status -------------------------------------------------------------------
do_status() {
    [ -f "$dir/$marker" ] || { say "no cluster in $dir"; return 1; }
    up=0
    for f in "$dir"/*.pid.own "$dir/munged.pid"; do
        [ -e "$f" ] || continue
        n=$(basename "$f" .pid.own)
        n=${n%.pid}
        if alive "$f" "${n%%-*}"; then
            say "$n running (pid $pid)"
            up=$((up + 1))
        else
            say "$n not running"
        fi
    done
    [ $up -gt 0 ] || { say "not running (logs in $dir)"; return 1; }
    echo "export SLURM_CONF=$dir/slurm.conf"
    SLURM_CONF=$dir/slurm.conf timeout 10 sinfo -N
}

case $cmd in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
esac
