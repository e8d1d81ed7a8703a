/*
 * bench.c - the harness shared by ordo's OSU-style benchmarks: options,
 * ranks and roles, phase synchronisation, timing, samples and percentiles,
 * PAPI counters, OSU-format output.  See bench.h.
 */
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <limits.h>
#include <papi.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { ID_STOP = BENCH_ID_FIRST, ID_SYNC };

#define SIZES_ACCEPTED "[min:]max in bytes, suffix K, M or G (e.g. -m 1:4M)"
#define PROTO_ACCEPTED "auto, eager or rndv"

/* Counted by the STOP handler, consumed by bench_serve() and the idle loop. */
static atomic_ulong stops_received;
static unsigned long stops_consumed;

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

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
static int parse_options(const bench_spec_t *spec, int argc, char **argv, bench_opts_t *o)
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

/* ------------------------------------------------------------------------ */
/* Start and end                                                            */
/* ------------------------------------------------------------------------ */

static int on_stop(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    atomic_fetch_add(&stops_received, 1);
    return ORDO_OK;
}

static int on_sync(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

static void papi_setup(bench_t *b)
{
    int rc = PAPI_library_init(PAPI_VER_CURRENT);
    b->papi_set = PAPI_NULL;
    if (rc != PAPI_VER_CURRENT) {
        snprintf(b->papi_why, sizeof(b->papi_why), "PAPI_library_init: %s",
                 rc > 0 ? "library version mismatch" : PAPI_strerror(rc));
        return;
    }
    const char *step = "PAPI_create_eventset";
    long long v[2];
    rc = PAPI_create_eventset(&b->papi_set);
    if (rc == PAPI_OK) {
        step = "PAPI_TOT_CYC";
        rc = PAPI_add_event(b->papi_set, PAPI_TOT_CYC);
    }
    if (rc == PAPI_OK) {
        step = "PAPI_TOT_INS";
        rc = PAPI_add_event(b->papi_set, PAPI_TOT_INS);
    }
    if (rc == PAPI_OK) {
        step = "PAPI_start";
        rc = PAPI_start(b->papi_set);
    }
    if (rc == PAPI_OK) {
        step = "PAPI_stop";
        rc = PAPI_stop(b->papi_set, v);
    }
    if (rc != PAPI_OK) {
        snprintf(b->papi_why, sizeof(b->papi_why), "%s: %s", step, PAPI_strerror(rc));
        return;
    }
    b->papi_ok = 1;
}

static void papi_teardown(bench_t *b)
{
    if (b->papi_set != PAPI_NULL) {
        PAPI_cleanup_eventset(b->papi_set);
        PAPI_destroy_eventset(&b->papi_set);
    }
    if (PAPI_is_initialized())
        PAPI_shutdown();
}

/* Ranks >= 2 take no part: they run handlers, sleeping between polls so as
 * not to take a core from ranks 0 and 1, until rank 0 releases them. */
static void idle(bench_t *b)
{
    struct timespec nap = {0, 200000};
    while (atomic_load(&stops_received) == stops_consumed) {
        int n = ordo_progress();
        if (n < 0)
            bench_fail(b, "ordo_progress", 0, n);
        if (n == 0)
            nanosleep(&nap, NULL);
    }
    stops_consumed++;
}

/* Whether polling loops should yield: ORDO_WAIT's choice, or for auto,
 * whether this node has fewer cores than ranks. */
static int wants_yield(void)
{
    const char *w = getenv("ORDO_WAIT");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (w && strcmp(w, "spin") == 0)
        return 0;
    if (w && (strcmp(w, "yield") == 0 || strcmp(w, "block") == 0))
        return 1;
    return cores > 0 && ordo_local_size() > cores;
}

static int check_sizes(bench_t *b)
{
    size_t max = ordo_rpc_max_size();
    if (b->opts.max_size <= max)
        return 0;
    if (b->rank == 0)
        fprintf(stderr,
                "%s: -m: max size %zu is larger than ordo's largest payload %zu "
                "(ORDO_MAX_MSG_SIZE)\n",
                b->spec->prog, b->opts.max_size, max);
    return 2;
}

static int setup(bench_t *b)
{
    int s = ordo_rpc_register(ID_STOP, on_stop, NULL);
    if (s == ORDO_OK)
        s = ordo_rpc_register(ID_SYNC, on_sync, NULL);
    if (s == ORDO_OK && b->spec->register_handlers)
        s = b->spec->register_handlers();
    if (s == ORDO_OK && b->spec->setup_all)
        s = b->spec->setup_all(b);
    if (s == ORDO_OK && b->opts.proto >= 0)
        s = ordo_rpc_set_proto((ordo_proto_t)b->opts.proto);
    if (s != ORDO_OK) {
        fprintf(stderr, "%s: rank %d: set-up failed: %s\n", b->spec->prog, b->rank,
                ordo_strerror(s));
        return 1;
    }
    int iters = b->opts.iters;
    if (iters == 0)
        iters = b->spec->iters > b->spec->iters_large ? b->spec->iters : b->spec->iters_large;
    b->cap = (size_t)iters;
    b->samples = malloc(b->cap * sizeof(double));
    if (!b->samples) {
        fprintf(stderr, "%s: rank %d: no memory for %zu samples\n", b->spec->prog, b->rank, b->cap);
        return 1;
    }
    if (b->role == BENCH_ACTIVE)
        papi_setup(b);
    return 0;
}

static void timer_init(void);

int bench_start(bench_t *b, const bench_spec_t *spec, int argc, char **argv)
{
    memset(b, 0, sizeof(*b));
    b->spec = spec;
    b->peer = -1;
    b->papi_set = PAPI_NULL;
    int rc = parse_options(spec, argc, argv, &b->opts);
    if (rc != BENCH_RUN)
        return rc;
    timer_init();

    int s = ordo_init(&argc, &argv);
    if (s != ORDO_OK) {
        fprintf(stderr, "%s: ordo_init failed: %s\n", spec->prog, ordo_strerror(s));
        return 1;
    }
    b->rank = ordo_rank();
    b->size = ordo_size();
    if (b->size < 2) {
        if (b->rank == 0)
            fprintf(stderr,
                    "%s: needs at least 2 ranks (it runs between rank 0 and rank 1), got %d; "
                    "start it with e.g. mpirun -np 2 %s\n",
                    spec->prog, b->size, spec->prog);
        ordo_finalize();
        return 1;
    }
    b->yield = wants_yield();
    b->role = b->rank == 0 ? BENCH_ACTIVE : b->rank == 1 ? BENCH_PASSIVE : BENCH_IDLE;
    b->peer = b->rank < 2 ? 1 - b->rank : -1;
    if ((spec->flags & BENCH_OPT_ALL_RANKS) && b->rank >= 2) {
        b->role = BENCH_PASSIVE;
        b->peer = 0;
    }

    rc = check_sizes(b);
    if (rc == 0)
        rc = setup(b);
    if (rc == 0)
        s = ordo_barrier(); /* every rank has its handlers */
    if (rc == 0 && s != ORDO_OK) {
        fprintf(stderr, "%s: rank %d: ordo_barrier failed: %s\n", spec->prog, b->rank,
                ordo_strerror(s));
        rc = 1;
    }
    if (rc != 0) {
        papi_teardown(b);
        free(b->samples);
        b->samples = NULL;
        ordo_finalize();
        return rc;
    }
    if (b->role == BENCH_IDLE) {
        idle(b);
        return bench_finish(b);
    }
    return BENCH_RUN;
}

int bench_finish(bench_t *b)
{
    int rc = 0;
    if (b->role == BENCH_ACTIVE && !(b->spec->flags & BENCH_OPT_ALL_RANKS))
        for (int r = 2; r < b->size; r++) {
            int s = ordo_rpc_send(r, ID_STOP, NULL, 0);
            if (s != ORDO_OK)
                bench_fail(b, "ordo_rpc_send (release)", 0, s);
        }
    int s = ordo_barrier();
    if (s != ORDO_OK) {
        fprintf(stderr, "%s: rank %d: final ordo_barrier failed: %s\n", b->spec->prog, b->rank,
                ordo_strerror(s));
        rc = 1;
    }
    if (b->role == BENCH_ACTIVE)
        papi_teardown(b);
    free(b->samples);
    b->samples = NULL;
    s = ordo_finalize();
    if (s != ORDO_OK) {
        fprintf(stderr, "%s: rank %d: ordo_finalize failed: %s\n", b->spec->prog, b->rank,
                ordo_strerror(s));
        rc = 1;
    }
    fflush(stdout);
    return rc;
}

void bench_fail(const bench_t *b, const char *what, size_t size, int status)
{
    fflush(stdout);
    fprintf(stderr, "%s: rank %d: %s failed at %zu B: %s (%s)\n", b->spec->prog, b->rank, what,
            size, ordo_status_name(status), ordo_strerror(status));
    MPI_Abort(MPI_COMM_WORLD, 1);
    exit(1);
}

/* ------------------------------------------------------------------------ */
/* Sizes, iterations, time, samples                                         */
/* ------------------------------------------------------------------------ */

size_t bench_first_size(const bench_t *b)
{
    return b->opts.min_size;
}

size_t bench_next_size(const bench_t *b, size_t size)
{
    size_t next = size == 0 ? 1 : size * 2;
    if (next <= size || next > b->opts.max_size)
        return 0;
    return next;
}

int bench_iters(const bench_t *b, size_t size)
{
    if (b->opts.iters > 0)
        return b->opts.iters;
    return size > BENCH_LARGE_SIZE ? b->spec->iters_large : b->spec->iters;
}

int bench_warmup(const bench_t *b, size_t size)
{
    if (b->opts.warmup >= 0)
        return b->opts.warmup;
    return size > BENCH_LARGE_SIZE ? b->spec->warmup_large : b->spec->warmup;
}

static double clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The timer: the CPU's time-stamp counter where it ticks at a constant rate
 * (as ucx_perftest times with), else clock_gettime.  Reading the counter
 * costs ~9 ns against ~21 ns for clock_gettime in this VM, and a
 * per-iteration sample pays one read. */
static double tsc_us_per_tick; /* 0: clock_gettime */

#if defined(__x86_64__)
#include <x86intrin.h>
static int tsc_constant(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    int constant = 0, nonstop = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "flags", 5) == 0) {
            constant = strstr(line, " constant_tsc") != NULL;
            nonstop = strstr(line, " nonstop_tsc") != NULL;
            break;
        }
    fclose(f);
    return constant && nonstop;
}

