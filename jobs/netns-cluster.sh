#!/bin/sh
# jobs/netns-cluster.sh - several "hosts" on this machine: network namespaces
# joined by two bridges, so ordo (UCX over TCP) and its launchers really cross
# a network. As root.
#
#   jobs/netns-cluster.sh up N     N hosts PREFIX1 .. PREFIXN
#   jobs/netns-cluster.sh down     remove everything up created
#   jobs/netns-cluster.sh status   the hosts, and the mpirun line to use
#   jobs/netns-cluster.sh cut HOST   partition HOST from the data network (its
#                                    port leaves the data bridge; the
#                                    management network stays up)
#   jobs/netns-cluster.sh heal HOST  put HOST's port back on the data bridge
#
# Each host is a network namespace named like its hostname, with
#   eth0   on the data network       NET.1.i/24  (bridge br-data)
#   mgmt0  on the management network NET.0.i/24  (bridge br-mgmt)
# The bridges live in a "switch" namespace PREFIX-sw. This machine (the root
# namespace) is on the management network too, as NET.0.254 on the interface
# PREFIX-mgmt, so launchers (mpirun, slurmctld) started here reach every host;
# the launchers' own traffic stays on the management network and ordo's data
# on eth0 (UCX_NET_DEVICES=eth0), so the data network can be cut or slowed
# without killing the launcher.
#
# Commands run on a host through jobs/netns-rsh.sh HOST CMD..., which mpirun
# uses as its remote shell (plm_rsh_agent).
#
# Every host has net.ipv4.tcp_retries2=3 (ORDO_NETNS_TCP_RETRIES2), so a TCP
# connection across a cut fails after seconds instead of the default's
# ~15 minutes of retransmissions.
#
# Environment: ORDO_NETNS_PREFIX (default "ordo"; at most 8 characters),
# ORDO_NETNS_NET (the first two octets, default 10.211),
# ORDO_NETNS_TCP_RETRIES2 (default 3; empty: the kernel's). State (what was
# created, the host list, a hostfile): /tmp/ordo-netns-PREFIX/.
set -u

prog=netns-cluster.sh
jobs_dir=$(cd "$(dirname "$0")" && pwd)
prefix=${ORDO_NETNS_PREFIX:-ordo}
net=${ORDO_NETNS_NET:-10.211}
state=/tmp/ordo-netns-$prefix
retries2=${ORDO_NETNS_TCP_RETRIES2-3}
sw=$prefix-sw
head=$net.0.254

usage() {
    cat >&2 <<EOF
Usage: $prog up N      N hosts (1..200) in network namespaces ${prefix}1 .. ${prefix}N
       $prog down      remove what 'up' created
       $prog status    list the hosts and print the mpirun line
       $prog cut HOST  detach HOST's data port from the data bridge (a partition)
       $prog heal HOST re-attach it
Environment: ORDO_NETNS_PREFIX (now $prefix), ORDO_NETNS_NET (now $net).
EOF
    exit 2
}

die() {
    echo "$prog: $*" >&2
    exit 1
}

say() { echo "$prog: $*"; }

