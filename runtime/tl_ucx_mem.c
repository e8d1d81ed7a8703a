/*
 * tl_ucx_mem.c - the UCX backend's memory: registrations (through a cache
 * that forgets ranges the process unmaps), memory UCX allocates for
 * ordo_mem_alloc, peers' remote keys (and their memory mapped here), and
 * the RMA get of the rendezvous.
 */
#include "ordo_config.h"

#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/tl_ucx.h"

#include <stdlib.h>
#include <string.h>
#include <ucm/api/ucm.h>

/* Filled by the memory-event hook (any thread, no allocation allowed). */
static struct {
    unsigned long count;
    struct {
        uintptr_t start, end;
    } ring[UNMAP_RING];
} unmaps;

static void unmap_event(ucm_event_type_t type, ucm_event_t *event, void *arg)
{
    (void)arg;
    if (type != UCM_EVENT_VM_UNMAPPED)
        return;
    unsigned long i = __atomic_fetch_add(&unmaps.count, 1, __ATOMIC_ACQ_REL);
    uintptr_t start = (uintptr_t)event->vm_unmapped.address;
    unmaps.ring[i % UNMAP_RING].start = start;
    unmaps.ring[i % UNMAP_RING].end = start + event->vm_unmapped.size;
}

void ordo__ucx_mem_open(ordo__tl_t *tl)
{
    /* Without unmap events a cached registration could outlive its memory:
     * then every rendezvous registers afresh. */
    tl->rcache_hooked =
        ucm_set_event_handler(UCM_EVENT_VM_UNMAPPED, 1000, unmap_event, tl) == UCS_OK;
    if (!tl->rcache_hooked)
        ordo_log_info("no memory events from UCM: registration cache off");
}

/* ---- registration cache ------------------------------------------------ */

static void mem_dereg(ordo__tl_t *tl, struct ordo__tl_mem *m)
{
    free(m->rkey);
    ucp_mem_unmap(tl->context, m->memh);
    memset(m, 0, sizeof(*m));
}

/* Give m its id and its remote key: the id, then UCX's packed key. */
static ucs_status_t mem_pack(ordo__tl_t *tl, struct ordo__tl_mem *m)
{
    void *packed;
    size_t len;
    ucs_status_t s = ucp_rkey_pack(tl->context, m->memh, &packed, &len);
    if (s != UCS_OK) {
        ordo_log_error("ucp_rkey_pack: %s", ucs_status_string(s));
        return s;
    }
    m->rkey = malloc(sizeof(uint32_t) + len);
    if (!m->rkey) {
        ucp_rkey_buffer_release(packed);
        return UCS_ERR_NO_MEMORY;
    }
    if (++tl->next_mem_id == 0) /* 0 means "do not cache" to the peer */
        ++tl->next_mem_id;
    m->id = tl->next_mem_id;
    memcpy(m->rkey, &m->id, sizeof(m->id));
    memcpy((char *)m->rkey + sizeof(m->id), packed, len);
    m->rkey_len = sizeof(uint32_t) + len;
    ucp_rkey_buffer_release(packed);
    return UCS_OK;
}

/* The ordo_mem_alloc region holding [start, end), if any. */
static struct ordo__tl_mem *alloc_find(ordo__tl_t *tl, uintptr_t start, uintptr_t end)
{
    for (struct ordo__tl_mem *m = tl->allocs; m; m = m->next_alloc)
        if (!m->freed && m->start <= start && end <= m->end)
            return m;
    return NULL;
}

/* Forget cached ranges the process unmapped since the last look. */
static void rcache_sync(ordo__tl_t *tl)
{
    unsigned long count = __atomic_load_n(&unmaps.count, __ATOMIC_ACQUIRE);
    if (count == tl->unmaps_seen)
        return;
    int all = count - tl->unmaps_seen > UNMAP_RING / 2; /* the ring may have wrapped */
    for (int e = 0; e < RCACHE_ENTRIES; e++) {
        struct ordo__tl_mem *m = &tl->rcache[e];
        if (!m->used)
            continue;
        for (unsigned long i = tl->unmaps_seen; !all && !m->stale && i < count; i++)
            if (unmaps.ring[i % UNMAP_RING].start < m->end &&
                unmaps.ring[i % UNMAP_RING].end > m->start)
                m->stale = 1;
        if (all)
            m->stale = 1;
        if (m->stale && m->refs == 0)
            mem_dereg(tl, m);
    }
    tl->unmaps_seen = count;
}

