/*
 * causal.c - causal+ (convergent causal) memory.  Every rank holds a replica
 * of every causal object.  A write applies to the writer's replica at once
 * and goes to every other rank with the writer's vector clock: how many
 * writes of each rank its replica had applied (its own included).  A
 * replica applies a remote write only when it has applied everything the
 * write depends on (CBCAST's condition: it is the writer's next, and every
 * other entry is already covered), holding it back until then.  Concurrent
 * writes to one 8-byte word are arbitrated by (Lamport time, writer rank),
 * the time from the runtime's Lamport clock: an order that extends
 * causality, so replicas agree once quiet.  Reads are local.  ordo_fence()
 * waits (the runtime's ordo__wait_until) until every live replica has
 * applied this rank's writes (each replica acknowledges what it applies),
 * and the results of its atomics, which the homes wrote on its behalf (it
 * asks those homes until their acknowledgements cover them).
 *
 * Writes are whole words: a write of part of a word carries the writer's
 * current value of the rest of that word (as a word-wide store would).
 *
 * A failed rank: causal_repair.c.
 */
#include "ordo_config.h"

#include "consistency/causal.h"
#include "consistency/home.h"
#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

#define STAMP(lamport, rank) (((uint64_t)(lamport) << 16) | (uint64_t)(rank))

/* A write on the wire; n vector entries, then the data (len bytes). */
typedef struct causal_hdr {
    uint32_t id;
    uint32_t writer;
    uint64_t nbytes;
    uint64_t off; /* word-aligned */
    uint64_t len; /* whole words */
    uint64_t lamport;
} causal_hdr_t;

typedef struct causal_ack {
    uint64_t applied; /* writes of the receiver of this ack applied by its sender */
} causal_ack_t;

/* A write sent to several ranks: freed when the last send lets it go. */
typedef struct bcast {
    int refs;
    size_t len;
    uint8_t msg[];
} bcast_t;

typedef struct held {
    struct held *next;
    size_t len;
    uint8_t msg[];
} held_t;

/* The causal protocol's handlers (ordo__rpc_handler_add). */
static unsigned id_write, id_ack, id_sync;

static struct {
    uint64_t *applied; /* per rank: its writes applied here (ours: made) */
    uint64_t *acked;   /* per rank: our writes it has applied */
    uint64_t *owed;    /* per home: its write carrying our last atomic there */
    /* The fence's question to a home: how far every live replica has
     * applied its writes (a call in flight, and where its answer goes). */
    ordo_request_t *sync_req;
    int sync_home;
    uint64_t sync_least;
    held_t *held;
    size_t nheld;
    uint64_t held_total;
    int n;
} cz;

static int ack_handler(const ordo_rpc_msg_t *msg, void *arg);
static int write_handler(const ordo_rpc_msg_t *msg, void *arg);
static int sync_handler(const ordo_rpc_msg_t *msg, void *arg);

static int causal_init(void)
{
    memset(&cz, 0, sizeof(cz));
    cz.n = ordo__rt.size;
    cz.applied = calloc((size_t)cz.n, sizeof(*cz.applied));
    cz.acked = calloc((size_t)cz.n, sizeof(*cz.acked));
    cz.owed = calloc((size_t)cz.n, sizeof(*cz.owed));
    if (!cz.applied || !cz.acked || !cz.owed)
        return ORDO_ERR_NOMEM;
    const unsigned cls = ORDO__RPC_F_FAULTS | ORDO__RPC_F_ONEWAY_NORESEND;
    int status = ordo__rpc_handler_add("causal-write", write_handler, NULL, cls, &id_write);
    if (status == ORDO_OK)
        status = ordo__rpc_handler_add("causal-ack", ack_handler, NULL, cls, &id_ack);
    if (status == ORDO_OK)
        status = ordo__rpc_handler_add("causal-sync", sync_handler, NULL, cls, &id_sync);
    if (status == ORDO_OK)
        status = ordo__causal_repair_init(cz.n);
    return status;
}

static void causal_fini(void)
{
    while (cz.held) {
        held_t *h = cz.held;
        cz.held = h->next;
        free(h);
    }
    free(cz.applied);
    free(cz.acked);
    free(cz.owed);
    ordo__causal_repair_fini();
    memset(&cz, 0, sizeof(cz));
}

