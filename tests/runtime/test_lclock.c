/* test_lclock.c - the clock rules on hand-made cases, and their wire encoding. */
#include "../ordo_test.h"

#include "runtime/lclock.h"

#include <ordo.h>
#include <stdint.h>
#include <string.h>

static void test_hlc_send(void)
{
    uint64_t l = 100, c = 5;
    ordo__hlc_send_rule(&l, &c, 50); /* physical time behind: l stays, c counts */
    CU_ASSERT_EQUAL(l, 100);
    CU_ASSERT_EQUAL(c, 6);
    ordo__hlc_send_rule(&l, &c, 100); /* equal: still a new event */
    CU_ASSERT_EQUAL(l, 100);
    CU_ASSERT_EQUAL(c, 7);
    ordo__hlc_send_rule(&l, &c, 120); /* physical time ahead: l follows, c resets */
    CU_ASSERT_EQUAL(l, 120);
    CU_ASSERT_EQUAL(c, 0);
}

/* The four receive cases of Kulkarni et al.: which of l', l_m, pt is largest. */
static void test_hlc_recv_cases(void)
{
    uint64_t l, c;
    /* l == l' == l_m: c = max(c, c_m) + 1 */
    l = 100, c = 3;
    ordo__hlc_recv_rule(&l, &c, 100, 7, 90);
    CU_ASSERT_EQUAL(l, 100);
    CU_ASSERT_EQUAL(c, 8);
    l = 100, c = 9;
    ordo__hlc_recv_rule(&l, &c, 100, 7, 90);
    CU_ASSERT_EQUAL(c, 10);
    /* l == l' only (local ahead of message and physical time): c + 1 */
    l = 100, c = 3;
    ordo__hlc_recv_rule(&l, &c, 80, 50, 90);
    CU_ASSERT_EQUAL(l, 100);
    CU_ASSERT_EQUAL(c, 4);
    /* l == l_m only (message ahead): c_m + 1 */
    l = 100, c = 3;
    ordo__hlc_recv_rule(&l, &c, 150, 7, 120);
    CU_ASSERT_EQUAL(l, 150);
    CU_ASSERT_EQUAL(c, 8);
    /* physical time ahead of both: c = 0 */
    l = 100, c = 3;
    ordo__hlc_recv_rule(&l, &c, 110, 7, 200);
    CU_ASSERT_EQUAL(l, 200);
    CU_ASSERT_EQUAL(c, 0);
    /* message equal to physical time, local behind: l_m wins the tie as l_m */
    l = 10, c = 3;
    ordo__hlc_recv_rule(&l, &c, 200, 4, 200);
    CU_ASSERT_EQUAL(l, 200);
    CU_ASSERT_EQUAL(c, 5);
}

/* After a receive, the receiver's HLC is above the message's and its own old one. */
static void test_hlc_recv_is_after_both(void)
{
    uint64_t vals[] = {0, 1, 99, 100, 101, 1000};
    for (size_t a = 0; a < 6; a++)
        for (size_t b = 0; b < 6; b++)
            for (size_t p = 0; p < 6; p++)
                for (uint64_t c0 = 0; c0 < 3; c0++) {
                    uint64_t l = vals[a], c = c0, lm = vals[b], cm = 2;
                    ordo_hlc_t before = {l, c}, msg = {lm, cm};
                    ordo__hlc_recv_rule(&l, &c, lm, cm, vals[p]);
                    ordo_hlc_t after = {l, c};
                    CU_ASSERT_EQUAL(ordo_hlc_compare(&before, &after), ORDO_HB_BEFORE);
                    CU_ASSERT_EQUAL(ordo_hlc_compare(&msg, &after), ORDO_HB_BEFORE);
                    CU_ASSERT(l >= vals[p]);
                }
}

static void test_hlc_compare(void)
{
    ordo_hlc_t a = {5, 1}, b = {5, 2}, d = {6, 0};
    CU_ASSERT_EQUAL(ordo_hlc_compare(&a, &b), ORDO_HB_BEFORE);
    CU_ASSERT_EQUAL(ordo_hlc_compare(&b, &a), ORDO_HB_AFTER);
    CU_ASSERT_EQUAL(ordo_hlc_compare(&b, &d), ORDO_HB_BEFORE);
    CU_ASSERT_EQUAL(ordo_hlc_compare(&a, &a), ORDO_HB_EQUAL);
    CU_ASSERT_EQUAL(ordo_hlc_compare(NULL, &a), ORDO_ERR_INVALID);
}

