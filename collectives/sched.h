/*
 * sched.h - a collective as a schedule, and the engine that runs it.
 *
 * An algorithm builds a schedule: rounds of steps.  A round first runs its
 * local steps (copy, reduce) in order, then posts its sends and receives
 * all at once; it ends when every send has completed locally and every
 * receive has arrived; then the next round starts.  A local step added
 * after a send or receive opens a new round by itself (a reduce of what a
 * round received runs at the start of the next); ordo__sched_round ends a
 * round that has a send or receive (local steps alone wait for the next
 * round's, which they precede).
 *
 * Peers are places in the collective's view (0 .. n-1, the live ranks in
 * rank order); the k-th send to a peer in a collective matches that peer's
 * k-th receive from us in it (places may count their rounds differently).
 * A message carries the view, the collective's sequence number and k: one
 * that comes before its receive is posted is kept (copied) until it is; a
 * rendezvous payload whose receive is posted lands in place (no copy).
 *
 * Blocking and non-blocking collectives are the same schedule: the
 * blocking form waits for it.  The engine advances from the collectives'
 * module progress (every ordo call's progress, and the progress thread),
 * never from inside a handler.  A failure in the view fails every
 * collective in flight with ORDO_ERR_PEER_FAILED once what it sent has
 * left and what it pulls has landed (never into memory handed back).
 */
#ifndef ORDO_COLLECTIVES_SCHED_H
#define ORDO_COLLECTIVES_SCHED_H

#include "ordo.h"

#include <stddef.h>
#include <stdint.h>

#define ORDO__COLL_REQ_MAGIC 0x636f6c6cu /* "coll" */
/* How long a collective that ended waits for its acknowledgements to leave
 * (ordo__rpc_flush_ctrl) before it returns to the application. */
#define ORDO__COLL_FLUSH_NS 50000000u

/* SOP_NODE: a step through the node's shared segment (node.h): idx says
 * which, peer is the root's place; it is pending like a receive. */
typedef enum { SOP_SEND, SOP_RECV, SOP_COPY, SOP_REDUCE, SOP_NODE } ordo__sop_kind_t;

typedef struct ordo__sop {
    uint8_t kind;    /* ordo__sop_kind_t */
    uint8_t done;    /* send: completed; receive: arrived */
    uint8_t landing; /* receive: a rendezvous payload is being pulled into dst */
    uint32_t idx;    /* send / receive: its number with this peer in the collective */
    int peer;        /* send / receive: a rank */
    void *dst;       /* receive, copy, reduce */
    const void *src; /* send, copy, reduce */
    size_t len;      /* bytes (reduce: count * element size) */
    struct ordo_coll_req *req;
} ordo__sop_t;

/* The view a collective runs over: the ranks whose failure was not
 * acknowledged, in rank order. */
typedef struct ordo__coll_view {
    int n, pos; /* members, and this rank's place among them */
    int *live;  /* place -> rank */
    int *place; /* rank -> place, -1 for a failed one */
    uint32_t nacked;
    uint64_t hash;
} ordo__coll_view_t;

/* What a request holds inline: schedules this small need no allocation. */
#define ORDO__SCHED_INLINE_OPS    16
#define ORDO__SCHED_INLINE_ROUNDS 8
#define ORDO__SCHED_INLINE_COUNT  32 /* places up to 16 */

struct ordo_coll_req {
    uint32_t magic;
    int family; /* ordo_coll_family_t */
    const char *alg;
    /* The schedule. */
    ordo__sop_t *ops;
    uint32_t nops, cap;
    uint32_t *rend; /* round r's steps end before rend[r] */
    uint32_t nrounds, rcap;
    int open_comm;   /* the last round has a send or receive */
    uint32_t *count; /* per place: sends to it, receives from it, so far */
    ordo_dtype_t dtype;
    ordo_op_t op;
    void *scratch[8];
    size_t scratch_cap[8];
    int nscratch;
    /* Running. */
    uint32_t seq, nacked;
    uint64_t view;
    uint32_t round;   /* the round posted last (nrounds: all done) */
    uint32_t pending; /* sends and receives of that round not done */
    int status;
    int done;
    int aborted;                /* a peer said it failed there (no abort sent back) */
    int build_status;           /* a step that could not be added (no memory) */
    int recycle;                /* never handed to the application: kept for the next one */
    int node;                   /* it has steps of the node's segment (takes no message) */
    unsigned tests;             /* ordo_coll_test calls on it (ordo__sched_seen) */
    struct ordo_coll_req *next; /* in flight, in sequence order */
    ordo__sop_t ops_inline[ORDO__SCHED_INLINE_OPS];
    uint32_t rend_inline[ORDO__SCHED_INLINE_ROUNDS];
    uint32_t count_inline[ORDO__SCHED_INLINE_COUNT];
};

