/*
 * ordo-litmus - litmus tests (herdtools7's LISA syntax) against ordo's
 * memory models.
 *
 *   ordo-litmus --enumerate [--model sc|tso|causal|causal-any|all] FILE...
 *       the final states each model allows, in herd7's format, then a
 *       table: is each test's condition satisfiable under each model
 *
 * Running the tests on the runtime's shared objects (litmus7-style
 * histograms) needs the runner, which this build does not have yet.
 *
 * Exit status: 0 fine, 2 usage error or a test that cannot be read or is
 * malformed (file:line:col on stderr), 3 running requested but not
 * available in this build. (1 is kept for the runner: a forbidden outcome
 * observed.) The tool links neither libordo nor MPI's libraries.
 */
#include "litmus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_OK          0
#define EXIT_INPUT       2
#define EXIT_UNAVAILABLE 3

typedef struct options {
    int enumerate;
    int verbose;
    unsigned flags;  /* litmus_enumerate_ex's */
    unsigned models; /* bit per litmus_model_t */
    int nfiles;
    char **files;
} options_t;

/* One row of the summary: a test and, per model, allowed (1), forbidden
 * (0) or not enumerated (-1). */
typedef struct summary_row {
    char name[LITMUS_MAX_TITLE];
    int allowed[LITMUS_NMODELS];
} summary_row_t;

static void usage(FILE *out)
{
    fputs("usage: ordo-litmus --enumerate [--model MODEL] [-v] [--eager] FILE...\n"
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
          "Running the tests on the runtime (litmus7-style histograms) is not available in\n"
          "this build yet; without --enumerate the tool says so and exits with status 3.\n"
          "\n"
          "Exit status: 0 fine, 2 usage error or unreadable/malformed test (FILE:LINE:COL on\n"
          "stderr), 3 running on the runtime not available.\n",
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
    if (!opt.enumerate) {
        fputs("ordo-litmus: running litmus tests on the runtime is not available in this "
              "build (the runner is not implemented yet); use --enumerate to list the "
              "outcomes the models allow\n",
              stderr);
        return EXIT_UNAVAILABLE;
    }
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
