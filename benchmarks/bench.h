/*
 * bench.h - the harness shared by ordo's OSU-style benchmarks.
 *
 * A benchmark describes itself in a bench_spec_t (name, title, default sizes,
 * iterations, which options it takes) and calls bench_start(), which parses
 * the command line in OSU's spirit, starts ordo, checks that there are at
 * least two ranks, applies --proto and sets up the counters (PAPI, else
 * perf_event software counters; bench_counters.c).  Ranks 0 and 1 do the
 * work (roles BENCH_ACTIVE and BENCH_PASSIVE); any others wait (BENCH_IDLE),
 * unless the benchmark takes every rank (BENCH_OPT_ALL_RANKS: rank 0
 * active, all the others passive).  A benchmark may add long options of its
 * own (bench_extra_opt_t), read before ordo starts.
 * Per size, the benchmark times iterations with bench_now_us(), records one
 * sample per iteration (or per window) and prints a row of a bench_table_t
 * in OSU's format (`# Size` then right-aligned columns).
 *
 * Only ordo.h, mpi.h, papi.h, Linux's perf_event_open and libc are used.
 */
#ifndef ORDO_BENCH_H
#define ORDO_BENCH_H

#include <mpi.h>
#include <ordo.h>
#include <stddef.h>
#include <stdint.h>

/* Sizes above this get the "large" iteration counts, as in OSU. */
#define BENCH_LARGE_SIZE 8192

/* Returned by bench_start() when the benchmark should run. */
#define BENCH_RUN (-1)

/* Handler ids of the harness; benchmarks use ids below BENCH_ID_FIRST. */
#define BENCH_ID_FIRST 1000

/* Limits of the options. */
#define BENCH_MAX_ITERS  10000000
#define BENCH_MAX_WINDOW 4096
#define BENCH_MAX_COLS   32

/* Options a benchmark may accept besides -m -i -x -f --mpi -h, and how it
 * runs. */
enum {
    BENCH_OPT_WINDOW = 1 << 0,    /* -W */
    BENCH_OPT_PROTO = 1 << 1,     /* --proto */
    BENCH_OPT_UCX = 1 << 2,       /* --ucx (the benchmark measures the baseline itself) */
    BENCH_OPT_ALL_RANKS = 1 << 3, /* every rank takes part: none idle (see bench_role_t) */
    BENCH_OPT_NO_MPI = 1 << 4,    /* no MPI baseline: --mpi is refused */
};

/* Most long options of a benchmark's own (bench_spec_t.extra_opts). */
#define BENCH_MAX_EXTRA_OPTS 8

/* A long option of a benchmark's own, --name [value]. */
typedef struct bench_extra_opt {
    const char *name; /* without the dashes; NULL ends the list */
    const char *arg;  /* its value as the usage names it ("US0,US1,..."); NULL: it takes none */
    const char *help; /* the usage's text for it (may hold newlines) */
} bench_extra_opt_t;

struct bench;

/* What a benchmark is and what it does by default. */
typedef struct bench_spec {
    const char *prog;    /* program name, e.g. "ordo_latency" */
    const char *title;   /* e.g. "Latency Test": "# OSU-style ordo Latency Test v0.1.0" */
    const char *summary; /* one line for -h */
    size_t min_size, max_size;
    int iters, iters_large;   /* timed iterations (or windows) per size */
    int warmup, warmup_large; /* untimed ones before them */
    int window;               /* default -W (if BENCH_OPT_WINDOW) */
    unsigned flags;           /* BENCH_OPT_* */
    /* Registers the benchmark's handlers; run on every rank before the
     * barrier that ends bench_start(), so no message finds a rank without. */
    int (*register_handlers)(void);
    /* Collective set-up (e.g. ordo_obj_alloc) that needs the options: run
     * on every rank, idle ones too, after register_handlers, before that
     * barrier.  May be NULL.  What it makes is released by ordo_finalize. */
    int (*setup_all)(const struct bench *b);
    /* Long options of the benchmark's own, and their reader, called on every
     * rank before ordo starts with the option's index in extra_opts and its
     * value (NULL if it takes none): 0, or -1 with what is wrong in why
     * (the harness names the option, prints the usage and exits with 2). */
    const bench_extra_opt_t *extra_opts;
    int (*parse_extra)(int index, const char *arg, char *why, size_t len);
} bench_spec_t;

/* The parsed command line. */
typedef struct bench_opts {
    size_t min_size, max_size; /* -m [min:]max */
    int iters;                 /* -i, or 0 for the per-size default */
    int warmup;                /* -x, or -1 for the per-size default */
    int window;                /* -W */
    int full;                  /* -f: also min and max */
    int mpi;                   /* --mpi: MPI baseline and ratio */
    int ucx;                   /* --ucx: raw UCX baseline and ratio (BENCH_OPT_UCX) */
    int proto;                 /* --proto: ordo_proto_t, or -1 if not given */
    int malloc_buffers;        /* --buffer malloc: malloc, not ordo_mem_alloc */
    int digits;                /* --digits: decimals of the figures (OSU: 2) */
} bench_opts_t;

