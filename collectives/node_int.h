/*
 * node_int.h - what the node segment's files share (node_seg.c: the
 * segment's start-up and end, the cost, the build and the waiting; ordo__node.c:
 * the protocol of the steps).  No other file includes it.  ordo__node.c's top
 * comment describes the layout and the protocol.
 */
#ifndef ORDO_COLLECTIVES_NODE_INT_H
#define ORDO_COLLECTIVES_NODE_INT_H

#include "collectives/node.h"
#include "runtime/fifo.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define LINE       64
#define SEG_MAGIC  0x316d68736f64726full /* "ordoshm1" */
#define SERIAL_MAX (64 * 1024)           /* bytes one rank reduces alone, all slots */

typedef struct line {
    _Atomic uint64_t v;
    unsigned char pad[LINE - sizeof(uint64_t)];
} line_t;

typedef struct pub {
    _Atomic uint64_t q; /* the phase whose result res[q % 2] holds */
    int32_t status;     /* ORDO_OK, or ORDO_ERR_INVALID: arguments differ */
    uint32_t family;
    uint64_t len;
    uint32_t seq; /* the collective's number */
    unsigned char pad[LINE - 28];
} pub_t;

typedef struct seg_hdr {
    uint64_t magic, size, chunk;
    uint32_t n, pad0;
    unsigned char pad1[LINE - 32];
    line_t arrive;
    line_t broken;   /* 0, or the failed collective's number << 8 | minus its status */
    line_t reset;    /* arrivals at resets, all epochs */
    line_t epoch;    /* resets done */
    line_t sleepers; /* ranks asleep on arrive or a publication (futex) */
    pub_t pub[2];
    line_t ping[2]; /* start-up: the line hand-off probe */
} seg_hdr_t;

typedef struct slot_hdr {
    uint64_t len;
    uint32_t family, seq;
    int32_t dtype, op;
    uint64_t addr; /* the cma bcast root's buffer (at start-up: the probe word) */
    int32_t pid;   /* the rank's process, for process_vm_readv */
    unsigned char pad[LINE - 36];
} slot_hdr_t;

typedef struct ordo__node_state {
    unsigned char *base;
    size_t size, chunk;
    seg_hdr_t *h;
    int n, pos;
    double line_us;
    int cma;         /* single copy works between every pair of ranks (node_cma.c) */
    double cma_us;   /* a process_vm_readv of 8 bytes (rank 0's) */
    double cma_byte; /* and of each further byte (us) */
    uint64_t q;      /* the last phase this rank entered */
    int joined;      /* this rank is in the reset of epoch join_epoch */
    uint64_t join_epoch;
    ordo__fifo_t steps; /* posted steps (ordo__sop_t *), oldest first */
    /* The head step: its phase, state and offset; the word it waits on
     * and the value it saw there (a futex: the low half of a counter). */
    uint64_t cq;
    int st;
    size_t off;
    _Atomic uint64_t *wait_word;
    uint32_t wait_val;
} ordo__node_state_t;

extern ordo__node_state_t ordo__node;

static inline unsigned char *res_buf(uint64_t q)
{
    return ordo__node.base + sizeof(seg_hdr_t) + (size_t)(q % 2) * ordo__node.chunk;
}

static inline slot_hdr_t *slot_hdr(int p)
{
    return (slot_hdr_t *)(ordo__node.base + sizeof(seg_hdr_t) + 2 * ordo__node.chunk +
                          (size_t)p * (sizeof(slot_hdr_t) + ordo__node.chunk));
}

static inline unsigned char *slot_data(int p)
{
    return (unsigned char *)(slot_hdr(p) + 1);
}

/* A reduction of len bytes over n ranks that one rank does alone. */
static inline int serial_bytes(int n, size_t len)
{
    size_t c = len < ordo__node.chunk ? len : ordo__node.chunk;
    return (size_t)n * c <= SERIAL_MAX;
}

/* node_cma.c: the start-up probe (collective: every rank or none), and a
 * read of len bytes at addr in place p's memory (ORDO_OK, or the error,
 * said). */
int ordo__node_cma_init(void);
int ordo__node_cma_read(int p, void *dst, uint64_t addr, size_t len);

#define ST_WAIT 1 /* a step's answer: not yet (ORDO_OK: done; else its failure) */

/* node_seg.c: wake the ranks asleep on word (after changing it); the head
 * step goes on waiting on word, which held v (returns ST_WAIT). */
void ordo__node_wake(_Atomic uint64_t *word);
int ordo__node_wait_on(_Atomic uint64_t *word, uint64_t v);

#endif
