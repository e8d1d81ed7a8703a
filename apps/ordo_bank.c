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
 *   the same values, as no transfer came between; not when that transfer
 *   is this rank's own and its writes completed), read both balances,
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
 * This file: the shared helpers, set-up and the summary; the modes are in
 * bank_lock.c and bank_cas.c, what they share in ordo_bank.h.
 */
#include "apps/ordo_bank.h"
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bank_t bank;
static uint64_t rng;

uint64_t bank_wall_ns(void)
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
    if (!bank.o.report)
        return;
    snprintf(path, sizeof(path), "%s/bank.%d.%s", bank.o.report, rank, ext);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    if (!status)
        fprintf(f, "%ld\n", ordo_bank_pid());
    else
        fprintf(f,
                "rank=%d\nops_ok=%" PRId64 "\nops_fail=%" PRId64 "\nops_info=0\nlast_op_ns=%" PRIu64
                "\nend_ns=%" PRIu64 "\nstatus=%s\n",
                rank, bank.cnt[C_DONE],
                bank.cnt[C_FUNDS] + bank.cnt[C_FENCED] + bank.cnt[C_LEASE] + bank.cnt[C_UNREACH] +
                    bank.cnt[C_TIMEOUT],
                bank.last_op_ns, bank_wall_ns(), status);
    fclose(f);
}

double bank_now_s(void)
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

void bank_die(const char *what, int s)
{
    fprintf(stderr, "ordo_bank: rank %d: %s: %s\n", bank.me, what, ordo_strerror(s));
    exit(1);
}

int bank_failed(int r)
{
    return ordo_peer_state(r) == ORDO_PEER_FAILED;
}

int bank_lowest_live(void)
{
    for (int r = 0; r < bank.n; r++)
        if (!bank_failed(r))
            return r;
    return bank.me;
}

/* A barrier over the live ranks: a failure is acknowledged and the
 * survivors meet again. */
void bank_meet(void)
{
    int s;
    while ((s = ordo_barrier()) == ORDO_ERR_PEER_FAILED)
        ordo_failure_ack(NULL);
    if (s != ORDO_OK)
        bank_die("barrier", s);
}

void bank_reduce(const void *in, void *out, size_t count, ordo_dtype_t t, ordo_op_t op)
{
    int s;
    for (;;) {
        bank_meet();
        if ((s = ordo_allreduce(in, out, count, t, op)) != ORDO_ERR_PEER_FAILED)
            break;
        ordo_failure_ack(NULL);
    }
    if (s != ORDO_OK)
        bank_die("allreduce", s);
}

/* A random transfer: two different accounts, an amount of 1 .. max. */
int64_t bank_pick(int *from, int *to)
{
    *from = (int)(next() % (uint64_t)bank.o.accounts);
    *to = (*from + 1 + (int)(next() % (uint64_t)(bank.o.accounts - 1))) % bank.o.accounts;
    return 1 + (int64_t)(next() % (uint64_t)bank.o.max_amount);
}

void bank_audit_report(const char *kind, int64_t expected, int64_t found, const char *what, int ok)
{
    printf("ordo_bank: audit %d (%s, rank %d, %.2f s): %s: expected %" PRId64 ", found %" PRId64
           ": %s\n",
           bank.audits, kind, bank.me, bank_now_s() - bank.t_start, what, expected, found,
           ok ? "ok" : "WRONG");
    fflush(stdout);
}

/* ---- set-up, options, summary ---------------------------------------- */

static void setup(void)
{
    int s;
    if ((s = ordo_obj_alloc((size_t)bank.o.accounts * STRIDE, ORDO_MODEL_SC, &bank.acct)) !=
        ORDO_OK)
        bank_die("ordo_obj_alloc", s);
    if (!(bank.home = malloc(sizeof(int) * (size_t)bank.o.accounts)))
        bank_die("set-up", ORDO_ERR_NOMEM);
    for (int a = 0; a < bank.o.accounts; a++) {
        ordo_obj_home(bank.acct, bank_off(a), &bank.home[a]);
        if (a % bank.n == bank.me &&
            (s = ordo_write(bank.acct, bank_off(a), &bank.o.balance, 8)) != ORDO_OK)
            bank_die("initial write", s);
    }
    bank.total0 = bank.o.balance * bank.o.accounts;
    if (bank.o.mode == MODE_LOCK)
        bank_lock_setup();
    else
        bank_cas_setup();
    ordo_fence();
    bank_meet();
}

int main(int argc, char **argv)
{
    if (!ordo_bank_parse(argc, argv, &bank.o))
        return 2;
    int s = ordo_init(&argc, &argv);
    if (s != ORDO_OK)
        bank_die("ordo_init", s);
    bank.me = ordo_rank();
    report(bank.me, "pid", NULL);
    bank.n = ordo_size();
    rng = bank.o.seed * 0x100000001b3ull + (uint64_t)bank.me;
    setup();
    if (bank.o.mode == MODE_LOCK)
        bank_lock_show_fencing();
    bank_meet();
    bank.t_start = bank_now_s();
    int64_t base = bank.total0;
    if (bank.o.mode == MODE_LOCK) {
        bank_lock_run();
        bank_meet();
        if (bank.me == bank_lowest_live())
            bank_lock_audit("final", 1);
    } else {
        bank_cas_run(&base);
    }
    double dt = bank_now_s() - bank.t_start, dtmax;
    int64_t sums[C_NC];
    int anybad;
    bank_reduce(bank.cnt, sums, C_NC, ORDO_DTYPE_INT64, ORDO_OP_SUM);
    bank_reduce(&dt, &dtmax, 1, ORDO_DTYPE_DOUBLE, ORDO_OP_MAX);
    bank_reduce(&bank.bad, &anybad, 1, ORDO_DTYPE_INT32, ORDO_OP_MAX);
    if (bank.me == bank_lowest_live()) {
        ordo_membership_t m;
        ordo_membership(&m);
        printf("ordo_bank: mode %s, %d ranks (%d failed), %d accounts: %" PRId64
               " transfers (%" PRId64 " refused for funds, %" PRId64 " fenced, %" PRId64
               " short of lease, %" PRId64 " unreachable, %" PRId64 " cas retries, %" PRId64
               " lock unavailable), %" PRId64 " audits, total %" PRId64 " before, %" PRId64
               " after, %.0f transfers/s: %s\n",
               bank.o.mode == MODE_LOCK ? "lock" : "cas", bank.n, m.failed, bank.o.accounts,
               sums[C_DONE], sums[C_FUNDS], sums[C_FENCED], sums[C_LEASE], sums[C_UNREACH],
               sums[C_RETRY], sums[C_TIMEOUT], sums[C_AUDITS], bank.total0, bank.total_end,
               (double)sums[C_DONE] / dtmax, anybad ? "TOTAL CHANGED" : "ok");
        fflush(stdout);
    }
    if (bank.o.mode == MODE_LOCK)
        bank_lock_fini();
    ordo_fence();
    ordo_obj_free(bank.acct);
    s = ordo_finalize();
    report(bank.me, "report", anybad ? "failed" : "ok");
    return anybad ? 1 : s != ORDO_OK;
}
