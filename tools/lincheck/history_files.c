/*
 * history_files.c - the files of a history, and the objects they belong to.
 *
 * The paths given are files, or directories that stand for their regular
 * *.edn and *.jsonl files, in name order (numbers in names compared as
 * numbers: rank 2 before rank 10).
 *
 * The runtime writes one file per object (a register set, a lock) and rank,
 * <object>.<rank>.edn: keys and processes are numbered per object. So the
 * events of each object make a history of their own: a file belongs to the
 * object its name says without the directory, the extension and a last
 * .<number> (qreg-1.0.edn and qreg-1.12.edn: qreg-1; ordo-history.3.edn and
 * ordo-history.edn: ordo-history; run.jsonl: run).
 */
#include "lincheck.h"
#include "tools/common/tool_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && !strcmp(name + n - s, suffix);
}

static int files_add(lincheck_history_t *h, size_t *cap, char *path)
{
    if (!path || lincheck_grow((void **)&h->files, cap, h->nfiles, sizeof(*h->files))) {
        free(path);
        lincheck_error(NULL, 0, "out of memory");
        return -1;
    }
    h->files[h->nfiles++] = path;
    return 0;
}

struct take_ctx {
    lincheck_history_t *h;
    size_t *cap;
};

static int take_file(void *ctx, char *path)
{
    struct take_ctx *c = ctx;
    return files_add(c->h, c->cap, path);
}

static int history_name(const char *name)
{
    return has_suffix(name, ".edn") || has_suffix(name, ".jsonl");
}

/* The regular *.edn and *.jsonl files of dir, in natural name order. */
static int files_add_dir(lincheck_history_t *h, size_t *cap, const char *dir)
{
    char **paths;
    size_t n;
    const char *what;

    if (tool_dir_files(dir, history_name, &paths, &n, &what)) {
        lincheck_error(dir, 0, "cannot %s the directory: %s", what, strerror(errno));
        return -1;
    }
    if (!n) {
        free(paths);
        lincheck_error(dir, 0, "expected *.edn or *.jsonl files in this directory, found none");
        return -1;
    }
    struct take_ctx c = {h, cap};
    return tool_paths_take(paths, n, take_file, &c);
}

static int files_add_arg(lincheck_history_t *h, size_t *cap, const char *arg)
{
    struct stat st;

    if (stat(arg, &st)) {
        lincheck_error(arg, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return files_add_dir(h, cap, arg);
    return files_add(h, cap, strdup(arg));
}

int lincheck_files_add(lincheck_history_t *h, int npaths, char *const *paths)
{
    size_t cap = 0;

    for (int i = 0; i < npaths; i++)
        if (files_add_arg(h, &cap, paths[i]))
            return -1;
    return 0;
}

int lincheck_files_add_texts(lincheck_history_t *h, int ntexts, const lincheck_text_t *texts)
{
    size_t cap = 0;

    for (int i = 0; i < ntexts; i++)
        if (files_add(h, &cap, strdup(texts[i].name)))
            return -1;
    return 0;
}

/* The object of path: a new string. */
static char *object_of(const char *path)
{
    const char *base = strrchr(path, '/');
    char *name, *dot;

    name = strdup(base ? base + 1 : path);
    if (!name)
        return NULL;
    dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0'; /* the extension */
    dot = strrchr(name, '.');
    if (dot && dot != name && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
        *dot = '\0'; /* the rank */
    return name;
}

int lincheck_files_objects(lincheck_history_t *h)
{
    size_t cap = 0;

    h->file_object = malloc((h->nfiles ? h->nfiles : 1) * sizeof(*h->file_object));
    if (!h->file_object)
        goto nomem;
    for (size_t i = 0; i < h->nfiles; i++) {
        char *name = object_of(h->files[i]);
        size_t k;
        if (!name)
            goto nomem;
        for (k = 0; k < h->nobjects && strcmp(h->objects[k], name); k++)
            ;
        if (k < h->nobjects) {
            free(name);
        } else if (lincheck_grow((void **)&h->objects, &cap, h->nobjects, sizeof(*h->objects))) {
            free(name);
            goto nomem;
        } else {
            h->objects[h->nobjects++] = name;
        }
        h->file_object[i] = (uint32_t)k;
    }
    return 0;
nomem:
    lincheck_error(NULL, 0, "out of memory");
    return -1;
}
