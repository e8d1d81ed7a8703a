/*
 * test_obj_failure.c - shared objects when a rank fails.  4 ranks, under
 * mpirun --enable-recovery; argv[1] says how rank 3 goes:
 *
 *   kill  it SIGKILLs itself right after a barrier (with causal writes of
 *         its own still on their way, which some survivors may apply and
 *         others not);
 *   stop  it SIGSTOPs itself: the transport sees nothing, only the failure
 *         detector can tell.  Once the survivors have seen it declared
 *         failed (and met without it), rank 0 sends it SIGCONT: it finds
 *         itself out of the job, its operations fail, its ordo_finalize
 *         returns.
 *
 * The survivors, with an object of each model (2 MiB, blocks homed at every
 * rank): every operation on a block homed at rank 3 fails with
 * ORDO_ERR_PEER_FAILED (never a timeout), operations on the others work and
 * read back what the survivors wrote after the failure, a TSO write to rank
 * 3's block still in the store buffer is dropped and reported by the fence,
 * ordo_fence and ordo_barrier fail until ordo_failure_ack and work after it
 * (over 3 ranks), the causal replicas of the survivors converge, a new
 * object's blocks are homed at live ranks only, objects are freed, and
 * ordo_finalize returns ORDO_OK.  Each survivor prints one "survivor" line
 * (with the time from the kill or stop to its first ORDO_ERR_PEER_FAILED)
 * and rank 3, in the stop variant, one "victim" line; the script counts
 * them.
 */
#include "consistency/obj.h"
#include "runtime/clock.h"

#include <mpi.h>
#include <ordo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define NRANKS  4
#define VICTIM  3
#define NMODELS 3
#define OBJ_MiB 2

/* Words inside a block (offsets from its start). */
#define W_PRE(r)    (8 * (size_t)(r))       /* written by rank r before the failure */
#define W_POST(r)   (64 + 8 * (size_t)(r))  /* by survivor r after it */
#define W_TSOBUF(r) (128 + 8 * (size_t)(r)) /* TSO: buffered right after the barrier */
#define W_COUNT     256                     /* each survivor adds 1 after the failure */
#define W_SHARED    320                     /* causal: every survivor writes it */
#define W_BURST     1024                    /* causal: the victim's last writes */
#define BURST       64

static const ordo_model_t models[NMODELS] = {ORDO_MODEL_SC, ORDO_MODEL_TSO, ORDO_MODEL_CAUSAL};
static const char *const names[NMODELS] = {"sc", "tso", "causal"};

static int me;
static ordo_obj_t *obj[NMODELS];
static size_t at[NMODELS][NRANKS]; /* a block of each object homed at each rank */

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "rank %d: FAILED: ", me);                                                  \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        return 1;                                                                                  \
    } while (0)

#define EXPECT(call, want)                                                                         \
    do {                                                                                           \
        int s_ = (call);                                                                           \
        if (s_ != (want))                                                                          \
            FAIL("%s:%d: %s returned %s, not %s", __FILE__, __LINE__, #call, ordo_status_name(s_), \
                 ordo_status_name(want));                                                          \
    } while (0)

static int64_t val(int m, int writer, int home, int what)
{
    return 1000000 * (m + 1) + 10000 * what + 100 * writer + home;
}

static double ms_since(uint64_t t0)
{
    return (double)(ordo__now_ns() - t0) / 1e6;
}

static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* Objects of every model; a block of each homed at each rank. */
static int setup(void)
{
    for (int m = 0; m < NMODELS; m++) {
        EXPECT(ordo_obj_alloc((size_t)OBJ_MiB << 20, models[m], &obj[m]), ORDO_OK);
        int found = 0;
        for (int r = 0; r < NRANKS; r++)
            at[m][r] = SIZE_MAX;
        for (size_t off = 0; off < (size_t)OBJ_MiB << 20; off += 4096) {
            int h;
            EXPECT(ordo_obj_home(obj[m], off, &h), ORDO_OK);
            if (at[m][h] == SIZE_MAX) {
                at[m][h] = off; /* blocks are multiples of 4 KiB here */
                found++;
            }
        }
        if (found != NRANKS)
            FAIL("%s object: blocks homed at %d ranks only", names[m], found);
    }
    /* Every rank writes a word in a block of every home; all read them. */
    for (int m = 0; m < NMODELS; m++)
        for (int h = 0; h < NRANKS; h++) {
            int64_t v = val(m, me, h, 1);
            EXPECT(ordo_write(obj[m], at[m][h] + W_PRE(me), &v, 8), ORDO_OK);
        }
    EXPECT(ordo_fence(), ORDO_OK);
    EXPECT(ordo_barrier(), ORDO_OK);
    for (int m = 0; m < NMODELS; m++)
        for (int h = 0; h < NRANKS; h++)
            for (int r = 0; r < NRANKS; r++) {
                int64_t v = -1;
                EXPECT(ordo_read(obj[m], at[m][h] + W_PRE(r), &v, 8), ORDO_OK);
                if (v != val(m, r, h, 1))
                    FAIL("%s: word of rank %d at home %d: %lld before the failure", names[m], r, h,
                         (long long)v);
            }
    return 0;
}

