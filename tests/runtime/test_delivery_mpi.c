/*
 * test_delivery_mpi.c - delivery semantics under injected faults.  Run with
 * ORDO_FAULT dropping, duplicating and delaying requests and replies and
 * ORDO_RETRY_MS resending unanswered requests.  Every rank calls every rank
 * many times at once; each handler execution is counted.
 *   ORDO_DELIVERY=exactly-once: every request ran exactly once, every call
 *     got the reply of that one execution;
 *   ORDO_DELIVERY=at-least-once: every request ran at least once, and with
 *     these fault rates some ran more than once.
 */
#include "../ordo_test.h"

#include "runtime/rt.h"

#include <mpi.h>
#include <ordo.h>
#include <stdlib.h>
#include <string.h>

enum { ID_COUNT = 1 };
#define K   150   /* calls from each rank to each rank */
#define BIG 20000 /* every 10th call carries this many bytes (rendezvous) */

static int me, n, exactly_once;
static int *executions; /* [src * K + token] */

typedef struct req {
    int token;
    unsigned char pad[BIG];
} req_t;

static int count(const ordo_rpc_msg_t *msg, void *arg)
{
    int token;
    (void)arg;
    if (msg->len < sizeof(int))
        return ORDO_ERR_MSG;
    memcpy(&token, msg->data, sizeof(int));
    if (token < 0 || token >= K)
        return ORDO_ERR_MSG;
    int c = ++executions[msg->src * K + token];
    return ordo_rpc_reply(msg, &c, sizeof(c));
}

static void test_calls_under_faults(void)
{
    int total = n * K;
    ordo_request_t **reqs = calloc((size_t)total, sizeof(*reqs));
    int *replies = calloc((size_t)total, sizeof(int));
    req_t *bufs = calloc((size_t)total, sizeof(req_t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(reqs && replies && bufs);

    for (int i = 0; i < total; i++) {
        int peer = i % n, token = i / n;
        bufs[i].token = token;
        size_t len = token % 10 == 9 ? sizeof(req_t) : sizeof(int);
        CU_ASSERT_EQUAL(ordo_rpc_call_nb(peer, ID_COUNT, &bufs[i], len, &replies[i], sizeof(int),
                                         NULL, NULL, &reqs[i]),
                        ORDO_OK);
    }
    int failed = 0, repeated_replies = 0;
    for (int i = 0; i < total; i++) {
        size_t len = 0;
        int s = ordo_request_wait(reqs[i], &len);
        failed += s != ORDO_OK || len != sizeof(int);
        repeated_replies += s == ORDO_OK && replies[i] != 1;
        if (s != ORDO_OK)
            fprintf(stderr, "rank %d: call %d to %d: %s\n", me, i / n, i % n, ordo_strerror(s));
    }
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);

    /* What this rank executed for each source. */
    int missing = 0, more = 0;
    for (int i = 0; i < total; i++) {
        missing += executions[i] == 0;
        more += executions[i] > 1;
    }
    CU_ASSERT_EQUAL(missing, 0);
    int more_all = 0, repeated_all = 0;
    MPI_Allreduce(&more, &more_all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&repeated_replies, &repeated_all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (exactly_once) {
        CU_ASSERT_EQUAL(more, 0);
        CU_ASSERT_EQUAL(repeated_replies, 0);
    } else {
        CU_ASSERT(more_all > 0); /* duplicates and retries ran handlers again */
    }
    /* The faults really happened, and retries and the window did their work. */
    uint64_t mine[4] = {ordo__rt.stats.fault_dropped, ordo__rt.stats.fault_duplicated,
                        ordo__rt.stats.retries, ordo__rt.stats.duplicates};
    uint64_t sum[4];
    MPI_Allreduce(mine, sum, 4, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    CU_ASSERT(sum[0] > 0);
    CU_ASSERT(sum[1] > 0);
    CU_ASSERT(sum[2] > 0);
    if (exactly_once)
        CU_ASSERT(sum[3] > 0);
    if (me == 0)
        printf("\n  %s: %d calls; dropped %llu, duplicated %llu, retries %llu, repeats answered "
               "from the window %llu, handlers run more than once %d\n",
               exactly_once ? "exactly-once" : "at-least-once", total * n,
               (unsigned long long)sum[0], (unsigned long long)sum[1], (unsigned long long)sum[2],
               (unsigned long long)sum[3], more_all);
    free(reqs);
    free(replies);
    free(bufs);
}

static void test_init(void)
{
    const char *d = getenv("ORDO_DELIVERY");
    exactly_once = !d || strcmp(d, "at-least-once") != 0;
    CU_ASSERT_EQUAL_FATAL(ordo_init(NULL, NULL), ORDO_OK);
    me = ordo_rank();
    n = ordo_size();
    executions = calloc((size_t)n * K, sizeof(int));
    CU_ASSERT_PTR_NOT_NULL_FATAL(executions);
    CU_ASSERT_EQUAL(ordo_rpc_register(ID_COUNT, count, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_finalize(void)
{
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
    free(executions);
}

static CU_TestInfo tests[] = {
    {"ordo_init", test_init},
    {"calls under dropped, duplicated and delayed messages", test_calls_under_faults},
    {"ordo_finalize", test_finalize},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/delivery", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_main_ranks(suites, "test_delivery_mpi");
}
