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

/* The timed iterations are cut into this many blocks (with --ucx, and
 * enough of them), each followed by a block of the baseline. */
#define BENCH_UCX_BLOCKS 8

/* Ranks 0 and 1 (collective over MPI_COMM_WORLD's ranks 0 and 1; others
 * return at once with *u NULL); rma: for bench_ucx_get_windows too (rank 1
 * registers its buffer of max_size bytes and rank 0 gets its key).
 * ORDO_OK, or an error after a message. */
int bench_ucx_open(const bench_t *b, size_t max_size, int rma, bench_ucx_t **u);

/* --ucx: print the note saying what the baseline is and open it for
 * b->opts.max_size bytes (rma as for bench_ucx_open); a failure ends the
 * run.  NULL without --ucx (the calls below then do nothing). */
bench_ucx_t *bench_ucx_start(const bench_t *b, const char *note, int rma);

/* How many blocks iters timed iterations are cut into (1 without --ucx; the
 * same on every rank, idle ones included), and how many of them block k of
 * blocks has. */
int bench_ucx_blocks(const bench_t *b, int iters);
int bench_ucx_block_len(int iters, int blocks, int k);

/* Forget the samples of the last size and make room for iters more
 * (ORDO_ERR_NOMEM if there is none). */
int bench_ucx_reset(bench_ucx_t *u, int iters);

/* The statistics of the samples since bench_ucx_reset: 0 if there are none
 * (no u, or not rank 0), else 1. */
int bench_ucx_stats(const bench_ucx_t *u, const bench_t *b, bench_stats_t *st);

/* Both ranks: warmup untimed round trips of size bytes, then iters timed
 * ones; rank 0 adds half of each round trip (us) to the samples. */
int bench_ucx_pingpong(bench_ucx_t *u, const bench_t *b, size_t size, int iters, int warmup);

/* Both ranks: warmup untimed windows, then iters timed ones, of window gets
 * of size bytes each, all in flight at once; rank 0 adds each window's time
 * (us) to the samples.  Rank 1 progresses until rank 0 is done. */
int bench_ucx_get_windows(bench_ucx_t *u, const bench_t *b, size_t size, int window, int iters,
                          int warmup);

void bench_ucx_close(bench_ucx_t *u);

#endif /* ORDO_BENCH_UCX_H */
