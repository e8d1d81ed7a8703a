/*
 * test_faults_mpi.c - the faults ORDO_FAULT injects, as the job sees them.
 * One mode per run (the script sets ORDO_FAULT and the detector's settings):
 *
 *   partition    partition=0,1|2,3@1s- : every rank calls every other for
 *                4 s; calls within a side keep working, calls across end
 *                with ORDO_ERR_PEER_FAILED (never ORDO_ERR_TIMEOUT), each
 *                side's view fails exactly the other side.
 *   pause-short  pause=3@1s-1300ms, shorter than ORDO_FD_TIMEOUT_MS: no
 *                failure anywhere, calls to rank 3 work afterwards.
 *   pause-long   pause=3@1s-3500ms, longer: the others declare 3 failed,
 *                and 3, once it runs again, finds itself out.
 *   crash        crash=3@1s : rank 3 SIGKILLs itself; the others' calls to
 *                it end with ORDO_ERR_PEER_FAILED, the rest work.
 *   skew         skew=1:2000000 : rank 1's physical clock is 2 s ahead as
 *                its HLC sees it: ranks hearing from it count messages
 *                whose HLC is ahead (ORDO_HLC_MAX_OFFSET_US=1000000), and
 *                rank 1 counts none.
 *   ring         partition=ring@1s-3500ms (ORDO_TIMEOUT_MS=1500): each rank
 *                reaches its two ring neighbours and not the rank opposite
 *                (r + 2 mod 4): calls to the neighbours never fail, a call
 *                to the opposite rank fails within the window (timeout,
 *                or declared failed), and none fails before it.
 *   slow         slow=1:30000,slow=2:10000@1500ms- : every rank calls
 *                every other for 3 s; a round trip rank 1 takes part in
 *                lasts at least 30 ms (its request or its reply is held
 *                back that long), one with rank 2 begun after 1.6 s at
 *                least 10 ms, while the fastest round trip between 0 and
 *                3, and with rank 2 in its first second, stays under
 *                10 ms; only ranks 1 and 2 count messages held back.
 *
 * Every rank that is not crashed prints "rank R: ok" at the end; the script
 * counts them.  Run under mpirun --enable-recovery.
 */
#include "fd_test.h"

#include <string.h>

static int n;

/* A round trip to dest whose reply is checked (a wrong one ends the run). */
static int call(int dest)
{
    int x = fd_test_me * 100 + dest, y = -1;
    size_t len = 0;
    int s = ordo_rpc_call(dest, FD_TEST_ID_ECHO, &x, sizeof(x), &y, sizeof(y), &len);
    if (s == ORDO_OK && (len != sizeof(y) || y != x)) {
        fprintf(stderr, "rank %d: FAILED: echo from %d: got %d (%zu bytes), sent %d\n", fd_test_me,
                dest, y, len, x);
        exit(1);
    }
    return s;
}

/* Call every other rank every 100 ms for secs seconds (progress in
 * between); first_fail[r]: when a call to r first failed (0: never). */
static void call_all(double secs, double t0, double *first_fail, int *last_status)
{
    double end = fd_test_now() + secs;
    while (fd_test_now() < end) {
        for (int r = 0; r < n; r++) {
            if (r == fd_test_me || (first_fail[r] > 0 && last_status[r] == ORDO_ERR_PEER_FAILED))
                continue;
            int s = call(r);
            last_status[r] = s;
            if (s != ORDO_OK && first_fail[r] == 0)
                first_fail[r] = fd_test_now() - t0;
        }
        double until = fd_test_now() + 0.1;
        while (fd_test_now() < until)
            ordo_progress();
    }
}

/* slow: the fastest round trip to each rank, over the whole run (all) and
 * begun before 1 s or after 1.6 s from t0. */
