/*
 * op.c - datatypes and reduction operations: the built-in ones over each
 * element type, and the user's (ordo_op_create).
 */
#include "ordo_config.h"

#include "collectives/sched.h"
#include "runtime/log.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define USER_OP_BASE 64
#define USER_OP_MAX  32

static struct {
    ordo_op_fn_t fn;
    void *arg;
} user_ops[USER_OP_MAX];
static pthread_mutex_t user_lock = PTHREAD_MUTEX_INITIALIZER;

size_t ordo_dtype_size(ordo_dtype_t t)
{
    switch (t) {
    case ORDO_DTYPE_INT32:
    case ORDO_DTYPE_FLOAT:
        return 4;
    case ORDO_DTYPE_INT64:
    case ORDO_DTYPE_UINT64:
    case ORDO_DTYPE_DOUBLE:
        return 8;
    }
    return 0;
}

static int user_index(ordo_op_t op)
{
    int i = op - USER_OP_BASE;
    return i >= 0 && i < USER_OP_MAX && user_ops[i].fn ? i : -1;
}

int ordo__coll_op_check(ordo_op_t op, ordo_dtype_t t)
{
    if (!ordo_dtype_size(t)) {
        ordo_log_error("datatype %d is not an ordo_dtype_t", (int)t);
        return ORDO_ERR_INVALID;
    }
    if (op >= ORDO_OP_SUM && op <= ORDO_OP_MAX)
        return ORDO_OK;
    if (op == ORDO_OP_BAND || op == ORDO_OP_BOR) {
        if (t == ORDO_DTYPE_FLOAT || t == ORDO_DTYPE_DOUBLE) {
            ordo_log_error("ORDO_OP_%s takes integer types, not %s",
                           op == ORDO_OP_BAND ? "BAND" : "BOR",
                           t == ORDO_DTYPE_FLOAT ? "ORDO_DTYPE_FLOAT" : "ORDO_DTYPE_DOUBLE");
            return ORDO_ERR_INVALID;
        }
        return ORDO_OK;
    }
    pthread_mutex_lock(&user_lock);
    int i = user_index(op);
    pthread_mutex_unlock(&user_lock);
    if (i < 0) {
        ordo_log_error("reduction operation %d is neither built in nor made by ordo_op_create", op);
        return ORDO_ERR_INVALID;
    }
    return ORDO_OK;
}

/* One loop per (operation, type), in blocks of a fixed VB elements and a
 * tail: a block's loop has a known trip count and restrict parameters,
 * which the compiler turns into vector instructions at -O2 (GCC's cheap
 * cost model leaves a loop of unknown count, or one whose pointers may
 * overlap, scalar).  Signed sums and products wrap (two's complement), as
 * MPI's do in practice: computed on the unsigned type. */
#define VB 16
#define BLOCKED(T, dv, av, bv, n, expr)                                                            \
    do {                                                                                           \
        T *d_ = (dv);                                                                              \
        const T *a_ = (av), *b_ = (bv);                                                            \
        size_t i_ = 0;                                                                             \
        for (; i_ + VB <= (n); i_ += VB)                                                           \
            for (int j_ = 0; j_ < VB; j_++) {                                                      \
                T x = a_[i_ + j_], y = b_[i_ + j_];                                                \
                d_[i_ + j_] = (expr);                                                              \
            }                                                                                      \
        for (; i_ < (n); i_++) {                                                                   \
            T x = a_[i_], y = b_[i_];                                                              \
            d_[i_] = (expr);                                                                       \
        }                                                                                          \
    } while (0)

typedef void (*loop_in_t)(void *restrict d, const void *restrict b, size_t n);
typedef void (*loop_to_t)(void *restrict d, const void *restrict a, const void *restrict b,
                          size_t n);

/* name_in: d = d (op) b; name_to: d = a (op) b. */
#define LOOPS(name, T, expr)                                                                       \
    static void name##_in(void *restrict d, const void *restrict b, size_t n)                      \
    {                                                                                              \
        BLOCKED(T, d, d, b, n, expr);                                                              \
    }                                                                                              \
    static void name##_to(void *restrict d, const void *restrict a, const void *restrict b,        \
                          size_t n)                                                                \
    {                                                                                              \
        BLOCKED(T, d, a, b, n, expr);                                                              \
    }

