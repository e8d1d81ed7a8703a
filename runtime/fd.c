/* fd.c - the failure detector (fd.h says what it does and why). */
#include "ordo_config.h"

#include "runtime/fd.h"

#include "runtime/boot.h"
#include "runtime/clock.h"
#include "runtime/fault.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FD_MAGIC 0x3164666fu /* "ofd1" */

enum { FD_HEARTBEAT = 1, FD_PROBE_REQ, FD_PROBE_ACK, FD_OBIT };

/* What travels on the detector's channel: one fixed-size message. */
typedef struct fd_msg {
    uint32_t magic;
    uint8_t kind;
    uint8_t pad[3];
    int32_t src;
    int32_t target; /* the rank a probe or an obituary is about */
    uint64_t seq;   /* a probe's answer: ns since the sender last heard the target itself */
} fd_msg_t;

/* A rank's state in the detector's own eyes (the thread writes, anyone reads). */
enum { FD_ALIVE, FD_SUSPECTED, FD_FAILED };

/* No one declared this rank failed. */
#define NOT_OUT (-1)

static struct {
    const ordo__tl_ops_t *ops;
    ordo__tl_t *tl;
    pthread_t thread;
    int running;
    volatile int stop;
    int n, me;
    uint64_t period_ns, timeout_ns;
    /* the thread's alone */
    uint64_t *last_heard;  /* evidence that the rank lives: its own messages, or a vouch */
    uint64_t *last_direct; /* its own messages only: what this rank may vouch with */
    uint64_t last_tick, seq, rng;
    /* shared, with atomics */
    uint8_t *state;       /* FD_*: what the thread believes */
    uint8_t *posted;      /* declared failed, for progress to apply */
    int32_t *by;          /* who declared it: -1 this rank's own detector */
    int out_by;           /* a rank that declared this one failed, or NOT_OUT */
    uint64_t pause_until; /* ORDO_FAULT pause: progress sleeps until then */
    uint64_t started_ns;  /* when the thread started */
    ordo__fd_stats_t stats;
} fd;

ordo__fd_config_t ordo__fd_cfg;

#define LOAD(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define COUNT(f)    __atomic_fetch_add(&fd.stats.f, 1, __ATOMIC_RELAXED)

int ordo__fd_suspected(int rank)
{
    return fd.state && rank >= 0 && rank < fd.n && LOAD(&fd.state[rank]) == FD_SUSPECTED;
}

void ordo__fd_stats(ordo__fd_stats_t *out)
{
    out->heartbeats_sent = LOAD(&fd.stats.heartbeats_sent);
    out->heartbeats_received = LOAD(&fd.stats.heartbeats_received);
    out->suspicions = LOAD(&fd.stats.suspicions);
    out->refuted = LOAD(&fd.stats.refuted);
    out->declared = LOAD(&fd.stats.declared);
    out->stalls = LOAD(&fd.stats.stalls);
    out->cpu_ns = out->run_ns = 0;
    clockid_t cid;
    struct timespec ts;
    if (fd.running && pthread_getcpuclockid(fd.thread, &cid) == 0 && clock_gettime(cid, &ts) == 0) {
        out->cpu_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        out->run_ns = ordo__now_ns() - fd.started_ns;
    }
}

void ordo__fd_describe(char *buf, size_t len)
{
    if (!ordo__fd_cfg.enabled)
        snprintf(buf, len, "off (ORDO_FD=n): only the transport reports failed peers");
    else
        snprintf(buf, len,
                 "heartbeat every %llu ms, suspect after %llu ms of silence, failed after %llu ms; "
                 "%llu indirect probes",
                 (unsigned long long)ordo__fd_cfg.period_ms,
                 (unsigned long long)ordo__fd_cfg.timeout_ms / 2,
                 (unsigned long long)ordo__fd_cfg.timeout_ms,
                 (unsigned long long)ordo__fd_cfg.indirect);
}

/* ---- the thread ---------------------------------------------------------- */

static void send_to_with(int peer, int kind, int target, uint64_t seq)
{
    if (ordo__fault_active() && ordo__fault_cut(peer, ordo__now_ns()))
        return; /* ORDO_FAULT: a partition separates us */
    fd_msg_t m = {
        .magic = FD_MAGIC, .kind = (uint8_t)kind, .src = fd.me, .target = target, .seq = seq};
    /* A message that cannot go at once is not sent: the next period's does. */
    if (fd.ops->caps & ORDO__TL_CAP_SEND_SHORT)
        (void)fd.ops->send_short(fd.tl, peer, &m, sizeof(m));
    else
        (void)fd.ops->send(fd.tl, peer, NULL, 0, &m, sizeof(m), NULL);
}

