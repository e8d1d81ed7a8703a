/*
 * wgl.c - Wing & Gong's linearizability search with Lowe's memoization, on
 * the operations of one key.
 *
 * The operations become entries in a doubly linked list sorted by time: a
 * call entry at each operation's call, a return entry at its return (none
 * for an operation of unknown outcome: it stays open forever). At equal
 * times calls come first, so operation A precedes B iff A returned strictly
 * before B was called.
 *
 * The search is depth first. Any call entry before the list's first return
 * entry belongs to an operation that may take effect next (nothing still in
 * the list returned before it was called). It tries them in list order:
 * if the model allows the operation in the current state, and the
 * configuration reached (which operations are linearized, and the model's
 * state) was never reached before, it lifts the operation's entries out of
 * the list, pushes it and starts again from the head of the list; when no
 * candidate is left (the scan meets a return entry), it pops the last one,
 * puts its entries back and tries the candidate after it. Every operation
 * of known outcome linearized: linearizable. Nothing left to pop: not.
 *
 * The configurations seen are kept in a hash set: a configuration is never
 * explored twice, which keeps the search polynomial for a bounded number of
 * concurrent operations. A configuration is stored compactly as the model's
 * state, w (every operation of known outcome before w in call order is
 * linearized), the bits of those from w up to the last one linearized, and
 * one bit per operation of unknown outcome: a few words, as the operations
 * linearized beyond w are the few that overlap w.
 *
 * One reduction: a candidate that never changes the state (a read) and is
 * legal now is linearized without trying the others at that point. If the
 * rest can be linearized at all, it can be with that one first: nothing left
 * in the list precedes a candidate, it is legal at the front, and taking it
 * from where it was changes no state the others see. So when that choice
 * fails, the configuration before it fails too. (An operation that merely
 * happens to leave this state as it is, like a write of the current value,
 * does not qualify: later, it may be the write a read needs.)
 */
#include "lincheck.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK_EVERY 1024 /* steps between looks at the clock */

typedef struct entry entry_t;
struct entry {
    entry_t *prev, *next;
    entry_t *ret; /* a call's return entry; NULL for a return or an open call */
    uint64_t time;
    uint32_t op;  /* index in search_t.ops */
    uint8_t call; /* 1: call, 0: return */
};

typedef struct frame {
    entry_t *entry; /* the call entry linearized */
    lincheck_state_t state;
    size_t w, hi; /* before it */
    int forced;   /* read-only: no other candidate is tried instead */
} frame_t;

/* A set of configurations: their words one after another in an arena, and
 * an open-addressing table of where each starts. A configuration is
 *   [w | nbits << 32] [the model's state] [nbits words of known bits] [open bits]
 * so its first word tells its length: fixed + nbits. */
typedef struct config_set {
    uint64_t *slot; /* 0: empty; else 1 + the offset in arena (low OFFSET_BITS)
                     * and the hash's top bits (the rest) */
    size_t cap, n;  /* cap: a power of two */
    uint64_t *arena;
    size_t len, acap;
    size_t fixed; /* the words of every configuration besides its known bits */
} config_set_t;

#define OFFSET_BITS 40
#define OFFSET_MASK (((uint64_t)1 << OFFSET_BITS) - 1)

typedef struct search {
    const lincheck_model_t *model;
    const lincheck_op_t **ops; /* searched, call order */
    size_t n;
    uint32_t *bit; /* ops[i]'s bit among the known (info[i] 0) or the open (1) */
    unsigned char *info;
    size_t nknown, nopen;
    uint64_t *known, *open; /* the bits of the linearized ones */
    size_t known_words, open_words;
    size_t w, hi;     /* known bits below w are all set; none from hi up */
    size_t done;      /* known ones linearized */
    entry_t head;     /* the list's sentinel */
    entry_t *entries; /* 2 * nknown + nopen */
    frame_t *stack;
    size_t sp, max_sp;
    lincheck_state_t state, init;
    config_set_t seen;
    uint64_t *scratch; /* a configuration being encoded */
    size_t steps;
} search_t;

double lincheck_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the set of configurations ------------------------------------------------ */

static uint64_t hash_words(const uint64_t *w, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

    for (size_t i = 0; i < n; i++) {
        h ^= w[i] + 0x632be59bd9b4e019ULL + (h << 6) + (h >> 2);
        h *= 0xff51afd7ed558ccdULL;
    }
    return h ^ (h >> 31);
}

static size_t config_len(const config_set_t *s, const uint64_t *c)
{
    return s->fixed + (size_t)(c[0] >> 32);
}

