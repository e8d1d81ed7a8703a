/*
 * calib.c - fit the cost model T(x) = alpha + x/beta of both paths at start-up
 * and put the eager/rendezvous threshold at their crossover
 *     x* = (alpha_rndv - alpha_eager) / (1/beta_eager - 1/beta_rndv).
 *
 * Ranks pair up (r, r^1); the lower rank of each pair times calls of x bytes
 * (1 KiB .. 4 MiB: a protocol change inside UCX can show only at large sizes)
 * (empty reply) to the other: forced eager, forced rendezvous from ordinary
 * memory, and forced rendezvous from ordo_mem_alloc memory (which a peer on
 * the node maps, so its pull is one copy cheaper), taking turns call by call
 * so that drift hits the three alike.  It takes the median per
 * size and fits a line by least squares on relative errors (each point
 * weighted by 1/t^2: the small sizes, which decide alpha, count as much as
 * the large ones).  Every rank then adopts the model of ranks 0 and 1 so
 * that all agree on the thresholds.
 */
#include "ordo_config.h"

#include "runtime/boot.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The calibration's handlers (ordo__rpc_handler_add). */
static unsigned calib_id, calib_done_id;

static const size_t sizes[] = {1024,  2048,  4096,   8192,    16384,
                               32768, 65536, 262144, 1048576, 4194304};
#define NSIZES         (sizeof(sizes) / sizeof(sizes[0]))
#define ITERS          51
#define WARMUP         10
#define LARGE          (1u << 20)
#define ITERS_LARGE    7
#define WARMUP_LARGE   2
#define MIN_THRESH     1024
#define PASSES         3
#define PASS_BUDGET_NS 300000000ull  /* 300 ms: then no further pass */
#define CALIB_LIMIT_NS 2000000000ull /* 2 s: the first pass stops early */

static volatile int calib_done;

static int on_calib(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

static int on_calib_done(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    calib_done = 1;
    return ORDO_OK;
}

/* The ways a payload is timed: eager, rendezvous from ordinary memory,
 * rendezvous from ordo_mem_alloc memory. */
enum { WAY_EAGER, WAY_RNDV, WAY_MAPPED, NWAYS };

/* Median time of a call with x bytes to peer each way, in microseconds
 * (fewer rounds for large sizes, where one call already lasts long).  The
 * ways take turns call by call, so that drift of the machine hits them alike. */
static int time_calls(int peer, void *const bufs[NWAYS], size_t x, double us[NWAYS])
{
    static const int proto[NWAYS] = {ORDO_PROTO_EAGER, ORDO_PROTO_RNDV, ORDO_PROTO_RNDV};
    double t[NWAYS][ITERS];
    int iters = x >= LARGE ? ITERS_LARGE : ITERS, warmup = x >= LARGE ? WARMUP_LARGE : WARMUP;
    for (int i = 0; i < warmup + iters; i++)
        for (int w = 0; w < NWAYS; w++) {
            ordo__rpc_set_proto_internal(proto[w]);
            uint64_t t0 = ordo__now_ns();
            int status = ordo__rpc_call(peer, calib_id, bufs[w], x, NULL, 0, NULL);
            if (status != ORDO_OK)
                return status;
            if (i >= warmup)
                t[w][i - warmup] = (double)(ordo__now_ns() - t0) / 1000.0;
        }
    for (int w = 0; w < NWAYS; w++)
        us[w] = ordo__median(t[w], (size_t)iters);
    return ORDO_OK;
}

/* Weighted least squares, t = alpha + x * inv_beta, weights 1/t^2. */
static void fit(const double *t, size_t nsizes, double *alpha, double *beta_mbs)
{
    double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < nsizes; i++) {
        double x = (double)sizes[i], w = 1.0 / (t[i] * t[i] + 1e-12);
        sw += w;
        sx += w * x;
        sy += w * t[i];
        sxx += w * x * x;
        sxy += w * x * t[i];
    }
    double slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
    double intercept = (sy - slope * sx) / sw;
    if (intercept < 0) {
        /* Noise tilted the line below zero: no start-up cost is negative, so
         * fit through the origin instead. */
        intercept = 0;
        slope = sxy / sxx;
    }
    if (slope <= 1e-9)
        slope = 1e-9; /* flat: bandwidth beyond what we can see */
    *alpha = intercept;
    *beta_mbs = 1.0 / slope;
}

