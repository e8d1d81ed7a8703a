/*
 * obj.c - distributed shared objects: the API, the table of live objects,
 * placement of blocks on homes, argument checks, the module; every call
 * then goes through the object's model table (sc.c, tso.c, causal.c), and
 * the calls for all models (ordo_fence, progress, quiesce) through every
 * table.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "consistency/home.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ordo__obj_config_t ordo__obj_cfg;

/* The models' tables, in ordo_model_t's order. */
static const ordo__obj_model_ops_t *const models[] = {
    [ORDO_MODEL_SC] = &ordo__sc_ops,
    [ORDO_MODEL_TSO] = &ordo__tso_ops,
    [ORDO_MODEL_CAUSAL] = &ordo__causal_ops,
};
#define NMODELS (sizeof(models) / sizeof(models[0]))

static struct {
    struct ordo_obj *live;
    uint32_t last_id;
    ordo__ring_t ring; /* over the ranks whose failure was not acknowledged */
    int ring_nacked;   /* acknowledged failures when the ring was built */
    /* Per rank: failed, and a fence had to skip it (writes of ours it never
     * got, or buffered writes to its blocks dropped); reported by every
     * fence until the failure is acknowledged. */
    char *skipped;
    char *warned; /* ... and named in a fence's warning already */
    int ready;
} objs;

static void obj_fini(void);

static int obj_init(void)
{
    int status;
    const ordo__obj_config_t *cfg = &ordo__obj_cfg;

    memset(&objs, 0, sizeof(objs));
    objs.skipped = calloc((size_t)ordo__rt.size, 1);
    objs.warned = calloc((size_t)ordo__rt.size, 1);
    status = objs.skipped && objs.warned ? ORDO_OK : ORDO_ERR_NOMEM;
    if (status == ORDO_OK)
        status = ordo__ring_build(&objs.ring, ordo__rt.size, NULL, (unsigned)cfg->obj_vnodes);
    if (status != ORDO_OK) {
        free(objs.skipped);
        free(objs.warned);
        return status;
    }
    objs.ready = 1;
    status = ordo__home_init();
    for (size_t m = 0; m < NMODELS && status == ORDO_OK; m++)
        status = models[m]->init();
    if (status != ORDO_OK)
        obj_fini();
    return status;
}

static void obj_destroy(struct ordo_obj *o)
{
    free(o->arena);
    free(o->local_idx);
    free(o->home);
    free(o->replica);
    free(o->stamp);
    o->magic = 0;
    free(o);
}

static void obj_fini(void)
{
    if (!objs.ready)
        return;
    for (size_t m = 0; m < NMODELS; m++)
        models[m]->fini();
    while (objs.live) {
        struct ordo_obj *o = objs.live;
        objs.live = o->next;
        obj_destroy(o);
    }
    ordo__ring_free(&objs.ring);
    free(objs.skipped);
    free(objs.warned);
    objs.skipped = objs.warned = NULL;
    objs.ready = 0;
}

/* Work deferred from completion callbacks (the store buffer's next write). */
static void obj_progress(void)
{
    int more = 0;
    for (size_t m = 0; m < NMODELS; m++)
        more |= models[m]->progress();
    if (more)
        ordo__module_wake(&ordo__obj_module);
}

void ordo__obj_skip(int rank)
{
    if (objs.skipped && rank >= 0 && rank < ordo__rt.size && rank != ordo__rt.rank)
        objs.skipped[rank] = 1;
}

/* A fence's status once the models' fences have run: the first failure of
 * theirs, else ORDO_ERR_PEER_FAILED while a rank they had to skip is not
 * acknowledged (ordo_failure_ack), named in one warning (once per rank). */
static int fence_status(int status)
{
    char names[160];
    size_t len = 0;
    int unacked = 0, fresh = 0;
    for (int r = 0; r < ordo__rt.size; r++) {
        if (!objs.skipped[r] || ordo__member.acked[r])
            continue;
        unacked++;
        fresh |= !objs.warned[r];
        objs.warned[r] = 1;
        if (len < sizeof(names) - 16)
            len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%d", len ? ", " : "", r);
        else if (len < sizeof(names) - 4)
            len += (size_t)snprintf(names + len, sizeof(names) - len, " ...");
    }
    if (!unacked || status != ORDO_OK)
        return status;
    if (fresh && !ordo__member.out) /* a rank that is out said so already */
        ordo_log_warn("ordo_fence: completed over the live ranks; failed rank%s %s skipped (not "
                      "all of this rank's writes reached them or their blocks): "
                      "ORDO_ERR_PEER_FAILED until ordo_failure_ack",
                      unacked > 1 ? "s" : "", names);
    return ORDO_ERR_PEER_FAILED;
}

