/* tl_ucx.c - the UCX backend of the transport interface (ucp active messages). */
#include "ordo_config.h"

#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/tl.h"

#include <ordo.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <ucp/api/ucp.h>

#define ORDO__UCX_AM_ID 0x0d0

typedef struct ucx_peer {
    struct ordo__tl *tl;
    int rank;
    int failed;
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
};

static int ucx_status(ucs_status_t s)
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

static ucs_status_t am_recv_cb(void *arg, const void *header, size_t header_length, void *data,
                               size_t length, const ucp_am_recv_param_t *param)
{
    struct ordo__tl *tl = arg;
    if (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV) {
        /* ordo sends every active message eagerly; a rendezvous one is foreign. */
        ordo_log_warn("dropped an active message that arrived by UCX rendezvous (%zu bytes)",
                      length);
        return UCS_OK;
    }
    tl->params.recv(tl->params.arg, header, header_length, data, length);
    return UCS_OK;
}

static void ep_error_cb(void *arg, ucp_ep_h ep, ucs_status_t status)
{
    ucx_peer_t *peer = arg;
    (void)ep;
    if (peer->failed)
        return;
    peer->failed = 1;
    ordo_log_debug("endpoint to rank %d: %s", peer->rank, ucs_status_string(status));
    peer->tl->params.peer_failed(peer->tl->params.arg, peer->rank, ORDO_ERR_PEER_FAILED);
}

static int ucx_open(const ordo__tl_params_t *params, ordo__tl_t **out)
{
    ucp_params_t cp = {0};
    ucp_worker_params_t wp = {0};
    ucp_am_handler_param_t ap = {0};
    ucp_config_t *config = NULL;
    ucs_status_t s;
    int status = ORDO_ERR_TRANSPORT;

    struct ordo__tl *tl = calloc(1, sizeof(*tl));
    if (!tl)
        return ORDO_ERR_NOMEM;
    tl->params = *params;
    tl->efd = -1;
    tl->peers = calloc((size_t)params->nranks, sizeof(*tl->peers));
    if (!tl->peers) {
        status = ORDO_ERR_NOMEM;
        goto err_free;
    }

    s = ucp_config_read(NULL, NULL, &config);
    if (s != UCS_OK) {
        ordo_log_error("ucp_config_read: %s (check the UCX_* environment variables)",
                       ucs_status_string(s));
        goto err_free;
    }
    cp.field_mask = UCP_PARAM_FIELD_FEATURES | UCP_PARAM_FIELD_MT_WORKERS_SHARED;
    cp.features = UCP_FEATURE_AM | UCP_FEATURE_RMA;
    if (params->wakeup)
        cp.features |= UCP_FEATURE_WAKEUP;
    cp.mt_workers_shared = 0;
    s = ucp_init(&cp, config, &tl->context);
    ucp_config_release(config);
    if (s != UCS_OK) {
        ordo_log_error("ucp_init: %s", ucs_status_string(s));
        goto err_free;
    }

    wp.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
    wp.thread_mode = UCS_THREAD_MODE_SERIALIZED;
    s = ucp_worker_create(tl->context, &wp, &tl->worker);
    if (s != UCS_OK) {
        ordo_log_error("ucp_worker_create: %s", ucs_status_string(s));
        goto err_cleanup;
    }
    s = ucp_worker_get_address(tl->worker, &tl->addr, &tl->addr_len);
    if (s != UCS_OK) {
        ordo_log_error("ucp_worker_get_address: %s", ucs_status_string(s));
        goto err_worker;
    }
    if (params->wakeup) {
        s = ucp_worker_get_efd(tl->worker, &tl->efd);
        if (s != UCS_OK) {
            ordo_log_error("ucp_worker_get_efd: %s", ucs_status_string(s));
            goto err_addr;
        }
    }
    ap.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_FLAGS |
                    UCP_AM_HANDLER_PARAM_FIELD_CB | UCP_AM_HANDLER_PARAM_FIELD_ARG;
    ap.id = ORDO__UCX_AM_ID;
    ap.flags = UCP_AM_FLAG_WHOLE_MSG;
    ap.cb = am_recv_cb;
    ap.arg = tl;
    s = ucp_worker_set_am_recv_handler(tl->worker, &ap);
    if (s != UCS_OK) {
        ordo_log_error("ucp_worker_set_am_recv_handler: %s", ucs_status_string(s));
        goto err_addr;
    }
    for (int r = 0; r < params->nranks; r++) {
        tl->peers[r].tl = tl;
        tl->peers[r].rank = r;
    }
    *out = tl;
    return ORDO_OK;

err_addr:
    ucp_worker_release_address(tl->worker, tl->addr);
err_worker:
    ucp_worker_destroy(tl->worker);
err_cleanup:
    ucp_cleanup(tl->context);
err_free:
    free(tl->peers);
    free(tl);
    return status;
}

