/*
 * ordo-lincheck - is a history of operations on registers or locks
 * linearizable? (Wing & Gong's search with Lowe's memoization, one key at a
 * time.)
 *
 *   ordo-lincheck [--model M] [--init V] [--time-limit S] [--quiet] [--verbose] FILE|DIR...
 *   ordo-lincheck --lost-writes [--init V] [--quiet] FILE|DIR...
 *
 * Exit status: 0 linearizable (no lost write), 1 not (a lost write), 2 unknown (time limit), 3
 * usage error or bad input. The tool only reads files: it does not link libordo and needs no MPI.
 */
#include "lincheck.h"
#include "tools/common/tool_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct options {
    const lincheck_model_t *model; /* NULL: auto */
    uint64_t init;
    double time_limit; /* seconds, 0: none */
    int quiet, verbose;
    int lost_writes; /* check for lost acknowledged writes instead */
} options_t;

/* What became of the keys. */
typedef struct verdict {
    size_t invalid;
    size_t checked;
    const lincheck_key_t *unknown; /* the key the search gave up on, or NULL */
    int nomem;
} verdict_t;

static void usage(FILE *out)
{
    fputs("usage: ordo-lincheck [--model register|mutex|auto] [--init V] [--time-limit S]\n"
          "                     [--quiet] [--verbose] FILE|DIR...\n"
          "       ordo-lincheck --lost-writes [--init V] [--quiet] FILE|DIR...\n"
          "\n"
          "Checks that a history of operations is linearizable: that each operation can be\n"
          "given a point between its invoke and its completion at which it took effect, in\n"
          "an order the model allows. Each key is checked on its own.\n"
          "\n"
          "Input: one event per line, a Jepsen EDN map or a JSON object (files and directories;\n"
          "a directory means its *.edn and *.jsonl files). Files named <object>.<rank>.edn, as\n"
          "ORDO_HISTORY=DIR writes them (qreg-1.0.edn, qreg-1.1.edn, lock-2.0.edn), make one\n"
          "history per object, whose processes and keys are its own; its files are merged by\n"
          "time, ties in file order, then line order:\n"
          "  {:process 0, :type :invoke, :f :write, :key 3, :value 7, :time 1234}\n"
          "  {\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":3,\"value\":7,\"time\":1300}\n"
          "  process  a non-negative integer (events of :process :nemesis are skipped)\n"
          "  type     invoke, then one completion of the same f and key: ok (it happened),\n"
          "           fail (it did not), info (unknown: it may take effect any time after its\n"
          "           invoke, or never; the process may not invoke again). An invoke never\n"
          "           completed is an info. A read's info constrains nothing\n"
          "  f        read, write (a register); acquire, release (a mutex)\n"
          "  key      a non-negative integer (none: 0)\n"
          "  value    write: the value; read's ok: the value read; acquire's ok: the fencing\n"
          "           token, or nil; an integer below 2^64 or nil\n"
          "  time     nanoseconds; operation A precedes B iff A's completion is before B's\n"
          "           invoke. Other keys are ignored; blank lines and ; or # lines skipped\n"
          "\n"
          "Models (--model, default auto: each key's from its f's):\n"
          "  register  a value (--init V, default 0): a write sets it, a read returns it\n"
          "  mutex     an acquire needs the lock free and its token (if any) above every\n"
          "            token before it; a release needs its process to hold the lock\n"
          "\n"
          "Options:\n"
          "  --time-limit S  give up after S seconds (decimals allowed; 0: never)\n"
          "  --quiet         print nothing; the exit status says it all\n"
          "  --verbose       a line per key: operations, configurations searched, time\n"
          "  --lost-writes   instead of linearizability, check that no read of a register\n"
          "                  returned a value superseded before it began: written by a write\n"
          "                  that completed before another acknowledged write of the key was\n"
          "                  invoked, which completed before the read was invoked (a lost\n"
          "                  acknowledged write); values are taken as unique per write, the\n"
          "                  initial value as written at time 0. Prints each such read with\n"
          "                  the two writes; exit 1 if any. Lock keys are skipped\n"
          "\n"
          "For a key that is not linearizable it prints the window where the search got\n"
          "stuck: the first configuration it reached with the most operations linearized.\n"
          "There, the operation that returned first among the rest had to take effect\n"
          "next or after one that could go before it, and none of them can in the state\n"
          "reached. Shown: that state, the last operation linearized (reads skipped), the\n"
          "stuck one, those that could go before it, and the linearized ones overlapping\n"
          "it; each as its input lines, file:line: {...}.\n"
          "\n"
          "Exit status: 0 linearizable (no lost write), 1 not linearizable (a lost write), 2 "
          "unknown (the time\n"
          "limit or the memory ran out first), 3 usage error or bad input.\n",
          out);
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "ordo-lincheck: %s '%s'\n", what, arg);
    usage(stderr);
    return LINCHECK_EXIT_INPUT;
}

