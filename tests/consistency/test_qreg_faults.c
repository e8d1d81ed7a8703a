/*
 * test_qreg_faults.c - a Jepsen-style run of quorum registers: 5 ranks read
 * and write a few keys at random, WINDOW operations in flight each, for SECONDS, under whatever
 * ORDO_FAULT the script sets (drop, dup, delay, a partition, a crash), with
 * ORDO_HISTORY on; the script then checks the histories with ordo-lincheck.
 *
 *   test_qreg_faults MODE SECONDS
 *   MODE abd   R = 5, W = Q = 3: must be linearizable
 *        weak  R = 5, W = Q = 2 (ORDO_QREG_WEAK): under a partition, not
 *        nowb  R = 5, W = Q = 3 without the read write-back, one key, rank 0
 *              writing, the others reading (3 in flight each): not either
 *        abd-1w  nowb's workload with the write-back: linearizable
 *        degraded  see degraded() below
 *        expire  rank 0, cut off from the others (the script's partition)
 *              while none is declared failed, polls a write with
 *              ordo_qreg_test: it must report it complete once
 *              ORDO_TIMEOUT_MS has passed, and ordo_qreg_wait then say
 *              ORDO_ERR_TIMEOUT (an operation polled ends as a waited one)
 *        killed  rank 4 starts a write of 4242 and SIGKILLs itself at once:
 *              its history must hold the write's invoke (an operation in
 *              flight when a rank dies may have taken effect)
 *
 * Every operation's status must be ORDO_OK or one a fault explains
 * (NO_QUORUM, PEER_FAILED, TIMEOUT); anything else fails the run.  A rank
 * that finds itself out of the job stops.  The survivors acknowledge the
 * failures, meet, read every key once more (the history has those reads
 * too: an acknowledged write lost would show there) and print one
 * "survivor" line each.
 */
#include <ordo.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KEYS   3
#define WINDOW 4

static int me;
static double t_start; /* just after ordo_init: where ORDO_FAULT's times count from */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int explained(int s)
{
    return s == ORDO_OK || s == ORDO_ERR_NO_QUORUM || s == ORDO_ERR_PEER_FAILED ||
           s == ORDO_ERR_TIMEOUT;
}

static int out_of_job(void)
{
    ordo_membership_t m;
    return ordo_membership(&m) == ORDO_OK && m.out;
}

/* Meet the other survivors: acknowledge what failed, then a barrier. */
static int meet(void)
{
    int s = ORDO_ERR_PEER_FAILED;
    for (int tries = 0; tries < 50 && s == ORDO_ERR_PEER_FAILED; tries++) {
        ordo_failure_ack(NULL);
        s = ordo_barrier();
    }
    return s;
}

/* MODE degraded: ranks 2, 3 and 4 crash (the script's ORDO_FAULT) after
 * rank 0 wrote key 0 at all five (W = 5, Q = 3); the two survivors, once
 * they see 3 failed ranks: writes fail with
 * ORDO_ERR_NO_QUORUM, reads of the strict register too, reads of the
 * degraded one return the last value flagged ORDO_QREG_STALE. */
