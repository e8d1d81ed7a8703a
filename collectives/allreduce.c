/*
 * allreduce.c - ordo_allreduce's algorithms: recursive doubling, ring
 * (reduce-scatter then allgather) and Rabenseifner (recursive halving
 * reduce-scatter then recursive doubling allgather).  For a rank count
 * that is not a power of two, recursive doubling and Rabenseifner fold the
 * first 2 * (n - p2) places in pairs (the even one gives its data to the
 * odd one and gets the result back at the end), p2 the largest power of
 * two <= n.  Every rank ends with the same bits: each element's result is
 * computed once (ring, Rabenseifner) or by both partners of an exchange
 * from the same two operands (recursive doubling; the operations are
 * commutative).
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/node.h"

#include <string.h>

/* The fold: a place's virtual rank among p2 (-1: it gives its data away),
 * and a virtual rank's place. */
static int fold_vrank(int pos, int extra)
{
    if (pos < 2 * extra)
        return pos % 2 ? pos / 2 : -1;
    return pos - extra;
}

static int fold_place(int v, int extra)
{
    return v < extra ? 2 * v + 1 : v + extra;
}

/* acc = out holding in; returns out. */
static unsigned char *start_acc(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    ordo__sched_copy(r, a->out, a->in, a->len);
    return a->out;
}

/* Fold in: the even place of a pair sends acc to the odd one, which
 * reduces it; returns this place's virtual rank (-1: folded away). */
static int fold_in(struct ordo_coll_req *r, const ordo__coll_args_t *a, unsigned char *acc,
                   unsigned char *tmp, int extra)
{
    int v = fold_vrank(a->pos, extra);
    if (a->pos < 2 * extra) {
        if (v < 0) {
            ordo__sched_send(r, a->pos + 1, acc, a->len);
        } else {
            ordo__sched_recv(r, a->pos - 1, tmp, a->len);
            ordo__sched_reduce(r, acc, tmp, a->len);
        }
        ordo__sched_round(r);
    }
    return v;
}

static void fold_out(struct ordo_coll_req *r, const ordo__coll_args_t *a, unsigned char *acc,
                     int extra)
{
    if (a->pos >= 2 * extra)
        return;
    ordo__sched_round(r);
    if (a->pos % 2)
        ordo__sched_send(r, a->pos - 1, acc, a->len);
    else
        ordo__sched_recv(r, a->pos + 1, acc, a->len);
}

static int build_rd(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    unsigned char *acc = start_acc(r, a);
    if (a->n == 1)
        return ORDO_OK;
    unsigned char *tmp = ordo__sched_scratch(r, a->len);
    int p2 = 1 << ordo__coll_flog2(a->n), extra = a->n - p2;
    int v = fold_in(r, a, acc, tmp, extra);
    if (v >= 0) {
        for (int mask = 1; mask < p2; mask <<= 1) {
            int peer = fold_place(v ^ mask, extra);
            ordo__sched_send(r, peer, acc, a->len);
            ordo__sched_recv(r, peer, tmp, a->len);
            ordo__sched_reduce(r, acc, tmp, a->len);
        }
    }
    fold_out(r, a, acc, extra);
    return ORDO_OK;
}

static double cost_rd(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    int fl = ordo__coll_flog2(n);
    int extra = n - (1 << fl);
    double x = (double)bytes, t = fl * (ordo__coll_t(m, x, n) + x * m->gamma);
    if (extra)
        t += 2 * ordo__coll_t(m, x, extra) + x * m->gamma;
    return t + x * m->delta;
}

/* Chunk c's bytes in a buffer of count elements split in n. */
static size_t clo(const ordo__coll_args_t *a, int n, int c)
{
    return ordo__coll_chunk_lo(a->count, n, c) * a->esize;
}

static size_t clen(const ordo__coll_args_t *a, int n, int c)
{
    return clo(a, n, c + 1) - clo(a, n, c);
}

void ordo__coll_ring_reduce_scatter(struct ordo_coll_req *r, const ordo__coll_args_t *a,
                                    unsigned char *acc, unsigned char *tmp)
{
    int n = a->n, pos = a->pos, next = (pos + 1) % n, prev = (pos - 1 + n) % n;
    for (int s = 0; s < n - 1; s++) {
        int cs = ((pos - s) % n + n) % n, cr = ((pos - s - 1) % n + n) % n;
        if (clen(a, n, cs))
            ordo__sched_send(r, next, acc + clo(a, n, cs), clen(a, n, cs));
        if (clen(a, n, cr)) {
            ordo__sched_recv(r, prev, tmp, clen(a, n, cr));
            ordo__sched_reduce(r, acc + clo(a, n, cr), tmp, clen(a, n, cr));
        }
        ordo__sched_round(r);
    }
}

static int build_ring(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    unsigned char *acc = start_acc(r, a);
    int n = a->n, pos = a->pos;
    if (n == 1)
        return ORDO_OK;
    unsigned char *tmp = ordo__sched_scratch(r, clen(a, n, 0));
    ordo__coll_ring_reduce_scatter(r, a, acc, tmp);
    /* Allgather: place pos holds chunk pos + 1 reduced. */
    int next = (pos + 1) % n, prev = (pos - 1 + n) % n;
    for (int s = 0; s < n - 1; s++) {
        int cs = ((pos + 1 - s) % n + n) % n, cr = ((pos - s) % n + n) % n;
        if (clen(a, n, cs))
            ordo__sched_send(r, next, acc + clo(a, n, cs), clen(a, n, cs));
        if (clen(a, n, cr))
            ordo__sched_recv(r, prev, acc + clo(a, n, cr), clen(a, n, cr));
        ordo__sched_round(r);
    }
    return ORDO_OK;
}

