#!/bin/sh
# jobs/netns-rsh.sh HOST COMMAND... - a remote shell for the hosts of
# jobs/netns-cluster.sh: runs COMMAND (joined with spaces and read by sh, as
# ssh does) inside the network namespace HOST, with hostname HOST in a UTS
# namespace of its own. mpirun uses it as --mca plm_rsh_agent.
prog=netns-rsh.sh
if [ $# -lt 2 ]; then
    echo "Usage: $prog HOST COMMAND..." >&2
    exit 2
fi
host=$1
shift
case $host in
'' | *[!A-Za-z0-9_.-]*) echo "$prog: bad host name '$host'" >&2 && exit 2 ;;
esac
[ -e "/run/netns/$host" ] ||
    { echo "$prog: no network namespace '$host' (jobs/netns-cluster.sh status)" >&2 && exit 255; }
# shellcheck disable=SC2016
exec ip netns exec "$host" unshare --uts sh -c 'hostname "$0" && eval "$1"' "$host" "$*"