static int ucx_address(ordo__tl_t *tl, const void **addr, size_t *len)
{
    *addr = tl->addr;
    *len = tl->addr_len;
    return ORDO_OK;
}

static int ucx_connect(ordo__tl_t *tl, const void *addrs, size_t stride, const size_t *lens)
{
    for (int r = 0; r < tl->params.nranks; r++) {
        ucx_peer_t *p = &tl->peers[r];
        p->addr = malloc(lens[r]);
        if (!p->addr)
            return ORDO_ERR_NOMEM;
        memcpy(p->addr, (const char *)addrs + (size_t)r * stride, lens[r]);
        p->addr_len = lens[r];
    }
    return ORDO_OK;
}

/* Endpoints are created on first use. */
static int peer_ep(ordo__tl_t *tl, int rank, ucp_ep_h *ep)
{
    ucx_peer_t *p = &tl->peers[rank];
    ucp_ep_params_t ep_params = {0};
    ucs_status_t s;

    if (p->failed)
        return ORDO_ERR_PEER_FAILED;
    if (p->ep) {
        *ep = p->ep;
        return ORDO_OK;
    }
    ep_params.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS | UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE;
    ep_params.address = p->addr;
    ep_params.err_mode = UCP_ERR_HANDLING_MODE_NONE;
    if (tl->params.peer_errors) {
        ep_params.field_mask |= UCP_EP_PARAM_FIELD_ERR_HANDLER;
        ep_params.err_mode = UCP_ERR_HANDLING_MODE_PEER;
        ep_params.err_handler.cb = ep_error_cb;
        ep_params.err_handler.arg = p;
    }
    s = ucp_ep_create(tl->worker, &ep_params, &p->ep);
    if (s != UCS_OK) {
        ordo_log_error("ucp_ep_create to rank %d: %s", rank, ucs_status_string(s));
        p->ep = NULL;
        return ucx_status(s);
    }
    *ep = p->ep;
    return ORDO_OK;
}

static void send_cb(void *request, ucs_status_t status, void *user_data)
{
    ordo__tl_send_req_t *req = user_data;
    ucp_request_free(request);
    req->complete(req, ucx_status(status));
}

static int ucx_send(ordo__tl_t *tl, int peer, const void *hdr, size_t hlen, const void *data,
                    size_t len, ordo__tl_send_req_t *req)
{
    ucp_request_param_t rp;
    ucp_ep_h ep;
    int status = peer_ep(tl, peer, &ep);
    if (status != ORDO_OK)
        return status;

    rp.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA |
                      UCP_OP_ATTR_FIELD_FLAGS | UCP_OP_ATTR_FIELD_DATATYPE;
    rp.flags = UCP_AM_SEND_FLAG_EAGER;
    rp.cb.send = send_cb;
    rp.user_data = req;
    rp.datatype = ucp_dt_make_contig(1);
    ucs_status_ptr_t sp = ucp_am_send_nbx(ep, ORDO__UCX_AM_ID, hdr, hlen, data, len, &rp);
    if (sp == NULL)
        return ORDO_OK;
    if (UCS_PTR_IS_ERR(sp)) {
        ucs_status_t s = UCS_PTR_STATUS(sp);
        ordo_log_debug("ucp_am_send_nbx to rank %d: %s", peer, ucs_status_string(s));
        return tl->peers[peer].failed ? ORDO_ERR_PEER_FAILED : ucx_status(s);
    }
    return ORDO__INPROGRESS;
}

