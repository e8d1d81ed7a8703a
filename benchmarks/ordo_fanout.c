/*
 * ordo_fanout - tail amplification: a request that fans out to k calls and
 * waits for all of them is as slow as the slowest, so if one call is slower
 * than t with probability p, the fan-out is with probability
 *
 *   1 - (1 - p)^k
 *
 * and its p99 is the single call's quantile at 0.99^(1/k) (P(max <= t) =
 * F(t)^k for independent calls).  Rank 0 times fan-outs of k
 * ordo_rpc_call_nb (8 B each way) to ranks 1 .. n-1 in turn, all k in
 * flight, waited for together; k = 1 is the single call that predicts the
 * rest.  The k of an iteration come in a fresh random order, so drift of the
 * machine hits them alike.  Injected delays (ORDO_FAULT=delay=P:US, set by
 * benchmarks/report/row_tail.sh) make the tail; the other ranks serve in
 * ordo_barrier.  Output: CSV on rank 0's stdout, one line per k.
 *
 * Usage: ordo_fanout [-i ITERS] [-t THRESHOLD_US] [-K KMAX]   (k = 1, 2, 4 .. KMAX)
 */
#include <ordo.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { ID_ECHO = 1 };

#define KS_MAX  8
#define FAN_MAX 64

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int on_echo(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, msg->data, msg->len);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted s[0..n-1] (nearest rank). */
static double quantile(const double *s, int n, double q)
{
    int i = (int)ceil(q * n) - 1;
    return s[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static double frac_above(const double *s, int n, double t)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += s[i] > t;
    return (double)c / n;
}

/* One fan-out of k calls; its time in us, or a negative status. */
static double fanout(int k, int nranks)
{
    ordo_request_t *req[FAN_MAX];
    char out[8] = "fanout", in[FAN_MAX][8];
    double t0 = now_us();
    for (int j = 0; j < k; j++) {
        int s = ordo_rpc_call_nb(1 + j % (nranks - 1), ID_ECHO, out, sizeof(out), in[j],
                                 sizeof(in[j]), NULL, NULL, &req[j]);
        if (s != ORDO_OK)
            return s;
    }
    int status = ORDO_OK;
    for (int j = 0; j < k; j++) {
        int s = ordo_request_wait(req[j], NULL);
        status = status == ORDO_OK ? s : status;
    }
    return status == ORDO_OK ? now_us() - t0 : status;
}

static int measure(int iters, double thresh, int kmax)
{
    int ks[KS_MAX], nk = 0, n = ordo_size();
    double *s[KS_MAX] = {NULL};
    for (int k = 1; k <= kmax && nk < KS_MAX; k *= 2)
        ks[nk++] = k;
    for (int i = 0; i < nk; i++)
        if (!(s[i] = malloc((size_t)iters * sizeof(double))))
            return ORDO_ERR_NOMEM;
    uint32_t rng = 0x9e3779b9u;
    for (int it = -iters / 20; it < iters; it++) { /* a twentieth for warm-up */
        int order[KS_MAX];
        for (int i = 0; i < nk; i++)
            order[i] = i;
        for (int i = nk - 1; i > 0; i--) {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            int j = (int)(rng % (uint32_t)(i + 1)), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (int i = 0; i < nk; i++) {
            double t = fanout(ks[order[i]], n);
            if (t < 0) {
                fprintf(stderr, "ordo_fanout: call failed: %s\n", ordo_strerror((int)t));
                return (int)t;
            }
            if (it >= 0)
                s[order[i]][it] = t;
        }
    }
    for (int i = 0; i < nk; i++)
        qsort(s[i], (size_t)iters, sizeof(double), cmp_double);
    double p = frac_above(s[0], iters, thresh);
    printf("k,iters,threshold_us,p_single,slow_predicted,slow_measured,slow_ratio,"
           "p50_us,p99_predicted_us,p99_measured_us,p99_ratio,p999_us,max_us\n");
    for (int i = 0; i < nk; i++) {
        int k = ks[i];
        double pred = 1 - pow(1 - p, k), meas = frac_above(s[i], iters, thresh);
        double p99p = quantile(s[0], iters, pow(0.99, 1.0 / k)), p99m = quantile(s[i], iters, 0.99);
        printf("%d,%d,%.0f,%.5f,%.5f,%.5f,%.4f,%.2f,%.2f,%.2f,%.4f,%.2f,%.2f\n", k, iters, thresh,
               p, pred, meas, pred > 0 ? meas / pred : NAN, quantile(s[i], iters, 0.5), p99p, p99m,
               p99m / p99p, quantile(s[i], iters, 0.999), s[i][iters - 1]);
    }
    for (int i = 0; i < nk; i++)
        free(s[i]);
    return ORDO_OK;
}

int main(int argc, char **argv)
{
    int iters = 2000, kmax = 16, c, rc = 0;
    double thresh = 200;
    int s = ordo_init(&argc, &argv);
    if (s != ORDO_OK) {
        fprintf(stderr, "ordo_fanout: ordo_init: %s\n", ordo_strerror(s));
        return 1;
    }
    while ((c = getopt(argc, argv, "i:t:K:")) != -1) {
        switch (c) {
        case 'i':
            iters = atoi(optarg);
            break;
        case 't':
            thresh = atof(optarg);
            break;
        case 'K':
            kmax = atoi(optarg);
            break;
        default:
            iters = 0;
            break;
        }
    }
    if (iters < 100 || thresh <= 0 || kmax < 1 || kmax > FAN_MAX || ordo_size() < 2) {
        if (ordo_rank() == 0)
            fprintf(stderr, "usage: ordo_fanout [-i ITERS >= 100] [-t THRESHOLD_US] "
                            "[-K KMAX <= 64], on 2 ranks or more\n");
        ordo_finalize();
        return 2;
    }
    s = ordo_rpc_register(ID_ECHO, on_echo, NULL);
    if (s == ORDO_OK)
        s = ordo_barrier();
    if (s == ORDO_OK && ordo_rank() == 0)
        s = measure(iters, thresh, kmax);
    if (s == ORDO_OK)
        s = ordo_barrier();
    if (s != ORDO_OK) {
        fprintf(stderr, "ordo_fanout: rank %d: %s\n", ordo_rank(), ordo_strerror(s));
        rc = 1;
    }
    ordo_finalize();
    return rc;
}
