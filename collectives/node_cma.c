/*
 * node_cma.c - single copy for the shm bcast of more than two chunks: each
 * receiver reads the root's buffer straight into its own with
 * process_vm_readv (Linux cross-memory attach), where a shorter one copies
 * through the segment twice (the root in, each receiver out).  Each rank's
 * slot header carries its pid; at start-up every rank reads 8 bytes, then
 * 256 KiB, of its neighbour's probe buffer (whose address the neighbour's
 * slot header carries), times both (the model's cost per call and per
 * byte), and single copy is on only if every rank could (a ptrace policy,
 * Yama's ptrace_scope or a seccomp filter may forbid it) and
 * ORDO_COLL_SHM_CMA is y.  ordo__node.c has the step.
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

int ordo__node_cma_read(int p, void *dst, uint64_t addr, size_t len)
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
