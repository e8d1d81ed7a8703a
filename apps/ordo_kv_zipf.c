/*
 * ordo_kv_zipf.c - apps/ordo_kv's random keys (uniform, and YCSB's
 * scrambled Zipfian after Gray et al.) and its latency histograms.
 */
#include "apps/ordo_kv.h"
#include <math.h>

uint64_t ordo_kv_rand(uint64_t *state) /* splitmix64 */
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double ordo_kv_rand01(uint64_t *state)
{
    return (double)(ordo_kv_rand(state) >> 11) * 0x1.0p-53;
}

/* ---- Zipfian ----------------------------------------------------------------- */

/* zeta(n, theta) = sum over i = 1 .. n of 1 / i^theta. */
static double zeta(uint64_t n, double theta)
{
    double sum = 0;
    for (uint64_t i = 1; i <= n; i++)
        sum += pow((double)i, -theta);
    return sum;
}

void ordo_kv_zipf_init(ordo_kv_zipf_t *z, uint64_t n, double theta)
{
    z->n = n;
    z->theta = theta;
    z->alpha = 1.0 / (1.0 - theta);
    z->zetan = zeta(n, theta);
    z->half_pow_theta = pow(0.5, theta);
    /* eta = (1 - (2/n)^(1 - theta)) / (1 - zeta(2)/zeta(n)); with n <= 2 the
     * first two cases of the draw cover every u, so eta is never used. */
    double zeta2 = zeta(2, theta);
    z->eta = n > 2 ? (1.0 - pow(2.0 / (double)n, 1.0 - theta)) / (1.0 - zeta2 / z->zetan) : 0;
}

uint64_t ordo_kv_zipf_rank(const ordo_kv_zipf_t *z, uint64_t *state)
{
    double u = ordo_kv_rand01(state);
    double uz = u * z->zetan;
    if (uz < 1.0 || z->n == 1)
        return 0;
    if (uz < 1.0 + z->half_pow_theta || z->n == 2)
        return 1;
    uint64_t r = (uint64_t)((double)z->n * pow(z->eta * u - z->eta + 1.0, z->alpha));
    return r < z->n ? r : z->n - 1;
}

uint64_t ordo_kv_fnv64(uint64_t x)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < 8; i++) {
        h ^= x & 0xff;
        h *= 0x100000001b3ull;
        x >>= 8;
    }
    return h;
}

uint64_t ordo_kv_zipf_key(const ordo_kv_zipf_t *z, uint64_t *state)
{
    return ordo_kv_fnv64(ordo_kv_zipf_rank(z, state)) % z->n;
}

/* ---- histograms ---------------------------------------------------------------- */

int ordo_kv_hist_bucket(uint64_t ns)
{
    if (ns < 8)
        return (int)ns;
    int e = 63 - __builtin_clzll(ns); /* 3 .. 63 */
    if (e > 40)
        return ORDO_KV_HIST_BUCKETS - 1;
    return 8 + (e - 3) * 8 + (int)((ns >> (e - 3)) & 7);
}

double ordo_kv_hist_mid(int b)
{
    if (b < 8)
        return b;
    int e = (b - 8) / 8 + 3, m = (b - 8) % 8;
    double width = (double)(1ull << (e - 3));
    return (8 + m) * width + width / 2;
}

#define QUANTILE(counts, p)                                                                        \
    do {                                                                                           \
        uint64_t total = 0, seen = 0;                                                              \
        for (int b = 0; b < ORDO_KV_HIST_BUCKETS; b++)                                             \
            total += counts[b];                                                                    \
        if (!total)                                                                                \
            return 0;                                                                              \
        uint64_t want = (uint64_t)ceil(p * (double)total);                                         \
        if (want < 1)                                                                              \
            want = 1;                                                                              \
        for (int b = 0; b < ORDO_KV_HIST_BUCKETS; b++)                                             \
            if ((seen += counts[b]) >= want)                                                       \
                return ordo_kv_hist_mid(b) / 1e3;                                                  \
        return ordo_kv_hist_mid(ORDO_KV_HIST_BUCKETS - 1) / 1e3;                                   \
    } while (0)

double ordo_kv_hist_quantile_u64(const uint64_t *counts, double p)
{
    QUANTILE(counts, p);
}

double ordo_kv_hist_quantile_u32(const uint32_t *counts, double p)
{
    QUANTILE(counts, p);
}
