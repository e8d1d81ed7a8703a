/*
 * quorum.c - the quorum module: rounds (quorum.h), the replicas of a key on
 * the ring, deferred work, the configuration of registers, locks and their
 * histories.  The protocols are qreg.c (ABD registers) and qlock.c (locks
 * and leases); this file knows neither's messages.
 */
#include "ordo_config.h"

#include "consistency/quorum.h"
#include "runtime/fifo.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

ordo__quorum_config_t ordo__quorum_cfg;

/* ---- rounds --------------------------------------------------------------------- */

static void round_check(ordo__qround_t *r)
{
    if (!r->is_decided && (r->ok >= r->need || r->n - r->bad < r->need)) {
        r->is_decided = 1;
        r->decided_ok = r->ok >= r->need;
        r->decided(r);
    }
    if (r->is_decided && r->pending == 0 && r->idle)
        r->idle(r);
}

static void round_end_call(ordo__qround_t *r, int idx, int status, size_t len)
{
    r->status[idx] = status;
    r->reply_len[idx] = len;
    if (status == ORDO_OK && (!r->answered || r->answered(r, idx))) {
        r->ok++;
    } else {
        r->bad++;
        r->fenced |= status == ORDO_ERR_FENCED;
    }
}

static void round_answer(ordo_request_t *req, int status, void *arg)
{
    ordo__qround_call_t *c = arg;
    ordo__qround_t *r = c->round;
    r->pending--;
    round_end_call(r, c->idx, status, status == ORDO_OK ? ordo_request_reply_len(req) : 0);
    round_check(r);
}

void ordo__qround_start(ordo__qround_t *r, unsigned id, const void *req, size_t len)
{
    r->ok = r->bad = r->pending = 0;
    r->is_decided = r->decided_ok = r->fenced = 0;
    for (int i = 0; i < r->n; i++)
        r->status[i] = 1;
    r->pending = r->n; /* held until every call is started: no early idle */
    int self = -1;
    for (int i = 0; i < r->n; i++) {
        int rank = r->rank[i];
        int s = ORDO_ERR_PEER_FAILED;
        r->call[i] = (ordo__qround_call_t){r, i};
        if (rank == ordo__rt.rank && r->local) {
            self = i; /* answered below, once the others' messages are out */
            continue;
        }
        if (!ordo__rt.peer_failed[rank])
            s = ordo__rpc_call_nb_reply_cb(rank, id, req, len,
                                           r->cap ? r->replies + i * r->cap : NULL, r->cap,
                                           round_answer, &r->call[i]);
        if (s != ORDO_OK) { /* not sent: no callback comes */
            r->pending--;
            round_end_call(r, i, s, 0);
        }
    }
    if (self >= 0) {
        size_t got = 0;
        int s = r->local(req, len, r->cap ? r->replies + self * r->cap : NULL, r->cap, &got);
        r->pending--;
        round_end_call(r, self, s, got);
    }
    /* The calls' own share of pending went down in their callbacks; what
     * is left of the hold is the calls still out. */
    round_check(r);
}

int ordo__qround_status(const ordo__qround_t *r)
{
    if (r->is_decided && r->decided_ok)
        return ORDO_OK;
    return r->fenced ? ORDO_ERR_FENCED : ORDO_ERR_NO_QUORUM;
}

/* ---- placement ------------------------------------------------------------------ */

static ordo__ring_t ring;

const ordo__ring_t *ordo__quorum_ring(void)
{
    return &ring;
}

