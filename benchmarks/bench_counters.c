/*
 * bench_counters.c - counters around the timed part of a size on the active
 * rank: PAPI's PAPI_TOT_CYC and PAPI_TOT_INS.  See bench.h.
 */
#include "bench_int.h"

#include <math.h>
#include <papi.h>
#include <stdio.h>

void bench__counters_clear(bench_t *b)
{
    b->papi_set = PAPI_NULL;
}

void bench__counters_setup(bench_t *b)
{
    int rc = PAPI_library_init(PAPI_VER_CURRENT);
    b->papi_set = PAPI_NULL;
    if (rc != PAPI_VER_CURRENT) {
        snprintf(b->papi_why, sizeof(b->papi_why), "PAPI_library_init: %s",
                 rc > 0 ? "library version mismatch" : PAPI_strerror(rc));
        return;
    }
    const char *step = "PAPI_create_eventset";
    long long v[2];
    rc = PAPI_create_eventset(&b->papi_set);
    if (rc == PAPI_OK) {
        step = "PAPI_TOT_CYC";
        rc = PAPI_add_event(b->papi_set, PAPI_TOT_CYC);
    }
    if (rc == PAPI_OK) {
        step = "PAPI_TOT_INS";
        rc = PAPI_add_event(b->papi_set, PAPI_TOT_INS);
    }
    if (rc == PAPI_OK) {
        step = "PAPI_start";
        rc = PAPI_start(b->papi_set);
    }
    if (rc == PAPI_OK) {
        step = "PAPI_stop";
        rc = PAPI_stop(b->papi_set, v);
    }
    if (rc != PAPI_OK) {
        snprintf(b->papi_why, sizeof(b->papi_why), "%s: %s", step, PAPI_strerror(rc));
        return;
    }
    b->papi_ok = 1;
}

void bench__counters_teardown(bench_t *b)
{
    if (b->papi_set != PAPI_NULL) {
        PAPI_cleanup_eventset(b->papi_set);
        PAPI_destroy_eventset(&b->papi_set);
    }
    if (PAPI_is_initialized())
        PAPI_shutdown();
}

void bench_counters_start(bench_t *b)
{
    if (b->papi_ok && PAPI_start(b->papi_set) != PAPI_OK)
        b->papi_ok = 0;
}

void bench_counters_stop(bench_t *b, long iters, bench_counters_t *c)
{
    long long v[2] = {0, 0};
    c->cycles = c->instrs = NAN;
    if (!b->papi_ok)
        return;
    if (PAPI_stop(b->papi_set, v) != PAPI_OK || iters <= 0)
        return;
    c->cycles = (double)v[0] / (double)iters;
    c->instrs = (double)v[1] / (double)iters;
}
