/*
 * ordo_crossover - where the rendezvous starts to pay, measured beside
 * ordo's cost model.
 *
 * For each size x, rank 0 times ordo_rpc_call to rank 1 with a request of
 * x bytes and an EMPTY reply (one message of x bytes plus a small reply: the
 * operation ordo's start-up calibration fits), with the path forced eager
 * (ordo_rpc_set_proto(ORDO_PROTO_EAGER)), forced rendezvous (ORDO_PROTO_RNDV)
 * and automatic (ORDO_PROTO_AUTO).  The three are interleaved call by call,
 * so drift of the machine hits them alike.  Times are the median of the
 * per-call samples, in microseconds, for the whole call (a round trip; not
 * halved as ordo_latency does).
 *
 * Beside them: the model of both paths from ordo_rpc_model(),
 * T(x) = alpha + x / beta (alpha in us, beta in MB/s, so x / beta is in us
 * for x in bytes), the path auto takes (rendezvous when x > threshold), and
 * auto / min(eager, rndv), whose target is <= 1.05 at every size.
 *
 * At the end: the model's alpha and beta of both paths and a fit of this
 * run's medians, the predicted crossover x* (model.crossover), the measured
 * one (the first size from which forced rendezvous is faster than forced
 * eager and stays faster), and whether the prediction is within a factor 2.
 *
 * --mpi: MPI_Send of x bytes answered by a zero-byte MPI_Send, same pattern.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ID_SINK = 1 };
enum { P_EAGER, P_RNDV, P_AUTO, NPATHS };

#define MAX_SIZES   64
#define TARGET_AUTO 1.05

static const ordo_proto_t protos[NPATHS] = {ORDO_PROTO_EAGER, ORDO_PROTO_RNDV, ORDO_PROTO_AUTO};

typedef struct point {
    size_t size;
    double t[NPATHS];   /* median, us */
    double p99[NPATHS]; /* us */
} point_t;

static int on_sink(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

static int register_handlers(void)
{
    return ordo_rpc_register(ID_SINK, on_sink, NULL);
}

static const bench_spec_t spec = {
    .prog = "ordo_crossover",
    .title = "Eager/Rendezvous Crossover Test",
    .summary = "ordo_rpc_call (x-byte request, empty reply) forced eager, forced rendezvous\n"
               "and automatic, beside the cost model; measured and predicted crossover.",
    .min_size = 1,
    .max_size = 4u << 20,
    .iters = 5000,
    .iters_large = 500,
    .warmup = 100,
    .warmup_large = 10,
    .register_handlers = register_handlers,
};

static void set_proto(bench_t *b, ordo_proto_t p)
{
    int s = ordo_rpc_set_proto(p);
    if (s != ORDO_OK)
        bench_fail(b, "ordo_rpc_set_proto", 0, s);
}

/* Rank 0: the three paths of one size, interleaved; medians into pt. */
static void measure(bench_t *b, size_t size, const void *buf, double *samples[NPATHS], point_t *pt)
{
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size);
    bench_ping(b);
    /* The paths in a fresh random order each iteration (seeded: runs are
     * alike), so that each follows each other one, and itself, equally
     * often: a call runs faster after one of its own path, whose buffers
     * are still in the caches. */
    uint32_t rng = 0x9e3779b9u;
    for (int it = 0; it < warmup + iters; it++) {
        int order[NPATHS] = {P_EAGER, P_RNDV, P_AUTO};
        for (int k = NPATHS - 1; k > 0; k--) {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            int j = (int)(rng % (uint32_t)(k + 1)), tmp = order[k];
            order[k] = order[j];
            order[j] = tmp;
        }
        for (int k = 0; k < NPATHS; k++) {
            int p = order[k];
            set_proto(b, protos[p]);
            double t0 = bench_now_us();
            int s = ordo_rpc_call(b->peer, ID_SINK, buf, size, NULL, 0, NULL);
            double dt = bench_now_us() - t0;
            if (s != ORDO_OK)
                bench_fail(b, "ordo_rpc_call", size, s);
            if (it >= warmup)
                samples[p][it - warmup] = dt;
        }
    }
    set_proto(b, ORDO_PROTO_AUTO);
    bench_release(b);
    pt->size = size;
    for (int p = 0; p < NPATHS; p++) {
        bench_stats_t st;
        bench_stats_of(b, samples[p], (size_t)iters, &st);
        pt->t[p] = st.p50;
        pt->p99[p] = st.p99;
    }
}