static int degraded(void)
{
    ordo_qreg_t *strict, *loose;
    int s = ordo_qreg_create(KEYS, 8, 5, 5, 3, 0, &strict);
    if (s == ORDO_OK)
        s = ordo_qreg_create(KEYS, 8, 5, 5, 3, ORDO_QREG_DEGRADED_READ, &loose);
    if (s != ORDO_OK) {
        fprintf(stderr, "rank %d: FAILED: ordo_qreg_create: %s\n", me, ordo_status_name(s));
        return 1;
    }
    uint64_t v = 1000 + (uint64_t)me;
    if (me == 0 &&
        (ordo_qreg_write(strict, 0, &v) != ORDO_OK || ordo_qreg_write(loose, 0, &v) != ORDO_OK)) {
        fprintf(stderr, "rank 0: FAILED: writes before the crashes\n");
        return 1;
    }
    ordo_barrier();
    if (me >= 2) {
        for (;;)
            sleep(1); /* until the injected crash */
    }
    ordo_membership_t m = {0};
    double give_up = now_s() + 30;
    while (m.failed < 3 && now_s() < give_up) {
        ordo_progress();
        ordo_membership(&m);
    }
    uint64_t got = 0;
    unsigned fl = 0;
    int w = ordo_qreg_write(strict, 1, &v);
    int rs = ordo_qreg_read(strict, 0, &got, &fl);
    int rl = ordo_qreg_read(loose, 0, &got, &fl);
    printf("degraded %d: %d failed; write %s, strict read %s, degraded read %s value %llu%s\n", me,
           m.failed, ordo_status_name(w), ordo_status_name(rs), ordo_status_name(rl),
           (unsigned long long)got, fl & ORDO_QREG_STALE ? " stale" : "");
    ordo_failure_ack(NULL);
    int fs = ordo_finalize();
    return !(m.failed == 3 && w == ORDO_ERR_NO_QUORUM && rs == ORDO_ERR_NO_QUORUM &&
             rl == ORDO_OK && got == 1000 && (fl & ORDO_QREG_STALE) && fs == ORDO_OK);
}

/* expire: see the top.  The script's partition runs from 1.5 s to 4.5 s
 * after ordo_init; at 2 s rank 0 writes while the others enter a barrier,
 * which rank 0 joins after its write: the barrier's messages across the
 * cut are held until it heals, then delivered (none lost: it ends). */
static int expire(void)
{
    ordo_qreg_t *reg;
    ordo_qreg_op_t *op;
    uint64_t v = 77;
    int s = ordo_qreg_create(KEYS, 8, 5, 3, 3, 0, &reg);
    if (s != ORDO_OK)
        return 1;
    int bad = 0;
    while (now_s() < t_start + 2.0)
        ordo_progress();
    if (me == 0) {
        double t0 = now_s();
        s = ordo_qreg_write_nb(reg, 0, &v, &op);
        int t = 0;
        while (s == ORDO_OK && (t = ordo_qreg_test(op)) == 0 && now_s() < t0 + 20)
            ;
        double took = now_s() - t0;
        int w = s == ORDO_OK && t == 1 ? ordo_qreg_wait(op, NULL) : s;
        printf("expire: test said %d after %.2f s, wait %s\n", t, took, ordo_status_name(w));
        bad = t != 1 || w != ORDO_ERR_TIMEOUT || took < 0.9 || took > 2.4;
    }
    s = ordo_barrier();
    printf("survivor %d: barrier across the cut ended at %.1f s; end %s, finalize %s\n", me,
           now_s() - t_start, ordo_status_name(s), ordo_status_name(ordo_finalize()));
    return bad || s != ORDO_OK;
}

