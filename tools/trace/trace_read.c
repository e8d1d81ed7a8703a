/*
 * trace_read.c - reading a run: the paths given, the headers, the event
 * lines, the pairing of sends and receives.
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
#include "trace.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define TRACE_PREFIX  "ordo-trace."
#define TRACE_SUFFIX  ".txt"
#define TRACE_VERSION 1
#define HEADER_FORM   "# ordo-trace 1 rank <r> size <n>"
#define LINE_FORM     "<seq> <kind> <wall_ns> <lamport> <hlc_l> <hlc_c> <vc> <peer> <msg> <name>"
#define NFIELDS       10
#define HEADER_FIELDS 7
#define SHOW_MAX      40 /* characters of a bad field quoted in a message */
#define VC_SHOW_MAX   16 /* vector clock entries printed with an event */

/* Fields of an event line. */
enum { F_SEQ, F_KIND, F_WALL, F_LAMPORT, F_HLC_L, F_HLC_C, F_VC, F_PEER, F_MSG, F_NAME };

/* One file to read, and what its header says. */
typedef struct input {
    char *path;
    const char *dir;  /* the directory argument it was found in, or NULL */
    const char *text; /* the file's bytes if held in memory (len of them), or NULL */
    size_t len;
    size_t index; /* position among the inputs, for stable sorting */
    int rank, size;
} input_t;

typedef struct inputs {
    input_t *v;
    size_t n, cap;
} inputs_t;

/* A file being read line by line. */
typedef struct reader {
    FILE *fp;
    const char *path;
    char *buf;
    size_t cap;
    uint64_t line;
} reader_t;

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

static int out_of_memory(void)
{
    ordo_trace_error(NULL, 0, "out of memory");
    return -1;
}

const char *ordo_trace_kind_name(ordo_trace_kind_t kind)
{
    return kind < ORDO_TRACE_NKINDS ? kind_names[kind] : "?";
}

/* ---- small helpers ------------------------------------------------------ */

/* A field quoted in a message: printable, escaped, cut at SHOW_MAX. */
typedef struct shown {
    char s[SHOW_MAX * 4 + 4];
} shown_t;

static const char *show(shown_t *out, const char *text)
{
    size_t n = 0, i;

    for (i = 0; text[i] && i < SHOW_MAX; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f)
            out->s[n++] = (char)c;
        else
            n += (size_t)snprintf(out->s + n, sizeof(out->s) - n, "\\x%02x", c);
    }
    if (text[i])
        n += (size_t)snprintf(out->s + n, sizeof(out->s) - n, "...");
    out->s[n] = '\0';
    return out->s;
}

/* 0, -1 if s is not a decimal number, -2 if it does not fit in 64 bits. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Splits s in place at runs of blanks; returns the number of fields, or
 * max + 1 if there are more than max. */
static int split(char *s, char **fields, int max)
{
    int n = 0;

    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            return n;
        if (n == max)
            return max + 1;
        fields[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (*s)
            *s++ = '\0';
    }
}

static char *join_path(const char *dir, const char *name)
{
    size_t ld = strlen(dir), ln = strlen(name);
    int slash = ld > 0 && dir[ld - 1] != '/';
    char *p = malloc(ld + (size_t)slash + ln + 1);

    if (!p)
        return NULL;
    memcpy(p, dir, ld);
    if (slash)
        p[ld] = '/';
    memcpy(p + ld + slash, name, ln + 1);
    return p;
}

/* If the last component of path is ordo-trace.<x>.txt: 1, with *rank the
 * number x (or -1 if x is not a number); 0 otherwise. */
static int trace_file_name(const char *path, long long *rank)
{
    const char *base = strrchr(path, '/');
    size_t lp = strlen(TRACE_PREFIX), ls = strlen(TRACE_SUFFIX), n;
    uint64_t v;

    base = base ? base + 1 : path;
    n = strlen(base);
    if (n <= lp + ls || strncmp(base, TRACE_PREFIX, lp) || strcmp(base + n - ls, TRACE_SUFFIX))
        return 0;
    char middle[32];
    size_t lm = n - lp - ls;
    *rank = -1;
    if (lm < sizeof(middle)) {
        memcpy(middle, base + lp, lm);
        middle[lm] = '\0';
        if (!parse_u64(middle, &v) && v <= INT_MAX)
            *rank = (long long)v;
    }
    return 1;
}

/* ---- the paths ------------------------------------------------------------ */

static int inputs_add(inputs_t *ins, char *path, const char *dir)
{
    if (!path)
        return out_of_memory();
    if (ins->n == ins->cap) {
        size_t cap = ins->cap ? ins->cap * 2 : 16;
        input_t *v = cap < SIZE_MAX / sizeof(*v) ? realloc(ins->v, cap * sizeof(*v)) : NULL;
        if (!v) {
            free(path);
            return out_of_memory();
        }
        ins->v = v;
        ins->cap = cap;
    }
    ins->v[ins->n] = (input_t){.path = path, .dir = dir, .index = ins->n, .rank = -1};
    ins->n++;
    return 0;
}

