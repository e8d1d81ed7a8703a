/*
 * home.c - the home side of the shared objects, once for every model.
 *
 * A rank sends a request to the home of the blocks it names: a read or an
 * atomic (the request is the payload) or a write (the request is the
 * message's prefix, the data its payload).  The home's handler checks the
 * request against its own idea of the object (it exists, same model, same
 * size, the range is inside the object, lies in a run of blocks all homed
 * here, and an atomic names one aligned word), then hands it to the
 * model's home operations (ordo__obj_home_ops_t): SC and TSO objects keep
 * their bytes in the home's blocks (below); causal objects take atomics
 * only (causal.c).  Handlers run one at a time, so a home applies the
 * operations on its blocks one at a time.
 */
#include "ordo_config.h"

#include "consistency/home.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

unsigned ordo__home_rpc_id;

/* ---- the atomic update of a word ------------------------------------------ */

int64_t ordo__home_atomic_word(uint8_t *word, int op, int64_t a, int64_t b)
{
    int64_t old, val;
    memcpy(&old, word, 8);
    val = ordo__home_atomic_value(op, old, a, b);
    memcpy(word, &val, 8);
    return old;
}

/* ---- the home's blocks (SC and TSO) ------------------------------------------- */

int ordo__home_blocks_index(struct ordo_obj *o)
{
    o->local_idx = calloc(o->nblocks, sizeof(*o->local_idx));
    if (!o->local_idx)
        return ORDO_ERR_NOMEM;
    for (size_t b = 0; b < o->nblocks; b++)
        if (o->home[b] == ordo__rt.rank)
            o->local_idx[b] = o->nlocal++;
    return ORDO_OK;
}

uint8_t *ordo__obj_block(struct ordo_obj *o, size_t b)
{
    if (!o->arena)
        o->arena = calloc(o->nlocal, o->block); /* large: zero pages, filled as touched */
    return o->arena ? o->arena + o->local_idx[b] * o->block : NULL;
}

const uint8_t *ordo__obj_block_peek(const struct ordo_obj *o, size_t b)
{
    return o->arena ? o->arena + o->local_idx[b] * o->block : NULL;
}

static int blocks_read(const ordo_rpc_msg_t *msg, struct ordo_obj *o, size_t b,
                       const ordo__obj_req_t *r)
{
    if (!o->arena) { /* never written: zeros, without making the blocks */
        static const uint8_t zero[4096];
        if (r->len <= sizeof(zero))
            return ordo_rpc_reply(msg, zero, r->len);
    }
    uint8_t *blk = ordo__obj_block(o, b);
    return blk ? ordo_rpc_reply(msg, blk + (r->off - b * o->block), r->len) : ORDO_ERR_NOMEM;
}

static int blocks_write(struct ordo_obj *o, size_t b, const ordo__obj_req_t *r, const uint8_t *data)
{
    uint8_t *blk = ordo__obj_block(o, b);
    if (!blk)
        return ORDO_ERR_NOMEM;
    uint8_t *at = blk + (r->off - b * o->block);
    if (data != at) /* else it landed in place */
        memcpy(at, data, r->len);
    return ORDO_OK;
}

/* A write's data pulled by rendezvous goes straight into the block (the
 * handler then has nothing to copy). */
static void *blocks_land(struct ordo_obj *o, size_t b, const ordo__obj_req_t *r)
{
    uint8_t *blk = ordo__obj_block(o, b);
    return blk ? blk + (r->off - b * o->block) : NULL;
}

static int blocks_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b,
                         ordo__obj_atomic_rep_t *rep)
{
    size_t blk = off / o->block;
    uint8_t *p = ordo__obj_block(o, blk);
    if (!p)
        return ORDO_ERR_NOMEM;
    rep->old = ordo__home_atomic_word(p + (off - blk * o->block), op, a, b);
    rep->seq = 0;
    return ORDO_OK;
}

const ordo__obj_home_ops_t ordo__home_blocks = {
    .read = blocks_read,
    .write = blocks_write,
    .land = blocks_land,
    .atomic = blocks_atomic,
};

/* ---- requests ------------------------------------------------------------------ */

ordo__obj_req_t ordo__home_req(const struct ordo_obj *o, int op, size_t off, size_t len)
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

ordo__obj_wreq_t ordo__home_wreq(const struct ordo_obj *o, size_t off)
{
    ordo__obj_wreq_t w;
    memset(&w, 0, sizeof(w));
    w.id = o->id;
    w.model = (uint8_t)o->model;
    w.op = ORDO__OBJ_WRITE;
    w.nbytes_fold = ordo__obj_fold(o->nbytes);
    w.off = off;
    return w;
}

/* Check request r from rank src, with data_len bytes of data, against this
 * rank's idea of the object; the object and the block it names.  Logs what
 * is wrong if log is set. */
