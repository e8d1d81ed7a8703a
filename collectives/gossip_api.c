/*
 * gossip_api.c - the gossip calls of ordo.h and the gossip module: its
 * configuration, init, quiesce and fini (gossip.c is the protocol).
 */
#include "ordo_config.h"

#include "collectives/gossip.h"
#include "runtime/log.h"
#include "runtime/rt.h"
#include "runtime/timer.h"

#include <stdlib.h>
#include <string.h>

/* ---- the public calls ----------------------------------------------------------- */

#define GOSSIP_CHECK()                                                                             \
    do {                                                                                           \
        ORDO__CHECK_INIT();                                                                        \
        if (!ordo__gossip.on)                                                                      \
            return ORDO_ERR_UNSUPPORTED;                                                           \
    } while (0)

ordo_status_t ordo_gossip_publish(const void *data, size_t len, uint64_t *seq)
{
    GOSSIP_CHECK();
    if ((!data && len) || len > ORDO_GOSSIP_MAX_RECORD) {
        ordo_log_warn("ordo_gossip_publish: %s (%zu bytes; at most %d)",
                      len > ORDO_GOSSIP_MAX_RECORD ? "record too long" : "NULL data", len,
                      ORDO_GOSSIP_MAX_RECORD);
        return ORDO_ERR_INVALID;
    }
    ORDO__LOCK();
    ordo__gossip_rec_hdr_t h = {.origin = (uint32_t)ordo__gossip.me,
                                .kind = ORDO__GOSSIP_DATA,
                                .len = (uint16_t)len,
                                .seq = ordo__gossip.log[ordo__gossip.me].next};
    ordo__gossip_rec_t *r = ordo__gossip_rec_new(&h, data);
    int status = r ? ordo__gossip_store_data(r) : ORDO_ERR_NOMEM;
    if (status != ORDO_OK)
        free(r);
    else {
        ordo__gossip.st.published++;
        if (seq)
            *seq = h.seq;
    }
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_gossip_subscribe(ordo_gossip_cb_t cb, void *arg)
{
    GOSSIP_CHECK();
    if (!cb)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = ORDO_OK;
    if (ordo__gossip.nsubs == ORDO__GOSSIP_SUBS_MAX)
        status = ORDO_ERR_NOMEM;
    else {
        ordo__gossip.subs[ordo__gossip.nsubs].cb = cb;
        ordo__gossip.subs[ordo__gossip.nsubs].arg = arg;
        ordo__gossip.subs[ordo__gossip.nsubs++].upto = 0;
        if (ordo__gossip.all.n)
            ordo__gossip_wake(); /* what this rank knows already */
    }
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_gossip_stats(ordo_gossip_stats_t *st)
{
    GOSSIP_CHECK();
    if (!st)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    *st = ordo__gossip.st;
    st->young = ordo__gossip.young.n;
    ORDO__UNLOCK();
    return ORDO_OK;
}

ordo_status_t ordo_gossip_record(int origin, uint64_t seq, ordo_gossip_record_info_t *info)
{
    GOSSIP_CHECK();
    if (!info || origin < 0 || origin >= ordo__gossip.n)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    const ordo__gossip_rec_t *r = ordo__gossip_lookup((uint32_t)origin, seq);
    if (r) {
        info->rounds = r->h.age;
        info->hops = r->h.hops;
        info->round = r->round;
        info->delivered = r->idx < ordo__gossip.ndelivered;
    }
    ORDO__UNLOCK();
    return r ? ORDO_OK : ORDO_ERR_UNAVAILABLE;
}

/* ---- the module --------------------------------------------------------------- */

static void gossip_fini(void)
{
    ordo__timer_cancel(&ordo__gossip.timer);
    if (ordo__gossip.on && ordo__gossip.st.rounds)
        ordo_log_info("gossip: %llu rounds, %llu messages sent, %llu received; %llu records "
                      "known, %llu learnt in %.1f rounds on average (at most %llu)",
                      (unsigned long long)ordo__gossip.st.rounds,
                      (unsigned long long)ordo__gossip.st.msgs_sent,
                      (unsigned long long)ordo__gossip.st.msgs_received,
                      (unsigned long long)ordo__gossip.st.records_known,
                      (unsigned long long)ordo__gossip.st.learnt,
                      ordo__gossip.st.learnt
                          ? (double)ordo__gossip.st.rounds_sum / (double)ordo__gossip.st.learnt
                          : 0.0,
                      (unsigned long long)ordo__gossip.st.rounds_max);
    ordo__gossip.on = 0; /* a call still in flight frees its own memory when it ends */
    for (int o = 0; ordo__gossip.log && o < ordo__gossip.n; o++) {
        for (uint64_t s = 0; s < ordo__gossip.log[o].cap; s++)
            free(ordo__gossip.log[o].rec[s]);
        free(ordo__gossip.log[o].rec);
    }
    for (int x = 0; ordo__gossip.member && x < ordo__gossip.n; x++)
        free(ordo__gossip.member[x]);
    free(ordo__gossip.log);
    free(ordo__gossip.member);
    free(ordo__gossip.bitmap);
    free(ordo__gossip.pending_fail);
    free(ordo__gossip.inflight);
    free(ordo__gossip.cand);
    free(ordo__gossip.young.v);
    free(ordo__gossip.all.v);
    free(ordo__gossip.scratch);
    free(ordo__gossip.warned);
    unsigned id = ordo__gossip.id;
    memset(&ordo__gossip, 0, sizeof(ordo__gossip));
    ordo__gossip.id = id;
}

/* The largest message: header, a digest entry per rank, the bitmap and the
 * records' budget; at most ORDO_MAX_MSG_SIZE, and room for one record. */
static int size_messages(void)
{
    size_t fixed = sizeof(ordo__gossip_hdr_t) +
                   (size_t)ordo__gossip.n * sizeof(ordo__gossip_digest_t) +
                   ((size_t)ordo__gossip.n + 7) / 8;
    size_t one = sizeof(ordo__gossip_rec_hdr_t) + ORDO_GOSSIP_MAX_RECORD;
    ordo__gossip.msg_max = fixed + ORDO__GOSSIP_RECORD_BUDGET;
    if (ordo__gossip.msg_max > ordo__rt.cfg.max_msg_size)
        ordo__gossip.msg_max = ordo__rt.cfg.max_msg_size;
    if (ordo__gossip.msg_max >= fixed + one)
        return 1;
    ordo_log_warn("gossip: off, its messages (%zu bytes for %d ranks and a record) do not fit "
                  "in ORDO_MAX_MSG_SIZE=%llu",
                  fixed + one, ordo__gossip.n, (unsigned long long)ordo__rt.cfg.max_msg_size);
    return 0;
}

static int gossip_init(void)
{
    memset(&ordo__gossip, 0, sizeof(ordo__gossip));
    ordo__timer_init(&ordo__gossip.timer, ordo__gossip_round_due, NULL);
    /* Registered whatever ORDO_GOSSIP says: handler ids agree on every rank.
     * Not of ORDO_FAULT's class: gossip would stand a dropped push, but the
     * call would hold its peer's place, and ordo_finalize's quiesce, until
     * ORDO_TIMEOUT_MS (partitions and crashes still act on the ranks). */
    int status = ordo__rpc_handler_add("gossip", ordo__gossip_handler, NULL, 0, &ordo__gossip.id);
    if (status != ORDO_OK || !ordo__gossip_cfg.enabled)
        return status;
    ordo__gossip.n = ordo__rt.size;
    ordo__gossip.me = ordo__rt.rank;
    if (!size_messages())
        return ORDO_OK;
    size_t n = (size_t)ordo__gossip.n;
    ordo__gossip.log = calloc(n, sizeof(*ordo__gossip.log));
    ordo__gossip.member = calloc(n, sizeof(*ordo__gossip.member));
    ordo__gossip.bitmap = calloc((n + 7) / 8, 1);
    ordo__gossip.pending_fail = calloc(n, sizeof(*ordo__gossip.pending_fail));
    ordo__gossip.inflight = calloc(n, 1);
    ordo__gossip.cand = calloc(n, sizeof(*ordo__gossip.cand));
    ordo__gossip.warned = calloc(n, 1);
    ordo__gossip.scratch = malloc(ordo__gossip.msg_max);
    if (!ordo__gossip.log || !ordo__gossip.member || !ordo__gossip.bitmap ||
        !ordo__gossip.pending_fail || !ordo__gossip.inflight || !ordo__gossip.cand ||
        !ordo__gossip.warned || !ordo__gossip.scratch) {
        ordo__gossip.on = 1; /* so that fini frees */
        gossip_fini();
        return ORDO_ERR_NOMEM;
    }
    unsigned log2n = 0;
    while ((1u << log2n) < (unsigned)ordo__gossip.n + 1)
        log2n++;
    ordo__gossip.retransmit =
        ordo__gossip_cfg.retransmit ? ordo__gossip_cfg.retransmit : 2u * log2n;
    /* splitmix64 of the seed and the rank: reproducible, different per rank */
    uint64_t z =
        (ordo__gossip_cfg.seed + 1) * 0x9e3779b97f4a7c15ull + (uint64_t)ordo__gossip.me + 1;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    ordo__gossip.rng = (z ^ (z >> 31)) | 1;
    ordo__gossip.on = 1;
    return ORDO_OK;
}

static int no_call_in_flight(void *arg)
{
    (void)arg;
    return ordo__gossip.ninflight == 0;
}

/* No more rounds; wait for the calls in flight (their answers are kept). */
static int gossip_quiesce(uint64_t deadline_ns)
{
    ordo__gossip.stopping = 1;
    ordo__timer_cancel(&ordo__gossip.timer);
    if (!ordo__gossip.on || !ordo__gossip.ninflight)
        return ORDO_OK;
    if (ordo__wait_until(no_call_in_flight, NULL, deadline_ns) != ORDO_OK)
        ordo_log_debug("gossip: %d calls still in flight at the end", ordo__gossip.ninflight);
    return ORDO_OK;
}

static const ordo__cfg_entry_t gossip_cfg_table[] = {
    {"ORDO_GOSSIP", ORDO__CFG_BOOL, "y",
     "Run the gossip service (ordo_gossip_publish); n: its calls return ORDO_ERR_UNSUPPORTED and "
     "failures are not gossiped.",
     offsetof(ordo__gossip_config_t, enabled), NULL, 0, 0, NULL},
    {"ORDO_GOSSIP_FANOUT", ORDO__CFG_UINT, "3",
     "Peers a rank calls per gossip round (random live ones).",
     offsetof(ordo__gossip_config_t, fanout), NULL, 1, 64, NULL},
    {"ORDO_GOSSIP_PERIOD_MS", ORDO__CFG_UINT, "100",
     "Milliseconds between a rank's gossip rounds while it spreads records (rounds run from "
     "progress: inside ordo calls or on the progress thread).",
     offsetof(ordo__gossip_config_t, period_ms), NULL, 1, 600000, NULL},
    {"ORDO_GOSSIP_RETRANSMIT", ORDO__CFG_UINT, "0",
     "Rounds in which a rank pushes a record it learnt before it stops spreading it (peers "
     "still pull it); 0: 2 * ceil(log2(ranks + 1)).  The odds that no push reaches a rank are "
     "about e^-(fanout * retransmit).",
     offsetof(ordo__gossip_config_t, retransmit), NULL, 0, 100000, NULL},
    {"ORDO_GOSSIP_SEED", ORDO__CFG_UINT, "0",
     "Seed of the ranks' choice of peers (mixed with the rank): the same seed, the same choices.",
     offsetof(ordo__gossip_config_t, seed), NULL, 0, UINT64_MAX, NULL},
};

ordo__module_t ordo__gossip_module = {
    .name = "gossip",
    .cfg = gossip_cfg_table,
    .cfg_len = sizeof(gossip_cfg_table) / sizeof(gossip_cfg_table[0]),
    .cfg_values = &ordo__gossip_cfg,
    .cfg_size = sizeof(ordo__gossip_cfg),
    .init = gossip_init,
    .fini = gossip_fini,
    .progress = ordo__gossip_progress,
    .quiesce = gossip_quiesce,
    .peer_failed = ordo__gossip_peer_failed,
};
