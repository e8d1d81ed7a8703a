/*
 * models.c - the sequential specifications a key's operations are checked
 * against.
 *
 * register (read, write): the state is a value, --init at first. A write v
 *   makes it v; a read that returned v is legal iff the state is v.
 * mutex (acquire, release): the state is the holder (or none) and the last
 *   fencing token seen. An acquire is legal iff the lock is free; its process
 *   then holds it, and its token (if the ok gave one) must be above every
 *   token before it. A release is legal iff its process holds the lock,
 *   which is then free.
 *
 * Operations of unknown outcome (info, or never completed) may be left out
 * of a linearization, which the search allows by not requiring them; but
 * each one it keeps can double the configurations it explores. So each
 * model drops those that cannot matter:
 *   - a register's info write of v matters only if some read returned v:
 *     in a linearization where it took effect and no read saw v, the next
 *     write comes before any read, so without it every read sees the same;
 *   - a mutex's info acquire never matters unless a release of its process
 *     can come after it (which only a clock going back allows): after it, the
 *     lock is held by a process that does nothing more, so nothing after it
 *     is legal and it might as well not have happened.
 */
#include "lincheck.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define F_BIT(f) (1u << (f))

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int is_info(const lincheck_op_t *op)
{
    return op->ret == LINCHECK_NEVER;
}

/* ---- register -------------------------------------------------------------- */

static void register_init(lincheck_state_t *s, uint64_t init)
{
    *s = (lincheck_state_t){{init, 0, 0}};
}

static int register_step(lincheck_state_t *s, const lincheck_op_t *op)
{
    switch (op->f) {
    case LINCHECK_WRITE:
        s->w[0] = op->value;
        return 1;
    case LINCHECK_READ:
        return s->w[0] == op->value;
    default:
        return 0;
    }
}

static int register_read_only(const lincheck_op_t *op)
{
    return op->f == LINCHECK_READ;
}

/* Info writes whose value no read returned. */
static int register_info_drop(const lincheck_op_t *const *ops, size_t n, unsigned char *drop)
{
    uint64_t *seen = malloc((n ? n : 1) * sizeof(*seen));
    size_t nseen = 0;

    if (!seen)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (ops[i]->f == LINCHECK_READ && !is_info(ops[i]))
            seen[nseen++] = ops[i]->value;
    qsort(seen, nseen, sizeof(*seen), u64_cmp);
    for (size_t i = 0; i < n; i++)
        drop[i] = is_info(ops[i]) && ops[i]->f == LINCHECK_WRITE &&
                  !bsearch(&ops[i]->value, seen, nseen, sizeof(*seen), u64_cmp);
    free(seen);
    return 0;
}

static void register_describe(FILE *out, const lincheck_state_t *s)
{
    fprintf(out, "value %" PRIu64, s->w[0]);
}

const lincheck_model_t lincheck_register = {
    .name = "register",
    .fs = F_BIT(LINCHECK_READ) | F_BIT(LINCHECK_WRITE),
    .state_words = 1,
    .init = register_init,
    .step = register_step,
    .read_only = register_read_only,
    .info_drop = register_info_drop,
    .describe = register_describe,
};

/* ---- mutex ------------------------------------------------------------------- */

enum { HOLDER, TOKEN, TOKEN_SEEN };

static void mutex_init(lincheck_state_t *s, uint64_t init)
{
    (void)init;
    *s = (lincheck_state_t){{0, 0, 0}};
}

static int mutex_step(lincheck_state_t *s, const lincheck_op_t *op)
{
    switch (op->f) {
    case LINCHECK_ACQUIRE:
        if (s->w[HOLDER])
            return 0;
        if (op->has_value) {
            if (s->w[TOKEN_SEEN] && op->value <= s->w[TOKEN])
                return 0;
            s->w[TOKEN] = op->value;
            s->w[TOKEN_SEEN] = 1;
        }
        s->w[HOLDER] = op->process + 1; /* processes are below 2^63 */
        return 1;
    case LINCHECK_RELEASE:
        if (s->w[HOLDER] != op->process + 1)
            return 0;
        s->w[HOLDER] = 0;
        return 1;
    default:
        return 0;
    }
}

/* Every acquire and release changes the holder. */
static int mutex_read_only(const lincheck_op_t *op)
{
    (void)op;
    return 0;
}

/* The latest return of each process's releases, sorted by process. */
typedef struct release {
    uint64_t process, ret;
} release_t;

static int release_cmp(const void *a, const void *b)
{
    const release_t *x = a, *y = b;
    return x->process < y->process ? -1 : x->process > y->process;
}

/* Info acquires, unless a release by the same process returns after their call. */
static int mutex_info_drop(const lincheck_op_t *const *ops, size_t n, unsigned char *drop)
{
    release_t *rel = malloc((n ? n : 1) * sizeof(*rel)), *r;
    size_t nrel = 0;

    if (!rel)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (ops[i]->f == LINCHECK_RELEASE)
            rel[nrel++] = (release_t){ops[i]->process, ops[i]->ret};
    qsort(rel, nrel, sizeof(*rel), release_cmp);
    size_t m = 0;
    for (size_t i = 0; i < nrel; i++) {
        if (m && rel[m - 1].process == rel[i].process) {
            if (rel[i].ret > rel[m - 1].ret)
                rel[m - 1].ret = rel[i].ret;
        } else {
            rel[m++] = rel[i];
        }
    }
    for (size_t i = 0; i < n; i++) {
        const lincheck_op_t *op = ops[i];
        release_t k = {op->process, 0};
        drop[i] = 0;
        if (!is_info(op) || op->f != LINCHECK_ACQUIRE)
            continue;
        r = bsearch(&k, rel, m, sizeof(*rel), release_cmp);
        drop[i] = !r || r->ret < op->call;
    }
    free(rel);
    return 0;
}

static void mutex_describe(FILE *out, const lincheck_state_t *s)
{
    if (s->w[HOLDER])
        fprintf(out, "held by process %" PRIu64, s->w[HOLDER] - 1);
    else
        fputs("free", out);
    if (s->w[TOKEN_SEEN])
        fprintf(out, ", last token %" PRIu64, s->w[TOKEN]);
    else
        fputs(", no token yet", out);
}

const lincheck_model_t lincheck_mutex = {
    .name = "mutex",
    .fs = F_BIT(LINCHECK_ACQUIRE) | F_BIT(LINCHECK_RELEASE),
    .state_words = 3,
    .init = mutex_init,
    .step = mutex_step,
    .read_only = mutex_read_only,
    .info_drop = mutex_info_drop,
    .describe = mutex_describe,
};

const lincheck_model_t *lincheck_model_find(const char *name)
{
    static const lincheck_model_t *const models[] = {&lincheck_register, &lincheck_mutex};

    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
        if (!strcmp(models[i]->name, name))
            return models[i];
    return NULL;
}
