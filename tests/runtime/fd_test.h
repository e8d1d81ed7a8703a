/*
 * fd_test.h - what the failure detector's multi-rank tests share: a FAIL
 * that names the rank, a clock, a pure CPU loop that never calls ordo, every
 * rank's pid (to stop, continue or kill a peer), an echo handler and a
 * failure callback that counts per rank.  Public API and MPI only.
 */
#ifndef ORDO_TEST_FD_H
#define ORDO_TEST_FD_H

#include <mpi.h>
#include <ordo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define FD_TEST_MAX_RANKS 64
#define FD_TEST_ID_ECHO   1

/* This rank (ordo_rank() is an error after ordo_finalize). */
static int fd_test_me = -1;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "rank %d: FAILED: ", fd_test_me);                                          \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        fflush(stderr);                                                                            \
        return 1;                                                                                  \
    } while (0)

static inline double fd_test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Compute for seconds without a single ordo call (only the detector's own
 * thread runs ordo code meanwhile). */
static inline void fd_test_compute(double seconds)
{
    volatile uint64_t x = 1;
    double end = fd_test_now() + seconds;
    while (fd_test_now() < end)
        for (int i = 0; i < 100000; i++)
            x = x * 6364136223846793005ull + 1442695040888963407ull;
}

/* Every rank's pid, by MPI (ordo keeps MPI up until ordo_finalize). */
static inline int fd_test_pids(pid_t *pids)
{
    int me = getpid();
    int all[FD_TEST_MAX_RANKS];
    if (ordo_size() > FD_TEST_MAX_RANKS ||
        MPI_Allgather(&me, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD) != MPI_SUCCESS)
        return -1;
    for (int r = 0; r < ordo_size(); r++)
        pids[r] = (pid_t)all[r];
    return 0;
}

static inline int fd_test_echo(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, msg->data, msg->len);
}

/* Failure callbacks seen, per rank, and the epoch of the last. */
static int fd_test_cb_count[FD_TEST_MAX_RANKS];
static uint64_t fd_test_cb_epoch;

static inline void fd_test_on_failure(int rank, uint64_t epoch, void *arg)
{
    (void)arg;
    if (rank >= 0 && rank < FD_TEST_MAX_RANKS)
        fd_test_cb_count[rank]++;
    fd_test_cb_epoch = epoch;
}

/* ordo_init, the echo handler and the failure callback. */
static inline int fd_test_init(int *argc, char ***argv)
{
    if (ordo_init(argc, argv) != ORDO_OK)
        return -1;
    fd_test_me = ordo_rank();
    if (ordo_rpc_register(FD_TEST_ID_ECHO, fd_test_echo, NULL) != ORDO_OK ||
        ordo_failure_cb_register(fd_test_on_failure, NULL) != ORDO_OK)
        return -1;
    return 0;
}

/* A round trip to rank r. */
static inline int fd_test_call(int r)
{
    char req[16] = "ping", rep[16];
    return ordo_rpc_call(r, FD_TEST_ID_ECHO, req, 5, rep, sizeof(rep), NULL);
}

#endif
