/*
 * model.c - which algorithm a collective runs: each algorithm's predicted
 * time from the message layer's calibrated model (the path each message
 * takes: eager up to the threshold, rendezvous above), the rounds and
 * bytes the algorithm moves, and the cost of reducing and copying a byte
 * (measured at start-up, rank 0's figures taken by all); when a round
 * moves more payloads at once than the job has processing units (ranks
 * oversubscribing a host's cores), its byte terms grow by that ratio (the
 * copies share the PUs).  A rank that handles several messages in one
 * round pays the CPU cost of each beyond the first (o, the per-message cost
 * of the message layer, measured at start-up with every rank sending a
 * message to each of up to 16 others and taking theirs, all at once).  A
 * step that needs every rank of the node costs a pass (node_seg.c), and a
 * round that forwards the last round's data waits for its slowest pair
 * when ranks share PUs (ordo__coll_dep_t).  The cheapest wins, unless
 * ORDO_COLL_<FAMILY> or ordo_coll_force names one.  Every rank computes the
 * same choice from the same figures.
 */
#include "ordo_config.h"

#include "collectives/algs.h"
#include "collectives/coll.h"
#include "collectives/node.h"
#include "runtime/boot.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/rt.h"
#include "runtime/tl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const ordo__coll_family_desc_t ordo__coll_families[ORDO_COLL_FAMILIES] = {
    {"barrier", ordo__coll_barrier_algs, 2},     {"bcast", ordo__coll_bcast_algs, 5},
    {"reduce", ordo__coll_reduce_algs, 3},       {"allreduce", ordo__coll_allreduce_algs, 5},
    {"allgather", ordo__coll_allgather_algs, 5}, {"alltoall", ordo__coll_alltoall_algs, 4},
};

/* Forced algorithm per family: 0 = auto, else index + 1 (from the
 * configuration, then ordo_coll_force). */
static int forced[ORDO_COLL_FAMILIES];
static double gamma_us, delta_us; /* per byte, agreed */
static double msg_us;             /* per message handled, agreed */
/* Processing units per rank (agreed): with more ranks than PUs, transfers
 * (shared-memory copies) and reductions that run at once share the PUs. */
static double pus_per_rank = 1;

int ordo__coll_clog2(int n)
{
    int k = 0;
    while ((1 << k) < n)
        k++;
    return k;
}

int ordo__coll_flog2(int n)
{
    int k = 0;
    while ((2 << k) <= n)
        k++;
    return k;
}

static void cost_params(ordo__coll_cost_t *m, int n)
{
    const ordo_rpc_model_t *rm = &ordo__rt.model;
    /* MB/s is bytes per us. */
    m->ae = rm->eager_alpha_us > 0 ? rm->eager_alpha_us : 1;
    m->be = rm->eager_beta_mbs > 0 ? rm->eager_beta_mbs : 1000;
    m->ar = rm->rndv_alpha_us > 0 ? rm->rndv_alpha_us : m->ae;
    m->br = rm->rndv_beta_mbs > 0 ? rm->rndv_beta_mbs : m->be;
    m->thresh = rm->threshold;
    m->slots = pus_per_rank * n;
    double all = n > m->slots ? n / m->slots : 1; /* every rank computes at once */
    m->share = all;
    m->gamma = gamma_us * all;
    m->delta = delta_us * all;
    m->o = msg_us;
    m->one_host = ordo__rt.topo.nnodes == 1;
}

double ordo__coll_bw(const ordo__coll_cost_t *m, double x, int k)
{
    double slow = k > m->slots ? k / m->slots : 1;
    return (x <= (double)m->thresh ? x / m->be : x / m->br) * slow;
}

double ordo__coll_fanout(const ordo__coll_cost_t *m, double x, int k)
{
    return m->one_host && x > (double)m->thresh ? m->o : ordo__coll_bw(m, x, k) + m->o;
}

double ordo__coll_linear_t(const ordo__coll_cost_t *m, double x, int n)
{
    /* One latency for the round where pairwise or ring pays n - 1, and
     * each rank's n - 2 further receives at the transfer rate of such a
     * round (its copies share the PUs alike) plus their CPU, which every
     * rank spends at once (so it shares the PUs too: without that the
     * model took the linear alltoall over shm from 256 B on 4 ranks, at
     * 1.7x shm's time).  On one host the sends overlap those transfers
     * (measured, 4 and 8 ranks on 2 cores: 2 KiB - 1 MiB, the linear
     * alltoall 0.5-0.9x pairwise's time); across hosts they also leave
     * through the sender's link one after another. */
    double t = ordo__coll_t(m, x, n) + (n - 2) * (ordo__coll_bw(m, x, n) + m->o * m->share);
    return m->one_host ? t : t + (n - 2) * ordo__coll_fanout(m, x, n);
}

double ordo__coll_dep_t(const ordo__coll_cost_t *m, double x, int k)
{
    double t = ordo__coll_t(m, x, k);
    return m->one_host && m->share > 1 ? t + ordo__coll_bw(m, x, k) : t;
}