/* Every operation on a block homed at the victim fails at once. */
static int dead_blocks_refused(void)
{
    char buf[64] = {0};
    int64_t old;
    for (int m = 0; m < NMODELS; m++) {
        size_t off = at[m][VICTIM];
        uint64_t t0 = ordo__now_ns();
        EXPECT(ordo_read(obj[m], off, buf, 8), ORDO_ERR_PEER_FAILED);
        EXPECT(ordo_write(obj[m], off + 8, buf, 8), ORDO_ERR_PEER_FAILED);
        EXPECT(ordo_fetch_add(obj[m], off + W_COUNT, 1, &old), ORDO_ERR_PEER_FAILED);
        EXPECT(ordo_cas(obj[m], off + W_COUNT, 0, 1, &old), ORDO_ERR_PEER_FAILED);
        /* A range that starts in a live block and ends in the dead one. */
        size_t b = (size_t)ordo__obj_cfg.obj_block;
        if (off >= b) {
            int h;
            EXPECT(ordo_obj_home(obj[m], off - b, &h), ORDO_OK);
            if (h != VICTIM) {
                EXPECT(ordo_write(obj[m], off - 32, buf, 64), ORDO_ERR_PEER_FAILED);
                EXPECT(ordo_read(obj[m], off - 32, buf, 64), ORDO_ERR_PEER_FAILED);
            }
        }
        if (ms_since(t0) > 500)
            FAIL("%s: refusals took %.0f ms (they send nothing)", names[m], ms_since(t0));
    }
    return 0;
}

/* After the failure: the survivors write and add at live homes. */
static int survivors_write(void)
{
    for (int m = 0; m < NMODELS; m++)
        for (int h = 0; h < NRANKS; h++) {
            if (h == VICTIM)
                continue;
            int64_t v = val(m, me, h, 2), shared = val(m, me, h, 3);
            EXPECT(ordo_write(obj[m], at[m][h] + W_POST(me), &v, 8), ORDO_OK);
            EXPECT(ordo_fetch_add(obj[m], at[m][h] + W_COUNT, 1, NULL), ORDO_OK);
            if (models[m] == ORDO_MODEL_CAUSAL)
                EXPECT(ordo_write(obj[m], at[m][h] + W_SHARED, &shared, 8), ORDO_OK);
        }
    return 0;
}

/* What the survivors wrote after the failure reads back everywhere (causal:
 * once the replicas have it, which the writers' fences made sure of). */
static int survivors_read_back(int tso_buffered)
{
    for (int m = 0; m < NMODELS; m++)
        for (int h = 0; h < NRANKS; h++) {
            if (h == VICTIM)
                continue;
            for (int r = 0; r < NRANKS; r++) {
                if (r == VICTIM)
                    continue;
                int64_t v = -1;
                EXPECT(ordo_read(obj[m], at[m][h] + W_POST(r), &v, 8), ORDO_OK);
                if (v != val(m, r, h, 2))
                    FAIL("%s: rank %d's write after the failure at home %d reads %lld", names[m], r,
                         h, (long long)v);
                if (models[m] == ORDO_MODEL_TSO && tso_buffered) {
                    EXPECT(ordo_read(obj[m], at[m][h] + W_TSOBUF(r), &v, 8), ORDO_OK);
                    if (v != val(m, r, h, 4))
                        FAIL("tso: rank %d's buffered write at home %d reads %lld (the write "
                             "to the dead home before it must not block it)",
                             r, h, (long long)v);
                }
            }
            int64_t count = -1;
            EXPECT(ordo_read(obj[m], at[m][h] + W_COUNT, &count, 8), ORDO_OK);
            if (count != NRANKS - 1)
                FAIL("%s: counter at home %d is %lld, not %d", names[m], h, (long long)count,
                     NRANKS - 1);
        }
    return 0;
}

/* The survivors' causal replicas agree: each publishes a hash of what it
 * can read in a new SC object (homed at live ranks only), until all agree. */
