/*
 * qreg_latency_print.c - ordo_qreg_latency's output: the baselines of the
 * run as comment lines, then OSU-style tables (one row per register set,
 * the value size first), then the summary against DESIGN.md's target.
 */
#include "qreg_latency.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A column at least width wide (the harness's default is wider). */
static void col(bench_table_t *t, const char *name, int width)
{
    bench_table_col(t, name);
    int len = (int)strlen(name) + 2;
    t->width[t->ncols - 1] = len > width ? len : width;
}

static void row_begin(const bench_t *b, bench_table_t *t, const qrl_run_t *run,
                      const qrl_config_t *c)
{
    bench_row_begin(b, t, run->size);
    bench_cell_prec(b, t, c->R, 0);
    bench_cell_prec(b, t, c->W, 0);
    bench_cell_prec(b, t, c->Q, 0);
}

static void rwq_columns(bench_table_t *t)
{
    bench_table_init(t);
    col(t, "R", 3);
    col(t, "W", 3);
    col(t, "Q", 3);
}

static double percent(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : NAN;
}

void qrl_print_baselines(const bench_t *b, const qrl_run_t *run)
{
    char line[2048];
    size_t used = 0;
    if (b->role != BENCH_ACTIVE)
        return;
    bench_note(b, "---- value size %zu B", run->size);
    bench_note(b, "round trips from rank 0, ordo_rpc_call 8 B each way, p50 / p99 (us), "
                  "interleaved with the operations below:");
    for (int r = 0; r < b->size; r++) {
        used += (size_t)snprintf(line + used, sizeof(line) - used, "%s rank %d%s %.*f / %.*f",
                                 r % 4 ? "," : "  ", r, r == 0 ? " (self)" : "", b->opts.digits,
                                 run->rtt50[r], b->opts.digits, run->rtt99[r]);
        if (r % 4 == 3 || r == b->size - 1) {
            bench_note(b, "%s", line);
            used = 0;
        }
    }
    if (run->sc_home < 0) {
        bench_note(b, "SC object: no block homed away from rank 0: not measured");
        return;
    }
    double rpc = run->rtt50[run->sc_home];
    bench_note(b,
               "SC object, 8 B word homed at rank %d, p50 / p99 (us): ordo_read %.*f / %.*f, "
               "ordo_write %.*f / %.*f; p50 / RPC to rank %d: %.2f, %.2f",
               run->sc_home, b->opts.digits, run->sc_r50, b->opts.digits, run->sc_r99,
               b->opts.digits, run->sc_w50, b->opts.digits, run->sc_w99, run->sc_home,
               run->sc_r50 / rpc, run->sc_w50 / rpc);
}

void qrl_print_one(const bench_t *b, const qrl_run_t *run)
{
    bench_table_t t;
    if (b->role != BENCH_ACTIVE)
        return;
    bench_note(b, "one rank operating (rank 0), the others serving; predicted: write = "
                  "rtt(Q) + rtt(W), read = rtt(Q) (+ rtt(W) when Q < W: it writes back), rtt(k) "
                  "the k-th fastest p50 round trip "
                  "above among the key's replicas:");
    for (int i = 0; i < run->ncfg; i++) {
        const qrl_config_t *c = &run->cfg[i];
        char reps[128], rtts[256];
        size_t ru = 0, tu = 0;
        for (int k = 0; k < c->R; k++) {
            ru += (size_t)snprintf(reps + ru, sizeof(reps) - ru, "%s%d", k ? "," : "", c->rep[k]);
            tu += (size_t)snprintf(rtts + tu, sizeof(rtts) - tu, "%s%.*f", k ? ", " : "",
                                   b->opts.digits, run->rtt50[c->rep[k]]);
        }
        bench_note(b, "  R %d W %d Q %d: replicas %s (rtt p50 %s us)", c->R, c->W, c->Q, reps,
                   rtts);
    }
    rwq_columns(&t);
    col(&t, "Write p50 (us)", 0);
    col(&t, "p99", 10);
    col(&t, "Predicted", 0);
    col(&t, "Ratio", 8);
    col(&t, "Read p50 (us)", 0);
    col(&t, "p99", 10);
    col(&t, "Predicted", 0);
    col(&t, "Ratio", 8);
    col(&t, "Agreed %", 0);
    bench_table_header(b, &t);
    for (int i = 0; i < run->ncfg; i++) {
        const qrl_config_t *c = &run->cfg[i];
        row_begin(b, &t, run, c);
        bench_cell(b, &t, c->w50);
        bench_cell(b, &t, c->w99);
        bench_cell(b, &t, c->pred_w);
        bench_cell(b, &t, c->w50 / c->pred_w);
        bench_cell(b, &t, c->r50);
        bench_cell(b, &t, c->r99);
        bench_cell(b, &t, c->pred_r);
        bench_cell(b, &t, c->r50 / c->pred_r);
        bench_cell_prec(b, &t, percent(c->agreed, c->reads), 1);
        bench_row_end(b, &t);
    }
}

