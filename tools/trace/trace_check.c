/*
 * trace_check.c - do the recorded clocks agree with the run?
 *
 * Three rules, seven kinds of violation:
 *   1. every message with both ends: the send is below the receive in all
 *      three clocks (lamport-order, hlc-order, vc-order);
 *   2. every vector clock is exactly what the message graph implies
 *      (vc-graph): vc[q] of an event e is 1 + the highest seq of rank q
 *      that happens before or equals e, or 0 if none. This is equivalent to
 *      "a -> b iff vc(a) < vc(b)" for every pair, in O(E n) instead of
 *      O(E^2): one pass in causal order carries, per rank, the "graph
 *      vector" of its last event, and per message in flight the one of its
 *      send;
 *   3. along each rank's seq: lamport, HLC and the rank's own vc entry
 *      strictly increase (lamport-mono, hlc-mono, vc-mono).
 */
#include "trace.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_VIOLATIONS 20 /* printed in full; the rest are counted */

#define VIOLATION_LIST(X)                                                                          \
    X(LAMPORT_ORDER, "lamport-order")                                                              \
    X(HLC_ORDER, "hlc-order")                                                                      \
    X(VC_ORDER, "vc-order")                                                                        \
    X(VC_GRAPH, "vc-graph")                                                                        \
    X(LAMPORT_MONO, "lamport-mono")                                                                \
    X(HLC_MONO, "hlc-mono")                                                                        \
    X(VC_MONO, "vc-mono")

#define VIOLATION_ENUM(id, name) V_##id,
#define VIOLATION_NAME(id, name) name,
typedef enum { VIOLATION_LIST(VIOLATION_ENUM) V_NKINDS } violation_t;
static const char *const violation_names[V_NKINDS] = {VIOLATION_LIST(VIOLATION_NAME)};

typedef struct report {
    const ordo_trace_t *trace;
    FILE *out;
    size_t count[V_NKINDS];
    size_t total;
} report_t;

