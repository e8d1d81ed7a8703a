/*
 * ordo_obj_latency - latency of shared-object operations under each
 * consistency model, beside the baselines they are measured against in the
 * same run: one ordo_rpc_call round trip, a local memcpy and (--mpi) MPI-3
 * RMA on a passive-target window.
 *
 * Every rank makes one object per model (SC, TSO, causal).  Rank 0 drives
 * and times; rank 1 runs the handlers (it is the home of the words timed)
 * and serves the RPC baselines; others wait.  For each size the range timed
 * starts at a block whose home is rank 1 (found with ordo_obj_home); a range
 * of several blocks is put where the most of its blocks are at rank 1, and
 * the header says how many are.
 *
 * Per size, each iteration runs every operation once, in a fresh random
 * order, so that drift of the machine hits them alike (as ordo_crossover).
 * Columns are medians of the per-operation samples, in microseconds:
 *   SC read, SC write      ordo_read / ordo_write on the SC object
 *   TSO write              time per write of a burst of writes into the
 *                          empty store buffer (fewer than it holds); the
 *                          fence that drains it follows, untimed
 *   TSO wr+fence           one write and the fence that drains it
 *   TSO read               ordo_read on the TSO object, buffer empty
 *   TSO rd own wr          ordo_read of the range this rank has just written
 *                          (the write, untimed, is still in the store
 *                          buffer: store forwarding); a fence follows, untimed
 *   Causal read            ordo_read on the causal object (local replica)
 *   Causal write           one ordo_write (local apply, sends started); a
 *                          fence follows, untimed
 *   memcpy                 a plain memcpy of the size: local memory speed
 *   RPC get                ordo_rpc_call, 8-byte request, reply of the size
 *   RPC put                ordo_rpc_call, request of the size, empty reply
 *   SCrd/RPC, SCwr/RPC     SC read / RPC get, SC write / RPC put (the
 *                          message pattern each SC operation makes)
 * The local operations (TSO write, causal read, memcpy) are timed in groups
 * of LOCAL_GROUP and divided, so that the clock's own cost stays out.
 * With -f, the p99 of every operation follows.
 *
 * --mpi: a window from MPI_Win_allocate (max size) on ranks 0 and 1,
 * MPI_Win_lock_all once; rank 0 times MPI_Get + MPI_Win_flush and MPI_Put +
 * MPI_Win_flush to rank 1 (interleaved), and the ratios of SC to them.
 *
 * After the table: fetch-add on an 8-byte word homed at rank 1 for each
 * model, an 8-byte RPC (8 B each way) and, with --mpi, MPI_Fetch_and_op +
 * MPI_Win_flush; then a summary against DESIGN.md's targets.
 */
#include "obj_latency.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ID_SINK = 1, ID_GET = 2 };

/* Set up on every rank by setup_all(). */
static struct {
    ordo_obj_t *obj[3]; /* by ordo_model_t */
    size_t block, nblocks, nbytes;
    size_t tso_cap, tso_bytes;
    uint8_t *reply_src; /* rank 1: what RPC get replies with */
    size_t reply_cap;
} g;

/* ---- handlers and set-up on every rank ---------------------------------- */

static int on_sink(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

/* The request is a uint64_t length: reply with that many bytes. */
static int on_get(const ordo_rpc_msg_t *msg, void *arg)
{
    uint64_t len;
    (void)arg;
    if (msg->len != sizeof(len))
        return ORDO_ERR_MSG;
    memcpy(&len, msg->data, sizeof(len));
    if (len > g.reply_cap)
        return ORDO_ERR_INVALID;
    return ordo_rpc_reply(msg, g.reply_src, (size_t)len);
}

static int register_handlers(void)
{
    int s = ordo_rpc_register(ID_SINK, on_sink, NULL);
    return s == ORDO_OK ? ordo_rpc_register(ID_GET, on_get, NULL) : s;
}

/* A size from the environment as ordo reads it (digits, suffix K, M or G),
 * or dflt if unset or unreadable (ordo_init has refused bad values). */
static size_t env_size(const char *name, size_t dflt)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v)
        return dflt;
    unsigned long long n = strtoull(v, &end, 10);
    int shift = *end == 'K' || *end == 'k'   ? 10
                : *end == 'M' || *end == 'm' ? 20
                : *end == 'G' || *end == 'g' ? 30
                                             : 0;
    return n ? (size_t)(n << shift) : dflt;
}

/* Every rank: the three objects, big enough that a range of the largest
 * size can be placed mostly on rank 1's blocks, and the RPC reply source. */