/* Both ranks: MPI round trip of x bytes out, 0 bytes back; us on rank 0. */
static double mpi_roundtrip(const bench_t *b, size_t size, void *buf)
{
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size);
    int n = (int)size;
    double t0 = 0;
    bench_mpi_sync(b);
    for (int i = 0; i < warmup + iters; i++) {
        if (i == warmup)
            t0 = bench_now_us();
        if (b->role == BENCH_ACTIVE) {
            MPI_Send(buf, n, MPI_BYTE, b->peer, 1, MPI_COMM_WORLD);
            MPI_Recv(NULL, 0, MPI_BYTE, b->peer, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(buf, n, MPI_BYTE, b->peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(NULL, 0, MPI_BYTE, b->peer, 2, MPI_COMM_WORLD);
        }
    }
    return (bench_now_us() - t0) / iters;
}

static double predict(double alpha_us, double beta_mbs, size_t x)
{
    return beta_mbs > 0 ? alpha_us + (double)x / beta_mbs : NAN;
}

/*
 * Fit t = alpha + x / beta to the medians of one path, least squares on the
 * relative error (weights 1/t^2), so that small sizes count as much as big.
 */
static void fit(const point_t *pt, int n, int path, double *alpha, double *beta)
{
    double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        double x = (double)pt[i].size, y = pt[i].t[path], w = 1.0 / (y * y);
        sw += w;
        sx += w * x;
        sy += w * y;
        sxx += w * x * x;
        sxy += w * x * y;
    }
    double det = sw * sxx - sx * sx;
    double slope = det > 0 ? (sw * sxy - sx * sy) / det : 0;
    *alpha = det > 0 ? (sy - slope * sx) / sw : NAN;
    *beta = slope > 0 ? 1.0 / slope : INFINITY;
}

static double crossover_of(double ae, double be, double ar, double br)
{
    double denom = 1.0 / be - 1.0 / br;
    return denom > 0 ? (ar - ae) / denom : -1.0;
}

/* Index of the first size from which rndv is faster for good, or -1. */
static int measured_crossover(const point_t *pt, int n)
{
    int first = -1;
    for (int i = n - 1; i >= 0 && pt[i].t[P_RNDV] < pt[i].t[P_EAGER]; i--)
        first = i;
    return first;
}

static void columns(const bench_t *b, bench_table_t *t)
{
    bench_table_init(t);
    bench_table_col(t, "Eager (us)");
    bench_table_col(t, "Rndv (us)");
    bench_table_col(t, "Auto (us)");
    bench_table_col(t, "Model eager");
    bench_table_col(t, "Model rndv");
    bench_table_col(t, "Auto path");
    bench_table_col(t, "Auto/best");
    if (b->opts.full) {
        bench_table_col(t, "Eager p99");
        bench_table_col(t, "Rndv p99");
        bench_table_col(t, "Auto p99");
    }
    if (b->opts.mpi) {
        bench_table_col(t, "MPI (us)");
        bench_table_col(t, "Auto/MPI");
    }
}

static void row(const bench_t *b, bench_table_t *t, const point_t *pt, const ordo_rpc_model_t *m,
                int have_model, double mpi)
{
    double best = fmin(pt->t[P_EAGER], pt->t[P_RNDV]);
    bench_row_begin(b, t, pt->size);
    for (int p = 0; p < NPATHS; p++)
        bench_cell(b, t, pt->t[p]);
    bench_cell(b, t, have_model ? predict(m->eager_alpha_us, m->eager_beta_mbs, pt->size) : NAN);
    bench_cell(b, t, have_model ? predict(m->rndv_alpha_us, m->rndv_beta_mbs, pt->size) : NAN);
    bench_cell_str(b, t, pt->size > m->threshold ? "rndv" : "eager");
    bench_cell(b, t, pt->t[P_AUTO] / best);
    if (b->opts.full)
        for (int p = 0; p < NPATHS; p++)
            bench_cell(b, t, pt->p99[p]);
    if (b->opts.mpi) {
        bench_cell(b, t, mpi);
        bench_cell(b, t, pt->t[P_AUTO] / mpi);
    }
    bench_row_end(b, t);
}