size_t ordo__causal_held(void)
{
    return cz.nheld;
}

uint64_t ordo__causal_held_total(void)
{
    return cz.held_total;
}

/* Write stamps come from the runtime's Lamport clock (lclock.h), which every
 * message also ticks and merges: a write ticks it, a delivered write's time
 * is merged into it, so a write's time is above that of every write it
 * causally follows, and (time, rank) is an arbitration order that extends
 * causality (causal-any's, in the litmus engine's terms: the clock also
 * moves on messages that carry no write). */
/* Lay words with the stamp over the replica where they are newer. */
static void apply(struct ordo_obj *o, size_t off, const uint8_t *data, size_t len, uint64_t stamp)
{
    for (size_t w = off / 8, end = (off + len) / 8; w < end; w++, data += 8)
        if (stamp > o->stamp[w]) {
            memcpy(o->replica + w * 8, data, 8);
            o->stamp[w] = stamp;
        }
}

static uint64_t lamport_tick(void)
{
    return ++ordo__lamport;
}

static void lamport_merge(uint64_t t)
{
    if (t > ordo__lamport)
        ordo__lamport = t;
}

void ordo__causal_apply(struct ordo_obj *o, size_t off, const uint8_t *data, size_t len,
                        uint64_t stamp)
{
    apply(o, off, data, len, stamp);
    lamport_merge(stamp >> 16);
}

static size_t msg_len(size_t data_len)
{
    return sizeof(causal_hdr_t) + (size_t)cz.n * sizeof(uint64_t) + data_len;
}

static void bcast_done(ordo_request_t *req, int status, void *arg)
{
    bcast_t *b = arg;
    (void)req;
    (void)status; /* a dead replica: the fence reports it */
    if (--b->refs == 0)
        free(b);
}

/* A write of ours (or, at a home, an atomic's result): apply it here and
 * send it to every other live rank.  [off, off+len) is in whole words. */
static int write_words(struct ordo_obj *o, size_t off, const uint8_t *words, size_t len)
{
    int me = ordo__rt.rank;
    uint64_t lamport = lamport_tick();
    apply(o, off, words, len, STAMP(lamport, me));
    cz.applied[me]++;
    if (cz.n == 1)
        return ORDO_OK;
    bcast_t *b = malloc(sizeof(*b) + msg_len(len));
    if (!b)
        return ORDO_ERR_NOMEM;
    causal_hdr_t h = {o->id, (uint32_t)me, o->nbytes, off, len, lamport};
    memcpy(b->msg, &h, sizeof(h));
    memcpy(b->msg + sizeof(h), cz.applied, (size_t)cz.n * sizeof(uint64_t));
    memcpy(b->msg + sizeof(h) + (size_t)cz.n * sizeof(uint64_t), words, len);
    b->len = msg_len(len);
    b->refs = 1; /* ours, until every send has started */
    int status = ORDO_OK;
    for (int r = 0; r < cz.n; r++) {
        if (r == me || ordo__rt.peer_failed[r])
            continue;
        b->refs++;
        int s = ordo__rpc_send_nb_cb(r, id_write, b->msg, b->len, bcast_done, b);
        if (s != ORDO_OK) {
            b->refs--;
            if (s != ORDO_ERR_PEER_FAILED && status == ORDO_OK)
                status = s;
        }
    }
    bcast_done(NULL, ORDO_OK, b);
    return status;
}

static int causal_write(struct ordo_obj *o, size_t off, const void *buf, size_t len)
{
    size_t w0 = off / 8 * 8, w1 = (off + len + 7) / 8 * 8;
    uint8_t stackbuf[256], *words = w1 - w0 <= sizeof(stackbuf) ? stackbuf : malloc(w1 - w0);
    if (!words)
        return ORDO_ERR_NOMEM;
    memcpy(words, o->replica + w0, w1 - w0); /* the rest of the first and last words */
    memcpy(words + (off - w0), buf, len);
    int status = write_words(o, w0, words, w1 - w0);
    if (words != stackbuf)
        free(words);
    return status;
}

static int causal_read(struct ordo_obj *o, size_t off, void *buf, size_t len)
{
    memcpy(buf, o->replica + off, len);
    return ORDO_OK;
}