static struct ordo__tl_mem *rcache_slot(ordo__tl_t *tl)
{
    struct ordo__tl_mem *victim = NULL;
    for (int e = 0; e < RCACHE_ENTRIES; e++) {
        struct ordo__tl_mem *m = &tl->rcache[e];
        if (!m->used)
            return m;
        if (m->refs == 0 && (!victim || m->last_use < victim->last_use))
            victim = m;
    }
    if (victim)
        mem_dereg(tl, victim);
    return victim;
}

int ordo__ucx_mem_reg(ordo__tl_t *tl, void *addr, size_t len, ordo__tl_mem_t **out,
                      const void **rkey, size_t *rkey_len)
{
    uintptr_t start = (uintptr_t)addr, end = start + len;
    ucp_mem_map_params_t mp = {0};
    ucs_status_t s;

    struct ordo__tl_mem *a = alloc_find(tl, start, end);
    if (a) {
        a->refs++;
        *out = a;
        *rkey = a->rkey;
        *rkey_len = a->rkey_len;
        return ORDO_OK;
    }
    if (tl->rcache_hooked) {
        rcache_sync(tl);
        for (int e = 0; e < RCACHE_ENTRIES; e++) {
            struct ordo__tl_mem *m = &tl->rcache[e];
            if (m->used && !m->stale && m->start <= start && end <= m->end) {
                m->refs++;
                m->last_use = ++tl->rcache_clock;
                *out = m;
                *rkey = m->rkey;
                *rkey_len = m->rkey_len;
                return ORDO_OK;
            }
        }
    }
    struct ordo__tl_mem *m = tl->rcache_hooked ? rcache_slot(tl) : NULL;
    if (!m) {
        m = calloc(1, sizeof(*m));
        if (!m)
            return ORDO_ERR_NOMEM;
        m->stale = 1; /* not in the cache: released at once */
    }
    mp.field_mask = UCP_MEM_MAP_PARAM_FIELD_ADDRESS | UCP_MEM_MAP_PARAM_FIELD_LENGTH;
    mp.address = addr;
    mp.length = len ? len : 1;
    s = ucp_mem_map(tl->context, &mp, &m->memh);
    if (s != UCS_OK) {
        ordo_log_error("ucp_mem_map of %zu bytes: %s", len, ucs_status_string(s));
        goto err;
    }
    s = mem_pack(tl, m);
    if (s != UCS_OK) {
        ucp_mem_unmap(tl->context, m->memh);
        goto err;
    }
    m->start = start;
    m->end = end;
    m->refs = 1;
    m->used = 1;
    m->last_use = ++tl->rcache_clock;
    *out = m;
    *rkey = m->rkey;
    *rkey_len = m->rkey_len;
    return ORDO_OK;

err:
    if (m->stale)
        free(m);
    else
        memset(m, 0, sizeof(*m));
    return ordo__ucx_status(s);
}

static void alloc_unmap(ordo__tl_t *tl, struct ordo__tl_mem *m)
{
    for (struct ordo__tl_mem **pp = &tl->allocs; *pp; pp = &(*pp)->next_alloc)
        if (*pp == m) {
            *pp = m->next_alloc;
            break;
        }
    mem_dereg(tl, m);
    free(m);
}

void ordo__ucx_mem_release(ordo__tl_t *tl, ordo__tl_mem_t *m)
{
    if (--m->refs > 0)
        return;
    if (m->allocated) {
        if (m->freed)
            alloc_unmap(tl, m);
        return;
    }
    int cached = m >= tl->rcache && m < tl->rcache + RCACHE_ENTRIES;
    if (!cached) {
        mem_dereg(tl, m);
        free(m);
    } else if (m->stale) {
        mem_dereg(tl, m);
    }
}