static int set_grow(config_set_t *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    uint64_t *slot = calloc(cap, sizeof(*slot));

    if (!slot)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slot[i])
            continue;
        const uint64_t *c = s->arena + (s->slot[i] & OFFSET_MASK) - 1;
        size_t j = hash_words(c, config_len(s, c)) & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = s->slot[i];
    }
    free(s->slot);
    s->slot = slot;
    s->cap = cap;
    return 0;
}

/* Adds the configuration c: 1 if new, 0 if already there, -1 if out of
 * memory. */
static int set_add(config_set_t *s, const uint64_t *c)
{
    size_t n = config_len(s, c), j;
    uint64_t h = hash_words(c, n), tag = h & ~OFFSET_MASK;

    if (2 * (s->n + 1) > s->cap && set_grow(s))
        return -1;
    for (j = h & (s->cap - 1); s->slot[j]; j = (j + 1) & (s->cap - 1)) {
        const uint64_t *o = s->arena + (s->slot[j] & OFFSET_MASK) - 1;
        if ((s->slot[j] & ~OFFSET_MASK) == tag && o[0] == c[0] && !memcmp(o, c, n * sizeof(*c)))
            return 0;
    }
    if (s->len + n > s->acap) {
        size_t acap = s->acap ? s->acap : 4096;
        while (s->len + n > acap)
            acap *= 2;
        uint64_t *a = acap < OFFSET_MASK ? realloc(s->arena, acap * sizeof(*a)) : NULL;
        if (!a)
            return -1;
        s->arena = a;
        s->acap = acap;
    }
    memcpy(s->arena + s->len, c, n * sizeof(*c));
    s->slot[j] = (s->len + 1) | tag;
    s->len += n;
    s->n++;
    return 1;
}

static void set_clear(config_set_t *s)
{
    if (s->slot)
        memset(s->slot, 0, s->cap * sizeof(*s->slot));
    s->n = 0;
    s->len = 0;
}

static void set_free(config_set_t *s)
{
    free(s->slot);
    free(s->arena);
}

/* ---- the configuration ---------------------------------------------------------- */

static int bit_get(const uint64_t *bits, size_t i)
{
    return (int)((bits[i / 64] >> (i % 64)) & 1);
}

/* The current configuration, into s->scratch. */
static void config_encode(search_t *s)
{
    uint64_t *c = s->scratch;
    size_t n = 1, nbits = 0;

    for (size_t i = 0; i < s->model->state_words; i++)
        c[n++] = s->state.w[i];
    if (s->hi > s->w)
        for (size_t i = s->w / 64; i <= (s->hi - 1) / 64; i++, nbits++)
            c[n++] = s->known[i];
    for (size_t i = 0; i < s->open_words; i++)
        c[n++] = s->open[i];
    c[0] = (uint64_t)s->w | (uint64_t)nbits << 32;
}

/* Marks ops[i] linearized, moving w and hi on; unmark undoes it but for w
 * and hi, which the caller puts back. */
static void mark(search_t *s, size_t i)
{
    size_t b = s->bit[i];

    if (s->info[i]) {
        s->open[b / 64] |= (uint64_t)1 << (b % 64);
        return;
    }
    s->known[b / 64] |= (uint64_t)1 << (b % 64);
    s->done++;
    if (b + 1 > s->hi)
        s->hi = b + 1;
    while (s->w < s->nknown && bit_get(s->known, s->w))
        s->w++;
    if (s->hi < s->w)
        s->hi = s->w;
}

static void unmark(search_t *s, size_t i)
{
    size_t b = s->bit[i];

    if (s->info[i]) {
        s->open[b / 64] &= ~((uint64_t)1 << (b % 64));
        return;
    }
    s->known[b / 64] &= ~((uint64_t)1 << (b % 64));
    s->done--;
}

/* ---- the list --------------------------------------------------------------- */

static void lift(entry_t *e)
{
    e->prev->next = e->next;
    if (e->next)
        e->next->prev = e->prev;
    if (e->ret) {
        entry_t *r = e->ret;
        r->prev->next = r->next;
        if (r->next)
            r->next->prev = r->prev;
    }
}

static void unlift(entry_t *e)
{
    if (e->ret) {
        entry_t *r = e->ret;
        r->prev->next = r;
        if (r->next)
            r->next->prev = r;
    }
    e->prev->next = e;
    if (e->next)
        e->next->prev = e;
}

static int entry_cmp(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;

    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->call != y->call)
        return x->call ? -1 : 1;
    return x->op < y->op ? -1 : x->op > y->op;
}

