/*
 * obj.h - distributed shared objects: what the per-model protocols share.
 *
 * An object is nbytes cut into blocks of ORDO_OBJ_BLOCK bytes; each block
 * has a home rank, chosen by consistent hashing (ring.c).  The models:
 *   sc.c      every operation completes at the block's home (also the home
 *             side of TSO's drained writes and of every model's atomics)
 *   tso.c     a per-rank FIFO store buffer in front of the SC operations
 *   causal.c  a replica per rank, writes broadcast with vector clocks and
 *             applied in causal order (CBCAST), per-word last-writer-wins
 */
#ifndef ORDO_CONSISTENCY_OBJ_H
#define ORDO_CONSISTENCY_OBJ_H

#include "runtime/module.h"

#include <ordo.h>
#include <stddef.h>
#include <stdint.h>

#define ORDO__OBJ_MAGIC 0x6f626a31u /* "obj1" */

/* The objects' configuration (their module's table). */
typedef struct ordo__obj_config {
    uint64_t obj_block;        /* ORDO_OBJ_BLOCK: bytes per block of a shared object */
    uint64_t obj_vnodes;       /* ORDO_OBJ_VNODES: ring points per rank */
    uint64_t tso_buffer;       /* ORDO_TSO_BUFFER: writes a TSO store buffer holds */
    uint64_t tso_buffer_bytes; /* ORDO_TSO_BUFFER_BYTES: ... and bytes */
} ordo__obj_config_t;
extern ordo__obj_config_t ordo__obj_cfg;

/* The module of the shared objects (registered by lib/ordo.c). */
extern ordo__module_t ordo__obj_module;

struct ordo_obj {
    uint32_t magic;
    uint32_t id; /* same on every rank: objects are created collectively, in order */
    ordo_model_t model;
    size_t nbytes;
    size_t block; /* bytes per block */
    size_t nblocks;
    int *home; /* home rank of each block */
    /* SC/TSO: the blocks this rank is home of, one after the other in the
     * object's order (arena, made zero on first use; NULL before), so that
     * consecutive blocks with the same home are contiguous there too and a
     * range over them is one message. */
    uint8_t *arena;
    size_t *local_idx; /* block b's place in the arena (blocks homed here) */
    size_t nlocal;
    /* causal: the replica and, per 8-byte word, the stamp of the write that
     * set it: (Lamport time << 16) | writer rank. */
    uint8_t *replica;
    uint64_t *stamp;
    struct ordo_obj *next; /* live objects */
};

/* Operations a home executes (ordo__obj_req_t.op). */
enum { ORDO__OBJ_READ = 1, ORDO__OBJ_WRITE, ORDO__OBJ_FADD, ORDO__OBJ_CAS };

/* A request to a block's home (reads and atomics: the message's payload). */
typedef struct ordo__obj_req {
    uint32_t id;
    uint8_t model;
    uint8_t op;
    uint16_t reserved;
    uint64_t nbytes; /* the sender's idea of the object: checked by the home */
    uint64_t off;
    uint64_t len;
    int64_t a, b; /* FADD: a = addend; CAS: a = expected, b = desired */
} ordo__obj_req_t;

/* A write's request, the message's prefix; the data is its payload (and
 * gives the length).  16 bytes: with the header and the clocks, a write of
 * up to 32 B still fits UCX's shortest path on shared memory. */
typedef struct ordo__obj_wreq {
    uint32_t id;
    uint8_t model;
    uint8_t op;           /* ORDO__OBJ_WRITE */
    uint16_t nbytes_fold; /* the sender's object size folded to 16 bits: checked by the home */
    uint64_t off;
} ordo__obj_wreq_t;

static inline uint16_t ordo__obj_fold(uint64_t nbytes)
{
    return (uint16_t)(nbytes ^ (nbytes >> 16) ^ (nbytes >> 32) ^ (nbytes >> 48));
}

/* The reply of an atomic. */
typedef struct ordo__obj_atomic_rep {
    int64_t old;
    uint64_t seq; /* causal: the home's write that carried the result (its count) */
} ordo__obj_atomic_rep_t;

