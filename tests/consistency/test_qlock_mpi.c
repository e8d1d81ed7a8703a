/*
 * test_qlock_mpi.c - quorum locks on 5 ranks:
 *
 *   bad input      N = 0, N > ranks, NULL handles and outputs, a lease of 0,
 *                  a release by a rank that does not hold the lock
 *                  (ORDO_ERR_NOT_HELD), an acquire by the holder
 *                  (ORDO_ERR_INVALID), a destroyed or made-up handle: each
 *                  refused, and the lock works on as before; messages no
 *                  client sends (short, long, bad op, attempt 0, lease 0
 *                  or over a day, token 0, unknown lock) refused by a
 *                  replica with ORDO_ERR_MSG or ORDO_ERR_INVALID
 *   mutual         every rank, ITER times: acquire (N = 5), read a counter
 *   exclusion      in a quorum register, write it + 1 with the fencing
 *                  token, release.  Each rank records (token, when it had
 *                  the lock, when it let go) in real time (CLOCK_REALTIME,
 *                  one clock on one node) into a shared SC object; rank 0
 *                  checks that the counter is the number of acquisitions
 *                  (no update lost), that no two intervals overlap and that
 *                  tokens grow with time
 *   fencing        rank 1 takes a lease of 200 ms and writes with its token
 *                  t1, then sleeps in usleep (no progress) past the lease;
 *                  rank 2 gets the lock meanwhile (t2 > t1) and writes with
 *                  t2; rank 1's late write with t1 is refused
 *                  (ORDO_ERR_FENCED) and the register keeps rank 2's value
 *
 *   short lease    a lease of 1 us can never be had: the acquire retries
 *                  (each attempt committed too late is let go) and ends
 *                  with ORDO_ERR_TIMEOUT, never with a lease already over
 *                  (on 3 ranks or more)
 *
 * The argument selects: "all" (default, but the short lease), "mutex"
 * (the mutual exclusion alone, for the history check of
 * qlock_history_np5.sh: a lease left to run out, as the fencing test does
 * on purpose, is no mutex's history), "short-lease" (under a short
 * ORDO_TIMEOUT_MS).
 */
#include "../ordo_test.h"

#include "consistency/qlock.h"
#include "runtime/rt.h"
#include "../raw_call.h"

#include <ordo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NRANKS    5
#define ITER      50
#define LONG_US   (10 * 1000000ull) /* a lease nobody outlives here */
#define SHORT_US  (200 * 1000ull)   /* the fencing test's */
#define MAX_RANKS 64

static int me, n;
static int short_lease; /* the short-lease run: 3 ranks are enough */

typedef struct rec {
    uint64_t token, t_acq, t_rel; /* ns, CLOCK_REALTIME */
} rec_t;

static uint64_t real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_init(void)
{
    CU_ASSERT_EQUAL_FATAL(ordo_init(NULL, NULL), ORDO_OK);
    me = ordo_rank();
    n = ordo_size();
    CU_ASSERT_FATAL(n == NRANKS || (short_lease && n >= 3));
}

