/*
 * init.c - start-up and shut-down of the runtime, progress and waiting.
 *
 * Start-up, in order: configuration (the runtime's table and every
 * module's), bootstrap, topology, clocks, message layer, transport,
 * address exchange, the modules' init (module.h), calibration, progress
 * thread.  Shut-down quiesces the modules, agrees with every rank to leave,
 * and undoes the rest in reverse.
 */
#include "ordo_config.h"

#include "runtime/boot.h"
#include "runtime/clock.h"
#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/member.h"
#include "runtime/rt.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

ordo__rt_t ordo__rt;
ORDO__TLS int ordo__in_handler;

/* How long ordo_finalize waits for endpoints to close cleanly. */
#define CLOSE_TIMEOUT_MS 2000
/* Longest single sleep of ORDO_WAIT=block, so deadlines are noticed. */
#define BLOCK_SLICE_MS 100

/* How long ORDO_WAIT=block may sleep at now_ns: at most max_ms, and not
 * past the next timer (its callback runs in the progress after the sleep). */
static int sleep_ms(uint64_t now_ns, int max_ms)
{
    uint64_t next = ordo__timer_next_ns();
    if (next == UINT64_MAX)
        return max_ms;
    if (next <= now_ns)
        return 0;
    uint64_t ms = (next - now_ns + 999999u) / 1000000u;
    return ms < (uint64_t)max_ms ? (int)ms : max_ms;
}

static void warn_unknown(const char *var)
{
    ordo_log_warn("unknown variable %s ignored (ordo_info lists the known ORDO_* variables)", var);
}

/* The runtime's table, then every module's; then ORDO_* variables none knows. */
static int load_config(void)
{
    char err[1024];
    size_t n = ordo__module_count();
    ordo__cfg_table_t tables[ORDO__MODULE_MAX + 1];

    tables[0] = ordo__config_table(&ordo__rt.cfg);
    int status = ordo__cfg_table_load(&tables[0], ordo__rt.cfg_origin, environ, err, sizeof(err));
    for (size_t i = 0; i < n && status == ORDO_OK; i++) {
        ordo__module_t *m = ordo__module_at(i);
        tables[i + 1] = ordo__module_cfg_table(m);
        if (m->cfg_len)
            status = ordo__cfg_table_load(&tables[i + 1], m->cfg_origin, environ, err, sizeof(err));
    }
    if (status != ORDO_OK) {
        ordo_log_error("%s", err);
        return status;
    }
    ordo__log_level = ordo__rt.cfg.log_level;
    ordo__cfg_warn_unknown(tables, n + 1, environ, warn_unknown);
    return ORDO_OK;
}

/* ORDO_FAULT names only ranks the job has (known once bootstrapped). */
static int check_fault_ranks(void)
{
    char why[512];
    if (ordo__fault_check_ranks(&ordo__rt.cfg.fault, ordo__rt.size, why, sizeof(why)) == 0)
        return ORDO_OK;
    ordo_log_error("bad value ORDO_FAULT: %s", why);
    return ORDO_ERR_CONFIG;
}

/* Fault windows count from here, the end of ordo_init; the progress thread
 * may already run, hence the lock. */
static void start_faults(void)
{
    pthread_mutex_lock(&ordo__rt.lock);
    ordo__fault_init(&ordo__rt.cfg.fault, ordo__rt.rank, ordo__rt.size, ordo__now_ns());
    pthread_mutex_unlock(&ordo__rt.lock);
}

int ordo__tl_exchange(const ordo__tl_ops_t *ops, ordo__tl_t *tl)
{
    const void *addr;
    size_t len, max_len = 0;
    int status = ops->address(tl, &addr, &len);
    if (status != ORDO_OK)
        return status;

    size_t *lens = calloc((size_t)ordo__rt.size, sizeof(*lens));
    if (!lens)
        return ORDO_ERR_NOMEM;
    status = ordo__boot_allgather(&len, sizeof(len), lens);
    if (status != ORDO_OK)
        goto out_lens;
    for (int r = 0; r < ordo__rt.size; r++)
        max_len = lens[r] > max_len ? lens[r] : max_len;

    char *mine = calloc(1, max_len);
    char *all = calloc((size_t)ordo__rt.size, max_len);
    if (!mine || !all) {
        status = ORDO_ERR_NOMEM;
        goto out_bufs;
    }
    memcpy(mine, addr, len);
    status = ordo__boot_allgather(mine, max_len, all);
    if (status == ORDO_OK)
        status = ops->connect(tl, all, max_len, lens);
out_bufs:
    free(all);
    free(mine);
out_lens:
    free(lens);
    return status;
}