/* The view of the next collective (recomputed after ordo_failure_ack). */
const ordo__coll_view_t *ordo__sched_view(void);

/* A schedule for family f (algorithm alg), empty; NULL: no memory.  One
 * freed request that was never the application's (recycle set) is kept
 * for the next (a blocking collective then allocates nothing). */
struct ordo_coll_req *ordo__sched_new(int family, const char *alg);
/* Steps; peers are places in the view.  Errors are kept for
 * ordo__sched_start (the builders need not check). */
void ordo__sched_send(struct ordo_coll_req *r, int peer, const void *src, size_t len);
void ordo__sched_recv(struct ordo_coll_req *r, int peer, void *dst, size_t len);
void ordo__sched_copy(struct ordo_coll_req *r, void *dst, const void *src, size_t len);
/* dst = dst (op) src, len bytes of r's dtype. */
void ordo__sched_reduce(struct ordo_coll_req *r, void *dst, const void *src, size_t len);
void ordo__sched_round(struct ordo_coll_req *r);
/* A step of the node's segment (node.h: kind ORDO__NODE_*, root a place;
 * src and dst len bytes, dst NULL where nothing is copied out). */
void ordo__sched_node(struct ordo_coll_req *r, unsigned kind, int root, void *dst, const void *src,
                      size_t len);
/* len bytes of scratch memory freed with the schedule (NULL: no memory,
 * also kept for ordo__sched_start). */
void *ordo__sched_scratch(struct ordo_coll_req *r, size_t len);

/* r runs without the node's segment and waits: does a rank of the node
 * run it through the segment (ordo__node_seen_in)?  Then r fails (1).  A
 * waiting rank asks every ORDO__COLL_SEEN_MS (ordo__sched_wait's timer), a caller of
 * ordo_coll_test every ORDO__COLL_SEEN_TESTS-th call: not at every poll, the hot path,
 * for a mismatch that is rare. */
#define ORDO__COLL_SEEN_MS    2u
#define ORDO__COLL_SEEN_TESTS 256u
int ordo__sched_seen(struct ordo_coll_req *r);
/* Start r (takes the next sequence number of the view) and post its first
 * round.  Under the runtime lock, not in a handler.  On an error r is
 * freed. */
int ordo__sched_start(struct ordo_coll_req *r);
/* Advance every collective in flight whose round has ended. */
void ordo__sched_progress(void);
/* Wait for r until deadline_ns (UINT64_MAX: while the peers live), warning
 * every ORDO_TIMEOUT_MS about the live rank it waits for; then free it.  A
 * collective that times out fails (ORDO_ERR_TIMEOUT). */
int ordo__sched_wait(struct ordo_coll_req *r, uint64_t deadline_ns);
void ordo__sched_free(struct ordo_coll_req *r);
/* Free the kept request (the module's end). */
void ordo__sched_spare_free(void);

/* The engine's part of the module: its handler, and what a failure does. */
int ordo__sched_init(void);
void ordo__sched_fini(void);
void ordo__sched_peer_failed(int peer, int status);

/* Reductions (op.c): dst = dst (op) src over count elements of t; and
 * dst = a (op) b, where dst overlaps neither a nor b. */
int ordo__coll_op_check(ordo_op_t op, ordo_dtype_t t);
void ordo__coll_op_apply(ordo_op_t op, ordo_dtype_t t, void *dst, const void *src, size_t count);
void ordo__coll_op_combine(ordo_op_t op, ordo_dtype_t t, void *dst, const void *a, const void *b,
                           size_t count);

#endif