static int ucx_progress(ordo__tl_t *tl)
{
    return (int)ucp_worker_progress(tl->worker);
}

static int ucx_wait(ordo__tl_t *tl, int timeout_ms)
{
    if (tl->efd < 0)
        return ORDO_ERR_UNSUPPORTED;
    ucs_status_t s = ucp_worker_arm(tl->worker);
    if (s == UCS_ERR_BUSY)
        return ORDO_OK; /* events are pending: go and progress */
    if (s != UCS_OK)
        return ucx_status(s);
    struct pollfd pfd = {.fd = tl->efd, .events = POLLIN};
    poll(&pfd, 1, timeout_ms);
    return ORDO_OK;
}

static int ucx_describe(ordo__tl_t *tl, int peer, char *buf, size_t len)
{
    char *text = NULL;
    size_t text_len = 0;
    ucp_ep_h ep;
    int status = peer_ep(tl, peer, &ep);
    if (status != ORDO_OK)
        return status;
    FILE *mem = open_memstream(&text, &text_len);
    if (!mem)
        return ORDO_ERR_NOMEM;
    ucp_ep_print_info(ep, mem);
    fclose(mem);

    /* Keep the distinct "transport/device" names of the lanes, in order. */
    size_t used = 0;
    buf[0] = '\0';
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *lane = strstr(line, "lane[");
        char *name = lane ? strchr(lane, ':') : NULL;
        if (!name)
            continue;
        name++;
        while (*name == ' ')
            name++;
        /* "2:tcp/lo.0 md[1] ..." -> "tcp/lo" ; skip the resource index */
        char *colon = strchr(name, ':');
        if (colon && colon - name < 4)
            name = colon + 1;
        size_t n = strcspn(name, " .");
        char tlname[64];
        snprintf(tlname, sizeof(tlname), "%.*s", (int)n, name);
        if (strstr(buf, tlname))
            continue;
        used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? "," : "",
                                 tlname);
    }
    free(text);
    return ORDO_OK;
}

static void ucx_close(ordo__tl_t *tl, int timeout_ms)
{
    ucp_request_param_t rp = {0};
    void **reqs = calloc((size_t)tl->params.nranks, sizeof(void *));

    for (int r = 0; r < tl->params.nranks; r++) {
        ucx_peer_t *p = &tl->peers[r];
        if (!p->ep)
            continue;
        rp.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
        rp.flags = p->failed ? UCP_EP_CLOSE_FLAG_FORCE : 0;
        void *req = ucp_ep_close_nbx(p->ep, &rp);
        if (UCS_PTR_IS_PTR(req) && reqs)
            reqs[r] = req;
        p->ep = NULL;
    }
    /* Wait for the closes, but never forever: a peer may be gone. */
    uint64_t deadline = ordo__now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (int r = 0; reqs && r < tl->params.nranks; r++) {
        while (reqs[r] && ucp_request_check_status(reqs[r]) == UCS_INPROGRESS &&
               ordo__now_ns() < deadline)
            ucp_worker_progress(tl->worker);
        if (reqs[r] && ucp_request_check_status(reqs[r]) == UCS_INPROGRESS)
            ordo_log_warn("closing the endpoint to rank %d timed out", r);
        else if (reqs[r])
            ucp_request_free(reqs[r]);
    }
    free(reqs);
    for (int r = 0; r < tl->params.nranks; r++)
        free(tl->peers[r].addr);
    ucp_worker_release_address(tl->worker, tl->addr);
    ucp_worker_destroy(tl->worker);
    ucp_cleanup(tl->context);
    free(tl->peers);
    free(tl);
}

const ordo__tl_ops_t ordo__tl_ucx_ops = {
    .name = "ucx",
    .open = ucx_open,
    .address = ucx_address,
    .connect = ucx_connect,
    .send = ucx_send,
    .progress = ucx_progress,
    .wait = ucx_wait,
    .describe = ucx_describe,
    .close = ucx_close,
};
