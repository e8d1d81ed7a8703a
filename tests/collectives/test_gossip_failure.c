/*
 * test_gossip_failure.c - gossip when a rank dies (under mpirun
 * --enable-recovery; each survivor prints one "survivor" line the calling
 * script checks).  The last rank is the victim.  Every rank publishes
 * records and delivers everyone's; then the victim dies (SIGKILL), and:
 *
 *   kill     (gossip_death_np5.sh, the failure detector on): the survivors
 *            publish again at once, while the victim is not yet known dead
 *            (calls to it hang until the detector declares it): every
 *            survivor delivers every survivor's record exactly once, and
 *            holds a membership record of the victim;
 *   declare  (gossip_member_np4.sh, ORDO_FD=n: no obituaries): first the
 *            gossip quietens (no rank spreads anything, so nobody calls
 *            the victim), the victim dies, and rank 0 alone learns of it
 *            (ordo__member_fail, as its transport would tell it); the other
 *            survivors learn of it from gossip alone (member_applied 1) and
 *            go on delivering.
 */
#include "runtime/member.h"
#include "runtime/rt.h"
#include "tests/runtime/fd_test.h"

#include <ordo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_N 16
#define PER   2 /* records per rank per phase */

static int me, n, victim;
static unsigned seen[MAX_N][2 * PER];
static long delivered, wrong;

static void on_record(int origin, uint64_t seq, const void *data, size_t len, void *arg)
{
    char want[64];
    (void)arg;
    snprintf(want, sizeof(want), "rank %d record %llu", origin, (unsigned long long)seq);
    if (origin < 0 || origin >= n || seq >= 2 * PER || len != strlen(want) + 1 ||
        memcmp(data, want, len) != 0) {
        wrong++;
        return;
    }
    seen[origin][seq]++;
    delivered++;
}

static int publish(int first)
{
    char buf[64];
    for (int k = first; k < first + PER; k++) {
        snprintf(buf, sizeof(buf), "rank %d record %d", me, k);
        if (ordo_gossip_publish(buf, strlen(buf) + 1, NULL) != ORDO_OK)
            return 0;
    }
    return 1;
}

/* Progress until done() or 60 s. */
static int progress_until(int (*done)(void))
{
    time_t t0 = time(NULL);
    while (!done() && time(NULL) - t0 < 60)
        if (ordo_progress() < 0)
            return 0;
    return done();
}

static int all_first(void)
{
    return delivered >= (long)n * PER;
}

static int quiet(void)
{
    ordo_gossip_stats_t st;
    return ordo_gossip_stats(&st) == ORDO_OK && st.young == 0;
}

static int victim_failed(void)
{
    return ordo_peer_state(victim) == ORDO_PEER_FAILED;
}

static int all_second(void)
{
    return delivered >= (long)n * PER + (long)(n - 1) * PER &&
           ordo_peer_state(victim) == ORDO_PEER_FAILED;
}

int main(int argc, char **argv)
{
    int declare = argc > 1 && strcmp(argv[1], "declare") == 0;
    if (ordo_init(&argc, &argv) != ORDO_OK)
        return 1;
    me = fd_test_me = ordo_rank();
    n = ordo_size();
    victim = n - 1;
    if (n < 3 || n > MAX_N)
        FAIL("needs 3 .. %d ranks", MAX_N);
    if (ordo_gossip_subscribe(on_record, NULL) != ORDO_OK || !publish(0))
        FAIL("subscribe or publish");
    if (!progress_until(all_first))
        FAIL("first records: %ld of %d delivered", delivered, n * PER);
    if (ordo_barrier() != ORDO_OK)
        FAIL("barrier after the first records");
    if (declare) {
        /* Nobody spreads anything any more: nobody calls the victim. */
        if (!progress_until(quiet) || ordo_barrier() != ORDO_OK)
            FAIL("gossip did not quieten");
    }
    if (me == victim) {
        fflush(stdout);
        raise(SIGKILL);
    }
    if (declare && me == 0) {
        ORDO__LOCK();
        ordo__member_fail(victim, ORDO_ERR_PEER_FAILED, "the test: rank 0 alone learns of it");
        ORDO__UNLOCK();
    }
    /* declare: the others publish once gossip told them (a push of theirs
     * could reach the victim before, and its transport tell them first). */
    if (declare && me != 0 && !progress_until(victim_failed))
        FAIL("gossip did not tell of rank %d's failure", victim);
    if (!publish(PER))
        FAIL("publish after the death");
    if (!progress_until(all_second))
        FAIL("after the death: %ld of %d delivered, victim %s", delivered, n * PER + (n - 1) * PER,
             ordo_peer_state(victim) == ORDO_PEER_FAILED ? "failed" : "not known failed");
    for (int o = 0; o < n; o++)
        for (int k = 0; k < 2 * PER; k++)
            if (seen[o][k] != (o == victim && k >= PER ? 0u : 1u))
                FAIL("record %d of rank %d delivered %u times", k, o, seen[o][k]);
    if (wrong)
        FAIL("%ld records with wrong bytes", wrong);
    ordo_gossip_stats_t st;
    if (ordo_gossip_stats(&st) != ORDO_OK || st.member_records < 1)
        FAIL("no membership record of the victim");
    if (declare && me != 0 && st.member_applied != 1)
        FAIL("learnt of the failure otherwise than from gossip (member_applied %llu)",
             (unsigned long long)st.member_applied);
    /* The survivors meet, over the live members, and leave. */
    if (ordo_failure_ack(NULL) != ORDO_OK || ordo_barrier() != ORDO_OK)
        FAIL("barrier of the survivors");
    int s = ordo_finalize();
    printf("survivor %d: %ld records delivered once each; %llu membership record(s), %llu "
           "failure(s) learnt from gossip; finalize: %s\n",
           me, delivered, (unsigned long long)st.member_records,
           (unsigned long long)st.member_applied, ordo_status_name(s));
    return 0;
}
