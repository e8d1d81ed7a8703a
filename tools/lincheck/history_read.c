/*
 * history_read.c - reading a history: the paths given, every file's lines,
 * the merge of the files by time, the pairing of invokes and completions
 * into operations.
 *
 * Loading reads in this order, and stops at the first problem with
 * `file:line: what is wrong`:
 *   1. the paths and the objects of the files (history_files.c);
 *   2. every file, line by line (history_parse.c);
 *   3. the merge: repeatedly the file whose next event has the smallest
 *      time (the lower file for equal times); a file's own order is kept, so
 *      a clock that goes back within a file reorders nothing;
 *   4. the pairing, per process of each object, in merged order: an invoke,
 *      then one completion of the same f and key (ok, fail or info); an
 *      invoke left open at the end is an info.
 */
#include "lincheck.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The events of one file, in line order. */
typedef struct file_events {
    lincheck_event_t *v;
    size_t n, cap, next; /* next: the merge's position */
} file_events_t;

/* What pairing knows of one process. */
typedef struct process {
    uint64_t id;
    uint32_t object;
    size_t pending; /* its open invoke, or LINCHECK_NONE */
    size_t info;    /* its info completion, or LINCHECK_NONE */
    int used;
} process_t;

typedef struct processes {
    process_t *v;
    size_t n, cap; /* cap: a power of two */
} processes_t;

void lincheck_error(const char *path, uint64_t line, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    if (!path)
        fputs("ordo-lincheck: ", stderr);
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
    lincheck_error(NULL, 0, "out of memory");
    return -1;
}

int lincheck_grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *p = c < SIZE_MAX / size ? realloc(*v, c * size) : NULL;
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

/* ---- the lines of one file ------------------------------------------------- */

static int read_events(FILE *fp, const char *path, uint32_t file, uint32_t object,
                       file_events_t *out)
{
    char *buf = NULL, err[LINCHECK_ERROR_MAX];
    size_t cap = 0;
    uint64_t line = 0;
    lincheck_event_t ev;
    ssize_t n;
    int status = -1;

    while ((errno = 0, n = getline(&buf, &cap, fp)) >= 0) {
        char *text = buf;
        line++;
        if (memchr(buf, '\0', (size_t)n)) {
            lincheck_error(path, line, "expected a line of text, found a NUL byte");
            goto out;
        }
        int ended = n > 0 && buf[n - 1] == '\n';
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        if (line == 1 && !strncmp(text, "\xef\xbb\xbf", 3))
            text += 3; /* a UTF-8 byte order mark */
        int s = lincheck_parse_line(text, &ev, err);
        if (s < 0 && !ended) {
            /* The file's last line, cut short: its writer died while writing it
             * (a line that crosses a page of the file is written in two steps, and
             * SIGKILL can come between them).  An invoke cut so was never acted
             * on (ordo writes it before the operation's messages go out); a
             * completion cut so leaves its operation pending, which is what a
             * crash means anyway.  Anywhere else a bad line is an error. */
            lincheck_error(path, line,
                           "note: the last line is cut short: it has no end of line and "
                           "does not parse (%s); its writer died while writing it: left out",
                           err);
            break;
        }
        if (s < 0) {
            lincheck_error(path, line, "%s", err);
            goto out;
        }
        if (s == 0)
            continue;
        if (lincheck_grow((void **)&out->v, &out->cap, out->n, sizeof(*out->v))) {
            out_of_memory();
            goto out;
        }
        ev.file = file;
        ev.object = object;
        ev.line = line;
        out->v[out->n++] = ev;
    }
    if (ferror(fp)) {
        lincheck_error(path, line + 1, "cannot read: %s", strerror(errno ? errno : EIO));
        goto out;
    }
    status = 0;
out:
    free(buf);
    return status;
}

/* ---- the merge -------------------------------------------------------------- */

/* Is file a's next event before file b's? */
static int head_before(const file_events_t *f, uint32_t a, uint32_t b)
{
    uint64_t ta = f[a].v[f[a].next].time, tb = f[b].v[f[b].next].time;
    return ta < tb || (ta == tb && a < b);
}

static void heap_down(const file_events_t *f, uint32_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && head_before(f, heap[l], heap[m]))
            m = l;
        if (l + 1 < n && head_before(f, heap[l + 1], heap[m]))
            m = l + 1;
        if (m == i)
            return;
        uint32_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* Every file's events into h->events: a k-way merge by time. */
