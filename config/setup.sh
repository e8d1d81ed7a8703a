# config/setup.sh - sourced by run.sh and test.sh: install what is missing
# (Debian 12, as root), then configure and build ordo in $ORDO_BUILD_DIR.
#
#   ordo_setup_packages          install missing Debian packages
#   ordo_build DIR [CONFIGURE ARGS...]
#                                autoreconf if needed, configure in DIR, make

ORDO_PACKAGES="build-essential autoconf automake libtool pkg-config \
libopenmpi-dev openmpi-bin libucx-dev ucx-utils libhwloc-dev libpapi-dev libcunit1-dev \
slurm-wlm munge clang libclang-rt-14-dev gnuplot-nox"

ordo_log() { printf '== %s\n' "$*"; }

ordo_setup_packages() {
    missing=""
    for p in $ORDO_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "missing Debian packages:$missing" >&2
        echo "install them as root: apt-get install$missing" >&2
        return 1
    fi
    ordo_log "installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || return 1
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null || return 1
}

ordo_build() {
    dir=$1
    shift
    src=$(pwd)
    if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ] ||
        [ "$src/Makefile.am" -nt "$src/Makefile.in" ]; then
        ordo_log "autoreconf"
        (cd "$src" && autoreconf -fi >/dev/null) || return 1
    fi
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ] || [ "$src/configure" -nt "$dir/Makefile" ]; then
        ordo_log "configure in $dir $*"
        (cd "$dir" && "$src/configure" -q "$@") || return 1
    fi
    ordo_log "build in $dir"
    make -C "$dir" -j"$(nproc)" -s >/dev/null || make -C "$dir" || return 1
}

# Open MPI refuses to run as root unless told; our launches say so.
ORDO_MPIRUN="mpirun --allow-run-as-root --oversubscribe"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
