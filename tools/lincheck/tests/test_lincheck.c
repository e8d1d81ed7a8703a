/* test_lincheck.c - ordo-lincheck's sources without the tool: the line
 * parser, loading texts (merge by time, pairing), and the search checked
 * against a naive one on thousands of small random histories (which also
 * checks every window it reports: nothing there can take effect). Links the
 * tool's sources only (no libordo, no MPI). */
#include "tools/lincheck/lincheck.h"

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#ifndef RANDOM_CASES
#define RANDOM_CASES 4000 /* small random histories per model */
#endif
#define MAX_OPS   8   /* in each */
#define SIM_CASES 300 /* simulated executions per model */
#define SIM_OPS   150 /* in each */

/* ---- the parser ------------------------------------------------------------- */

static int parse(const char *line, lincheck_event_t *ev, char *err)
{
    err[0] = '\0';
    return lincheck_parse_line(line, ev, err);
}

static void test_parse_edn(void)
{
    lincheck_event_t ev;
    char err[LINCHECK_ERROR_MAX];

    CU_ASSERT_EQUAL(parse("{:process 3, :type :ok, :f :read, :key 4, :value 7, :time 9}", &ev, err),
                    1);
    CU_ASSERT_EQUAL(ev.process, 3);
    CU_ASSERT_EQUAL(ev.type, LINCHECK_OK);
    CU_ASSERT_EQUAL(ev.f, LINCHECK_READ);
    CU_ASSERT_EQUAL(ev.key, 4);
    CU_ASSERT_EQUAL(ev.value, 7);
    CU_ASSERT_EQUAL(ev.has_value, 1);
    CU_ASSERT_EQUAL(ev.time, 9);
    /* Any order, no commas, no key, nil, unknown keys of every kind, a comment. */
    CU_ASSERT_EQUAL(parse("  {:time 18446744073709551615 :value nil :f :release :type :info "
                          ":x {:a [1 #{2} (3)] :b \"}\"} :y #inst \"2024\" :z \\} :process 0} ; c",
                          &ev, err),
                    1);
    CU_ASSERT_EQUAL(ev.time, UINT64_MAX);
    CU_ASSERT_EQUAL(ev.key, 0);
    CU_ASSERT_EQUAL(ev.has_value, 0);
    CU_ASSERT_EQUAL(ev.f, LINCHECK_RELEASE);
    CU_ASSERT_EQUAL(ev.type, LINCHECK_INFO);
    CU_ASSERT_STRING_EQUAL(err, "");
}

static void test_parse_json(void)
{
    lincheck_event_t ev;
    char err[LINCHECK_ERROR_MAX];

    CU_ASSERT_EQUAL(parse("{\"f\":\"acquire\", \"process\":1,\"type\":\"ok\",\"value\":12,"
                          "\"x\":{\"a\":[1,2.5,null,{\"b\":\"}\\\"\"}]},\"time\":5}",
                          &ev, err),
                    1);
    CU_ASSERT_EQUAL(ev.f, LINCHECK_ACQUIRE);
    CU_ASSERT_EQUAL(ev.value, 12);
    CU_ASSERT_EQUAL(
        parse("{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":null,\"time\":5}", &ev, err),
        1);
    CU_ASSERT_EQUAL(ev.has_value, 0);
}

static void test_parse_skip(void)
{
    lincheck_event_t ev;
    char err[LINCHECK_ERROR_MAX];

    CU_ASSERT_EQUAL(parse("", &ev, err), 0);
    CU_ASSERT_EQUAL(parse(" \t", &ev, err), 0);
    CU_ASSERT_EQUAL(parse("; {:process", &ev, err), 0);
    CU_ASSERT_EQUAL(parse("# a note", &ev, err), 0);
    CU_ASSERT_EQUAL(parse("{:process :nemesis, :type :info, :f :start, :time 1}", &ev, err), 0);
}

