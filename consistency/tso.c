/*
 * tso.c - total store order: a rank's writes (to every TSO object) enter one
 * FIFO store buffer and ordo_write returns at once; the buffer drains one
 * write at a time, each completed at its home before the next starts, so
 * other ranks see this rank's writes in program order.  A read of this rank
 * sees its own buffered writes (store forwarding) laid over the value at
 * the home.  ordo_fence() and atomics drain the buffer; a full buffer
 * drains before it takes more.
 */
#include "ordo_config.h"

#include "consistency/home.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

#define TSO_INLINE 32

typedef struct tso_entry {
    struct ordo_obj *o;
    size_t off, len;
    uint8_t *data; /* inline_data or from ordo__buf_get */
    size_t cap;
    uint8_t inline_data[TSO_INLINE];
} tso_entry_t;

static struct {
    tso_entry_t *ring;
    size_t cap, head, count;
    size_t bytes;     /* payload bytes buffered */
    size_t max_bytes; /* ORDO_TSO_BUFFER_BYTES */
    size_t head_done; /* bytes of the oldest write already at its home */
    int inflight;     /* a piece of the oldest write is on its way */
    size_t inflight_len;
    int paused; /* a read is laying the buffer over home values */
    int status; /* first failure of a drained write, for the next fence */
} tso;

static int tso_init(void)
{
    memset(&tso, 0, sizeof(tso));
    tso.cap = (size_t)ordo__obj_cfg.tso_buffer;
    tso.max_bytes = (size_t)ordo__obj_cfg.tso_buffer_bytes;
    tso.ring = calloc(tso.cap, sizeof(*tso.ring));
    return tso.ring ? ORDO_OK : ORDO_ERR_NOMEM;
}

static tso_entry_t *entry(size_t i) /* i-th oldest */
{
    return &tso.ring[(tso.head + i) % tso.cap];
}

static void pop(void)
{
    tso_entry_t *e = entry(0);
    if (e->data != e->inline_data)
        ordo__buf_put(e->data, e->cap);
    tso.bytes -= e->len;
    memset(e, 0, sizeof(*e));
    tso.head = (tso.head + 1) % tso.cap;
    tso.count--;
    tso.head_done = 0;
}

static void tso_fini(void)
{
    while (tso.ring && tso.count)
        pop();
    free(tso.ring);
    memset(&tso, 0, sizeof(tso));
}

static void fail(int status)
{
    if (tso.status == ORDO_OK)
        tso.status = status;
}

/* A piece of the oldest write reached its home (runs from progress). */
static void piece_done(void *arg, int status)
{
    (void)arg;
    tso.inflight = 0;
    if (status != ORDO_OK) {
        tso_entry_t *e = entry(0);
        ordo_log_warn("a buffered write of %zu bytes at %zu of object %u failed: %s", e->len,
                      e->off, e->o ? e->o->id : 0, ordo_strerror(status));
        fail(status);
        pop(); /* the rest of this write goes nowhere either */
    } else {
        tso.head_done += tso.inflight_len;
        if (tso.head_done == entry(0)->len)
            pop();
    }
    ordo__module_wake(&ordo__obj_module); /* the next write goes from progress */
}

/* Send what can go now: pieces of the oldest write, one at a time. */
static void drain_step(void)
{
    while (tso.count && !tso.inflight && !tso.paused) {
        tso_entry_t *e = entry(0);
        if (!e->o) { /* its object was freed */
            pop();
            continue;
        }
        size_t at = e->off + tso.head_done, b = at / e->o->block;
        size_t n = ordo__obj_run(e->o, at, e->len - tso.head_done);
        tso.inflight = 1;
        tso.inflight_len = n;
        int s = ordo__sc_write_block_nb(e->o, b, at, e->data + tso.head_done, n, piece_done, NULL);
        if (s == ORDO__INPROGRESS)
            return;          /* piece_done follows (it may have run already) */
        piece_done(NULL, s); /* applied here (this rank is the home), or failed */
    }
}

/* The next piece goes from progress; more is left while the buffer holds writes. */
static int tso_progress(void)
{
    drain_step();
    return tso.count > 0;
}

static int drained(void *arg)
{
    (void)arg;
    drain_step();
    return tso.count == 0;
}

static int has_room(void *arg)
{
    size_t len = *(const size_t *)arg;
    drain_step();
    return tso.count == 0 || (tso.count < tso.cap && tso.bytes + len <= tso.max_bytes);
}

