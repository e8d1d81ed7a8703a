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

/* The home's handler (ordo__rpc_handler_add). */
static unsigned id_home;

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
        ((r->op == ORDO__OBJ_FADD || r->op == ORDO__OBJ_CAS) && (r->off % 8 || r->len != 8))) {
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

/* Where a write's data pulled by rendezvous goes: straight into the block
 * (the handler then has nothing to copy).  Anything doubtful goes to the
 * runtime's buffer, and the handler says what is wrong. */
static void *home_land(int src, const void *pre, size_t pre_len, size_t len)
{
    ordo__obj_req_t r;
    struct ordo_obj *o;
    size_t b;
    if (!wreq_of(pre, pre_len, len, &r) || req_check(&r, len, src, 0, &o, &b) != ORDO_OK ||
        o->model == ORDO_MODEL_CAUSAL)
        return NULL;
    uint8_t *blk = ordo__obj_block(o, b);
    return blk ? blk + (r.off - b * o->block) : NULL;
}

static int home_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    ordo__obj_req_t r;
    struct ordo_obj *o;
    size_t b;
    const uint8_t *data;
    (void)arg;

    int status = home_check(msg, &r, &o, &b, &data);
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
        if (!o->arena) { /* never written: zeros, without making the blocks */
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
        if (data != blk + in) /* else it landed in place */
            memcpy(blk + in, data, r.len);
        return ORDO_OK;
    }
    ordo__obj_atomic_rep_t rep = {apply_atomic(blk + in, r.op, r.a, r.b), 0};
    return ordo_rpc_reply(msg, &rep, sizeof(rep));
}

int ordo__sc_init(void)
{
    int s = ordo__rpc_handler_add("obj-home", home_handler, NULL,
                                  ORDO__RPC_F_FAULTS | ORDO__RPC_F_ONEWAY_NORESEND, &id_home);
    return s == ORDO_OK ? ordo__rpc_set_lander(id_home, home_land) : s;
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

static ordo__obj_wreq_t make_wreq(const struct ordo_obj *o, size_t off)
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

/* The requests of one multi-block operation. */
typedef struct batch {
    ordo_request_t *req[SC_MAX_INFLIGHT];
    ordo__obj_req_t hdr[SC_MAX_INFLIGHT]; /* read requests: alive until answered */
    size_t want[SC_MAX_INFLIGHT];
    int n;
    int status;
    uint8_t *dst; /* reads: the caller's buffer */
    int progressed;
    const uint8_t *src;
    int local; /* the second pass: the pieces this rank is home of */
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
    }
    bt->n = 0;
}

static int read_piece(struct ordo_obj *o, size_t b, size_t off, size_t len, size_t done, void *arg)
{
    batch_t *bt = arg;
    int home = o->home[b];
    if ((home == ordo__rt.rank) != bt->local)
        return ORDO_OK; /* the other pass's */
    if (home == ordo__rt.rank) {
        /* A rank spinning on a word it is home of must still let the
         * writers' requests in. */
        if (!bt->progressed) {
            ordo__progress();
            bt->progressed = 1;
        }
        const uint8_t *blk = ordo__obj_block_peek(o, b);
        if (blk)
            memcpy(bt->dst + done, blk + (off - b * o->block), len);
        else
            memset(bt->dst + done, 0, len);
        return ORDO_OK;
    }
    if (bt->n == SC_MAX_INFLIGHT)
        batch_wait(bt);
    bt->hdr[bt->n] = make_req(o, ORDO__OBJ_READ, off, len);
    int s = ordo__rpc_call_nb(home, id_home, &bt->hdr[bt->n], sizeof(bt->hdr[0]), bt->dst + done,
                              len, &bt->req[bt->n]);
    if (s != ORDO_OK)
        return s;
    bt->want[bt->n++] = len;
    return ORDO_OK;
}

/* Run fn over the pieces of [off, off+len): the remote ones first, then the
 * local ones while those travel; then wait for the remote ones. */
