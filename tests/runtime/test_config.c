/* test_config.c - the ORDO_* table: defaults, parsing, refusals, origins. */
#include "../ordo_test.h"

#include "runtime/config.h"
#include "runtime/fault.h"
#include "runtime/log.h"

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

/* The fault generator is seeded: the same seed and rank give the same faults. */
static void test_fault_replay(void)
{
    ordo__fault_spec_t spec;
    char why[128];
    int a[200], b[200], drops = 0;
    uint64_t d;
    CU_ASSERT_EQUAL_FATAL(ordo__fault_parse("drop=0.3,dup=0.1,seed=5", &spec, why, sizeof(why)), 0);
    ordo__fault_init(&spec, 3);
    for (int i = 0; i < 200; i++)
        a[i] = ordo__fault_next(&d);
    ordo__fault_init(&spec, 3);
    for (int i = 0; i < 200; i++) {
        b[i] = ordo__fault_next(&d);
        drops += b[i] == ORDO__FAULT_DROP;
    }
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
    CU_ASSERT(drops > 30 && drops < 90); /* about 60 of 200 */
    CU_ASSERT_EQUAL(ordo__fault_parse("none", &spec, why, sizeof(why)), 0);
    CU_ASSERT_EQUAL(spec.enabled, 0);
    ordo__fault_init(&spec, 0);
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
    CU_ASSERT_EQUAL(ordo__fault_parse("drop=0x1p-2", &spec, why, sizeof(why)), 0);
    CU_ASSERT_DOUBLE_EQUAL(spec.drop, 0.25, 1e-12);
}

static void test_size_suffixes(void)
{
    ordo__config_t cfg;
    char *k[] = {"ORDO_MAX_MSG_SIZE=64k", NULL};
    char *g[] = {"ORDO_MAX_MSG_SIZE=1GB", NULL};
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
    {"fault injection is replayable", test_fault_replay},
    {"a fault probability is not NaN", test_fault_probability_not_nan},
    {"bad values refused with a clear message", test_bad_values},
    {"unknown ORDO_ variables warned", test_unknown_variable_warned},
    {"print lists every variable with origin", test_print_lists_everything},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/config", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_config") == 0 ? 0 : 1;
}
