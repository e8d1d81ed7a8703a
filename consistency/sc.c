/*
 * sc.c - operations executed at a block's home.  The home applies the
 * operations on its blocks one at a time (handlers run one at a time), and
 * the caller returns only once the home has answered: sequential
 * consistency, linearizable per 8-byte word.  TSO drains its store buffer
 * through these writes, and every model's atomics run here.
 */
#include "ordo_config.h"

#include "consistency/obj.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

/* Requests a client keeps in flight for one multi-block read or write. */
#define SC_MAX_INFLIGHT 64

/* ---- home side ---------------------------------------------------------- */

static int64_t apply_atomic(uint8_t *word, int op, int64_t a, int64_t b)
{
    int64_t old;
    memcpy(&old, word, 8);
    int64_t val = op == ORDO__OBJ_FADD ? (int64_t)((uint64_t)old + (uint64_t)a) /* wraps */
                  : old == a           ? b
                                       : old;
    memcpy(word, &val, 8);
    return old;
}

/* Check a request against this rank's idea of the object; the block it names. */
static int home_check(const ordo_rpc_msg_t *msg, ordo__obj_req_t *r, struct ordo_obj **out,
                      size_t *block)
{
    if (msg->len < sizeof(*r))
        return ORDO_ERR_MSG;
    memcpy(r, msg->data, sizeof(*r));
    struct ordo_obj *o = ordo__obj_find(r->id);
    if (!o) {
        ordo_log_warn("object request from rank %d for object %u, which does not exist here",
                      msg->src, r->id);
        return ORDO_ERR_INVALID;
    }
    if (o->model != r->model || o->nbytes != r->nbytes) {
        ordo_log_warn("object request from rank %d: object %u differs there (%llu bytes, model "
                      "%u; here %zu bytes, model %d): ordo_obj_alloc calls do not match",
                      msg->src, r->id, (unsigned long long)r->nbytes, r->model, o->nbytes,
                      o->model);
        return ORDO_ERR_INVALID;
    }
    size_t b = r->off / o->block;
    if (r->off >= o->nbytes || r->len > o->nbytes - r->off || r->len > o->block ||
        r->off + r->len > (b + 1) * o->block || o->home[b] != ordo__rt.rank ||
        (r->op == ORDO__OBJ_WRITE && msg->len != sizeof(*r) + r->len) ||
        ((r->op == ORDO__OBJ_FADD || r->op == ORDO__OBJ_CAS) && (r->off % 8 || r->len != 8))) {
        ordo_log_warn("object request from rank %d: bad range %llu+%llu of object %u", msg->src,
                      (unsigned long long)r->off, (unsigned long long)r->len, r->id);
        return ORDO_ERR_MSG;
    }
    *out = o;
    *block = b;
    return ORDO_OK;
}

static int home_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    ordo__obj_req_t r;
    struct ordo_obj *o;
    size_t b;
    (void)arg;

    int status = home_check(msg, &r, &o, &b);
    if (status != ORDO_OK)
        return status;
    if (o->model == ORDO_MODEL_CAUSAL) {
        if (r.op != ORDO__OBJ_FADD && r.op != ORDO__OBJ_CAS)
            return ORDO_ERR_MSG;
        ordo__obj_atomic_rep_t rep;
        status = ordo__causal_home_atomic(o, r.op, r.off, r.a, r.b, &rep);
        return status == ORDO_OK ? ordo_rpc_reply(msg, &rep, sizeof(rep)) : status;
    }
    size_t in = r.off - b * o->block;
    if (r.op == ORDO__OBJ_READ) {
        if (!o->store[b]) { /* never written: zeros, without making the block */
            static const uint8_t zero[4096];
            if (r.len <= sizeof(zero))
                return ordo_rpc_reply(msg, zero, r.len);
        }
        uint8_t *blk = ordo__obj_block(o, b);
        return blk ? ordo_rpc_reply(msg, blk + in, r.len) : ORDO_ERR_NOMEM;
    }
    uint8_t *blk = ordo__obj_block(o, b);
    if (!blk)
        return ORDO_ERR_NOMEM;
    if (r.op == ORDO__OBJ_WRITE) {
        memcpy(blk + in, (const uint8_t *)msg->data + sizeof(r), r.len);
        return ORDO_OK;
    }
    ordo__obj_atomic_rep_t rep = {apply_atomic(blk + in, r.op, r.a, r.b), 0};
    return ordo_rpc_reply(msg, &rep, sizeof(rep));
}

int ordo__sc_init(void)
{
    return ordo__rpc_register_internal(ORDO__RPC_ID_OBJ_HOME, home_handler, NULL);
}

/* ---- client side -------------------------------------------------------- */

