/*
 * alltoall.c - ordo_alltoall's algorithms: pairwise exchange (n - 1
 * rounds; in round s place p sends to p + s and receives from p - s,
 * straight between the buffers) and Bruck (ceil(log2 n) rounds of about
 * n/2 blocks each, packed and unpacked through scratch buffers: fewer
 * messages for small blocks) and, on one host, the node's segment
 * (node.c) for n * n blocks that fit in one chunk.  in and out hold n blocks of len bytes, by
 * place; they do not overlap (api.c copies in first when they do).
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/node.h"

/* Block by block: to place p + s and from place p - s, s = 1 .. n - 1
 * (so the ranks do not all start at one), straight between the buffers;
 * one round per s (pairwise), or every block at once in one round
 * (linear: with more ranks than cores each round waits for its peer's turn
 * of a core). */
static int build_exchange(struct ordo_coll_req *r, const ordo__coll_args_t *a, int round_each)
{
    int n = a->n, pos = a->pos;
    size_t len = a->len;
    const unsigned char *in = a->in;
    unsigned char *out = a->out;
    ordo__sched_copy(r, out + len * (size_t)pos, in + len * (size_t)pos, len);
    for (int s = 1; s < n && len; s++) {
        int to = (pos + s) % n, from = (pos - s + n) % n;
        ordo__sched_send(r, to, in + len * (size_t)to, len);
        ordo__sched_recv(r, from, out + len * (size_t)from, len);
        if (round_each)
            ordo__sched_round(r);
    }
    return ORDO_OK;
}

static int build_pairwise(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    return build_exchange(r, a, 1);
}

static double cost_pairwise(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return (n - 1) * ordo__coll_t(m, (double)bytes, n);
}

static int build_linear(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    return build_exchange(r, a, 0);
}

static double cost_linear(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return ordo__coll_linear_t(m, (double)bytes, n);
}

static int build_bruck(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    int n = a->n, pos = a->pos;
    size_t len = a->len;
    const unsigned char *in = a->in;
    unsigned char *out = a->out;
    if (n == 1 || !len) {
        ordo__sched_copy(r, out + len * (size_t)pos, in + len * (size_t)pos, len);
        return ORDO_OK;
    }
    /* tmp[i] = in[(pos + i) % n]: the block for place pos + i. */
    unsigned char *tmp = ordo__sched_scratch(r, len * (size_t)n);
    unsigned char *spack = ordo__sched_scratch(r, len * (size_t)((n + 1) / 2));
    unsigned char *rpack = ordo__sched_scratch(r, len * (size_t)((n + 1) / 2));
    ordo__sched_copy(r, tmp, in + len * (size_t)pos, len * (size_t)(n - pos));
    ordo__sched_copy(r, tmp + len * (size_t)(n - pos), in, len * (size_t)pos);
    for (int d = 1; d < n; d <<= 1) {
        /* Blocks whose index has bit d go d places on. */
        size_t k = 0;
        for (int i = 1; i < n; i++)
            if (i & d)
                ordo__sched_copy(r, spack + len * k++, tmp + len * (size_t)i, len);
        ordo__sched_send(r, (pos + d) % n, spack, len * k);
        ordo__sched_recv(r, (pos - d + n) % n, rpack, len * k);
        ordo__sched_round(r);
        k = 0;
        for (int i = 1; i < n; i++)
            if (i & d)
                ordo__sched_copy(r, tmp + len * (size_t)i, rpack + len * k++, len);
    }
    /* tmp[i] came from place pos - i. */
    for (int i = 0; i < n; i++)
        ordo__sched_copy(r, out + len * (size_t)((pos - i + n) % n), tmp + len * (size_t)i, len);
    return ORDO_OK;
}

static double cost_bruck(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    double x = (double)bytes, t = 0;
    int rounds = ordo__coll_clog2(n);
    t = rounds ? ordo__coll_t(m, x * ((n + 1) / 2), n) +
                     (rounds - 1) * ordo__coll_dep_t(m, x * ((n + 1) / 2), n)
               : 0;
    return t + (2.0 * rounds * ((n + 1) / 2) + 2.0 * n) * x * m->delta;
}

static int build_shm(struct ordo_coll_req *r, const ordo__coll_args_t *a)
{
    return ordo__node_build(r, a, ORDO__NODE_ALLTOALL);
}

static double cost_shm(const ordo__coll_cost_t *m, int n, size_t bytes)
{
    return ordo__node_cost(m, n, bytes, ORDO__NODE_ALLTOALL);
}

const ordo__coll_alg_t ordo__coll_alltoall_algs[] = {
    {"pairwise", "n - 1 rounds: to place p + s, from place p - s", build_pairwise, cost_pairwise},
    {"bruck", "ceil(log2 n) rounds of about n/2 blocks, packed through scratch", build_bruck,
     cost_bruck},
    {"linear", "every block at once, in one round", build_linear, cost_linear},
    {"shm",
     "through the node's shared segment: every rank copies its n blocks in, the last to come "
     "lays them out by destination, every rank copies its n out (one host; n * n blocks within "
     "one chunk)",
     build_shm, cost_shm},
};
