/*
 * msg_decode.h - a received message parsed and checked (msg.h's layouts)
 * before any field of it is trusted: a pure function of the bytes, the job's
 * size and the clocks this rank runs (lclock.h), so that the receiver
 * (rpc_recv.c) and the fuzzer (tests/fuzz/fuzz_msg.c) run the same code.
 *
 * Inline, and with its outputs apart: it is the first step of the
 * receiver's hot path, and the caller's prefix and payload pointers stay in
 * registers (the header and clocks are passed on by address anyway).
 */
#ifndef ORDO_RUNTIME_MSG_DECODE_H
#define ORDO_RUNTIME_MSG_DECODE_H

#include "runtime/lclock.h"
#include "runtime/msg.h"
#include "runtime/rt.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* What follows a message's header: a request's prefix, then the payload (or
 * a rendezvous descriptor). */
typedef struct ordo__msg_body {
    const void *pre; /* pre_len bytes, or NULL in the short form without one */
    size_t pre_len;
    const void *data;
    size_t len;
} ordo__msg_body_t;

#define ORDO__MSG_DECODE_INLINE static inline __attribute__((always_inline))
/* What only a malformed message runs: out of the hot path's way. */
#define ORDO__MSG_DECODE_COLD static __attribute__((noinline, cold, unused))

/* The header a short form that lies says it has (for the warning), and
 * what is wrong with it. */
ORDO__MSG_DECODE_COLD const char *ordo__msg_short_why(const ordo__msg_short_t *m, size_t len,
                                                      int nranks, ordo__msg_hdr_t *h)
{
    unsigned tag = m->src_tag >> 24, src = m->src_tag & ORDO__MSG_SHORT_SRC_MAX;
    int with_pre = tag == ORDO__MSG_SHORT_REQ_PRE || tag == ORDO__MSG_SHORT_SEND_PRE;
    int req = tag != ORDO__MSG_SHORT_REPLY; /* or a one-way message: a handler id */
    uint32_t handler = with_pre ? m->arg & 0xffffu : m->arg;
    uint32_t pre_len = with_pre ? m->arg >> 16 : 0;

    *h = (ordo__msg_hdr_t){.magic = ORDO__MSG_MAGIC,
                           .version = ORDO__MSG_VERSION,
                           .kind = (uint8_t)(tag & 0xf),
                           .hdr_len = sizeof(*m),
                           .handler = (uint16_t)handler,
                           .pre_len = (uint16_t)pre_len,
                           .src = (int32_t)src,
                           .status = req ? 0 : (int32_t)m->arg,
                           .req_id = m->req_id};
    if (src >= (unsigned)nranks)
        return "short form: no such source rank";
    if (req && handler > UINT16_MAX)
        return "short form: a handler id of more than 16 bits";
    if (pre_len == 0 || pre_len > ORDO__RPC_PREFIX_MAX)
        return "short form: a prefix flag with no prefix or too long a prefix";
    if (len < sizeof(*m) + (size_t)pre_len)
        return "short form: a prefix past the end of the message";
    return "short form: refused"; /* not reached */
}

/* What is wrong with a long form's header h, which the checks refused
 * (hlen bytes of header, clocks and prefix at hdr). */
ORDO__MSG_DECODE_COLD const char *ordo__msg_long_why(const ordo__msg_hdr_t *h, const void *hdr,
                                                     size_t hlen, int nranks)
{
    ordo__stamp_t st;
    size_t pre_len = h->pre_len;

    if (h->magic != ORDO__MSG_MAGIC)
        return "bad magic";
    if (h->version != ORDO__MSG_VERSION)
        return "another version";
    if (h->hdr_len < sizeof(*h) || (size_t)h->hdr_len + pre_len != hlen)
        return "header lengths that do not add up";
    if (pre_len && !(h->flags & ORDO__MSG_F_PREFIX))
        return "a prefix without its flag";
    if ((h->flags & ORDO__MSG_F_PREFIX) && (!pre_len || pre_len > ORDO__RPC_PREFIX_MAX))
        return "a prefix flag with no prefix or too long a prefix";
    if ((h->flags & ORDO__MSG_F_PREFIX) && (h->kind == ORDO__MSG_REPLY || h->kind == ORDO__MSG_ACK))
        return "a prefix on a reply or acknowledgement";
    if (h->src < 0 || h->src >= nranks)
        return "no such source rank";
    if (h->kind < ORDO__MSG_SEND || h->kind > ORDO__MSG_ACK)
        return "unknown kind";
    if (h->flags & ~ORDO__MSG_F_ALL)
        return "unknown flags";
    if (ordo__lclock_decode((const uint8_t *)hdr + sizeof(*h), h->hdr_len - sizeof(*h),
                            h->flags & ORDO__MSG_F_CLOCKS, &st) != 0)
        return "a clock extension that does not parse";
    return "refused"; /* not reached */
}

/* The short form (msg.h) of a message sent as one piece: 1 if it is one
 * (h, st and b filled), 0 if it is not, -1 if it is but lies (*why; h holds
 * what it said). */