static void test_bad_input(void)
{
    ordo_lock_t *l = NULL, *gone = NULL;
    ordo_lock_stats_t st;
    uint64_t t = 0, t0 = 0, left = 0;
    int reps[MAX_RANKS];
    char fake[256] = {0};

    CU_ASSERT_EQUAL(ordo_lock_create(0, &l), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_create(-1, &l), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_create(n + 1, &l), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_create(3, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(l);
    CU_ASSERT_EQUAL_FATAL(ordo_lock_create(3, &l), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_lock_create(1, &gone), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lock_destroy(gone), ORDO_OK);

    /* Its shape: N = 3 distinct ranks, q = 2, f = 1. */
    CU_ASSERT_EQUAL(ordo_lock_stats(l, &st), ORDO_OK);
    CU_ASSERT_EQUAL(st.replicas, 3);
    CU_ASSERT_EQUAL(st.quorum, 2);
    CU_ASSERT_EQUAL(st.tolerates, 1);
    CU_ASSERT_EQUAL(ordo_lock_replicas(l, reps), ORDO_OK);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT(reps[i] >= 0 && reps[i] < n);
        for (int j = 0; j < i; j++)
            CU_ASSERT(reps[i] != reps[j]);
    }

    /* Arguments. */
    CU_ASSERT_EQUAL(ordo_lock_acquire(l, 0, &t), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_acquire(l, 86400ull * 1000000 + 1, &t), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_acquire(NULL, LONG_US, &t), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_lease_left(l, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_stats(l, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_replicas(l, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_lease_left(l, &left), ORDO_OK);
    CU_ASSERT_EQUAL(left, 0);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);

    /* Rank 0 holds it; the others' releases and its second acquire are refused. */
    if (me == 0) {
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t0), ORDO_OK);
        CU_ASSERT(t0 >= 1);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me != 0)
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_ERR_NOT_HELD);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me == 0) {
        t = 12345;
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t), ORDO_ERR_INVALID);
        CU_ASSERT_EQUAL(t, 12345);
        CU_ASSERT_EQUAL(ordo_lock_lease_left(l, &left), ORDO_OK);
        CU_ASSERT(left > LONG_US / 2 && left <= LONG_US); /* still held */
        CU_ASSERT_EQUAL(ordo_lock_stats(l, &st), ORDO_OK);
        CU_ASSERT_EQUAL(st.acquires, 1);
        CU_ASSERT_EQUAL(st.failed, 0); /* bad arguments are no operation */
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_OK);
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_ERR_NOT_HELD);
        CU_ASSERT_EQUAL(ordo_lock_lease_left(l, &left), ORDO_OK);
        CU_ASSERT_EQUAL(left, 0);
    } else {
        CU_ASSERT_EQUAL(ordo_lock_stats(l, &st), ORDO_OK);
        CU_ASSERT_EQUAL(st.acquires, 0);
        CU_ASSERT_EQUAL(st.failed, 1);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    /* The others' refused releases let nothing go: rank 1 gets the lock
     * only after rank 0's release, with a larger token. */
    if (me == 1) {
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t), ORDO_OK);
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);

    /* A destroyed and a made-up handle. */
    CU_ASSERT_EQUAL(ordo_lock_destroy(l), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_lease_left(l, &left), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_stats(l, &st), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_replicas(l, reps), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_destroy(l), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_acquire(gone, LONG_US, &t), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_acquire((ordo_lock_t *)fake, LONG_US, &t), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_release((ordo_lock_t *)fake), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_destroy((ordo_lock_t *)fake), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_lock_release(NULL), ORDO_ERR_INVALID);

    /* Every size works: N = 1 (q = 1) and N = ranks. */
    for (int size = 1; size <= n; size += n - 1) {
        CU_ASSERT_EQUAL_FATAL(ordo_lock_create(size, &l), ORDO_OK);
        for (int r = 0; r < n; r++) {
            if (r == me) {
                CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t), ORDO_OK);
                CU_ASSERT_EQUAL(t, (uint64_t)r + 1); /* one holder after the other */
                CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_OK);
            }
            CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
        }
        CU_ASSERT_EQUAL(ordo_lock_destroy(l), ORDO_OK);
    }
}

/* What a replica answers to messages no client of ordo's sends: each is
 * refused (ORDO_ERR_MSG, or ORDO_ERR_INVALID for a lock it does not know)
 * and changes nothing. */
