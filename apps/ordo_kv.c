/*
 * ordo_kv - a replicated key-value store on quorum registers under
 * YCSB-style load.  Every rank is a client and a replica: the keys are one
 * register set (R replicas per key, placed by the consistent-hashing ring,
 * W and Q majorities of R by default), and every rank keeps --inflight
 * operations going on keys drawn uniformly or from YCSB's scrambled Zipfian
 * (theta 0.99): workload a is 50 % reads and 50 % updates, b 95/5, c reads
 * only.  A written value is --value-size bytes whose first 8 are unique per
 * write, (writer rank << 40) | per-rank sequence, so a history
 * (ORDO_HISTORY=DIR) tells the writes apart and ordo-lincheck can check it.
 * --backend sc runs the same load on an SC shared object, one slot per key
 * (no history, and one operation at a time: objects have no non-blocking
 * calls).
 *
 * Every second the lowest live rank prints a progress line (-q: none; see
 * ordo_kv_progress.c).
 *
 * Under faults (ORDO_FAULT) an operation that fails with
 * ORDO_ERR_PEER_FAILED, _NO_QUORUM or _TIMEOUT is counted (a failed read as
 * failed, a failed write as unknown: it may have been stored) and the load
 * goes on.  After it the survivors acknowledge the failures, meet, and
 * verify: each reads every key (at most 4096: the 256 hottest Zipfian keys
 * and a stride over the rest), the values' hashes are gathered
 * (ordo_allgather over the live ranks) and every survivor that could read a
 * key must have read the same value.  These reads are in the history too.
 *
 * The lowest live rank prints a summary line "ordo_kv: ...: ok" (or
 * "WRONG"); exit status 0, 1 if the verification or a call failed, 2 for bad
 * options.  README.md, "ordo-kv", says more.
 */
#include "apps/ordo_kv.h"
#include <ordo.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NB         ORDO_KV_HIST_BUCKETS
#define VERIFY_MAX 4096
#define VERIFY_HOT 256
#define MEET_TRIES 100

enum { C_READS, C_WRITES, C_FAIL, C_INFO, C_NC }; /* reads and writes: completed ok */

typedef struct slot {
    ordo_qreg_op_t *op;
    int is_write;
    uint64_t t0;
    unsigned char *buf;
} slot_t;

static ordo_kv_opts_t o;
static int me, n, R, W, Q, yield_ok, bad;
static ordo_qreg_t *reg;
static ordo_obj_t *obj;
static size_t slot_bytes, sc_block, sc_blocks; /* SC: bytes per key, the layout */
static ordo_kv_zipf_t zipf;
static uint64_t rng, seq, issued, last_op_ns;
static uint64_t cnt[C_NC], hist_r[NB], hist_w[NB];
static double t_start;

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double now_s(void)
{
    return (double)clock_ns(CLOCK_MONOTONIC) * 1e-9;
}

static void report(const char *status);

static void die(const char *what, int s)
{
    fprintf(stderr, "ordo_kv: rank %d: %s: %s\n", me, what, ordo_strerror(s));
    report("failed");
    exit(1);
}

/* A failure the load goes on after: counted, not fatal. */
static int survivable(int s)
{
    return s == ORDO_ERR_PEER_FAILED || s == ORDO_ERR_NO_QUORUM || s == ORDO_ERR_TIMEOUT;
}

/* ---- the per-rank report (--report DIR) ------------------------------------------ */

static void write_file(const char *name, const char *text)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof(path), "%s/%s", o.report, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        fprintf(stderr, "ordo_kv: rank %d: cannot write %s: %s\n", me, path, strerror(errno));
}

static void report(const char *status)
{
    if (!o.report)
        return;
    char name[64], text[1024];
    snprintf(name, sizeof(name), "kv.%d.report", me);
    snprintf(text, sizeof(text),
             "rank=%d\nops_ok=%" PRIu64 "\nops_fail=%" PRIu64 "\nops_info=%" PRIu64
             "\nreads=%" PRIu64 "\nwrites=%" PRIu64 "\nlast_op_ns=%" PRIu64 "\nend_ns=%" PRIu64
             "\nstatus=%s\n",
             me, cnt[C_READS] + cnt[C_WRITES], cnt[C_FAIL], cnt[C_INFO], cnt[C_READS],
             cnt[C_WRITES], last_op_ns, clock_ns(CLOCK_REALTIME), status);
    write_file(name, text);
}

