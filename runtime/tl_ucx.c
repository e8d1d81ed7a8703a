/*
 * tl_ucx.c - the UCX backend of the transport interface: context, worker,
 * endpoints, active messages, progress and sleep, close (its memory side:
 * tl_ucx_mem.c; what both share: tl_ucx.h).
 */
#include "ordo_config.h"

#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/tl_ucx.h"
#include "runtime/ucx_shm.h"

#include <errno.h>
#include <ordo.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <ucm/api/ucm.h>
#include <ucp/api/ucp.h>

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

/*
 * UCX 1.13 leaves out its shared-memory transports when endpoints ask for peer
 * error handling, and falls back to tcp over loopback (about 30x the latency
 * here).  Shared memory with error handling is a UCX option (MM_ERROR_HANDLING,
 * the parent of POSIX_ and SYSV_ERROR_HANDLING); a dead peer is then found by
 * UCX's keepalive, every UCX_KEEPALIVE_INTERVAL (20 s by default), so ordo
 * asks for 1 s.  A user's own setting of either wins (ucp_config_modify would
 * override the environment, hence the checks).  Measured here: 8 B latency
 * 0.26 us instead of 8.7 us; a killed peer reported within one interval.
 */
static void shm_with_peer_errors(ucp_config_t *config)
{
    unsigned refused = ordo__ucx_peer_errors_config(config);
    if (refused & ORDO__UCX_NO_SHM)
        ordo_log_info("cannot enable shared memory with peer error handling");
    if (refused & ORDO__UCX_NO_KEEPALIVE)
        ordo_log_info("cannot set the UCX keepalive interval");
}

/*
 * UCX has two shared-memory transports, sysv and posix.  With RMA asked for,
 * it gives an endpoint lanes on both, and every ucp_worker_progress then polls
 * both: measured here, that alone makes an 8 B ping-pong 7-15 % slower than
 * with one (a raw UCX ping-pong with and without UCP_FEATURE_RMA; no
 * difference once either is left out).  The active messages go over sysv
 * (UCX's choice), and a rendezvous is pulled by cma, so posix carries nothing
 * ordo needs: unless the user sets UCX_TLS or configures posix (a UCX_POSIX_*
 * variable), ordo leaves it out, provided sysv shared memory works on this
 * host (else posix is all there is).
 */
static void one_shm_transport(ucp_config_t *config)
{
    extern char **environ;
    const char *tls = getenv("UCX_TLS");
    if (tls && *tls)
        return; /* the user's choice */
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "UCX_POSIX_", 10) == 0)
            return; /* posix configured: wanted (and UCX would warn of an unused variable) */
    int id = shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600);
    if (id < 0) {
        ordo_log_debug("System V shared memory unavailable (%s): UCX keeps posix", strerror(errno));
        return;
    }
    shmctl(id, IPC_RMID, NULL);
    if (ucp_config_modify(config, "TLS", "^posix") != UCS_OK)
        ordo_log_info("cannot leave UCX's posix transport out (UCX_TLS=^posix)");
}

#if defined(__SANITIZE_ADDRESS__)
#define ORDO__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ORDO__ASAN 1
#endif
#endif

/*
 * UCX's own registration cache learns of unmapped memory from UCM's hooks.
 * AddressSanitizer frees large blocks with a raw munmap those hooks never
 * see, so the cache keeps regions that are gone: when a new mapping lands
 * in one, ucp_mem_map(UCP_MEM_MAP_ALLOCATE) answers with the old region's
 * address (UCX 1.13; ordo_mem_alloc then handed out unmapped memory, 1 run
 * in 7 of rpc_tcp_np2 under ASan).  Built with ASan, ordo turns that cache
 * off unless the user set UCX_RCACHE_ENABLE; ordo's cache above it stays.
 */