/* ORDO_WAIT=auto: spin while every rank of the node can have a core to itself. */
static int resolve_wait_mode(void)
{
    if (ordo__rt.cfg.wait_mode != ORDO__WAIT_AUTO)
        return ordo__rt.cfg.wait_mode;
    int pus = ordo__rt.topo.host_pus > 0 ? ordo__rt.topo.host_pus : 1;
    return ordo__rt.topo.local_size <= pus ? ORDO__WAIT_SPIN : ORDO__WAIT_YIELD;
}

/* The backend ORDO_TRANSPORT names, and what it cannot do. */
static void choose_transport(void)
{
    const ordo__tl_ops_t *tl = ordo__tl_backends[ordo__rt.cfg.transport];
    ordo__rt.tl_ops = tl;
    if (ordo__rt.wait_mode == ORDO__WAIT_BLOCK && !(tl->caps & ORDO__TL_CAP_EVENT_FD)) {
        ordo_log_warn("ORDO_WAIT=block: transport %s cannot sleep on the network; yielding",
                      tl->name);
        ordo__rt.wait_mode = ORDO__WAIT_YIELD;
    }
    if (ordo__rt.cfg.peer_errors && !(tl->caps & ORDO__TL_CAP_PEER_ERR))
        ordo_log_warn("ORDO_PEER_ERRORS=y: transport %s does not report dead peers", tl->name);
}

static int open_transport(void)
{
    ordo__tl_params_t params = {
        .rank = ordo__rt.rank,
        .nranks = ordo__rt.size,
        .wakeup = ordo__rt.wait_mode == ORDO__WAIT_BLOCK,
        .peer_errors = ordo__rt.cfg.peer_errors,
        .recv = ordo__rpc_recv,
        .peer_failed = ordo__member_transport_failed,
        .arg = NULL,
    };
    return ordo__rt.tl_ops->open(&params, &ordo__rt.tl);
}

/* ORDO_PROGRESS=thread: handlers also run while the application computes. */
static void *progress_main(void *arg)
{
    (void)arg;
    while (!ordo__rt.progress_stop) {
        pthread_mutex_lock(&ordo__rt.lock);
        int events = ordo__progress();
        pthread_mutex_unlock(&ordo__rt.lock);
        if (events > 0)
            continue;
        if (ordo__rt.wait_mode == ORDO__WAIT_BLOCK) {
            pthread_mutex_lock(&ordo__rt.lock);
            int armed = ordo__rt.tl_ops->arm(ordo__rt.tl);
            pthread_mutex_unlock(&ordo__rt.lock);
            if (armed == ORDO_OK)
                ordo__rt.tl_ops->sleep(ordo__rt.tl, sleep_ms(ordo__now_ns(), BLOCK_SLICE_MS));
        } else if (ordo__rt.wait_mode == ORDO__WAIT_YIELD) {
            sched_yield();
        }
    }
    return NULL;
}

static int start_progress_thread(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&ordo__rt.lock, &attr);
    pthread_mutexattr_destroy(&attr);
    if (ordo__rt.cfg.progress != 1)
        return ORDO_OK;
    ordo__rt.progress_stop = 0;
    ordo__rt.threaded = 1;
    if (pthread_create(&ordo__rt.progress_thread, NULL, progress_main, NULL) != 0) {
        ordo__rt.threaded = 0;
        ordo_log_error("cannot start the progress thread");
        return ORDO_ERR_NOMEM;
    }
    ordo__topo_bind_thread(&ordo__rt.topo, ordo__rt.progress_thread, ORDO__TOPO_THREAD_PROGRESS);
    return ORDO_OK;
}

static void stop_progress_thread(void)
{
    if (!ordo__rt.threaded)
        return;
    ordo__rt.progress_stop = 1;
    pthread_join(ordo__rt.progress_thread, NULL);
    ordo__rt.threaded = 0;
}

enum { STAGE_NONE, STAGE_LCLOCK, STAGE_RPC, STAGE_TL };

