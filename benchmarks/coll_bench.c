/*
 * coll_bench.c - the collective benchmarks: options, the blocks of each
 * variant (ordo as configured, one forced algorithm, every algorithm and
 * AUTO, Open MPI), the statistics over ranks, OSU-format output and the
 * summaries against DESIGN.md's targets.  See coll_bench.h.
 */
#include "coll_bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CB_BLOCKS    64 /* at most: blocks the iterations are cut into when variants alternate */
#define CB_BLOCK_MIN 16 /* timed calls per block at least (fewer blocks if need be) */
#define CB_MAX_ALGS  8  /* algorithms of a family */
#define CB_MAX_SIZES 64 /* sizes of a run (1 B .. 2^63 B) */
#define CB_SEED      0x2545f491u

enum { OPT_ALG, OPT_TYPE };

/* A variant: ordo with an algorithm forced (or AUTO, or as configured), or MPI. */
typedef struct variant {
    const char *force; /* ordo_coll_force's argument; NULL: leave the choice as it is */
    int mpi;
    double *samples; /* this rank's time of each timed call, us */
} variant_t;

/* A variant's figures for one size (rank 0). */
typedef struct result {
    double avg, p50, p99, min, max;
} result_t;

/* What rank 0 keeps of a size for the tables after the main one. */
typedef struct size_row {
    size_t size;
    result_t r[CB_MAX_ALGS + 2];
    double pred[CB_MAX_ALGS + 1];
    const char *auto_alg;
} size_row_t;

static struct {
    const coll_bench_desc_t *d;
    const char *alg; /* --alg: NULL, "auto", "all" or an algorithm */
    int all;
    int dbl; /* --type double */
    const char *algs[CB_MAX_ALGS];
    int nalgs;
    variant_t v[CB_MAX_ALGS + 2];
    int nv, main_v, mpi_v; /* main_v: the first columns' variant; mpi_v: -1 without --mpi */
    bench_spec_t spec;
    bench_extra_opt_t opts[3];
    size_row_t rows[CB_MAX_SIZES];
    int nrows;
    bench_counters_t counted; /* counters over the main variant's timed calls */
} cb;

static int reduction(void)
{
    return cb.d->family == ORDO_COLL_REDUCE || cb.d->family == ORDO_COLL_ALLREDUCE;
}

static size_t elem_size(void)
{
    return reduction() ? (cb.dbl ? sizeof(double) : sizeof(float)) : 1;
}

/* ---- options, before ordo starts ------------------------------------------------ */

static int parse_extra(int index, const char *arg, char *why, size_t len)
{
    if (index == OPT_TYPE) {
        if (strcmp(arg, "float") != 0 && strcmp(arg, "double") != 0) {
            snprintf(why, len, "not an element type; accepted: float, double");
            return -1;
        }
        cb.dbl = strcmp(arg, "double") == 0;
        return 0;
    }
    cb.alg = NULL;
    if (!strcmp(arg, "all") || !strcmp(arg, "auto"))
        cb.alg = arg;
    for (int i = 0; i < cb.nalgs && !cb.alg; i++)
        if (!strcmp(arg, cb.algs[i]))
            cb.alg = cb.algs[i];
    if (cb.alg) {
        cb.all = !strcmp(arg, "all");
        return 0;
    }
    size_t n = (size_t)snprintf(why, len, "not an algorithm of %s; accepted: all, auto",
                                ordo_coll_family_name(cb.d->family));
    for (int i = 0; i < cb.nalgs && n < len; i++)
        n += (size_t)snprintf(why + n, len - n, ", %s", cb.algs[i]);
    return -1;
}

static void make_spec(const coll_bench_desc_t *d)
{
    static char alg_help[512];
    size_t n = (size_t)snprintf(alg_help, sizeof(alg_help),
                                "force one algorithm (ordo_coll_force), or all: each\n"
                                "in turn and AUTO, with the model's predictions;\n"
                                "auto: the model's choice. Algorithms:");
    for (int i = 0; i < cb.nalgs && n < sizeof(alg_help); i++)
        n += (size_t)snprintf(alg_help + n, sizeof(alg_help) - n, "%s%s", i % 3 ? " " : "\n",
                              cb.algs[i]);
    cb.opts[0] = (bench_extra_opt_t){"alg", "NAME|all", alg_help};
    cb.opts[1] = (bench_extra_opt_t){"type", "float|double",
                                     "element type of the sum (default float, as OSU;\n"
                                     "count = size / element size)"};
    if (!reduction())
        cb.opts[1] = (bench_extra_opt_t){NULL, NULL, NULL};
    cb.spec = (bench_spec_t){
        .prog = d->prog,
        .title = d->title,
        .summary = d->summary,
        .min_size = 1,
        .max_size = 1u << 20,
        .iters = 1000,
        .iters_large = 100,
        .warmup = 200,
        .warmup_large = 10,
        .flags = BENCH_OPT_ALL_RANKS,
        .extra_opts = cb.opts,
        .parse_extra = parse_extra,
    };
}

