/*
 * test_clocks_mpi.c - clocks on several ranks: a random pattern of one-way
 * messages, calls and user events; every clock only moves forward, a reply
 * is after its request in all three clocks, and (run with ORDO_TRACE) the
 * trace is left for ordo-trace to check.
 */
#include "../ordo_test.h"

#include <ordo.h>
#include <stdlib.h>
#include <string.h>

enum { ID_NOTE = 1, ID_ASK = 2 };

static int me, n;

static int note(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

/* Reply with the replier's clocks at the time of the reply. */
typedef struct stamp {
    uint64_t lamport;
    ordo_hlc_t hlc;
    uint64_t vc[64];
} stamp_t;

static int ask(const ordo_rpc_msg_t *msg, void *arg)
{
    stamp_t s;
    (void)arg;
    memset(&s, 0, sizeof(s));
    s.lamport = ordo_lamport_now();
    ordo_hlc_now(&s.hlc);
    ordo_vclock_now(s.vc, n);
    return ordo_rpc_reply(msg, &s, sizeof(s));
}

static void test_random_pattern(void)
{
    unsigned seed = 777u * (unsigned)(me + 1);
    uint64_t last_lamport = 0;
    ordo_hlc_t last_hlc = {0, 0};
    uint64_t vc[64], before[64];
    int bad = 0;

    CU_ASSERT_FATAL(n <= 64);
    for (int step = 0; step < 300; step++) {
        seed = seed * 1103515245u + 12345u;
        int peer = (int)((seed >> 16) % (unsigned)n), what = (int)((seed >> 8) % 4);
        if (what == 0) {
            bad += ordo_rpc_send(peer, ID_NOTE, &step, sizeof(step)) != ORDO_OK;
        } else if (what == 1) {
            stamp_t s;
            ordo_hlc_t mine;
            bad += ordo_vclock_now(before, n) != ORDO_OK;
            bad += ordo_rpc_call(peer, ID_ASK, &step, sizeof(step), &s, sizeof(s), NULL) != ORDO_OK;
            /* The reply happened before now, in every clock. */
            bad += ordo_lamport_now() <= s.lamport;
            bad +=
                ordo_hlc_now(&mine) != ORDO_OK || ordo_hlc_compare(&s.hlc, &mine) != ORDO_HB_BEFORE;
            bad += ordo_vclock_now(vc, n) != ORDO_OK ||
                   ordo_vclock_compare(s.vc, vc, n) != ORDO_HB_BEFORE;
            bad += ordo_vclock_compare(before, vc, n) != ORDO_HB_BEFORE;
        } else if (what == 2) {
            bad += ordo_trace_event("step") != ORDO_OK;
        } else {
            ordo_progress();
        }
        /* Nothing goes backwards. */
        uint64_t l = ordo_lamport_now();
        ordo_hlc_t h;
        bad += l < last_lamport;
        bad += ordo_hlc_now(&h) != ORDO_OK || ordo_hlc_compare(&last_hlc, &h) != ORDO_HB_BEFORE;
        last_lamport = l;
        last_hlc = h;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(ordo_lamport_tick() > last_lamport);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_bad_arguments(void)
{
    uint64_t vc[4];
    CU_ASSERT_EQUAL(ordo_vclock_now(NULL, n), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_vclock_now(vc, n + 1), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_hlc_now(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_trace_event(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_trace_event(""), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_trace_event("has space"), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_trace_event("a-very-long-name-that-is-longer-than-sixty-three-characters-"
                                     "in-all"),
                    ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_trace_event("ok_name-1.2"), ORDO_OK);
}

static void test_init(void)
{
    CU_ASSERT_EQUAL_FATAL(ordo_init(NULL, NULL), ORDO_OK);
    me = ordo_rank();
    n = ordo_size();
    CU_ASSERT_EQUAL(ordo_rpc_register(ID_NOTE, note, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_rpc_register(ID_ASK, ask, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_finalize(void)
{
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_lamport_now(), 0);
    CU_ASSERT_EQUAL(ordo_trace_event("late"), ORDO_ERR_NOT_INIT);
}

static CU_TestInfo tests[] = {
    {"ordo_init", test_init},
    {"random messages, calls and events", test_random_pattern},
    {"bad arguments", test_bad_arguments},
    {"ordo_finalize", test_finalize},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/clocks", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_main_ranks(suites, "test_clocks_mpi");
}
