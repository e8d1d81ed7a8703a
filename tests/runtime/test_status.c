/* test_status.c - the status list, its names and descriptions. */
#include "../ordo_test.h"

#include <ordo.h>
#include <string.h>

static void test_ok_is_zero_errors_negative(void)
{
    CU_ASSERT_EQUAL(ORDO_OK, 0);
#define CHECK_NEG(name, value, desc)                                                               \
    if (ORDO_##name != ORDO_OK)                                                                    \
        CU_ASSERT(ORDO_##name < 0);
    ORDO_STATUS_LIST(CHECK_NEG)
#undef CHECK_NEG
}

static void test_strings_match_list(void)
{
#define CHECK_STR(name, value, desc)                                                               \
    CU_ASSERT_STRING_EQUAL(ordo_strerror(ORDO_##name), desc);                                      \
    CU_ASSERT_STRING_EQUAL(ordo_status_name(ORDO_##name), "ORDO_" #name);
    ORDO_STATUS_LIST(CHECK_STR)
#undef CHECK_STR
    CU_ASSERT_STRING_EQUAL(ordo_strerror(ORDO_ERR_TIMEOUT), "operation timed out");
}

static void test_codes_are_distinct(void)
{
    int codes[] = {
#define CODE(name, value, desc) ORDO_##name,
        ORDO_STATUS_LIST(CODE)
#undef CODE
    };
    size_t n = sizeof(codes) / sizeof(codes[0]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            CU_ASSERT_NOT_EQUAL(codes[i], codes[j]);
}

static void test_unknown_status(void)
{
    CU_ASSERT_STRING_EQUAL(ordo_strerror(-999), "unknown status");
    CU_ASSERT_STRING_EQUAL(ordo_strerror(12345), "unknown status");
    CU_ASSERT_STRING_EQUAL(ordo_status_name(-999), "ORDO_ERR_UNKNOWN");
}

static void test_version(void)
{
    char expect[32];
    snprintf(expect, sizeof(expect), "%d.%d.%d", ORDO_VERSION_MAJOR, ORDO_VERSION_MINOR,
             ORDO_VERSION_PATCH);
    CU_ASSERT_STRING_EQUAL(ordo_version(), expect);
}

static CU_TestInfo status_tests[] = {
    {"ok is zero, errors negative", test_ok_is_zero_errors_negative},
    {"strings come from the list", test_strings_match_list},
    {"codes are distinct", test_codes_are_distinct},
    {"unknown codes", test_unknown_status},
    {"version matches the header", test_version},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/status", NULL, NULL, NULL, NULL, status_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_status") == 0 ? 0 : 1;
}
