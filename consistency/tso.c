/*
 * tso.c - total store order: a rank's writes (to every TSO object) enter one
 * FIFO store buffer and ordo_write returns at once; the buffer drains one
 * piece (a write's run of blocks at one home) at a time, each completed at
 * its home before the next starts, so other ranks see this rank's writes
 * in program order.  ordo_fence() and atomics drain the buffer; a full
 * buffer drains before it takes more.
 *
 * Store forwarding: a read sees this rank's own buffered writes, the newest
 * one of each byte, as x86-TSO's buffer does.  A read the buffer covers is
 * served from it alone, without a message; a read it covers in part reads
 * the bytes it does not cover from the home (the drain held still
 * meanwhile) and lays the buffered bytes over them; a read it does not
 * touch goes to the home.
 *
 * The piece in flight is the one care: the home may already have applied
 * it, and other ranks may have written over it since.  Its bytes are
 * forwarded only as long as that cannot show, i.e. TSO can still place the
 * read before the piece drains: no read of a home by this rank has ended
 * since the piece was sent (such a read may have seen memory after the
 * piece landed, and program order keeps a later read after it), and no word
 * of the read mixes the piece's bytes with bytes read from a home (a word
 * is read at one moment).  Otherwise the read waits for the piece to land,
 * as every read overlapping the buffer used to.  (Without the first rule
 * MP+rfi, which TSO forbids, shows on 4 ranks under injected delay.)  Only
 * reads of TSO objects count as such reads: a rank that learns of others'
 * writes another way (messages, SC or causal objects) fences first.
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
    uint64_t inflight_no;  /* its number: pieces sent before it, and it */
    uint64_t sent;         /* pieces sent */
    uint64_t read_mark;    /* pieces sent when this rank's last read of a home ended */
    ordo__obj_range_t *iv; /* scratch for a read: 2 * cap + 4 ranges */
    int paused;            /* a read is laying the buffer over home values */
    int status;            /* first failure of a drained write, for the next fence */
} tso;

