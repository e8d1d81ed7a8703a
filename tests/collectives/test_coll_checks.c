/*
 * test_coll_checks.c - test_coll_mpi's checks beyond the results: bad input
 * refused (from a handler too), arguments that differ between ranks (an
 * error, never a hang), and the model's predictions.
 */
#include "tests/ordo_test.h"
/* after ordo_test.h, whose functions have a rank of their own */
#include "tests/collectives/coll_test.h"

#include <mpi.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* ---- bad input ------------------------------------------------------------ */

static volatile int handler_status = 1;

static int calls_collective(const ordo_rpc_msg_t *msg, void *arg)
{
    int x = 1, y;
    (void)msg;
    (void)arg;
    handler_status = ordo_allreduce(&x, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM);
    return ORDO_OK;
}

void test_bad_input(void)
{
    int x = 1, y;
    double d = 1;
    ordo_coll_req_t *req = (ordo_coll_req_t *)&x;
    CU_ASSERT_EQUAL(ordo_allreduce(NULL, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_allreduce(&x, NULL, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_allreduce(&x, &y, 1, (ordo_dtype_t)17, ORDO_OP_SUM), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_allreduce(&x, &y, 1, ORDO_DTYPE_INT32, 999), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_allreduce(&d, &d, 1, ORDO_DTYPE_DOUBLE, ORDO_OP_BAND), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_allreduce(&x, &y, SIZE_MAX / 2, ORDO_DTYPE_INT32, ORDO_OP_SUM),
                    ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_bcast(NULL, 4, 0), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_bcast(&x, 4, size), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_bcast(&x, 4, -1), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_reduce(&x, NULL, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM, rank),
                    ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_allgather(NULL, 4, &y), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_alltoall(&x, 4, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_iallreduce(&x, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM, NULL),
                    ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_iallreduce(NULL, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM, &req),
                    ORDO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(req);
    /* Every non-blocking form refuses a NULL request. */
    CU_ASSERT_EQUAL(ordo_ibcast(&x, 4, 0, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_ireduce(&x, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM, 0, NULL),
                    ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_iallgather(&x, 4, &y, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_ialltoall(&x, 4, &y, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_ibarrier(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_coll_wait(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_coll_test((ordo_coll_req_t *)&x), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_coll_force(ORDO_COLL_ALLREDUCE, "bogus"), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_coll_force((ordo_coll_family_t)42, "ring"), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_coll_algorithms((ordo_coll_family_t)42, NULL, 0), ORDO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(ordo_coll_family_name((ordo_coll_family_t)42));
    const char *alg = "bogus";
    CU_ASSERT_EQUAL(ordo_coll_predict(ORDO_COLL_BCAST, 8, &alg, NULL), ORDO_ERR_INVALID);
    /* From a handler: refused (the handler records what it got). */
    if (size > 1) {
        CU_ASSERT_EQUAL_FATAL(ordo_rpc_register(7, calls_collective, NULL), ORDO_OK);
        MPI_Barrier(MPI_COMM_WORLD);
        int st = ordo_rpc_call((rank + 1) % size, 7, NULL, 0, NULL, 0, NULL);
        if (st != ORDO_OK)
            fprintf(stderr, "rank %d: the call to rank %d: %s\n", rank, (rank + 1) % size,
                    ordo_strerror(st));
        CU_ASSERT_EQUAL(st, ORDO_OK);
        /* Our handler runs when rank - 1's call comes. */
        for (time_t t0 = time(NULL); handler_status == 1 && time(NULL) - t0 < 30;)
            ordo_progress();
        CU_ASSERT_EQUAL(handler_status, ORDO_ERR_INVALID);
        MPI_Barrier(MPI_COMM_WORLD);
        ordo_rpc_deregister(7);
    }
    /* And the collectives still work after all that. */
    CU_ASSERT_EQUAL(ordo_allreduce(&x, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM), ORDO_OK);
    CU_ASSERT_EQUAL(y, size);
}

/* Arguments that differ between ranks: ORDO_ERR_INVALID where it shows
 * (and, through the abort, on the ranks that wait for those), never a
 * hang; the next collectives work. */
static void mismatch_checked(int st, const char *what)
{
    int invalid = st == ORDO_ERR_INVALID, any = 0;
    CU_ASSERT(st == ORDO_OK || st == ORDO_ERR_INVALID);
    MPI_Allreduce(&invalid, &any, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (!any)
        fprintf(stderr, "rank %d: %s: no rank saw the mismatch\n", rank, what);
    CU_ASSERT(any > 0);
}

void test_mismatch(void)
{
    if (size == 1)
        return;
    double a[40] = {0}, b[40];
    int st;
    const char *algs[8];
    int na = nalgs(ORDO_COLL_ALLREDUCE, algs);
    for (int k = 0; k < na; k++) {
        ordo_coll_force(ORDO_COLL_ALLREDUCE, algs[k]);
        mismatch_checked(ordo_allreduce(a, b, rank == 0 ? 10 : 20, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM),
                         "count 10 on rank 0, 20 elsewhere");
    }
    /* Ranks that choose differently: rank 0 the linear allreduce (whose
     * root only receives at first), the others the segment's (which sends
     * nothing).  Each side would wait for the other; rank 0 sees that the
     * others run the collective through the segment. */
    ordo_coll_shm_t shm;
    CU_ASSERT_EQUAL_FATAL(ordo_coll_shm_info(&shm), ORDO_OK);
    if (shm.bytes) {
        ordo_coll_force(ORDO_COLL_ALLREDUCE, rank == 0 ? "linear" : "shm");
        mismatch_checked(ordo_allreduce(a, b, 10, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM),
                         "linear on rank 0, shm elsewhere");
        /* The same with rank 0 polling ordo_coll_test (no blocking wait). */
        ordo_coll_req_t *req = NULL;
        st = ordo_iallreduce(a, b, 10, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM, &req);
        CU_ASSERT_EQUAL_FATAL(st, ORDO_OK);
        int done = 0;
        for (time_t t0 = time(NULL); !(done = ordo_coll_test(req)) && time(NULL) - t0 < 60;)
            ;
        CU_ASSERT_EQUAL(done, 1);
        st = done == 1 ? ordo_coll_wait(req) : ORDO_ERR_TIMEOUT;
        mismatch_checked(st, "linear on rank 0 (ordo_coll_test), shm elsewhere");
    }
    ordo_coll_force(ORDO_COLL_ALLREDUCE, NULL);
    st =
        rank == 0 ? ordo_bcast(a, 80, 0) : ordo_allreduce(a, b, 10, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM);
    mismatch_checked(st, "bcast on rank 0, allreduce elsewhere");
    st = rank == 0 ? ordo_barrier() : ordo_allreduce(a, b, 10, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM);
    mismatch_checked(st, "barrier on rank 0, allreduce elsewhere");
    int x = 1, y = 0;
    CU_ASSERT_EQUAL(ordo_allreduce(&x, &y, 1, ORDO_DTYPE_INT32, ORDO_OP_SUM), ORDO_OK);
    CU_ASSERT_EQUAL(y, size);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (shm.bytes) {
        /* Ranks left waiting in a segment's reset by collectives that
         * failed, then a shm bcast on rank 0 only (its root returns once it
         * has published) while the others reduce with messages: rank 0
         * completed the reset alone and ran its bcast in the new epoch, and
         * the others took its publication for their next shm collective's,
         * which failed.  Now the next shm collectives work on every rank. */
        ordo_coll_force(ORDO_COLL_ALLREDUCE, rank == 0 ? "linear" : "shm");
        for (int k = 0; k < 2; k++)
            mismatch_checked(ordo_allreduce(a, b, 10, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM),
                             "linear on rank 0, shm elsewhere, again");
        ordo_coll_force(ORDO_COLL_ALLREDUCE, "recursive_doubling");
        ordo_coll_force(ORDO_COLL_BCAST, "shm");
        st = rank == 0 ? ordo_bcast(a, 80, 0)
                       : ordo_allreduce(a, b, 10, ORDO_DTYPE_DOUBLE, ORDO_OP_SUM);
        mismatch_checked(st, "a shm bcast on rank 0, a message allreduce elsewhere");
        ordo_coll_force(ORDO_COLL_ALLREDUCE, NULL);
        CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
        for (int k = 0; k < 3; k++) {
            double v = rank == 0 ? 7.0 + k : 0;
            CU_ASSERT_EQUAL(ordo_bcast(&v, sizeof(v), 0), ORDO_OK);
            CU_ASSERT_EQUAL(v, 7.0 + k);
        }
        ordo_coll_force(ORDO_COLL_BCAST, NULL);
        CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    }
}

void test_predict(void)
{
    ordo_coll_shm_t shm;
    CU_ASSERT_EQUAL(ordo_coll_shm_info(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL_FATAL(ordo_coll_shm_info(&shm), ORDO_OK);
    if (size > 1 && getenv("ORDO_COLL_SHM_CHUNK") == NULL) { /* one host: the segment is up */
        CU_ASSERT(shm.bytes >= (size_t)(size + 2) * shm.chunk);
        CU_ASSERT(shm.chunk > 0);
        CU_ASSERT(shm.line_us > 0);
        CU_ASSERT(shm.pass_us > 0);
        /* The cross copy: probed with a chunk of 4 KiB or more, the ranks'
         * mean (the same on every rank). */
        CU_ASSERT(shm.chunk >= 4096 ? shm.copy_us_per_byte > 0 : shm.copy_us_per_byte == 0);
        CU_ASSERT(shm.chunk >= 4096 ? shm.copy_far_us_per_byte > 0 : shm.copy_far_us_per_byte == 0);
        CU_ASSERT(shm.copy_bytes <= shm.copy_far_bytes && shm.copy_far_bytes <= shm.chunk);
        double xc[2] = {shm.copy_us_per_byte, shm.copy_far_us_per_byte};
        MPI_Bcast(xc, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        CU_ASSERT(xc[0] == shm.copy_us_per_byte && xc[1] == shm.copy_far_us_per_byte);
        const char *cma = getenv("ORDO_COLL_SHM_CMA");
        if (cma && !strcmp(cma, "n"))
            CU_ASSERT_EQUAL(shm.single_copy, 0);
        CU_ASSERT(shm.single_copy ? shm.cma_us > 0 : shm.cma_us == 0);
        /* UCX maps ordo_mem_alloc memory between processes of one host
         * (its shared-memory transports); ORDO_TEST_MAPPED=0 marks a run where not. */
        const char *mapped = getenv("ORDO_TEST_MAPPED");
        CU_ASSERT_EQUAL(shm.mapped, mapped ? atoi(mapped) : 1);
    }
    if (size == 1)
        CU_ASSERT_EQUAL(shm.bytes, 0);
    /* The model's figures: measured, and rank 0's on every rank. */
    ordo_coll_model_t cm, root_cm;
    CU_ASSERT_EQUAL(ordo_coll_model(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL_FATAL(ordo_coll_model(&cm), ORDO_OK);
    CU_ASSERT(cm.reduce_us_per_byte > 0);
    CU_ASSERT(cm.copy_us_per_byte > 0);
    CU_ASSERT(size == 1 ? cm.msg_us == 0 : cm.msg_us > 0);
    CU_ASSERT(cm.ranks_per_pu > 0);
    root_cm = cm;
    MPI_Bcast(&root_cm, (int)sizeof(root_cm), MPI_BYTE, 0, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(memcmp(&root_cm, &cm, sizeof(cm)), 0);
    for (int f = 0; f < ORDO_COLL_FAMILIES; f++) {
        const char *alg = NULL;
        double us = -1;
        CU_ASSERT_EQUAL(ordo_coll_predict((ordo_coll_family_t)f, 4096, &alg, &us), ORDO_OK);
        CU_ASSERT_PTR_NOT_NULL(alg);
        CU_ASSERT(us >= 0);
        /* Every prediction holds a pass of the node (0 without a segment). */
        CU_ASSERT(us >= shm.pass_us);
        /* Every rank predicts from rank 0's figures: the same time. */
        double root = us;
        MPI_Bcast(&root, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        CU_ASSERT_EQUAL(root, us);
    }
}
