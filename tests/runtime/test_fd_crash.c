/*
 * test_fd_crash.c - the failure detector and the membership view when the
 * last rank of 4 dies.  Two ways, by the first argument:
 *
 *   kill  the victim SIGKILLs itself after a barrier (the transport may
 *         see it first, the detector surely within its timeout);
 *   fifo  the victim stops progressing: it computes for BUSY_S seconds
 *         without calling ordo (its detector thread still answers), then
 *         SIGSTOPs itself, so only the detector sees it.  Meanwhile rank 0
 *         floods it with one-way 4 KiB eager sends until one no longer
 *         completes (the shared-memory FIFO is full), and waits for that
 *         send: it must end with ORDO_ERR_PEER_FAILED once the detector
 *         declares the victim failed (not before BUSY_S: the victim was
 *         alive, only busy).  Rank 0 SIGKILLs the victim at the end.
 *
 * Survivors then check: calls and sends to the victim and the barrier end
 * with ORDO_ERR_PEER_FAILED (never a timeout: ORDO_TIMEOUT_MS is far
 * longer), ordo_peer_state says failed, the failure callback ran once for
 * the victim and for no one else, the view is at epoch 1; after
 * ordo_failure_ack two barriers and calls among survivors work, and
 * ordo_finalize returns ORDO_OK.  Each survivor prints one "survivor" line.
 */
#include "fd_test.h"

#include <signal.h>
#include <string.h>

#define BUSY_S    3.0
#define FLOOD_LEN 4096
#define FLOOD_MAX 20000
#define ID_SINK   2