/* killed: rank 4 dies with a write in flight; the others go on without it. */
static int killed(void)
{
    ordo_qreg_t *reg;
    ordo_qreg_op_t *op;
    uint64_t v = 4242;
    int s = ordo_qreg_create(KEYS, 8, 5, 3, 3, 0, &reg);
    if (s != ORDO_OK || ordo_barrier() != ORDO_OK)
        return 1;
    if (me == 4) {
        s = ordo_qreg_write_nb(reg, 0, &v, &op);
        raise(SIGKILL); /* with the write's messages out, its invoke logged, nothing flushed by hand
                         */
        return 1;
    }
    while ((s = ordo_barrier()) == ORDO_ERR_PEER_FAILED)
        ordo_failure_ack(NULL);
    printf("survivor %d: end %s, finalize %s\n", me, ordo_status_name(s),
           ordo_status_name(ordo_finalize()));
    return s != ORDO_OK;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr,
                "usage: test_qreg_faults abd|abd-1w|weak|nowb|degraded|killed|expire SECONDS\n");
        return 2;
    }
    int w = 3, q = 3, keys = KEYS, window = WINDOW, writer = -1;
    unsigned flags = 0;
    if (strcmp(argv[1], "weak") == 0) {
        w = q = 2;
        flags = ORDO_QREG_WEAK;
    } else if (strcmp(argv[1], "nowb") == 0) {
        flags = ORDO_QREG_NO_WRITEBACK;
        keys = 1;   /* every reader on the writes in flight */
        writer = 0; /* rank 0 writes, the others read: few processes, a quick check */
    } else if (strcmp(argv[1], "abd-1w") == 0) {
        keys = 1; /* nowb's workload with the write-back: linearizable */
        writer = 0;
    } else if (strcmp(argv[1], "abd") != 0 && strcmp(argv[1], "degraded") != 0 &&
               strcmp(argv[1], "killed") != 0 && strcmp(argv[1], "expire") != 0) {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    double seconds = atof(argv[2]);
    int s = ordo_init(&argc, &argv);
    if (s != ORDO_OK) {
        fprintf(stderr, "ordo_init: %s\n", ordo_strerror(s));
        return 1;
    }
    me = ordo_rank();
    t_start = now_s();
    if (strcmp(argv[1], "degraded") == 0)
        return degraded();
    if (strcmp(argv[1], "killed") == 0)
        return killed();
    if (strcmp(argv[1], "expire") == 0)
        return expire();
    ordo_qreg_t *reg;
    s = ordo_qreg_create(KEYS, 8, 5, w, q, flags, &reg);
    if (s != ORDO_OK) {
        fprintf(stderr, "rank %d: FAILED: ordo_qreg_create: %s\n", me, ordo_status_name(s));
        return 1;
    }
    srand((unsigned)(me * 7919 + 1));
    if (writer >= 0)
        window = me == writer ? 1 : 3;
    long ops = 0, ok = 0, bad = 0;
    uint64_t counter = 0;
    /* WINDOW operations in flight, each its own process in the history. */
    ordo_qreg_op_t *op[WINDOW] = {0};
    uint64_t val[WINDOW];
    double end = now_s() + seconds;
    for (int busy = 1; busy;) {
        int over = now_s() >= end || out_of_job();
        busy = 0;
        for (int i = 0; i < window; i++) {
            if (op[i]) {
                if (ordo_qreg_test(op[i]) == 0) {
                    busy = 1;
                    continue;
                }
                s = ordo_qreg_wait(op[i], NULL);
                op[i] = NULL;
                ops++;
                ok += s == ORDO_OK;
                if (s != ORDO_OK)
                    usleep(2000); /* a client backs off: no flood of failing operations */
                if (!explained(s)) {
                    fprintf(stderr, "rank %d: FAILED: operation %ld: %s\n", me, ops,
                            ordo_status_name(s));
                    bad++;
                }
            }
            if (over)
                continue;
            uint64_t key = (uint64_t)(rand() % keys);
            if (writer >= 0 ? me == writer : rand() % 2) {
                val[i] = ((uint64_t)(me + 1) << 32) | ++counter; /* unique: told apart */
                s = ordo_qreg_write_nb(reg, key, &val[i], &op[i]);
            } else {
                s = ordo_qreg_read_nb(reg, key, &val[i], &op[i]);
            }
            if (s != ORDO_OK) {
                fprintf(stderr, "rank %d: FAILED: start: %s\n", me, ordo_status_name(s));
                bad++;
            }
            busy = 1;
        }
    }
    if (out_of_job()) {
        printf("out %d: %ld operations, %ld ok\n", me, ops, ok);
        ordo_finalize();
        return 0;
    }
    const char *stage = "meeting";
    s = meet();
    for (uint64_t k = 0; k < KEYS && s == ORDO_OK; k++) {
        uint64_t v;
        stage = "reading";
        s = ordo_qreg_read(reg, k, &v, NULL);
    }
    if (s == ORDO_OK) {
        stage = "meeting again";
        s = meet();
    }
    if (s == ORDO_OK) {
        stage = "destroying";
        s = ordo_qreg_destroy(reg);
    }
    if (s != ORDO_OK)
        fprintf(stderr, "rank %d: %s: %s\n", me, stage, ordo_status_name(s));
    int fs = ordo_finalize();
    printf("survivor %d: %ld operations, %ld ok; end %s, finalize %s\n", me, ops, ok,
           ordo_status_name(s), ordo_status_name(fs));
    return bad || s != ORDO_OK || fs != ORDO_OK;
}
