/*
 * ucx_shm.h - how ordo configures UCX for peer error handling on a node:
 * shared memory kept, a 1 s keepalive (see tl_ucx.c for why).  Header-only,
 * so that the benchmarks' raw UCX baseline (benchmarks/bench_ucx.c), which
 * sees only the public API otherwise, configures UCX exactly as ordo does.
 */
#ifndef ORDO_RUNTIME_UCX_SHM_H
#define ORDO_RUNTIME_UCX_SHM_H

#include <stdlib.h>
#include <string.h>
#include <ucp/api/ucp.h>

/* What ordo__ucx_peer_errors_config could not set (UCX refused it). */
#define ORDO__UCX_NO_SHM       0x1u
#define ORDO__UCX_NO_KEEPALIVE 0x2u

/* Does UCX_TLS let shared memory in?  (Unset, "all", a list naming sm, shm,
 * posix, sysv or mm, or a "^" list of exclusions that does not name them.) */
static inline int ordo__ucx_tls_allow_shm(void)
{
    const char *tls = getenv("UCX_TLS");
    if (!tls || !*tls)
        return 1;
    int exclude = tls[0] == '^';
    int named = strstr(tls, "sm") || strstr(tls, "posix") || strstr(tls, "sysv") ||
                strstr(tls, "mm") || (!exclude && strstr(tls, "all"));
    return exclude ? !named : named;
}

/* Shared memory with peer error handling and a 1 s keepalive, unless the
 * environment sets them (ucp_config_modify would override it) or UCX_TLS
 * leaves shared memory out (asking for it then makes UCX print "invalid
 * configuration").  Returns the ORDO__UCX_NO_* bits of what UCX refused. */
static inline unsigned ordo__ucx_peer_errors_config(ucp_config_t *config)
{
    unsigned refused = 0;
    if (ordo__ucx_tls_allow_shm() && !getenv("UCX_MM_ERROR_HANDLING") &&
        !getenv("UCX_POSIX_ERROR_HANDLING") && !getenv("UCX_SYSV_ERROR_HANDLING") &&
        ucp_config_modify(config, "MM_ERROR_HANDLING", "y") != UCS_OK)
        refused |= ORDO__UCX_NO_SHM;
    if (!getenv("UCX_KEEPALIVE_INTERVAL") &&
        ucp_config_modify(config, "KEEPALIVE_INTERVAL", "1s") != UCS_OK)
        refused |= ORDO__UCX_NO_KEEPALIVE;
    return refused;
}

#endif /* ORDO_RUNTIME_UCX_SHM_H */
