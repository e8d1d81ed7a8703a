/*
 * stencil.h - what the two files of ordo_stencil share: the rows of the grid
 * one rank holds, and the halo exchange through shared objects.
 */
#ifndef ORDO_STENCIL_H
#define ORDO_STENCIL_H

#include <mpi.h>
#include <ordo.h>
#include <stdint.h>
#include <stdio.h>

#define STR_(x)   #x
#define STR(x)    STR_(x)
#define MAX_SIZES 16

enum { M_TSO, M_SC, M_MPI, NMODES };

extern int st_rank, st_size; /* this rank, the number of ranks */

/* Global rows [first, first + rows) of an N x N grid, with a ghost row
 * above (row 0 of cur) and below (row rows + 1). */
typedef struct grid {
    size_t n, rows, first;
    double *cur, *next; /* (rows + 2) * n each; swapped every iteration */
    int mem[2];         /* 1: from ordo_mem_alloc */
} grid_t;

/* Halo slots in a shared object (stencil_halo.c). */
typedef struct halo {
    ordo_obj_t *obj;
    int barrier;          /* sync by fence + barrier instead of flags */
    size_t row_bytes;     /* one row: n doubles */
    size_t block, pieces; /* ORDO_OBJ_BLOCK; blocks a row takes */
    size_t nblocks;       /* of the object */
    size_t *slot[3];      /* the blocks homed at rank - 1, rank, rank + 1 (offsets) */
    uint64_t step;        /* exchanges so far: the flags' values */
} halo_t;

/* Collective: a shared object of the model with halo slots for rows of n
 * doubles, each slot homed at the rank that reads it. */
int halo_make(halo_t *h, ordo_model_t model, size_t n, int barrier);
/* This rank's first and last rows to its neighbours (post), then theirs
 * into the ghost rows (complete); exchange is both. */
int halo_post(halo_t *h, grid_t *g);
int halo_complete(halo_t *h, grid_t *g);
int halo_exchange(halo_t *h, grid_t *g);
/* Collective: free the object. */
int halo_free(halo_t *h);

#endif