static int setup_all(const bench_t *b)
{
    g.block = env_size("ORDO_OBJ_BLOCK", 64 << 10);
    g.tso_cap = env_size("ORDO_TSO_BUFFER", 256);
    g.tso_bytes = env_size("ORDO_TSO_BUFFER_BYTES", 16 << 20);
    size_t need = (b->opts.max_size + g.block - 1) / g.block;
    g.nblocks = 4 * need > 32 ? 4 * need : 32;
    g.nbytes = g.nblocks * g.block;
    for (int m = ORDO_MODEL_SC; m <= ORDO_MODEL_CAUSAL; m++) {
        int s = ordo_obj_alloc(g.nbytes, (ordo_model_t)m, &g.obj[m]);
        if (s != ORDO_OK)
            return s;
    }
    g.reply_cap = b->opts.max_size;
    g.reply_src = calloc(1, g.reply_cap ? g.reply_cap : 1);
    return g.reply_src ? ORDO_OK : ORDO_ERR_NOMEM;
}

static const bench_spec_t spec = {
    .prog = "ordo_obj_latency",
    .title = "Shared Object Latency Test",
    .summary = "Latency of ordo_read / ordo_write under SC, TSO and causal consistency, and of\n"
               "ordo_fetch_add, beside one ordo_rpc_call round trip, a local memcpy and (--mpi)\n"
               "MPI-3 RMA (Get/Put + MPI_Win_flush); medians in microseconds.",
    .min_size = 8,
    .max_size = 1u << 20,
    .iters = 1000,
    .iters_large = 100,
    .warmup = 50,
    .warmup_large = 5,
    .register_handlers = register_handlers,
    .setup_all = setup_all,
};

/* ---- placement ---------------------------------------------------------- */

static int home_of_block(bench_t *b, ordo_obj_t *o, size_t blk)
{
    int r = -1;
    int s = ordo_obj_home(o, blk * g.block, &r);
    if (s != ORDO_OK)
        bench_fail(b, "ordo_obj_home", blk * g.block, s);
    return r;
}

/* The window of blocks for size with the most of them homed at rank 1. */
static place_t place_range(bench_t *b, ordo_obj_t *o, size_t size)
{
    size_t k = (size + g.block - 1) / g.block;
    place_t best = {0, (int)k, -1};
    for (size_t first = 0; first + k <= g.nblocks; first++) {
        int remote = 0;
        for (size_t i = first; i < first + k; i++)
            remote += home_of_block(b, o, i) == 1;
        if (remote > best.remote) {
            best.off = first * g.block;
            best.remote = remote;
        }
        if (remote == (int)k)
            break;
    }
    return best;
}

/* ---- the ordo operations, one sample each ------------------------------- */

typedef struct ctx {
    bench_t *b;
    size_t size;
    place_t sc, tso;
    uint8_t *src, *dst;
    int burst; /* TSO writes per burst */
} ctx_t;

static void check(ctx_t *x, const char *what, int s)
{
    if (s != ORDO_OK)
        bench_fail(x->b, what, x->size, s);
}