static double crossover_of(double ae, double be, double ar, double br)
{
    double denom = 1.0 / be - 1.0 / br;
    if (denom <= 0)
        return -1.0;                          /* no faster: the rendezvous never pays off */
    return ar > ae ? (ar - ae) / denom : 0.0; /* 0: it always does */
}

/* alpha and beta of the line through two measured points. */
static void line_of(size_t x0, double t0, size_t x1, double t1, double *alpha, double *beta)
{
    double slope = (t1 - t0) / (double)(x1 - x0);
    if (slope <= 1e-9)
        slope = 1e-9;
    *alpha = t0 - slope * (double)x0;
    *beta = 1.0 / slope;
}

/*
 * Where the rendezvous starts to pay.  One line per path cannot follow the
 * steps of the real curves (UCX changes protocol at its segment sizes), so:
 * first the calibrated size k from which on the rendezvous is used is the
 * one that costs least over all calibrated sizes (sum of time / best time,
 * eager below k, rendezvous from k; a single noisy point cannot move it
 * far), then x* is where the model lines T(x) = alpha + x/beta of the two
 * paths meet on the segment between sizes k-1 and k.  0 if the rendezvous
 * is better everywhere, -1 if nowhere.  The rendezvous must win by
 * RNDV_MARGIN: where the two are level, eager is the better choice (no
 * registration, no extra message, nothing pinned).
 */
#define RNDV_MARGIN 0.95

static double crossover_local(const double *te, const double *tr, size_t nsizes, size_t *seg)
{
    size_t k_best = nsizes;
    double cost_best = HUGE_VAL;
    for (size_t k = nsizes + 1; k-- > 0;) {
        double cost = 0;
        for (size_t i = 0; i < nsizes; i++) {
            double r = tr[i] / RNDV_MARGIN, best = te[i] < r ? te[i] : r;
            cost += (i < k ? te[i] : r) / best;
        }
        if (cost < cost_best - 1e-9) { /* ties keep the larger k: eager */
            cost_best = cost;
            k_best = k;
        }
    }
    *seg = k_best;
    if (k_best == nsizes)
        return -1.0;
    if (k_best == 0)
        return 0.0;
    size_t k = k_best;
    double ae, be, ar, br;
    line_of(sizes[k - 1], te[k - 1], sizes[k], te[k], &ae, &be);
    line_of(sizes[k - 1], tr[k - 1], sizes[k], tr[k], &ar, &br);
    double x = crossover_of(ae, be, ar, br);
    if (x < (double)sizes[k - 1] || x > (double)sizes[k])
        x = (double)(sizes[k - 1] + sizes[k]) / 2; /* the lines meet outside: between */
    return x;
}

/*
 * The eager path has steps the segment's line cannot see: past its segment
 * size (8 KiB on shared memory) UCX sends a message in fragments, and the
 * cost jumps.  So the paths are timed once more just past the lower end of
 * the segment where they meet (k-1 .. k): if the rendezvous (way) already
 * wins there, the crossover is that lower end, the step.
 */
static int probe_step(int peer, void *const bufs[NWAYS], int way, size_t k, size_t nsizes,
                      double *x)
{
    if (*x <= 0 || k == 0 || k >= nsizes)
        return ORDO_OK;
    size_t lo = sizes[k - 1], probe = lo + lo / 32;
    double t[NWAYS];
    int status = time_calls(peer, bufs, probe, t);
    if (status != ORDO_OK)
        return status;
    ordo_log_debug("calibration: %zu B (past the step at %zu B) eager %.2f us, rndv %.2f us, rndv "
                   "(mapped) %.2f us",
                   probe, lo, t[WAY_EAGER], t[WAY_RNDV], t[WAY_MAPPED]);
    if (t[way] < t[WAY_EAGER] * RNDV_MARGIN)
        *x = (double)lo;
    return ORDO_OK;
}