static void report_pid(void)
{
    if (!o.report)
        return;
    char name[64], text[64];
    snprintf(name, sizeof(name), "kv.%d.pid", me);
    snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    write_file(name, text);
}

/* ---- operations --------------------------------------------------------------- */

static uint64_t next_key(void)
{
    if (o.dist == KV_DIST_ZIPFIAN)
        return ordo_kv_zipf_key(&zipf, &rng);
    return ordo_kv_rand(&rng) % o.keys;
}

/* A value unique to this write: its first 8 bytes (writer << 40) | sequence. */
static void fill(unsigned char *buf)
{
    uint64_t id = ((uint64_t)me << 40) | ++seq;
    for (size_t i = 0; i < o.value_size; i += 8) {
        uint64_t w = i ? id ^ (i * 0x9e3779b97f4a7c15ull) : id;
        memcpy(buf + i, &w, o.value_size - i < 8 ? o.value_size - i : 8);
    }
}

static uint64_t value_hash(const unsigned char *buf)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < o.value_size; i++)
        h = (h ^ buf[i]) * 0x100000001b3ull;
    return h | 1; /* 0: not read */
}

static void complete(int is_write, uint64_t t0, int s)
{
    uint64_t lat = clock_ns(CLOCK_MONOTONIC) - t0;
    if (s == ORDO_OK) {
        int b = ordo_kv_hist_bucket(lat);
        cnt[is_write ? C_WRITES : C_READS]++;
        (is_write ? hist_w : hist_r)[b]++;
        ordo_kv_progress_ok(b);
        last_op_ns = clock_ns(CLOCK_REALTIME);
    } else if (survivable(s)) {
        cnt[is_write ? C_INFO : C_FAIL]++;
        ordo_kv_progress_fail();
    } else {
        die(is_write ? "write" : "read", s);
    }
}

/* SC: where key's slot is.  Keys are dealt round-robin over up to 4096
 * blocks (homes placed by consistent hashing), so neighbouring keys have
 * different homes, as the registers' keys do. */
static size_t sc_off(uint64_t key)
{
    return (size_t)(key % sc_blocks) * sc_block + (size_t)(key / sc_blocks) * slot_bytes;
}

static void sc_layout(void)
{
    const char *e = getenv("ORDO_OBJ_BLOCK"); /* ordo has checked it */
    char *end;
    sc_block = 65536;
    if (e && *e) {
        unsigned long long v = strtoull(e, &end, 10);
        int shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : 30;
        sc_block = (size_t)(*end ? v << shift : v);
    }
    for (slot_bytes = 8; slot_bytes < o.value_size; slot_bytes *= 2)
        ;
    sc_blocks = o.keys < 4096 ? (size_t)o.keys : 4096;
    size_t per = (size_t)((o.keys + sc_blocks - 1) / sc_blocks);
    if (per * slot_bytes > sc_block) { /* large values: one slot after the other */
        sc_block = slot_bytes;         /* sc_off(key) = key * slot_bytes */
        sc_blocks = (size_t)o.keys;
    }
}

static int more(void)
{
    return o.ops ? issued < (uint64_t)o.ops : now_s() - t_start < o.duration;
}

static void start_op(slot_t *sl, uint64_t key)
{
    sl->is_write = (int)(ordo_kv_rand(&rng) % 100) >= o.read_pct;
    sl->t0 = clock_ns(CLOCK_MONOTONIC);
    issued++;
    int s;
    if (sl->is_write) {
        fill(sl->buf);
        s = ordo_qreg_write_nb(reg, key, sl->buf, &sl->op);
    } else {
        s = ordo_qreg_read_nb(reg, key, sl->buf, &sl->op);
    }
    if (s != ORDO_OK) {
        sl->op = NULL;
        complete(sl->is_write, sl->t0, s);
    }
}

/* Poll sl's operation: 1 if it has ended (and was counted). */
static int poll_op(slot_t *sl)
{
    int t = ordo_qreg_test(sl->op);
    if (t == 0)
        return 0;
    if (t < 0)
        die("ordo_qreg_test", t);
    int s = ordo_qreg_wait(sl->op, NULL);
    sl->op = NULL;
    complete(sl->is_write, sl->t0, s);
    return 1;
}