case $prefix in
'' | *[!a-z0-9]*) echo "$prog: ORDO_NETNS_PREFIX '$prefix': use lower-case letters and digits" >&2 && usage ;;
esac
[ ${#prefix} -le 8 ] || { echo "$prog: ORDO_NETNS_PREFIX '$prefix' is longer than 8 characters" >&2 && usage; }
echo "$net" | grep -Eq '^[0-9]{1,3}\.[0-9]{1,3}$' ||
    { echo "$prog: ORDO_NETNS_NET '$net' is not two octets like 10.211" >&2 && usage; }

# run CMD...: run it, or stop with the command and its message.
run() {
    out=$("$@" 2>&1) || die "'$*' failed: $out"
}

# created KIND NAME: remember it for down.
created() { echo "$1 $2" >>"$state/created"; }

# The hosts share this machine's cores, and mpirun would bind the first rank
# of every "host" to core 0: --bind-to none. UCX_TLS=tcp,self, else UCX may
# use shared memory between namespaces (ordo then does not ask UCX for
# shared memory with error handling).
ucx_env="UCX_NET_DEVICES=eth0 UCX_TLS=tcp,self"

mpirun_line() {
    n=$(wc -l <"$state/hosts")
    cat <<EOF
mpirun --allow-run-as-root --oversubscribe --bind-to none -np $n --map-by node \\
    --hostfile $state/hostfile \\
    --mca plm_rsh_agent $jobs_dir/netns-rsh.sh \\
    --mca oob_tcp_if_include $net.0.0/24 \\
    --mca btl self,tcp --mca btl_tcp_if_include $net.1.0/24 \\
    $(for v in $ucx_env; do printf -- '-x %s ' "$v"; done)\\
    PROGRAM [ARGS]
EOF
}

do_up() {
    n=$1
    [ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"
    [ ! -e "$state/created" ] || die "a cluster '$prefix' is up ($state): run '$0 down' first"
    ip netns list 2>/dev/null | grep -Eq "^$prefix(-sw|[0-9]+)( |\$)" &&
        die "namespaces named $prefix* exist already (ip netns list): remove them or set ORDO_NETNS_PREFIX"
    ip link show "$prefix-mgmt" >/dev/null 2>&1 &&
        die "an interface $prefix-mgmt exists already: remove it or set ORDO_NETNS_PREFIX"
    if ip -4 addr show | grep -q "inet $net\.[01]\."; then
        die "addresses in $net.0.0/23 are in use on this machine: set ORDO_NETNS_NET"
    fi
    for c in ip unshare nsenter; do
        command -v $c >/dev/null || die "$c is needed (Debian packages iproute2, util-linux)"
    done
    rm -rf "$state"
    mkdir -p "$state" || die "cannot create $state"
    : >"$state/created"
    : >"$state/hosts"
    trap 'echo "$prog: up failed, removing what was created" >&2; do_down >&2' EXIT

    # The switch.
    ip netns add "$sw" 2>"$state/err" ||
        die "cannot create a network namespace ($(cat "$state/err")); this machine may forbid them"
    created ns "$sw"
    run ip -n "$sw" link set lo up
    for br in br-mgmt br-data; do
        run ip -n "$sw" link add "$br" type bridge
        run ip -n "$sw" link set "$br" up
    done

    # The hosts.
    cpus=$(getconf _NPROCESSORS_ONLN)
    i=1
    while [ "$i" -le "$n" ]; do
        h=$prefix$i
        run ip netns add "$h"
        created ns "$h"
        run ip -n "$h" link set lo up
        run ip -n "$sw" link add "m$i" type veth peer name mgmt0 netns "$h"
        run ip -n "$sw" link add "d$i" type veth peer name eth0 netns "$h"
        run ip -n "$sw" link set "m$i" master br-mgmt up
        run ip -n "$sw" link set "d$i" master br-data up
        run ip -n "$h" addr add "$net.0.$i/24" dev mgmt0
        run ip -n "$h" addr add "$net.1.$i/24" dev eth0
        run ip -n "$h" link set mgmt0 up
        run ip -n "$h" link set eth0 up
        if [ -n "$retries2" ]; then
            run nsenter --net="/run/netns/$h" sysctl -q -w "net.ipv4.tcp_retries2=$retries2"
        fi
        echo "$h $net.0.$i $net.1.$i" >>"$state/hosts"
        echo "$h slots=$cpus" >>"$state/hostfile"
        i=$((i + 1))
    done

    # This machine on the management network.
    run ip link add "$prefix-mgmt" type veth peer name head netns "$sw"
    created link "$prefix-mgmt"
    run ip -n "$sw" link set head master br-mgmt up
    run ip addr add "$head/24" dev "$prefix-mgmt"
    run ip link set "$prefix-mgmt" up
    echo "$head" >"$state/head"

    # Every link is up (bounded: 5 s). (No ping here: iputils-ping is not
    # installed by default.)
    while read -r h _mgmt _data; do
        for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do
            [ "$(cat "/sys/class/net/$prefix-mgmt/operstate")" = up ] &&
                ip -n "$h" -o link show up 2>/dev/null | grep -q "eth0@.*LOWER_UP" &&
                ip -n "$h" -o link show up 2>/dev/null | grep -q "mgmt0@.*LOWER_UP" &&
                continue 2
            sleep 0.2
        done
        die "the links of host $h are not up after 5 s: $(ip -n "$h" -o link show 2>&1)"
    done <"$state/hosts"
    trap - EXIT
    mpirun_line >"$state/mpirun.txt"
    say "$n host(s) up: $(cut -d' ' -f1 "$state/hosts" | tr '\n' ' ')(state in $state)"
    say "management network $net.0.0/24 (this machine: $head), data network $net.1.0/24 on eth0"
    say "run a command on a host: $jobs_dir/netns-rsh.sh ${prefix}1 hostname"
    say "run an MPI program across the hosts (UCX over TCP on the data network):"
    sed 's/^/    /' "$state/mpirun.txt"
    say "take it down with: $0 down"
}

# kill_ns_pids NS: processes still inside NS keep it alive; stop them.
kill_ns_pids() {
    pids=$(ip netns pids "$1" 2>/dev/null | tr '\n' ' ')
    [ -n "$pids" ] || return 0
    say "stopping processes still in $1: $pids"
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        [ -z "$(ip netns pids "$1" 2>/dev/null)" ] && return 0
        sleep 0.3
    done
    # shellcheck disable=SC2046
    kill -KILL $(ip netns pids "$1" 2>/dev/null) 2>/dev/null
}

do_down() {
    if [ ! -f "$state/created" ]; then
        say "no cluster '$prefix' to take down ($state/created missing)"
        return 0
    fi
    # In reverse order of creation.
    tac "$state/created" | while read -r kind name; do
        case $kind in
        link) ip link del "$name" 2>/dev/null ;;
        ns)
            kill_ns_pids "$name"
            ip netns del "$name" 2>/dev/null
            ;;
        esac
    done
    rm -rf "$state"
    say "cluster '$prefix' removed"
}

# host_index HOST: i of PREFIXi, a host of this cluster (else stop).
host_index() {
    [ -f "$state/hosts" ] || die "no cluster '$prefix' is up"
    grep -q "^$1 " "$state/hosts" || die "'$1' is not a host of cluster '$prefix' ($(cut -d' ' -f1 "$state/hosts" | tr '\n' ' '))"
    echo "${1#"$prefix"}"
}

# cut HOST: its data port leaves the bridge; packets to and from it are
# dropped silently (no link goes down on the host's side: a true partition).
do_cut() {
    i=$(host_index "$1") || exit 1
    run ip -n "$sw" link set "d$i" nomaster
    say "$1 cut from the data network (d$i off br-data); heal with: $0 heal $1"
}

do_heal() {
    i=$(host_index "$1") || exit 1
    run ip -n "$sw" link set "d$i" master br-data up
    say "$1 back on the data network"
}

do_status() {
    [ -f "$state/hosts" ] || { say "no cluster '$prefix' is up"; return 1; }
    while read -r h mgmt data; do
        if [ -e "/run/netns/$h" ]; then s=present; else s=MISSING; fi
        echo "$h management $mgmt data $data ($s)"
    done <"$state/hosts"
    echo "hostfile: $state/hostfile"
    cat "$state/mpirun.txt"
}

[ $# -ge 1 ] || usage
case $1 in
up)
    [ $# = 2 ] || { echo "$prog: up needs the number of hosts" >&2 && usage; }
    case $2 in '' | *[!0-9]*) echo "$prog: '$2' is not a number of hosts" >&2 && usage ;; esac
    if [ "$2" -lt 1 ] || [ "$2" -gt 200 ]; then
        echo "$prog: $2 hosts is out of range (1..200)" >&2
        usage
    fi
    do_up "$2"
    ;;
down)
    [ $# = 1 ] || usage
    do_down
    ;;
status)
    [ $# = 1 ] || usage
    do_status
    ;;
cut | heal)
    [ $# = 2 ] || { echo "$prog: $1 needs a host" >&2 && usage; }
    "do_$1" "$2"
    ;;
-h | --help) usage ;;
*) echo "$prog: unknown command '$1'" >&2 && usage ;;
esac
