/*
 * gossip.c - push-pull gossip (gossip.h says how it works; ordo.h's
 * "Gossip" section what it promises): the records a rank holds, the rounds,
 * the handler that answers a push, delivery to the subscribers, membership
 * records, the public calls and the module.
 *
 * Where things run: handlers and completion callbacks only store what came
 * (they may not start messages); the module's progress hook runs the round
 * the timer made due, applies failures learnt by gossip to the view and
 * delivers to the subscribers.
 */
#include "ordo_config.h"

#include "collectives/gossip.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"
#include "runtime/timer.h"

#include <stdlib.h>
#include <string.h>

/* A record may be this far ahead of the first seq of its origin this rank
 * lacks (a bound on the memory a hostile seq could make us take). */
#define AHEAD_MAX 4096
/* Records of a push remembered to leave them out of the answer. */
#define PUSH_KEYS_MAX 1024

/* A push, shared by the calls of one round (freed by the last to end). */
typedef struct push_buf {
    int refs;
    size_t len;
    uint8_t data[];
} push_buf_t;

/* One call in flight, with room for its answer. */
typedef struct gcall {
    int peer;
    push_buf_t *push;
    uint8_t reply[];
} gcall_t;

ordo__gossip_t ordo__gossip;
ordo__gossip_config_t ordo__gossip_cfg;

static uint64_t next_rand(void)
{
    ordo__gossip.rng ^= ordo__gossip.rng >> 12;
    ordo__gossip.rng ^= ordo__gossip.rng << 25;
    ordo__gossip.rng ^= ordo__gossip.rng >> 27;
    return ordo__gossip.rng * 0x2545f4914f6cdd1dull;
}

static int rvec_push(ordo__gossip_vec_t *v, ordo__gossip_rec_t *r)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        ordo__gossip_rec_t **p = realloc(v->v, cap * sizeof(*p));
        if (!p)
            return ORDO_ERR_NOMEM;
        v->v = p;
        v->cap = cap;
    }
    v->v[v->n++] = r;
    return ORDO_OK;
}

void ordo__gossip_wake(void)
{
    ordo__module_wake(&ordo__gossip_module);
}

/* Something to spread: rounds run (from now + one period) until it is spread. */
static void activate(void)
{
    if (!ordo__gossip.on || ordo__gossip.stopping || !ordo__gossip.young.n ||
        ordo__timer_armed(&ordo__gossip.timer))
        return;
    if (ordo__timer_arm(&ordo__gossip.timer,
                        ordo__now_ns() + ordo__gossip_cfg.period_ms * 1000000u) != ORDO_OK)
        ordo_log_warn("gossip: no memory for the round timer; rounds wait for the next record");
}

void ordo__gossip_round_due(void *arg)
{
    (void)arg;
    ordo__gossip.round_due = 1;
    ordo__gossip_wake();
}

/* ---- the records ------------------------------------------------------------ */

ordo__gossip_rec_t *ordo__gossip_rec_new(const ordo__gossip_rec_hdr_t *h, const void *data)
{
    ordo__gossip_rec_t *r = malloc(sizeof(*r) + h->len);
    if (!r)
        return NULL;
    memset(r, 0, sizeof(*r));
    r->h = *h;
    r->round = ordo__gossip.round;
    if (h->len)
        memcpy(r->data, data, h->len);
    return r;
}

ordo__gossip_rec_t *ordo__gossip_lookup(uint32_t origin, uint64_t seq)
{
    const ordo__gossip_log_t *l = &ordo__gossip.log[origin];
    return seq < l->cap ? l->rec[seq] : NULL;
}

/* Keep data record r (not known yet, seq within AHEAD_MAX of next). */
int ordo__gossip_store_data(ordo__gossip_rec_t *r)
{
    ordo__gossip_log_t *l = &ordo__gossip.log[r->h.origin];
    if (r->h.seq >= l->cap) {
        uint64_t cap = l->cap ? l->cap : 16;
        while (cap <= r->h.seq)
            cap *= 2;
        ordo__gossip_rec_t **p = realloc(l->rec, cap * sizeof(*p));
        if (!p)
            return ORDO_ERR_NOMEM;
        memset(p + l->cap, 0, (cap - l->cap) * sizeof(*p));
        l->rec = p;
        l->cap = cap;
    }
    r->idx = ordo__gossip.all.n;
    if (rvec_push(&ordo__gossip.all, r) != ORDO_OK ||
        rvec_push(&ordo__gossip.young, r) != ORDO_OK) {
        if (ordo__gossip.all.n > r->idx)
            ordo__gossip.all.n--;
        return ORDO_ERR_NOMEM;
    }
    l->rec[r->h.seq] = r;
    while (l->next < l->cap && l->rec[l->next])
        l->next++;
    ordo__gossip.st.records_known++;
    ordo__gossip_wake(); /* to deliver */
    activate();
    return ORDO_OK;
}