static void load_qreg(slot_t *slots)
{
    for (;;) {
        int active = 0, progressed = 0;
        for (int i = 0; i < o.inflight; i++) {
            slot_t *sl = &slots[i];
            if (sl->op) {
                if (!poll_op(sl)) {
                    active = 1;
                    continue;
                }
                progressed = 1;
            }
            if (!more())
                continue;
            start_op(sl, next_key());
            active |= sl->op != NULL;
        }
        ordo_kv_progress_tick();
        if (!active && !more())
            break;
        if (!progressed && yield_ok)
            sched_yield();
    }
}

static void load_sc(slot_t *sl)
{
    while (more()) {
        uint64_t key = next_key();
        sl->is_write = (int)(ordo_kv_rand(&rng) % 100) >= o.read_pct;
        sl->t0 = clock_ns(CLOCK_MONOTONIC);
        issued++;
        int s;
        if (sl->is_write) {
            fill(sl->buf);
            s = ordo_write(obj, sc_off(key), sl->buf, o.value_size);
        } else {
            s = ordo_read(obj, sc_off(key), sl->buf, o.value_size);
        }
        complete(sl->is_write, sl->t0, s);
        ordo_kv_progress_tick();
    }
}

/* ---- after the load: meet, verify, sum ------------------------------------------ */

/* A barrier over the live ranks: failures are acknowledged and the
 * survivors meet again.  A rank the others declared failed gives up. */
static void meet(void)
{
    int s = ORDO_OK;
    for (int tries = 0; tries < MEET_TRIES; tries++) {
        ordo_membership_t m;
        if (ordo_membership(&m) == ORDO_OK && m.out)
            die("the others declared this rank failed", ORDO_ERR_PEER_FAILED);
        if ((s = ordo_barrier()) != ORDO_ERR_PEER_FAILED)
            break;
        ordo_failure_ack(NULL);
    }
    if (s != ORDO_OK)
        die("barrier", s);
}

static void reduce(const void *in, void *out, size_t count, ordo_dtype_t t, ordo_op_t op)
{
    int s = ORDO_OK;
    for (int tries = 0; tries < MEET_TRIES; tries++) {
        meet();
        if ((s = ordo_allreduce(in, out, count, t, op)) != ORDO_ERR_PEER_FAILED)
            break;
        ordo_failure_ack(NULL);
    }
    if (s != ORDO_OK)
        die("allreduce", s);
}

static void gather(const void *in, size_t len, void *out)
{
    int s = ORDO_OK;
    for (int tries = 0; tries < MEET_TRIES; tries++) {
        memset(out, 0, len * (size_t)n); /* a failed rank's slot stays 0: not read */
        meet();
        if ((s = ordo_allgather(in, len, out)) != ORDO_ERR_PEER_FAILED)
            break;
        ordo_failure_ack(NULL);
    }
    if (s != ORDO_OK)
        die("allgather", s);
}

/* The keys verified: all, or the hottest Zipfian ones and a stride over the rest. */
static size_t verify_keys(uint64_t *keys)
{
    if (o.keys <= VERIFY_MAX) {
        for (uint64_t k = 0; k < o.keys; k++)
            keys[k] = k;
        return (size_t)o.keys;
    }
    for (size_t j = 0; j < VERIFY_HOT; j++)
        keys[j] = ordo_kv_fnv64(j) % o.keys;
    uint64_t stride = o.keys / (VERIFY_MAX - VERIFY_HOT);
    for (size_t j = VERIFY_HOT; j < VERIFY_MAX; j++)
        keys[j] = (j - VERIFY_HOT) * stride;
    return VERIFY_MAX;
}

/* This rank's hash of each key's value (0: could not read it). */
static void read_all(const uint64_t *keys, size_t nk, uint64_t *hash, slot_t *slots)
{
    size_t next = 0, *which = calloc((size_t)o.inflight, sizeof(size_t));
    if (!which)
        die("verify", ORDO_ERR_NOMEM);
    for (int busy = 1; busy;) {
        busy = 0;
        for (int i = 0; i < o.inflight; i++) {
            slot_t *sl = &slots[i];
            if (sl->op) {
                if (ordo_qreg_test(sl->op) == 0) {
                    busy = 1;
                    continue;
                }
                int s = ordo_qreg_wait(sl->op, NULL);
                sl->op = NULL;
                if (s != ORDO_OK && !survivable(s))
                    die("verify read", s);
                hash[which[i]] = s == ORDO_OK ? value_hash(sl->buf) : 0;
            }
            if (next == nk)
                continue;
            which[i] = next++;
            int s = ordo_qreg_read_nb(reg, keys[which[i]], sl->buf, &sl->op);
            if (s != ORDO_OK && !survivable(s))
                die("verify read", s);
            if (s != ORDO_OK) {
                sl->op = NULL;
                hash[which[i]] = 0;
            }
            busy = 1;
        }
        if (busy && yield_ok)
            sched_yield();
    }
    free(which);
}

