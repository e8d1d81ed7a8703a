/*
 * node_int.h - what the node segment's files share: node_seg.c (the
 * segment's start-up and end, the cost, the build), node_phase.c (the
 * steps' moves and the waiting), node.c (the protocol of the steps),
 * node_direct.c and node_map.c (their single-copy parts).  No other file
 * includes it.  node.c's top comment describes the layout and the protocol.
 */
#ifndef ORDO_COLLECTIVES_NODE_INT_H
#define ORDO_COLLECTIVES_NODE_INT_H

#include "collectives/node.h"
#include "runtime/fifo.h"
#include "runtime/tl.h"

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
    uint32_t seq;  /* the collective's number */
    uint32_t mode; /* a bcast's: BCAST_SEG, BCAST_CMA or BCAST_GET (the root's choice) */
    unsigned char pad[LINE - 32];
} pub_t;

/* How a bcast's payload goes (the root chooses, for each call, from its
 * own buffer; the others follow its publication): a chunk at a time
 * through the segment, or all of it in one phase by single copy, with
 * process_vm_readv or with the transport's get of memory from
 * ordo_mem_alloc (node_direct.c). */
enum { BCAST_SEG, BCAST_CMA, BCAST_GET };

typedef struct seg_hdr {
    uint64_t magic, size, chunk;
    uint32_t n, pad0;
    unsigned char pad1[LINE - 32];
    line_t arrive;
    line_t broken;   /* 0, or the failed collective's number << 8 | minus its status */
    line_t reset;    /* arrivals at resets, all epochs */
    line_t epoch;    /* resets done */
    line_t sleepers; /* ranks asleep on arrive or a publication (futex) */
    line_t reads;    /* the receivers' copies of direct bcasts, this epoch (node_direct.c) */
    pub_t pub[2];
    line_t ping[2]; /* start-up: the line hand-off probe */
    line_t pass;    /* start-up: the pass probe's arrivals */
} seg_hdr_t;

typedef struct slot_hdr {
    uint64_t len;
    uint32_t family, seq;
    int32_t dtype, op;
    uint64_t addr;     /* a direct bcast root's buffer (at start-up: the probe word) */
    int32_t pid;       /* the rank's process, for process_vm_readv */
    uint32_t rkey_len; /* a direct bcast root's or a mapped input's remote key (at the start of
                          the slot's data): its bytes, 0 for none */
    unsigned char pad[LINE - 40];
} slot_hdr_t;

typedef struct ordo__node_state {
    unsigned char *base;
    size_t size, chunk;
    seg_hdr_t *h;
    int n, pos;
    double line_us;
    double pass_us; /* every rank of the node run once (rank 0's median; node_seg.c) */
    /* A byte another rank wrote, copied (us, the ranks' mean; 0: unknown),
     * in a copy of xcopy_len[0] bytes (in the cache) and of xcopy_len[1]. */
    double xcopy_byte[2];
    size_t xcopy_len[2];
    int cma;         /* single copy works between every pair of ranks (node_direct.c) */
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
    /* A direct bcast of the head step (node_direct.c): how it goes, the
     * root's registration of its buffer, a receiver's get in flight. */
    unsigned mode;
    uint64_t direct_n; /* direct bcasts this rank ended, this epoch */
    ordo__tl_mem_t *get_mem;
    ordo__tl_send_req_t get_req;
    int get_busy, get_status;
    /* Reductions from mapped input (node_map.c): every rank can map every
     * other's ordo_mem_alloc memory; this rank's input, registered while
     * the head step's reducers read it; the peers' inputs mapped here (per
     * place, NULL: in its slot) and what keeps each mapping. */
    int map_ok;
    ordo__tl_mem_t *in_mem;
    unsigned char **peer_in;
    void **peer_hold;
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

/* A bcast of len bytes may go by process_vm_readv: more than two chunks,
 * where the segment's two result buffers would hold the root back until the
 * slowest rank has copied each chunk out (measured, 4 ranks on 2 cores:
 * 2 MiB 540-750 us against 670-3330, 4 MiB 1150-1500 us against 1500-6490;
 * at 1 MiB the same). */
static inline int single_copy(size_t len)
{
    return ordo__node.cma && len > 2 * ordo__node.chunk;
}

#define ST_WAIT 1 /* a step's answer: not yet (ORDO_OK: done; else its failure) */

/* node_phase.c: the steps' moves.  Every rank's arrivals at phase q are
 * in (ORDO_OK, or ST_WAIT waiting on the counter); arrive at the current
 * phase (the count before); publish phase q's result; phase q is published
 * (else ST_WAIT on its word); a non-root rank's check of a publication;
 * every slot holds the same call (ORDO_OK, or ORDO_ERR_INVALID, said);
 * this rank's slot: the call's arguments, and a chunk of its data but bytes
 * [skip_lo, skip_hi). */
int ordo__node_all_arrived(uint64_t q);
uint64_t ordo__node_arrive(void);
void ordo__node_publish(uint64_t q, const struct ordo_coll_req *r, uint64_t len, int status,
                        unsigned mode);
int ordo__node_published(uint64_t q);
int ordo__node_pub_matches(uint64_t q, const struct ordo_coll_req *r, uint64_t len);
int ordo__node_slots_match(const struct ordo_coll_req *r);
void ordo__node_fill_slot(const ordo__sop_t *s, size_t clen, size_t skip_lo, size_t skip_hi);
/* Offer ordo_mem_alloc memory to the node: its address and key in this
 * rank's slot (1, *mem registered), or none (0). */
int ordo__node_offer_key(const void *buf, size_t len, ordo__tl_mem_t **mem);

/* node_direct.c: the start-up probe of process_vm_readv (collective: every
 * rank or none).  The bcast in one phase: the root's choice for the call of
 * step s (BCAST_SEG, or a direct mode with its slot filled in: a mode
 * other than BCAST_SEG only at the start of a payload), and either side's
 * step in that mode (ORDO_OK, ST_WAIT or the failure, said).  direct_end
 * lets go of what a step that ended or was cancelled holds: a receiver's
 * get still running is waited for (it writes into the caller's buffer). */
int ordo__node_cma_init(void);
unsigned ordo__node_direct_mode(const ordo__sop_t *s);
int ordo__node_direct_step(ordo__sop_t *s, unsigned mode);
void ordo__node_direct_end(void);

/* node_map.c: the start-up probe of mapping (collective) and the end.  A
 * large reduction's step s at its phase's start: this rank offers its input
 * mapped (1: the key is in its slot, no data) or not (0: copy the chunk in);
 * once all have arrived, map the inputs the others offered (ORDO_OK or the
 * failure, said).  map_end lets go of both. */
int ordo__node_map_init(void);
void ordo__node_map_fini(void);
int ordo__node_map_offer(const ordo__sop_t *s);
int ordo__node_map_peers(const ordo__sop_t *s);
void ordo__node_map_end(void);

/* node_phase.c: wake the ranks asleep on word (after changing it); the head
 * step goes on waiting on word, which held v (returns ST_WAIT). */
void ordo__node_wake(_Atomic uint64_t *word);
int ordo__node_wait_on(_Atomic uint64_t *word, uint64_t v);

#endif