/* The entries of s->ops, sorted and linked. */
static int list_build(search_t *s)
{
    size_t ne = 2 * s->nknown + s->nopen, k = 0;
    entry_t **ret_of = malloc((s->n ? s->n : 1) * sizeof(*ret_of));

    s->entries = malloc((ne ? ne : 1) * sizeof(*s->entries));
    if (!ret_of || !s->entries) {
        free(ret_of);
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        s->entries[k++] = (entry_t){.time = s->ops[i]->call, .op = (uint32_t)i, .call = 1};
        if (!s->info[i])
            s->entries[k++] = (entry_t){.time = s->ops[i]->ret, .op = (uint32_t)i};
    }
    qsort(s->entries, ne, sizeof(*s->entries), entry_cmp);
    for (size_t i = 0; i < s->n; i++)
        ret_of[i] = NULL;
    for (size_t i = 0; i < ne; i++)
        if (!s->entries[i].call)
            ret_of[s->entries[i].op] = &s->entries[i];
    entry_t *prev = &s->head;
    for (size_t i = 0; i < ne; i++) {
        entry_t *e = &s->entries[i];
        if (e->call)
            e->ret = ret_of[e->op];
        e->prev = prev;
        prev->next = e;
        prev = e;
    }
    prev->next = NULL;
    free(ret_of);
    return 0;
}

/* ---- set-up -------------------------------------------------------------------- */

static void search_free(search_t *s)
{
    free(s->ops);
    free(s->bit);
    free(s->info);
    free(s->known);
    free(s->open);
    free(s->entries);
    free(s->stack);
    free(s->scratch);
    set_free(&s->seen);
}

/* The key's operations but those the model drops, their bits, the list. */
static int search_init(search_t *s, const lincheck_key_t *key, uint64_t init,
                       lincheck_stats_t *stats)
{
    size_t n = key->nops ? key->nops : 1;
    unsigned char *drop = malloc(n);

    *s = (search_t){.model = key->model};
    s->ops = malloc(n * sizeof(*s->ops));
    s->bit = malloc(n * sizeof(*s->bit));
    s->info = malloc(n);
    s->stack = malloc((n + 1) * sizeof(*s->stack));
    if (!drop || !s->ops || !s->bit || !s->info || !s->stack || n > UINT32_MAX ||
        key->model->info_drop(key->ops, key->nops, drop))
        goto fail;
    for (size_t i = 0; i < key->nops; i++) {
        const lincheck_op_t *op = key->ops[i];
        if (drop[i]) {
            stats->skipped++;
            continue;
        }
        s->info[s->n] = op->ret == LINCHECK_NEVER;
        s->bit[s->n] = (uint32_t)(s->info[s->n] ? s->nopen++ : s->nknown++);
        s->ops[s->n++] = op;
    }
    s->known_words = (s->nknown + 63) / 64;
    s->open_words = (s->nopen + 63) / 64;
    s->known = calloc(s->known_words + 1, sizeof(*s->known));
    s->open = calloc(s->open_words + 1, sizeof(*s->open));
    s->scratch = malloc((5 + s->known_words + s->open_words) * sizeof(*s->scratch));
    s->seen.fixed = 1 + key->model->state_words + s->open_words;
    if (!s->known || !s->open || !s->scratch || list_build(s))
        goto fail;
    key->model->init(&s->init, init);
    s->state = s->init;
    stats->ops = s->n;
    free(drop);
    return 0;
fail:
    free(drop);
    search_free(s);
    return -1;
}

/* ---- the search ------------------------------------------------------------------ */

/* Linearizes e's operation, taking the model to *next, unless that
 * configuration was seen: 1 done, 0 seen, -1 out of memory. */
static int linearize(search_t *s, entry_t *e, const lincheck_state_t *next, int forced)
{
    frame_t f = {.entry = e, .state = s->state, .w = s->w, .hi = s->hi, .forced = forced};
    lincheck_state_t before = s->state;
    int added;

    mark(s, e->op);
    s->state = *next;
    config_encode(s);
    added = set_add(&s->seen, s->scratch);
    if (added <= 0) {
        unmark(s, e->op);
        s->state = before;
        s->w = f.w;
        s->hi = f.hi;
        return added;
    }
    lift(e);
    s->stack[s->sp++] = f;
    s->steps++;
    if (s->sp > s->max_sp)
        s->max_sp = s->sp;
    return 1;
}

/* Takes back the last operation linearized, and those before it that
 * were forced: 0 and *next the entry to try next, or -1 if nothing is left
 * to take back. */