static void test_malformed(void)
{
    ordo_lock_t *l;
    unsigned id;
    int reps[MAX_RANKS];
    uint64_t t = 0, t2 = 0;
    uint8_t raw[2 * sizeof(ordo__qlock_msg_t)] = {0};
    ordo__qlock_grant_reply_t rep;
    CU_ASSERT_EQUAL_FATAL(ordo__rpc_handler_id("qlock", &id), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_lock_create(3, &l), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lock_replicas(l, reps), ORDO_OK);
    if (me == 1)
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me == 0) {
        int r = reps[0];
        ordo__qlock_msg_t good = {
            .lock = l->id, .op = ORDO__QLOCK_GRANT, .attempt = 99, .lease_ns = 1000000};
        ordo__qlock_msg_t m;
        for (size_t len = 0; len < sizeof(raw); len += 7)
            if (len != sizeof(good))
                CU_ASSERT_EQUAL(raw_call(r, id, raw, len, &rep, sizeof(rep), NULL), ORDO_ERR_MSG);
        const uint8_t bad_ops[] = {0, 4, 255};
        for (size_t i = 0; i < sizeof(bad_ops); i++) {
            m = good;
            m.op = bad_ops[i];
            CU_ASSERT_EQUAL(raw_call(r, id, &m, sizeof(m), &rep, sizeof(rep), NULL), ORDO_ERR_MSG);
        }
        m = good;
        m.attempt = 0;
        CU_ASSERT_EQUAL(raw_call(r, id, &m, sizeof(m), &rep, sizeof(rep), NULL), ORDO_ERR_MSG);
        m = good;
        m.lease_ns = 0;
        CU_ASSERT_EQUAL(raw_call(r, id, &m, sizeof(m), &rep, sizeof(rep), NULL), ORDO_ERR_MSG);
        m.lease_ns = UINT64_MAX;
        CU_ASSERT_EQUAL(raw_call(r, id, &m, sizeof(m), &rep, sizeof(rep), NULL), ORDO_ERR_MSG);
        m = good;
        m.op = ORDO__QLOCK_COMMIT;
        m.token = 0;
        CU_ASSERT_EQUAL(raw_call(r, id, &m, sizeof(m), NULL, 0, NULL), ORDO_ERR_MSG);
        m = good;
        m.lock = 0xfffffff0u;
        CU_ASSERT_EQUAL(raw_call(r, id, &m, sizeof(m), &rep, sizeof(rep), NULL), ORDO_ERR_INVALID);
        /* Well formed, but rank 1 holds the lock: refused, with the holder. */
        rep.granted = 7;
        CU_ASSERT_EQUAL(raw_call(r, id, &good, sizeof(good), &rep, sizeof(rep), NULL), ORDO_OK);
        CU_ASSERT_EQUAL(rep.granted, 0);
        CU_ASSERT_EQUAL(rep.holder, 1);
        /* A COMMIT of an attempt that holds no grant; a RELEASE of it (a
         * no-op for rank 1's grant). */
        m = good;
        m.op = ORDO__QLOCK_COMMIT;
        m.token = 1000;
        CU_ASSERT_EQUAL(raw_call(r, id, &m, sizeof(m), NULL, 0, NULL), ORDO_ERR_NOT_HELD);
        m.op = ORDO__QLOCK_RELEASE;
        CU_ASSERT_EQUAL(raw_call(r, id, &m, sizeof(m), NULL, 0, NULL), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me == 1) {
        uint64_t left = 0;
        CU_ASSERT_EQUAL(ordo_lock_lease_left(l, &left), ORDO_OK);
        CU_ASSERT(left > 0); /* still held */
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me == 0) {
        /* The lock is free, but rank 0 released attempt 99: a late copy of
         * its GRANT (or of an older one) is refused. */
        ordo__qlock_msg_t m = {
            .lock = l->id, .op = ORDO__QLOCK_GRANT, .attempt = 99, .lease_ns = 1000000};
        for (int k = 0; k < 2; k++, m.attempt--) {
            rep.granted = 7;
            CU_ASSERT_EQUAL(raw_call(reps[0], id, &m, sizeof(m), &rep, sizeof(rep), NULL), ORDO_OK);
            CU_ASSERT_EQUAL(rep.granted, 0);
        }
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    /* Nothing changed: the next holder's token follows rank 1's. */
    if (me == 2) {
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t2), ORDO_OK);
        CU_ASSERT_EQUAL(t2, 2);
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lock_destroy(l), ORDO_OK);
}

static int cmp_acq(const void *a, const void *b)
{
    const rec_t *x = a, *y = b;
    return x->t_acq < y->t_acq ? -1 : x->t_acq > y->t_acq;
}

