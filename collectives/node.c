/*
 * node.c - the protocol of the node's shared segment (node.h): its steps.
 *
 * The segment: a header, two result buffers res[0], res[1] of one chunk,
 * and a slot of one chunk per rank.  One counter, arrive, counts every
 * rank's arrivals at every phase; phases are numbered from 1 in the order
 * every rank runs its shm steps, so phase q is complete when arrive reaches
 * q * n.  A phase q writes res[q % 2] only once every rank has arrived at
 * q - 1, and a rank reads res[q % 2] before it arrives at q + 1, so two
 * buffers are enough for any mix of the steps:
 *
 *   bcast      the root waits for phase q - 1, copies a chunk into
 *              res[q % 2], publishes q (pub[q % 2]), arrives and goes on;
 *              every other rank waits for the publication, copies the
 *              chunk out and arrives
 *   direct     the whole payload in phase q, the root's choice from its
 *   bcast      buffer (node_direct.c): the root publishes where its buffer
 *              is (its slot) and arrives; every other rank reads the
 *              buffer from there (a get of ordo_mem_alloc memory, or
 *              process_vm_readv) and arrives; the root returns once all
 *              have
 *   reduce,    small (n * chunk <= SERIAL_MAX): each rank copies its chunk
 *   allreduce  into its slot and arrives; the last to arrive reduces the
 *              slots in place order into res[q % 2] and publishes q; every
 *              rank copies the result out (reduce: the root only)
 *              large: two phases; after the first every rank reduces its
 *              1/n of the chunk over all slots into res[(q + 1) % 2] and
 *              arrives again; after the second each copies the chunk out
 *   allgather  n blocks that fit in one chunk: as the small reduction, the
 *              last to arrive copying the slots side by side into
 *              res[q % 2] instead of reducing them
 *   alltoall   n * n blocks that fit in one chunk: each slot holds a rank's
 *              n blocks; the last to arrive lays them out by destination,
 *              each rank copies its n out
 *
 * Every slot carries the call's arguments (bytes, family, datatype,
 * operation), and a publication the bytes and family: ranks that called
 * with different arguments fail with ORDO_ERR_INVALID, as the message
 * algorithms do.  No reduction step ends before every rank has arrived at
 * its last phase, and a rank that finds a mismatch marks the segment broken
 * (with the collective's number) before it arrives there, so a reduction
 * that ends well was well on every rank; a bcast ends at the root once it
 * has published and at the others once they have copied out (a rank that
 * called another collective fails; the root learns of it at its next shm
 * step, in the reset).  A step
 * cut short (a mismatch, a failed peer, a timeout) leaves the counter out
 * of step: that collective fails on every rank with the mark's status, and
 * each rank's next shm step first meets the others in a reset (a counter of
 * its own: the last to come zeroes the segment's counters and opens a new
 * epoch), then runs from the start; a step of a later collective that had
 * begun before the mark runs again after the reset.  Ranks may complete a
 * reset in different collectives (one that joined it in a collective that
 * then failed elsewhere comes back in its next): in an epoch's first phase
 * a bcast's root waits until every rank has come to its collective.
 *
 * Waiting: the head step is tried again from the collectives' progress; a
 * rank blocked in a collective whose ranks share cores polls for a while,
 * then sleeps on the word its step waits for (node_phase.c).
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/node_int.h"
#include "collectives/sched_int.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- the steps ------------------------------------------------------------------- */

/* Let go of what the head step holds: a get running into the caller's
 * buffer (waited for), registrations, peers' memory mapped here. */
static void step_end(void)
{
    ordo__node_direct_end();
    ordo__node_map_end();
}

static void mark_broken(uint32_t seq, int status)
{
    uint64_t zero = 0, mark = (uint64_t)seq << 8 | (uint64_t)(-status & 0xff);
    if (atomic_compare_exchange_strong(&ordo__node.h->broken.v, &zero, mark))
        ordo_log_info("collectives: shm collective %u ended early (%s); every rank meets the "
                      "others in a reset at its next shm collective",
                      seq, ordo_strerror(status));
}

/* This rank has come to s's collective, if only to wait in a reset: a
 * rank that runs it without the segment sees so (ordo__node_seen_in). */
static void came_to(const ordo__sop_t *s)
{
    __atomic_store_n(&slot_hdr(ordo__node.pos)->seq, s->req->seq, __ATOMIC_RELAXED);
}

