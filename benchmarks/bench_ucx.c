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

int bench_ucx_open(const bench_t *b, size_t max_size, bench_ucx_t **out)
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
    ucp_params_t cp = {.field_mask = UCP_PARAM_FIELD_FEATURES, .features = UCP_FEATURE_AM};
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

int bench_ucx_pingpong(bench_ucx_t *u, const bench_t *b, size_t size, int iters, int warmup,
                       double *samples, size_t *n)
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
                samples[(*n)++] = (bench_now_us() - t0) / 2;
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

void bench_ucx_close(bench_ucx_t *u)
{
    if (!u)
        return;
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
    if (u->ctx)
        ucp_cleanup(u->ctx);
    free(u->sbuf);
    free(u->rbuf);
    free(u);
}
