/*
 * ordo-trace - read the clock traces of an ordo run (ORDO_TRACE=<dir>).
 *
 *   ordo-trace check DIR|FILE...                 check the clocks against the message graph
 *   ordo-trace export [-o OUT.json] DIR|FILE...  Chrome trace-event JSON (Perfetto)
 *   ordo-trace merge DIR|FILE...                 every event, in a causally consistent order
 *
 * Exit status: 0 fine, 1 check found violations, 2 usage error or bad input.
 * The tool only reads files: it does not link libordo and needs no MPI.
 */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct command {
    const char *name;
    int takes_output; /* accepts -o FILE */
    int (*run)(const ordo_trace_t *trace, const char *output);
} command_t;

static void usage(FILE *out)
{
    fputs("usage: ordo-trace check DIR|FILE...\n"
          "       ordo-trace export [-o OUT.json] DIR|FILE...\n"
          "       ordo-trace merge DIR|FILE...\n"
          "\n"
          "Reads the per-rank files ordo-trace.<rank>.txt that a run with ORDO_TRACE=DIR\n"
          "writes (a directory means every ordo-trace.*.txt in it; every rank must be there).\n"
          "  check   checks that each message's send is below its receive in the Lamport, HLC\n"
          "          and vector clocks, that every vector clock is exactly what the message\n"
          "          graph implies, and that each rank's clocks increase; prints a summary\n"
          "          and the violations\n"
          "  export  writes Chrome trace-event JSON for https://ui.perfetto.dev or\n"
          "          chrome://tracing: a track per rank, an arrow per message\n"
          "          (-o OUT.json: to that file instead of stdout)\n"
          "  merge   prints every event, rank first, in a causally consistent order\n"
          "\n"
          "Exit status: 0 fine, 1 violations found by check, 2 usage error or bad input.\n",
          out);
}

static int run_check(const ordo_trace_t *trace, const char *output)
{
    long n = ordo_trace_check(trace, stdout);

    (void)output;
    if (n < 0)
        return ORDO_TRACE_EXIT_INPUT;
    return n ? ORDO_TRACE_EXIT_VIOLATION : ORDO_TRACE_EXIT_OK;
}

/* A partial output is removed, but only a regular file: never a device,
 * a pipe or anything else the user named. */
static int run_export(const ordo_trace_t *trace, const char *output)
{
    FILE *out = output ? fopen(output, "w") : stdout;
    struct stat st;
    int status, regular;

    if (!out) {
        ordo_trace_error(output, 0, "cannot write: %s", strerror(errno));
        return ORDO_TRACE_EXIT_INPUT;
    }
    regular = output && !fstat(fileno(out), &st) && S_ISREG(st.st_mode);
    status = ordo_trace_export(trace, out);
    if (output && fclose(out))
        status = -1;
    if (status && output) {
        ordo_trace_error(output, 0, "cannot write: %s", strerror(errno));
        if (regular)
            remove(output);
    }
    return status ? ORDO_TRACE_EXIT_INPUT : ORDO_TRACE_EXIT_OK;
}

static int run_merge(const ordo_trace_t *trace, const char *output)
{
    (void)output;
    return ordo_trace_merge(trace, stdout) ? ORDO_TRACE_EXIT_INPUT : ORDO_TRACE_EXIT_OK;
}

static const command_t commands[] = {
    {"check", 0, run_check},
    {"export", 1, run_export},
    {"merge", 0, run_merge},
};

static const command_t *command_find(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "ordo-trace: %s '%s'\n", what, arg);
    usage(stderr);
    return ORDO_TRACE_EXIT_INPUT;
}

int main(int argc, char **argv)
{
    const command_t *cmd;
    const char *output = NULL;
    ordo_trace_t trace;
    int i, status;

    if (argc < 2) {
        usage(stderr);
        return ORDO_TRACE_EXIT_INPUT;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return ORDO_TRACE_EXIT_OK;
    }
    cmd = command_find(argv[1]);
    if (!cmd)
        return usage_error("unknown command", argv[1]);
    for (i = 2; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return ORDO_TRACE_EXIT_OK;
        } else if (cmd->takes_output && !strcmp(argv[i], "-o")) {
            if (++i == argc)
                return usage_error("expected a file name after", "-o");
            output = argv[i];
        } else if (cmd->takes_output && !strncmp(argv[i], "-o", 2)) {
            output = argv[i] + 2;
        } else {
            return usage_error("unknown option", argv[i]);
        }
    }
    if (i == argc) {
        fprintf(stderr, "ordo-trace %s: expected a trace directory or files\n", cmd->name);
        usage(stderr);
        return ORDO_TRACE_EXIT_INPUT;
    }
    if (ordo_trace_load(&trace, argc - i, argv + i))
        return ORDO_TRACE_EXIT_INPUT;
    status = cmd->run(&trace, output);
    ordo_trace_free(&trace);
    if (fflush(stdout) || ferror(stdout)) {
        ordo_trace_error(NULL, 0, "cannot write the output: %s", strerror(errno));
        return ORDO_TRACE_EXIT_INPUT;
    }
    return status;
}
