/*
 * test_module.c - the module registry (runtime/module.c), in one process:
 * registration and its refusals, the order of init (as registered), fini
 * and quiesce (reversed), a failed init finalizing only the modules started
 * before it, peer-failed hooks, the leave service, and deferred progress.
 */
#include "../ordo_test.h"

#include "runtime/module.h"

#include <ordo.h>
#include <stdio.h>
#include <string.h>

static char trace[256];

static void note(const char *what, const char *name)
{
    size_t n = strlen(trace);
    snprintf(trace + n, sizeof(trace) - n, "%s%s:%s", n ? " " : "", what, name);
}

static int fail_init_of = -1; /* index of the module whose init fails */
static int progress_runs[3], leave_runs;

#define HOOKS(i, nm)                                                                               \
    static int init_##i(void)                                                                      \
    {                                                                                              \
        note("init", nm);                                                                          \
        return fail_init_of == i ? ORDO_ERR_CONFIG : ORDO_OK;                                      \
    }                                                                                              \
    static void fini_##i(void)                                                                     \
    {                                                                                              \
        note("fini", nm);                                                                          \
    }                                                                                              \
    static int quiesce_##i(uint64_t deadline)                                                      \
    {                                                                                              \
        (void)deadline;                                                                            \
        note("quiesce", nm);                                                                       \
        return i == 1 ? ORDO_ERR_TIMEOUT : ORDO_OK;                                                \
    }                                                                                              \
    static void failed_##i(int peer, int status)                                                   \
    {                                                                                              \
        char w[32];                                                                                \
        snprintf(w, sizeof(w), "failed%d/%d", peer, status);                                       \
        note(w, nm);                                                                               \
    }                                                                                              \
    static void progress_##i(void)                                                                 \
    {                                                                                              \
        progress_runs[i]++;                                                                        \
    }

HOOKS(0, "a")
HOOKS(1, "b")
HOOKS(2, "c")

static int leave_b(void)
{
    leave_runs++;
    return ORDO_ERR_TIMEOUT;
}

#define MODULE(i, nm)                                                                              \
    {                                                                                              \
        .name = nm, .init = init_##i, .fini = fini_##i, .quiesce = quiesce_##i,                    \
        .peer_failed = failed_##i, .progress = progress_##i                                        \
    }

static ordo__module_t mods[3] = {MODULE(0, "a"), MODULE(1, "b"), MODULE(2, "c")};

static void setup(void)
{
    ordo__module_clear();
    trace[0] = '\0';
    fail_init_of = -1;
    memset(progress_runs, 0, sizeof(progress_runs));
    leave_runs = 0;
    mods[1].leave = leave_b;
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL_FATAL(ordo__module_register(&mods[i]), ORDO_OK);
}

static void test_register_refusals(void)
{
    setup();
    CU_ASSERT_EQUAL(ordo__module_count(), 3);
    CU_ASSERT_PTR_EQUAL(ordo__module_at(2), &mods[2]);
    CU_ASSERT_PTR_NULL(ordo__module_at(3));
    CU_ASSERT_EQUAL(ordo__module_register(&mods[0]), ORDO_ERR_EXISTS);
    ordo__module_t same_name = {.name = "b"};
    CU_ASSERT_EQUAL(ordo__module_register(&same_name), ORDO_ERR_EXISTS);
    ordo__module_t anon = {.name = NULL};
    CU_ASSERT_EQUAL(ordo__module_register(&anon), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo__module_register(NULL), ORDO_ERR_INVALID);
    static ordo__module_t many[ORDO__MODULE_MAX];
    static char names[ORDO__MODULE_MAX][16];
    int refused = 0;
    for (int i = 0; i < ORDO__MODULE_MAX; i++) {
        snprintf(names[i], sizeof(names[i]), "m%d", i);
        many[i].name = names[i];
        refused += ordo__module_register(&many[i]) == ORDO_ERR_NOMEM;
    }
    CU_ASSERT_EQUAL(ordo__module_count(), ORDO__MODULE_MAX);
    CU_ASSERT_EQUAL(refused, 3); /* three places were taken by a, b, c */
    ordo__module_clear();
    CU_ASSERT_EQUAL(ordo__module_count(), 0);
}

static void test_order(void)
{
    setup();
    CU_ASSERT_EQUAL(ordo__modules_init(), ORDO_OK);
    CU_ASSERT_STRING_EQUAL(trace, "init:a init:b init:c");
    trace[0] = '\0';
    /* Quiesce from the top down; the first failure is the result, all run. */
    CU_ASSERT_EQUAL(ordo__modules_quiesce(0), ORDO_ERR_TIMEOUT);
    CU_ASSERT_STRING_EQUAL(trace, "quiesce:c quiesce:b quiesce:a");
    trace[0] = '\0';
    ordo__modules_peer_failed(3, ORDO_ERR_PEER_FAILED);
    CU_ASSERT_STRING_EQUAL(trace, "failed3/-9:a failed3/-9:b failed3/-9:c");
    /* The leave is the first module's that offers one. */
    CU_ASSERT_EQUAL(ordo__modules_leave(), ORDO_ERR_TIMEOUT);
    CU_ASSERT_EQUAL(ordo__modules_leave(), ORDO_ERR_TIMEOUT);
    CU_ASSERT_EQUAL(leave_runs, 2);
    trace[0] = '\0';
    ordo__modules_fini();
    CU_ASSERT_STRING_EQUAL(trace, "fini:c fini:b fini:a");
    /* Finalized modules are not finalized twice. */
    trace[0] = '\0';
    ordo__modules_fini();
    CU_ASSERT_STRING_EQUAL(trace, "");
    ordo__module_clear();
}

static void test_failed_init(void)
{
    setup();
    fail_init_of = 1;
    CU_ASSERT_EQUAL(ordo__modules_init(), ORDO_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(trace, "init:a init:b");
    trace[0] = '\0';
    ordo__modules_fini(); /* only a was started */
    CU_ASSERT_STRING_EQUAL(trace, "fini:a");
    ordo__module_clear();
}

static void test_progress(void)
{
    setup();
    CU_ASSERT_EQUAL(ordo__modules_init(), ORDO_OK);
    ordo__modules_progress(); /* nobody asked */
    CU_ASSERT_EQUAL(progress_runs[0] + progress_runs[1] + progress_runs[2], 0);
    ordo__module_wake(&mods[2]);
    ordo__module_wake(&mods[0]);
    CU_ASSERT_NOT_EQUAL(ordo__modules_pending, 0);
    ordo__modules_progress();
    CU_ASSERT_EQUAL(progress_runs[0], 1);
    CU_ASSERT_EQUAL(progress_runs[1], 0);
    CU_ASSERT_EQUAL(progress_runs[2], 1);
    CU_ASSERT_EQUAL(ordo__modules_pending, 0);
    ordo__modules_progress(); /* once per wake */
    CU_ASSERT_EQUAL(progress_runs[0], 1);
    ordo__modules_fini();
    ordo__module_clear();
}

static CU_TestInfo tests[] = {
    {"registration and its refusals", test_register_refusals},
    {"init in order; quiesce, fini reversed; hooks", test_order},
    {"a failed init finalizes only those before it", test_failed_init},
    {"deferred progress, once per wake", test_progress},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/module", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_module") == 0 ? 0 : 1;
}
