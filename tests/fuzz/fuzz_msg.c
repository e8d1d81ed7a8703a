/*
 * fuzz_msg.c - libFuzzer target: the receiver's decoding of a message from a
 * peer (runtime/msg_decode.h), then the merge of its clocks into ours.
 *
 * Input: byte 0 picks the clocks this rank runs, byte 1 where a split
 * message's header ends; the rest is the message, decoded twice: whole
 * (hlen 0, as a small message arrives: short or long form) and split into
 * the transport's header and data.  Each piece is copied into a buffer of
 * its exact size, so that a read past it is caught.  A message that is
 * accepted must lie within what was received.
 */
#include "ordo_config.h"

#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/msg_decode.h"
#include "runtime/rt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NRANKS 4

/* lclock.c's public calls look at it; nothing here starts the runtime. */
ordo__rt_t ordo__rt;

/* Without HLC: its receive rule reads the wall clock, and a run must repeat. */
static const unsigned clocks[] = {
    ORDO__CLOCK_LAMPORT,
    ORDO__CLOCK_LAMPORT | ORDO__CLOCK_VECTOR,
    ORDO__CLOCK_VECTOR,
    0,
    ORDO__CLOCK_LAMPORT | ORDO__CLOCK_HLC | ORDO__CLOCK_VECTOR, /* decoded, not merged */
};
#define NCLOCKS (sizeof(clocks) / sizeof(clocks[0]))

static int within(const void *p, size_t n, const uint8_t *buf, size_t len)
{
    const uint8_t *q = p;
    return n == 0 || (q >= buf && q <= buf + len && n <= (size_t)(buf + len - q));
}

/* Decode hdr[0, hlen) and data[0, len); check what an accepted one says. */
static void decode(const uint8_t *hdr, size_t hlen, const uint8_t *data, size_t len,
                   unsigned enabled)
{
    ordo__msg_hdr_t h;
    ordo__stamp_t st;
    ordo__msg_body_t b;
    const char *why = NULL;
    int s = ordo__msg_decode(hdr, hlen, data, len, NRANKS, &h, &st, &b, &why);

    if (s < 0) {
        if (!why)
            __builtin_trap();
        return;
    }
    if (h.src < 0 || h.src >= NRANKS || h.kind < ORDO__MSG_SEND || h.kind > ORDO__MSG_ACK ||
        b.pre_len > ORDO__RPC_PREFIX_MAX || (s == 1 && hlen != 0))
        __builtin_trap();
    if (!within(b.data, b.len, data, len))
        __builtin_trap();
    if (!within(b.pre, b.pre_len, hlen ? hdr : data, hlen ? hlen : len))
        __builtin_trap();
    if ((st.flags & ORDO__CLOCK_VECTOR) &&
        !within(st.vc, st.vc_len, hlen ? hdr : data, hlen ? hlen : len))
        __builtin_trap();
    if (!(enabled & ORDO__CLOCK_HLC))
        ordo__lclock_recv_inline(&st, h.src, h.handler, h.seq);
}

static uint8_t *copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (c && n)
        memcpy(c, p, n);
    return c;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ordo__log_level = ORDO__LOG_ERROR; /* malformed messages are the norm here */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    if (n < 2)
        return 0;
    unsigned enabled = clocks[in[0] % NCLOCKS];
    size_t split = in[1];
    in += 2;
    n -= 2;
    if (ordo__lclock_init(1, NRANKS, enabled, 500000, NULL) != ORDO_OK)
        return 0;

    uint8_t *whole = copy(in, n);
    if (whole)
        decode(NULL, 0, whole, n, enabled);
    free(whole);

    if (split > n)
        split = n;
    uint8_t *hdr = copy(in, split), *data = copy(in + split, n - split);
    if (hdr && data)
        decode(hdr, split, data, n - split, enabled);
    free(hdr);
    free(data);
    ordo__lclock_fini();
    return 0;
}
