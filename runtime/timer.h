/*
 * timer.h - the runtime's timer service, for every layer: a callback to run
 * once a deadline has passed (the message layer's retries and held-back
 * fault-injection messages; leases, heartbeats, gossip rounds, a barrier's
 * warning).
 *
 * A timer is a struct the user embeds in its own object (no allocation per
 * arm): deadline, callback, argument, and its place in the service's heap,
 * a binary min-heap on the deadline (arm and cancel O(log n), the next
 * deadline O(1)).  Progress (ordo__progress, rt.h) tests one word when no
 * timer is armed, and only then reads the clock and runs the timers that
 * are due, earliest first.
 *
 * Rules for users:
 *   - arm, cancel and the callbacks run under the runtime lock (inside
 *     progress, or with ORDO__LOCK held): a module's code already is;
 *   - a callback must not block or wait (no blocking calls, no
 *     ordo__wait_until): it runs inside progress.  It may arm or cancel any
 *     timer, its own included (a periodic timer re-arms itself);
 *   - a timer fires once per arm: after the callback starts it is no
 *     longer armed;
 *   - cancel a timer before the memory that holds it goes away.
 */
#ifndef ORDO_RUNTIME_TIMER_H
#define ORDO_RUNTIME_TIMER_H

#include <stddef.h>
#include <stdint.h>

typedef void (*ordo__timer_cb_t)(void *arg);

typedef struct ordo__timer {
    uint64_t deadline_ns; /* ordo__now_ns() time at or after which cb runs */
    ordo__timer_cb_t cb;
    void *arg;
    uint32_t index; /* 1 + its place in the heap; 0 when not armed */
} ordo__timer_t;

/* Timers armed: the word progress tests (hidden: no GOT load per test). */
extern __attribute__((visibility("hidden"))) uint32_t ordo__timers_armed;

/* Give a timer its callback (not armed). */
static inline void ordo__timer_init(ordo__timer_t *t, ordo__timer_cb_t cb, void *arg)
{
    t->deadline_ns = 0;
    t->cb = cb;
    t->arg = arg;
    t->index = 0;
}

static inline int ordo__timer_armed(const ordo__timer_t *t)
{
    return t->index != 0;
}

/* Arm t to fire at deadline_ns (moved there if armed already).
 * ORDO_ERR_NOMEM if the heap could not grow (t is then not armed, or keeps
 * its old deadline). */
int ordo__timer_arm(ordo__timer_t *t, uint64_t deadline_ns);
/* Disarm t; nothing if it is not armed. */
void ordo__timer_cancel(ordo__timer_t *t);
/* Make room for n more armed timers, so that arming them cannot fail. */
int ordo__timer_reserve(size_t n);
/* The earliest deadline armed (UINT64_MAX: none), to bound a sleep. */
uint64_t ordo__timer_next_ns(void);
/* Run the timers due at now_ns, earliest first: those due when the run
 * began, each once, unless a callback before it cancels or moves it (a
 * timer armed during the run, even in the past, waits for the next run). */
void ordo__timers_run_at(uint64_t now_ns);
/* The same at the clock's time (progress calls it when a timer is armed). */
void ordo__timers_run(void);
/* Disarm every timer and free the heap (the runtime's end). */
void ordo__timers_fini(void);

#endif
