/*
 * ordo_collectives - collectives and gossip in a small computation.
 *
 * Rank 0 broadcasts the parameters; every rank draws its share of samples
 * and the histogram of all of them is an allreduce (its total must be
 * every sample); min and max too; a distributed matrix is transposed with
 * an alltoall; every rank's mean is gathered with an allgather; a
 * non-blocking allreduce runs while the rank computes; each rank gossips
 * that it is done and waits until it has heard from all.  Rank 0 prints
 * each result with the algorithm the model chose; exit status non-zero if
 * anything was wrong.
 */
#include <ordo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BINS 64
#define TILE 32 /* each rank holds TILE rows of a (TILE * n) square matrix, per block TILE x TILE  \
                 */

typedef struct params {
    uint64_t seed;
    uint64_t samples; /* per rank */
} params_t;

static int rank, size, bad;

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int s_ = (call);                                                                           \
        if (s_ != ORDO_OK) {                                                                       \
            fprintf(stderr, "ordo_collectives: rank %d: %s: %s\n", rank, #call,                    \
                    ordo_strerror(s_));                                                            \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static void say(ordo_coll_family_t f, size_t bytes, const char *what, int ok)
{
    const char *alg = NULL;
    (void)ordo_coll_predict(f, bytes, &alg, NULL);
    if (!ok)
        bad = 1;
    if (rank == 0)
        printf("ordo_collectives: %-10s %-20s %s: %s\n", ordo_coll_family_name(f), alg ? alg : "?",
               what, ok ? "ok" : "WRONG");
}

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static int heard;

static void on_done(int origin, uint64_t seq, const void *data, size_t len, void *arg)
{
    (void)origin;
    (void)seq;
    (void)arg;
    if (len == 4 && !memcmp(data, "done", 4))
        heard++;
}

int main(int argc, char **argv)
{
    CHECK(ordo_init(&argc, &argv));
    rank = ordo_rank();
    size = ordo_size();
    CHECK(ordo_gossip_subscribe(on_done, NULL));

    /* Parameters from rank 0. */
    params_t p = {0};
    if (rank == 0)
        p = (params_t){.seed = 12345, .samples = 200000};
    CHECK(ordo_bcast(&p, sizeof(p), 0));
    say(ORDO_COLL_BCAST, sizeof(p), "parameters from rank 0", p.samples == 200000);

    /* A histogram of every rank's samples. */
    int64_t local[BINS] = {0}, global[BINS];
    double lo = 1e300, hi = -1e300, sum = 0;
    uint64_t s = p.seed + (uint64_t)rank * 7919;
    for (uint64_t i = 0; i < p.samples; i++) {
        double x = (double)(next(&s) % 1000000) / 1e6;
        x = x * x; /* skewed towards 0 */
        local[(int)(x * BINS)]++;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        sum += x;
    }
    CHECK(ordo_allreduce(local, global, BINS, ORDO_DTYPE_INT64, ORDO_OP_SUM));
    int64_t total = 0;
    for (int b = 0; b < BINS; b++)
        total += global[b];
    char what[128];
    snprintf(what, sizeof(what), "histogram of %d x %llu samples, total %lld", size,
             (unsigned long long)p.samples, (long long)total);
    say(ORDO_COLL_ALLREDUCE, sizeof(global), what, total == (int64_t)p.samples * size);
    double glo, ghi;
    CHECK(ordo_allreduce(&lo, &glo, 1, ORDO_DTYPE_DOUBLE, ORDO_OP_MIN));
    CHECK(ordo_allreduce(&hi, &ghi, 1, ORDO_DTYPE_DOUBLE, ORDO_OP_MAX));
    snprintf(what, sizeof(what), "range [%.6f, %.6f]", glo, ghi);
    say(ORDO_COLL_ALLREDUCE, 8, what, glo <= lo && ghi >= hi && glo >= 0 && ghi < 1);

    /* Every rank's mean, gathered. */
    double mean = sum / (double)p.samples, *means = malloc(sizeof(double) * (size_t)size);
    if (!means)
        return 1;
    CHECK(ordo_allgather(&mean, sizeof(mean), means));
    int ok = means[rank] == mean;
    for (int r = 0; r < size; r++)
        ok &= means[r] > 0.2 && means[r] < 0.5; /* E[x^2] = 1/3 */
    snprintf(what, sizeof(what), "every rank's mean (rank 0: %.4f)", means[0]);
    say(ORDO_COLL_ALLGATHER, sizeof(mean), what, ok);

    /* Transpose a (TILE * size)^2 matrix of rows spread over the ranks: block
     * (rank, d) of TILE x TILE goes to rank d, which transposes it locally. */
    size_t n = (size_t)TILE * (size_t)size, blk = TILE * TILE;
    double *rows = malloc(sizeof(double) * TILE * n), *in = malloc(sizeof(double) * TILE * n),
           *out = malloc(sizeof(double) * TILE * n);
    if (!rows || !in || !out)
        return 1;
    for (size_t i = 0; i < TILE; i++)
        for (size_t j = 0; j < n; j++)
            rows[i * n + j] = (double)(((size_t)rank * TILE + i) * n + j);
    for (int d = 0; d < size; d++) /* pack block d */
        for (size_t i = 0; i < TILE; i++)
            for (size_t j = 0; j < TILE; j++)
                in[(size_t)d * blk + i * TILE + j] = rows[i * n + (size_t)d * TILE + j];
    CHECK(ordo_alltoall(in, sizeof(double) * blk, out));
    ok = 1; /* row i of ours, transposed: element (g, c) = original (c, g) */
    for (int src = 0; src < size; src++)
        for (size_t i = 0; i < TILE; i++)
            for (size_t j = 0; j < TILE; j++) {
                size_t grow = (size_t)rank * TILE + j, gcol = (size_t)src * TILE + i;
                ok &= out[(size_t)src * blk + i * TILE + j] == (double)(gcol * n + grow);
            }
    snprintf(what, sizeof(what), "transpose of a %zu x %zu matrix", n, n);
    say(ORDO_COLL_ALLTOALL, sizeof(double) * blk, what, ok);

    /* A non-blocking allreduce while this rank computes. */
    ordo_coll_req_t *req;
    int64_t one = rank + 1, tri = 0;
    CHECK(ordo_iallreduce(&one, &tri, 1, ORDO_DTYPE_INT64, ORDO_OP_SUM, &req));
    volatile double acc = 0;
    int polls = 0;
    while (ordo_coll_test(req) == 0) { /* compute, testing now and then */
        for (int i = 0; i < 10000; i++)
            acc += i * 1e-9;
        polls++;
    }
    CHECK(ordo_coll_wait(req));
    snprintf(what, sizeof(what), "1 + ... + %d = %lld, overlapped with %d slices of work", size,
             (long long)tri, polls);
    say(ORDO_COLL_ALLREDUCE, 8, what, tri == (int64_t)size * (size + 1) / 2);

    /* Gossip: each rank says it is done; everyone waits to hear all. */
    CHECK(ordo_gossip_publish("done", 4, NULL));
    time_t t0 = time(NULL);
    while (heard < size && time(NULL) - t0 < 30)
        ordo_progress();
    ordo_gossip_stats_t gs;
    CHECK(ordo_gossip_stats(&gs));
    if (rank == 0)
        printf("ordo_collectives: gossip     push-pull            heard 'done' from %d of %d ranks "
               "(%llu rounds, %llu messages sent here): %s\n",
               heard, size, (unsigned long long)gs.rounds, (unsigned long long)gs.msgs_sent,
               heard == size ? "ok" : "WRONG");
    bad |= heard != size;
    CHECK(ordo_barrier());
    free(means);
    free(rows);
    free(in);
    free(out);
    int all_bad = 0;
    CHECK(ordo_allreduce(&bad, &all_bad, 1, ORDO_DTYPE_INT32, ORDO_OP_BOR));
    CHECK(ordo_finalize());
    return all_bad ? 1 : 0;
}