/* line must be refused with a message containing want. */
static void refused(const char *line, const char *want)
{
    lincheck_event_t ev;
    char err[LINCHECK_ERROR_MAX];

    CU_ASSERT_EQUAL(parse(line, &ev, err), -1);
    if (!strstr(err, want)) {
        fprintf(stderr, "\n%s: '%s' lacks '%s'\n", line, err, want);
        CU_FAIL("message");
    }
}

static void test_parse_errors(void)
{
    refused("{:process 0, :type :ok, :f :read, :time 1", "expected '}' to close the map");
    refused("{:process 0, :type :ok, :f :read}", "expected the key :time, found none");
    refused("{\"process\":0,\"type\":\"ok\",\"f\":\"cas\",\"time\":1}",
            "\"f\": expected \"read\", \"write\", \"acquire\" or \"release\", found \"cas\"");
    refused("{:process 0, :type :ok, :f :read, :time 18446744073709551616}",
            ":time: expected a number below 2^64");
    refused("{:process 0, :type :ok, :f :read, :time -1}", ":time: expected a non-negative");
    refused("{:process 0, :type :ok, :f :read, :time 1, :x [1 2}", "expected ']' to close");
    refused("{:process 0 :type :ok}}", "expected the end of the line after the map");
    refused("{\"process\":0 \"type\":\"ok\"}", "expected ',' or '}'");
    refused("{:process 0, :process 0}", "expected the key :process once");
    refused("{:process}", "expected a value after the key");
    refused("{1 2}", "expected a key");
    refused("\x01\xff", "expected an event: a map '{...}', found '\\x01\\xff'");
    /* Deep nesting is refused, not recursed into. */
    char deep[400];
    memset(deep, '[', sizeof(deep));
    memcpy(deep, "{:x ", 4);
    deep[sizeof(deep) - 1] = '\0';
    refused(deep, "nested brackets");
}

/* ---- loading texts ------------------------------------------------------------ */

static void test_load_merge(void)
{
    /* Equal times: a's line 2 before b's line 1. A clock going back within
     * a file reorders nothing: a's line 4 stays last. The last line needs
     * no newline. */
    static const char a[] = "{:process 0, :type :invoke, :f :write, :value 5, :time 10}\n"
                            "{:process 0, :type :ok, :f :write, :value 5, :time 20}\n"
                            "{:process 1, :type :ok, :f :read, :value 5, :time 40}\n"
                            "{:process 2, :type :invoke, :f :read, :time 5}";
    static const char b[] = "{:process 1, :type :invoke, :f :read, :value nil, :time 20}\n";
    lincheck_text_t texts[] = {
        {"h.0", a, sizeof(a) - 1}, {"h.1", b, sizeof(b) - 1}, {"h.2", "", 0}};
    lincheck_history_t h;

    CU_ASSERT_EQUAL_FATAL(lincheck_history_load_texts(&h, 3, texts), 0);
    CU_ASSERT_EQUAL(h.nobjects, 1);
    CU_ASSERT_EQUAL_FATAL(h.nevents, 5);
    CU_ASSERT_EQUAL(h.events[1].file, 0);
    CU_ASSERT_EQUAL(h.events[1].line, 2);
    CU_ASSERT_EQUAL(h.events[2].file, 1);
    CU_ASSERT_EQUAL(h.events[3].line, 3);
    CU_ASSERT_EQUAL(h.events[4].line, 4);
    CU_ASSERT_EQUAL(h.nops, 2); /* process 2's read never completed: dropped */
    CU_ASSERT_EQUAL(h.ninfo_reads, 1);
    CU_ASSERT_EQUAL(h.nprocesses, 3);
    lincheck_history_free(&h);
}

/* Files of two objects (named as the runtime names them): the same process
 * and key in both, operations overlapping: two histories. */
