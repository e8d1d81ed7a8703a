/*
 * bank_lock.c - ordo_bank's lock mode (ordo_bank.c's top comment): a quorum
 * lock with a lease, and the fenced ledger in a quorum register with its
 * redo record; transfers, audits under the lock, and the fencing shown at
 * start.
 */
#include "apps/ordo_bank.h"
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEASE_US  1000000ull /* a transfer's lease */
#define AUDIT_US  5000000ull /* an audit's lease */
#define MARGIN_US 200000ull  /* lease left required before the commit */

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

static ordo_lock_t *lock;
static ordo_qreg_t *ledger;
static size_t ledger_size;
static ledger_t *lbuf; /* a ledger value */
static int64_t *sum;   /* an audit's total per home rank */
/* The last commit whose balances this rank wrote itself (token, transfer
 * count; 0, 0: none): while the ledger still ends with it, nobody has a
 * redo to finish. */
static uint64_t applied_token, applied_transfers;

void bank_lock_setup(void)
{
    int s, r = bank.n < 3 ? bank.n : 3;
    ledger_size = sizeof(ledger_t) + sizeof(int64_t) * (size_t)bank.n;
    sum = malloc(sizeof(int64_t) * (size_t)bank.n);
    lbuf = calloc(1, ledger_size);
    if (!sum || !lbuf)
        bank_die("set-up", ORDO_ERR_NOMEM);
    if ((s = ordo_lock_create(r, &lock)) != ORDO_OK ||
        (s = ordo_qreg_create(1, ledger_size, r, r / 2 + 1, r / 2 + 1, 0, &ledger)) != ORDO_OK)
        bank_die("lock and ledger", s);
    for (int a = 0; a < bank.o.accounts; a++)
        lbuf->home[bank.home[a]] += bank.o.balance;
    lbuf->redo.from = -1;
    if (bank.me == 0 && (s = ordo_qreg_write(ledger, 0, lbuf)) != ORDO_OK)
        bank_die("ledger write", s);
}

void bank_lock_fini(void)
{
    if (lock)
        ordo_lock_destroy(lock);
    if (ledger)
        ordo_qreg_destroy(ledger);
    free(sum);
    free(lbuf);
}

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
    double until = bank_now_s() + 0.01;
    while (bank_now_s() < until)
        ordo_progress();
}

static int acquire(uint64_t lease, uint64_t *token)
{
    int s = ordo_lock_acquire(lock, lease, token);
    if (unavailable(s)) {
        bank.cnt[C_TIMEOUT]++;
        back_off();
        return 0;
    }
    if (s != ORDO_OK)
        bank_die("lock acquire", s);
    return 1;
}

static void release(void)
{
    int s = ordo_lock_release(lock);
    if (s == ORDO_ERR_NOT_HELD)
        bank.cnt[C_LEASE]++;
    else if (s != ORDO_OK && s != ORDO_ERR_NO_QUORUM && s != ORDO_ERR_TIMEOUT)
        bank_die("lock release", s);
}

/* 1, or 0 if no read quorum answered. */
static int read_ledger(ledger_t *l)
{
    int s = ordo_qreg_read(ledger, 0, l, NULL);
    if (unavailable(s))
        return 0;
    if (s != ORDO_OK)
        bank_die("ledger read", s);
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
        if (bank_failed(bank.home[a]))
            continue;
        int s = ordo_write(bank.acct, bank_off(a), &bal[i], 8);
        if (s == ORDO_ERR_PEER_FAILED)
            continue;
        if (unavailable(s))
            return 0;
        if (s != ORDO_OK)
            bank_die("write", s);
    }
    return 1;
}

/* The ledger's last transfer is one whose balances this rank wrote (the
 * same holder twice in a row): its redo would write the same values. */
static int applied(const ledger_t *l)
{
    return applied_token && l->token == applied_token && l->transfers == applied_transfers;
}

