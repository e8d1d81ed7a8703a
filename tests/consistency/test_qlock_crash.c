/*
 * test_qlock_crash.c - a lock of N = 5 (q = 3: it survives f = 2 failed
 * replicas) on 5 ranks while its replicas die, under mpirun
 * --enable-recovery; qlock_crash_np5.sh runs it with ORDO_FAULT=crash=4@2s.
 *
 *   before   rank 0 takes the lock (a long lease) before rank 4 crashes
 *   f = 1    once rank 4 is failed in its view, rank 0 releases (3 of the
 *            4 live replicas answer) and ranks 0-3 acquire and release
 *            ITER times each: every call ORDO_OK, tokens grow; rank 1
 *            keeps the lock at the end; each prints a "phase1" line
 *   f = 3    ranks 2 and 3 SIGKILL themselves; once ranks 0 and 1 see them
 *            failed: rank 1's release ends with ORDO_ERR_NO_QUORUM (and
 *            it holds nothing after), rank 0's acquire with
 *            ORDO_ERR_NO_QUORUM at once, without a message; both
 *            acknowledge the failures, destroy the lock, finalize and
 *            print a "survivor" line
 *
 * The failure callback and ordo_failure_ack are those of the failure
 * detector's tests (fd_test.h).
 */
#include "../runtime/fd_test.h"

#include <signal.h>
#include <string.h>

#define NRANKS  5
#define ITER    10
#define LONG_US (60 * 1000000ull)

#define EXPECT(call, want)                                                                         \
    do {                                                                                           \
        int s_ = (call);                                                                           \
        if (s_ != (want))                                                                          \
            FAIL("%s:%d: %s returned %s, not %s", __FILE__, __LINE__, #call, ordo_status_name(s_), \
                 ordo_status_name(want));                                                          \
    } while (0)

/* Progress until every rank in dead[] is failed in this rank's view. */
static int wait_failed(const int *dead, int ndead)
{
    double end = fd_test_now() + 30;
    for (;;) {
        int all = 1;
        for (int i = 0; i < ndead; i++)
            all &= ordo_peer_state(dead[i]) == ORDO_PEER_FAILED;
        if (all)
            return 0;
        if (fd_test_now() > end)
            FAIL("ranks not seen failed within 30 s");
        ordo_progress();
    }
}

static int ack_all(void)
{
    uint64_t epoch = 0;
    EXPECT(ordo_failure_ack(&epoch), ORDO_OK);
    return 0;
}

/* f = 1: ranks 0-3, with rank 4 failed. */
static int one_failed(ordo_lock_t *l, uint64_t first)
{
    const int dead[] = {4};
    uint64_t t, last = first;
    if (wait_failed(dead, 1))
        return 1;
    if (fd_test_me == 0)
        EXPECT(ordo_lock_release(l), ORDO_OK);
    if (ack_all())
        return 1;
    EXPECT(ordo_barrier(), ORDO_OK);
    for (int i = 0; i < ITER; i++) {
        EXPECT(ordo_lock_acquire(l, LONG_US, &t), ORDO_OK);
        if (t <= last)
            FAIL("token %llu after %llu", (unsigned long long)t, (unsigned long long)last);
        last = t;
        EXPECT(ordo_lock_release(l), ORDO_OK);
    }
    EXPECT(ordo_barrier(), ORDO_OK);
    if (fd_test_me == 1)
        EXPECT(ordo_lock_acquire(l, LONG_US, &t), ORDO_OK);
    ordo_lock_stats_t st;
    EXPECT(ordo_lock_stats(l, &st), ORDO_OK);
    printf("phase1 %d: rank 4 failed, %d acquires and releases ok (q = %d of %d live "
           "replicas), last token %llu\n",
           fd_test_me, ITER, st.quorum, NRANKS - 1, (unsigned long long)last);
    fflush(stdout);
    EXPECT(ordo_barrier(), ORDO_OK); /* then ranks 2 and 3 go */
    return 0;
}

/* f = 3: ranks 0 and 1, with ranks 2, 3 and 4 failed. */
static int three_failed(ordo_lock_t *l)
{
    const int dead[] = {2, 3};
    uint64_t t = 0, left = 1;
    if (wait_failed(dead, 2))
        return 1;
    double t0 = fd_test_now();
    if (fd_test_me == 1) {
        EXPECT(ordo_lock_release(l), ORDO_ERR_NO_QUORUM);
        EXPECT(ordo_lock_lease_left(l, &left), ORDO_OK);
        if (left != 0)
            FAIL("still holds the lock after a release without a quorum");
        EXPECT(ordo_lock_release(l), ORDO_ERR_NOT_HELD);
    }
    EXPECT(ordo_lock_acquire(l, LONG_US, &t), ORDO_ERR_NO_QUORUM);
    double ms = (fd_test_now() - t0) * 1e3;
    if (ack_all())
        return 1;
    EXPECT(ordo_lock_destroy(l), ORDO_OK);
    EXPECT(ordo_barrier(), ORDO_OK);
    int s = ordo_finalize();
    printf("survivor %d: ranks 2, 3, 4 failed: ORDO_ERR_NO_QUORUM after %.1f ms; finalize: %s\n",
           fd_test_me, ms, ordo_status_name(s));
    fflush(stdout);
    return s == ORDO_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    ordo_lock_t *l;
    uint64_t first = 0;
    if (fd_test_init(&argc, &argv) != 0)
        return 1;
    if (ordo_size() != NRANKS)
        FAIL("run on %d ranks", NRANKS);
    EXPECT(ordo_lock_create(NRANKS, &l), ORDO_OK);
    if (fd_test_me == 0)
        EXPECT(ordo_lock_acquire(l, LONG_US, &first), ORDO_OK);
    EXPECT(ordo_barrier(), ORDO_OK);
    if (fd_test_me == 4) { /* ORDO_FAULT kills it */
        double end = fd_test_now() + 30;
        while (fd_test_now() < end)
            ordo_progress();
        FAIL("still alive 30 s later: run with ORDO_FAULT=crash=4@2s");
    }
    if (one_failed(l, first))
        return 1;
    if (fd_test_me == 2 || fd_test_me == 3)
        raise(SIGKILL);
    return three_failed(l);
}
