/*
 * ordo_qreg_latency - latency and throughput of quorum registers
 * (ordo_qreg_*) beside what predicts them, measured in the same run.
 *
 * A write is two phases (the tag query, decided by the Q-th answer; the
 * store, decided by the W-th acknowledgement) and an uncontended read one
 * (the query, decided by the Q-th answer, which all agree), so with rtt(k)
 * the k-th fastest round trip from the operating rank to the key's R
 * replicas:
 *
 *   write = rtt(Q) + rtt(W)          read = rtt(Q), + rtt(W) if Q < W
 *
 * and DESIGN.md's target is measured / predicted <= 1.2.  Every rank
 * serves (BENCH_OPT_ALL_RANKS).  For R = 3 and R = 5 (an R the job has too
 * few ranks for is skipped, and said so) one register set per (W, Q): by
 * default W = 1..R with Q = R - W + 1 (the smallest quorums that
 * intersect), with --quorums all every W + Q > R.  Per value size (-m,
 * default 8 B):
 *
 *   one rank   rank 0 times, in a fresh random order each iteration: an
 *              ordo_rpc_call round trip (8 B each way) to every rank (the
 *              replicas' rtt, rank 0's own included: it may be a replica),
 *              an SC ordo_read and ordo_write of 8 B on a word homed at
 *              another rank, and a write and a read of key 0 of every
 *              register set; the others serve.  p50 and p99, the
 *              prediction from the p50 round trips to that key's replicas
 *              (ordo_qreg_replicas), the ratio, and the share of reads whose
 *              answers agreed (ordo_qreg_stats: one phase).
 *   all ranks  every rank writes and reads key 0 of each register set in
 *              turn, at once (contended: reads may disagree and write
 *              back); p50 and p99 over every rank's samples.
 *   throughput ordo_qreg_write_nb / ordo_qreg_read_nb, windows of -W in
 *              flight over -W keys (each its own replicas), waited for in
 *              order; rank 0 alone, then every rank at once (the sum of the
 *              ranks' operations over the longest rank's time).
 *
 * --delays US0,US1,... sets ORDO_FAULT=slow=1:US1,... before ordo starts
 * (rank r's messages, replies included, are held back US_r microseconds):
 * each replica gets a latency of its own, the round trips measured in the
 * same run carry it, and the table tests the formula.  An ORDO_FAULT set in
 * the environment works as well (and is printed).
 */
#include "qreg_latency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SC_BYTES (2u << 20) /* the SC object: blocks enough to find a remote home */

/* ---- set-up --------------------------------------------------------------------- */

typedef struct ctx {
    bench_t *b;
    qrl_run_t run;
    ordo_obj_t *sc;
    size_t sc_off;
    uint8_t *val, *dst; /* a value to write, where reads go (-W values) */
    double **samples;   /* per operation timed */
    int nsamples;       /* operations that have samples */
    int skipped[2];     /* R = 3, R = 5 skipped for want of ranks */
} ctx_t;

static void check(ctx_t *x, const char *what, int s)
{
    if (s != ORDO_OK)
        bench_fail(x->b, what, x->run.size, s);
}

static void add_config(ctx_t *x, int R, int W, int Q)
{
    if (x->run.ncfg < QRL_MAX_CONFIGS)
        x->run.cfg[x->run.ncfg++] = (qrl_config_t){.R = R, .W = W, .Q = Q};
}

/* The (R, W, Q) measured: every rank lists the same. */
static void list_configs(ctx_t *x)
{
    static const int Rs[2] = {3, 5};
    for (int i = 0; i < 2; i++) {
        int R = Rs[i];
        if (x->b->size < R) {
            x->skipped[i] = 1;
            continue;
        }
        for (int W = 1; W <= R; W++) {
            int qmin = R - W + 1; /* the smallest Q with W + Q > R */
            for (int Q = qmin; Q <= (qrl_opt.quorums_all ? R : qmin); Q++)
                add_config(x, R, W, Q);
        }
    }
}