/* Every survivor reads the keys; all who could read a key read the same
 * value.  Returns the keys that differ; *unread: keys no survivor read. */
static size_t verify(slot_t *slots, size_t *nkeys, size_t *unread, int *readers)
{
    uint64_t *keys = malloc(sizeof(uint64_t) * VERIFY_MAX);
    uint64_t *hash = calloc(VERIFY_MAX, sizeof(uint64_t));
    uint64_t *all = malloc(sizeof(uint64_t) * VERIFY_MAX * (size_t)n);
    if (!keys || !hash || !all)
        die("verify", ORDO_ERR_NOMEM);
    size_t nk = verify_keys(keys), wrong = 0;
    if (o.backend == KV_BACKEND_QREG) {
        read_all(keys, nk, hash, slots);
    } else {
        for (size_t j = 0; j < nk; j++) {
            int s = ordo_read(obj, sc_off(keys[j]), slots[0].buf, o.value_size);
            if (s != ORDO_OK && !survivable(s))
                die("verify read", s);
            hash[j] = s == ORDO_OK ? value_hash(slots[0].buf) : 0;
        }
    }
    gather(hash, nk * sizeof(uint64_t), all);
    *unread = 0;
    *readers = 0;
    for (int r = 0; r < n; r++)
        for (size_t j = 0; j < nk; j++)
            if (all[(size_t)r * nk + j]) {
                (*readers)++;
                break;
            }
    for (size_t j = 0; j < nk; j++) {
        uint64_t ref = 0;
        int differ = 0;
        for (int r = 0; r < n; r++) {
            uint64_t h = all[(size_t)r * nk + j];
            if (h && !ref)
                ref = h;
            differ |= h && h != ref;
        }
        wrong += differ;
        *unread += !ref;
        if (differ && me == ordo_kv_lowest_live())
            printf("ordo_kv: key %" PRIu64 ": the survivors read different values: WRONG\n",
                   keys[j]);
    }
    *nkeys = nk;
    free(keys);
    free(hash);
    free(all);
    return wrong;
}

/* ---- set-up and summary ----------------------------------------------------------- */

static int setup(void)
{
    int s;
    R = o.replicas ? o.replicas : (n < 5 ? n : 5);
    W = o.wq ? o.wq : R / 2 + 1;
    Q = o.rq ? o.rq : R / 2 + 1;
    if (o.backend == KV_BACKEND_QREG && (R > n || W > R || Q > R || W + Q <= R)) {
        if (me == 0)
            fprintf(stderr,
                    "ordo_kv: bad quorums R %d, W %d, Q %d on %d ranks (expected R <= ranks, "
                    "1 <= W, Q <= R, W + Q > R)\n",
                    R, W, Q, n);
        return 0;
    }
    if ((s = ordo_kv_progress_init(o.quiet)) != ORDO_OK)
        die("progress", s);
    if (o.dist == KV_DIST_ZIPFIAN)
        ordo_kv_zipf_init(&zipf, o.keys, ORDO_KV_ZIPF_THETA);
    if (o.backend == KV_BACKEND_QREG) {
        s = ordo_qreg_create(o.keys, o.value_size, R, W, Q, 0, &reg);
    } else {
        sc_layout();
        s = ordo_obj_alloc(sc_blocks * sc_block, ORDO_MODEL_SC, &obj);
    }
    if (s != ORDO_OK)
        die(o.backend == KV_BACKEND_QREG ? "ordo_qreg_create" : "ordo_obj_alloc", s);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    yield_ok = cpus > 0 && ordo_local_size() > cpus;
    return 1;
}