/* ---- the calls --------------------------------------------------------------- */

static int ordo_call(size_t size, void *s, void *r)
{
    size_t count = size / elem_size();
    ordo_dtype_t t = cb.dbl ? ORDO_DTYPE_DOUBLE : ORDO_DTYPE_FLOAT;
    switch (cb.d->family) {
    case ORDO_COLL_BCAST:
        return ordo_bcast(s, size, 0);
    case ORDO_COLL_REDUCE:
        return ordo_reduce(s, r, count, t, ORDO_OP_SUM, 0);
    case ORDO_COLL_ALLREDUCE:
        return ordo_allreduce(s, r, count, t, ORDO_OP_SUM);
    case ORDO_COLL_ALLGATHER:
        return ordo_allgather(s, size, r);
    case ORDO_COLL_ALLTOALL:
        return ordo_alltoall(s, size, r);
    default:
        break;
    }
    if (!cb.alg) /* the module's own barrier */
        return ordo_barrier();
    ordo_coll_req_t *req; /* --alg: the engine's, whose algorithm can be chosen */
    int st = ordo_ibarrier(&req);
    return st == ORDO_OK ? ordo_coll_wait(req) : st;
}

static void mpi_call(size_t size, void *s, void *r)
{
    int n = (int)size, count = (int)(size / elem_size());
    MPI_Datatype t = cb.dbl ? MPI_DOUBLE : MPI_FLOAT;
    switch (cb.d->family) {
    case ORDO_COLL_BCAST:
        MPI_Bcast(s, n, MPI_BYTE, 0, MPI_COMM_WORLD);
        break;
    case ORDO_COLL_REDUCE:
        MPI_Reduce(s, r, count, t, MPI_SUM, 0, MPI_COMM_WORLD);
        break;
    case ORDO_COLL_ALLREDUCE:
        MPI_Allreduce(s, r, count, t, MPI_SUM, MPI_COMM_WORLD);
        break;
    case ORDO_COLL_ALLGATHER:
        MPI_Allgather(s, n, MPI_BYTE, r, n, MPI_BYTE, MPI_COMM_WORLD);
        break;
    case ORDO_COLL_ALLTOALL:
        MPI_Alltoall(s, n, MPI_BYTE, r, n, MPI_BYTE, MPI_COMM_WORLD);
        break;
    default:
        MPI_Barrier(MPI_COMM_WORLD);
    }
}

static const char *const mpi_names[] = {"MPI_Barrier",   "MPI_Bcast",     "MPI_Reduce",
                                        "MPI_Allreduce", "MPI_Allgather", "MPI_Alltoall"};

static void ordo_sync(const bench_t *b)
{
    int s = ordo_barrier();
    if (s != ORDO_OK)
        bench_fail(b, "ordo_barrier (between blocks)", 0, s);
}

/* Every rank: warmup untimed calls of variant v, then n timed ones into its
 * samples from off, each followed by a barrier (untimed, as OSU's loops:
 * no call overlaps the next), MPI_Barrier for both libraries: how far apart
 * the ranks leave it decides what a rooted collective measures (Open MPI's
 * lets rank 0 out first: a broadcast's receivers find its message there).
 * the ranks also meet before the block, so that no rank still in one
 * variant shares the cores with ranks in the next. */
/* Rank 0's counters run over every variant's timed calls alike (counting
 * costs at each context switch: a variant counted alone, as AUTO was, ran
 * 5-8 % slower at 4-256 B on 4 ranks); the columns are the main variant's. */
static void counters_stop(bench_t *b, int vi, int n)
{
    bench_counters_t c;
    bench_counters_stop(b, n, &c);
    if (vi == cb.main_v)
        bench_counters_add(&cb.counted, &c);
}