static void timer_init(void)
{
    const char *env = getenv("BENCH_TIMER");
    if ((env && strcmp(env, "clock") == 0) || !tsc_constant())
        return;
    /* Ticks per microsecond, against the monotonic clock over 20 ms. */
    double t0 = clock_us(), t1;
    unsigned long long c0 = __rdtsc(), c1;
    do {
        t1 = clock_us();
        c1 = __rdtsc();
    } while (t1 - t0 < 20000);
    if (c1 > c0)
        tsc_us_per_tick = (t1 - t0) / (double)(c1 - c0);
}

void bench_shuffle(int *order, int n, uint32_t *rng)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int k = n - 1; k > 0; k--) {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 17;
        *rng ^= *rng << 5;
        int j = (int)(*rng % (uint32_t)(k + 1)), tmp = order[k];
        order[k] = order[j];
        order[j] = tmp;
    }
}

double bench_now_us(void)
{
    if (tsc_us_per_tick > 0)
        return (double)__rdtsc() * tsc_us_per_tick;
    return clock_us();
}
#else
static void timer_init(void)
{
}

double bench_now_us(void)
{
    return clock_us();
}
#endif

void bench_samples_reset(bench_t *b)
{
    b->nsamples = 0;
}

void bench_sample(bench_t *b, double us)
{
    if (b->nsamples < b->cap)
        b->samples[b->nsamples++] = us;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double percentile(const double *v, size_t n, double p)
{
    size_t k = (size_t)ceil(p / 100.0 * (double)n);
    return v[k == 0 ? 0 : k - 1];
}

void bench_stats_of(const bench_t *b, const double *samples, size_t n, bench_stats_t *st)
{
    memset(st, 0, sizeof(*st));
    st->n = n;
    if (n == 0) {
        st->avg = st->min = st->max = st->p50 = st->p99 = NAN;
        return;
    }
    double *v = malloc(n * sizeof(double));
    if (!v)
        bench_fail(b, "malloc (statistics)", 0, ORDO_ERR_NOMEM);
    memcpy(v, samples, n * sizeof(double));
    qsort(v, n, sizeof(double), cmp_double);
    for (size_t i = 0; i < n; i++)
        st->sum += v[i];
    st->avg = st->sum / (double)n;
    st->min = v[0];
    st->max = v[n - 1];
    st->p50 = percentile(v, n, 50.0);
    st->p99 = percentile(v, n, 99.0);
    free(v);
}

void bench_stats(const bench_t *b, bench_stats_t *st)
{
    bench_stats_of(b, b->samples, b->nsamples, st);
}

void *bench_buffer(const bench_t *b, size_t len)
{
    unsigned char *p = NULL;
    if (b->opts.malloc_buffers) {
        p = malloc(len ? len : 1);
        if (!p)
            bench_fail(b, "malloc (buffer)", len, ORDO_ERR_NOMEM);
    } else {
        void *v;
        int s = ordo_mem_alloc(len, &v);
        if (s != ORDO_OK)
            bench_fail(b, "ordo_mem_alloc (buffer)", len, s);
        p = v;
    }
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)(i * 7 + 1);
    return p;
}