static int quiet(void *arg)
{
    (void)arg;
    return !tso.inflight;
}

static int tso_fence(void)
{
    if (!tso.ring)
        return ORDO_OK;
    tso.paused = 0;
    int status = ordo__wait_until(drained, NULL, 0);
    if (status == ORDO_OK && tso.status != ORDO_OK) {
        status = tso.status;
        tso.status = ORDO_OK;
    }
    return status;
}

static int tso_write(struct ordo_obj *o, size_t off, const void *buf, size_t len)
{
    if (tso.count == tso.cap || tso.bytes + len > tso.max_bytes) {
        int status = ordo__wait_until(has_room, &len, 0);
        if (status != ORDO_OK)
            return status;
    }
    tso_entry_t *e = entry(tso.count);
    e->cap = 0;
    e->data = len <= TSO_INLINE ? e->inline_data : ordo__buf_get(len, &e->cap);
    if (!e->data)
        return ORDO_ERR_NOMEM;
    memcpy(e->data, buf, len);
    e->o = o;
    e->off = off;
    e->len = len;
    tso.count++;
    tso.bytes += len;
    ordo__module_wake(&ordo__obj_module);
    if (!tso.inflight)
        drain_step();
    return ORDO_OK;
}

/* Lay the buffered, not yet applied bytes of o over [off, off+len). */
static void forward(const struct ordo_obj *o, size_t off, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < tso.count; i++) {
        tso_entry_t *e = entry(i);
        size_t skip = i == 0 ? tso.head_done : 0; /* already at the home */
        size_t lo = e->off + skip, hi = e->off + e->len;
        if (e->o != o || hi <= off || lo >= off + len)
            continue;
        size_t from = lo > off ? lo : off, to = hi < off + len ? hi : off + len;
        memcpy(buf + (from - off), e->data + (from - e->off), to - from);
    }
}

/* Does a buffered write not yet applied (whole, or the in-flight piece
 * with inflight_only) touch [off, off+len) of o? */
static int overlaps(const struct ordo_obj *o, size_t off, size_t len, int inflight_only)
{
    for (size_t i = 0; i < tso.count; i++) {
        tso_entry_t *e = entry(i);
        size_t lo = e->off + (i == 0 ? tso.head_done : 0), hi = e->off + e->len;
        if (inflight_only) {
            if (i > 0 || !tso.inflight)
                return 0;
            hi = lo + tso.inflight_len;
        }
        if (e->o == o && lo < off + len && off < hi)
            return 1;
    }
    return 0;
}

static int tso_read(struct ordo_obj *o, size_t off, void *buf, size_t len)
{
    /* A read passes the buffered writes to other locations (TSO lets it). */
    if (tso.count == 0 || !overlaps(o, off, len, 0))
        return ordo__sc_read(o, off, buf, len);
    /* Hold the buffer still while reading: the piece in flight, if it is one
     * of ours, lands first, and none starts, so every byte laid over the
     * home's value is one the home has not got. */
    tso.paused = 1;
    int status = overlaps(o, off, len, 1) ? ordo__wait_until(quiet, NULL, 0) : ORDO_OK;
    if (status == ORDO_OK)
        status = ordo__sc_read(o, off, buf, len);
    if (status == ORDO_OK)
        forward(o, off, buf, len);
    tso.paused = 0;
    drain_step();
    return status;
}

static void tso_forget(struct ordo_obj *o)
{
    /* After a fence the buffer is empty; a failed fence may leave writes of
     * o behind.  They can no longer go anywhere: mark them, and the drain
     * drops them (a piece in flight finishes first). */
    for (size_t i = 0; i < tso.count; i++)
        if (entry(i)->o == o)
            entry(i)->o = NULL;
}

/* Atomics run at the home, after the store buffer has drained (a fence, as
 * a locked instruction on x86). */
static int tso_atomic(struct ordo_obj *o, int op, size_t off, int64_t a, int64_t b, int64_t *old)
{
    int status = tso_fence();
    return status == ORDO_OK ? ordo__sc_atomic(o, op, off, a, b, old) : status;
}

const ordo__obj_model_ops_t ordo__tso_ops = {
    .name = "tso",
    .init = tso_init,
    .fini = tso_fini,
    .alloc = ordo__home_blocks_index,
    .read = tso_read,
    .write = tso_write,
    .atomic = tso_atomic,
    .fence = tso_fence,
    .free = tso_forget,
    .progress = tso_progress,
    .home = &ordo__home_blocks,
};
