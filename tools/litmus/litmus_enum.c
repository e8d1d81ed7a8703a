/*
 * litmus_enum.c - the final states a memory model allows, by exhaustive
 * exploration of its operational semantics: a depth-first search over
 * machine states, each visited once (a hash set remembers them), collecting
 * the state of every machine that can make no more step.
 *
 * A machine state is a string of bytes, its layout fixed per test and
 * model. Values are not stored: every write of the program has a number
 * (a "write id"; the initial value of location l is write id l), and
 * memory, registers, store buffers and replicas hold write ids, so a state
 * stays a few dozen bytes.
 *
 *   SC      pc[T] regs[T][R] mem[L]
 *           a step: one thread executes its next instruction on memory.
 *   TSO     pc[T] regs[T][R] mem[L] blen[T] buf[T][W]
 *           a step: a thread executes its next instruction (a write enters
 *           its FIFO buffer; a read takes the newest buffered write to its
 *           location, else memory; a fence only with an empty buffer), or
 *           the oldest buffered write of a thread drains to memory.
 *   causal  pc[T] regs[T][R] held[T][L] applied[T][T] lam[P] vc[P][T]
 *           every thread has a replica: held[r][l] is the write replica r
 *           holds for l, applied[r][s] how many of thread s's writes r has
 *           applied; lam and vc are each issued program write's Lamport
 *           time and vector clock. A step: a thread executes its next
 *           instruction (a write gets vc = applied[t] with its own entry
 *           incremented and Lamport time 1 + the largest applied at t, and
 *           applies at t at once; a read reads held[t]; a fence only when
 *           every replica has applied all of t's writes), or replica r
 *           applies the next write of thread s when CBCAST allows it (its
 *           vc is <= applied[r] but for s's entry, which is next): the
 *           replica keeps whichever of the held and the new write is larger
 *           in (Lamport time, rank) (the initial value is below all).
 *   causal-any  as causal, but a write may take any Lamport time above the
 *           smallest the rule gives (up to the number of writes): every
 *           arbitration order that extends causality.
 *
 * The causal models deliver lazily by default (explore_causal_lazy): a
 * replica applies writes only just before its thread reads or writes, or
 * when a fence waits for them; LITMUS_ENUM_EAGER interleaves every
 * delivery, as the machine is defined, to cross-check that.
 *
 * A machine with nothing left to do is final: every instruction executed,
 * buffers empty, every write applied at every replica. Final memory is read
 * from memory (SC, TSO) or replica 0 (causal: all replicas agree then, which
 * is checked).
 */
#include "litmus.h"

#include <stdlib.h>
#include <string.h>

#define NO_WRITE 0xff /* a register never written */
#define NO_PHASE 0xff /* causal, lazy: no thread is taking deliveries */
#define MAX_WIDS (LITMUS_MAX_LOCS + LITMUS_MAX_THREADS * LITMUS_MAX_INSTRS)

typedef struct enum_ctx {
    const litmus_test_t *test;
    litmus_model_t model;
    int causal; /* CAUSAL or CAUSAL_ANY */
    int nthreads, nlocs, nregs, maxw;
    /* write ids: 0 .. nlocs-1 initial values, then the program's writes */
    int nwids;
    int64_t wval[MAX_WIDS];
    int wloc[MAX_WIDS];
    int wthread[MAX_WIDS]; /* -1 for an initial value */
    int nwrites[LITMUS_MAX_THREADS];
    int wid_of[LITMUS_MAX_THREADS][LITMUS_MAX_INSTRS];        /* instruction -> write id */
    int kth_write[LITMUS_MAX_THREADS][LITMUS_MAX_INSTRS + 1]; /* k-th write (1..) -> id */
    /* layout of a state */
    size_t o_pc, o_regs, o_mem, o_blen, o_buf, o_held, o_applied, o_lam, o_vc, o_phase, size;
    int lazy; /* causal: deliveries made lazily (see explore_causal_lazy) */
    /* visited states: keys[] back to back, open-addressing table of index+1 */
    unsigned char *keys;
    size_t nkeys, keycap;
    uint32_t *table;
    size_t tcap;
    /* one state buffer per depth of the search */
    unsigned char *stack;
    int maxdepth;
    litmus_state_set_t *out;
} enum_ctx_t;