ORDO__MSG_DECODE_INLINE int ordo__msg_decode_short(const void *data, size_t len, int nranks,
                                                   ordo__msg_hdr_t *h, ordo__stamp_t *st,
                                                   ordo__msg_body_t *b, const char **why)
{
    ordo__msg_short_t m;
    if (len < sizeof(m))
        return 0;
    memcpy(&m, data, sizeof(m));
    unsigned tag = m.src_tag >> 24, src = m.src_tag & ORDO__MSG_SHORT_SRC_MAX;
    int with_pre = tag == ORDO__MSG_SHORT_REQ_PRE || tag == ORDO__MSG_SHORT_SEND_PRE;
    int send = tag == ORDO__MSG_SHORT_SEND || tag == ORDO__MSG_SHORT_SEND_PRE;
    int once = tag == ORDO__MSG_SHORT_REQ || tag == ORDO__MSG_SHORT_REQ_PRE;
    int req = once || send; /* a handler id in bytes 4..7 */
    if (!req && tag != ORDO__MSG_SHORT_REPLY)
        return 0;
    uint32_t handler = with_pre ? m.arg & 0xffffu : m.arg, pre_len = with_pre ? m.arg >> 16 : 0;
    if (src >= (unsigned)nranks || (req && handler > UINT16_MAX) ||
        (with_pre &&
         (pre_len == 0 || pre_len > ORDO__RPC_PREFIX_MAX || len < sizeof(m) + (size_t)pre_len))) {
        *why = ordo__msg_short_why(&m, len, nranks, h);
        return -1;
    }
    *h = (ordo__msg_hdr_t){.magic = ORDO__MSG_MAGIC,
                           .version = ORDO__MSG_VERSION,
                           .kind = (uint8_t)(tag & 0xf),
                           .hdr_len = sizeof(m),
                           .flags = (uint16_t)(ORDO__MSG_F_LAMPORT | (once ? ORDO__MSG_F_ONCE : 0) |
                                               (pre_len ? ORDO__MSG_F_PREFIX : 0)),
                           .handler = (uint16_t)(req ? handler : 0),
                           .pre_len = (uint16_t)pre_len,
                           .src = (int32_t)src,
                           .status = req ? 0 : (int32_t)m.arg,
                           .req_id = m.req_id};
    *st = (ordo__stamp_t){.flags = ORDO__CLOCK_LAMPORT, .lamport = m.lamport};
    b->pre_len = pre_len;
    b->pre = pre_len ? (const uint8_t *)data + sizeof(m) : NULL;
    b->data = (const uint8_t *)data + sizeof(m) + pre_len;
    b->len = len - sizeof(m) - pre_len;
    return 1;
}

/*
 * The message the transport handed up: hlen bytes of header at hdr and len
 * bytes of data, or (hlen 0) all of it as data, in the short form or the
 * long (msg.h).  nranks: the job's size, which every source is below.
 * Returns 1 for a message in the short form, 0 for one in the long form,
 * with h, st (its clocks) and b (prefix and payload) filled; -1 if it is
 * malformed, with *why saying how (and h as far as it was read).  Reads the
 * clocks' settings (lclock.h) and nothing else outside its arguments.
 */
ORDO__MSG_DECODE_INLINE int ordo__msg_decode(const void *hdr, size_t hlen, const void *data,
                                             size_t len, int nranks, ordo__msg_hdr_t *h,
                                             ordo__stamp_t *st, ordo__msg_body_t *b,
                                             const char **why)
{
    if (hlen == 0) {
        int s = ordo__msg_decode_short(data, len, nranks, h, st, b, why);
        if (s != 0)
            return s;
        /* Header and payload as one: the header leads the data. */
        if (len < sizeof(*h)) {
            memset(h, 0, sizeof(*h));
            *why = "truncated header";
            return -1;
        }
        memcpy(h, data, sizeof(*h));
        hlen = (size_t)h->hdr_len + h->pre_len;
        if (hlen > len)
            hlen = 0; /* refused below */
        hdr = data;
        data = (const uint8_t *)data + hlen;
        len -= hlen;
    } else if (hlen >= sizeof(*h)) {
        memcpy(h, hdr, sizeof(*h));
    } else {
        memset(h, 0, sizeof(*h));
        *why = "truncated header";
        return -1;
    }
    size_t pre_len = h->pre_len;
    if (h->magic != ORDO__MSG_MAGIC || h->version != ORDO__MSG_VERSION || h->hdr_len < sizeof(*h) ||
        (size_t)h->hdr_len + pre_len != hlen || (pre_len && !(h->flags & ORDO__MSG_F_PREFIX)) ||
        ((h->flags & ORDO__MSG_F_PREFIX) &&
         (!pre_len || pre_len > ORDO__RPC_PREFIX_MAX || h->kind == ORDO__MSG_REPLY ||
          h->kind == ORDO__MSG_ACK)) ||
        h->src < 0 || h->src >= nranks || h->kind < ORDO__MSG_SEND || h->kind > ORDO__MSG_ACK ||
        (h->flags & ~ORDO__MSG_F_ALL) ||
        ordo__lclock_decode_inline((const uint8_t *)hdr + sizeof(*h), h->hdr_len - sizeof(*h),
                                   h->flags & ORDO__MSG_F_CLOCKS, st) != 0) {
        *why = ordo__msg_long_why(h, hdr, hlen, nranks);
        return -1;
    }
    /* A request's prefix follows the clocks. */
    b->pre_len = pre_len;
    b->pre = (const uint8_t *)hdr + h->hdr_len;
    b->data = data;
    b->len = len;
    return 0;
}

#endif