/* One transfer under the lock; the caller holds it with token tok. */
static void transfer_locked(uint64_t tok, int from, int to, int64_t amt)
{
    ledger_t *l = lbuf;
    int64_t bf, bt;
    int s = ORDO_ERR_PEER_FAILED;
    if (!read_ledger(l) || (!applied(l) && !redo(l))) {
        bank.cnt[C_UNREACH]++;
        return;
    }
    if (bank_failed(bank.home[from]) || bank_failed(bank.home[to]) ||
        (s = ordo_read(bank.acct, bank_off(from), &bf, 8)) != ORDO_OK ||
        (s = ordo_read(bank.acct, bank_off(to), &bt, 8)) != ORDO_OK) {
        if (s != ORDO_ERR_PEER_FAILED && !unavailable(s))
            bank_die("read", s);
        bank.cnt[C_UNREACH]++;
        return;
    }
    if (bf < amt) {
        bank.cnt[C_FUNDS]++;
        return;
    }
    if (!lease_ok(MARGIN_US)) {
        bank.cnt[C_LEASE]++;
        return;
    }
    l->token = tok;
    l->transfers++;
    l->home[bank.home[from]] -= amt;
    l->home[bank.home[to]] += amt;
    l->redo = (redo_t){from, to, bf - amt, bt + amt};
    s = ordo_qreg_write_fenced(ledger, 0, l, tok); /* the commit */
    /* Its outcome unknown (no write quorum): write the same value with the
     * same token again while the lease lasts, until it is known. */
    while (unavailable(s) && lease_ok(MARGIN_US / 2)) {
        back_off();
        s = ordo_qreg_write_fenced(ledger, 0, l, tok);
    }
    if (s == ORDO_ERR_FENCED) {
        bank.cnt[C_FENCED]++;
        return;
    }
    if (unavailable(s)) {
        /* The lease is over and the commit's fate unknown: if it landed,
         * the next holder finishes it (redo); else nothing happened. */
        bank.cnt[C_LEASE]++;
        return;
    }
    if (s != ORDO_OK)
        bank_die("ledger write", s);
    /* The balances; a dead home's account is lost with it, and a live one
     * that does not answer is written by the next holder. */
    applied_token = applied_transfers = 0;
    if (redo(l)) {
        applied_token = tok;
        applied_transfers = l->transfers;
    }
    bank.cnt[C_DONE]++;
}

/* A consistent snapshot under the lock: the ledger conserves the total and
 * every live home's accounts match it. */
