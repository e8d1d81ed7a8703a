/*
 * litmus.h - ordo-litmus's model of a litmus test, and what can be done with
 * one: parse it (LISA syntax, a subset of herdtools7's), enumerate the final
 * states a memory model allows, evaluate its condition on a final state and
 * print states in litmus7's row format.
 *
 * This is the interface the runtime runner (which executes a test on ordo's
 * shared objects, one thread per rank) builds on:
 *
 *   litmus_parse_file()   -> litmus_test_t (threads, locations, condition)
 *   litmus_enumerate()    -> the set of final states a model allows
 *   litmus_eval_cond()    -> does one observed final state satisfy the
 *                            condition's proposition (the `*` of a histogram)
 *   litmus_state_format() -> `0:r0=0; 1:r0=1; x=1;`
 *   litmus_state_set_*()  -> a set of distinct final states (a histogram
 *                            without counts; counts are the runner's)
 *
 * Nothing here uses MPI, UCX or libordo: the tool links stand-alone. A test
 * is a plain struct of fixed-size arrays (no allocation, nothing to free);
 * only state sets own memory.
 */
#ifndef ORDO_LITMUS_H
#define ORDO_LITMUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Limits of a test; a bigger one is refused with LITMUS_ERR_LIMIT. */
#define LITMUS_MAX_THREADS 8
#define LITMUS_MAX_INSTRS  16  /* per thread */
#define LITMUS_MAX_LOCS    16  /* shared locations */
#define LITMUS_MAX_REGS    16  /* per thread */
#define LITMUS_MAX_NAME    32  /* location, register, annotation: characters + 1 */
#define LITMUS_MAX_TITLE   128 /* test name: characters + 1 */
#define LITMUS_MAX_COND    128 /* nodes of the condition */
#define LITMUS_MAX_ERROR   512 /* an error message, file:line:col included */

/* Status codes: LITMUS_OK or negative, with their descriptions. */
#define LITMUS_STATUS_LIST(X)                                                                      \
    X(OK, 0, "success")                                                                            \
    X(ERR_PARSE, -1, "malformed litmus test")                                                      \
    X(ERR_INVALID, -2, "inconsistent litmus test")                                                 \
    X(ERR_LIMIT, -3, "litmus test beyond the tool's limits")                                       \
    X(ERR_IO, -4, "cannot read the litmus file")                                                   \
    X(ERR_NOMEM, -5, "out of memory")                                                              \
    X(ERR_ARG, -6, "invalid argument")                                                             \
    X(ERR_INTERNAL, -7, "internal error")

typedef enum litmus_status {
#define LITMUS_STATUS_ENUM(name, value, desc) LITMUS_##name = value,
    LITMUS_STATUS_LIST(LITMUS_STATUS_ENUM)
#undef LITMUS_STATUS_ENUM
} litmus_status_t;

const char *litmus_strerror(int status);

/* A parse or semantic error: `FILE:LINE:COL: message`. */
typedef struct litmus_error {
    char msg[LITMUS_MAX_ERROR];
} litmus_error_t;

/* ---- memory models ---------------------------------------------------------- */

typedef enum litmus_model {
    LITMUS_MODEL_SC,     /* interleavings on one memory */
    LITMUS_MODEL_TSO,    /* x86-TSO: FIFO store buffers, forwarding */
    LITMUS_MODEL_CAUSAL, /* causal+: replicas, CBCAST delivery, (Lamport, rank) LWW */
    /* causal+ with any arbitration order consistent with causality: as
     * CAUSAL, but a write's Lamport time may be any value above those its
     * replica has applied (Lamport clocks that also tick on other events) */
    LITMUS_MODEL_CAUSAL_ANY,
    LITMUS_NMODELS
} litmus_model_t;

/* "sc", "tso", "causal", "causal-any". */
const char *litmus_model_name(litmus_model_t model);

/* LITMUS_OK and *model, or LITMUS_ERR_ARG for an unknown name. */
int litmus_model_parse(const char *name, litmus_model_t *model);

/* ---- a parsed test ------------------------------------------------------------ */

typedef enum litmus_op {
    LITMUS_OP_WRITE, /* w[...] LOC VALUE */
    LITMUS_OP_READ,  /* r[...] REG LOC */
    LITMUS_OP_FENCE  /* f[...]: a full fence whatever its name */
} litmus_op_t;

typedef struct litmus_instr {
    litmus_op_t op;
    int loc;                     /* write, read: index in test->locs */
    int reg;                     /* read: index in the thread's regs */
    int64_t value;               /* write */
    char annot[LITMUS_MAX_NAME]; /* inside the brackets, e.g. "mb", "once", "" */
    int line, col;               /* where it was written */
} litmus_instr_t;

typedef struct litmus_thread {
    int ninstrs;
    litmus_instr_t instrs[LITMUS_MAX_INSTRS];
    int nregs; /* the registers its reads write, in order of first use */
    char regs[LITMUS_MAX_REGS][LITMUS_MAX_NAME];
} litmus_thread_t;

typedef enum litmus_quant {
    LITMUS_EXISTS,     /* exists P: validated if some allowed state satisfies P */
    LITMUS_NOT_EXISTS, /* ~exists P: validated if none does */
    LITMUS_FORALL      /* forall P: validated if all do */
} litmus_quant_t;

typedef enum litmus_cond_kind {
    LITMUS_COND_TRUE,  /* true */
    LITMUS_COND_FALSE, /* false */
    LITMUS_COND_REG,   /* T:reg=value */
    LITMUS_COND_LOC,   /* loc=value */
    LITMUS_COND_NOT,   /* ~left */
    LITMUS_COND_AND,   /* left /\ right */
    LITMUS_COND_OR     /* left \/ right */
} litmus_cond_kind_t;

