/*
 * qlock.c - quorum locks with fencing tokens and leases: acquire, release
 * and the lease (include/ordo.h says what they guarantee, qlock.h why; the
 * locks as objects are qlock_set.c's).
 *
 *   acquire  T0 = now; GRANT to every live replica; q grants: token = the
 *            largest max_token among the grants + 1, COMMIT it to the
 *            replicas that granted; q accept: held, trusted until
 *            T0 + D - 2*rho*D.  Fewer grants or commits, or a lease already
 *            over by then: RELEASE to the replicas that may have granted,
 *            back off, try again, until ORDO_TIMEOUT_MS.
 *   release  RELEASE to every live replica, q answers.
 *
 * Each try is an attempt: its three rounds (quorum.h) and their messages.
 * The lock's calls block and drive their attempt themselves, so the step
 * from one round to the next is taken by the waiting call, outside the
 * rounds' callbacks (qreg.c defers it to the quorum module instead: its
 * operations also come non-blocking).  An attempt is freed once nothing
 * uses it (not the call, not the holding) and its rounds are idle.
 */
#include "ordo_config.h"

#include "consistency/qlock.h"
#include "runtime/clock.h"
#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

/* Back-off between attempts: random in [b/2, b], b doubling from the min. */
#define BACKOFF_MIN_NS 50000ull
#define BACKOFF_MAX_NS 20000000ull

enum { R_GRANT, R_COMMIT, R_RELEASE, NROUNDS };

struct ordo__qlock_att {
    struct ordo_lock *lock;
    uint64_t attempt;
    int held; /* the call that runs it, or the holding, still uses it */
    ordo__qlock_msg_t msg[NROUNDS];
    ordo__qround_t round[NROUNDS];
    ordo__qlock_grant_reply_t reply[ORDO__QUORUM_MAX_REPLICAS]; /* GRANT answers */
    int granted[ORDO__QUORUM_MAX_REPLICAS]; /* 1 granted, -1 refused, 0 not known */
    ordo__qlock_att_t *next;
};

/* ---- an attempt's life -------------------------------------------------------------- */

static int att_idle(const ordo__qlock_att_t *a)
{
    for (int i = 0; i < NROUNDS; i++)
        if (a->round[i].n && (!a->round[i].is_decided || a->round[i].pending))
            return 0;
    return 1;
}

static void att_free_if_over(ordo__qlock_att_t *a)
{
    if (a->held || !att_idle(a))
        return;
    for (ordo__qlock_att_t **pp = &a->lock->atts; *pp; pp = &(*pp)->next)
        if (*pp == a) {
            *pp = a->next;
            break;
        }
    free(a);
}

static void round_decided(ordo__qround_t *r)
{
    (void)r; /* the call that waits sees it */
}

static void round_idle(ordo__qround_t *r)
{
    att_free_if_over(r->owner);
}

/* A GRANT answer counts only if it grants; a malformed one refuses. */
static int grant_answered(ordo__qround_t *r, int idx)
{
    ordo__qlock_att_t *a = r->owner;
    const ordo__qlock_grant_reply_t *g = ordo__qround_reply(r, idx);
    int ok = r->reply_len[idx] == sizeof(*g) && g->granted == 1;
    a->granted[idx] = ok ? 1 : -1;
    return ok;
}

static ordo__qlock_att_t *att_new(struct ordo_lock *lock)
{
    ordo__qlock_att_t *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->lock = lock;
    a->attempt = ++lock->attempts;
    a->held = 1;
    a->next = lock->atts;
    lock->atts = a;
    return a;
}

/* Send round `which` of a (its message filled in but for the common part)
 * to n ranks, decided at need ORDO_OK answers. */
static void att_round(ordo__qlock_att_t *a, int which, uint8_t op, const int *ranks, int n,
                      int need)
{
    ordo__qround_t *r = &a->round[which];
    ordo__qlock_msg_t *m = &a->msg[which];
    m->lock = a->lock->id;
    m->op = op;
    m->attempt = a->attempt;
    r->n = n;
    memcpy(r->rank, ranks, (size_t)n * sizeof(int));
    r->need = need;
    r->cap = which == R_GRANT ? sizeof(ordo__qlock_grant_reply_t) : 0;
    r->replies = which == R_GRANT ? (uint8_t *)a->reply : NULL;
    r->answered = which == R_GRANT ? grant_answered : NULL;
    r->decided = round_decided;
    r->idle = round_idle;
    r->owner = a;
    ordo__qround_start(r, ordo__qlock_rpc_id, m, sizeof(*m));
}

static int round_done(void *arg)
{
    return ((const ordo__qround_t *)arg)->is_decided;
}

