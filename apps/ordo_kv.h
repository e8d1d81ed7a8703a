/*
 * ordo_kv.h - apps/ordo_kv: its options (ordo_kv_opts.c), the key
 * generators (ordo_kv_zipf.c: uniform and YCSB's scrambled Zipfian) and
 * the latency histograms (ordo_kv_zipf.c too), the progress lines
 * (ordo_kv_progress.c).
 */
#ifndef ORDO_KV_H
#define ORDO_KV_H

#include <stddef.h>
#include <stdint.h>

#define ORDO_KV_MAX_KEYS     (1u << 20)
#define ORDO_KV_MAX_INFLIGHT 256
#define ORDO_KV_SC_MAX_BYTES (1ull << 30) /* the SC object: keys * slot at most */

enum { KV_BACKEND_QREG, KV_BACKEND_SC };
enum { KV_DIST_UNIFORM, KV_DIST_ZIPFIAN };

typedef struct ordo_kv_opts {
    char workload; /* 'a', 'b' or 'c' */
    int read_pct;  /* 50, 95 or 100 */
    int dist, backend, inflight, quiet;
    int replicas, wq, rq; /* 0: the defaults, chosen once the ranks are known */
    uint64_t keys, value_size, seed;
    double duration;    /* seconds of load, when ops == 0 */
    long ops;           /* operations per rank, or 0 */
    const char *report; /* directory of the per-rank reports, or NULL */
} ordo_kv_opts_t;

/* Parse the command line into *o: 1, or 0 after a message naming the option
 * and its range, and the usage, on stderr.  -h prints the usage and exits 0. */
int ordo_kv_parse(int argc, char **argv, ordo_kv_opts_t *o);

/* ---- progress lines (ordo_kv_progress.c) --------------------------------------- */

/* The lowest rank this rank's view holds alive: it prints. */
int ordo_kv_lowest_live(void);
/* Register the handler of the per-second figures (after ordo_init). */
int ordo_kv_progress_init(int quiet);
/* The load starts at t0 (CLOCK_MONOTONIC seconds). */
void ordo_kv_progress_start(double t0);
/* An operation completed ok (its latency's histogram bucket), or failed. */
void ordo_kv_progress_ok(int bucket);
void ordo_kv_progress_fail(void);
/* Send the seconds that have passed; the printer prints what is ready. */
void ordo_kv_progress_tick(void);
/* The load ended after dt seconds: send the last, partial second. */
void ordo_kv_progress_end(double dt);
/* The printer prints every second it still holds. */
void ordo_kv_progress_flush(void);

/* ---- random numbers and keys ------------------------------------------------ */

/* splitmix64: the next number of the stream in *state. */
uint64_t ordo_kv_rand(uint64_t *state);
/* A double uniform in [0, 1). */
double ordo_kv_rand01(uint64_t *state);

/*
 * YCSB's Zipfian generator (Gray et al., "Quickly generating billion-record
 * synthetic databases", SIGMOD 1994), constant theta: item i in [0, n) is
 * drawn with probability proportional to 1 / (i + 1)^theta, then scrambled
 * by a 64-bit FNV-1a hash mod n, as YCSB's ScrambledZipfianGenerator does,
 * so the hot keys are spread over the key space (and over the replicas)
 * instead of being keys 0, 1, 2...
 */
typedef struct ordo_kv_zipf {
    uint64_t n;
    double theta, alpha, zetan, eta, half_pow_theta;
} ordo_kv_zipf_t;

#define ORDO_KV_ZIPF_THETA 0.99

void ordo_kv_zipf_init(ordo_kv_zipf_t *z, uint64_t n, double theta);
/* The rank of the item drawn (0 is the most popular), before scrambling. */
uint64_t ordo_kv_zipf_rank(const ordo_kv_zipf_t *z, uint64_t *state);
/* A key: the drawn rank scrambled over [0, n). */
uint64_t ordo_kv_zipf_key(const ordo_kv_zipf_t *z, uint64_t *state);
/* FNV-1a 64 of the 8 bytes of x (little-endian), as YCSB's Utils.fnvhash64. */
uint64_t ordo_kv_fnv64(uint64_t x);

/* ---- latency histograms ------------------------------------------------------ */

/*
 * Log-linear buckets of nanoseconds: below 8 one bucket per value, then 8
 * buckets per power of two (each 1/8 of its octave wide: a percentile is
 * within 6 % of the truth), up to 2^41 ns (36 minutes).
 */
#define ORDO_KV_HIST_BUCKETS (8 + 38 * 8)

int ordo_kv_hist_bucket(uint64_t ns);
/* The middle of bucket b, in ns. */
double ordo_kv_hist_mid(int b);
/* The p-th quantile (0 < p < 1) of counts[ORDO_KV_HIST_BUCKETS] in us; 0 if empty. */
double ordo_kv_hist_quantile_u64(const uint64_t *counts, double p);
double ordo_kv_hist_quantile_u32(const uint32_t *counts, double p);

#endif