/* A node of the condition's proposition; children are indexes in test->cond. */
typedef struct litmus_cond {
    litmus_cond_kind_t kind;
    int thread, reg; /* REG */
    int loc;         /* LOC */
    int64_t value;   /* REG, LOC */
    int left, right; /* NOT: left; AND, OR: both */
} litmus_cond_t;

typedef struct litmus_test {
    char name[LITMUS_MAX_TITLE];
    int nthreads;
    litmus_thread_t threads[LITMUS_MAX_THREADS];
    int nlocs; /* every location named anywhere in the test */
    char locs[LITMUS_MAX_LOCS][LITMUS_MAX_NAME];
    int64_t init[LITMUS_MAX_LOCS]; /* from the init block, 0 if not there */
    /* 1 for the locations whose final value is part of a final state: those
     * of the condition and of the `locations [...]` line. */
    unsigned char observed[LITMUS_MAX_LOCS];
    litmus_quant_t quant;
    int ncond, cond_root;
    litmus_cond_t cond[LITMUS_MAX_COND];
} litmus_test_t;

/* Reads and checks the LISA test in path. LITMUS_OK and *test; otherwise the
 * status (ERR_IO, ERR_PARSE, ERR_INVALID, ERR_LIMIT, ERR_NOMEM) with
 * err->msg = `path:line:col: expected ..., found ...` (or another message at
 * that position for a semantic error; `path: ...` for ERR_IO). */
int litmus_parse_file(const char *path, litmus_test_t *test, litmus_error_t *err);

/* The same for text in memory (len bytes, NUL bytes refused); name is used
 * as the file name in messages. */
int litmus_parse_string(const char *name, const char *text, size_t len, litmus_test_t *test,
                        litmus_error_t *err);

/* ---- final states --------------------------------------------------------------- */

/* A final state: the value of every register of every thread (a register
 * its thread never wrote reads 0) and of the observed locations (others are
 * 0). Fill it with memset 0 first: states are compared bytewise. */
typedef struct litmus_state {
    int64_t regs[LITMUS_MAX_THREADS][LITMUS_MAX_REGS];
    int64_t mem[LITMUS_MAX_LOCS];
} litmus_state_t;

/* 1 if the state satisfies the condition's proposition (the part after
 * exists / ~exists / forall), 0 if not. */
int litmus_eval_cond(const litmus_test_t *test, const litmus_state_t *state);

/* `0:r0=0; 1:r0=1; x=1;`: every register of every thread, thread by
 * thread in order of first use, then the observed locations in order of
 * first appearance in the test. Like snprintf: the length it needed. */
size_t litmus_state_format(const litmus_test_t *test, const litmus_state_t *state, char *buf,
                           size_t cap);

/* `exists (0:r0=0 /\ 1:r0=0)` as herd7 prints it. Like snprintf. */
size_t litmus_cond_format(const litmus_test_t *test, char *buf, size_t cap);

/* A set of distinct final states. Zero-initialise it (or
 * litmus_state_set_init); free it with litmus_state_set_free. */
typedef struct litmus_state_set {
    litmus_state_t *states;
    size_t count, cap;
} litmus_state_set_t;

void litmus_state_set_init(litmus_state_set_t *set);
void litmus_state_set_free(litmus_state_set_t *set);

/* Adds a copy of state unless an equal one is there: LITMUS_OK (and *index,
 * if index is not NULL, its position) or LITMUS_ERR_NOMEM. */
int litmus_state_set_add(litmus_state_set_t *set, const litmus_state_t *state, size_t *index);

/* Sorts the states in the order of their formatted rows' values (register
 * values thread by thread, then locations), as herd7 lists them. */
void litmus_state_set_sort(const litmus_test_t *test, litmus_state_set_t *set);

/* ---- enumeration ------------------------------------------------------------------ */

/* Explores the model's operational semantics exhaustively and fills *set
 * (which must be empty) with the distinct final states it allows, sorted.
 * LITMUS_OK, ERR_NOMEM, ERR_LIMIT (state space beyond LITMUS_MAX_EXPLORED
 * states) or ERR_INTERNAL; on error *set is left empty. explored, if not
 * NULL, receives the number of distinct states visited. */
#define LITMUS_MAX_EXPLORED 1000000
int litmus_enumerate(const litmus_test_t *test, litmus_model_t model, litmus_state_set_t *set,
                     size_t *explored);

/* The same with flags: LITMUS_ENUM_EAGER makes the causal models
 * interleave every delivery of a write to a replica with every other step
 * (the machine as defined), instead of delivering lazily, just before the
 * replica's thread reads or writes or when a fence waits for it (the
 * default: the same final states, far fewer machine states). EAGER is
 * there to cross-check the reduction; it is slow beyond 4 threads. */
#define LITMUS_ENUM_EAGER 0x1u
int litmus_enumerate_ex(const litmus_test_t *test, litmus_model_t model, unsigned flags,
                        litmus_state_set_t *set, size_t *explored);

/* Counts the states of a set that satisfy the proposition (positive) and
 * those that do not (negative); returns 1 if the test is validated under
 * its quantifier (herd7's "Ok"), 0 if not ("No"). */
int litmus_verdict(const litmus_test_t *test, const litmus_state_set_t *set, size_t *positive,
                   size_t *negative);

/* herd7's word for the quantifier: "Allowed" (exists), "Forbidden"
 * (~exists), "Required" (forall). */
const char *litmus_quant_label(litmus_quant_t quant);

/* Prints the herd7-style block for one test under one model: Test, Model,
 * States and their rows, Ok/No, Witnesses, Condition, Observation. */
int litmus_print_enumeration(FILE *out, const litmus_test_t *test, litmus_model_t model,
                             const litmus_state_set_t *set);

#endif
