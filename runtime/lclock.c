/*
 * lclock.c - logical clocks on every message, and the event trace.
 *
 *   Lamport   send / local event: C = C + 1;  receive: C = max(C, C_msg) + 1
 *   vector    send / local event: V[me]++;  receive: V = max(V, V_msg), V[me]++
 *   HLC       (Kulkarni et al. 2014) send / local event:
 *                 l' = l; l = max(l', pt); c = (l == l') ? c + 1 : 0
 *             receive of (l_m, c_m):
 *                 l' = l; l = max(l', l_m, pt);
 *                 c = l == l' == l_m ? max(c, c_m) + 1 : l == l' ? c + 1 :
 *                     l == l_m ? c_m + 1 : 0
 *             a message whose l_m is ahead of pt by more than
 *             ORDO_HLC_MAX_OFFSET_US is reported and counted.
 *
 * With ORDO_TRACE=dir every rank appends one line per send, receive and user
 * event to dir/ordo-trace.<rank>.txt; `ordo-trace` checks and exports them.
 */
#include "ordo_config.h"

#include "runtime/lclock.h"

#include "runtime/clock.h"
#include "runtime/fault.h"

#include "runtime/log.h"
#include "runtime/rt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define VARINT_MAX 10

uint64_t ordo__lamport;
int ordo__lclock_lamport_only;

static struct {
    int me, n;
    unsigned enabled;
    uint64_t *vc;
    uint64_t hlc_l, hlc_c;
    uint64_t max_offset_ns;
    uint64_t hlc_ahead;
    FILE *trace;
    uint64_t trace_seq;
} lc;

/* The physical clock the HLC reads (and leases will): real time, shifted
 * by ORDO_FAULT's skew and drift for this rank. */
static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (__builtin_expect(ordo__fault_active(), 0))
        t += (uint64_t)ordo__fault_clock_offset_ns(ordo__now_ns());
    return t;
}

uint64_t ordo__phys_ns(void)
{
    return wall_ns();
}