static void run_block(bench_t *b, int vi, size_t size, void *s, void *r, int off, int n, int warmup)
{
    variant_t *v = &cb.v[vi];
    if (v->mpi) {
        MPI_Barrier(MPI_COMM_WORLD);
        for (int i = 0; i < warmup; i++)
            mpi_call(size, s, r);
        MPI_Barrier(MPI_COMM_WORLD);
        bench_counters_start(b);
        for (int i = 0; i < n; i++) {
            double t0 = bench_now_us();
            mpi_call(size, s, r);
            v->samples[off + i] = bench_now_us() - t0;
            if (cb.d->family != ORDO_COLL_BARRIER)
                MPI_Barrier(MPI_COMM_WORLD);
        }
        counters_stop(b, vi, n);
        return;
    }
    int st = v->force ? ordo_coll_force(cb.d->family, v->force) : ORDO_OK;
    if (st != ORDO_OK)
        bench_fail(b, "ordo_coll_force", size, st);
    ordo_sync(b);
    for (int i = 0; i < warmup; i++)
        if ((st = ordo_call(size, s, r)) != ORDO_OK)
            bench_fail(b, cb.d->prog + 5, size, st);
    ordo_sync(b);
    MPI_Barrier(MPI_COMM_WORLD); /* the first timed call too follows an MPI_Barrier, as MPI's */
    bench_counters_start(b);
    for (int i = 0; i < n; i++) {
        double t0 = bench_now_us();
        st = ordo_call(size, s, r);
        v->samples[off + i] = bench_now_us() - t0;
        if (st != ORDO_OK)
            bench_fail(b, cb.d->prog + 5, size, st);
        if (cb.d->family != ORDO_COLL_BARRIER)
            MPI_Barrier(MPI_COMM_WORLD);
    }
    counters_stop(b, vi, n);
}

/* Every rank: the figures of variant v over the ranks, on rank 0 (as OSU:
 * Avg is each rank's average, averaged; Min and Max the extreme ranks'
 * averages), and the statistics of the slowest rank's time per iteration. */
