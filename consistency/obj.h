/*
 * obj.h - distributed shared objects: what the models share.
 *
 * An object is nbytes cut into blocks of ORDO_OBJ_BLOCK bytes; each block
 * has a home rank, chosen by consistent hashing.  Each model is one file
 * behind one table of operations (ordo__obj_model_ops_t, below); obj.c
 * dispatches every call through the object's table and never asks which
 * model it is.  Who owns what:
 *
 *   obj.c     the API (ordo_obj_alloc/free, ordo_read/write, atomics,
 *             ordo_fence), argument checks, the table of live objects,
 *             placement of blocks on homes, the module (init, fini,
 *             progress, quiesce, configuration table)
 *   ring.c    consistent hashing with virtual nodes (block -> home rank)
 *   home.c    the home side, once for every model (home.h): the requests'
 *             wire format, the checks a home makes on a request (object,
 *             model, size, range inside the object and all homed here),
 *             the atomic update of a word, the handler that hands a checked
 *             request to the model's home operations, and the home's blocks
 *             (where SC and TSO objects live)
 *   sc.c      SC: every read and write completes at the home before the
 *             call returns; also the one-block write TSO drains with
 *   tso.c     TSO: a per-rank FIFO store buffer in front of SC's writes;
 *             reads forward from it (served locally when it covers them)
 *   causal.c  causal+: a replica per rank, writes broadcast with vector
 *             clocks and applied in causal order (CBCAST), per-word
 *             last-writer-wins by (runtime Lamport time, rank); atomics run
 *             at the home as writes of the home
 *   causal_repair.c  causal+ when a rank fails: its writes stopped, the
 *             survivors' words last written by it sent to every replica
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

struct ordo__obj_model_ops;
struct ordo__obj_home_ops;

struct ordo_obj {
    uint32_t magic;
    uint32_t id; /* same on every rank: objects are created collectively, in order */
    ordo_model_t model;
    const struct ordo__obj_model_ops *ops; /* the model's table */
    size_t nbytes;
    size_t block; /* bytes per block */
    size_t nblocks;
    int *home; /* home rank of each block */
    /* SC/TSO (home.c): the blocks this rank is home of, one after the other
     * in the object's order (arena, made zero on first use; NULL before), so
     * that consecutive blocks with the same home are contiguous there too
     * and a range over them is one message. */
    uint8_t *arena;
    size_t *local_idx; /* block b's place in the arena (blocks homed here) */
    size_t nlocal;
    /* causal: the replica and, per 8-byte word, the stamp of the write that
     * set it: (Lamport time << 16) | writer rank. */
    uint8_t *replica;
    uint64_t *stamp;
    struct ordo_obj *next; /* live objects */
};

/* Operations a home executes (requests' op; atomics' op everywhere). */
enum { ORDO__OBJ_READ = 1, ORDO__OBJ_WRITE, ORDO__OBJ_FADD, ORDO__OBJ_CAS };

/* A model: everything obj.c needs of it.  Every entry is set (a model with
 * nothing to do there says so in a function of its own).  Ranges reaching
 * read, write and atomic are checked (inside the object, non-empty; atomics
 * on an aligned word). */
typedef struct ordo__obj_model_ops {
    const char *name; /* "sc", "tso", "causal" */
    /* Module init and fini (handlers, the model's state). */
    int (*init)(void);
    void (*fini)(void);
    /* The per-object memory of the model (at ordo_obj_alloc; freed with
     * the object). */
    int (*alloc)(struct ordo_obj *o);
    int (*read)(struct ordo_obj *o, size_t off, void *buf, size_t len);
    int (*write)(struct ordo_obj *o, size_t off, const void *buf, size_t len);
    /* Fetch-add or CAS (op) on the word at off; *old its value before. */
    int (*atomic)(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b, int64_t *old);
    /* This model's part of ordo_fence: the rank's writes are everywhere they
     * go, and its earlier operations are ordered before its later ones. */
    int (*fence)(void);
    /* o is being freed (after its model's fence and a barrier): drop what
     * the model still holds for it. */
    void (*free)(struct ordo_obj *o);
    /* Deferred work, from the module's progress; nonzero while more is left
     * (the module is woken again). */
    int (*progress)(void);
    /* peer failed (the module's hook, inside progress: send nothing here,
     * defer it to progress, which runs next). */
    void (*peer_failed)(int peer);
    /* What a home does with the requests for this model's objects. */
    const struct ordo__obj_home_ops *home;
} ordo__obj_model_ops_t;

/* The models' tables (sc.c, tso.c, causal.c). */
extern const ordo__obj_model_ops_t ordo__sc_ops, ordo__tso_ops, ordo__causal_ops;

/* obj.c */
struct ordo_obj *ordo__obj_find(uint32_t id);
/* The live object of model after o (NULL: the first), or NULL. */
struct ordo_obj *ordo__obj_find_next(struct ordo_obj *o, ordo_model_t model);
/* A model's fence had to skip failed rank (writes of ours it never got,
 * buffered writes to its blocks dropped): every fence reports
 * ORDO_ERR_PEER_FAILED until the failure is acknowledged. */
void ordo__obj_skip(int rank);
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

/* sc.c: what TSO builds on. */
/* A range [off, off+len) of an object. */
typedef struct ordo__obj_range {
    size_t off, len;
} ordo__obj_range_t;
int ordo__sc_read(struct ordo_obj *o, size_t off, void *buf, size_t len);
/* Read the n ranges r[] (inside [base, ...)) into buf + (r[i].off - base),
 * all in flight at once. */
int ordo__sc_read_ranges(struct ordo_obj *o, size_t base, uint8_t *buf, const ordo__obj_range_t *r,
                         size_t n);
int ordo__sc_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b, int64_t *old);
/* Start writing [off, off+len) of block b at its home; done(arg, status)
 * runs from progress when the home has applied it (or at once, status
 * returned as usual, when this rank is the home: then done does not run). */
int ordo__sc_write_block_nb(struct ordo_obj *o, size_t b, size_t off, const void *buf, size_t len,
                            void (*done)(void *arg, int status), void *arg);

/* causal.c: writes held back now, and ever, for tests and ordo_info. */
size_t ordo__causal_held(void);
uint64_t ordo__causal_held_total(void);

#endif
