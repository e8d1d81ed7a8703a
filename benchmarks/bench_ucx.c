/*
 * bench_ucx.c - the raw UCX baseline (see bench_ucx.h).
 */
#include "bench_ucx.h"

#include "runtime/ucx_shm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ucp/api/ucp.h>

#define AM_ID 7

struct bench_ucx {
    ucp_context_h ctx;
    ucp_worker_h worker;
    ucp_ep_h ep;
    void *sbuf; /* what is sent (zeros) */
    void *rbuf; /* where an arriving payload is copied (or pulled) */
    size_t cap;
    ucp_mem_h memh;  /* rma: rma_buf registered */
    void *rma_buf;   /* rma: rank 1's is read, into rank 0's */
    ucp_rkey_h rkey; /* rank 0: rank 1's sbuf */
    uint64_t remote; /* rank 0: its address */
    double *samples; /* rank 0: since bench_ucx_reset */
    size_t nsamples, samples_cap;
    int got;     /* payloads in */
    int pending; /* sends and pulls not complete */
    int failed;  /* a UCX error in a callback */
};

/* As ordo: peer error handling unless ORDO_PEER_ERRORS is off, and then
 * UCX configured as ordo configures it (runtime/ucx_shm.h). */
static int peer_errors(void)
{
    const char *v = getenv("ORDO_PEER_ERRORS");
    static const char *const off[] = {"n", "no", "0", "off", "false"};
    for (size_t i = 0; v && i < sizeof(off) / sizeof(off[0]); i++)
        if (strcasecmp(v, off[i]) == 0)
            return 0;
    return 1;
}

static void op_done(void *request, ucs_status_t status, void *user_data)
{
    bench_ucx_t *u = user_data;
    if (status != UCS_OK)
        u->failed = 1;
    u->pending--;
    ucp_request_free(request);
}

static void pulled(void *request, ucs_status_t status, size_t length, void *user_data)
{
    (void)length;
    op_done(request, status, user_data);
    ((bench_ucx_t *)user_data)->got++;
}

/* A payload arrived: copy it out, or pull it (a rendezvous one). */
static ucs_status_t on_am(void *arg, const void *header, size_t header_length, void *data,
                          size_t length, const ucp_am_recv_param_t *param)
{
    bench_ucx_t *u = arg;
    (void)header;
    (void)header_length;
    if (length > u->cap) {
        u->failed = 1;
        return UCS_OK;
    }
    if (!(param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV)) {
        memcpy(u->rbuf, data, length);
        u->got++;
        return UCS_OK;
    }
    ucp_request_param_t rp = {.op_attr_mask =
                                  UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA,
                              .cb.recv_am = pulled,
                              .user_data = u};
    ucs_status_ptr_t sp = ucp_am_recv_data_nbx(u->worker, data, u->rbuf, length, &rp);
    if (UCS_PTR_IS_ERR(sp))
        u->failed = 1;
    else if (sp == NULL)
        u->got++;
    else
        u->pending++;
    return UCS_INPROGRESS;
}

static int fail(const char *what, ucs_status_t s)
{
    fprintf(stderr, "ucx baseline: %s: %s\n", what, ucs_status_string(s));
    return ORDO_ERR_TRANSPORT;
}

/* bench_ucx_open could not finish: release what it made. */
static int open_failed(bench_ucx_t *u, const char *what, ucs_status_t s)
{
    bench_ucx_close(u);
    return what ? fail(what, s) : ORDO_ERR_NOMEM;
}

/* rma: both ranks take a buffer of size bytes registered with UCX (as
 * ucx_perftest does: UCX allocates it, unless --buffer malloc, as ordo's
 * benchmarks then use malloc), and rank 1 hands rank 0 its address and key. */
