/*
 * node_direct.c - the shm bcast by single copy: every receiver reads the
 * root's buffer straight into its own, in one phase, where the segment
 * copies it twice a chunk at a time (the root in, each receiver out).  The
 * root chooses, per call, from its own buffer (the others follow its
 * publication, so the ranks' buffers need not be alike):
 *
 *   BCAST_GET  the buffer is ordo_mem_alloc memory, which the transport
 *              lets a peer on the node map: the root publishes its address
 *              and remote key (in its slot), each receiver gets it with the
 *              transport's RMA get (one copy, no system call), from
 *              ORDO_COLL_SHM_GET_MIN bytes on;
 *   BCAST_CMA  any other buffer of more than two chunks: each receiver
 *              reads it with process_vm_readv (Linux cross-memory attach).
 *              Each rank's slot header carries its pid; at start-up every
 *              rank reads 8 bytes, then 256 KiB, of its neighbour's probe
 *              buffer (whose address the neighbour's slot header carries),
 *              times both (the model's cost per call and per byte), and this
 *              mode is on only if every rank could (a ptrace policy, Yama's
 *              ptrace_scope or a seccomp filter may forbid it) and
 *              ORDO_COLL_SHM_CMA is y.
 *
 * Either way each receiver counts its copy done and arrives, and the root
 * returns once all have counted (its buffer is read until then).  A
 * receiver whose read fails fails (a mismatch or a dead root the same way
 * as the segment's bcast); it arrives all the same.  node.c has the
 * segment's steps.
 */
#define _GNU_SOURCE /* process_vm_readv */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/node_int.h"
#include "runtime/boot.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define PROBE_READS 16
#define PROBE_BYTES (256 * 1024)

static unsigned char *probe_buf; /* what a neighbour reads at start-up: a word, then all */

/* Read len bytes at addr of place p into dst: 0, or the errno of the
 * failed call (*left: the bytes not read). */
static int read_at(int p, void *dst, uint64_t addr, size_t len, size_t *left)
{
    pid_t pid = (pid_t)slot_hdr(p)->pid;
    for (size_t done = 0; done < len;) {
        struct iovec local = {(unsigned char *)dst + done, len - done};
        struct iovec remote = {(void *)(uintptr_t)(addr + done), len - done};
        ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (got <= 0) {
            int e = got < 0 ? errno : EFAULT;
            if (e == EINTR)
                continue;
            *left = len - done;
            return e;
        }
        done += (size_t)got;
    }
    return 0;
}

static int cma_read(int p, void *dst, uint64_t addr, size_t len)
{
    size_t left = 0;
    int e = read_at(p, dst, addr, len, &left);
    if (!e)
        return ORDO_OK;
    ordo_log_error("collectives: reading %zu bytes of rank %d (pid %ld) with process_vm_readv: %s",
                   left, p, (long)slot_hdr(p)->pid, strerror(e));
    return e == ESRCH ? ORDO_ERR_PEER_FAILED : ORDO_ERR_TRANSPORT;
}

/* This rank's reads of its neighbour's probe buffer: the cost of 8 bytes
 * and of each byte beyond (us, the fastest of several), or -1.  A read the
 * system refuses is what the probe is for: said once, by the caller, not
 * as an error. */
static int probe(double out[2])
{
    int p = (ordo__node.pos + 1) % ordo__node.n;
    uint64_t want = SEG_MAGIC ^ (uint64_t)p, got = 0;
    unsigned char *big = malloc(PROBE_BYTES);
    out[0] = out[1] = -1;
    for (int i = 0; big && i < PROBE_READS; i++) {
        int small = i < PROBE_READS / 2;
        size_t left = 0;
        uint64_t t0 = ordo__now_ns();
        int e = read_at(p, small ? (void *)&got : big, slot_hdr(p)->addr,
                        small ? sizeof(got) : PROBE_BYTES, &left);
        if (e) {
            ordo_log_debug("collectives: probe read of rank %d with process_vm_readv: %s", p,
                           strerror(e));
            break;
        }
        double us = (double)(ordo__now_ns() - t0) / 1e3;
        if (!small)
            memcpy(&got, big, sizeof(got));
        if (got != want) {
            ordo_log_info("collectives: rank %d's probe word read back as %llx, not %llx "
                          "(single copy off)",
                          p, (unsigned long long)got, (unsigned long long)want);
            break;
        }
        double *best = &out[small ? 0 : 1];
        *best = *best < 0 || us < *best ? us : *best;
    }
    free(big);
    if (out[0] < 0 || out[1] < 0)
        return -1;
    out[1] = out[1] > out[0] ? (out[1] - out[0]) / (PROBE_BYTES - sizeof(got)) : 0;
    return 0;
}