static double time_op(ctx_t *x, int op)
{
    ordo_obj_t *sc = g.obj[ORDO_MODEL_SC], *tso = g.obj[ORDO_MODEL_TSO];
    ordo_obj_t *cz = g.obj[ORDO_MODEL_CAUSAL];
    size_t n = x->size;
    uint64_t want = n;
    double t0 = bench_now_us(), dt;
    switch (op) {
    case OP_SC_READ:
        check(x, "ordo_read (SC)", ordo_read(sc, x->sc.off, x->dst, n));
        break;
    case OP_SC_WRITE:
        check(x, "ordo_write (SC)", ordo_write(sc, x->sc.off, x->src, n));
        break;
    case OP_TSO_WRITE:
        for (int i = 0; i < x->burst; i++)
            check(x, "ordo_write (TSO)", ordo_write(tso, x->tso.off, x->src, n));
        dt = (bench_now_us() - t0) / x->burst;
        check(x, "ordo_fence (TSO)", ordo_fence());
        return dt;
    case OP_TSO_WF:
        check(x, "ordo_write (TSO)", ordo_write(tso, x->tso.off, x->src, n));
        check(x, "ordo_fence (TSO)", ordo_fence());
        break;
    case OP_TSO_READ:
        check(x, "ordo_read (TSO)", ordo_read(tso, x->tso.off, x->dst, n));
        break;
    case OP_TSO_RAW:
        check(x, "ordo_write (TSO)", ordo_write(tso, x->tso.off, x->src, n));
        t0 = bench_now_us();
        check(x, "ordo_read (TSO, own write)", ordo_read(tso, x->tso.off, x->dst, n));
        dt = bench_now_us() - t0;
        check(x, "ordo_fence (TSO)", ordo_fence());
        return dt;
    case OP_CZ_READ:
        for (int i = 0; i < LOCAL_GROUP; i++)
            check(x, "ordo_read (causal)", ordo_read(cz, 0, x->dst, n));
        return (bench_now_us() - t0) / LOCAL_GROUP;
    case OP_CZ_WRITE:
        check(x, "ordo_write (causal)", ordo_write(cz, 0, x->src, n));
        dt = bench_now_us() - t0;
        check(x, "ordo_fence (causal)", ordo_fence());
        return dt;
    case OP_MEMCPY:
        for (int i = 0; i < LOCAL_GROUP; i++) {
            memcpy(x->dst, x->src, n);
            __asm__ __volatile__("" ::: "memory"); /* each copy happens */
        }
        return (bench_now_us() - t0) / LOCAL_GROUP;
    case OP_RPC_GET:
        check(x, "ordo_rpc_call (get)",
              ordo_rpc_call(x->b->peer, ID_GET, &want, sizeof(want), x->dst, n, NULL));
        break;
    default:
        check(x, "ordo_rpc_call (put)",
              ordo_rpc_call(x->b->peer, ID_SINK, x->src, n, NULL, 0, NULL));
        break;
    }
    return bench_now_us() - t0;
}

/* What each model reads back after writing is what was written. */
static void verify(ctx_t *x)
{
    ordo_obj_t *sc = g.obj[ORDO_MODEL_SC], *tso = g.obj[ORDO_MODEL_TSO];
    ordo_obj_t *cz = g.obj[ORDO_MODEL_CAUSAL];
    size_t n = x->size;
    x->src[0] = (uint8_t)(x->src[0] + 1);
    x->src[n - 1] = (uint8_t)(x->src[n - 1] + 3);
    check(x, "ordo_write (SC)", ordo_write(sc, x->sc.off, x->src, n));
    check(x, "ordo_read (SC)", ordo_read(sc, x->sc.off, x->dst, n));
    if (memcmp(x->src, x->dst, n) != 0)
        bench_fail(x->b, "SC read-back", n, ORDO_ERR_INTERNAL);
    check(x, "ordo_write (TSO)", ordo_write(tso, x->tso.off, x->src, n));
    check(x, "ordo_read (TSO)", ordo_read(tso, x->tso.off, x->dst, n));
    if (memcmp(x->src, x->dst, n) != 0)
        bench_fail(x->b, "TSO read-back (store forwarding)", n, ORDO_ERR_INTERNAL);
    check(x, "ordo_fence", ordo_fence());
    check(x, "ordo_read (TSO)", ordo_read(tso, x->tso.off, x->dst, n));
    if (memcmp(x->src, x->dst, n) != 0)
        bench_fail(x->b, "TSO read-back after the fence", n, ORDO_ERR_INTERNAL);
    check(x, "ordo_write (causal)", ordo_write(cz, 0, x->src, n));
    check(x, "ordo_read (causal)", ordo_read(cz, 0, x->dst, n));
    if (memcmp(x->src, x->dst, n) != 0)
        bench_fail(x->b, "causal read-back", n, ORDO_ERR_INTERNAL);
    check(x, "ordo_fence", ordo_fence());
}

static int tso_burst(size_t size)
{
    size_t k = TSO_BURST, fit = g.tso_bytes / size; /* the buffer keeps room for one more */
    if (k + 1 > g.tso_cap)
        k = g.tso_cap > 1 ? g.tso_cap - 1 : 1;
    if (k + 1 > fit)
        k = fit > 1 ? fit - 1 : 1;
    return (int)k;
}

/* Rank 0: every operation of one size, interleaved; medians into pt. */
static void measure(ctx_t *x, double *samples[NOPS], point_t *pt)
{
    bench_t *b = x->b;
    int iters = bench_iters(b, x->size), warmup = bench_warmup(b, x->size);
    uint32_t rng = 0x9e3779b9u;
    int order[NOPS];
    bench_ping(b);
    verify(x);
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            bench_counters_start(b);
        bench_shuffle(order, NOPS, &rng);
        for (int k = 0; k < NOPS; k++) {
            double dt = time_op(x, order[k]);
            if (it >= warmup)
                samples[order[k]][it - warmup] = dt;
        }
    }
    bench_counters_stop(b, iters, &pt->c);
    bench_release(b);
    pt->size = x->size;
    for (int op = 0; op < NOPS; op++) {
        bench_stats_t st;
        bench_stats_of(b, samples[op], (size_t)iters, &st);
        pt->p50[op] = st.p50;
        pt->p99[op] = st.p99;
    }
}

