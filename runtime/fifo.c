/*
 * fifo.c - a growable ring of fixed-size items (fifo.h).
 */
#include "ordo_config.h"

#include "runtime/fifo.h"

#include <ordo.h>
#include <stdlib.h>
#include <string.h>

void ordo__fifo_init(ordo__fifo_t *f, size_t size)
{
    memset(f, 0, sizeof(*f));
    f->size = size;
}

void ordo__fifo_free(ordo__fifo_t *f)
{
    free(f->item);
    ordo__fifo_init(f, f->size);
}

int ordo__fifo_push(ordo__fifo_t *f, const void *item)
{
    if (f->count == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        unsigned char *grown = malloc(cap * f->size);
        if (!grown)
            return ORDO_ERR_NOMEM;
        for (size_t i = 0; i < f->count; i++) /* unwrapped, front first */
            memcpy(grown + i * f->size, ordo__fifo_at(f, i), f->size);
        free(f->item);
        f->item = grown;
        f->head = 0;
        f->cap = cap;
    }
    f->count++;
    memcpy(ordo__fifo_at(f, f->count - 1), item, f->size);
    return ORDO_OK;
}

void ordo__fifo_pop(ordo__fifo_t *f, void *out)
{
    if (out)
        memcpy(out, ordo__fifo_at(f, 0), f->size);
    f->head = (f->head + 1) % f->cap;
    f->count--;
}

size_t ordo__fifo_remove(ordo__fifo_t *f, int (*drop)(const void *item, void *arg), void *arg)
{
    size_t kept = 0;
    for (size_t i = 0; i < f->count; i++) {
        void *it = ordo__fifo_at(f, i);
        if (drop(it, arg))
            continue;
        if (kept != i)
            memcpy(ordo__fifo_at(f, kept), it, f->size);
        kept++;
    }
    size_t removed = f->count - kept;
    f->count = kept;
    return removed;
}
