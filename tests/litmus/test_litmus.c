/* test_litmus.c - ordo-litmus's library without the tool: the parser on
 * texts in memory, the condition evaluator, state rows, state sets, the
 * verdict, and the models on small tests whose outcomes are known by hand.
 * Links the tool's sources only (no libordo, no MPI). */
#include "tools/litmus/litmus.h"

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <string.h>

static const char sb_text[] = "LISA SB\n"
                              "\"Store buffering\"\n"
                              "Cycle=Fre PodWR Fre PodWR\n"
                              "{ x=0; y=0; }\n"
                              " P0       | P1       ;\n"
                              " w[] x 1  | w[] y 1  ;\n"
                              " r[] r0 y | r[] r0 x ;\n"
                              "exists (0:r0=0 /\\ 1:r0=0)\n";

static int parse(const char *text, litmus_test_t *test, litmus_error_t *err)
{
    return litmus_parse_string("t.litmus", text, strlen(text), test, err);
}

/* Parses text, which must be well-formed. */
static litmus_test_t *parse_ok(const char *text)
{
    static litmus_test_t test;
    litmus_error_t err;
    int status = parse(text, &test, &err);

    if (status)
        fprintf(stderr, "\nunexpected error: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(status, LITMUS_OK);
    return &test;
}

/* The error message for text, which must be malformed with status. */
static const char *parse_error(const char *text, int status)
{
    static litmus_error_t err;
    litmus_test_t test;

    CU_ASSERT_EQUAL(parse(text, &test, &err), status);
    return err.msg;
}

static litmus_state_t state2(int64_t r00, int64_t r10)
{
    litmus_state_t st;

    memset(&st, 0, sizeof(st));
    st.regs[0][0] = r00;
    st.regs[1][0] = r10;
    return st;
}

/* ---- the parser --------------------------------------------------------------- */

static void test_parse_sb(void)
{
    litmus_test_t *t = parse_ok(sb_text);

    CU_ASSERT_STRING_EQUAL(t->name, "SB");
    CU_ASSERT_EQUAL(t->nthreads, 2);
    CU_ASSERT_EQUAL(t->nlocs, 2);
    CU_ASSERT_STRING_EQUAL(t->locs[0], "x");
    CU_ASSERT_STRING_EQUAL(t->locs[1], "y");
    CU_ASSERT_EQUAL(t->threads[0].ninstrs, 2);
    CU_ASSERT_EQUAL(t->threads[0].instrs[0].op, LITMUS_OP_WRITE);
    CU_ASSERT_EQUAL(t->threads[0].instrs[0].loc, 0);
    CU_ASSERT_EQUAL(t->threads[0].instrs[0].value, 1);
    CU_ASSERT_EQUAL(t->threads[0].instrs[0].line, 6);
    CU_ASSERT_EQUAL(t->threads[0].instrs[0].col, 2);
    CU_ASSERT_EQUAL(t->threads[1].instrs[1].op, LITMUS_OP_READ);
    CU_ASSERT_EQUAL(t->threads[1].instrs[1].loc, 0);
    CU_ASSERT_EQUAL(t->threads[1].nregs, 1);
    CU_ASSERT_STRING_EQUAL(t->threads[1].regs[0], "r0");
    CU_ASSERT_EQUAL(t->quant, LITMUS_EXISTS);
    CU_ASSERT_EQUAL(t->observed[0] + t->observed[1], 0);
}

static void test_parse_forms(void)
{
    /* comments anywhere (nested), {} init, annotations, empty cells,
     * negative and non-zero initial values, locations, ~exists */
    litmus_test_t *t = parse_ok("(* a test *) LISA W+R.x-1\n"
                                "{}\n"
                                " P0 (* writer *)   | P1                ;\n"
                                " w[once] x -1      |                   ;\n"
                                " f[sync]           | r[acquire] r3 x   ;\n"
                                "                   | r[once,x] r3 z    ;\n"
                                "locations [z; 1:r3;]\n"
                                "~exists (1:r3=5 \\/ ~(x=-1) /\\ true)\n");

    CU_ASSERT_STRING_EQUAL(t->name, "W+R.x-1");
    CU_ASSERT_EQUAL(t->threads[0].ninstrs, 2);
    CU_ASSERT_EQUAL(t->threads[1].ninstrs, 2);
    CU_ASSERT_STRING_EQUAL(t->threads[0].instrs[0].annot, "once");
    CU_ASSERT_EQUAL(t->threads[0].instrs[0].value, -1);
    CU_ASSERT_EQUAL(t->threads[0].instrs[1].op, LITMUS_OP_FENCE);
    CU_ASSERT_STRING_EQUAL(t->threads[0].instrs[1].annot, "sync");
    CU_ASSERT_EQUAL(t->threads[1].nregs, 1); /* r3 twice */
    CU_ASSERT_EQUAL(t->nlocs, 2);
    CU_ASSERT_STRING_EQUAL(t->locs[1], "z");
    CU_ASSERT(t->observed[0] && t->observed[1]);
    CU_ASSERT_EQUAL(t->quant, LITMUS_NOT_EXISTS);

    t = parse_ok("LISA I\n{ x=5; y = -2; }\n P0 ;\n r[] r0 x ;\nforall 0:r0=5\n");
    CU_ASSERT_EQUAL(t->init[0], 5);
    CU_ASSERT_EQUAL(t->init[1], -2);
    CU_ASSERT_EQUAL(t->quant, LITMUS_FORALL);
}

static void test_parse_errors(void)
{
    CU_ASSERT_STRING_EQUAL(parse_error("", LITMUS_ERR_PARSE),
                           "t.litmus:1:1: expected 'LISA' and the test's name, found end of file");
    CU_ASSERT_STRING_EQUAL(
        parse_error("LISA A\n{ x=0 }\n P0 ;\n w[] x ;\nexists (x=1)\n", LITMUS_ERR_PARSE),
        "t.litmus:4:8: expected an integer value, found ';'");
    CU_ASSERT_STRING_EQUAL(
        parse_error("LISA A\n{ x=0 }\n P0 ;\n w x 1 ;\nexists (x=1)\n", LITMUS_ERR_PARSE),
        "t.litmus:4:4: expected '[' (an annotation such as [] or [mb]), "
        "found 'x'");
    CU_ASSERT_STRING_EQUAL(
        parse_error("LISA A\n{ x=0 }\n P0 | P1 ;\n w[] x 1 ;\nexists (x=1)\n", LITMUS_ERR_PARSE),
        "t.litmus:4:10: expected '|' before the next thread's cell, found ';'");
    CU_ASSERT_STRING_EQUAL(
        parse_error("LISA A\n{}\n P0 ;\n r[] r0 x ;\nexists (0:r1=0)\n", LITMUS_ERR_INVALID),
        "t.litmus:5:9: register 0:r1 is never written by thread P0");
    CU_ASSERT_STRING_EQUAL(
        parse_error("LISA A\n{}\n P0 ;\n r[] r0 x ;\nexists (1:r0=0)\n", LITMUS_ERR_INVALID),
        "t.litmus:5:9: thread 1 out of range: the test has 1 thread(s), P0..P0");
    CU_ASSERT_STRING_EQUAL(
        parse_error("LISA A\n{}\n P0 ;\n r[] r0 x ;\nexists (0:r0=0) )", LITMUS_ERR_PARSE),
        "t.litmus:5:17: expected end of file after the condition, found "
        "')'");
    CU_ASSERT_STRING_EQUAL(
        parse_error("LISA A\n{}\n P0 ;\n r[] r0 x ;\nexists (0:r0=0 \\/", LITMUS_ERR_PARSE),
        "t.litmus:5:18: expected T:reg=value, location=value, '~' or '(', "
        "found end of file");
    CU_ASSERT_STRING_EQUAL(parse_error("LISA A\n{}\n P0 ;\n r[] r0 \x01 ;\n", LITMUS_ERR_PARSE),
                           "t.litmus:4:9: expected a location, found '\\x01'");
}

/* ---- conditions, rows, sets --------------------------------------------------------- */

static void test_eval_cond(void)
{
    litmus_test_t *t = parse_ok(sb_text);
    litmus_state_t st = state2(0, 0);

    CU_ASSERT_EQUAL(litmus_eval_cond(t, &st), 1);
    st = state2(0, 1);
    CU_ASSERT_EQUAL(litmus_eval_cond(t, &st), 0);
    st = state2(1, 0);
    CU_ASSERT_EQUAL(litmus_eval_cond(t, &st), 0);

    /* /\ binds tighter than \/, ~ tighter than both */
    t = parse_ok("LISA C\n{}\n P0 | P1 ;\n r[] r0 x | r[] r0 x ;\n w[] x 2 | ;\n"
                 "exists (0:r0=1 \\/ 1:r0=1 /\\ x=2)\n");
    st = state2(1, 0);
    CU_ASSERT_EQUAL(litmus_eval_cond(t, &st), 1); /* left of \/ */
    st = state2(0, 1);
    CU_ASSERT_EQUAL(litmus_eval_cond(t, &st), 0); /* x=0 */
    st.mem[0] = 2;
    CU_ASSERT_EQUAL(litmus_eval_cond(t, &st), 1);

    t = parse_ok("LISA C\n{}\n P0 | P1 ;\n r[] r0 x | r[] r0 x ;\n"
                 "exists ~(0:r0=1 \\/ 1:r0=1) /\\ ~false\n");
    st = state2(0, 0);
    CU_ASSERT_EQUAL(litmus_eval_cond(t, &st), 1);
    st = state2(0, 1);
    CU_ASSERT_EQUAL(litmus_eval_cond(t, &st), 0);
}

static void test_format(void)
{
    litmus_test_t *t = parse_ok("LISA F\n{}\n P0 | P1 ;\n r[] r0 x | r[] r5 y ;\n"
                                " r[] r1 y | w[] x -3 ;\n"
                                "locations [y;]\nexists (x=-3 /\\ ~(0:r1=1 \\/ 1:r5=2))\n");
    litmus_state_t st;
    char buf[128], small[8];

    memset(&st, 0, sizeof(st));
    st.regs[0][0] = 1;
    st.regs[0][1] = 0;
    st.regs[1][0] = 2;
    st.mem[0] = -3;
    st.mem[1] = 7;
    CU_ASSERT_EQUAL(litmus_state_format(t, &st, buf, sizeof(buf)), strlen(buf));
    CU_ASSERT_STRING_EQUAL(buf, "0:r0=1; 0:r1=0; 1:r5=2; x=-3; y=7;");
    /* truncated like snprintf, and the length it needed */
    CU_ASSERT_EQUAL(litmus_state_format(t, &st, small, sizeof(small)), strlen(buf));
    CU_ASSERT_STRING_EQUAL(small, "0:r0=1;");
    litmus_cond_format(t, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "exists (x=-3 /\\ ~(0:r1=1 \\/ 1:r5=2))");

    /* what cond_format prints parses back to the same condition */
    char text[256];
    snprintf(text, sizeof(text),
             "LISA F\n{}\n P0 | P1 ;\n r[] r0 x | r[] r5 y ;\n"
             " r[] r1 y | w[] x -3 ;\nlocations [y;]\n%s\n",
             buf);
    char again[128];
    litmus_cond_format(parse_ok(text), again, sizeof(again));
    CU_ASSERT_STRING_EQUAL(again, buf);
}

static void test_state_set(void)
{
    litmus_test_t *t = parse_ok(sb_text);
    litmus_state_set_t set;
    litmus_state_t a = state2(1, 0), b = state2(0, 1), c = state2(0, 0);
    size_t i = 99, pos, neg;

    litmus_state_set_init(&set);
    CU_ASSERT_EQUAL(litmus_state_set_add(&set, &a, &i), LITMUS_OK);
    CU_ASSERT_EQUAL(i, 0);
    CU_ASSERT_EQUAL(litmus_state_set_add(&set, &b, &i), LITMUS_OK);
    CU_ASSERT_EQUAL(i, 1);
    CU_ASSERT_EQUAL(litmus_state_set_add(&set, &a, &i), LITMUS_OK);
    CU_ASSERT_EQUAL(i, 0);
    CU_ASSERT_EQUAL(set.count, 2);

    CU_ASSERT_EQUAL(litmus_verdict(t, &set, &pos, &neg), 0);
    CU_ASSERT_EQUAL(pos, 0);
    CU_ASSERT_EQUAL(neg, 2);
    CU_ASSERT_EQUAL(litmus_state_set_add(&set, &c, NULL), LITMUS_OK);
    CU_ASSERT_EQUAL(litmus_verdict(t, &set, &pos, &neg), 1);
    CU_ASSERT_EQUAL(pos, 1);
    t->quant = LITMUS_NOT_EXISTS;
    CU_ASSERT_EQUAL(litmus_verdict(t, &set, NULL, NULL), 0);
    t->quant = LITMUS_FORALL;
    CU_ASSERT_EQUAL(litmus_verdict(t, &set, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(litmus_quant_label(LITMUS_FORALL), "Required");

    litmus_state_set_sort(t, &set);
    CU_ASSERT_EQUAL(set.states[0].regs[1][0], 0); /* 0/0, 0/1, 1/0 */
    CU_ASSERT_EQUAL(set.states[1].regs[1][0], 1);
    CU_ASSERT_EQUAL(set.states[2].regs[0][0], 1);
    litmus_state_set_free(&set);
    CU_ASSERT_EQUAL(set.count, 0);
    CU_ASSERT_PTR_NULL(set.states);
}

static void test_names(void)
{
    litmus_model_t m;

    CU_ASSERT_EQUAL(litmus_model_parse("tso", &m), LITMUS_OK);
    CU_ASSERT_EQUAL(m, LITMUS_MODEL_TSO);
    CU_ASSERT_EQUAL(litmus_model_parse("arm", &m), LITMUS_ERR_ARG);
    CU_ASSERT_STRING_EQUAL(litmus_model_name(LITMUS_MODEL_CAUSAL), "causal");
    CU_ASSERT_EQUAL(litmus_model_parse("causal-any", &m), LITMUS_OK);
    CU_ASSERT_EQUAL(m, LITMUS_MODEL_CAUSAL_ANY);
    CU_ASSERT_STRING_EQUAL(litmus_strerror(LITMUS_ERR_PARSE), "malformed litmus test");
    CU_ASSERT_STRING_EQUAL(litmus_strerror(12345), "unknown status");
}

/* ---- the models ------------------------------------------------------------------------ */

/* The number of states model allows for text, and how many satisfy its
 * condition. */
static size_t outcomes(const char *text, litmus_model_t model, size_t *pos)
{
    litmus_test_t *t = parse_ok(text);
    litmus_state_set_t set;
    size_t n;

    litmus_state_set_init(&set);
    CU_ASSERT_EQUAL_FATAL(litmus_enumerate(t, model, &set, NULL), LITMUS_OK);
    litmus_verdict(t, &set, pos, NULL);
    n = set.count;
    litmus_state_set_free(&set);
    return n;
}

static void test_models(void)
{
    size_t pos;
    /* store forwarding: a thread reads its own buffered write */
    const char *fwd = "LISA F\n{ x=5; }\n P0 | P1 ;\n w[] x 1 | r[] r0 x ;\n r[] r0 x | ;\n"
                      "exists (0:r0=5)\n";
    /* initial values and reads of unwritten locations */
    const char *init = "LISA I\n{ x=5; }\n P0 ;\n r[] r0 x ;\n r[] r1 y ;\n"
                       "exists (0:r0=5 /\\ 0:r1=0)\n";
    /* MP with the data written by a third thread: causal delivery is
     * transitive through a read */
    const char *mp3 = "LISA MP3\n{}\n P0 | P1 | P2 ;\n w[] x 1 | r[] r0 x | r[] r0 y ;\n"
                      " | w[] y 1 | r[] r1 x ;\nexists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)\n";

    for (int m = 0; m < LITMUS_NMODELS; m++) {
        CU_ASSERT_EQUAL(outcomes(fwd, (litmus_model_t)m, &pos), 2); /* P1 sees 5 or 1 */
        CU_ASSERT_EQUAL(pos, 0);
        CU_ASSERT_EQUAL(outcomes(init, (litmus_model_t)m, &pos), 1);
        CU_ASSERT_EQUAL(pos, 1);
        outcomes(mp3, (litmus_model_t)m, &pos);
        CU_ASSERT_EQUAL(pos, 0);
    }
    /* R: causal's minimal Lamport times forbid it, causal-any allows it */
    const char *r = "LISA R\n{}\n P0 | P1 ;\n w[] x 1 | w[] y 2 ;\n w[] y 1 | r[] r0 x ;\n"
                    "exists (y=2 /\\ 1:r0=0)\n";
    outcomes(r, LITMUS_MODEL_CAUSAL, &pos);
    CU_ASSERT_EQUAL(pos, 0);
    outcomes(r, LITMUS_MODEL_CAUSAL_ANY, &pos);
    CU_ASSERT_EQUAL(pos, 1);
    outcomes(r, LITMUS_MODEL_TSO, &pos);
    CU_ASSERT_EQUAL(pos, 1);
    CU_ASSERT_EQUAL(outcomes(sb_text, LITMUS_MODEL_SC, &pos), 3);
    CU_ASSERT_EQUAL(pos, 0);
    CU_ASSERT_EQUAL(outcomes(sb_text, LITMUS_MODEL_TSO, &pos), 4);
    CU_ASSERT_EQUAL(pos, 1);
    CU_ASSERT_EQUAL(outcomes(sb_text, LITMUS_MODEL_CAUSAL, &pos), 4);
    CU_ASSERT_EQUAL(pos, 1);
}

static void test_enumerate_args(void)
{
    litmus_test_t *t = parse_ok(sb_text);
    litmus_state_set_t set;
    litmus_state_t st;

    litmus_state_set_init(&set);
    CU_ASSERT_EQUAL(litmus_enumerate(t, LITMUS_NMODELS, &set, NULL), LITMUS_ERR_ARG);
    memset(&st, 0, sizeof(st));
    litmus_state_set_add(&set, &st, NULL);
    CU_ASSERT_EQUAL(litmus_enumerate(t, LITMUS_MODEL_SC, &set, NULL), LITMUS_ERR_ARG);
    litmus_state_set_free(&set);
}

int main(void)
{
    CU_TestInfo parser[] = {
        {"SB", test_parse_sb},
        {"comments, annotations, init, locations, quantifiers", test_parse_forms},
        {"errors at file:line:col", test_parse_errors},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo states[] = {
        {"condition evaluator", test_eval_cond},
        {"rows and condition format", test_format},
        {"state sets and verdicts", test_state_set},
        {"model and status names", test_names},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo models[] = {
        {"forwarding, init, transitive causality, SB", test_models},
        {"bad arguments", test_enumerate_args},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"litmus parser", NULL, NULL, NULL, NULL, parser},
        {"litmus states", NULL, NULL, NULL, NULL, states},
        {"litmus models", NULL, NULL, NULL, NULL, models},
        CU_SUITE_INFO_NULL,
    };
    int failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = (int)(CU_get_number_of_failures() + CU_get_number_of_tests_failed());
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
