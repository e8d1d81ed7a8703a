/* clock.h - monotonic time for deadlines and measurements. */
#ifndef ORDO_RUNTIME_CLOCK_H
#define ORDO_RUNTIME_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t ordo__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int ordo__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of n (> 0) measurements, which it sorts in place: what the
 * start-up probes take of their timings. */
static inline double ordo__median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), ordo__cmp_double);
    return v[n / 2];
}

#endif
