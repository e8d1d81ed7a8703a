/*
 * reduce.c - ordo_reduce's algorithms: binomial tree (a parent receives
 * every child's partial result at once, then reduces them), and ring
 * reduce-scatter + gather to the root (each link carries about len bytes,
 * for large vectors).
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/node.h"

static int vplace(const ordo__coll_args_t *a, int v)
{
    return (v + a->root) % a->n;
}

static int build_binomial(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    int n = a->n, v = (a->pos - a->root + n) % n;
    int nchild = 0, size = 1;
    while (size < n && !(v & size)) {
        if (v + size < n)
            nchild++;
        size <<= 1;
    }
    /* The partial result: the root's out, else a copy of in (a leaf sends in). */
    const unsigned char *acc = a->in;
    unsigned char *wacc = NULL;
    if (v == 0) {
        wacc = a->out;
        ordo__sched_copy(r, wacc, a->in, a->len);
        acc = wacc;
    } else if (nchild) {
        wacc = ordo__sched_scratch(r, a->len);
        ordo__sched_copy(r, wacc, a->in, a->len);
        acc = wacc;
    }
    if (nchild) {
        unsigned char *tmp = ordo__sched_scratch(r, a->len * (size_t)nchild);
        int i = 0;
        for (int s = 1; s < size; s <<= 1)
            if (v + s < n)
                ordo__sched_recv(r, vplace(a, v + s), tmp + a->len * (size_t)i++, a->len);
        for (int k = 0; k < nchild; k++)
            ordo__sched_reduce(r, wacc, tmp + a->len * (size_t)k, a->len);
    }
    if (v)
        ordo__sched_send(r, vplace(a, v - size), acc, a->len);
    return ORDO_OK;
}

static double cost_binomial(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    double x = (double)bytes;
    double t = x * m->delta; /* round r: about n / 2^(r+1) children send at once */
    for (int d = 1; d < n; d <<= 1)
        t += ordo__coll_t(m, x, (n + d) / (2 * d)) + x * m->gamma;
    return t;
}

static int build_ring(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    int n = a->n, pos = a->pos;
    unsigned char *acc = pos == a->root ? a->out : ordo__sched_scratch(r, a->len);
    ordo__sched_copy(r, acc, a->in, a->len);
    if (n == 1)
        return ORDO_OK;
    size_t c0 = ordo__coll_chunk_lo(a->count, n, 0), c1 = ordo__coll_chunk_lo(a->count, n, 1);
    unsigned char *tmp = ordo__sched_scratch(r, (c1 - c0) * a->esize);
    ordo__coll_ring_reduce_scatter(r, a, acc, tmp);
    /* Place p holds chunk p + 1 reduced: all go to the root. */
    if (pos != a->root) {
        int c = (pos + 1) % n;
        size_t lo = ordo__coll_chunk_lo(a->count, n, c) * a->esize;
        size_t hi = ordo__coll_chunk_lo(a->count, n, c + 1) * a->esize;
        if (hi > lo)
            ordo__sched_send(r, a->root, acc + lo, hi - lo);
    } else {
        for (int p = 0; p < n; p++) {
            if (p == pos)
                continue;
            int c = (p + 1) % n;
            size_t lo = ordo__coll_chunk_lo(a->count, n, c) * a->esize;
            size_t hi = ordo__coll_chunk_lo(a->count, n, c + 1) * a->esize;
            if (hi > lo)
                ordo__sched_recv(r, p, acc + lo, hi - lo);
        }
    }
    return ORDO_OK;
}

static double cost_ring(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    double x = (double)bytes, c = x / n;
    return (n - 1) * (ordo__coll_t(m, c, n) + c * m->gamma) + ordo__coll_t(m, c, n - 1) +
           (n - 2) * ordo__coll_bw(m, c, n - 1) + x * m->delta;
}

static int build_shm(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    return ordo__node_build(r, a, ORDO__NODE_REDUCE);
}

static double cost_shm(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return ordo__node_cost(m, n, bytes, ORDO__NODE_REDUCE);
}

const ordo__coll_alg_t ordo__coll_reduce_algs[] = {
    {"binomial", "binomial tree: ceil(log2 n) rounds of the whole vector", build_binomial,
     cost_binomial},
    {"ring", "ring reduce-scatter, then every chunk to the root", build_ring, cost_ring},
    {"shm",
     "through the node's shared segment: every rank copies in, the last to come (large: each, a "
     "share, reading ordo_mem_alloc input where it is) reduces, the root copies out (one host)",
     build_shm, cost_shm},
};
