/*
 * coll_bench.c - the collective benchmarks: options, the blocks of each
 * variant (ordo as configured, one forced algorithm, every algorithm and
 * AUTO, Open MPI), the statistics over ranks, OSU-format output and the
 * summaries against DESIGN.md's targets.  See coll_bench.h.
 */
#include "coll_bench_int.h"
#include "coll_floor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

coll_bench_state_t cb;

int cb_reduction(void)
{
    return cb.d->family == ORDO_COLL_REDUCE || cb.d->family == ORDO_COLL_ALLREDUCE;
}

size_t cb_elem_size(void)
{
    return cb_reduction() ? (cb.dbl ? sizeof(double) : sizeof(float)) : 1;
}

/* ---- options, before ordo starts ------------------------------------------------ */

static int parse_extra(int index, const char *arg, char *why, size_t len)
{
    if (!strcmp(cb.opts[index].name, "floor")) {
        cb.floor = 1;
        return 0;
    }
    if (!strcmp(cb.opts[index].name, "type")) {
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
    int k = 0;
    cb.opts[k++] = (bench_extra_opt_t){"alg", "NAME|all", alg_help};
    if (cb_reduction())
        cb.opts[k++] = (bench_extra_opt_t){"type", "float|double",
                                           "element type of the sum (default float, as OSU;\n"
                                           "count = size / element size)"};
    cb.opts[k++] = (bench_extra_opt_t){"floor", NULL,
                                       "also time the floor: the least any algorithm could\n"
                                       "take here in the same loop (the synchronization\n"
                                       "alone, a counter in shared memory); Floor (us) and\n"
                                       "ordo/floor columns (one host only)"};
    cb.opts[k] = (bench_extra_opt_t){NULL, NULL, NULL};
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
    size_t count = size / cb_elem_size();
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
    int n = (int)size, count = (int)(size / cb_elem_size());
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

static void ordo_sync(const bench_t *b)
{
    int s = ordo_barrier();
    if (s != ORDO_OK)
        bench_fail(b, "ordo_barrier (between blocks)", 0, s);
}

/* One call of an MPI or a floor variant. */
static void mpi_or_floor_call(const variant_t *v, size_t size, void *s, void *r)
{
    if (v->floor)
        coll_floor_call();
    else
        mpi_call(size, s, r);
}

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

/* Every rank: warmup untimed calls of variant v, then n timed ones into its
 * samples from off, each followed by a barrier (untimed, as OSU's loops:
 * no call overlaps the next), MPI_Barrier for both libraries: how far apart
 * the ranks leave it decides what a rooted collective measures (Open MPI's
 * lets rank 0 out first: a broadcast's receivers find its message there).
 * the ranks also meet before the block, so that no rank still in one
 * variant shares the cores with ranks in the next. */
static void run_block(bench_t *b, int vi, size_t size, void *s, void *r, int off, int n, int warmup)
{
    variant_t *v = &cb.v[vi];
    if (v->mpi || v->floor) { /* the floor in MPI's loop: a barrier after each call */
        MPI_Barrier(MPI_COMM_WORLD);
        for (int i = 0; i < warmup; i++)
            mpi_or_floor_call(v, size, s, r);
        MPI_Barrier(MPI_COMM_WORLD);
        bench_counters_start(b);
        for (int i = 0; i < n; i++) {
            double t0 = bench_now_us();
            mpi_or_floor_call(v, size, s, r);
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
    int order[CB_MAX_VARS];
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

/* ---- the run ----------------------------------------------------------------- */

int cb_auto_yields(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 && ordo_local_size() > cores;
}

/* The floor polls as ordo waits: yielding unless ORDO_WAIT says spin or,
 * with auto, the node has a core per rank. */
static int floor_yields(void)
{
    const char *w = getenv("ORDO_WAIT");
    if (w && *w && strcmp(w, "auto") != 0)
        return strcmp(w, "spin") != 0;
    return cb_auto_yields();
}

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
    cb.floor_v = -1;
    if (cb.floor &&
        coll_floor_init(cb.d->family, floor_yields(), cb.floor_why, sizeof(cb.floor_why)) == 0) {
        cb.floor_v = cb.nv;
        cb.v[cb.nv++] = (variant_t){.floor = 1};
    }
    for (int i = 0; i < cb.nv; i++)
        if (!(cb.v[i].samples = malloc(sizeof(double) * (size_t)iters_cap)))
            bench_fail(b, "malloc (samples)", 0, ORDO_ERR_NOMEM);
}

/* Reduction inputs: rank + 1 in every element (no denormals, no NaNs). */
static void fill_inputs(const bench_t *b, void *s, size_t len)
{
    for (size_t i = 0; i < len / cb_elem_size(); i++)
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
    if (first < cb_elem_size())
        first = cb_elem_size();
    if (max < first) {
        if (b.rank == 0)
            fprintf(stderr, "%s: -m: max %zu B is less than one element (%zu B)\n", d->prog, max,
                    cb_elem_size());
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
    if (cb_reduction())
        fill_inputs(&b, s, in_len);

    cb_print_notes(&b);
    cb_columns(&b, &t);
    bench_table_header(&b, &t);
    for (size_t size = first; cb.nrows < CB_MAX_SIZES; size = bench_next_size(&b, size)) {
        size_row_t *row = &cb.rows[cb.nrows++];
        bench_counters_reset(&cb.counted);
        run_size(&b, size, s, r, row);
        cb_print_row(&b, &t, row, bench_iters(&b, size));
        if (d->family == ORDO_COLL_BARRIER || bench_next_size(&b, size) == 0)
            break;
    }
    if (b.rank == 0 && cb.all)
        cb_print_model(&b);
    if (b.rank == 0 && b.opts.mpi)
        cb_print_mpi_summary(&b);
    if (b.rank == 0 && cb.floor)
        cb_print_floor_summary(&b);
    if (cb.floor_v >= 0)
        coll_floor_fini();
    fflush(stdout);
    for (int i = 0; i < cb.nv; i++)
        free(cb.v[i].samples);
    bench_buffer_free(&b, s);
    bench_buffer_free(&b, r);
    return bench_finish(&b);
}
