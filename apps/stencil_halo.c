/*
 * stencil_halo.c - ordo_stencil's halo rows through a shared object (TSO or
 * SC), pushed into slots homed at the rank that reads them.
 *
 * Each rank needs, homed at itself, 4 slots (from its upper and its lower
 * neighbour, for even and odd iterations) of `pieces` blocks each, and one
 * block for the two flag words (word 0: from the upper neighbour, word 1:
 * from the lower one).  ordo_obj_home says where each block of a new object
 * lives; every rank computes the same placement for every rank, so when one
 * rank falls short all free the object and allocate one twice as large.
 *
 * The block size is read from ORDO_OBJ_BLOCK as the runtime reads it (the
 * public API does not tell it).  Were it read wrong, the exchange would
 * still be correct (a write or read over several homes is split by the
 * runtime), only slower.
 */
#include "stencil.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

enum { FROM_UP, FROM_DOWN };             /* which neighbour wrote a slot */
enum { UPPER = 0, SELF = 1, LOWER = 2 }; /* h->slot[] */

static size_t obj_block(void)
{
    const char *s = getenv("ORDO_OBJ_BLOCK");
    char *end;
    if (!s || *s < '0' || *s > '9')
        return 65536; /* the runtime's default */
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = *end == 'k' || *end == 'K'   ? 10
                     : *end == 'm' || *end == 'M' ? 20
                     : *end == 'g' || *end == 'G' ? 30
                                                  : 0;
    end += shift != 0;
    return *end || v == 0 || v > (1ull << 30) >> shift ? 65536 : (size_t)(v << shift);
}

/* Index in a rank's list of blocks of piece k of the slot (from, parity);
 * the flag block comes after the slots. */
static size_t slot_idx(const halo_t *h, int from, int parity, size_t k)
{
    return ((size_t)from * 2 + (size_t)parity) * h->pieces + k;
}

static size_t flag_idx(const halo_t *h)
{
    return 4 * h->pieces;
}

/* Pick the blocks of this rank and its neighbours; 1 if every rank is home
 * of enough of them, 0 if not, or a negative status. */
static int place(halo_t *h)
{
    size_t need = flag_idx(h) + 1, *count = calloc((size_t)st_size, sizeof(*count));
    if (!count)
        return ORDO_ERR_NOMEM;
    int status = ORDO_OK;
    for (size_t b = 0; b < h->nblocks && status == ORDO_OK; b++) {
        int home;
        status = ordo_obj_home(h->obj, b * h->block, &home);
        if (status != ORDO_OK || count[home] == need)
            continue;
        int who = home - st_rank + 1;
        if (who >= UPPER && who <= LOWER)
            h->slot[who][count[home]] = b * h->block;
        count[home]++;
    }
    int enough = 1;
    for (int r = 0; r < st_size; r++)
        enough &= count[r] == need;
    free(count);
    return status == ORDO_OK ? enough : status;
}

int halo_make(halo_t *h, ordo_model_t model, size_t n, int barrier)
{
    memset(h, 0, sizeof(*h));
    h->barrier = barrier;
    h->row_bytes = n * sizeof(double);
    h->block = obj_block();
    h->pieces = (h->row_bytes + h->block - 1) / h->block;
    size_t need = flag_idx(h) + 1;
    for (int i = 0; i < 3; i++)
        if (!(h->slot[i] = calloc(need, sizeof(size_t))))
            return ORDO_ERR_NOMEM;
    h->nblocks = need * (size_t)st_size * 2 + 8;
    for (;;) {
        int s = ordo_obj_alloc(h->nblocks * h->block, model, &h->obj);
        if (s == ORDO_OK)
            s = place(h);
        if (s != 0) /* placed (1), or failed */
            return s < 0 ? s : ORDO_OK;
        if ((s = ordo_obj_free(h->obj)) != ORDO_OK)
            return s;
        h->obj = NULL;
        h->nblocks *= 2;
    }
}

int halo_free(halo_t *h)
{
    int s = h->obj ? ordo_obj_free(h->obj) : ORDO_OK;
    for (int i = 0; i < 3; i++)
        free(h->slot[i]);
    memset(h, 0, sizeof(*h));
    return s;
}

/* Bytes of piece k of a row. */
static size_t piece_len(const halo_t *h, size_t k)
{
    size_t left = h->row_bytes - k * h->block;
    return left < h->block ? left : h->block;
}

/* Row to the neighbour `who` (UPPER or LOWER), which reads it as coming
 * `from`; then the flag, which its program order keeps behind the row. */
static int put(halo_t *h, int who, int from, int parity, const double *row, int64_t mark)
{
    int s = ORDO_OK;
    for (size_t k = 0; k < h->pieces && s == ORDO_OK; k++)
        s = ordo_write(h->obj, h->slot[who][slot_idx(h, from, parity, k)],
                       (const char *)row + k * h->block, piece_len(h, k));
    if (s == ORDO_OK && !h->barrier)
        s = ordo_write(h->obj, h->slot[who][flag_idx(h)] + 8 * (size_t)from, &mark, 8);
    return s;
}

/* Spin on a flag word homed here (a local read that runs the handlers)
 * until it says mark; yield the core now and then: ranks may outnumber
 * cores. */
static int wait_flag(halo_t *h, size_t off, int64_t mark)
{
    for (unsigned spins = 0;; spins++) {
        int64_t v;
        int s = ordo_read(h->obj, off, &v, sizeof(v));
        if (s != ORDO_OK || v >= mark)
            return s;
        if (spins >= 16)
            sched_yield();
    }
}

/* The row from the neighbour on side `from` into the ghost row. */
static int get(halo_t *h, int from, int parity, double *ghost, int64_t mark)
{
    int s =
        h->barrier ? ORDO_OK : wait_flag(h, h->slot[SELF][flag_idx(h)] + 8 * (size_t)from, mark);
    for (size_t k = 0; k < h->pieces && s == ORDO_OK; k++)
        s = ordo_read(h->obj, h->slot[SELF][slot_idx(h, from, parity, k)],
                      (char *)ghost + k * h->block, piece_len(h, k));
    return s;
}

int halo_post(halo_t *h, grid_t *g)
{
    int parity = (int)(h->step & 1), s = ORDO_OK;
    int64_t mark = (int64_t)++h->step;
    size_t n = g->n;
    if (st_rank > 0)
        s = put(h, UPPER, FROM_DOWN, parity, g->cur + n, mark);
    if (st_rank < st_size - 1 && s == ORDO_OK)
        s = put(h, LOWER, FROM_UP, parity, g->cur + g->rows * n, mark);
    return s;
}

int halo_complete(halo_t *h, grid_t *g)
{
    int parity = (int)((h->step - 1) & 1), s = ORDO_OK;
    int64_t mark = (int64_t)h->step;
    size_t n = g->n;
    if (h->barrier)
        s = ordo_fence();
    if (h->barrier && s == ORDO_OK)
        s = ordo_barrier();
    if (st_rank > 0 && s == ORDO_OK)
        s = get(h, FROM_UP, parity, g->cur, mark);
    if (st_rank < st_size - 1 && s == ORDO_OK)
        s = get(h, FROM_DOWN, parity, g->cur + (g->rows + 1) * n, mark);
    return s;
}

int halo_exchange(halo_t *h, grid_t *g)
{
    int s = halo_post(h, g);
    return s == ORDO_OK ? halo_complete(h, g) : s;
}