/* Wait for round `which` of a: ORDO_OK if q (its need) answered yes. */
static int att_wait(ordo__qlock_att_t *a, int which, uint64_t deadline_ns)
{
    ordo__qround_t *r = &a->round[which];
    int status = ordo__wait_until(round_done, r, deadline_ns);
    if (status == ORDO_OK && !r->decided_ok)
        status = ordo__qround_status(r);
    return status;
}

/* RELEASE a to every replica that may hold a grant of it (all of them but
 * those that refused it); nobody waits unless all is set (a holder's
 * release: every replica, decided at q). */
static void att_release(ordo__qlock_att_t *a, int all)
{
    struct ordo_lock *lock = a->lock;
    int ranks[ORDO__QUORUM_MAX_REPLICAS], n = 0;
    if (a->round[R_RELEASE].n)
        return; /* sent already */
    for (int i = 0; i < lock->n; i++)
        if (all || a->granted[i] >= 0)
            ranks[n++] = lock->replica[i];
    if (n > 0)
        att_round(a, R_RELEASE, ORDO__QLOCK_RELEASE, ranks, n, all ? lock->q : n);
}

/* The call (or the holding) is done with a: it is freed once idle. */
void ordo__qlock_att_let_go(ordo__qlock_att_t *a)
{
    a->held = 0;
    att_free_if_over(a);
}

/* ---- leases ------------------------------------------------------------------------- */

/* How long the holder trusts a lease of lease_ns, from when it asked. */
static uint64_t trust_ns(uint64_t lease_ns)
{
    uint64_t guard = ordo__qlock_guard_ns(lease_ns);
    return lease_ns > guard ? lease_ns - guard : 0;
}

static uint64_t lease_left_ns(const struct ordo_lock *lock)
{
    uint64_t now = ordo__phys_ns();
    return lock->held && lock->trust_until_ns > now ? lock->trust_until_ns - now : 0;
}

/* A lease of this rank's that ran out: the replicas may let it go at once. */
static void drop_expired(struct ordo_lock *lock)
{
    ordo__qlock_att_t *a = lock->held;
    if (!a)
        return;
    lock->held = NULL;
    att_release(a, 0);
    ordo__qlock_att_let_go(a);
}

/* ---- acquire ------------------------------------------------------------------------ */

static int live_replicas(const struct ordo_lock *lock)
{
    int n = 0;
    for (int i = 0; i < lock->n; i++)
        n += !ordo__rt.peer_failed[lock->replica[i]];
    return n;
}

/* One attempt: grants, then the commit.  ORDO_OK: a holds the lock, with
 * *token, trusted until *trust_until. */
static int try_once(ordo__qlock_att_t *a, uint64_t lease_ns, uint64_t deadline_ns, int *committed,
                    uint64_t *token, uint64_t *trust_until)
{
    struct ordo_lock *lock = a->lock;
    uint64_t t0 = ordo__phys_ns();
    a->msg[R_GRANT].lease_ns = lease_ns;
    att_round(a, R_GRANT, ORDO__QLOCK_GRANT, lock->replica, lock->n, lock->q);
    int status = att_wait(a, R_GRANT, deadline_ns);
    if (status != ORDO_OK)
        return status;
    /* The token: above every token any replica that granted accepted. */
    int ranks[ORDO__QUORUM_MAX_REPLICAS], n = 0;
    uint64_t max = 0;
    for (int i = 0; i < lock->n; i++)
        if (a->granted[i] == 1) {
            ranks[n++] = lock->replica[i];
            max = a->reply[i].max_token > max ? a->reply[i].max_token : max;
        }
    a->msg[R_COMMIT].token = max + 1;
    *committed = 1;
    att_round(a, R_COMMIT, ORDO__QLOCK_COMMIT, ranks, n, lock->q);
    status = att_wait(a, R_COMMIT, deadline_ns);
    if (status != ORDO_OK)
        return status;
    if (ordo__phys_ns() >= t0 + trust_ns(lease_ns)) {
        lock->stats.lease_lost++; /* paused or slowed down: nothing is left of it */
        return ORDO_ERR_TIMEOUT;
    }
    *token = max + 1;
    *trust_until = t0 + trust_ns(lease_ns);
    return ORDO_OK;
}

static int never(void *arg)
{
    (void)arg;
    return 0;
}

/* Progress (this rank answers as a replica meanwhile) for a random time in
 * [cap/2, cap], not past the deadline. */
static void back_off(struct ordo_lock *lock, uint64_t cap, uint64_t deadline_ns)
{
    lock->rng ^= lock->rng << 13;
    lock->rng ^= lock->rng >> 17;
    lock->rng ^= lock->rng << 5;
    uint64_t until = ordo__now_ns() + cap / 2 + lock->rng % (cap / 2 + 1);
    (void)ordo__wait_until(never, NULL, until < deadline_ns ? until : deadline_ns);
}

