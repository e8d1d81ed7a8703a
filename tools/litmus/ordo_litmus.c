/*
 * ordo-litmus - litmus tests (herdtools7's LISA syntax) against ordo's
 * memory models.
 *
 *   ordo-litmus --enumerate [--model sc|tso|causal|causal-any|all] FILE...
 *       the final states each model allows, in herd7's format, then a
 *       table: is each test's condition satisfiable under each model
 *   mpirun -np N ordo-litmus [--model sc|tso|causal|all] [-n ITER] ... FILE...
 *       run each test on the runtime's shared objects, one thread per rank,
 *       and print litmus7's histogram, Observation and Time lines, whether
 *       every observed state is one the model allows, and a summary table
 *
 * Exit status: 0 fine, 1 a state the model forbids was observed (a runtime
 * bug), 2 usage error, a test that cannot be read or is malformed
 * (file:line:col on stderr), or one that cannot run (too few ranks, a
 * runtime error).
 */
#include "litmus.h"
#include "litmus_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_OK        0
#define EXIT_FORBIDDEN 1
#define EXIT_INPUT     2

typedef struct options {
    int enumerate;
    int verbose;
    unsigned flags;  /* litmus_enumerate_ex's */
    unsigned models; /* bit per litmus_model_t */
    int nfiles;
    char **files;
    /* running */
    long iterations;
    int batch;
    litmus_homes_t homes;
    int stress;
    unsigned seed;
} options_t;

/* One row of the summary: a test and, per model, allowed (1), forbidden
 * (0) or not enumerated (-1); when run, how often the condition's state
 * came up, of how many, and how many forbidden states were seen (-1: not
 * run). */
typedef struct summary_row {
    char name[LITMUS_MAX_TITLE];
    int allowed[LITMUS_NMODELS];
    long seen[LITMUS_NMODELS], runs[LITMUS_NMODELS], forbidden[LITMUS_NMODELS];
} summary_row_t;

static void usage(FILE *out)
{
    fputs("usage: ordo-litmus --enumerate [--model MODEL] [-v] [--eager] FILE...\n"
          "       mpirun -np N ordo-litmus [--model MODEL] [-n ITER] [-b BATCH]\n"
          "                   [--homes threads|others] [--stress] [--seed S] FILE...\n"
          "       ordo-litmus -h | --help\n"
          "\n"
          "Reads litmus tests in herdtools7's LISA syntax (see README.md, \"Litmus tests\").\n"
          "  --enumerate, -e   print the final states each model allows, in herd7's format\n"
          "                    (Test, States, Ok/No, Witnesses, Condition, Observation), then\n"
          "                    a summary: per test and model, whether the condition's\n"
          "                    proposition is satisfiable (allowed) or not (forbidden)\n"
          "  --model, -m MODEL sc, tso, causal, causal-any, a comma-separated list of\n"
          "                    them, or all (the default); causal is causal+ with\n"
          "                    (Lamport, rank) arbitration and minimal Lamport times,\n"
          "                    causal-any allows any arbitration consistent with causality\n"
          "  -v                also print how many machine states were explored\n"
          "  --eager           causal models: interleave every delivery of a write to a\n"
          "                    replica with every other step instead of delivering lazily\n"
          "                    (same results, many more states: a cross-check)\n"
          "\n"
          "Without --enumerate, each test runs on the runtime's shared objects (under mpirun,\n"
          "thread T on rank T; at least as many ranks as threads), litmus7-style:\n"
          "  --model, -m MODEL sc, tso, causal or all (the object's model; default all); the\n"
          "                    observed states are checked against the enumeration of the\n"
          "                    model (causal against causal-any: the runtime's Lamport clock\n"
          "                    also ticks on earlier writes)\n"
          "  -n ITER           iterations (instances) per test and model (default 1000)\n"
          "  -b BATCH          instances per round, each round a fresh object (default 500)\n"
          "  --homes threads   location l's home on thread (l+1) mod T's rank (default)\n"
          "  --homes others    homes on the ranks after the threads' (needs more ranks)\n"
          "  --stress          pause a random moment (< 2 us) between instructions\n"
          "  --seed S          seed of the pauses (default 1)\n"
          "ORDO_FAULT (delay=P:US) adds message delays; see README.md.\n"
          "\n"
          "Exit status: 0 fine, 1 a state the model forbids was observed (a runtime bug),\n"
          "2 usage error, unreadable/malformed test (FILE:LINE:COL on stderr) or a test that\n"
          "cannot run.\n",
          out);
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "ordo-litmus: %s '%s'\n", what, arg);
    usage(stderr);
    return EXIT_INPUT;
}

