/*
 * bench_ucx.h - a raw UCX baseline measured in the benchmark's own processes.
 *
 * The same ping-pong as ucx_perftest -t ucp_am_lat (ucp_am_send_nbx, the
 * payload as the active message's data, no header of ours), or the same
 * gets as ucx_perftest -t ucp_get (ucp_get_nbx from rank 1's registered
 * buffer into one of rank 0's), over a UCP context and endpoint of its own,
 * between the benchmark's ranks 0 and 1.
 * Timed in blocks between ordo's, it sees the machine as ordo does: this
 * host's speed drifts between runs, and a baseline from another run can
 * catch it on the other side.  The endpoint uses peer error handling, with
 * shared memory allowed, as ordo's do (unless ORDO_PEER_ERRORS=n).
 */
#ifndef ORDO_BENCH_UCX_H
#define ORDO_BENCH_UCX_H

#include "bench.h"

typedef struct bench_ucx bench_ucx_t;

/* Ranks 0 and 1 (collective over MPI_COMM_WORLD's ranks 0 and 1; others
 * return at once with *u NULL); rma: for bench_ucx_get_windows too (rank 1
 * registers its buffer of max_size bytes and rank 0 gets its key).
 * ORDO_OK, or an error after a message. */
int bench_ucx_open(const bench_t *b, size_t max_size, int rma, bench_ucx_t **u);

/* Both ranks: warmup untimed round trips of size bytes, then iters timed
 * ones; rank 0 adds half of each round trip (us) to samples[*n]. */
int bench_ucx_pingpong(bench_ucx_t *u, const bench_t *b, size_t size, int iters, int warmup,
                       double *samples, size_t *n);

/* Both ranks: warmup untimed windows, then iters timed ones, of window gets
 * of size bytes each, all in flight at once; rank 0 adds each window's time
 * (us) to samples[*n].  Rank 1 progresses until rank 0 is done. */
int bench_ucx_get_windows(bench_ucx_t *u, const bench_t *b, size_t size, int window, int iters,
                          int warmup, double *samples, size_t *n);

void bench_ucx_close(bench_ucx_t *u);

#endif /* ORDO_BENCH_UCX_H */