/* The value of option name at argv[*i] (`name=V` or `name V`), or NULL if
 * argv[*i] is another option, or name without a value (*missing set). */
static const char *option_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);

    if (strncmp(arg, name, n))
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n])
        return NULL;
    if (*i + 1 == argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

/* Seconds: digits and a decimal point only (no sign, exponent or inf). */
static int parse_seconds(const char *s, double *out)
{
    char *end;

    if (!*s || strspn(s, "0123456789.") != strlen(s))
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    return *end || errno || !isfinite(*out) ? -1 : 0;
}

/* One option at argv[*i] (with its value, if it takes one): 0, 1 for --help,
 * or an exit status after printing why. */
static int option(int argc, char **argv, int *i, options_t *o)
{
    const char *arg = argv[*i], *val;
    int missing = 0;

    if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
        return 1;
    if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
        o->quiet = 1;
    } else if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
        o->verbose = 1;
    } else if (!strcmp(arg, "--lost-writes")) {
        o->lost_writes = 1;
    } else if ((val = option_value(argc, argv, i, "--model", &missing))) {
        o->model = strcmp(val, "auto") ? lincheck_model_find(val) : NULL;
        if (!o->model && strcmp(val, "auto"))
            return usage_error("--model: expected register, mutex or auto, found", val);
    } else if ((val = option_value(argc, argv, i, "--init", &missing))) {
        if (tool_parse_u64(val, &o->init))
            return usage_error("--init: expected an integer below 2^64, found", val);
    } else if ((val = option_value(argc, argv, i, "--time-limit", &missing))) {
        if (parse_seconds(val, &o->time_limit))
            return usage_error("--time-limit: expected seconds (0 for none), found", val);
    } else {
        return usage_error(missing ? "expected a value after" : "unknown option", arg);
    }
    return 0;
}

static void key_verbose(const lincheck_history_t *h, const lincheck_key_t *key,
                        const lincheck_stats_t *st, double secs, lincheck_result_t r)
{
    static const char *const results[] = {"linearizable", "not linearizable",
                                          "unknown (time limit)", "unknown (out of memory)"};
    char name[256];

    printf("%s: %s, %zu operations (%zu searched, %zu info left out), "
           "%zu configurations, %zu steps, %.3f s: %s\n",
           lincheck_key_name(name, sizeof(name), h, key->object, key->key), key->model->name,
           key->nops, st->ops, st->skipped, st->configs, st->steps, secs, results[r]);
}

/* Checks every key, printing the windows of those not linearizable. */
static void check_keys(const lincheck_history_t *h, const lincheck_keys_t *keys, const options_t *o,
                       double deadline, verdict_t *v)
{
    for (size_t i = 0; i < keys->n; i++) {
        const lincheck_key_t *key = &keys->v[i];
        lincheck_stats_t st;
        lincheck_window_t win;
        double t0 = lincheck_now();
        lincheck_result_t r = lincheck_check_key(key, o->init, deadline, &st, &win);

        if (o->verbose && !o->quiet)
            key_verbose(h, key, &st, lincheck_now() - t0, r);
        if (r == LINCHECK_INVALID) {
            v->invalid++;
            if (!o->quiet)
                lincheck_window_print(stdout, h, key, &win);
        }
        lincheck_window_free(&win);
        if (r == LINCHECK_UNKNOWN || r == LINCHECK_NOMEM) {
            v->unknown = key;
            v->nomem = r == LINCHECK_NOMEM;
            return;
        }
        v->checked++;
    }
}