/* "sc,tso" or "all" into a bit set; 0 for a bad name. */
static unsigned parse_models(const char *arg)
{
    unsigned bits = 0;
    const char *p = arg;

    if (!strcmp(arg, "all"))
        return (1u << LITMUS_NMODELS) - 1;
    while (*p) {
        char name[16];
        size_t n = strcspn(p, ",");
        litmus_model_t m;
        if (!n || n >= sizeof(name))
            return 0;
        memcpy(name, p, n);
        name[n] = '\0';
        if (litmus_model_parse(name, &m))
            return 0;
        bits |= 1u << m;
        p += n;
        if (*p == ',' && !*++p)
            return 0;
    }
    return bits;
}

/* 0 and *opt, or an exit status (with the message printed); -1 for --help. */
static int parse_args(int argc, char **argv, options_t *opt)
{
    int i;

    memset(opt, 0, sizeof(*opt));
    opt->iterations = 1000;
    opt->batch = 500;
    opt->seed = 1;
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            return -1;
        } else if (!strcmp(a, "-e") || !strcmp(a, "--enumerate")) {
            opt->enumerate = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            opt->verbose = 1;
        } else if (!strcmp(a, "--eager")) {
            opt->flags |= LITMUS_ENUM_EAGER;
        } else if (!strcmp(a, "--stress")) {
            opt->stress = 1;
        } else if (!strcmp(a, "-n") || !strcmp(a, "-b") || !strcmp(a, "--seed") ||
                   !strcmp(a, "--homes")) {
            if (++i == argc)
                return usage_error("expected a value after", a);
            const char *v = argv[i];
            char *end;
            errno = 0;
            long x = strtol(v, &end, 10);
            int num_ok = *v >= '0' && *v <= '9' && !*end && !errno;
            if (!strcmp(a, "--homes")) {
                if (!strcmp(v, "threads"))
                    opt->homes = LITMUS_HOMES_THREADS;
                else if (!strcmp(v, "others"))
                    opt->homes = LITMUS_HOMES_OTHERS;
                else
                    return usage_error("--homes takes threads or others, not", v);
            } else if (!strcmp(a, "-n")) {
                if (!num_ok || x < 1 || x > 1000000000L)
                    return usage_error("-n takes iterations from 1 to 10^9, not", v);
                opt->iterations = x;
            } else if (!strcmp(a, "-b")) {
                if (!num_ok || x < 1 || x > 100000)
                    return usage_error("-b takes a batch from 1 to 100000, not", v);
                opt->batch = (int)x;
            } else {
                if (!num_ok || x > 0xffffffffL)
                    return usage_error("--seed takes a number from 0 to 2^32-1, not", v);
                opt->seed = (unsigned)x;
            }
        } else if (!strcmp(a, "-m") || !strcmp(a, "--model") || !strncmp(a, "--model=", 8)) {
            const char *val = a[2] == 'm' && a[7] == '=' ? a + 8 : NULL;
            if (!val) {
                if (++i == argc)
                    return usage_error("expected a model after", a);
                val = argv[i];
            }
            opt->models = parse_models(val);
            if (!opt->models)
                return usage_error("unknown model (sc, tso, causal, causal-any or all)", val);
        } else {
            return usage_error("unknown option", a);
        }
    }
    if (!opt->models)
        opt->models = (1u << LITMUS_NMODELS) - 1;
    opt->files = argv + i;
    opt->nfiles = argc - i;
    if (!opt->nfiles) {
        fputs("ordo-litmus: expected one or more litmus files\n", stderr);
        usage(stderr);
        return EXIT_INPUT;
    }
    return 0;
}

/* Enumerates one test under the chosen models into row. */
static int enumerate_test(const options_t *opt, const litmus_test_t *test, const char *path,
                          summary_row_t *row)
{
    for (int m = 0; m < LITMUS_NMODELS; m++) {
        litmus_state_set_t set;
        size_t explored = 0, pos = 0;
        int status;

        row->allowed[m] = -1;
        if (!(opt->models & (1u << m)))
            continue;
        litmus_state_set_init(&set);
        status = litmus_enumerate_ex(test, (litmus_model_t)m, opt->flags, &set, &explored);
        if (status) {
            fflush(stdout);
            fprintf(stderr, "%s: model %s: %s (after %zu states)\n", path,
                    litmus_model_name((litmus_model_t)m), litmus_strerror(status), explored);
            return EXIT_INPUT;
        }
        litmus_print_enumeration(stdout, test, (litmus_model_t)m, &set);
        if (opt->verbose)
            printf("Explored %zu machine states\n", explored);
        printf("\n");
        litmus_verdict(test, &set, &pos, NULL);
        row->allowed[m] = pos > 0;
        litmus_state_set_free(&set);
    }
    return EXIT_OK;
}