void qrl_print_all(const bench_t *b, const qrl_run_t *run)
{
    bench_table_t t;
    if (b->role != BENCH_ACTIVE)
        return;
    bench_note(b,
               "every rank (%d) operating at once on key 0 of the same register set, writes and "
               "reads in a random order (contended: reads may disagree and write back); p50 / "
               "p99 over all ranks' samples:",
               b->size);
    rwq_columns(&t);
    col(&t, "Write p50 (us)", 0);
    col(&t, "p99", 10);
    col(&t, "Read p50 (us)", 0);
    col(&t, "p99", 10);
    col(&t, "Agreed %", 0);
    bench_table_header(b, &t);
    for (int i = 0; i < run->ncfg; i++) {
        const qrl_config_t *c = &run->cfg[i];
        row_begin(b, &t, run, c);
        bench_cell(b, &t, c->aw50);
        bench_cell(b, &t, c->aw99);
        bench_cell(b, &t, c->ar50);
        bench_cell(b, &t, c->ar99);
        bench_cell_prec(b, &t, percent(c->aagreed, c->areads), 1);
        bench_row_end(b, &t);
    }
}

void qrl_print_tput(const bench_t *b, const qrl_run_t *run)
{
    bench_table_t t;
    if (b->role != BENCH_ACTIVE)
        return;
    bench_note(b,
               "throughput, operations/s with a window of %d in flight (ordo_qreg_write_nb / "
               "read_nb, keys 0..%d): rank 0 alone, then all %d ranks at once (their sum):",
               b->opts.window, b->opts.window - 1, b->size);
    rwq_columns(&t);
    col(&t, "Writes/s (one)", 0);
    col(&t, "Reads/s (one)", 0);
    col(&t, "Writes/s (all)", 0);
    col(&t, "Reads/s (all)", 0);
    bench_table_header(b, &t);
    for (int i = 0; i < run->ncfg; i++) {
        const qrl_config_t *c = &run->cfg[i];
        row_begin(b, &t, run, c);
        bench_cell_prec(b, &t, c->tw1, 0);
        bench_cell_prec(b, &t, c->tr1, 0);
        bench_cell_prec(b, &t, c->twall, 0);
        bench_cell_prec(b, &t, c->trall, 0);
        bench_row_end(b, &t);
    }
}

/* The worst ratio of writes (or reads) and where. */
static const qrl_config_t *worst(const qrl_run_t *run, int reads, double *ratio)
{
    const qrl_config_t *w = NULL;
    *ratio = 0;
    for (int i = 0; i < run->ncfg; i++) {
        const qrl_config_t *c = &run->cfg[i];
        double q = reads ? c->r50 / c->pred_r : c->w50 / c->pred_w;
        if (!w || q > *ratio) {
            w = c;
            *ratio = q;
        }
    }
    return w;
}

void qrl_print_summary(const bench_t *b, const qrl_run_t *run)
{
    uint64_t reads = 0, agreed = 0;
    if (b->role != BENCH_ACTIVE || run->ncfg == 0)
        return;
    bench_note(b,
               "target (DESIGN.md): quorum read/write p50 <= %.1fx its phases x the round "
               "trip to the Q/W-th fastest replica, one rank operating:",
               QRL_TARGET);
    for (int k = 0; k < 2; k++) {
        double q;
        const qrl_config_t *c = worst(run, k, &q);
        double excess = k ? c->r50 - c->pred_r : c->w50 - c->pred_w;
        bench_note(b, "  %s: worst ratio %.2f (R %d W %d Q %d; measured - predicted %.*f us): %s",
                   k ? "read" : "write", q, c->R, c->W, c->Q, b->opts.digits, excess,
                   q <= QRL_TARGET ? "met" : "NOT met");
    }
    for (int i = 0; i < run->ncfg; i++) {
        reads += run->cfg[i].reads;
        agreed += run->cfg[i].agreed;
    }
    bench_note(b, "  reads whose Q answers agreed (one phase, no write-back): %llu of %llu",
               (unsigned long long)agreed, (unsigned long long)reads);
    fflush(stdout);
}