/* ---- receiving ---------------------------------------------------------- */

/* Check a write message; ORDO_OK and its parts if it is well formed. */
static int parse(const uint8_t *m, size_t len, causal_hdr_t *h, const uint64_t **vc,
                 const uint8_t **data, struct ordo_obj **obj)
{
    if (len < sizeof(*h) + (size_t)cz.n * sizeof(uint64_t))
        return ORDO_ERR_MSG;
    memcpy(h, m, sizeof(*h));
    if (h->writer >= (uint32_t)cz.n || h->writer == (uint32_t)ordo__rt.rank || h->off % 8 ||
        h->len % 8 || h->len > len || len != msg_len(h->len)) /* h->len first: no wrap */
        return ORDO_ERR_MSG;
    struct ordo_obj *o = ordo__obj_find(h->id);
    if (!o || o->model != ORDO_MODEL_CAUSAL || o->nbytes != h->nbytes ||
        h->off > (o->nbytes + 7) / 8 * 8 || h->len > (o->nbytes + 7) / 8 * 8 - h->off)
        return ORDO_ERR_INVALID;
    *vc = (const uint64_t *)(const void *)(m + sizeof(*h)); /* may be unaligned: read by memcpy */
    *data = m + sizeof(*h) + (size_t)cz.n * sizeof(uint64_t);
    *obj = o;
    return ORDO_OK;
}

static uint64_t vc_at(const uint64_t *vc, int r)
{
    uint64_t v;
    memcpy(&v, (const uint8_t *)vc + (size_t)r * sizeof(v), sizeof(v));
    return v;
}

/* 1: apply now; 0: wait; -1: seen already (a duplicate), or a failed
 * writer's (dropped).  A failed rank's writes are not waited for. */
static int deliverable(const causal_hdr_t *h, const uint64_t *vc)
{
    int w = (int)h->writer;
    uint64_t seq = vc_at(vc, w);
    if (seq <= cz.applied[w] || ordo__causal_stopped(w))
        return -1;
    if (seq != cz.applied[w] + 1)
        return 0;
    for (int r = 0; r < cz.n; r++)
        if (r != w && vc_at(vc, r) > cz.applied[r] && !ordo__causal_stopped(r))
            return 0;
    return 1;
}

static void send_ack(int writer)
{
    causal_ack_t a = {cz.applied[writer]};
    int s = ordo__rpc_send(writer, id_ack, &a, sizeof(a));
    if (s != ORDO_OK && s != ORDO_ERR_PEER_FAILED)
        ordo_log_warn("acknowledging writes of rank %d: %s", writer, ordo_strerror(s));
}

static void deliver(const causal_hdr_t *h, struct ordo_obj *o, const uint8_t *data)
{
    apply(o, h->off, data, h->len, STAMP(h->lamport, h->writer));
    cz.applied[h->writer]++;
    lamport_merge(h->lamport);
    send_ack((int)h->writer);
}

/* Apply every held-back write whose dependencies are now in. */
void ordo__causal_release_held(void)
{
    int again = 1;
    while (again) {
        again = 0;
        for (held_t **pp = &cz.held; *pp;) {
            held_t *m = *pp;
            causal_hdr_t h;
            const uint64_t *vc;
            const uint8_t *data;
            struct ordo_obj *o;
            int ok = parse(m->msg, m->len, &h, &vc, &data, &o) == ORDO_OK;
            int d = ok ? deliverable(&h, vc) : -1;
            if (d == 0) {
                pp = &m->next;
                continue;
            }
            if (d == 1) {
                deliver(&h, o, data);
                again = 1;
            }
            *pp = m->next;
            cz.nheld--;
            free(m);
        }
    }
}