typedef enum {
    BENCH_ACTIVE,  /* rank 0: drives the pattern, times it, prints */
    BENCH_PASSIVE, /* rank 1: the peer (BENCH_OPT_ALL_RANKS: every rank but 0, peer 0) */
    BENCH_IDLE,    /* ranks >= 2: wait until the end (never with BENCH_OPT_ALL_RANKS) */
} bench_role_t;

/* Where the counters come from (bench_counters.c): PAPI's hardware
 * counters, else Linux's software counters (perf_event_open), else none. */
typedef enum {
    BENCH_COUNTERS_NONE,
    BENCH_COUNTERS_PAPI,
    BENCH_COUNTERS_PERF,
} bench_counter_src_t;

/* Software events counted with perf_event_open. */
#define BENCH_PERF_EVENTS 4

/* The counters of the timed part of a size (NaN: not counted). */
typedef struct bench_counters {
    double cycles, instrs;            /* PAPI: per iteration */
    double task_us;                   /* perf: CPU time of the timing thread per iteration, us */
    double ctxsw, migrations, faults; /* perf: totals over the timed iterations */
    long iters;                       /* iterations counted (0: none) */
} bench_counters_t;

typedef struct bench {
    const bench_spec_t *spec;
    bench_opts_t opts;
    int rank, size;
    int peer; /* 1 for rank 0, 0 for rank 1, -1 for idle ranks */
    bench_role_t role;
    int yield;                      /* polling loops yield the core (see bench_poll) */
    int papi_ok;                    /* PAPI's hardware counters work */
    char papi_why[160];             /* why not, if they do not */
    int papi_set;                   /* PAPI event set */
    int counters;                   /* bench_counter_src_t: the source in use */
    char counters_why[400];         /* the source, and why not the others: the header's line */
    int perf_fd[BENCH_PERF_EVENTS]; /* perf_event group (leader first), or -1 */
    int perf_user_only;             /* the kernel refused counting in kernel mode */
    double *samples;                /* one per timed iteration, microseconds */
    size_t nsamples, cap;           /* used, allocated */
} bench_t;

/* Statistics of the samples, in microseconds. */
typedef struct bench_stats {
    size_t n;
    double sum, avg, min, max, p50, p99;
} bench_stats_t;

/* A table in OSU's format: "# Size" left-aligned, then right-aligned columns. */
typedef struct bench_table {
    int ncols;
    const char *name[BENCH_MAX_COLS];
    int width[BENCH_MAX_COLS];
    int nextra; /* extra columns of bench_std_columns() */
    int col;    /* next cell of the row being printed */
} bench_table_t;

/*
 * Parse the command line, start ordo and set up the run.  Returns BENCH_RUN
 * if the benchmark should go on, otherwise the exit status the program
 * should return at once (0 after -h, 2 for a bad option or value, 1 for too
 * few ranks or a failure of ordo).  Options are parsed before ordo starts,
 * so that -h and usage errors need no launcher.
 */
int bench_start(bench_t *b, const bench_spec_t *spec, int argc, char **argv);

/*
 * End the run: release the idle ranks, barrier, stop ordo, free the harness.
 * Returns the exit status (0, or 1 if ordo failed).
 */
int bench_finish(bench_t *b);

/* Report a failed ordo call on this rank and abort the job (MPI_Abort). */
void bench_fail(const bench_t *b, const char *what, size_t size, int status);

/* The first size of the run, and the one after size (0 when past max). */
size_t bench_first_size(const bench_t *b);
size_t bench_next_size(const bench_t *b, size_t size);

/* Timed and warm-up iterations for a size (fewer above BENCH_LARGE_SIZE). */
int bench_iters(const bench_t *b, size_t size);
int bench_warmup(const bench_t *b, size_t size);

/* Monotonic time in microseconds. */
double bench_now_us(void);
/* A fresh random order of 0..n-1 in order[] (xorshift on *rng, seeded by the
 * caller: runs are alike); benchmarks interleave what they compare with it. */
void bench_shuffle(int *order, int n, uint32_t *rng);

/* Samples: forget them, add one, summarize them. */
void bench_samples_reset(bench_t *b);
void bench_sample(bench_t *b, double us);
void bench_stats(const bench_t *b, bench_stats_t *st);

/* Statistics of any n samples (percentiles by nearest rank). */
void bench_stats_of(const bench_t *b, const double *samples, size_t n, bench_stats_t *st);

/* Counters around the timed part of a size on the active rank, from the
 * source set up at start (no-ops, and NaN, without one). */