static void test_vclock_compare(void)
{
    uint64_t a[3] = {1, 0, 0}, b[3] = {1, 1, 0}, c[3] = {0, 0, 1}, d[3] = {1, 1, 0};
    CU_ASSERT_EQUAL(ordo_vclock_compare(a, b, 3), ORDO_HB_BEFORE);
    CU_ASSERT_EQUAL(ordo_vclock_compare(b, a, 3), ORDO_HB_AFTER);
    CU_ASSERT_EQUAL(ordo_vclock_compare(b, d, 3), ORDO_HB_EQUAL);
    CU_ASSERT_EQUAL(ordo_vclock_compare(a, c, 3), ORDO_HB_CONCURRENT);
    CU_ASSERT_EQUAL(ordo_vclock_compare(c, b, 3), ORDO_HB_CONCURRENT);
    CU_ASSERT_EQUAL(ordo_vclock_compare(a, NULL, 3), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_vclock_compare(a, b, 0), ORDO_ERR_INVALID);
}

static void test_varints(void)
{
    uint64_t vals[] = {0, 1, 127, 128, 300, 16383, 16384, (1ull << 35) + 7, UINT64_MAX};
    size_t sizes[] = {1, 1, 1, 2, 2, 2, 3, 6, 10};
    uint8_t buf[16];
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        uint64_t v = 0;
        size_t n = ordo__varint_put(buf, vals[i]);
        CU_ASSERT_EQUAL(n, sizes[i]);
        CU_ASSERT_EQUAL(ordo__varint_get(buf, n, &v), n);
        CU_ASSERT_EQUAL(v, vals[i]);
        if (n > 1) /* cut short: refused */
            CU_ASSERT_EQUAL(ordo__varint_get(buf, n - 1, &v), 0);
    }
    uint8_t too_long[11];
    memset(too_long, 0xff, sizeof(too_long));
    uint64_t v;
    CU_ASSERT_EQUAL(ordo__varint_get(too_long, sizeof(too_long), &v), 0);
}

/* The clock extension: what a sender writes, a receiver decodes; damage is refused. */
static void test_extension_roundtrip(void)
{
    uint8_t ext[256];
    unsigned flags = 0;
    ordo__stamp_t st;
    CU_ASSERT_EQUAL_FATAL(
        ordo__lclock_init(1, 3, ORDO__CLOCK_LAMPORT | ORDO__CLOCK_HLC | ORDO__CLOCK_VECTOR, 1000000,
                          NULL),
        ORDO_OK);
    CU_ASSERT(ordo__lclock_ext_max() >= 8 + 16 + 4);
    size_t len = ordo__lclock_send(ext, &flags, 2, 7, 1);
    CU_ASSERT_EQUAL(flags, ORDO__CLOCK_LAMPORT | ORDO__CLOCK_HLC | ORDO__CLOCK_VECTOR);
    CU_ASSERT_EQUAL(len, 8 + 16 + 1 + 3); /* three small entries: a byte each */
    CU_ASSERT_EQUAL(ordo__lclock_decode(ext, len, flags, &st), 0);
    CU_ASSERT_EQUAL(st.lamport, 1);
    CU_ASSERT_EQUAL(ordo__lclock_decode(ext, len - 1, flags, &st), -1); /* truncated */
    CU_ASSERT_EQUAL(ordo__lclock_decode(ext, len + 1, flags, &st), -1); /* trailing junk */
    ext[24] = 4;                                                        /* wrong width */
    CU_ASSERT_EQUAL(ordo__lclock_decode(ext, len, flags, &st), -1);
    ordo__lclock_fini();
}

static CU_TestInfo tests[] = {
    {"HLC send and local rule", test_hlc_send},
    {"HLC receive, each case", test_hlc_recv_cases},
    {"HLC receive orders after both", test_hlc_recv_is_after_both},
    {"HLC compare", test_hlc_compare},
    {"vector clock compare", test_vclock_compare},
    {"LEB128 varints", test_varints},
    {"clock extension on the wire", test_extension_roundtrip},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/lclock", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_lclock") == 0 ? 0 : 1;
}
