/*
 * causal.h - what the causal model's two files share: causal.c (replicas,
 * the write broadcast, delivery in causal order, fence, atomics) and
 * causal_repair.c (what a failed rank leaves behind).
 */
#ifndef ORDO_CONSISTENCY_CAUSAL_H
#define ORDO_CONSISTENCY_CAUSAL_H

#include "consistency/obj.h"

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* causal.c: lay words stamped (Lamport time << 16 | rank) over o's replica
 * where they are newer, and merge the time into the Lamport clock; deliver
 * the held-back writes that can go now (those of stopped ranks dropped). */
void ordo__causal_apply(struct ordo_obj *o, size_t off, const uint8_t *data, size_t len,
                        uint64_t stamp);
void ordo__causal_release_held(void);

/* causal_repair.c: its handler and state (init registers "causal-repair"
 * after causal.c's handlers, on every rank alike). */
int ordo__causal_repair_init(int nranks);
void ordo__causal_repair_fini(void);
/* 1 once rank failed and this replica stopped taking its writes (a write
 * no longer waits for one of its). */
int ordo__causal_stopped(int rank);
/* The model's hooks: a peer failed (noted), and progress (the repair). */
void ordo__causal_peer_failed(int peer);
int ordo__causal_progress(void);

#pragma GCC visibility pop

#endif