static int store_member(ordo__gossip_rec_t *r)
{
    uint32_t x = r->h.origin;
    if (rvec_push(&ordo__gossip.young, r) != ORDO_OK)
        return ORDO_ERR_NOMEM;
    ordo__gossip.member[x] = r;
    ordo__gossip.bitmap[x / 8] |= (uint8_t)(1u << (x % 8));
    ordo__gossip.st.member_records++;
    activate();
    return ORDO_OK;
}

/* A record that came from src: keep it if new. */
static void ingest(int src, const ordo__gossip_rec_hdr_t *h, const uint8_t *data)
{
    if (h->kind == ORDO__GOSSIP_MEMBER) {
        if (ordo__gossip.member[h->origin]) {
            ordo__gossip.st.duplicates++;
            return;
        }
    } else if (ordo__gossip_lookup(h->origin, h->seq)) {
        ordo__gossip.st.duplicates++;
        return;
    } else if (h->origin == (uint32_t)ordo__gossip.me ||
               h->seq >= ordo__gossip.log[h->origin].next + AHEAD_MAX) {
        ordo_log_warn("gossip: record (origin %u, seq %llu) from rank %d refused: %s", h->origin,
                      (unsigned long long)h->seq, src,
                      h->origin == (uint32_t)ordo__gossip.me
                          ? "this rank never published it"
                          : "too far ahead of what this rank knows");
        return;
    }
    ordo__gossip_rec_t *r = ordo__gossip_rec_new(h, data);
    if (!r) {
        ordo_log_warn("gossip: no memory for a record from rank %d; a later round brings it", src);
        return;
    }
    r->h.hops = h->hops + 1;
    if (h->kind == ORDO__GOSSIP_DATA) {
        if (ordo__gossip_store_data(r) != ORDO_OK) {
            free(r);
            return;
        }
        ordo__gossip.st.learnt++;
        ordo__gossip.st.rounds_sum += r->h.age;
        ordo__gossip.st.hops_sum += r->h.hops;
        ordo__gossip.st.rounds_max =
            r->h.age > ordo__gossip.st.rounds_max ? r->h.age : ordo__gossip.st.rounds_max;
        ordo__gossip.st.hops_max =
            r->h.hops > ordo__gossip.st.hops_max ? r->h.hops : ordo__gossip.st.hops_max;
        return;
    }
    if (store_member(r) != ORDO_OK) {
        free(r);
        return;
    }
    /* Applied to the view from progress (member.c runs every layer's hooks). */
    if (h->origin == (uint32_t)ordo__gossip.me)
        ordo__gossip.pending_self = (int)h->seq + 1;
    else if (!ordo__rt.peer_failed[h->origin])
        ordo__gossip.pending_fail[h->origin] = (int)h->seq + 1;
    ordo__gossip.pending = 1;
    ordo__gossip_wake();
}

/* The record as it goes out now: its age counts the rounds since it was
 * published, the one it travels in included.  A push travels in this
 * rank's round (counted already); an answer in the pusher's round, which
 * this rank's count does not hold: one more. */
static ordo__gossip_rec_hdr_t outgoing(const ordo__gossip_rec_t *r, int answer)
{
    ordo__gossip_rec_hdr_t h = r->h;
    h.age += (uint32_t)(ordo__gossip.round - r->round) + (answer ? 1u : 0u);
    return h;
}

/* ---- a round ---------------------------------------------------------------- */

static size_t build_push(void *buf, size_t *added)
{
    ordo__gossip_writer_t w;
    ordo__gossip_begin(&w, buf, ordo__gossip.msg_max, ORDO__GOSSIP_PUSH,
                       (uint32_t)ordo__gossip.round);
    for (int o = 0; o < ordo__gossip.n; o++)
        if (ordo__gossip.log[o].next)
            ordo__gossip_add_digest(&w, (uint32_t)o, ordo__gossip.log[o].next);
    ordo__gossip_add_bitmap(&w, ordo__gossip.bitmap, (uint32_t)(ordo__gossip.n + 7) / 8);
    /* Young records from where the last round stopped, as many as fit. */
    size_t n = ordo__gossip.young.n, i = 0, start = n ? ordo__gossip.young_next % n : 0;
    for (; i < n; i++) {
        const ordo__gossip_rec_t *r = ordo__gossip.young.v[(start + i) % n];
        ordo__gossip_rec_hdr_t h = outgoing(r, 0);
        if (!ordo__gossip_add_rec(&w, &h, r->data))
            break;
    }
    *added = i;
    return ordo__gossip_end(&w);
}