double ordo__coll_t(const ordo__coll_cost_t *m, double x, int k)
{
    return (x <= (double)m->thresh ? m->ae : m->ar) + ordo__coll_bw(m, x, k);
}

const ordo__coll_alg_t *ordo__coll_find(int f, const char *name)
{
    const ordo__coll_family_desc_t *d = &ordo__coll_families[f];
    for (int i = 0; i < d->nalgs; i++)
        if (!strcmp(d->algs[i].name, name))
            return &d->algs[i];
    return NULL;
}

/* The last choice per family (for the forcing in force then): a loop of
 * calls of one size asks once. */
static struct {
    const ordo__coll_alg_t *alg;
    int n, forced;
    size_t bytes, thresh;
} last[ORDO_COLL_FAMILIES];

const ordo__coll_alg_t *ordo__coll_pick(int f, int n, size_t bytes)
{
    const ordo__coll_family_desc_t *d = &ordo__coll_families[f];
    size_t thresh = ordo__rt.model.threshold; /* the only figure that changes after init */
    if (last[f].alg && last[f].forced == forced[f] && last[f].n == n && last[f].bytes == bytes &&
        last[f].thresh == thresh)
        return last[f].alg;
    ordo__coll_cost_t m;
    cost_params(&m, n);
    const ordo__coll_alg_t *best = forced[f] ? &d->algs[forced[f] - 1] : NULL;
    /* A forced one that cannot run here (shm across hosts, or over a view a
     * failure shrank) gives way to the model's choice. */
    if (!best || isinf(best->cost(&m, n, bytes))) {
        best = &d->algs[0];
        double bt = best->cost(&m, n, bytes);
        for (int i = 1; i < d->nalgs; i++) {
            double t = d->algs[i].cost(&m, n, bytes);
            if (t < bt) {
                bt = t;
                best = &d->algs[i];
            }
        }
    }
    last[f].alg = best;
    last[f].forced = forced[f];
    last[f].n = n;
    last[f].bytes = bytes;
    last[f].thresh = thresh;
    return best;
}

/* ---- start-up: the local costs, agreed --------------------------------- */

#define PROBE_BYTES (256 * 1024)

static double probe_us_per_byte(int reduce, double *a, double *b)
{
    size_t count = PROBE_BYTES / sizeof(double);
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        uint64_t t0 = ordo__now_ns();
        if (reduce)
            ordo__coll_op_apply(ORDO_OP_SUM, ORDO_DTYPE_DOUBLE, a, b, count);
        else
            memcpy(a, b, PROBE_BYTES);
        double us = (double)(ordo__now_ns() - t0) / 1e3;
        if (us < best)
            best = us;
    }
    return best / PROBE_BYTES;
}

/* The probe's handler: counts the partner's messages. */
static volatile uint64_t probe_got;

static int on_probe(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    probe_got++;
    return ORDO_OK;
}

static void probe_sent(ordo_request_t *req, int status, void *arg)
{
    (void)req;
    (void)status;
    (void)arg;
}

static int probe_done(void *arg)
{
    return probe_got >= *(const uint64_t *)arg;
}

#define PROBE_FAN    16
#define PROBE_ROUNDS 15

/* The message layer's CPU per message as a linear exchange spends it:
 * every rank at once sends a short message by the engine's path to each of
 * the next k ranks (k = n - 1, at most PROBE_FAN) and takes one from each
 * of the previous k, PROBE_ROUNDS times.  The model's linear exchange
 * predicts such a round as a pass of the node, one message's alpha and the
 * k - 1 further messages' CPU, shared by the ranks on a PU; o is what makes
 * the median round fit that (with one peer, the round over its two message
 * ends).  Calls to itself, the figure before, went by UCX's loopback and
 * saw 0.03 us of the 0.2-0.5 us a message to many peers costs (the linear
 * exchanges' times on 4-16 ranks).  0 if the messages do not go (the term
 * is then left out). */
static double probe_msg_us(unsigned id, double share)
{
    int me = ordo__rt.rank, n = ordo__rt.size, k = n - 1 < PROBE_FAN ? n - 1 : PROBE_FAN;
    double t[PROBE_ROUNDS];
    static const uint64_t word = 0; /* outlives a send still in flight at the end */
    uint64_t goal = 0;
    if (k < 1)
        return 0;
    probe_got = 0;
    for (int i = 0; i < 1 + PROBE_ROUNDS; i++) { /* the first: warm-up */
        uint64_t t0 = ordo__now_ns();
        for (int j = 1; j <= k; j++) {
            int peer = (me + j) % n;
            int st = ordo__rpc_send_now(peer, id, NULL, 0, &word, sizeof(word));
            if (st == ORDO__AGAIN) /* as the engine: the op path, not waited for */
                st = ordo__rpc_send_pre_nb_cb(peer, id, NULL, 0, &word, sizeof(word), probe_sent,
                                              NULL);
            if (st != ORDO_OK)
                return 0;
        }
        goal += (uint64_t)k;
        if (ordo__wait_until(probe_done, &goal, ordo__deadline()) != ORDO_OK)
            return 0;
        if (i > 0)
            t[i - 1] = (double)(ordo__now_ns() - t0) / 1e3;
    }
    share = share > 1 ? share : 1;
    double round = ordo__median(t, PROBE_ROUNDS);
    if (k == 1)
        return round / (2 * share);
    double rest = round - ordo__node_pass_us() - ordo__rt.model.eager_alpha_us;
    return rest > 0 ? rest / ((k - 1) * share) : round / (2 * k * share);
}

