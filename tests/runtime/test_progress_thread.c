/*
 * test_progress_thread.c - with ORDO_PROGRESS=thread, handlers run while the
 * application computes: rank 1 spins in a loop without calling ordo while
 * every other rank calls it; every call must be handled during that loop.
 */
#include "../ordo_test.h"

#include <ordo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ID_WORK = 1 };
#define CALLS 100

static int me, n;
static volatile int computing;
static volatile int handled, handled_while_computing;

static int work(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    handled++;
    if (computing)
        handled_while_computing++;
    int v = handled;
    (void)msg;
    return ordo_rpc_reply(msg, &v, sizeof(v));
}

static void test_handlers_run_while_computing(void)
{
    int expect = (n - 1) * CALLS;
    if (n < 2)
        return;
    if (me == 1) {
        computing = 1;
        CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
        /* Compute without a single ordo call until everything was handled
         * (or 30 s have passed). */
        time_t t0 = time(NULL);
        volatile double x = 1.0;
        while (handled < expect && time(NULL) - t0 < 30)
            for (int i = 0; i < 10000; i++)
                x = x * 1.0000001 + 1e-9;
        computing = 0;
        CU_ASSERT_EQUAL(handled_while_computing, expect);
    } else {
        CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
        int failed = 0, v = 0;
        for (int i = 0; i < CALLS; i++)
            failed += ordo_rpc_call(1, ID_WORK, &i, sizeof(i), &v, sizeof(v), NULL) != ORDO_OK;
        CU_ASSERT_EQUAL(failed, 0);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_init(void)
{
    CU_ASSERT_EQUAL_FATAL(ordo_init(NULL, NULL), ORDO_OK);
    me = ordo_rank();
    n = ordo_size();
    CU_ASSERT_EQUAL(ordo_rpc_register(ID_WORK, work, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_finalize(void)
{
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
}

static CU_TestInfo tests[] = {
    {"ordo_init", test_init},
    {"handlers run while the application computes", test_handlers_run_while_computing},
    {"ordo_finalize", test_finalize},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/progress_thread", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    setenv("ORDO_PROGRESS", "thread", 1);
    return ordo_test_main_ranks(suites, "test_progress_thread");
}