static void print_summary(const options_t *opt, const summary_row_t *rows, int nrows)
{
    int width = 4, last = 0;

    for (int i = 0; i < nrows; i++)
        if ((int)strlen(rows[i].name) > width)
            width = (int)strlen(rows[i].name);
    for (int m = 0; m < LITMUS_NMODELS; m++)
        if (opt->models & (1u << m))
            last = m;
    printf("Summary: is the condition satisfiable (allowed) or not (forbidden)\n");
    printf("%-*s", width, "Test");
    for (int m = 0; m < LITMUS_NMODELS; m++)
        if (opt->models & (1u << m))
            printf("  %-*s", m == last ? 0 : 9, litmus_model_name((litmus_model_t)m));
    printf("\n");
    for (int i = 0; i < nrows; i++) {
        printf("%-*s", width, rows[i].name);
        for (int m = 0; m < LITMUS_NMODELS; m++) {
            const char *v = rows[i].allowed[m] < 0 ? "-"
                            : rows[i].allowed[m]   ? "allowed"
                                                   : "forbidden";
            if (opt->models & (1u << m))
                printf("  %-*s", m == last ? 0 : 9, v);
        }
        printf("\n");
    }
}

/* ---- running on the runtime ------------------------------------------------ */

/* The enumeration a run is judged by: causal runs against causal-any (the
 * runtime's Lamport clock also ticks on writes of earlier instances, so its
 * arbitration is some order consistent with causality, not the minimal one). */
static litmus_model_t judge_model(litmus_model_t m)
{
    return m == LITMUS_MODEL_CAUSAL ? LITMUS_MODEL_CAUSAL_ANY : m;
}

/* Rank 0: litmus7's block for one run, then the check against the model. */
static long print_run(const litmus_test_t *t, litmus_model_t m, const litmus_run_result_t *res,
                      const litmus_state_set_t *allowed, summary_row_t *row)
{
    char line[4096], cond[1024];
    long pos = 0, neg = 0, forbidden = 0;
    size_t *order = malloc(res->states.count * sizeof(*order));
    litmus_state_set_t sorted;

    /* Rows in herd7's order. */
    litmus_state_set_init(&sorted);
    for (size_t i = 0; i < res->states.count; i++)
        litmus_state_set_add(&sorted, &res->states.states[i], NULL);
    litmus_state_set_sort(t, &sorted);
    printf("Test %s %s\n", t->name, litmus_quant_label(t->quant));
    printf("Model %s (ordo shared object)\n", litmus_model_name(m));
    printf("Histogram (%zu states)\n", sorted.count);
    for (size_t i = 0; order && i < sorted.count; i++) {
        long count = 0;
        for (size_t j = 0; j < res->states.count; j++)
            if (!memcmp(&res->states.states[j], &sorted.states[i], sizeof(litmus_state_t)))
                count = res->count[j];
        int sat = litmus_eval_cond(t, &sorted.states[i]);
        litmus_state_format(t, &sorted.states[i], line, sizeof(line));
        printf("%-8ld%c>%s\n", count, sat ? '*' : ':', line);
        if (sat)
            pos += count;
        else
            neg += count;
    }
    int ok = t->quant == LITMUS_EXISTS       ? pos > 0
             : t->quant == LITMUS_NOT_EXISTS ? pos == 0
                                             : neg == 0;
    litmus_cond_format(t, cond, sizeof(cond));
    printf("%s\nWitnesses\nPositive: %ld, Negative: %ld\n", ok ? "Ok" : "No", pos, neg);
    printf("Condition %s is %svalidated\n", cond, ok ? "" : "NOT ");
    printf("Observation %s %s %ld %ld\n", t->name,
           pos == 0   ? "Never"
           : neg == 0 ? "Always"
                      : "Sometimes",
           pos, neg);
    printf("Time %s %.2f s, %.0f iterations/s\n", t->name, res->seconds,
           res->seconds > 0 ? (double)res->iterations / res->seconds : 0.0);
    /* Every observed state must be one the model allows. */
    for (size_t i = 0; i < sorted.count; i++) {
        int found = 0;
        for (size_t j = 0; j < allowed->count && !found; j++)
            found = !memcmp(&allowed->states[j], &sorted.states[i], sizeof(litmus_state_t));
        if (!found) {
            litmus_state_format(t, &sorted.states[i], line, sizeof(line));
            printf("FORBIDDEN by %s, observed: %s\n", litmus_model_name(judge_model(m)), line);
            forbidden++;
        }
    }
    if (!forbidden)
        printf("Check %s %s: every observed state (%zu) is allowed by %s (%zu allowed)\n", t->name,
               litmus_model_name(m), sorted.count, litmus_model_name(judge_model(m)),
               allowed->count);
    else
        printf("Check %s %s: %ld FORBIDDEN state(s) observed: a runtime bug\n", t->name,
               litmus_model_name(m), forbidden);
    printf("\n");
    row->seen[m] = pos;
    row->runs[m] = pos + neg;
    row->forbidden[m] = forbidden;
    litmus_state_set_free(&sorted);
    free(order);
    return forbidden;
}