/* Every model's fence (ordo_fence, quiesce): the first failure. */
static int fence_all(void)
{
    int status = ORDO_OK;
    for (size_t m = 0; m < NMODELS; m++) {
        int s = models[m]->fence();
        if (status == ORDO_OK)
            status = s;
    }
    return fence_status(status);
}

/* A failed peer: every model drops what it still meant for it. */
static void obj_peer_failed(int peer, int status)
{
    (void)status;
    for (size_t m = 0; m < NMODELS; m++)
        models[m]->peer_failed(peer);
    ordo__module_wake(&ordo__obj_module);
}

struct ordo_obj *ordo__obj_find(uint32_t id)
{
    for (struct ordo_obj *o = objs.live; o; o = o->next)
        if (o->id == id)
            return o;
    return NULL;
}

struct ordo_obj *ordo__obj_find_next(struct ordo_obj *o, ordo_model_t model)
{
    for (o = o ? o->next : objs.live; o; o = o->next)
        if (o->model == model)
            return o;
    return NULL;
}

/* A handle is good if it is one of ours and alive: looked up by address, so
 * a freed handle is refused without reading its memory. */
static int obj_valid(const ordo_obj_t *obj)
{
    for (struct ordo_obj *o = objs.live; o; o = o->next)
        if (o == obj)
            return 1;
    return 0;
}

size_t ordo__obj_run(const struct ordo_obj *o, size_t off, size_t len)
{
    size_t b = off / o->block, end = b + 1;
    while (end < o->nblocks && end * o->block < off + len && o->home[end] == o->home[b])
        end++;
    size_t n = end * o->block - off;
    return n < len ? n : len;
}

int ordo__obj_pieces(struct ordo_obj *o, size_t off, size_t len, ordo__obj_piece_fn_t fn, void *arg)
{
    size_t done = 0;
    while (done < len) {
        size_t at = off + done, b = at / o->block;
        size_t n = ordo__obj_run(o, at, len - done);
        int status = fn(o, b, at, n, done, arg);
        if (status != ORDO_OK)
            return status;
        done += n;
    }
    return ORDO_OK;
}

/* The ring places a new object's blocks on the ranks whose failure was not
 * acknowledged (the view the collective ordo_obj_alloc runs over, the same
 * on every rank that completes it); existing objects keep their homes. */
static int ring_update(void)
{
    if (objs.ring_nacked == ordo__member.nacked)
        return ORDO_OK;
    char *alive = malloc((size_t)ordo__rt.size);
    if (!alive)
        return ORDO_ERR_NOMEM;
    for (int r = 0; r < ordo__rt.size; r++)
        alive[r] = !ordo__member.acked[r];
    ordo__ring_t ring;
    int status = ordo__ring_build(&ring, ordo__rt.size, alive, (unsigned)ordo__obj_cfg.obj_vnodes);
    free(alive);
    if (status != ORDO_OK)
        return status;
    ordo__ring_free(&objs.ring);
    objs.ring = ring;
    objs.ring_nacked = ordo__member.nacked;
    return ORDO_OK;
}

static struct ordo_obj *obj_create(size_t nbytes, ordo_model_t model, uint32_t id)
{
    if (ring_update() != ORDO_OK)
        return NULL;
    struct ordo_obj *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->magic = ORDO__OBJ_MAGIC;
    o->id = id;
    o->model = model;
    o->ops = models[model];
    o->nbytes = nbytes;
    o->block = (size_t)ordo__obj_cfg.obj_block;
    /* nbytes <= obj_max_bytes(): neither this nor the table's size wraps. */
    o->nblocks = nbytes / o->block + (nbytes % o->block != 0);
    o->home = malloc(o->nblocks * sizeof(*o->home));
    if (!o->home)
        goto err;
    for (size_t b = 0; b < o->nblocks; b++)
        o->home[b] = ordo__ring_owner(&objs.ring, ordo__ring_key(id, b));
    if (o->ops->alloc(o) != ORDO_OK)
        goto err;
    return o;
err:
    obj_destroy(o);
    return NULL;
}

