/*
 * op.c - datatypes and reduction operations: the built-in ones over each
 * element type, and the user's (ordo_op_create).
 */
#include "ordo_config.h"

#include "collectives/sched.h"
#include "runtime/log.h"

#include <pthread.h>
#include <stdint.h>

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

/* One loop per (operation, type): the compiler vectorizes each. */
#define ARITH(T, d, s, n, expr)                                                                    \
    do {                                                                                           \
        T *restrict a_ = (T *)(d);                                                                 \
        const T *restrict b_ = (const T *)(s);                                                     \
        for (size_t i_ = 0; i_ < (n); i_++) {                                                      \
            T x = a_[i_], y = b_[i_];                                                              \
            a_[i_] = (expr);                                                                       \
        }                                                                                          \
    } while (0)

#define ALL_OPS(T, d, s, n, op, ints)                                                              \
    switch (op) {                                                                                  \
    case ORDO_OP_SUM:                                                                              \
        ARITH(T, d, s, n, x + y);                                                                  \
        break;                                                                                     \
    case ORDO_OP_PROD:                                                                             \
        ARITH(T, d, s, n, x *y);                                                                   \
        break;                                                                                     \
    case ORDO_OP_MIN:                                                                              \
        ARITH(T, d, s, n, y < x ? y : x);                                                          \
        break;                                                                                     \
    case ORDO_OP_MAX:                                                                              \
        ARITH(T, d, s, n, y > x ? y : x);                                                          \
        break;                                                                                     \
    default:                                                                                       \
        ints;                                                                                      \
    }

#define INT_OPS(T, d, s, n, op)                                                                    \
    if ((op) == ORDO_OP_BAND)                                                                      \
        ARITH(T, d, s, n, x &y);                                                                   \
    else                                                                                           \
        ARITH(T, d, s, n, x | y)

/* Signed sums and products wrap (two's complement), as MPI's do in
 * practice: computed on the unsigned type. */
void ordo__coll_op_apply(ordo_op_t op, ordo_dtype_t t, void *dst, const void *src, size_t count)
{
    if (op > ORDO_OP_BOR) {
        int i = user_index(op);
        if (i >= 0)
            user_ops[i].fn(src, dst, count, t, user_ops[i].arg);
        return;
    }
    switch (t) {
    case ORDO_DTYPE_INT32:
        if (op == ORDO_OP_SUM || op == ORDO_OP_PROD) {
            ALL_OPS(uint32_t, dst, src, count, op, (void)0);
        } else {
            ALL_OPS(int32_t, dst, src, count, op, INT_OPS(int32_t, dst, src, count, op));
        }
        break;
    case ORDO_DTYPE_INT64:
        if (op == ORDO_OP_SUM || op == ORDO_OP_PROD) {
            ALL_OPS(uint64_t, dst, src, count, op, (void)0);
        } else {
            ALL_OPS(int64_t, dst, src, count, op, INT_OPS(int64_t, dst, src, count, op));
        }
        break;
    case ORDO_DTYPE_UINT64:
        ALL_OPS(uint64_t, dst, src, count, op, INT_OPS(uint64_t, dst, src, count, op));
        break;
    case ORDO_DTYPE_FLOAT:
        ALL_OPS(float, dst, src, count, op, (void)0);
        break;
    case ORDO_DTYPE_DOUBLE:
        ALL_OPS(double, dst, src, count, op, (void)0);
        break;
    }
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
