/* test_noinit.c - every public call before ordo_init fails cleanly. */
#include "../ordo_test.h"

#include <ordo.h>
#include <stdlib.h>
#include <string.h>

static int cb(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

static void test_calls_before_init(void)
{
    char buf[8] = {0};
    size_t len = 99;
    ordo_rpc_msg_t msg = {0};

    CU_ASSERT_EQUAL(ordo_initialized(), 0);
    CU_ASSERT_EQUAL(ordo_rank(), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_size(), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_local_rank(), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_local_size(), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_same_node(0, 0), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_numa_node(0), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_progress(), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_rpc_register(1, cb, NULL), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_rpc_deregister(1), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_rpc_reply(&msg, buf, 1), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_rpc_send(0, 1, buf, 1), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_rpc_call(0, 1, buf, 1, buf, sizeof(buf), &len), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(len, 99); /* outputs untouched on error */
    CU_ASSERT_EQUAL(ordo_rpc_max_size(), 0);
    ordo_stats_t st;
    CU_ASSERT_EQUAL(ordo_stats(&st), ORDO_ERR_NOT_INIT);
}

static void test_info_before_init(void)
{
    char *text = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&text, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    CU_ASSERT_EQUAL(ordo_info_print(mem), ORDO_OK);
    fclose(mem);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "ORDO_LOG="));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "ORDO_TIMEOUT_MS="));
    CU_ASSERT_PTR_NULL(strstr(text, "topology"));
    free(text);
    CU_ASSERT_EQUAL(ordo_info_print(NULL), ORDO_ERR_INVALID);
}

static CU_TestInfo tests[] = {
    {"public calls before ordo_init", test_calls_before_init},
    {"ordo_info_print before ordo_init", test_info_before_init},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/noinit", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_noinit") == 0 ? 0 : 1;
}
