/*
 * bench_opts.c - the harness's command line: usage, the strict parsers of
 * sizes and counts, the benchmark's own long options.  See bench.h.
 */
#include "bench_int.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZES_ACCEPTED "[min:]max in bytes, suffix K, M or G (e.g. -m 1:4M)"
#define PROTO_ACCEPTED "auto, eager or rndv"

/* Print only on rank 0 before MPI is up: launchers tell a process its rank. */
static int launcher_rank(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
                                       "SLURM_PROCID", NULL};
    for (int i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return atoi(v);
    }
    return 0;
}

static void usage(const bench_spec_t *spec, FILE *out)
{
    fprintf(out, "Usage: %s [options]\n%s\n\nOptions:\n", spec->prog, spec->summary);
    fprintf(out,
            "  -m [min:]max      message sizes, min, 2*min, ... up to max; bytes, suffix K, M, G\n"
            "                    (default %zu:%zu)\n",
            spec->min_size, spec->max_size);
    fprintf(out,
            "  -i iterations     timed iterations per size (default %d, %d above %d B)\n"
            "  -x warmup         untimed iterations before them (default %d, %d above %d B)\n",
            spec->iters, spec->iters_large, BENCH_LARGE_SIZE, spec->warmup, spec->warmup_large,
            BENCH_LARGE_SIZE);
    if (spec->flags & BENCH_OPT_WINDOW)
        fprintf(out, "  -W window         messages in flight per window (default %d, 1..%d)\n",
                spec->window, BENCH_MAX_WINDOW);
    fprintf(out, "  -f                full statistics: also the min and max of the samples\n");
    if (!(spec->flags & BENCH_OPT_NO_MPI))
        fprintf(out, "  --mpi             also run the pattern over MPI in the same processes and\n"
                     "                    print it as a baseline column and an ordo/MPI ratio\n");
    fprintf(out, "  --buffer K        where message buffers come from: ordo (ordo_mem_alloc,\n"
                 "                    peers read them directly; the default) or malloc\n"
                 "  --digits N        decimals of the figures, 0..6 (default 2, as OSU)\n");
    if (spec->flags & BENCH_OPT_UCX)
        fprintf(out, "  --ucx             also run the pattern over raw UCX active messages (as\n"
                     "                    ucx_perftest -t ucp_am_lat) in the same processes, in\n"
                     "                    blocks between ordo's, and print its p50 and ordo/UCX\n");
    if (spec->flags & BENCH_OPT_PROTO)
        fprintf(out,
                "  --proto P         ordo's path for payloads: " PROTO_ACCEPTED " (default: auto,\n"
                "                    or ORDO_PROTO)\n");
    for (const bench_extra_opt_t *e = spec->extra_opts; e && e->name; e++) {
        char head[64];
        snprintf(head, sizeof(head), "--%s%s%s", e->name, e->arg ? " " : "", e->arg ? e->arg : "");
        if (strlen(head) > 16)
            fprintf(out, "  %s\n                    ", head);
        else
            fprintf(out, "  %-17s ", head);
        for (const char *h = e->help; *h; h++) {
            fputc(*h, out);
            if (*h == '\n')
                fputs("                    ", out);
        }
        fputc('\n', out);
    }
    fprintf(out, "  -h, --help        this help\n\n");
    if (spec->flags & BENCH_OPT_ALL_RANKS)
        fprintf(out, "Runs on every rank (rank 0 drives and prints), e.g.\n  mpirun -np 6 %s\n",
                spec->prog);
    else
        fprintf(out, "Runs on ranks 0 and 1 (others wait), e.g.\n  mpirun -np 2 %s\n", spec->prog);
}