static double cost_ring(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    double x = (double)bytes, c = x / n;
    return 2 * (n - 1) * ordo__coll_t(m, c, n) + (n - 1) * c * m->gamma + x * m->delta;
}

static int build_rabenseifner(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    unsigned char *acc = start_acc(r, a);
    if (a->n == 1)
        return ORDO_OK;
    int p2 = 1 << ordo__coll_flog2(a->n), extra = a->n - p2;
    unsigned char *tmp = ordo__sched_scratch(r, a->len);
    int v = fold_in(r, a, acc, tmp, extra);
    if (v >= 0) {
        /* Recursive halving over p2 chunks: at the end v holds chunk v. */
        int lo = 0, hi = p2;
        for (int mask = p2 / 2; mask >= 1; mask /= 2) {
            int peer = fold_place(v ^ mask, extra), mid = lo + (hi - lo) / 2;
            int klo = v & mask ? mid : lo, khi = v & mask ? hi : mid;
            int slo = v & mask ? lo : mid, shi = v & mask ? mid : hi;
            size_t so = clo(a, p2, slo), sl = clo(a, p2, shi) - so;
            size_t ko = clo(a, p2, klo), kl = clo(a, p2, khi) - ko;
            if (sl)
                ordo__sched_send(r, peer, acc + so, sl);
            if (kl) {
                ordo__sched_recv(r, peer, tmp, kl);
                ordo__sched_reduce(r, acc + ko, tmp, kl);
            }
            ordo__sched_round(r);
            lo = klo;
            hi = khi;
        }
        /* Recursive doubling allgather: the ranges grow back. */
        for (int mask = 1; mask < p2; mask <<= 1) {
            int peer = fold_place(v ^ mask, extra);
            int plo = (v ^ mask) & ~(mask - 1), phi = plo + mask;
            size_t so = clo(a, p2, lo), sl = clo(a, p2, hi) - so;
            size_t ro = clo(a, p2, plo), rl = clo(a, p2, phi) - ro;
            if (sl)
                ordo__sched_send(r, peer, acc + so, sl);
            if (rl)
                ordo__sched_recv(r, peer, acc + ro, rl);
            ordo__sched_round(r);
            lo = lo < plo ? lo : plo;
            hi = hi > phi ? hi : phi;
        }
    }
    fold_out(r, a, acc, extra);
    return ORDO_OK;
}

static double cost_rabenseifner(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    int fl = ordo__coll_flog2(n), p2 = 1 << fl;
    double x = (double)bytes, t = 0;
    for (int k = 1; k <= fl; k++)
        t += 2 * ordo__coll_t(m, x / (1 << k), p2);
    t += x * (p2 - 1) / p2 * m->gamma + x * m->delta;
    if (n != p2)
        t += 2 * ordo__coll_t(m, x, n - p2) + x * m->gamma;
    return t;
}

/* Linear: every place sends its vector to place 0, which reduces them in
 * place order and sends the result back to each.  Two dependencies per
 * rank whatever n: on an oversubscribed node, where each round waits for a
 * peer to be scheduled, fewer rounds beat fewer bytes for small vectors. */
static int build_linear(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    unsigned char *acc = start_acc(r, a);
    int n = a->n;
    if (n == 1)
        return ORDO_OK;
    if (a->pos) {
        ordo__sched_send(r, 0, acc, a->len);
        ordo__sched_recv(r, 0, acc, a->len);
        return ORDO_OK;
    }
    unsigned char *tmp = ordo__sched_scratch(r, (size_t)(n - 1) * a->len);
    if (!tmp)
        return ORDO_OK; /* kept for ordo__sched_start */
    for (int p = 1; p < n; p++)
        ordo__sched_recv(r, p, tmp + (size_t)(p - 1) * a->len, a->len);
    ordo__sched_round(r);
    for (int p = 1; p < n; p++)
        ordo__sched_reduce(r, acc, tmp + (size_t)(p - 1) * a->len, a->len);
    for (int p = 1; p < n; p++)
        ordo__sched_send(r, p, acc, a->len);
    return ORDO_OK;
}

static double cost_linear(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    /* n - 1 payloads arrive at once (the root takes each), then n - 1
     * leave at once. */
    double x = (double)bytes;
    return 2 * ordo__coll_t(m, x, n - 1) + (n - 2) * (ordo__coll_bw(m, x, n - 1) + m->o) +
           (n - 2) * ordo__coll_fanout(m, x, n - 1) + (n - 1) * x * m->gamma + x * m->delta;
}

static int build_shm(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    return ordo__node_build(r, a, ORDO__NODE_ALLREDUCE);
}

static double cost_shm(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return ordo__node_cost(m, n, bytes, ORDO__NODE_ALLREDUCE);
}

const ordo__coll_alg_t ordo__coll_allreduce_algs[] = {
    {"recursive_doubling", "log2 n exchanges of the whole vector", build_rd, cost_rd},
    {"ring", "reduce-scatter then allgather around a ring: 2(n-1) steps of 1/n", build_ring,
     cost_ring},
    {"rabenseifner", "recursive halving reduce-scatter, recursive doubling allgather",
     build_rabenseifner, cost_rabenseifner},
    {"linear", "every vector to one rank, which reduces and sends the result to each", build_linear,
     cost_linear},
    {"shm",
     "through the node's shared segment: every rank copies in, the last to come (large: each, a "
     "share, reading ordo_mem_alloc input where it is) reduces, every rank copies out (one host)",
     build_shm, cost_shm},
};
