/*
 * test_qlock_lease.c - leases under clock drift, on 3 ranks, a lock of
 * N = 3 (every rank a replica, q = 2).  lease_drift_np3.sh runs it with
 * ORDO_FAULT drifting rank 1's clock slow and ranks 0 and 2 fast: the
 * holder's lease lasts longer in real time than it should, the replicas'
 * grants less.
 *
 * ROUNDS times: rank 1 acquires a lease of LEASE_US and never releases it;
 * it calls ordo_progress and ordo_lock_lease_left until nothing is left,
 * and records the last real moment it still trusted the lease.  Meanwhile
 * rank 0 acquires (it gets the lock once ranks 0 and 2 think rank 1's grant
 * expired) and records the real moment it had it, then releases.  Real time
 * is CLOCK_REALTIME (one clock on one node), not ordo's drifted clock.
 * Rank 0 prints each round's overlap (rank 1's end minus rank 0's start)
 * and checks what argv[1] says: "overlap" (the guard is off or rho is set
 * below the drift: an overlap must happen in every round) or "none" (the
 * guard covers the drift: never).
 */
#include <mpi.h>
#include <ordo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NRANKS   3
#define ROUNDS   3
#define LEASE_US 500000ull

static int me = -1;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "rank %d: FAILED: ", me);                                                  \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        return 1;                                                                                  \
    } while (0)

#define EXPECT(call)                                                                               \
    do {                                                                                           \
        int s_ = (call);                                                                           \
        if (s_ != ORDO_OK)                                                                         \
            FAIL("%s:%d: %s returned %s", __FILE__, __LINE__, #call, ordo_status_name(s_));        \
    } while (0)

static int64_t real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Rank 1: hold without releasing until the lease is over by its own clock
 * (and longer: it lets go only once the round is over, see main); *end:
 * the real time just after the last lease_left that left something (it
 * looks every 50 us or so). */
static int hold_until_over(ordo_lock_t *l, int64_t *end)
{
    uint64_t left = 1, t;
    EXPECT(ordo_lock_acquire(l, LEASE_US, &t));
    *end = real_ns();
    EXPECT(ordo_barrier()); /* rank 0 starts asking */
    for (;;) {
        struct timespec nap = {0, 50000}; /* the others need the cores */
        if (ordo_progress() < 0)
            FAIL("ordo_progress");
        EXPECT(ordo_lock_lease_left(l, &left));
        int64_t now = real_ns();
        if (left == 0)
            break;
        *end = now;
        nanosleep(&nap, NULL);
    }
    return 0;
}

/* Rank 0: get the lock rank 1 never lets go; *start: when it had it. */
static int take_over(ordo_lock_t *l, int64_t *start)
{
    uint64_t t;
    EXPECT(ordo_barrier());
    EXPECT(ordo_lock_acquire(l, LEASE_US, &t));
    *start = real_ns();
    EXPECT(ordo_lock_release(l));
    return 0;
}

int main(int argc, char **argv)
{
    const char *want = argc > 1 ? argv[1] : "";
    int expect_overlap = strcmp(want, "overlap") == 0;
    if (!expect_overlap && strcmp(want, "none") != 0) {
        fprintf(stderr, "usage: test_qlock_lease overlap|none\n");
        return 2;
    }
    if (ordo_init(&argc, &argv) != ORDO_OK)
        return 1;
    me = ordo_rank();
    if (ordo_size() != NRANKS)
        FAIL("run on %d ranks", NRANKS);
    ordo_lock_t *l;
    EXPECT(ordo_lock_create(NRANKS, &l));
    double overlap_ms[ROUNDS];
    int overlaps = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int64_t mine = 0, got[NRANKS];
        if (me == 1 && hold_until_over(l, &mine))
            return 1;
        if (me == 0 && take_over(l, &mine))
            return 1;
        if (me == 2)
            EXPECT(ordo_barrier());
        EXPECT(ordo_barrier()); /* the round is over everywhere */
        if (me == 1) {
            /* Only now (a release would let the replicas go at once). */
            int s = ordo_lock_release(l);
            if (s != ORDO_ERR_NOT_HELD)
                FAIL("release after the lease ran out: %s, not ORDO_ERR_NOT_HELD",
                     ordo_status_name(s));
        }
        if (MPI_Gather(&mine, 1, MPI_INT64_T, got, 1, MPI_INT64_T, 0, MPI_COMM_WORLD) !=
            MPI_SUCCESS)
            FAIL("MPI_Gather");
        if (me == 0) {
            overlap_ms[round] = (double)(got[1] - got[0]) / 1e6;
            overlaps += overlap_ms[round] > 0;
        }
    }
    EXPECT(ordo_lock_destroy(l));
    if (me == 0) {
        double max = overlap_ms[0];
        printf("lease %llu us, %d rounds: the old holder's last trusted moment minus the new "
               "holder's first (ms, > 0: both held it):",
               LEASE_US, ROUNDS);
        for (int r = 0; r < ROUNDS; r++) {
            printf(" %.3f", overlap_ms[r]);
            max = overlap_ms[r] > max ? overlap_ms[r] : max;
        }
        printf("; overlaps %d of %d, largest %.3f ms\n", overlaps, ROUNDS, max);
        if (expect_overlap && overlaps != ROUNDS)
            FAIL("expected two holders at once in every round (the guard is off or too small)");
        if (!expect_overlap && overlaps != 0)
            FAIL("two holders at once: the lease guard did not cover the drift");
    }
    fflush(stdout);
    return ordo_finalize() == ORDO_OK ? 0 : 1;
}
