/*
 * allgather.c - ordo_allgather's algorithms: recursive doubling (for a
 * rank count that is not a power of two, the first 2 (n - p2) places pair
 * up: the even one hands its block to the odd one and gets everything
 * back at the end), Bruck (ceil(log2 n) rounds for any n, blocks kept
 * rotated in a scratch buffer, two copies), ring (n - 1 rounds of one
 * block, straight into the output) and, on one host, the node's segment
 * (node.c) for blocks that fit in one chunk together.  out holds n blocks of len bytes, by
 * place.
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/node.h"

/* The first place of virtual rank v's blocks (v may be p2: the end). */
static int vfirst(int v, int extra)
{
    return v < extra ? 2 * v : v + extra;
}

static int build_rd(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    int n = a->n, pos = a->pos;
    unsigned char *out = a->out;
    size_t len = a->len;
    ordo__sched_copy(r, out + len * (size_t)pos, a->in, len);
    if (n == 1)
        return ORDO_OK;
    int p2 = 1 << ordo__coll_flog2(n), extra = n - p2;
    int v = pos < 2 * extra ? (pos % 2 ? pos / 2 : -1) : pos - extra;
    if (pos < 2 * extra) {
        if (v < 0)
            ordo__sched_send(r, pos + 1, out + len * (size_t)pos, len);
        else
            ordo__sched_recv(r, pos - 1, out + len * (size_t)(pos - 1), len);
        ordo__sched_round(r);
    }
    if (v >= 0) {
        for (int mask = 1; mask < p2; mask <<= 1) {
            int pv = v ^ mask, peer = pv < extra ? 2 * pv + 1 : pv + extra;
            int mlo = v & ~(mask - 1), plo = pv & ~(mask - 1);
            size_t so = len * (size_t)vfirst(mlo, extra);
            size_t sl = len * (size_t)vfirst(mlo + mask, extra) - so;
            size_t ro = len * (size_t)vfirst(plo, extra);
            size_t rl = len * (size_t)vfirst(plo + mask, extra) - ro;
            if (sl)
                ordo__sched_send(r, peer, out + so, sl);
            if (rl)
                ordo__sched_recv(r, peer, out + ro, rl);
            ordo__sched_round(r);
        }
    }
    if (pos < 2 * extra && len) {
        if (v < 0)
            ordo__sched_recv(r, pos + 1, out, len * (size_t)n);
        else
            ordo__sched_send(r, pos - 1, out, len * (size_t)n);
    }
    return ORDO_OK;
}

static double cost_rd(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    int fl = ordo__coll_flog2(n);
    double x = (double)bytes, t = 0;
    for (int k = 0; k < fl; k++)
        t += k ? ordo__coll_dep_t(m, x * (1 << k), n) : ordo__coll_t(m, x, n);
    if (n != 1 << fl)
        t += ordo__coll_t(m, x, n - (1 << fl)) + ordo__coll_t(m, x * n, n - (1 << fl));
    return t;
}

static int build_bruck(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    int n = a->n, pos = a->pos;
    size_t len = a->len;
    unsigned char *out = a->out;
    if (n == 1) {
        ordo__sched_copy(r, out, a->in, len);
        return ORDO_OK;
    }
    /* tmp[i] = the block of place pos + i. */
    unsigned char *tmp = ordo__sched_scratch(r, len * (size_t)n);
    ordo__sched_copy(r, tmp, a->in, len);
    for (int d = 1; d < n; d <<= 1) {
        int cnt = d < n - d ? d : n - d;
        if (len) {
            ordo__sched_send(r, (pos - d + n) % n, tmp, len * (size_t)cnt);
            ordo__sched_recv(r, (pos + d) % n, tmp + len * (size_t)d, len * (size_t)cnt);
        }
        ordo__sched_round(r);
    }
    /* Rotate into place: blocks pos .. n-1, then 0 .. pos-1. */
    ordo__sched_copy(r, out + len * (size_t)pos, tmp, len * (size_t)(n - pos));
    ordo__sched_copy(r, out, tmp + len * (size_t)(n - pos), len * (size_t)pos);
    return ORDO_OK;
}

static double cost_bruck(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    double x = (double)bytes, t = 0;
    for (int d = 1; d < n; d <<= 1)
        t += d > 1 ? ordo__coll_dep_t(m, x * (d < n - d ? d : n - d), n) : ordo__coll_t(m, x, n);
    return t + 2 * x * n * m->delta;
}

static int build_ring(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    int n = a->n, pos = a->pos, next = (pos + 1) % n, prev = (pos - 1 + n) % n;
    size_t len = a->len;
    unsigned char *out = a->out;
    ordo__sched_copy(r, out + len * (size_t)pos, a->in, len);
    for (int s = 0; s < n - 1 && len; s++) {
        int bs = (pos - s + n) % n, br = (pos - s - 1 + n) % n;
        ordo__sched_send(r, next, out + len * (size_t)bs, len);
        ordo__sched_recv(r, prev, out + len * (size_t)br, len);
        ordo__sched_round(r);
    }
    return ORDO_OK;
}

static double cost_ring(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return n < 2 ? 0
                 : ordo__coll_t(m, (double)bytes, n) +
                       (n - 2) * ordo__coll_dep_t(m, (double)bytes, n);
}

/* This rank's block to every other and every other's block from it, in
 * one round (to p + s, from p - s), where ring takes n - 1 rounds, each
 * waiting for a neighbour's turn of a core when ranks share cores. */
static int build_linear(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    int n = a->n, pos = a->pos;
    size_t len = a->len;
    unsigned char *out = a->out, *mine = out + len * (size_t)pos;
    ordo__sched_copy(r, mine, a->in, len); /* a round's copies run before its sends */
    for (int s = 1; s < n && len; s++) {
        int to = (pos + s) % n, from = (pos - s + n) % n;
        ordo__sched_send(r, to, mine, len);
        ordo__sched_recv(r, from, out + len * (size_t)from, len);
    }
    return ORDO_OK;
}

static double cost_linear(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return ordo__coll_linear_t(m, (double)bytes, n);
}

static int build_shm(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    return ordo__node_build(r, a, ORDO__NODE_ALLGATHER);
}

static double cost_shm(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return ordo__node_cost(m, n, bytes, ORDO__NODE_ALLGATHER);
}

const ordo__coll_alg_t ordo__coll_allgather_algs[] = {
    {"recursive_doubling", "log2 n exchanges, the data doubling each time", build_rd, cost_rd},
    {"bruck", "ceil(log2 n) rounds for any n, through a rotated scratch buffer", build_bruck,
     cost_bruck},
    {"ring", "n - 1 rounds of one block around a ring", build_ring, cost_ring},
    {"linear", "this rank's block to every other, every other's from it, in one round",
     build_linear, cost_linear},
    {"shm",
     "through the node's shared segment: every rank copies its block in, the last to come lays "
     "them side by side, every rank copies all out (one host; n blocks within one chunk)",
     build_shm, cost_shm},
};
