/*
 * calib.c - fit the cost model T(x) = alpha + x/beta of both paths at start-up
 * and put the eager/rendezvous threshold at their crossover
 *     x* = (alpha_rndv - alpha_eager) / (1/beta_eager - 1/beta_rndv).
 *
 * Ranks pair up (r, r^1); the lower rank of each pair times calls of x bytes
 * (1 KiB .. 4 MiB: a protocol change inside UCX can show only at large sizes)
 * (empty reply) to the other, forced eager and then forced rendezvous, takes
 * the median per size and fits a line by least squares.  Every rank then
 * adopts the model of ranks 0 and 1 so that all agree on the threshold.
 */
#include "ordo_config.h"

#include "runtime/boot.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const size_t sizes[] = {1024, 8192, 65536, 262144, 1048576, 4194304};
#define NSIZES       (sizeof(sizes) / sizeof(sizes[0]))
#define ITERS        21
#define WARMUP       5
#define LARGE        (1u << 20)
#define ITERS_LARGE  7
#define WARMUP_LARGE 2
#define MIN_THRESH   1024

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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median time of a call with x bytes to peer, in microseconds (fewer
 * rounds for large sizes, where one call already lasts long). */
static int time_call(int peer, const void *buf, size_t x, double *us)
{
    double t[ITERS];
    int iters = x >= LARGE ? ITERS_LARGE : ITERS, warmup = x >= LARGE ? WARMUP_LARGE : WARMUP;
    for (int i = 0; i < warmup + iters; i++) {
        uint64_t t0 = ordo__now_ns();
        int status = ordo__rpc_call(peer, ORDO__RPC_ID_CALIB, buf, x, NULL, 0, NULL);
        if (status != ORDO_OK)
            return status;
        if (i >= warmup)
            t[i - warmup] = (double)(ordo__now_ns() - t0) / 1000.0;
    }
    qsort(t, (size_t)iters, sizeof(t[0]), cmp_double);
    *us = t[iters / 2];
    return ORDO_OK;
}

/* Least squares: t = alpha + x * inv_beta. */
static void fit(const double *t, size_t nsizes, double *alpha, double *beta_mbs)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = (double)nsizes;
    for (size_t i = 0; i < nsizes; i++) {
        double x = (double)sizes[i];
        sx += x;
        sy += t[i];
        sxx += x * x;
        sxy += x * t[i];
    }
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    double intercept = (sy - slope * sx) / n;
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

static int measure(int peer, ordo_rpc_model_t *m)
{
    double te[NSIZES], tr[NSIZES];
    int status = ORDO_OK;
    size_t max = sizes[NSIZES - 1] < ordo__rt.cfg.max_msg_size ? sizes[NSIZES - 1]
                                                               : ordo__rt.cfg.max_msg_size;
    void *buf = calloc(1, max);
    if (!buf)
        return ORDO_ERR_NOMEM;
    size_t nsizes = 0;
    while (nsizes < NSIZES && sizes[nsizes] <= ordo__rt.cfg.max_msg_size)
        nsizes++;
    if (nsizes < 2) {
        /* Too small a ORDO_MAX_MSG_SIZE to see a bandwidth: eager only. */
        free(buf);
        m->crossover = -1;
        return ORDO_OK;
    }
    for (size_t i = 0; i < nsizes && status == ORDO_OK; i++) {
        ordo__rpc_set_proto_internal(ORDO_PROTO_EAGER);
        status = time_call(peer, buf, sizes[i], &te[i]);
        ordo__rpc_set_proto_internal(ORDO_PROTO_RNDV);
        if (status == ORDO_OK)
            status = time_call(peer, buf, sizes[i], &tr[i]);
    }
    free(buf);
    if (status != ORDO_OK)
        return status;
    fit(te, nsizes, &m->eager_alpha_us, &m->eager_beta_mbs);
    fit(tr, nsizes, &m->rndv_alpha_us, &m->rndv_beta_mbs);
    double denom = 1.0 / m->eager_beta_mbs - 1.0 / m->rndv_beta_mbs;
    m->crossover = denom > 0 ? (m->rndv_alpha_us - m->eager_alpha_us) / denom : -1.0;
    for (size_t i = 0; i < nsizes; i++)
        ordo_log_debug("calibration: %zu B eager %.2f us, rndv %.2f us", sizes[i], te[i], tr[i]);
    return ORDO_OK;
}

static int done_cond(void *arg)
{
    (void)arg;
    return calib_done;
}

static size_t threshold_of(const ordo_rpc_model_t *m)
{
    double max = (double)ordo__rt.cfg.max_msg_size;
    if (m->crossover < 0 || m->crossover >= max)
        return (size_t)max; /* the rendezvous never pays off */
    return m->crossover < MIN_THRESH ? MIN_THRESH : (size_t)m->crossover;
}

int ordo__rpc_calibrate(void)
{
    ordo_rpc_model_t m, *all = NULL;
    int me = ordo__rt.rank, n = ordo__rt.size, status;
    uint64_t t0 = ordo__now_ns();

    memset(&m, 0, sizeof(m));
    if (ordo__rt.cfg.rndv_thresh != ORDO__CFG_AUTO) {
        m.threshold = (size_t)ordo__rt.cfg.rndv_thresh;
        ordo__rt.model = m;
        ordo__rpc_set_threshold(m.threshold);
        return ORDO_OK;
    }
    status = ordo__rpc_register_internal(ORDO__RPC_ID_CALIB, on_calib, NULL);
    if (status == ORDO_OK)
        status = ordo__rpc_register_internal(ORDO__RPC_ID_CALIB_DONE, on_calib_done, NULL);
    if (status != ORDO_OK)
        return status;
    calib_done = 0;

    int partner = n == 1 ? me : (me ^ 1) < n ? (me ^ 1) : -1;
    if (partner >= 0 && me <= partner) {
        status = measure(partner, &m);
        if (partner != me) {
            int s = ordo__rpc_send(partner, ORDO__RPC_ID_CALIB_DONE, NULL, 0);
            status = status != ORDO_OK ? status : s;
        }
    } else if (partner >= 0) {
        status = ordo__wait_until(done_cond, NULL, ordo__deadline());
    }
    ordo__rpc_set_proto_internal(ordo__rt.cfg.proto);
    if (status != ORDO_OK)
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
        m.threshold = threshold_of(&m);
        m.calibration_ms = (double)(ordo__now_ns() - t0) / 1e6;
        ordo__rt.model = m;
        ordo__rpc_set_threshold(m.threshold);
        ordo_log_info("calibrated in %.1f ms: eager %.2f us + x/%.0f MB/s, rndv %.2f us + x/%.0f "
                      "MB/s, x* = %.0f B, threshold %zu B",
                      m.calibration_ms, m.eager_alpha_us, m.eager_beta_mbs, m.rndv_alpha_us,
                      m.rndv_beta_mbs, m.crossover, m.threshold);
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
