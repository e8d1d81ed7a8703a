/*
 * node_phase.c - the moves every step of the node's segment is made of
 * (node.c has the steps, node_direct.c and node_map.c their single-copy
 * parts): arriving at a phase and waiting for every rank's arrival,
 * publishing a phase's result and seeing it, a rank's slot and the checks
 * that the ranks called the same collective; and how a rank waits on the
 * segment (polling, then a futex).
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/node_int.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/rt.h"
#include "runtime/timer.h"

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- arrivals, publications, slots ------------------------------------------------ */

static uint64_t arrived(void)
{
    return atomic_load_explicit(&ordo__node.h->arrive.v, memory_order_acquire);
}

/* Wait for every rank's arrival at phase q (ST_WAIT), or ORDO_OK. */
int ordo__node_all_arrived(uint64_t q)
{
    uint64_t a = arrived();
    return a < q * (uint64_t)ordo__node.n ? ordo__node_wait_on(&ordo__node.h->arrive.v, a)
                                          : ORDO_OK;
}

uint64_t ordo__node_arrive(void)
{
    uint64_t prev = atomic_fetch_add(&ordo__node.h->arrive.v, 1);
    if ((prev + 1) % (uint64_t)ordo__node.n == 0) /* a phase complete: its sleepers go on */
        ordo__node_wake(&ordo__node.h->arrive.v);
    return prev;
}

void ordo__node_publish(uint64_t q, const struct ordo_coll_req *r, uint64_t len, int status,
                        unsigned mode)
{
    pub_t *p = &ordo__node.h->pub[q % 2];
    p->status = status;
    p->family = (uint32_t)r->family;
    p->seq = r->seq;
    p->len = len;
    p->mode = mode;
    atomic_store(&p->q, q);
    ordo__node_wake(&p->q);
}

/* 1 if phase q's result is out; else the step waits on its word. */
int ordo__node_published(uint64_t q)
{
    uint64_t v = atomic_load_explicit(&ordo__node.h->pub[q % 2].q, memory_order_acquire);
    if (v == q)
        return 1;
    (void)ordo__node_wait_on(&ordo__node.h->pub[q % 2].q, v);
    return 0;
}

static void say_mismatch(const struct ordo_coll_req *r, const char *what)
{
    ordo_log_error("%s (shm), collective %u: the ranks called it with different %s",
                   ordo_coll_family_name((ordo_coll_family_t)r->family), r->seq, what);
}

/* A non-root rank's check of a publication. */
int ordo__node_pub_matches(uint64_t q, const struct ordo_coll_req *r, uint64_t len)
{
    const pub_t *p = &ordo__node.h->pub[q % 2];
    if (p->status != ORDO_OK)
        return p->status;
    if (p->family != (uint32_t)r->family || p->len != len || p->seq != r->seq) {
        say_mismatch(r, "collectives or sizes");
        return ORDO_ERR_INVALID;
    }
    return ORDO_OK;
}

/* Every slot holds the same call (the ranks' arguments agree). */
int ordo__node_slots_match(const struct ordo_coll_req *r)
{
    const slot_hdr_t *mine = slot_hdr(ordo__node.pos);
    for (int p = 0; p < ordo__node.n; p++) {
        const slot_hdr_t *o = slot_hdr(p);
        if (o->len != mine->len || o->family != mine->family || o->seq != mine->seq ||
            o->dtype != mine->dtype || o->op != mine->op) {
            say_mismatch(r, "collectives, sizes, datatypes or operations");
            ordo_log_debug("place %d: %llu bytes, family %u, collective %u, datatype %d, op %d; "
                           "place %d: %llu, %u, %u, %d, %d",
                           ordo__node.pos, (unsigned long long)mine->len, mine->family, mine->seq,
                           mine->dtype, mine->op, p, (unsigned long long)o->len, o->family, o->seq,
                           o->dtype, o->op);
            return ORDO_ERR_INVALID;
        }
    }
    return ORDO_OK;
}

/* This rank's slot: the call's arguments, and a chunk of its data but bytes
 * [skip_lo, skip_hi), which only this rank reads (from its own buffer). */
void ordo__node_fill_slot(const ordo__sop_t *s, size_t clen, size_t skip_lo, size_t skip_hi)
{
    slot_hdr_t *h = slot_hdr(ordo__node.pos);
    const unsigned char *src = (const unsigned char *)s->src + ordo__node.off;
    h->len = s->len;
    __atomic_store_n(&h->seq, s->req->seq, __ATOMIC_RELAXED); /* ordo__node_waited reads it */
    h->family = (uint32_t)s->req->family;
    h->dtype = (int32_t)s->req->dtype;
    h->op = (int32_t)s->req->op;
    if (skip_lo)
        memcpy(slot_data(ordo__node.pos), src, skip_lo);
    if (clen > skip_hi)
        memcpy(slot_data(ordo__node.pos) + skip_hi, src + skip_hi, clen - skip_hi);
}

