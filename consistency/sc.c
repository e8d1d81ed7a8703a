/*
 * sc.c - sequential consistency: every read, write and atomic is executed
 * at the block's home (home.c), which applies the operations on its blocks
 * one at a time, and the caller returns only once the home has answered:
 * linearizable per 8-byte word.  A range over several homes goes as one
 * request per run of blocks, all in flight at once.  TSO builds on these
 * reads and drains its store buffer with the one-block write at the end.
 */
#include "ordo_config.h"

#include "consistency/home.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

/* Requests a client keeps in flight for one multi-block read or write. */
#define SC_MAX_INFLIGHT 64

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
    bt->hdr[bt->n] = ordo__home_req(o, ORDO__OBJ_READ, off, len);
    int s = ordo__rpc_call_nb(home, ordo__home_rpc_id, &bt->hdr[bt->n], sizeof(bt->hdr[0]),
                              bt->dst + done, len, &bt->req[bt->n]);
    if (s != ORDO_OK)
        return s;
    bt->want[bt->n++] = len;
    return ORDO_OK;
}

/* Run fn over the pieces of the n ranges r[] (their data at bt's dst or
 * src + (r[i].off - base)): the remote ones first, then the local ones
 * while those travel; then wait for the remote ones. */
static int batch_run(struct ordo_obj *o, const ordo__obj_range_t *r, size_t n, size_t base,
                     ordo__obj_piece_fn_t fn, batch_t *bt)
{
    uint8_t *dst = bt->dst;
    const uint8_t *src = bt->src;
    int status = ORDO_OK;
    for (bt->local = 0; bt->local < 2 && status == ORDO_OK; bt->local++)
        for (size_t i = 0; i < n && status == ORDO_OK; i++) {
            bt->dst = dst ? dst + (r[i].off - base) : NULL;
            bt->src = src ? src + (r[i].off - base) : NULL;
            status = ordo__obj_pieces(o, r[i].off, r[i].len, fn, bt);
        }
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
        ordo__obj_req_t r = ordo__home_req(o, ORDO__OBJ_READ, off, len);
        size_t got = 0;
        int s = ordo__rpc_call(home, ordo__home_rpc_id, &r, sizeof(r), buf, len, &got);
        return s == ORDO_OK && got != len ? ORDO_ERR_MSG : s;
    }
    ordo__obj_range_t r = {off, len};
    batch_t bt = {.dst = buf};
    return batch_run(o, &r, 1, off, read_piece, &bt);
}

int ordo__sc_read_ranges(struct ordo_obj *o, size_t base, uint8_t *buf, const ordo__obj_range_t *r,
                         size_t n)
{
    if (n == 1)
        return ordo__sc_read(o, r[0].off, buf + (r[0].off - base), r[0].len);
    batch_t bt = {.dst = buf};
    return batch_run(o, r, n, base, read_piece, &bt);
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
    ordo__obj_wreq_t w = ordo__home_wreq(o, off);
    int s = ordo__rpc_call_pre_nb(home, ordo__home_rpc_id, &w, sizeof(w), bt->src + done, len, NULL,
                                  0, &bt->req[bt->n]);
    if (s != ORDO_OK)
        return s;
    bt->want[bt->n++] = (size_t)-1;
    return ORDO_OK;
}

static int sc_write(struct ordo_obj *o, size_t off, const void *buf, size_t len)
{
    int home = one_home(o, off, len);
    if (home >= 0 && home != ordo__rt.rank) {
        /* One remote home: one blocking call, the request in the prefix and
         * the data sent from where it is (a large one lands in the blocks). */
        ordo__obj_wreq_t w = ordo__home_wreq(o, off);
        return ordo__rpc_call_pre(home, ordo__home_rpc_id, &w, sizeof(w), buf, len, NULL, 0, NULL);
    }
    ordo__obj_range_t r = {off, len};
    batch_t bt = {.src = buf};
    return batch_run(o, &r, 1, off, write_piece, &bt);
}

int ordo__sc_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b, int64_t *old)
{
    ordo__obj_atomic_rep_t rep;
    int s = ordo__home_atomic(o, op, off, a, b, &rep);
    if (s == ORDO_OK)
        *old = rep.old;
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
    ordo__obj_wreq_t wr = ordo__home_wreq(o, off);
    int s = ordo__rpc_call_pre_nb_cb(home, ordo__home_rpc_id, &wr, sizeof(wr), buf, len,
                                     nb_write_done, w);
    if (s != ORDO_OK) {
        free(w);
        return s;
    }
    return ORDO__INPROGRESS;
}

/* ---- the model ----------------------------------------------------------- */

static int sc_init(void)
{
    return ORDO_OK; /* the home's handler is home.c's */
}

static void sc_fini(void)
{
}

/* Every write has completed at its home when the call returns: nothing to wait for. */
static int sc_fence(void)
{
    return ORDO_OK;
}

static void sc_free(struct ordo_obj *o)
{
    (void)o;
}

static int sc_progress(void)
{
    return 0;
}

/* A call to the failed home has ended already (the message layer ends them
 * all), and later ones are refused before they start (obj.c). */
static void sc_peer_failed(int peer)
{
    (void)peer;
}

const ordo__obj_model_ops_t ordo__sc_ops = {
    .name = "sc",
    .init = sc_init,
    .fini = sc_fini,
    .alloc = ordo__home_blocks_index,
    .read = ordo__sc_read,
    .write = sc_write,
    .atomic = ordo__sc_atomic,
    .fence = sc_fence,
    .free = sc_free,
    .progress = sc_progress,
    .peer_failed = sc_peer_failed,
    .home = &ordo__home_blocks,
};
