/*
 * ordo_survive - a job that loses ranks and goes on.
 *
 * Every rank owns a counter in a sequentially consistent object and adds to
 * it, round after round, while calling its neighbour; a barrier closes each
 * round.  Ranks are lost along the way (run it with ORDO_FAULT=crash=R@T, a
 * partition, a pause, or kill a rank yourself; under mpirun use
 * --enable-recovery).  The survivors hear of each loss once (a failure
 * callback), see their calls to the lost rank and the barrier fail with
 * ORDO_ERR_PEER_FAILED within the detector's timeout, acknowledge the
 * failure, and go on as a smaller job: the barrier over the live members,
 * the counters of the live ranks intact, the lost rank's counter gone with
 * its home.  At the end every survivor prints its view and leaves with the
 * others.
 *
 *   mpirun --enable-recovery -np 4 -x ORDO_FAULT=crash=3@1s apps/ordo_survive [ROUNDS]
 */
#include <ordo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ID_PING = 1 };

static int me, n;
static int lost_seen;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_failure(int rank, uint64_t epoch, void *arg)
{
    (void)arg;
    lost_seen++;
    printf("rank %d: heard that rank %d is lost (membership epoch %llu)\n", me, rank,
           (unsigned long long)epoch);
    fflush(stdout);
}

static int ping(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, msg->data, msg->len);
}

/* The next live rank after me, round the ring (me if I am alone). */
static int next_live(void)
{
    for (int i = 1; i < n; i++) {
        int r = (me + i) % n;
        if (ordo_peer_state(r) != ORDO_PEER_FAILED)
            return r;
    }
    return me;
}

static int bad(const char *what, int s)
{
    fprintf(stderr, "ordo_survive: rank %d: %s: %s\n", me, what, ordo_strerror(s));
    return 1;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 40, s;
    if (rounds <= 0) {
        fprintf(stderr, "usage: ordo_survive [ROUNDS > 0]\n");
        return 2;
    }
    if ((s = ordo_init(&argc, &argv)) != ORDO_OK)
        return bad("ordo_init", s);
    me = ordo_rank();
    n = ordo_size();
    ordo_obj_t *counters;
    /* A counter per rank, 64 KiB apart: with the default block size each
     * is a block of its own, placed on a home by consistent hashing. */
    const size_t stride = 64 * 1024;
    if ((s = ordo_rpc_register(ID_PING, ping, NULL)) != ORDO_OK ||
        (s = ordo_failure_cb_register(on_failure, NULL)) != ORDO_OK ||
        (s = ordo_obj_alloc((size_t)n * stride, ORDO_MODEL_SC, &counters)) != ORDO_OK)
        return bad("set-up", s);
    int home;
    ordo_obj_home(counters, (size_t)me * stride, &home);
    double t0 = now_s();
    int64_t mine = 0;
    int failed_calls = 0, acks = 0;
    for (int round = 0; round < rounds; round++) {
        /* Add to my counter (lost if its home is). */
        int64_t old;
        s = ordo_fetch_add(counters, (size_t)me * stride, 1, &old);
        if (s == ORDO_OK)
            mine = old + 1;
        else if (s != ORDO_ERR_PEER_FAILED)
            return bad("fetch-add", s);
        /* Call my neighbour. */
        int peer = next_live(), x = round, y = -1;
        size_t len;
        if (peer != me) {
            s = ordo_rpc_call(peer, ID_PING, &x, sizeof(x), &y, sizeof(y), &len);
            if (s == ORDO_ERR_PEER_FAILED)
                failed_calls++;
            else if (s != ORDO_OK || y != x)
                return bad("call", s);
        }
        /* Close the round; a loss fails the barrier until acknowledged. */
        while ((s = ordo_barrier()) == ORDO_ERR_PEER_FAILED) {
            uint64_t epoch;
            ordo_failure_ack(&epoch);
            acks++;
            printf("rank %d: round %d: barrier failed at %.2f s; failures acknowledged up to "
                   "epoch %llu, going on with the live ranks\n",
                   me, round, now_s() - t0, (unsigned long long)epoch);
            fflush(stdout);
        }
        if (s != ORDO_OK)
            return bad("barrier", s);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ordo_membership_t m;
    ordo_membership(&m);
    printf("rank %d: done: %d rounds, counter %lld (home rank %d%s), %d calls to lost ranks, "
           "view epoch %llu: %d live, %d lost\n",
           me, rounds, (long long)mine, home,
           ordo_peer_state(home) == ORDO_PEER_FAILED ? ", lost" : "", failed_calls,
           (unsigned long long)m.epoch, m.live, m.failed);
    (void)acks;
    ordo_fence(); /* reports ranks it skipped: known, acknowledged */
    ordo_obj_free(counters);
    if ((s = ordo_finalize()) != ORDO_OK)
        return bad("ordo_finalize", s);
    printf("rank %d: left with the other survivors (%d failure(s) heard)\n", me, lost_seen);
    return 0;
}
