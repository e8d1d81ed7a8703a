/*
 * ordo_lock_bench - quorum locks: uncontended acquire and release latency
 * beside the round trips they are made of, and the handoff rate when ranks
 * contend.  For N = 3 and N = 5 replicas (those the job has room for; with
 * fewer than 3 ranks, N = ranks).  Every rank takes part (the replicas
 * answer), so the harness does not park ranks >= 2.
 *
 * Uncontended, per N: rank 0, holding nothing, times ordo_lock_acquire (a
 * lease of 1 s) and ordo_lock_release, then one ordo_rpc_call (8 B request,
 * empty reply) to each replica in a random order (itself too when it is a
 * replica: its own replica's answers take the same message layer).  The
 * other ranks answer inside ordo_barrier.  The prediction: an acquire is
 * two round trips (GRANT, COMMIT) to the q-th fastest replica, a release
 * one (RELEASE, decided at q answers), where the q-th fastest is the q-th
 * smallest of the replicas' median round trips.  Beside it a round without
 * the lock: ordo_rpc_call_nb to every replica at once (a GRANT's sizes),
 * timed until q answered: what each round of an acquire costs in messages
 * alone.
 *
 * Contended, per N: ranks 0 .. K-1 (K = min(4, ranks)) acquire and release
 * as fast as they can for CONTEND_S seconds; rank 0 prints acquisitions
 * per second (all ranks together), the grant rounds per acquisition (1:
 * never retried) and the fewest and most acquisitions of one rank (the
 * lock makes no promise of fairness).
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ID_NOP = 1, ID_GRANTLIKE = 2 };

#define LEASE_US     1000000ull
#define CONTEND_S    2.0
#define CONTENDERS   4
#define MAX_REPLICAS 5

static int on_nop(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

/* A GRANT's shape: a 32 B request, a 16 B reply. */
static int on_grantlike(const ordo_rpc_msg_t *msg, void *arg)
{
    static const uint8_t reply[16];
    (void)arg;
    return ordo_rpc_reply(msg, reply, sizeof(reply));
}

static int register_handlers(void)
{
    int s = ordo_rpc_register(ID_NOP, on_nop, NULL);
    return s == ORDO_OK ? ordo_rpc_register(ID_GRANTLIKE, on_grantlike, NULL) : s;
}

static const bench_spec_t spec = {
    .prog = "ordo_lock_bench",
    .title = "Quorum Lock Test",
    .summary = "Uncontended ordo_lock_acquire and ordo_lock_release latency for N = 3 and 5\n"
               "replicas beside ordo_rpc_call round trips to the replicas (the prediction:\n"
               "acquire = 2, release = 1 round trip to the q-th fastest replica), and the\n"
               "handoff rate with up to 4 ranks contending.  Sizes do not apply.",
    .min_size = 8,
    .max_size = 8,
    .iters = 1000,
    .iters_large = 1000,
    .warmup = 100,
    .warmup_large = 100,
    .flags = BENCH_OPT_ALL_RANKS,
    .register_handlers = register_handlers,
};