void bench_counters_start(bench_t *b);
void bench_counters_stop(bench_t *b, long iters, bench_counters_t *c);
/* Forget them (NaN), and add one stop's counters to a sum over stops. */
void bench_counters_reset(bench_counters_t *c);
void bench_counters_add(bench_counters_t *sum, const bench_counters_t *c);
/* The columns of the source in use (none, PAPI: cycles/iter instr/iter,
 * perf: cpu us/iter ctx-sw migrations faults) and a row's cells for them
 * (c may be NULL: n/a). */
void bench_counter_columns(const bench_t *b, bench_table_t *t);
void bench_counter_cells(const bench_t *b, bench_table_t *t, const bench_counters_t *c);

/*
 * Synchronisation of ranks 0 and 1 between phases.  The passive rank runs
 * handlers in bench_serve() until the active rank calls bench_release()
 * (releases are counted, so one that arrives early is not lost).
 * bench_ping() is a call to the passive rank's empty handler: it returns
 * once that rank runs handlers, i.e. it has registered its own and is
 * serving.
 */
void bench_serve(bench_t *b);
void bench_release(bench_t *b);
void bench_ping(bench_t *b);
/* BENCH_OPT_ALL_RANKS: the active rank releases every passive rank from
 * bench_serve(). */
void bench_release_all(bench_t *b);

/*
 * Run handlers once (ordo_progress) and return how many ran.  When nothing
 * ran, yield the core if ranks outnumber cores here or ORDO_WAIT is yield or
 * block (as ordo's own waits do), so that a polling rank does not starve the
 * one it waits for.  Aborts the job if ordo_progress fails.
 */
int bench_poll(const bench_t *b);

/* Ranks 0 and 1 meet over MPI (a zero-byte MPI_Sendrecv) before an MPI phase. */
void bench_mpi_sync(const bench_t *b);
/* Both ranks: OSU's MPI window pattern (osu_bw, osu_mbw_mr for one pair):
 * rank 0 sends windows of -W messages of size bytes with MPI_Isend, rank 1
 * receives them, a zero-byte message closes each window.  Returns the
 * microseconds of the timed iterations (after the warm-up). */
double bench_mpi_windows(const bench_t *b, size_t size, void *buf, MPI_Request *req);

/* A buffer of len bytes (at least 1) filled with a pattern, from
 * ordo_mem_alloc (or malloc with --buffer malloc); exits on failure.
 * bench_buffer_free() gives it back (NULL is ignored). */
void *bench_buffer(const bench_t *b, size_t len);
void bench_buffer_free(const bench_t *b, void *buf);

/*
 * Output (active rank only).  bench_print_title() prints the OSU title line
 * and the common comment lines (ranks, iterations, protocol, counters);
 * bench_note() adds a comment line.
 */
void bench_print_title(const bench_t *b);
void bench_note(const bench_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Tables: add columns, print the header, then rows cell by cell. */
void bench_table_init(bench_table_t *t);
void bench_table_col(bench_table_t *t, const char *name);
void bench_table_header(const bench_t *b, const bench_table_t *t);
void bench_row_begin(const bench_t *b, bench_table_t *t, size_t size);
void bench_cell(const bench_t *b, bench_table_t *t, double v); /* NaN prints "n/a" */
/* A cell with prec decimals instead of 2 (sub-0.01 us local operations). */
void bench_cell_prec(const bench_t *b, bench_table_t *t, double v, int prec);
void bench_cell_str(const bench_t *b, bench_table_t *t, const char *s);
void bench_row_end(const bench_t *b, bench_table_t *t);

/*
 * The standard columns of a latency, bandwidth or rate benchmark: the metric
 * (avg), the extra columns if any, p50, p99, [Min Max with -f], [MPI and
 * ordo/MPI with --mpi], [the counters' columns].  metric
 * is the OSU column name, e.g. "Latency (us)"; unit goes in the other names,
 * e.g. "us"; extra is a NULL-terminated list of column names (or NULL) whose
 * values the benchmark computes itself.
 */
void bench_std_columns(const bench_t *b, bench_table_t *t, const char *metric, const char *unit,
                       const char *const *extra);

/*
 * One row of the standard columns.  For a time metric (latency), pass
 * rate_unit = 0: the values are the sample statistics in microseconds.  For a
 * rate metric, work is what one sample's time accomplished (bytes for MB/s,
 * messages for messages/s) and rate_unit scales work/us (1 for MB/s, 1e6 for
 * per second): avg is n*work/sum (total work over total time, as OSU), p50
 * and p99 are work/p50 and work/p99 of the times (p99 is the slow tail), Min
 * and Max come from the slowest and the fastest sample.  extra holds the
 * values of the extra columns.  mpi is the baseline metric (used with --mpi);
 * the ratio is avg/mpi.  c may be NULL.
 */
void bench_std_row(const bench_t *b, bench_table_t *t, size_t size, const bench_stats_t *st,
                   double work, double rate_unit, const double *extra, double mpi,
                   const bench_counters_t *c);

/* The metric (avg) bench_std_row() prints for these arguments. */
double bench_metric(const bench_stats_t *st, double work, double rate_unit);

#endif /* ORDO_BENCH_H */
