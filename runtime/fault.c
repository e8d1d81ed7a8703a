/*
 * fault.c - fault injection on this rank: the seeded generator of drops,
 * duplicates and delays, a slow rank's fixed hold, and the answers about
 * partitions, the crash, pauses and the clock's skew and drift (fault.h).
 * Parsing and printing are in fault_parse.c.  Acting on the answers is up
 * to the callers.
 */
#include "ordo_config.h"

#include "runtime/fault.h"

#include <string.h>

static struct {
    ordo__fault_spec_t spec;
    int rank, nranks;
    uint64_t origin_ns;
    uint64_t rng;
    uint64_t crash_ns;              /* absolute, UINT64_MAX: never */
    int64_t skew_ns;                /* this rank's */
    int64_t drift_ppm;              /* this rank's */
    uint64_t slow_ns;               /* this rank's hold of every message (0: none) ... */
    ordo__fault_window_t slow_when; /* ... within this window */
} fault = {.crash_ns = UINT64_MAX};

int ordo__fault_started;

/* origin + t, where t may be ORDO__FAULT_FOREVER. */
static uint64_t abs_ns(uint64_t t)
{
    if (t == ORDO__FAULT_FOREVER || t > UINT64_MAX - fault.origin_ns)
        return UINT64_MAX;
    return fault.origin_ns + t;
}

/* Whether w is open at now_ns (a window from 0 is open before the origin too). */
static int in_window(const ordo__fault_window_t *w, uint64_t now_ns)
{
    return (w->start_ns == 0 || now_ns >= abs_ns(w->start_ns)) && now_ns < abs_ns(w->end_ns);
}

void ordo__fault_init(const ordo__fault_spec_t *spec, int rank, int nranks, uint64_t origin_ns)
{
    ordo__fault_fini();
    fault.spec = *spec;
    fault.rank = rank;
    fault.nranks = nranks;
    fault.origin_ns = origin_ns;
    /* splitmix64 of seed and rank: every rank its own, replayable stream */
    fault.rng = spec->seed * 0x9e3779b97f4a7c15ull + (uint64_t)rank + 1;
    for (int i = 0; i < spec->nevents; i++) {
        const ordo__fault_event_t *ev = &spec->events[i];
        if (ev->rank != rank)
            continue;
        if (ev->kind == ORDO__FAULT_EV_CRASH)
            fault.crash_ns = abs_ns(ev->when.start_ns);
        else if (ev->kind == ORDO__FAULT_EV_SKEW)
            fault.skew_ns = ev->value * 1000;
        else if (ev->kind == ORDO__FAULT_EV_DRIFT)
            fault.drift_ppm = ev->value;
        else if (ev->kind == ORDO__FAULT_EV_SLOW) {
            fault.slow_ns = (uint64_t)ev->value * 1000u;
            fault.slow_when = ev->when;
        }
    }
    /* The spec is whole before another thread may read it. */
    __atomic_store_n(&ordo__fault_started, spec->enabled, __ATOMIC_RELEASE);
}

void ordo__fault_fini(void)
{
    __atomic_store_n(&ordo__fault_started, 0, __ATOMIC_RELEASE);
    memset(&fault, 0, sizeof(fault));
    fault.crash_ns = UINT64_MAX;
}

