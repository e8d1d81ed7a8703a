/*
 * test_peer_death.c - a rank dies abruptly in the middle of a run (SIGKILL,
 * no goodbye).  The survivors' calls that need it fail with
 * ORDO_ERR_PEER_FAILED (never hang), calls among the survivors keep working,
 * and ordo_finalize returns instead of waiting for the dead.  Run under
 * mpirun --enable-recovery; each survivor prints one "survivor" line that the
 * calling script counts.  A module of the test's own hears of the death
 * through its peer-failed hook, once, as every module does.
 */
#include "runtime/clock.h"
#include "runtime/rt.h"

#include <ordo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ID_ECHO = 1, ID_DONE = 2 };

static volatile int done_count;

/* A module registered before ordo_init: its peer-failed hook counts. */
static int failed_calls, failed_peer = -1;
static void watcher_peer_failed(int peer, int status)
{
    failed_calls++;
    failed_peer = peer;
    (void)status;
}
static ordo__module_t watcher = {.name = "test-watcher", .peer_failed = watcher_peer_failed};

static int on_done(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    done_count++;
    return ORDO_OK;
}

static int echo(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, msg->data, msg->len);
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "rank %d: FAILED: ", me);                                                  \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        return 1;                                                                                  \
    } while (0)

int main(int argc, char **argv)
{
    if (ordo__module_register(&watcher) != ORDO_OK || ordo_init(&argc, &argv) != ORDO_OK)
        return 1;
    int me = ordo_rank(), n = ordo_size(), victim = n - 1, s;
    char buf[64] = "ping", rep[64];
    ordo_rpc_register(ID_ECHO, echo, NULL);
    ordo_rpc_register(ID_DONE, on_done, NULL);
    if (ordo_barrier() != ORDO_OK)
        FAIL("first barrier");

    /* Everyone talks to everyone, the victim included. */
    for (int r = 0; r < n; r++)
        if ((s = ordo_rpc_call(r, ID_ECHO, buf, 5, rep, sizeof(rep), NULL)) != ORDO_OK)
            FAIL("call to %d before the death: %s", r, ordo_strerror(s));
    if (ordo_barrier() != ORDO_OK)
        FAIL("second barrier");

    if (me == victim) {
        fflush(stdout);
        raise(SIGKILL); /* no finalize, no goodbye */
    }

    /* Survivors: keep calling the victim until that fails, and time it. */
    uint64_t t0 = ordo__now_ns();
    int calls = 0;
    do {
        s = ordo_rpc_call(victim, ID_ECHO, buf, 5, rep, sizeof(rep), NULL);
        calls++;
    } while (s == ORDO_OK && ordo__now_ns() - t0 < 60ull * 1000000000u);
    double ms = (double)(ordo__now_ns() - t0) / 1e6;
    if (s != ORDO_ERR_PEER_FAILED && s != ORDO_ERR_TIMEOUT)
        FAIL("call to the dead rank %d returned %s", victim, ordo_strerror(s));
    /* Once known dead, calls fail at once. */
    uint64_t t1 = ordo__now_ns();
    s = ordo_rpc_call(victim, ID_ECHO, buf, 5, rep, sizeof(rep), NULL);
    if (s != ORDO_ERR_PEER_FAILED)
        FAIL("second call to the dead rank: %s", ordo_strerror(s));
    if (ordo__now_ns() - t1 > 1000000000u)
        FAIL("second call to the dead rank took more than a second");
    if ((s = ordo_rpc_send(victim, ID_ECHO, buf, 5)) != ORDO_ERR_PEER_FAILED)
        FAIL("send to the dead rank: %s", ordo_strerror(s));

    /* The survivors still work with each other. */
    for (int round = 0; round < 20; round++)
        for (int r = 0; r < victim; r++) {
            snprintf(buf, sizeof(buf), "round %d from %d", round, me);
            memset(rep, 0, sizeof(rep));
            if ((s = ordo_rpc_call(r, ID_ECHO, buf, strlen(buf) + 1, rep, sizeof(rep), NULL)) !=
                ORDO_OK)
                FAIL("call to survivor %d: %s", r, ordo_strerror(s));
            if (strcmp(rep, buf) != 0)
                FAIL("reply from survivor %d: '%s'", r, rep);
        }
    /* Survivors wait for each other before they leave. */
    for (int r = 0; r < victim; r++)
        if (r != me && (s = ordo_rpc_send(r, ID_DONE, NULL, 0)) != ORDO_OK)
            FAIL("done to survivor %d: %s", r, ordo_strerror(s));
    while (done_count < victim - 1)
        if (ordo_progress() < 0)
            FAIL("progress");
    if (failed_calls != 1 || failed_peer != victim)
        FAIL("peer-failed hook: %d call(s), last for rank %d", failed_calls, failed_peer);
    /* A barrier needs everyone: it fails, it does not hang. */
    s = ordo_barrier();
    if (s != ORDO_ERR_PEER_FAILED && s != ORDO_ERR_TIMEOUT)
        FAIL("barrier with a dead rank returned %s", ordo_strerror(s));
    s = ordo_finalize();
    printf("survivor %d: dead rank %d detected after %.1f ms (%d calls); survivors talk; "
           "finalize: %s\n",
           me, victim, ms, calls, ordo_status_name(s));
    return 0;
}
