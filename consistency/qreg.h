/*
 * qreg.h - quorum registers inside: the handle, the wire format, and what
 * the operations (qreg.c), the sets (qreg_set.c: create, destroy, the live
 * table) and the replica side (qreg_replica.c) share.
 *
 * Messages (handler "qreg", one request each way, replies by the message
 * layer):
 *   QUERY      -> tag and value of key at this replica (a read's phase 1)
 *   QUERY_TAG  -> tag of key (a write's phase 1)
 *   STORE      tag, value -> applied if tag is newer than the replica's
 * A fenced write's QUERY_TAG and STORE carry its token: a replica that has
 * seen a larger one for the key answers ORDO_ERR_FENCED; a STORE's token
 * raises its mark.  Tags order by (counter, writer rank, the writer's
 * write number).
 */
#ifndef ORDO_CONSISTENCY_QREG_H
#define ORDO_CONSISTENCY_QREG_H

#include "consistency/history.h"
#include "consistency/quorum.h"

#include <ordo.h>
#include <stddef.h>
#include <stdint.h>

#define ORDO__QREG_MAGIC 0x71726731u /* "qrg1" */

enum { ORDO__QREG_QUERY = 1, ORDO__QREG_QUERY_TAG, ORDO__QREG_STORE };

/* A write's tag: unique, so two writes never share one.  A rank may have
 * many writes in flight that read the same highest counter: the rank and
 * its own write number tell them apart (two values under one tag made
 * replicas that "agree" on the tag hold different values).  The fencing
 * token comes first: a value written by a later lock holder is fresher
 * than any of an earlier holder's, even one whose store reached a replica
 * late, past the later holder's query (with the counter first, the earlier
 * holder's value could win by its rank and come back).  A write carries
 * the larger of its token and the largest its query saw (every write's tag
 * is above all it saw, as ABD needs). */
typedef struct ordo__qreg_tag {
    uint64_t token;
    uint64_t ctr;
    uint32_t writer; /* rank */
    uint32_t seq;    /* the writer's own write number */
} ordo__qreg_tag_t;

static inline int ordo__qreg_tag_cmp(const ordo__qreg_tag_t *a, const ordo__qreg_tag_t *b)
{
    if (a->token != b->token)
        return a->token < b->token ? -1 : 1;
    if (a->ctr != b->ctr)
        return a->ctr < b->ctr ? -1 : 1;
    if (a->writer != b->writer)
        return a->writer < b->writer ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

typedef struct ordo__qreg_msg {
    uint32_t reg;
    uint8_t op;
    uint8_t fenced;
    uint16_t pad;
    uint64_t key;
    ordo__qreg_tag_t tag; /* STORE */
    uint64_t token;       /* fenced */
} ordo__qreg_msg_t;       /* a STORE's value follows */

/* A QUERY's reply: the tag, then (QUERY) the value. */

/* One key's state at a replica. */
typedef struct ordo__qreg_entry {
    uint64_t key;
    ordo__qreg_tag_t tag;
    uint64_t token; /* the largest fencing token accepted for key */
    uint8_t used;
    uint8_t value[]; /* value_size bytes (the table's stride covers them) */
} ordo__qreg_entry_t;

struct ordo_qreg {
    uint32_t magic;
    uint32_t id;
    size_t nkeys, vsize;
    int R, W, Q;
    unsigned flags;
    uint64_t degrade_ns; /* a degraded read's wait for Q (ORDO_QREG_DEGRADE_MS; 0: none) */
    /* client side */
    size_t inflight;          /* this rank's operations not yet idle */
    struct ordo_qreg_op *ops; /* those operations (freed with the set at the latest) */
    ordo_qreg_stats_t stats;
    ordo__hist_file_t *hist;
    /* replica side: open addressing on key, stride bytes per slot */
    uint8_t *slots;
    size_t nslots, nused, stride;
    struct ordo_qreg *next;
};

/* qreg_set.c: the handler's id, the live sets. */
extern unsigned ordo__qreg_rpc_id;
struct ordo_qreg *ordo__qreg_find(uint32_t id);
/* reg is a live set (not destroyed). */
int ordo__qreg_valid(const struct ordo_qreg *reg);

/* qreg_replica.c: the handler; the replica's storage. */
int ordo__qreg_handler(const ordo_rpc_msg_t *msg, void *arg);
/* What the handler does with a request from src, its answer in reply (cap
 * bytes; *reply_len set): also called directly by a client that is one of
 * the replicas it asks (quorum.h's local answer). */
int ordo__qreg_serve(int src, const void *data, size_t len, void *reply, size_t cap,
                     size_t *reply_len);
void ordo__qreg_replica_free(struct ordo_qreg *reg);
/* qreg.c: free reg's operations still in flight (ordo_finalize: the
 * transport is closed, no answer or callback can reach them any more). */
void ordo__qreg_ops_free(struct ordo_qreg *reg);
/* Operations of reg not finished yet (done ones may still await answers
 * from replicas beyond their quorum: reg->inflight counts those too). */
int ordo__qreg_open_ops(const struct ordo_qreg *reg);
/* Say (info) each call to a replica that is still out, and when it times out. */
void ordo__qreg_say_out(const struct ordo_qreg *reg);

#endif
