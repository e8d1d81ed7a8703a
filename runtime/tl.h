/*
 * tl.h - the transport interface.  The message layer talks to the network
 * only through this ops table, and checks what a backend can do in its
 * capability flags instead of assuming it.  Backends are chosen by name
 * (ORDO_TRANSPORT) from ordo__tl_backends; UCX (tl_ucx.c) is the one that
 * ships (an MPI point-to-point backend, for SimGrid's SMPI, would be a
 * second entry there and nothing else).
 */
#ifndef ORDO_RUNTIME_TL_H
#define ORDO_RUNTIME_TL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Returned by send when completion will be reported later. */
#define ORDO__INPROGRESS 1
#define ORDO__AGAIN      2 /* send with no request: could not complete at once, nothing sent */

typedef struct ordo__tl ordo__tl_t;
typedef struct ordo__tl_mem ordo__tl_mem_t; /* a registered buffer */

/* Embedded by the caller of send; complete() runs once the buffers may be reused. */
typedef struct ordo__tl_send_req {
    void (*complete)(struct ordo__tl_send_req *req, int status);
} ordo__tl_send_req_t;

typedef struct ordo__tl_params {
    int rank, nranks;
    int wakeup;      /* support tl->wait (event fd) */
    int peer_errors; /* detect dead peers */
    int light;       /* active messages only (no RMA, no memory registration), driven by one
                        thread: the failure detector's own channel */
    /* A message arrived.  hdr and data are valid during the call only. */
    void (*recv)(void *arg, const void *hdr, size_t hlen, const void *data, size_t len);
    /* Peer found dead or unreachable; called once per peer. */
    void (*peer_failed)(void *arg, int peer, int status);
    void *arg;
} ordo__tl_params_t;

/* Capabilities (ordo__tl_ops_t.caps). */
#define ORDO__TL_CAP_GET        0x1u  /* get: RDMA reads of a peer's registered memory */
#define ORDO__TL_CAP_MEM_REG    0x2u  /* mem_reg / mem_release: register memory for peers */
#define ORDO__TL_CAP_MEM_ALLOC  0x4u  /* mem_alloc / mem_free / mem_is_alloc */
#define ORDO__TL_CAP_SEND_SHORT 0x8u  /* send_short, and send with no req */
#define ORDO__TL_CAP_EVENT_FD   0x10u /* arm / sleep: wait for the network without spinning */
#define ORDO__TL_CAP_PEER_ERR   0x20u /* peer_failed: dead or unreachable peers are reported */
/* The rendezvous needs both. */
#define ORDO__TL_CAP_RNDV (ORDO__TL_CAP_GET | ORDO__TL_CAP_MEM_REG)

typedef struct ordo__tl_ops {
    const char *name;
    const char *doc; /* one line, for ordo_info */
    unsigned caps;   /* ORDO__TL_CAP_*: ops outside them may be NULL */
    int (*open)(const ordo__tl_params_t *params, ordo__tl_t **tl);
    /* This process's address, to be sent to every peer. */
    int (*address)(ordo__tl_t *tl, const void **addr, size_t *len);
    /* Learn every rank's address: rank r's is at addrs + r*stride, lens[r] bytes. */
    int (*connect)(ordo__tl_t *tl, const void *addrs, size_t stride, const size_t *lens);
    /* Send hdr+data to peer.  ORDO_OK: done, buffers free; ORDO__INPROGRESS:
     * req->complete() follows; negative: failed, nothing sent.  With req
     * NULL the send completes at once or not at all: ORDO__AGAIN when it
     * would have to wait (nothing sent). */
    int (*send)(ordo__tl_t *tl, int peer, const void *hdr, size_t hlen, const void *data,
                size_t len, ordo__tl_send_req_t *req);
    /* send of one buffer with no header and no req, for the short paths:
     * ORDO_OK (sent, buf free), ORDO__AGAIN (nothing sent) or negative. */
    int (*send_short)(ordo__tl_t *tl, int peer, const void *buf, size_t len);
    /* Register [addr, addr+len) for remote reads by peers, through a cache:
     * a buffer used again is not registered again (the cache forgets ranges
     * the process unmaps).  *rkey (rkey_len bytes) is what a peer needs to
     * read it; both stay valid until mem_release. */
    int (*mem_reg)(ordo__tl_t *tl, void *addr, size_t len, ordo__tl_mem_t **mem, const void **rkey,
                   size_t *rkey_len);
    void (*mem_release)(ordo__tl_t *tl, ordo__tl_mem_t *mem);
    /* Allocate len bytes peers read directly (on a node they map it), already
     * registered: mem_reg of a range inside it costs nothing. */
    int (*mem_alloc)(ordo__tl_t *tl, size_t len, void **addr);
    /* Free what mem_alloc gave (ORDO_ERR_INVALID for anything else); a
     * registration still in use keeps it until mem_release. */
    int (*mem_free)(ordo__tl_t *tl, void *addr);
    /* 1 if [addr, addr+len) lies in memory from mem_alloc. */
    int (*mem_is_alloc)(ordo__tl_t *tl, const void *addr, size_t len);
    /* Read len bytes at remote_addr of peer (described by rkey) into dst.
     * Returns like send. */
    int (*get)(ordo__tl_t *tl, int peer, void *dst, size_t len, uint64_t remote_addr,
               const void *rkey, size_t rkey_len, ordo__tl_send_req_t *req);
    /* A local pointer to remote_addr of peer (described by rkey), where the
     * transport maps that memory into this process (a peer on the node, its
     * mem_alloc memory): ORDO_OK, *ptr, and *hold, which keeps the mapping
     * until map_release; ORDO_ERR_UNSUPPORTED where it does not.  NULL in a
     * backend that never maps. */
    int (*map)(ordo__tl_t *tl, int peer, const void *rkey, size_t rkey_len, uint64_t remote_addr,
               void **ptr, void **hold);
    void (*map_release)(ordo__tl_t *tl, void *hold);
    /* Make progress; returns the number of events (>= 0). */
    int (*progress)(ordo__tl_t *tl);
    /* Prepare to sleep: ORDO_OK if nothing is pending, ORDO__INPROGRESS if
     * there is work (progress instead). */
    int (*arm)(ordo__tl_t *tl);
    /* Sleep until the network may have something, at most timeout_ms. */
    void (*sleep)(ordo__tl_t *tl, int timeout_ms);
    /* Write a short description of the transports used to reach peer. */
    int (*describe)(ordo__tl_t *tl, int peer, char *buf, size_t len);
    /* Write what the backend is (library and version, settings that matter). */
    void (*about)(ordo__tl_t *tl, char *buf, size_t len);
    /* The membership view declared peer failed (the transport may not know):
     * close its endpoint, ending what it still holds; sends to it fail from
     * now on.  Never called from inside the backend's own callbacks. */
    void (*peer_down)(ordo__tl_t *tl, int peer);
    /* Close endpoints (waiting at most timeout_ms for clean close) and release all. */
    void (*close)(ordo__tl_t *tl, int timeout_ms);
} ordo__tl_ops_t;

extern const ordo__tl_ops_t ordo__tl_ucx_ops;

/* Every backend built in, NULL-terminated (ORDO_TRANSPORT picks by name). */
extern const ordo__tl_ops_t *const ordo__tl_backends[];
extern const char *const ordo__tl_names[];
/* The backend called name, or NULL. */
const ordo__tl_ops_t *ordo__tl_find(const char *name);

#endif
