/*
 * test_coll_fail.c - a rank killed during a collective, on 4 ranks.
 *
 * Rank 2 starts a 4 MiB ring allreduce (non-blocking; argv[1] names another
 * algorithm, e.g. shm), lets it progress a little, and SIGKILLs itself; the other ranks are in the
 * same allreduce (blocking).  With argv[1] "barrier", rank 2 dies before it
 * comes to a barrier the others wait in (its shm algorithm); with "bcast",
 * before a shm bcast of 4 MiB from rank 0's ordo_mem_alloc memory, which the
 * receivers get straight from it while rank 0 waits for every one (rank 0
 * must fail; a receiver that had its copy may end well).  Each survivor must get
 * ORDO_ERR_PEER_FAILED (not a timeout: ORDO_TIMEOUT_MS is far longer), then ORDO_ERR_PEER_FAILED
 * again from any collective until it acknowledges the failure.  After ordo_failure_ack, every
 * algorithm of every family runs over the 3 live ranks (places 0, 1, 2 are ranks 0, 1, 3: a view
 * that is not a prefix of the ranks) with the right results: reductions over the live ranks only,
 * allgather / alltoall slots of the dead rank left as they were; a bcast
 * from the dead rank fails with ORDO_ERR_PEER_FAILED.  ordo_finalize
 * returns ORDO_OK.  Each survivor prints "survivor R: ok".
 */
#include "tests/runtime/fd_test.h"

#include <signal.h>
#include <string.h>

#define VICTIM 2
#define BIG    (4u << 20)
#define BLOCK  1000

static const char *kill_alg = "ring"; /* the allreduce's algorithm */

static int live(int r)
{
    return r != VICTIM;
}

static int check_family(ordo_coll_family_t f, int me, int size)
{
    const char *names[8];
    int na = ordo_coll_algorithms(f, names, 8);
    for (int a = 0; a < na; a++) {
        if (ordo_coll_force(f, names[a]) != ORDO_OK)
            FAIL("ordo_coll_force(%s)", names[a]);
        int st = ORDO_OK;
        unsigned char *in = malloc((size_t)BLOCK * size), *out = malloc((size_t)BLOCK * size);
        if (!in || !out)
            FAIL("no memory");
        for (int i = 0; i < BLOCK * size; i++)
            in[i] = (unsigned char)(i * 3 + me * 17);
        memset(out, 0xab, (size_t)BLOCK * size);
        if (f == ORDO_COLL_ALLREDUCE || f == ORDO_COLL_REDUCE) {
            int64_t x[BLOCK / 8], y[BLOCK / 8];
            for (int i = 0; i < BLOCK / 8; i++)
                x[i] = (int64_t)me * 1000 + i;
            st = f == ORDO_COLL_ALLREDUCE
                     ? ordo_allreduce(x, y, BLOCK / 8, ORDO_DTYPE_INT64, ORDO_OP_SUM)
                     : ordo_reduce(x, y, BLOCK / 8, ORDO_DTYPE_INT64, ORDO_OP_SUM, 3);
            if (st == ORDO_OK && (f == ORDO_COLL_ALLREDUCE || me == 3))
                for (int i = 0; i < BLOCK / 8; i++)
                    if (y[i] != (0 + 1 + 3) * 1000 + 3 * i)
                        FAIL("%s %s: element %d is %lld", ordo_coll_family_name(f), names[a], i,
                             (long long)y[i]);
        } else if (f == ORDO_COLL_BCAST) {
            if (me != 3)
                memset(in, 0, BLOCK);
            st = ordo_bcast(in, BLOCK, 3);
            for (int i = 0; st == ORDO_OK && i < BLOCK; i++)
                if (in[i] != (unsigned char)(i * 3 + 3 * 17))
                    FAIL("bcast %s: byte %d", names[a], i);
        } else if (f == ORDO_COLL_ALLGATHER) {
            st = ordo_allgather(in, BLOCK, out);
            for (int r = 0; st == ORDO_OK && r < size; r++)
                for (int i = 0; i < BLOCK; i++)
                    if (out[r * BLOCK + i] != (live(r) ? (unsigned char)(i * 3 + r * 17) : 0xab))
                        FAIL("allgather %s: slot %d byte %d", names[a], r, i);
        } else if (f == ORDO_COLL_ALLTOALL) {
            st = ordo_alltoall(in, BLOCK, out);
            for (int r = 0; st == ORDO_OK && r < size; r++)
                for (int i = 0; i < BLOCK; i++)
                    if (out[r * BLOCK + i] !=
                        (live(r) ? (unsigned char)((me * BLOCK + i) * 3 + r * 17) : 0xab))
                        FAIL("alltoall %s: slot %d byte %d", names[a], r, i);
        } else {
            st = ordo_barrier();
        }
        free(in);
        free(out);
        if (st != ORDO_OK)
            FAIL("%s %s over the survivors: %s", ordo_coll_family_name(f), names[a],
                 ordo_strerror(st));
    }
    ordo_coll_force(f, NULL);
    return 0;
}

static int after_failure(int me, int size);

/* The shm bcast rank 2 never comes to: rank 0 (the root) fails; 1 and 3
 * fail, or end well with the payload. */