static uint64_t next_u64(void)
{
    uint64_t z = (fault.rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double next_unit(void)
{
    return (double)(next_u64() >> 11) / (double)(1ull << 53);
}

/* drop, dup and delay: the draw, and delay's hold. */
static ordo__fault_action_t draw(uint64_t now_ns, uint64_t *delay_ns)
{
    const ordo__fault_spec_t *s = &fault.spec;
    if (!(s->drop > 0 || s->dup > 0 || s->delay > 0))
        return ORDO__FAULT_PASS;
    /* One draw per message whatever the windows, so a message's fate does
     * not depend on when earlier ones were sent; each fault has its band
     * of [0, 1) and acts only within its window. */
    double x = next_unit();
    if (x < s->drop)
        return in_window(&s->drop_when, now_ns) ? ORDO__FAULT_DROP : ORDO__FAULT_PASS;
    x -= s->drop;
    if (x < s->dup)
        return in_window(&s->dup_when, now_ns) ? ORDO__FAULT_DUP : ORDO__FAULT_PASS;
    x -= s->dup;
    if (x < s->delay && in_window(&s->delay_when, now_ns)) {
        *delay_ns = (uint64_t)(next_unit() * (double)s->delay_us * 1000.0);
        return ORDO__FAULT_DELAY;
    }
    return ORDO__FAULT_PASS;
}

ordo__fault_action_t ordo__fault_next(uint64_t now_ns, uint64_t *delay_ns)
{
    uint64_t slow = fault.slow_ns && in_window(&fault.slow_when, now_ns) ? fault.slow_ns : 0;
    uint64_t held = 0;
    ordo__fault_action_t a = draw(now_ns, &held);
    /* A slow rank holds every message back: what else befalls it, it
     * meets after the hold (delay's draw adds to it). */
    *delay_ns = slow + held;
    if (a == ORDO__FAULT_PASS && slow)
        return ORDO__FAULT_DELAY;
    return a;
}

/* The group of a partition that rank is in (the unlisted ranks: ngroups). */
static uint32_t group_of(const ordo__fault_event_t *ev, int rank)
{
    const ordo__fault_range_t *r = fault.spec.ranges + ev->first;
    for (int i = 0; i < ev->nranges; i++)
        if ((uint32_t)rank >= r[i].lo && (uint32_t)rank <= r[i].hi)
            return r[i].group;
    return ev->ngroups;
}

/* A ring: rank and peer are farther apart than ceil(floor(n/2) / 2), the
 * reach that gives every rank a majority (itself and floor(n/2) others). */
static int ring_cut(int peer)
{
    int n = fault.nranks, d = peer > fault.rank ? peer - fault.rank : fault.rank - peer;
    if (n - d < d)
        d = n - d;
    return d > (n / 2 + 1) / 2;
}

int ordo__fault_cut(int peer, uint64_t now_ns)
{
    for (int i = 0; i < fault.spec.nevents; i++) {
        const ordo__fault_event_t *ev = &fault.spec.events[i];
        if (ev->kind != ORDO__FAULT_EV_PARTITION || !in_window(&ev->when, now_ns))
            continue;
        if (ev->ring ? ring_cut(peer) : group_of(ev, fault.rank) != group_of(ev, peer))
            return 1;
    }
    return 0;
}

uint64_t ordo__fault_crash_at(void)
{
    return fault.crash_ns;
}

int ordo__fault_paused(uint64_t now_ns, uint64_t *until_ns)
{
    int paused = 0;
    uint64_t until = 0;
    for (int i = 0; i < fault.spec.nevents; i++) {
        const ordo__fault_event_t *ev = &fault.spec.events[i];
        if (ev->kind != ORDO__FAULT_EV_PAUSE || ev->rank != fault.rank ||
            !in_window(&ev->when, now_ns))
            continue;
        paused = 1;
        if (abs_ns(ev->when.end_ns) > until)
            until = abs_ns(ev->when.end_ns);
    }
    if (paused)
        *until_ns = until;
    return paused;
}

/* t if it is after now_ns and before best, else best. */
static uint64_t earlier(uint64_t best, uint64_t t, uint64_t now_ns)
{
    return t > now_ns && t < best ? t : best;
}

uint64_t ordo__fault_next_event_ns(uint64_t now_ns)
{
    uint64_t next = earlier(UINT64_MAX, fault.crash_ns, now_ns);
    for (int i = 0; i < fault.spec.nevents; i++) {
        const ordo__fault_event_t *ev = &fault.spec.events[i];
        if (ev->kind == ORDO__FAULT_EV_PARTITION ||
            (ev->kind == ORDO__FAULT_EV_PAUSE && ev->rank == fault.rank)) {
            next = earlier(next, abs_ns(ev->when.start_ns), now_ns);
            next = earlier(next, abs_ns(ev->when.end_ns), now_ns);
        }
    }
    return next;
}

int64_t ordo__fault_clock_offset_ns(uint64_t now_ns)
{
    /* elapsed / 1e6 * ppm stays within 64 bits for any elapsed time */
    int64_t elapsed = (int64_t)(now_ns - fault.origin_ns);
    int64_t drift =
        elapsed / 1000000 * fault.drift_ppm + elapsed % 1000000 * fault.drift_ppm / 1000000;
    return fault.skew_ns + drift;
}
