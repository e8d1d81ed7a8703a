/*
 * ordo_skew - clock skew under injected drift, against 2*rho*P.
 *
 * Run on 2 ranks with ORDO_CLOCKS including hlc and ORDO_FAULT drifting
 * rank 0 fast and rank 1 slow by the same PPM (benchmarks/report/row_clock.sh
 * sets them): from the end of ordo_init (the moment both clocks were last
 * right) each rank's physical clock runs off by rho = PPM / 10^6, so after
 * P seconds the two disagree by 2*rho*P, the seeds' bound.  Both ranks run
 * on one host, so CLOCK_REALTIME is one true clock for both: a rank's
 * offset is its HLC's l (the largest physical time it knows) minus
 * CLOCK_REALTIME, read back to back, and the skew is rank 0's offset minus
 * rank 1's at the same moment since start.
 *
 *   physical  the first half: no messages, so l is the rank's own drifted
 *             physical clock; the skew grows as 2*rho*P.
 *   hlc       the second half: rank 1 calls rank 0 every millisecond and
 *             merges its HLC from the replies, so its l follows rank 0's
 *             (the faster) and the HLC skew stays small while the physical
 *             one keeps growing.
 *
 * CSV on rank 0: phase,P_s,predicted_skew_us,measured_skew_us,ratio.
 *
 * Usage: ordo_skew [-p PPM] [-T SECONDS] [-s SAMPLES]  (per phase)
 */
#include <ordo.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { ID_PING = 1 };

#define SAMPLES_MAX 64

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This rank's HLC l minus the true time, in microseconds. */
static int offset_us(double *out)
{
    struct timespec ts;
    ordo_hlc_t h;
    int s = ordo_hlc_now(&h);
    clock_gettime(CLOCK_REALTIME, &ts);
    if (s != ORDO_OK)
        return s;
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    *out = (double)((int64_t)h.l - now) / 1e3;
    return ORDO_OK;
}

static int on_ping(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, NULL, 0);
}

/*
 * Samples i = 0..n-1 at t0 + first + i * step: offsets into off[], the
 * moments into at[].  With calls (rank 1 in the hlc half) a call to rank 0
 * every millisecond between them; otherwise only progress (rank 0) or
 * nothing at all.
 */
static int sample(double t0, double first, double step, int n, int calls, int progress, double *at,
                  double *off)
{
    double next_call = mono_s();
    for (int i = 0; i < n; i++) {
        double when = t0 + first + i * step;
        while (mono_s() < when) {
            if (calls && mono_s() >= next_call) {
                int s = ordo_rpc_call(0, ID_PING, NULL, 0, NULL, 0, NULL);
                if (s != ORDO_OK)
                    return s;
                next_call += 0.001;
            } else if (progress) {
                ordo_progress();
            } else {
                usleep(200);
            }
        }
        at[i] = mono_s() - t0;
        int s = offset_us(&off[i]);
        if (s != ORDO_OK)
            return s;
    }
    return ORDO_OK;
}

static int run(double ppm, double secs, int n, double t0)
{
    int me = ordo_rank();
    double step = secs / n, at[2 * SAMPLES_MAX], off[2 * SAMPLES_MAX];
    double all_off[4 * SAMPLES_MAX];
    /* physical: no messages at all until the half is over */
    int s = sample(t0, step, step, n, 0, 0, at, off);
    /* hlc: rank 1 calls, rank 0 answers */
    if (s == ORDO_OK)
        s = sample(t0, secs + step, step, n, me == 1, me == 0, at + n, off + n);
    if (s == ORDO_OK)
        s = ordo_allgather(off, 2 * (size_t)n * sizeof(double), all_off);
    if (s != ORDO_OK || me != 0)
        return s;
    double rho = ppm / 1e6;
    printf("phase,P_s,predicted_skew_us,measured_skew_us,ratio\n");
    for (int i = 0; i < 2 * n; i++) {
        double skew = all_off[i] - all_off[2 * n + i], pred = 2 * rho * at[i] * 1e6;
        printf("%s,%.3f,%.1f,%.1f,%.4f\n", i < n ? "physical" : "hlc", at[i], pred, skew,
               skew / pred);
    }
    return ORDO_OK;
}

int main(int argc, char **argv)
{
    double ppm = 1000, secs = 2;
    int n = 8, c, rc = 0;
    int s = ordo_init(&argc, &argv);
    double t0 = mono_s(); /* the drift counts from the end of ordo_init */
    if (s != ORDO_OK) {
        fprintf(stderr, "ordo_skew: ordo_init: %s\n", ordo_strerror(s));
        return 1;
    }
    while ((c = getopt(argc, argv, "p:T:s:")) != -1) {
        switch (c) {
        case 'p':
            ppm = atof(optarg);
            break;
        case 'T':
            secs = atof(optarg);
            break;
        case 's':
            n = atoi(optarg);
            break;
        default:
            n = 0;
            break;
        }
    }
    if (ppm <= 0 || secs <= 0 || n < 1 || n > SAMPLES_MAX || ordo_size() != 2) {
        if (ordo_rank() == 0)
            fprintf(stderr,
                    "usage: ordo_skew [-p PPM] [-T SECONDS] [-s SAMPLES <= %d], on 2 "
                    "ranks, ORDO_FAULT=drift=0:PPM,drift=1:-PPM, ORDO_CLOCKS with hlc\n",
                    SAMPLES_MAX);
        ordo_finalize();
        return 2;
    }
    s = ordo_rpc_register(ID_PING, on_ping, NULL);
    if (s == ORDO_OK)
        s = run(ppm, secs, n, t0);
    if (s != ORDO_OK) {
        fprintf(stderr, "ordo_skew: rank %d: %s\n", ordo_rank(), ordo_strerror(s));
        rc = 1;
    }
    ordo_finalize();
    return rc;
}
