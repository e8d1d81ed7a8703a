/*
 * trace_export.c - a run for people to read: Chrome trace-event JSON (for
 * Perfetto and chrome://tracing) and the merged listing.
 *
 * JSON: one process (pid 0, "ordo"), one thread per rank (tid = rank, named
 * "rank N"). Each event is a complete slice ("ph":"X") at its wall time in
 * microseconds since the earliest event of the run, lasting until the rank's
 * next event but at most SLICE_NS, so a rank's slices do not overlap and an
 * arrow has a slice to bind to. Each matched message is a flow: "s" at the
 * send, "f" with "bp":"e" (bind to the enclosing slice) at the receive, with
 * the same cat, name and id (the send's index). Values that may exceed 2^53
 * (wall_ns, hlc) are strings, which JavaScript does not round.
 */
#include "trace.h"

#include <inttypes.h>
#include <stdlib.h>

#define SLICE_NS 1000 /* the longest slice drawn for an event */
#define JSON_CAT "ordo"

/* s as a JSON string; bytes outside printable ASCII as \u00XX. */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* Nanoseconds as microseconds with three decimals, exactly. */
static void json_us(FILE *out, uint64_t ns)
{
    fprintf(out, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

static uint64_t earliest_wall(const ordo_trace_t *t)
{
    uint64_t t0 = UINT64_MAX;

    for (size_t i = 0; i < t->nevents; i++)
        if (t->order[i]->wall_ns < t0)
            t0 = t->order[i]->wall_ns;
    return t->nevents ? t0 : 0;
}

/* How long ev's slice lasts: to the rank's next event, between 1 ns and SLICE_NS. */
static uint64_t slice_ns(const ordo_trace_t *t, const ordo_trace_event_t *ev)
{
    const ordo_trace_rank_t *rk = &t->ranks[ev->rank];
    uint64_t next, gap;

    if (ev->seq + 1 >= rk->count)
        return SLICE_NS;
    next = rk->events[ev->seq + 1].wall_ns;
    gap = next > ev->wall_ns ? next - ev->wall_ns : 1;
    return gap < SLICE_NS ? gap : SLICE_NS;
}

static void json_metadata(const ordo_trace_t *t, FILE *out)
{
    fprintf(out,
            "{\"ph\":\"M\",\"pid\":0,\"name\":\"process_name\",\"args\":{\"name\":"
            "\"ordo (%d rank%s)\"}}",
            t->size, t->size == 1 ? "" : "s");
    for (int r = 0; r < t->size; r++) {
        fprintf(out,
                ",\n{\"ph\":\"M\",\"pid\":0,\"tid\":%d,\"name\":\"thread_name\",\"args\":{\"name\":"
                "\"rank %d\"}}",
                r, r);
        fprintf(out,
                ",\n{\"ph\":\"M\",\"pid\":0,\"tid\":%d,\"name\":\"thread_sort_index\",\"args\":{"
                "\"sort_index\":%d}}",
                r, r);
    }
}

static void json_slice(const ordo_trace_t *t, const ordo_trace_event_t *ev, uint64_t t0, FILE *out)
{
    char name[64];

    if (ev->kind == ORDO_TRACE_SEND)
        snprintf(name, sizeof(name), "send to %d", ev->peer);
    else if (ev->kind == ORDO_TRACE_RECV)
        snprintf(name, sizeof(name), "recv from %d", ev->peer);
    fprintf(out, ",\n{\"ph\":\"X\",\"pid\":0,\"tid\":%d,\"ts\":", ev->rank);
    json_us(out, ev->wall_ns - t0);
    fputs(",\"dur\":", out);
    json_us(out, slice_ns(t, ev));
    fputs(",\"cat\":\"" JSON_CAT "\",\"name\":", out);
    json_string(out, ev->kind == ORDO_TRACE_EVENT ? ev->name : name);
    fprintf(out,
            ",\"args\":{\"kind\":\"%s\",\"seq\":%" PRIu64 ",\"wall_ns\":\"%" PRIu64
            "\",\"lamport\":%" PRIu64 ",\"hlc\":\"(%" PRIu64 ",%" PRIu64 ")\",\"vc\":\"[",
            ordo_trace_kind_name(ev->kind), ev->seq, ev->wall_ns, ev->lamport, ev->hlc_l,
            ev->hlc_c);
    ordo_trace_vc_print(out, ordo_trace_vc(t, ev), t->size, 0);
    fputs("]\"", out);
    if (ev->kind != ORDO_TRACE_EVENT)
        fprintf(out, ",\"msg\":\"%d.%" PRIu64 "\",\"peer\":%d,\"handler\":%" PRIu64,
                ev->kind == ORDO_TRACE_SEND ? ev->rank : ev->peer, ev->msg, ev->peer, ev->handler);
    fputs("}}", out);
}

/* The flow arrow's end at ev (a send or a receive with its other end). */
static void json_flow(const ordo_trace_event_t *ev, uint64_t id, uint64_t t0, FILE *out)
{
    fprintf(out, ",\n{\"ph\":\"%s\",\"pid\":0,\"tid\":%d,\"ts\":",
            ev->kind == ORDO_TRACE_SEND ? "s" : "f", ev->rank);
    json_us(out, ev->wall_ns - t0);
    fprintf(out, ",\"cat\":\"" JSON_CAT "\",\"name\":\"message\",\"id\":%" PRIu64 "%s}", id,
            ev->kind == ORDO_TRACE_SEND ? "" : ",\"bp\":\"e\"");
}

int ordo_trace_export(const ordo_trace_t *t, FILE *out)
{
    uint64_t t0 = earliest_wall(t);

    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", out);
    json_metadata(t, out);
    for (int r = 0; r < t->size; r++) {
        for (size_t i = 0; i < t->ranks[r].count; i++) {
            const ordo_trace_event_t *ev = &t->ranks[r].events[i];
            json_slice(t, ev, t0, out);
            if (ev->kind == ORDO_TRACE_SEND && ev->match)
                json_flow(ev, ordo_trace_index(t, ev), t0, out);
            else if (ev->kind == ORDO_TRACE_RECV)
                json_flow(ev, ordo_trace_index(t, ev->match), t0, out);
        }
    }
    fputs("\n]}\n", out);
    return ferror(out) ? -1 : 0;
}

int ordo_trace_merge(const ordo_trace_t *t, FILE *out)
{
    fprintf(out, "# ordo-trace merge: %d rank%s, %zu events in a causally consistent order\n",
            t->size, t->size == 1 ? "" : "s", t->nevents);
    fputs("# rank seq kind wall_ns lamport hlc_l hlc_c vc peer msg name\n", out);
    for (size_t i = 0; i < t->nevents; i++) {
        const ordo_trace_event_t *ev = t->order[i];
        fprintf(out, "%d %" PRIu64 " %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " ", ev->rank,
                ev->seq, ordo_trace_kind_name(ev->kind), ev->wall_ns, ev->lamport, ev->hlc_l,
                ev->hlc_c);
        ordo_trace_vc_print(out, ordo_trace_vc(t, ev), t->size, 0);
        if (ev->kind == ORDO_TRACE_EVENT)
            fprintf(out, " - - %s\n", ev->name);
        else
            fprintf(out, " %d %d.%" PRIu64 " %" PRIu64 "\n", ev->peer,
                    ev->kind == ORDO_TRACE_SEND ? ev->rank : ev->peer, ev->msg, ev->handler);
    }
    return ferror(out) ? -1 : 0;
}