static void print_model(const bench_t *b, const ordo_rpc_model_t *m, int have_model)
{
    if (!have_model) {
        bench_note(b,
                   "model: not calibrated (ORDO_RNDV_THRESH set): threshold %zu B, no "
                   "prediction",
                   m->threshold);
        return;
    }
    bench_note(b, "model (ordo_rpc_model, calibrated at start-up in %.1f ms):", m->calibration_ms);
    bench_note(b, "  eager T(x) = %.2f us + x / %.1f MB/s; rndv T(x) = %.2f us + x / %.1f MB/s",
               m->eager_alpha_us, m->eager_beta_mbs, m->rndv_alpha_us, m->rndv_beta_mbs);
    if (m->crossover >= 0)
        bench_note(b, "  x* = %.0f B, threshold %zu B (auto: rndv above it)", m->crossover,
                   m->threshold);
    else
        bench_note(b, "  x* = none (the rendezvous never pays off), threshold %zu B", m->threshold);
}

/* From point i on, the rendezvous is never more than 5% faster than eager
 * (the margin by which the calibration asks it to win). */
static int level_above(const point_t *pt, int n, int i)
{
    for (int k = i; k < n; k++)
        if (pt[k].t[P_RNDV] < 0.95 * pt[k].t[P_EAGER])
            return 0;
    return 1;
}

static void summary(const bench_t *b, const point_t *pt, int n, const ordo_rpc_model_t *m,
                    int have_model)
{
    double ae, be, ar, br;
    fit(pt, n, P_EAGER, &ae, &be);
    fit(pt, n, P_RNDV, &ar, &br);
    if (have_model)
        bench_note(b,
                   "fitted at start-up: eager alpha %.2f us beta %.1f MB/s; rndv alpha %.2f "
                   "us beta %.1f MB/s",
                   m->eager_alpha_us, m->eager_beta_mbs, m->rndv_alpha_us, m->rndv_beta_mbs);
    if (n >= 2) {
        double x = crossover_of(ae, be, ar, br);
        char xs[32] = "none";
        if (x >= 0)
            snprintf(xs, sizeof(xs), "%.0f B", x);
        bench_note(b,
                   "fitted to this run: eager alpha %.2f us beta %.1f MB/s; rndv alpha %.2f "
                   "us beta %.1f MB/s; x* = %s",
                   ae, be, ar, br, xs);
    }

    int i = measured_crossover(pt, n);
    double pred = have_model ? m->crossover : NAN;
    size_t max = pt[n - 1].size;
    if (have_model && pred >= 0)
        bench_note(b, "predicted crossover x* = %.0f B", pred);
    else
        bench_note(b, "predicted crossover x* = none");
    if (i > 0)
        bench_note(b,
                   "measured crossover = %zu B (rndv faster from %zu B on; eager faster at "
                   "%zu B)",
                   pt[i].size, pt[i].size, pt[i - 1].size);
    else if (i == 0)
        bench_note(b, "measured crossover <= %zu B (rndv faster at every size measured)",
                   pt[0].size);
    else
        bench_note(b, "measured crossover = none up to %zu B (eager faster at %zu B)", max, max);

    const char *verdict;
    if (!have_model)
        verdict = "n/a (no model)";
    else if (i < 0)
        verdict = pred < 0 || pred > (double)max ? "yes (neither within the sizes measured)"
                                                 : "NO (predicted, not measured)";
    else if (pred < 0 && level_above(pt, n, i))
        verdict = "yes (none predicted: above the measured one the paths are level within "
                  "5%, where ordo keeps eager)";
    else if (pred < 0)
        verdict = "NO (measured, not predicted)";
    else
        verdict = pred >= (double)pt[i].size / 2 && pred <= 2.0 * (double)pt[i].size ? "yes" : "NO";
    bench_note(b, "prediction within a factor 2 of the measured crossover: %s", verdict);

    int worst = 0;
    for (int k = 1; k < n; k++)
        if (pt[k].t[P_AUTO] / fmin(pt[k].t[P_EAGER], pt[k].t[P_RNDV]) >
            pt[worst].t[P_AUTO] / fmin(pt[worst].t[P_EAGER], pt[worst].t[P_RNDV]))
            worst = k;
    double r = pt[worst].t[P_AUTO] / fmin(pt[worst].t[P_EAGER], pt[worst].t[P_RNDV]);
    bench_note(b, "auto/best: worst %.2f at %zu B (target <= %.2f: %s)", r, pt[worst].size,
               TARGET_AUTO, r <= TARGET_AUTO ? "met" : "NOT met");
}

