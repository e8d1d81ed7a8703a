/*
 * stale.h - what benchmarks/ordo_stale.c (the run) and stale_print.c (the
 * logs, the figures against the prediction) share.
 */
#ifndef ORDO_BENCH_STALE_H
#define ORDO_BENCH_STALE_H

#include <stddef.h>
#include <stdint.h>

#define STALE_PHASES_MAX 8
#define STALE_CUTS_MAX   16 /* ORDO_FAULT takes 16 partition windows in all */

typedef struct stale_opt {
    double w[STALE_PHASES_MAX]; /* writes per second per key, one phase each */
    int phases;
    double cut_ms;    /* D */
    double period_ms; /* one cut per period: pi = D / period */
    int cuts;         /* per phase */
    int keys;
    double read_rate;  /* reads per second, Poisson */
    double degrade_ms; /* ORDO_QREG_DEGRADE_MS the run sets */
    double lead_ms;    /* from ordo_init to the first phase */
    uint64_t seed;
    const char *logdir; /* NULL: no logs */
} stale_opt_t;

/* One write (the writer's log) and one read (the reader's): CLOCK_REALTIME
 * ns, the same clock on every rank of one host. */
typedef struct stale_write {
    uint64_t start_ns, end_ns, value; /* value: the key's write number, 1, 2, ... */
    uint32_t key;
    int32_t status;
} stale_write_t;

typedef struct stale_read {
    uint64_t start_ns, end_ns, value;
    uint32_t key, flags;
    int32_t status;
    int32_t pad;
} stale_read_t;

/* The phases' windows in the reader's clock: phase p is [t0 + lead +
 * p * cuts * period, + cuts * period). */
static inline double stale_phase_ms(const stale_opt_t *o)
{
    return o->cuts * o->period_ms;
}

/* stale_print.c: the CSV (stdout) of every phase: prediction, measure. */
void stale_print(const stale_opt_t *o, uint64_t t0_ns, const stale_write_t *w, size_t nw,
                 const stale_read_t *r, size_t nr, double spread_ms);
/* The logs as CSV files in o->logdir: 0, or -1 (errno set). */
int stale_write_logs(const stale_opt_t *o, const stale_write_t *w, size_t nw, const stale_read_t *r,
                     size_t nr);

#endif
