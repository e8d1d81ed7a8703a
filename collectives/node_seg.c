/*
 * node_seg.c - the node's shared segment (node.h): start-up (rank 0 makes
 * it, every rank maps it, the cache-line probe), end, and the shm
 * algorithms' cost and build.  node.c has the protocol, node_phase.c its
 * moves and the waiting.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/node_int.h"
#include "runtime/boot.h"
#include "runtime/clock.h"
#include "runtime/config.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

ordo__node_state_t ordo__node;

/* ---- start-up and end ------------------------------------------------------------ */

static size_t seg_size(int n, size_t chunk)
{
    return sizeof(seg_hdr_t) + 2 * chunk + (size_t)n * (sizeof(slot_hdr_t) + chunk);
}

/* Rank 0 makes the segment; every rank maps it. */
static int seg_map(const char *name, int create, size_t size)
{
    int fd = shm_open(name, create ? O_CREAT | O_EXCL | O_RDWR : O_RDWR, 0600);
    if (fd < 0) {
        ordo_log_info("collectives: shm_open %s: %s (shm algorithms off)", name, strerror(errno));
        return ORDO_ERR_TRANSPORT;
    }
    if (create && ftruncate(fd, (off_t)size) != 0) {
        ordo_log_info("collectives: %zu bytes for %s: %s (shm algorithms off)", size, name,
                      strerror(errno));
        close(fd);
        return ORDO_ERR_NOMEM;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        ordo_log_info("collectives: mmap of %s: %s (shm algorithms off)", name, strerror(errno));
        return ORDO_ERR_NOMEM;
    }
    ordo__node.base = p;
    ordo__node.size = size;
    ordo__node.h = p;
    return ORDO_OK;
}

static void seg_unmap(void)
{
    if (ordo__node.base)
        munmap(ordo__node.base, ordo__node.size);
    ordo__node.base = NULL;
    ordo__node.h = NULL;
}

/* Wait (polling, yielding) until line l holds v; 0 after limit_ns. */
static int probe_wait(line_t *l, uint64_t v, uint64_t limit_ns)
{
    for (unsigned spins = 0; atomic_load_explicit(&l->v, memory_order_acquire) != v; spins++) {
        if ((spins & 63) == 63) {
            sched_yield();
            if (ordo__now_ns() > limit_ns)
                return 0;
        }
    }
    return 1;
}

#define PROBE_TRIPS 64

/* Ranks 0 and 1 hand a line back and forth: half the fastest round trip
 * is what one hand-off costs (a scheduler turn if they share a core). */
static double probe_line_us(void)
{
    if (ordo__node.pos > 1)
        return 0;
    uint64_t limit = ordo__now_ns() + 2000000000u, best = UINT64_MAX;
    for (uint64_t i = 1; i <= PROBE_TRIPS; i++) {
        uint64_t t0 = ordo__now_ns();
        if (ordo__node.pos == 0) {
            atomic_store_explicit(&ordo__node.h->ping[0].v, i, memory_order_release);
            if (!probe_wait(&ordo__node.h->ping[1], i, limit))
                return 0;
        } else {
            if (!probe_wait(&ordo__node.h->ping[0], i, limit))
                return 0;
            atomic_store_explicit(&ordo__node.h->ping[1].v, i, memory_order_release);
        }
        uint64_t t = ordo__now_ns() - t0;
        best = t < best ? t : best;
    }
    return (double)best / 2e3;
}

#define PASS_ROUNDS 33

/* Every rank of the node adds one to a counter and waits until all have,
 * PASS_ROUNDS times, polling as a blocked shm step does (progress, then a
 * yield unless ORDO_WAIT=spin): the median round is what a step that needs
 * every rank to run once costs.  With a PU per rank that is a few hand-offs
 * of the line; with more ranks than PUs, a turn of every rank on its PU,
 * which the hand-off probe between two ranks does not see.  0 if a rank
 * does not come. */
static double probe_pass_us(void)
{
    _Atomic uint64_t *c = &ordo__node.h->pass.v;
    double t[PASS_ROUNDS];
    uint64_t limit = ordo__now_ns() + 2000000000u;
    for (int i = 0; i < PASS_ROUNDS; i++) {
        uint64_t t0 = ordo__now_ns(), goal = (uint64_t)(i + 1) * (uint64_t)ordo__node.n;
        atomic_fetch_add_explicit(c, 1, memory_order_acq_rel);
        while (atomic_load_explicit(c, memory_order_acquire) < goal) {
            ordo__progress();
            if (ordo__rt.wait_mode != ORDO__WAIT_SPIN)
                sched_yield();
            if (ordo__now_ns() > limit)
                return 0;
        }
        t[i] = (double)(ordo__now_ns() - t0) / 1e3;
    }
    return ordo__median(t, PASS_ROUNDS);
}

