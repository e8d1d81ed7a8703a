/*
 * bench.c - the harness shared by ordo's OSU-style benchmarks: start and
 * end, ranks and roles, phase synchronisation, buffers, the MPI window
 * pattern.  The rest is one file per concern: bench_opts.c (command line),
 * bench_time.c (timer, samples, statistics), bench_counters.c (counters),
 * bench_output.c (OSU-format output).  See bench.h.
 */
#include "bench_int.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { ID_STOP = BENCH_ID_FIRST, ID_SYNC };

/* Counted by the STOP handler, consumed by bench_serve() and the idle loop. */
static atomic_ulong stops_received;
static unsigned long stops_consumed;

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
        bench__counters_setup(b);
    return 0;
}

int bench_start(bench_t *b, const bench_spec_t *spec, int argc, char **argv)
{
    memset(b, 0, sizeof(*b));
    b->spec = spec;
    b->peer = -1;
    bench__counters_clear(b);
    int rc = bench__parse_options(spec, argc, argv, &b->opts);
    if (rc != BENCH_RUN)
        return rc;
    bench__timer_init();

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
        bench__counters_teardown(b);
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
        bench__counters_teardown(b);
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