static void summary(double dt, size_t nkeys, size_t wrong, size_t unread, int readers)
{
    uint64_t in[C_NC + 2 * NB], sum[C_NC + 2 * NB];
    memcpy(in, cnt, sizeof(cnt));
    memcpy(in + C_NC, hist_r, sizeof(hist_r));
    memcpy(in + C_NC + NB, hist_w, sizeof(hist_w));
    double dtmax;
    int anybad, mine = bad || wrong;
    reduce(in, sum, C_NC + 2 * NB, ORDO_DTYPE_UINT64, ORDO_OP_SUM);
    reduce(&dt, &dtmax, 1, ORDO_DTYPE_DOUBLE, ORDO_OP_MAX);
    reduce(&mine, &anybad, 1, ORDO_DTYPE_INT32, ORDO_OP_MAX);
    bad = anybad;
    if (me != ordo_kv_lowest_live())
        return;
    ordo_kv_progress_flush();
    ordo_membership_t m;
    ordo_membership(&m);
    const uint64_t *hr = sum + C_NC, *hw = sum + C_NC + NB;
    uint64_t ok = sum[C_READS] + sum[C_WRITES];
    char be[64] = "sc";
    if (o.backend == KV_BACKEND_QREG)
        snprintf(be, sizeof(be), "qreg (R %d, W %d, Q %d)", R, W, Q);
    printf("ordo_kv: workload %c, dist %s, backend %s, %d ranks (%d failed), %" PRIu64
           " keys of %" PRIu64 " B, %d in flight: %" PRIu64 " ops (%" PRIu64 " reads, %" PRIu64
           " writes, %" PRIu64 " failed, %" PRIu64 " unknown), %.0f ops/s, read p50 %.1f p99 "
           "%.1f p99.9 %.1f us, write p50 %.1f p99 %.1f p99.9 %.1f us, verified %zu keys on %d "
           "ranks (%zu unread, %zu differ): %s\n",
           o.workload, o.dist == KV_DIST_ZIPFIAN ? "zipfian" : "uniform", be, n, m.failed, o.keys,
           o.value_size, o.backend == KV_BACKEND_QREG ? o.inflight : 1, ok, sum[C_READS],
           sum[C_WRITES], sum[C_FAIL], sum[C_INFO], dtmax > 0 ? (double)ok / dtmax : 0.0,
           ordo_kv_hist_quantile_u64(hr, 0.5), ordo_kv_hist_quantile_u64(hr, 0.99),
           ordo_kv_hist_quantile_u64(hr, 0.999), ordo_kv_hist_quantile_u64(hw, 0.5),
           ordo_kv_hist_quantile_u64(hw, 0.99), ordo_kv_hist_quantile_u64(hw, 0.999), nkeys,
           readers, unread, wrong, bad ? "WRONG" : "ok");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (!ordo_kv_parse(argc, argv, &o))
        return 2;
    int s = ordo_init(&argc, &argv);
    if (s != ORDO_OK) {
        fprintf(stderr, "ordo_kv: ordo_init: %s\n", ordo_strerror(s));
        return 1;
    }
    me = ordo_rank();
    n = ordo_size();
    report_pid();
    if (!setup()) {
        ordo_finalize();
        return 2;
    }
    rng = o.seed * 0x100000001b3ull + (uint64_t)me * 0x9e3779b97f4a7c15ull;
    int nslots = o.backend == KV_BACKEND_QREG ? o.inflight : 1;
    slot_t *slots = calloc((size_t)nslots, sizeof(slot_t));
    if (!slots)
        die("set-up", ORDO_ERR_NOMEM);
    for (int i = 0; i < nslots; i++)
        if (!(slots[i].buf = malloc(o.value_size)))
            die("set-up", ORDO_ERR_NOMEM);
    meet();
    t_start = now_s();
    ordo_kv_progress_start(t_start);
    if (o.backend == KV_BACKEND_QREG)
        load_qreg(slots);
    else
        load_sc(slots);
    double dt = now_s() - t_start;
    ordo_kv_progress_end(dt);
    meet();
    size_t nkeys, unread;
    int readers;
    size_t wrong = verify(slots, &nkeys, &unread, &readers);
    summary(dt, nkeys, wrong, unread, readers);
    report(bad ? "failed" : "ok");
    if (reg)
        ordo_qreg_destroy(reg);
    if (obj)
        ordo_obj_free(obj);
    for (int i = 0; i < nslots; i++)
        free(slots[i].buf);
    free(slots);
    s = ordo_finalize();
    return bad ? 1 : s != ORDO_OK;
}