static void send_to(int peer, int kind, int target)
{
    send_to_with(peer, kind, target, ++fd.seq);
}

/* Tell progress (any thread may call it). */
static void post_failed(int peer, int by)
{
    STORE(&fd.by[peer], by);
    STORE(&fd.posted[peer], 1);
    __atomic_fetch_or(&ordo__modules_pending, 1u << ordo__fd_module.index, __ATOMIC_RELEASE);
}

/* Who found a failure, besides another rank (its number). */
#define BY_SILENCE (-1) /* this rank's detector: the peer was silent */
#define BY_CHANNEL (-2) /* the transport of the detector's channel broke */

/* The thread declares peer failed (by: who found it). */
static void declare(int peer, int by)
{
    if (LOAD(&fd.state[peer]) == FD_FAILED)
        return;
    STORE(&fd.state[peer], FD_FAILED);
    post_failed(peer, by);
    if (by >= 0)
        return; /* the one who found it has told everyone */
    COUNT(declared);
    for (int r = 0; r < fd.n; r++)
        if (r != fd.me && r != peer && LOAD(&fd.state[r]) != FD_FAILED)
            send_to(r, FD_OBIT, peer);
}

static uint64_t next_rand(void)
{
    fd.rng ^= fd.rng << 13;
    fd.rng ^= fd.rng >> 7;
    fd.rng ^= fd.rng << 17;
    return fd.rng;
}

/* Ask up to ORDO_FD_INDIRECT live ranks whether they hear suspect. */
static void probe_indirect(int suspect)
{
    int asked = 0, live = 0;
    for (int r = 0; r < fd.n; r++)
        live += r != fd.me && r != suspect && LOAD(&fd.state[r]) == FD_ALIVE;
    if (!live)
        return;
    /* from a random start, the next live ranks round the ring */
    int r = (int)(next_rand() % (uint64_t)fd.n);
    for (int i = 0; i < fd.n && asked < (int)ordo__fd_cfg.indirect; i++, r = (r + 1) % fd.n)
        if (r != fd.me && r != suspect && LOAD(&fd.state[r]) == FD_ALIVE) {
            send_to(r, FD_PROBE_REQ, suspect);
            asked++;
        }
}

static void tick(uint64_t now)
{
    uint64_t gap = now - fd.last_tick;
    fd.last_tick = now;
    if (gap > fd.timeout_ns / 2) {
        /* We did not run: the peers' silence is ours. */
        COUNT(stalls);
        ordo_log_info("failure detector: its thread did not run for %.0f ms; no peer is "
                      "suspected for that gap",
                      (double)gap / 1e6);
        for (int r = 0; r < fd.n; r++)
            fd.last_heard[r] = now;
    }
    for (int r = 0; r < fd.n; r++) {
        int st = LOAD(&fd.state[r]);
        if (r == fd.me || st == FD_FAILED)
            continue;
        send_to(r, FD_HEARTBEAT, r);
        COUNT(heartbeats_sent);
        uint64_t silent = now - fd.last_heard[r];
        if (silent >= fd.timeout_ns) {
            ordo_log_debug("failure detector: rank %d silent for %.0f ms", r, (double)silent / 1e6);
            declare(r, BY_SILENCE);
        } else if (silent >= fd.timeout_ns / 2 && st == FD_ALIVE) {
            STORE(&fd.state[r], FD_SUSPECTED);
            COUNT(suspicions);
            ordo_log_debug("failure detector: rank %d suspected (silent for %.0f ms)", r,
                           (double)silent / 1e6);
            probe_indirect(r);
        }
    }
}

/* Evidence that r lived at time t (t <= now). */
static void alive_at(int r, uint64_t t, uint64_t now)
{
    if (t > fd.last_heard[r])
        fd.last_heard[r] = t;
    if (now - fd.last_heard[r] < fd.timeout_ns / 2 && LOAD(&fd.state[r]) == FD_SUSPECTED) {
        STORE(&fd.state[r], FD_ALIVE);
        COUNT(refuted);
    }
}

/* A message from r itself. */
static void heard(int r, uint64_t now)
{
    fd.last_direct[r] = now;
    alive_at(r, now, now);
}