void bench_buffer_free(const bench_t *b, void *buf)
{
    if (!buf)
        return;
    if (b->opts.malloc_buffers)
        free(buf);
    else
        ordo_mem_free(buf);
}

/* ------------------------------------------------------------------------ */
/* PAPI                                                                     */
/* ------------------------------------------------------------------------ */

void bench_counters_start(bench_t *b)
{
    if (b->papi_ok && PAPI_start(b->papi_set) != PAPI_OK)
        b->papi_ok = 0;
}

void bench_counters_stop(bench_t *b, long iters, bench_counters_t *c)
{
    long long v[2] = {0, 0};
    c->cycles = c->instrs = NAN;
    if (!b->papi_ok)
        return;
    if (PAPI_stop(b->papi_set, v) != PAPI_OK || iters <= 0)
        return;
    c->cycles = (double)v[0] / (double)iters;
    c->instrs = (double)v[1] / (double)iters;
}

/* ------------------------------------------------------------------------ */
/* Phases                                                                   */
/* ------------------------------------------------------------------------ */

int bench_poll(const bench_t *b)
{
    int n = ordo_progress();
    if (n < 0)
        bench_fail(b, "ordo_progress", 0, n);
    if (n == 0 && b->yield)
        sched_yield();
    return n;
}

void bench_serve(bench_t *b)
{
    while (atomic_load(&stops_received) == stops_consumed)
        bench_poll(b);
    stops_consumed++;
}

