/*
 * bench_time.c - sizes and iteration counts, the timer (time-stamp counter
 * or clock_gettime), samples and their statistics.  See bench.h.
 */
#include "bench_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

size_t bench_first_size(const bench_t *b)
{
    return b->opts.min_size;
}

size_t bench_next_size(const bench_t *b, size_t size)
{
    size_t next = size == 0 ? 1 : size * 2;
    if (next <= size || next > b->opts.max_size)
        return 0;
    return next;
}

int bench_iters(const bench_t *b, size_t size)
{
    if (b->opts.iters > 0)
        return b->opts.iters;
    return size > BENCH_LARGE_SIZE ? b->spec->iters_large : b->spec->iters;
}

int bench_warmup(const bench_t *b, size_t size)
{
    if (b->opts.warmup >= 0)
        return b->opts.warmup;
    return size > BENCH_LARGE_SIZE ? b->spec->warmup_large : b->spec->warmup;
}

static double clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The timer: the CPU's time-stamp counter where it ticks at a constant rate
 * (as ucx_perftest times with), else clock_gettime.  Reading the counter
 * costs ~9 ns against ~21 ns for clock_gettime in this VM, and a
 * per-iteration sample pays one read. */
static double tsc_us_per_tick; /* 0: clock_gettime */

#if defined(__x86_64__)
#include <x86intrin.h>
static int tsc_constant(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    int constant = 0, nonstop = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "flags", 5) == 0) {
            constant = strstr(line, " constant_tsc") != NULL;
            nonstop = strstr(line, " nonstop_tsc") != NULL;
            break;
        }
    fclose(f);
    return constant && nonstop;
}

void bench__timer_init(void)
{
    const char *env = getenv("BENCH_TIMER");
    if ((env && strcmp(env, "clock") == 0) || !tsc_constant())
        return;
    /* Ticks per microsecond, against the monotonic clock over 20 ms. */
    double t0 = clock_us(), t1;
    unsigned long long c0 = __rdtsc(), c1;
    do {
        t1 = clock_us();
        c1 = __rdtsc();
    } while (t1 - t0 < 20000);
    if (c1 > c0)
        tsc_us_per_tick = (t1 - t0) / (double)(c1 - c0);
}

void bench_shuffle(int *order, int n, uint32_t *rng)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int k = n - 1; k > 0; k--) {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 17;
        *rng ^= *rng << 5;
        int j = (int)(*rng % (uint32_t)(k + 1)), tmp = order[k];
        order[k] = order[j];
        order[j] = tmp;
    }
}

double bench_now_us(void)
{
    if (tsc_us_per_tick > 0)
        return (double)__rdtsc() * tsc_us_per_tick;
    return clock_us();
}
#else
void bench__timer_init(void)
{
}

double bench_now_us(void)
{
    return clock_us();
}
#endif

void bench_samples_reset(bench_t *b)
{
    b->nsamples = 0;
}

void bench_sample(bench_t *b, double us)
{
    if (b->nsamples < b->cap)
        b->samples[b->nsamples++] = us;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double percentile(const double *v, size_t n, double p)
{
    size_t k = (size_t)ceil(p / 100.0 * (double)n);
    return v[k == 0 ? 0 : k - 1];
}

void bench_stats_of(const bench_t *b, const double *samples, size_t n, bench_stats_t *st)
{
    memset(st, 0, sizeof(*st));
    st->n = n;
    if (n == 0) {
        st->avg = st->min = st->max = st->p50 = st->p99 = NAN;
        return;
    }
    double *v = malloc(n * sizeof(double));
    if (!v)
        bench_fail(b, "malloc (statistics)", 0, ORDO_ERR_NOMEM);
    memcpy(v, samples, n * sizeof(double));
    qsort(v, n, sizeof(double), cmp_double);
    for (size_t i = 0; i < n; i++)
        st->sum += v[i];
    st->avg = st->sum / (double)n;
    st->min = v[0];
    st->max = v[n - 1];
    st->p50 = percentile(v, n, 50.0);
    st->p99 = percentile(v, n, 99.0);
    free(v);
}

void bench_stats(const bench_t *b, bench_stats_t *st)
{
    bench_stats_of(b, b->samples, b->nsamples, st);
}

double bench__timer_mhz(void)
{
    return tsc_us_per_tick > 0 ? 1.0 / tsc_us_per_tick : 0;
}