#define XCOPY_NEAR   (64 * 1024)  /* a copy that stays in the cache */
#define XCOPY_FAR    (512 * 1024) /* one that does not, or barely */
#define XCOPY_ROUNDS 5

/* Copying len bytes another rank has just written, which is what the shm
 * allgather's and alltoall's copies do (us per byte): each rank fills its
 * slot, all meet, each copies its neighbour's slot into a buffer of its
 * own, timed, XCOPY_ROUNDS times (the fastest: the model adds the sharing
 * of the PUs).  Those bytes come from the other core's cache or from
 * memory.  On 2 cores: 64 KiB at 1.5-3x delta (a memcpy of the rank's own
 * warm buffer), 512 KiB at 3-3.5x.  0 if it could not run. */
static double probe_xcopy(size_t len, unsigned char *buf)
{
    const unsigned char *from = slot_data((ordo__node.pos + 1) % ordo__node.n);
    double t[XCOPY_ROUNDS];
    int ok = buf != NULL && len >= 4096;
    for (int i = 0; i < XCOPY_ROUNDS; i++) {
        if (ok)
            memset(slot_data(ordo__node.pos), i + 1, len);
        /* Every rank takes part in the meetings, a rank without its buffer too. */
        if (ordo__boot_agree(ORDO_OK) != ORDO_OK)
            ok = 0;
        uint64_t t0 = ordo__now_ns();
        if (ok)
            memcpy(buf, from, len);
        t[i] = (double)(ordo__now_ns() - t0) / 1e3;
        ok = ok && buf[len - 1] == (unsigned char)(i + 1);
        if (ordo__boot_agree(ORDO_OK) != ORDO_OK) /* read before the next fill */
            ok = 0;
    }
    double best = t[0];
    for (int i = 1; i < XCOPY_ROUNDS; i++)
        best = t[i] < best ? t[i] : best;
    return ok ? best / (double)len : 0;
}

/* The near and the far cross copy (out[0], out[1]; their lengths in
 * ordo__node.xcopy_len). */
static void probe_xcopies(double out[2])
{
    size_t far = ordo__node.chunk < XCOPY_FAR ? ordo__node.chunk : XCOPY_FAR;
    size_t near = far < XCOPY_NEAR ? far : XCOPY_NEAR;
    unsigned char *buf = malloc(far);
    ordo__node.xcopy_len[0] = near;
    ordo__node.xcopy_len[1] = far;
    out[0] = probe_xcopy(near, buf);
    out[1] = probe_xcopy(far, buf);
    free(buf);
}

/* A byte another rank has just written, copied in a copy of bytes (us):
 * the two probes', between them interpolated in log(bytes); 0 if unknown. */
static double xcopy_at(size_t bytes)
{
    const double *c = ordo__node.xcopy_byte;
    const size_t *l = ordo__node.xcopy_len;
    if (c[0] <= 0 || c[1] <= 0)
        return 0;
    if (bytes <= l[0] || l[1] <= l[0])
        return c[0];
    if (bytes >= l[1])
        return c[1];
    double f = log2((double)bytes / (double)l[0]) / log2((double)l[1] / (double)l[0]);
    return c[0] + f * (c[1] - c[0]);
}

