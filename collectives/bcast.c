/*
 * bcast.c - ordo_bcast's algorithms: binomial tree, k-nomial tree (radix
 * 4: fewer rounds, more sends per round) and scatter + ring allgather (van
 * de Geijn: each link carries about 2 len (n-1)/n bytes in all, for large
 * payloads).  Places are counted from the root (virtual rank v = place -
 * root mod n).
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/node.h"

#define KNOMIAL_RADIX 4

static int vplace(const ordo__coll_args_t *a, int v)
{
    return (v + a->root) % a->n;
}

static int vrank(const ordo__coll_args_t *a)
{
    return (a->pos - a->root + a->n) % a->n;
}

/* The k-nomial tree over virtual ranks: v's parent and the children it
 * sends to after receiving (binomial: k = 2). */
static void tree(struct ordo_coll_req *r, const ordo__coll_args_t *a, int k)
{
    int n = a->n, v = vrank(a);
    long span = 1; /* k^level */
    while (span < n)
        span *= k;
    /* The lowest non-zero digit of v (base k) names its parent. */
    long level = 1;
    while (v && (v / level) % k == 0)
        level *= k;
    if (v) {
        ordo__sched_recv(r, vplace(a, v - (int)((v / level) % k * level)), a->out, a->len);
        ordo__sched_round(r);
    } else {
        level = span;
    }
    /* Children: v + i k^j for j below v's level, largest subtree first. */
    for (long j = level / k; j >= 1; j /= k)
        for (int i = 1; i < k; i++)
            if (v + i * j < n)
                ordo__sched_send(r, vplace(a, v + (int)(i * j)), a->out, a->len);
}

static int build_binomial(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    if (a->n > 1)
        tree(r, a, 2);
    return ORDO_OK;
}

static double cost_binomial(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    double t = 0; /* round r: 2^r payloads move at once */
    for (int d = 1; d < n; d <<= 1)
        t += ordo__coll_t(m, (double)bytes, d < n - d ? d : n - d);
    return t;
}

static int build_knomial(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    if (a->n > 1)
        tree(r, a, KNOMIAL_RADIX);
    return ORDO_OK;
}

static double cost_knomial(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    /* Each round: one message, and the transfer of the others a parent
     * sends in it; (k - 1) k^r payloads move at once. */
    double x = (double)bytes, t = 0;
    for (long s = 1; s < n; s *= KNOMIAL_RADIX) {
        long k = (KNOMIAL_RADIX - 1) * s < n - s ? (KNOMIAL_RADIX - 1) * s : n - s;
        t += ordo__coll_t(m, x, (int)k) + (KNOMIAL_RADIX - 2) * ordo__coll_fanout(m, x, (int)k);
    }
    return t;
}

/* Chunk c of n (ceil(len / n) bytes each; the last ones shorter or empty). */
static size_t chunk_lo(const ordo__coll_args_t *a, int c)
{
    size_t cs = (a->len + (size_t)a->n - 1) / (size_t)a->n, lo = cs * (size_t)c;
    return lo < a->len ? lo : a->len;
}

/* Bytes of chunks [c0, c1). */
static size_t chunks_len(const ordo__coll_args_t *a, int c0, int c1)
{
    return chunk_lo(a, c1) - chunk_lo(a, c0);
}

static int build_scatter_allgather(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    int n = a->n, v = vrank(a);
    unsigned char *buf = a->out;
    if (n == 1)
        return ORDO_OK;
    /* Binomial scatter: v receives the chunks of its subtree [v, v + size). */
    int size = 1;
    while (size < n && !(v & size))
        size <<= 1;
    if (v) {
        int hi = v + size < n ? v + size : n;
        size_t l = chunks_len(a, v, hi);
        if (l)
            ordo__sched_recv(r, vplace(a, v - size), buf + chunk_lo(a, v), l);
        ordo__sched_round(r);
    }
    for (int s = size / 2; s >= 1; s /= 2) {
        if (v + s >= n)
            continue;
        int hi = v + 2 * s < n ? v + 2 * s : n;
        size_t l = chunks_len(a, v + s, hi);
        if (l)
            ordo__sched_send(r, vplace(a, v + s), buf + chunk_lo(a, v + s), l);
    }
    ordo__sched_round(r);
    /* Ring allgather of the chunks over virtual ranks. */
    int next = vplace(a, (v + 1) % n), prev = vplace(a, (v - 1 + n) % n);
    for (int s = 0; s < n - 1; s++) {
        int cs = (v - s + n) % n, cr = (v - s - 1 + n) % n;
        size_t ls = chunks_len(a, cs, cs + 1), lr = chunks_len(a, cr, cr + 1);
        if (ls)
            ordo__sched_send(r, next, buf + chunk_lo(a, cs), ls);
        if (lr)
            ordo__sched_recv(r, prev, buf + chunk_lo(a, cr), lr);
        ordo__sched_round(r);
    }
    return ORDO_OK;
}

static double cost_scatter_allgather(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    double x = (double)bytes, c = x / n, t = 0;
    for (int k = 1, lg = ordo__coll_clog2(n); k <= lg; k++)
        t += ordo__coll_t(m, x / (1 << k), 1 << (k - 1));
    return t + (n - 1) * ordo__coll_t(m, c, n);
}

/* Linear: the root sends to every other place in one round; each waits
 * for one message, whatever n. */
static int build_linear(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    if (a->pos != a->root) {
        ordo__sched_recv(r, a->root, a->out, a->len);
        return ORDO_OK;
    }
    for (int v = 1; v < a->n; v++)
        ordo__sched_send(r, vplace(a, v), a->out, a->len);
    return ORDO_OK;
}

static double cost_linear(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    double x = (double)bytes;
    return n < 2 ? 0 : ordo__coll_t(m, x, n - 1) + (n - 2) * ordo__coll_fanout(m, x, n - 1);
}

static int build_shm(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    return ordo__node_build(r, a, ORDO__NODE_BCAST);
}

static double cost_shm(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return ordo__node_cost(m, n, bytes, ORDO__NODE_BCAST);
}

const ordo__coll_alg_t ordo__coll_bcast_algs[] = {
    {"binomial", "binomial tree: ceil(log2 n) rounds of the whole payload", build_binomial,
     cost_binomial},
    {"knomial", "4-nomial tree: ceil(log4 n) rounds, up to 3 sends a round", build_knomial,
     cost_knomial},
    {"scatter_allgather", "binomial scatter of n chunks, then a ring allgather",
     build_scatter_allgather, cost_scatter_allgather},
    {"linear", "the root sends the payload to each rank in one round", build_linear, cost_linear},
    {"shm",
     "through the node's shared segment, a chunk at a time: the root copies in, every rank copies "
     "out; or every rank reads the root's buffer straight into its own: a get of ordo_mem_alloc "
     "memory, else above two chunks process_vm_readv (one host)",
     build_shm, cost_shm},
};