/* Rank 0: all records, by the time each holder had the lock. */
static void check_records(rec_t *all, int total)
{
    int overlaps = 0, inversions = 0;
    qsort(all, (size_t)total, sizeof(*all), cmp_acq);
    for (int i = 0; i + 1 < total; i++) {
        if (all[i].t_rel > all[i + 1].t_acq) {
            if (overlaps++ < 5)
                fprintf(stderr, "overlap: token %llu held until %llu ns, token %llu from %llu\n",
                        (unsigned long long)all[i].token, (unsigned long long)all[i].t_rel,
                        (unsigned long long)all[i + 1].token, (unsigned long long)all[i + 1].t_acq);
        }
        if (all[i].token >= all[i + 1].token) {
            if (inversions++ < 5)
                fprintf(stderr, "tokens: %llu then %llu\n", (unsigned long long)all[i].token,
                        (unsigned long long)all[i + 1].token);
        }
    }
    CU_ASSERT_EQUAL(overlaps, 0);
    CU_ASSERT_EQUAL(inversions, 0);
}

static void test_mutual_exclusion(void)
{
    ordo_lock_t *l;
    ordo_qreg_t *reg;
    ordo_obj_t *log;
    rec_t mine[ITER];
    size_t span = sizeof(mine);
    int fenced_fail = 0;
    CU_ASSERT_EQUAL_FATAL(ordo_lock_create(5, &l), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_qreg_create(1, 8, 5, 3, 3, 0, &reg), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_obj_alloc(span * (size_t)n, ORDO_MODEL_SC, &log), ORDO_OK);

    for (int i = 0; i < ITER; i++) {
        uint64_t token = 0, v = 0;
        int s = ordo_lock_acquire(l, LONG_US, &token);
        CU_ASSERT_EQUAL_FATAL(s, ORDO_OK);
        mine[i].t_acq = real_ns();
        mine[i].token = token;
        CU_ASSERT_EQUAL(ordo_qreg_read(reg, 0, &v, NULL), ORDO_OK);
        v++;
        s = ordo_qreg_write_fenced(reg, 0, &v, token);
        fenced_fail += s != ORDO_OK;
        mine[i].t_rel = real_ns();
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_OK);
    }
    CU_ASSERT_EQUAL(fenced_fail, 0);
    CU_ASSERT_EQUAL(ordo_write(log, span * (size_t)me, mine, span), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_fence(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);

    if (me == 0) {
        rec_t *all = malloc(span * (size_t)n);
        uint64_t v = 0;
        CU_ASSERT_FATAL(all != NULL);
        CU_ASSERT_EQUAL(ordo_read(log, 0, all, span * (size_t)n), ORDO_OK);
        CU_ASSERT_EQUAL(ordo_qreg_read(reg, 0, &v, NULL), ORDO_OK);
        CU_ASSERT_EQUAL(v, (uint64_t)n * ITER); /* no update lost */
        check_records(all, n * ITER);
        printf("\n  %d acquisitions, counter %llu, tokens %llu .. %llu\n", n * ITER,
               (unsigned long long)v, (unsigned long long)all[0].token,
               (unsigned long long)all[n * ITER - 1].token);
        free(all);
    }
    ordo_lock_stats_t st;
    CU_ASSERT_EQUAL(ordo_lock_stats(l, &st), ORDO_OK);
    CU_ASSERT_EQUAL(st.acquires, ITER);
    CU_ASSERT_EQUAL(st.releases, ITER);
    CU_ASSERT_EQUAL(st.failed, 0);
    CU_ASSERT(st.attempts >= ITER);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_obj_free(log), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(reg), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lock_destroy(l), ORDO_OK);
}

static void test_fencing(void)
{
    ordo_lock_t *l;
    ordo_qreg_t *reg; /* key 0: the value; key 1: the token of its writer */
    uint64_t t1 = 0, t2 = 0, v, left = 1;
    CU_ASSERT_EQUAL_FATAL(ordo_lock_create(5, &l), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_qreg_create(2, 8, 5, 3, 3, 0, &reg), ORDO_OK);
    if (me == 1) {
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, SHORT_US, &t1), ORDO_OK);
        v = 111;
        CU_ASSERT_EQUAL(ordo_qreg_write_fenced(reg, 0, &v, t1), ORDO_OK);
        CU_ASSERT_EQUAL(ordo_qreg_write_fenced(reg, 1, &t1, t1), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me == 1) {
        /* Paused past the lease: no progress, the lock is not released. */
        usleep(2 * SHORT_US);
    } else if (me == 2) {
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t2), ORDO_OK);
        v = 222;
        CU_ASSERT_EQUAL(ordo_qreg_write_fenced(reg, 0, &v, t2), ORDO_OK);
        CU_ASSERT_EQUAL(ordo_qreg_write_fenced(reg, 1, &t2, t2), ORDO_OK);
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me == 1) {
        CU_ASSERT_EQUAL(ordo_lock_lease_left(l, &left), ORDO_OK);
        CU_ASSERT_EQUAL(left, 0);
        CU_ASSERT_EQUAL(ordo_qreg_read(reg, 1, &t2, NULL), ORDO_OK);
        CU_ASSERT(t2 > t1);
        v = 333; /* the old holder wakes up and writes: refused */
        CU_ASSERT_EQUAL(ordo_qreg_write_fenced(reg, 0, &v, t1), ORDO_ERR_FENCED);
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_ERR_NOT_HELD);
        printf("\n  holder's token %llu, next holder's %llu: the late write is fenced\n",
               (unsigned long long)t1, (unsigned long long)t2);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    v = 0;
    CU_ASSERT_EQUAL(ordo_qreg_read(reg, 0, &v, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(v, 222);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(reg), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lock_destroy(l), ORDO_OK);
}