/* Every rank: the register sets (nkeys -W, the size's values) and their
 * key 0's replicas. */
static void make_registers(ctx_t *x)
{
    for (int i = 0; i < x->run.ncfg; i++) {
        qrl_config_t *c = &x->run.cfg[i];
        check(
            x, "ordo_qreg_create",
            ordo_qreg_create((size_t)x->b->opts.window, x->run.size, c->R, c->W, c->Q, 0, &c->reg));
        check(x, "ordo_qreg_replicas", ordo_qreg_replicas(c->reg, 0, c->rep));
    }
}

static void free_registers(ctx_t *x)
{
    for (int i = 0; i < x->run.ncfg; i++) {
        check(x, "ordo_qreg_destroy", ordo_qreg_destroy(x->run.cfg[i].reg));
        x->run.cfg[i].reg = NULL;
    }
}

/* Every rank: the SC object, and (rank 0) a word homed elsewhere, rank 1
 * if it can be. */
static void make_sc_object(ctx_t *x)
{
    check(x, "ordo_obj_alloc (SC)", ordo_obj_alloc(SC_BYTES, ORDO_MODEL_SC, &x->sc));
    x->sc_off = 0;
    x->run.sc_home = -1;
    for (size_t off = 0; off < SC_BYTES && x->run.sc_home != 1; off += 4096) {
        int home = -1;
        check(x, "ordo_obj_home", ordo_obj_home(x->sc, off, &home));
        if (home != 0 && (x->run.sc_home < 0 || home == 1)) {
            x->sc_off = off;
            x->run.sc_home = home;
        }
    }
}

/* ---- one rank operating ----------------------------------------------------------- */

/* What rank 0 times: a round trip to rank r, an SC read or write, a write
 * or read of register set c. */
enum { OP_RTT, OP_SC_READ, OP_SC_WRITE, OP_QWRITE, OP_QREAD };
typedef struct op {
    int kind, arg;
} op_t;

static int list_ops(const ctx_t *x, op_t *ops)
{
    int n = 0;
    for (int r = 0; r < x->b->size; r++)
        ops[n++] = (op_t){OP_RTT, r};
    ops[n++] = (op_t){OP_SC_READ, 0};
    ops[n++] = (op_t){OP_SC_WRITE, 0};
    for (int c = 0; c < x->run.ncfg; c++) {
        ops[n++] = (op_t){OP_QWRITE, c};
        ops[n++] = (op_t){OP_QREAD, c};
    }
    return n;
}

static double time_op(ctx_t *x, const op_t *op)
{
    uint64_t word = 0;
    size_t len = 0;
    unsigned flags = 0;
    ordo_qreg_t *reg = op->kind >= OP_QWRITE ? x->run.cfg[op->arg].reg : NULL;
    double t0 = bench_now_us();
    switch (op->kind) {
    case OP_RTT:
        check(x, "ordo_rpc_call",
              ordo_rpc_call(op->arg, QRL_ID_ECHO, x->val, 8, &word, sizeof(word), &len));
        break;
    case OP_SC_READ:
        check(x, "ordo_read (SC)", ordo_read(x->sc, x->sc_off, &word, sizeof(word)));
        break;
    case OP_SC_WRITE:
        check(x, "ordo_write (SC)", ordo_write(x->sc, x->sc_off, x->val, 8));
        break;
    case OP_QWRITE:
        check(x, "ordo_qreg_write", ordo_qreg_write(reg, 0, x->val));
        break;
    default:
        check(x, "ordo_qreg_read", ordo_qreg_read(reg, 0, x->dst, &flags));
        break;
    }
    return bench_now_us() - t0;
}