int ordo__node_init(void)
{
    memset(&ordo__node, 0, sizeof(ordo__node));
    ordo__fifo_init(&ordo__node.steps, sizeof(ordo__sop_t *));
    size_t chunk = (size_t)ordo__coll_cfg.shm_chunk / LINE * LINE;
    int n = ordo__rt.size;
    ordo__node.n = n;
    ordo__node.pos = ordo__rt.rank;
    /* Every rank decides the same from the same figures. */
    if (n < 2 || chunk == 0 || ordo__rt.topo.nnodes != 1)
        return ORDO_OK;
    char name[64] = "";
    if (ordo__rt.rank == 0)
        snprintf(name, sizeof(name), "/ordo-coll-%ld-%llx", (long)getpid(),
                 (unsigned long long)ordo__now_ns());
    char *names = malloc((size_t)n * sizeof(name));
    if (!names)
        return ORDO_ERR_NOMEM;
    size_t size = seg_size(n, chunk);
    int status = ordo__boot_allgather(name, sizeof(name), names);
    int mapped = ORDO_ERR_TRANSPORT;
    if (status == ORDO_OK) {
        memcpy(name, names, sizeof(name)); /* rank 0's */
        ordo__node.chunk = chunk;
        if (ordo__rt.rank == 0 && (mapped = seg_map(name, 1, size)) == ORDO_OK) {
            memset(ordo__node.base, 0, size);
            ordo__node.h->magic = SEG_MAGIC;
            ordo__node.h->size = size;
            ordo__node.h->chunk = chunk;
            ordo__node.h->n = (uint32_t)n;
        }
    }
    free(names);
    if (status != ORDO_OK)
        return status;
    /* Rank 0's segment exists (or not) before the others open it. */
    int made = ordo__boot_agree(ordo__rt.rank == 0 ? mapped : ORDO_OK);
    if (made == ORDO_OK && ordo__rt.rank != 0)
        mapped = seg_map(name, 0, size);
    int all = made == ORDO_OK ? ordo__boot_agree(mapped) : made;
    if (ordo__rt.rank == 0 && made == ORDO_OK)
        shm_unlink(name); /* every rank has it mapped (or gives up): nothing is left behind */
    if (all != ORDO_OK) {
        seg_unmap();
        return ORDO_OK; /* the message algorithms serve */
    }
    /* No collective yet (0 is the first's number): ordo__node_waited and
     * ordo__node_seen_in read it before this rank's first shm step. */
    slot_hdr(ordo__node.pos)->seq = UINT32_MAX;
    double mine[4] = {probe_line_us(), probe_pass_us(), 0, 0},
           *lines = malloc((size_t)n * sizeof(mine));
    probe_xcopies(mine + 2);
    if (!lines) {
        seg_unmap();
        return ORDO_ERR_NOMEM;
    }
    status = ordo__boot_allgather(mine, sizeof(mine), lines);
    /* Rank 0's, so every rank the same; the copy's mean over the ranks
     * (whether a neighbour shares the rank's core is the placement's). */
    ordo__node.line_us = lines[0] > 0 ? lines[0] : 0.1;
    ordo__node.pass_us = lines[1] > 0 ? lines[1] : 2 * ordo__node.line_us;
    for (int k = 0; k < 2; k++) { /* 0 unless every rank measured it */
        double sum = 0;
        for (int p = 0; p < n && sum >= 0; p++)
            sum = lines[4 * p + 2 + k] > 0 ? sum + lines[4 * p + 2 + k] / n : -1;
        ordo__node.xcopy_byte[k] = sum > 0 ? sum : 0;
    }
    free(lines);
    if (status == ORDO_OK)
        status = ordo__node_cma_init();
    if (status == ORDO_OK)
        status = ordo__node_map_init();
    if (status != ORDO_OK) {
        ordo__node_map_fini();
        seg_unmap();
    }
    return status;
}

void ordo__node_fini(void)
{
    ordo__node_map_end();
    ordo__node_map_fini();
    seg_unmap();
    ordo__fifo_free(&ordo__node.steps);
    memset(&ordo__node, 0, sizeof(ordo__node));
}

int ordo__node_usable(int n)
{
    return ordo__node.h && n == ordo__node.n;
}

int ordo__node_sleeps(void)
{
    return ordo__node.steps.count && ordo__rt.wait_mode != ORDO__WAIT_SPIN;
}

size_t ordo__node_chunk(void)
{
    return ordo__node.chunk;
}

double ordo__node_line_us(void)
{
    return ordo__node.line_us;
}

double ordo__node_pass_us(void)
{
    return ordo__node.h ? ordo__node.pass_us : 0;
}

ordo_status_t ordo_coll_shm_info(ordo_coll_shm_t *info)
{
    ORDO__CHECK_INIT();
    if (!info)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    info->bytes = ordo__node.h ? ordo__node.size : 0;
    info->chunk = ordo__node.h ? ordo__node.chunk : 0;
    info->line_us = ordo__node.h ? ordo__node.line_us : 0;
    info->pass_us = ordo__node.h ? ordo__node.pass_us : 0;
    info->copy_us_per_byte = ordo__node.h ? ordo__node.xcopy_byte[0] : 0;
    info->copy_far_us_per_byte = ordo__node.h ? ordo__node.xcopy_byte[1] : 0;
    info->copy_bytes = ordo__node.h ? ordo__node.xcopy_len[0] : 0;
    info->copy_far_bytes = ordo__node.h ? ordo__node.xcopy_len[1] : 0;
    info->single_copy = ordo__node.h && ordo__node.cma;
    info->cma_us = info->single_copy ? ordo__node.cma_us : 0;
    info->mapped = ordo__node.h && ordo__node.map_ok;
    ORDO__UNLOCK();
    return ORDO_OK;
}