static int merge(lincheck_history_t *h, file_events_t *f)
{
    uint32_t *heap = malloc((h->nfiles ? h->nfiles : 1) * sizeof(*heap));
    size_t n = 0, total = 0;

    for (size_t i = 0; i < h->nfiles; i++)
        total += f[i].n;
    h->events = malloc((total ? total : 1) * sizeof(*h->events));
    if (!heap || !h->events) {
        free(heap);
        return out_of_memory();
    }
    for (uint32_t i = 0; i < h->nfiles; i++)
        if (f[i].n)
            heap[n++] = i;
    for (size_t i = n; i-- > 0;)
        heap_down(f, heap, n, i);
    while (n) {
        file_events_t *top = &f[heap[0]];
        h->events[h->nevents++] = top->v[top->next++];
        if (top->next == top->n)
            heap[0] = heap[--n];
        heap_down(f, heap, n, 0);
    }
    free(heap);
    return 0;
}

/* ---- the pairing ------------------------------------------------------------- */

static uint64_t mix(uint32_t object, uint64_t x)
{
    x ^= (uint64_t)object * 0x9e3779b97f4a7c15ULL;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* The slot of the object's process id, made if new; NULL if out of memory. */
static process_t *process_get(processes_t *ps, uint32_t object, uint64_t id)
{
    if (2 * (ps->n + 1) > ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 64;
        process_t *v = calloc(cap, sizeof(*v));
        if (!v)
            return NULL;
        for (size_t i = 0; i < ps->cap; i++) {
            if (!ps->v[i].used)
                continue;
            size_t j = mix(ps->v[i].object, ps->v[i].id) & (cap - 1);
            while (v[j].used)
                j = (j + 1) & (cap - 1);
            v[j] = ps->v[i];
        }
        free(ps->v);
        ps->v = v;
        ps->cap = cap;
    }
    size_t j = mix(object, id) & (ps->cap - 1);
    while (ps->v[j].used && (ps->v[j].id != id || ps->v[j].object != object))
        j = (j + 1) & (ps->cap - 1);
    if (!ps->v[j].used) {
        ps->v[j] = (process_t){
            .id = id, .object = object, .pending = LINCHECK_NONE, .info = LINCHECK_NONE, .used = 1};
        ps->n++;
    }
    return &ps->v[j];
}

/* `file:line` of event i, for messages. */
typedef struct where {
    char s[512];
} where_t;

static const char *where(where_t *w, const lincheck_history_t *h, size_t i)
{
    snprintf(w->s, sizeof(w->s), "%s:%" PRIu64, h->files[h->events[i].file], h->events[i].line);
    return w->s;
}

static int bad_event(const lincheck_history_t *h, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad_event(const lincheck_history_t *h, size_t i, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lincheck_error(h->files[h->events[i].file], h->events[i].line, "%s", msg);
    return -1;
}

/* The operation of invoke event inv and completion event done (or
 * LINCHECK_NONE: never completed), unless it is to be dropped. */
static int op_add(lincheck_history_t *h, size_t *cap, size_t inv, size_t done)
{
    const lincheck_event_t *in = &h->events[inv];
    const lincheck_event_t *end = done == LINCHECK_NONE ? NULL : &h->events[done];
    int info = !end || end->type == LINCHECK_INFO;
    lincheck_op_t op = {.object = in->object,
                        .process = in->process,
                        .key = in->key,
                        .call = in->time,
                        .ret = LINCHECK_NEVER,
                        .invoke = inv,
                        .done = done,
                        .f = in->f};
    where_t w;

    if (end && end->type == LINCHECK_FAIL) {
        h->nfail++;
        return 0;
    }
    if (info)
        h->ninfo++;
    else
        op.ret = end->time < in->time ? in->time : end->time;
    switch (in->f) {
    case LINCHECK_READ:
        if (info) {
            h->ninfo_reads++;
            return 0;
        }
        if (!end->has_value)
            return bad_event(h, done, "expected the value read in a read's ok, found nil");
        op.value = end->value;
        op.has_value = 1;
        break;
    case LINCHECK_WRITE:
        if (end && end->has_value && end->value != in->value)
            return bad_event(h, done,
                             "expected the value of the write's invoke (%" PRIu64
                             " at %s) in its completion, found %" PRIu64,
                             in->value, where(&w, h, inv), end->value);
        op.value = in->value;
        op.has_value = 1;
        break;
    case LINCHECK_ACQUIRE: /* the fencing token, if the lock service gave one */
        op.value = end && !info ? end->value : 0;
        op.has_value = end && !info && end->has_value;
        break;
    default:
        break;
    }
    if (lincheck_grow((void **)&h->ops, cap, h->nops, sizeof(*h->ops)))
        return out_of_memory();
    h->ops[h->nops++] = op;
    return 0;
}

static int event_pair(lincheck_history_t *h, processes_t *ps, size_t *cap, size_t i)
{
    const lincheck_event_t *ev = &h->events[i];
    process_t *p = process_get(ps, ev->object, ev->process);
    where_t w;

    if (!p)
        return out_of_memory();
    if (ev->type == LINCHECK_INVOKE) {
        if (p->pending != LINCHECK_NONE)
            return bad_event(h, i,
                             "process %" PRIu64 " invokes again before the completion of its "
                             "invoke at %s",
                             ev->process, where(&w, h, p->pending));
        if (p->info != LINCHECK_NONE)
            return bad_event(h, i,
                             "process %" PRIu64 " invokes again after an info completion (at %s): "
                             "its outcome is unknown, so the process must go on under a new id",
                             ev->process, where(&w, h, p->info));
        if (ev->f == LINCHECK_WRITE && !ev->has_value)
            return bad_event(h, i, "expected the value to write in a write's invoke, found nil");
        p->pending = i;
        h->ninvokes++;
        return 0;
    }
    if (p->pending == LINCHECK_NONE)
        return bad_event(h, i, "a completion (%s) of process %" PRIu64 " without an invoke",
                         lincheck_type_name(ev->type), ev->process);
    const lincheck_event_t *in = &h->events[p->pending];
    if (in->f != ev->f || in->key != ev->key)
        return bad_event(h, i,
                         "expected the completion of process %" PRIu64 "'s %s on key %" PRIu64
                         " (invoked at %s), found %s on key %" PRIu64,
                         ev->process, lincheck_f_name(in->f), in->key, where(&w, h, p->pending),
                         lincheck_f_name(ev->f), ev->key);
    size_t inv = p->pending;
    p->pending = LINCHECK_NONE;
    if (ev->type == LINCHECK_INFO)
        p->info = i;
    return op_add(h, cap, inv, i);
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int pair(lincheck_history_t *h)
{
    processes_t ps = {0};
    size_t cap = 0, *open = NULL, nopen = 0;
    int status = -1;

    for (size_t i = 0; i < h->nevents; i++)
        if (event_pair(h, &ps, &cap, i))
            goto out;
    /* Invokes never completed: info, in input order. */
    for (size_t i = 0; i < ps.cap; i++)
        nopen += ps.v[i].used && ps.v[i].pending != LINCHECK_NONE;
    open = malloc((nopen ? nopen : 1) * sizeof(*open));
    if (!open) {
        out_of_memory();
        goto out;
    }
    nopen = 0;
    for (size_t i = 0; i < ps.cap; i++)
        if (ps.v[i].used && ps.v[i].pending != LINCHECK_NONE)
            open[nopen++] = ps.v[i].pending;
    qsort(open, nopen, sizeof(*open), size_cmp);
    for (size_t i = 0; i < nopen; i++)
        if (op_add(h, &cap, open[i], LINCHECK_NONE))
            goto out;
    h->nprocesses = ps.n;
    status = 0;
out:
    free(open);
    free(ps.v);
    return status;
}

/* ---- loading --------------------------------------------------------------- */

/* Reads h->files (texts[i] instead of file i if texts is not NULL). */
static int load(lincheck_history_t *h, const lincheck_text_t *texts)
{
    file_events_t *f = calloc(h->nfiles ? h->nfiles : 1, sizeof(*f));
    int status = -1;

    if (!f)
        return out_of_memory();
    if (h->nfiles > UINT32_MAX) {
        lincheck_error(NULL, 0, "expected at most %" PRIu32 " files", UINT32_MAX);
        goto out;
    }
    for (size_t i = 0; i < h->nfiles; i++) {
        FILE *fp;
        if (texts && texts[i].len == 0)
            continue;
        fp = texts ? fmemopen((void *)texts[i].text, texts[i].len, "r") : fopen(h->files[i], "r");
        if (!fp) {
            lincheck_error(h->files[i], 0, "cannot open: %s", strerror(errno));
            goto out;
        }
        int s = read_events(fp, h->files[i], (uint32_t)i, h->file_object[i], &f[i]);
        fclose(fp);
        if (s)
            goto out;
    }
    if (merge(h, f) || pair(h))
        goto out;
    status = 0;
out:
    for (size_t i = 0; i < h->nfiles; i++)
        free(f[i].v);
    free(f);
    if (status)
        lincheck_history_free(h);
    return status;
}

int lincheck_history_load(lincheck_history_t *h, int npaths, char *const *paths)
{
    *h = (lincheck_history_t){0};
    if (lincheck_files_add(h, npaths, paths) || lincheck_files_objects(h)) {
        lincheck_history_free(h);
        return -1;
    }
    return load(h, NULL);
}

int lincheck_history_load_texts(lincheck_history_t *h, int ntexts, const lincheck_text_t *texts)
{
    *h = (lincheck_history_t){0};
    if (lincheck_files_add_texts(h, ntexts, texts) || lincheck_files_objects(h)) {
        lincheck_history_free(h);
        return -1;
    }
    return load(h, texts);
}

void lincheck_history_free(lincheck_history_t *h)
{
    for (size_t i = 0; i < h->nfiles; i++)
        free(h->files[i]);
    free(h->files);
    free(h->file_object);
    for (size_t i = 0; i < h->nobjects; i++)
        free(h->objects[i]);
    free(h->objects);
    free(h->events);
    free(h->ops);
    *h = (lincheck_history_t){0};
}
