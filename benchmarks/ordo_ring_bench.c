/*
 * ordo_ring_bench - consistent hashing (consistency/ring.c, the ring that
 * places the shared objects' blocks and the quorum registers' replicas)
 * against its two formulas, as CSV for benchmarks/report.sh:
 *
 *   moves    the fraction of blocks that change owner when one of N ranks
 *            leaves (a ring of N, then N - 1) or one joins N - 1 others
 *            (then N), against 1/N (the rank's share: it is what moves);
 *   balance  the most loaded rank's blocks over the mean (max/mean) for
 *            V virtual nodes per rank, against the expected maximum of N
 *            loads, each the sum of V arcs of a ring of N*V random points:
 *            Beta(V, (N-1)V) * N, approximated by a Gamma of the same mean
 *            (1) and variance ((N-1)/(NV+1)), the N taken as independent.
 *
 * Every figure is the mean over T rings.  A ring's points depend only on
 * the rank and the virtual node's number, so ring t is made of the ranks
 * t*N .. t*N+N-1 of a larger job (ordo__ring_build's alive mask): T
 * independent rings without touching ring.c.  No MPI, no ranks: it links
 * the consistency layer as tests/consistency/test_ring does.
 *
 * Usage: ordo_ring_bench moves|balance [-b BLOCKS] [-t RINGS] [-v VNODES] [-n N]
 */
#include "ordo_config.h"

#include "consistency/obj.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_N 64

typedef struct opts {
    long blocks;
    int rings;
    unsigned vnodes; /* moves */
    int n;           /* balance */
} opts_t;

static int owner_of(const ordo__ring_t *r, uint64_t b)
{
    return ordo__ring_owner(r, ordo__ring_key(7, b));
}

/* The ring of ranks base .. base+n-1, leaving out rank `out` (-1: none). */
static int ring_of(ordo__ring_t *ring, int base, int n, int out, unsigned vnodes)
{
    static char alive[MAX_N * 256];
    int total = base + n;
    if (total > (int)sizeof(alive))
        return ORDO_ERR_INVALID;
    memset(alive, 0, (size_t)total);
    memset(alive + base, 1, (size_t)n);
    if (out >= 0)
        alive[out] = 0;
    return ordo__ring_build(ring, total, alive, vnodes);
}

/* Fraction of the blocks whose owner differs between a and b. */
static double moved(const ordo__ring_t *a, const ordo__ring_t *b, long blocks)
{
    long m = 0;
    for (long k = 0; k < blocks; k++)
        m += owner_of(a, (uint64_t)k) != owner_of(b, (uint64_t)k);
    return (double)m / (double)blocks;
}

static int run_moves(const opts_t *o)
{
    static const int ns[] = {2, 4, 8, 16, 32, 64};
    printf("n,vnodes,rings,blocks,predicted,leave_measured,leave_ratio,join_measured,join_ratio\n");
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        int n = ns[i];
        double leave = 0, join = 0;
        for (int t = 0; t < o->rings; t++) {
            ordo__ring_t all, less, grown;
            int base = t * n, out = base + t % (n - 1); /* leaves: a different rank each ring */
            if (ring_of(&all, base, n, -1, o->vnodes) != ORDO_OK ||
                ring_of(&less, base, n, out, o->vnodes) != ORDO_OK)
                return 1;
            leave += moved(&all, &less, o->blocks); /* N -> N-1 */
            ordo__ring_free(&less);
            /* joins: the last rank comes to the other N - 1 (N-1 -> N) */
            if (ring_of(&less, base, n, base + n - 1, o->vnodes) != ORDO_OK ||
                ring_of(&grown, base, n, -1, o->vnodes) != ORDO_OK)
                return 1;
            join += moved(&less, &grown, o->blocks);
            ordo__ring_free(&all);
            ordo__ring_free(&less);
            ordo__ring_free(&grown);
        }
        leave /= o->rings;
        join /= o->rings;
        double pred = 1.0 / n;
        printf("%d,%u,%d,%ld,%.6f,%.6f,%.4f,%.6f,%.4f\n", n, o->vnodes, o->rings, o->blocks, pred,
               leave, leave / pred, join, join / pred);
    }
    return 0;
}

/* Regularized lower incomplete gamma P(a, x), by its series. */
static double gamma_p(double a, double x)
{
    if (x <= 0)
        return 0;
    double term = 1.0 / a, sum = term;
    for (int k = 1; k < 100000; k++) {
        term *= x / (a + k);
        sum += term;
        if (term < sum * 1e-15)
            break;
    }
    double v = exp(-x + a * log(x) - lgamma(a)) * sum;
    return v > 1 ? 1 : v;
}

/* E[max of n independent loads], each Gamma of mean 1 and shape a. */
static double expected_max(int n, double a)
{
    double hi = 1 + 12 / sqrt(a) + 12 / a, h = hi / 20000, e = 0;
    for (int i = 0; i < 20000; i++) {
        double x = (i + 0.5) * h;
        e += (1 - pow(gamma_p(a, a * x), n)) * h;
    }
    return e;
}

static int run_balance(const opts_t *o)
{
    static const unsigned vs[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    int n = o->n;
    printf("vnodes,n,rings,blocks,predicted,measured,ratio\n");
    for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
        unsigned v = vs[i];
        double sum = 0;
        for (int t = 0; t < o->rings; t++) {
            ordo__ring_t ring;
            long count[MAX_N] = {0}, max = 0;
            int base = t * n;
            if (ring_of(&ring, base, n, -1, v) != ORDO_OK)
                return 1;
            for (long k = 0; k < o->blocks; k++)
                count[owner_of(&ring, (uint64_t)k) - base]++;
            for (int r = 0; r < n; r++)
                max = count[r] > max ? count[r] : max;
            sum += (double)max / ((double)o->blocks / n);
            ordo__ring_free(&ring);
        }
        double shape = (double)(n * v + 1) / (n - 1); /* variance (n-1)/(nv+1) */
        double pred = expected_max(n, shape), meas = sum / o->rings;
        printf("%u,%d,%d,%ld,%.4f,%.4f,%.4f\n", v, n, o->rings, o->blocks, pred, meas, meas / pred);
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: ordo_ring_bench moves|balance [-b BLOCKS] [-t RINGS] [-v VNODES] "
                    "[-n N (balance, 2..64)]\n");
    return 2;
}

int main(int argc, char **argv)
{
    opts_t o = {.blocks = 100000, .rings = 50, .vnodes = 64, .n = 16};
    int c;
    if (argc < 2)
        return usage();
    const char *what = argv[1];
    optind = 2;
    while ((c = getopt(argc, argv, "b:t:v:n:")) != -1) {
        switch (c) {
        case 'b':
            o.blocks = atol(optarg);
            break;
        case 't':
            o.rings = atoi(optarg);
            break;
        case 'v':
            o.vnodes = (unsigned)atoi(optarg);
            break;
        case 'n':
            o.n = atoi(optarg);
            break;
        default:
            return usage();
        }
    }
    if (o.blocks < 1 || o.rings < 1 || o.rings > 256 || o.vnodes < 1 || o.vnodes > 4096 ||
        o.n < 2 || o.n > MAX_N)
        return usage();
    if (strcmp(what, "moves") == 0)
        return run_moves(&o);
    if (strcmp(what, "balance") == 0)
        return run_balance(&o);
    return usage();
}
