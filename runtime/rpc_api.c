/*
 * rpc_api.c - the message layer's calls: the public ordo_rpc_*,
 * ordo_request_* and ordo_mem_* (but the blocking ordo_rpc_call, which is
 * rpc_short.c's), ordo's own non-blocking calls and one-way sends, and the
 * argument checks they share.
 */
#include "ordo_config.h"

#include "runtime/rpc_int.h"

int ordo__rpc_check_fail(int dest, unsigned id, size_t len)
{
    if (dest < 0 || dest >= ordo__rt.size) {
        ordo_log_error("destination rank %d is outside [0, %d)", dest, ordo__rt.size);
        return ORDO_ERR_INVALID;
    }
    if (id >= RPC_NUM_IDS) {
        ordo_log_error("handler id %u is not below %d", id, ORDO_RPC_MAX_ID);
        return ORDO_ERR_INVALID;
    }
    if (len > ordo__rt.cfg.max_msg_size) {
        ordo_log_error("payload of %zu bytes is over ORDO_MAX_MSG_SIZE (%llu)", len,
                       (unsigned long long)ordo__rt.cfg.max_msg_size);
        return ORDO_ERR_INVALID;
    }
    return ORDO_ERR_PEER_FAILED;
}

/* Check, then start a send or call (ordo__op_start). */
static int rpc_start(op_kind_t kind, int dest, unsigned id, const void *pre, size_t pre_len,
                     const void *data, size_t len, void *reply, size_t cap, ordo_request_cb_t cb,
                     void *cb_arg, rpc_op_t **out)
{
    if (out)
        *out = NULL; /* what a failed start leaves: ordo_request_wait(NULL) is an error */
    int status = check_args(dest, id, pre, pre_len, data, len, reply, cap);
    if (status != ORDO_OK)
        return status;
    if (!out && !cb)
        return ORDO_ERR_INVALID;
    return ordo__op_start(kind, dest, id, pre, pre_len, data, len, reply, cap, cb, cb_arg, out);
}

static int rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    rpc_op_t *op;
    int status = rpc_start(OP_SEND, dest, id, NULL, 0, msg, len, NULL, 0, NULL, NULL, &op);
    if (status != ORDO_OK)
        return status;
    if (ordo__in_handler) {
        /* A handler cannot wait: the runtime frees the request when done. */
        op->holds &= ~OP_HOLD_OWNER;
        status = op->state == OP_DONE ? op->status : ORDO_OK;
        ordo__op_maybe_put(op);
        return status;
    }
    return ordo__op_wait(op, NULL);
}

/* ---- ordo's own calls ---------------------------------------------------- */

const void *ordo__rpc_msg_prefix(const ordo_rpc_msg_t *msg, size_t *len)
{
    const rpc_reply_ctx_t *ctx = msg->priv;
    *len = ctx ? ctx->pre_len : 0;
    return ctx && ctx->pre_len ? ctx->pre : NULL;
}

int ordo__rpc_call_pre_nb(int dest, unsigned id, const void *pre, size_t pre_len,
                          const void *payload, size_t len, void *reply, size_t cap,
                          ordo_request_t **out)
{
    return rpc_start(OP_CALL, dest, id, pre, pre_len, payload, len, reply, cap, NULL, NULL, out);
}

int ordo__rpc_call_pre_nb_cb(int dest, unsigned id, const void *pre, size_t pre_len,
                             const void *payload, size_t len, ordo_request_cb_t cb, void *arg)
{
    return rpc_start(OP_CALL, dest, id, pre, pre_len, payload, len, NULL, 0, cb, arg, NULL);
}

int ordo__rpc_call_nb(int dest, unsigned id, const void *req, size_t len, void *reply, size_t cap,
                      ordo_request_t **out)
{
    return rpc_start(OP_CALL, dest, id, NULL, 0, req, len, reply, cap, NULL, NULL, out);
}

int ordo__rpc_call_nb_cb(int dest, unsigned id, const void *req, size_t len, ordo_request_cb_t cb,
                         void *arg)
{
    return rpc_start(OP_CALL, dest, id, NULL, 0, req, len, NULL, 0, cb, arg, NULL);
}

int ordo__rpc_call_nb_reply_cb(int dest, unsigned id, const void *req, size_t len, void *reply,
                               size_t cap, ordo_request_cb_t cb, void *arg)
{
    return rpc_start(OP_CALL, dest, id, NULL, 0, req, len, reply, cap, cb, arg, NULL);
}

int ordo__rpc_send_nb_cb(int dest, unsigned id, const void *msg, size_t len, ordo_request_cb_t cb,
                         void *arg)
{
    return rpc_start(OP_SEND, dest, id, NULL, 0, msg, len, NULL, 0, cb, arg, NULL);
}

int ordo__rpc_send_pre_nb_cb(int dest, unsigned id, const void *pre, size_t pre_len,
                             const void *payload, size_t len, ordo_request_cb_t cb, void *arg)
{
    return rpc_start(OP_SEND, dest, id, pre, pre_len, payload, len, NULL, 0, cb, arg, NULL);
}

int ordo__rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    return rpc_send(dest, id, msg, len);
}

/* ---- public calls ------------------------------------------------------ */