static void rcache_for_sanitizer(ucp_config_t *config)
{
#ifdef ORDO__ASAN
    if (!getenv("UCX_RCACHE_ENABLE") && ucp_config_modify(config, "RCACHE_ENABLE", "n") != UCS_OK)
        ordo_log_info("cannot turn UCX's registration cache off under AddressSanitizer");
#else
    (void)config;
#endif
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
    tl->rkeys = calloc((size_t)params->nranks * RKEY_ENTRIES, sizeof(*tl->rkeys));
    if (!tl->peers || !tl->rkeys) {
        status = ORDO_ERR_NOMEM;
        goto err_free;
    }

    s = ucp_config_read(NULL, NULL, &config);
    if (s != UCS_OK) {
        ordo_log_error("ucp_config_read: %s (check the UCX_* environment variables)",
                       ucs_status_string(s));
        goto err_free;
    }
    one_shm_transport(config);
    rcache_for_sanitizer(config);
    if (params->peer_errors)
        shm_with_peer_errors(config);
    cp.field_mask = UCP_PARAM_FIELD_FEATURES | UCP_PARAM_FIELD_MT_WORKERS_SHARED;
    cp.features = UCP_FEATURE_AM | (params->light ? 0 : UCP_FEATURE_RMA);
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
    /* A progress thread and the application both drive the worker (under the
     * runtime's lock): UCX must then also guard its own asynchronous events. */
    wp.thread_mode = params->light ? UCS_THREAD_MODE_SINGLE : UCS_THREAD_MODE_SERIALIZED;
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
    if (!params->light)
        ordo__ucx_mem_open(tl);
    *out = tl;
    return ORDO_OK;

err_addr:
    ucp_worker_release_address(tl->worker, tl->addr);
err_worker:
    ucp_worker_destroy(tl->worker);
err_cleanup:
    ucp_cleanup(tl->context);
err_free:
    free(tl->rkeys);
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

/* Endpoints are created on first use: ordo__ucx_peer_ep's first message to
 * a peer connects (or learns that it is gone). */
int ordo__ucx_peer_connect(ordo__tl_t *tl, int rank, ucp_ep_h *ep)
{
    ucx_peer_t *p = &tl->peers[rank];
    ucs_status_t s;

    if (p->failed)
        return ORDO_ERR_PEER_FAILED;
    ucp_ep_params_t ep_params = {0};
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
        /* The peer is gone or unreachable: said once, by the membership view
         * (a warning per attempt helped no one). */
        ordo_log_debug("ucp_ep_create to rank %d: %s", rank, ucs_status_string(s));
        p->ep = NULL;
        int status = ordo__ucx_status(s);
        if (status == ORDO_ERR_PEER_FAILED || status == ORDO_ERR_TIMEOUT) {
            p->failed = 1;
            tl->params.peer_failed(tl->params.arg, rank, ORDO_ERR_PEER_FAILED);
            return ORDO_ERR_PEER_FAILED;
        }
        return status;
    }
    *ep = p->ep;
    return ORDO_OK;
}

static void send_cb(void *request, ucs_status_t status, void *user_data)
{
    ordo__tl_send_req_t *req = user_data;
    ucp_request_free(request);
    req->complete(req, ordo__ucx_status(status));
}

/* What a send that did not complete at once (sp) returns. */
static int send_result(ordo__tl_t *tl, int peer, ucs_status_ptr_t sp, int with_req)
{
    if (UCS_PTR_IS_ERR(sp)) {
        ucs_status_t s = UCS_PTR_STATUS(sp);
        if (!with_req && s == UCS_ERR_NO_RESOURCE && !tl->peers[peer].failed)
            return ORDO__AGAIN;
        ordo_log_debug("ucp_am_send_nbx to rank %d: %s", peer, ucs_status_string(s));
        return tl->peers[peer].failed ? ORDO_ERR_PEER_FAILED : ordo__ucx_status(s);
    }
    return ORDO__INPROGRESS;
}

static int ucx_send(ordo__tl_t *tl, int peer, const void *hdr, size_t hlen, const void *data,
                    size_t len, ordo__tl_send_req_t *req)
{
    ucp_request_param_t rp;
    ucp_ep_h ep;
    int status = ordo__ucx_peer_ep(tl, peer, &ep);
    if (status != ORDO_OK)
        return status;

    rp.flags = UCP_AM_SEND_FLAG_EAGER;
    if (req) {
        rp.op_attr_mask =
            UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA | UCP_OP_ATTR_FIELD_FLAGS;
        rp.cb.send = send_cb;
        rp.user_data = req;
    } else {
        rp.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS | UCP_OP_ATTR_FLAG_FORCE_IMM_CMPL;
    }
    ucs_status_ptr_t sp = ucp_am_send_nbx(ep, ORDO__UCX_AM_ID, hdr, hlen, data, len, &rp);
    if (sp == NULL)
        return ORDO_OK;
    return send_result(tl, peer, sp, req != NULL);
}

/* ucx_send with no header and no request, kept lean: the message layer's
 * short paths (a small call or reply) send through it. */
static int ucx_send_short(ordo__tl_t *tl, int peer, const void *buf, size_t len)
{
    ucp_request_param_t rp;
    ucp_ep_h ep;
    int status = ordo__ucx_peer_ep(tl, peer, &ep);
    if (status != ORDO_OK)
        return status;
    rp.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS | UCP_OP_ATTR_FLAG_FORCE_IMM_CMPL;
    rp.flags = UCP_AM_SEND_FLAG_EAGER;
    ucs_status_ptr_t sp = ucp_am_send_nbx(ep, ORDO__UCX_AM_ID, NULL, 0, buf, len, &rp);
    if (sp == NULL)
        return ORDO_OK;
    return send_result(tl, peer, sp, 0);
}

