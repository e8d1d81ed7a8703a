/*
 * coll_bench_int.h - what the collective benchmarks' files share:
 * coll_bench.c (options, the blocks of each variant, the run) and
 * coll_bench_print.c (the output and the summaries).  No other file
 * includes it.
 */
#ifndef ORDO_COLL_BENCH_INT_H
#define ORDO_COLL_BENCH_INT_H

#include "coll_bench.h"

#define CB_BLOCKS    64 /* at most: blocks the iterations are cut into when variants alternate */
#define CB_BLOCK_MIN 16 /* timed calls per block at least (fewer blocks if need be) */
#define CB_MAX_ALGS  8  /* algorithms of a family */
#define CB_MAX_VARS  (CB_MAX_ALGS + 3) /* the algorithms, AUTO, MPI, the floor */
#define CB_MAX_SIZES 64                /* sizes of a run (1 B .. 2^63 B) */
#define CB_SEED      0x2545f491u

/* A variant: ordo with an algorithm forced (or AUTO, or as configured),
 * MPI, or the floor (coll_floor.h). */
typedef struct variant {
    const char *force; /* ordo_coll_force's argument; NULL: leave the choice as it is */
    int mpi, floor;
    double *samples; /* this rank's time of each timed call, us */
} variant_t;

/* A variant's figures for one size (rank 0). */
typedef struct result {
    double avg, p50, p99, min, max;
} result_t;

/* What rank 0 keeps of a size for the tables after the main one. */
typedef struct size_row {
    size_t size;
    result_t r[CB_MAX_VARS];
    double pred[CB_MAX_VARS];
    const char *auto_alg;
} size_row_t;

typedef struct coll_bench_state {
    const coll_bench_desc_t *d;
    const char *alg; /* --alg: NULL, "auto", "all" or an algorithm */
    int all;
    int dbl;   /* --type double */
    int floor; /* --floor asked */
    const char *algs[CB_MAX_ALGS];
    int nalgs;
    variant_t v[CB_MAX_VARS];
    /* main_v: the first columns' variant; mpi_v, floor_v: -1 without --mpi,
     * without a floor */
    int nv, main_v, mpi_v, floor_v;
    char floor_why[128]; /* --floor given, no floor: why */
    bench_spec_t spec;
    bench_extra_opt_t opts[4];
    size_row_t rows[CB_MAX_SIZES];
    int nrows;
    bench_counters_t counted; /* counters over the main variant's timed calls */
} coll_bench_state_t;

extern coll_bench_state_t cb;

/* The family reduces (elements of --type), and the size of an element. */
int cb_reduction(void);
size_t cb_elem_size(void);
/* ORDO_WAIT=auto yields here: the node's ranks outnumber its cores. */
int cb_auto_yields(void);

/* coll_bench_print.c: rank 0's output. */
void cb_print_notes(const bench_t *b);
void cb_columns(const bench_t *b, bench_table_t *t);
void cb_print_row(bench_t *b, bench_table_t *t, const size_row_t *row, int iters);
void cb_print_model(const bench_t *b);
void cb_print_mpi_summary(const bench_t *b);
void cb_print_floor_summary(const bench_t *b);

#endif /* ORDO_COLL_BENCH_INT_H */