/* Before and while a step runs: ORDO_OK to go on, ST_WAIT while this rank
 * waits in a reset (the step then runs from the start), or the status of a
 * mark on this step's collective (or an earlier one). */
static int check_broken(ordo__sop_t *s)
{
    uint64_t n = (uint64_t)ordo__node.n;
    if (ordo__node.joined) {
        if (atomic_load_explicit(&ordo__node.h->epoch.v, memory_order_acquire) ==
            ordo__node.join_epoch) {
            came_to(s); /* a later collective than the one it joined at, maybe */
            return ordo__node_wait_on(&ordo__node.h->epoch.v, ordo__node.join_epoch);
        }
        ordo__node.joined = 0;
        ordo__node.q = 0;
        ordo__node.direct_n = 0;
        ordo__node.cq = 1;
        ordo__node.st = 0;
        ordo__node.off = 0;
        /* On to a mark made since: a rank that joined the reset in a
         * collective that then failed comes back in a later one, after
         * others may have failed one of the new epoch. */
    }
    uint64_t b = atomic_load_explicit(&ordo__node.h->broken.v, memory_order_acquire);
    if (!b)
        return ORDO_OK;
    if ((int32_t)(s->req->seq - (uint32_t)(b >> 8)) <= 0)
        return -(int)(b & 0xff); /* this collective failed: on every rank */
    step_end();                  /* the step runs again from the start */
    came_to(s);
    ordo__node.joined = 1;
    ordo__node.join_epoch = atomic_load_explicit(&ordo__node.h->epoch.v, memory_order_acquire);
    if (atomic_fetch_add_explicit(&ordo__node.h->reset.v, 1, memory_order_acq_rel) ==
        (ordo__node.join_epoch + 1) * n - 1) { /* the last: nobody arrives at a phase now */
        atomic_store_explicit(&ordo__node.h->arrive.v, 0, memory_order_relaxed);
        atomic_store_explicit(&ordo__node.h->pub[0].q, 0, memory_order_relaxed);
        atomic_store_explicit(&ordo__node.h->pub[1].q, 0, memory_order_relaxed);
        atomic_store_explicit(&ordo__node.h->broken.v, 0, memory_order_relaxed);
        atomic_store_explicit(&ordo__node.h->reads.v, 0, memory_order_relaxed);
        atomic_store(&ordo__node.h->epoch.v, ordo__node.join_epoch + 1);
        ordo__node_wake(&ordo__node.h->epoch.v);
    }
    return check_broken(s);
}

/* A bcast's root in the first phase of an epoch (after a reset, or the
 * job's first): ORDO_OK once every rank has come to its collective (each
 * writes the collective's number into its slot as it starts that phase),
 * ST_WAIT while some are still on their way from an earlier one,
 * ORDO_ERR_INVALID if one has come to a later one (no receiver passes the
 * root's collective before the root has published: this call was not
 * every rank's through the segment).  The ranks that complete a reset may
 * have joined it in different collectives, one of which then failed on
 * some: without this the root ran its bcast in the new epoch alone (it
 * publishes and returns) and the others took its phase for their next
 * shm collective's.  The other steps need every rank's arrival anyway. */
static int all_came(const ordo__sop_t *s)
{
    uint32_t seq = s->req->seq;
    for (int p = 0; p < ordo__node.n; p++) {
        uint32_t o = __atomic_load_n(&slot_hdr(p)->seq, __ATOMIC_RELAXED);
        if (p == ordo__node.pos || o == seq)
            continue;
        if (o != UINT32_MAX && (int32_t)(o - seq) > 0) {
            ordo_log_error("%s (shm), collective %u: rank %d has come to collective %u (the "
                           "ranks called it with different arguments)",
                           ordo_coll_family_name((ordo_coll_family_t)s->req->family), seq, p, o);
            return ORDO_ERR_INVALID;
        }
        return ST_WAIT; /* polled: the slot's word is not a futex's */
    }
    return ORDO_OK;
}

/* Place p's chunk: this rank's in its own buffer (src), another's mapped
 * where it is (node_map.c) or in its slot. */
static const unsigned char *chunk_of(const ordo__sop_t *s, int p)
{
    if (p == ordo__node.pos && s)
        return (const unsigned char *)s->src + ordo__node.off;
    return ordo__node.peer_in[p] ? ordo__node.peer_in[p] + ordo__node.off : slot_data(p);
}

