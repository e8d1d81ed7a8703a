/*
 * trace_int.h - what ordo-trace's reader files share (trace_input.c: the
 * files, their lines and headers; trace_read.c: the event lines, the
 * messages, loading).  No other file includes it.
 */
#ifndef ORDO_TOOLS_TRACE_INT_H
#define ORDO_TOOLS_TRACE_INT_H

#include "trace.h"

#include <stdint.h>
#include <stdio.h>

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
/* A field quoted in a message: printable, escaped, cut at SHOW_MAX. */
typedef struct shown {
    char s[SHOW_MAX * 4 + 4];
} shown_t;

int trace_out_of_memory(void);
/* A field quoted in a message: printable, escaped, cut at SHOW_MAX. */
const char *trace_show(shown_t *out, const char *text);
/* Splits s in place at runs of blanks; returns the number of fields, or
 * max + 1 if there are more than max. */
int trace_split(char *s, char **fields, int max);

/* The inputs: path (taken) found in directory argument dir (or NULL). */
int trace_inputs_add(inputs_t *ins, char *path, const char *dir);
/* The files the arguments name, in argument order. */
int trace_inputs_collect(inputs_t *ins, int npaths, char *const *paths);
void trace_inputs_free(inputs_t *ins);
/* Every header: one size, each rank once, no rank missing.  Sorts by rank. */
int trace_inputs_check_headers(inputs_t *ins);

int trace_reader_open(reader_t *r, const char *path, const input_t *in);
void trace_reader_close(reader_t *r);
/* The next line, without its newline, in r->buf: 1; 0 at the end of the
 * file; -1 after printing why. */
int trace_reader_next(reader_t *r);
/* The header line of r (# ordo-trace 1 rank <r> size <n>): 0, or -1 after
 * printing why. */
int trace_header_read(reader_t *r, int *rank, int *size);

#endif