static int check_slow(double t0)
{
    double all[4], early[4], late[4];
    for (int r = 0; r < n; r++)
        all[r] = early[r] = late[r] = 1e9;
    while (fd_test_now() < t0 + 3.0) {
        for (int r = 0; r < n; r++) {
            if (r == fd_test_me)
                continue;
            double t = fd_test_now(), since = t - t0;
            if (call(r) != ORDO_OK)
                FAIL("call to %d failed", r);
            double dt = fd_test_now() - t;
            all[r] = dt < all[r] ? dt : all[r];
            if (since < 1.0 && dt < early[r])
                early[r] = dt;
            if (since > 1.6 && dt < late[r])
                late[r] = dt;
        }
        double until = fd_test_now() + 0.02;
        while (fd_test_now() < until)
            ordo_progress();
    }
    for (int r = 0; r < n; r++) {
        if (r == fd_test_me)
            continue;
        int with1 = r == 1 || fd_test_me == 1, with2 = r == 2 || fd_test_me == 2;
        printf("rank %d: to %d: fastest round trip %.2f ms (first second %.2f, after 1.6 s "
               "%.2f)\n",
               fd_test_me, r, all[r] * 1e3, early[r] * 1e3, late[r] * 1e3);
        if (with1 && all[r] < 0.030)
            FAIL("a round trip with slow rank 1 took %.3f ms, under its 30 ms hold", all[r] * 1e3);
        if (with2 && late[r] < 0.010)
            FAIL("a round trip with rank 2 after 1.6 s took %.3f ms, under its 10 ms hold",
                 late[r] * 1e3);
        if (!with1 && early[r] >= 0.010)
            FAIL("no round trip to %d in the first second under 10 ms (fastest %.3f ms)", r,
                 early[r] * 1e3);
    }
    ordo_stats_t st;
    ordo_stats(&st);
    if ((st.fault_delayed > 0) != (fd_test_me == 1 || fd_test_me == 2))
        FAIL("%llu messages held back", (unsigned long long)st.fault_delayed);
    if (st.fault_dropped || st.fault_duplicated)
        FAIL("slow dropped or duplicated messages");
    return 0;
}