/* dst = slot 0 (op) slot 1 (op) ... over elements [lo, hi) of the chunk;
 * this rank's own elements from its buffer when s is given.  A block of dst
 * at a time takes every slot, so that it stays in the first-level cache
 * (the order of the operations is the slots' all the same). */
#define REDUCE_BLOCK 8192

static void reduce_slots(const struct ordo_coll_req *r, const ordo__sop_t *s, unsigned char *dst,
                         size_t lo, size_t hi)
{
    size_t esize = ordo_dtype_size(r->dtype), step = REDUCE_BLOCK / esize;
    if (hi <= lo)
        return;
    if (ordo__node.n == 1) {
        memcpy(dst + lo * esize, chunk_of(s, 0) + lo * esize, (hi - lo) * esize);
        return;
    }
    for (size_t b = lo; b < hi; b += step) {
        size_t e = hi - b < step ? hi - b : step, at = b * esize;
        ordo__coll_op_combine(r->op, r->dtype, dst + at, chunk_of(s, 0) + at, chunk_of(s, 1) + at,
                              e);
        for (int p = 2; p < ordo__node.n; p++)
            ordo__coll_op_apply(r->op, r->dtype, dst + at, chunk_of(s, p) + at, e);
    }
}

/* The bcast: the root chooses at the start of the payload how it goes
 * (node_direct.c), then, through the segment, waits for phase q - 1,
 * copies a chunk into res[q % 2], publishes and goes on; every other rank
 * follows the publication.  *clen: the bytes this phase moved. */
static int bcast_step(ordo__sop_t *s, size_t *clen)
{
    uint64_t q = ordo__node.cq;
    unsigned char *buf = s->dst;
    if (ordo__node.pos == s->peer) {
        if (ordo__node.st == 0) {
            if (ordo__node_all_arrived(q - 1) == ST_WAIT)
                return ST_WAIT;
            int came = ordo__node.q == 0 ? all_came(s) : ORDO_OK;
            if (came != ORDO_OK)
                return came;
            ordo__node.mode = ordo__node.off ? BCAST_SEG : ordo__node_direct_mode(s);
        }
        if (ordo__node.mode != BCAST_SEG) {
            *clen = s->len;
            return ordo__node_direct_step(s, ordo__node.mode);
        }
        if (*clen)
            memcpy(res_buf(q), buf + ordo__node.off, *clen);
        ordo__node_fill_slot(s, 0, 0, 0); /* for a reduction's last rank in a wrong program */
        ordo__node_publish(q, s->req, s->len, ORDO_OK, BCAST_SEG);
        ordo__node_arrive();
        /* Done: the others copy out before they arrive at q, and nothing
         * writes res[q % 2] again before all have (as Open MPI's eager root
         * returns once it has sent).  A receiver that finds a mismatch fails
         * there; the root learns of it at its next shm collective (a reset). */
        return ORDO_OK;
    }
    if (ordo__node.st == 0 && !ordo__node_published(q))
        return ST_WAIT;
    unsigned mode = ordo__node.h->pub[q % 2].mode;
    if (mode != BCAST_SEG) {
        *clen = s->len;
        return ordo__node_direct_step(s, mode);
    }
    ordo__node_fill_slot(s, 0, 0, 0);
    int status = ordo__node_pub_matches(q, s->req, s->len);
    if (status == ORDO_OK && *clen)
        memcpy(buf + ordo__node.off, res_buf(q), *clen);
    ordo__node_arrive();
    return status;
}

/* The allgather's and the alltoall's last rank: the blocks side by side,
 * by destination (alltoall: rank d's n blocks at d * n blocks, from place
 * 0 on); this rank's from its own buffer (its slot holds a copy). */
static void gather_slots(const ordo__sop_t *s, unsigned char *dst)
{
    size_t n = (size_t)ordo__node.n, len = s->len;
    for (size_t p = 0; p < n; p++) {
        const unsigned char *in = p == (size_t)ordo__node.pos ? s->src : slot_data((int)p);
        if (s->idx == ORDO__NODE_ALLGATHER)
            memcpy(dst + len * p, in, len);
        else
            for (size_t d = 0; d < n; d++)
                memcpy(dst + len * (d * n + p), in + len * d, len);
    }
}

/* Step s is an allgather or an alltoall: one phase, the last rank lays
 * the slots out (gather_slots). */