static int inputs_add_dir(inputs_t *ins, const char *dir)
{
    size_t first = ins->n;
    struct dirent *de;
    long long rank;
    DIR *d = opendir(dir);

    if (!d) {
        ordo_trace_error(dir, 0, "cannot open the directory: %s", strerror(errno));
        return -1;
    }
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de)
            break;
        if (trace_file_name(de->d_name, &rank) && inputs_add(ins, join_path(dir, de->d_name), dir))
            goto fail;
    }
    if (errno) {
        ordo_trace_error(dir, 0, "cannot read the directory: %s", strerror(errno));
        goto fail;
    }
    closedir(d);
    if (ins->n == first) {
        ordo_trace_error(dir, 0,
                         "expected " TRACE_PREFIX "<rank>" TRACE_SUFFIX
                         " files in this directory, found none");
        return -1;
    }
    return 0;
fail:
    closedir(d);
    return -1;
}

static int inputs_add_arg(inputs_t *ins, const char *arg)
{
    struct stat st;

    if (stat(arg, &st)) {
        ordo_trace_error(arg, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return inputs_add_dir(ins, arg);
    return inputs_add(ins, strdup(arg), NULL);
}

static void inputs_free(inputs_t *ins)
{
    for (size_t i = 0; i < ins->n; i++)
        free(ins->v[i].path);
    free(ins->v);
}

/* ---- lines ---------------------------------------------------------------- */

static int reader_open(reader_t *r, const char *path, const input_t *in)
{
    *r = (reader_t){.path = path};
    r->fp = in->text ? fmemopen((void *)in->text, in->len, "r") : fopen(path, "r");
    if (!r->fp) {
        ordo_trace_error(path, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void reader_close(reader_t *r)
{
    free(r->buf);
    if (r->fp)
        fclose(r->fp);
}

/* The next line, without its newline, in r->buf: 1; 0 at the end of the
 * file; -1 after printing why. */
static int reader_next(reader_t *r)
{
    ssize_t n;

    errno = 0;
    n = getline(&r->buf, &r->cap, r->fp);
    if (n < 0) {
        if (feof(r->fp) && !ferror(r->fp))
            return 0;
        ordo_trace_error(r->path, r->line + 1, "cannot read: %s", strerror(errno ? errno : EIO));
        return -1;
    }
    r->line++;
    if (memchr(r->buf, '\0', (size_t)n)) {
        ordo_trace_error(r->path, r->line, "expected a line of text, found a NUL byte");
        return -1;
    }
    if (r->buf[n - 1] != '\n') {
        ordo_trace_error(r->path, r->line,
                         "expected a complete line, found a truncated one (no newline at the "
                         "end of the file)");
        return -1;
    }
    r->buf[n - 1] = '\0';
    return 1;
}

/* ---- fields --------------------------------------------------------------- */

static int field_u64(const reader_t *r, const char *field, const char *text, uint64_t *out)
{
    shown_t sh;
    int s = parse_u64(text, out);

    if (s == -2)
        ordo_trace_error(r->path, r->line, "%s: expected a number below 2^64, found '%s'", field,
                         show(&sh, text));
    else if (s)
        ordo_trace_error(r->path, r->line, "%s: expected an unsigned decimal number, found '%s'",
                         field, show(&sh, text));
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
                         show(&sh, text));
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
            count, show(&sh, text));
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
                         show(&sh, text));
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
                             show(&sh, text));
            return -1;
        }
    }
    *out = strdup(text);
    return *out ? 0 : out_of_memory();
}

/* ---- the header ------------------------------------------------------------ */

static int header_read(reader_t *r, int *rank, int *size)
{
    char *f[HEADER_FIELDS];
    uint64_t version, v_rank, v_size;
    shown_t sh;
    int s = reader_next(r);

    if (s < 0)
        return -1;
    if (s == 0) {
        ordo_trace_error(r->path, 1, "expected the header '" HEADER_FORM "', found an empty file");
        return -1;
    }
    show(&sh, r->buf);
    if (split(r->buf, f, HEADER_FIELDS) != HEADER_FIELDS || strcmp(f[0], "#") ||
        strcmp(f[1], "ordo-trace") || strcmp(f[3], "rank") || strcmp(f[5], "size") ||
        parse_u64(f[2], &version) || parse_u64(f[4], &v_rank) || parse_u64(f[6], &v_size)) {
        ordo_trace_error(r->path, r->line, "expected the header '" HEADER_FORM "', found '%s'",
                         sh.s);
        return -1;
    }
    if (version != TRACE_VERSION) {
        ordo_trace_error(r->path, r->line,
                         "expected format version %d, found version %" PRIu64
                         " (a newer ordo-trace may read it)",
                         TRACE_VERSION, version);
        return -1;
    }
    if (v_size < 1 || v_size > INT_MAX) {
        ordo_trace_error(r->path, r->line, "expected a size from 1 to %d, found %" PRIu64, INT_MAX,
                         v_size);
        return -1;
    }
    if (v_rank >= v_size) {
        ordo_trace_error(r->path, r->line,
                         "expected a rank below the size %" PRIu64 ", found rank %" PRIu64, v_size,
                         v_rank);
        return -1;
    }
    *rank = (int)v_rank;
    *size = (int)v_size;
    return 0;
}