/* Offer len bytes at buf (ordo_mem_alloc memory) to the node's ranks: register
 * them and put their address and remote key in this rank's slot (1, *mem
 * holds the registration), or clear the slot's key (0: not such memory, or
 * a key longer than a chunk). */
int ordo__node_offer_key(const void *buf, size_t len, ordo__tl_mem_t **mem)
{
    const ordo__tl_ops_t *tl = ordo__rt.tl_ops;
    slot_hdr_t *mine = slot_hdr(ordo__node.pos);
    const void *rkey;
    size_t rkey_len;
    mine->rkey_len = 0;
    *mem = NULL;
    if (!len || !tl->mem_is_alloc || !tl->mem_is_alloc(ordo__rt.tl, buf, len) ||
        tl->mem_reg(ordo__rt.tl, (void *)buf, len, mem, &rkey, &rkey_len) != ORDO_OK)
        return 0;
    if (rkey_len > ordo__node.chunk) {
        tl->mem_release(ordo__rt.tl, *mem);
        *mem = NULL;
        return 0;
    }
    memcpy(slot_data(ordo__node.pos), rkey, rkey_len);
    mine->addr = (uint64_t)(uintptr_t)buf;
    mine->rkey_len = (uint32_t)rkey_len;
    return 1;
}

/* ---- waiting: polled, or asleep on a futex --------------------------------------- */

static long futex(_Atomic uint64_t *word, int op, uint32_t val, const struct timespec *ts)
{
    /* The low half of the counter (x86-64 and the other little-endian
     * hosts ordo builds on): it changes whenever the counter does. */
    return syscall(SYS_futex, (uint32_t *)(void *)word, op, val, ts, NULL, 0);
}

void ordo__node_wake(_Atomic uint64_t *word)
{
    if (atomic_load(&ordo__node.h->sleepers.v))
        (void)futex(word, FUTEX_WAKE, INT_MAX, NULL);
}

int ordo__node_wait_on(_Atomic uint64_t *word, uint64_t v)
{
    ordo__node.wait_word = word;
    ordo__node.wait_val = (uint32_t)v;
    return ST_WAIT;
}

/* Poll (yielding) while the head step waits on its word, for up to
 * POLL_FIRST_NS with ORDO_WAIT=yield (a futex's sleep and wake-up cost more
 * than a few turns of the core: measured on 2 cores, 4 ranks, an 8 B
 * allreduce took 18-20 us sleeping at once against 7-10 us polling), then
 * sleep on it (with ORDO_WAIT=block at once), at most until deadline_ns and
 * never longer than SLEEP_MAX_NS (then progress: messages for this rank, a
 * failure the detector found). */
#define POLL_FIRST_NS 200000u
#define SLEEP_MAX_NS  1000000u

int ordo__node_wait_until(int (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
    uint64_t start = 0;
    for (;;) {
        if (done(arg))
            return ORDO_OK;
        ordo__node.wait_word = NULL;
        ordo__progress();
        if (done(arg))
            return ORDO_OK;
        uint64_t now = ordo__now_ns();
        start = start ? start : now;
        if (deadline_ns && now >= deadline_ns)
            return ORDO_ERR_TIMEOUT;
        if (!ordo__node.steps.count || !ordo__node.wait_word) {
            /* Not (or no longer) waiting on the segment: the runtime's wait. */
            return ordo__wait_until(done, arg, deadline_ns);
        }
        if (ordo__rt.wait_mode == ORDO__WAIT_YIELD && now - start < POLL_FIRST_NS) {
            sched_yield();
            continue;
        }
        uint64_t left = deadline_ns ? deadline_ns - now : SLEEP_MAX_NS;
        uint64_t next = ordo__timer_next_ns();
        if (next != UINT64_MAX)
            left = next > now ? (next - now < left ? next - now : left) : 0;
        if (left > SLEEP_MAX_NS)
            left = SLEEP_MAX_NS;
        struct timespec ts = {0, (long)left};
        atomic_fetch_add(&ordo__node.h->sleepers.v, 1);
        (void)futex(ordo__node.wait_word, FUTEX_WAIT, ordo__node.wait_val, &ts);
        atomic_fetch_sub(&ordo__node.h->sleepers.v, 1);
    }
}
