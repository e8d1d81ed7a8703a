/*
 * coll_floor.h - the floor of the collective benchmarks (--floor): the
 * least time any algorithm of a family could take on this node in the
 * same loop.  It is the synchronization the family needs and nothing else
 * (no data moved, no runtime): a counter in memory the ranks share,
 * polled as ordo polls (yielding the core between polls when the node's
 * ranks outnumber its cores, else spinning).
 *
 *   barrier, allreduce,    every rank adds one to the counter and waits
 *   allgather, alltoall    until every rank has (no rank can have the
 *                          result before the last one has come)
 *   reduce                 every rank adds one; the root waits for all
 *   bcast                  the root writes the call's number; every other
 *                          rank waits until it sees it
 *
 * With more ranks than cores these are bound by the turns the scheduler
 * gives the ranks, not by the memory: no algorithm's time can be less, so
 * a target "k times faster than MPI" is out of reach where floor/MPI is
 * above 1/k.  The shared memory is an MPI-3 shared window, so the floor
 * exists only when every rank is on one host.
 */
#ifndef ORDO_COLL_FLOOR_H
#define ORDO_COLL_FLOOR_H

#include "ordo.h"

#include <stddef.h>

/* Collective (every rank, over MPI_COMM_WORLD): 0, or -1 with why (every
 * rank the same answer: the ranks span hosts, or the window failed).
 * yield: poll yielding the core. */
int coll_floor_init(ordo_coll_family_t family, int yield, char *why, size_t len);
/* One call of the floor (every rank, as the collective). */
void coll_floor_call(void);
/* Collective: the window freed. */
void coll_floor_fini(void);

#endif /* ORDO_COLL_FLOOR_H */