int ordo__ucx_mem_alloc(ordo__tl_t *tl, size_t len, void **addr)
{
    ucp_mem_map_params_t mp = {0};
    ucp_mem_attr_t attr = {0};
    ucs_status_t s;

    struct ordo__tl_mem *m = calloc(1, sizeof(*m));
    if (!m)
        return ORDO_ERR_NOMEM;
    mp.field_mask = UCP_MEM_MAP_PARAM_FIELD_ADDRESS | UCP_MEM_MAP_PARAM_FIELD_LENGTH |
                    UCP_MEM_MAP_PARAM_FIELD_FLAGS;
    mp.address = NULL;
    mp.length = len ? len : 1;
    mp.flags = UCP_MEM_MAP_ALLOCATE;
    s = ucp_mem_map(tl->context, &mp, &m->memh);
    if (s != UCS_OK) {
        ordo_log_error("ucp_mem_map allocating %zu bytes: %s", len, ucs_status_string(s));
        free(m);
        return ordo__ucx_status(s);
    }
    attr.field_mask = UCP_MEM_ATTR_FIELD_ADDRESS | UCP_MEM_ATTR_FIELD_LENGTH;
    s = ucp_mem_query(m->memh, &attr);
    if (s == UCS_OK)
        s = mem_pack(tl, m);
    if (s != UCS_OK) {
        ucp_mem_unmap(tl->context, m->memh);
        free(m);
        return ordo__ucx_status(s);
    }
    m->start = (uintptr_t)attr.address;
    m->end = m->start + attr.length;
    m->used = 1;
    m->allocated = 1;
    m->next_alloc = tl->allocs;
    tl->allocs = m;
    *addr = attr.address;
    return ORDO_OK;
}

int ordo__ucx_mem_free(ordo__tl_t *tl, void *addr)
{
    for (struct ordo__tl_mem *m = tl->allocs; m; m = m->next_alloc) {
        if (m->freed || m->start != (uintptr_t)addr)
            continue;
        m->freed = 1;
        if (m->refs == 0)
            alloc_unmap(tl, m); /* else when the last send lets it go */
        return ORDO_OK;
    }
    return ORDO_ERR_INVALID;
}

int ordo__ucx_mem_is_alloc(ordo__tl_t *tl, const void *addr, size_t len)
{
    return tl->allocs && alloc_find(tl, (uintptr_t)addr, (uintptr_t)addr + len) != NULL;
}

/* ---- remote keys ------------------------------------------------------- */

/* The unpacked key for a peer's registration: from the cache, or unpacked
 * now and cached (a key of id 0, or a full cache of busy keys: unpacked for
 * this get alone, *entry NULL). */
static ucs_status_t rkey_get(ordo__tl_t *tl, int peer, ucp_ep_h ep, const void *buf, size_t len,
                             rkey_entry_t **entry, ucp_rkey_h *rkey)
{
    rkey_entry_t *set = &tl->rkeys[(size_t)peer * RKEY_ENTRIES], *victim = NULL;
    uint32_t id;
    ucs_status_t s;

    *entry = NULL;
    if (len <= sizeof(id))
        return UCS_ERR_INVALID_PARAM;
    memcpy(&id, buf, sizeof(id));
    for (int e = 0; id && e < RKEY_ENTRIES; e++) {
        if (set[e].id == id) {
            set[e].refs++;
            set[e].last_use = ++tl->rkey_clock;
            *entry = &set[e];
            *rkey = set[e].rkey;
            return UCS_OK;
        }
        if (set[e].refs == 0 && (!victim || set[e].last_use < victim->last_use))
            victim = &set[e];
    }
    s = ucp_ep_rkey_unpack(ep, (const char *)buf + sizeof(id), rkey);
    if (s != UCS_OK || !id || !victim)
        return s;
    if (victim->id)
        ucp_rkey_destroy(victim->rkey);
    victim->id = id;
    victim->rkey = *rkey;
    victim->refs = 1;
    victim->last_use = ++tl->rkey_clock;
    *entry = victim;
    return UCS_OK;
}

static void rkey_put(rkey_entry_t *entry, ucp_rkey_h rkey)
{
    if (entry)
        entry->refs--;
    else
        ucp_rkey_destroy(rkey);
}

/* Forget a peer's keys (it failed, or we close). */
void ordo__ucx_rkeys_drop(ordo__tl_t *tl, int peer)
{
    rkey_entry_t *set = &tl->rkeys[(size_t)peer * RKEY_ENTRIES];
    for (int e = 0; e < RKEY_ENTRIES; e++)
        if (set[e].id && set[e].refs == 0) {
            ucp_rkey_destroy(set[e].rkey);
            set[e].id = 0;
        }
}