static int causal_converges(ordo_obj_t *sums)
{
    ordo_obj_t *c = obj[2];
    for (int round = 0; round < 20; round++) {
        uint64_t h = 0xcbf29ce484222325ull;
        uint8_t block[2048];
        for (int home = 0; home < NRANKS; home++) {
            if (home == VICTIM)
                continue;
            EXPECT(ordo_read(c, at[2][home], block, sizeof(block)), ORDO_OK);
            h = fnv(h, block, sizeof(block));
        }
        size_t base = (size_t)round * 64;
        EXPECT(ordo_write(sums, base + 8 * (size_t)me, &h, 8), ORDO_OK);
        EXPECT(ordo_barrier(), ORDO_OK);
        int agree = 1;
        for (int r = 0; r < NRANKS; r++) {
            uint64_t other = 0;
            if (r == VICTIM)
                continue;
            EXPECT(ordo_read(sums, base + 8 * (size_t)r, &other, 8), ORDO_OK);
            agree &= other == h;
        }
        EXPECT(ordo_barrier(), ORDO_OK);
        if (agree) {
            /* Concurrent writes to one word settled the same way everywhere. */
            int64_t v;
            EXPECT(ordo_read(c, at[2][0] + W_SHARED, &v, 8), ORDO_OK);
            for (int w = 0; w < NRANKS; w++)
                if (w != VICTIM && v == val(2, w, 0, 3))
                    return 0;
            FAIL("causal: the word every survivor wrote holds %lld", (long long)v);
        }
        uint64_t t0 = ordo__now_ns();
        while (ms_since(t0) < 200)
            ordo_progress();
    }
    FAIL("causal replicas of the survivors still differ after 20 rounds");
}

static int survivor(const char *how, const pid_t *pids)
{
    int64_t v;
    uint64_t t0 = ordo__now_ns(); /* the victim goes right after the barrier */

    /* A TSO write to the victim's block, then one to a live block: both
     * buffered, unless the failure is already known (then refused). */
    int tso_buffered = 0;
    v = val(1, me, VICTIM, 4);
    int s = ordo_write(obj[1], at[1][VICTIM] + W_TSOBUF(me), &v, 8);
    if (s != ORDO_OK && s != ORDO_ERR_PEER_FAILED)
        FAIL("tso write to the victim's block right after the barrier: %s", ordo_status_name(s));
    if (s == ORDO_OK) {
        tso_buffered = 1;
        for (int h = 0; h < NRANKS; h++) {
            v = val(1, me, h, 4);
            if (h != VICTIM)
                EXPECT(ordo_write(obj[1], at[1][h] + W_TSOBUF(me), &v, 8), ORDO_OK);
        }
    }
    /* Read the victim's block until that fails: the detection. */
    do
        s = ordo_read(obj[0], at[0][VICTIM], &v, 8);
    while (s == ORDO_OK && ms_since(t0) < 30000);
    double detect_ms = ms_since(t0);
    if (s != ORDO_ERR_PEER_FAILED)
        FAIL("read of the victim's block: %s after %.0f ms (want ORDO_ERR_PEER_FAILED)",
             ordo_status_name(s), detect_ms);
    if (ordo_peer_state(VICTIM) != ORDO_PEER_FAILED)
        FAIL("rank %d is not failed in the view", VICTIM);

    if (dead_blocks_refused() || survivors_write())
        return 1;
    /* Fence and barrier fail until the failure is acknowledged. */
    EXPECT(ordo_fence(), ORDO_ERR_PEER_FAILED);
    EXPECT(ordo_fence(), ORDO_ERR_PEER_FAILED);
    EXPECT(ordo_barrier(), ORDO_ERR_PEER_FAILED);
    uint64_t epoch = 0;
    EXPECT(ordo_failure_ack(&epoch), ORDO_OK);
    EXPECT(ordo_fence(), ORDO_OK);
    EXPECT(ordo_barrier(), ORDO_OK);
    ordo_membership_t mb;
    EXPECT(ordo_membership(&mb), ORDO_OK);
    if (mb.live != NRANKS - 1 || mb.failed != 1 || mb.acked_epoch != epoch || mb.out)
        FAIL("membership: live %d failed %d acked epoch %llu out %d", mb.live, mb.failed,
             (unsigned long long)mb.acked_epoch, mb.out);
    if (strcmp(how, "stop") == 0 && me == 0) {
        /* Every survivor has seen it failed (they met without it): wake it. */
        if (kill(pids[VICTIM], SIGCONT) != 0)
            FAIL("SIGCONT to pid %d", (int)pids[VICTIM]);
    }
    EXPECT(ordo_barrier(), ORDO_OK);
    if (survivors_read_back(tso_buffered))
        return 1;
    /* A new object, after the acknowledgement: its blocks at live ranks. */
    ordo_obj_t *sums;
    EXPECT(ordo_obj_alloc((size_t)OBJ_MiB << 20, ORDO_MODEL_SC, &sums), ORDO_OK);
    for (size_t off = 0; off < (size_t)OBJ_MiB << 20; off += 4096) {
        int h;
        EXPECT(ordo_obj_home(sums, off, &h), ORDO_OK);
        if (h == VICTIM)
            FAIL("a new object has a block at %zu homed at the failed rank", off);
    }
    if (causal_converges(sums))
        return 1;
    /* Old objects still refuse the dead blocks; all are freed. */
    if (dead_blocks_refused())
        return 1;
    EXPECT(ordo_obj_free(sums), ORDO_OK);
    for (int m = 0; m < NMODELS; m++)
        EXPECT(ordo_obj_free(obj[m]), ORDO_OK);
    EXPECT(ordo_barrier(), ORDO_OK);
    s = ordo_finalize();
    printf("survivor %d: rank %d (%s) failed: first ORDO_ERR_PEER_FAILED after %.1f ms; "
           "tso write %s; finalize: %s\n",
           me, VICTIM, how, detect_ms, tso_buffered ? "buffered, dropped" : "refused",
           ordo_status_name(s));
    fflush(stdout);
    return s == ORDO_OK ? 0 : 1;
}

