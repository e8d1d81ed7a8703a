/* test_config.c - the ORDO_* table: defaults, parsing, refusals, origins. */
#include "../ordo_test.h"

#include "consistency/obj.h"
#include "runtime/config.h"
#include "runtime/fault.h"
#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/module.h"
#include "runtime/parse.h"

#include <ordo.h>
#include <stdlib.h>
#include <string.h>

static char err[512];
static int unknown_seen;
static char unknown_name[64];

static void on_unknown(const char *var)
{
    unknown_seen++;
    snprintf(unknown_name, sizeof(unknown_name), "%s", var);
}

static int load(char **env, ordo__config_t *cfg, int *origin)
{
    err[0] = '\0';
    unknown_seen = 0;
    return ordo__config_load(cfg, origin, env, err, sizeof(err), on_unknown);
}

static int index_of(const char *name)
{
    for (size_t i = 0; i < ordo__cfg_table_len; i++)
        if (!strcmp(ordo__cfg_table[i].name, name))
            return (int)i;
    return -1;
}

static void test_defaults(void)
{
    ordo__config_t cfg;
    int origin[32];
    char *env[] = {"PATH=/bin", NULL};
    CU_ASSERT_EQUAL_FATAL(load(env, &cfg, origin), ORDO_OK);
    CU_ASSERT_EQUAL(cfg.log_level, ORDO__LOG_WARN);
    CU_ASSERT_EQUAL(cfg.wait_mode, ORDO__WAIT_AUTO);
    CU_ASSERT_EQUAL(cfg.timeout_ms, 30000);
    CU_ASSERT_EQUAL(cfg.max_msg_size, 256u << 20);
    CU_ASSERT_EQUAL(cfg.peer_errors, 1);
    CU_ASSERT_EQUAL(cfg.progress, 0);
    CU_ASSERT_EQUAL(cfg.proto, ORDO_PROTO_AUTO);
    CU_ASSERT_EQUAL(cfg.rndv_thresh, ORDO__CFG_AUTO);
    CU_ASSERT_EQUAL(cfg.delivery, 0);
    CU_ASSERT_EQUAL(cfg.retry_ms, 0);
    CU_ASSERT_EQUAL(cfg.dedup_window, 256);
    CU_ASSERT_EQUAL(cfg.fault.enabled, 0);
    for (size_t i = 0; i < ordo__cfg_table_len; i++)
        CU_ASSERT_EQUAL(origin[i], ORDO__CFG_ORIGIN_DEFAULT);
    CU_ASSERT_EQUAL(unknown_seen, 0);
}

static void test_values_from_env(void)
{
    ordo__config_t cfg;
    int origin[32];
    char *env[] = {"ORDO_LOG=DEBUG",       "ORDO_WAIT=block",      "ORDO_TIMEOUT_MS=1500",
                   "ORDO_MAX_MSG_SIZE=4M", "ORDO_PEER_ERRORS=off", NULL};
    CU_ASSERT_EQUAL_FATAL(load(env, &cfg, origin), ORDO_OK);
    CU_ASSERT_EQUAL(cfg.log_level, ORDO__LOG_DEBUG);
    CU_ASSERT_EQUAL(cfg.wait_mode, ORDO__WAIT_BLOCK);
    CU_ASSERT_EQUAL(cfg.timeout_ms, 1500);
    CU_ASSERT_EQUAL(cfg.max_msg_size, 4u << 20);
    CU_ASSERT_EQUAL(cfg.peer_errors, 0);
    CU_ASSERT_EQUAL(origin[index_of("ORDO_LOG")], ORDO__CFG_ORIGIN_ENV);
    CU_ASSERT_EQUAL(origin[index_of("ORDO_TIMEOUT_MS")], ORDO__CFG_ORIGIN_ENV);
}

