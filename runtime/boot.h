/*
 * boot.h - bootstrap: rank, size and the exchanges needed to start the data
 * plane.  Implemented over MPI (boot_mpi.c) on a private communicator.  Used
 * only while starting and stopping: after start-up ordo makes no MPI call
 * that could hang on a dead peer.
 */
#ifndef ORDO_RUNTIME_BOOT_H
#define ORDO_RUNTIME_BOOT_H

#include <stddef.h>

/* Initialize MPI if needed; set *rank, *size. */
int ordo__boot_init(int *argc, char ***argv, int *rank, int *size);
/* Every rank contributes len bytes; out receives size*len bytes in rank order. */
int ordo__boot_allgather(const void *in, size_t len, void *out);
/* Collective: every rank passes its status of a start-up step and gets the
 * worst of them (an error on any rank fails the step everywhere, so no rank
 * is left waiting in a later collective).  Also a barrier. */
int ordo__boot_agree(int status);
/* 1 if ordo called MPI_Init (and so will call MPI_Finalize). */
int ordo__boot_owns_mpi(void);
/* Release the communicator; MPI_Finalize if ordo started MPI.  With
 * peers_failed set, no collective MPI call is made (it could hang). */
int ordo__boot_finalize(int peers_failed);

#endif