#define ARITH_LOOPS(sfx, T, S)                                                                     \
    LOOPS(sum_##sfx, T, x + y)                                                                     \
    LOOPS(prod_##sfx, T, x *y)                                                                     \
    LOOPS(min_##sfx, S, y < x ? y : x)                                                             \
    LOOPS(max_##sfx, S, y > x ? y : x)
#define BIT_LOOPS(sfx, T)                                                                          \
    LOOPS(band_##sfx, T, x &y)                                                                     \
    LOOPS(bor_##sfx, T, x | y)

ARITH_LOOPS(i32, uint32_t, int32_t)
ARITH_LOOPS(i64, uint64_t, int64_t)
ARITH_LOOPS(u64, uint64_t, uint64_t)
ARITH_LOOPS(f, float, float)
ARITH_LOOPS(d, double, double)
BIT_LOOPS(32, uint32_t)
BIT_LOOPS(64, uint64_t)

/* [datatype][operation]: BAND and BOR of floating types are refused before
 * (ordo__coll_op_check). */
#define ROW(sfx, bits)                                                                             \
    {                                                                                              \
        {sum_##sfx##_in, sum_##sfx##_to}, {prod_##sfx##_in, prod_##sfx##_to},                      \
            {min_##sfx##_in, min_##sfx##_to}, {max_##sfx##_in, max_##sfx##_to},                    \
            {band_##bits##_in, band_##bits##_to},                                                  \
        {                                                                                          \
            bor_##bits##_in, bor_##bits##_to                                                       \
        }                                                                                          \
    }
static const struct {
    loop_in_t in;
    loop_to_t to;
} loops[5][6] = {
    [ORDO_DTYPE_INT32] = ROW(i32, 32),  [ORDO_DTYPE_INT64] = ROW(i64, 64),
    [ORDO_DTYPE_UINT64] = ROW(u64, 64), [ORDO_DTYPE_FLOAT] = ROW(f, 32),
    [ORDO_DTYPE_DOUBLE] = ROW(d, 64),
};

static int built_in(ordo_op_t op, ordo_dtype_t t)
{
    return op >= ORDO_OP_SUM && op <= ORDO_OP_BOR && (unsigned)t < sizeof(loops) / sizeof(loops[0]);
}

void ordo__coll_op_apply(ordo_op_t op, ordo_dtype_t t, void *dst, const void *src, size_t count)
{
    if (built_in(op, t)) {
        loops[t][op].in(dst, src, count);
        return;
    }
    int i = user_index(op);
    if (i >= 0)
        user_ops[i].fn(src, dst, count, t, user_ops[i].arg);
}

void ordo__coll_op_combine(ordo_op_t op, ordo_dtype_t t, void *dst, const void *a, const void *b,
                           size_t count)
{
    if (built_in(op, t)) {
        loops[t][op].to(dst, a, b, count);
        return;
    }
    memcpy(dst, a, count * ordo_dtype_size(t));
    ordo__coll_op_apply(op, t, dst, b, count);
}

ordo_status_t ordo_op_create(ordo_op_fn_t fn, void *arg, ordo_op_t *op)
{
    if (!fn || !op)
        return ORDO_ERR_INVALID;
    pthread_mutex_lock(&user_lock);
    for (int i = 0; i < USER_OP_MAX; i++) {
        if (!user_ops[i].fn) {
            user_ops[i].fn = fn;
            user_ops[i].arg = arg;
            *op = USER_OP_BASE + i;
            pthread_mutex_unlock(&user_lock);
            return ORDO_OK;
        }
    }
    pthread_mutex_unlock(&user_lock);
    ordo_log_error("ordo_op_create: all %d user operations are in use", USER_OP_MAX);
    return ORDO_ERR_NOMEM;
}

ordo_status_t ordo_op_free(ordo_op_t op)
{
    pthread_mutex_lock(&user_lock);
    int i = user_index(op);
    if (i >= 0)
        user_ops[i].fn = NULL;
    pthread_mutex_unlock(&user_lock);
    return i >= 0 ? ORDO_OK : ORDO_ERR_INVALID;
}
