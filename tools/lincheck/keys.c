/*
 * keys.c - P-compositionality: a history is linearizable iff the history of
 * each key is (Herlihy & Wing's locality), so the operations are split by
 * object and key and every key is checked on its own, against its own
 * model.
 *
 * With no model given, a key's model is the one its f's name: read and write
 * make a register, acquire and release a mutex; a key with both is refused.
 * Every invoke counts (failed ones too), so a key has a model even if none of
 * its operations is kept.
 */
#include "lincheck.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

static const lincheck_model_t *const models[] = {&lincheck_register, &lincheck_mutex};
#define NMODELS (sizeof(models) / sizeof(models[0]))

/* An invoke, by object, key, then input order. */
typedef struct invoke {
    uint32_t object;
    uint64_t key;
    size_t event;
} invoke_t;

static int same_key(const invoke_t *x, const invoke_t *y)
{
    return x->object == y->object && x->key == y->key;
}

static int invoke_cmp(const void *a, const void *b)
{
    const invoke_t *x = a, *y = b;

    if (x->object != y->object)
        return x->object < y->object ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->event < y->event ? -1 : x->event > y->event;
}

/* Operations by object, key, call time, then input order. */
static int op_cmp(const void *a, const void *b)
{
    const lincheck_op_t *x = *(const lincheck_op_t *const *)a;
    const lincheck_op_t *y = *(const lincheck_op_t *const *)b;

    if (x->object != y->object)
        return x->object < y->object ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->call != y->call)
        return x->call < y->call ? -1 : 1;
    return x->invoke < y->invoke ? -1 : x->invoke > y->invoke;
}

static void bad_model(const lincheck_history_t *h, size_t ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad_model(const lincheck_history_t *h, size_t ev, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lincheck_error(h->files[h->events[ev].file], h->events[ev].line, "%s", msg);
}

static const char *model_fs(const lincheck_model_t *m, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    for (int f = 0; f < LINCHECK_NFS; f++)
        if (m->fs & (1u << f))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", lincheck_f_name(f));
    return buf;
}

/* The model of the key whose invokes are inv[0..n): 0, or -1 after printing why. */
static int key_model(const lincheck_history_t *h, const invoke_t *inv, size_t n,
                     const lincheck_model_t *given, const lincheck_model_t **out)
{
    size_t first = LINCHECK_NONE;
    char fs[64], name[256];

    *out = given;
    for (size_t i = 0; i < n; i++) {
        const lincheck_event_t *ev = &h->events[inv[i].event];
        if (given) {
            if (!(given->fs & (1u << ev->f))) {
                bad_model(h, inv[i].event, "expected an operation of the %s model (%s), found %s",
                          given->name, model_fs(given, fs, sizeof(fs)), lincheck_f_name(ev->f));
                return -1;
            }
            continue;
        }
        const lincheck_model_t *m = NULL;
        for (size_t k = 0; k < NMODELS && !m; k++)
            if (models[k]->fs & (1u << ev->f))
                m = models[k];
        if (first == LINCHECK_NONE) {
            first = inv[i].event;
            *out = m;
        } else if (m != *out) {
            const lincheck_event_t *f0 = &h->events[first];
            bad_model(h, inv[i].event,
                      "%s: expected %s operations (%s) as at %s:%" PRIu64
                      ", found %s (a key is one register or one mutex)",
                      lincheck_key_name(name, sizeof(name), h, ev->object, ev->key), (*out)->name,
                      model_fs(*out, fs, sizeof(fs)), h->files[f0->file], f0->line,
                      lincheck_f_name(ev->f));
            return -1;
        }
    }
    return 0;
}

int lincheck_keys_split(lincheck_keys_t *keys, const lincheck_history_t *h,
                        const lincheck_model_t *model)
{
    invoke_t *inv = malloc((h->ninvokes ? h->ninvokes : 1) * sizeof(*inv));
    size_t ninv = 0, nkeys = 0, at = 0;
    int status = -1;

    *keys = (lincheck_keys_t){0};
    keys->all = malloc((h->nops ? h->nops : 1) * sizeof(*keys->all));
    if (!inv || !keys->all)
        goto nomem;
    for (size_t i = 0; i < h->nevents; i++)
        if (h->events[i].type == LINCHECK_INVOKE)
            inv[ninv++] = (invoke_t){h->events[i].object, h->events[i].key, i};
    qsort(inv, ninv, sizeof(*inv), invoke_cmp);
    for (size_t i = 0; i < ninv; i++)
        nkeys += i == 0 || !same_key(&inv[i], &inv[i - 1]);
    keys->v = calloc(nkeys ? nkeys : 1, sizeof(*keys->v));
    if (!keys->v)
        goto nomem;
    for (size_t i = 0; i < h->nops; i++)
        keys->all[i] = &h->ops[i];
    qsort(keys->all, h->nops, sizeof(*keys->all), op_cmp);

    for (size_t i = 0, end; i < ninv; i = end) {
        lincheck_key_t *k = &keys->v[keys->n++];
        k->object = inv[i].object;
        k->key = inv[i].key;
        for (end = i + 1; end < ninv && same_key(&inv[end], &inv[i]); end++)
            ;
        if (key_model(h, inv + i, end - i, model, &k->model))
            goto out;
        k->ops = keys->all + at;
        while (at < h->nops && keys->all[at]->object == k->object && keys->all[at]->key == k->key)
            at++;
        k->nops = (size_t)(keys->all + at - k->ops);
    }
    status = 0;
    goto out;
nomem:
    lincheck_error(NULL, 0, "out of memory");
out:
    free(inv);
    if (status)
        lincheck_keys_free(keys);
    return status;
}

void lincheck_keys_free(lincheck_keys_t *keys)
{
    free(keys->v);
    free(keys->all);
    *keys = (lincheck_keys_t){0};
}