/* Report a usage error (on rank 0 only) and give the exit status 2. */
__attribute__((format(printf, 2, 3))) static int bad_usage(const bench_spec_t *spec,
                                                           const char *fmt, ...)
{
    if (launcher_rank() != 0)
        return 2;
    va_list ap;
    fprintf(stderr, "%s: ", spec->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    usage(spec, stderr);
    return 2;
}

/* A size: digits, optionally K, M or G (powers of 1024). */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'K':
    case 'k':
        shift = 10;
        end++;
        break;
    case 'M':
    case 'm':
        shift = 20;
        end++;
        break;
    case 'G':
    case 'g':
        shift = 30;
        end++;
        break;
    default:
        break;
    }
    if (*end != '\0' || v > (SIZE_MAX >> shift))
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

/* An integer in [lo, hi]. */
static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_sizes(const bench_spec_t *spec, const char *arg, bench_opts_t *o)
{
    const char *colon = strchr(arg, ':');
    if (!colon) {
        if (parse_size(arg, &o->max_size) != 0)
            return -1;
        o->min_size = spec->min_size < o->max_size ? spec->min_size : o->max_size;
        return 0;
    }
    char min[64];
    size_t n = (size_t)(colon - arg);
    if (n == 0 || n >= sizeof(min))
        return -1;
    memcpy(min, arg, n);
    min[n] = '\0';
    if (parse_size(min, &o->min_size) != 0)
        return -1;
    if (colon[1] == '\0') {
        o->max_size = spec->max_size;
        return 0;
    }
    return parse_size(colon + 1, &o->max_size);
}

static int parse_proto(const char *s)
{
    static const char *const names[] = {"auto", "eager", "rndv"};
    static const int protos[] = {ORDO_PROTO_AUTO, ORDO_PROTO_EAGER, ORDO_PROTO_RNDV};
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0)
            return protos[i];
    return -1;
}

/* The value getopt_long returns for the benchmark's own option i. */
#define EXTRA_OPT(i) (0x100 + (i))

/* The harness's long options, then the benchmark's own; 0, or -1 if it has
 * too many. */
static int long_options(const bench_spec_t *spec, struct option *all)
{
    static const struct option common[] = {
        {"mpi", no_argument, NULL, 'M'},         {"buffer", required_argument, NULL, 'B'},
        {"proto", required_argument, NULL, 'P'}, {"digits", required_argument, NULL, 'D'},
        {"ucx", no_argument, NULL, 'U'},         {"help", no_argument, NULL, 'h'}};
    const int ncommon = (int)(sizeof(common) / sizeof(common[0]));
    int n = ncommon;
    memcpy(all, common, sizeof(common));
    for (int i = 0; spec->extra_opts && spec->extra_opts[i].name; i++) {
        if (i == BENCH_MAX_EXTRA_OPTS)
            return -1;
        const bench_extra_opt_t *e = &spec->extra_opts[i];
        all[n++] =
            (struct option){e->name, e->arg ? required_argument : no_argument, NULL, EXTRA_OPT(i)};
    }
    all[n] = (struct option){NULL, 0, NULL, 0};
    return 0;
}

/* The benchmark's own option i with its value (or NULL). */
static int extra_option(const bench_spec_t *spec, int i, const char *arg)
{
    char why[256] = "not accepted";
    if (!spec->parse_extra || spec->parse_extra(i, arg, why, sizeof(why)) != 0) {
        if (arg)
            return bad_usage(spec, "--%s: '%s': %s", spec->extra_opts[i].name, arg, why);
        return bad_usage(spec, "--%s: %s", spec->extra_opts[i].name, why);
    }
    return BENCH_RUN;
}