static int batch_run(struct ordo_obj *o, size_t off, size_t len, ordo__obj_piece_fn_t fn,
                     batch_t *bt)
{
    int status = ordo__obj_pieces(o, off, len, fn, bt);
    bt->local = 1;
    if (status == ORDO_OK)
        status = ordo__obj_pieces(o, off, len, fn, bt);
    batch_wait(bt);
    return status != ORDO_OK ? status : bt->status;
}

/* The home of a range that lies at one home (a run of consecutive blocks),
 * or -1 if it spans homes. */
static int one_home(const struct ordo_obj *o, size_t off, size_t len)
{
    return len && ordo__obj_run(o, off, len) == len ? o->home[off / o->block] : -1;
}

int ordo__sc_read(struct ordo_obj *o, size_t off, void *buf, size_t len)
{
    int home = one_home(o, off, len);
    if (home >= 0 && home != ordo__rt.rank) {
        /* One remote home: a blocking call, the message layer's quickest. */
        ordo__obj_req_t r = make_req(o, ORDO__OBJ_READ, off, len);
        size_t got = 0;
        int s = ordo__rpc_call(home, id_home, &r, sizeof(r), buf, len, &got);
        return s == ORDO_OK && got != len ? ORDO_ERR_MSG : s;
    }
    batch_t bt = {.dst = buf};
    return batch_run(o, off, len, read_piece, &bt);
}

static int write_piece(struct ordo_obj *o, size_t b, size_t off, size_t len, size_t done, void *arg)
{
    batch_t *bt = arg;
    int home = o->home[b];
    if ((home == ordo__rt.rank) != bt->local)
        return ORDO_OK; /* the other pass's */
    if (home == ordo__rt.rank) {
        uint8_t *blk = ordo__obj_block(o, b);
        if (!blk)
            return ORDO_ERR_NOMEM;
        memcpy(blk + (off - b * o->block), bt->src + done, len);
        return ORDO_OK;
    }
    if (bt->n == SC_MAX_INFLIGHT)
        batch_wait(bt);
    /* The request in the prefix, the data sent from the caller's buffer. */
    ordo__obj_wreq_t w = make_wreq(o, off);
    int s = ordo__rpc_call_pre_nb(home, id_home, &w, sizeof(w), bt->src + done, len, NULL, 0,
                                  &bt->req[bt->n]);
    if (s != ORDO_OK)
        return s;
    bt->want[bt->n++] = (size_t)-1;
    return ORDO_OK;
}

int ordo__sc_write(struct ordo_obj *o, size_t off, const void *buf, size_t len)
{
    int home = one_home(o, off, len);
    if (home >= 0 && home != ordo__rt.rank) {
        /* One remote home: one blocking call, the request in the prefix and
         * the data sent from where it is (a large one lands in the blocks). */
        ordo__obj_wreq_t w = make_wreq(o, off);
        return ordo__rpc_call_pre(home, id_home, &w, sizeof(w), buf, len, NULL, 0, NULL);
    }
    batch_t bt = {.src = buf};
    return batch_run(o, off, len, write_piece, &bt);
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
    int s = ordo__rpc_call(home, id_home, &r, sizeof(r), rep, sizeof(*rep), &got);
    if (s == ORDO_OK && got != sizeof(*rep))
        s = ORDO_ERR_MSG;
    return s;
}

/* ---- one block written without waiting (TSO's drain) --------------------- */

typedef struct nb_write {
    void (*done)(void *arg, int status);
    void *arg;
} nb_write_t;

static void nb_write_done(ordo_request_t *req, int status, void *arg)
{
    nb_write_t *w = arg;
    (void)req;
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
    if (!w)
        return ORDO_ERR_NOMEM;
    w->done = done;
    w->arg = arg;
    /* buf stays put until done: the store buffer keeps its entry till then. */
    ordo__obj_wreq_t wr = make_wreq(o, off);
    int s = ordo__rpc_call_pre_nb_cb(home, id_home, &wr, sizeof(wr), buf, len, nb_write_done, w);
    if (s != ORDO_OK) {
        free(w);
        return s;
    }
    return ORDO__INPROGRESS;
}
