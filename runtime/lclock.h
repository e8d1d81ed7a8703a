/*
 * lclock.h - logical clocks piggybacked on every message (Lamport, vector,
 * hybrid logical clock) and the per-rank event trace (ORDO_TRACE).
 */
#ifndef ORDO_RUNTIME_LCLOCK_H
#define ORDO_RUNTIME_LCLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ORDO_CLOCKS bits, also the message flags of the extension. */
#define ORDO__CLOCK_LAMPORT 0x2u
#define ORDO__CLOCK_HLC     0x4u
#define ORDO__CLOCK_VECTOR  0x8u

/* A received timestamp, decoded from a message's clock extension. */
typedef struct ordo__stamp {
    unsigned flags;
    uint64_t lamport;
    uint64_t hlc_l, hlc_c;
    const uint8_t *vc; /* varints in the message, n of them */
    size_t vc_len;
} ordo__stamp_t;

typedef enum {
    ORDO__TRACE_SEND,
    ORDO__TRACE_RECV,
} ordo__trace_kind_t;

/* Start the clocks of rank me of n; trace_dir NULL or "" for no trace.
 * With a trace every clock is on (the trace records all three). */
int ordo__lclock_init(int me, int n, unsigned clocks, uint64_t hlc_max_offset_us,
                      const char *trace_dir);
void ordo__lclock_fini(void);

/* Largest clock extension a message can need, in bytes. */
size_t ordo__lclock_ext_max(void);

/* A message is sent: tick the clocks, write the extension to ext (at most
 * ordo__lclock_ext_max() bytes), trace it.  Returns the extension's length;
 * *flags receives the ORDO__MSG_F_* bits to set. */
size_t ordo__lclock_send(uint8_t *ext, unsigned *flags, int dest, unsigned handler, uint32_t seq);

/* Decode the extension ext[0..len) announced by flags.  -1 if malformed. */
int ordo__lclock_decode(const uint8_t *ext, size_t len, unsigned flags, ordo__stamp_t *st);

/* A message was accepted: merge its timestamp into the clocks, trace it. */
void ordo__lclock_recv(const ordo__stamp_t *st, int src, unsigned handler, uint32_t seq);

/* The default clocks (Lamport alone, no trace) inline, for the message
 * layer's hot path; the functions above do the same for any clocks. */
extern uint64_t ordo__lamport;
extern int ordo__lclock_lamport_only;

static inline size_t ordo__lclock_send_inline(uint8_t *ext, unsigned *flags, int dest,
                                              unsigned handler, uint32_t seq)
{
    if (ordo__lclock_lamport_only) {
        uint64_t v = ++ordo__lamport;
        memcpy(ext, &v, sizeof(v));
        *flags = ORDO__CLOCK_LAMPORT;
        return sizeof(v);
    }
    return ordo__lclock_send(ext, flags, dest, handler, seq);
}

static inline int ordo__lclock_decode_inline(const uint8_t *ext, size_t len, unsigned flags,
                                             ordo__stamp_t *st)
{
    if (ordo__lclock_lamport_only && flags == ORDO__CLOCK_LAMPORT && len == sizeof(uint64_t)) {
        st->flags = flags;
        memcpy(&st->lamport, ext, sizeof(uint64_t));
        st->hlc_l = st->hlc_c = 0;
        st->vc = NULL;
        st->vc_len = 0;
        return 0;
    }
    return ordo__lclock_decode(ext, len, flags, st);
}

static inline void ordo__lclock_recv_inline(const ordo__stamp_t *st, int src, unsigned handler,
                                            uint32_t seq)
{
    if (ordo__lclock_lamport_only) { /* the others' clocks are not kept here */
        uint64_t m = st->flags & ORDO__CLOCK_LAMPORT ? st->lamport : 0;
        ordo__lamport = (ordo__lamport > m ? ordo__lamport : m) + 1;
        return;
    }
    ordo__lclock_recv(st, src, handler, seq);
}

/* The physical clock (ns since the epoch) HLC reads and leases will:
 * CLOCK_REALTIME, shifted by ORDO_FAULT's skew and drift of this rank. */
uint64_t ordo__phys_ns(void);

/* Messages whose HLC was further ahead of our physical clock than allowed. */
uint64_t ordo__lclock_hlc_ahead(void);

/* The HLC rules on (l, c) at physical time pt (exposed for the unit tests). */
void ordo__hlc_send_rule(uint64_t *l, uint64_t *c, uint64_t pt);
void ordo__hlc_recv_rule(uint64_t *l, uint64_t *c, uint64_t lm, uint64_t cm, uint64_t pt);

/* LEB128 varints (exposed for the unit tests). */
size_t ordo__varint_put(uint8_t *p, uint64_t v);
/* Returns bytes read, 0 if the input ends early or the value overflows. */
size_t ordo__varint_get(const uint8_t *p, size_t len, uint64_t *v);

#endif
