/*
 * bank_cas.c - ordo_bank's cas mode (ordo_bank.c's top comment): withdraw
 * with an ordo_cas loop, deposit with ordo_fetch_add; quiescent audits.
 */
#include "apps/ordo_bank.h"
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int64_t *last_seen; /* last balance seen of each account */

void bank_cas_setup(void)
{
    if (!(last_seen = malloc(sizeof(int64_t) * (size_t)bank.o.accounts)))
        bank_die("set-up", ORDO_ERR_NOMEM);
    for (int a = 0; a < bank.o.accounts; a++)
        last_seen[a] = bank.o.balance;
}

static void transfer_cas(int from, int to, int64_t amt)
{
    if (bank_failed(bank.home[from]) || bank_failed(bank.home[to])) {
        bank.cnt[C_UNREACH]++;
        return;
    }
    int64_t seen = last_seen[from], old;
    for (;;) {
        if (seen < amt) { /* read it once: our guess may be old */
            if (ordo_read(bank.acct, bank_off(from), &old, 8) != ORDO_OK) {
                bank.cnt[C_UNREACH]++;
                return;
            }
            if (old < amt) {
                last_seen[from] = old;
                bank.cnt[C_FUNDS]++;
                return;
            }
            seen = old;
        }
        int s = ordo_cas(bank.acct, bank_off(from), seen, seen - amt, &old);
        if (s == ORDO_ERR_PEER_FAILED) {
            bank.cnt[C_UNREACH]++; /* withdrawn or not, it is lost with the home */
            return;
        }
        if (s != ORDO_OK)
            bank_die("cas", s);
        if (old == seen)
            break;
        bank.cnt[C_RETRY]++;
        seen = old;
    }
    last_seen[from] = seen - amt;
    int s = ordo_fetch_add(bank.acct, bank_off(to), amt, &old);
    if (s == ORDO_OK)
        last_seen[to] = old + amt;
    else if (s != ORDO_ERR_PEER_FAILED)
        bank_die("fetch-add", s);
    bank.cnt[C_DONE]++; /* a dead destination: lost in flight */
}

/* At a quiescent point: the lowest live rank reads every reachable balance. */
static void audit_cas(const char *kind, int verbose, int64_t *base, int *known_failed)
{
    ordo_fence();
    bank_meet();
    int64_t res[3] = {0, 0, 0}; /* total found, wrong, rebased */
    ordo_membership_t m;
    ordo_membership(&m);
    bank.audits++;
    bank.cnt[C_AUDITS] += bank.me == bank_lowest_live();
    if (bank.me == bank_lowest_live()) {
        static int gone_before; /* accounts unreachable at the last audit */
        int64_t found = 0;
        int gone = 0;
        for (int a = 0; a < bank.o.accounts; a++) {
            int64_t b = 0;
            int s = bank_failed(bank.home[a]) ? ORDO_ERR_PEER_FAILED
                                              : ordo_read(bank.acct, bank_off(a), &b, 8);
            if (s != ORDO_OK && s != ORDO_ERR_PEER_FAILED)
                bank_die("audit read", s);
            gone += s == ORDO_ERR_PEER_FAILED;
            found += b;
        }
        int lost = m.failed > *known_failed || gone > gone_before;
        gone_before = gone;
        if (lost) { /* rebase: only losses allowed */
            res[1] = found > *base;
            res[2] = 1;
            bank_audit_report(kind, *base, found,
                              "after a failure, reachable total (may only drop)", found <= *base);
            printf("ordo_bank: %" PRId64 " lost with the failed homes and in flight; "
                   "expected from now on: %" PRId64 "\n",
                   *base - found, found);
        } else {
            res[1] = found != *base;
            if (res[1] || verbose)
                bank_audit_report(kind, *base, found, "total", found == *base);
        }
        res[0] = found;
    }
    bank_reduce(res, res, 3, ORDO_DTYPE_INT64, ORDO_OP_MAX); /* the auditor's values are >= 0 */
    if (res[2])
        *base = res[0]; /* a wrong total without a failure is not a new base */
    bank.total_end = res[0];
    *known_failed = m.failed;
    bank.bad |= (int)res[1];
}

void bank_cas_run(int64_t *base)
{
    int known_failed = 0, all_done = 0;
    long i = 0;
    while (!all_done) {
        double round_end = bank_now_s() + bank.o.audit_ms / 1e3;
        int done = 0;
        for (;; i++) {
            double t = bank_now_s();
            done = bank.o.transfers ? i >= bank.o.transfers : t - bank.t_start >= bank.o.duration;
            if (done || t >= round_end)
                break;
            int from, to;
            int64_t amt = bank_pick(&from, &to);
            transfer_cas(from, to, amt);
            bank.last_op_ns = bank_wall_ns();
        }
        audit_cas("quiescent", 0, base, &known_failed);
        bank_reduce(&done, &all_done, 1, ORDO_DTYPE_INT32, ORDO_OP_MIN);
    }
    audit_cas("final", 1, base, &known_failed);
}
