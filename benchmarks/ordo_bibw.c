/*
 * ordo_bibw - bidirectional bandwidth of ordo_rpc_send_nb, printed like
 * osu_bibw.
 *
 * Ranks 0 and 1 both send windows to each other at once.  Per window, each
 * rank starts W one-way messages of x bytes with ordo_rpc_send_nb (requests
 * kept and waited for with ordo_request_wait), then runs ordo_progress()
 * until its own handler has counted the peer's W messages of that window.
 * A window is one sample on rank 0; bandwidth = 2 * x * W / time, in MB/s
 * (10^6 bytes per second), as OSU counts both directions.
 *
 * --mpi: OSU's pattern with MPI: each rank posts W MPI_Irecv and W MPI_Isend
 * and waits for all 2W.
 */
#include "bench.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { ID_SINK = 1 };

static atomic_uint_least64_t handled; /* the peer's messages handled here */
static atomic_uint_least64_t wrong;   /* ... of which not of the size expected */
static size_t expected_len;           /* the size being measured */

static int on_sink(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    if (msg->len != expected_len)
        atomic_fetch_add(&wrong, 1);
    atomic_fetch_add(&handled, 1);
    return ORDO_OK;
}

static int register_handlers(void)
{
    return ordo_rpc_register(ID_SINK, on_sink, NULL);
}

static const bench_spec_t spec = {
    .prog = "ordo_bibw",
    .title = "Bi-Directional Bandwidth Test",
    .summary = "Bidirectional bandwidth: ranks 0 and 1 send windows of ordo_rpc_send_nb to\n"
               "each other at once, as osu_bibw.",
    .min_size = 1,
    .max_size = 4u << 20,
    .iters = 100,
    .iters_large = 20,
    .warmup = 10,
    .warmup_large = 2,
    .window = 64,
    .flags = BENCH_OPT_WINDOW | BENCH_OPT_PROTO,
    .register_handlers = register_handlers,
};

static void until_handled(const bench_t *b, uint64_t n)
{
    while (atomic_load(&handled) < n)
        bench_poll(b);
}

/* Both ranks: the windows of one size; rank 0 keeps the samples. */
static void ordo_windows(bench_t *b, size_t size, const void *buf, ordo_request_t **req,
                         bench_counters_t *c)
{
    static uint64_t expected; /* the peer's messages over the whole run */
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size), w = b->opts.window;
    /* Both ranks have left the previous size (MPI does not run ordo's
     * handlers, so no message of this size can meet the old expected_len). */
    bench_mpi_sync(b);
    expected_len = size;
    bench_samples_reset(b);
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            bench_counters_start(b);
        double t0 = bench_now_us();
        for (int i = 0; i < w; i++) {
            int s = ordo_rpc_send_nb(b->peer, ID_SINK, buf, size, NULL, NULL, &req[i]);
            if (s != ORDO_OK)
                bench_fail(b, "ordo_rpc_send_nb", size, s);
        }
        for (int i = 0; i < w; i++) {
            int s = ordo_request_wait(req[i], NULL);
            if (s != ORDO_OK)
                bench_fail(b, "ordo_request_wait", size, s);
        }
        expected += (uint64_t)w;
        until_handled(b, expected);
        if (it >= warmup)
            bench_sample(b, bench_now_us() - t0);
    }
    bench_counters_stop(b, iters, c);
}

/* Both ranks: OSU's MPI pattern; returns the bandwidth in MB/s. */
static double mpi_windows(const bench_t *b, size_t size, const void *sbuf, void *rbuf,
                          MPI_Request *req)
{
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size), w = b->opts.window;
    int n = (int)size;
    double t0 = 0;
    bench_mpi_sync(b);
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            t0 = bench_now_us();
        for (int i = 0; i < w; i++)
            MPI_Irecv(rbuf, n, MPI_BYTE, b->peer, 100, MPI_COMM_WORLD, &req[i]);
        for (int i = 0; i < w; i++)
            MPI_Isend(sbuf, n, MPI_BYTE, b->peer, 100, MPI_COMM_WORLD, &req[w + i]);
        MPI_Waitall(2 * w, req, MPI_STATUSES_IGNORE);
    }
    double us = bench_now_us() - t0;
    return 2.0 * (double)size * w * iters / us;
}

int main(int argc, char **argv)
{
    bench_t b;
    bench_table_t t;
    int rc = bench_start(&b, &spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;

    void *sbuf = bench_buffer(&b, b.opts.max_size);
    void *rbuf = b.opts.mpi ? bench_buffer(&b, b.opts.max_size) : NULL;
    ordo_request_t **req = calloc((size_t)b.opts.window, sizeof(*req));
    MPI_Request *mreq = calloc(2 * (size_t)b.opts.window, sizeof(*mreq));
    if (!req || !mreq)
        bench_fail(&b, "calloc (requests)", 0, ORDO_ERR_NOMEM);
    bench_print_title(&b);
    bench_note(&b, "ordo_rpc_send_nb both ways at once, W per window; a window ends when this "
                   "rank has handled the peer's W; MB/s = 10^6 B/s, both directions");
    bench_note(&b, "p50/p99: percentiles of the per-window time, as MB/s (p99 = slow tail)");
    if (b.opts.mpi)
        bench_note(&b, "MPI: W MPI_Irecv + W MPI_Isend per rank, MPI_Waitall");
    bench_std_columns(&b, &t, "Bandwidth (MB/s)", "MB/s", NULL);
    bench_table_header(&b, &t);

    for (size_t size = bench_first_size(&b);; size = bench_next_size(&b, size)) {
        bench_counters_t c = {NAN, NAN, NAN, NAN, NAN, NAN, 0};
        bench_stats_t st;
        double mpi = NAN;
        ordo_windows(&b, size, sbuf, req, &c);
        if (atomic_load(&wrong) > 0)
            bench_fail(&b, "ordo_rpc_send_nb (a message arrived with another length)", size,
                       ORDO_ERR_MSG);
        if (b.opts.mpi)
            mpi = mpi_windows(&b, size, sbuf, rbuf, mreq);
        bench_stats(&b, &st);
        bench_std_row(&b, &t, size, &st, 2.0 * (double)size * b.opts.window, 1, NULL, mpi, &c);
        if (bench_next_size(&b, size) == 0)
            break;
    }
    free(mreq);
    free(req);
    bench_buffer_free(&b, rbuf);
    bench_buffer_free(&b, sbuf);
    return bench_finish(&b);
}
