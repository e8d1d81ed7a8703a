/*
 * trace.h - ordo-trace's model of one run: the events of every rank, read from
 * the files that ORDO_TRACE=<dir> makes each rank write.
 *
 * A file is the header `# ordo-trace 1 rank <r> size <n>` and one line per
 * event, in the rank's program order:
 *
 *   <seq> <kind> <wall_ns> <lamport> <hlc_l> <hlc_c> <vc> <peer> <msg> <name>
 *
 * ordo_trace_load() reads every file, refuses anything malformed with
 * `file:line: what was expected`, pairs each receive with its send and puts
 * all events in a causally consistent order. The commands (check, export,
 * merge) work on a loaded trace and never see a malformed one.
 *
 * Every file of the tool includes this header first.
 */
#ifndef ORDO_TRACE_H
#define ORDO_TRACE_H

/* getline, strdup, opendir, fmemopen: POSIX 2008 (unless the build asks for more). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status of the tool. */
#define ORDO_TRACE_EXIT_OK        0 /* no violation */
#define ORDO_TRACE_EXIT_VIOLATION 1 /* check found clocks that contradict the run */
#define ORDO_TRACE_EXIT_INPUT     2 /* usage error, unreadable or malformed input */

typedef enum ordo_trace_kind {
    ORDO_TRACE_SEND,
    ORDO_TRACE_RECV,
    ORDO_TRACE_EVENT,
    ORDO_TRACE_NKINDS
} ordo_trace_kind_t;

typedef struct ordo_trace_event ordo_trace_event_t;

/* One line of a rank's file. Clocks are the values after the event's rule. */
struct ordo_trace_event {
    int rank;
    ordo_trace_kind_t kind;
    uint64_t seq;  /* position in the rank's program order (0, 1, 2, ...) */
    uint64_t line; /* line number in the rank's file */
    uint64_t wall_ns;
    uint64_t lamport;
    uint64_t hlc_l, hlc_c;
    int peer;         /* send: destination, recv: source, event: -1 */
    uint64_t msg;     /* send, recv: the message id is <sender>.<msg> */
    uint64_t handler; /* send, recv: handler id */
    char *name;       /* event: the user's name; NULL otherwise */
    /* send: its receive, recv: its send; NULL for an event and for a send
     * that was never received. */
    ordo_trace_event_t *match;
};

/* The events of one rank. */
typedef struct ordo_trace_rank {
    char *path;                 /* the file they were read from */
    ordo_trace_event_t *events; /* events[seq] */
    uint64_t *vc;               /* the vector clock of events[seq] is vc[seq * size ...] */
    size_t count, cap;
    size_t first; /* index of events[0] among all events, rank after rank */
} ordo_trace_rank_t;

/* A whole run. */
typedef struct ordo_trace {
    int size;                 /* ranks, all present */
    ordo_trace_rank_t *ranks; /* ranks[rank] */
    size_t nevents;
    size_t nkind[ORDO_TRACE_NKINDS];
    size_t matched;                       /* messages with both ends */
    size_t lost;                          /* sends never received */
    const ordo_trace_event_t *first_lost; /* the first of those, or NULL */
    /* Every event once, in a topological order of happens-before (program
     * order plus send -> receive), ties broken by wall time. */
    ordo_trace_event_t **order;
} ordo_trace_t;

/* trace_read.c */

/* Reads the files named by paths (a directory means every ordo-trace.*.txt
 * in it) into *trace: 0, or -1 after printing why (and *trace is untouched). */
int ordo_trace_load(ordo_trace_t *trace, int npaths, char *const *paths);

/* A rank's file held in memory: name stands for its path in messages. */
typedef struct ordo_trace_text {
    const char *name;
    const char *text;
    size_t len;
} ordo_trace_text_t;

/* ordo_trace_load for files held in memory (the fuzzer's input). */
int ordo_trace_load_texts(ordo_trace_t *trace, int ntexts, const ordo_trace_text_t *texts);
void ordo_trace_free(ordo_trace_t *trace);

/* Prints `file:line: message` (`file: message` if line is 0, `ordo-trace:
 * message` if file is NULL) to stderr. */
void ordo_trace_error(const char *path, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *ordo_trace_kind_name(ordo_trace_kind_t kind);

/* `rank:seq kind msg ...` with the clocks and where the event was read. */
void ordo_trace_event_print(FILE *out, const ordo_trace_t *trace, const ordo_trace_event_t *ev);

/* Prints a vector clock as a,b,c; at most max entries, then `,...` (0: all). */
void ordo_trace_vc_print(FILE *out, const uint64_t *vc, int size, int max);

static inline const uint64_t *ordo_trace_vc(const ordo_trace_t *trace, const ordo_trace_event_t *ev)
{
    return trace->ranks[ev->rank].vc + ev->seq * (size_t)trace->size;
}

/* The index of ev among all events, rank after rank (0 .. nevents - 1). */
static inline size_t ordo_trace_index(const ordo_trace_t *trace, const ordo_trace_event_t *ev)
{
    return trace->ranks[ev->rank].first + ev->seq;
}

/* trace_order.c: fills trace->order; 0, or -1 after printing why (a cycle
 * of messages, or no memory). */
int ordo_trace_order(ordo_trace_t *trace);

/* trace_check.c: prints the summary and the violations; returns their
 * number, or -1 after printing why (no memory). */
long ordo_trace_check(const ordo_trace_t *trace, FILE *out);

/* trace_export.c: Chrome trace-event JSON; 0, or -1 on a write error. */
int ordo_trace_export(const ordo_trace_t *trace, FILE *out);

/* trace_export.c: every event, one line each, in trace->order. */
int ordo_trace_merge(const ordo_trace_t *trace, FILE *out);

#endif
