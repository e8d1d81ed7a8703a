/*
 * qreg_latency.h - what ordo_qreg_latency's files share: the register
 * configurations measured, their results, the run's baselines, and the
 * output (qreg_latency_print.c).
 */
#ifndef ORDO_BENCH_QREG_LATENCY_H
#define ORDO_BENCH_QREG_LATENCY_H

#include "bench.h"

#define QRL_MAX_CONFIGS  32
#define QRL_MAX_REPLICAS 5
#define QRL_TARGET       1.2 /* DESIGN.md: measured / predicted */

/* One register set (R, W, Q) and what was measured on it at one size. */
typedef struct qrl_config {
    int R, W, Q;
    ordo_qreg_t *reg;
    int rep[QRL_MAX_REPLICAS]; /* key 0's replicas (ordo_qreg_replicas) */
    /* One rank (0) operating, the others serving: p50 and p99 (us), the
     * prediction from rank 0's round trips to the replicas, the reads and
     * of them those whose Q answers agreed (no write-back). */
    double w50, w99, r50, r99;
    double pred_w, pred_r;
    uint64_t reads, agreed;
    /* Every rank operating on the same key at once: over all ranks' samples. */
    double aw50, aw99, ar50, ar99;
    uint64_t areads, aagreed;
    /* Operations per second with a window in flight: rank 0 alone, every
     * rank at once (their sum over the longest rank's time). */
    double tw1, tr1, twall, trall;
} qrl_config_t;

/* The run's configurations and baselines (rank 0's view). */
typedef struct qrl_run {
    qrl_config_t cfg[QRL_MAX_CONFIGS];
    int ncfg;
    size_t size;      /* value size */
    int tput_windows; /* timed windows per throughput figure */
    double *rtt50;    /* per rank: ordo_rpc_call round trip from rank 0, p50 ... */
    double *rtt99;    /* ... and p99 (us) */
    double sc_r50, sc_r99, sc_w50, sc_w99; /* SC ordo_read / ordo_write of 8 B */
    int sc_home;                           /* their word's home */
} qrl_run_t;

/* qreg_latency_opts.c: the options, and the benchmark's description
 * (handlers: QRL_ID_ECHO answers with what it got). */
enum { QRL_ID_ECHO = 1 };

typedef struct qrl_opt {
    int quorums_all;  /* --quorums all */
    int delays_given; /* --delays */
    char fault[1024]; /* ORDO_FAULT as --delays made it */
} qrl_opt_t;

extern qrl_opt_t qrl_opt;
extern const bench_spec_t qrl_spec;

/* qreg_latency_print.c (rank 0 prints, the others return at once). */
void qrl_print_baselines(const bench_t *b, const qrl_run_t *run);
void qrl_print_one(const bench_t *b, const qrl_run_t *run);
void qrl_print_all(const bench_t *b, const qrl_run_t *run);
void qrl_print_tput(const bench_t *b, const qrl_run_t *run);
void qrl_print_summary(const bench_t *b, const qrl_run_t *run);

#endif
