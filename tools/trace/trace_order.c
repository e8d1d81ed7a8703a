/*
 * trace_order.c - all events of a run in one causally consistent order.
 *
 * Happens-before is program order (seq within a rank) plus send -> receive.
 * A rank's next event is ready when it is not a receive, or when its send
 * has been placed. Of the ready events (at most one per rank, kept in a
 * heap) the earliest in wall time goes next; ties by rank, then seq. That is
 * a topological order in O(E log n). If no rank is ready while events remain,
 * the messages form a cycle (some receive happens before its own send): the
 * files cannot come from one run.
 */
#include "trace.h"

#include <inttypes.h>
#include <stdlib.h>

typedef struct sched {
    const ordo_trace_t *trace;
    size_t *next; /* next[r]: seq of rank r's next event to place */
    int *heap;    /* ranks whose next event is ready */
    int nheap;
} sched_t;

static const ordo_trace_event_t *sched_head(const sched_t *s, int r)
{
    const ordo_trace_rank_t *rk = &s->trace->ranks[r];

    return s->next[r] < rk->count ? &rk->events[s->next[r]] : NULL;
}

/* Has ev been placed? */
static int sched_placed(const sched_t *s, const ordo_trace_event_t *ev)
{
    return s->next[ev->rank] > ev->seq;
}

static int sched_ready(const sched_t *s, int r)
{
    const ordo_trace_event_t *ev = sched_head(s, r);

    if (!ev)
        return 0;
    return ev->kind != ORDO_TRACE_RECV || sched_placed(s, ev->match);
}

/* Is rank a's head to go before rank b's? */
static int sched_before(const sched_t *s, int a, int b)
{
    const ordo_trace_event_t *x = sched_head(s, a), *y = sched_head(s, b);

    if (x->wall_ns != y->wall_ns)
        return x->wall_ns < y->wall_ns;
    return a < b;
}

static void sched_push(sched_t *s, int r)
{
    int i = s->nheap++;

    while (i > 0 && sched_before(s, r, s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = r;
}

static int sched_pop(sched_t *s)
{
    int top = s->heap[0], last = s->heap[--s->nheap], i = 0;

    for (;;) {
        int c = 2 * i + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && sched_before(s, s->heap[c + 1], s->heap[c]))
            c++;
        if (!sched_before(s, s->heap[c], last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->nheap > 0)
        s->heap[i] = last;
    return top;
}

/* Nothing is ready but events remain: every waiting rank waits on a receive
 * whose send is on a rank that also waits. Follow the waits to a rank seen
 * twice; its receive is on the cycle. */
static void sched_report_cycle(const sched_t *s)
{
    const ordo_trace_t *trace = s->trace;
    char *seen = calloc((size_t)trace->size, 1);
    const ordo_trace_event_t *ev = NULL;
    int r = 0;

    while (!sched_head(s, r))
        r++;
    if (seen) {
        while (!seen[r]) {
            seen[r] = 1;
            r = sched_head(s, r)->match->rank;
        }
    }
    ev = sched_head(s, r);
    ordo_trace_error(trace->ranks[r].path, ev->line,
                     "message %d.%" PRIu64 ": expected its send (%s:%" PRIu64
                     ") to happen before this receive, found it after (the messages form a cycle)",
                     ev->peer, ev->msg, trace->ranks[ev->match->rank].path, ev->match->line);
    free(seen);
}

int ordo_trace_order(ordo_trace_t *trace)
{
    sched_t s = {.trace = trace};
    size_t placed = 0;
    int status = -1;

    trace->order = malloc((trace->nevents + 1) * sizeof(*trace->order));
    s.next = calloc((size_t)trace->size, sizeof(*s.next));
    s.heap = malloc((size_t)trace->size * sizeof(*s.heap));
    if (!trace->order || !s.next || !s.heap) {
        ordo_trace_error(NULL, 0, "out of memory");
        goto out;
    }
    for (int r = 0; r < trace->size; r++)
        if (sched_ready(&s, r))
            sched_push(&s, r);
    while (s.nheap > 0) {
        int r = sched_pop(&s);
        ordo_trace_event_t *ev = &trace->ranks[r].events[s.next[r]++];
        trace->order[placed++] = ev;
        /* A receive waiting at the head of another rank may go now. */
        if (ev->kind == ORDO_TRACE_SEND && ev->match && ev->match->rank != r &&
            sched_head(&s, ev->match->rank) == ev->match)
            sched_push(&s, ev->match->rank);
        if (sched_ready(&s, r))
            sched_push(&s, r);
    }
    if (placed < trace->nevents) {
        sched_report_cycle(&s);
        goto out;
    }
    status = 0;
out:
    free(s.next);
    free(s.heap);
    return status;
}