/* Counts a violation; prints the first ones with the events involved. */
static void violation(report_t *rep, violation_t kind, const ordo_trace_event_t *a,
                      const ordo_trace_event_t *b, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void violation(report_t *rep, violation_t kind, const ordo_trace_event_t *a,
                      const ordo_trace_event_t *b, const char *fmt, ...)
{
    va_list ap;

    rep->count[kind]++;
    if (rep->total++ >= SHOW_VIOLATIONS)
        return;
    fprintf(rep->out, "%s: ", violation_names[kind]);
    va_start(ap, fmt);
    vfprintf(rep->out, fmt, ap);
    va_end(ap);
    fputc('\n', rep->out);
    for (int i = 0; i < 2; i++) {
        const ordo_trace_event_t *ev = i ? b : a;
        if (!ev)
            continue;
        fputs("    ", rep->out);
        ordo_trace_event_print(rep->out, rep->trace, ev);
        fputc('\n', rep->out);
    }
}

static int hlc_below(const ordo_trace_event_t *a, const ordo_trace_event_t *b)
{
    return a->hlc_l < b->hlc_l || (a->hlc_l == b->hlc_l && a->hlc_c < b->hlc_c);
}

/* 1 if a < b (every entry <=, one <); else 0 with *where the first entry
 * where a > b, or -1 if a == b. */
static int vc_below(const uint64_t *a, const uint64_t *b, int size, int *where)
{
    int less = 0;

    for (int q = 0; q < size; q++) {
        if (a[q] > b[q]) {
            *where = q;
            return 0;
        }
        less |= a[q] < b[q];
    }
    *where = -1;
    return less;
}

/* ---- rule 1: a message's send is below its receive ------------------------ */

static void check_message(report_t *rep, const ordo_trace_event_t *s)
{
    const ordo_trace_t *t = rep->trace;
    const ordo_trace_event_t *r = s->match;
    const uint64_t *vs = ordo_trace_vc(t, s), *vr = ordo_trace_vc(t, r);
    int q;

    if (s->lamport >= r->lamport)
        violation(rep, V_LAMPORT_ORDER, s, r,
                  "message %d.%" PRIu64 ": lamport %" PRIu64 " at the receive is not above %" PRIu64
                  " at the send",
                  s->rank, s->msg, r->lamport, s->lamport);
    if (!hlc_below(s, r))
        violation(rep, V_HLC_ORDER, s, r,
                  "message %d.%" PRIu64 ": hlc (%" PRIu64 ",%" PRIu64
                  ") at the receive is not above (%" PRIu64 ",%" PRIu64 ") at the send",
                  s->rank, s->msg, r->hlc_l, r->hlc_c, s->hlc_l, s->hlc_c);
    if (vc_below(vs, vr, t->size, &q))
        return;
    if (q < 0)
        violation(rep, V_VC_ORDER, s, r,
                  "message %d.%" PRIu64 ": the vector clock at the receive equals the send's",
                  s->rank, s->msg);
    else
        violation(rep, V_VC_ORDER, s, r,
                  "message %d.%" PRIu64 ": the vector clock at the receive is not above the "
                  "send's (vc[%d] is %" PRIu64 " at the receive, %" PRIu64 " at the send)",
                  s->rank, s->msg, q, vr[q], vs[q]);
}

static void check_messages(report_t *rep)
{
    const ordo_trace_t *t = rep->trace;

    for (int r = 0; r < t->size; r++)
        for (size_t i = 0; i < t->ranks[r].count; i++)
            if (t->ranks[r].events[i].kind == ORDO_TRACE_SEND && t->ranks[r].events[i].match)
                check_message(rep, &t->ranks[r].events[i]);
}

/* ---- rule 3: clocks increase along a rank ---------------------------------- */

static void check_rank(report_t *rep, int r)
{
    const ordo_trace_t *t = rep->trace;
    const ordo_trace_rank_t *rk = &t->ranks[r];

    for (size_t i = 1; i < rk->count; i++) {
        const ordo_trace_event_t *a = &rk->events[i - 1], *b = &rk->events[i];
        uint64_t own_a = ordo_trace_vc(t, a)[r], own_b = ordo_trace_vc(t, b)[r];
        if (a->lamport >= b->lamport)
            violation(rep, V_LAMPORT_MONO, a, b,
                      "rank %d: lamport goes from %" PRIu64 " at seq %zu to %" PRIu64
                      " at seq %zu, expected an increase",
                      r, a->lamport, i - 1, b->lamport, i);
        if (!hlc_below(a, b))
            violation(rep, V_HLC_MONO, a, b,
                      "rank %d: hlc goes from (%" PRIu64 ",%" PRIu64 ") at seq %zu to (%" PRIu64
                      ",%" PRIu64 ") at seq %zu, expected an increase",
                      r, a->hlc_l, a->hlc_c, i - 1, b->hlc_l, b->hlc_c, i);
        if (own_a >= own_b)
            violation(rep, V_VC_MONO, a, b,
                      "rank %d: its own entry vc[%d] goes from %" PRIu64 " at seq %zu to %" PRIu64
                      " at seq %zu, expected an increase",
                      r, r, own_a, i - 1, own_b, i);
    }
}

/* ---- rule 2: vector clocks are the message graph ----------------------------- */

/* ev's recorded vector clock against expect, what the graph implies. */
static void check_graph_event(report_t *rep, const ordo_trace_event_t *ev, const uint64_t *expect)
{
    const ordo_trace_t *t = rep->trace;
    const uint64_t *vc = ordo_trace_vc(t, ev);
    char more[64] = "";
    size_t ndiff = 0;
    int q = -1;

    for (int i = 0; i < t->size; i++) {
        if (vc[i] != expect[i] && !ndiff++)
            q = i;
    }
    if (!ndiff)
        return;
    if (ndiff > 1)
        snprintf(more, sizeof(more), "; %zu more entries differ", ndiff - 1);
    const ordo_trace_rank_t *rq = &t->ranks[q];
    uint64_t got = vc[q], want = expect[q];
    if (q == ev->rank) {
        violation(rep, V_VC_GRAPH, ev, NULL,
                  "%d:%" PRIu64 " has vc[%d]=%" PRIu64 " for itself, expected %" PRIu64
                  " (seq + 1)%s",
                  ev->rank, ev->seq, q, got, want, more);
    } else if (got > want && got - 1 >= rq->count) {
        violation(rep, V_VC_GRAPH, ev, NULL,
                  "%d:%" PRIu64 " claims to know %d:%" PRIu64 " (vc[%d]=%" PRIu64
                  "), but rank %d has only %zu events%s",
                  ev->rank, ev->seq, q, got - 1, q, got, q, rq->count, more);
    } else if (got > want) {
        char known[96];
        if (want)
            snprintf(known, sizeof(known), "only %d:0 to %d:%" PRIu64 " do, vc[%d]=%" PRIu64, q, q,
                     want - 1, q, want);
        else
            snprintf(known, sizeof(known), "no event of rank %d does, vc[%d]=0", q, q);
        violation(rep, V_VC_GRAPH, ev, &rq->events[got - 1],
                  "%d:%" PRIu64 " claims to know %d:%" PRIu64 " (vc[%d]=%" PRIu64
                  "), which does not happen before it (%s)%s",
                  ev->rank, ev->seq, q, got - 1, q, got, known, more);
    } else {
        violation(rep, V_VC_GRAPH, ev, &rq->events[want - 1],
                  "%d:%" PRIu64 " misses %d:%" PRIu64 ", which happens before it (vc[%d]=%" PRIu64
                  ", expected %" PRIu64 ")%s",
                  ev->rank, ev->seq, q, want - 1, q, got, want, more);
    }
}

static int check_graph(report_t *rep)
{
    const ordo_trace_t *t = rep->trace;
    size_t n = (size_t)t->size, i;
    uint64_t **last = calloc(n, sizeof(*last)); /* graph vector of each rank's last event */
    uint64_t **sent = calloc(t->nevents + 1, sizeof(*sent)); /* of sends in flight */
    int status = -1;

    if (!last || !sent)
        goto out;
    for (i = 0; i < t->nevents; i++) {
        const ordo_trace_event_t *ev = t->order[i];
        uint64_t *gv = last[ev->rank];
        if (!gv) {
            gv = last[ev->rank] = calloc(n, sizeof(*gv));
            if (!gv)
                goto out;
        }
        if (ev->kind == ORDO_TRACE_RECV) {
            uint64_t **from = &sent[ordo_trace_index(t, ev->match)];
            for (size_t q = 0; q < n; q++)
                if ((*from)[q] > gv[q])
                    gv[q] = (*from)[q];
            free(*from);
            *from = NULL;
        }
        gv[ev->rank] = ev->seq + 1;
        check_graph_event(rep, ev, gv);
        if (ev->kind == ORDO_TRACE_SEND && ev->match) {
            uint64_t *copy = malloc(n * sizeof(*copy));
            if (!copy)
                goto out;
            memcpy(copy, gv, n * sizeof(*copy));
            sent[ordo_trace_index(t, ev)] = copy;
        }
        if (ev->seq + 1 == t->ranks[ev->rank].count) {
            free(gv);
            last[ev->rank] = NULL;
        }
    }
    status = 0;
out:
    if (status)
        ordo_trace_error(NULL, 0, "out of memory");
    for (i = 0; last && i < n; i++)
        free(last[i]);
    for (i = 0; sent && i < t->nevents; i++)
        free(sent[i]);
    free(last);
    free(sent);
    return status;
}

/* ---- the report ---------------------------------------------------------------- */

static void print_summary(const ordo_trace_t *t, FILE *out)
{
    fprintf(out, "ordo-trace check: %d rank%s, %zu events (%zu send, %zu recv, %zu event)\n",
            t->size, t->size == 1 ? "" : "s", t->nevents, t->nkind[ORDO_TRACE_SEND],
            t->nkind[ORDO_TRACE_RECV], t->nkind[ORDO_TRACE_EVENT]);
    fprintf(out, "messages: %zu matched, %zu sent and never received", t->matched, t->lost);
    if (t->first_lost)
        fprintf(out, " (the first: %d:%" PRIu64 " send %d.%" PRIu64 " to %d)", t->first_lost->rank,
                t->first_lost->seq, t->first_lost->rank, t->first_lost->msg, t->first_lost->peer);
    fputc('\n', out);
}

long ordo_trace_check(const ordo_trace_t *trace, FILE *out)
{
    report_t rep = {.trace = trace, .out = out};

    print_summary(trace, out);
    check_messages(&rep);
    for (int r = 0; r < trace->size; r++)
        check_rank(&rep, r);
    if (check_graph(&rep))
        return -1;
    if (rep.total > SHOW_VIOLATIONS)
        fprintf(out, "... and %zu more violations\n", rep.total - SHOW_VIOLATIONS);
    fprintf(out, "violations: %zu", rep.total);
    for (int k = 0; k < V_NKINDS; k++)
        fprintf(out, "%s%s %zu", k ? ", " : " (", violation_names[k], rep.count[k]);
    fputs(")\n", out);
    return rep.total > (size_t)LONG_MAX ? LONG_MAX : (long)rep.total;
}