static void test_load_objects(void)
{
    static const char w[] = "{:process 0, :type :invoke, :f :write, :value 5, :time 10}\n"
                            "{:process 0, :type :ok, :f :write, :value 5, :time 30}\n";
    static const char r[] = "{:process 0, :type :invoke, :f :acquire, :time 20}\n"
                            "{:process 0, :type :ok, :f :acquire, :value 3, :time 40}\n";
    lincheck_text_t texts[] = {{"dir/qreg-1.0.edn", w, sizeof(w) - 1},
                               {"dir/lock-1.0.edn", r, sizeof(r) - 1},
                               {"dir/qreg-1.12.edn", "", 0}};
    lincheck_history_t h;
    lincheck_keys_t keys;

    CU_ASSERT_EQUAL_FATAL(lincheck_history_load_texts(&h, 3, texts), 0);
    CU_ASSERT_EQUAL_FATAL(h.nobjects, 2);
    CU_ASSERT_STRING_EQUAL(h.objects[0], "qreg-1");
    CU_ASSERT_STRING_EQUAL(h.objects[1], "lock-1");
    CU_ASSERT_EQUAL(h.file_object[2], 0);
    CU_ASSERT_EQUAL(h.nprocesses, 2);
    CU_ASSERT_EQUAL_FATAL(lincheck_keys_split(&keys, &h, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(keys.n, 2);
    CU_ASSERT_PTR_EQUAL(keys.v[0].model, &lincheck_register);
    CU_ASSERT_PTR_EQUAL(keys.v[1].model, &lincheck_mutex);
    lincheck_keys_free(&keys);
    lincheck_history_free(&h);
}

static void test_load_outcomes(void)
{
    static const char t[] = "{:process 0, :type :invoke, :f :write, :value 1, :time 10}\n"
                            "{:process 0, :type :fail, :f :write, :value 1, :time 20}\n"
                            "{:process 1, :type :invoke, :f :read, :time 10}\n"
                            "{:process 1, :type :info, :f :read, :time 20}\n"
                            "{:process 2, :type :invoke, :f :write, :value 2, :time 15}\n"
                            "{:process 3, :type :invoke, :f :acquire, :time 15}\n"
                            "{:process 3, :type :ok, :f :acquire, :key 1, :time 5}\n";
    lincheck_text_t text = {"t", t, sizeof(t) - 1};
    lincheck_history_t h;

    /* The acquire completes on another key: refused. */
    CU_ASSERT_EQUAL(lincheck_history_load_texts(&h, 1, &text), -1);
    text.len -= strlen("{:process 3, :type :ok, :f :acquire, :key 1, :time 5}\n");
    text.len -= strlen("{:process 3, :type :invoke, :f :acquire, :time 15}\n");
    CU_ASSERT_EQUAL_FATAL(lincheck_history_load_texts(&h, 1, &text), 0);
    CU_ASSERT_EQUAL(h.ninvokes, 3);
    CU_ASSERT_EQUAL(h.nfail, 1);
    CU_ASSERT_EQUAL(h.ninfo, 2);
    CU_ASSERT_EQUAL(h.ninfo_reads, 1);
    CU_ASSERT_EQUAL_FATAL(h.nops, 1); /* only the write never completed */
    CU_ASSERT_EQUAL(h.ops[0].ret, LINCHECK_NEVER);
    CU_ASSERT_EQUAL(h.ops[0].done, LINCHECK_NONE);
    CU_ASSERT_EQUAL(h.ops[0].value, 2);
    lincheck_history_free(&h);
}

/* ---- the search against a naive one --------------------------------------------- */

static uint64_t rng_state = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* Every order of the operations that respects real time and the model, each
 * open one taken or left out: is there one with every known operation? */
static int naive(const lincheck_model_t *m, const lincheck_state_t *st, lincheck_op_t *ops,
                 size_t n, unsigned done)
{
    int left = 0;

    for (size_t i = 0; i < n; i++)
        left |= !(done & (1u << i)) && ops[i].ret != LINCHECK_NEVER;
    if (!left)
        return 1;
    for (size_t i = 0; i < n; i++) {
        if (done & (1u << i))
            continue;
        int first = 1; /* nothing left returned before it was called */
        for (size_t j = 0; j < n && first; j++)
            first = (done & (1u << j)) || j == i || !(ops[j].ret < ops[i].call);
        lincheck_state_t next = *st;
        if (first && m->step(&next, &ops[i]) && naive(m, &next, ops, n, done | (1u << i)))
            return 1;
    }
    return 0;
}

static int call_cmp(const void *a, const void *b)
{
    const lincheck_op_t *x = *(const lincheck_op_t *const *)a,
                        *y = *(const lincheck_op_t *const *)b;
    return x->call < y->call ? -1 : x->call > y->call;
}

/* A random history of n operations: short random intervals on a few values,
 * processes and tokens, some open; about half are linearizable. */
static void random_ops(int mutex, lincheck_op_t *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lincheck_op_t *op = &ops[i];
        *op = (lincheck_op_t){.process = rnd(3), .call = rnd(20)};
        op->ret = rnd(8) == 0 ? LINCHECK_NEVER : op->call + rnd(8);
        if (mutex) {
            op->f = rnd(2) ? LINCHECK_ACQUIRE : LINCHECK_RELEASE;
            op->has_value = op->f == LINCHECK_ACQUIRE && op->ret != LINCHECK_NEVER && rnd(2);
            op->value = op->has_value ? rnd(4) : 0;
        } else {
            op->f = rnd(2) ? LINCHECK_READ : LINCHECK_WRITE;
            if (op->f == LINCHECK_READ && op->ret == LINCHECK_NEVER)
                op->f = LINCHECK_WRITE; /* an info read is dropped when read */
            op->value = rnd(3);
            op->has_value = 1;
        }
    }
}

/* What the search says about ops, checking its window if it says no. */
static int search(const lincheck_model_t *m, lincheck_op_t *ops, size_t n)
{
    const lincheck_op_t *ptr[MAX_OPS];
    lincheck_key_t key = {.model = m, .ops = ptr, .nops = n};
    lincheck_stats_t st;
    lincheck_window_t win;
    lincheck_state_t s;

    for (size_t i = 0; i < n; i++)
        ptr[i] = &ops[i];
    qsort(ptr, n, sizeof(*ptr), call_cmp);
    lincheck_result_t r = lincheck_check_key(&key, 1, 0, &st, &win);
    CU_ASSERT(r == LINCHECK_VALID || r == LINCHECK_INVALID);
    if (r == LINCHECK_INVALID) {
        CU_ASSERT_FATAL(win.computed && win.stuck);
        CU_ASSERT(win.depth < win.total);
        s = win.state;
        CU_ASSERT(!m->step(&s, win.stuck));
        for (size_t i = 0; i < win.ncould; i++) {
            s = win.state;
            CU_ASSERT(!m->step(&s, win.could[i]));
            CU_ASSERT(win.could[i]->call <= win.stuck->ret);
        }
    }
    lincheck_window_free(&win);
    return r == LINCHECK_VALID;
}

static void cross_check(const lincheck_model_t *m)
{
    lincheck_op_t ops[MAX_OPS];
    int verdicts[2] = {0, 0};

    for (int c = 0; c < RANDOM_CASES; c++) {
        size_t n = 1 + rnd(MAX_OPS);
        lincheck_state_t init;
        random_ops(m == &lincheck_mutex, ops, n);
        m->init(&init, 1);
        int want = naive(m, &init, ops, n, 0), got = search(m, ops, n);
        verdicts[want]++;
        if (want != got) {
            fprintf(stderr, "\n%s case %d: naive %d, search %d:\n", m->name, c, want, got);
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, "  p%" PRIu64 " %s %" PRIu64 "%s [%" PRIu64 ", %" PRIu64 "]\n",
                        ops[i].process, lincheck_f_name(ops[i].f), ops[i].value,
                        ops[i].has_value ? "" : "(nil)", ops[i].call, ops[i].ret);
            CU_FAIL_FATAL("the search disagrees with the naive one");
        }
    }
    /* Both verdicts were exercised. */
    CU_ASSERT(verdicts[0] > RANDOM_CASES / 10);
    CU_ASSERT(verdicts[1] > RANDOM_CASES / 10);
}

