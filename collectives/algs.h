/*
 * algs.h - the collective algorithms (one file per family) and their cost
 * model (model.c).
 *
 * Each algorithm is a builder, which turns the call's arguments into a
 * schedule (sched.h) over the view's places 0 .. n-1, and a cost, its
 * predicted time from the calibrated model T(x) = alpha + x/beta of the
 * message layer (the path each message would take), gamma (reducing a
 * byte), delta (copying a byte) and o (handling one more message).  Buffers are contiguous by
 * place: the API (api.c) maps a view without every rank to ranks' slots.
 */
#ifndef ORDO_COLLECTIVES_ALGS_H
#define ORDO_COLLECTIVES_ALGS_H

#include "collectives/sched.h"

#include <stddef.h>

typedef struct ordo__coll_args {
    const void *in; /* bcast: NULL */
    void *out;      /* bcast: the buffer; reduce: root's result (elsewhere NULL) */
    size_t len;     /* bytes per rank (reductions: count * esize) */
    size_t count, esize;
    int root; /* a place */
    int n, pos;
} ordo__coll_args_t;

/* The model's parameters, agreed by every rank. */
typedef struct ordo__coll_cost {
    double ae, be; /* eager: alpha (us), beta (bytes per us) */
    double ar, br; /* rendezvous */
    size_t thresh; /* above: rendezvous */
    double gamma;  /* us to reduce a byte */
    double delta;  /* us to copy a byte */
    double slots;  /* processing units of the job's ranks (transfers at once without sharing) */
    double o;      /* us of CPU per message a rank sends or takes (beyond a round's first) */
    int one_host;  /* every rank on one host: a receiver pulls a rendezvous payload itself */
    double share;  /* ranks per PU when every rank computes at once (>= 1): gamma's and
                      delta's factor */
} ordo__coll_cost_t;

typedef struct ordo__coll_alg {
    const char *name;
    const char *doc;
    int (*build)(struct ordo_coll_req *r, const ordo__coll_args_t *a);
    double (*cost)(const ordo__coll_cost_t *m, int n, size_t bytes);
} ordo__coll_alg_t;

typedef struct ordo__coll_family {
    const char *name;
    const ordo__coll_alg_t *algs;
    int nalgs;
} ordo__coll_family_desc_t;

extern const ordo__coll_family_desc_t ordo__coll_families[ORDO_COLL_FAMILIES];

/* One message of x bytes in a round where k payloads move at once (their
 * copies share the PUs beyond m->slots); its transfer part alone. */
double ordo__coll_t(const ordo__coll_cost_t *m, double x, int k);
double ordo__coll_bw(const ordo__coll_cost_t *m, double x, int k);
/* What a rank pays for each message of x bytes beyond the first when it
 * sends to k ranks in one round: its CPU per message, and the payload's
 * transfer unless the receivers pull it at once (rendezvous on one host:
 * each receiver's CPU copies from the sender's buffer, so the transfers
 * overlap and the round's T(x, k) holds them; over a network they leave
 * through the sender's link one after another). */
double ordo__coll_fanout(const ordo__coll_cost_t *m, double x, int k);
/* A round of x bytes (k payloads at once) that forwards what an earlier
 * round brought (recursive doubling, Bruck, ring): with more ranks than
 * PUs on one host (m->one_host, m->share > 1) it waits for that round's
 * slowest pair as well, about
 * its transfer once more (measured, 8 ranks on 2 cores, allgather 256 KiB
 * - 1 MiB: recursive doubling 2.1x the linear exchange's time for the same
 * bytes, rank 0's CPU 2x, context switches 10-50x; ring 2.3-3x). */
double ordo__coll_dep_t(const ordo__coll_cost_t *m, double x, int k);
/* A linear exchange (allgather, alltoall): every rank sends x bytes to each
 * of the n - 1 others and takes x from each, all in one round. */
double ordo__coll_linear_t(const ordo__coll_cost_t *m, double x, int n);
/* ceil(log2 n), floor(log2 n). */
int ordo__coll_clog2(int n);
int ordo__coll_flog2(int n);

/* The algorithm of family f to run with bytes bytes over n ranks: the
 * forced one, else the model's cheapest. */
const ordo__coll_alg_t *ordo__coll_pick(int f, int n, size_t bytes);
const ordo__coll_alg_t *ordo__coll_find(int f, const char *name);

/* Element ranges of chunk c of n over count elements (ring algorithms). */
static inline size_t ordo__coll_chunk_lo(size_t count, int n, int c)
{
    size_t q = count / (size_t)n, rem = count % (size_t)n;
    return (size_t)c * q + ((size_t)c < rem ? (size_t)c : rem);
}

/* Shared steps: the ring's reduce-scatter over acc (count elements, chunk
 * (pos + 1) % n reduced at the end; tmp holds a chunk). */
void ordo__coll_ring_reduce_scatter(struct ordo_coll_req *r, const ordo__coll_args_t *a,
                                    unsigned char *acc, unsigned char *tmp);

extern const ordo__coll_alg_t ordo__coll_barrier_algs[];
extern const ordo__coll_alg_t ordo__coll_bcast_algs[];
extern const ordo__coll_alg_t ordo__coll_reduce_algs[];
extern const ordo__coll_alg_t ordo__coll_allreduce_algs[];
extern const ordo__coll_alg_t ordo__coll_allgather_algs[];
extern const ordo__coll_alg_t ordo__coll_alltoall_algs[];

#endif
