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

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && !strcmp(name + n - s, suffix);
}

/* strcmp, but runs of digits compare as numbers. */
static int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            const char *ea = a, *eb = b;
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            for (ea = a; *ea >= '0' && *ea <= '9'; ea++)
                ;
            for (eb = b; *eb >= '0' && *eb <= '9'; eb++)
                ;
            if (ea - a != eb - b)
                return ea - a < eb - b ? -1 : 1;
            int c = strncmp(a, b, (size_t)(ea - a));
            if (c)
                return c;
            a = ea;
            b = eb;
        } else {
            if (*a != *b)
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int path_cmp(const void *a, const void *b)
{
    int c = natural_cmp(*(char *const *)a, *(char *const *)b);
    return c ? c : strcmp(*(char *const *)a, *(char *const *)b);
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

/* The regular *.edn and *.jsonl files of dir, in natural name order. */
static int files_add_dir(lincheck_history_t *h, size_t *cap, const char *dir)
{
    size_t first = h->nfiles;
    struct dirent *de;
    struct stat st;
    DIR *d = opendir(dir);

    if (!d) {
        lincheck_error(dir, 0, "cannot open the directory: %s", strerror(errno));
        return -1;
    }
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de)
            break;
        if (!has_suffix(de->d_name, ".edn") && !has_suffix(de->d_name, ".jsonl"))
            continue;
        char *path = join_path(dir, de->d_name);
        if (path && (stat(path, &st) || !S_ISREG(st.st_mode))) {
            free(path);
            continue;
        }
        if (files_add(h, cap, path))
            goto fail;
    }
    if (errno) {
        lincheck_error(dir, 0, "cannot read the directory: %s", strerror(errno));
        goto fail;
    }
    closedir(d);
    if (h->nfiles == first) {
        lincheck_error(dir, 0, "expected *.edn or *.jsonl files in this directory, found none");
        return -1;
    }
    qsort(h->files + first, h->nfiles - first, sizeof(*h->files), path_cmp);
    return 0;
fail:
    closedir(d);
    return -1;
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