/* A simulated execution: operations take effect at distinct times, in
 * that order, each within an interval around it (overlapping many others);
 * writes of 0, 1 or 2, reads of what is there, some writes of unknown
 * outcome (which took effect or not); a lock taken by a random process when
 * free (with a token, increasing, or none) and released by its holder. */
static size_t simulate(int mutex, lincheck_op_t *ops)
{
    uint64_t value = 1, holder = 0, token = 0;
    size_t n = 0;

    for (size_t i = 0; i < SIM_OPS; i++) {
        uint64_t at = 10 * i + 1000;
        lincheck_op_t *op = &ops[n];
        *op = (lincheck_op_t){.process = rnd(4), .call = at - rnd(60), .ret = at + rnd(60)};
        if (!mutex) {
            op->f = rnd(2) ? LINCHECK_READ : LINCHECK_WRITE;
            op->value = op->f == LINCHECK_READ ? value : rnd(3);
            op->has_value = 1;
            if (op->f == LINCHECK_WRITE && rnd(10) == 0) {
                op->ret = LINCHECK_NEVER;
                if (rnd(2))
                    continue; /* did not take effect */
            }
            if (op->f == LINCHECK_WRITE)
                value = op->value;
        } else if (holder) {
            op->f = LINCHECK_RELEASE;
            op->process = holder - 1;
            holder = 0;
        } else {
            op->f = LINCHECK_ACQUIRE;
            op->has_value = rnd(2);
            op->value = op->has_value ? (token += 1 + rnd(2)) : 0;
            holder = op->process + 1;
        }
        n++;
    }
    return n;
}

