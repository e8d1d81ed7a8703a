/*
 * member.h - the membership view: which ranks are alive, suspected or
 * failed, with an epoch.  One view per rank, fed by the transport (a broken
 * connection), the failure detector (fd.c: silence) and the peers (a rank
 * that declared another failed tells the rest).  Whatever the source, a
 * failure is applied once, here, in this order: the message layer ends
 * every operation that waited for the rank, the modules' peer_failed hooks
 * run (barrier, objects, later quorums), then the application's callbacks.
 *
 * The view is changed on the thread that runs progress, under the runtime
 * lock.  The detector's thread posts what it finds (ordo__member_post_*)
 * and progress applies it.
 */
#ifndef ORDO_RUNTIME_MEMBER_H
#define ORDO_RUNTIME_MEMBER_H

#include <stdint.h>

/* Callbacks of the application (ordo_failure_cb_register). */
#define ORDO__MEMBER_CB_MAX 8

typedef struct ordo__member {
    uint64_t epoch;       /* failures applied */
    uint64_t acked_epoch; /* epoch at the last ordo_failure_ack */
    char *acked;          /* per rank: its failure was acknowledged */
    int nacked;           /* ranks whose failure was acknowledged */
    uint64_t acked_hash;  /* of the acknowledged set: views compare by it */
    int out;              /* the others declared this rank failed */
} ordo__member_t;

extern ordo__member_t ordo__member;

int ordo__member_init(int nranks);
void ordo__member_fini(void);

/* Apply a failure of peer (no-op if it is failed already).  why says who
 * found it, for the one warning printed per failed rank. */
void ordo__member_fail(int peer, int status, const char *why);
/* This rank was declared failed by rank by: every peer is failed for it. */
void ordo__member_fail_self(int by);

/* The transport's report of a broken peer (ordo__tl_params_t.peer_failed). */
void ordo__member_transport_failed(void *arg, int peer, int status);

/* Is peer failed and not yet acknowledged by the application?  Collectives
 * fail while any such rank is in their view. */
int ordo__member_unacked(void);

#endif
