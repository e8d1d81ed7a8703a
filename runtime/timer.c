/*
 * timer.c - the runtime's timer service (timer.h): a binary min-heap of
 * armed timers on their deadline.  Each timer knows its place (index), so
 * cancelling or moving one is a sift from there, O(log n).
 *
 * A run takes every timer due off the heap first, in deadline order, into
 * a list of its own (index DUE: still armed, to fire), then runs them one
 * by one, each only if it is still DUE: a callback may cancel one of the
 * others (it does not fire) or arm it again (it fires at its new deadline),
 * and a timer armed during the run, even in the past, waits for the next.
 */
#include "ordo_config.h"

#include "runtime/timer.h"

#include "runtime/clock.h"

#include <ordo.h>
#include <stdlib.h>

#define HEAP_MIN 64
#define DUE      UINT32_MAX /* index of a timer taken off the heap to fire */

uint32_t ordo__timers_armed; /* the heap's length */

static struct {
    ordo__timer_t **heap; /* heap[i]->index == i + 1 */
    ordo__timer_t **due;  /* a run's timers to fire */
    size_t cap, due_cap;
    size_t reserved; /* room promised by ordo__timer_reserve */
    int running;     /* ordo__timers_run_at: a callback's progress does not run timers */
} tm;

static void place(ordo__timer_t *t, size_t i)
{
    tm.heap[i] = t;
    t->index = (uint32_t)(i + 1);
}

static void sift_up(size_t i)
{
    ordo__timer_t *t = tm.heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (tm.heap[parent]->deadline_ns <= t->deadline_ns)
            break;
        place(tm.heap[parent], i);
        i = parent;
    }
    place(t, i);
}

static void sift_down(size_t i)
{
    size_t n = ordo__timers_armed;
    ordo__timer_t *t = tm.heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && tm.heap[child + 1]->deadline_ns < tm.heap[child]->deadline_ns)
            child++;
        if (t->deadline_ns <= tm.heap[child]->deadline_ns)
            break;
        place(tm.heap[child], i);
        i = child;
    }
    place(t, i);
}

static int grow(size_t need)
{
    if (need <= tm.cap)
        return ORDO_OK;
    size_t cap = tm.cap ? tm.cap : HEAP_MIN;
    while (cap < need)
        cap *= 2;
    if (cap >= DUE)
        return ORDO_ERR_NOMEM;
    ordo__timer_t **heap = realloc(tm.heap, cap * sizeof(*heap));
    if (!heap)
        return ORDO_ERR_NOMEM;
    tm.heap = heap;
    tm.cap = cap;
    return ORDO_OK;
}

int ordo__timer_reserve(size_t n)
{
    int status = grow(tm.reserved + n);
    if (status == ORDO_OK)
        tm.reserved += n;
    return status;
}

int ordo__timer_arm(ordo__timer_t *t, uint64_t deadline_ns)
{
    if (t->index && t->index != DUE) {
        /* Move it: up if sooner, down if later. */
        uint64_t old = t->deadline_ns;
        t->deadline_ns = deadline_ns;
        if (deadline_ns < old)
            sift_up(t->index - 1);
        else
            sift_down(t->index - 1);
        return ORDO_OK;
    }
    size_t n = ordo__timers_armed;
    int status = grow(n + 1);
    if (status != ORDO_OK)
        return status;
    t->deadline_ns = deadline_ns; /* (a DUE timer leaves its run's list) */
    tm.heap[n] = t;
    ordo__timers_armed = (uint32_t)(n + 1);
    sift_up(n);
    return ORDO_OK;
}

void ordo__timer_cancel(ordo__timer_t *t)
{
    if (t->index == DUE)
        t->index = 0; /* taken off to fire: it will not */
    if (!t->index)
        return;
    size_t i = t->index - 1, last = ordo__timers_armed - 1;
    t->index = 0;
    ordo__timers_armed = (uint32_t)last;
    if (i == last)
        return;
    /* The last timer takes the hole, then goes where its deadline says. */
    ordo__timer_t *m = tm.heap[last];
    place(m, i);
    if (i > 0 && tm.heap[(i - 1) / 2]->deadline_ns > m->deadline_ns)
        sift_up(i);
    else
        sift_down(i);
}

uint64_t ordo__timer_next_ns(void)
{
    return ordo__timers_armed ? tm.heap[0]->deadline_ns : UINT64_MAX;
}

void ordo__timers_run_at(uint64_t now_ns)
{
    if (tm.running || !ordo__timers_armed)
        return;
    tm.running = 1;
    if (tm.due_cap < ordo__timers_armed) {
        ordo__timer_t **due = realloc(tm.due, tm.cap * sizeof(*due));
        if (due) {
            tm.due = due;
            tm.due_cap = tm.cap;
        } /* else fewer fire in this run, the others in the next */
    }
    size_t n = 0;
    while (n < tm.due_cap && ordo__timers_armed && tm.heap[0]->deadline_ns <= now_ns) {
        ordo__timer_t *t = tm.heap[0];
        ordo__timer_cancel(t);
        t->index = DUE;
        tm.due[n++] = t;
    }
    for (size_t i = 0; i < n; i++) {
        ordo__timer_t *t = tm.due[i];
        if (t->index != DUE)
            continue; /* cancelled or armed again by a callback before */
        t->index = 0;
        t->cb(t->arg);
    }
    tm.running = 0;
}

void ordo__timers_run(void)
{
    if (ordo__timers_armed)
        ordo__timers_run_at(ordo__now_ns());
}

void ordo__timers_fini(void)
{
    for (uint32_t i = 0; i < ordo__timers_armed; i++)
        tm.heap[i]->index = 0;
    ordo__timers_armed = 0;
    free(tm.heap);
    free(tm.due);
    tm.heap = tm.due = NULL;
    tm.cap = tm.due_cap = tm.reserved = 0;
    tm.running = 0;
}