size_t ordo__varint_put(uint8_t *p, uint64_t v)
{
    size_t i = 0;
    while (v >= 0x80) {
        p[i++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[i++] = (uint8_t)v;
    return i;
}

size_t ordo__varint_get(const uint8_t *p, size_t len, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < len && i < VARINT_MAX; i++) {
        uint64_t b = p[i] & 0x7f;
        if (i == VARINT_MAX - 1 && b > 1)
            return 0; /* more than 64 bits */
        x |= b << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

int ordo__lclock_init(int me, int n, unsigned clocks, uint64_t hlc_max_offset_us,
                      const char *trace_dir)
{
    char path[4096];

    memset(&lc, 0, sizeof(lc));
    ordo__lamport = 0;
    lc.me = me;
    lc.n = n;
    lc.enabled = clocks;
    lc.max_offset_ns = hlc_max_offset_us * 1000u;
    if (trace_dir && *trace_dir)
        lc.enabled = ORDO__CLOCK_LAMPORT | ORDO__CLOCK_HLC | ORDO__CLOCK_VECTOR;
    ordo__lclock_lamport_only = lc.enabled == ORDO__CLOCK_LAMPORT;
    if (lc.enabled & ORDO__CLOCK_VECTOR) {
        lc.vc = calloc((size_t)n, sizeof(*lc.vc));
        if (!lc.vc)
            return ORDO_ERR_NOMEM;
    }
    if (!trace_dir || !*trace_dir)
        return ORDO_OK;
    if (mkdir(trace_dir, 0777) != 0 && errno != EEXIST) {
        ordo_log_error("ORDO_TRACE=%s: cannot create the directory: %s", trace_dir,
                       strerror(errno));
        goto err;
    }
    snprintf(path, sizeof(path), "%s/ordo-trace.%d.txt", trace_dir, me);
    lc.trace = fopen(path, "w");
    if (!lc.trace) {
        ordo_log_error("ORDO_TRACE: cannot write %s: %s", path, strerror(errno));
        goto err;
    }
    setvbuf(lc.trace, NULL, _IOFBF, 1 << 20);
    fprintf(lc.trace, "# ordo-trace 1 rank %d size %d\n", me, n);
    return ORDO_OK;

err:
    free(lc.vc);
    lc.vc = NULL;
    return ORDO_ERR_IO;
}

void ordo__lclock_fini(void)
{
    if (lc.trace && fclose(lc.trace) != 0)
        ordo_log_error("ORDO_TRACE: writing the trace failed: %s", strerror(errno));
    lc.trace = NULL;
    free(lc.vc);
    lc.vc = NULL;
    lc.enabled = 0;
    ordo__lclock_lamport_only = 0;
}

uint64_t ordo__lclock_hlc_ahead(void)
{
    return lc.hlc_ahead;
}

size_t ordo__lclock_ext_max(void)
{
    size_t max = 0;
    if (lc.enabled & ORDO__CLOCK_LAMPORT)
        max += 8;
    if (lc.enabled & ORDO__CLOCK_HLC)
        max += 16;
    if (lc.enabled & ORDO__CLOCK_VECTOR)
        max += VARINT_MAX * ((size_t)lc.n + 1);
    return max;
}

static void trace_line(const char *kind, int peer, int src, uint32_t seq, const char *name)
{
    if (!lc.trace)
        return;
    fprintf(lc.trace, "%" PRIu64 " %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " ",
            lc.trace_seq++, kind, wall_ns(), ordo__lamport, lc.hlc_l, lc.hlc_c);
    for (int i = 0; i < lc.n; i++)
        fprintf(lc.trace, i ? ",%" PRIu64 : "%" PRIu64, lc.vc[i]);
    if (peer < 0)
        fprintf(lc.trace, " - - %s\n", name);
    else
        fprintf(lc.trace, " %d %d.%" PRIu32 " %s\n", peer, src, seq, name);
}

void ordo__hlc_send_rule(uint64_t *l, uint64_t *c, uint64_t pt)
{
    uint64_t old = *l;
    *l = old > pt ? old : pt;
    *c = *l == old ? *c + 1 : 0;
}

void ordo__hlc_recv_rule(uint64_t *l, uint64_t *c, uint64_t lm, uint64_t cm, uint64_t pt)
{
    uint64_t old = *l, nl = old > lm ? old : lm;
    nl = nl > pt ? nl : pt;
    if (nl == old && nl == lm)
        *c = (*c > cm ? *c : cm) + 1;
    else if (nl == old)
        *c = *c + 1;
    else if (nl == lm)
        *c = cm + 1;
    else
        *c = 0;
    *l = nl;
}

/* A local event or a send. */
static void tick(void)
{
    ordo__lamport++;
    if (lc.enabled & ORDO__CLOCK_VECTOR)
        lc.vc[lc.me]++;
    if (lc.enabled & ORDO__CLOCK_HLC)
        ordo__hlc_send_rule(&lc.hlc_l, &lc.hlc_c, wall_ns());
}

static void put_u64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

size_t ordo__lclock_send(uint8_t *ext, unsigned *flags, int dest, unsigned handler, uint32_t seq)
{
    size_t len = 0;
    char name[16];

    tick();
    *flags = 0;
    if (lc.enabled & ORDO__CLOCK_LAMPORT) {
        put_u64(ext + len, ordo__lamport);
        len += 8;
        *flags |= ORDO__CLOCK_LAMPORT;
    }
    if (lc.enabled & ORDO__CLOCK_HLC) {
        put_u64(ext + len, lc.hlc_l);
        put_u64(ext + len + 8, lc.hlc_c);
        len += 16;
        *flags |= ORDO__CLOCK_HLC;
    }
    if (lc.enabled & ORDO__CLOCK_VECTOR) {
        len += ordo__varint_put(ext + len, (uint64_t)lc.n);
        for (int i = 0; i < lc.n; i++)
            len += ordo__varint_put(ext + len, lc.vc[i]);
        *flags |= ORDO__CLOCK_VECTOR;
    }
    if (lc.trace) {
        snprintf(name, sizeof(name), "%u", handler);
        trace_line("send", dest, lc.me, seq, name);
    }
    return len;
}

int ordo__lclock_decode(const uint8_t *ext, size_t len, unsigned flags, ordo__stamp_t *st)
{
    size_t at = 0;
    memset(st, 0, sizeof(*st));
    st->flags = flags;
    if (flags & ORDO__CLOCK_LAMPORT) {
        if (len < at + 8)
            return -1;
        memcpy(&st->lamport, ext + at, 8);
        at += 8;
    }
    if (flags & ORDO__CLOCK_HLC) {
        if (len < at + 16)
            return -1;
        memcpy(&st->hlc_l, ext + at, 8);
        memcpy(&st->hlc_c, ext + at + 8, 8);
        at += 16;
    }
    if (flags & ORDO__CLOCK_VECTOR) {
        uint64_t n, v;
        size_t k = ordo__varint_get(ext + at, len - at, &n);
        if (!k || n != (uint64_t)lc.n)
            return -1;
        at += k;
        st->vc = ext + at;
        for (uint64_t i = 0; i < n; i++) {
            k = ordo__varint_get(ext + at, len - at, &v);
            if (!k)
                return -1;
            at += k;
        }
        st->vc_len = (size_t)(ext + at - st->vc);
    }
    return at == len ? 0 : -1;
}

void ordo__lclock_recv(const ordo__stamp_t *st, int src, unsigned handler, uint32_t seq)
{
    char name[16];
    uint64_t m = st->flags & ORDO__CLOCK_LAMPORT ? st->lamport : 0;

    ordo__lamport = (ordo__lamport > m ? ordo__lamport : m) + 1;
    if ((lc.enabled & ORDO__CLOCK_VECTOR) && (st->flags & ORDO__CLOCK_VECTOR)) {
        const uint8_t *p = st->vc;
        size_t left = st->vc_len;
        for (int i = 0; i < lc.n; i++) {
            uint64_t v = 0;
            size_t k = ordo__varint_get(p, left, &v);
            p += k;
            left -= k;
            if (v > lc.vc[i])
                lc.vc[i] = v;
        }
    }
    if (lc.enabled & ORDO__CLOCK_VECTOR)
        lc.vc[lc.me]++;
    if (lc.enabled & ORDO__CLOCK_HLC) {
        uint64_t pt = wall_ns();
        uint64_t lm = st->flags & ORDO__CLOCK_HLC ? st->hlc_l : 0;
        uint64_t cm = st->flags & ORDO__CLOCK_HLC ? st->hlc_c : 0;
        ordo__hlc_recv_rule(&lc.hlc_l, &lc.hlc_c, lm, cm, pt);
        if (lm > pt && lm - pt > lc.max_offset_ns) {
            lc.hlc_ahead++;
            ordo_log_warn("message from rank %d carries a hybrid clock %.3f ms ahead of this "
                          "rank's physical clock (more than ORDO_HLC_MAX_OFFSET_US=%llu)",
                          src, (double)(lm - pt) / 1e6,
                          (unsigned long long)(lc.max_offset_ns / 1000u));
        }
    }
    if (lc.trace) {
        snprintf(name, sizeof(name), "%u", handler);
        trace_line("recv", src, src, seq, name);
    }
}

/* ---- public calls ------------------------------------------------------ */

uint64_t ordo_lamport_now(void)
{
    if (!ordo__rt.initialized)
        return 0;
    ORDO__LOCK();
    uint64_t v = ordo__lamport;
    ORDO__UNLOCK();
    return v;
}

uint64_t ordo_lamport_tick(void)
{
    if (!ordo__rt.initialized)
        return 0;
    ORDO__LOCK();
    uint64_t v = ++ordo__lamport;
    ORDO__UNLOCK();
    return v;
}

ordo_status_t ordo_vclock_now(uint64_t *vc, int n)
{
    ORDO__CHECK_INIT();
    if (!vc || n != lc.n)
        return ORDO_ERR_INVALID;
    if (!(lc.enabled & ORDO__CLOCK_VECTOR))
        return ORDO_ERR_UNSUPPORTED;
    ORDO__LOCK();
    memcpy(vc, lc.vc, (size_t)n * sizeof(*vc));
    ORDO__UNLOCK();
    return ORDO_OK;
}

size_t ordo_clock_wire_bytes(void)
{
    uint8_t tmp[VARINT_MAX];
    size_t len = 0;
    if (!ordo__rt.initialized)
        return 0;
    ORDO__LOCK();
    if (lc.enabled & ORDO__CLOCK_LAMPORT)
        len += 8;
    if (lc.enabled & ORDO__CLOCK_HLC)
        len += 16;
    if (lc.enabled & ORDO__CLOCK_VECTOR) {
        len += ordo__varint_put(tmp, (uint64_t)lc.n);
        for (int i = 0; i < lc.n; i++)
            len += ordo__varint_put(tmp, lc.vc[i] + (i == lc.me));
    }
    ORDO__UNLOCK();
    return len;
}

int ordo_vclock_compare(const uint64_t *a, const uint64_t *b, int n)
{
    int less = 0, more = 0;
    if (!a || !b || n <= 0)
        return ORDO_ERR_INVALID;
    for (int i = 0; i < n; i++) {
        less |= a[i] < b[i];
        more |= a[i] > b[i];
    }
    if (less && more)
        return ORDO_HB_CONCURRENT;
    return less ? ORDO_HB_BEFORE : more ? ORDO_HB_AFTER : ORDO_HB_EQUAL;
}

ordo_status_t ordo_hlc_now(ordo_hlc_t *t)
{
    ORDO__CHECK_INIT();
    if (!t)
        return ORDO_ERR_INVALID;
    if (!(lc.enabled & ORDO__CLOCK_HLC))
        return ORDO_ERR_UNSUPPORTED;
    ORDO__LOCK();
    ordo__hlc_send_rule(&lc.hlc_l, &lc.hlc_c, wall_ns());
    t->l = lc.hlc_l;
    t->c = lc.hlc_c;
    ORDO__UNLOCK();
    return ORDO_OK;
}

int ordo_hlc_compare(const ordo_hlc_t *a, const ordo_hlc_t *b)
{
    if (!a || !b)
        return ORDO_ERR_INVALID;
    if (a->l != b->l)
        return a->l < b->l ? ORDO_HB_BEFORE : ORDO_HB_AFTER;
    if (a->c != b->c)
        return a->c < b->c ? ORDO_HB_BEFORE : ORDO_HB_AFTER;
    return ORDO_HB_EQUAL;
}

ordo_status_t ordo_trace_event(const char *name)
{
    ORDO__CHECK_INIT();
    size_t len = name ? strlen(name) : 0;
    if (!len || len > 63 ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_-.") != len)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    tick();
    trace_line("event", -1, 0, 0, name);
    ORDO__UNLOCK();
    return ORDO_OK;
}
