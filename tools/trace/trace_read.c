/*
 * trace_read.c - reading a run: the event lines, the pairing of sends and
 * receives (the files and headers: trace_input.c).
 *
 * Loading reads in this order, and stops at the first problem with
 * `file:line: what was expected`:
 *   1. the paths: a directory stands for its ordo-trace.*.txt files;
 *   2. every header: same size everywhere, each rank once, none missing
 *      (before any event is read, so a missing file is found at once);
 *   3. every event line, rank by rank;
 *   4. the messages: each receive finds its send, no id twice;
 *   5. a causally consistent order (trace_order.c), which a cycle of
 *      messages makes impossible.
 */
#include "trace_int.h"
#include "tools/common/tool_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[ORDO_TRACE_NKINDS] = {"send", "recv", "event"};

void ordo_trace_error(const char *path, uint64_t line, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    if (!path)
        fputs("ordo-trace: ", stderr);
    else if (!line)
        fprintf(stderr, "%s: ", path);
    else
        fprintf(stderr, "%s:%" PRIu64 ": ", path, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

const char *ordo_trace_kind_name(ordo_trace_kind_t kind)
{
    return kind < ORDO_TRACE_NKINDS ? kind_names[kind] : "?";
}

/* ---- fields --------------------------------------------------------------- */

static int field_u64(const reader_t *r, const char *field, const char *text, uint64_t *out)
{
    shown_t sh;
    int s = tool_parse_u64(text, out);

    if (s == -2)
        ordo_trace_error(r->path, r->line, "%s: expected a number below 2^64, found '%s'", field,
                         trace_show(&sh, text));
    else if (s)
        ordo_trace_error(r->path, r->line, "%s: expected an unsigned decimal number, found '%s'",
                         field, trace_show(&sh, text));
    return s ? -1 : 0;
}

static int field_rank(const reader_t *r, const char *field, const char *text, int size, int *out)
{
    uint64_t v;

    if (field_u64(r, field, text, &v))
        return -1;
    if (v >= (uint64_t)size) {
        ordo_trace_error(r->path, r->line, "%s: expected a rank below the size %d, found %" PRIu64,
                         field, size, v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int field_dash(const reader_t *r, const char *field, const char *text)
{
    shown_t sh;

    if (strcmp(text, "-")) {
        ordo_trace_error(r->path, r->line, "%s: expected '-' for an event, found '%s'", field,
                         trace_show(&sh, text));
        return -1;
    }
    return 0;
}

/* The vector clock: exactly size comma-separated numbers, into vc. */
static int field_vc(const reader_t *r, char *text, int size, uint64_t *vc)
{
    shown_t sh;
    size_t count = 1;
    char *p, *next;

    for (p = text; *p; p++)
        count += *p == ',';
    if (count != (size_t)size) {
        ordo_trace_error(
            r->path, r->line,
            "vc: expected %d comma-separated entries (one per rank), found %zu in '%s'", size,
            count, trace_show(&sh, text));
        return -1;
    }
    for (p = text; p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        if (field_u64(r, "vc", p, vc++))
            return -1;
    }
    return 0;
}

/* <src>.<k>: the sender's rank and its counter. */
static int field_msg(const reader_t *r, char *text, int size, int *src, uint64_t *k)
{
    shown_t sh;
    char *dot = strchr(text, '.');

    if (!dot) {
        ordo_trace_error(r->path, r->line, "msg: expected a message id <src>.<k>, found '%s'",
                         trace_show(&sh, text));
        return -1;
    }
    *dot = '\0';
    if (field_rank(r, "msg (sender)", text, size, src) || field_u64(r, "msg (k)", dot + 1, k))
        return -1;
    return 0;
}

static int field_name(const reader_t *r, const char *text, char **out)
{
    shown_t sh;

    for (const char *p = text; *p; p++) {
        if (*p < 0x21 || *p > 0x7e) {
            ordo_trace_error(r->path, r->line,
                             "name: expected printable ASCII without spaces, found '%s'",
                             trace_show(&sh, text));
            return -1;
        }
    }
    *out = strdup(text);
    return *out ? 0 : trace_out_of_memory();
}

/* ---- event lines ------------------------------------------------------------ */

static int rank_grow(ordo_trace_rank_t *rk, int size)
{
    size_t cap;
    void *p;

    if (rk->count < rk->cap)
        return 0;
    cap = rk->cap ? rk->cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(*rk->events) || cap > SIZE_MAX / sizeof(uint64_t) / (size_t)size)
        return trace_out_of_memory();
    p = realloc(rk->events, cap * sizeof(*rk->events));
    if (!p)
        return trace_out_of_memory();
    rk->events = p;
    p = realloc(rk->vc, cap * (size_t)size * sizeof(uint64_t));
    if (!p)
        return trace_out_of_memory();
    rk->vc = p;
    rk->cap = cap;
    return 0;
}

static int kind_parse(const reader_t *r, const char *text, ordo_trace_kind_t *kind)
{
    shown_t sh;

    for (int k = 0; k < ORDO_TRACE_NKINDS; k++) {
        if (!strcmp(text, kind_names[k])) {
            *kind = (ordo_trace_kind_t)k;
            return 0;
        }
    }
    ordo_trace_error(r->path, r->line, "kind: expected send, recv or event, found '%s'",
                     trace_show(&sh, text));
    return -1;
}

/* peer, msg and name of a send or a receive. */
static int message_parse(const reader_t *r, char **f, int size, ordo_trace_event_t *ev)
{
    shown_t sh;
    int src;

    if (field_rank(r, "peer", f[F_PEER], size, &ev->peer))
        return -1;
    trace_show(&sh, f[F_MSG]);
    if (field_msg(r, f[F_MSG], size, &src, &ev->msg))
        return -1;
    if (ev->kind == ORDO_TRACE_SEND && src != ev->rank) {
        ordo_trace_error(r->path, r->line,
                         "msg: expected the id of a send to start with its own rank %d, found '%s'",
                         ev->rank, sh.s);
        return -1;
    }
    if (ev->kind == ORDO_TRACE_RECV && src != ev->peer) {
        ordo_trace_error(r->path, r->line,
                         "msg: expected the id of a receive to start with its source rank %d "
                         "(peer), found '%s'",
                         ev->peer, sh.s);
        return -1;
    }
    return field_u64(r, "name (handler id)", f[F_NAME], &ev->handler);
}

static int event_parse(reader_t *r, ordo_trace_rank_t *rk, int rank, int size)
{
    char *f[NFIELDS];
    int n;
    ordo_trace_event_t *ev;

    if (rank_grow(rk, size))
        return -1;
    ev = &rk->events[rk->count];
    *ev = (ordo_trace_event_t){.rank = rank, .seq = rk->count, .line = r->line, .peer = -1};
    n = trace_split(r->buf, f, NFIELDS);
    if (n != NFIELDS) {
        if (n > NFIELDS)
            ordo_trace_error(r->path, r->line,
                             "expected %d fields (" LINE_FORM
                             "), found more (an event name has no spaces)",
                             NFIELDS);
        else
            ordo_trace_error(r->path, r->line, "expected %d fields (" LINE_FORM "), found %d",
                             NFIELDS, n);
        return -1;
    }
    uint64_t seq;
    if (field_u64(r, "seq", f[F_SEQ], &seq))
        return -1;
    if (seq != ev->seq) {
        ordo_trace_error(r->path, r->line, "seq: expected %" PRIu64 " (%s), found %" PRIu64,
                         ev->seq, ev->seq ? "one more than the line before" : "the first event",
                         seq);
        return -1;
    }
    if (kind_parse(r, f[F_KIND], &ev->kind) || field_u64(r, "wall_ns", f[F_WALL], &ev->wall_ns) ||
        field_u64(r, "lamport", f[F_LAMPORT], &ev->lamport) ||
        field_u64(r, "hlc_l", f[F_HLC_L], &ev->hlc_l) ||
        field_u64(r, "hlc_c", f[F_HLC_C], &ev->hlc_c) ||
        field_vc(r, f[F_VC], size, rk->vc + rk->count * (size_t)size))
        return -1;
    if (ev->kind == ORDO_TRACE_EVENT) {
        if (field_dash(r, "peer", f[F_PEER]) || field_dash(r, "msg", f[F_MSG]) ||
            field_name(r, f[F_NAME], &ev->name))
            return -1;
    } else if (message_parse(r, f, size, ev)) {
        return -1;
    }
    rk->count++;
    return 0;
}

static int rank_read(ordo_trace_t *trace, const input_t *in)
{
    ordo_trace_rank_t *rk = &trace->ranks[in->rank];
    reader_t r;
    int rank, size, s, status = -1;

    if (trace_reader_open(&r, rk->path, in))
        return -1;
    if (trace_header_read(&r, &rank, &size))
        goto out;
    if (rank != in->rank || size != in->size) {
        ordo_trace_error(rk->path, 1,
                         "expected the header read before, found another one "
                         "(did the file change while being read?)");
        goto out;
    }
    while ((s = trace_reader_next(&r)) > 0) {
        if (r.buf[0] == '#')
            continue;
        if (!r.buf[0]) {
            ordo_trace_error(r.path, r.line,
                             "expected an event (" LINE_FORM "), found an empty line");
            goto out;
        }
        if (event_parse(&r, rk, rank, size))
            goto out;
    }
    if (s == 0)
        status = 0;
out:
    trace_reader_close(&r);
    return status;
}

/* ---- messages ----------------------------------------------------------------- */

/* Sends by sender, id, then seq. */
static int cmp_send(const void *a, const void *b)
{
    const ordo_trace_event_t *x = *(ordo_trace_event_t *const *)a;
    const ordo_trace_event_t *y = *(ordo_trace_event_t *const *)b;

    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->msg != y->msg)
        return x->msg < y->msg ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The send of message <rank>.<msg> in sends (sorted by cmp_send), or NULL. */
static ordo_trace_event_t *send_find(ordo_trace_event_t **sends, size_t n, int rank, uint64_t msg)
{
    ordo_trace_event_t key = {.rank = rank, .msg = msg, .seq = 0}, *pkey = &key;
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_send(&sends[mid], &pkey) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && sends[lo]->rank == rank && sends[lo]->msg == msg)
        return sends[lo];
    return NULL;
}

/* The receive ev against the send s of the same id. */
static int message_pair(ordo_trace_t *trace, ordo_trace_event_t *ev, ordo_trace_event_t *s)
{
    const char *path = trace->ranks[ev->rank].path, *spath = trace->ranks[s->rank].path;

    if (s->peer != ev->rank) {
        ordo_trace_error(path, ev->line,
                         "message %d.%" PRIu64 ": expected to be received by rank %d, its "
                         "destination (%s:%" PRIu64 "), found on rank %d",
                         ev->peer, ev->msg, s->peer, spath, s->line, ev->rank);
        return -1;
    }
    if (s->match) {
        ordo_trace_error(path, ev->line,
                         "message %d.%" PRIu64 ": expected one receive, found a second one "
                         "(the first is at %s:%" PRIu64 ")",
                         ev->peer, ev->msg, trace->ranks[s->match->rank].path, s->match->line);
        return -1;
    }
    if (s->handler != ev->handler) {
        ordo_trace_error(path, ev->line,
                         "message %d.%" PRIu64 ": expected handler %" PRIu64
                         " as at its send (%s:%" PRIu64 "), found handler %" PRIu64,
                         ev->peer, ev->msg, s->handler, spath, s->line, ev->handler);
        return -1;
    }
    s->match = ev;
    ev->match = s;
    return 0;
}

static int messages_match(ordo_trace_t *trace)
{
    size_t nsend = trace->nkind[ORDO_TRACE_SEND], n = 0, i;
    ordo_trace_event_t **sends = malloc((nsend + 1) * sizeof(*sends));
    int status = -1;

    if (!sends)
        return trace_out_of_memory();
    for (int r = 0; r < trace->size; r++)
        for (i = 0; i < trace->ranks[r].count; i++)
            if (trace->ranks[r].events[i].kind == ORDO_TRACE_SEND)
                sends[n++] = &trace->ranks[r].events[i];
    qsort(sends, n, sizeof(*sends), cmp_send);
    for (i = 1; i < n; i++) {
        if (sends[i]->rank == sends[i - 1]->rank && sends[i]->msg == sends[i - 1]->msg) {
            ordo_trace_error(trace->ranks[sends[i]->rank].path, sends[i]->line,
                             "message %d.%" PRIu64 ": expected a new id, found one already sent "
                             "(at line %" PRIu64 ")",
                             sends[i]->rank, sends[i]->msg, sends[i - 1]->line);
            goto out;
        }
    }
    for (int r = 0; r < trace->size; r++) {
        for (i = 0; i < trace->ranks[r].count; i++) {
            ordo_trace_event_t *ev = &trace->ranks[r].events[i], *s;
            if (ev->kind != ORDO_TRACE_RECV)
                continue;
            s = send_find(sends, n, ev->peer, ev->msg);
            if (!s) {
                ordo_trace_error(trace->ranks[r].path, ev->line,
                                 "message %d.%" PRIu64 ": expected its send in rank %d's file "
                                 "(%s), found none (a receive without a send)",
                                 ev->peer, ev->msg, ev->peer, trace->ranks[ev->peer].path);
                goto out;
            }
            if (message_pair(trace, ev, s))
                goto out;
        }
    }
    trace->matched = trace->nkind[ORDO_TRACE_RECV];
    trace->lost = nsend - trace->matched;
    for (int r = 0; r < trace->size && trace->lost && !trace->first_lost; r++)
        for (i = 0; i < trace->ranks[r].count && !trace->first_lost; i++)
            if (trace->ranks[r].events[i].kind == ORDO_TRACE_SEND &&
                !trace->ranks[r].events[i].match)
                trace->first_lost = &trace->ranks[r].events[i];
    status = 0;
out:
    free(sends);
    return status;
}

/* ---- loading ------------------------------------------------------------------- */

/* One rank per input (the headers are checked); the trace takes the paths. */
static int ranks_alloc(ordo_trace_t *trace, inputs_t *ins)
{
    trace->size = ins->v[0].size;
    trace->ranks = calloc((size_t)trace->size, sizeof(*trace->ranks));
    if (!trace->ranks)
        return trace_out_of_memory();
    for (size_t i = 0; i < ins->n; i++) {
        trace->ranks[ins->v[i].rank].path = ins->v[i].path;
        ins->v[i].path = NULL;
    }
    return 0;
}

static int ranks_read(ordo_trace_t *trace, const inputs_t *ins)
{
    for (size_t i = 0; i < ins->n; i++)
        if (rank_read(trace, &ins->v[i]))
            return -1;
    return 0;
}

static void ranks_count(ordo_trace_t *trace)
{
    for (int r = 0; r < trace->size; r++) {
        ordo_trace_rank_t *rk = &trace->ranks[r];
        rk->first = trace->nevents;
        trace->nevents += rk->count;
        for (size_t i = 0; i < rk->count; i++)
            trace->nkind[rk->events[i].kind]++;
    }
}

/* The files in ins, collected: headers, events, messages, order. */
static int trace_load(ordo_trace_t *trace, inputs_t *ins)
{
    ordo_trace_t t = {0};
    int status = -1;

    if (trace_inputs_check_headers(ins))
        goto out;
    if (ranks_alloc(&t, ins) || ranks_read(&t, ins))
        goto out;
    ranks_count(&t);
    if (messages_match(&t) || ordo_trace_order(&t))
        goto out;
    *trace = t;
    status = 0;
out:
    if (status)
        ordo_trace_free(&t);
    return status;
}

int ordo_trace_load(ordo_trace_t *trace, int npaths, char *const *paths)
{
    inputs_t ins = {0};
    int status = trace_inputs_collect(&ins, npaths, paths) ? -1 : trace_load(trace, &ins);

    trace_inputs_free(&ins);
    return status;
}

int ordo_trace_load_texts(ordo_trace_t *trace, int ntexts, const ordo_trace_text_t *texts)
{
    inputs_t ins = {0};
    int status = -1;

    for (int i = 0; i < ntexts; i++) {
        if (trace_inputs_add(&ins, strdup(texts[i].name), NULL))
            goto out;
        ins.v[i].text = texts[i].text;
        ins.v[i].len = texts[i].len;
    }
    if (!ins.n) {
        ordo_trace_error(NULL, 0, "expected a trace file, found none");
        goto out;
    }
    status = trace_load(trace, &ins);
out:
    trace_inputs_free(&ins);
    return status;
}

void ordo_trace_free(ordo_trace_t *trace)
{
    for (int r = 0; trace->ranks && r < trace->size; r++) {
        ordo_trace_rank_t *rk = &trace->ranks[r];
        for (size_t i = 0; i < rk->count; i++)
            free(rk->events[i].name);
        free(rk->events);
        free(rk->vc);
        free(rk->path);
    }
    free(trace->ranks);
    free(trace->order);
    *trace = (ordo_trace_t){0};
}

/* ---- printing ------------------------------------------------------------------ */

void ordo_trace_vc_print(FILE *out, const uint64_t *vc, int size, int max)
{
    int n = max > 0 && size > max ? max : size;

    for (int q = 0; q < n; q++)
        fprintf(out, q ? ",%" PRIu64 : "%" PRIu64, vc[q]);
    if (n < size)
        fputs(",...", out);
}

void ordo_trace_event_print(FILE *out, const ordo_trace_t *trace, const ordo_trace_event_t *ev)
{
    fprintf(out, "%d:%" PRIu64 " %s ", ev->rank, ev->seq, ordo_trace_kind_name(ev->kind));
    if (ev->kind == ORDO_TRACE_SEND)
        fprintf(out, "%d.%" PRIu64 " to %d handler %" PRIu64, ev->rank, ev->msg, ev->peer,
                ev->handler);
    else if (ev->kind == ORDO_TRACE_RECV)
        fprintf(out, "%d.%" PRIu64 " from %d handler %" PRIu64, ev->peer, ev->msg, ev->peer,
                ev->handler);
    else
        fputs(ev->name, out);
    fprintf(out, " lamport=%" PRIu64 " hlc=(%" PRIu64 ",%" PRIu64 ") vc=[", ev->lamport, ev->hlc_l,
            ev->hlc_c);
    ordo_trace_vc_print(out, ordo_trace_vc(trace, ev), trace->size, VC_SHOW_MAX);
    fprintf(out, "] (%s:%" PRIu64 ")", trace->ranks[ev->rank].path, ev->line);
}
