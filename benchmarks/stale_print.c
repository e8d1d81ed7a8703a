/*
 * stale_print.c - ordo_stale's figures: which reads were stale, against
 * the prediction, per phase (one write rate each), and the raw logs.
 *
 * A read is stale when its value is older than the last write to its key
 * that completed (ORDO_OK) before the read began.  The writer writes each
 * key's values 1, 2, ... one at a time, so "older" is "smaller".
 *
 * The prediction, for a reader alone with its own replica during a cut of
 * length D: its replica has every write completed before the cut (writes
 * go to every replica; on one host they all land within the write's
 * time), none after, so a read that degrades at time t into the cut is
 * stale iff a write to its key completed in [cut start, t]: P = 1 -
 * exp(-w t) with writes Poisson at rate w per key.  A read that begins in
 * the last ORDO_QREG_DEGRADE_MS (g) of the cut gets its quorum when the cut
 * heals (the held messages go then) before its bound: it is fresh.  Over
 * reads at uniform times, a share pi = D / period of them in a cut,
 *
 *   P(stale) = (1/period) * int_0^(D-g) (1 - exp(-w t)) dt
 *            = pi' * (1 - (1 - exp(-w D')) / (w D')),  D' = D - g, pi' = D'/period,
 *
 * which is the seeds' pi * (1 - (1 - exp(-w D)) / (w D)) with D - g for D
 * (g -> 0: the same).  Reads outside a cut are quorum reads: 0.  Reads
 * before the first write return 0 and are fresh (nothing completed
 * before them); the formula needs no term for them, since a read in a
 * cut is stale iff a write completed since the cut began, whatever came
 * before.
 */
#include "stale.h"

#include <errno.h>
#include <math.h>
#include <ordo.h>
#include <stdio.h>
#include <stdlib.h>

#define NS_PER_MS 1000000.0

/* The value of the last write to key completed before t_ns (0: none).
 * w is in the writer's order: per key, values rise with the end times. */
static uint64_t last_done(const stale_write_t *w, size_t nw, uint32_t key, uint64_t t_ns)
{
    uint64_t v = 0;
    for (size_t i = 0; i < nw; i++)
        if (w[i].key == key && w[i].status == ORDO_OK && w[i].end_ns < t_ns && w[i].value > v)
            v = w[i].value;
    return v;
}

static double predict(double w_per_s, double d_ms, double period_ms)
{
    if (d_ms <= 0)
        return 0;
    double x = w_per_s * d_ms / 1000.0;
    return d_ms / period_ms * (1.0 - (1.0 - exp(-x)) / x);
}

void stale_print(const stale_opt_t *o, uint64_t t0_ns, const stale_write_t *w, size_t nw,
                 const stale_read_t *r, size_t nr, double spread_ms)
{
    double g = o->degrade_ms, d = o->cut_ms, per = o->period_ms;
    printf("# ordo_stale: %d keys, cuts of D = %.0f ms every %.0f ms (pi = %.4f), %d per phase, "
           "reads %.0f/s, ORDO_QREG_DEGRADE_MS = %.0f; ordo_init ended %.1f ms apart on the "
           "ranks (the cuts' edges differ by as much)\n",
           o->keys, d, per, d / per, o->cuts, o->read_rate, g, spread_ms);
    printf("w_per_s,D_ms,pi,wD,degrade_ms,predicted,predicted_seed,measured,ratio,reads,stale,"
           "degraded,degraded_predicted,failed,writes\n");
    for (int p = 0; p < o->phases; p++) {
        double from = o->lead_ms + p * stale_phase_ms(o), to = from + stale_phase_ms(o);
        uint64_t lo = t0_ns + (uint64_t)(from * NS_PER_MS), hi = t0_ns + (uint64_t)(to * NS_PER_MS);
        size_t reads = 0, stale = 0, degraded = 0, failed = 0, writes = 0;
        for (size_t i = 0; i < nr; i++) {
            if (r[i].start_ns < lo || r[i].start_ns >= hi)
                continue;
            if (r[i].status != ORDO_OK) {
                failed++;
                continue;
            }
            reads++;
            degraded += (r[i].flags & ORDO_QREG_STALE) != 0;
            stale += r[i].value < last_done(w, nw, r[i].key, r[i].start_ns);
        }
        for (size_t i = 0; i < nw; i++)
            writes += w[i].start_ns >= lo && w[i].start_ns < hi;
        double pred = predict(o->w[p], d - g, per), seed = predict(o->w[p], d, per);
        double meas = reads ? (double)stale / (double)reads : 0;
        printf("%.3f,%.0f,%.4f,%.3f,%.0f,%.4f,%.4f,%.4f,%.3f,%zu,%zu,%.4f,%.4f,%zu,%zu\n", o->w[p],
               d, d / per, o->w[p] * d / 1000.0, g, pred, seed, meas, pred > 0 ? meas / pred : 0,
               reads, stale, reads ? (double)degraded / (double)reads : 0, (d - g) / per, failed,
               writes);
    }
}

int stale_write_logs(const stale_opt_t *o, const stale_write_t *w, size_t nw, const stale_read_t *r,
                     size_t nr)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/writes.csv", o->logdir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "start_ns,end_ns,key,value,status\n");
    for (size_t i = 0; i < nw; i++)
        fprintf(f, "%llu,%llu,%u,%llu,%s\n", (unsigned long long)w[i].start_ns,
                (unsigned long long)w[i].end_ns, w[i].key, (unsigned long long)w[i].value,
                ordo_status_name(w[i].status));
    if (fclose(f) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/reads.csv", o->logdir);
    f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "start_ns,end_ns,key,value,flags,status\n");
    for (size_t i = 0; i < nr; i++)
        fprintf(f, "%llu,%llu,%u,%llu,%u,%s\n", (unsigned long long)r[i].start_ns,
                (unsigned long long)r[i].end_ns, r[i].key, (unsigned long long)r[i].value,
                r[i].flags, ordo_status_name(r[i].status));
    int err = ferror(f);
    if (fclose(f) != 0 || err) {
        errno = err ? EIO : errno;
        return -1;
    }
    return 0;
}
