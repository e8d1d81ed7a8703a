/*
 * bench_counters.c - counters around the timed part of a size on the active
 * rank's timing thread: PAPI's hardware counters (PAPI_TOT_CYC,
 * PAPI_TOT_INS) where PAPI has them, else Linux's software counters through
 * perf_event_open (task clock, context switches, CPU migrations, page
 * faults), else none; a benchmark never fails for want of counters.
 * BENCH_COUNTERS=papi|perf|none asks for one source.  See bench.h.
 */
#include "bench_int.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <papi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The software events, in the order of perf_fd[] and of the group's read. */
static const struct {
    uint64_t config;
    const char *name;
} perf_events[BENCH_PERF_EVENTS] = {
    {PERF_COUNT_SW_TASK_CLOCK, "task-clock"},
    {PERF_COUNT_SW_CONTEXT_SWITCHES, "context-switches"},
    {PERF_COUNT_SW_CPU_MIGRATIONS, "cpu-migrations"},
    {PERF_COUNT_SW_PAGE_FAULTS, "page-faults"},
};

void bench__counters_clear(bench_t *b)
{
    b->papi_set = PAPI_NULL;
    b->counters = BENCH_COUNTERS_NONE;
    for (int i = 0; i < BENCH_PERF_EVENTS; i++)
        b->perf_fd[i] = -1;
}

/* PAPI's two hardware counters; 0, or -1 with the reason in papi_why. */
static int papi_setup(bench_t *b)
{
    int rc = PAPI_library_init(PAPI_VER_CURRENT);
    b->papi_set = PAPI_NULL;
    if (rc != PAPI_VER_CURRENT) {
        snprintf(b->papi_why, sizeof(b->papi_why), "PAPI_library_init: %s",
                 rc > 0 ? "library version mismatch" : PAPI_strerror(rc));
        return -1;
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
        return -1;
    }
    b->papi_ok = 1;
    return 0;
}

static int perf_open(uint64_t config, int group, int user_only)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = config;
    attr.disabled = group < 0; /* the leader starts and stops them all */
    attr.exclude_kernel = (unsigned)user_only;
    attr.exclude_hv = 1;
    attr.read_format = PERF_FORMAT_GROUP;
    /* This thread (the one that times), on any CPU. */
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, group, 0);
}

static void perf_close(bench_t *b)
{
    for (int i = BENCH_PERF_EVENTS - 1; i >= 0; i--) {
        if (b->perf_fd[i] >= 0)
            close(b->perf_fd[i]);
        b->perf_fd[i] = -1;
    }
}

/* The software counters as one group; 0, or -1 with the reason in why. */
static int perf_setup(bench_t *b, char *why, size_t len)
{
    /* Counting in the kernel too (context switches happen there) needs
     * perf_event_paranoid <= 1 or CAP_PERFMON; else user space only. */
    for (int user_only = 0; user_only < 2; user_only++) {
        int i, err = 0;
        for (i = 0; i < BENCH_PERF_EVENTS; i++) {
            b->perf_fd[i] = perf_open(perf_events[i].config, i ? b->perf_fd[0] : -1, user_only);
            if (b->perf_fd[i] < 0) {
                err = errno;
                break;
            }
        }
        if (i == BENCH_PERF_EVENTS) {
            b->perf_user_only = user_only;
            return 0;
        }
        perf_close(b);
        snprintf(why, len, "perf_event_open(%s): %s", perf_events[i].name, strerror(err));
        if (err != EACCES && err != EPERM)
            break;
    }
    return -1;
}