void bank_lock_audit(const char *kind, int verbose)
{
    uint64_t tok;
    ledger_t *l = lbuf;
    for (int tries = 0;; tries++) {
        int waits = 0;
        while (!acquire(AUDIT_US, &tok))
            if (++waits == 300) { /* about 3 s without the lock's quorum */
                if (verbose)
                    printf("ordo_bank: %s audit by rank %d skipped: the lock has no quorum\n", kind,
                           bank.me);
                return;
            }
        if (!read_ledger(l) || !redo(l)) {
            release();
            if (verbose)
                printf("ordo_bank: %s audit by rank %d skipped: the ledger or its last transfer's "
                       "accounts did not answer\n",
                       kind, bank.me);
            return;
        }
        memset(sum, 0, sizeof(int64_t) * (size_t)bank.n);
        int unread = 0; /* accounts of homes the view holds live that did not answer */
        for (int a = 0; a < bank.o.accounts; a++) {
            int64_t b = 0;
            int s = bank_failed(bank.home[a]) ? ORDO_ERR_PEER_FAILED
                                              : ordo_read(bank.acct, bank_off(a), &b, 8);
            if (s != ORDO_OK && s != ORDO_ERR_PEER_FAILED && s != ORDO_ERR_TIMEOUT)
                bank_die("audit read", s);
            unread += s != ORDO_OK && !bank_failed(bank.home[a]);
            sum[bank.home[a]] += b;
        }
        int ok = lease_ok(1);
        release();
        /* A home cut off (a partition the view has not declared yet): its
         * balances are unknown, not zero; no conclusion. */
        if (unread) {
            if (verbose)
                printf("ordo_bank: %s audit by rank %d skipped: %d accounts at live homes did not "
                       "answer\n",
                       kind, bank.me, unread);
            return;
        }
        if (ok)
            break;
        if (tries == 10)
            bank_die("audit", ORDO_ERR_TIMEOUT); /* never a snapshot within the lease */
    }
    bank.audits++;
    bank.cnt[C_AUDITS]++;
    ordo_membership_t m;
    ordo_membership(&m);
    int64_t ltotal = 0, found = 0, expected = 0, gone = 0, slack = bank.o.max_amount * m.failed;
    for (int h = 0; h < bank.n; h++) {
        ltotal += l->home[h];
        if (bank_failed(h)) {
            gone += l->home[h];
        } else {
            expected += l->home[h];
            found += sum[h];
        }
    }
    bank.total_end = found + gone;
    int wrong = ltotal != bank.total0 || found < expected - slack || found > expected + slack;
    if (wrong || verbose) {
        bank_audit_report(kind, bank.total0, ltotal, "ledger total", ltotal == bank.total0);
        bank_audit_report(kind, expected, found,
                          slack ? "balances at live homes (within max-amount per failed rank)"
                                : "balances at live homes",
                          found >= expected - slack && found <= expected + slack);
        if (gone)
            printf("ordo_bank: %" PRId64 " lost with failed homes (the ledger's share of them)\n",
                   gone);
    }
    bank.bad |= wrong;
}

void bank_lock_run(void)
{
    double next_audit = bank_now_s() + bank.o.audit_ms / 1e3;
    long i = 0;
    for (;; i++) {
        double t = bank_now_s();
        if (bank.o.transfers ? i >= bank.o.transfers : t - bank.t_start >= bank.o.duration)
            break;
        if (bank.me == bank_lowest_live() && t >= next_audit) {
            bank_lock_audit("periodic", 0);
            next_audit = bank_now_s() + bank.o.audit_ms / 1e3;
        }
        int from, to;
        int64_t amt = bank_pick(&from, &to);
        uint64_t tok;
        if (!acquire(LEASE_US, &tok))
            continue;
        transfer_locked(tok, from, to, amt);
        release();
        bank.last_op_ns = bank_wall_ns();
    }
}

/* At start: a write with a token older than a later holder's is refused. */
void bank_lock_show_fencing(void)
{
    ledger_t *l = lbuf;
    uint64_t t1 = 0, t2 = 0;
    int s = ORDO_OK;
    for (int step = 0; step < 2; step++) {
        if (bank.me == (step == 0 ? 0 : 1 % bank.n)) {
            uint64_t *t = step == 0 ? &t1 : &t2;
            while (!acquire(LEASE_US, t))
                ;
            read_ledger(l);
            if ((s = ordo_qreg_write_fenced(ledger, 0, l, *t)) != ORDO_OK)
                bank_die("ledger write", s);
            release();
        }
        bank_reduce(step == 0 ? &t1 : &t2, step == 0 ? &t1 : &t2, 1, ORDO_DTYPE_UINT64,
                    ORDO_OP_MAX);
    }
    if (bank.me == 0) {
        read_ledger(l);
        s = ordo_qreg_write_fenced(ledger, 0, l, t1); /* as a holder paused past its lease */
        int ok = s == ORDO_ERR_FENCED && t1 < t2;
        printf("ordo_bank: fencing: a ledger write with token %" PRIu64 " after token %" PRIu64
               " was %s: %s\n",
               t1, t2, s == ORDO_ERR_FENCED ? "refused (ORDO_ERR_FENCED)" : "ACCEPTED",
               ok ? "ok" : "WRONG");
        bank.bad |= !ok;
    }
}
