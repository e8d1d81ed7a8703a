/*
 * test_qreg_mpi.c - quorum registers on 5 ranks: values, the quorum rules
 * refused and allowed, many operations in flight, fenced writes, the read
 * flags and counters, and bad input (each refused, nothing changed).
 * Failures and faults: test_qreg_faults.c.
 */
#include "../ordo_test.h"

#include <stdint.h>
#include <string.h>

static int me, n;

static uint64_t value_of(int writer, uint64_t i)
{
    return ((uint64_t)(writer + 1) << 32) | i;
}

static void test_init(void)
{
    CU_ASSERT_EQUAL_FATAL(ordo_init(NULL, NULL), ORDO_OK);
    me = ordo_rank();
    n = ordo_size();
    CU_ASSERT_FATAL(n >= 5);
}

/* The quorum rules: W + Q > R, 1 <= W, Q <= R <= ranks. */
static void test_create_rules(void)
{
    ordo_qreg_t *r = NULL;
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 8, 5, 2, 3, 0, &r), ORDO_ERR_INVALID); /* W+Q = R */
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 8, 5, 6, 1, 0, &r), ORDO_ERR_INVALID); /* W > R */
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 8, 5, 1, 6, 0, &r), ORDO_ERR_INVALID); /* Q > R */
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 8, n + 1, n + 1, n + 1, 0, &r), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 8, 0, 0, 0, 0, &r), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 8, 3, 0, 3, 0, &r), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_create(0, 8, 3, 2, 2, 0, &r), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 0, 3, 2, 2, 0, &r), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_create(4, ORDO_QREG_VALUE_MAX + 1, 3, 2, 2, 0, &r), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 8, 3, 2, 2, 0x100, &r), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_create(4, 8, 3, 2, 2, 0, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(r);
    /* A weak register is allowed only when asked for. */
    CU_ASSERT_EQUAL_FATAL(ordo_qreg_create(4, 8, 5, 2, 2, ORDO_QREG_WEAK, &r), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(r), ORDO_OK);
}

/* Every rank writes its own key, then reads every key: the last value. */
static void test_values(void)
{
    ordo_qreg_t *r;
    CU_ASSERT_EQUAL_FATAL(ordo_qreg_create((size_t)n, 8, 5, 3, 3, 0, &r), ORDO_OK);
    uint64_t v = 1, got = 99;
    unsigned fl = 99;
    CU_ASSERT_EQUAL(ordo_qreg_read(r, (uint64_t)me, &got, &fl), ORDO_OK);
    CU_ASSERT_EQUAL(got, 0); /* never written: zero */
    for (uint64_t i = 1; i <= 20; i++) {
        v = value_of(me, i);
        CU_ASSERT_EQUAL(ordo_qreg_write(r, (uint64_t)me, &v), ORDO_OK);
        CU_ASSERT_EQUAL(ordo_qreg_read(r, (uint64_t)me, &got, NULL), ORDO_OK);
        CU_ASSERT_EQUAL(got, v);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    /* A write returns once W replicas stored it; its stores to the others
     * may still be on their way after the barrier (which moves no message
     * on one host).  Once they land, the answers agree: within 2 s here. */
    int reads = 0;
    for (int k = 0; k < n; k++) {
        double until = ordo_test_now_s() + 2.0;
        do {
            fl = 0;
            CU_ASSERT_EQUAL(ordo_qreg_read(r, (uint64_t)k, &got, &fl), ORDO_OK);
            CU_ASSERT_EQUAL(got, value_of(k, 20));
            CU_ASSERT_FALSE(fl & ORDO_QREG_STALE);
            reads++;
        } while (!(fl & ORDO_QREG_AGREED) && ordo_test_now_s() < until);
        CU_ASSERT(fl & ORDO_QREG_AGREED); /* quiet: all answers agree */
    }
    int rep[5];
    CU_ASSERT_EQUAL(ordo_qreg_replicas(r, 0, rep), ORDO_OK);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT(rep[i] >= 0 && rep[i] < n);
        for (int j = 0; j < i; j++)
            CU_ASSERT(rep[i] != rep[j]);
    }
    ordo_qreg_stats_t st;
    CU_ASSERT_EQUAL(ordo_qreg_stats(r, &st), ORDO_OK);
    CU_ASSERT_EQUAL(st.writes, 20);
    CU_ASSERT_EQUAL(st.reads, 21 + (uint64_t)reads);
    CU_ASSERT_EQUAL(st.failed, 0);
    CU_ASSERT(st.reads_agreed >= (uint64_t)n);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(r), ORDO_OK);
}

/* Concurrent writers on one key: every rank reads, after all are done, the
 * same value, one that some rank wrote last. */