static void print_run_summary(const summary_row_t *rows, int nrows)
{
    static const litmus_model_t run_models[] = {LITMUS_MODEL_SC, LITMUS_MODEL_TSO,
                                                LITMUS_MODEL_CAUSAL};
    int width = 4;
    for (int i = 0; i < nrows; i++)
        if ((int)strlen(rows[i].name) > width)
            width = (int)strlen(rows[i].name);
    printf("Summary: per model, is the condition's state allowed (enumerated), how often it was\n"
           "observed, and whether every observed state was allowed (ok) or not (FORBIDDEN)\n");
    printf("%-*s", width, "Test");
    for (int k = 0; k < 3; k++)
        printf("  %-30s", litmus_model_name(run_models[k]));
    printf("\n");
    for (int i = 0; i < nrows; i++) {
        printf("%-*s", width, rows[i].name);
        for (int k = 0; k < 3; k++) {
            litmus_model_t m = run_models[k];
            char cell[64];
            if (rows[i].runs[m] < 0)
                snprintf(cell, sizeof(cell), "-");
            else
                snprintf(cell, sizeof(cell), "%s, seen %ld/%ld, %s",
                         rows[i].allowed[judge_model(m)] ? "allowed" : "forbidden", rows[i].seen[m],
                         rows[i].runs[m], rows[i].forbidden[m] ? "FORBIDDEN" : "ok");
            printf("  %-30s", cell);
        }
        printf("\n");
    }
}