/* obj.c */
struct ordo_obj *ordo__obj_find(uint32_t id);
/* The bytes of block b at this rank as its home (the arena is made zero on
 * first use), or NULL for ORDO_ERR_NOMEM; the blocks after b with the same
 * home follow.  Only for SC and TSO objects. */
uint8_t *ordo__obj_block(struct ordo_obj *o, size_t b);
/* The same, or NULL if nothing was ever written here (all zero). */
const uint8_t *ordo__obj_block_peek(const struct ordo_obj *o, size_t b);
/* Bytes from off (at most len) up to the end of the run of consecutive
 * blocks with off's home. */
size_t ordo__obj_run(const struct ordo_obj *o, size_t off, size_t len);
/* Run fn over the pieces of [off, off+len) that lie at one home each (a run
 * of consecutive blocks); b is the piece's first block. */
typedef int (*ordo__obj_piece_fn_t)(struct ordo_obj *o, size_t b, size_t off, size_t len,
                                    size_t done, void *arg);
int ordo__obj_pieces(struct ordo_obj *o, size_t off, size_t len, ordo__obj_piece_fn_t fn,
                     void *arg);

/* ring.c: consistent hashing with virtual nodes. */
typedef struct ordo__ring {
    uint64_t *point; /* sorted hash points */
    int *owner;      /* rank of each point */
    size_t npoints;
} ordo__ring_t;
/* Build the ring of the ranks with alive[r] != 0 (alive NULL: all of 0..n-1),
 * vnodes points each. */
int ordo__ring_build(ordo__ring_t *ring, int n, const char *alive, unsigned vnodes);
void ordo__ring_free(ordo__ring_t *ring);
/* The rank owning key. */
int ordo__ring_owner(const ordo__ring_t *ring, uint64_t key);
/* The key of block b of object id. */
uint64_t ordo__ring_key(uint32_t id, uint64_t b);

/* sc.c: home side and client side of the operations done at the home. */
int ordo__sc_init(void);
int ordo__sc_read(struct ordo_obj *o, size_t off, void *buf, size_t len);
int ordo__sc_write(struct ordo_obj *o, size_t off, const void *buf, size_t len);
int ordo__sc_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b,
                    ordo__obj_atomic_rep_t *rep);
/* Start writing [off, off+len) of block b at its home; done(arg, status)
 * runs from progress when the home has applied it (or at once, status
 * returned as usual, when this rank is the home: then done does not run). */
int ordo__sc_write_block_nb(struct ordo_obj *o, size_t b, size_t off, const void *buf, size_t len,
                            void (*done)(void *arg, int status), void *arg);

/* tso.c */
int ordo__tso_init(void);
void ordo__tso_fini(void);
int ordo__tso_read(struct ordo_obj *o, size_t off, void *buf, size_t len);
int ordo__tso_write(struct ordo_obj *o, size_t off, const void *buf, size_t len);
int ordo__tso_fence(void);
int ordo__tso_busy(void); /* the store buffer holds writes */
void ordo__tso_progress(void);
/* Drop what the buffer holds for o (after a fence: nothing). */
void ordo__tso_forget(struct ordo_obj *o);

/* causal.c */
int ordo__causal_init(void);
void ordo__causal_fini(void);
int ordo__causal_read(struct ordo_obj *o, size_t off, void *buf, size_t len);
int ordo__causal_write(struct ordo_obj *o, size_t off, const void *buf, size_t len);
int ordo__causal_fence(void);
/* At the home: apply an atomic to the home's replica as a causal write of
 * the home, broadcast it, and say which of its writes carried it. */
int ordo__causal_home_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b,
                             ordo__obj_atomic_rep_t *rep);
/* The client of an atomic: wait until this replica has applied the home's
 * write seq (so the caller reads its own atomic's result). */
int ordo__causal_wait_applied(int home, uint64_t seq);
/* Writes held back now, and ever, for tests and ordo_info. */
size_t ordo__causal_held(void);
uint64_t ordo__causal_held_total(void);

#endif