static int backtrack(search_t *s, entry_t **next)
{
    frame_t *f;

    do {
        if (s->sp == 0)
            return -1;
        f = &s->stack[--s->sp];
        unlift(f->entry);
        unmark(s, f->entry->op);
        s->state = f->state;
        s->w = f->w;
        s->hi = f->hi;
    } while (f->forced);
    *next = f->entry->next;
    return 0;
}

/* Searches until every known operation is linearized (valid), nothing is
 * left to try (invalid), stop operations are linearized (invalid: the
 * window's configuration) or the deadline passes. */
static lincheck_result_t search_run(search_t *s, size_t stop, double deadline)
{
    entry_t *e = s->head.next;
    size_t count = 0;

    for (;;) {
        if (s->done == s->nknown)
            return LINCHECK_VALID;
        if (s->sp == stop)
            return LINCHECK_INVALID;
        if (deadline > 0 && ++count % CHECK_EVERY == 0 && lincheck_now() > deadline)
            return LINCHECK_UNKNOWN;
        if (e && e->call) {
            lincheck_state_t next = s->state;
            if (s->model->step(&next, s->ops[e->op])) {
                int forced = s->model->read_only(s->ops[e->op]);
                int r = linearize(s, e, &next, forced);
                if (r < 0)
                    return LINCHECK_NOMEM;
                if (r) {
                    e = s->head.next;
                    continue;
                }
                if (forced) {
                    e = NULL; /* it failed before: so does this configuration */
                    continue;
                }
            }
            e = e->next;
        } else if (backtrack(s, &e)) {
            return LINCHECK_INVALID;
        }
    }
}

/* ---- the window ------------------------------------------------------------------- */

static int overlaps(const lincheck_op_t *a, const lincheck_op_t *b)
{
    return a->call <= b->ret && b->call <= a->ret;
}

/* The window of the configuration the search stopped in. */
static int window_fill(search_t *s, lincheck_window_t *win)
{
    entry_t *e;
    size_t n = s->n ? s->n : 1;

    win->could = malloc(n * sizeof(*win->could));
    win->overlap = malloc(n * sizeof(*win->overlap));
    if (!win->could || !win->overlap)
        return -1;
    win->depth = s->sp;
    win->state = s->state;
    for (size_t i = s->sp; i-- > 0 && !win->last;)
        if (!s->stack[i].forced)
            win->last = s->ops[s->stack[i].entry->op];
    for (e = s->head.next; e && e->call; e = e->next)
        ;
    if (!e)
        return 0; /* cannot be: the search was stuck */
    win->stuck = s->ops[e->op];
    for (e = s->head.next; e && e->call; e = e->next)
        if (s->ops[e->op] != win->stuck)
            win->could[win->ncould++] = s->ops[e->op];
    /* The linearized ones overlapping it, in call order (bits are call order). */
    for (size_t i = 0; i < s->n; i++) {
        const lincheck_op_t *op = s->ops[i];
        int on = s->info[i] ? bit_get(s->open, s->bit[i]) : bit_get(s->known, s->bit[i]);
        if (on && op != win->last && overlaps(op, win->stuck))
            win->overlap[win->noverlap++] = op;
    }
    win->computed = 1;
    return 0;
}

void lincheck_window_free(lincheck_window_t *win)
{
    free(win->could);
    free(win->overlap);
    *win = (lincheck_window_t){0};
}

lincheck_result_t lincheck_check_key(const lincheck_key_t *key, uint64_t init, double deadline,
                                     lincheck_stats_t *stats, lincheck_window_t *win)
{
    lincheck_result_t r;
    search_t s;

    *stats = (lincheck_stats_t){0};
    *win = (lincheck_window_t){0};
    if (search_init(&s, key, init, stats))
        return LINCHECK_NOMEM;
    r = search_run(&s, SIZE_MAX, deadline);
    stats->configs = s.seen.n;
    stats->steps = s.steps;
    if (r == LINCHECK_INVALID) {
        /* Again, deterministically, to the first configuration as deep as
         * the deepest: the stack is empty and the list whole again. */
        size_t deepest = s.max_sp;
        set_clear(&s.seen);
        win->total = s.n;
        lincheck_result_t again = search_run(&s, deepest, deadline);
        if (again == LINCHECK_NOMEM || (again == LINCHECK_INVALID && window_fill(&s, win))) {
            lincheck_window_free(win);
            r = LINCHECK_NOMEM;
        }
    }
    search_free(&s);
    return r;
}