static ordo__obj_req_t make_req(const struct ordo_obj *o, int op, size_t off, size_t len)
{
    ordo__obj_req_t r;
    memset(&r, 0, sizeof(r));
    r.id = o->id;
    r.model = (uint8_t)o->model;
    r.op = (uint8_t)op;
    r.nbytes = o->nbytes;
    r.off = off;
    r.len = len;
    return r;
}

/* The requests of one multi-block operation. */
typedef struct batch {
    ordo_request_t *req[SC_MAX_INFLIGHT];
    void *buf[SC_MAX_INFLIGHT]; /* request copies to give back */
    size_t buf_cap[SC_MAX_INFLIGHT];
    ordo__obj_req_t hdr[SC_MAX_INFLIGHT]; /* read requests: alive until answered */
    size_t want[SC_MAX_INFLIGHT];
    int n;
    int status;
    uint8_t *dst; /* reads: the caller's buffer */
    int progressed;
    const uint8_t *src;
} batch_t;

static void batch_wait(batch_t *bt)
{
    for (int i = 0; i < bt->n; i++) {
        size_t got = 0;
        int s = ordo_request_wait(bt->req[i], &got);
        if (s == ORDO_OK && bt->want[i] != (size_t)-1 && got != bt->want[i])
            s = ORDO_ERR_MSG;
        if (bt->status == ORDO_OK)
            bt->status = s;
        ordo__buf_put(bt->buf[i], bt->buf_cap[i]);
    }
    bt->n = 0;
}

static int read_piece(struct ordo_obj *o, size_t b, size_t off, size_t len, size_t done, void *arg)
{
    batch_t *bt = arg;
    int home = o->home[b];
    if (home == ordo__rt.rank) {
        /* A rank spinning on a word it is home of must still let the
         * writers' requests in. */
        if (!bt->progressed) {
            ordo__progress();
            bt->progressed = 1;
        }
        if (o->store[b])
            memcpy(bt->dst + done, o->store[b] + (off - b * o->block), len);
        else
            memset(bt->dst + done, 0, len);
        return ORDO_OK;
    }
    if (bt->n == SC_MAX_INFLIGHT)
        batch_wait(bt);
    bt->hdr[bt->n] = make_req(o, ORDO__OBJ_READ, off, len);
    int s = ordo__rpc_call_nb(home, ORDO__RPC_ID_OBJ_HOME, &bt->hdr[bt->n], sizeof(bt->hdr[0]),
                              bt->dst + done, len, &bt->req[bt->n]);
    if (s != ORDO_OK)
        return s;
    bt->buf[bt->n] = NULL;
    bt->want[bt->n++] = len;
    return ORDO_OK;
}

/* The home of a range within one block, or -1 if it spans blocks. */
static int one_home(const struct ordo_obj *o, size_t off, size_t len)
{
    size_t b = off / o->block;
    return len && (off + len - 1) / o->block == b ? o->home[b] : -1;
}

int ordo__sc_read(struct ordo_obj *o, size_t off, void *buf, size_t len)
{
    int home = one_home(o, off, len);
    if (home >= 0 && home != ordo__rt.rank) {
        /* One remote block: a blocking call, the message layer's quickest. */
        ordo__obj_req_t r = make_req(o, ORDO__OBJ_READ, off, len);
        size_t got = 0;
        int s = ordo__rpc_call(home, ORDO__RPC_ID_OBJ_HOME, &r, sizeof(r), buf, len, &got);
        return s == ORDO_OK && got != len ? ORDO_ERR_MSG : s;
    }
    batch_t bt = {.dst = buf};
    int status = ordo__obj_pieces(o, off, len, read_piece, &bt);
    batch_wait(&bt);
    return status != ORDO_OK ? status : bt.status;
}

/* A write request: header and data in one buffer (*cap: for ordo__buf_put). */
static void *write_req(const struct ordo_obj *o, size_t off, const void *data, size_t len,
                       size_t *req_len, size_t *cap)
{
    ordo__obj_req_t r = make_req(o, ORDO__OBJ_WRITE, off, len);
    uint8_t *m = ordo__buf_get(sizeof(r) + len, cap);
    if (!m)
        return NULL;
    memcpy(m, &r, sizeof(r));
    memcpy(m + sizeof(r), data, len);
    *req_len = sizeof(r) + len;
    return m;
}