/* Attempts until one holds the lock.  *committed: some attempt sent a
 * COMMIT (so the outcome seen from outside is not known for sure). */
static int acquire_locked(struct ordo_lock *lock, uint64_t lease_ns, uint64_t *token,
                          int *committed)
{
    uint64_t deadline = ordo__deadline(), cap = BACKOFF_MIN_NS;
    for (;;) {
        if (live_replicas(lock) < lock->q)
            return ORDO_ERR_NO_QUORUM;
        ordo__qlock_att_t *a = att_new(lock);
        if (!a)
            return ORDO_ERR_NOMEM;
        lock->stats.attempts++;
        uint64_t trust_until = 0;
        int status = try_once(a, lease_ns, deadline, committed, token, &trust_until);
        if (status == ORDO_OK) {
            lock->held = a;
            lock->trust_until_ns = trust_until;
            return ORDO_OK;
        }
        att_release(a, 0); /* nobody waits out a grant of an attempt that failed */
        ordo__qlock_att_let_go(a);
        if (ordo__now_ns() >= deadline)
            return ORDO_ERR_TIMEOUT;
        back_off(lock, cap, deadline);
        cap = cap * 2 < BACKOFF_MAX_NS ? cap * 2 : BACKOFF_MAX_NS;
    }
}

ordo_status_t ordo_lock_acquire(ordo_lock_t *lock, uint64_t lease_us, uint64_t *fencing_token)
{
    ORDO__CHECK_INIT();
    if (!fencing_token || lease_us == 0 || lease_us > ORDO__QLOCK_LEASE_MAX_US)
        return ORDO_ERR_INVALID;
    uint64_t lease_ns = lease_us * 1000;
    if (trust_ns(lease_ns) == 0) {
        ordo_log_warn("ordo_lock_acquire: a lease of %llu us leaves nothing to trust after the "
                      "guard 2*rho*D (ORDO_CLOCK_DRIFT_PPM=%llu)",
                      (unsigned long long)lease_us, (unsigned long long)ordo__quorum_cfg.drift_ppm);
        return ORDO_ERR_INVALID;
    }
    ORDO__LOCK();
    int status = ordo__qlock_valid(lock) && !ordo__in_handler ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK && lease_left_ns(lock) > 0)
        status = ORDO_ERR_INVALID; /* held already */
    if (status == ORDO_OK) {
        drop_expired(lock);
        uint64_t process = ordo__hist_invoke(lock->hist, "acquire", 0, 0, 0);
        uint64_t token = 0;
        int committed = 0;
        status = acquire_locked(lock, lease_ns, &token, &committed);
        if (status == ORDO_OK) {
            lock->stats.acquires++;
            *fencing_token = token;
        } else {
            lock->stats.failed++;
        }
        ordo__hist_complete(lock->hist, process, ordo__hist_type(status, committed), "acquire", 0,
                            status == ORDO_OK, token);
    }
    ORDO__UNLOCK();
    return status;
}

/* ---- release ------------------------------------------------------------------------ */

static int release_locked(struct ordo_lock *lock)
{
    uint64_t process = ordo__hist_invoke(lock->hist, "release", 0, 0, 0);
    ordo__qlock_att_t *a = lock->held;
    int status = ORDO_ERR_NOT_HELD;
    if (a && lease_left_ns(lock) > 0) {
        lock->held = NULL;
        att_release(a, 1);
        status = att_wait(a, R_RELEASE, ordo__deadline());
        ordo__qlock_att_let_go(a);
    } else {
        drop_expired(lock);
    }
    if (status == ORDO_OK)
        lock->stats.releases++;
    else
        lock->stats.failed++;
    ordo__hist_complete(lock->hist, process, ordo__hist_type(status, status != ORDO_ERR_NOT_HELD),
                        "release", 0, 0, 0);
    return status;
}

ordo_status_t ordo_lock_release(ordo_lock_t *lock)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ordo__qlock_valid(lock) && !ordo__in_handler ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK)
        status = release_locked(lock);
    ORDO__UNLOCK();
    return status;
}

ordo_status_t ordo_lock_lease_left(const ordo_lock_t *lock, uint64_t *left_us)
{
    ORDO__CHECK_INIT();
    ORDO__LOCK();
    int status = ordo__qlock_valid(lock) && left_us ? ORDO_OK : ORDO_ERR_INVALID;
    if (status == ORDO_OK)
        *left_us = lease_left_ns(lock) / 1000;
    ORDO__UNLOCK();
    return status;
}

void ordo__qlock_atts_free(struct ordo_lock *lock)
{
    while (lock->atts) {
        ordo__qlock_att_t *a = lock->atts;
        lock->atts = a->next;
        free(a);
    }
}
