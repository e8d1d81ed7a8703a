/*
 * litmus_state.c - final states: the condition evaluated on one, rows in
 * litmus7's format, sets of distinct states, the verdict and herd7's
 * output block; status strings and model names.
 */
#include "litmus.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- status codes and model names ------------------------------------------------ */

const char *litmus_strerror(int status)
{
    switch (status) {
#define LITMUS_STATUS_CASE(name, value, desc)                                                      \
    case LITMUS_##name:                                                                            \
        return desc;
        LITMUS_STATUS_LIST(LITMUS_STATUS_CASE)
#undef LITMUS_STATUS_CASE
    }
    return "unknown status";
}

static const char *const model_names[LITMUS_NMODELS] = {"sc", "tso", "causal", "causal-any"};

const char *litmus_model_name(litmus_model_t model)
{
    return (unsigned)model < LITMUS_NMODELS ? model_names[model] : "?";
}

int litmus_model_parse(const char *name, litmus_model_t *model)
{
    for (int m = 0; m < LITMUS_NMODELS; m++) {
        if (!strcmp(name, model_names[m])) {
            *model = (litmus_model_t)m;
            return LITMUS_OK;
        }
    }
    return LITMUS_ERR_ARG;
}

const char *litmus_quant_label(litmus_quant_t quant)
{
    switch (quant) {
    case LITMUS_EXISTS:
        return "Allowed";
    case LITMUS_NOT_EXISTS:
        return "Forbidden";
    case LITMUS_FORALL:
        return "Required";
    }
    return "?";
}

/* ---- the condition ----------------------------------------------------------------- */

static int eval(const litmus_test_t *test, const litmus_state_t *st, int node)
{
    const litmus_cond_t *c = &test->cond[node];

    switch (c->kind) {
    case LITMUS_COND_TRUE:
        return 1;
    case LITMUS_COND_FALSE:
        return 0;
    case LITMUS_COND_REG:
        return st->regs[c->thread][c->reg] == c->value;
    case LITMUS_COND_LOC:
        return st->mem[c->loc] == c->value;
    case LITMUS_COND_NOT:
        return !eval(test, st, c->left);
    case LITMUS_COND_AND:
        return eval(test, st, c->left) && eval(test, st, c->right);
    case LITMUS_COND_OR:
        return eval(test, st, c->left) || eval(test, st, c->right);
    }
    return 0;
}

int litmus_eval_cond(const litmus_test_t *test, const litmus_state_t *state)
{
    if (!test->ncond)
        return 1;
    return eval(test, state, test->cond_root);
}

/* ---- formatting ------------------------------------------------------------------------ */

/* snprintf that appends at *n and keeps counting past cap. */
typedef struct sbuf {
    char *buf;
    size_t cap, n;
} sbuf_t;

static void sb_printf(sbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(sb->n < sb->cap ? sb->buf + sb->n : NULL, sb->n < sb->cap ? sb->cap - sb->n : 0,
                  fmt, ap);
    va_end(ap);
    if (k > 0)
        sb->n += (size_t)k;
}

size_t litmus_state_format(const litmus_test_t *test, const litmus_state_t *state, char *buf,
                           size_t cap)
{
    sbuf_t sb = {buf, cap, 0};
    const char *sep = "";

    if (cap)
        buf[0] = '\0';
    for (int t = 0; t < test->nthreads; t++) {
        for (int r = 0; r < test->threads[t].nregs; r++) {
            sb_printf(&sb, "%s%d:%s=%" PRId64 ";", sep, t, test->threads[t].regs[r],
                      state->regs[t][r]);
            sep = " ";
        }
    }
    for (int l = 0; l < test->nlocs; l++) {
        if (test->observed[l]) {
            sb_printf(&sb, "%s%s=%" PRId64 ";", sep, test->locs[l], state->mem[l]);
            sep = " ";
        }
    }
    return sb.n;
}

static void cond_print(sbuf_t *sb, const litmus_test_t *test, int node, litmus_cond_kind_t parent)
{
    const litmus_cond_t *c = &test->cond[node];
    int paren;

    switch (c->kind) {
    case LITMUS_COND_TRUE:
        sb_printf(sb, "true");
        break;
    case LITMUS_COND_FALSE:
        sb_printf(sb, "false");
        break;
    case LITMUS_COND_REG:
        sb_printf(sb, "%d:%s=%" PRId64, c->thread, test->threads[c->thread].regs[c->reg], c->value);
        break;
    case LITMUS_COND_LOC:
        sb_printf(sb, "%s=%" PRId64, test->locs[c->loc], c->value);
        break;
    case LITMUS_COND_NOT:
        sb_printf(sb, "~");
        cond_print(sb, test, c->left, LITMUS_COND_NOT);
        break;
    case LITMUS_COND_AND:
    case LITMUS_COND_OR:
        /* a binary operator under ~, or \/ under /\, needs parentheses */
        paren =
            parent == LITMUS_COND_NOT || (parent == LITMUS_COND_AND && c->kind == LITMUS_COND_OR);
        sb_printf(sb, "%s", paren ? "(" : "");
        cond_print(sb, test, c->left, c->kind);
        sb_printf(sb, " %s ", c->kind == LITMUS_COND_AND ? "/\\" : "\\/");
        cond_print(sb, test, c->right, c->kind);
        sb_printf(sb, "%s", paren ? ")" : "");
        break;
    }
}

