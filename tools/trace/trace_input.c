/*
 * trace_input.c - ordo-trace's input files: the paths given (a directory
 * stands for its ordo-trace.*.txt files), reading them line by line, and
 * their headers (steps 1 and 2 of trace_read.c's loading).
 */
#include "trace_int.h"
#include "tools/common/tool_files.h"
#include "tools/common/tool_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

int trace_out_of_memory(void)
{
    ordo_trace_error(NULL, 0, "out of memory");
    return -1;
}

/* ---- small helpers ------------------------------------------------------ */

const char *trace_show(shown_t *out, const char *text)
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

/* Splits s in place at runs of blanks; returns the number of fields, or
 * max + 1 if there are more than max. */
int trace_split(char *s, char **fields, int max)
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
        if (!tool_parse_u64(middle, &v) && v <= INT_MAX)
            *rank = (long long)v;
    }
    return 1;
}

/* ---- the paths ------------------------------------------------------------ */

int trace_inputs_add(inputs_t *ins, char *path, const char *dir)
{
    if (!path)
        return trace_out_of_memory();
    if (ins->n == ins->cap) {
        size_t cap = ins->cap ? ins->cap * 2 : 16;
        input_t *v = cap < SIZE_MAX / sizeof(*v) ? realloc(ins->v, cap * sizeof(*v)) : NULL;
        if (!v) {
            free(path);
            return trace_out_of_memory();
        }
        ins->v = v;
        ins->cap = cap;
    }
    ins->v[ins->n] = (input_t){.path = path, .dir = dir, .index = ins->n, .rank = -1};
    ins->n++;
    return 0;
}

struct take_ctx {
    inputs_t *ins;
    const char *dir;
};

static int take_input(void *ctx, char *path)
{
    struct take_ctx *c = ctx;
    return trace_inputs_add(c->ins, path, c->dir);
}

static int is_trace_name(const char *name)
{
    long long rank;
    return trace_file_name(name, &rank);
}

static int inputs_add_dir(inputs_t *ins, const char *dir)
{
    char **paths;
    size_t n;
    const char *what;

    if (tool_dir_files(dir, is_trace_name, &paths, &n, &what)) {
        ordo_trace_error(dir, 0, "cannot %s the directory: %s", what, strerror(errno));
        return -1;
    }
    if (!n) {
        free(paths);
        ordo_trace_error(dir, 0,
                         "expected " TRACE_PREFIX "<rank>" TRACE_SUFFIX
                         " files in this directory, found none");
        return -1;
    }
    struct take_ctx c = {ins, dir};
    return tool_paths_take(paths, n, take_input, &c);
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
    return trace_inputs_add(ins, strdup(arg), NULL);
}

void trace_inputs_free(inputs_t *ins)
{
    for (size_t i = 0; i < ins->n; i++)
        free(ins->v[i].path);
    free(ins->v);
}

/* ---- lines ---------------------------------------------------------------- */

int trace_reader_open(reader_t *r, const char *path, const input_t *in)
{
    *r = (reader_t){.path = path};
    r->fp = in->text ? fmemopen((void *)in->text, in->len, "r") : fopen(path, "r");
    if (!r->fp) {
        ordo_trace_error(path, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void trace_reader_close(reader_t *r)
{
    free(r->buf);
    if (r->fp)
        fclose(r->fp);
}

/* The next line, without its newline, in r->buf: 1; 0 at the end of the
 * file; -1 after printing why. */
int trace_reader_next(reader_t *r)
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

/* ---- the header ------------------------------------------------------------ */

int trace_header_read(reader_t *r, int *rank, int *size)
{
    char *f[HEADER_FIELDS];
    uint64_t version, v_rank, v_size;
    shown_t sh;
    int s = trace_reader_next(r);

    if (s < 0)
        return -1;
    if (s == 0) {
        ordo_trace_error(r->path, 1, "expected the header '" HEADER_FORM "', found an empty file");
        return -1;
    }
    trace_show(&sh, r->buf);
    if (trace_split(r->buf, f, HEADER_FIELDS) != HEADER_FIELDS || strcmp(f[0], "#") ||
        strcmp(f[1], "ordo-trace") || strcmp(f[3], "rank") || strcmp(f[5], "size") ||
        tool_parse_u64(f[2], &version) || tool_parse_u64(f[4], &v_rank) ||
        tool_parse_u64(f[6], &v_size)) {
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

static int trace_input_read_header(input_t *in)
{
    reader_t r;
    long long name_rank;
    int status = -1;

    if (trace_reader_open(&r, in->path, in))
        return -1;
    if (trace_header_read(&r, &in->rank, &in->size))
        goto out;
    if (trace_file_name(in->path, &name_rank) && name_rank >= 0 && name_rank != in->rank) {
        ordo_trace_error(in->path, 1, "expected rank %lld as the file name says, found rank %d",
                         name_rank, in->rank);
        goto out;
    }
    status = 0;
out:
    trace_reader_close(&r);
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
int trace_inputs_check_headers(inputs_t *ins)
{
    input_t *v = ins->v;
    size_t i;

    for (i = 0; i < ins->n; i++) {
        if (trace_input_read_header(&v[i]))
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
            char *expect = tool_join_path(who->dir, name);
            if (!expect)
                return trace_out_of_memory();
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

/* The files the arguments name, in argument order. */
int trace_inputs_collect(inputs_t *ins, int npaths, char *const *paths)
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