static int share_buffer(bench_ucx_t *u, const bench_t *b, size_t size)
{
    ucs_status_t s;
    unsigned long meta[2] = {0, 0}; /* address, key length (0: failed) */
    void *packed = NULL;
    size_t packed_len = 0;
    ucp_mem_map_params_t mp = {.field_mask = UCP_MEM_MAP_PARAM_FIELD_ADDRESS |
                                             UCP_MEM_MAP_PARAM_FIELD_LENGTH |
                                             UCP_MEM_MAP_PARAM_FIELD_FLAGS,
                               .address = b->opts.malloc_buffers ? u->sbuf : NULL,
                               .length = size,
                               .flags = b->opts.malloc_buffers ? 0 : UCP_MEM_MAP_ALLOCATE};
    ucp_mem_attr_t attr = {.field_mask = UCP_MEM_ATTR_FIELD_ADDRESS};
    if ((s = ucp_mem_map(u->ctx, &mp, &u->memh)) != UCS_OK)
        fail("ucp_mem_map", s);
    else if ((s = ucp_mem_query(u->memh, &attr)) != UCS_OK)
        fail("ucp_mem_query", s);
    else
        u->rma_buf = attr.address;
    if (b->role == BENCH_PASSIVE) {
        if (s == UCS_OK && (s = ucp_rkey_pack(u->ctx, u->memh, &packed, &packed_len)) != UCS_OK)
            fail("ucp_rkey_pack", s);
        meta[0] = (unsigned long)(uintptr_t)u->rma_buf;
        meta[1] = s == UCS_OK ? packed_len : 0;
        MPI_Send(meta, 2, MPI_UNSIGNED_LONG, b->peer, 996, MPI_COMM_WORLD);
        if (meta[1])
            MPI_Send(packed, (int)packed_len, MPI_BYTE, b->peer, 995, MPI_COMM_WORLD);
        if (packed)
            ucp_rkey_buffer_release(packed);
        return s == UCS_OK ? ORDO_OK : ORDO_ERR_TRANSPORT;
    }
    MPI_Recv(meta, 2, MPI_UNSIGNED_LONG, b->peer, 996, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (!meta[1] || s != UCS_OK)
        return ORDO_ERR_TRANSPORT; /* rank 1 or this one said why */
    if (!(packed = malloc(meta[1])))
        return ORDO_ERR_NOMEM; /* (rank 1's key is left unreceived: the run ends) */
    MPI_Recv(packed, (int)meta[1], MPI_BYTE, b->peer, 995, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    u->remote = meta[0];
    s = ucp_ep_rkey_unpack(u->ep, packed, &u->rkey);
    free(packed);
    return s == UCS_OK ? ORDO_OK : fail("ucp_ep_rkey_unpack", s);
}

int bench_ucx_open(const bench_t *b, size_t max_size, int rma, bench_ucx_t **out)
{
    ucp_config_t *config;
    ucs_status_t s;
    *out = NULL;
    if (b->role == BENCH_IDLE)
        return ORDO_OK;
    bench_ucx_t *u = calloc(1, sizeof(*u));
    if (!u || !(u->rbuf = malloc(max_size ? max_size : 1)) ||
        !(u->sbuf = calloc(1, max_size ? max_size : 1))) {
        if (u)
            free(u->rbuf);
        free(u);
        return ORDO_ERR_NOMEM;
    }
    u->cap = max_size;
    int pe = peer_errors();
    if ((s = ucp_config_read(NULL, NULL, &config)) != UCS_OK)
        return open_failed(u, "ucp_config_read", s);
    if (pe && ordo__ucx_peer_errors_config(config) != 0)
        fprintf(stderr, "ucx baseline: UCX refused ordo's settings for peer error handling\n");
    ucp_params_t cp = {.field_mask = UCP_PARAM_FIELD_FEATURES,
                       .features = UCP_FEATURE_AM | (rma ? UCP_FEATURE_RMA : 0)};
    s = ucp_init(&cp, config, &u->ctx);
    ucp_config_release(config);
    if (s != UCS_OK)
        return open_failed(u, "ucp_init", s);
    ucp_worker_params_t wp = {.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE,
                              .thread_mode = UCS_THREAD_MODE_SINGLE};
    if ((s = ucp_worker_create(u->ctx, &wp, &u->worker)) != UCS_OK)
        return open_failed(u, "ucp_worker_create", s);
    ucp_am_handler_param_t hp = {.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID |
                                               UCP_AM_HANDLER_PARAM_FIELD_CB |
                                               UCP_AM_HANDLER_PARAM_FIELD_ARG,
                                 .id = AM_ID,
                                 .cb = on_am,
                                 .arg = u};
    if ((s = ucp_worker_set_am_recv_handler(u->worker, &hp)) != UCS_OK)
        return open_failed(u, "ucp_worker_set_am_recv_handler", s);

    ucp_address_t *addr;
    size_t len, peer_len = 0;
    if ((s = ucp_worker_get_address(u->worker, &addr, &len)) != UCS_OK)
        return open_failed(u, "ucp_worker_get_address", s);
    unsigned long mine = len, theirs = 0;
    MPI_Sendrecv(&mine, 1, MPI_UNSIGNED_LONG, b->peer, 998, &theirs, 1, MPI_UNSIGNED_LONG, b->peer,
                 998, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    peer_len = theirs;
    void *peer = malloc(peer_len);
    if (!peer) {
        ucp_worker_release_address(u->worker, addr);
        return open_failed(u, NULL, UCS_OK);
    }
    MPI_Sendrecv(addr, (int)len, MPI_BYTE, b->peer, 997, peer, (int)peer_len, MPI_BYTE, b->peer,
                 997, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    ucp_worker_release_address(u->worker, addr);
    ucp_ep_params_t ep = {.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS |
                                        UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE,
                          .address = peer,
                          .err_mode = pe ? UCP_ERR_HANDLING_MODE_PEER : UCP_ERR_HANDLING_MODE_NONE};
    s = ucp_ep_create(u->worker, &ep, &u->ep);
    free(peer);
    if (s != UCS_OK)
        return open_failed(u, "ucp_ep_create", s);
    int st = rma ? share_buffer(u, b, max_size ? max_size : 1) : ORDO_OK;
    if (st != ORDO_OK) {
        bench_ucx_close(u);
        return st;
    }
    *out = u;
    return ORDO_OK;
}

static int send_one(bench_ucx_t *u, const void *buf, size_t size)
{
    ucp_request_param_t rp = {.op_attr_mask =
                                  UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA,
                              .cb.send = op_done,
                              .user_data = u};
    ucs_status_ptr_t sp = ucp_am_send_nbx(u->ep, AM_ID, NULL, 0, buf, size, &rp);
    if (UCS_PTR_IS_ERR(sp))
        return fail("ucp_am_send_nbx", UCS_PTR_STATUS(sp));
    if (sp != NULL)
        u->pending++;
    return ORDO_OK;
}

/* Progress until a payload is in and nothing is pending. */
static int wait_one(bench_ucx_t *u)
{
    while ((u->got == 0 || u->pending) && !u->failed)
        ucp_worker_progress(u->worker);
    u->got--;
    return u->failed ? fail("a send or pull", UCS_ERR_IO_ERROR) : ORDO_OK;
}

bench_ucx_t *bench_ucx_start(const bench_t *b, const char *note, int rma)
{
    bench_ucx_t *u = NULL;
    if (!b->opts.ucx)
        return NULL;
    bench_note(b, "%s", note);
    int s = bench_ucx_open(b, b->opts.max_size, rma, &u);
    if (s != ORDO_OK)
        bench_fail(b, "the UCX baseline", 0, s);
    return u;
}

int bench_ucx_blocks(const bench_t *b, int iters)
{
    return b->opts.ucx && iters >= BENCH_UCX_BLOCKS ? BENCH_UCX_BLOCKS : 1;
}

int bench_ucx_block_len(int iters, int blocks, int k)
{
    return iters / blocks + (k < iters % blocks);
}

int bench_ucx_reset(bench_ucx_t *u, int iters)
{
    if (!u)
        return ORDO_OK;
    u->nsamples = 0;
    if ((size_t)iters <= u->samples_cap)
        return ORDO_OK;
    double *p = realloc(u->samples, (size_t)iters * sizeof(double));
    if (!p)
        return ORDO_ERR_NOMEM;
    u->samples = p;
    u->samples_cap = (size_t)iters;
    return ORDO_OK;
}

int bench_ucx_stats(const bench_ucx_t *u, const bench_t *b, bench_stats_t *st)
{
    if (!u || !u->nsamples)
        return 0;
    bench_stats_of(b, u->samples, u->nsamples, st);
    return 1;
}

/* Rank 0: one timed sample (room was made by bench_ucx_reset). */
static void add_sample(bench_ucx_t *u, double us)
{
    if (u->nsamples < u->samples_cap)
        u->samples[u->nsamples++] = us;
}

int bench_ucx_pingpong(bench_ucx_t *u, const bench_t *b, size_t size, int iters, int warmup)
{
    int s = ORDO_OK;
    if (!u)
        return ORDO_OK;
    const void *sbuf = u->sbuf;
    bench_mpi_sync(b);
    for (int i = 0; i < warmup + iters && s == ORDO_OK; i++) {
        if (b->role == BENCH_ACTIVE) {
            double t0 = bench_now_us();
            s = send_one(u, sbuf, size);
            if (s == ORDO_OK)
                s = wait_one(u);
            if (i >= warmup)
                add_sample(u, (bench_now_us() - t0) / 2);
        } else {
            s = wait_one(u);
            if (s == ORDO_OK)
                s = send_one(u, sbuf, size);
            while (u->pending && !u->failed)
                ucp_worker_progress(u->worker);
        }
    }
    return s;
}

int bench_ucx_get_windows(bench_ucx_t *u, const bench_t *b, size_t size, int window, int iters,
                          int warmup)
{
    int s = ORDO_OK;
    if (!u)
        return ORDO_OK;
    bench_mpi_sync(b);
    if (b->role == BENCH_PASSIVE) {
        /* Nothing to do but progress (a transport without shared memory
         * needs the target's), until rank 0 says it is done. */
        MPI_Request done;
        int flag = 0;
        MPI_Irecv(NULL, 0, MPI_BYTE, b->peer, 994, MPI_COMM_WORLD, &done);
        while (!flag) {
            ucp_worker_progress(u->worker);
            MPI_Test(&done, &flag, MPI_STATUS_IGNORE);
        }
        return ORDO_OK;
    }
    ucp_request_param_t rp = {.op_attr_mask =
                                  UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA,
                              .cb.send = op_done,
                              .user_data = u};
    for (int it = 0; it < warmup + iters && s == ORDO_OK; it++) {
        double t0 = bench_now_us();
        for (int i = 0; i < window && s == ORDO_OK; i++) {
            ucs_status_ptr_t sp = ucp_get_nbx(u->ep, u->rma_buf, size, u->remote, u->rkey, &rp);
            if (UCS_PTR_IS_ERR(sp))
                s = fail("ucp_get_nbx", UCS_PTR_STATUS(sp));
            else if (sp != NULL)
                u->pending++;
        }
        while (u->pending && !u->failed)
            ucp_worker_progress(u->worker);
        if (u->failed)
            s = fail("a get", UCS_ERR_IO_ERROR);
        if (it >= warmup)
            add_sample(u, bench_now_us() - t0);
    }
    MPI_Send(NULL, 0, MPI_BYTE, b->peer, 994, MPI_COMM_WORLD);
    return s;
}

void bench_ucx_close(bench_ucx_t *u)
{
    if (!u)
        return;
    if (u->rkey)
        ucp_rkey_destroy(u->rkey);
    if (u->ep) {
        ucp_request_param_t rp = {.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS,
                                  .flags = UCP_EP_CLOSE_FLAG_FORCE};
        ucs_status_ptr_t sp = ucp_ep_close_nbx(u->ep, &rp);
        while (UCS_PTR_IS_PTR(sp) && ucp_request_check_status(sp) == UCS_INPROGRESS)
            ucp_worker_progress(u->worker);
        if (UCS_PTR_IS_PTR(sp))
            ucp_request_free(sp);
    }
    if (u->worker)
        ucp_worker_destroy(u->worker);
    if (u->memh)
        ucp_mem_unmap(u->ctx, u->memh);
    if (u->ctx)
        ucp_cleanup(u->ctx);
    free(u->samples);
    free(u->sbuf);
    free(u->rbuf);
    free(u);
}