/* Stopped, then continued: out of the job, and it finds out. */
static int victim_continued(void)
{
    uint64_t t0 = ordo__now_ns();
    ordo_membership_t mb = {0};
    while (ms_since(t0) < 30000) {
        ordo_progress();
        EXPECT(ordo_membership(&mb), ORDO_OK);
        if (mb.out)
            break;
    }
    if (!mb.out)
        FAIL("not out 30 s after SIGCONT");
    double ms = ms_since(t0);
    int64_t v = 1;
    for (int m = 0; m < NMODELS; m++)
        for (int h = 0; h < NRANKS; h++) {
            EXPECT(ordo_read(obj[m], at[m][h], &v, 8), ORDO_ERR_PEER_FAILED);
            EXPECT(ordo_write(obj[m], at[m][h], &v, 8), ORDO_ERR_PEER_FAILED);
            EXPECT(ordo_fetch_add(obj[m], at[m][h], 1, NULL), ORDO_ERR_PEER_FAILED);
        }
    EXPECT(ordo_fence(), ORDO_ERR_PEER_FAILED);
    EXPECT(ordo_barrier(), ORDO_ERR_PEER_FAILED);
    for (int r = 0; r < NRANKS; r++)
        if (r != me && ordo_peer_state(r) != ORDO_PEER_FAILED)
            FAIL("rank %d is not failed for a rank that is out", r);
    t0 = ordo__now_ns();
    int s = ordo_finalize();
    printf("victim %d: out %.1f ms after SIGCONT (%d failed in its view), operations refused; "
           "finalize returned %s in %.1f ms\n",
           me, ms, mb.failed, ordo_status_name(s), ms_since(t0));
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "kill";
    pid_t pids[NRANKS], pid = getpid();
    if (ordo_init(&argc, &argv) != ORDO_OK)
        return 1;
    me = ordo_rank();
    if (ordo_size() != NRANKS || (strcmp(how, "kill") != 0 && strcmp(how, "stop") != 0))
        FAIL("run on %d ranks with kill or stop (%d ranks, '%s')", NRANKS, ordo_size(), how);
    if (MPI_Allgather(&pid, sizeof(pid), MPI_BYTE, pids, sizeof(pid), MPI_BYTE, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        FAIL("MPI_Allgather of the pids");
    if (setup())
        return 1;
    EXPECT(ordo_barrier(), ORDO_OK);
    if (me != VICTIM)
        return survivor(how, pids);

    /* The victim: causal writes in live blocks, not fenced, then it goes. */
    for (int h = 0; h < NRANKS; h++)
        for (int i = 0; h != VICTIM && i < BURST; i++) {
            int64_t v = val(2, me, h, 5) + i;
            EXPECT(ordo_write(obj[2], at[2][h] + W_BURST + 8 * (size_t)i, &v, 8), ORDO_OK);
        }
    fflush(stdout);
    if (strcmp(how, "kill") == 0)
        raise(SIGKILL);
    raise(SIGSTOP);
    return victim_continued();
}
