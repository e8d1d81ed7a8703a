/*
 * sched_int.h - what the schedule engine's two files share (sched.c:
 * building and running schedules; sched_recv.c: the view, messages coming
 * in, matching them to receives, keeping early ones).  No other file
 * includes it.
 */
#ifndef ORDO_COLLECTIVES_SCHED_INT_H
#define ORDO_COLLECTIVES_SCHED_INT_H

#include "collectives/sched.h"

#include <stddef.h>
#include <stdint.h>

#define HDR_MAGIC 0x636du /* "cm" */
/* The idx of a message that says the collective failed at its sender for
 * arguments that differ between ranks. */
#define IDX_ABORT UINT32_MAX

/* The prefix of every collective message. */
typedef struct coll_hdr {
    uint16_t magic;
    uint8_t family; /* what the sender called: a mismatch is the caller's error */
    uint8_t pad;
    uint32_t seq;
    uint32_t idx; /* the sender's idx-th message to us in this collective */
    uint32_t nacked;
    uint64_t view;
} coll_hdr_t;

/* A message that came before its receive was posted. */
typedef struct unexp {
    struct unexp *next;
    int src;
    coll_hdr_t h;
    size_t len;
    unsigned char data[];
} unexp_t;

typedef struct ordo__sched_eng {
    unsigned id; /* the handler */
    ordo__coll_view_t view;
    uint32_t seq;                      /* the next collective's number in the view */
    struct ordo_coll_req *head, *tail; /* in flight, in sequence order */
    unexp_t *unexp, **unexp_tail;
} ordo__sched_eng_t;

extern ordo__sched_eng_t ordo__eng;

static inline uint32_t ordo__sched_round_begin(const struct ordo_coll_req *r, uint32_t round)
{
    return round ? r->rend[round - 1] : 0;
}

/* sched.c */
void ordo__sched_step_done(struct ordo_coll_req *r, ordo__sop_t *s);
void ordo__sched_aborted_by(struct ordo_coll_req *r, int src);
/* A message from src for r, which runs through the node segment and takes
 * none: src called another collective (r fails, and says so to the others). */
void ordo__sched_unwanted(struct ordo_coll_req *r, int src);

/* sched_recv.c */
/* A kept message for receive s of r, if one came (the caller frees it). */
unexp_t *ordo__sched_unexp_take(const struct ordo_coll_req *r, const ordo__sop_t *s);
/* A kept message that fails r before it starts: an abort for r, or (any,
 * for a collective through the node segment, which takes no message) any
 * message for r.  The caller frees it. */
unexp_t *ordo__sched_unexp_early(const struct ordo_coll_req *r, int any);
/* Is message h, for receive s of r, of another family or size?  (Then r
 * fails with ORDO_ERR_INVALID, said once.) */
int ordo__sched_mismatch(struct ordo_coll_req *r, const ordo__sop_t *s, const coll_hdr_t *h,
                         size_t len);

#endif