static int write_piece(struct ordo_obj *o, size_t b, size_t off, size_t len, size_t done, void *arg)
{
    batch_t *bt = arg;
    int home = o->home[b];
    if (home == ordo__rt.rank) {
        uint8_t *blk = ordo__obj_block(o, b);
        if (!blk)
            return ORDO_ERR_NOMEM;
        memcpy(blk + (off - b * o->block), bt->src + done, len);
        return ORDO_OK;
    }
    if (bt->n == SC_MAX_INFLIGHT)
        batch_wait(bt);
    size_t req_len, cap;
    void *m = write_req(o, off, bt->src + done, len, &req_len, &cap);
    if (!m)
        return ORDO_ERR_NOMEM;
    int s = ordo__rpc_call_nb(home, ORDO__RPC_ID_OBJ_HOME, m, req_len, NULL, 0, &bt->req[bt->n]);
    if (s != ORDO_OK) {
        ordo__buf_put(m, cap);
        return s;
    }
    bt->buf[bt->n] = m;
    bt->buf_cap[bt->n] = cap;
    bt->want[bt->n++] = (size_t)-1;
    return ORDO_OK;
}

/* Bytes of payload a write request built on the stack holds. */
#define SC_STACK_WRITE 256

int ordo__sc_write(struct ordo_obj *o, size_t off, const void *buf, size_t len)
{
    int home = one_home(o, off, len);
    if (home >= 0 && home != ordo__rt.rank) {
        uint8_t small[sizeof(ordo__obj_req_t) + SC_STACK_WRITE];
        size_t req_len = sizeof(ordo__obj_req_t) + len, cap = 0;
        void *m = small;
        if (len <= SC_STACK_WRITE) {
            ordo__obj_req_t r = make_req(o, ORDO__OBJ_WRITE, off, len);
            memcpy(small, &r, sizeof(r));
            memcpy(small + sizeof(r), buf, len);
        } else if (!(m = write_req(o, off, buf, len, &req_len, &cap))) {
            return ORDO_ERR_NOMEM;
        }
        int s = ordo__rpc_call(home, ORDO__RPC_ID_OBJ_HOME, m, req_len, NULL, 0, NULL);
        if (m != small)
            ordo__buf_put(m, cap);
        return s;
    }
    batch_t bt = {.src = buf};
    int status = ordo__obj_pieces(o, off, len, write_piece, &bt);
    batch_wait(&bt);
    return status != ORDO_OK ? status : bt.status;
}

int ordo__sc_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b,
                    ordo__obj_atomic_rep_t *rep)
{
    size_t blk = off / o->block;
    int home = o->home[blk];
    if (home == ordo__rt.rank) {
        if (o->model == ORDO_MODEL_CAUSAL)
            return ordo__causal_home_atomic(o, op, off, a, b, rep);
        uint8_t *p = ordo__obj_block(o, blk);
        if (!p)
            return ORDO_ERR_NOMEM;
        rep->old = apply_atomic(p + (off - blk * o->block), op, a, b);
        rep->seq = 0;
        return ORDO_OK;
    }
    ordo__obj_req_t r = make_req(o, op, off, 8);
    r.a = a;
    r.b = b;
    size_t got = 0;
    int s = ordo__rpc_call(home, ORDO__RPC_ID_OBJ_HOME, &r, sizeof(r), rep, sizeof(*rep), &got);
    if (s == ORDO_OK && got != sizeof(*rep))
        s = ORDO_ERR_MSG;
    return s;
}

/* ---- one block written without waiting (TSO's drain) --------------------- */

typedef struct nb_write {
    void (*done)(void *arg, int status);
    void *arg;
    void *req;
    size_t cap;
} nb_write_t;

static void nb_write_done(ordo_request_t *req, int status, void *arg)
{
    nb_write_t *w = arg;
    (void)req;
    ordo__buf_put(w->req, w->cap);
    w->done(w->arg, status);
    free(w);
}

int ordo__sc_write_block_nb(struct ordo_obj *o, size_t b, size_t off, const void *buf, size_t len,
                            void (*done)(void *arg, int status), void *arg)
{
    int home = o->home[b];
    if (home == ordo__rt.rank) {
        uint8_t *blk = ordo__obj_block(o, b);
        if (!blk)
            return ORDO_ERR_NOMEM;
        memcpy(blk + (off - b * o->block), buf, len);
        return ORDO_OK;
    }
    nb_write_t *w = malloc(sizeof(*w));
    size_t req_len;
    if (!w)
        return ORDO_ERR_NOMEM;
    w->done = done;
    w->arg = arg;
    w->req = write_req(o, off, buf, len, &req_len, &w->cap);
    if (!w->req) {
        free(w);
        return ORDO_ERR_NOMEM;
    }
    int s = ordo__rpc_call_nb_cb(home, ORDO__RPC_ID_OBJ_HOME, w->req, req_len, nb_write_done, w);
    if (s != ORDO_OK) {
        ordo__buf_put(w->req, w->cap);
        free(w);
        return s;
    }
    return ORDO__INPROGRESS;
}
