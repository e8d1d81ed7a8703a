#!/bin/sh
# tests/install_check.sh BUILD_DIR - install ordo into a scratch root, build the
# README's example outside the tree with mpicc $(pkg-config --cflags --libs ordo)
# and run it on 2 ranks.
set -eu
build=$(cd "$1" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

make -C "$build" -s install DESTDIR="$root" >/dev/null
prefix=$(sed -n 's/^prefix=//p' "$build/ordo.pc")
libdir=$(sed -n 's/^libdir=//p' "$build/ordo.pc" | sed "s|\${exec_prefix}|$prefix|")
export PKG_CONFIG_PATH="$root$libdir/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$root"
export LD_LIBRARY_PATH="$root$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

cat >"$root/app.c" <<'C'
#include <ordo.h>
#include <stdio.h>
#include <string.h>

static int echo(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, msg->data, msg->len);
}

int main(int argc, char **argv)
{
    char reply[64] = "";
    size_t len = 0;
    if (ordo_init(&argc, &argv) != ORDO_OK)
        return 1;
    ordo_rpc_register(1, echo, NULL);
    ordo_barrier();
    int peer = (ordo_rank() + 1) % ordo_size();
    int s = ordo_rpc_call(peer, 1, "hi", 3, reply, sizeof(reply), &len);
    printf("rank %d: call to %d: %s, reply '%s'\n", ordo_rank(), peer, ordo_strerror(s), reply);
    ordo_barrier();
    return ordo_finalize() == ORDO_OK && s == ORDO_OK && !strcmp(reply, "hi") ? 0 : 1;
}
C
flags=$(pkg-config --cflags --libs ordo)
echo "mpicc app.c -o app $flags"
mpicc -Wall -Werror "$root/app.c" -o "$root/app" $flags
mpirun --allow-run-as-root --oversubscribe -np 2 "$root/app"
echo "install check: ok"
