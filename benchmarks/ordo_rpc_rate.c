/*
 * ordo_rpc_rate - rate of ordo_rpc_call_nb with many calls in flight,
 * printed like osu_mbw_mr (one pair).
 *
 * Rank 0 keeps W calls of x bytes (empty reply) in flight to rank 1: a ring
 * of W requests, and whenever the oldest completes (ordo_request_wait) a new
 * call takes its slot.  Every W completions make one sample.  A call is two
 * messages (request and reply): Messages/s = 2 * Calls/s; MB/s counts the
 * request payloads.  The first column is Messages/s, as osu_mbw_mr's.
 *
 * --mpi: the message rate of MPI_Isend/MPI_Irecv windows of W (one-way, a
 * zero-byte acknowledgement per window, as osu_mbw_mr), compared by
 * messages per second.
 */
#include "bench.h"

#include <math.h>
#include <stdlib.h>

enum { ID_NOP = 1 };

static int on_nop(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return ORDO_OK;
}

static int register_handlers(void)
{
    return ordo_rpc_register(ID_NOP, on_nop, NULL);
}

static const bench_spec_t spec = {
    .prog = "ordo_rpc_rate",
    .title = "RPC Rate Test",
    .summary = "Calls per second of ordo_rpc_call_nb with a window of calls in flight\n"
               "(empty replies), and the messages per second that makes.",
    .min_size = 1,
    .max_size = 4096,
    .iters = 100,
    .iters_large = 20,
    .warmup = 10,
    .warmup_large = 2,
    .window = 64,
    .flags = BENCH_OPT_WINDOW | BENCH_OPT_PROTO,
    .register_handlers = register_handlers,
};

static void post(bench_t *b, size_t size, const void *buf, ordo_request_t **slot)
{
    int s = ordo_rpc_call_nb(b->peer, ID_NOP, buf, size, NULL, 0, NULL, NULL, slot);
    if (s != ORDO_OK)
        bench_fail(b, "ordo_rpc_call_nb", size, s);
}

static void complete(bench_t *b, size_t size, ordo_request_t *req)
{
    int s = ordo_request_wait(req, NULL);
    if (s != ORDO_OK)
        bench_fail(b, "ordo_request_wait", size, s);
}

/* Rank 0: one sample per W completions once the warm-up windows are done. */
static void ordo_calls(bench_t *b, size_t size, const void *buf, ordo_request_t **req,
                       bench_counters_t *c)
{
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size), w = b->opts.window;
    long total = (long)(warmup + iters) * w, done = 0;
    double mark = 0;
    bench_ping(b);
    bench_samples_reset(b);
    if (warmup == 0) {
        bench_counters_start(b);
        mark = bench_now_us();
    }
    for (long k = 0; k < total + w; k++) {
        ordo_request_t **slot = &req[k % w];
        if (k >= w) {
            complete(b, size, *slot);
            done++;
            if (done % w == 0) {
                long windows = done / w;
                double now = bench_now_us();
                if (windows > warmup)
                    bench_sample(b, now - mark);
                if (windows == warmup)
                    bench_counters_start(b);
                mark = now;
            }
        }
        if (k < total)
            post(b, size, buf, slot);
    }
    bench_counters_stop(b, iters, c);
    bench_release(b);
}

int main(int argc, char **argv)
{
    static const char *const extra[] = {"Calls/s", "MB/s", NULL};
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
    bench_note(&b, "ordo_rpc_call_nb rank 0 -> rank 1, W in flight, empty replies; "
                   "Messages/s = 2 * Calls/s; MB/s of the requests (10^6 B/s)");
    bench_note(&b, "p50/p99: percentiles of the time of W completions, as messages/s "
                   "(p99 = slow tail)");
    if (b.opts.mpi)
        bench_note(&b, "MPI: windows of W MPI_Isend/MPI_Irecv + 0-byte ack (osu_mbw_mr, one "
                       "pair); MPI and ordo/MPI in messages/s");
    bench_std_columns(&b, &t, "Messages/s", "msgs/s", extra);
    bench_table_header(&b, &t);

    for (size_t size = bench_first_size(&b);; size = bench_next_size(&b, size)) {
        bench_counters_t c = {NAN, NAN, NAN, NAN, NAN, NAN, 0};
        bench_stats_t st;
        double mpi = NAN;
        if (b.role == BENCH_ACTIVE)
            ordo_calls(&b, size, buf, req, &c);
        else
            bench_serve(&b);
        if (b.opts.mpi)
            mpi = (double)b.opts.window * bench_iters(&b, size) /
                  bench_mpi_windows(&b, size, buf, mreq) * 1e6;
        bench_stats(&b, &st);
        double calls = bench_metric(&st, b.opts.window, 1e6);
        double ex[2] = {calls, calls * (double)size / 1e6};
        bench_std_row(&b, &t, size, &st, 2.0 * b.opts.window, 1e6, ex, mpi, &c);
        if (bench_next_size(&b, size) == 0)
            break;
    }
    free(mreq);
    free(req);
    bench_buffer_free(&b, buf);
    return bench_finish(&b);
}
