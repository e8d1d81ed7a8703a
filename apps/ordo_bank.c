/*
 * ordo_bank - bank transfers that must conserve money.  Accounts are int64
 * balances in an SC shared object, one per 64 KiB slot (a block of its own
 * with the default ORDO_OBJ_BLOCK: spread over the ranks by consistent
 * hashing).  Every rank moves random amounts (seeded) between random
 * accounts; a transfer that would overdraw its source is refused, counted.
 *
 * --mode lock: a transfer holds a quorum lock (N = min(ranks, 3)) with a
 *   lease.  The ledger, key 0 of a quorum register (R = min(ranks, 3),
 *   majorities), holds the last writer's token, a transfer count, the
 *   money of the accounts of each home rank, and the last transfer's
 *   accounts with their new balances (a redo record).  Under the lock: read
 *   the ledger and write its last transfer's balances again (finishing a
 *   commit whose holder died or lost its lease before its balance writes;
 *   the same values, as no transfer came between), read both balances,
 *   refuse an overdraft, check the lease, write the new ledger with
 *   ordo_qreg_write_fenced (the commit: replicas refuse a token older than
 *   one they have seen, ORDO_ERR_FENCED, and nothing changes), write the
 *   source and the destination, release.  A commit whose outcome is still
 *   unknown when the lease ends is left to the next holder (counted short
 *   of lease).  At start rank 0 shows the check: its write with a token
 *   older than a later holder's is refused.  The balance writes after the
 *   commit are covered by the lease (checked before it), not by the token
 *   (shared objects do not check tokens); a late one would show in the next
 *   audit.  Audits (the lowest live rank every --audit-ms, while the others
 *   go on) take the lock and redo the last transfer: a consistent snapshot.
 *   The ledger must hold the initial total and every live home's accounts
 *   must sum to its ledger entry.
 * --mode cas: no lock.  Withdraw with an ordo_cas loop (refused when the
 *   balance is too small), deposit with ordo_fetch_add.  Money is in flight
 *   between the two, so audits are quiescent: every --audit-ms all ranks
 *   stop, fence and meet, the lowest live rank reads every balance, they
 *   meet again and go on.  The total must be the initial total.
 *
 * A rank that dies (ORDO_FAULT=crash=R@T, SIGKILL under mpirun
 * --enable-recovery) takes the accounts homed there with it: shared
 * objects are not replicated.  Survivors skip transfers that touch a failed
 * home, acknowledge at their next barrier and go on.  Lock: the ledger
 * (replicated) must still hold the initial total exactly, and it says what
 * the dead homes held (lost); live homes must match it within max-amount per
 * failed rank (a holder that died between its commit and its last write).
 * Cas: the reachable total may only go down (a withdrawal comes before its
 * deposit); the first audit after a failure reports the loss and rebases,
 * later audits must match exactly.  README.md, "ordo-bank", says more.
 *
 * The lowest live rank prints a summary; exit status 1 if an audit found a
 * wrong total (which audit, expected and found), 2 for bad arguments.
 */
#include "apps/ordo_bank.h"
#include <ordo.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STRIDE    (64 * 1024) /* bytes per account */
#define LEASE_US  1000000ull  /* a transfer's lease */
#define AUDIT_US  5000000ull  /* an audit's lease */
#define MARGIN_US 200000ull   /* lease left required before the commit */

/* Counters summed over the ranks at the end. */
enum { C_DONE, C_FUNDS, C_FENCED, C_LEASE, C_UNREACH, C_RETRY, C_TIMEOUT, C_AUDITS, C_NC };

/* The last committed transfer: its accounts and their balances after it
 * (from < 0: none).  Whoever holds the lock next writes them again before
 * anything else (the same values: no transfer touches an account before
 * that), so a commit whose balance writes never came (its holder died, or
 * lost the lease not knowing whether the commit landed) is finished. */
typedef struct redo {
    int64_t from, to;
    int64_t bf, bt;
} redo_t;

typedef struct ledger {
    uint64_t token, transfers;
    redo_t redo;
    int64_t home[]; /* money held by the accounts of each home rank */
} ledger_t;