static int measure(int peer, ordo_rpc_model_t *m)
{
    double te[NSIZES], tr[NSIZES], tm[NSIZES];
    int status = ORDO_OK;
    size_t max = sizes[NSIZES - 1] < ordo__rt.cfg.max_msg_size ? sizes[NSIZES - 1]
                                                               : ordo__rt.cfg.max_msg_size;
    void *buf = calloc(1, max), *mapped = NULL;
    if (!buf)
        return ORDO_ERR_NOMEM;
    status = ordo__rt.tl_ops->mem_alloc(ordo__rt.tl, max, &mapped);
    if (status != ORDO_OK) {
        free(buf);
        return status;
    }
    memset(mapped, 0, max);
    size_t nsizes = 0;
    while (nsizes < NSIZES && sizes[nsizes] <= ordo__rt.cfg.max_msg_size)
        nsizes++;
    if (nsizes < 2) {
        /* Too small a ORDO_MAX_MSG_SIZE to see a bandwidth: eager only. */
        free(buf);
        ordo__rt.tl_ops->mem_free(ordo__rt.tl, mapped);
        m->crossover = m->crossover_mapped = -1;
        return ORDO_OK;
    }
    /* PASSES passes, keeping the lowest median of each: the first calls of
     * a process run cold (pages, caches, MPI's and UCX's helper threads still
     * busy from start-up on a core we share) and would inflate the small
     * sizes, which decide alpha and x*. */
    /* Bounded in time on a slow or crowded machine (sanitizers, many ranks
     * per core): no further pass after PASS_BUDGET_NS, and the first pass
     * stops at the size where CALIB_LIMIT_NS is spent (the fit then has the
     * sizes measured so far, at least two). */
    uint64_t t0 = ordo__now_ns();
    for (int pass = 0; pass < PASSES && status == ORDO_OK; pass++) {
        if (pass > 0 && ordo__now_ns() - t0 > PASS_BUDGET_NS)
            break;
        for (size_t i = 0; i < nsizes && status == ORDO_OK; i++) {
            double t[NWAYS];
            void *const bufs[NWAYS] = {buf, buf, mapped};
            status = time_calls(peer, bufs, sizes[i], t);
            te[i] = pass == 0 || t[0] < te[i] ? t[0] : te[i];
            tr[i] = pass == 0 || t[1] < tr[i] ? t[1] : tr[i];
            tm[i] = pass == 0 || t[2] < tm[i] ? t[2] : tm[i];
            if (pass == 0 && i >= 1 && i + 1 < nsizes && ordo__now_ns() - t0 > CALIB_LIMIT_NS) {
                ordo_log_info("calibration cut short after %zu sizes (up to %zu B): slow machine",
                              i + 1, sizes[i]);
                nsizes = i + 1;
            }
        }
    }
    size_t seg, seg_mapped;
    if (status == ORDO_OK) {
        void *const bufs[NWAYS] = {buf, buf, mapped};
        m->crossover = crossover_local(te, tr, nsizes, &seg);
        m->crossover_mapped = crossover_local(te, tm, nsizes, &seg_mapped);
        status = probe_step(peer, bufs, WAY_RNDV, seg, nsizes, &m->crossover);
        if (status == ORDO_OK)
            status = probe_step(peer, bufs, WAY_MAPPED, seg_mapped, nsizes, &m->crossover_mapped);
    }
    free(buf);
    ordo__rt.tl_ops->mem_free(ordo__rt.tl, mapped);
    if (status != ORDO_OK)
        return status;
    fit(te, nsizes, &m->eager_alpha_us, &m->eager_beta_mbs);
    fit(tr, nsizes, &m->rndv_alpha_us, &m->rndv_beta_mbs);
    fit(tm, nsizes, &m->rndv_mapped_alpha_us, &m->rndv_mapped_beta_mbs);
    for (size_t i = 0; i < nsizes; i++)
        ordo_log_debug("calibration: %zu B eager %.2f us, rndv %.2f us, rndv (mapped) %.2f us",
                       sizes[i], te[i], tr[i], tm[i]);
    return ORDO_OK;
}

static int done_cond(void *arg)
{
    (void)arg;
    return calib_done;
}

static size_t threshold_of(double crossover)
{
    double max = (double)ordo__rt.cfg.max_msg_size;
    if (crossover < 0 || crossover >= max)
        return (size_t)max; /* the rendezvous never pays off */
    return crossover < MIN_THRESH ? MIN_THRESH : (size_t)crossover;
}

