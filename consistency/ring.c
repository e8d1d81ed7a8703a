/*
 * ring.c - consistent hashing with virtual nodes: each rank owns vnodes
 * points on a 64-bit ring, a key belongs to the first point at or after it.
 * Removing a rank hands only its own keys (about 1/N of all) to the next
 * points; every other key stays where it was.
 */
#include "ordo_config.h"

#include "consistency/obj.h"

#include <stdlib.h>

/* splitmix64's finalizer: a good 64-bit mix, cheap. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t ordo__ring_key(uint32_t id, uint64_t b)
{
    return mix64(mix64(id) ^ b);
}

typedef struct point {
    uint64_t at;
    int owner;
} point_t;

static int cmp_point(const void *a, const void *b)
{
    const point_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->owner - y->owner; /* a collision: the same order everywhere */
}

int ordo__ring_build(ordo__ring_t *ring, int n, const char *alive, unsigned vnodes)
{
    size_t count = 0, k = 0;
    ring->point = NULL;
    ring->owner = NULL;
    ring->npoints = 0;
    if (n <= 0 || vnodes == 0)
        return ORDO_ERR_INVALID;
    for (int r = 0; r < n; r++)
        count += !alive || alive[r];
    if (count == 0)
        return ORDO_ERR_UNAVAILABLE;
    count *= vnodes;
    point_t *pts = malloc(count * sizeof(*pts));
    ring->point = malloc(count * sizeof(*ring->point));
    ring->owner = malloc(count * sizeof(*ring->owner));
    if (!pts || !ring->point || !ring->owner) {
        free(pts);
        ordo__ring_free(ring);
        return ORDO_ERR_NOMEM;
    }
    for (int r = 0; r < n; r++) {
        if (alive && !alive[r])
            continue;
        /* A point depends on the rank and its number only, not on who else
         * is alive: that is what keeps the other keys in place. */
        for (unsigned v = 0; v < vnodes; v++)
            pts[k++] = (point_t){mix64(((uint64_t)(unsigned)r << 32) | v), r};
    }
    qsort(pts, count, sizeof(*pts), cmp_point);
    for (size_t i = 0; i < count; i++) {
        ring->point[i] = pts[i].at;
        ring->owner[i] = pts[i].owner;
    }
    ring->npoints = count;
    free(pts);
    return ORDO_OK;
}

void ordo__ring_free(ordo__ring_t *ring)
{
    free(ring->point);
    free(ring->owner);
    ring->point = NULL;
    ring->owner = NULL;
    ring->npoints = 0;
}

int ordo__ring_owner(const ordo__ring_t *ring, uint64_t key)
{
    size_t lo = 0, hi = ring->npoints; /* first point >= key */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ring->point[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return ring->owner[lo == ring->npoints ? 0 : lo];
}
