/*
 * bench_output.c - what the active rank prints, in OSU's format: the title
 * and comment lines, tables, the standard columns and rows.  See bench.h.
 */
#include "bench_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *proto_name(int proto)
{
    return proto == ORDO_PROTO_EAGER ? "eager" : proto == ORDO_PROTO_RNDV ? "rndv" : "auto";
}

void bench_note(const bench_t *b, const char *fmt, ...)
{
    va_list ap;
    if (b->role != BENCH_ACTIVE)
        return;
    fputs("# ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

/* The path payloads take: --proto, else ORDO_PROTO, else auto with the threshold. */
static void print_proto(const bench_t *b)
{
    ordo_rpc_model_t m;
    const char *env = getenv("ORDO_PROTO");
    if (b->opts.proto > 0) {
        bench_note(b, "protocol: %s (--proto)", proto_name(b->opts.proto));
        return;
    }
    if (b->opts.proto < 0 && env && *env && strcmp(env, "auto") != 0) {
        bench_note(b, "protocol: %s (ORDO_PROTO)", env);
        return;
    }
    if (ordo_rpc_model(&m) != ORDO_OK)
        memset(&m, 0, sizeof(m));
    const char *origin = m.calibrated ? "calibrated at start-up" : "from ORDO_RNDV_THRESH";
    if (m.threshold >= ordo_rpc_max_size())
        bench_note(b, "protocol: auto: eager at every size (threshold %zu B = largest payload, %s)",
                   m.threshold, origin);
    else
        bench_note(b, "protocol: auto: eager up to %zu B, rendezvous above (threshold %s)",
                   m.threshold, origin);
}

void bench_print_title(const bench_t *b)
{
    const bench_spec_t *sp = b->spec;
    const bench_opts_t *o = &b->opts;
    if (b->role != BENCH_ACTIVE)
        return;
    printf("# OSU-style ordo %s v%s\n", sp->title, ordo_version());
    if (sp->flags & BENCH_OPT_ALL_RANKS)
        bench_note(b, "%d ranks: rank 0 drives, every rank serves; polling loops %s", b->size,
                   b->yield ? "yield the core" : "spin");
    else
        bench_note(b, "%d ranks: rank 0 <-> rank 1%s; polling loops %s", b->size,
                   b->size > 2 ? ", the others idle" : "", b->yield ? "yield the core" : "spin");
    int i1 = bench_iters(b, 0), i2 = bench_iters(b, BENCH_LARGE_SIZE + 1);
    int w1 = bench_warmup(b, 0), w2 = bench_warmup(b, BENCH_LARGE_SIZE + 1);
    if (i1 == i2 && w1 == w2)
        bench_note(b, "sizes %zu..%zu B; iterations %d, warm-up %d", o->min_size, o->max_size, i1,
                   w1);
    else
        bench_note(b, "sizes %zu..%zu B; iterations %d, warm-up %d (above %d B: %d, %d)",
                   o->min_size, o->max_size, i1, w1, BENCH_LARGE_SIZE, i2, w2);
    if (sp->flags & BENCH_OPT_WINDOW)
        bench_note(b, "window %d", o->window);
    if (sp->flags & BENCH_OPT_PROTO)
        print_proto(b);
    bench_note(b, "buffers: %s",
               o->malloc_buffers ? "malloc (--buffer malloc)"
                                 : "ordo_mem_alloc (peers read them directly; --buffer malloc for "
                                   "malloc)");
    const char *clocks = getenv("ORDO_CLOCKS");
    if (bench__timer_mhz() > 0)
        bench_note(b, "timer: time-stamp counter, %.0f MHz (BENCH_TIMER=clock: clock_gettime)",
                   bench__timer_mhz());
    else
        bench_note(b, "timer: clock_gettime(CLOCK_MONOTONIC)");
    bench_note(b, "clocks: %s (ORDO_CLOCKS), %zu B of clocks in each message header",
               clocks ? clocks : "lamport", ordo_clock_wire_bytes());
    bench_note(b, "counters: %s", b->counters_why);
    fflush(stdout);
}

void bench_table_init(bench_table_t *t)
{
    memset(t, 0, sizeof(*t));
}

void bench_table_col(bench_table_t *t, const char *name)
{
    if (t->ncols >= BENCH_MAX_COLS)
        return;
    int len = (int)strlen(name) + 2;
    int w = t->ncols == 0 ? 18 : 14; /* OSU: %-10d%18.2f */
    t->name[t->ncols] = name;
    t->width[t->ncols] = len > w ? len : w;
    t->ncols++;
}

void bench_table_header(const bench_t *b, const bench_table_t *t)
{
    if (b->role != BENCH_ACTIVE)
        return;
    printf("%-10s", "# Size");
    for (int i = 0; i < t->ncols; i++)
        printf("%*s", t->width[i], t->name[i]);
    putchar('\n');
    fflush(stdout);
}

void bench_row_begin(const bench_t *b, bench_table_t *t, size_t size)
{
    t->col = 0;
    if (b->role == BENCH_ACTIVE)
        printf("%-10zu", size);
}

void bench_cell(const bench_t *b, bench_table_t *t, double v)
{
    bench_cell_prec(b, t, v, b->opts.digits);
}

void bench_cell_prec(const bench_t *b, bench_table_t *t, double v, int prec)
{
    if (b->role != BENCH_ACTIVE || t->col >= t->ncols)
        return;
    if (isnan(v))
        printf("%*s", t->width[t->col], "n/a");
    else
        printf("%*.*f", t->width[t->col], prec, v);
    t->col++;
}

void bench_cell_str(const bench_t *b, bench_table_t *t, const char *s)
{
    if (b->role != BENCH_ACTIVE || t->col >= t->ncols)
        return;
    printf("%*s", t->width[t->col], s);
    t->col++;
}

void bench_row_end(const bench_t *b, bench_table_t *t)
{
    if (b->role != BENCH_ACTIVE)
        return;
    while (t->col < t->ncols)
        bench_cell(b, t, NAN);
    putchar('\n');
    fflush(stdout);
}

void bench_counter_columns(const bench_t *b, bench_table_t *t)
{
    if (b->counters == BENCH_COUNTERS_PAPI) {
        bench_table_col(t, "cycles/iter");
        bench_table_col(t, "instr/iter");
    } else if (b->counters == BENCH_COUNTERS_PERF) {
        bench_table_col(t, "cpu us/iter");
        bench_table_col(t, "ctx-sw");
        bench_table_col(t, "migrations");
        bench_table_col(t, "faults");
    }
}

void bench_counter_cells(const bench_t *b, bench_table_t *t, const bench_counters_t *c)
{
    if (b->counters == BENCH_COUNTERS_PAPI) {
        bench_cell(b, t, c ? c->cycles : NAN);
        bench_cell(b, t, c ? c->instrs : NAN);
    } else if (b->counters == BENCH_COUNTERS_PERF) {
        bench_cell_prec(b, t, c ? c->task_us : NAN, 3);
        bench_cell_prec(b, t, c ? c->ctxsw : NAN, 0);
        bench_cell_prec(b, t, c ? c->migrations : NAN, 0);
        bench_cell_prec(b, t, c ? c->faults : NAN, 0);
    }
}

void bench_std_columns(const bench_t *b, bench_table_t *t, const char *metric, const char *unit,
                       const char *const *extra)
{
    /* The names must outlive the table: keep them in static storage. */
    static char names[5][32];
    bench_table_init(t);
    bench_table_col(t, metric);
    for (int i = 0; extra && extra[i]; i++) {
        bench_table_col(t, extra[i]);
        t->nextra++;
    }
    snprintf(names[0], sizeof(names[0]), "p50 (%s)", unit);
    snprintf(names[1], sizeof(names[1]), "p99 (%s)", unit);
    bench_table_col(t, names[0]);
    bench_table_col(t, names[1]);
    if (b->opts.full) {
        snprintf(names[2], sizeof(names[2]), "Min (%s)", unit);
        snprintf(names[3], sizeof(names[3]), "Max (%s)", unit);
        bench_table_col(t, names[2]);
        bench_table_col(t, names[3]);
    }
    if (b->opts.mpi) {
        snprintf(names[4], sizeof(names[4]), "MPI (%s)", unit);
        bench_table_col(t, names[4]);
        bench_table_col(t, "ordo/MPI");
    }
    bench_counter_columns(b, t);
}

double bench_metric(const bench_stats_t *st, double work, double rate_unit)
{
    if (rate_unit == 0)
        return st->avg;
    return (double)st->n * work / st->sum * rate_unit;
}

void bench_std_row(const bench_t *b, bench_table_t *t, size_t size, const bench_stats_t *st,
                   double work, double rate_unit, const double *extra, double mpi,
                   const bench_counters_t *c)
{
    double avg = bench_metric(st, work, rate_unit);
    double p50 = st->p50, p99 = st->p99, min = st->min, max = st->max;
    if (rate_unit != 0) {
        p50 = work / st->p50 * rate_unit;
        p99 = work / st->p99 * rate_unit;
        min = work / st->max * rate_unit;
        max = work / st->min * rate_unit;
    }
    bench_row_begin(b, t, size);
    bench_cell(b, t, avg);
    for (int i = 0; i < t->nextra; i++)
        bench_cell(b, t, extra ? extra[i] : NAN);
    bench_cell(b, t, p50);
    bench_cell(b, t, p99);
    if (b->opts.full) {
        bench_cell(b, t, min);
        bench_cell(b, t, max);
    }
    if (b->opts.mpi) {
        bench_cell(b, t, mpi);
        bench_cell(b, t, mpi > 0 ? avg / mpi : NAN);
    }
    bench_counter_cells(b, t, c);
    bench_row_end(b, t);
}
