/*
 * node_map.c - the shm reduction reads a rank's input where it is: a rank
 * whose input is ordo_mem_alloc memory (which the transport lets every
 * peer on the node map) copies nothing into its slot; it publishes the
 * buffer's address and remote key there instead, and every rank reducing
 * its share reads that share straight from the buffer.  On 8 ranks a
 * 1 MiB allreduce copied 7/8 MiB into the slots per rank: a third of
 * its memory traffic.  At start-up every rank maps a word of its
 * neighbour's (the transport's map of a remote key) and checks it; ranks
 * offer their input only if every rank could (ordo__node.map_ok).
 * node.c's large reduction calls this at each phase.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/node_int.h"
#include "runtime/boot.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

/* This rank maps its neighbour's probe word (ORDO_OK), or says why not. */
static int probe(void)
{
    const ordo__tl_ops_t *tl = ordo__rt.tl_ops;
    int p = (ordo__node.pos + 1) % ordo__node.n;
    const slot_hdr_t *h = slot_hdr(p);
    void *ptr, *hold;
    if (!h->rkey_len)
        return ORDO_ERR_UNSUPPORTED;
    int status = tl->map(ordo__rt.tl, p, slot_data(p), h->rkey_len, h->addr, &ptr, &hold);
    if (status != ORDO_OK) {
        ordo_log_debug("collectives: mapping rank %d's memory: %s", p, ordo_strerror(status));
        return status;
    }
    uint64_t want = SEG_MAGIC ^ (uint64_t)p, got;
    memcpy(&got, ptr, sizeof(got));
    tl->map_release(ordo__rt.tl, hold);
    if (got != want) {
        ordo_log_info("collectives: rank %d's mapped word read as %llx, not %llx", p,
                      (unsigned long long)got, (unsigned long long)want);
        return ORDO_ERR_TRANSPORT;
    }
    return ORDO_OK;
}

int ordo__node_map_init(void)
{
    const ordo__tl_ops_t *tl = ordo__rt.tl_ops;
    slot_hdr_t *mine = slot_hdr(ordo__node.pos);
    int n = ordo__node.n, ok = 0, *all = NULL;
    void *word = NULL;
    ordo__tl_mem_t *mem = NULL;
    ordo__node.map_ok = 0;
    ordo__node.peer_in = calloc((size_t)n, sizeof(*ordo__node.peer_in));
    ordo__node.peer_hold = calloc((size_t)n, sizeof(*ordo__node.peer_hold));
    all = malloc((size_t)n * sizeof(int));
    if (!ordo__node.peer_in || !ordo__node.peer_hold || !all) {
        free(all);
        return ORDO_ERR_NOMEM;
    }
    /* Every rank's transport is the same: all have map, or none. */
    if (!tl->map || !tl->mem_alloc) {
        free(all);
        return ORDO_OK;
    }
    mine->rkey_len = 0;
    if (tl->mem_alloc(ordo__rt.tl, sizeof(uint64_t), &word) == ORDO_OK) {
        uint64_t v = SEG_MAGIC ^ (uint64_t)ordo__node.pos;
        memcpy(word, &v, sizeof(v));
        (void)ordo__node_offer_key(word, sizeof(v), &mem);
    }
    int status = ordo__boot_agree(ORDO_OK); /* every slot's key is in */
    if (status == ORDO_OK)
        ok = probe() == ORDO_OK;
    if (status == ORDO_OK)
        status = ordo__boot_allgather(&ok, sizeof(ok), all);
    if (status == ORDO_OK) {
        ordo__node.map_ok = 1;
        for (int p = 0; p < n; p++)
            ordo__node.map_ok &= all[p];
        if (!ordo__node.map_ok)
            ordo_log_info("collectives: the transport does not map ordo_mem_alloc memory between "
                          "every pair of ranks here (ORDO_LOG=debug says why): reductions copy "
                          "their input into the segment");
    }
    /* Nobody maps the probe words once every rank has sent its answer. */
    mine->addr = 0;
    mine->rkey_len = 0;
    if (mem)
        tl->mem_release(ordo__rt.tl, mem);
    if (word)
        tl->mem_free(ordo__rt.tl, word);
    free(all);
    return status;
}

int ordo__node_map_offer(const ordo__sop_t *s)
{
    if (ordo__node.off)
        return ordo__node.in_mem != NULL; /* decided at the payload's start */
    slot_hdr(ordo__node.pos)->rkey_len = 0;
    return ordo__node.map_ok && ordo__node_offer_key(s->src, s->len, &ordo__node.in_mem);
}

int ordo__node_map_peers(const ordo__sop_t *s)
{
    const ordo__tl_ops_t *tl = ordo__rt.tl_ops;
    if (ordo__node.off)
        return ORDO_OK; /* mapped at the payload's start */
    for (int p = 0; p < ordo__node.n; p++) {
        const slot_hdr_t *h = slot_hdr(p);
        if (p == ordo__node.pos || !h->rkey_len)
            continue;
        void *ptr;
        int status = h->rkey_len > ordo__node.chunk
                         ? ORDO_ERR_MSG
                         : tl->map(ordo__rt.tl, p, slot_data(p), h->rkey_len, h->addr, &ptr,
                                   &ordo__node.peer_hold[p]);
        if (status != ORDO_OK) {
            ordo_log_error("%s (shm), collective %u: mapping rank %d's input: %s",
                           ordo_coll_family_name((ordo_coll_family_t)s->req->family), s->req->seq,
                           p, ordo_strerror(status));
            return status;
        }
        ordo__node.peer_in[p] = ptr;
    }
    return ORDO_OK;
}

void ordo__node_map_end(void)
{
    const ordo__tl_ops_t *tl = ordo__rt.tl_ops;
    for (int p = 0; ordo__node.peer_in && p < ordo__node.n; p++) {
        if (!ordo__node.peer_in[p])
            continue;
        tl->map_release(ordo__rt.tl, ordo__node.peer_hold[p]);
        ordo__node.peer_in[p] = NULL;
        ordo__node.peer_hold[p] = NULL;
    }
    if (ordo__node.in_mem) {
        tl->mem_release(ordo__rt.tl, ordo__node.in_mem);
        ordo__node.in_mem = NULL;
    }
}

void ordo__node_map_fini(void)
{
    free(ordo__node.peer_in);
    free(ordo__node.peer_hold);
    ordo__node.peer_in = NULL;
    ordo__node.peer_hold = NULL;
}