static void answer(ordo_request_t *req, int status, void *arg);

/* Call peer with the round's push; 1 if the call started. */
static int call_peer(int peer, push_buf_t *pb)
{
    gcall_t *c = malloc(sizeof(*c) + ordo__gossip.msg_max);
    if (!c)
        return 0;
    c->peer = peer;
    c->push = pb;
    pb->refs++;
    ordo__gossip.inflight[peer] = 1;
    ordo__gossip.ninflight++;
    int s = ordo__rpc_call_nb_reply_cb(peer, ordo__gossip.id, pb->data, pb->len, c->reply,
                                       ordo__gossip.msg_max, answer, c);
    if (s != ORDO_OK) { /* not started: no callback comes */
        ordo_log_debug("gossip: push to rank %d not sent: %s", peer, ordo_strerror(s));
        ordo__gossip.inflight[peer] = 0;
        ordo__gossip.ninflight--;
        pb->refs--;
        free(c);
        return 0;
    }
    ordo__gossip.st.msgs_sent++;
    ordo__gossip.st.bytes_sent += pb->len;
    return 1;
}

/* Forget the records pushed in ORDO_GOSSIP_RETRANSMIT rounds. */
static void expire(void)
{
    size_t kept = 0, next = 0, start = ordo__gossip.young_next;
    for (size_t i = 0; i < ordo__gossip.young.n; i++) {
        ordo__gossip_rec_t *r = ordo__gossip.young.v[i];
        if (r->pushed < ordo__gossip.retransmit) {
            if (i < start)
                next++;
            ordo__gossip.young.v[kept++] = r;
        }
    }
    ordo__gossip.young.n = kept;
    ordo__gossip.young_next = next;
}

static void run_round(void)
{
    ordo__gossip.round++;
    ordo__gossip.st.rounds++;
    int nc = 0;
    for (int r = 0; r < ordo__gossip.n; r++)
        if (r != ordo__gossip.me && !ordo__rt.peer_failed[r])
            ordo__gossip.cand[nc++] = r;
    push_buf_t *pb = nc ? malloc(sizeof(*pb) + ordo__gossip.msg_max) : NULL;
    if (!pb)
        return; /* no live peer (nothing is spread: rounds stop), or no memory (next round) */
    /* The young records pushed: from start, added of them (records learnt
     * while the calls start only come after them). */
    size_t added, n = ordo__gossip.young.n, start = n ? ordo__gossip.young_next % n : 0;
    pb->refs = 1; /* this round's, until every call started */
    pb->len = build_push(pb->data, &added);
    int sent = 0;
    /* FANOUT random live peers whose last call has ended (partial shuffle). */
    for (int k = 0; k < nc && sent < (int)ordo__gossip_cfg.fanout; k++) {
        int j = k + (int)(next_rand() % (uint64_t)(nc - k)), peer = ordo__gossip.cand[j];
        ordo__gossip.cand[j] = ordo__gossip.cand[k];
        ordo__gossip.cand[k] = peer;
        if (ordo__gossip.inflight[peer]) {
            ordo__gossip.st.skipped++;
            continue;
        }
        sent += call_peer(peer, pb);
    }
    if (--pb->refs == 0)
        free(pb);
    if (!sent)
        return; /* a round that spread nothing does not count against the records */
    for (size_t i = 0; i < added; i++)
        ordo__gossip.young.v[(start + i) % n]->pushed++;
    ordo__gossip.young_next = start + added;
    expire();
}

/* ---- the handler and the answer --------------------------------------------- */

/* A message refused: counted, and a warning (once per rank for one from a
 * failed rank: those may come in numbers while the failure is news). */
static int refuse(int src, int status, const char *fmt, const char *why)
{
    ordo__gossip.st.malformed++;
    if (status != ORDO_ERR_PEER_FAILED || !ordo__gossip.warned[src]) {
        if (status == ORDO_ERR_PEER_FAILED)
            ordo__gossip.warned[src] = 1;
        ordo_log_warn(fmt, src, why);
    }
    return status;
}