static int sink(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

static char flood_buf[FLOOD_LEN];

/* Send 4 KiB one-way messages to victim until one does not complete within
 * 100 ms; its request in *stuck, the number sent in *sent. */
static int flood(int victim, ordo_request_t **stuck, int *sent)
{
    ordo_rpc_set_proto(ORDO_PROTO_EAGER); /* into the FIFO, not a descriptor */
    memset(flood_buf, 0x5a, sizeof(flood_buf));
    for (int i = 0; i < FLOOD_MAX; i++) {
        ordo_request_t *req;
        int s = ordo_rpc_send_nb(victim, ID_SINK, flood_buf, FLOOD_LEN, NULL, NULL, &req);
        if (s != ORDO_OK)
            return s;
        double end = fd_test_now() + 0.1;
        while (!ordo_request_test(req) && fd_test_now() < end)
            ;
        if (!ordo_request_test(req)) {
            *stuck = req;
            *sent = i + 1;
            ordo_rpc_set_proto(ORDO_PROTO_AUTO);
            return ORDO_OK;
        }
        if ((s = ordo_request_wait(req, NULL)) != ORDO_OK)
            return s;
    }
    return ORDO_ERR_INTERNAL;
}

int main(int argc, char **argv)
{
    pid_t pids[FD_TEST_MAX_RANKS];
    int fifo = argc > 1 && strcmp(argv[1], "fifo") == 0, s;
    if (fd_test_init(&argc, &argv) != 0)
        return 1;
    int me = ordo_rank(), n = ordo_size(), victim = n - 1;
    const char *t = getenv("ORDO_FD_TIMEOUT_MS");
    double timeout = (t ? atof(t) : 5000.0) / 1e3;
    if (n < 3)
        FAIL("needs at least 3 ranks");
    if (ordo_rpc_register(ID_SINK, sink, NULL) != ORDO_OK || fd_test_pids(pids) != 0)
        FAIL("set-up");
    if (ordo_barrier() != ORDO_OK)
        FAIL("first barrier");
    for (int r = 0; r < n; r++)
        if ((s = fd_test_call(r)) != ORDO_OK)
            FAIL("call to %d before the failure: %s", r, ordo_strerror(s));
    if (ordo_barrier() != ORDO_OK)
        FAIL("second barrier");
    double t0 = fd_test_now();

    if (me == victim) {
        fflush(stdout);
        if (!fifo)
            raise(SIGKILL);
        fd_test_compute(BUSY_S);
        raise(SIGSTOP);
        for (;;) /* rank 0 kills it; if it is continued, it waits for that */
            pause();
    }

    /* The full FIFO: a send stuck in the transport ends when the victim is
     * declared failed, not before. */
    int sent = 0;
    double stuck_s = 0;
    if (fifo && me == 0) {
        ordo_request_t *stuck = NULL;
        if ((s = flood(victim, &stuck, &sent)) != ORDO_OK)
            FAIL("flooding rank %d: sends never stopped completing, or failed: %s", victim,
                 ordo_strerror(s));
        s = ordo_request_wait(stuck, NULL);
        stuck_s = fd_test_now() - t0;
        if (s != ORDO_ERR_PEER_FAILED)
            FAIL("the send stuck in the full FIFO ended with %s", ordo_status_name(s));
        if (stuck_s < BUSY_S - 0.1 || stuck_s > BUSY_S + timeout + 1.5)
            FAIL("the stuck send ended %.2f s after the barrier: the victim stopped at %.1f s, "
                 "the detector's timeout is %.1f s",
                 stuck_s, BUSY_S, timeout);
    }

    /* Call the victim until that fails: PEER_FAILED, within the timeout. */
    do
        s = fd_test_call(victim);
    while (s == ORDO_OK && fd_test_now() - t0 < 60);
    double dt = fd_test_now() - t0;
    if (s != ORDO_ERR_PEER_FAILED)
        FAIL("call to the failed rank %d: %s", victim, ordo_status_name(s));
    double lo = fifo ? BUSY_S - 0.1 : 0, hi = (fifo ? BUSY_S : 0) + timeout + 1.5;
    if (dt < lo || dt > hi)
        FAIL("the failure was seen after %.2f s, outside [%.1f, %.1f] s", dt, lo, hi);
    double t1 = fd_test_now();
    if ((s = fd_test_call(victim)) != ORDO_ERR_PEER_FAILED)
        FAIL("second call to the failed rank: %s", ordo_status_name(s));
    if ((s = ordo_rpc_send(victim, FD_TEST_ID_ECHO, "x", 1)) != ORDO_ERR_PEER_FAILED)
        FAIL("send to the failed rank: %s", ordo_status_name(s));
    if (fd_test_now() - t1 > 0.5)
        FAIL("calls to a known failed rank took %.2f s", fd_test_now() - t1);
    if ((s = ordo_barrier()) != ORDO_ERR_PEER_FAILED)
        FAIL("barrier with a failure not acknowledged: %s", ordo_status_name(s));
    if ((s = ordo_peer_state(victim)) != ORDO_PEER_FAILED)
        FAIL("ordo_peer_state(%d) = %d, not ORDO_PEER_FAILED", victim, s);

    /* The view and the callback. */
    ordo_membership_t m;
    if (ordo_progress() < 0 || ordo_membership(&m) != ORDO_OK)
        FAIL("ordo_membership");
    if (m.epoch != 1 || m.failed != 1 || m.live != n - 1 || m.out)
        FAIL("view: epoch %llu failed %d live %d out %d; expected 1, 1, %d, 0",
             (unsigned long long)m.epoch, m.failed, m.live, m.out, n - 1);
    for (int r = 0; r < n; r++)
        if (fd_test_cb_count[r] != (r == victim))
            FAIL("failure callback ran %d time(s) for rank %d", fd_test_cb_count[r], r);
    if (fd_test_cb_epoch != 1)
        FAIL("failure callback's epoch %llu", (unsigned long long)fd_test_cb_epoch);

    /* Acknowledged: the survivors go on. */
    uint64_t acked = 0;
    if (ordo_failure_ack(&acked) != ORDO_OK || acked != 1)
        FAIL("ordo_failure_ack: epoch %llu", (unsigned long long)acked);
    for (int i = 0; i < 2; i++)
        if ((s = ordo_barrier()) != ORDO_OK)
            FAIL("barrier %d of the survivors: %s", i + 1, ordo_status_name(s));
    for (int round = 0; round < 10; round++)
        for (int r = 0; r < victim; r++)
            if ((s = fd_test_call(r)) != ORDO_OK)
                FAIL("call to survivor %d: %s", r, ordo_strerror(s));
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("last barrier of the survivors: %s", ordo_status_name(s));
    if (fifo && me == 0)
        kill(pids[victim], SIGKILL);
    s = ordo_finalize();
    if (s != ORDO_OK)
        FAIL("ordo_finalize: %s", ordo_status_name(s));
    printf("survivor %d: rank %d failed (%s), seen after %.2f s", me, victim,
           fifo ? "busy, then stopped" : "killed", dt);
    if (fifo && me == 0)
        printf("; %d sends of 4 KiB until the FIFO was full, the stuck one ended after %.2f s",
               sent, stuck_s);
    printf("; finalize: %s\n", ordo_status_name(s));
    return 0;
}
