/*
 * causal_repair.c - the causal model when a rank fails.
 *
 * A failed rank d.  Its writes may have reached some survivors and not
 * others (it died in the middle of a broadcast), and survivors' writes that
 * depend on such a write would wait for it forever.  So once a replica
 * learns of the failure: it takes no more writes of d (those held back or
 * still arriving are dropped), a write no longer waits for one of d's
 * (d's entry of its vector clock is not a condition any more), and it
 * sends the live replicas every run of words whose newest write is one of
 * d's (a repair: the words with their stamps, laid over by the same (time,
 * rank) rule).  Every survivor does so after it stopped taking d's writes,
 * so the survivors converge: a write of d stays wherever one survivor had
 * it as the newest of its words, and is lost if none had.  The price is
 * causal order around d's writes: a replica may apply a survivor's write
 * before the write of d it depended on arrives (as a repair).
 */
#include "ordo_config.h"

#include "consistency/causal.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

/* A repair: words of a failed rank's writes, with their stamp. */
typedef struct causal_repair {
    uint32_t id;
    uint32_t reserved;
    uint64_t nbytes;
    uint64_t off; /* word-aligned */
    uint64_t len; /* whole words; the data follows */
    uint64_t stamp;
} causal_repair_t;

/* The most data one repair message carries. */
#define REPAIR_CHUNK (64 * 1024)

static struct {
    unsigned id; /* the repair's handler */
    int n;
    char *repaired; /* per rank: failed, its writes stopped and repaired */
    int failed;     /* a failure not yet handled by progress */
    int in_failed;  /* progress is handling them */
} rp;

static int repair_handler(const ordo_rpc_msg_t *msg, void *arg);

int ordo__causal_repair_init(int nranks)
{
    memset(&rp, 0, sizeof(rp));
    rp.n = nranks;
    rp.repaired = calloc((size_t)nranks, 1);
    if (!rp.repaired)
        return ORDO_ERR_NOMEM;
    const unsigned cls = ORDO__RPC_F_FAULTS | ORDO__RPC_F_ONEWAY_NORESEND;
    return ordo__rpc_handler_add("causal-repair", repair_handler, NULL, cls, &rp.id);
}

void ordo__causal_repair_fini(void)
{
    free(rp.repaired);
    memset(&rp, 0, sizeof(rp));
}

int ordo__causal_stopped(int rank)
{
    return rp.repaired && rp.repaired[rank];
}

static int repair_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    causal_repair_t r;
    (void)arg;
    if (msg->len < sizeof(r))
        return ORDO_ERR_MSG;
    if (ordo__rt.peer_failed[msg->src])
        return ORDO_OK; /* from a failed rank: what it sent may be stale */
    memcpy(&r, msg->data, sizeof(r));
    struct ordo_obj *o = ordo__obj_find(r.id);
    size_t words = o ? (o->nbytes + 7) / 8 * 8 : 0;
    if (!o || o->model != ORDO_MODEL_CAUSAL || o->nbytes != r.nbytes || r.off % 8 || r.len % 8 ||
        r.len != msg->len - sizeof(r) || r.off > words || r.len > words - r.off) {
        ordo__rt.stats.malformed++;
        ordo_log_warn("dropped a causal repair of %zu bytes from rank %d: no such causal object "
                      "here, or a bad range",
                      msg->len, msg->src);
        return ORDO_ERR_MSG;
    }
    ordo__causal_apply(o, r.off, (const uint8_t *)msg->data + sizeof(r), r.len, r.stamp);
    return ORDO_OK;
}

/* Send the live replicas the words of o whose newest write is dead's: runs
 * of consecutive words with one stamp, at most REPAIR_CHUNK bytes each. */
static void repair_object(struct ordo_obj *o, int dead, uint8_t *buf)
{
    size_t words = (o->nbytes + 7) / 8;
    for (size_t w = 0; w < words;) {
        uint64_t stamp = o->stamp[w];
        if (!stamp || (int)(stamp & 0xffff) != dead) {
            w++;
            continue;
        }
        size_t end = w + 1;
        while (end < words && o->stamp[end] == stamp && (end - w) * 8 < REPAIR_CHUNK)
            end++;
        causal_repair_t r = {o->id, 0, o->nbytes, w * 8, (end - w) * 8, stamp};
        memcpy(buf, &r, sizeof(r));
        memcpy(buf + sizeof(r), o->replica + w * 8, r.len);
        for (int p = 0; p < rp.n; p++) {
            if (p == ordo__rt.rank || ordo__rt.peer_failed[p])
                continue;
            /* As from a handler: copied, not waited for (causal_progress). */
            int s = ordo__rpc_send(p, rp.id, buf, sizeof(r) + r.len);
            if (s != ORDO_OK && s != ORDO_ERR_PEER_FAILED)
                ordo_log_warn("causal repair of rank %d's writes to rank %d: %s", dead, p,
                              ordo_strerror(s));
        }
        w = end;
    }
}

/* Stop taking dead's writes (release_held drops the held ones), and repair
 * its writes. */
static void stop_and_repair(int dead, uint8_t *buf)
{
    rp.repaired[dead] = 1;
    int n = 0;
    for (struct ordo_obj *o = ordo__obj_find_next(NULL, ORDO_MODEL_CAUSAL); o;
         o = ordo__obj_find_next(o, ORDO_MODEL_CAUSAL), n++)
        repair_object(o, dead, buf);
    ordo_log_debug("causal: rank %d failed: its writes no longer taken, %d object(s) repaired",
                   dead, n);
}

/* Failures the hook saw, handled here (sends are not allowed in the hook).
 * As in a handler, sends do not wait (the message layer copies them), so
 * no delivery runs in the middle. */
int ordo__causal_progress(void)
{
    if (!rp.failed || rp.in_failed || !rp.repaired)
        return 0;
    uint8_t *buf = malloc(sizeof(causal_repair_t) + REPAIR_CHUNK);
    if (!buf)
        return 1; /* again later */
    rp.failed = 0;
    rp.in_failed = 1;
    ordo__in_handler++;
    for (int r = 0; r < rp.n; r++)
        if (ordo__rt.peer_failed[r] && !ordo__causal_stopped(r))
            stop_and_repair(r, buf);
    ordo__causal_release_held(); /* what waited for a failed rank's writes */
    ordo__in_handler--;
    rp.in_failed = 0;
    free(buf);
    return rp.failed;
}

void ordo__causal_peer_failed(int peer)
{
    (void)peer;
    rp.failed = 1; /* the module is woken: progress handles it */
}