static void ingest_all(int src, const ordo__gossip_view_t *v, uint64_t *keys, size_t *nkeys)
{
    const uint8_t *p = v->recs, *data;
    for (unsigned i = 0; i < v->h.nrec; i++) {
        ordo__gossip_rec_hdr_t h;
        p = ordo__gossip_next_rec(p, &h, &data);
        if (keys && h.kind == ORDO__GOSSIP_DATA && *nkeys + 2 <= PUSH_KEYS_MAX) {
            keys[(*nkeys)++] = h.origin;
            keys[(*nkeys)++] = h.seq;
        }
        ingest(src, &h, data);
    }
}

static int in_push(const uint64_t *keys, size_t nkeys, const ordo__gossip_rec_t *r)
{
    for (size_t i = 0; i < nkeys; i += 2)
        if (keys[i] == r->h.origin && keys[i + 1] == r->h.seq)
            return 1;
    return 0;
}

/* The answer to push v: what its digest says the pusher lacks, failures
 * first, then data records oldest first per origin, origins in turn. */
static size_t build_answer(const ordo__gossip_view_t *v, const uint64_t *keys, size_t nkeys)
{
    ordo__gossip_writer_t w;
    ordo__gossip_begin(&w, ordo__gossip.scratch, ordo__gossip.msg_max, ORDO__GOSSIP_PULL,
                       (uint32_t)ordo__gossip.round);
    for (int x = 0; x < ordo__gossip.n; x++)
        if (ordo__gossip.member[x] && !(v->bitmap && (v->bitmap[x / 8] >> (x % 8) & 1))) {
            ordo__gossip_rec_hdr_t h = outgoing(ordo__gossip.member[x], 1);
            if (!ordo__gossip_add_rec(&w, &h, ordo__gossip.member[x]->data))
                return ordo__gossip_end(&w);
        }
    uint64_t *theirs = calloc((size_t)ordo__gossip.n, sizeof(*theirs));
    if (!theirs)
        return ordo__gossip_end(&w);
    for (uint32_t i = 0; i < v->h.ndigest; i++) {
        ordo__gossip_digest_t d;
        ordo__gossip_digest_at(v, i, &d);
        theirs[d.origin] = d.next;
    }
    uint32_t first = ordo__gossip.reply_origin++ % (uint32_t)ordo__gossip.n;
    int full = 0;
    for (int k = 0; k < ordo__gossip.n && !full; k++) {
        const ordo__gossip_log_t *l =
            &ordo__gossip.log[(first + (uint32_t)k) % (uint32_t)ordo__gossip.n];
        for (uint64_t seq = theirs[(first + (uint32_t)k) % (uint32_t)ordo__gossip.n]; seq < l->cap;
             seq++) {
            const ordo__gossip_rec_t *r = l->rec[seq];
            if (!r || in_push(keys, nkeys, r))
                continue;
            ordo__gossip_rec_hdr_t h = outgoing(r, 1);
            if (!ordo__gossip_add_rec(&w, &h, r->data)) {
                full = 1;
                break;
            }
        }
    }
    free(theirs);
    return ordo__gossip_end(&w);
}

int ordo__gossip_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    static uint64_t keys[PUSH_KEYS_MAX];
    size_t nkeys = 0;
    ordo__gossip_view_t v;
    char why[160];
    (void)arg;
    if (!ordo__gossip.on)
        return ORDO_ERR_UNSUPPORTED; /* ORDO_GOSSIP=n here */
    if (ordo__rt.peer_failed[msg->src])
        return refuse(msg->src, ORDO_ERR_PEER_FAILED,
                      "gossip: a message from rank %d, which this rank holds failed, dropped%s",
                      "");
    if (ordo__gossip_parse(msg->data, msg->len, ordo__gossip.n, &v, why, sizeof(why)) != ORDO_OK)
        return refuse(msg->src, ORDO_ERR_MSG, "gossip: malformed message from rank %d dropped: %s",
                      why);
    if (v.h.kind != ORDO__GOSSIP_PUSH)
        return refuse(msg->src, ORDO_ERR_MSG, "gossip: malformed message from rank %d dropped: %s",
                      "an answer sent as a push");
    ordo__gossip.st.msgs_received++;
    ingest_all(msg->src, &v, keys, &nkeys);
    if (!msg->expects_reply)
        return ORDO_OK;
    size_t len = build_answer(&v, keys, nkeys);
    ordo__gossip.st.msgs_sent++;
    ordo__gossip.st.bytes_sent += len;
    return ordo_rpc_reply(msg, ordo__gossip.scratch, len);
}

