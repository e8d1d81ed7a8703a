/*
 * coll_bench_print.c - the collective benchmarks' output (rank 0): the
 * notes, the OSU-format table, and the summaries against DESIGN.md's
 * targets (the model beside the measurements, ordo/MPI, the floor).  See
 * coll_bench.h.
 */
#include "coll_bench_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const mpi_names[] = {"MPI_Barrier",   "MPI_Bcast",     "MPI_Reduce",
                                        "MPI_Allreduce", "MPI_Allgather", "MPI_Alltoall"};

void cb_print_notes(const bench_t *b)
{
    const char *fam = ordo_coll_family_name(cb.d->family);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *wait = getenv("ORDO_WAIT");
    bench_print_title(b);
    if (cb.d->family == ORDO_COLL_BARRIER)
        bench_note(b, "%s on all %d ranks; no sizes (-m is ignored): one row, size 0",
                   cb.alg ? "ordo_ibarrier + ordo_coll_wait (--alg: the engine's barrier)"
                          : "ordo_barrier",
                   b->size);
    else if (cb_reduction())
        bench_note(b,
                   "%s of %s sums on all %d ranks (root 0 for reduce); count = size / %zu B, as "
                   "OSU (sizes from %zu B)",
                   cb.d->prog + 5, cb.dbl ? "double" : "float", b->size, cb_elem_size(),
                   cb_elem_size());
    else
        bench_note(b, "%s on all %d ranks%s; size = bytes per rank%s", cb.d->prog + 5, b->size,
                   cb.d->family == ORDO_COLL_BCAST ? " from root 0" : "",
                   cb.d->family == ORDO_COLL_ALLTOALL ? " and destination" : "");
    bench_note(b, "timing: every rank times each call; Avg Latency = mean over ranks and "
                  "iterations (OSU's); p50/p99 = of the slowest rank's time per iteration; "
                  "an untimed MPI_Barrier after each call (both libraries), as OSU");
    bench_note(b, "ordo waits: ORDO_WAIT=%s (%d ranks here, %ld cores: auto %s)",
               wait ? wait : "auto", ordo_local_size(), cores,
               cb_auto_yields() ? "yields" : "spins");
    if (cb.all)
        bench_note(
            b,
            "algorithms: each forced in turn (ordo_coll_force), and AUTO, in up to %d blocks "
            "in a fresh random order; their columns and AUTO/best are p50s",
            CB_BLOCKS);
    else if (cb.alg)
        bench_note(b, "algorithm: %s (--alg)", cb.alg);
    else {
        char var[48];
        snprintf(var, sizeof(var), "ORDO_COLL_%s", fam);
        for (char *p = var; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        const char *env = getenv(var);
        bench_note(b, "algorithm: %s (%s%s)", env && *env ? env : "auto", var,
                   env && *env ? "" : " unset: the model's choice per size");
    }
    if (b->opts.mpi) {
        const char *ov = getenv("OMPI_MCA_mpi_oversubscribe");
        const char *y = getenv("OMPI_MCA_mpi_yield_when_idle");
        bench_note(b,
                   "MPI: %s in the same processes, in blocks alternating with ordo's; Open "
                   "MPI's defaults: mpi_oversubscribe=%s, so it %s",
                   mpi_names[cb.d->family], ov ? ov : "unset",
                   y ? (strcmp(y, "0") ? "yields between polls (mpi_yield_when_idle)"
                                       : "busy-polls (mpi_yield_when_idle=0)")
                   : ov && !strcmp(ov, "1") ? "yields between polls (sched_yield, still polling)"
                                            : "busy-polls");
    }
    if (cb.floor_v >= 0)
        bench_note(b, "floor: the synchronization alone, a counter in shared memory polled as "
                      "ordo polls, in blocks alternating with the others (coll_floor.h): no "
                      "algorithm can take less here");
    else if (cb.floor)
        bench_note(b, "floor: none (%s)", cb.floor_why);
}

/* A column wide enough for the algorithms' names. */
static void col_wide(bench_table_t *t, const char *name)
{
    int w = 0;
    for (int i = 0; i < cb.nalgs; i++)
        w = (int)strlen(cb.algs[i]) + 2 > w ? (int)strlen(cb.algs[i]) + 2 : w;
    bench_table_col(t, name);
    if (t->ncols > 0 && t->width[t->ncols - 1] < w)
        t->width[t->ncols - 1] = w;
}

void cb_columns(const bench_t *b, bench_table_t *t)
{
    static char names[CB_MAX_ALGS][64];
    bench_table_init(t);
    bench_table_col(t, "Avg Latency(us)");
    bench_table_col(t, "p50 (us)");
    bench_table_col(t, "p99 (us)");
    if (b->opts.full) {
        bench_table_col(t, "Min Latency(us)");
        bench_table_col(t, "Max Latency(us)");
        bench_table_col(t, "Iterations");
    }
    bench_counter_columns(b, t);
    col_wide(t, cb.all ? "AUTO runs" : "Algorithm");
    if (!cb.all)
        bench_table_col(t, "Predicted (us)");
    for (int i = 0; cb.all && i < cb.nalgs; i++) {
        snprintf(names[i], sizeof(names[i]), "%s p50", cb.algs[i]);
        bench_table_col(t, names[i]);
    }
    if (cb.all) {
        col_wide(t, "Best forced");
        bench_table_col(t, "AUTO/best");
    }
    if (b->opts.mpi) {
        bench_table_col(t, "MPI (us)");
        bench_table_col(t, "ordo/MPI");
    }
    if (cb.floor_v >= 0) {
        bench_table_col(t, "Floor (us)");
        bench_table_col(t, "ordo/floor");
    }
}

/* The best forced algorithm of a row (lowest p50), or -1. */
static int best_forced(const size_row_t *row)
{
    int best = -1;
    for (int i = 0; i < cb.nalgs; i++)
        if (best < 0 || row->r[i].p50 < row->r[best].p50)
            best = i;
    return best;
}

void cb_print_row(bench_t *b, bench_table_t *t, const size_row_t *row, int iters)
{
    const result_t *m = &row->r[cb.main_v];
    bench_row_begin(b, t, row->size);
    bench_cell(b, t, m->avg);
    bench_cell(b, t, m->p50);
    bench_cell(b, t, m->p99);
    if (b->opts.full) {
        bench_cell(b, t, m->min);
        bench_cell(b, t, m->max);
        bench_cell_prec(b, t, iters, 0);
    }
    bench_counter_cells(b, t, &cb.counted);
    bench_cell_str(b, t, row->auto_alg);
    if (!cb.all)
        bench_cell(b, t, row->pred[cb.main_v]);
    int best = cb.all ? best_forced(row) : -1;
    for (int i = 0; cb.all && i < cb.nalgs; i++)
        bench_cell(b, t, row->r[i].p50);
    if (cb.all) {
        bench_cell_str(b, t, cb.algs[best]);
        bench_cell(b, t, m->p50 / row->r[best].p50);
    }
    if (b->opts.mpi) {
        double mpi = row->r[cb.mpi_v].avg;
        bench_cell(b, t, mpi);
        bench_cell(b, t, mpi > 0 ? m->avg / mpi : NAN);
    }
    if (cb.floor_v >= 0) {
        double fl = row->r[cb.floor_v].avg;
        bench_cell(b, t, fl);
        bench_cell(b, t, fl > 0 ? m->avg / fl : NAN);
    }
    bench_row_end(b, t);
}

/* The forced variant of algorithm name, or -1. */
static int forced_of(const char *name)
{
    for (int i = 0; name && i < cb.nalgs; i++)
        if (!strcmp(cb.algs[i], name))
            return i;
    return -1;
}

/* --alg all: what of AUTO/best is the pick and what is the machine.  The
 * pick's cost compares two forced runs alike (the pick's p50 / the best's);
 * AUTO against its own pick forced is the same algorithm timed twice in
 * alternating blocks: its spread is the noise any one size's ratio has. */
static void print_noise(const bench_t *b)
{
    double pick_worst = 0, noise_lo = INFINITY, noise_hi = 0;
    size_t pick_at = 0;
    int misses = 0;
    for (int k = 0; k < cb.nrows; k++) {
        const size_row_t *row = &cb.rows[k];
        int p = forced_of(row->auto_alg), best = best_forced(row);
        if (p < 0)
            continue;
        double pick = row->r[p].p50 / row->r[best].p50;
        double same = row->r[cb.main_v].p50 / row->r[p].p50;
        misses += pick > 1.05;
        if (pick > pick_worst) {
            pick_worst = pick;
            pick_at = row->size;
        }
        noise_lo = same < noise_lo ? same : noise_lo;
        noise_hi = same > noise_hi ? same : noise_hi;
    }
    if (noise_hi == 0)
        return;
    bench_note(b,
               "the model's pick forced / best forced (p50): worst %.2f at %zu B, above 1.05 at "
               "%d of %d sizes; AUTO / its pick forced (the same algorithm twice: the noise) "
               "%.2f-%.2f",
               pick_worst, pick_at, misses, cb.nrows, noise_lo, noise_hi);
}

/* --alg all: the model beside the measurements, and AUTO against the best. */
void cb_print_model(const bench_t *b)
{
    double worst = 0;
    int worst_row = 0, hits = 0;
    bench_note(b, "the model (ordo_coll_predict) beside the measured p50, us: predicted / "
                  "measured (measured/predicted)");
    printf("# %-8s", "Size");
    for (int i = 0; i < cb.nalgs; i++)
        printf("%30s", cb.algs[i]);
    printf("%20s\n", "model's pick");
    for (int k = 0; k < cb.nrows; k++) {
        const size_row_t *row = &cb.rows[k];
        int best = best_forced(row);
        double ratio = row->r[cb.main_v].p50 / row->r[best].p50;
        printf("# %-8zu", row->size);
        for (int i = 0; i < cb.nalgs; i++) {
            char cell[64];
            snprintf(cell, sizeof(cell), "%.*f / %.*f (%.2f)", b->opts.digits, row->pred[i],
                     b->opts.digits, row->r[i].p50, row->r[i].p50 / row->pred[i]);
            printf("%30s", cell);
        }
        printf("%20s\n", row->auto_alg);
        hits += !strcmp(row->auto_alg, cb.algs[best]);
        if (ratio > worst) {
            worst = ratio;
            worst_row = k;
        }
    }
    const size_row_t *w = &cb.rows[worst_row];
    bench_note(b, "the model picked the measured best forced algorithm at %d of %d sizes", hits,
               cb.nrows);
    bench_note(b,
               "AUTO/best forced (p50): worst %.2f at %zu B (AUTO ran %s, best %s); target <= "
               "1.05 at every size: %s",
               worst, w->size, w->auto_alg, cb.algs[best_forced(w)],
               worst <= 1.05 ? "met" : "NOT met");
    print_noise(b);
}

/* The range over the sizes of a / b, Avg Latency, variants va and vb. */
static void ratio_range(int va, int vb, double *lo, double *hi, size_t *at_lo, size_t *at_hi)
{
    *lo = INFINITY;
    *hi = 0;
    for (int k = 0; k < cb.nrows; k++) {
        double r = cb.rows[k].r[va].avg / cb.rows[k].r[vb].avg;
        if (r < *lo) {
            *lo = r;
            *at_lo = cb.rows[k].size;
        }
        if (r > *hi) {
            *hi = r;
            *at_hi = cb.rows[k].size;
        }
    }
}

/* --mpi: the range of ordo/MPI over the sizes. */
void cb_print_mpi_summary(const bench_t *b)
{
    double lo, hi;
    size_t at_lo = 0, at_hi = 0;
    int under = 0;
    ratio_range(cb.main_v, cb.mpi_v, &lo, &hi, &at_lo, &at_hi);
    for (int k = 0; k < cb.nrows; k++)
        under += cb.rows[k].r[cb.main_v].avg / cb.rows[k].r[cb.mpi_v].avg <= 1.0;
    bench_note(b,
               "ordo/MPI (Avg Latency): best %.2f at %zu B, worst %.2f at %zu B; <= 1.0 at %d "
               "of %d sizes (%d ranks)",
               lo, at_lo, hi, at_hi, under, cb.nrows, b->size);
}

/* --floor: ordo against the floor and, with --mpi, the floor against MPI:
 * the least ordo/MPI any algorithm could reach on this node. */
void cb_print_floor_summary(const bench_t *b)
{
    double lo, hi;
    size_t at_lo = 0, at_hi = 0;
    if (cb.floor_v < 0)
        return;
    ratio_range(cb.main_v, cb.floor_v, &lo, &hi, &at_lo, &at_hi);
    bench_note(b, "ordo/floor (Avg Latency): best %.2f at %zu B, worst %.2f at %zu B (%d ranks)",
               lo, at_lo, hi, at_hi, b->size);
    if (cb.mpi_v < 0)
        return;
    ratio_range(cb.floor_v, cb.mpi_v, &lo, &hi, &at_lo, &at_hi);
    bench_note(b,
               "floor/MPI (Avg Latency): %.2f at %zu B to %.2f at %zu B: no algorithm's ordo/MPI "
               "can be lower here",
               lo, at_lo, hi, at_hi);
}