size_t litmus_cond_format(const litmus_test_t *test, char *buf, size_t cap)
{
    static const char *const quant[] = {"exists", "~exists", "forall"};
    sbuf_t sb = {buf, cap, 0};

    if (cap)
        buf[0] = '\0';
    sb_printf(&sb, "%s (", quant[test->quant]);
    if (test->ncond)
        cond_print(&sb, test, test->cond_root, LITMUS_COND_TRUE);
    else
        sb_printf(&sb, "true");
    sb_printf(&sb, ")");
    return sb.n;
}

/* ---- sets of states ------------------------------------------------------------------------ */

void litmus_state_set_init(litmus_state_set_t *set)
{
    memset(set, 0, sizeof(*set));
}

void litmus_state_set_free(litmus_state_set_t *set)
{
    free(set->states);
    litmus_state_set_init(set);
}

int litmus_state_set_add(litmus_state_set_t *set, const litmus_state_t *state, size_t *index)
{
    size_t i;

    for (i = 0; i < set->count; i++)
        if (!memcmp(&set->states[i], state, sizeof(*state)))
            break;
    if (i == set->count) {
        if (set->count == set->cap) {
            size_t ncap = set->cap ? set->cap * 2 : 16;
            litmus_state_t *n = realloc(set->states, ncap * sizeof(*n));
            if (!n)
                return LITMUS_ERR_NOMEM;
            set->states = n;
            set->cap = ncap;
        }
        set->states[set->count++] = *state;
    }
    if (index)
        *index = i;
    return LITMUS_OK;
}

/* Registers thread by thread, then locations: the order of a formatted row
 * (unused slots are 0 in every state, so they never decide). */
static int state_cmp(const void *a, const void *b)
{
    const litmus_state_t *x = a, *y = b;

    for (int t = 0; t < LITMUS_MAX_THREADS; t++)
        for (int r = 0; r < LITMUS_MAX_REGS; r++)
            if (x->regs[t][r] != y->regs[t][r])
                return x->regs[t][r] < y->regs[t][r] ? -1 : 1;
    for (int l = 0; l < LITMUS_MAX_LOCS; l++)
        if (x->mem[l] != y->mem[l])
            return x->mem[l] < y->mem[l] ? -1 : 1;
    return 0;
}

void litmus_state_set_sort(const litmus_test_t *test, litmus_state_set_t *set)
{
    (void)test;
    if (set->count > 1)
        qsort(set->states, set->count, sizeof(set->states[0]), state_cmp);
}

/* ---- verdict and output -----------------------------------------------------------------------
 */

int litmus_verdict(const litmus_test_t *test, const litmus_state_set_t *set, size_t *positive,
                   size_t *negative)
{
    size_t pos = 0;

    for (size_t i = 0; i < set->count; i++)
        pos += (size_t)litmus_eval_cond(test, &set->states[i]);
    if (positive)
        *positive = pos;
    if (negative)
        *negative = set->count - pos;
    switch (test->quant) {
    case LITMUS_EXISTS:
        return pos > 0;
    case LITMUS_NOT_EXISTS:
        return pos == 0;
    case LITMUS_FORALL:
        return pos == set->count;
    }
    return 0;
}

int litmus_print_enumeration(FILE *out, const litmus_test_t *test, litmus_model_t model,
                             const litmus_state_set_t *set)
{
    char row[LITMUS_MAX_THREADS * LITMUS_MAX_REGS * 48 + LITMUS_MAX_LOCS * 48];
    size_t pos, neg;
    int ok = litmus_verdict(test, set, &pos, &neg);

    fprintf(out, "Test %s %s\n", test->name, litmus_quant_label(test->quant));
    fprintf(out, "Model %s\n", litmus_model_name(model));
    fprintf(out, "States %zu\n", set->count);
    for (size_t i = 0; i < set->count; i++) {
        litmus_state_format(test, &set->states[i], row, sizeof(row));
        fprintf(out, "%s\n", row);
    }
    fprintf(out, "%s\n", ok ? "Ok" : "No");
    fprintf(out, "Witnesses\n");
    fprintf(out, "Positive: %zu Negative: %zu\n", pos, neg);
    litmus_cond_format(test, row, sizeof(row));
    fprintf(out, "Condition %s\n", row);
    fprintf(out, "Observation %s %s %zu %zu\n", test->name,
            !pos   ? "Never"
            : !neg ? "Always"
                   : "Sometimes",
            pos, neg);
    return ferror(out) ? LITMUS_ERR_IO : LITMUS_OK;
}