static void check(const bench_t *b, const char *what, int s)
{
    if (s != ORDO_OK)
        bench_fail(b, what, 0, s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct uncontended {
    int n, q;
    int rep[MAX_REPLICAS];
    bench_stats_t acq, rel, round;
    double rtt[MAX_REPLICAS];    /* median round trip to each replica, ascending */
    double rtt_of[MAX_REPLICAS]; /* the same, in the order of rep */
} uncontended_t;

static void count_answer(ordo_request_t *req, int status, void *arg)
{
    (void)req;
    if (status == ORDO_OK)
        ++*(int *)arg;
}

/* One round as a lock's: a call to every replica at once (32 B request,
 * 16 B reply), timed until q answered; the rest are waited for untimed. */
static double time_round(bench_t *b, const uncontended_t *u)
{
    static uint8_t req[32], reply[MAX_REPLICAS][16];
    int answered = 0;
    double t0 = bench_now_us(), dt = 0;
    for (int i = 0; i < u->n; i++)
        check(b, "ordo_rpc_call_nb",
              ordo_rpc_call_nb(u->rep[i], ID_GRANTLIKE, req, sizeof(req), reply[i],
                               sizeof(reply[i]), count_answer, &answered, NULL));
    while (answered < u->q)
        bench_poll(b);
    dt = bench_now_us() - t0;
    while (answered < u->n)
        bench_poll(b);
    return dt;
}

/* Rank 0: acquire, release, a round trip to each replica and a round, per
 * iteration. */
static void time_uncontended(bench_t *b, ordo_lock_t *l, uncontended_t *u)
{
    int iters = bench_iters(b, 8), warmup = bench_warmup(b, 8), *reps = u->rep;
    double *s = malloc((size_t)iters * (3 + MAX_REPLICAS) * sizeof(double));
    uint32_t rng = 0x9e3779b9u;
    if (!s)
        bench_fail(b, "malloc (samples)", 0, ORDO_ERR_NOMEM);
    check(b, "ordo_lock_replicas", ordo_lock_replicas(l, reps));
    for (int it = 0; it < warmup + iters; it++) {
        uint64_t token;
        int order[MAX_REPLICAS];
        double t0 = bench_now_us();
        check(b, "ordo_lock_acquire", ordo_lock_acquire(l, LEASE_US, &token));
        double t1 = bench_now_us();
        check(b, "ordo_lock_release", ordo_lock_release(l));
        double t2 = bench_now_us();
        double round = time_round(b, u);
        if (it >= warmup) {
            s[it - warmup] = t1 - t0;
            s[iters + it - warmup] = t2 - t1;
            s[(size_t)(2 + MAX_REPLICAS) * iters + (size_t)(it - warmup)] = round;
        }
        bench_shuffle(order, u->n, &rng);
        for (int k = 0; k < u->n; k++) {
            int i = order[k];
            double r0 = bench_now_us();
            check(b, "ordo_rpc_call", ordo_rpc_call(reps[i], ID_NOP, &token, 8, NULL, 0, NULL));
            if (it >= warmup)
                s[(size_t)(2 + i) * iters + (size_t)(it - warmup)] = bench_now_us() - r0;
        }
    }
    bench_stats_of(b, s, (size_t)iters, &u->acq);
    bench_stats_of(b, s + iters, (size_t)iters, &u->rel);
    bench_stats_of(b, s + (size_t)(2 + MAX_REPLICAS) * iters, (size_t)iters, &u->round);
    for (int i = 0; i < u->n; i++) {
        bench_stats_t st;
        bench_stats_of(b, s + (size_t)(2 + i) * iters, (size_t)iters, &st);
        u->rtt[i] = u->rtt_of[i] = st.p50;
    }
    qsort(u->rtt, (size_t)u->n, sizeof(double), cmp_double);
    free(s);
}

typedef struct contended {
    int n, k;
    double seconds;
    long total, fewest, most;
    double attempts_per_acq;
} contended_t;

/* Ranks 0 .. k-1: acquire and release for CONTEND_S; rank 0 sums up. */
static void run_contended(bench_t *b, ordo_lock_t *l, contended_t *c)
{
    long mine[2] = {0, 0}, all[2 * 64];
    ordo_lock_stats_t before, after;
    check(b, "ordo_lock_stats", ordo_lock_stats(l, &before));
    check(b, "ordo_barrier", ordo_barrier());
    double t0 = bench_now_us(), end = t0 + CONTEND_S * 1e6;
    if (b->rank < c->k) {
        while (bench_now_us() < end) {
            uint64_t token;
            check(b, "ordo_lock_acquire (contended)", ordo_lock_acquire(l, LEASE_US, &token));
            check(b, "ordo_lock_release (contended)", ordo_lock_release(l));
            mine[0]++;
        }
    }
    double t1 = bench_now_us();
    check(b, "ordo_barrier", ordo_barrier());
    check(b, "ordo_lock_stats", ordo_lock_stats(l, &after));
    mine[1] = (long)(after.attempts - before.attempts);
    if (MPI_Gather(mine, 2, MPI_LONG, all, 2, MPI_LONG, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        bench_fail(b, "MPI_Gather", 0, ORDO_ERR_INTERNAL);
    if (b->rank != 0)
        return;
    long attempts = 0;
    c->total = 0;
    c->fewest = -1;
    c->most = 0;
    for (int r = 0; r < c->k; r++) {
        long got = all[2 * r];
        c->total += got;
        attempts += all[2 * r + 1];
        c->fewest = c->fewest < 0 || got < c->fewest ? got : c->fewest;
        c->most = got > c->most ? got : c->most;
    }
    c->seconds = (t1 - t0) / 1e6; /* rank 0's: it stops at the end like the others */
    c->attempts_per_acq = c->total ? (double)attempts / (double)c->total : NAN;
}

static void print_uncontended(bench_t *b, const uncontended_t *u, int nu)
{
    bench_table_t t;
    bench_note(b,
               "uncontended: rank 0 acquires (lease %llu us) and releases; the Size column "
               "is N, the lock's replicas; times in us",
               LEASE_US);
    bench_note(b, "RTT q-th: the q-th smallest of the replicas' median ordo_rpc_call round trips "
                  "(8 B request, empty reply), timed in the same iterations; predicted acquire "
                  "= 2 RTT q-th (GRANT, COMMIT), release = 1 (RELEASE)");
    bench_note(b, "Round: ordo_rpc_call_nb to all N replicas at once (32 B request, 16 B reply, "
                  "as a GRANT), until q answered: a lock round without the lock");
    bench_table_init(&t);
    const char *cols[] = {"Acquire p50",
                          "Acquire p99",
                          "Release p50",
                          "Release p99",
                          "RTT q-th p50",
                          "Acq/2RTT",
                          "Rel/RTT",
                          "Round p50",
                          "Acq/2Round",
                          "Rel/Round",
                          "q"};
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        bench_table_col(&t, cols[i]);
    bench_table_header(b, &t);
    for (int i = 0; i < nu; i++) {
        double rtt = u[i].rtt[u[i].q - 1];
        bench_row_begin(b, &t, (size_t)u[i].n);
        bench_cell(b, &t, u[i].acq.p50);
        bench_cell(b, &t, u[i].acq.p99);
        bench_cell(b, &t, u[i].rel.p50);
        bench_cell(b, &t, u[i].rel.p99);
        bench_cell(b, &t, rtt);
        bench_cell(b, &t, u[i].acq.p50 / (2 * rtt));
        bench_cell(b, &t, u[i].rel.p50 / rtt);
        bench_cell(b, &t, u[i].round.p50);
        bench_cell(b, &t, u[i].acq.p50 / (2 * u[i].round.p50));
        bench_cell(b, &t, u[i].rel.p50 / u[i].round.p50);
        bench_cell_prec(b, &t, u[i].q, 0);
        bench_row_end(b, &t);
    }
    for (int i = 0; i < nu; i++) {
        char line[256];
        size_t len = 0;
        for (int r = 0; r < u[i].n; r++)
            len += (size_t)snprintf(line + len, sizeof(line) - len, " rank %d %.2f%s", u[i].rep[r],
                                    u[i].rtt_of[r], r + 1 < u[i].n ? "," : "");
        bench_note(b, "N = %d: replicas' median round trips (us):%s", u[i].n, line);
    }
}

static void print_contended(bench_t *b, const contended_t *c, int nc)
{
    bench_table_t t;
    bench_note(b,
               "contended: ranks 0..%d acquire and release as fast as they can for %.0f s; the "
               "Size column is N; Attempts/acq: grant rounds per acquisition (1: no retry)",
               c[0].k - 1, CONTEND_S);
    bench_table_init(&t);
    const char *cols[] = {"Acquires/s", "Ranks", "Attempts/acq", "Fewest/rank", "Most/rank"};
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        bench_table_col(&t, cols[i]);
    bench_table_header(b, &t);
    for (int i = 0; i < nc; i++) {
        bench_row_begin(b, &t, (size_t)c[i].n);
        bench_cell(b, &t, (double)c[i].total / c[i].seconds);
        bench_cell_prec(b, &t, c[i].k, 0);
        bench_cell(b, &t, c[i].attempts_per_acq);
        bench_cell_prec(b, &t, (double)c[i].fewest, 0);
        bench_cell_prec(b, &t, (double)c[i].most, 0);
        bench_row_end(b, &t);
    }
}

int main(int argc, char **argv)
{
    bench_t b;
    uncontended_t u[2];
    contended_t c[2];
    int ns[2], nn = 0;
    int rc = bench_start(&b, &spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;
    for (int n = 3; n <= 5; n += 2)
        if (n <= b.size)
            ns[nn++] = n;
    if (nn == 0)
        ns[nn++] = b.size;
    if (b.size > 64)
        bench_fail(&b, "more than 64 ranks", 0, ORDO_ERR_INVALID);

    for (int i = 0; i < nn; i++) {
        ordo_lock_t *l;
        check(&b, "ordo_lock_create", ordo_lock_create(ns[i], &l));
        u[i].n = ns[i];
        u[i].q = ns[i] / 2 + 1;
        if (b.rank == 0)
            time_uncontended(&b, l, &u[i]);
        check(&b, "ordo_barrier", ordo_barrier()); /* the others answer meanwhile */
        c[i].n = ns[i];
        c[i].k = b.size < CONTENDERS ? b.size : CONTENDERS;
        run_contended(&b, l, &c[i]);
        check(&b, "ordo_lock_destroy", ordo_lock_destroy(l));
    }
    if (b.role == BENCH_ACTIVE) {
        bench_print_title(&b);
        print_uncontended(&b, u, nn);
        print_contended(&b, c, nn);
    }
    return bench_finish(&b);
}