static int tso_init(void)
{
    memset(&tso, 0, sizeof(tso));
    tso.cap = (size_t)ordo__obj_cfg.tso_buffer;
    tso.max_bytes = (size_t)ordo__obj_cfg.tso_buffer_bytes;
    tso.ring = calloc(tso.cap, sizeof(*tso.ring));
    tso.iv = calloc(2 * tso.cap + 4, sizeof(*tso.iv));
    return tso.ring && tso.iv ? ORDO_OK : ORDO_ERR_NOMEM;
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
    free(tso.iv);
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
    tso_entry_t *head = entry(0);
    int home = head->o ? head->o->home[(head->off + tso.head_done) / head->o->block] : -1;
    if (status == ORDO_ERR_PEER_FAILED && home >= 0) {
        /* Its home failed (the transport may tell the message layer a
         * moment before the view): the piece is dropped (its blocks are
         * lost), the next fence says so, and the rest drains on. */
        ordo_log_debug("a buffered write of %zu bytes at %zu of object %u to failed rank %d "
                       "dropped",
                       tso.inflight_len, head->off + tso.head_done, head->o->id, home);
        ordo__obj_skip(home);
        status = ORDO_OK;
    }
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
        tso.inflight_no = ++tso.sent;
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

/* The piece numbered *arg is no longer in flight (it landed, or failed). */
static int landed(void *arg)
{
    return !tso.inflight || tso.inflight_no != *(const uint64_t *)arg;
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

/* ---- store forwarding ------------------------------------------------------ */

/* Lay the buffered, not yet applied bytes of o over [off, off+len): the
 * writes oldest first, so the newest byte wins. */
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

/* Add [lo, hi) clipped to [off, off+len) to v[*n], if anything is left. */
static void add_range(ordo__obj_range_t *v, size_t *n, size_t lo, size_t hi, size_t off, size_t len)
{
    lo = lo > off ? lo : off;
    hi = hi < off + len ? hi : off + len;
    if (lo < hi)
        v[(*n)++] = (ordo__obj_range_t){lo, hi - lo};
}

static int cmp_range(const void *a, const void *b)
{
    const ordo__obj_range_t *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Sort v[0..n) and merge ranges that overlap or touch; the count left. */
static size_t merge(ordo__obj_range_t *v, size_t n)
{
    size_t k = 0;
    qsort(v, n, sizeof(*v), cmp_range);
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && v[i].off <= v[k - 1].off + v[k - 1].len) {
            size_t end = v[i].off + v[i].len;
            if (end > v[k - 1].off + v[k - 1].len)
                v[k - 1].len = end - v[k - 1].off;
        } else {
            v[k++] = v[i];
        }
    }
    return k;
}

/* Is [lo, hi) inside the merged ranges v[0..n)? (Empty: yes.) */
static int covered(const ordo__obj_range_t *v, size_t n, size_t lo, size_t hi)
{
    if (lo >= hi)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (v[i].off <= lo && hi <= v[i].off + v[i].len)
            return 1;
    return 0;
}

/* The bytes of [off, off+len) that o's buffered writes not yet sent cover,
 * merged into v; their count. */
static size_t queued(const struct ordo_obj *o, size_t off, size_t len, ordo__obj_range_t *v)
{
    size_t n = 0;
    for (size_t i = 0; i < tso.count; i++) {
        tso_entry_t *e = entry(i);
        size_t skip = i > 0 ? 0 : tso.head_done + (tso.inflight ? tso.inflight_len : 0);
        if (e->o == o)
            add_range(v, &n, e->off + skip, e->off + e->len, off, len);
    }
    return merge(v, n);
}

/* The in-flight piece's bytes in [off, off+len) of o: *lo == *hi if none. */
static void in_flight(const struct ordo_obj *o, size_t off, size_t len, size_t *lo, size_t *hi)
{
    *lo = *hi = 0;
    if (!tso.inflight || entry(0)->o != o)
        return;
    size_t from = entry(0)->off + tso.head_done, to = from + tso.inflight_len;
    *lo = from > off ? from : off;
    *hi = to < off + len ? to : off + len;
    if (*lo > *hi)
        *lo = *hi;
}

/* May the read of [off, off+len) take the in-flight piece's bytes [lo, hi)
 * it needs (those the queued writes q[0..nq) do not cover)?  Not after a
 * read of a home that ended once the piece was sent, nor into a word the
 * rest of which the home gives. */
static int may_forward_in_flight(const ordo__obj_range_t *q, size_t nq, size_t off, size_t len,
                                 size_t lo, size_t hi)
{
    if (covered(q, nq, lo, hi))
        return 1; /* newer writes cover them: the piece is not needed */
    if (tso.inflight_no <= tso.read_mark)
        return 0;
    size_t wlo = lo / 8 * 8, whi = (hi + 7) / 8 * 8; /* the words it touches, in the read */
    wlo = wlo > off ? wlo : off;
    whi = whi < off + len ? whi : off + len;
    return covered(q, nq, wlo, lo) && covered(q, nq, hi, whi);
}

/* The gaps of [off, off+len) outside the merged ranges c[0..n), into g; their count. */
static size_t gaps(const ordo__obj_range_t *c, size_t n, size_t off, size_t len,
                   ordo__obj_range_t *g)
{
    size_t k = 0, at = off;
    for (size_t i = 0; i < n; i++) {
        if (c[i].off > at)
            g[k++] = (ordo__obj_range_t){at, c[i].off - at};
        at = c[i].off + c[i].len;
    }
    if (at < off + len)
        g[k++] = (ordo__obj_range_t){at, off + len - at};
    return k;
}

/* The common case, quickly: the newest buffered write of o that touches
 * [off, off+len) holds all of it (and may be forwarded): copy it; 1 if so. */
static int forward_one(const struct ordo_obj *o, size_t off, uint8_t *buf, size_t len)
{
    for (size_t i = tso.count; i-- > 0;) {
        tso_entry_t *e = entry(i);
        size_t lo = e->off + (i == 0 ? tso.head_done : 0), hi = e->off + e->len;
        if (e->o != o || hi <= off || lo >= off + len)
            continue;
        if (lo > off || hi < off + len)
            return 0; /* part of it: the general way */
        if (i == 0 && tso.inflight && off < lo + tso.inflight_len &&
            tso.inflight_no <= tso.read_mark)
            return 0; /* needs the piece in flight, which may not be forwarded */
        memcpy(buf, e->data + (off - e->off), len);
        return 1;
    }
    return 0;
}

/* A read of the home: the rank's later reads follow it (see may_forward_in_flight). */
static int read_home(struct ordo_obj *o, size_t off, uint8_t *buf, const ordo__obj_range_t *r,
                     size_t n)
{
    int status = ordo__sc_read_ranges(o, off, buf, r, n);
    tso.read_mark = tso.sent;
    return status;
}

static int tso_read(struct ordo_obj *o, size_t off, void *buf, size_t len)
{
    ordo__obj_range_t *q = tso.iv, *g = tso.iv + tso.cap + 1, whole = {off, len};
    size_t nq, lo, hi;
    /* A read passes the buffered writes to other locations (TSO lets it). */
    if (tso.count == 0)
        return read_home(o, off, buf, &whole, 1);
    if (forward_one(o, off, buf, len))
        return ORDO_OK;
    for (;;) {
        nq = queued(o, off, len, q);
        in_flight(o, off, len, &lo, &hi);
        if (lo == hi || may_forward_in_flight(q, nq, off, len, lo, hi))
            break;
        uint64_t no = tso.inflight_no; /* wait for it: its bytes are the home's then */
        int status = ordo__wait_until(landed, &no, 0);
        if (status != ORDO_OK)
            return status;
    }
    if (nq == 0 && lo == hi)
        return read_home(o, off, buf, &whole, 1); /* nothing buffered here */
    if (lo < hi)
        q[nq++] = (ordo__obj_range_t){lo, hi - lo};
    nq = merge(q, nq);
    forward(o, off, buf, len); /* before the home's bytes: the buffer may drain meanwhile */
    size_t ng = gaps(q, nq, off, len, g);
    if (ng == 0)
        return ORDO_OK; /* all from the buffer: no message */
    /* The rest from the home, the buffer held still: the bytes laid over a
     * word the home gives are still buffered when the home reads it. */
    tso.paused = 1;
    int status = read_home(o, off, buf, g, ng);
    tso.paused = 0;
    drain_step();
    return status;
}

/* The piece in flight to a failed home ends from the message layer
 * (piece_done), the next ones fail at once, without a message: nothing to
 * do but drain on. */
static void tso_peer_failed(int peer)
{
    (void)peer;
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
    .peer_failed = tso_peer_failed,
    .home = &ordo__home_blocks,
};