/* Returns BENCH_RUN, or an exit status. */
int bench__parse_options(const bench_spec_t *spec, int argc, char **argv, bench_opts_t *o)
{
    /* The harness's six, the benchmark's own, the end. */
    struct option longopts[6 + BENCH_MAX_EXTRA_OPTS + 1];
    if (long_options(spec, longopts) != 0) {
        fprintf(stderr, "%s: more than %d options of its own\n", spec->prog, BENCH_MAX_EXTRA_OPTS);
        return 1;
    }
    memset(o, 0, sizeof(*o));
    o->min_size = spec->min_size;
    o->max_size = spec->max_size;
    o->warmup = -1;
    o->window = spec->window;
    o->proto = -1;
    o->digits = 2;

    opterr = 0;
    optind = 1;
    for (;;) {
        int c = getopt_long(argc, argv, ":m:i:x:W:fh", longopts, NULL);
        if (c == -1)
            break;
        switch (c) {
        case 'm':
            if (parse_sizes(spec, optarg, o) != 0)
                return bad_usage(spec, "-m: '%s' is not a size range; accepted: " SIZES_ACCEPTED,
                                 optarg);
            if (o->min_size > o->max_size)
                return bad_usage(spec, "-m: min %zu is larger than max %zu", o->min_size,
                                 o->max_size);
            break;
        case 'i':
            if (parse_int(optarg, 1, BENCH_MAX_ITERS, &o->iters) != 0)
                return bad_usage(spec, "-i: '%s' is not an iteration count; accepted: 1..%d",
                                 optarg, BENCH_MAX_ITERS);
            break;
        case 'x':
            if (parse_int(optarg, 0, BENCH_MAX_ITERS, &o->warmup) != 0)
                return bad_usage(spec, "-x: '%s' is not a warm-up count; accepted: 0..%d", optarg,
                                 BENCH_MAX_ITERS);
            break;
        case 'W':
            if (!(spec->flags & BENCH_OPT_WINDOW))
                return bad_usage(spec, "-W: %s has no window", spec->prog);
            if (parse_int(optarg, 1, BENCH_MAX_WINDOW, &o->window) != 0)
                return bad_usage(spec, "-W: '%s' is not a window size; accepted: 1..%d", optarg,
                                 BENCH_MAX_WINDOW);
            break;
        case 'f':
            o->full = 1;
            break;
        case 'B':
            if (strcmp(optarg, "malloc") != 0 && strcmp(optarg, "ordo") != 0)
                return bad_usage(
                    spec, "--buffer: '%s' is not a buffer kind; accepted: ordo, malloc", optarg);
            o->malloc_buffers = strcmp(optarg, "malloc") == 0;
            break;
        case 'M':
            if (spec->flags & BENCH_OPT_NO_MPI)
                return bad_usage(spec, "--mpi: %s has no MPI baseline", spec->prog);
            o->mpi = 1;
            break;
        case 'U':
            if (!(spec->flags & BENCH_OPT_UCX))
                return bad_usage(spec, "--ucx: %s has no raw UCX baseline", spec->prog);
            o->ucx = 1;
            break;
        case 'D':
            if (parse_int(optarg, 0, 6, &o->digits) != 0)
                return bad_usage(spec, "--digits: '%s' is not a number of decimals; accepted: 0..6",
                                 optarg);
            break;
        case 'P':
            if (!(spec->flags & BENCH_OPT_PROTO))
                return bad_usage(spec, "--proto: %s sets the protocol itself", spec->prog);
            o->proto = parse_proto(optarg);
            if (o->proto < 0)
                return bad_usage(spec, "--proto: '%s' is not a protocol; accepted: " PROTO_ACCEPTED,
                                 optarg);
            break;
        case 'h':
            if (launcher_rank() == 0)
                usage(spec, stdout);
            return 0;
        case ':':
            if (optopt)
                return bad_usage(spec, "option -%c needs a value", optopt);
            return bad_usage(spec, "option %s needs a value", argv[optind - 1]);
        default:
            if (c >= EXTRA_OPT(0) && c < EXTRA_OPT(BENCH_MAX_EXTRA_OPTS)) {
                int rc = extra_option(spec, c - EXTRA_OPT(0), optarg);
                if (rc != BENCH_RUN)
                    return rc;
                break;
            }
            if (optopt)
                return bad_usage(spec, "unknown option -%c", optopt);
            return bad_usage(spec, "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bad_usage(spec, "unexpected argument '%s'", argv[optind]);
    if (o->mpi && o->max_size > INT_MAX)
        return bad_usage(spec, "-m: with --mpi, sizes must fit in one MPI call (<= %d B)", INT_MAX);
    return BENCH_RUN;
}