static int ucx_progress(ordo__tl_t *tl)
{
    return (int)ucp_worker_progress(tl->worker);
}

static int ucx_arm(ordo__tl_t *tl)
{
    if (tl->efd < 0)
        return ORDO_ERR_UNSUPPORTED;
    ucs_status_t s = ucp_worker_arm(tl->worker);
    if (s == UCS_ERR_BUSY)
        return ORDO__INPROGRESS; /* events are pending: go and progress */
    return ordo__ucx_status(s);
}

static void ucx_sleep(ordo__tl_t *tl, int timeout_ms)
{
    struct pollfd pfd = {.fd = tl->efd, .events = POLLIN};
    poll(&pfd, 1, timeout_ms);
}

static int ucx_describe(ordo__tl_t *tl, int peer, char *buf, size_t len)
{
    char *text = NULL;
    size_t text_len = 0;
    ucp_ep_h ep;
    int status = ordo__ucx_peer_ep(tl, peer, &ep);
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

    for (int r = 0; r < tl->params.nranks; r++)
        ordo__ucx_rkeys_drop(tl, r);
    for (int r = 0; r < tl->params.nranks; r++) {
        ucx_peer_t *p = &tl->peers[r];
        if (p->closing && reqs) {
            reqs[r] = p->closing; /* closed already, when it failed */
            p->closing = NULL;
        }
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
            ordo_log_debug("closing the endpoint to rank %d timed out (the peer is gone)", r);
        /* Released even unfinished: UCX then frees it when it completes, and
         * destroying the worker with a request not released aborts. */
        if (reqs[r])
            ucp_request_free(reqs[r]);
    }
    free(reqs);
    for (int r = 0; r < tl->params.nranks; r++)
        if (tl->peers[r].closing) /* no memory for reqs: released unwaited */
            ucp_request_free(tl->peers[r].closing);
    ordo__ucx_mem_close(tl);
    for (int r = 0; r < tl->params.nranks; r++)
        free(tl->peers[r].addr);
    free(tl->rkeys);
    ucp_worker_release_address(tl->worker, tl->addr);
    ucp_worker_destroy(tl->worker);
    ucp_cleanup(tl->context);
    free(tl->peers);
    free(tl);
}

/* A forced close ends the sends the endpoint still holds (a full FIFO to a
 * stopped peer): their requests complete with an error. */
static void ucx_peer_down(ordo__tl_t *tl, int peer)
{
    ucx_peer_t *p = &tl->peers[peer];
    ordo__ucx_rkeys_drop(tl, peer);
    p->failed = 1;
    if (!p->ep || p->closing)
        return;
    ucp_request_param_t rp = {.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS,
                              .flags = UCP_EP_CLOSE_FLAG_FORCE};
    void *req = ucp_ep_close_nbx(p->ep, &rp);
    p->ep = NULL;
    if (UCS_PTR_IS_PTR(req))
        p->closing = req;
}

/* UCX's version, and whether shared memory keeps peer error handling. */
static void ucx_about(ordo__tl_t *tl, char *buf, size_t len)
{
    unsigned maj, min, rel;
    ucp_get_version(&maj, &min, &rel);
    snprintf(buf, len, "UCX %u.%u.%u, peer error handling %s", maj, min, rel,
             tl && tl->params.peer_errors ? "on" : "off");
}

const ordo__tl_ops_t ordo__tl_ucx_ops = {
    .name = "ucx",
    .doc = "UCX active messages (eager) and RDMA get (rendezvous)",
    .caps = ORDO__TL_CAP_GET | ORDO__TL_CAP_MEM_REG | ORDO__TL_CAP_MEM_ALLOC |
            ORDO__TL_CAP_SEND_SHORT | ORDO__TL_CAP_EVENT_FD | ORDO__TL_CAP_PEER_ERR,
    .about = ucx_about,
    .open = ucx_open,
    .address = ucx_address,
    .connect = ucx_connect,
    .send = ucx_send,
    .mem_reg = ordo__ucx_mem_reg,
    .mem_release = ordo__ucx_mem_release,
    .mem_alloc = ordo__ucx_mem_alloc,
    .mem_free = ordo__ucx_mem_free,
    .mem_is_alloc = ordo__ucx_mem_is_alloc,
    .get = ordo__ucx_get,
    .map = ordo__ucx_map,
    .map_release = ordo__ucx_map_release,
    .send_short = ucx_send_short,
    .progress = ucx_progress,
    .arm = ucx_arm,
    .sleep = ucx_sleep,
    .describe = ucx_describe,
    .peer_down = ucx_peer_down,
    .close = ucx_close,
};
