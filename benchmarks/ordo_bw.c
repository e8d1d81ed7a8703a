/*
 * ordo_bw - one-way bandwidth of ordo_rpc_send_nb, printed like osu_bw.
 *
 * Per window, rank 0 starts W one-way messages of x bytes to rank 1 with
 * ordo_rpc_send_nb (no callback: the requests are kept and waited for with
 * ordo_request_wait, which only means the payload may be reused).  Rank 1's
 * handler counts the messages it has handled.  The window ends when rank 1
 * has handled all of them: rank 0 calls rank 1's "count" handler, which
 * replies with the count, until the count covers every message sent so far.
 * Messages from one sender are normally handled in order, so the first
 * count call usually suffices; polling keeps the result right if a
 * rendezvous message is handled after a later eager one.  One window is one
 * sample; bandwidth = x * W / time, in MB/s (10^6 bytes per second) as OSU.
 *
 * --mpi: OSU's pattern with MPI: W MPI_Isend / MPI_Irecv, MPI_Waitall, and a
 * zero-byte acknowledgement from rank 1 per window.
 *
 * --ucx: windows of W gets of x bytes each over raw UCX, as ucx_perftest -t
 * ucp_get does them (ucp_get_nbx from rank 1's registered buffer), in the
 * same processes (bench_ucx.h): the path ordo's rendezvous takes, without
 * ordo.  The timed windows are cut into BENCH_UCX_BLOCKS blocks and each is
 * followed by a block of the baseline, so that both see the machine alike;
 * printed as "UCX (MB/s)" (average) and the ratio ordo/UCX.
 */
#include "bench.h"
#include "bench_ucx.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { ID_SINK = 1, ID_COUNT = 2 };

static atomic_uint_least64_t handled; /* messages handled on this rank */
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

static int on_count(const ordo_rpc_msg_t *msg, void *arg)
{
    uint64_t n = atomic_load(&handled);
    (void)arg;
    return ordo_rpc_reply(msg, &n, sizeof(n));
}

static int register_handlers(void)
{
    int s = ordo_rpc_register(ID_SINK, on_sink, NULL);
    return s != ORDO_OK ? s : ordo_rpc_register(ID_COUNT, on_count, NULL);
}

static const bench_spec_t spec = {
    .prog = "ordo_bw",
    .title = "Bandwidth Test",
    .summary = "One-way bandwidth of windows of ordo_rpc_send_nb, as osu_bw; a window ends\n"
               "when rank 1 has handled all of its messages.",
    .min_size = 1,
    .max_size = 4u << 20,
    .iters = 100,
    .iters_large = 20,
    .warmup = 10,
    .warmup_large = 2,
    .window = 64,
    .flags = BENCH_OPT_WINDOW | BENCH_OPT_PROTO | BENCH_OPT_UCX,
    .register_handlers = register_handlers,
};

/* Rank 0: until rank 1 has handled `sent` messages. */
static void wait_handled(bench_t *b, uint64_t sent)
{
    for (;;) {
        uint64_t n = 0;
        size_t len = 0;
        int s = ordo_rpc_call(b->peer, ID_COUNT, NULL, 0, &n, sizeof(n), &len);
        if (s != ORDO_OK)
            bench_fail(b, "ordo_rpc_call (count)", 0, s);
        if (len != sizeof(n))
            bench_fail(b, "ordo_rpc_call (count reply)", 0, ORDO_ERR_MSG);
        if (n >= sent)
            return;
    }
}

static void send_window(bench_t *b, size_t size, const void *buf, ordo_request_t **req)
{
    int w = b->opts.window;
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
}

/* Rank 0: time iters windows of one size, after warmup untimed ones (the
 * hardware counters count the first block, c NULL for the others). */
static void ordo_windows(bench_t *b, size_t size, const void *buf, ordo_request_t **req, int iters,
                         int warmup, bench_counters_t *c)
{
    static uint64_t sent; /* over the whole run, as rank 1's count */
    bench_ping(b);
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup && c)
            bench_counters_start(b);
        double t0 = bench_now_us();
        send_window(b, size, buf, req);
        sent += (uint64_t)b->opts.window;
        wait_handled(b, sent);
        if (it >= warmup)
            bench_sample(b, bench_now_us() - t0);
    }
    if (c)
        bench_counters_stop(b, iters, c);
    bench_release(b);
}

