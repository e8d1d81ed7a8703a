/*
 * home.h - the home side of the shared objects (home.c), written once for
 * every model: the requests a rank sends to a block's home (their wire
 * format), the checks a home makes on them, the atomic update of a word,
 * the handler that hands a checked request to the model's home operations,
 * and the home's blocks (the store of SC and TSO objects).
 */
#ifndef ORDO_CONSISTENCY_HOME_H
#define ORDO_CONSISTENCY_HOME_H

#include "consistency/obj.h"

#include <ordo.h>
#include <stddef.h>
#include <stdint.h>

/* A request to a block's home (reads and atomics: the message's payload). */
typedef struct ordo__obj_req {
    uint32_t id;
    uint8_t model;
    uint8_t op; /* ORDO__OBJ_READ, _WRITE, _FADD, _CAS */
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

/* What a home does with a checked request for one model's objects (each
 * model's table, obj.h, points to one; NULL: the home refuses the request
 * with ORDO_ERR_MSG).  r's range is a run of blocks homed here, the first
 * block b. */
typedef struct ordo__obj_home_ops {
    /* Reply to msg with the bytes of r's range. */
    int (*read)(const ordo_rpc_msg_t *msg, struct ordo_obj *o, size_t b, const ordo__obj_req_t *r);
    /* Store r's data (data may already be in place: see land). */
    int (*write)(struct ordo_obj *o, size_t b, const ordo__obj_req_t *r, const uint8_t *data);
    /* Where the rendezvous payload of write r goes, or NULL (a runtime buffer). */
    void *(*land)(struct ordo_obj *o, size_t b, const ordo__obj_req_t *r);
    /* Apply an atomic to the word at off, homed here (called for remote
     * requests and for this rank's own atomics on words it is home of). */
    int (*atomic)(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b,
                  ordo__obj_atomic_rep_t *rep);
} ordo__obj_home_ops_t;

/* The home's blocks: SC and TSO objects live there (blocks this rank is
 * home of, in an arena made zero on first use). */
extern const ordo__obj_home_ops_t ordo__home_blocks;

/* Register the home's handler (before any model's handlers). */
int ordo__home_init(void);
/* The home's handler id, for the clients' calls. */
extern unsigned ordo__home_rpc_id;

/* The request of an operation on [off, off+len) of o, and of a write at off. */
ordo__obj_req_t ordo__home_req(const struct ordo_obj *o, int op, size_t off, size_t len);
ordo__obj_wreq_t ordo__home_wreq(const struct ordo_obj *o, size_t off);

/* Run an atomic at the home of the word at off: here, through the model's
 * home operations, if this rank is the home; else by a call. */
int ordo__home_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b,
                      ordo__obj_atomic_rep_t *rep);

/* The value a word holds after atomic op on old (fetch-add wraps). */
static inline int64_t ordo__home_atomic_value(int op, int64_t old, int64_t a, int64_t b)
{
    if (op == ORDO__OBJ_FADD)
        return (int64_t)((uint64_t)old + (uint64_t)a);
    return old == a ? b : old; /* ORDO__OBJ_CAS */
}

/* Apply atomic op to the 8 bytes at word (any alignment); the old value. */
int64_t ordo__home_atomic_word(uint8_t *word, int op, int64_t a, int64_t b);

/* The home's blocks of o: index them (at allocation: which blocks are homed
 * here, and where each goes in the arena). */
int ordo__home_blocks_index(struct ordo_obj *o);
/* The bytes of block b at this rank as its home (the arena is made zero on
 * first use), or NULL for ORDO_ERR_NOMEM; the blocks after b with the same
 * home follow. */
uint8_t *ordo__obj_block(struct ordo_obj *o, size_t b);
/* The same, or NULL if nothing was ever written here (all zero). */
const uint8_t *ordo__obj_block_peek(const struct ordo_obj *o, size_t b);

#endif