void bench__counters_setup(bench_t *b)
{
    const char *want = getenv("BENCH_COUNTERS");
    char perf_why[160] = "perf_event: not tried";

    if (!want || !*want)
        want = "auto";
    snprintf(b->papi_why, sizeof(b->papi_why), "not tried (BENCH_COUNTERS=%s)", want);
    if ((!strcmp(want, "auto") || !strcmp(want, "papi")) && papi_setup(b) == 0) {
        b->counters = BENCH_COUNTERS_PAPI;
        snprintf(b->counters_why, sizeof(b->counters_why),
                 "PAPI: PAPI_TOT_CYC and PAPI_TOT_INS per iteration on rank 0");
        return;
    }
    if ((!strcmp(want, "auto") || !strcmp(want, "perf")) &&
        perf_setup(b, perf_why, sizeof(perf_why)) == 0) {
        b->counters = BENCH_COUNTERS_PERF;
        char why[200];
        if (!strcmp(want, "perf"))
            snprintf(why, sizeof(why), "BENCH_COUNTERS=perf");
        else
            snprintf(why, sizeof(why), "PAPI: no hardware counters: %s", b->papi_why);
        snprintf(b->counters_why, sizeof(b->counters_why),
                 "perf_event software%s (%s); rank 0's timing thread over each size's timed "
                 "iterations: cpu us/iter (task clock), ctx-sw, migrations, faults (totals)",
                 b->perf_user_only ? ", user space only" : "", why);
        return;
    }
    snprintf(b->counters_why, sizeof(b->counters_why), "none (PAPI: %s; %s)", b->papi_why,
             perf_why);
}

void bench__counters_teardown(bench_t *b)
{
    perf_close(b);
    if (b->papi_set != PAPI_NULL) {
        PAPI_cleanup_eventset(b->papi_set);
        PAPI_destroy_eventset(&b->papi_set);
    }
    if (PAPI_is_initialized())
        PAPI_shutdown();
}

void bench_counters_start(bench_t *b)
{
    if (b->counters == BENCH_COUNTERS_PAPI && PAPI_start(b->papi_set) != PAPI_OK) {
        b->counters = BENCH_COUNTERS_NONE;
        b->papi_ok = 0;
    }
    if (b->counters == BENCH_COUNTERS_PERF) {
        ioctl(b->perf_fd[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
        ioctl(b->perf_fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
    }
}

void bench_counters_reset(bench_counters_t *c)
{
    c->cycles = c->instrs = c->task_us = c->ctxsw = c->migrations = c->faults = NAN;
    c->iters = 0;
}

void bench_counters_stop(bench_t *b, long iters, bench_counters_t *c)
{
    bench_counters_reset(c);
    if (b->counters == BENCH_COUNTERS_PAPI) {
        long long v[2] = {0, 0};
        if (PAPI_stop(b->papi_set, v) != PAPI_OK || iters <= 0)
            return;
        c->cycles = (double)v[0] / (double)iters;
        c->instrs = (double)v[1] / (double)iters;
        c->iters = iters;
    } else if (b->counters == BENCH_COUNTERS_PERF) {
        uint64_t v[1 + BENCH_PERF_EVENTS];
        ioctl(b->perf_fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
        if (read(b->perf_fd[0], v, sizeof(v)) != (ssize_t)sizeof(v) || v[0] != BENCH_PERF_EVENTS ||
            iters <= 0)
            return;
        c->task_us = (double)v[1] / 1e3 / (double)iters;
        c->ctxsw = (double)v[2];
        c->migrations = (double)v[3];
        c->faults = (double)v[4];
        c->iters = iters;
    }
}

void bench_counters_add(bench_counters_t *sum, const bench_counters_t *c)
{
    if (c->iters <= 0)
        return;
    if (sum->iters <= 0) {
        *sum = *c;
        return;
    }
    double n = (double)sum->iters, m = (double)c->iters;
    sum->cycles = (sum->cycles * n + c->cycles * m) / (n + m);
    sum->instrs = (sum->instrs * n + c->instrs * m) / (n + m);
    sum->task_us = (sum->task_us * n + c->task_us * m) / (n + m);
    sum->ctxsw += c->ctxsw;
    sum->migrations += c->migrations;
    sum->faults += c->faults;
    sum->iters += c->iters;
}