/* ---- fetch-add ---------------------------------------------------------- */

/* The first word of each object whose block is homed at rank 1 (or the
 * first word at all, if none is: *remote says which). */
static size_t atomic_word(bench_t *b, ordo_obj_t *o, int *remote)
{
    for (size_t blk = 0; blk < g.nblocks; blk++)
        if (home_of_block(b, o, blk) == 1) {
            *remote = 1;
            return blk * g.block;
        }
    *remote = 0;
    return 0;
}

static void measure_atomics(bench_t *b, double *samples[NOPS], atomics_t *a)
{
    int iters = bench_iters(b, 8), warmup = bench_warmup(b, 8);
    size_t off[3];
    uint32_t rng = 0x2545f491u;
    int order[NATOMICS];
    for (int m = 0; m < 3; m++)
        off[m] = atomic_word(b, g.obj[m], &a->remote[m]);
    bench_ping(b);
    for (int it = 0; it < warmup + iters; it++) {
        bench_shuffle(order, NATOMICS, &rng);
        for (int k = 0; k < NATOMICS; k++) {
            int op = order[k], s;
            int64_t old = 0;
            uint64_t want = 8;
            double t0 = bench_now_us();
            if (op == A_RPC)
                s = ordo_rpc_call(b->peer, ID_GET, &want, sizeof(want), &old, sizeof(old), NULL);
            else
                s = ordo_fetch_add(g.obj[op], off[op], 1, &old);
            double dt = bench_now_us() - t0;
            if (s != ORDO_OK)
                bench_fail(b, op == A_RPC ? "ordo_rpc_call" : "ordo_fetch_add", 8, s);
            if (it >= warmup)
                samples[op][it - warmup] = dt;
        }
    }
    bench_release(b);
    for (int op = 0; op < NATOMICS; op++) {
        bench_stats_t st;
        bench_stats_of(b, samples[op], (size_t)iters, &st);
        a->p50[op] = st.p50;
        a->p99[op] = st.p99;
    }
}

/* ---- output (the table and the summary: obj_latency_print.c) ------------ */