/* What a read of every register set returns is what rank 0 wrote last. */
static void verify(ctx_t *x)
{
    for (int c = 0; c < x->run.ncfg; c++) {
        qrl_config_t *cf = &x->run.cfg[c];
        x->val[0] = (uint8_t)(x->val[0] + 1);
        check(x, "ordo_qreg_write", ordo_qreg_write(cf->reg, 0, x->val));
        check(x, "ordo_qreg_read", ordo_qreg_read(cf->reg, 0, x->dst, NULL));
        if (memcmp(x->val, x->dst, x->run.size) != 0)
            bench_fail(x->b, "qreg read-back", x->run.size, ORDO_ERR_INTERNAL);
    }
}

static uint64_t reads_agreed(ctx_t *x, ordo_qreg_t *reg, uint64_t *reads)
{
    ordo_qreg_stats_t st;
    check(x, "ordo_qreg_stats", ordo_qreg_stats(reg, &st));
    *reads = st.reads;
    return st.reads_agreed;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* rtt(Q) + rtt(W), and rtt(Q) (+ rtt(W) when Q < W): the k-th fastest of
 * the replicas' p50. */
static void predict(qrl_run_t *run, qrl_config_t *c)
{
    double t[QRL_MAX_REPLICAS];
    for (int i = 0; i < c->R; i++)
        t[i] = run->rtt50[c->rep[i]];
    qsort(t, (size_t)c->R, sizeof(double), cmp_double);
    /* A read returns after one phase only when its answers show W replicas
     * holding the freshest value: Q >= W.  Below that it writes back. */
    c->pred_r = t[c->Q - 1] + (c->Q < c->W ? t[c->W - 1] : 0);
    c->pred_w = t[c->Q - 1] + t[c->W - 1];
}

/* Rank 0: every operation interleaved; p50, p99 and predictions into run. */
static void measure_one(ctx_t *x)
{
    bench_t *b = x->b;
    qrl_run_t *run = &x->run;
    int iters = bench_iters(b, run->size), warmup = bench_warmup(b, run->size);
    op_t ops[64 + 2 + 2 * QRL_MAX_CONFIGS];
    int nops = list_ops(x, ops), order[64 + 2 + 2 * QRL_MAX_CONFIGS];
    uint64_t reads0[QRL_MAX_CONFIGS], agreed0[QRL_MAX_CONFIGS];
    uint32_t rng = 0x9e3779b9u;
    bench_stats_t st;
    verify(x);
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            for (int c = 0; c < run->ncfg; c++)
                agreed0[c] = reads_agreed(x, run->cfg[c].reg, &reads0[c]);
        bench_shuffle(order, nops, &rng);
        for (int k = 0; k < nops; k++) {
            x->val[1] = (uint8_t)it;
            double dt = time_op(x, &ops[order[k]]);
            if (it >= warmup)
                x->samples[order[k]][it - warmup] = dt;
        }
    }
    for (int k = 0; k < nops; k++) {
        bench_stats_of(b, x->samples[k], (size_t)iters, &st);
        const op_t *op = &ops[k];
        qrl_config_t *c = op->kind >= OP_QWRITE ? &run->cfg[op->arg] : NULL;
        if (op->kind == OP_RTT) {
            run->rtt50[op->arg] = st.p50;
            run->rtt99[op->arg] = st.p99;
        } else if (op->kind == OP_SC_READ) {
            run->sc_r50 = st.p50;
            run->sc_r99 = st.p99;
        } else if (op->kind == OP_SC_WRITE) {
            run->sc_w50 = st.p50;
            run->sc_w99 = st.p99;
        } else if (op->kind == OP_QWRITE) {
            c->w50 = st.p50;
            c->w99 = st.p99;
        } else {
            c->r50 = st.p50;
            c->r99 = st.p99;
        }
    }
    for (int c = 0; c < run->ncfg; c++) {
        uint64_t reads, agreed = reads_agreed(x, run->cfg[c].reg, &reads);
        run->cfg[c].reads = reads - reads0[c];
        run->cfg[c].agreed = agreed - agreed0[c];
        predict(run, &run->cfg[c]);
    }
}