/* The largest object the layout holds: whole blocks (and so whole words)
 * within PTRDIFF_MAX, the most one allocation can hold, so that rounding a
 * size up to blocks or words, and off + len inside the object, never wrap. */
static size_t obj_max_bytes(void)
{
    size_t block = (size_t)ordo__obj_cfg.obj_block;
    return (size_t)PTRDIFF_MAX / block * block;
}

ordo_status_t ordo_obj_alloc(size_t nbytes, ordo_model_t model, ordo_obj_t **obj)
{
    ORDO__CHECK_INIT();
    if (!obj || nbytes == 0 || (unsigned)model >= NMODELS)
        return ORDO_ERR_INVALID;
    if (nbytes > obj_max_bytes()) {
        ordo_log_error("ordo_obj_alloc: %zu bytes is more than an object can hold (at most %zu: "
                       "whole blocks of ORDO_OBJ_BLOCK within PTRDIFF_MAX)",
                       nbytes, obj_max_bytes());
        return ORDO_ERR_INVALID;
    }
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    /* Every rank takes the next id, even one that fails below, so that ids
     * stay the same everywhere. */
    uint32_t id = ++objs.last_id;
    struct ordo_obj *o = obj_create(nbytes, model, id);
    if (o) {
        o->next = objs.live;
        objs.live = o;
    }
    /* Nobody uses the object before every rank has it. */
    int status = ordo__coll_barrier();
    if (!o && status == ORDO_OK)
        status = ORDO_ERR_NOMEM;
    if (status != ORDO_OK && o) {
        objs.live = o->next;
        obj_destroy(o);
    }
    if (status == ORDO_OK) {
        *obj = o;
        ordo_log_debug("object %u: %zu bytes, %s, %zu blocks of %zu", id, nbytes, o->ops->name,
                       o->nblocks, o->block);
    }
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_obj_free(ordo_obj_t *obj)
{
    ORDO__CHECK_INIT();
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = obj_valid(obj) ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK) {
        /* Our writes are everywhere they go, then nobody sends any more. */
        int fs = fence_status(obj->ops->fence());
        status = ordo__coll_barrier();
        if (status == ORDO_OK)
            status = fs;
        obj->ops->free(obj);
        for (struct ordo_obj **pp = &objs.live; *pp; pp = &(*pp)->next)
            if (*pp == obj) {
                *pp = obj->next;
                break;
            }
        obj_destroy(obj);
    }
    ORDO__UNLOCK();
    return status;
}

/* The checks every access makes; ORDO_OK if [off, off+len) may be touched. */
static int check_range(const ordo_obj_t *obj, size_t off, const void *buf, size_t len)
{
    if (!obj_valid(obj) || (len && !buf))
        return ORDO_ERR_INVALID;
    if (off > obj->nbytes || len > obj->nbytes - off)
        return ORDO_ERR_INVALID;
    return ORDO_OK;
}

/* The blocks of [off, off+len) live at live homes: ORDO_ERR_PEER_FAILED if
 * one's home failed (its data was there only), or if this rank is out of the
 * job; nothing is sent then.  Free of cost until a peer fails. */
static int check_homes(const ordo_obj_t *obj, size_t off, size_t len)
{
    if (!ordo__rt.npeers_failed)
        return ORDO_OK;
    if (ordo__member.out)
        return ORDO_ERR_PEER_FAILED;
    for (size_t b = off / obj->block; b < obj->nblocks && b * obj->block < off + len; b++)
        if (ordo__rt.peer_failed[obj->home[b]])
            return ORDO_ERR_PEER_FAILED;
    return ORDO_OK;
}

/* ordo_read or ordo_write: the checks, then the model's operation.  buf is
 * the caller's destination when reading (non-const there). */