static void fd_recv(void *arg, const void *hdr, size_t hlen, const void *data, size_t len)
{
    fd_msg_t m;
    (void)arg;
    (void)hdr;
    if (hlen != 0 || len != sizeof(m))
        return;
    memcpy(&m, data, sizeof(m));
    if (m.magic != FD_MAGIC || m.src < 0 || m.src >= fd.n || m.src == fd.me || m.target < 0 ||
        m.target >= fd.n) {
        ordo_log_debug("failure detector: malformed message dropped");
        return;
    }
    uint64_t now = ordo__now_ns();
    int src = m.src;
    if (ordo__fault_active() && ordo__fault_cut(src, now))
        return; /* was on its way when the partition began */
    if (LOAD(&fd.state[src]) == FD_FAILED) {
        /* A rank we declared failed is still about: it is out, and must know. */
        if (m.kind == FD_HEARTBEAT)
            send_to(src, FD_OBIT, src);
        return;
    }
    switch (m.kind) {
    case FD_HEARTBEAT:
        COUNT(heartbeats_received);
        heard(src, now);
        break;
    case FD_PROBE_REQ:
        heard(src, now);
        /* Vouch only with what we heard from the target itself: vouches
         * passed on would keep a dead rank alive, each voucher refreshed by
         * the other's vouch. */
        if (LOAD(&fd.state[m.target]) != FD_FAILED &&
            now - fd.last_direct[m.target] < fd.timeout_ns / 2)
            send_to_with(src, FD_PROBE_ACK, m.target, now - fd.last_direct[m.target]);
        break;
    case FD_PROBE_ACK:
        heard(src, now);
        if (LOAD(&fd.state[m.target]) == FD_SUSPECTED && m.seq < fd.timeout_ns / 2) {
            ordo_log_debug("failure detector: rank %d vouches for suspected rank %d (heard "
                           "%.0f ms ago)",
                           src, m.target, (double)m.seq / 1e6);
            /* As old as the voucher's evidence, not new. */
            alive_at(m.target, now - m.seq, now);
        }
        break;
    case FD_OBIT:
        if (m.target == fd.me) {
            if (__atomic_exchange_n(&fd.out_by, src, __ATOMIC_ACQ_REL) == NOT_OUT)
                __atomic_fetch_or(&ordo__modules_pending, 1u << ordo__fd_module.index,
                                  __ATOMIC_RELEASE);
        } else {
            declare(m.target, src);
        }
        break;
    default:
        ordo_log_debug("failure detector: message of kind %u from rank %d dropped", m.kind, src);
    }
}

/* The transport of the detector's channel found a peer broken. */
static void fd_transport_failed(void *arg, int peer, int status)
{
    (void)arg;
    (void)status;
    declare(peer, BY_CHANNEL);
}

/* Sleep until the monotonic time until (in slices, so that stop, if given,
 * is noticed within one). */
static void sleep_until(uint64_t until, const volatile int *stop)
{
    uint64_t now;
    while ((!stop || !*stop) && (now = ordo__now_ns()) < until) {
        uint64_t left = until - now, slice = left < 50000000u ? left : 50000000u;
        struct timespec ts = {0, (long)slice};
        nanosleep(&ts, NULL);
    }
}

/* ORDO_FAULT: this rank crashes, or pauses (progress and this thread stop
 * until the pause ends, as a SIGSTOP or a long GC would).  Returns the
 * earlier of wake and the next time a fault of this rank's is due. */
static uint64_t act_on_faults(uint64_t wake)
{
    if (!ordo__fault_active())
        return wake;
    uint64_t now = ordo__now_ns(), until;
    if (now >= ordo__fault_crash_at()) {
        ordo_log_warn("ORDO_FAULT: rank %d crashes now (SIGKILL)", fd.me);
        fflush(stderr);
        raise(SIGKILL);
    }
    if (ordo__fault_paused(now, &until)) {
        ordo_log_info("ORDO_FAULT: rank %d pauses for %.0f ms", fd.me, (double)(until - now) / 1e6);
        STORE(&fd.pause_until, until);
        __atomic_fetch_or(&ordo__modules_pending, 1u << ordo__fd_module.index, __ATOMIC_RELEASE);
        sleep_until(until, &fd.stop);
        now = ordo__now_ns();
    }
    uint64_t ev = ordo__fault_next_event_ns(now);
    return ev < wake ? ev : wake;
}

/* ORDO_FD=n with crashes or pauses to inject: the thread only keeps time. */
static void *faults_main(void *arg)
{
    (void)arg;
    while (!fd.stop)
        sleep_until(act_on_faults(ordo__now_ns() + 50000000u), &fd.stop);
    return NULL;
}