static void print_header(bench_t *b)
{
    bench_print_title(b);
    bench_note(b,
               "objects: one per model, %zu B = %zu blocks of %zu B (ORDO_OBJ_BLOCK), homes by "
               "consistent hashing (ORDO_OBJ_VNODES)",
               g.nbytes, g.nblocks, g.block);
    bench_note(b, "home: every range timed starts at a block homed at rank 1 (rank 0 times, "
                  "rank 1 serves); causal reads/writes are local and broadcast, homes do not "
                  "matter to them");
    size_t one = b->opts.max_size < g.block ? b->opts.max_size : g.block;
    place_t sc = place_range(b, g.obj[ORDO_MODEL_SC], one);
    place_t tso = place_range(b, g.obj[ORDO_MODEL_TSO], one);
    bench_note(b,
               "  up to %zu B: one block, homed at rank %d (SC, offset %zu) and rank %d (TSO, "
               "offset %zu)",
               one, sc.remote ? 1 : 0, sc.off, tso.remote ? 1 : 0, tso.off);
    for (size_t size = bench_first_size(b); size; size = bench_next_size(b, size)) {
        if (size <= g.block)
            continue;
        sc = place_range(b, g.obj[ORDO_MODEL_SC], size);
        tso = place_range(b, g.obj[ORDO_MODEL_TSO], size);
        bench_note(b,
                   "  %zu B spans %d blocks: %d of them at rank 1 for SC, %d for TSO (the "
                   "rest at rank 0: local)",
                   size, sc.nblocks, sc.remote, tso.remote);
    }
    bench_note(b, "times: medians (us) of per-operation samples; the operations of an iteration "
                  "run in a fresh random order");
    bench_note(b,
               "TSO write: time per write of a burst into the empty store buffer: %d writes "
               "at %zu B, %d at %zu B (at most %d, and fewer than ORDO_TSO_BUFFER %zu and "
               "ORDO_TSO_BUFFER_BYTES %zu B allow); the fence draining it is NOT timed",
               tso_burst(bench_first_size(b)), bench_first_size(b), tso_burst(b->opts.max_size),
               b->opts.max_size, TSO_BURST, g.tso_cap, g.tso_bytes);
    bench_note(b, "TSO wr+fence: one write and the fence that drains it; TSO read: buffer empty "
                  "(goes to the home, as SC)");
    bench_note(b, "TSO rd own wr: a read of the range just written, whose write (untimed) is "
                  "still in the store buffer; the fence after it is NOT timed");
    bench_note(b, "Causal write: ordo_write returns after the local apply and the start of the "
                  "broadcast; the fence after it is NOT timed");
    bench_note(b, "Causal read, memcpy, TSO write: timed in groups (%d, %d, burst) and divided",
               LOCAL_GROUP, LOCAL_GROUP);
    bench_note(b, "RPC get: ordo_rpc_call with an 8 B request and a reply of the size (the "
                  "pattern of an SC read); RPC put: request of the size, empty reply (an SC "
                  "write); SCrd/RPC = SC read / RPC get, SCwr/RPC = SC write / RPC put");
    ordo_rpc_model_t m;
    if (ordo_rpc_model(&m) == ORDO_OK)
        bench_note(b,
                   "message paths: rendezvous above %zu B from malloc memory (SC/TSO requests "
                   "are built there), above %zu B from ordo_mem_alloc memory (%s: the RPC "
                   "baselines' buffers)",
                   m.threshold, m.threshold_mapped,
                   b->opts.malloc_buffers ? "not used: --buffer malloc" : "--buffer ordo");
    if (b->opts.mpi)
        bench_note(b, "MPI: MPI_Win_allocate window on ranks 0 and 1, MPI_Win_lock_all once; "
                      "MPI_Get or MPI_Put to rank 1 + MPI_Win_flush, interleaved");
    if (b->counters != BENCH_COUNTERS_NONE)
        bench_note(b, "counters: one iteration = every operation once");
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static point_t pts[MAX_SIZES];
    bench_t b;
    bench_table_t t;
    obj_rma_t rma;
    atomics_t at;
    double *samples[NOPS];
    int n = 0, rc = bench_start(&b, &spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;

    int cap = bench_iters(&b, 0) > bench_iters(&b, SIZE_MAX) ? bench_iters(&b, 0)
                                                             : bench_iters(&b, SIZE_MAX);
    for (int op = 0; op < NOPS; op++) {
        samples[op] = malloc((size_t)cap * sizeof(double));
        if (!samples[op])
            bench_fail(&b, "malloc (samples)", 0, ORDO_ERR_NOMEM);
    }
    ctx_t x = {.b = &b};
    x.src = bench_buffer(&b, b.opts.max_size);
    x.dst = bench_buffer(&b, b.opts.max_size);
    memset(&at, 0, sizeof(at));
    if (b.opts.mpi)
        obj_rma_open(&b, &rma);

    if (b.role == BENCH_ACTIVE)
        print_header(&b);
    obj_lat_columns(&b, &t);
    bench_table_header(&b, &t);
    for (size_t size = bench_first_size(&b); n < MAX_SIZES; size = bench_next_size(&b, size)) {
        memset(&pts[n], 0, sizeof(pts[n]));
        pts[n].mpi_get = pts[n].mpi_put = NAN;
        x.size = size;
        if (b.role == BENCH_ACTIVE) {
            x.sc = place_range(&b, g.obj[ORDO_MODEL_SC], size);
            x.tso = place_range(&b, g.obj[ORDO_MODEL_TSO], size);
            x.burst = tso_burst(size);
            measure(&x, samples, &pts[n]);
        } else {
            bench_serve(&b);
        }
        if (b.opts.mpi)
            obj_rma_measure(&b, &rma, size, x.dst, samples, &pts[n]);
        if (b.role == BENCH_ACTIVE)
            obj_lat_row(&b, &t, &pts[n]);
        n++;
        if (bench_next_size(&b, size) == 0)
            break;
    }

    at.mpi = at.mpi99 = NAN;
    if (b.role == BENCH_ACTIVE)
        measure_atomics(&b, samples, &at);
    else
        bench_serve(&b);
    if (b.opts.mpi) {
        obj_rma_atomics(&b, &rma, samples[0], &at);
        obj_rma_close(&b, &rma);
    }
    if (b.role == BENCH_ACTIVE) {
        obj_lat_print_atomics(&b, &at);
        obj_lat_summary(&b, pts, n);
    }
    for (int op = 0; op < NOPS; op++)
        free(samples[op]);
    bench_buffer_free(&b, x.src);
    bench_buffer_free(&b, x.dst);
    return bench_finish(&b);
}
