/*
 * tool_files.c - finding the offline tools' input files (tool_files.h).
 */
#include "tool_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *tool_join_path(const char *dir, const char *name)
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

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int tool_natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (is_digit(*a) && is_digit(*b)) {
            const char *ea, *eb;
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            for (ea = a; is_digit(*ea); ea++)
                ;
            for (eb = b; is_digit(*eb); eb++)
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
    int c = tool_natural_cmp(*(char *const *)a, *(char *const *)b);
    return c ? c : strcmp(*(char *const *)a, *(char *const *)b);
}

void tool_paths_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int tool_paths_take(char **paths, size_t n, int (*take)(void *ctx, char *path), void *ctx)
{
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        if (status)
            free(paths[i]); /* after a failure: not taken */
        else
            status = take(ctx, paths[i]);
    }
    free(paths);
    return status;
}

int tool_dir_files(const char *dir, int (*want)(const char *name), char ***paths, size_t *n,
                   const char **what)
{
    char **v = NULL;
    size_t k = 0, cap = 0;
    struct stat st;
    DIR *d = opendir(dir);

    *what = "open";
    if (!d)
        return -1;
    *what = "read";
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de)
            break;
        if (!want(de->d_name))
            continue;
        char *path = tool_join_path(dir, de->d_name);
        if (path && (stat(path, &st) || !S_ISREG(st.st_mode))) {
            free(path);
            continue;
        }
        if (path && k == cap) {
            size_t c = cap ? 2 * cap : 16;
            char **nv = c < SIZE_MAX / sizeof(*nv) ? realloc(v, c * sizeof(*nv)) : NULL;
            if (nv) {
                v = nv;
                cap = c;
            } else {
                free(path);
                path = NULL;
            }
        }
        if (!path) {
            errno = ENOMEM;
            break;
        }
        v[k++] = path;
    }
    int err = errno;
    closedir(d);
    if (err) {
        tool_paths_free(v, k);
        errno = err;
        return -1;
    }
    if (k)
        qsort(v, k, sizeof(*v), path_cmp);
    *paths = v;
    *n = k;
    return 0;
}
