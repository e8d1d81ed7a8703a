/*
 * tool_files.h - what ordo's offline tools (ordo-trace, ordo-lincheck) share
 * to find their input files: a directory given on the command line stands
 * for the regular files in it that the tool reads.
 */
#ifndef ORDO_TOOLS_TOOL_FILES_H
#define ORDO_TOOLS_TOOL_FILES_H

#include <stddef.h>

/* dir/name in a new string (one slash between them), or NULL: no memory. */
char *tool_join_path(const char *dir, const char *name);

/* strcmp, but runs of digits compare as numbers (rank 2 before rank 10). */
int tool_natural_cmp(const char *a, const char *b);

/* The paths (dir/name, new strings) of the regular files of dir whose name
 * want accepts, in natural name order: *paths (free with tool_paths_free)
 * and *n.  0; -1 with errno set when the directory cannot be opened or read
 * (*what then names the step: "open" or "read") or memory runs out. */
int tool_dir_files(const char *dir, int (*want)(const char *name), char ***paths, size_t *n,
                   const char **what);
void tool_paths_free(char **paths, size_t n);
/* Hand each of paths to take (which keeps it, or frees it and fails with
 * -1), in order; after a failure the rest are freed.  Frees the array.
 * 0, or -1 if take failed. */
int tool_paths_take(char **paths, size_t n, int (*take)(void *ctx, char *path), void *ctx);

#endif