static int survive_bcast(int me, int size)
{
    unsigned char *buf;
    if (ordo_mem_alloc(BIG, (void **)&buf) != ORDO_OK)
        FAIL("ordo_mem_alloc");
    for (size_t i = 0; i < BIG; i++)
        buf[i] = me == 0 ? (unsigned char)(i * 7 + 1) : 0;
    if (ordo_coll_force(ORDO_COLL_BCAST, "shm") != ORDO_OK)
        FAIL("no bcast algorithm shm");
    double t0 = fd_test_now();
    int st = ordo_bcast(buf, BIG, 0);
    ordo_coll_force(ORDO_COLL_BCAST, NULL);
    double took = fd_test_now() - t0;
    if (st != ORDO_ERR_PEER_FAILED && (me == 0 || st != ORDO_OK))
        FAIL("the shm bcast the victim never came to returned %s on rank %d after %.1f s",
             ordo_strerror(st), me, took);
    for (size_t i = 0; st == ORDO_OK && i < BIG; i++)
        if (buf[i] != (unsigned char)(i * 7 + 1))
            FAIL("the shm bcast ended well with byte %zu wrong", i);
    ordo_mem_free(buf);
    printf("survivor %d: the shm bcast from ordo_mem_alloc memory returned %s after %.2f s\n", me,
           ordo_strerror(st), took);
    /* A shm collective can fail through another rank's mark of the segment
     * before this rank's own view has the victim failed: the checks that
     * follow are of that view. */
    while (ordo_peer_state(VICTIM) != ORDO_PEER_FAILED) {
        if (fd_test_now() - t0 > 30)
            FAIL("rank %d never learnt that rank %d failed", me, VICTIM);
        ordo_progress();
        usleep(1000);
    }
    return after_failure(me, size);
}

static int survivor(int me, int size, double *big_in, double *big_out)
{
    double t0 = fd_test_now();
    int barrier = !strcmp(kill_alg, "barrier"), st;
    if (!strcmp(kill_alg, "bcast"))
        return survive_bcast(me, size);
    if (barrier) {
        if (ordo_coll_force(ORDO_COLL_BARRIER, "shm") != ORDO_OK)
            FAIL("no barrier algorithm shm");
        st = ordo_barrier();
        ordo_coll_force(ORDO_COLL_BARRIER, NULL);
    } else {
        if (ordo_coll_force(ORDO_COLL_ALLREDUCE, kill_alg) != ORDO_OK)
            FAIL("no allreduce algorithm %s", kill_alg);
        st = ordo_allreduce(big_in, big_out, BIG / 8, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM);
    }
    double took = fd_test_now() - t0;
    if (st != ORDO_ERR_PEER_FAILED)
        FAIL("the %s %s the victim died in returned %s after %.1f s", barrier ? "shm" : kill_alg,
             barrier ? "barrier" : "allreduce", ordo_strerror(st), took);
    printf("survivor %d: the %s %s failed after %.2f s\n", me, barrier ? "shm" : kill_alg,
           barrier ? "barrier" : "allreduce", took);
    return after_failure(me, size);
}

/* Every collective fails until the failure is acknowledged; then every
 * algorithm runs over the survivors. */
static int after_failure(int me, int size)
{
    int x = 1, y = 0, st;
    st = ordo_allreduce(&x, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM);
    if (st != ORDO_ERR_PEER_FAILED)
        FAIL("a collective before ordo_failure_ack returned %s", ordo_strerror(st));
    ordo_coll_req_t *req = (ordo_coll_req_t *)&x;
    st = ordo_ibarrier(&req);
    if (st != ORDO_ERR_PEER_FAILED || req)
        FAIL("ordo_ibarrier before ordo_failure_ack returned %s", ordo_strerror(st));
    uint64_t epoch;
    if (ordo_failure_ack(&epoch) != ORDO_OK)
        FAIL("ordo_failure_ack");
    for (int f = 0; f < ORDO_COLL_FAMILIES; f++)
        if (check_family((ordo_coll_family_t)f, me, size))
            return 1;
    char b[8];
    st = ordo_bcast(b, sizeof(b), VICTIM);
    if (st != ORDO_ERR_PEER_FAILED)
        FAIL("a bcast from the dead rank returned %s", ordo_strerror(st));
    /* And a non-blocking one over the survivors. */
    x = me;
    st = ordo_iallreduce(&x, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_MAX, &req);
    if (st != ORDO_OK || (st = ordo_coll_wait(req)) != ORDO_OK || y != 3)
        FAIL("iallreduce over the survivors: %s, %d", ordo_strerror(st), y);
    printf("survivor %d: collectives over the survivors work\n", me);
    return 0;
}

int main(int argc, char **argv)
{
    if (ordo_init(&argc, &argv) != ORDO_OK)
        return 1;
    if (argc > 1)
        kill_alg = argv[1];
    int me = fd_test_me = ordo_rank(), size = ordo_size();
    if (size != 4)
        FAIL("run on 4 ranks");
    double *big_in = calloc(BIG / 8, 8), *big_out = calloc(BIG / 8, 8);
    if (!big_in || !big_out)
        FAIL("no memory");
    int x = 1, y = 0;
    if (ordo_allreduce(&x, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM) != ORDO_OK || y != 4)
        FAIL("allreduce before the failure: %d", y);
    int rc;
    if (me == VICTIM && (!strcmp(kill_alg, "barrier") || !strcmp(kill_alg, "bcast")))
        raise(SIGKILL); /* before the barrier or the bcast */
    if (me == VICTIM) {
        ordo_coll_req_t *req;
        ordo_coll_force(ORDO_COLL_ALLREDUCE, kill_alg);
        if (ordo_iallreduce(big_in, big_out, BIG / 8, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM, &req))
            FAIL("the victim's iallreduce");
        for (int i = 0; i < 50; i++)
            (void)ordo_coll_test(req);
        raise(SIGKILL);
    }
    rc = survivor(me, size, big_in, big_out);
    free(big_in);
    free(big_out);
    int st = ordo_finalize();
    if (!rc && st != ORDO_OK)
        FAIL("ordo_finalize: %s", ordo_strerror(st));
    if (!rc)
        printf("survivor %d: ok\n", me);
    return rc;
}