static void test_message_layer_values(void)
{
    ordo__config_t cfg;
    char *env[] = {"ORDO_PROGRESS=thread",
                   "ORDO_PROTO=rndv",
                   "ORDO_RNDV_THRESH=64K",
                   "ORDO_DELIVERY=at-least-once",
                   "ORDO_RETRY_MS=15",
                   "ORDO_FAULT=drop=0.25,dup=0.5,delay=0.125:300,seed=9",
                   NULL};
    char buf[128];
    CU_ASSERT_EQUAL_FATAL(load(env, &cfg, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(cfg.progress, 1);
    CU_ASSERT_EQUAL(cfg.proto, ORDO_PROTO_RNDV);
    CU_ASSERT_EQUAL(cfg.rndv_thresh, 64u << 10);
    CU_ASSERT_EQUAL(cfg.delivery, 1);
    CU_ASSERT_EQUAL(cfg.retry_ms, 15);
    CU_ASSERT_EQUAL(cfg.fault.enabled, 1);
    CU_ASSERT_DOUBLE_EQUAL(cfg.fault.drop, 0.25, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cfg.fault.dup, 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cfg.fault.delay, 0.125, 1e-12);
    CU_ASSERT_EQUAL(cfg.fault.delay_us, 300);
    CU_ASSERT_EQUAL(cfg.fault.seed, 9);
    ordo__fault_format(&cfg.fault, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "drop=0.25,dup=0.5,delay=0.125:300,seed=9");
}

/* A probability is a number from 0 to 1: not NaN, which every comparison
 * lets through and which turned the other faults off (found by fuzz_config). */
static void test_fault_probability_not_nan(void)
{
    ordo__fault_spec_t spec;
    char why[128];
    CU_ASSERT_EQUAL(ordo__fault_parse("drop=nan,dup=0.5", &spec, why, sizeof(why)), -1);
    CU_ASSERT_EQUAL(ordo__fault_parse("dup=NAN", &spec, why, sizeof(why)), -1);
    CU_ASSERT_EQUAL(ordo__fault_parse("delay=-nan:10", &spec, why, sizeof(why)), -1);
    CU_ASSERT_EQUAL(ordo__fault_parse("drop=0x1p-2", &spec, why, sizeof(why)), -1);
}

static void test_size_suffixes(void)
{
    ordo__config_t cfg;
    char *k[] = {"ORDO_MAX_MSG_SIZE=64k", NULL};
    char *g[] = {"ORDO_MAX_MSG_SIZE=1G", NULL};
    char *plain[] = {"ORDO_MAX_MSG_SIZE=5000", NULL};
    CU_ASSERT_EQUAL(load(k, &cfg, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(cfg.max_msg_size, 64u << 10);
    CU_ASSERT_EQUAL(load(g, &cfg, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(cfg.max_msg_size, 1u << 30);
    CU_ASSERT_EQUAL(load(plain, &cfg, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(cfg.max_msg_size, 5000);
}

/* A refused value names the variable, the value and what is accepted, and
 * leaves the previous configuration untouched. */
static void expect_refused(char *assignment, const char *accepted_fragment)
{
    ordo__config_t cfg;
    memset(&cfg, 0x5a, sizeof(cfg));
    ordo__config_t before = cfg;
    char *env[] = {assignment, NULL};
    char name[64];
    const char *eq = strchr(assignment, '=');
    snprintf(name, sizeof(name), "%.*s", (int)(eq - assignment), assignment);

    CU_ASSERT_EQUAL(load(env, &cfg, NULL), ORDO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, name));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, eq + 1));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, accepted_fragment));
    CU_ASSERT_EQUAL(memcmp(&cfg, &before, sizeof(cfg)), 0);
}

static void test_bad_values(void)
{
    expect_refused("ORDO_LOG=loud", "error|warn|info|debug");
    expect_refused("ORDO_WAIT=sleepy", "auto|spin|yield|block");
    expect_refused("ORDO_TIMEOUT_MS=0", "from 1 to");
    expect_refused("ORDO_TIMEOUT_MS=-5", "from 1 to");
    expect_refused("ORDO_TIMEOUT_MS=12abc", "integer");
    expect_refused("ORDO_TIMEOUT_MS=", "integer");
    expect_refused("ORDO_TIMEOUT_MS=99999999999999999999999", "integer");
    expect_refused("ORDO_MAX_MSG_SIZE=1T", "suffix K, M or G");
    expect_refused("ORDO_MAX_MSG_SIZE=1KB", "suffix K, M or G");
    expect_refused("ORDO_MAX_MSG_SIZE=1 K", "suffix K, M or G");
    expect_refused("ORDO_MAX_MSG_SIZE=1.5K", "suffix K, M or G");
    expect_refused("ORDO_MAX_MSG_SIZE=0x1000", "suffix K, M or G");
    expect_refused("ORDO_TIMEOUT_MS=+5", "decimal digits only");
    expect_refused("ORDO_TIMEOUT_MS= 5", "decimal digits only");
    expect_refused("ORDO_TIMEOUT_MS=0x10", "decimal digits only");
    expect_refused("ORDO_RNDV_THRESH=1KB", "auto, or a size");
    expect_refused("ORDO_CLOCKS=lamport,,vector", "item 2 is empty");
    expect_refused("ORDO_CLOCKS=lamport,", "item 2 is empty");
    expect_refused("ORDO_CLOCKS=,lamport", "item 1 is empty");
    expect_refused("ORDO_CLOCKS=", "item 1 is empty");
    expect_refused("ORDO_CLOCKS=lamport,lamport", "lamport given twice");
    expect_refused("ORDO_CLOCKS=hlc,vector,hlc", "hlc given twice");
    expect_refused("ORDO_CLOCKS=lamport,sundial", "unknown clock 'sundial'");
    expect_refused("ORDO_MAX_MSG_SIZE=12", "from 1024");
    expect_refused("ORDO_PEER_ERRORS=maybe", "y|n");
    expect_refused("ORDO_PROGRESS=sometimes", "poll|thread");
    expect_refused("ORDO_PROTO=fast", "auto|eager|rndv");
    expect_refused("ORDO_RNDV_THRESH=lots", "auto, or a size");
    expect_refused("ORDO_DELIVERY=twice", "exactly-once|at-least-once");
    expect_refused("ORDO_DEDUP_WINDOW=3", "from 16 to");
    expect_refused("ORDO_FAULT=drop=2", "a probability from 0 to 1");
    expect_refused("ORDO_FAULT=lose=0.1", "unknown key 'lose'");
    expect_refused("ORDO_FAULT=delay=0.1", "P:US expected");
    expect_refused("ORDO_FAULT=drop", "not key=value");
    expect_refused("ORDO_FAULT=drop=nan", "drop=nan: a probability from 0 to 1 is expected");
    expect_refused("ORDO_FAULT=dup=0x1", "dup=0x1: a probability from 0 to 1 is expected");
    expect_refused("ORDO_FAULT=drop=0.5,drop=0.5", "drop given twice");
    expect_refused("ORDO_FAULT=drop=0.5,", "item 2 is empty");
    expect_refused("ORDO_FAULT=,", "item 1 is empty");
    expect_refused("ORDO_FAULT=partition=0,1|1,2@2s-6s", "rank 1 is in two groups");
}

static void test_clocks(void)
{
    ordo__config_t cfg;
    char *all[] = {"ORDO_CLOCKS=hlc,lamport,vector", NULL};
    char *none[] = {"ORDO_CLOCKS=none", NULL};
    char buf[64];
    CU_ASSERT_EQUAL_FATAL(load(all, &cfg, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(cfg.clocks, ORDO__CLOCK_LAMPORT | ORDO__CLOCK_VECTOR | ORDO__CLOCK_HLC);
    ordo__cfg_format(&ordo__cfg_table[index_of("ORDO_CLOCKS")], &cfg, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "lamport,vector,hlc");
    CU_ASSERT_EQUAL_FATAL(load(none, &cfg, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(cfg.clocks, 0);
}

/* A module's constraint beyond the type (ORDO_OBJ_BLOCK: a multiple of 8)
 * is checked by the loader, so ordo_info and ordo_init refuse alike. */
static void test_entry_check(void)
{
    ordo__cfg_table_t t = ordo__module_cfg_table(&ordo__obj_module);
    ordo__obj_config_t saved = ordo__obj_cfg;
    char *bad[] = {"ORDO_OBJ_BLOCK=12", NULL};
    char *good[] = {"ORDO_OBJ_BLOCK=16", NULL};
    err[0] = '\0';
    CU_ASSERT_EQUAL(ordo__cfg_table_load(&t, NULL, bad, err, sizeof(err)), ORDO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ORDO_OBJ_BLOCK='12'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "a block must be a multiple of 8 bytes"));
    CU_ASSERT_EQUAL(memcmp(&ordo__obj_cfg, &saved, sizeof(saved)), 0);
    CU_ASSERT_EQUAL(ordo__cfg_table_load(&t, NULL, good, err, sizeof(err)), ORDO_OK);
    CU_ASSERT_EQUAL(ordo__obj_cfg.obj_block, 16);
    ordo__obj_cfg = saved;
}

static void test_parse_uint_size(void)
{
    uint64_t v = 7;
    CU_ASSERT(ordo__parse_uint("0", 0, 10, &v) == 0 && v == 0);
    CU_ASSERT(ordo__parse_uint("18446744073709551615", 0, UINT64_MAX, &v) == 0 && v == UINT64_MAX);
    v = 7;
    const char *bad_uint[] = {"",
                              "-1",
                              "+1",
                              " 1",
                              "1 ",
                              "0x1",
                              "1e3",
                              "1.0",
                              "18446744073709551616",
                              "99999999999999999999999",
                              "11",
                              NULL};
    for (int i = 0; bad_uint[i]; i++)
        CU_ASSERT_EQUAL(ordo__parse_uint(bad_uint[i], 0, 10, &v), -1);
    CU_ASSERT_EQUAL(v, 7); /* untouched on failure */
    CU_ASSERT(ordo__parse_uint("5", 6, 10, &v) == -1);

    CU_ASSERT(ordo__parse_size("1", 0, UINT64_MAX, &v) == 0 && v == 1);
    CU_ASSERT(ordo__parse_size("3k", 0, UINT64_MAX, &v) == 0 && v == 3072);
    CU_ASSERT(ordo__parse_size("2M", 0, UINT64_MAX, &v) == 0 && v == 2u << 20);
    CU_ASSERT(ordo__parse_size("1g", 0, UINT64_MAX, &v) == 0 && v == 1u << 30);
    CU_ASSERT(ordo__parse_size("17179869183G", 0, UINT64_MAX, &v) == 0);
    const char *bad_size[] = {"",   "K",   "1KB", "1 K", "1.5K", "1T",           "0x1K",
                              "-1", "+1K", "1KK", "1K ", "1kb",  "17179869184G", NULL};
    for (int i = 0; bad_size[i]; i++)
        CU_ASSERT_EQUAL(ordo__parse_size(bad_size[i], 0, UINT64_MAX, &v), -1);
    CU_ASSERT_EQUAL(ordo__parse_size("2K", 0, 2047, &v), -1);
}

static void test_parse_prob_int(void)
{
    double p = -1;
    struct {
        const char *s;
        double v;
    } good[] = {{"0", 0},   {"1", 1},        {"0.25", 0.25}, {".5", 0.5},  {"1e-3", 1e-3},
                {"1.0", 1}, {"25E-2", 0.25}, {"0e5", 0},     {"1e-400", 0}};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CU_ASSERT_EQUAL(ordo__parse_prob(good[i].s, &p), 0);
        CU_ASSERT_DOUBLE_EQUAL(p, good[i].v, 1e-15);
    }
    p = -1;
    const char *bad[] = {"",     "nan", "NAN", "inf", "infinity", "0x1",       "0x0.8p0", "-0",
                         "+0.5", "1.5", "2",   "1e1", "0.5x",     "0.5 ",      " 0.5",    ".",
                         "1.",   "e-3", "1e",  "1e+", "0,5",      "1.0000001", NULL};
    for (int i = 0; bad[i]; i++)
        CU_ASSERT_EQUAL(ordo__parse_prob(bad[i], &p), -1);
    CU_ASSERT_EQUAL(p, -1);

    int64_t v = 0;
    CU_ASSERT(ordo__parse_int("-5", -10, 10, &v) == 0 && v == -5);
    CU_ASSERT(ordo__parse_int("+5", -10, 10, &v) == 0 && v == 5);
    CU_ASSERT(ordo__parse_int("0", -10, 10, &v) == 0 && v == 0);
    CU_ASSERT(ordo__parse_int("-9223372036854775808", INT64_MIN, INT64_MAX, &v) == 0 &&
              v == INT64_MIN);
    CU_ASSERT(ordo__parse_int("9223372036854775807", INT64_MIN, INT64_MAX, &v) == 0 &&
              v == INT64_MAX);
    const char *bad_int[] = {
        "", "-", "+", "--1", "1-", " 1", "0x1", "1.5", "11", "-11", "9223372036854775808", NULL};
    for (int i = 0; bad_int[i]; i++)
        CU_ASSERT_EQUAL(ordo__parse_int(bad_int[i], -10, i == 10 ? INT64_MAX : 10, &v), -1);
    CU_ASSERT(ordo__parse_int("-9223372036854775809", INT64_MIN, INT64_MAX, &v) == -1);
}

static void test_parse_duration(void)
{
    uint64_t ns = 1;
    struct {
        const char *s;
        uint64_t ns;
    } good[] = {{"2s", 2000000000ull},
                {"1.5s", 1500000000ull},
                {"500ms", 500000000ull},
                {"250us", 250000ull},
                {"0s", 0},
                {".5ms", 500000ull},
                {"1.5us", 1500ull},
                {"0.000000001s", 1},
                {"86400s", 86400000000000ull},
                {"1.000000000s", 1000000000ull}};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CU_ASSERT_EQUAL(ordo__parse_duration_ns(good[i].s, &ns), 0);
        CU_ASSERT_EQUAL(ns, good[i].ns);
    }
    ns = 1;
    const char *bad[] = {"",
                         "2",
                         "s",
                         "1.s",
                         "1.5",
                         "-1s",
                         "+1s",
                         "1 s",
                         "1h",
                         "1sec",
                         "1mss",
                         "1ns",
                         "0x1s",
                         "1e3s",
                         "nan",
                         "1.0001us",
                         "86400.000000001s",
                         "86401s",
                         "99999999999999999999s",
                         NULL};
    for (int i = 0; bad[i]; i++)
        CU_ASSERT_EQUAL(ordo__parse_duration_ns(bad[i], &ns), -1);
    CU_ASSERT_EQUAL(ns, 1);
}

static void test_unknown_variable_warned(void)
{
    ordo__config_t cfg;
    char *env[] = {"ORDO_LOGG=debug", "ORDO_LOG=info", "NOT_ORDO=1", NULL};
    CU_ASSERT_EQUAL(load(env, &cfg, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(unknown_seen, 1);
    CU_ASSERT_STRING_EQUAL(unknown_name, "ORDO_LOGG=debug");
    CU_ASSERT_EQUAL(cfg.log_level, ORDO__LOG_INFO);
}

static void test_print_lists_everything(void)
{
    ordo__config_t cfg;
    int origin[32];
    char *env[] = {"ORDO_WAIT=yield", NULL};
    char *text = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(load(env, &cfg, origin), ORDO_OK);
    FILE *mem = open_memstream(&text, &n);
    ordo__config_print(&cfg, origin, mem);
    fclose(mem);
    for (size_t i = 0; i < ordo__cfg_table_len; i++)
        CU_ASSERT_PTR_NOT_NULL(strstr(text, ordo__cfg_table[i].name));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "ORDO_WAIT=yield   (environment)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "ORDO_LOG=warn   (default)"));
    free(text);
}

static CU_TestInfo tests[] = {
    {"defaults", test_defaults},
    {"values from the environment", test_values_from_env},
    {"size suffixes", test_size_suffixes},
    {"message layer variables", test_message_layer_values},
    {"a fault probability is not NaN", test_fault_probability_not_nan},
    {"bad values refused with a clear message", test_bad_values},
    {"clock lists", test_clocks},
    {"a module's check runs in the loader", test_entry_check},
    {"unknown ORDO_ variables warned", test_unknown_variable_warned},
    {"print lists every variable with origin", test_print_lists_everything},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo parse_tests[] = {
    {"integers and sizes", test_parse_uint_size},
    {"probabilities and signed integers", test_parse_prob_int},
    {"durations", test_parse_duration},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/parse", NULL, NULL, NULL, NULL, parse_tests},
    {"runtime/config", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_config") == 0 ? 0 : 1;
}