static int obj_access(ordo_obj_t *obj, size_t off, const void *buf, size_t len, int write)
{
    ORDO__CHECK_INIT();
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = check_range(obj, off, buf, len);
    if (status == ORDO_OK && len)
        status = check_homes(obj, off, len);
    if (status == ORDO_OK && len)
        status = write ? obj->ops->write(obj, off, buf, len)
                       : obj->ops->read(obj, off, (void *)buf, len);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_read(ordo_obj_t *obj, size_t off, void *buf, size_t len)
{
    return obj_access(obj, off, buf, len, 0);
}

ordo_status_t ordo_write(ordo_obj_t *obj, size_t off, const void *buf, size_t len)
{
    return obj_access(obj, off, buf, len, 1);
}

/* Atomics: the checks, then the model's (they run at the word's home). */
static int atomic(ordo_obj_t *obj, int op, size_t off, int64_t a, int64_t b, int64_t *old)
{
    int64_t was = 0;
    ORDO__CHECK_INIT();
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = check_range(obj, off, &was, 8);
    if (status == ORDO_OK && off % 8 != 0)
        status = ORDO_ERR_INVALID; /* words are the unit of atomicity */
    if (status == ORDO_OK)
        status = check_homes(obj, off, 8);
    if (status == ORDO_OK)
        status = obj->ops->atomic(obj, op, off, a, b, &was);
    if (status == ORDO_OK && old)
        *old = was;
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_fetch_add(ordo_obj_t *obj, size_t off, int64_t add, int64_t *old)
{
    return atomic(obj, ORDO__OBJ_FADD, off, add, 0, old);
}

ordo_status_t ordo_cas(ordo_obj_t *obj, size_t off, int64_t expect, int64_t desire, int64_t *old)
{
    return atomic(obj, ORDO__OBJ_CAS, off, expect, desire, old);
}

ordo_status_t ordo_fence(void)
{
    ORDO__CHECK_INIT();
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = fence_all();
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_obj_home(const ordo_obj_t *obj, size_t off, int *rank)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = obj_valid(obj) && rank && off < obj->nbytes ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK)
        *rank = obj->home[off / obj->block];
    ORDO__UNLOCK();
    return status;
}

/* ---- the module --------------------------------------------------------- */

/* Writes still in a store buffer or on their way to replicas go before the job ends. */
static int obj_quiesce(uint64_t deadline_ns)
{
    (void)deadline_ns;
    return fence_all();
}

#define OBJ_FIELD(f) offsetof(ordo__obj_config_t, f)

/* ORDO_OBJ_BLOCK: checked by the configuration loader, so ordo_info and
 * ordo_init refuse the same values with the same message. */
static int block_check(uint64_t v, char *why, size_t len)
{
    if (v % 8 == 0)
        return 0;
    snprintf(why, len, "a block must be a multiple of 8 bytes (the word)");
    return -1;
}

static const ordo__cfg_entry_t obj_cfg_table[] = {
    {"ORDO_OBJ_BLOCK", ORDO__CFG_SIZE, "64K",
     "Bytes per block of a shared object (a multiple of 8); each block has a home rank, chosen "
     "by consistent hashing.",
     OBJ_FIELD(obj_block), NULL, 8, (uint64_t)1 << 30, block_check},
    {"ORDO_OBJ_VNODES", ORDO__CFG_UINT, "64",
     "Points per rank on the consistent-hashing ring that places blocks on homes (more: a more "
     "even spread).",
     OBJ_FIELD(obj_vnodes), NULL, 1, 4096, NULL},
    {"ORDO_TSO_BUFFER", ORDO__CFG_UINT, "256",
     "Writes a rank's TSO store buffer holds before a write waits for it to drain.",
     OBJ_FIELD(tso_buffer), NULL, 1, 1048576, NULL},
    {"ORDO_TSO_BUFFER_BYTES", ORDO__CFG_SIZE, "16M",
     "Bytes a rank's TSO store buffer holds before a write waits for it to drain (a larger "
     "write waits for the buffer to empty, then goes alone).",
     OBJ_FIELD(tso_buffer_bytes), NULL, 1, (uint64_t)1 << 40, NULL},
};

ordo__module_t ordo__obj_module = {
    .name = "objects",
    .cfg = obj_cfg_table,
    .cfg_len = sizeof(obj_cfg_table) / sizeof(obj_cfg_table[0]),
    .cfg_values = &ordo__obj_cfg,
    .cfg_size = sizeof(ordo__obj_cfg),
    .init = obj_init,
    .fini = obj_fini,
    .progress = obj_progress,
    .quiesce = obj_quiesce,
    .peer_failed = obj_peer_failed,
};
