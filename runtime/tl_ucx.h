/*
 * tl_ucx.h - the UCX backend's insides, shared by its two files (and by
 * nothing else): tl_ucx.c (context, worker, endpoints, active messages,
 * progress, close) and tl_ucx_mem.c (registration cache, ordo_mem_alloc
 * memory, remote keys, RMA get).
 */
#ifndef ORDO_RUNTIME_TL_UCX_H
#define ORDO_RUNTIME_TL_UCX_H

#include "runtime/tl.h"

#include <ordo.h>
#include <stdint.h>
#include <ucp/api/ucp.h>

#pragma GCC visibility push(hidden)

#define ORDO__UCX_AM_ID 0x0d0
/* Registration cache: entries, and unmap events remembered between lookups. */
#define RCACHE_ENTRIES 64
#define UNMAP_RING     64
/* Remote keys a rank keeps unpacked, per peer. */
#define RKEY_ENTRIES 8

/* A registration.  Its remote key, as peers get it, is the registration's
 * id (never reused in this process, so a peer can cache what it unpacked)
 * followed by UCX's packed key. */
struct ordo__tl_mem {
    uintptr_t start, end;
    ucp_mem_h memh;
    void *rkey;
    size_t rkey_len;
    uint32_t id;
    int refs;
    int stale; /* the range was unmapped: never hand out again */
    int used;
    int allocated; /* memory UCX allocated (ordo_mem_alloc): in tl->allocs */
    int freed;     /* allocated, and freed while a send still used it */
    uint64_t last_use;
    struct ordo__tl_mem *next_alloc;
};

/* A peer's remote key, unpacked once and used for every get that names it. */
typedef struct rkey_entry {
    uint32_t id; /* 0: empty */
    int refs;    /* gets in flight */
    ucp_rkey_h rkey;
    uint64_t last_use;
} rkey_entry_t;

typedef struct ucx_peer {
    struct ordo__tl *tl;
    int rank;
    int failed;
    void *closing; /* the forced close of its endpoint when it failed, until ordo__tl close */
    ucp_ep_h ep;
    void *addr;
    size_t addr_len;
} ucx_peer_t;

struct ordo__tl {
    ordo__tl_params_t params;
    ucp_context_h context;
    ucp_worker_h worker;
    ucp_address_t *addr;
    size_t addr_len;
    int efd;
    ucx_peer_t *peers;
    struct ordo__tl_mem rcache[RCACHE_ENTRIES];
    uint64_t rcache_clock;
    unsigned long unmaps_seen;
    int rcache_hooked; /* memory events arrive: caching is safe */
    uint32_t next_mem_id;
    struct ordo__tl_mem *allocs; /* ordo_mem_alloc regions */
    rkey_entry_t *rkeys;         /* RKEY_ENTRIES per peer */
    uint64_t rkey_clock;
};

static inline int ordo__ucx_status(ucs_status_t s)
{
    switch (s) {
    case UCS_OK:
        return ORDO_OK;
    case UCS_ERR_NO_MEMORY:
        return ORDO_ERR_NOMEM;
    case UCS_ERR_INVALID_PARAM:
        return ORDO_ERR_INVALID;
    case UCS_ERR_TIMED_OUT:
    case UCS_ERR_ENDPOINT_TIMEOUT:
        return ORDO_ERR_TIMEOUT;
    case UCS_ERR_UNREACHABLE:
    case UCS_ERR_CONNECTION_RESET:
    case UCS_ERR_REJECTED:
    case UCS_ERR_CANCELED:
        return ORDO_ERR_PEER_FAILED;
    default:
        return ORDO_ERR_TRANSPORT;
    }
}

/* Endpoints (tl_ucx.c): made on first use; the first message to a peer
 * connects (or learns that it is gone). */
int ordo__ucx_peer_connect(ordo__tl_t *tl, int rank, ucp_ep_h *ep);

/* The endpoint to rank, made on first use. */
static inline int ordo__ucx_peer_ep(ordo__tl_t *tl, int rank, ucp_ep_h *ep)
{
    const ucx_peer_t *p = &tl->peers[rank];
    if (p->ep && !p->failed) {
        *ep = p->ep;
        return ORDO_OK;
    }
    return ordo__ucx_peer_connect(tl, rank, ep);
}

/* Memory (tl_ucx_mem.c): the registration cache's hook for unmap events
 * (open), what close releases, a failed or closing peer's remote keys. */
void ordo__ucx_mem_open(ordo__tl_t *tl);
void ordo__ucx_mem_close(ordo__tl_t *tl);
void ordo__ucx_rkeys_drop(ordo__tl_t *tl, int peer);
int ordo__ucx_mem_reg(ordo__tl_t *tl, void *addr, size_t len, ordo__tl_mem_t **out,
                      const void **rkey, size_t *rkey_len);
void ordo__ucx_mem_release(ordo__tl_t *tl, ordo__tl_mem_t *m);
int ordo__ucx_mem_alloc(ordo__tl_t *tl, size_t len, void **addr);
int ordo__ucx_mem_free(ordo__tl_t *tl, void *addr);
int ordo__ucx_mem_is_alloc(ordo__tl_t *tl, const void *addr, size_t len);
int ordo__ucx_map(ordo__tl_t *tl, int peer, const void *rkey, size_t rkey_len, uint64_t remote_addr,
                  void **ptr, void **hold);
void ordo__ucx_map_release(ordo__tl_t *tl, void *hold);
int ordo__ucx_get(ordo__tl_t *tl, int peer, void *dst, size_t len, uint64_t remote_addr,
                  const void *rkey, size_t rkey_len, ordo__tl_send_req_t *req);

#pragma GCC visibility pop

#endif