static int write_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    causal_hdr_t h;
    const uint64_t *vc;
    const uint8_t *data;
    struct ordo_obj *o;
    (void)arg;

    if (ordo__rt.peer_failed[msg->src])
        return ORDO_OK; /* a failed rank's (it may be paused, not dead): not taken */
    int status = parse(msg->data, msg->len, &h, &vc, &data, &o);
    if (status != ORDO_OK) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a causal write from rank %d: %s (%zu bytes)", msg->src,
                      status == ORDO_ERR_MSG ? "malformed" : "no such causal object here",
                      msg->len);
        return status;
    }
    switch (deliverable(&h, vc)) {
    case -1: /* a duplicate: acknowledge again, in case the first ack was lost */
        if (!ordo__causal_stopped(h.writer))
            send_ack((int)h.writer);
        return ORDO_OK;
    case 1:
        deliver(&h, o, data);
        if (cz.held)
            ordo__causal_release_held();
        return ORDO_OK;
    default:
        break;
    }
    held_t *m = malloc(sizeof(*m) + msg->len);
    if (!m) {
        ordo_log_error("out of memory holding back a causal write of rank %d: replica %d will "
                       "miss it",
                       msg->src, ordo__rt.rank);
        return ORDO_ERR_NOMEM;
    }
    m->len = msg->len;
    memcpy(m->msg, msg->data, msg->len);
    m->next = cz.held;
    cz.held = m;
    cz.nheld++;
    cz.held_total++;
    return ORDO_OK;
}

static int ack_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    causal_ack_t a;
    (void)arg;
    if (msg->len != sizeof(a))
        return ORDO_ERR_MSG;
    if (ordo__rt.peer_failed[msg->src])
        return ORDO_OK; /* it is skipped already */
    memcpy(&a, msg->data, sizeof(a));
    if (a.applied > cz.applied[ordo__rt.rank])
        return ORDO_ERR_MSG; /* more than we ever wrote */
    if (a.applied > cz.acked[msg->src])
        cz.acked[msg->src] = a.applied;
    return ORDO_OK;
}

/* ---- fence and atomics --------------------------------------------------- */

static int all_acked(void *arg)
{
    (void)arg;
    uint64_t mine = cz.applied[ordo__rt.rank];
    for (int r = 0; r < cz.n; r++)
        if (r != ordo__rt.rank && !ordo__rt.peer_failed[r] && cz.acked[r] < mine)
            return 0;
    return 1;
}

/* The fewest of our writes any live replica has applied (ours included). */
static uint64_t min_acked(void)
{
    uint64_t least = cz.applied[ordo__rt.rank];
    for (int r = 0; r < cz.n; r++)
        if (r != ordo__rt.rank && !ordo__rt.peer_failed[r] && cz.acked[r] < least)
            least = cz.acked[r];
    return least;
}

static int sync_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    uint64_t least = min_acked();
    (void)arg;
    return ordo_rpc_reply(msg, &least, sizeof(least));
}

/* The first home that made writes for our atomics not yet known to be
 * applied everywhere, or -1.  A failed home is skipped (the repair spreads
 * what survivors have of its writes). */
static int next_owed(void)
{
    for (int h = 0; h < cz.n; h++) {
        if (cz.owed[h] && ordo__rt.peer_failed[h]) {
            cz.owed[h] = 0;
            ordo__obj_skip(h);
        }
        if (cz.owed[h] && h != ordo__rt.rank)
            return h;
    }
    return -1;
}

/* ordo__wait_until's test for the fence: every home that made writes for
 * our atomics answers that every live replica has applied them.  One home
 * is asked at a time, again until its answer covers what we owe; *arg
 * receives a failure (then the test is over).  A call still in flight when
 * the wait times out is taken up again by the next fence. */
static int owed_synced(void *arg)
{
    int *status = arg;
    while (*status == ORDO_OK) {
        if (!cz.sync_req) {
            int h = next_owed();
            if (h < 0)
                return 1;
            int s = ordo__rpc_call_nb(h, id_sync, NULL, 0, &cz.sync_least, sizeof(cz.sync_least),
                                      &cz.sync_req);
            if (s != ORDO_OK) {
                *status = s;
                break;
            }
            cz.sync_home = h;
        }
        int done = ordo_request_test(cz.sync_req);
        if (done == 0)
            return 0;
        size_t got = 0;
        int s = ordo_request_wait(cz.sync_req, &got);
        cz.sync_req = NULL;
        if (s == ORDO_ERR_PEER_FAILED) { /* skipped, as next_owed does */
            cz.owed[cz.sync_home] = 0;
            ordo__obj_skip(cz.sync_home);
            continue;
        }
        if (s != ORDO_OK) {
            *status = s;
            break;
        }
        if (got == sizeof(cz.sync_least) && cz.sync_least >= cz.owed[cz.sync_home])
            cz.owed[cz.sync_home] = 0;
    }
    return 1;
}

