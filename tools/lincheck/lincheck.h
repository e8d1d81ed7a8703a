/*
 * lincheck.h - ordo-lincheck's model of an operation history, and what is
 * done with one: read it (EDN or JSON lines, one event per line, from one or
 * more files merged by time), pair each invoke with its completion, split the
 * operations by key and check each key's operations for linearizability
 * against a model (a register or a mutex) with Wing & Gong's search and
 * Lowe's memoization.
 *
 *   lincheck_history_load()  files -> events (merged) -> operations
 *   lincheck_keys_split()    operations -> one group per key, with its model
 *   lincheck_check_key()     one key's operations -> valid, invalid (with the
 *                            window where the search got stuck) or unknown
 *
 * The events of each object (a register set, a lock: one file per rank,
 * <object>.<rank>.edn) make a history of their own: processes and keys are
 * numbered per object (history_files.c).
 *
 * Nothing here uses MPI or libordo: the tool only reads files.
 * Every file of the tool includes this header first.
 */
#ifndef ORDO_LINCHECK_H
#define ORDO_LINCHECK_H

/* getline, strdup, opendir, fmemopen, clock_gettime: POSIX 2008. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status of the tool. */
#define LINCHECK_EXIT_VALID   0 /* every key is linearizable */
#define LINCHECK_EXIT_INVALID 1 /* some key is not */
#define LINCHECK_EXIT_UNKNOWN 2 /* the time limit (or the memory) ran out first */
#define LINCHECK_EXIT_INPUT   3 /* usage error, unreadable or malformed input */

#define LINCHECK_NONE  SIZE_MAX   /* no event, no operation */
#define LINCHECK_NEVER UINT64_MAX /* the return time of an operation without an outcome */

typedef enum lincheck_type {
    LINCHECK_INVOKE,
    LINCHECK_OK,
    LINCHECK_FAIL,
    LINCHECK_INFO,
    LINCHECK_NTYPES
} lincheck_type_t;

typedef enum lincheck_f {
    LINCHECK_READ,
    LINCHECK_WRITE,
    LINCHECK_ACQUIRE,
    LINCHECK_RELEASE,
    LINCHECK_NFS
} lincheck_f_t;

/* One line of a history file. */
typedef struct lincheck_event {
    uint64_t process;
    uint64_t key;
    uint64_t value;  /* if has_value; nil otherwise */
    uint64_t time;   /* ns */
    uint64_t line;   /* in its file */
    uint32_t file;   /* index in lincheck_history_t.files */
    uint32_t object; /* index in lincheck_history_t.objects */
    uint8_t type;    /* lincheck_type_t */
    uint8_t f;       /* lincheck_f_t */
    uint8_t has_value;
} lincheck_event_t;

/* An invoke and its completion: an operation that happened (ok) or may have
 * (info, or no completion). Failed operations and reads of unknown outcome
 * are not kept: they constrain nothing. */
typedef struct lincheck_op {
    uint64_t process;
    uint64_t key;
    uint64_t call; /* the invoke's time */
    uint64_t ret;  /* the ok's time (at least call), or LINCHECK_NEVER */
    uint64_t value;
    size_t invoke; /* index of the invoke event */
    size_t done;   /* index of the completion event, or LINCHECK_NONE */
    uint32_t object;
    uint8_t f; /* lincheck_f_t */
    uint8_t has_value;
    /* value: write: what it writes; read: what it read; acquire: the fencing
     * token (has_value 0: none); release: unused. */
} lincheck_op_t;

/* A history: every event read, merged by time, and the operations made of
 * them. */
typedef struct lincheck_history {
    char **files; /* the paths, in the order given (a directory's files by name) */
    size_t nfiles;
    char **objects; /* the objects' names, in the order of their first file */
    size_t nobjects;
    uint32_t *file_object;    /* files[i] belongs to objects[file_object[i]] */
    lincheck_event_t *events; /* merged by time; file order, then line order for ties */
    size_t nevents;
    lincheck_op_t *ops; /* in the order of their completion events */
    size_t nops;
    size_t ninvokes;    /* operations in the input, kept or not */
    size_t nfail;       /* failed: dropped */
    size_t ninfo;       /* info or never completed */
    size_t ninfo_reads; /* of those, reads: dropped */
    size_t nprocesses;  /* distinct processes (of each object) */
} lincheck_history_t;

