/*
 * node.h - the node's shared segment, and the collectives that run through
 * it when every member of the view is on one host (the "shm" algorithms):
 * one mapping per rank of the same POSIX shared memory, made at start-up,
 * so a small allreduce is a copy in, one atomic add and a copy out, with no
 * message at all.  node.c has the protocol; the schedule engine runs its
 * steps (SOP_NODE) as it runs sends and receives.
 */
#ifndef ORDO_COLLECTIVES_NODE_H
#define ORDO_COLLECTIVES_NODE_H

#include "collectives/algs.h"
#include "collectives/sched.h"

#include <stddef.h>

/* What a SOP_NODE step does (its idx). */
enum {
    ORDO__NODE_BCAST,
    ORDO__NODE_REDUCE,
    ORDO__NODE_ALLREDUCE,
    ORDO__NODE_BARRIER,
    ORDO__NODE_ALLGATHER,
    ORDO__NODE_ALLTOALL
};

/* Map the segment (collective, at start-up: every rank or none; none when
 * the job spans hosts, ORDO_COLL_SHM_CHUNK is 0 or a rank fails to map
 * it).  Measures the cost of handing a cache line to another rank. */
int ordo__node_init(void);
void ordo__node_fini(void);
/* The shm algorithms can run over n members: the segment is mapped and n
 * is the whole job (a view shrunk by a failure goes back to messages).
 * Every rank gets the same answer. */
int ordo__node_usable(int n);
/* The chunk the segment moves at once (bytes), and the measured cost of a
 * cache line handed between two ranks (us). */
size_t ordo__node_chunk(void);
double ordo__node_line_us(void);
/* What a step that needs every rank of the node to run once costs (us,
 * measured at start-up; 0 without a segment): with more ranks than PUs, a
 * turn of each on its PU. */
double ordo__node_pass_us(void);

/* The predicted time of a shm step of kind over n ranks (INFINITY where
 * the segment cannot serve them): per chunk, a phase costs a pass (the
 * last arrival, the others seeing it; two for the two phases of a large
 * reduction, half for a bcast's first chunk), plus the copies and
 * reductions. */
double ordo__node_cost(const ordo__coll_cost_t *m, int n, size_t bytes, unsigned kind);
/* Build a shm step for a's call (the family's algorithm entry). */
int ordo__node_build(struct ordo_coll_req *r, const ordo__coll_args_t *a, unsigned kind);

/* The engine's side: a posted step waits its turn (steps run one after
 * another, in the order they were posted, which is the collectives' order
 * on every rank); progress advances them and completes them through
 * ordo__sched_step_done.  1 while a step is pending. */
int ordo__node_post(ordo__sop_t *s);
int ordo__node_progress(void);
/* ordo__wait_until for a collective whose step of the segment is pending,
 * with ranks sharing cores (ORDO_WAIT yield or block): between polls the
 * rank sleeps on the word its step waits for (a futex the rank that changes
 * it wakes), so a waiting rank takes no turn of the core from the ranks it
 * waits for. */
int ordo__node_wait_until(int (*done)(void *arg), void *arg, uint64_t deadline_ns);
/* Its steps may sleep (ranks share the cores). */
int ordo__node_sleeps(void);
/* A rank that step s (posted, not done) waits for and that has not come to
 * its collective yet, or -1 (for the slow-rank warning). */
int ordo__node_waited(const ordo__sop_t *s);
/* r runs here without the segment, over a view of n members: ORDO_OK, or
 * ORDO_ERR_INVALID (said, and the segment marked so that the ranks in it
 * fail too) if a rank of the node runs r's collective through the segment:
 * the ranks' arguments differ, so their choices of algorithm did.  Without
 * it each side could wait for the other for ever: a linear root only
 * receives at first, a segment's rank sends nothing.  Nothing to see over a
 * view a failure shrank (n short of the node). */
int ordo__node_seen_in(const struct ordo_coll_req *r, int n);
/* r ended (failed, or done): its steps leave the queue; one that had begun
 * leaves the segment out of step with the other ranks, which is marked so
 * that every rank's next shm collective fails at once instead of waiting. */
void ordo__node_cancel(const struct ordo_coll_req *r);

#endif
