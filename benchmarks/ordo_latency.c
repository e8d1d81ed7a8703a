/*
 * ordo_latency - ping-pong latency of ordo_rpc_call, printed like osu_latency.
 *
 * Rank 0 calls rank 1's echo handler with x bytes and the handler replies
 * with the same x bytes, so one call is one round trip; the latency printed
 * is half of it, as OSU prints.  p50 and p99 are percentiles of the
 * per-call samples (also halved).
 *
 * --mpi: the same ping-pong with MPI_Send/MPI_Recv between the same two
 * processes, printed as "MPI (us)" and the ratio ordo/MPI.
 *
 * --ucx: the same ping-pong over raw UCX active messages, as ucx_perftest
 * -t ucp_am_lat does it, in the same processes (bench_ucx.h).  The timed
 * calls are cut into BENCH_UCX_BLOCKS blocks and each is followed by a block of
 * the baseline, so that both see the machine alike; printed as "UCX p50
 * (us)" and the ratio of the p50s.
 */
#include "bench.h"
#include "bench_ucx.h"

#include <math.h>
#include <stdlib.h>

enum { ID_ECHO = 1 };

static int on_echo(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, msg->data, msg->len);
}

static int register_handlers(void)
{
    return ordo_rpc_register(ID_ECHO, on_echo, NULL);
}

static const bench_spec_t spec = {
    .prog = "ordo_latency",
    .title = "Latency Test",
    .summary = "Ping-pong latency of ordo_rpc_call (request and reply of the same size);\n"
               "latency = round trip / 2, as osu_latency.",
    .min_size = 1,
    .max_size = 4u << 20,
    .iters = 10000,
    .iters_large = 1000,
    .warmup = 100,
    .warmup_large = 10,
    .flags = BENCH_OPT_PROTO | BENCH_OPT_UCX,
    .register_handlers = register_handlers,
};

static void call_once(bench_t *b, size_t size, const void *sbuf, void *rbuf)
{
    size_t len = 0;
    int s = ordo_rpc_call(b->peer, ID_ECHO, sbuf, size, rbuf, size, &len);
    if (s != ORDO_OK)
        bench_fail(b, "ordo_rpc_call", size, s);
    if (len != size)
        bench_fail(b, "ordo_rpc_call (reply length)", size, ORDO_ERR_MSG);
}

/* Rank 0: time iters calls of one size, after warmup untimed ones. */
static void ordo_pingpong(bench_t *b, size_t size, const void *sbuf, void *rbuf, int iters,
                          int warmup, bench_counters_t *c)
{
    bench_ping(b);
    for (int i = 0; i < warmup; i++)
        call_once(b, size, sbuf, rbuf);
    bench_counters_start(b);
    for (int i = 0; i < iters; i++) {
        double t0 = bench_now_us();
        call_once(b, size, sbuf, rbuf);
        bench_sample(b, (bench_now_us() - t0) / 2);
    }
    bench_counters_stop(b, iters, c);
    bench_release(b);
}

/* Both ranks: the MPI ping-pong; returns the latency on rank 0. */
static double mpi_pingpong(const bench_t *b, size_t size, void *sbuf, void *rbuf)
{
    int iters = bench_iters(b, size), warmup = bench_warmup(b, size);
    int n = (int)size;
    double t0 = 0;
    bench_mpi_sync(b);
    for (int i = 0; i < warmup + iters; i++) {
        if (i == warmup)
            t0 = bench_now_us();
        if (b->role == BENCH_ACTIVE) {
            MPI_Send(sbuf, n, MPI_BYTE, b->peer, 1, MPI_COMM_WORLD);
            MPI_Recv(rbuf, n, MPI_BYTE, b->peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(rbuf, n, MPI_BYTE, b->peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(sbuf, n, MPI_BYTE, b->peer, 1, MPI_COMM_WORLD);
        }
    }
    return (bench_now_us() - t0) / iters / 2;
}

int main(int argc, char **argv)
{
    bench_t b;
    bench_table_t t;
    int rc = bench_start(&b, &spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;

    void *sbuf = bench_buffer(&b, b.opts.max_size);
    void *rbuf = bench_buffer(&b, b.opts.max_size);
    bench_print_title(&b);
    bench_note(&b, "ordo_rpc_call rank 0 -> rank 1, reply of the same size; latency = round "
                   "trip / 2");
    if (b.opts.mpi)
        bench_note(&b, "MPI: MPI_Send/MPI_Recv ping-pong in the same processes");
    bench_ucx_t *ucx =
        bench_ucx_start(&b,
                        "UCX: ucp_am_send_nbx ping-pong (as ucx_perftest -t "
                        "ucp_am_lat) in the same processes, in blocks between ordo's",
                        0);
    static const char *const ucx_cols[] = {"UCX p50 (us)", "ordo/UCX p50", NULL};
    bench_std_columns(&b, &t, "Latency (us)", "us", b.opts.ucx ? ucx_cols : NULL);
    bench_table_header(&b, &t);

    for (size_t size = bench_first_size(&b);; size = bench_next_size(&b, size)) {
        bench_counters_t c = {NAN, NAN, NAN, NAN, NAN, NAN, 0};
        bench_stats_t st;
        double mpi = NAN, extra[2] = {NAN, NAN};
        int iters = bench_iters(&b, size), warmup = bench_warmup(&b, size);
        int blocks = bench_ucx_blocks(&b, iters);
        if (bench_ucx_reset(ucx, iters) != ORDO_OK)
            bench_fail(&b, "the UCX baseline", size, ORDO_ERR_NOMEM);
        bench_samples_reset(&b);
        for (int k = 0; k < blocks; k++) {
            int n = bench_ucx_block_len(iters, blocks, k), w = k ? 0 : warmup;
            if (b.role == BENCH_ACTIVE)
                ordo_pingpong(&b, size, sbuf, rbuf, n, w, &c);
            else
                bench_serve(&b);
            int s = bench_ucx_pingpong(ucx, &b, size, n, w);
            if (s != ORDO_OK)
                bench_fail(&b, "the UCX baseline", size, s);
        }
        if (b.opts.mpi)
            mpi = mpi_pingpong(&b, size, sbuf, rbuf);
        bench_stats(&b, &st);
        bench_stats_t ust;
        if (bench_ucx_stats(ucx, &b, &ust)) {
            extra[0] = ust.p50;
            extra[1] = ust.p50 > 0 ? st.p50 / ust.p50 : NAN;
        }
        bench_std_row(&b, &t, size, &st, 0, 0, extra, mpi, &c);
        if (bench_next_size(&b, size) == 0)
            break;
    }
    bench_ucx_close(ucx);
    bench_buffer_free(&b, sbuf);
    bench_buffer_free(&b, rbuf);
    return bench_finish(&b);
}