/* ---- every rank operating ------------------------------------------------------- */

/* Every rank: writes and reads of key 0 of register set c, in a random
 * order; samples into mine[0] (writes) and mine[1] (reads). */
static void contend(ctx_t *x, qrl_config_t *c, double *mine[2], uint64_t *reads, uint64_t *agreed)
{
    bench_t *b = x->b;
    int iters = bench_iters(b, x->run.size), warmup = bench_warmup(b, x->run.size);
    uint32_t rng = 0x2545f491u + (uint32_t)b->rank;
    uint64_t r0 = 0, a0 = 0;
    int order[2];
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            a0 = reads_agreed(x, c->reg, &r0);
        bench_shuffle(order, 2, &rng);
        for (int k = 0; k < 2; k++) {
            op_t op = {order[k] == 0 ? OP_QWRITE : OP_QREAD, (int)(c - x->run.cfg)};
            x->val[1] = (uint8_t)it;
            double dt = time_op(x, &op);
            if (it >= warmup)
                mine[order[k]][it - warmup] = dt;
        }
    }
    *agreed = reads_agreed(x, c->reg, reads) - a0;
    *reads -= r0;
}

/* Every rank, each register set in turn (a barrier between, which serves
 * the others meanwhile); rank 0 gathers the samples over MPI once every
 * rank is done (ordo's own waits are over by then). */