int main(int argc, char **argv)
{
    bench_t b;
    bench_table_t t;
    int rc = bench_start(&b, &spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;

    void *buf = bench_buffer(&b, b.opts.max_size);
    ordo_request_t **req = calloc((size_t)b.opts.window, sizeof(*req));
    MPI_Request *mreq = calloc((size_t)b.opts.window, sizeof(*mreq));
    if (!req || !mreq)
        bench_fail(&b, "calloc (requests)", 0, ORDO_ERR_NOMEM);
    bench_print_title(&b);
    bench_note(&b, "ordo_rpc_send_nb rank 0 -> rank 1, W per window, then rank 1's count is "
                   "polled until it has handled all; MB/s = 10^6 B/s");
    bench_note(&b, "p50/p99: percentiles of the per-window time, as MB/s (p99 = slow tail)");
    if (b.opts.mpi)
        bench_note(&b, "MPI: W MPI_Isend/MPI_Irecv, MPI_Waitall, 0-byte ack per window");
    bench_ucx_t *ucx = bench_ucx_start(&b,
                                       "UCX: W ucp_get_nbx per window (as ucx_perftest -t ucp_get) "
                                       "in the same processes, in blocks between ordo's",
                                       1);
    static const char *const ucx_cols[] = {"UCX (MB/s)", "ordo/UCX", NULL};
    bench_std_columns(&b, &t, "Bandwidth (MB/s)", "MB/s", b.opts.ucx ? ucx_cols : NULL);
    bench_table_header(&b, &t);

    for (size_t size = bench_first_size(&b);; size = bench_next_size(&b, size)) {
        bench_counters_t c = {NAN, NAN, NAN, NAN, NAN, NAN, 0};
        bench_stats_t st;
        double mpi = NAN, extra[2] = {NAN, NAN};
        int iters = bench_iters(&b, size), warmup = bench_warmup(&b, size);
        int blocks = bench_ucx_blocks(&b, iters);
        if (bench_ucx_reset(ucx, iters) != ORDO_OK)
            bench_fail(&b, "the UCX baseline", size, ORDO_ERR_NOMEM);
        expected_len = size;
        bench_samples_reset(&b);
        for (int k = 0; k < blocks; k++) {
            int n = bench_ucx_block_len(iters, blocks, k), w = k ? 0 : warmup;
            if (b.role == BENCH_ACTIVE)
                ordo_windows(&b, size, buf, req, n, w, k ? NULL : &c);
            else
                bench_serve(&b);
            int s = bench_ucx_get_windows(ucx, &b, size, b.opts.window, n, w);
            if (s != ORDO_OK)
                bench_fail(&b, "the UCX baseline", size, s);
        }
        if (atomic_load(&wrong) > 0)
            bench_fail(&b, "ordo_rpc_send_nb (a message arrived with another length)", size,
                       ORDO_ERR_MSG);
        if (b.opts.mpi)
            mpi = (double)size * b.opts.window * bench_iters(&b, size) /
                  bench_mpi_windows(&b, size, buf, mreq);
        bench_stats(&b, &st);
        bench_stats_t ust;
        if (bench_ucx_stats(ucx, &b, &ust)) {
            extra[0] = bench_metric(&ust, (double)size * b.opts.window, 1);
            extra[1] =
                extra[0] > 0 ? bench_metric(&st, (double)size * b.opts.window, 1) / extra[0] : NAN;
        }
        bench_std_row(&b, &t, size, &st, (double)size * b.opts.window, 1, extra, mpi, &c);
        if (bench_next_size(&b, size) == 0)
            break;
    }
    bench_ucx_close(ucx);
    free(mreq);
    free(req);
    bench_buffer_free(&b, buf);
    return bench_finish(&b);
}
