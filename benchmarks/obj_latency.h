/*
 * obj_latency.h - what ordo_obj_latency's files share: the operations
 * timed, a size's results, the fetch-add results; the MPI-3 RMA baseline
 * (obj_rma.c) and the output (obj_latency_print.c).
 */
#ifndef ORDO_BENCH_OBJ_LATENCY_H
#define ORDO_BENCH_OBJ_LATENCY_H

#include "bench.h"

enum {
    OP_SC_READ,
    OP_SC_WRITE,
    OP_TSO_WRITE,
    OP_TSO_WF,
    OP_TSO_READ,
    OP_TSO_RAW,
    OP_CZ_READ,
    OP_CZ_WRITE,
    OP_MEMCPY,
    OP_RPC_GET,
    OP_RPC_PUT,
    NOPS
};

enum { A_SC, A_TSO, A_CZ, A_RPC, NATOMICS };

/* Column names, by OP_* (obj_latency_print.c). */
extern const char *const obj_lat_op_name[NOPS];

#define MAX_SIZES        64
#define LOCAL_GROUP      16 /* local operations timed in groups of this many */
#define TSO_BURST        32 /* writes per burst, if the buffer holds more */
#define TARGET_SC_RPC    1.3
#define TARGET_TSO_WRITE 0.2 /* us */

/* Where an operation of some size goes in an object. */
typedef struct place {
    size_t off;  /* start of the range timed */
    int nblocks; /* blocks the range spans */
    int remote;  /* of them, homed at rank 1 */
} place_t;

typedef struct point {
    size_t size;
    double p50[NOPS], p99[NOPS];
    double mpi_get, mpi_put, mpi_get99, mpi_put99;
    bench_counters_t c;
} point_t;

typedef struct atomics {
    double p50[NATOMICS], p99[NATOMICS];
    double mpi, mpi99;
    int remote[3];
} atomics_t;

/* obj_latency_print.c: the table's columns and rows, the fetch-add lines,
 * the summary against DESIGN.md's targets (rank 0). */
void obj_lat_columns(const bench_t *b, bench_table_t *t);
void obj_lat_row(const bench_t *b, bench_table_t *t, const point_t *pt);
void obj_lat_print_atomics(bench_t *b, const atomics_t *a);
void obj_lat_summary(bench_t *b, const point_t *pt, int n);

/* obj_rma.c: --mpi, a window from MPI_Win_allocate on ranks 0 and 1. */
typedef struct obj_rma {
    MPI_Comm comm; /* ranks 0 and 1 */
    MPI_Win win;
    void *base;
} obj_rma_t;
void obj_rma_open(const bench_t *b, obj_rma_t *r);
void obj_rma_close(const bench_t *b, obj_rma_t *r);
/* Both ranks: Get+flush and Put+flush of size, interleaved; medians into pt on rank 0. */
void obj_rma_measure(bench_t *b, obj_rma_t *r, size_t size, void *buf, double *samples[2],
                     point_t *pt);
/* Both ranks: MPI_Fetch_and_op + flush of 8 B; into a->mpi on rank 0. */
void obj_rma_atomics(bench_t *b, obj_rma_t *r, double *samples, atomics_t *a);

#endif