static int gathers(const ordo__sop_t *s)
{
    return s->idx == ORDO__NODE_ALLGATHER || s->idx == ORDO__NODE_ALLTOALL;
}

/* The bytes a rank's slot holds of step s's chunk of clen: an alltoall's
 * are n blocks. */
static size_t slot_bytes(const ordo__sop_t *s, size_t clen)
{
    return s->idx == ORDO__NODE_ALLTOALL ? clen * (size_t)ordo__node.n : clen;
}

static void copy_out(const ordo__sop_t *s, uint64_t q, size_t clen)
{
    const unsigned char *res = res_buf(q);
    if (gathers(s)) /* one phase: every block (allgather), this rank's n (alltoall) */
        clen *= (size_t)ordo__node.n;
    if (s->idx == ORDO__NODE_ALLTOALL)
        res += clen * (size_t)ordo__node.pos;
    if (s->dst && clen)
        memcpy((unsigned char *)s->dst + ordo__node.off, res, clen);
}

/* Reduce and allreduce, one rank reducing (one phase). */
static int serial_chunk(ordo__sop_t *s, size_t clen)
{
    uint64_t q = ordo__node.cq, n = (uint64_t)ordo__node.n;
    const struct ordo_coll_req *r = s->req;
    if (ordo__node.st == 0) {
        ordo__node_fill_slot(s, slot_bytes(s, clen), 0, 0);
        ordo__node.st = 1;
        if (ordo__node_arrive() == q * n - 1) { /* the last: every slot is in */
            int status = ordo__node_slots_match(r);
            if (status == ORDO_OK && gathers(s))
                gather_slots(s, res_buf(q));
            else if (status == ORDO_OK)
                reduce_slots(r, NULL, res_buf(q), 0, clen / ordo_dtype_size(r->dtype));
            ordo__node_publish(q, r, s->len, status, BCAST_SEG);
        }
    }
    if (!ordo__node_published(q))
        return ST_WAIT;
    int status =
        ordo__node_pub_matches(q, r, s->len); /* a bcast's, if the ranks called different ones */
    if (status == ORDO_OK)
        copy_out(s, q, clen);
    return status;
}

/* Reduce and allreduce, every rank reducing its share (two phases).  A
 * rank's own share of its data stays in its buffer: only it reads that. */
static int sliced_chunk(ordo__sop_t *s, size_t clen)
{
    uint64_t q = ordo__node.cq;
    const struct ordo_coll_req *r = s->req;
    size_t esize = ordo_dtype_size(r->dtype), count = clen / esize;
    size_t lo = ordo__coll_chunk_lo(count, ordo__node.n, ordo__node.pos),
           hi = ordo__coll_chunk_lo(count, ordo__node.n, ordo__node.pos + 1);
    if (ordo__node.st == 0) {
        if (ordo__node_map_offer(s))
            ordo__node_fill_slot(s, 0, 0, 0); /* the others read it where it is */
        else
            ordo__node_fill_slot(s, clen, lo * esize, hi * esize);
        ordo__node_arrive();
        ordo__node.st = 1;
    }
    if (ordo__node.st == 1) {
        if (ordo__node_all_arrived(q) == ST_WAIT)
            return ST_WAIT;
        int status = ordo__node_slots_match(r);
        if (status == ORDO_OK)
            status = ordo__node_map_peers(s);
        if (status != ORDO_OK)
            return status; /* every rank finds a mismatch: the same slots */
        reduce_slots(r, s, res_buf(q + 1), lo, hi);
        ordo__node_arrive();
        ordo__node.st = 2;
    }
    if (ordo__node_all_arrived(q + 1) == ST_WAIT)
        return ST_WAIT;
    copy_out(s, q + 1, clen);
    return ORDO_OK;
}

