/*
 * fifo.h - a growable ring of fixed-size items, oldest first: the queues of
 * work the layers keep in order (the quorums' deferred calls, the node
 * segment's posted steps).  Not thread-safe: its owner's lock, if any,
 * covers it.
 */
#ifndef ORDO_RUNTIME_FIFO_H
#define ORDO_RUNTIME_FIFO_H

#include <stddef.h>

typedef struct ordo__fifo {
    unsigned char *item;
    size_t size; /* bytes per item */
    size_t head, count, cap;
} ordo__fifo_t;

/* An empty queue of items of size bytes (no memory until the first push). */
void ordo__fifo_init(ordo__fifo_t *f, size_t size);
/* Free the queue's memory; it is empty and keeps its item size. */
void ordo__fifo_free(ordo__fifo_t *f);
/* Copy item in at the back: ORDO_OK, or ORDO_ERR_NOMEM (the queue unchanged). */
int ordo__fifo_push(ordo__fifo_t *f, const void *item);
/* The i-th item from the front (i < count). */
static inline void *ordo__fifo_at(const ordo__fifo_t *f, size_t i)
{
    return f->item + ((f->head + i) % f->cap) * f->size;
}
/* Copy the front item out (if out) and remove it; the queue is not empty. */
void ordo__fifo_pop(ordo__fifo_t *f, void *out);
/* Remove every item for which drop(item, arg) is true, keeping the others'
 * order; the number removed. */
size_t ordo__fifo_remove(ordo__fifo_t *f, int (*drop)(const void *item, void *arg), void *arg);

#endif