static void simulated(const lincheck_model_t *m)
{
    static lincheck_op_t ops[SIM_OPS];
    const lincheck_op_t *ptr[SIM_OPS];

    for (int c = 0; c < SIM_CASES; c++) {
        size_t n = simulate(m == &lincheck_mutex, ops);
        lincheck_key_t key = {.model = m, .ops = ptr, .nops = n};
        lincheck_stats_t st;
        lincheck_window_t win;
        for (size_t i = 0; i < n; i++)
            ptr[i] = &ops[i];
        qsort(ptr, n, sizeof(*ptr), call_cmp);
        CU_ASSERT_EQUAL(lincheck_check_key(&key, 1, 0, &st, &win), LINCHECK_VALID);
        lincheck_window_free(&win);
    }
}

static void test_register_simulated(void)
{
    simulated(&lincheck_register);
}

static void test_mutex_simulated(void)
{
    simulated(&lincheck_mutex);
}

static void test_register_random(void)
{
    cross_check(&lincheck_register);
}

static void test_mutex_random(void)
{
    cross_check(&lincheck_mutex);
}

int main(void)
{
    CU_TestInfo parser[] = {
        {"EDN", test_parse_edn},
        {"JSON", test_parse_json},
        {"lines skipped", test_parse_skip},
        {"errors", test_parse_errors},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo loading[] = {
        {"merge by time", test_load_merge},
        {"objects", test_load_objects},
        {"fail, info, never completed", test_load_outcomes},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo searching[] = {
        {"register against a naive search", test_register_random},
        {"mutex against a naive search", test_mutex_random},
        {"register: simulated executions", test_register_simulated},
        {"mutex: simulated executions", test_mutex_simulated},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"parser", NULL, NULL, NULL, NULL, parser},
        {"loading", NULL, NULL, NULL, NULL, loading},
        {"search", NULL, NULL, NULL, NULL, searching},
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