/* Advance the head step: ORDO_OK when it is done, ST_WAIT, or a failure. */
static int run_step(ordo__sop_t *s)
{
    for (;;) {
        int status = check_broken(s);
        if (status != ORDO_OK)
            return status;
        if (ordo__node.q == 0 && ordo__node.off == 0 && ordo__node.st == 0)
            came_to(s); /* the first phase of an epoch: a bcast's root waits for it */
        size_t clen =
            s->len - ordo__node.off < ordo__node.chunk ? s->len - ordo__node.off : ordo__node.chunk;
        int phases = 1;
        if (s->idx == ORDO__NODE_BCAST) {
            status = bcast_step(s, &clen);
        } else if (gathers(s) || serial_bytes(ordo__node.n, s->len)) {
            status = serial_chunk(s, clen);
        } else {
            status = sliced_chunk(s, clen);
            phases = 2;
        }
        if (status == ST_WAIT)
            return ST_WAIT;
        if (status != ORDO_OK) {
            mark_broken(s->req->seq, status);
            return status;
        }
        /* A mark made while this chunk ran: it runs again after the reset,
         * or (this collective's mark) fails. */
        if ((status = check_broken(s)) != ORDO_OK)
            return status;
        ordo__node.q = ordo__node.cq + (uint64_t)phases - 1;
        ordo__node.cq = ordo__node.q + 1;
        ordo__node.st = 0;
        ordo__node.off += clen;
        if (ordo__node.off >= s->len)
            return ORDO_OK; /* a call of 0 bytes is one phase too: its arguments are checked */
    }
}

int ordo__node_post(ordo__sop_t *s)
{
    if (!ordo__node.h)
        return ORDO_ERR_INTERNAL;
    if (!ordo__node.steps.count) {
        ordo__node.cq = ordo__node.q + 1;
        ordo__node.st = 0;
        ordo__node.off = 0;
    }
    return ordo__fifo_push(&ordo__node.steps, &s);
}

static ordo__sop_t *head_step(void)
{
    return *(ordo__sop_t **)ordo__fifo_at(&ordo__node.steps, 0);
}

static void pop(void)
{
    step_end();
    ordo__fifo_pop(&ordo__node.steps, NULL);
    ordo__node.cq = ordo__node.q + 1;
    ordo__node.st = 0;
    ordo__node.off = 0;
}

int ordo__node_progress(void)
{
    while (ordo__node.steps.count) {
        ordo__sop_t *s = head_step();
        int status = run_step(s);
        if (status == ST_WAIT)
            return 1;
        pop();
        if (status != ORDO_OK && s->req->status == ORDO_OK)
            s->req->status = status;
        ordo__sched_step_done(s->req, s);
    }
    return 0;
}

int ordo__node_waited(const ordo__sop_t *s)
{
    if (!ordo__node.h || !ordo__node.steps.count || head_step() != s)
        return -1;
    int receiver = s->idx == ORDO__NODE_BCAST && ordo__node.pos != s->peer;
    for (int p = 0; p < ordo__node.n; p++) {
        if (p == ordo__node.pos || (receiver && p != s->peer))
            continue; /* a bcast's receiver waits for the root only */
        if (__atomic_load_n(&slot_hdr(p)->seq, __ATOMIC_RELAXED) != s->req->seq)
            return p;
    }
    return -1;
}

int ordo__node_seen_in(const struct ordo_coll_req *r, int n)
{
    /* Over a view a failure shrank the collectives are numbered afresh and
     * none runs through the segment: its slots say nothing then. */
    if (!ordo__node_usable(n))
        return ORDO_OK;
    for (int p = 0; p < ordo__node.n; p++) {
        if (p == ordo__node.pos || __atomic_load_n(&slot_hdr(p)->seq, __ATOMIC_RELAXED) != r->seq)
            continue;
        ordo_log_error("%s (%s), collective %u: rank %d runs it through the node's segment (the "
                       "ranks called it with different arguments)",
                       ordo_coll_family_name((ordo_coll_family_t)r->family), r->alg, r->seq, p);
        mark_broken(r->seq, ORDO_ERR_INVALID);
        return ORDO_ERR_INVALID;
    }
    return ORDO_OK;
}

static int step_of(const void *item, void *r)
{
    return (*(ordo__sop_t *const *)item)->req == r;
}

void ordo__node_cancel(const struct ordo_coll_req *r)
{
    if (!ordo__node.steps.count)
        return;
    int head_left = head_step()->req == r;
    if (!ordo__fifo_remove(&ordo__node.steps, step_of, (void *)r))
        return;
    /* A step that did not end: the other ranks wait for arrivals of ours
     * that will not come, or have come without the rest. */
    mark_broken(r->seq, r->status != ORDO_OK ? r->status : ORDO_ERR_INTERNAL);
    if (head_left) {
        step_end();
        ordo__node.cq = ordo__node.q + 1;
        ordo__node.st = 0;
        ordo__node.off = 0;
    }
}