int ordo__coll_model_init(void)
{
    unsigned probe_id;
    memset(last, 0, sizeof(last)); /* figures of an earlier ordo_init */
    int status = ordo__rpc_handler_add("coll-probe", on_probe, NULL, 0, &probe_id);
    if (status != ORDO_OK)
        return status;
    double *a = calloc(PROBE_BYTES / sizeof(double), sizeof(double));
    double *b = calloc(PROBE_BYTES / sizeof(double), sizeof(double));
    if (!a || !b) {
        free(a);
        free(b);
        return ORDO_ERR_NOMEM;
    }
    int pus = ordo__rt.topo.host_pus > 0 ? ordo__rt.topo.host_pus : 1;
    int local = ordo__rt.topo.local_size > 0 ? ordo__rt.topo.local_size : 1;
    double mine[4] = {0, 0, (double)pus / local, 0};
    mine[0] = probe_us_per_byte(1, a, b);
    mine[1] = probe_us_per_byte(0, a, b);
    free(a);
    free(b);
    /* Every rank knows the handler before any probe message comes, and
     * the ranks send theirs at once. */
    status = ordo__boot_agree(ORDO_OK);
    if (status != ORDO_OK)
        return status;
    mine[3] = probe_msg_us(probe_id, (double)local / pus);
    double *all = malloc(sizeof(mine) * (size_t)ordo__rt.size);
    if (!all)
        return ORDO_ERR_NOMEM;
    status = ordo__boot_allgather(mine, sizeof(mine), all);
    if (status == ORDO_OK) {
        gamma_us = all[0]; /* rank 0's: every rank the same */
        delta_us = all[1];
        pus_per_rank = all[2];
        msg_us = all[3];
    }
    free(all);
    for (int f = 0; f < ORDO_COLL_FAMILIES; f++)
        forced[f] = ordo__coll_cfg.alg[f];
    return status;
}

/* ---- the public calls -------------------------------------------------- */

const char *ordo_coll_family_name(ordo_coll_family_t f)
{
    return (unsigned)f < ORDO_COLL_FAMILIES ? ordo__coll_families[f].name : NULL;
}

int ordo_coll_algorithms(ordo_coll_family_t f, const char **names, int max)
{
    if ((unsigned)f >= ORDO_COLL_FAMILIES || max < 0)
        return ORDO_ERR_INVALID;
    const ordo__coll_family_desc_t *d = &ordo__coll_families[f];
    for (int i = 0; names && i < d->nalgs && i < max; i++)
        names[i] = d->algs[i].name;
    return d->nalgs;
}

ordo_status_t ordo_coll_predict(ordo_coll_family_t f, size_t bytes, const char **alg, double *us)
{
    ORDO__CHECK_INIT();
    if ((unsigned)f >= ORDO_COLL_FAMILIES)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int n = ordo__sched_view()->n;
    const ordo__coll_alg_t *a;
    if (alg && *alg)
        a = ordo__coll_find(f, *alg);
    else
        a = ordo__coll_pick(f, n, bytes);
    if (a) {
        ordo__coll_cost_t m;
        cost_params(&m, n);
        if (alg)
            *alg = a->name;
        /* Every algorithm needs each rank to run once at least: a pass of
         * the node (not a choice's matter, so ordo__coll_pick leaves it). */
        if (us)
            *us = a->cost(&m, n, bytes) + ordo__node_pass_us();
    }
    ORDO__UNLOCK();
    return a ? ORDO_OK : ORDO_ERR_INVALID;
}

ordo_status_t ordo_coll_model(ordo_coll_model_t *model)
{
    ORDO__CHECK_INIT();
    if (!model)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    model->reduce_us_per_byte = gamma_us;
    model->copy_us_per_byte = delta_us;
    model->msg_us = msg_us;
    model->ranks_per_pu = pus_per_rank > 0 ? 1 / pus_per_rank : 1;
    ORDO__UNLOCK();
    return ORDO_OK;
}

ordo_status_t ordo_coll_force(ordo_coll_family_t f, const char *alg)
{
    if ((unsigned)f >= ORDO_COLL_FAMILIES)
        return ORDO_ERR_INVALID;
    if (!alg || !strcmp(alg, "auto")) {
        forced[f] = 0;
        return ORDO_OK;
    }
    const ordo__coll_alg_t *a = ordo__coll_find(f, alg);
    if (!a) {
        ordo_log_error("ordo_coll_force: %s has no algorithm '%s'", ordo__coll_families[f].name,
                       alg);
        return ORDO_ERR_INVALID;
    }
    forced[f] = (int)(a - ordo__coll_families[f].algs) + 1;
    return ORDO_OK;
}