static void *fd_main(void *arg)
{
    (void)arg;
    uint64_t now = ordo__now_ns(), next = now;
    fd.last_tick = now;
    for (int r = 0; r < fd.n; r++)
        fd.last_heard[r] = fd.last_direct[r] = now;
    while (!fd.stop) {
        uint64_t wake = act_on_faults(next);
        now = ordo__now_ns();
        if (now >= next) {
            tick(now);
            next += fd.period_ns;
            if (next <= now)
                next = now + fd.period_ns;
            wake = next < wake ? next : wake;
        }
        while (fd.ops->progress(fd.tl) > 0)
            ;
        now = ordo__now_ns();
        int ms = wake > now ? (int)((wake - now + 999999u) / 1000000u) : 0;
        if (ms > 0 && fd.ops->arm(fd.tl) == ORDO_OK)
            fd.ops->sleep(fd.tl, ms);
    }
    return NULL;
}

/* ---- the module ---------------------------------------------------------- */

static int fd_open(void)
{
    ordo__tl_params_t params = {
        .rank = fd.me,
        .nranks = fd.n,
        .wakeup = 1,
        .peer_errors = ordo__rt.cfg.peer_errors,
        .light = 1,
        .recv = fd_recv,
        .peer_failed = fd_transport_failed,
    };
    fd.ops = ordo__rt.tl_ops;
    if (!(fd.ops->caps & ORDO__TL_CAP_EVENT_FD)) {
        ordo_log_error("failure detector: transport %s cannot sleep on the network "
                       "(set ORDO_FD=n)",
                       fd.ops->name);
        return ORDO_ERR_UNSUPPORTED;
    }
    return fd.ops->open(&params, &fd.tl);
}

static void fd_fini(void)
{
    if (fd.running && fd.tl) {
        ordo__fd_stats_t st;
        ordo__fd_stats(&st);
        ordo_log_info("failure detector: %llu heartbeats sent, %llu received, %llu "
                      "suspicions (%llu refuted), %llu declared; its thread used %.1f ms of CPU "
                      "in %.1f s (%.3f%%)",
                      (unsigned long long)st.heartbeats_sent,
                      (unsigned long long)st.heartbeats_received, (unsigned long long)st.suspicions,
                      (unsigned long long)st.refuted, (unsigned long long)st.declared,
                      (double)st.cpu_ns / 1e6, (double)st.run_ns / 1e9,
                      st.run_ns ? 100.0 * (double)st.cpu_ns / (double)st.run_ns : 0.0);
    }
    if (fd.running) {
        fd.stop = 1;
        pthread_join(fd.thread, NULL);
        fd.running = 0;
    }
    if (fd.tl)
        fd.ops->close(fd.tl, 100);
    free(fd.last_heard);
    free(fd.last_direct);
    free(fd.state);
    free(fd.posted);
    free(fd.by);
    memset(&fd, 0, sizeof(fd));
}

static int fd_init(void)
{
    memset(&fd, 0, sizeof(fd));
    fd.out_by = NOT_OUT;
    fd.n = ordo__rt.size;
    fd.me = ordo__rt.rank;
    if (!ordo__fd_cfg.enabled) {
        if (!ordo__rt.cfg.fault.nevents)
            return ORDO_OK;
        if (pthread_create(&fd.thread, NULL, faults_main, NULL) != 0) {
            ordo_log_error("ORDO_FAULT: cannot start the thread that injects crashes and pauses");
            return ORDO_ERR_NOMEM;
        }
        fd.running = 1;
        return ORDO_OK;
    }
    int status = ORDO_OK;
    if (ordo__fd_cfg.timeout_ms < 2 * ordo__fd_cfg.period_ms) {
        ordo_log_error("ORDO_FD_TIMEOUT_MS=%llu: must be at least twice ORDO_FD_PERIOD_MS=%llu "
                       "(a peer is suspected after half the timeout)",
                       (unsigned long long)ordo__fd_cfg.timeout_ms,
                       (unsigned long long)ordo__fd_cfg.period_ms);
        status = ORDO_ERR_CONFIG;
    }
    fd.period_ns = ordo__fd_cfg.period_ms * 1000000u;
    fd.timeout_ns = ordo__fd_cfg.timeout_ms * 1000000u;
    fd.rng = 0x9e3779b97f4a7c15ull * (uint64_t)(fd.me + 1);
    size_t n = (size_t)fd.n;
    fd.last_heard = calloc(n, sizeof(*fd.last_heard));
    fd.last_direct = calloc(n, sizeof(*fd.last_direct));
    fd.state = calloc(n, 1);
    fd.posted = calloc(n, 1);
    fd.by = calloc(n, sizeof(*fd.by));
    if (status == ORDO_OK &&
        (!fd.last_heard || !fd.last_direct || !fd.state || !fd.posted || !fd.by))
        status = ORDO_ERR_NOMEM;
    if (status == ORDO_OK)
        status = fd_open();
    /* Every rank opens its channel, or none goes on (the exchange is collective). */
    status = ordo__boot_agree(status);
    if (status == ORDO_OK)
        status = ordo__tl_exchange(fd.ops, fd.tl);
    status = ordo__boot_agree(status);
    fd.started_ns = ordo__now_ns();
    if (status == ORDO_OK && pthread_create(&fd.thread, NULL, fd_main, NULL) != 0) {
        ordo_log_error("failure detector: cannot start its thread");
        status = ORDO_ERR_NOMEM;
    }
    fd.running = status == ORDO_OK;
    if (status == ORDO_OK)
        ordo__topo_bind_thread(&ordo__rt.topo, fd.thread, ORDO__TOPO_THREAD_FD);
    if (status != ORDO_OK)
        fd_fini();
    return status;
}