/* Every rank: run the files' tests under the chosen models. */
static int run_main(const options_t *opt)
{
    static const litmus_model_t run_models[] = {LITMUS_MODEL_SC, LITMUS_MODEL_TSO,
                                                LITMUS_MODEL_CAUSAL};
    int exit_status = EXIT_OK, nrows = 0, status;
    summary_row_t *rows = calloc((size_t)opt->nfiles, sizeof(*rows));
    litmus_test_t *test = malloc(sizeof(*test));
    char err[512];

    if (!rows || !test) {
        fputs("ordo-litmus: out of memory\n", stderr);
        free(rows);
        free(test);
        return EXIT_INPUT;
    }
    /* Each word its own block, so every location can have its own home. */
    setenv("ORDO_OBJ_BLOCK", "8", 0);
    status = ordo_init(NULL, NULL);
    if (status != ORDO_OK) {
        fprintf(stderr, "ordo-litmus: ordo_init: %s\n", ordo_strerror(status));
        free(rows);
        free(test);
        return EXIT_INPUT;
    }
    int me = ordo_rank(), size = ordo_size();
    if (me == 0)
        printf("# ordo-litmus %s on %d ranks: %ld iterations per test and model, %d per round, "
               "homes %s%s\n\n",
               ordo_version(), size, opt->iterations,
               (int)(opt->batch < opt->iterations ? opt->batch : opt->iterations),
               opt->homes == LITMUS_HOMES_OTHERS ? "on other ranks" : "on the threads' ranks",
               opt->stress ? ", stress" : "");
    for (int f = 0; f < opt->nfiles; f++) {
        litmus_error_t perr;
        if (litmus_parse_file(opt->files[f], test, &perr) != LITMUS_OK) {
            if (me == 0)
                fprintf(stderr, "%s\n", perr.msg);
            exit_status = EXIT_INPUT;
            continue;
        }
        if (test->nthreads > size ||
            (opt->homes == LITMUS_HOMES_OTHERS && test->nthreads >= size)) {
            if (me == 0)
                fprintf(stderr,
                        "ordo-litmus: %s: test %s has %d threads: it needs %d ranks%s, this run "
                        "has %d\n",
                        opt->files[f], test->name, test->nthreads,
                        test->nthreads + (opt->homes == LITMUS_HOMES_OTHERS),
                        opt->homes == LITMUS_HOMES_OTHERS ? " (homes on other ranks)" : "", size);
            exit_status = EXIT_INPUT;
            continue;
        }
        summary_row_t *row = &rows[nrows++];
        snprintf(row->name, sizeof(row->name), "%s", test->name);
        for (int m = 0; m < LITMUS_NMODELS; m++) {
            row->allowed[m] = -1;
            row->runs[m] = -1;
        }
        for (int k = 0; k < 3; k++) {
            litmus_model_t m = run_models[k];
            if (!(opt->models & (1u << m)))
                continue;
            litmus_run_opts_t ro = {
                m,
                opt->iterations,
                (int)(opt->batch < opt->iterations ? opt->batch : opt->iterations),
                opt->homes,
                opt->stress,
                opt->seed};
            litmus_run_result_t res;
            status = litmus_run(test, &ro, &res, err, sizeof(err));
            if (status != ORDO_OK) {
                fprintf(stderr, "ordo-litmus: rank %d: %s under %s: %s\n", me, test->name,
                        litmus_model_name(m), err[0] ? err : ordo_strerror(status));
                litmus_run_result_free(&res);
                exit_status = EXIT_INPUT;
                goto done;
            }
            if (me == 0) {
                litmus_state_set_t allowed;
                size_t pos = 0;
                litmus_state_set_init(&allowed);
                status = litmus_enumerate(test, judge_model(m), &allowed, NULL);
                if (status != LITMUS_OK) {
                    fprintf(stderr, "ordo-litmus: %s: enumerating %s: %s\n", test->name,
                            litmus_model_name(judge_model(m)), litmus_strerror(status));
                    exit_status = EXIT_INPUT;
                } else {
                    litmus_verdict(test, &allowed, &pos, NULL);
                    row->allowed[judge_model(m)] = pos > 0;
                    if (print_run(test, m, &res, &allowed, row) > 0)
                        exit_status = EXIT_FORBIDDEN;
                }
                litmus_state_set_free(&allowed);
                fflush(stdout);
            }
            litmus_run_result_free(&res);
        }
    }
done:
    if (me == 0 && nrows)
        print_run_summary(rows, nrows);
    fflush(stdout);
    /* Every rank learns the verdict (only rank 0 judged), for the exit status. */
    status = ordo_finalize();
    free(rows);
    free(test);
    if (status != ORDO_OK && exit_status == EXIT_OK)
        exit_status = EXIT_INPUT;
    return exit_status;
}

int main(int argc, char **argv)
{
    options_t opt;
    summary_row_t *rows;
    litmus_test_t *test;
    int status, nrows = 0, exit_status = EXIT_OK;

    status = parse_args(argc, argv, &opt);
    if (status < 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (status)
        return status;
    if (!opt.enumerate)
        return run_main(&opt);
    rows = calloc((size_t)opt.nfiles, sizeof(*rows));
    test = malloc(sizeof(*test));
    if (!rows || !test) {
        fputs("ordo-litmus: out of memory\n", stderr);
        free(rows);
        free(test);
        return EXIT_INPUT;
    }
    for (int f = 0; f < opt.nfiles; f++) {
        litmus_error_t err;
        status = litmus_parse_file(opt.files[f], test, &err);
        if (status) {
            fflush(stdout);
            fprintf(stderr, "%s\n", err.msg);
            exit_status = EXIT_INPUT;
            continue;
        }
        snprintf(rows[nrows].name, sizeof(rows[nrows].name), "%s", test->name);
        if (enumerate_test(&opt, test, opt.files[f], &rows[nrows]))
            exit_status = EXIT_INPUT;
        nrows++;
    }
    if (nrows)
        print_summary(&opt, rows, nrows);
    free(rows);
    free(test);
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "ordo-litmus: cannot write the output: %s\n", strerror(errno));
        return EXIT_INPUT;
    }
    return exit_status;
}