/* `register`, `mutex`, `register, mutex`: the models of the keys. */
static void models_print(const lincheck_keys_t *keys, const options_t *o)
{
    int reg = 0, mutex = 0;

    if (o->model) {
        printf(" (%s)", o->model->name);
        return;
    }
    for (size_t i = 0; i < keys->n; i++) {
        reg |= keys->v[i].model == &lincheck_register;
        mutex |= keys->v[i].model == &lincheck_mutex;
    }
    if (reg || mutex)
        printf(" (%s%s%s)", reg ? "register" : "", reg && mutex ? ", " : "", mutex ? "mutex" : "");
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static int summary(const lincheck_history_t *h, const lincheck_keys_t *keys, const options_t *o,
                   const verdict_t *v)
{
    int status = v->invalid   ? LINCHECK_EXIT_INVALID
                 : v->unknown ? LINCHECK_EXIT_UNKNOWN
                              : LINCHECK_EXIT_VALID;
    const char *sep = " (";
    char name[256];

    if (o->quiet)
        return status;
    printf("ordo-lincheck: %zu %s, %zu %s, ", h->ninvokes,
           plural(h->ninvokes, "operation", "operations"), h->nprocesses,
           plural(h->nprocesses, "process", "processes"));
    if (h->nobjects > 1)
        printf("%zu objects, ", h->nobjects);
    printf("%zu %s", keys->n, plural(keys->n, "key", "keys"));
    models_print(keys, o);
    printf(": %s", status == LINCHECK_EXIT_INVALID   ? "invalid"
                   : status == LINCHECK_EXIT_UNKNOWN ? "unknown"
                                                     : "valid");
    if (v->invalid) {
        printf("%s%zu of %zu %s not linearizable", sep, v->invalid, keys->n,
               plural(keys->n, "key", "keys"));
        sep = "; ";
    }
    if (v->unknown) {
        if (v->nomem)
            printf("%sout of memory", sep);
        else
            printf("%stime limit of %g s passed", sep, o->time_limit);
        printf(" on %s, %zu %s not checked",
               lincheck_key_name(name, sizeof(name), h, v->unknown->object, v->unknown->key),
               keys->n - v->checked, plural(keys->n - v->checked, "key", "keys"));
        sep = "; ";
    }
    printf("%s\n", sep[0] == ';' ? ")" : "");
    return status;
}

/* --lost-writes: every register key's reads. */
static int lost_writes(const lincheck_history_t *h, const lincheck_keys_t *keys, const options_t *o)
{
    size_t reads = 0, nkeys = 0;
    long lost = 0;

    for (size_t i = 0; i < keys->n; i++) {
        if (keys->v[i].model != &lincheck_register)
            continue;
        long l = lincheck_lost_writes(o->quiet ? NULL : stdout, h, &keys->v[i], o->init, &reads);
        if (l < 0) {
            lincheck_error(NULL, 0, "out of memory");
            return LINCHECK_EXIT_UNKNOWN;
        }
        lost += l;
        nkeys++;
    }
    if (!o->quiet)
        printf("ordo-lincheck: %zu operations (ok %zu, fail %zu, info %zu), %zu %s of %zu "
               "register %s, %ld lost %s: %s\n",
               h->ninvokes, h->ninvokes - h->nfail - h->ninfo, h->nfail, h->ninfo, reads,
               plural(reads, "read", "reads"), nkeys, plural(nkeys, "key", "keys"), lost,
               plural((size_t)lost, "write", "writes"), lost ? "LOST WRITES" : "none lost");
    return lost ? LINCHECK_EXIT_INVALID : LINCHECK_EXIT_VALID;
}

int main(int argc, char **argv)
{
    options_t o = {0};
    double start = lincheck_now();
    lincheck_history_t h;
    lincheck_keys_t keys;
    verdict_t v = {0};
    int i, status;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        status = option(argc, argv, &i, &o);
        if (status == 1) {
            usage(stdout);
            return LINCHECK_EXIT_VALID;
        }
        if (status)
            return status;
    }
    if (i == argc) {
        fputs("ordo-lincheck: expected history files or directories\n", stderr);
        usage(stderr);
        return LINCHECK_EXIT_INPUT;
    }
    if (lincheck_history_load(&h, argc - i, argv + i))
        return LINCHECK_EXIT_INPUT;
    if (lincheck_keys_split(&keys, &h, o.model)) {
        lincheck_history_free(&h);
        return LINCHECK_EXIT_INPUT;
    }
    if (o.lost_writes) {
        status = lost_writes(&h, &keys, &o);
    } else {
        check_keys(&h, &keys, &o, o.time_limit > 0 ? start + o.time_limit : 0, &v);
        status = summary(&h, &keys, &o, &v);
    }
    lincheck_keys_free(&keys);
    lincheck_history_free(&h);
    if (fflush(stdout) || ferror(stdout)) {
        lincheck_error(NULL, 0, "cannot write the output: %s", strerror(errno));
        return LINCHECK_EXIT_INPUT;
    }
    return status;
}