static int side(int r)
{
    return r < 2;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *mode = argv[1];
    if (fd_test_init(&argc, &argv) != 0)
        return 1;
    n = ordo_size();
    if (n != 4)
        FAIL("needs 4 ranks");
    if (ordo_barrier() != ORDO_OK)
        FAIL("first barrier");
    double t0 = fd_test_now(), first_fail[4] = {0};
    int last[4] = {0};
    ordo_membership_t m;

    if (!strcmp(mode, "partition")) {
        call_all(4.0, t0, first_fail, last);
        for (int r = 0; r < n; r++) {
            if (r == fd_test_me)
                continue;
            int across = side(r) != side(fd_test_me);
            if (!across && first_fail[r] > 0)
                FAIL("call to %d on my side failed (%s) at %.2f s", r, ordo_strerror(last[r]),
                     first_fail[r]);
            if (across && last[r] != ORDO_ERR_PEER_FAILED)
                FAIL("call to %d across the partition: %s, not ORDO_ERR_PEER_FAILED", r,
                     ordo_strerror(last[r]));
            if (across)
                printf("rank %d: rank %d across the partition failed after %.2f s\n", fd_test_me, r,
                       first_fail[r]);
            if ((ordo_peer_state(r) == ORDO_PEER_FAILED) != across)
                FAIL("rank %d: state %d", r, ordo_peer_state(r));
        }
        ordo_membership(&m);
        if (m.failed != 2 || m.out)
            FAIL("view: %d failed, out %d (want 2, 0)", m.failed, m.out);
        ordo_failure_ack(NULL);
        if (ordo_barrier() != ORDO_OK) /* each side a job of its own */
            FAIL("barrier within my side after the acknowledgement");
    } else if (!strcmp(mode, "pause-short") || !strcmp(mode, "crash")) {
        int crash = !strcmp(mode, "crash");
        call_all(3.0, t0, first_fail, last);
        ordo_membership(&m);
        for (int r = 0; r < n; r++) {
            if (r == fd_test_me)
                continue;
            int gone = crash && r == 3;
            if (!gone && first_fail[r] > 0)
                FAIL("call to %d failed (%s) at %.2f s", r, ordo_strerror(last[r]), first_fail[r]);
            if (gone && last[r] != ORDO_ERR_PEER_FAILED)
                FAIL("call to crashed rank 3: %s, not ORDO_ERR_PEER_FAILED",
                     ordo_strerror(last[r]));
            if (gone)
                printf("rank %d: crashed rank 3 failed after %.2f s\n", fd_test_me, first_fail[r]);
        }
        if (m.failed != crash || m.out)
            FAIL("view: %d failed, out %d", m.failed, m.out);
        if (crash)
            ordo_failure_ack(NULL);
        if (ordo_barrier() != ORDO_OK)
            FAIL("last barrier");
    } else if (!strcmp(mode, "pause-long")) {
        call_all(5.0, t0, first_fail, last);
        ordo_membership(&m);
        if (fd_test_me == 3) {
            if (!m.out || m.failed != 3)
                FAIL("the paused rank: out %d, %d failed (want 1, 3)", m.out, m.failed);
            if (call(0) != ORDO_ERR_PEER_FAILED)
                FAIL("a call from the rank that is out did not fail");
        } else {
            if (last[3] != ORDO_ERR_PEER_FAILED || m.failed != 1 || m.out)
                FAIL("rank 3 paused past the timeout: %s, %d failed, out %d",
                     ordo_strerror(last[3]), m.failed, m.out);
            printf("rank %d: paused rank 3 failed after %.2f s\n", fd_test_me, first_fail[3]);
            ordo_failure_ack(NULL);
            if (ordo_barrier() != ORDO_OK)
                FAIL("barrier of the three after the acknowledgement");
        }
    } else if (!strcmp(mode, "ring")) {
        int opposite = (fd_test_me + 2) % 4;
        call_all(5.0, t0, first_fail, last);
        for (int r = 0; r < n; r++) {
            if (r == fd_test_me)
                continue;
            if (r != opposite && first_fail[r] > 0)
                FAIL("call to ring neighbour %d failed (%s) at %.2f s", r, ordo_strerror(last[r]),
                     first_fail[r]);
            if (r == opposite && (first_fail[r] < 0.9 || first_fail[r] > 4.0))
                FAIL("call to the opposite rank %d: first failure at %.2f s, not in [1 s, 3.5 s] "
                     "(+ the timeout)",
                     r, first_fail[r]);
        }
        printf("rank %d: opposite rank %d cut at %.2f s (%s), neighbours reached throughout\n",
               fd_test_me, opposite, first_fail[opposite], ordo_strerror(last[opposite]));
    } else if (!strcmp(mode, "skew")) {
        call_all(1.0, t0, first_fail, last);
        ordo_stats_t st;
        ordo_stats(&st);
        if (fd_test_me == 1 && st.hlc_ahead != 0)
            FAIL("the skewed rank counted %llu messages ahead", (unsigned long long)st.hlc_ahead);
        if (fd_test_me != 1 && st.hlc_ahead == 0)
            FAIL("no message of the skewed rank 1 was seen ahead");
        printf("rank %d: %llu messages with an HLC ahead\n", fd_test_me,
               (unsigned long long)st.hlc_ahead);
    } else if (!strcmp(mode, "slow")) {
        if (check_slow(t0))
            return 1;
        if (ordo_barrier() != ORDO_OK)
            FAIL("last barrier");
    } else {
        FAIL("unknown mode %s", mode);
    }
    int s = ordo_finalize();
    if (s != ORDO_OK && !(fd_test_me == 3 && !strcmp(mode, "pause-long")))
        FAIL("ordo_finalize: %s", ordo_strerror(s));
    printf("rank %d: ok\n", fd_test_me);
    return 0;
}