void ordo__quorum_replicas(const ordo__ring_t *rg, uint64_t key, int replicas, int *out)
{
    size_t lo = 0, hi = rg->npoints; /* key's point: the first at or after it */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rg->point[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    int got = 0;
    for (size_t step = 0; step < rg->npoints && got < replicas; step++) {
        int owner = rg->owner[(lo + step) % rg->npoints];
        int seen = 0;
        for (int i = 0; i < got && !seen; i++)
            seen = out[i] == owner;
        if (!seen)
            out[got++] = owner;
    }
}

static uint32_t last_id;

uint32_t ordo__quorum_next_id(void)
{
    return ++last_id;
}

/* ---- deferred work ---------------------------------------------------------------- */

typedef struct deferred {
    void (*fn)(void *arg);
    void *arg;
} deferred_t;

static ordo__fifo_t later = {.size = sizeof(deferred_t)};

int ordo__quorum_defer(void (*fn)(void *arg), void *arg)
{
    deferred_t d = {fn, arg};
    int status = ordo__fifo_push(&later, &d);
    if (status == ORDO_OK)
        ordo__module_wake(&ordo__quorum_module);
    return status;
}

/* Run what was deferred before this call; what it defers runs next time. */
static void quorum_progress(void)
{
    for (size_t n = later.count; n > 0 && later.count > 0; n--) {
        deferred_t d;
        ordo__fifo_pop(&later, &d);
        d.fn(d.arg);
    }
    if (later.count)
        ordo__module_wake(&ordo__quorum_module);
}

/* ---- the module ------------------------------------------------------------------- */

static int quorum_init(void)
{
    last_id = 0;
    ordo__fifo_init(&later, sizeof(deferred_t));
    int status = ordo__ring_build(&ring, ordo__rt.size, NULL, (unsigned)ordo__obj_cfg.obj_vnodes);
    if (status == ORDO_OK)
        status = ordo__qreg_init();
    if (status == ORDO_OK)
        status = ordo__qlock_init();
    if (status != ORDO_OK) {
        ordo__qreg_fini();
        ordo__ring_free(&ring);
    }
    return status;
}

static void quorum_fini(void)
{
    ordo__qlock_fini();
    ordo__qreg_fini();
    ordo__ring_free(&ring);
    ordo__fifo_free(&later);
}

#define QUORUM_FIELD(f) offsetof(ordo__quorum_config_t, f)

static const char *const history_formats[] = {"edn", "json", NULL};

static const ordo__cfg_entry_t quorum_cfg_table[] = {
    {"ORDO_HISTORY", ORDO__CFG_PATH, "",
     "Directory where every rank logs each register and lock operation (invoke and completion) "
     "for linearizability checkers (ordo-lincheck, Knossos); empty: off.",
     QUORUM_FIELD(history), NULL, 0, 0, NULL},
    {"ORDO_HISTORY_FORMAT", ORDO__CFG_ENUM, "edn",
     "Format of the histories: edn (Jepsen's maps, one per line) or json (JSON lines, same "
     "fields).",
     QUORUM_FIELD(history_format), history_formats, 0, 0, NULL},
    {"ORDO_CLOCK_DRIFT_PPM", ORDO__CFG_UINT, "200",
     "rho, the bound on every rank's clock rate error in parts per million: lease holders stop "
     "trusting a lease of D at D - 2*rho*D, replicas grant it again after D + 2*rho*D.",
     QUORUM_FIELD(drift_ppm), NULL, 0, 500000, NULL},
    {"ORDO_LEASE_GUARD", ORDO__CFG_BOOL, "y",
     "The lease guard 2*rho*D; n only to show what it prevents (two holders overlap when "
     "clocks drift).",
     QUORUM_FIELD(lease_guard), NULL, 0, 0, NULL},
    {"ORDO_QREG_DEGRADE_MS", ORDO__CFG_UINT, "100",
     "Milliseconds a read of a register created with ORDO_QREG_DEGRADED_READ waits for Q "
     "answers before it returns the freshest of the answers it has (at least one; it waits for "
     "the first), flagged ORDO_QREG_STALE; a quorum out of reach sooner (replicas failed) "
     "answers once every call has ended or at this bound, whichever comes first. 0: no bound, "
     "every call must end (a call to a replica cut off by a partition shorter than "
     "ORDO_FD_TIMEOUT_MS ends only when the cut heals, or at ORDO_TIMEOUT_MS), so the read "
     "never answers while the cut lasts. The default, 100, is far above a healthy quorum's "
     "round trip, so a read degrades only when replicas are out of reach, and far below the "
     "failure detector's timeout: a reader cut off keeps answering, which is what asking for "
     "degraded reads means. Taken when a register set is created.",
     QUORUM_FIELD(qreg_degrade_ms), NULL, 0, 3600000, NULL},
};

ordo__module_t ordo__quorum_module = {
    .name = "quorum",
    .cfg = quorum_cfg_table,
    .cfg_len = sizeof(quorum_cfg_table) / sizeof(quorum_cfg_table[0]),
    .cfg_values = &ordo__quorum_cfg,
    .cfg_size = sizeof(ordo__quorum_cfg),
    .init = quorum_init,
    .fini = quorum_fini,
    .progress = quorum_progress,
};