static int req_check(const ordo__obj_req_t *r, size_t data_len, int src, int log,
                     struct ordo_obj **out, size_t *block)
{
    struct ordo_obj *o = ordo__obj_find(r->id);
    if (!o) {
        if (log)
            ordo_log_warn("object request from rank %d for object %u, which does not exist here",
                          src, r->id);
        return ORDO_ERR_INVALID;
    }
    if (o->model != r->model || o->nbytes != r->nbytes) {
        if (log)
            ordo_log_warn("object request from rank %d: object %u differs there (%llu bytes, "
                          "model %u; here %zu bytes, model %d): ordo_obj_alloc calls do not match",
                          src, r->id, (unsigned long long)r->nbytes, r->model, o->nbytes, o->model);
        return ORDO_ERR_INVALID;
    }
    size_t b = r->off / o->block;
    if (r->off >= o->nbytes || r->len > o->nbytes - r->off ||
        ordo__obj_run(o, r->off, r->len) != r->len || o->home[b] != ordo__rt.rank ||
        (r->op == ORDO__OBJ_WRITE && data_len != r->len) ||
        ((r->op == ORDO__OBJ_FADD || r->op == ORDO__OBJ_CAS) && (r->off % 8 || r->len != 8)) ||
        r->op < ORDO__OBJ_READ || r->op > ORDO__OBJ_CAS) {
        if (log)
            ordo_log_warn("object request from rank %d: bad range %llu+%llu of object %u", src,
                          (unsigned long long)r->off, (unsigned long long)r->len, r->id);
        return ORDO_ERR_MSG;
    }
    *out = o;
    *block = b;
    return ORDO_OK;
}

/* The request of a write of len bytes from its prefix; 0 if it is not one.
 * Its object size is the home's where the folds match (else one that
 * req_check finds different). */
static int wreq_of(const void *pre, size_t pre_len, size_t len, ordo__obj_req_t *r)
{
    ordo__obj_wreq_t w;
    if (pre_len != sizeof(w))
        return 0;
    memcpy(&w, pre, sizeof(w));
    if (w.op != ORDO__OBJ_WRITE)
        return 0;
    memset(r, 0, sizeof(*r));
    r->id = w.id;
    r->model = w.model;
    r->op = w.op;
    r->off = w.off;
    r->len = len;
    struct ordo_obj *o = ordo__obj_find(w.id);
    r->nbytes = o && ordo__obj_fold(o->nbytes) == w.nbytes_fold ? o->nbytes : UINT64_MAX;
    return 1;
}

/* The request of a message: in its prefix (a write: the data is the
 * payload), or at the start of its payload (the data follows). */
static int home_check(const ordo_rpc_msg_t *msg, ordo__obj_req_t *r, struct ordo_obj **out,
                      size_t *block, const uint8_t **data)
{
    size_t pre_len;
    const void *pre = ordo__rpc_msg_prefix(msg, &pre_len);
    if (pre) {
        if (!wreq_of(pre, pre_len, msg->len, r))
            return ORDO_ERR_MSG;
        *data = msg->data;
        return req_check(r, msg->len, msg->src, 1, out, block);
    }
    if (msg->len < sizeof(*r))
        return ORDO_ERR_MSG;
    memcpy(r, msg->data, sizeof(*r));
    *data = (const uint8_t *)msg->data + sizeof(*r);
    return req_check(r, msg->len - sizeof(*r), msg->src, 1, out, block);
}

/* The lander of the home's handler: the model's, for a request that checks
 * out.  Anything doubtful goes to the runtime's buffer, and the handler
 * says what is wrong. */
static void *home_land(int src, const void *pre, size_t pre_len, size_t len)
{
    ordo__obj_req_t r;
    struct ordo_obj *o;
    size_t b;
    if (ordo__rt.peer_failed[src] || !wreq_of(pre, pre_len, len, &r) ||
        req_check(&r, len, src, 0, &o, &b) != ORDO_OK || !o->ops->home->land)
        return NULL;
    return o->ops->home->land(o, b, &r);
}

static int home_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    ordo__obj_req_t r;
    struct ordo_obj *o;
    size_t b;
    const uint8_t *data;
    (void)arg;

    /* A rank declared failed may only have been paused: whatever it still
     * sends is refused, so it changes nothing the survivors hold. */
    if (ordo__rt.peer_failed[msg->src])
        return ORDO_ERR_PEER_FAILED;
    int status = home_check(msg, &r, &o, &b, &data);
    if (status != ORDO_OK)
        return status;
    const ordo__obj_home_ops_t *h = o->ops->home;
    if (r.op == ORDO__OBJ_READ)
        return h->read ? h->read(msg, o, b, &r) : ORDO_ERR_MSG;
    if (r.op == ORDO__OBJ_WRITE)
        return h->write ? h->write(o, b, &r, data) : ORDO_ERR_MSG;
    if (!h->atomic)
        return ORDO_ERR_MSG;
    ordo__obj_atomic_rep_t rep;
    status = h->atomic(o, r.op, r.off, r.a, r.b, &rep);
    return status == ORDO_OK ? ordo_rpc_reply(msg, &rep, sizeof(rep)) : status;
}

int ordo__home_init(void)
{
    int s =
        ordo__rpc_handler_add("obj-home", home_handler, NULL,
                              ORDO__RPC_F_FAULTS | ORDO__RPC_F_ONEWAY_NORESEND, &ordo__home_rpc_id);
    return s == ORDO_OK ? ordo__rpc_set_lander(ordo__home_rpc_id, home_land) : s;
}

/* ---- a client's atomic ----------------------------------------------------------- */

int ordo__home_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b,
                      ordo__obj_atomic_rep_t *rep)
{
    int home = o->home[off / o->block];
    if (home == ordo__rt.rank)
        return o->ops->home->atomic(o, op, off, a, b, rep);
    ordo__obj_req_t r = ordo__home_req(o, op, off, 8);
    r.a = a;
    r.b = b;
    size_t got = 0;
    int s = ordo__rpc_call(home, ordo__home_rpc_id, &r, sizeof(r), rep, sizeof(*rep), &got);
    if (s == ORDO_OK && got != sizeof(*rep))
        s = ORDO_ERR_MSG;
    return s;
}