/* A file held in memory (the unit tests' and the fuzzer's input). */
typedef struct lincheck_text {
    const char *name; /* stands for its path in messages */
    const char *text;
    size_t len;
} lincheck_text_t;

/* ---- history_parse.c: one line ------------------------------------------ */

#define LINCHECK_ERROR_MAX 256

/* Parses one line (without its newline): 1 and *ev filled (but for its file
 * and line); 0 for a line to skip (blank, `;` or `#` comment, a nemesis
 * event); -1 with what is wrong in err. */
int lincheck_parse_line(const char *line, lincheck_event_t *ev, char err[LINCHECK_ERROR_MAX]);

const char *lincheck_type_name(int type);
const char *lincheck_f_name(int f);

/* ---- history_files.c: paths, objects ------------------------------------ */

/* Adds the files of paths (a directory: its *.edn and *.jsonl files) to
 * history->files, or the names of texts; 0, or -1 after printing why. */
int lincheck_files_add(lincheck_history_t *history, int npaths, char *const *paths);
int lincheck_files_add_texts(lincheck_history_t *history, int ntexts, const lincheck_text_t *texts);

/* Names the object of every file: 0, or -1 if out of memory (printed). */
int lincheck_files_objects(lincheck_history_t *history);

/* ---- history_read.c: files, merging, pairing ---------------------------- */

/* Reads the files named by paths (a directory means every *.edn and *.jsonl
 * file in it): 0, or -1 after printing `file:line: what is wrong` (and
 * *history is left empty). */
int lincheck_history_load(lincheck_history_t *history, int npaths, char *const *paths);
int lincheck_history_load_texts(lincheck_history_t *history, int ntexts,
                                const lincheck_text_t *texts);
void lincheck_history_free(lincheck_history_t *history);

/* Makes room in *v (*cap elements of size) for n + 1: 0, or -1 (no memory). */
int lincheck_grow(void **v, size_t *cap, size_t n, size_t size);

/* Prints `file:line: message` (`file: message` if line is 0,
 * `ordo-lincheck: message` if file is NULL) to stderr. */