int ordo__rt_init(int *argc, char ***argv)
{
    int status, stage = STAGE_NONE;

    if (ordo__rt.initialized)
        return ORDO_ERR_ALREADY_INIT;
    memset(&ordo__rt, 0, sizeof(ordo__rt));

    status = load_config();
    if (status != ORDO_OK)
        return status;
    status = ordo__boot_init(argc, argv, &ordo__rt.rank, &ordo__rt.size);
    if (status != ORDO_OK)
        return status;
    ordo__log_set_rank(ordo__rt.rank);
    ordo__rt.peer_failed = calloc((size_t)ordo__rt.size, 1);
    if (!ordo__rt.peer_failed || ordo__member_init(ordo__rt.size) != ORDO_OK) {
        status = ORDO_ERR_NOMEM;
        goto err_failed;
    }
    status = ordo__topo_init(&ordo__rt.topo, ordo__rt.rank, ordo__rt.size, ordo__rt.cfg.bind);
    if (status != ORDO_OK)
        goto err_failed;
    ordo__rt.wait_mode = resolve_wait_mode();
    ordo__rt.fast_polls =
        ordo__rt.wait_mode == ORDO__WAIT_SPIN ? ORDO__FAST_POLLS : ORDO__FAST_POLLS_SHARE;
    choose_transport();
    /* Local steps, then every rank agrees before the next collective one. */
    status = check_fault_ranks();
    if (status == ORDO_OK)
        status = ordo__lclock_init(ordo__rt.rank, ordo__rt.size, ordo__rt.cfg.clocks,
                                   ordo__rt.cfg.hlc_max_offset_us, ordo__rt.cfg.trace_dir);
    if (status == ORDO_OK) {
        stage = STAGE_LCLOCK;
        status = ordo__rpc_init();
    }
    if (status == ORDO_OK) {
        stage = STAGE_RPC;
        status = open_transport();
    }
    if (status == ORDO_OK)
        stage = STAGE_TL;
    status = ordo__boot_agree(status);
    if (status != ORDO_OK)
        goto err;
    status = ordo__tl_exchange(ordo__rt.tl_ops, ordo__rt.tl);
    if (status == ORDO_OK)
        status = ordo__modules_init();
    /* ... and every rank can receive before anyone calibrates. */
    status = ordo__boot_agree(status);
    if (status != ORDO_OK)
        goto err;
    ordo__rpc_set_proto_internal(ordo__rt.cfg.proto);
    status = ordo__rpc_calibrate();
    if (status == ORDO_OK)
        status = start_progress_thread();
    /* Every rank is ready to receive before anyone returns from ordo_init. */
    status = ordo__boot_agree(status);
    if (status != ORDO_OK)
        goto err;
    start_faults();
    ordo__rt.initialized = 1;
    ordo_log_info("initialized: rank %d of %d on %s", ordo__rt.rank, ordo__rt.size,
                  ordo__rt.topo.ranks[ordo__rt.rank].host);
    return ORDO_OK;

err:
    stop_progress_thread();
    if (stage >= STAGE_TL)
        ordo__rt.tl_ops->close(ordo__rt.tl, CLOSE_TIMEOUT_MS);
    ordo__modules_fini();
    if (stage >= STAGE_RPC)
        ordo__rpc_fini();
    ordo__timers_fini();
    if (stage >= STAGE_LCLOCK)
        ordo__lclock_fini();
    ordo__topo_fini(&ordo__rt.topo);
err_failed:
    ordo__member_fini();
    free(ordo__rt.peer_failed);
    ordo__rt.peer_failed = NULL;
    ordo__boot_finalize(0);
    ordo__log_set_rank(-1);
    return status;
}