int main(int argc, char **argv)
{
    static point_t pts[MAX_SIZES];
    bench_t b;
    bench_table_t t;
    ordo_rpc_model_t m;
    double *samples[NPATHS];
    int n = 0, rc = bench_start(&b, &spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;

    int s = ordo_rpc_model(&m);
    if (s != ORDO_OK)
        bench_fail(&b, "ordo_rpc_model", 0, s);
    if (!b.opts.malloc_buffers) {
        /* Payloads in ordo_mem_alloc memory: the model of that rendezvous. */
        m.rndv_alpha_us = m.rndv_mapped_alpha_us;
        m.rndv_beta_mbs = m.rndv_mapped_beta_mbs;
        m.crossover = m.crossover_mapped;
        m.threshold = m.threshold_mapped;
    }
    int have_model = m.calibrated && m.eager_beta_mbs > 0 && m.rndv_beta_mbs > 0;
    int cap = bench_iters(&b, 0) > bench_iters(&b, SIZE_MAX) ? bench_iters(&b, 0)
                                                             : bench_iters(&b, SIZE_MAX);
    void *buf = bench_buffer(&b, b.opts.max_size);
    for (int p = 0; p < NPATHS; p++) {
        samples[p] = malloc((size_t)cap * sizeof(double));
        if (!samples[p])
            bench_fail(&b, "malloc (samples)", 0, ORDO_ERR_NOMEM);
    }

    bench_print_title(&b);
    bench_note(&b, "ordo_rpc_call rank 0 -> rank 1: request of x bytes, EMPTY reply; times are "
                   "medians of whole calls (round trips, not halved)");
    bench_note(&b, "Eager/Rndv/Auto: forced by ordo_rpc_set_proto, interleaved call by call");
    bench_note(&b, "rendezvous model and threshold: those of %s memory",
               b.opts.malloc_buffers ? "ordinary (malloc)" : "ordo_mem_alloc");
    print_model(&b, &m, have_model);
    bench_note(&b, "Model eager/rndv: alpha + x / beta (us); Auto path: rndv if x > threshold; "
                   "Auto/best = Auto / min(Eager, Rndv)");
    if (b.opts.mpi)
        bench_note(&b, "MPI: MPI_Send of x bytes answered by a 0-byte MPI_Send (us per round "
                       "trip)");
    columns(&b, &t);
    bench_table_header(&b, &t);

    for (size_t size = bench_first_size(&b); n < MAX_SIZES; size = bench_next_size(&b, size)) {
        double mpi = NAN;
        if (b.role == BENCH_ACTIVE)
            measure(&b, size, buf, samples, &pts[n]);
        else
            bench_serve(&b);
        if (b.opts.mpi)
            mpi = mpi_roundtrip(&b, size, buf);
        if (b.role == BENCH_ACTIVE)
            row(&b, &t, &pts[n], &m, have_model, mpi);
        n++;
        if (bench_next_size(&b, size) == 0)
            break;
    }
    if (b.role == BENCH_ACTIVE)
        summary(&b, pts, n, &m, have_model);
    for (int p = 0; p < NPATHS; p++)
        free(samples[p]);
    bench_buffer_free(&b, buf);
    return bench_finish(&b);
}