/* A lease of 1 us is over before any acquire can complete: every attempt
 * gets its commits in too late, is let go and tried again, until
 * ORDO_TIMEOUT_MS (qlock_np5.sh runs this with 3 s, on 3 ranks); the lock
 * is free at once after. */
static void test_lease_over_first(void)
{
    ordo_lock_t *l;
    ordo_lock_stats_t st;
    uint64_t t = 777, left = 1;
    CU_ASSERT_EQUAL_FATAL(ordo_lock_create(3, &l), ORDO_OK);
    if (me == 1) {
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, 1, &t), ORDO_ERR_TIMEOUT);
        CU_ASSERT_EQUAL(t, 777);
        CU_ASSERT_EQUAL(ordo_lock_lease_left(l, &left), ORDO_OK);
        CU_ASSERT_EQUAL(left, 0);
        CU_ASSERT_EQUAL(ordo_lock_stats(l, &st), ORDO_OK);
        CU_ASSERT(st.attempts >= 2);
        CU_ASSERT(st.lease_lost >= 1);
        CU_ASSERT_EQUAL(st.acquires, 0);
        CU_ASSERT_EQUAL(st.failed, 1);
        printf("\n  a 1 us lease: %llu attempts, %llu of them committed too late\n",
               (unsigned long long)st.attempts, (unsigned long long)st.lease_lost);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me == 2) {
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t), ORDO_OK);
        CU_ASSERT_EQUAL(ordo_lock_release(l), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lock_destroy(l), ORDO_OK);
}

static void test_finalize(void)
{
    ordo_lock_t *l;
    uint64_t t;
    /* A lock still held at ordo_finalize is freed with the rest. */
    CU_ASSERT_EQUAL_FATAL(ordo_lock_create(3, &l), ORDO_OK);
    if (me == 0)
        CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lock_acquire(l, LONG_US, &t), ORDO_ERR_NOT_INIT);
}

static CU_TestInfo all_tests[] = {
    {"ordo_init", test_init},
    {"bad input refused, nothing changed", test_bad_input},
    {"malformed messages refused, nothing changed", test_malformed},
    {"mutual exclusion: no lost update, no overlap, tokens grow", test_mutual_exclusion},
    {"fencing: a holder past its lease is refused", test_fencing},
    {"ordo_finalize with a lock held", test_finalize},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo mutex_tests[] = {
    {"ordo_init", test_init},
    {"mutual exclusion: no lost update, no overlap, tokens grow", test_mutual_exclusion},
    {"ordo_finalize with a lock held", test_finalize},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo short_lease_tests[] = {
    {"ordo_init", test_init},
    {"a lease over before the acquire completes is never returned", test_lease_over_first},
    {"ordo_finalize with a lock held", test_finalize},
    CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    short_lease = strcmp(which, "short-lease") == 0;
    CU_TestInfo *tests = strcmp(which, "mutex") == 0         ? mutex_tests
                         : strcmp(which, "short-lease") == 0 ? short_lease_tests
                                                             : all_tests;
    CU_SuiteInfo suites[] = {
        {"consistency/qlock", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return ordo_test_main_ranks(suites, "test_qlock_mpi");
}