void bench_release(bench_t *b)
{
    int s = ordo_rpc_send(b->peer, ID_STOP, NULL, 0);
    if (s != ORDO_OK)
        bench_fail(b, "ordo_rpc_send (release)", 0, s);
}

void bench_release_all(bench_t *b)
{
    for (int r = 1; r < b->size; r++) {
        int s = ordo_rpc_send(r, ID_STOP, NULL, 0);
        if (s != ORDO_OK)
            bench_fail(b, "ordo_rpc_send (release)", 0, s);
    }
}

void bench_ping(bench_t *b)
{
    int s = ordo_rpc_call(b->peer, ID_SYNC, NULL, 0, NULL, 0, NULL);
    if (s != ORDO_OK)
        bench_fail(b, "ordo_rpc_call (sync)", 0, s);
}

void bench_mpi_sync(const bench_t *b)
{
    MPI_Sendrecv(NULL, 0, MPI_BYTE, b->peer, 999, NULL, 0, MPI_BYTE, b->peer, 999, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

static const char *proto_name(int proto)
{
    return proto == ORDO_PROTO_EAGER ? "eager" : proto == ORDO_PROTO_RNDV ? "rndv" : "auto";
}

double bench_mpi_windows(const bench_t *b, size_t size, void *buf, MPI_Request *req)
{
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size), w = b->opts.window;
    int n = (int)size;
    double t0 = 0;
    bench_mpi_sync(b);
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            t0 = bench_now_us();
        if (b->role == BENCH_ACTIVE) {
            for (int i = 0; i < w; i++)
                MPI_Isend(buf, n, MPI_BYTE, b->peer, 100, MPI_COMM_WORLD, &req[i]);
            MPI_Waitall(w, req, MPI_STATUSES_IGNORE);
            MPI_Recv(NULL, 0, MPI_BYTE, b->peer, 101, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            for (int i = 0; i < w; i++)
                MPI_Irecv(buf, n, MPI_BYTE, b->peer, 100, MPI_COMM_WORLD, &req[i]);
            MPI_Waitall(w, req, MPI_STATUSES_IGNORE);
            MPI_Send(NULL, 0, MPI_BYTE, b->peer, 101, MPI_COMM_WORLD);
        }
    }
    return bench_now_us() - t0;
}

void bench_note(const bench_t *b, const char *fmt, ...)
{
    va_list ap;
    if (b->role != BENCH_ACTIVE)
        return;
    fputs("# ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

/* The path payloads take: --proto, else ORDO_PROTO, else auto with the threshold. */
static void print_proto(const bench_t *b)
{
    ordo_rpc_model_t m;
    const char *env = getenv("ORDO_PROTO");
    if (b->opts.proto > 0) {
        bench_note(b, "protocol: %s (--proto)", proto_name(b->opts.proto));
        return;
    }
    if (b->opts.proto < 0 && env && *env && strcmp(env, "auto") != 0) {
        bench_note(b, "protocol: %s (ORDO_PROTO)", env);
        return;
    }
    if (ordo_rpc_model(&m) != ORDO_OK)
        memset(&m, 0, sizeof(m));
    const char *origin = m.calibrated ? "calibrated at start-up" : "from ORDO_RNDV_THRESH";
    if (m.threshold >= ordo_rpc_max_size())
        bench_note(b, "protocol: auto: eager at every size (threshold %zu B = largest payload, %s)",
                   m.threshold, origin);
    else
        bench_note(b, "protocol: auto: eager up to %zu B, rendezvous above (threshold %s)",
                   m.threshold, origin);
}

void bench_print_title(const bench_t *b)
{
    const bench_spec_t *sp = b->spec;
    const bench_opts_t *o = &b->opts;
    if (b->role != BENCH_ACTIVE)
        return;
    printf("# OSU-style ordo %s v%s\n", sp->title, ordo_version());
    if (sp->flags & BENCH_OPT_ALL_RANKS)
        bench_note(b, "%d ranks: rank 0 drives, every rank serves; polling loops %s", b->size,
                   b->yield ? "yield the core" : "spin");
    else
        bench_note(b, "%d ranks: rank 0 <-> rank 1%s; polling loops %s", b->size,
                   b->size > 2 ? ", the others idle" : "", b->yield ? "yield the core" : "spin");
    int i1 = bench_iters(b, 0), i2 = bench_iters(b, BENCH_LARGE_SIZE + 1);
    int w1 = bench_warmup(b, 0), w2 = bench_warmup(b, BENCH_LARGE_SIZE + 1);
    if (i1 == i2 && w1 == w2)
        bench_note(b, "sizes %zu..%zu B; iterations %d, warm-up %d", o->min_size, o->max_size, i1,
                   w1);
    else
        bench_note(b, "sizes %zu..%zu B; iterations %d, warm-up %d (above %d B: %d, %d)",
                   o->min_size, o->max_size, i1, w1, BENCH_LARGE_SIZE, i2, w2);
    if (sp->flags & BENCH_OPT_WINDOW)
        bench_note(b, "window %d", o->window);
    if (sp->flags & BENCH_OPT_PROTO)
        print_proto(b);
    bench_note(b, "buffers: %s",
               o->malloc_buffers ? "malloc (--buffer malloc)"
                                 : "ordo_mem_alloc (peers read them directly; --buffer malloc for "
                                   "malloc)");
    const char *clocks = getenv("ORDO_CLOCKS");
    if (tsc_us_per_tick > 0)
        bench_note(b, "timer: time-stamp counter, %.0f MHz (BENCH_TIMER=clock: clock_gettime)",
                   1.0 / tsc_us_per_tick);
    else
        bench_note(b, "timer: clock_gettime(CLOCK_MONOTONIC)");
    bench_note(b, "clocks: %s (ORDO_CLOCKS), %zu B of clocks in each message header",
               clocks ? clocks : "lamport", ordo_clock_wire_bytes());
    if (b->papi_ok)
        bench_note(b, "PAPI: PAPI_TOT_CYC and PAPI_TOT_INS per iteration on rank 0");
    else
        bench_note(b, "PAPI: counters n/a (%s)", b->papi_why);
    fflush(stdout);
}

void bench_table_init(bench_table_t *t)
{
    memset(t, 0, sizeof(*t));
}

void bench_table_col(bench_table_t *t, const char *name)
{
    if (t->ncols >= BENCH_MAX_COLS)
        return;
    int len = (int)strlen(name) + 2;
    int w = t->ncols == 0 ? 18 : 14; /* OSU: %-10d%18.2f */
    t->name[t->ncols] = name;
    t->width[t->ncols] = len > w ? len : w;
    t->ncols++;
}

void bench_table_header(const bench_t *b, const bench_table_t *t)
{
    if (b->role != BENCH_ACTIVE)
        return;
    printf("%-10s", "# Size");
    for (int i = 0; i < t->ncols; i++)
        printf("%*s", t->width[i], t->name[i]);
    putchar('\n');
    fflush(stdout);
}

void bench_row_begin(const bench_t *b, bench_table_t *t, size_t size)
{
    t->col = 0;
    if (b->role == BENCH_ACTIVE)
        printf("%-10zu", size);
}

void bench_cell(const bench_t *b, bench_table_t *t, double v)
{
    bench_cell_prec(b, t, v, b->opts.digits);
}

void bench_cell_prec(const bench_t *b, bench_table_t *t, double v, int prec)
{
    if (b->role != BENCH_ACTIVE || t->col >= t->ncols)
        return;
    if (isnan(v))
        printf("%*s", t->width[t->col], "n/a");
    else
        printf("%*.*f", t->width[t->col], prec, v);
    t->col++;
}

void bench_cell_str(const bench_t *b, bench_table_t *t, const char *s)
{
    if (b->role != BENCH_ACTIVE || t->col >= t->ncols)
        return;
    printf("%*s", t->width[t->col], s);
    t->col++;
}

void bench_row_end(const bench_t *b, bench_table_t *t)
{
    if (b->role != BENCH_ACTIVE)
        return;
    while (t->col < t->ncols)
        bench_cell(b, t, NAN);
    putchar('\n');
    fflush(stdout);
}

void bench_std_columns(const bench_t *b, bench_table_t *t, const char *metric, const char *unit,
                       const char *const *extra)
{
    /* The names must outlive the table: keep them in static storage. */
    static char names[5][32];
    bench_table_init(t);
    bench_table_col(t, metric);
    for (int i = 0; extra && extra[i]; i++) {
        bench_table_col(t, extra[i]);
        t->nextra++;
    }
    snprintf(names[0], sizeof(names[0]), "p50 (%s)", unit);
    snprintf(names[1], sizeof(names[1]), "p99 (%s)", unit);
    bench_table_col(t, names[0]);
    bench_table_col(t, names[1]);
    if (b->opts.full) {
        snprintf(names[2], sizeof(names[2]), "Min (%s)", unit);
        snprintf(names[3], sizeof(names[3]), "Max (%s)", unit);
        bench_table_col(t, names[2]);
        bench_table_col(t, names[3]);
    }
    if (b->opts.mpi) {
        snprintf(names[4], sizeof(names[4]), "MPI (%s)", unit);
        bench_table_col(t, names[4]);
        bench_table_col(t, "ordo/MPI");
    }
    if (b->papi_ok) {
        bench_table_col(t, "cycles/iter");
        bench_table_col(t, "instr/iter");
    }
}

double bench_metric(const bench_stats_t *st, double work, double rate_unit)
{
    if (rate_unit == 0)
        return st->avg;
    return (double)st->n * work / st->sum * rate_unit;
}

void bench_std_row(const bench_t *b, bench_table_t *t, size_t size, const bench_stats_t *st,
                   double work, double rate_unit, const double *extra, double mpi,
                   const bench_counters_t *c)
{
    double avg = bench_metric(st, work, rate_unit);
    double p50 = st->p50, p99 = st->p99, min = st->min, max = st->max;
    if (rate_unit != 0) {
        p50 = work / st->p50 * rate_unit;
        p99 = work / st->p99 * rate_unit;
        min = work / st->max * rate_unit;
        max = work / st->min * rate_unit;
    }
    bench_row_begin(b, t, size);
    bench_cell(b, t, avg);
    for (int i = 0; i < t->nextra; i++)
        bench_cell(b, t, extra ? extra[i] : NAN);
    bench_cell(b, t, p50);
    bench_cell(b, t, p99);
    if (b->opts.full) {
        bench_cell(b, t, min);
        bench_cell(b, t, max);
    }
    if (b->opts.mpi) {
        bench_cell(b, t, mpi);
        bench_cell(b, t, mpi > 0 ? avg / mpi : NAN);
    }
    if (b->papi_ok) {
        bench_cell(b, t, c ? c->cycles : NAN);
        bench_cell(b, t, c ? c->instrs : NAN);
    }
    bench_row_end(b, t);
}
