/*
 * bench_int.h - what the harness's files share among themselves (not the
 * benchmarks': they include bench.h only).
 */
#ifndef ORDO_BENCH_INT_H
#define ORDO_BENCH_INT_H

#include "bench.h"

/* bench_opts.c: parse the command line into o; BENCH_RUN, or an exit status
 * (usage errors print the usage on rank 0). */
int bench__parse_options(const bench_spec_t *spec, int argc, char **argv, bench_opts_t *o);

/* bench_time.c: choose the timer (time-stamp counter or clock_gettime), and
 * the counter's rate in MHz (0 when clock_gettime is used). */
void bench__timer_init(void);
double bench__timer_mhz(void);

/* bench_counters.c: no counters yet (before set-up); set up and release
 * the counters (active rank). */
void bench__counters_clear(bench_t *b);
void bench__counters_setup(bench_t *b);
void bench__counters_teardown(bench_t *b);

#endif /* ORDO_BENCH_INT_H */