static int causal_fence(void)
{
    if (!cz.applied)
        return ORDO_OK;
    int status = ordo__wait_until(all_acked, NULL, 0);
    int synced = ORDO_OK;
    if (status == ORDO_OK)
        status = ordo__wait_until(owed_synced, &synced, 0);
    if (status == ORDO_OK)
        status = synced;
    /* The fence is over the live replicas; a failed one that misses some of
     * our writes was skipped (obj.c reports it until acknowledged). */
    for (int r = 0; r < cz.n; r++)
        if (ordo__rt.peer_failed[r] && cz.acked[r] < cz.applied[ordo__rt.rank])
            ordo__obj_skip(r);
    return status;
}

/* At the home: apply an atomic to the home's replica as a causal write of
 * the home, broadcast it, and say which of its writes carried it. */
static int home_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b,
                       ordo__obj_atomic_rep_t *rep)
{
    int64_t old, val;
    memcpy(&old, o->replica + off, 8);
    val = ordo__home_atomic_value(op, old, a, b);
    rep->old = old;
    rep->seq = cz.applied[ordo__rt.rank];
    if (op == ORDO__OBJ_CAS && old != a)
        return ORDO_OK; /* nothing written: the caller needs nothing new */
    int status = write_words(o, off, (const uint8_t *)&val, 8);
    rep->seq = cz.applied[ordo__rt.rank];
    return status;
}

typedef struct applied_arg {
    int home;
    uint64_t seq;
} applied_arg_t;

static int home_applied(void *arg)
{
    const applied_arg_t *x = arg;
    return cz.applied[x->home] >= x->seq || ordo__rt.peer_failed[x->home];
}

/* The client of an atomic: wait until this replica has applied the home's
 * write seq (so the caller reads its own atomic's result). */
static int wait_applied(int home, uint64_t seq)
{
    applied_arg_t x = {home, seq};
    if (home == ordo__rt.rank)
        return ORDO_OK;
    if (seq > cz.owed[home])
        cz.owed[home] = seq;
    int status = ordo__wait_until(home_applied, &x, 0);
    if (status == ORDO_OK && cz.applied[home] < seq)
        status = ORDO_ERR_PEER_FAILED;
    return status;
}

/* An atomic runs at the word's home, which writes its result as a causal
 * write of its own; the caller then waits for that write to reach its own
 * replica, and its next fence for it to reach every replica. */
static int causal_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b, int64_t *old)
{
    ordo__obj_atomic_rep_t rep;
    int status = ordo__home_atomic(o, op, off, a, b, &rep);
    if (status == ORDO_OK)
        status = wait_applied(o->home[off / o->block], rep.seq);
    if (status == ORDO_OK)
        *old = rep.old;
    return status;
}

/* A replica of the whole object, in whole words (the last may be partly outside). */
static int causal_alloc(struct ordo_obj *o)
{
    size_t words = (o->nbytes + 7) / 8;
    o->replica = calloc(words, 8);
    o->stamp = calloc(words, sizeof(*o->stamp));
    return o->replica && o->stamp ? ORDO_OK : ORDO_ERR_NOMEM;
}

/* Nothing kept per object but the replica, freed with the object: after the
 * fence and the barrier no write of o is held back (one of a failed rank is
 * dropped at the next scan of the held writes: its object is gone). */
static void causal_free(struct ordo_obj *o)
{
    (void)o;
}

/* A home of a causal object takes atomics only: reads are local, writes broadcast. */
static const ordo__obj_home_ops_t causal_home = {
    .atomic = home_atomic,
};

const ordo__obj_model_ops_t ordo__causal_ops = {
    .name = "causal",
    .init = causal_init,
    .fini = causal_fini,
    .alloc = causal_alloc,
    .read = causal_read,
    .write = causal_write,
    .atomic = causal_atomic,
    .fence = causal_fence,
    .free = causal_free,
    .progress = ordo__causal_progress,
    .peer_failed = ordo__causal_peer_failed,
    .home = &causal_home,
};