/* A call of a round ended: keep what its answer brought. */
static void answer(ordo_request_t *req, int status, void *arg)
{
    gcall_t *c = arg;
    if (--c->push->refs == 0)
        free(c->push);
    if (ordo__gossip.on) {
        ordo__gossip.inflight[c->peer] = 0;
        ordo__gossip.ninflight--;
        ordo__gossip_view_t v;
        char why[160];
        size_t len = status == ORDO_OK ? ordo_request_reply_len(req) : 0;
        if (status != ORDO_OK)
            ordo_log_debug("gossip: push to rank %d ended with %s", c->peer, ordo_strerror(status));
        else if (ordo__gossip_parse(c->reply, len, ordo__gossip.n, &v, why, sizeof(why)) != ORDO_OK)
            (void)refuse(c->peer, ORDO_ERR_MSG, "gossip: malformed answer from rank %d: %s", why);
        else if (v.h.kind != ORDO__GOSSIP_PULL)
            (void)refuse(c->peer, ORDO_ERR_MSG, "gossip: malformed answer from rank %d: %s",
                         "a push sent as an answer");
        else {
            ordo__gossip.st.msgs_received++;
            ingest_all(c->peer, &v, NULL, NULL);
        }
    }
    free(c);
}

/* ---- progress: failures learnt, rounds, delivery ------------------------------ */

static void apply_failures(void)
{
    ordo__gossip.pending = 0;
    for (int x = 0; x < ordo__gossip.n; x++) {
        int by = ordo__gossip.pending_fail[x] - 1;
        if (by < 0)
            continue;
        ordo__gossip.pending_fail[x] = 0;
        if (ordo__rt.peer_failed[x])
            continue;
        char why[96];
        snprintf(why, sizeof(why), "gossip: rank %d reported it failed", by);
        ordo__gossip.st.member_applied++;
        ordo__member_fail(x, ORDO_ERR_PEER_FAILED, why);
    }
    if (ordo__gossip.pending_self) {
        int by = ordo__gossip.pending_self - 1;
        ordo__gossip.pending_self = 0;
        ordo__member_fail_self(by);
    }
}

/* Every subscriber gets every record once, in the order this rank learnt
 * them; a subscriber's callback may publish or subscribe. */
static void deliver(void)
{
    size_t least = ordo__gossip.all.n;
    ordo__in_handler++;
    for (int s = 0; s < ordo__gossip.nsubs; s++) {
        while (ordo__gossip.subs[s].upto < ordo__gossip.all.n) {
            const ordo__gossip_rec_t *r = ordo__gossip.all.v[ordo__gossip.subs[s].upto++];
            ordo__gossip.subs[s].cb((int)r->h.origin, r->h.seq, r->data, r->h.len,
                                    ordo__gossip.subs[s].arg);
        }
    }
    ordo__in_handler--;
    for (int s = 0; s < ordo__gossip.nsubs; s++)
        least = ordo__gossip.subs[s].upto < least ? ordo__gossip.subs[s].upto : least;
    ordo__gossip.st.delivered = ordo__gossip.ndelivered = least;
    if (least < ordo__gossip.all.n)
        ordo__gossip_wake(); /* published from a callback: the earlier subscribers next time */
}

void ordo__gossip_progress(void)
{
    if (!ordo__gossip.on)
        return;
    if (ordo__gossip.pending)
        apply_failures();
    if (ordo__gossip.round_due) {
        ordo__gossip.round_due = 0;
        if (!ordo__gossip.stopping)
            run_round();
    }
    deliver();
    activate();
}

/* A failure the view learnt (from any source, gossip included): gossiped on,
 * once per failed rank, unless a record of it came already. */
void ordo__gossip_peer_failed(int peer, int status)
{
    (void)status;
    if (!ordo__gossip.on || ordo__gossip.stopping || ordo__rt.finalizing || ordo__member.out ||
        ordo__gossip.member[peer])
        return;
    uint64_t epoch = ordo__member.epoch;
    ordo__gossip_rec_hdr_t h = {.origin = (uint32_t)peer,
                                .kind = ORDO__GOSSIP_MEMBER,
                                .len = sizeof(epoch),
                                .seq = (uint64_t)ordo__gossip.me};
    ordo__gossip_rec_t *r = ordo__gossip_rec_new(&h, &epoch);
    if (!r || store_member(r) != ORDO_OK) {
        free(r);
        ordo_log_warn("gossip: no memory to spread the failure of rank %d", peer);
    }
}