double ordo__node_cost(const ordo__coll_cost_t *m, int n, size_t bytes, unsigned kind)
{
    if (!ordo__node_usable(n))
        return INFINITY;
    double x = (double)bytes,
           chunks = bytes ? (double)((bytes + ordo__node.chunk - 1) / ordo__node.chunk) : 1;
    /* A phase (every rank arrives, the last one's result seen by all) is
     * the measured pass; two hand-offs of a line where there is none.  The
     * pass holds the turns of the cores when ranks share them, which two
     * ranks handing a line back and forth see or not as the scheduler
     * places them (0.7-6 us at 8 ranks on 2 cores, from run to run). */
    double phase = ordo__node.pass_us > 0 ? ordo__node.pass_us : 2 * ordo__node.line_us;
    if (kind == ORDO__NODE_BCAST && single_copy(bytes)) /* published, read, every rank arrived */
        return 2 * phase + ordo__node.cma_us + x * ordo__node.cma_byte * m->share;
    if (kind == ORDO__NODE_BCAST) /* the root's copy in, then everyone's out: the first chunk
                                     half a phase (nobody waits for all; each receiver sees it
                                     on its next turn), each further one a phase */
        return (chunks - 0.5) * phase + 2 * x * m->delta;
    /* The allgather's and the alltoall's n blocks out of the result, and
     * the n (n * n) the last rank lays out, are copies of what other ranks
     * wrote: the probed cross copy at the size of the copy (xc), 1.5-3.5x
     * delta's (a rank's own warm buffer); every rank copies out at once
     * (shared by the ranks on a PU), the last rank lays out alone while the
     * others yield.  Measured, 4 ranks on 2 cores, allgather 32-128 KiB:
     * with delta for all, shm's time came out 2-3x the prediction and AUTO
     * took it where linear ran 1.3-1.75x faster; 8 ranks, 8-32 KiB, with
     * the layout counted shared too, 0.6x; with the 512 KiB copy's cost for
     * every size, 0.7-0.8x there.  (The bcast's and the reductions' copies
     * keep delta: they fit it, 0.8-1.0.) */
    double all = x * n, xc = xcopy_at((size_t)all);
    xc = xc > 0 ? xc : m->delta / m->share;
    if (kind == ORDO__NODE_ALLGATHER) /* one phase: every rank a block in (at once), one rank
                                         n side by side, every rank n out (at once) */
        return bytes * (size_t)n > ordo__node.chunk
                   ? INFINITY
                   : phase + x * m->delta + all * xc * (1 + m->share);
    if (kind == ORDO__NODE_ALLTOALL) { /* the same with n blocks in and out, n * n laid out */
        if (bytes * (size_t)n * (size_t)n > ordo__node.chunk)
            return INFINITY;
        double lay = xcopy_at((size_t)(all * n));
        lay = lay > 0 ? lay : xc;
        return phase + all * (m->delta + n * lay + xc * m->share);
    }
    if (serial_bytes(n, bytes)) /* copies in, one rank reduces all, copies out */
        return chunks * phase + 2 * x * m->delta + (n - 1) * x * m->gamma;
    return chunks * 2 * phase + 2 * x * m->delta + (n - 1) * x / n * m->gamma;
}

int ordo__node_build(struct ordo_coll_req *r, const ordo__coll_args_t *a, unsigned kind)
{
    if (!ordo__node_usable(a->n)) {
        /* ordo__coll_pick does not choose it then: a caller's error */
        ordo_log_error("%s: the shm algorithm cannot run here (no node segment for %d ranks)",
                       ordo_coll_family_name((ordo_coll_family_t)r->family), a->n);
        return ORDO_ERR_INTERNAL;
    }
    void *dst = a->out; /* reduce: NULL but at the root */
    const void *src = kind == ORDO__NODE_BCAST ? a->out : a->in;
    ordo__sched_node(r, kind, a->root, dst, src, a->len);
    return ORDO_OK;
}