void lincheck_error(const char *path, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- models.c ----------------------------------------------------------- */

/* A model's state: a register uses w[0] (the value); a mutex w[0] (holder
 * + 1, 0 if free), w[1] (the last token) and w[2] (1 once a token is seen). */
typedef struct lincheck_state {
    uint64_t w[3];
} lincheck_state_t;

typedef struct lincheck_model {
    const char *name;
    unsigned fs;        /* the f's it knows: bit 1 << lincheck_f_t */
    size_t state_words; /* the words of lincheck_state_t it uses, from w[0] */
    void (*init)(lincheck_state_t *state, uint64_t init);
    /* Applies op to *state: 1 if legal there (*state is the next state), 0
     * if not (*state is unspecified). */
    int (*step)(lincheck_state_t *state, const lincheck_op_t *op);
    /* Whether op leaves every state where it is legal as it is (a read). */
    int (*read_only)(const lincheck_op_t *op);
    /* Marks in drop[] the operations of unknown outcome among a key's
     * operations ops[0..n) that cannot change its verdict (whether they
     * happened or not): the search leaves them out (see models.c). 0, or -1
     * if out of memory. */
    int (*info_drop)(const lincheck_op_t *const *ops, size_t n, unsigned char *drop);
    /* `value 7`, `free, last token 12`, ... */
    void (*describe)(FILE *out, const lincheck_state_t *state);
} lincheck_model_t;

extern const lincheck_model_t lincheck_register;
extern const lincheck_model_t lincheck_mutex;

/* The model called name ("register", "mutex"), or NULL. */
const lincheck_model_t *lincheck_model_find(const char *name);

/* ---- keys.c: P-compositionality ------------------------------------------- */

/* The operations of one key of one object, ordered by call time (then
 * input order). */
typedef struct lincheck_key {
    uint32_t object;
    uint64_t key;
    const lincheck_model_t *model;
    const lincheck_op_t **ops;
    size_t nops;
} lincheck_key_t;

typedef struct lincheck_keys {
    lincheck_key_t *v;
    size_t n;
    const lincheck_op_t **all; /* the ops arrays of every key, one after another */
} lincheck_keys_t;

/* Splits history's operations by object and key and gives each key its model: model if
 * not NULL, else the one its f's name (events of every kind count, failed
 * ones too). 0, or -1 after printing why (a key whose f's mix models, an f
 * the model does not know, no memory). */
int lincheck_keys_split(lincheck_keys_t *keys, const lincheck_history_t *history,
                        const lincheck_model_t *model);
void lincheck_keys_free(lincheck_keys_t *keys);

/* ---- wgl.c: the search ---------------------------------------------------- */

typedef enum lincheck_result {
    LINCHECK_VALID,
    LINCHECK_INVALID,
    LINCHECK_UNKNOWN, /* the deadline passed */
    LINCHECK_NOMEM
} lincheck_result_t;

/* Where the search of a non-linearizable key got stuck: the first
 * configuration (in the search's order) with the most operations
 * linearized. There, the operation that returned first among those not yet
 * linearized ("stuck") must be linearized before anything returning later,
 * but neither it nor any other operation that could go before it is legal
 * in the state reached. last made that state (NULL: the initial state). */
typedef struct lincheck_window {
    size_t depth;                /* operations linearized there */
    size_t total;                /* operations the search had to linearize */
    lincheck_state_t state;      /* the model's state there */
    const lincheck_op_t *last;   /* the last one linearized but reads */
    const lincheck_op_t *stuck;  /* the first to return among the rest */
    const lincheck_op_t **could; /* the others that could go before it (call order) */
    size_t ncould;
    const lincheck_op_t **overlap; /* linearized ones overlapping stuck, but last */
    size_t noverlap;
    int computed; /* 0 if the deadline passed before it was found */
} lincheck_window_t;

typedef struct lincheck_stats {
    size_t ops;     /* operations searched (info ones that matter included) */
    size_t skipped; /* info operations left out (they cannot matter) */
    size_t configs; /* distinct configurations reached */
    size_t steps;   /* operations linearized, counting backtracked ones */
} lincheck_stats_t;

/* Checks one key. deadline: CLOCK_MONOTONIC seconds, 0 for none. win: filled
 * when the result is LINCHECK_INVALID; free with lincheck_window_free. */
lincheck_result_t lincheck_check_key(const lincheck_key_t *key, uint64_t init, double deadline,
                                     lincheck_stats_t *stats, lincheck_window_t *win);
void lincheck_window_free(lincheck_window_t *win);

/* CLOCK_MONOTONIC, in seconds. */
double lincheck_now(void);

/* ---- lost.c: lost acknowledged writes ---------------------------------- */

/* Counts the reads of a register key that returned a value superseded
 * before they began (its write completed before another acknowledged
 * write was invoked, which completed before the read was invoked); prints
 * each to out (NULL: nothing) and adds the key's reads to *reads. The count,
 * or -1 if out of memory. */
long lincheck_lost_writes(FILE *out, const lincheck_history_t *history, const lincheck_key_t *key,
                          uint64_t init, size_t *reads);

/* ---- report.c ------------------------------------------------------------- */

/* `key 3`, or `qreg-1 key 3` if the history has more than one object. */
const char *lincheck_key_name(char *buf, size_t size, const lincheck_history_t *history,
                              uint32_t object, uint64_t key);

/* An event in EDN, as `file:line: {:process 0, :type :ok, ...}`. */
void lincheck_event_print(FILE *out, const lincheck_history_t *history, size_t event);

/* An operation as its input lines: the invoke's and the completion's. */
void lincheck_op_print(FILE *out, const lincheck_history_t *history, const lincheck_op_t *op);

/* `key K: not linearizable` and the window. */
void lincheck_window_print(FILE *out, const lincheck_history_t *history, const lincheck_key_t *key,
                           const lincheck_window_t *win);

#endif