static void reduce_stats(const bench_t *b, const variant_t *v, int iters, double *mx, double *sum,
                         result_t *res)
{
    double mean = 0, lo = 0, hi = 0, total = 0;
    for (int i = 0; i < iters; i++)
        mean += v->samples[i];
    mean /= iters;
    MPI_Reduce(v->samples, mx, iters, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(v->samples, sum, iters, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&mean, &lo, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
    MPI_Reduce(&mean, &hi, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (b->rank != 0)
        return;
    bench_stats_t st;
    bench_stats_of(b, mx, (size_t)iters, &st);
    for (int i = 0; i < iters; i++)
        total += sum[i];
    *res = (result_t){total / iters / b->size, st.p50, st.p99, lo, hi};
}

/* Every rank: one size, every variant; rank 0 fills row. */
static void run_size(bench_t *b, size_t size, void *s, void *r, size_row_t *row)
{
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size);
    int blocks = iters / CB_BLOCK_MIN; /* every block long enough to leave its first call behind */
    blocks = cb.nv < 2 || blocks < 1 ? 1 : blocks > CB_BLOCKS ? CB_BLOCKS : blocks;
    int order[CB_MAX_ALGS + 2];
    uint32_t rng = CB_SEED ^ (uint32_t)size; /* the same order on every rank */
    for (int k = 0, off = 0; k < blocks; k++) {
        int n = iters / blocks + (k < iters % blocks);
        bench_shuffle(order, cb.nv, &rng);
        for (int j = 0; j < cb.nv; j++)
            run_block(b, order[j], size, s, r, off, n, k ? warmup > 0 : warmup);
        off += n;
    }
    double *mx = malloc(sizeof(double) * (size_t)iters);
    double *sum = malloc(sizeof(double) * (size_t)iters);
    if (!mx || !sum)
        bench_fail(b, "malloc (statistics)", size, ORDO_ERR_NOMEM);
    row->size = size;
    for (int vi = 0; vi < cb.nv; vi++)
        reduce_stats(b, &cb.v[vi], iters, mx, sum, &row->r[vi]);
    free(mx);
    free(sum);
    /* The model's predictions (local): AUTO last, so that it stays in force. */
    for (int vi = 0; vi < cb.nv; vi++) {
        const char *alg = cb.v[vi].force && strcmp(cb.v[vi].force, "auto") ? cb.v[vi].force : NULL;
        row->pred[vi] = NAN;
        if (cb.v[vi].mpi || alg == NULL)
            continue;
        if (ordo_coll_predict(cb.d->family, size, &alg, &row->pred[vi]) != ORDO_OK)
            row->pred[vi] = NAN;
    }
    if (cb.v[cb.main_v].force)
        ordo_coll_force(cb.d->family, cb.v[cb.main_v].force);
    row->auto_alg = NULL;
    if (ordo_coll_predict(cb.d->family, size, &row->auto_alg, &row->pred[cb.main_v]) != ORDO_OK)
        row->auto_alg = "?";
}

/* ---- output ------------------------------------------------------------------ */

static void print_notes(const bench_t *b)
{
    const char *fam = ordo_coll_family_name(cb.d->family);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *wait = getenv("ORDO_WAIT");
    bench_print_title(b);
    if (cb.d->family == ORDO_COLL_BARRIER)
        bench_note(b, "%s on all %d ranks; no sizes (-m is ignored): one row, size 0",
                   cb.alg ? "ordo_ibarrier + ordo_coll_wait (--alg: the engine's barrier)"
                          : "ordo_barrier",
                   b->size);
    else if (reduction())
        bench_note(b,
                   "%s of %s sums on all %d ranks (root 0 for reduce); count = size / %zu B, as "
                   "OSU (sizes from %zu B)",
                   cb.d->prog + 5, cb.dbl ? "double" : "float", b->size, elem_size(), elem_size());
    else
        bench_note(b, "%s on all %d ranks%s; size = bytes per rank%s", cb.d->prog + 5, b->size,
                   cb.d->family == ORDO_COLL_BCAST ? " from root 0" : "",
                   cb.d->family == ORDO_COLL_ALLTOALL ? " and destination" : "");
    bench_note(b, "timing: every rank times each call; Avg Latency = mean over ranks and "
                  "iterations (OSU's); p50/p99 = of the slowest rank's time per iteration; "
                  "an untimed MPI_Barrier after each call (both libraries), as OSU");
    bench_note(b, "ordo waits: ORDO_WAIT=%s (%d ranks here, %ld cores: auto %s)",
               wait ? wait : "auto", ordo_local_size(), cores,
               cores > 0 && ordo_local_size() > cores ? "yields" : "spins");
    if (cb.all)
        bench_note(
            b,
            "algorithms: each forced in turn (ordo_coll_force), and AUTO, in up to %d blocks "
            "in a fresh random order; their columns and AUTO/best are p50s",
            CB_BLOCKS);
    else if (cb.alg)
        bench_note(b, "algorithm: %s (--alg)", cb.alg);
    else {
        char var[48];
        snprintf(var, sizeof(var), "ORDO_COLL_%s", fam);
        for (char *p = var; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        const char *env = getenv(var);
        bench_note(b, "algorithm: %s (%s%s)", env && *env ? env : "auto", var,
                   env && *env ? "" : " unset: the model's choice per size");
    }
    if (b->opts.mpi) {
        const char *ov = getenv("OMPI_MCA_mpi_oversubscribe");
        const char *y = getenv("OMPI_MCA_mpi_yield_when_idle");
        bench_note(b,
                   "MPI: %s in the same processes, in blocks alternating with ordo's; Open "
                   "MPI's defaults: mpi_oversubscribe=%s, so it %s",
                   mpi_names[cb.d->family], ov ? ov : "unset",
                   y ? (strcmp(y, "0") ? "yields between polls (mpi_yield_when_idle)"
                                       : "busy-polls (mpi_yield_when_idle=0)")
                   : ov && !strcmp(ov, "1") ? "yields between polls (sched_yield, still polling)"
                                            : "busy-polls");
    }
}

/* A column wide enough for the algorithms' names. */
static void col_wide(bench_table_t *t, const char *name)
{
    int w = 0;
    for (int i = 0; i < cb.nalgs; i++)
        w = (int)strlen(cb.algs[i]) + 2 > w ? (int)strlen(cb.algs[i]) + 2 : w;
    bench_table_col(t, name);
    if (t->ncols > 0 && t->width[t->ncols - 1] < w)
        t->width[t->ncols - 1] = w;
}

static void columns(const bench_t *b, bench_table_t *t)
{
    static char names[CB_MAX_ALGS][64];
    bench_table_init(t);
    bench_table_col(t, "Avg Latency(us)");
    bench_table_col(t, "p50 (us)");
    bench_table_col(t, "p99 (us)");
    if (b->opts.full) {
        bench_table_col(t, "Min Latency(us)");
        bench_table_col(t, "Max Latency(us)");
        bench_table_col(t, "Iterations");
    }
    bench_counter_columns(b, t);
    col_wide(t, cb.all ? "AUTO runs" : "Algorithm");
    if (!cb.all)
        bench_table_col(t, "Predicted (us)");
    for (int i = 0; cb.all && i < cb.nalgs; i++) {
        snprintf(names[i], sizeof(names[i]), "%s p50", cb.algs[i]);
        bench_table_col(t, names[i]);
    }
    if (cb.all) {
        col_wide(t, "Best forced");
        bench_table_col(t, "AUTO/best");
    }
    if (b->opts.mpi) {
        bench_table_col(t, "MPI (us)");
        bench_table_col(t, "ordo/MPI");
    }
}

/* The best forced algorithm of a row (lowest p50), or -1. */
static int best_forced(const size_row_t *row)
{
    int best = -1;
    for (int i = 0; i < cb.nalgs; i++)
        if (best < 0 || row->r[i].p50 < row->r[best].p50)
            best = i;
    return best;
}

static void print_row(bench_t *b, bench_table_t *t, const size_row_t *row, int iters)
{
    const result_t *m = &row->r[cb.main_v];
    bench_row_begin(b, t, row->size);
    bench_cell(b, t, m->avg);
    bench_cell(b, t, m->p50);
    bench_cell(b, t, m->p99);
    if (b->opts.full) {
        bench_cell(b, t, m->min);
        bench_cell(b, t, m->max);
        bench_cell_prec(b, t, iters, 0);
    }
    bench_counter_cells(b, t, &cb.counted);
    bench_cell_str(b, t, row->auto_alg);
    if (!cb.all)
        bench_cell(b, t, row->pred[cb.main_v]);
    int best = cb.all ? best_forced(row) : -1;
    for (int i = 0; cb.all && i < cb.nalgs; i++)
        bench_cell(b, t, row->r[i].p50);
    if (cb.all) {
        bench_cell_str(b, t, cb.algs[best]);
        bench_cell(b, t, m->p50 / row->r[best].p50);
    }
    if (b->opts.mpi) {
        double mpi = row->r[cb.mpi_v].avg;
        bench_cell(b, t, mpi);
        bench_cell(b, t, mpi > 0 ? m->avg / mpi : NAN);
    }
    bench_row_end(b, t);
}

/* --alg all: the model beside the measurements, and AUTO against the best. */
static void print_model(const bench_t *b)
{
    double worst = 0;
    int worst_row = 0, hits = 0;
    bench_note(b, "the model (ordo_coll_predict) beside the measured p50, us: predicted / "
                  "measured (measured/predicted)");
    printf("# %-8s", "Size");
    for (int i = 0; i < cb.nalgs; i++)
        printf("%30s", cb.algs[i]);
    printf("%20s\n", "model's pick");
    for (int k = 0; k < cb.nrows; k++) {
        const size_row_t *row = &cb.rows[k];
        int best = best_forced(row);
        double ratio = row->r[cb.main_v].p50 / row->r[best].p50;
        printf("# %-8zu", row->size);
        for (int i = 0; i < cb.nalgs; i++) {
            char cell[64];
            snprintf(cell, sizeof(cell), "%.*f / %.*f (%.2f)", b->opts.digits, row->pred[i],
                     b->opts.digits, row->r[i].p50, row->r[i].p50 / row->pred[i]);
            printf("%30s", cell);
        }
        printf("%20s\n", row->auto_alg);
        hits += !strcmp(row->auto_alg, cb.algs[best]);
        if (ratio > worst) {
            worst = ratio;
            worst_row = k;
        }
    }
    const size_row_t *w = &cb.rows[worst_row];
    bench_note(b, "the model picked the measured best forced algorithm at %d of %d sizes", hits,
               cb.nrows);
    bench_note(b,
               "AUTO/best forced (p50): worst %.2f at %zu B (AUTO ran %s, best %s); target <= "
               "1.05 at every size: %s",
               worst, w->size, w->auto_alg, cb.algs[best_forced(w)],
               worst <= 1.05 ? "met" : "NOT met");
}

/* --mpi: the range of ordo/MPI over the sizes. */
static void print_mpi_summary(const bench_t *b)
{
    int lo = 0, hi = 0, under = 0;
    double rl = INFINITY, rh = 0;
    for (int k = 0; k < cb.nrows; k++) {
        double r = cb.rows[k].r[cb.main_v].avg / cb.rows[k].r[cb.mpi_v].avg;
        under += r <= 1.0;
        if (r < rl) {
            rl = r;
            lo = k;
        }
        if (r > rh) {
            rh = r;
            hi = k;
        }
    }
    bench_note(b,
               "ordo/MPI (Avg Latency): best %.2f at %zu B, worst %.2f at %zu B; <= 1.0 at %d "
               "of %d sizes (%d ranks)",
               rl, cb.rows[lo].size, rh, cb.rows[hi].size, under, cb.nrows, b->size);
}

/* ---- the run ----------------------------------------------------------------- */

static void make_variants(const bench_t *b, int iters_cap)
{
    cb.nv = 0;
    if (cb.all) {
        for (int i = 0; i < cb.nalgs; i++)
            cb.v[cb.nv++] = (variant_t){.force = cb.algs[i]};
        cb.main_v = cb.nv;
        cb.v[cb.nv++] = (variant_t){.force = "auto"};
    } else {
        cb.main_v = cb.nv;
        cb.v[cb.nv++] = (variant_t){.force = cb.alg};
    }
    cb.mpi_v = -1;
    if (b->opts.mpi) {
        cb.mpi_v = cb.nv;
        cb.v[cb.nv++] = (variant_t){.mpi = 1};
    }
    for (int i = 0; i < cb.nv; i++)
        if (!(cb.v[i].samples = malloc(sizeof(double) * (size_t)iters_cap)))
            bench_fail(b, "malloc (samples)", 0, ORDO_ERR_NOMEM);
}

/* Reduction inputs: rank + 1 in every element (no denormals, no NaNs). */
static void fill_inputs(const bench_t *b, void *s, size_t len)
{
    for (size_t i = 0; i < len / elem_size(); i++)
        if (cb.dbl)
            ((double *)s)[i] = b->rank + 1;
        else
            ((float *)s)[i] = (float)(b->rank + 1);
}

int coll_bench_main(const coll_bench_desc_t *d, int argc, char **argv)
{
    bench_t b;
    bench_table_t t;
    cb.d = d;
    cb.nalgs = ordo_coll_algorithms(d->family, cb.algs, CB_MAX_ALGS);
    if (cb.nalgs < 1 || cb.nalgs > CB_MAX_ALGS)
        return 1;
    make_spec(d);
    int rc = bench_start(&b, &cb.spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;
    size_t first = bench_first_size(&b), max = b.opts.max_size;
    if (first < elem_size())
        first = elem_size();
    if (max < first) {
        if (b.rank == 0)
            fprintf(stderr, "%s: -m: max %zu B is less than one element (%zu B)\n", d->prog, max,
                    elem_size());
        bench_finish(&b);
        return 2;
    }
    int by_rank = d->family == ORDO_COLL_ALLGATHER || d->family == ORDO_COLL_ALLTOALL;
    size_t in_len = d->family == ORDO_COLL_ALLTOALL ? max * (size_t)b.size : max;
    size_t out_len = by_rank ? max * (size_t)b.size : max;
    if (d->family == ORDO_COLL_BARRIER)
        first = in_len = out_len = 0;
    int cap = bench_iters(&b, 0) > bench_iters(&b, max) ? bench_iters(&b, 0) : bench_iters(&b, max);
    make_variants(&b, cap);
    void *s = bench_buffer(&b, in_len), *r = bench_buffer(&b, out_len);
    if (reduction())
        fill_inputs(&b, s, in_len);

    print_notes(&b);
    columns(&b, &t);
    bench_table_header(&b, &t);
    for (size_t size = first; cb.nrows < CB_MAX_SIZES; size = bench_next_size(&b, size)) {
        size_row_t *row = &cb.rows[cb.nrows++];
        bench_counters_reset(&cb.counted);
        run_size(&b, size, s, r, row);
        print_row(&b, &t, row, bench_iters(&b, size));
        if (d->family == ORDO_COLL_BARRIER || bench_next_size(&b, size) == 0)
            break;
    }
    if (b.rank == 0 && cb.all)
        print_model(&b);
    if (b.rank == 0 && b.opts.mpi)
        print_mpi_summary(&b);
    fflush(stdout);
    for (int i = 0; i < cb.nv; i++)
        free(cb.v[i].samples);
    bench_buffer_free(&b, s);
    bench_buffer_free(&b, r);
    return bench_finish(&b);
}