int ordo__rpc_calibrate(void)
{
    ordo_rpc_model_t m, *all = NULL;
    int me = ordo__rt.rank, n = ordo__rt.size, status;
    uint64_t t0 = ordo__now_ns();

    memset(&m, 0, sizeof(m));
    status = ordo__rpc_handler_add("calib", on_calib, NULL, 0, &calib_id);
    if (status == ORDO_OK)
        status = ordo__rpc_handler_add("calib-done", on_calib_done, NULL, 0, &calib_done_id);
    if (status != ORDO_OK)
        return status;
    if (!(ordo__rt.tl_ops->caps & ORDO__TL_CAP_RNDV) ||
        !(ordo__rt.tl_ops->caps & ORDO__TL_CAP_MEM_ALLOC)) {
        /* Nothing to weigh: without RDMA get every payload goes eager. */
        m.threshold = m.threshold_mapped = SIZE_MAX;
        ordo__rt.model = m;
        ordo__rpc_set_threshold(m.threshold, m.threshold_mapped);
        return ORDO_OK;
    }
    if (ordo__rt.cfg.rndv_thresh != ORDO__CFG_AUTO) {
        m.threshold = m.threshold_mapped = (size_t)ordo__rt.cfg.rndv_thresh;
        ordo__rt.model = m;
        ordo__rpc_set_threshold(m.threshold, m.threshold_mapped);
        return ORDO_OK;
    }
    calib_done = 0;

    int partner = n == 1 ? me : (me ^ 1) < n ? (me ^ 1) : -1;
    if (partner >= 0 && me <= partner) {
        status = measure(partner, &m);
        if (partner != me) {
            int s = ordo__rpc_send(partner, calib_done_id, NULL, 0);
            status = status != ORDO_OK ? status : s;
        }
    } else if (partner >= 0) {
        status = ordo__wait_until(done_cond, NULL, ordo__deadline());
    }
    ordo__rpc_set_proto_internal(ordo__rt.cfg.proto);
    if (status == ORDO_ERR_TIMEOUT)
        ordo_log_error("calibration with rank %d failed: %s (ORDO_TIMEOUT_MS=%llu ms may be too "
                       "short for start-up)",
                       partner, ordo_strerror(status), (unsigned long long)ordo__rt.cfg.timeout_ms);
    else if (status != ORDO_OK)
        ordo_log_error("calibration with rank %d failed: %s", partner, ordo_strerror(status));
    /* Everyone learns whether all went well (nobody waits for a rank that
     * gave up), and takes the model of ranks 0 and 1. */
    status = ordo__boot_agree(status);
    if (status != ORDO_OK)
        return status;
    all = calloc((size_t)n, sizeof(*all));
    status = ordo__boot_agree(all ? ORDO_OK : ORDO_ERR_NOMEM);
    if (status != ORDO_OK) {
        free(all);
        return status;
    }
    status = ordo__boot_allgather(&m, sizeof(m), all);
    if (status == ORDO_OK) {
        m = all[0];
        m.calibrated = 1;
        m.threshold = threshold_of(m.crossover);
        m.threshold_mapped = threshold_of(m.crossover_mapped);
        m.calibration_ms = (double)(ordo__now_ns() - t0) / 1e6;
        ordo__rt.model = m;
        ordo__rpc_set_threshold(m.threshold, m.threshold_mapped);
        ordo_log_info("calibrated in %.1f ms: eager %.2f us + x/%.0f MB/s, rndv %.2f us + x/%.0f "
                      "MB/s, x* = %.0f B, threshold %zu B; from ordo_mem_alloc memory: rndv "
                      "%.2f us + x/%.0f MB/s, x* = %.0f B, threshold %zu B",
                      m.calibration_ms, m.eager_alpha_us, m.eager_beta_mbs, m.rndv_alpha_us,
                      m.rndv_beta_mbs, m.crossover, m.threshold, m.rndv_mapped_alpha_us,
                      m.rndv_mapped_beta_mbs, m.crossover_mapped, m.threshold_mapped);
    }
    free(all);
    return status;
}

ordo_status_t ordo_rpc_model(ordo_rpc_model_t *model)
{
    ORDO__CHECK_INIT();
    if (!model)
        return ORDO_ERR_INVALID;
    *model = ordo__rt.model;
    return ORDO_OK;
}