/* Apply what the thread found to the view. */
static void fd_progress(void)
{
    for (int r = 0; fd.posted && r < fd.n; r++) {
        if (!LOAD(&fd.posted[r]) || !__atomic_exchange_n(&fd.posted[r], 0, __ATOMIC_ACQ_REL))
            continue;
        int by = LOAD(&fd.by[r]);
        char why[96];
        if (by == BY_SILENCE)
            snprintf(why, sizeof(why), "silent for %llu ms",
                     (unsigned long long)ordo__fd_cfg.timeout_ms);
        else if (by == BY_CHANNEL)
            snprintf(why, sizeof(why), "the failure detector's connection to it broke");
        else
            snprintf(why, sizeof(why), "rank %d's detector declared it failed", by);
        ordo__member_fail(r, ORDO_ERR_PEER_FAILED, why);
    }
    int by = LOAD(&fd.out_by);
    if (by != NOT_OUT)
        ordo__member_fail_self(by);
    /* ORDO_FAULT pause: progress stops too (the lock held: a progress
     * thread's pause stops the application's calls as well). */
    sleep_until(LOAD(&fd.pause_until), NULL);
}

/* The view learnt of a failure (from any source): stop watching the rank. */
static void fd_peer_failed(int peer, int status)
{
    (void)status;
    if (fd.state)
        STORE(&fd.state[peer], FD_FAILED);
}

static const ordo__cfg_entry_t fd_cfg_table[] = {
    {"ORDO_FD", ORDO__CFG_BOOL, "y",
     "Run the failure detector: a light thread that sends heartbeats to every peer on a channel "
     "of its own, so a dead, paused or cut-off peer is declared failed within ORDO_FD_TIMEOUT_MS "
     "even where the transport says nothing (n: only the transport reports failures).",
     offsetof(ordo__fd_config_t, enabled), NULL, 0, 0, NULL},
    {"ORDO_FD_PERIOD_MS", ORDO__CFG_UINT, "500", "Milliseconds between heartbeats to each peer.",
     offsetof(ordo__fd_config_t, period_ms), NULL, 1, 600000, NULL},
    {"ORDO_FD_TIMEOUT_MS", ORDO__CFG_UINT, "5000",
     "Milliseconds of silence after which a peer is declared failed (suspected, and probed "
     "through other ranks, after half of it); every call that needs a failed peer then ends "
     "with ORDO_ERR_PEER_FAILED.  At least twice ORDO_FD_PERIOD_MS.",
     offsetof(ordo__fd_config_t, timeout_ms), NULL, 2, 3600000, NULL},
    {"ORDO_FD_INDIRECT", ORDO__CFG_UINT, "2",
     "Ranks asked whether they hear a suspected peer (SWIM's indirect probe); one that does "
     "vouches for it.",
     offsetof(ordo__fd_config_t, indirect), NULL, 0, 64, NULL},
};

ordo__module_t ordo__fd_module = {
    .name = "failure detector",
    .cfg = fd_cfg_table,
    .cfg_len = sizeof(fd_cfg_table) / sizeof(fd_cfg_table[0]),
    .cfg_values = &ordo__fd_cfg,
    .cfg_size = sizeof(ordo__fd_cfg),
    .init = fd_init,
    .fini = fd_fini,
    .progress = fd_progress,
    .peer_failed = fd_peer_failed,
};