static void test_concurrent_writers(void)
{
    ordo_qreg_t *r;
    CU_ASSERT_EQUAL_FATAL(ordo_qreg_create(1, 8, 3, 2, 2, 0, &r), ORDO_OK);
    for (uint64_t i = 1; i <= 50; i++) {
        uint64_t v = value_of(me, i);
        CU_ASSERT_EQUAL(ordo_qreg_write(r, 0, &v), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    uint64_t got = 0, again = 0;
    CU_ASSERT_EQUAL(ordo_qreg_read(r, 0, &got, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(got & 0xffffffffu, 50);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_read(r, 0, &again, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(again, got);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(r), ORDO_OK);
}

/* Many operations in flight, on many keys, with values of 1000 bytes. */
static void test_nonblocking(void)
{
    enum { KEYS = 64, VSIZE = 1000 };
    static uint8_t val[KEYS][VSIZE], got[KEYS][VSIZE];
    ordo_qreg_op_t *op[KEYS];
    ordo_qreg_t *r;
    CU_ASSERT_EQUAL_FATAL(ordo_qreg_create((size_t)KEYS * (size_t)n, VSIZE, 5, 3, 3, 0, &r),
                          ORDO_OK);
    for (int k = 0; k < KEYS; k++) {
        memset(val[k], (me * KEYS + k) & 0xff, VSIZE);
        val[k][0] = (uint8_t)k;
        CU_ASSERT_EQUAL_FATAL(ordo_qreg_write_nb(r, (uint64_t)(me * KEYS + k), val[k], &op[k]),
                              ORDO_OK);
    }
    memset(val[0], 0xee, VSIZE); /* the value was copied at the start */
    int done = 0;
    for (int spins = 0; spins < 1000000 && done < KEYS; spins++) {
        done = 0;
        for (int k = 0; k < KEYS; k++)
            done += ordo_qreg_test(op[k]) == 1;
    }
    for (int k = 0; k < KEYS; k++)
        CU_ASSERT_EQUAL(ordo_qreg_wait(op[k], NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_wait(NULL, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_test(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    int from = (me + 1) % n;
    for (int k = 0; k < KEYS; k++)
        CU_ASSERT_EQUAL_FATAL(ordo_qreg_read_nb(r, (uint64_t)(from * KEYS + k), got[k], &op[k]),
                              ORDO_OK);
    for (int k = 0; k < KEYS; k++) {
        unsigned fl = 0;
        CU_ASSERT_EQUAL(ordo_qreg_wait(op[k], &fl), ORDO_OK);
        CU_ASSERT_EQUAL(got[k][0], (uint8_t)k);
        CU_ASSERT_EQUAL(got[k][VSIZE - 1], (uint8_t)((from * KEYS + k) & 0xff));
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(r), ORDO_OK);
}

/* Tokens: a replica refuses one older than it has seen for the key. */
static void test_fenced(void)
{
    ordo_qreg_t *r;
    CU_ASSERT_EQUAL_FATAL(ordo_qreg_create((size_t)n, 8, 5, 3, 3, 0, &r), ORDO_OK);
    uint64_t key = (uint64_t)me, v = 10, got = 0;
    CU_ASSERT_EQUAL(ordo_qreg_write_fenced(r, key, &v, 10), ORDO_OK);
    v = 5;
    CU_ASSERT_EQUAL(ordo_qreg_write_fenced(r, key, &v, 5), ORDO_ERR_FENCED);
    CU_ASSERT_EQUAL(ordo_qreg_read(r, key, &got, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(got, 10); /* nothing stored */
    v = 11;
    CU_ASSERT_EQUAL(ordo_qreg_write_fenced(r, key, &v, 10), ORDO_OK); /* the same holder */
    v = 12;
    CU_ASSERT_EQUAL(ordo_qreg_write_fenced(r, key, &v, 12), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_read(r, key, &got, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(got, 12);
    ordo_qreg_stats_t st;
    CU_ASSERT_EQUAL(ordo_qreg_stats(r, &st), ORDO_OK);
    CU_ASSERT_EQUAL(st.failed, 1);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(r), ORDO_OK);
}

/* Bad input: each a clear error, the register unchanged. */
static void test_bad_input(void)
{
    ordo_qreg_t *r;
    ordo_qreg_op_t *op = (ordo_qreg_op_t *)&op;
    CU_ASSERT_EQUAL_FATAL(ordo_qreg_create(4, 8, 3, 2, 2, 0, &r), ORDO_OK);
    uint64_t v = value_of(me, 1), got = 0;
    CU_ASSERT_EQUAL(ordo_qreg_write(r, 0, &v), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    uint64_t bad = 777;
    CU_ASSERT_EQUAL(ordo_qreg_write(r, 4, &bad), ORDO_ERR_INVALID); /* key out of range */
    CU_ASSERT_EQUAL(ordo_qreg_write(r, UINT64_MAX, &bad), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_write(r, 0, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_read(r, 0, NULL, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_read(r, 4, &got, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_write(NULL, 0, &bad), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_write((ordo_qreg_t *)&bad, 0, &bad), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_write_nb(r, 9, &bad, &op), ORDO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(op);
    CU_ASSERT_EQUAL(ordo_qreg_write_nb(r, 0, &bad, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_wait(NULL, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_test(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_stats(r, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_replicas(r, 4, (int[3]){0}), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_read(r, 0, &got, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(got >> 32 >= 1 && got >> 32 <= (uint64_t)n, 1); /* some rank's value 1 */
    CU_ASSERT_EQUAL(got & 0xffffffffu, 1);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(r), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_qreg_read(r, 0, &got, NULL), ORDO_ERR_INVALID); /* destroyed */
    CU_ASSERT_EQUAL(ordo_qreg_write(r, 0, &v), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_qreg_destroy(r), ORDO_ERR_INVALID);
}

static void test_finalize(void)
{
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
    ordo_qreg_t *r;
    CU_ASSERT_EQUAL(ordo_qreg_create(1, 8, 1, 1, 1, 0, &r), ORDO_ERR_NOT_INIT);
}

static CU_TestInfo tests[] = {
    {"ordo_init", test_init},
    {"W + Q > R and the ranges enforced", test_create_rules},
    {"values written and read back", test_values},
    {"concurrent writers agree", test_concurrent_writers},
    {"many operations in flight", test_nonblocking},
    {"fencing tokens", test_fenced},
    {"bad input refused, nothing changed", test_bad_input},
    {"ordo_finalize", test_finalize},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"consistency/qreg", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_main_ranks(suites, "test_qreg_mpi");
}