/* ---- mapped memory of peers ------------------------------------------- */

/* Only a key the cache keeps is worth mapping (the pointer lives as long). */
int ordo__ucx_map(ordo__tl_t *tl, int peer, const void *rkey_buf, size_t rkey_len,
                  uint64_t remote_addr, void **ptr, void **hold)
{
    rkey_entry_t *entry;
    ucp_rkey_h rkey;
    ucp_ep_h ep;
    int status = ordo__ucx_peer_ep(tl, peer, &ep);
    if (status != ORDO_OK)
        return status;
    ucs_status_t s = rkey_get(tl, peer, ep, rkey_buf, rkey_len, &entry, &rkey);
    if (s != UCS_OK) {
        ordo_log_warn("bad remote key from rank %d: %s", peer, ucs_status_string(s));
        return ORDO_ERR_MSG;
    }
    if (entry && ucp_rkey_ptr(rkey, remote_addr, ptr) == UCS_OK) {
        *hold = entry;
        return ORDO_OK;
    }
    rkey_put(entry, rkey);
    return ORDO_ERR_UNSUPPORTED;
}

void ordo__ucx_map_release(ordo__tl_t *tl, void *hold)
{
    (void)tl;
    rkey_put(hold, NULL);
}

/* ---- RMA get ------------------------------------------------------------ */

typedef struct get_ctx {
    ordo__tl_send_req_t *user;
    ucp_rkey_h rkey;
    rkey_entry_t *entry;
} get_ctx_t;

static void get_cb(void *request, ucs_status_t status, void *user_data)
{
    get_ctx_t *ctx = user_data;
    ordo__tl_send_req_t *user = ctx->user;
    ucp_request_free(request);
    rkey_put(ctx->entry, ctx->rkey);
    free(ctx);
    user->complete(user, ordo__ucx_status(status));
}

int ordo__ucx_get(ordo__tl_t *tl, int peer, void *dst, size_t len, uint64_t remote_addr,
                  const void *rkey_buf, size_t rkey_len, ordo__tl_send_req_t *req)
{
    ucp_request_param_t rp;
    ucp_ep_h ep;
    ucs_status_t s;
    int status = ordo__ucx_peer_ep(tl, peer, &ep);
    if (status != ORDO_OK)
        return status;
    get_ctx_t *ctx = malloc(sizeof(*ctx));
    if (!ctx)
        return ORDO_ERR_NOMEM;
    ctx->user = req;
    s = rkey_get(tl, peer, ep, rkey_buf, rkey_len, &ctx->entry, &ctx->rkey);
    if (s != UCS_OK) {
        ordo_log_warn("bad remote key from rank %d: %s", peer, ucs_status_string(s));
        free(ctx);
        return ORDO_ERR_MSG;
    }
    rp.op_attr_mask =
        UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA | UCP_OP_ATTR_FIELD_DATATYPE;
    rp.cb.send = get_cb;
    rp.user_data = ctx;
    rp.datatype = ucp_dt_make_contig(1);
    ucs_status_ptr_t sp = ucp_get_nbx(ep, dst, len, remote_addr, ctx->rkey, &rp);
    if (UCS_PTR_IS_PTR(sp))
        return ORDO__INPROGRESS;
    rkey_put(ctx->entry, ctx->rkey);
    free(ctx);
    if (sp == NULL)
        return ORDO_OK;
    s = UCS_PTR_STATUS(sp);
    ordo_log_debug("ucp_get_nbx from rank %d: %s", peer, ucs_status_string(s));
    return tl->peers[peer].failed ? ORDO_ERR_PEER_FAILED : ordo__ucx_status(s);
}

void ordo__ucx_mem_close(ordo__tl_t *tl)
{
    if (tl->rcache_hooked)
        ucm_unset_event_handler(UCM_EVENT_VM_UNMAPPED, unmap_event, tl);
    for (int e = 0; e < RCACHE_ENTRIES; e++)
        if (tl->rcache[e].used)
            mem_dereg(tl, &tl->rcache[e]);
    while (tl->allocs)
        alloc_unmap(tl, tl->allocs);
}