int ordo__node_cma_init(void)
{
    slot_hdr_t *mine = slot_hdr(ordo__node.pos);
    uint64_t word = SEG_MAGIC ^ (uint64_t)ordo__node.pos;
    ordo__node.cma = 0;
    if (!(probe_buf = calloc(1, PROBE_BYTES)))
        return ORDO_ERR_NOMEM;
    memcpy(probe_buf, &word, sizeof(word));
    mine->pid = (int32_t)getpid();
    mine->addr = (uint64_t)(uintptr_t)probe_buf;
    /* Every slot's pid and probe address are in before anyone reads. */
    int status = ordo__boot_agree(ORDO_OK);
    double cost[2] = {-1, -1}, *all = malloc(sizeof(cost) * (size_t)ordo__node.n);
    if (status == ORDO_OK && ordo__coll_cfg.shm_cma)
        (void)probe(cost);
    if (status == ORDO_OK && !all)
        status = ORDO_ERR_NOMEM;
    if (status == ORDO_OK)
        status = ordo__boot_allgather(cost, sizeof(cost), all);
    /* Nobody reads the probe buffers once every rank has sent its figures. */
    if (status == ORDO_OK) {
        int ok = 1;
        for (int p = 0; p < ordo__node.n; p++)
            ok &= all[2 * p] >= 0;
        ordo__node.cma = ok;
        ordo__node.cma_us = ok ? all[0] : 0; /* rank 0's, so every rank the same */
        ordo__node.cma_byte = ok ? all[1] : 0;
        if (!ok && ordo__coll_cfg.shm_cma)
            ordo_log_info("collectives: single copy (process_vm_readv) is not possible between "
                          "every pair of ranks here (ORDO_LOG=debug says why): every shm bcast "
                          "goes through the segment");
    }
    free(all);
    free(probe_buf);
    probe_buf = NULL;
    mine->addr = 0;
    return status;
}

/* ---- the bcast ---------------------------------------------------------------- */

unsigned ordo__node_direct_mode(const ordo__sop_t *s)
{
    if (s->len >= ordo__coll_cfg.shm_get_min &&
        ordo__node_offer_key(s->dst, s->len, &ordo__node.get_mem))
        return BCAST_GET;
    return single_copy(s->len) ? BCAST_CMA : BCAST_SEG;
}

static void get_done(ordo__tl_send_req_t *req, int status)
{
    (void)req;
    ordo__node.get_status = status;
    ordo__node.get_busy = 0;
}

/* A receiver's get ended with status: said if it failed. */
static int got(const ordo__sop_t *s, int status)
{
    if (status != ORDO_OK)
        ordo_log_error("bcast (shm), collective %u: getting %zu bytes from rank %d: %s",
                       s->req->seq, s->len, s->peer, ordo_strerror(status));
    return status;
}

/* A receiver's copy: ORDO_OK, ST_WAIT while the get runs, or the failure. */
static int take(ordo__sop_t *s, unsigned mode)
{
    slot_hdr_t *root = slot_hdr(s->peer);
    if (mode == BCAST_CMA)
        return cma_read(s->peer, s->dst, root->addr, s->len);
    if (mode != BCAST_GET || root->rkey_len > ordo__node.chunk) {
        ordo_log_error("bcast (shm), collective %u: rank %d published an unknown way (%u)",
                       s->req->seq, s->peer, mode);
        return ORDO_ERR_MSG;
    }
    ordo__node.get_req.complete = get_done;
    ordo__node.get_busy = 1;
    int status = ordo__rt.tl_ops->get(ordo__rt.tl, s->peer, s->dst, s->len, root->addr,
                                      slot_data(s->peer), root->rkey_len, &ordo__node.get_req);
    if (status == ORDO__INPROGRESS)
        return ST_WAIT;
    ordo__node.get_busy = 0;
    return got(s, status);
}

/* The root waits for the receivers' copies on a counter of its own, not on
 * the arrivals: a receiver that has its copy goes on to the next
 * collective, whose arrivals could make up for one still reading.  Every
 * rank counts the direct bcasts, so each knows the count that ends this
 * one; a receiver copies the next one only after every rank has arrived
 * at this one (its root waits for that before it publishes). */
static uint64_t reads_target(void)
{
    return (ordo__node.direct_n + 1) * (uint64_t)(ordo__node.n - 1);
}

static void read_done(void)
{
    if (atomic_fetch_add(&ordo__node.h->reads.v, 1) + 1 == reads_target())
        ordo__node_wake(&ordo__node.h->reads.v);
    ordo__node.direct_n++;
}

int ordo__node_direct_step(ordo__sop_t *s, unsigned mode)
{
    uint64_t q = ordo__node.cq;
    if (ordo__node.pos == s->peer) {
        if (ordo__node.st == 0) {
            ordo__node_fill_slot(s, 0, 0, 0);
            slot_hdr(ordo__node.pos)->addr = (uint64_t)(uintptr_t)s->dst;
            ordo__node_publish(q, s->req, s->len, ORDO_OK, mode);
            ordo__node_arrive();
            ordo__node.st = 1;
        }
        uint64_t r = atomic_load_explicit(&ordo__node.h->reads.v, memory_order_acquire);
        if (r < reads_target())
            return ordo__node_wait_on(&ordo__node.h->reads.v, r);
        ordo__node.direct_n++;
        ordo__node_direct_end();
        return ORDO_OK;
    }
    int status = ORDO_OK;
    if (ordo__node.st == 0) {
        ordo__node_fill_slot(s, 0, 0, 0);
        status = ordo__node_pub_matches(q, s->req, s->len);
        if (status == ORDO_OK && (status = take(s, mode)) == ST_WAIT) {
            ordo__node.st = 1;
            return ST_WAIT; /* on the transport: no word of the segment */
        }
    } else {
        if (ordo__node.get_busy)
            return ST_WAIT;
        status = got(s, ordo__node.get_status);
    }
    read_done();
    ordo__node_arrive();
    return status;
}

void ordo__node_direct_end(void)
{
    while (ordo__node.get_busy)
        (void)ordo__rt.tl_ops->progress(ordo__rt.tl);
    if (ordo__node.get_mem) {
        ordo__rt.tl_ops->mem_release(ordo__rt.tl, ordo__node.get_mem);
        ordo__node.get_mem = NULL;
    }
}