ordo_status_t ordo_rpc_register(unsigned id, ordo_rpc_cb_t cb, void *arg)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = ordo__rpc_register_id(id, cb, arg);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_deregister(unsigned id)
{
    int status = ORDO_OK;
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    if (!ordo__rpc.handlers[id].cb)
        status = ORDO_ERR_NO_HANDLER;
    ordo__rpc.handlers[id].cb = NULL;
    ordo__rpc.handlers[id].arg = NULL;
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_reply(const ordo_rpc_msg_t *msg, const void *buf, size_t len)
{
    ORDO__CHECK_INIT();
    if (!msg || !msg->priv || !msg->expects_reply || (len && !buf))
        return ORDO_ERR_INVALID;
    if (len > ordo__rt.cfg.max_msg_size)
        return ORDO_ERR_INVALID;
    rpc_reply_ctx_t *ctx = msg->priv;
    if (ctx->op || ctx->small_set || ctx->status != ORDO_OK)
        return ORDO_ERR_EXISTS;
    if (len <= RPC_REPLY_SMALL) {
        copy_short(ctx->small, buf, len);
        ctx->small_set = 1;
        ctx->len = len;
        return ORDO_OK;
    }
    ctx->op = ordo__rpc_reply_op(buf, len);
    if (!ctx->op) {
        ctx->status = ORDO_ERR_NOMEM; /* the caller learns it */
        return ORDO_ERR_NOMEM;
    }
    ctx->len = len;
    return ORDO_OK;
}

/* ordo_mem_alloc and ordo_mem_free may go to the transport: a pointer, and
 * a transport that has such memory. */
static int mem_args(const void *ptr)
{
    if (!ptr)
        return ORDO_ERR_INVALID;
    return ordo__rt.tl_ops->caps & ORDO__TL_CAP_MEM_ALLOC ? ORDO_OK : ORDO_ERR_UNSUPPORTED;
}

ordo_status_t ordo_mem_alloc(size_t len, void **ptr)
{
    ORDO__CHECK_INIT();
    int status = mem_args(ptr);
    if (status != ORDO_OK)
        return status;
    ORDO__LOCK();
    status = ordo__rt.tl_ops->mem_alloc(ordo__rt.tl, len, ptr);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_mem_free(void *ptr)
{
    ORDO__CHECK_INIT();
    int status = mem_args(ptr);
    if (status != ORDO_OK)
        return status;
    ORDO__LOCK();
    status = ordo__rt.tl_ops->mem_free(ordo__rt.tl, ptr);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_send(int dest, unsigned id, const void *msg, size_t len)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = rpc_send(dest, id, msg, len);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_call_nb(int dest, unsigned id, const void *req, size_t len, void *reply,
                               size_t cap, ordo_request_cb_t cb, void *cb_arg, ordo_request_t **out)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = rpc_start(OP_CALL, dest, id, NULL, 0, req, len, reply, cap, cb, cb_arg, out);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_rpc_send_nb(int dest, unsigned id, const void *msg, size_t len,
                               ordo_request_cb_t cb, void *cb_arg, ordo_request_t **out)
{
    ORDO__CHECK_INIT();
    if (id >= ORDO_RPC_MAX_ID)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = rpc_start(OP_SEND, dest, id, NULL, 0, msg, len, NULL, 0, cb, cb_arg, out);
    ORDO__UNLOCK();
    return status;
}

static int request_valid(const rpc_op_t *op)
{
    return op && op->state != OP_FREE && (op->holds & OP_HOLD_OWNER) &&
           (op->kind == OP_CALL || op->kind == OP_SEND);
}

int ordo_request_test(ordo_request_t *req)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int done = ORDO_ERR_INVALID;
    if (request_valid(req)) {
        if (req->state != OP_DONE && !ordo__in_handler)
            ordo__progress();
        done = req->state == OP_DONE;
    }
    ORDO__UNLOCK();
    return done;
}

ordo_status_t ordo_request_wait(ordo_request_t *req, size_t *reply_len)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ORDO_ERR_INVALID;
    if (request_valid(req) && (!ordo__in_handler || req->state == OP_DONE))
        status = ordo__op_wait(req, reply_len);
    ORDO__UNLOCK();
    return status;
}

size_t ordo_request_reply_len(const ordo_request_t *req)
{
    return req && req->kind == OP_CALL && req->state == OP_DONE ? req->reply.len : 0;
}

ordo_status_t ordo_request_free(ordo_request_t *req)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ORDO_ERR_INVALID;
    if (request_valid(req)) {
        req->holds &= ~OP_HOLD_OWNER;
        ordo__op_maybe_put(req);
        status = ORDO_OK;
    }
    ORDO__UNLOCK();
    return status;
}

size_t ordo_rpc_max_size(void)
{
    return ordo__rt.initialized ? ordo__rt.cfg.max_msg_size : 0;
}

ordo_status_t ordo_rpc_set_proto(ordo_proto_t proto)
{
    ORDO__CHECK_INIT();
    if (proto != ORDO_PROTO_AUTO && proto != ORDO_PROTO_EAGER && proto != ORDO_PROTO_RNDV)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    ordo__rpc_set_proto_internal(proto);
    ORDO__UNLOCK();
    return ORDO_OK;
}