static void measure_all(ctx_t *x)
{
    bench_t *b = x->b;
    qrl_run_t *run = &x->run;
    int iters = bench_iters(b, run->size), n = b->size;
    size_t per = (size_t)iters * 2 * (size_t)run->ncfg;
    double *mine = malloc(per * sizeof(double));
    double *all = b->rank == 0 ? malloc(per * (size_t)n * sizeof(double)) : NULL;
    uint64_t counts[2 * QRL_MAX_CONFIGS], sums[2 * QRL_MAX_CONFIGS];
    if (!mine || (b->rank == 0 && !all))
        bench_fail(b, "malloc (samples)", run->size, ORDO_ERR_NOMEM);
    for (int c = 0; c < run->ncfg; c++) {
        double *s[2] = {mine + (size_t)(2 * c) * (size_t)iters,
                        mine + (size_t)(2 * c + 1) * (size_t)iters};
        check(x, "ordo_barrier", ordo_barrier());
        contend(x, &run->cfg[c], s, &counts[2 * c], &counts[2 * c + 1]);
    }
    check(x, "ordo_barrier", ordo_barrier());
    MPI_Gather(mine, (int)per, MPI_DOUBLE, all, (int)per, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Reduce(counts, sums, 2 * run->ncfg, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    if (b->rank == 0)
        for (int c = 0; c < run->ncfg; c++)
            for (int k = 0; k < 2; k++) {
                /* this op's samples of every rank, side by side */
                double *v = malloc((size_t)iters * (size_t)n * sizeof(double));
                bench_stats_t st;
                if (!v)
                    bench_fail(b, "malloc (samples)", run->size, ORDO_ERR_NOMEM);
                for (int r = 0; r < n; r++)
                    memcpy(v + (size_t)r * (size_t)iters,
                           all + (size_t)r * per + (size_t)(2 * c + k) * (size_t)iters,
                           (size_t)iters * sizeof(double));
                bench_stats_of(b, v, (size_t)iters * (size_t)n, &st);
                free(v);
                qrl_config_t *cf = &run->cfg[c];
                *(k ? &cf->ar50 : &cf->aw50) = st.p50;
                *(k ? &cf->ar99 : &cf->aw99) = st.p99;
                cf->areads = sums[2 * c];
                cf->aagreed = sums[2 * c + 1];
            }
    free(mine);
    free(all);
}

/* ---- throughput ----------------------------------------------------------------- */

/* Windows of -W writes (or reads) over keys 0..W-1, each waited for in
 * order; warm-up windows first.  The time of the timed ones (us). */
static double windows(ctx_t *x, ordo_qreg_t *reg, int reads, int nwin)
{
    bench_t *b = x->b;
    int w = b->opts.window, warm = nwin > 4 ? 2 : 1;
    ordo_qreg_op_t *ops[BENCH_MAX_WINDOW];
    double t0 = 0;
    for (int k = 0; k < warm + nwin; k++) {
        if (k == warm)
            t0 = bench_now_us();
        for (int i = 0; i < w; i++) {
            int s = reads ? ordo_qreg_read_nb(reg, (uint64_t)i, x->dst + (size_t)i * x->run.size,
                                              &ops[i])
                          : ordo_qreg_write_nb(reg, (uint64_t)i, x->val, &ops[i]);
            check(x, reads ? "ordo_qreg_read_nb" : "ordo_qreg_write_nb", s);
        }
        for (int i = 0; i < w; i++)
            check(x, "ordo_qreg_wait", ordo_qreg_wait(ops[i], NULL));
    }
    return bench_now_us() - t0;
}

/* Rank 0 alone (the others serve until released). */
static void tput_one(ctx_t *x)
{
    double ops = (double)x->b->opts.window * x->run.tput_windows;
    if (x->b->role != BENCH_ACTIVE) {
        bench_serve(x->b);
        return;
    }
    for (int c = 0; c < x->run.ncfg; c++) {
        qrl_config_t *cf = &x->run.cfg[c];
        cf->tw1 = ops / windows(x, cf->reg, 0, x->run.tput_windows) * 1e6;
        cf->tr1 = ops / windows(x, cf->reg, 1, x->run.tput_windows) * 1e6;
    }
    bench_release_all(x->b);
}

/* Every rank at once: the sum of the operations over the longest time. */
static void tput_all(ctx_t *x)
{
    double ops = (double)x->b->opts.window * x->run.tput_windows * x->b->size;
    for (int c = 0; c < x->run.ncfg; c++) {
        qrl_config_t *cf = &x->run.cfg[c];
        for (int reads = 0; reads < 2; reads++) {
            check(x, "ordo_barrier", ordo_barrier());
            double t = windows(x, cf->reg, reads, x->run.tput_windows), tmax = 0;
            /* Every rank is done with ordo: the barrier's waits served the others. */
            check(x, "ordo_barrier", ordo_barrier());
            MPI_Reduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
            *(reads ? &cf->trall : &cf->twall) = ops / tmax * 1e6;
        }
    }
}

/* ---- main ----------------------------------------------------------------------- */

static void print_header(ctx_t *x)
{
    bench_t *b = x->b;
    const char *fault = getenv("ORDO_FAULT");
    bench_print_title(b);
    if (qrl_opt.delays_given)
        bench_note(b,
                   "delays: ORDO_FAULT=%s (--delays): every message rank r sends, replies "
                   "included, is held back exactly US_r microseconds",
                   qrl_opt.fault[0] ? qrl_opt.fault : "none");
    else if (fault && *fault && strcmp(fault, "none") != 0)
        bench_note(b, "delays: ORDO_FAULT=%s (environment)", fault);
    else
        bench_note(b, "delays: none (--delays US0,US1,... gives each rank a hold of its own)");
    if (fault && *fault && strcmp(fault, "none") != 0)
        bench_note(b, "  (any ORDO_FAULT turns off the message layer's short paths: the round "
                      "trips below are measured under it too)");
    for (int i = 0; i < 2; i++)
        if (x->skipped[i])
            bench_note(b, "R = %d needs %d ranks, the job has %d: skipped", i ? 5 : 3, i ? 5 : 3,
                       b->size);
    bench_note(b,
               "register sets: one per (R, W, Q), %s; %d keys; key 0 timed (its replicas: "
               "ordo_qreg_replicas), keys 0..%d for throughput",
               qrl_opt.quorums_all ? "every W + Q > R (--quorums all)"
                                   : "W = 1..R, Q = R - W + 1 (--quorums all: every W + Q > R)",
               b->opts.window, b->opts.window - 1);
    bench_note(b,
               "throughput: %d windows of %d operations in flight (after %d untimed), per "
               "figure",
               x->run.tput_windows, b->opts.window, x->run.tput_windows > 4 ? 2 : 1);
}

static void run_size(ctx_t *x)
{
    bench_t *b = x->b;
    make_registers(x);
    if (b->role == BENCH_ACTIVE) {
        measure_one(x);
        bench_release_all(b);
    } else {
        bench_serve(b);
    }
    qrl_print_baselines(b, &x->run);
    if (x->run.ncfg == 0) {
        check(x, "ordo_barrier", ordo_barrier());
        return;
    }
    qrl_print_one(b, &x->run);
    check(x, "ordo_barrier", ordo_barrier());
    measure_all(x);
    qrl_print_all(b, &x->run);
    check(x, "ordo_barrier", ordo_barrier());
    tput_one(x);
    check(x, "ordo_barrier", ordo_barrier());
    tput_all(x);
    qrl_print_tput(b, &x->run);
    qrl_print_summary(b, &x->run);
    free_registers(x);
}

static int check_sizes(bench_t *b)
{
    if (b->opts.min_size >= 1 && b->opts.max_size <= ORDO_QREG_VALUE_MAX)
        return 0;
    if (b->rank == 0)
        fprintf(stderr, "%s: -m: value sizes must be 1..%d B (ORDO_QREG_VALUE_MAX)\n",
                qrl_spec.prog, ORDO_QREG_VALUE_MAX);
    return 2;
}

int main(int argc, char **argv)
{
    bench_t b;
    ctx_t x;
    int rc = bench_start(&b, &qrl_spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;
    memset(&x, 0, sizeof(x));
    x.b = &b;
    if (check_sizes(&b) != 0) {
        bench_finish(&b);
        return 2;
    }
    list_configs(&x);
    int iters = bench_iters(&b, 0) > bench_iters(&b, SIZE_MAX) ? bench_iters(&b, 0)
                                                               : bench_iters(&b, SIZE_MAX);
    int nops = b.size + 2 + 2 * x.run.ncfg;
    if (b.size > 64)
        bench_fail(&b, "more than 64 ranks", 0, ORDO_ERR_INVALID);
    x.samples = malloc((size_t)nops * sizeof(double *));
    x.run.rtt50 = calloc((size_t)b.size, sizeof(double));
    x.run.rtt99 = calloc((size_t)b.size, sizeof(double));
    x.val = calloc(1, b.opts.max_size > 8 ? b.opts.max_size : 8); /* 8 B round trips too */
    x.dst = calloc((size_t)b.opts.window, b.opts.max_size);
    if (!x.samples || !x.run.rtt50 || !x.run.rtt99 || !x.val || !x.dst)
        bench_fail(&b, "malloc", 0, ORDO_ERR_NOMEM);
    for (int k = 0; k < nops; k++)
        if (!(x.samples[k] = malloc((size_t)iters * sizeof(double))))
            bench_fail(&b, "malloc (samples)", 0, ORDO_ERR_NOMEM);
    make_sc_object(&x);
    x.run.tput_windows = (iters / 8 > 2 ? iters / 8 : 2);
    if (b.role == BENCH_ACTIVE)
        print_header(&x);
    for (size_t size = bench_first_size(&b); size; size = bench_next_size(&b, size)) {
        x.run.size = size;
        run_size(&x);
    }
    for (int k = 0; k < nops; k++)
        free(x.samples[k]);
    free(x.samples);
    free(x.run.rtt50);
    free(x.run.rtt99);
    free(x.val);
    free(x.dst);
    return bench_finish(&b);
}