/* ---- layout ------------------------------------------------------------------------- */

static unsigned char *pc(const enum_ctx_t *c, unsigned char *s, int t)
{
    return s + c->o_pc + t;
}
static unsigned char *reg(const enum_ctx_t *c, unsigned char *s, int t, int r)
{
    return s + c->o_regs + (size_t)t * (size_t)c->nregs + (size_t)r;
}
static unsigned char *mem(const enum_ctx_t *c, unsigned char *s, int l)
{
    return s + c->o_mem + l;
}
static unsigned char *blen(const enum_ctx_t *c, unsigned char *s, int t)
{
    return s + c->o_blen + t;
}
static unsigned char *buf(const enum_ctx_t *c, unsigned char *s, int t, int i)
{
    return s + c->o_buf + (size_t)t * (size_t)c->maxw + (size_t)i;
}
static unsigned char *held(const enum_ctx_t *c, unsigned char *s, int r, int l)
{
    return s + c->o_held + (size_t)r * (size_t)c->nlocs + (size_t)l;
}
static unsigned char *applied(const enum_ctx_t *c, unsigned char *s, int r, int t)
{
    return s + c->o_applied + (size_t)r * (size_t)c->nthreads + (size_t)t;
}
static unsigned char *lam(const enum_ctx_t *c, unsigned char *s, int wid)
{
    return s + c->o_lam + (wid - c->nlocs);
}
static unsigned char *vc(const enum_ctx_t *c, unsigned char *s, int wid, int t)
{
    return s + c->o_vc + (size_t)(wid - c->nlocs) * (size_t)c->nthreads + (size_t)t;
}

static unsigned char *phase_of(const enum_ctx_t *c, unsigned char *s)
{
    return s + c->o_phase;
}

static void layout(enum_ctx_t *c)
{
    const litmus_test_t *test = c->test;
    size_t T = (size_t)test->nthreads, L = (size_t)test->nlocs, P;

    c->nthreads = test->nthreads;
    c->nlocs = test->nlocs;
    c->nregs = 0;
    c->maxw = 0;
    c->nwids = test->nlocs;
    for (int l = 0; l < test->nlocs; l++) {
        c->wval[l] = test->init[l];
        c->wloc[l] = l;
        c->wthread[l] = -1;
    }
    for (int t = 0; t < test->nthreads; t++) {
        const litmus_thread_t *th = &test->threads[t];
        if (th->nregs > c->nregs)
            c->nregs = th->nregs;
        c->nwrites[t] = 0;
        for (int i = 0; i < th->ninstrs; i++) {
            const litmus_instr_t *ins = &th->instrs[i];
            c->wid_of[t][i] = -1;
            if (ins->op != LITMUS_OP_WRITE)
                continue;
            int w = c->nwids++;
            c->wval[w] = ins->value;
            c->wloc[w] = ins->loc;
            c->wthread[w] = t;
            c->wid_of[t][i] = w;
            c->kth_write[t][++c->nwrites[t]] = w;
        }
        if (c->nwrites[t] > c->maxw)
            c->maxw = c->nwrites[t];
    }
    P = (size_t)(c->nwids - c->nlocs);
    c->o_pc = 0;
    c->o_regs = c->o_pc + T;
    c->o_mem = c->o_regs + T * (size_t)c->nregs;
    c->size = c->o_mem + L;
    c->maxdepth = 1;
    for (int t = 0; t < test->nthreads; t++)
        c->maxdepth += test->threads[t].ninstrs;
    if (c->model == LITMUS_MODEL_TSO) {
        c->o_blen = c->size;
        c->o_buf = c->o_blen + T;
        c->size = c->o_buf + T * (size_t)c->maxw;
        c->maxdepth += (int)P; /* one drain per write */
    } else if (c->causal) {
        c->o_held = c->size;
        c->o_applied = c->o_held + T * L;
        c->o_lam = c->o_applied + T * T;
        c->o_vc = c->o_lam + P;
        c->o_phase = c->o_vc + P * T;
        c->size = c->o_phase + 1;
        c->maxdepth += (int)P * (c->nthreads - 1); /* one delivery per write and replica */
        c->maxdepth += c->maxdepth;                /* a phase before each instruction */
    }
}

