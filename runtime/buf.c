/*
 * buf.c - reusable large buffers: payload copies and rendezvous landing
 * buffers of the message layer, request copies and store-buffer entries of
 * the shared objects.  From 4 KiB on, a buffer comes from a pool by
 * power-of-two class, so one used again is already faulted in (and, for
 * the registration cache, already registered); a class keeps up to 16 MiB
 * of buffers (at least 4).  Used under the runtime's lock.
 */
#include "ordo_config.h"

#include "runtime/rt.h"

#include <stdlib.h>

#define BUF_MIN_SHIFT  12 /* 4 KiB */
#define BUF_CLASSES    29 /* up to 2^40 */
#define BUF_KEEP       256
#define BUF_KEEP_BYTES ((size_t)16 << 20)

static struct {
    void *free[BUF_CLASSES][BUF_KEEP];
    int count[BUF_CLASSES];
} bufs;

static unsigned class_of(size_t len)
{
    unsigned c = 0;
    while (c + 1 < BUF_CLASSES && ((size_t)1 << (BUF_MIN_SHIFT + c)) < len)
        c++;
    return c;
}

void *ordo__buf_get(size_t len, size_t *cap)
{
    if (len < ((size_t)1 << BUF_MIN_SHIFT)) {
        *cap = 0;
        return malloc(len ? len : 1);
    }
    unsigned c = class_of(len);
    *cap = (size_t)1 << (BUF_MIN_SHIFT + c);
    if (bufs.count[c])
        return bufs.free[c][--bufs.count[c]];
    return malloc(*cap);
}

void ordo__buf_put(void *p, size_t cap)
{
    if (p && cap) {
        unsigned c = class_of(cap);
        int keep = cap * 4 >= BUF_KEEP_BYTES ? 4 : (int)(BUF_KEEP_BYTES / cap);
        if (keep > BUF_KEEP)
            keep = BUF_KEEP;
        if (bufs.count[c] < keep) {
            bufs.free[c][bufs.count[c]++] = p;
            return;
        }
    }
    free(p);
}

void ordo__buf_release(void)
{
    for (unsigned c = 0; c < BUF_CLASSES; c++)
        while (bufs.count[c])
            free(bufs.free[c][--bufs.count[c]]);
}
