/*
 * lost.c - lost acknowledged writes (ordo-lincheck --lost-writes): no read
 * of a register may return a value that was superseded before the read
 * began, i.e. a value whose write completed before another acknowledged
 * write of the same key was invoked, that one completing before the read
 * was invoked. In real time the read must then see the later write or a
 * newer one; the older value coming back means an acknowledged write was
 * lost (a final read after a fault campaign is where it shows).
 *
 * A much cheaper question than linearizability (a sort and a scan per key,
 * no search), so it has an answer for any history. Values are taken as
 * unique per write (ordo_kv writes a unique first 8 bytes); the initial
 * value counts as written at time 0; a read of a value nobody wrote is left
 * to the linearizability check.
 */
#include "lincheck.h"

#include <inttypes.h>
#include <stdlib.h>

/* An acknowledged write by its completion, and the latest invoke among it
 * and those completing before it. */
typedef struct acked {
    uint64_t ret;
    const lincheck_op_t *latest; /* the latest-invoked write completed by ret */
} acked_t;

static int by_ret(const void *a, const void *b)
{
    uint64_t x = (*(const lincheck_op_t *const *)a)->ret,
             y = (*(const lincheck_op_t *const *)b)->ret;
    return x < y ? -1 : x > y;
}

static int by_value(const void *a, const void *b)
{
    const lincheck_op_t *x = *(const lincheck_op_t *const *)a,
                        *y = *(const lincheck_op_t *const *)b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->ret < y->ret ? -1 : x->ret > y->ret;
}

/* The write of value among every write wv[0..n) sorted by value and
 * completion: the one completing last if several wrote it (the least
 * likely to look superseded); NULL if none. */
static const lincheck_op_t *writer_of(const lincheck_op_t **wv, size_t n, uint64_t value)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (wv[mid]->value <= value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && wv[lo - 1]->value == value ? wv[lo - 1] : NULL;
}

/* The latest-invoked acknowledged write that completed before t, or NULL. */
static const lincheck_op_t *latest_before(const acked_t *a, size_t n, uint64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid].ret < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? a[lo - 1].latest : NULL;
}

static void lost_print(FILE *out, const lincheck_history_t *h, const lincheck_key_t *key,
                       const lincheck_op_t *read, const lincheck_op_t *w,
                       const lincheck_op_t *newer)
{
    char name[256];
    fprintf(out, "%s: lost write: a read returned %" PRIu64 ", superseded before it began\n",
            lincheck_key_name(name, sizeof(name), h, key->object, key->key), read->value);
    fputs("  the read:\n", out);
    lincheck_op_print(out, h, read);
    if (w) {
        fputs("  the write of that value, completed before the next one was invoked:\n", out);
        lincheck_op_print(out, h, w);
    } else {
        fputs("  (the initial value)\n", out);
    }
    fputs("  the acknowledged write completed before the read began:\n", out);
    lincheck_op_print(out, h, newer);
}

long lincheck_lost_writes(FILE *out, const lincheck_history_t *h, const lincheck_key_t *key,
                          uint64_t init, size_t *reads)
{
    const lincheck_op_t **w = malloc((key->nops + 1) * sizeof(*w));
    const lincheck_op_t **wv = malloc((key->nops + 1) * sizeof(*wv));
    acked_t *a = malloc((key->nops + 1) * sizeof(*a));
    size_t n = 0, nv = 0;
    long lost = 0;

    if (!w || !wv || !a) {
        free(w);
        free(wv);
        free(a);
        return -1;
    }
    for (size_t i = 0; i < key->nops; i++) {
        const lincheck_op_t *op = key->ops[i];
        if (op->f == LINCHECK_WRITE)
            wv[nv++] = op;
        if (op->f == LINCHECK_WRITE && op->ret != LINCHECK_NEVER)
            w[n++] = op;
    }
    qsort(w, n, sizeof(*w), by_ret);
    qsort(wv, nv, sizeof(*wv), by_value);
    for (size_t i = 0; i < n; i++) {
        a[i].ret = w[i]->ret;
        a[i].latest = i && a[i - 1].latest->call > w[i]->call ? a[i - 1].latest : w[i];
    }
    for (size_t i = 0; i < key->nops; i++) {
        const lincheck_op_t *r = key->ops[i];
        if (r->f != LINCHECK_READ || !r->has_value)
            continue;
        ++*reads;
        const lincheck_op_t *wr = writer_of(wv, nv, r->value);
        if (!wr && r->value != init)
            continue;
        uint64_t done = wr ? wr->ret : 0;
        const lincheck_op_t *newer = latest_before(a, n, r->call);
        if (newer && newer != wr && done != LINCHECK_NEVER && newer->call > done) {
            lost++;
            if (out)
                lost_print(out, h, key, r, wr, newer);
        }
    }
    free(w);
    free(wv);
    free(a);
    return lost;
}
