/*
 * rpc_setup.c - the message layer's state (ordo__rpc), its start and end,
 * what the hot paths look up after a change of path or threshold, the
 * wait for this rank's sends at the end, and handler registration (the
 * application's ids, and ordo's own by name and class).
 */
#include "ordo_config.h"

#include "runtime/rpc_int.h"

#include <stdlib.h>

ordo__rpc_t ordo__rpc;

/* The first word of this rank's messages of kind in the short form (msg.h),
 * or 0 if it cannot use it. */
static uint32_t short_first(unsigned kind)
{
    if (!ordo__lclock_lamport_only || (unsigned)ordo__rt.rank > ORDO__MSG_SHORT_SRC_MAX)
        return 0;
    return (uint32_t)ordo__rt.rank | ORDO__MSG_SHORT_TAG(kind) << 24;
}

/* After a change of path or threshold: what the hot paths look up. */
static void paths_update(void)
{
    if (ordo__rpc.proto == ORDO_PROTO_EAGER || !(ordo__rt.tl_ops->caps & ORDO__TL_CAP_RNDV))
        ordo__rpc.eager_max = SIZE_MAX; /* (a transport with no RDMA get: eager always) */
    else if (ordo__rpc.proto == ORDO_PROTO_RNDV)
        ordo__rpc.eager_max = 0;
    else
        ordo__rpc.eager_max = ordo__rpc.threshold < ordo__rpc.threshold_mapped
                                  ? ordo__rpc.threshold
                                  : ordo__rpc.threshold_mapped;
    ordo__rpc.short_req = short_first(ORDO__MSG_REQ);
    ordo__rpc.short_reply = short_first(ORDO__MSG_REPLY);
    ordo__rpc.short_send = short_first(ORDO__MSG_SEND);
}

int ordo__rpc_init(void)
{
    memset(&ordo__rpc, 0, sizeof(ordo__rpc));
    memset(ordo__rpc.hflags, ORDO__RPC_F_FAULTS, ORDO_RPC_MAX_ID);
    ordo__rpc.next_internal = ORDO_RPC_MAX_ID;
    uint64_t w = ordo__rt.cfg.dedup_window;
    ordo__rpc.dedup_mask = (w & (w - 1)) == 0 ? w - 1 : 0;
    unsigned caps = ordo__rt.tl_ops->caps;
    ordo__rpc.short_replies =
        !ordo__rt.cfg.fault.enabled && (caps & ORDO__TL_CAP_SEND_SHORT) &&
        sizeof(ordo__msg_hdr_t) + ordo__lclock_ext_max() + ORDO__RPC_PREFIX_MAX <= RPC_HDR_INLINE;
    ordo__rpc.short_calls = ordo__rpc.short_replies && !ordo__rt.cfg.retry_ms;
    ordo__rpc.proto = ORDO_PROTO_AUTO;
    ordo__rpc.threshold = ordo__rpc.threshold_mapped = (size_t)-1;
    paths_update();
    ordo__rpc.dedup = calloc((size_t)ordo__rt.size, sizeof(*ordo__rpc.dedup));
    ordo__rpc.call_seq = calloc((size_t)ordo__rt.size, sizeof(*ordo__rpc.call_seq));
    if (!ordo__rpc.dedup || !ordo__rpc.call_seq)
        return ORDO_ERR_NOMEM;
    /* Faults start at the end of ordo_init (ordo__rt_init). */
    ordo__fault_fini();
    return ordo__op_pool_grow();
}

void ordo__rpc_fini(void)
{
    /* Ops the transport never gave back are released with the chunks. */
    for (uint32_t i = 0; i < ordo__rpc.nslots; i += RPC_POOL_CHUNK) {
        for (uint32_t j = i; j < i + RPC_POOL_CHUNK; j++) {
            rpc_op_t *op = ordo__rpc.slots[j];
            if (op->state != OP_FREE) {
                op->offer.mem = NULL; /* the transport is gone, and its registrations */
                ordo__op_put(op);
            }
            free(op->hdr_heap);
        }
        free(ordo__rpc.slots[i]);
    }
    free(ordo__rpc.slots);
    ordo__dedup_fini();
    ordo__buf_release();
    free(ordo__rpc.call_seq);
    memset(&ordo__rpc, 0, sizeof(ordo__rpc));
    ordo__fault_fini();
}

void ordo__rpc_set_threshold(size_t threshold, size_t threshold_mapped)
{
    ordo__rpc.threshold = threshold;
    ordo__rpc.threshold_mapped = threshold_mapped;
    paths_update();
}

int ordo__rpc_proto(void)
{
    return ordo__rpc.proto;
}

void ordo__rpc_set_proto_internal(int proto)
{
    ordo__rpc.proto = proto;
    paths_update();
}

static int quiet(void *arg)
{
    (void)arg;
    return ordo__rpc.in_flight == 0;
}

int ordo__rpc_quiesce(uint64_t deadline_ns)
{
    return ordo__wait_until(quiet, NULL, deadline_ns);
}

static int ctrl_out(void *arg)
{
    (void)arg;
    return ordo__rpc.ctrl_held == 0;
}

void ordo__rpc_flush_ctrl(uint64_t max_ns)
{
    if (ordo__rpc.ctrl_held)
        (void)ordo__wait_until(ctrl_out, NULL, ordo__now_ns() + max_ns);
}

/* ---- handlers ------------------------------------------------------------ */

int ordo__rpc_register_id(unsigned id, ordo_rpc_cb_t cb, void *arg)
{
    if (!cb)
        return ORDO_ERR_INVALID;
    if (ordo__rpc.handlers[id].cb)
        return ORDO_ERR_EXISTS;
    ordo__rpc.handlers[id].cb = cb;
    ordo__rpc.handlers[id].arg = arg;
    return ORDO_OK;
}

int ordo__rpc_handler_add(const char *name, ordo_rpc_cb_t cb, void *arg, unsigned flags,
                          unsigned *id)
{
    if (!cb || !id || !name)
        return ORDO_ERR_INVALID;
    if (ordo__rpc.next_internal >= RPC_NUM_IDS) {
        ordo_log_error("handler %s: all %d of ordo's handler ids are taken", name,
                       ORDO__RPC_INTERNAL_IDS);
        return ORDO_ERR_NOMEM;
    }
    unsigned n = ordo__rpc.next_internal++;
    ordo__rpc.handlers[n] = (rpc_handler_t){.cb = cb, .arg = arg, .name = name};
    ordo__rpc.hflags[n] = (uint8_t)flags;
    *id = n;
    return ORDO_OK;
}

int ordo__rpc_handler_id(const char *name, unsigned *id)
{
    for (unsigned i = ORDO_RPC_MAX_ID; i < ordo__rpc.next_internal; i++)
        if (!strcmp(ordo__rpc.handlers[i].name, name)) {
            *id = i;
            return ORDO_OK;
        }
    return ORDO_ERR_NO_HANDLER;
}

int ordo__rpc_set_lander(unsigned id, ordo__rpc_lander_t land)
{
    if (id >= RPC_NUM_IDS)
        return ORDO_ERR_INVALID;
    ordo__rpc.handlers[id].land = land;
    return ORDO_OK;
}