static int input_read_header(input_t *in)
{
    reader_t r;
    long long name_rank;
    int status = -1;

    if (reader_open(&r, in->path, in))
        return -1;
    if (header_read(&r, &in->rank, &in->size))
        goto out;
    if (trace_file_name(in->path, &name_rank) && name_rank >= 0 && name_rank != in->rank) {
        ordo_trace_error(in->path, 1, "expected rank %lld as the file name says, found rank %d",
                         name_rank, in->rank);
        goto out;
    }
    status = 0;
out:
    reader_close(&r);
    return status;
}

static int cmp_input(const void *a, const void *b)
{
    const input_t *x = a, *y = b;

    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Every header: one size, each rank once, no rank missing. Sorts by rank. */
static int inputs_check_headers(inputs_t *ins)
{
    input_t *v = ins->v;
    size_t i;

    for (i = 0; i < ins->n; i++) {
        if (input_read_header(&v[i]))
            return -1;
        if (v[i].size != v[0].size) {
            ordo_trace_error(v[i].path, 1, "expected size %d as in %s, found size %d", v[0].size,
                             v[0].path, v[i].size);
            return -1;
        }
    }
    qsort(v, ins->n, sizeof(*v), cmp_input);
    for (i = 1; i < ins->n; i++) {
        if (v[i].rank == v[i - 1].rank) {
            ordo_trace_error(v[i].path, 1,
                             "expected one file per rank, found rank %d again (first in %s)",
                             v[i].rank, v[i - 1].path);
            return -1;
        }
    }
    for (i = 0; i < (size_t)v[0].size; i++) {
        if (i < ins->n && v[i].rank == (int)i)
            continue;
        /* Rank i is missing: blame a file whose header says the run had it. */
        const input_t *who = i < ins->n ? &v[i] : &v[0];
        char name[64];
        snprintf(name, sizeof(name), TRACE_PREFIX "%zu" TRACE_SUFFIX, i);
        if (who->dir) {
            char *expect = join_path(who->dir, name);
            if (!expect)
                return out_of_memory();
            ordo_trace_error(who->path, 1,
                             "size %d: expected a file for every rank, found none for rank %zu "
                             "(%s is missing)",
                             who->size, i, expect);
            free(expect);
        } else {
            ordo_trace_error(who->path, 1,
                             "size %d: expected a file for every rank, found none for rank %zu "
                             "(give %s or its directory too)",
                             who->size, i, name);
        }
        return -1;
    }
    return 0;
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
        return out_of_memory();
    p = realloc(rk->events, cap * sizeof(*rk->events));
    if (!p)
        return out_of_memory();
    rk->events = p;
    p = realloc(rk->vc, cap * (size_t)size * sizeof(uint64_t));
    if (!p)
        return out_of_memory();
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
                     show(&sh, text));
    return -1;
}

/* peer, msg and name of a send or a receive. */
static int message_parse(const reader_t *r, char **f, int size, ordo_trace_event_t *ev)
{
    shown_t sh;
    int src;

    if (field_rank(r, "peer", f[F_PEER], size, &ev->peer))
        return -1;
    show(&sh, f[F_MSG]);
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
    n = split(r->buf, f, NFIELDS);
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

    if (reader_open(&r, rk->path, in))
        return -1;
    if (header_read(&r, &rank, &size))
        goto out;
    if (rank != in->rank || size != in->size) {
        ordo_trace_error(rk->path, 1,
                         "expected the header read before, found another one "
                         "(did the file change while being read?)");
        goto out;
    }
    while ((s = reader_next(&r)) > 0) {
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
    reader_close(&r);
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
        return out_of_memory();
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

/* The files the arguments name, in argument order. */
static int inputs_collect(inputs_t *ins, int npaths, char *const *paths)
{
    for (int a = 0; a < npaths; a++)
        if (inputs_add_arg(ins, paths[a]))
            return -1;
    if (!ins->n) {
        ordo_trace_error(NULL, 0, "expected a trace directory or file, found none");
        return -1;
    }
    return 0;
}

/* One rank per input (the headers are checked); the trace takes the paths. */
static int ranks_alloc(ordo_trace_t *trace, inputs_t *ins)
{
    trace->size = ins->v[0].size;
    trace->ranks = calloc((size_t)trace->size, sizeof(*trace->ranks));
    if (!trace->ranks)
        return out_of_memory();
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

    if (inputs_check_headers(ins))
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
    int status = inputs_collect(&ins, npaths, paths) ? -1 : trace_load(trace, &ins);

    inputs_free(&ins);
    return status;
}

int ordo_trace_load_texts(ordo_trace_t *trace, int ntexts, const ordo_trace_text_t *texts)
{
    inputs_t ins = {0};
    int status = -1;

    for (int i = 0; i < ntexts; i++) {
        if (inputs_add(&ins, strdup(texts[i].name), NULL))
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
    inputs_free(&ins);
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