/* ---- visited states -------------------------------------------------------------------- */

static uint64_t hash(const unsigned char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static int memo_grow(enum_ctx_t *c)
{
    size_t ncap = c->tcap ? c->tcap * 2 : 1024;
    uint32_t *nt = calloc(ncap, sizeof(*nt));

    if (!nt)
        return LITMUS_ERR_NOMEM;
    for (size_t k = 0; k < c->nkeys; k++) {
        size_t i = hash(c->keys + k * c->size, c->size) & (ncap - 1);
        while (nt[i])
            i = (i + 1) & (ncap - 1);
        nt[i] = (uint32_t)(k + 1);
    }
    free(c->table);
    c->table = nt;
    c->tcap = ncap;
    return LITMUS_OK;
}

/* 1 if s was new (and is now remembered), 0 if seen before, or an error. */
static int memo_insert(enum_ctx_t *c, const unsigned char *s)
{
    size_t i;
    int status;

    if ((c->nkeys + 1) * 2 > c->tcap && (status = memo_grow(c)))
        return status;
    i = hash(s, c->size) & (c->tcap - 1);
    while (c->table[i]) {
        if (!memcmp(c->keys + (c->table[i] - 1) * c->size, s, c->size))
            return 0;
        i = (i + 1) & (c->tcap - 1);
    }
    if (c->nkeys == LITMUS_MAX_EXPLORED)
        return LITMUS_ERR_LIMIT;
    if (c->nkeys == c->keycap) {
        size_t ncap = c->keycap ? c->keycap * 2 : 1024;
        unsigned char *nk = realloc(c->keys, ncap * c->size);
        if (!nk)
            return LITMUS_ERR_NOMEM;
        c->keys = nk;
        c->keycap = ncap;
    }
    memcpy(c->keys + c->nkeys * c->size, s, c->size);
    c->table[i] = (uint32_t)(++c->nkeys);
    return 1;
}

/* ---- final states ------------------------------------------------------------------------- */

static int complete(const enum_ctx_t *c, unsigned char *s)
{
    for (int t = 0; t < c->nthreads; t++) {
        if (*pc(c, s, t) < c->test->threads[t].ninstrs)
            return 0;
        if (c->model == LITMUS_MODEL_TSO && *blen(c, s, t))
            return 0;
        if (c->causal)
            for (int r = 0; r < c->nthreads; r++)
                if (*applied(c, s, r, t) != *applied(c, s, t, t))
                    return 0;
    }
    return 1;
}

static int record_final(enum_ctx_t *c, unsigned char *s)
{
    const litmus_test_t *test = c->test;
    litmus_state_t st;

    if (!complete(c, s))
        return LITMUS_ERR_INTERNAL; /* stuck before the end: a model bug */
    memset(&st, 0, sizeof(st));
    for (int t = 0; t < c->nthreads; t++) {
        for (int r = 0; r < test->threads[t].nregs; r++) {
            unsigned w = *reg(c, s, t, r);
            st.regs[t][r] = w == NO_WRITE ? 0 : c->wval[w];
        }
    }
    for (int l = 0; l < c->nlocs; l++) {
        if (!test->observed[l])
            continue;
        if (c->causal) {
            for (int r = 1; r < c->nthreads; r++)
                if (*held(c, s, r, l) != *held(c, s, 0, l))
                    return LITMUS_ERR_INTERNAL; /* replicas did not converge */
            st.mem[l] = c->wval[*held(c, s, 0, l)];
        } else {
            st.mem[l] = c->wval[*mem(c, s, l)];
        }
    }
    return litmus_state_set_add(c->out, &st, NULL);
}

/* ---- the models' steps ---------------------------------------------------------------------- */

/* Causal: Lamport time of the newest write of s applied at replica r (0 if none). */
static int last_lamport(const enum_ctx_t *c, unsigned char *s, int r, int from)
{
    int k = *applied(c, s, r, from);
    return k ? *lam(c, s, c->kth_write[from][k]) : 0;
}

/* Causal: is write a above write b in (Lamport time, rank)? */
static int arbitrates_above(const enum_ctx_t *c, unsigned char *s, int a, int b)
{
    int la = c->wthread[a] < 0 ? 0 : *lam(c, s, a);
    int lb = c->wthread[b] < 0 ? 0 : *lam(c, s, b);

    if (la != lb)
        return la > lb;
    return c->wthread[a] > c->wthread[b];
}

/* Thread t's next instruction on n (a copy of the state), in its variant
 * number choice: 1 if it could execute, 0 if it is blocked, t is done or
 * there is no such variant. Only a write under CAUSAL_ANY has more than
 * variant 0: its Lamport time is the smallest allowed + choice, up to the
 * number of writes of the program (enough to realise every arbitration
 * order that extends causality, as the positions in that order). */
static int thread_step(const enum_ctx_t *c, unsigned char *n, int t, int choice)
{
    const litmus_thread_t *th = &c->test->threads[t];
    int i = *pc(c, n, t);
    const litmus_instr_t *ins;

    if (i >= th->ninstrs)
        return 0;
    ins = &th->instrs[i];
    if (choice && !(c->model == LITMUS_MODEL_CAUSAL_ANY && ins->op == LITMUS_OP_WRITE))
        return 0;
    switch (c->model) {
    case LITMUS_MODEL_SC:
        if (ins->op == LITMUS_OP_WRITE)
            *mem(c, n, ins->loc) = (unsigned char)c->wid_of[t][i];
        else if (ins->op == LITMUS_OP_READ)
            *reg(c, n, t, ins->reg) = *mem(c, n, ins->loc);
        break;
    case LITMUS_MODEL_TSO:
        if (ins->op == LITMUS_OP_WRITE) {
            *buf(c, n, t, (*blen(c, n, t))++) = (unsigned char)c->wid_of[t][i];
        } else if (ins->op == LITMUS_OP_READ) {
            int k = *blen(c, n, t) - 1;
            while (k >= 0 && c->wloc[*buf(c, n, t, k)] != ins->loc)
                k--;
            *reg(c, n, t, ins->reg) = k >= 0 ? *buf(c, n, t, k) : *mem(c, n, ins->loc);
        } else if (*blen(c, n, t)) {
            return 0; /* a fence waits for an empty buffer */
        }
        break;
    case LITMUS_MODEL_CAUSAL:
    case LITMUS_MODEL_CAUSAL_ANY:
        if (ins->op == LITMUS_OP_WRITE) {
            int w = c->wid_of[t][i], seq = *applied(c, n, t, t) + 1, top = 0;
            int nwrites = c->nwids - c->nlocs;
            for (int s = 0; s < c->nthreads; s++) {
                int l = last_lamport(c, n, t, s);
                top = l > top ? l : top;
                *vc(c, n, w, s) = *applied(c, n, t, s);
            }
            if (choice && top + 1 + choice > nwrites)
                return 0;
            *vc(c, n, w, t) = (unsigned char)seq;
            *lam(c, n, w) = (unsigned char)(top + 1 + choice);
            *applied(c, n, t, t) = (unsigned char)seq;
            *held(c, n, t, ins->loc) = (unsigned char)w; /* above all it has applied */
        } else if (ins->op == LITMUS_OP_READ) {
            *reg(c, n, t, ins->reg) = *held(c, n, t, ins->loc);
        } else {
            for (int r = 0; r < c->nthreads; r++)
                if (*applied(c, n, r, t) != *applied(c, n, t, t))
                    return 0; /* a fence waits for its writes everywhere */
        }
        break;
    case LITMUS_NMODELS:
        return 0;
    }
    (*pc(c, n, t))++;
    return 1;
}

/* TSO: thread t's oldest buffered write drains to memory. */
static int tso_drain(const enum_ctx_t *c, unsigned char *n, int t)
{
    int len = *blen(c, n, t);

    if (!len)
        return 0;
    int w = *buf(c, n, t, 0);
    *mem(c, n, c->wloc[w]) = (unsigned char)w;
    memmove(buf(c, n, t, 0), buf(c, n, t, 1), (size_t)(len - 1));
    *buf(c, n, t, len - 1) = 0;
    *blen(c, n, t) = (unsigned char)(len - 1);
    return 1;
}

/* Causal: replica r applies the next write of thread from, if CBCAST allows. */
static int causal_deliver(const enum_ctx_t *c, unsigned char *n, int r, int from)
{
    int k = *applied(c, n, r, from) + 1, w, l;

    if (r == from || k > *applied(c, n, from, from))
        return 0;
    w = c->kth_write[from][k];
    for (int j = 0; j < c->nthreads; j++)
        if (j != from && *vc(c, n, w, j) > *applied(c, n, r, j))
            return 0; /* it depends on a write r has not applied */
    *applied(c, n, r, from) = (unsigned char)k;
    l = c->wloc[w];
    if (arbitrates_above(c, n, w, *held(c, n, r, l)))
        *held(c, n, r, l) = (unsigned char)w;
    return 1;
}

/* Causal, reduced: replica r applies (in some CBCAST order) whatever of
 * the causal past of thread t's writes it lacks -- what t's fence waits
 * for. */
static void causal_flush(const enum_ctx_t *c, unsigned char *n, int t)
{
    int k = *applied(c, n, t, t), w, progress = 1;

    if (!k)
        return;
    w = c->kth_write[t][k]; /* its vc covers the causal past of all t's writes */
    while (progress) {
        progress = 0;
        for (int r = 0; r < c->nthreads; r++)
            for (int from = 0; from < c->nthreads; from++)
                while (*applied(c, n, r, from) < *vc(c, n, w, from) &&
                       causal_deliver(c, n, r, from))
                    progress = 1;
    }
}

/* Causal: every replica applies everything (quiescence). */
static void causal_settle(const enum_ctx_t *c, unsigned char *n)
{
    int progress = 1;

    while (progress) {
        progress = 0;
        for (int r = 0; r < c->nthreads; r++)
            for (int from = 0; from < c->nthreads; from++)
                while (causal_deliver(c, n, r, from))
                    progress = 1;
    }
}

static int explore(enum_ctx_t *c, int depth, unsigned char *s);

#define TRY(step)                                                                                  \
    do {                                                                                           \
        memcpy(n, s, c->size);                                                                     \
        if (step) {                                                                                \
            moved = 1;                                                                             \
            if ((status = explore(c, depth + 1, n)))                                               \
                return status;                                                                     \
        }                                                                                          \
    } while (0)

/* Causal with lazy delivery. A delivery to replica r changes nothing any
 * other thread can see: it only matters at r's next read or write, or when
 * another thread's fence waits for it. So deliveries are made only then:
 * a thread about to read or write first enters its "phase" (phase = t),
 * in which the only steps are deliveries to its replica, in any order,
 * and the instruction itself, which ends the phase; a fence makes the
 * replicas apply just the causal past of the thread's writes (anything
 * more can wait for each replica's own next step); the rest is applied
 * at the end. Every execution of the eager machine has one here with the
 * same reads, writes (vector clocks, Lamport times) and final values --
 * delay each delivery until its replica next reads or writes -- and
 * conversely; but the replicas' states no longer multiply between their
 * steps. */
static int explore_causal_lazy(enum_ctx_t *c, int depth, unsigned char *s)
{
    unsigned char *n = c->stack + (size_t)(depth + 1) * c->size;
    int status, moved = 0, phase = *phase_of(c, s);

    if (phase != NO_PHASE) {
        for (int from = 0; from < c->nthreads; from++)
            TRY(causal_deliver(c, n, phase, from));
        for (int choice = 0;; choice++) {
            memcpy(n, s, c->size);
            *phase_of(c, n) = NO_PHASE;
            if (!thread_step(c, n, phase, choice))
                break;
            if ((status = explore(c, depth + 1, n)))
                return status;
        }
        return LITMUS_OK;
    }
    for (int t = 0; t < c->nthreads; t++) {
        const litmus_thread_t *th = &c->test->threads[t];
        int i = *pc(c, s, t);
        if (i >= th->ninstrs)
            continue;
        if (th->instrs[i].op == LITMUS_OP_FENCE) {
            memcpy(n, s, c->size);
            causal_flush(c, n, t);
            if (!thread_step(c, n, t, 0))
                return LITMUS_ERR_INTERNAL; /* the flush did not unblock it */
            moved = 1;
            if ((status = explore(c, depth + 1, n)))
                return status;
        } else {
            TRY((*phase_of(c, n) = (unsigned char)t, 1));
        }
    }
    if (moved)
        return LITMUS_OK;
    memcpy(n, s, c->size);
    causal_settle(c, n);
    return record_final(c, n);
}

static int explore(enum_ctx_t *c, int depth, unsigned char *s)
{
    unsigned char *n = c->stack + (size_t)(depth + 1) * c->size;
    int status, moved = 0;

    if (depth >= c->maxdepth)
        return LITMUS_ERR_INTERNAL;
    status = memo_insert(c, s);
    if (status <= 0)
        return status;
    if (c->causal && c->lazy)
        return explore_causal_lazy(c, depth, s);
    for (int t = 0; t < c->nthreads; t++) {
        int executed = 1;
        for (int choice = 0; executed; choice++)
            TRY((executed = thread_step(c, n, t, choice)));
        if (c->model == LITMUS_MODEL_TSO)
            TRY(tso_drain(c, n, t));
        if (c->causal)
            for (int from = 0; from < c->nthreads; from++)
                TRY(causal_deliver(c, n, t, from));
    }
    return moved ? LITMUS_OK : record_final(c, s);
}
#undef TRY

int litmus_enumerate(const litmus_test_t *test, litmus_model_t model, litmus_state_set_t *set,
                     size_t *explored)
{
    return litmus_enumerate_ex(test, model, 0, set, explored);
}

int litmus_enumerate_ex(const litmus_test_t *test, litmus_model_t model, unsigned flags,
                        litmus_state_set_t *set, size_t *explored)
{
    enum_ctx_t *c;
    int status;

    if (!test || !set || set->count || (unsigned)model >= LITMUS_NMODELS)
        return LITMUS_ERR_ARG;
    c = calloc(1, sizeof(*c));
    if (!c)
        return LITMUS_ERR_NOMEM;
    c->test = test;
    c->model = model;
    c->causal = model == LITMUS_MODEL_CAUSAL || model == LITMUS_MODEL_CAUSAL_ANY;
    c->lazy = !(flags & LITMUS_ENUM_EAGER);
    c->out = set;
    layout(c);
    c->stack = calloc((size_t)c->maxdepth + 2, c->size);
    if (!c->stack) {
        status = LITMUS_ERR_NOMEM;
        goto out;
    }
    /* the initial state: memory and replicas hold the initial values */
    for (int t = 0; t < c->nthreads; t++)
        for (int r = 0; r < c->nregs; r++)
            *reg(c, c->stack, t, r) = NO_WRITE;
    if (c->causal)
        *phase_of(c, c->stack) = NO_PHASE;
    for (int l = 0; l < c->nlocs; l++) {
        *mem(c, c->stack, l) = (unsigned char)l;
        if (c->causal)
            for (int r = 0; r < c->nthreads; r++)
                *held(c, c->stack, r, l) = (unsigned char)l;
    }
    status = explore(c, 0, c->stack);
    if (explored)
        *explored = c->nkeys;
    if (status == LITMUS_OK)
        litmus_state_set_sort(test, set);
    else
        litmus_state_set_free(set);
out:
    free(c->stack);
    free(c->table);
    free(c->keys);
    free(c);
    return status;
}