static ordo_bank_opts_t o;
static int me, n, bad, audits;
static int *home;          /* home rank of each account */
static int64_t *last_seen; /* cas mode: last balance seen of each account */
static int64_t total0;     /* the initial total */
static int64_t total_end;  /* what the last audit found (lost homes: their ledger share) */
static int64_t cnt[C_NC];
static ordo_obj_t *acct;
static ordo_lock_t *lock;
static ordo_qreg_t *ledger;
static size_t ledger_size;
static ledger_t *lbuf; /* lock mode: a ledger value */
static int64_t *sum;   /* an audit's total per home rank */
static uint64_t rng;
static double t_start;

static uint64_t last_op_ns; /* CLOCK_REALTIME when this rank's last transfer ended */

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* --report DIR: DIR/bank.<rank>.pid once ordo_init is done (where
 * ORDO_FAULT's times count from, and ordo-nemesis's kills), and
 * DIR/bank.<rank>.report after ordo_finalize, key=value lines as
 * apps/ordo_kv's. */
static void report(int rank, const char *ext, const char *status)
{
    char path[4096];
    if (!o.report)
        return;
    snprintf(path, sizeof(path), "%s/bank.%d.%s", o.report, rank, ext);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    if (!status)
        fprintf(f, "%ld\n", ordo_bank_pid());
    else
        fprintf(f,
                "rank=%d\nops_ok=%" PRId64 "\nops_fail=%" PRId64 "\nops_info=0\nlast_op_ns=%" PRIu64
                "\nend_ns=%" PRIu64 "\nstatus=%s\n",
                rank, cnt[C_DONE],
                cnt[C_FUNDS] + cnt[C_FENCED] + cnt[C_LEASE] + cnt[C_UNREACH] + cnt[C_TIMEOUT],
                last_op_ns, wall_ns(), status);
    fclose(f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next(void) /* splitmix64 */
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void die(const char *what, int s)
{
    fprintf(stderr, "ordo_bank: rank %d: %s: %s\n", me, what, ordo_strerror(s));
    exit(1);
}

static int failed(int r)
{
    return ordo_peer_state(r) == ORDO_PEER_FAILED;
}

static int lowest_live(void)
{
    for (int r = 0; r < n; r++)
        if (!failed(r))
            return r;
    return me;
}

/* A barrier over the live ranks: a failure is acknowledged and the
 * survivors meet again. */
static void meet(void)
{
    int s;
    while ((s = ordo_barrier()) == ORDO_ERR_PEER_FAILED)
        ordo_failure_ack(NULL);
    if (s != ORDO_OK)
        die("barrier", s);
}

static void reduce(const void *in, void *out, size_t count, ordo_dtype_t t, ordo_op_t op)
{
    int s;
    for (;;) {
        meet();
        if ((s = ordo_allreduce(in, out, count, t, op)) != ORDO_ERR_PEER_FAILED)
            break;
        ordo_failure_ack(NULL);
    }
    if (s != ORDO_OK)
        die("allreduce", s);
}

static size_t off(int a)
{
    return (size_t)a * STRIDE;
}

/* A random transfer: two different accounts, an amount of 1 .. max. */
static int64_t pick(int *from, int *to)
{
    *from = (int)(next() % (uint64_t)o.accounts);
    *to = (*from + 1 + (int)(next() % (uint64_t)(o.accounts - 1))) % o.accounts;
    return 1 + (int64_t)(next() % (uint64_t)o.max_amount);
}

/* ---- lock mode -------------------------------------------------------- */

static int lease_ok(uint64_t need)
{
    uint64_t left = 0;
    return ordo_lock_lease_left(lock, &left) == ORDO_OK && left >= need;
}

/* Whether s says a quorum (or a peer) cannot be had now: a partition or
 * failures took it away; it may come back, so the caller skips and goes on. */
static int unavailable(int s)
{
    return s == ORDO_ERR_NO_QUORUM || s == ORDO_ERR_PEER_FAILED || s == ORDO_ERR_TIMEOUT;
}

/* A short pause with progress, after the lock or the ledger was unavailable. */
static void back_off(void)
{
    double until = now_s() + 0.01;
    while (now_s() < until)
        ordo_progress();
}

static int acquire(uint64_t lease, uint64_t *token)
{
    int s = ordo_lock_acquire(lock, lease, token);
    if (unavailable(s)) {
        cnt[C_TIMEOUT]++;
        back_off();
        return 0;
    }
    if (s != ORDO_OK)
        die("lock acquire", s);
    return 1;
}

static void release(void)
{
    int s = ordo_lock_release(lock);
    if (s == ORDO_ERR_NOT_HELD)
        cnt[C_LEASE]++;
    else if (s != ORDO_OK && s != ORDO_ERR_NO_QUORUM && s != ORDO_ERR_TIMEOUT)
        die("lock release", s);
}

/* 1, or 0 if no read quorum answered. */
static int read_ledger(ledger_t *l)
{
    int s = ordo_qreg_read(ledger, 0, l, NULL);
    if (unavailable(s))
        return 0;
    if (s != ORDO_OK)
        die("ledger read", s);
    return 1;
}

/* Write the ledger's last transfer's balances (again): 1, or 0 if a live
 * home did not answer (the caller goes no further; the next holder tries).
 * A failed home's account is lost with it (the ledger says what it held). */
static int redo(const ledger_t *l)
{
    if (l->redo.from < 0)
        return 1;
    int64_t acct_of[2] = {l->redo.from, l->redo.to}, bal[2] = {l->redo.bf, l->redo.bt};
    for (int i = 0; i < 2; i++) {
        int a = (int)acct_of[i];
        if (failed(home[a]))
            continue;
        int s = ordo_write(acct, off(a), &bal[i], 8);
        if (s == ORDO_ERR_PEER_FAILED)
            continue;
        if (unavailable(s))
            return 0;
        if (s != ORDO_OK)
            die("write", s);
    }
    return 1;
}

/* One transfer under the lock; the caller holds it with token tok. */
static void transfer_locked(uint64_t tok, int from, int to, int64_t amt)
{
    ledger_t *l = lbuf;
    int64_t bf, bt;
    int s = ORDO_ERR_PEER_FAILED;
    if (!read_ledger(l) || !redo(l)) {
        cnt[C_UNREACH]++;
        return;
    }
    if (failed(home[from]) || failed(home[to]) ||
        (s = ordo_read(acct, off(from), &bf, 8)) != ORDO_OK ||
        (s = ordo_read(acct, off(to), &bt, 8)) != ORDO_OK) {
        if (s != ORDO_ERR_PEER_FAILED && !unavailable(s))
            die("read", s);
        cnt[C_UNREACH]++;
        return;
    }
    if (bf < amt) {
        cnt[C_FUNDS]++;
        return;
    }
    if (!lease_ok(MARGIN_US)) {
        cnt[C_LEASE]++;
        return;
    }
    l->token = tok;
    l->transfers++;
    l->home[home[from]] -= amt;
    l->home[home[to]] += amt;
    l->redo = (redo_t){from, to, bf - amt, bt + amt};
    s = ordo_qreg_write_fenced(ledger, 0, l, tok); /* the commit */
    /* Its outcome unknown (no write quorum): write the same value with the
     * same token again while the lease lasts, until it is known. */
    while (unavailable(s) && lease_ok(MARGIN_US / 2)) {
        back_off();
        s = ordo_qreg_write_fenced(ledger, 0, l, tok);
    }
    if (s == ORDO_ERR_FENCED) {
        cnt[C_FENCED]++;
        return;
    }
    if (unavailable(s)) {
        /* The lease is over and the commit's fate unknown: if it landed,
         * the next holder finishes it (redo); else nothing happened. */
        cnt[C_LEASE]++;
        return;
    }
    if (s != ORDO_OK)
        die("ledger write", s);
    /* The balances; a dead home's account is lost with it, and a live one
     * that does not answer is written by the next holder. */
    (void)redo(l);
    cnt[C_DONE]++;
}

static void audit_report(const char *kind, int64_t expected, int64_t found, const char *what,
                         int ok)
{
    printf("ordo_bank: audit %d (%s, rank %d, %.2f s): %s: expected %" PRId64 ", found %" PRId64
           ": %s\n",
           audits, kind, me, now_s() - t_start, what, expected, found, ok ? "ok" : "WRONG");
    fflush(stdout);
}

/* A consistent snapshot under the lock: the ledger conserves the total and
 * every live home's accounts match it. */
static void audit_lock(const char *kind, int verbose)
{
    uint64_t tok;
    ledger_t *l = lbuf;
    for (int tries = 0;; tries++) {
        int waits = 0;
        while (!acquire(AUDIT_US, &tok))
            if (++waits == 300) { /* about 3 s without the lock's quorum */
                if (verbose)
                    printf("ordo_bank: %s audit by rank %d skipped: the lock has no quorum\n", kind,
                           me);
                return;
            }
        if (!read_ledger(l) || !redo(l)) {
            release();
            if (verbose)
                printf("ordo_bank: %s audit by rank %d skipped: the ledger or its last transfer's "
                       "accounts did not answer\n",
                       kind, me);
            return;
        }
        memset(sum, 0, sizeof(int64_t) * (size_t)n);
        int unread = 0; /* accounts of homes the view holds live that did not answer */
        for (int a = 0; a < o.accounts; a++) {
            int64_t b = 0;
            int s = failed(home[a]) ? ORDO_ERR_PEER_FAILED : ordo_read(acct, off(a), &b, 8);
            if (s != ORDO_OK && s != ORDO_ERR_PEER_FAILED && s != ORDO_ERR_TIMEOUT)
                die("audit read", s);
            unread += s != ORDO_OK && !failed(home[a]);
            sum[home[a]] += b;
        }
        int ok = lease_ok(1);
        release();
        /* A home cut off (a partition the view has not declared yet): its
         * balances are unknown, not zero; no conclusion. */
        if (unread) {
            if (verbose)
                printf("ordo_bank: %s audit by rank %d skipped: %d accounts at live homes did not "
                       "answer\n",
                       kind, me, unread);
            return;
        }
        if (ok)
            break;
        if (tries == 10)
            die("audit", ORDO_ERR_TIMEOUT); /* never a snapshot within the lease */
    }
    audits++;
    cnt[C_AUDITS]++;
    ordo_membership_t m;
    ordo_membership(&m);
    int64_t ltotal = 0, found = 0, expected = 0, gone = 0, slack = o.max_amount * m.failed;
    for (int h = 0; h < n; h++) {
        ltotal += l->home[h];
        if (failed(h)) {
            gone += l->home[h];
        } else {
            expected += l->home[h];
            found += sum[h];
        }
    }
    total_end = found + gone;
    int wrong = ltotal != total0 || found < expected - slack || found > expected + slack;
    if (wrong || verbose) {
        audit_report(kind, total0, ltotal, "ledger total", ltotal == total0);
        audit_report(kind, expected, found,
                     slack ? "balances at live homes (within max-amount per failed rank)"
                           : "balances at live homes",
                     found >= expected - slack && found <= expected + slack);
        if (gone)
            printf("ordo_bank: %" PRId64 " lost with failed homes (the ledger's share of them)\n",
                   gone);
    }
    bad |= wrong;
}

static void run_lock(void)
{
    double next_audit = now_s() + o.audit_ms / 1e3;
    long i = 0;
    for (;; i++) {
        double t = now_s();
        if (o.transfers ? i >= o.transfers : t - t_start >= o.duration)
            break;
        if (me == lowest_live() && t >= next_audit) {
            audit_lock("periodic", 0);
            next_audit = now_s() + o.audit_ms / 1e3;
        }
        int from, to;
        int64_t amt = pick(&from, &to);
        uint64_t tok;
        if (!acquire(LEASE_US, &tok))
            continue;
        transfer_locked(tok, from, to, amt);
        release();
        last_op_ns = wall_ns();
    }
}

/* At start: a write with a token older than a later holder's is refused. */
static void show_fencing(void)
{
    ledger_t *l = lbuf;
    uint64_t t1 = 0, t2 = 0;
    int s = ORDO_OK;
    for (int step = 0; step < 2; step++) {
        if (me == (step == 0 ? 0 : 1 % n)) {
            uint64_t *t = step == 0 ? &t1 : &t2;
            while (!acquire(LEASE_US, t))
                ;
            read_ledger(l);
            if ((s = ordo_qreg_write_fenced(ledger, 0, l, *t)) != ORDO_OK)
                die("ledger write", s);
            release();
        }
        reduce(step == 0 ? &t1 : &t2, step == 0 ? &t1 : &t2, 1, ORDO_DTYPE_UINT64, ORDO_OP_MAX);
    }
    if (me == 0) {
        read_ledger(l);
        s = ordo_qreg_write_fenced(ledger, 0, l, t1); /* as a holder paused past its lease */
        int ok = s == ORDO_ERR_FENCED && t1 < t2;
        printf("ordo_bank: fencing: a ledger write with token %" PRIu64 " after token %" PRIu64
               " was %s: %s\n",
               t1, t2, s == ORDO_ERR_FENCED ? "refused (ORDO_ERR_FENCED)" : "ACCEPTED",
               ok ? "ok" : "WRONG");
        bad |= !ok;
    }
}

/* ---- cas mode --------------------------------------------------------- */

static void transfer_cas(int from, int to, int64_t amt)
{
    if (failed(home[from]) || failed(home[to])) {
        cnt[C_UNREACH]++;
        return;
    }
    int64_t seen = last_seen[from], old;
    for (;;) {
        if (seen < amt) { /* read it once: our guess may be old */
            if (ordo_read(acct, off(from), &old, 8) != ORDO_OK) {
                cnt[C_UNREACH]++;
                return;
            }
            if (old < amt) {
                last_seen[from] = old;
                cnt[C_FUNDS]++;
                return;
            }
            seen = old;
        }
        int s = ordo_cas(acct, off(from), seen, seen - amt, &old);
        if (s == ORDO_ERR_PEER_FAILED) {
            cnt[C_UNREACH]++; /* withdrawn or not, it is lost with the home */
            return;
        }
        if (s != ORDO_OK)
            die("cas", s);
        if (old == seen)
            break;
        cnt[C_RETRY]++;
        seen = old;
    }
    last_seen[from] = seen - amt;
    int s = ordo_fetch_add(acct, off(to), amt, &old);
    if (s == ORDO_OK)
        last_seen[to] = old + amt;
    else if (s != ORDO_ERR_PEER_FAILED)
        die("fetch-add", s);
    cnt[C_DONE]++; /* a dead destination: lost in flight */
}

/* At a quiescent point: the lowest live rank reads every reachable balance. */
static void audit_cas(const char *kind, int verbose, int64_t *base, int *known_failed)
{
    ordo_fence();
    meet();
    int64_t res[3] = {0, 0, 0}; /* total found, wrong, rebased */
    ordo_membership_t m;
    ordo_membership(&m);
    audits++;
    cnt[C_AUDITS] += me == lowest_live();
    if (me == lowest_live()) {
        static int gone_before; /* accounts unreachable at the last audit */
        int64_t found = 0;
        int gone = 0;
        for (int a = 0; a < o.accounts; a++) {
            int64_t b = 0;
            int s = failed(home[a]) ? ORDO_ERR_PEER_FAILED : ordo_read(acct, off(a), &b, 8);
            if (s != ORDO_OK && s != ORDO_ERR_PEER_FAILED)
                die("audit read", s);
            gone += s == ORDO_ERR_PEER_FAILED;
            found += b;
        }
        int lost = m.failed > *known_failed || gone > gone_before;
        gone_before = gone;
        if (lost) { /* rebase: only losses allowed */
            res[1] = found > *base;
            res[2] = 1;
            audit_report(kind, *base, found, "after a failure, reachable total (may only drop)",
                         found <= *base);
            printf("ordo_bank: %" PRId64 " lost with the failed homes and in flight; "
                   "expected from now on: %" PRId64 "\n",
                   *base - found, found);
        } else {
            res[1] = found != *base;
            if (res[1] || verbose)
                audit_report(kind, *base, found, "total", found == *base);
        }
        res[0] = found;
    }
    reduce(res, res, 3, ORDO_DTYPE_INT64, ORDO_OP_MAX); /* the auditor's values are >= 0 */
    if (res[2])
        *base = res[0]; /* a wrong total without a failure is not a new base */
    total_end = res[0];
    *known_failed = m.failed;
    bad |= (int)res[1];
}

static void run_cas(int64_t *base)
{
    int known_failed = 0, all_done = 0;
    long i = 0;
    while (!all_done) {
        double round_end = now_s() + o.audit_ms / 1e3;
        int done = 0;
        for (;; i++) {
            double t = now_s();
            done = o.transfers ? i >= o.transfers : t - t_start >= o.duration;
            if (done || t >= round_end)
                break;
            int from, to;
            int64_t amt = pick(&from, &to);
            transfer_cas(from, to, amt);
            last_op_ns = wall_ns();
        }
        audit_cas("quiescent", 0, base, &known_failed);
        reduce(&done, &all_done, 1, ORDO_DTYPE_INT32, ORDO_OP_MIN);
    }
    audit_cas("final", 1, base, &known_failed);
}

/* ---- set-up, options, summary ---------------------------------------- */

static void setup(void)
{
    int s;
    if ((s = ordo_obj_alloc((size_t)o.accounts * STRIDE, ORDO_MODEL_SC, &acct)) != ORDO_OK)
        die("ordo_obj_alloc", s);
    ledger_size = sizeof(ledger_t) + sizeof(int64_t) * (size_t)n;
    home = malloc(sizeof(int) * (size_t)o.accounts);
    last_seen = malloc(sizeof(int64_t) * (size_t)o.accounts);
    sum = malloc(sizeof(int64_t) * (size_t)n);
    lbuf = calloc(1, ledger_size);
    if (!home || !last_seen || !sum || !lbuf)
        die("set-up", ORDO_ERR_NOMEM);
    for (int a = 0; a < o.accounts; a++) {
        ordo_obj_home(acct, off(a), &home[a]);
        last_seen[a] = o.balance;
        if (a % n == me && (s = ordo_write(acct, off(a), &o.balance, 8)) != ORDO_OK)
            die("initial write", s);
    }
    total0 = o.balance * o.accounts;
    if (o.mode == MODE_LOCK) {
        int r = n < 3 ? n : 3;
        if ((s = ordo_lock_create(r, &lock)) != ORDO_OK ||
            (s = ordo_qreg_create(1, ledger_size, r, r / 2 + 1, r / 2 + 1, 0, &ledger)) != ORDO_OK)
            die("lock and ledger", s);
        for (int a = 0; a < o.accounts; a++)
            lbuf->home[home[a]] += o.balance;
        lbuf->redo.from = -1;
        if (me == 0 && (s = ordo_qreg_write(ledger, 0, lbuf)) != ORDO_OK)
            die("ledger write", s);
    }
    ordo_fence();
    meet();
}

int main(int argc, char **argv)
{
    if (!ordo_bank_parse(argc, argv, &o))
        return 2;
    int s = ordo_init(&argc, &argv);
    if (s != ORDO_OK)
        die("ordo_init", s);
    me = ordo_rank();
    report(me, "pid", NULL);
    n = ordo_size();
    rng = o.seed * 0x100000001b3ull + (uint64_t)me;
    setup();
    if (o.mode == MODE_LOCK)
        show_fencing();
    meet();
    t_start = now_s();
    int64_t base = total0;
    if (o.mode == MODE_LOCK) {
        run_lock();
        meet();
        if (me == lowest_live())
            audit_lock("final", 1);
    } else {
        run_cas(&base);
    }
    double dt = now_s() - t_start, dtmax;
    int64_t sums[C_NC];
    int anybad;
    reduce(cnt, sums, C_NC, ORDO_DTYPE_INT64, ORDO_OP_SUM);
    reduce(&dt, &dtmax, 1, ORDO_DTYPE_DOUBLE, ORDO_OP_MAX);
    reduce(&bad, &anybad, 1, ORDO_DTYPE_INT32, ORDO_OP_MAX);
    if (me == lowest_live()) {
        ordo_membership_t m;
        ordo_membership(&m);
        printf("ordo_bank: mode %s, %d ranks (%d failed), %d accounts: %" PRId64
               " transfers (%" PRId64 " refused for funds, %" PRId64 " fenced, %" PRId64
               " short of lease, %" PRId64 " unreachable, %" PRId64 " cas retries, %" PRId64
               " lock unavailable), %" PRId64 " audits, total %" PRId64 " before, %" PRId64
               " after, %.0f transfers/s: %s\n",
               o.mode == MODE_LOCK ? "lock" : "cas", n, m.failed, o.accounts, sums[C_DONE],
               sums[C_FUNDS], sums[C_FENCED], sums[C_LEASE], sums[C_UNREACH], sums[C_RETRY],
               sums[C_TIMEOUT], sums[C_AUDITS], total0, total_end, (double)sums[C_DONE] / dtmax,
               anybad ? "TOTAL CHANGED" : "ok");
        fflush(stdout);
    }
    if (lock)
        ordo_lock_destroy(lock);
    if (ledger)
        ordo_qreg_destroy(ledger);
    ordo_fence();
    ordo_obj_free(acct);
    s = ordo_finalize();
    report(me, "report", anybad ? "failed" : "ok");
    return anybad ? 1 : s != ORDO_OK;
}
