/*
 * qreg_replica.c - a quorum register's replica side: each key's tag, token
 * mark and value, in a hash table per register set (only the keys this
 * rank has stored; a key never stored reads as tag 0, all zero), and what
 * answers the clients' queries and stores: the handler, or the client
 * itself when it is one of the key's replicas (qreg.h).
 */
#include "ordo_config.h"

#include "consistency/qreg.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

static uint64_t slot_hash(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return key;
}

static ordo__qreg_entry_t *slot_at(const struct ordo_qreg *reg, size_t i)
{
    return (ordo__qreg_entry_t *)(reg->slots + i * reg->stride);
}

/* key's entry, or NULL (create: make it, all zero; NULL if out of memory). */
static ordo__qreg_entry_t *entry(struct ordo_qreg *reg, uint64_t key, int create)
{
    if (create && (reg->nused + 1) * 4 > reg->nslots * 3) {
        size_t n = reg->nslots ? reg->nslots * 2 : 64;
        uint8_t *slots = calloc(n, reg->stride);
        if (!slots)
            return NULL;
        struct ordo_qreg grown = *reg;
        grown.slots = slots;
        grown.nslots = n;
        for (size_t i = 0; i < reg->nslots; i++) {
            ordo__qreg_entry_t *e = slot_at(reg, i);
            if (!e->used)
                continue;
            size_t j = slot_hash(e->key) & (n - 1);
            while (slot_at(&grown, j)->used)
                j = (j + 1) & (n - 1);
            memcpy(slot_at(&grown, j), e, reg->stride);
        }
        free(reg->slots);
        reg->slots = slots;
        reg->nslots = n;
    }
    if (!reg->nslots)
        return NULL;
    for (size_t i = slot_hash(key) & (reg->nslots - 1);; i = (i + 1) & (reg->nslots - 1)) {
        ordo__qreg_entry_t *e = slot_at(reg, i);
        if (e->used && e->key == key)
            return e;
        if (!e->used) {
            if (!create)
                return NULL;
            e->used = 1;
            e->key = key;
            reg->nused++;
            return e;
        }
    }
}

void ordo__qreg_replica_free(struct ordo_qreg *reg)
{
    free(reg->slots);
    reg->slots = NULL;
    reg->nslots = reg->nused = 0;
}

static int query(struct ordo_qreg *reg, const ordo__qreg_msg_t *m, uint8_t *rep, size_t cap,
                 size_t *rep_len)
{
    ordo__qreg_entry_t *e = entry(reg, m->key, 0);
    if (m->fenced && e && m->token < e->token) {
        reg->stats.replica_fenced++;
        return ORDO_ERR_FENCED;
    }
    size_t len = sizeof(ordo__qreg_tag_t) + (m->op == ORDO__QREG_QUERY ? reg->vsize : 0);
    if (len > cap)
        return ORDO_ERR_TRUNCATED;
    reg->stats.replica_queries++;
    ordo__qreg_tag_t zero = {0, 0, 0, 0};
    memcpy(rep, e ? &e->tag : &zero, sizeof(zero));
    if (m->op == ORDO__QREG_QUERY) {
        if (e)
            memcpy(rep + sizeof(zero), e->value, reg->vsize);
        else
            memset(rep + sizeof(zero), 0, reg->vsize);
    }
    *rep_len = len;
    return ORDO_OK;
}

static int store(struct ordo_qreg *reg, const ordo__qreg_msg_t *m, const uint8_t *value)
{
    ordo__qreg_entry_t *e = entry(reg, m->key, 1);
    if (!e)
        return ORDO_ERR_NOMEM;
    if (m->fenced) {
        if (m->token < e->token) {
            reg->stats.replica_fenced++;
            return ORDO_ERR_FENCED;
        }
        e->token = m->token;
    }
    if (ordo__qreg_tag_cmp(&m->tag, &e->tag) > 0) {
        e->tag = m->tag;
        memcpy(e->value, value, reg->vsize);
        reg->stats.replica_stores++;
    }
    return ORDO_OK;
}

int ordo__qreg_serve(int src, const void *data, size_t len, void *reply, size_t cap,
                     size_t *reply_len)
{
    ordo__qreg_msg_t m;
    *reply_len = 0;
    if (len < sizeof(m))
        return ORDO_ERR_MSG;
    memcpy(&m, data, sizeof(m));
    /* A rank declared failed is out: what it asks changes nothing here. */
    if (ordo__rt.peer_failed[src])
        return ORDO_ERR_PEER_FAILED;
    struct ordo_qreg *reg = ordo__qreg_find(m.reg);
    if (!reg)
        return ORDO_ERR_INVALID; /* destroyed (a late message), or never made */
    if (m.key >= reg->nkeys || m.fenced > 1)
        return ORDO_ERR_MSG;
    switch (m.op) {
    case ORDO__QREG_QUERY:
    case ORDO__QREG_QUERY_TAG:
        return len == sizeof(m) ? query(reg, &m, reply, cap, reply_len) : ORDO_ERR_MSG;
    case ORDO__QREG_STORE:
        if (len != sizeof(m) + reg->vsize)
            return ORDO_ERR_MSG;
        return store(reg, &m, (const uint8_t *)data + sizeof(m));
    default:
        return ORDO_ERR_MSG;
    }
}

int ordo__qreg_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    uint8_t rep[sizeof(ordo__qreg_tag_t) + ORDO_QREG_VALUE_MAX];
    size_t len = 0;
    int status = ordo__qreg_serve(msg->src, msg->data, msg->len, rep, sizeof(rep), &len);
    if (status == ORDO_OK && len)
        status = ordo_rpc_reply(msg, rep, len);
    return status;
}