int ordo__rt_finalize(void)
{
    int status, ls;

    ORDO__CHECK_INIT();
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    /* Our sends are out, and every live rank has stopped sending: then
     * close.  From here on a peer that goes away has finished, not failed. */
    ORDO__LOCK();
    /* The modules' own work goes first (writes still in a store buffer or
     * on their way to replicas). */
    int qs = ordo__modules_quiesce(ordo__deadline());
    status = ordo__rpc_quiesce(ordo__deadline());
    if (status == ORDO_OK)
        status = qs;
    int failed_before = ordo__rt.npeers_failed;
    ordo__rt.finalizing = 1;
    ls = ordo__modules_leave();
    if (status == ORDO_OK)
        status = ls;
    /* Our "leaving" is out before the endpoints close. */
    (void)ordo__rpc_quiesce(ordo__deadline());
    ORDO__UNLOCK();
    stop_progress_thread();
    ordo__rt.initialized = 0;
    ordo__rt.tl_ops->close(ordo__rt.tl, CLOSE_TIMEOUT_MS);
    ordo__modules_fini();
    ordo__rpc_fini();
    ordo__timers_fini();
    ordo__lclock_fini();
    ordo__topo_fini(&ordo__rt.topo);
    pthread_mutex_destroy(&ordo__rt.lock);
    /* MPI_Finalize is safe only if every rank reached ordo_finalize. */
    int peers_failed = failed_before > 0 || ls != ORDO_OK;
    ordo__member_fini();
    free(ordo__rt.peer_failed);
    ordo__rt.peer_failed = NULL;
    int boot_status = ordo__boot_finalize(peers_failed);
    ordo__log_set_rank(-1);
    return status != ORDO_OK ? status : boot_status;
}

int ordo_initialized(void)
{
    return ordo__rt.initialized;
}

int ordo_rank(void)
{
    ORDO__CHECK_INIT();
    return ordo__rt.rank;
}

int ordo_size(void)
{
    ORDO__CHECK_INIT();
    return ordo__rt.size;
}

int ordo_local_rank(void)
{
    ORDO__CHECK_INIT();
    return ordo__rt.topo.ranks[ordo__rt.rank].local_rank;
}

int ordo_local_size(void)
{
    ORDO__CHECK_INIT();
    return ordo__rt.topo.local_size;
}

int ordo_same_node(int a, int b)
{
    ORDO__CHECK_INIT();
    if (a < 0 || b < 0 || a >= ordo__rt.size || b >= ordo__rt.size)
        return ORDO_ERR_INVALID;
    return ordo__rt.topo.ranks[a].node == ordo__rt.topo.ranks[b].node;
}

int ordo_numa_node(int r)
{
    ORDO__CHECK_INIT();
    if (r < 0 || r >= ordo__rt.size)
        return ORDO_ERR_INVALID;
    return ordo__rt.topo.ranks[r].numa;
}

int ordo_progress(void)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int events = ordo__in_handler ? ORDO_ERR_INVALID : ordo__progress();
    ORDO__UNLOCK();
    return events;
}

uint64_t ordo__deadline(void)
{
    return ordo__now_ns() + ordo__rt.cfg.timeout_ms * 1000000u;
}

/* Polls before a wait reads the clock, yields or sleeps: a reply often
 * comes within a few. */

int ordo__wait_slow(int (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
    unsigned idle = 0;

    while (!done(arg)) {
        if (ordo__progress() > 0) {
            idle = 0;
            continue;
        }
        /* Spinning reads the clock only now and then. */
        if (ordo__rt.wait_mode == ORDO__WAIT_SPIN && (++idle & 63) != 0)
            continue;
        uint64_t now = ordo__now_ns();
        if (!deadline_ns) /* the timeout runs from the first time we wait */
            deadline_ns = now + ordo__rt.cfg.timeout_ms * 1000000u;
        if (now >= deadline_ns)
            return done(arg) ? ORDO_OK : ORDO_ERR_TIMEOUT;
        if (ordo__rt.wait_mode == ORDO__WAIT_YIELD ||
            (ordo__rt.wait_mode == ORDO__WAIT_BLOCK && ordo__rt.threaded)) {
            /* With a progress thread only that thread sleeps on the event fd:
             * two sleepers arming one worker can miss a wake-up. */
            sched_yield();
        } else if (ordo__rt.wait_mode == ORDO__WAIT_BLOCK) {
            uint64_t left_ms = (deadline_ns - now) / 1000000u + 1;
            if (ordo__rt.tl_ops->arm(ordo__rt.tl) == ORDO_OK)
                ordo__rt.tl_ops->sleep(
                    ordo__rt.tl,
                    sleep_ms(now, left_ms < BLOCK_SLICE_MS ? (int)left_ms : BLOCK_SLICE_MS));
        }
    }
    return ORDO_OK;
}
