/*
 * ordo_bank - a bank whose money must be conserved: accounts are int64
 * balances in a sequentially consistent shared object, one account per
 * 64 KiB slot (a block of its own with the default ORDO_OBJ_BLOCK, so the
 * accounts are spread over the ranks by consistent hashing).  Every rank is
 * a client moving random amounts between random accounts (seeded); a
 * transfer that would overdraw its source is refused and counted.
 *
 * --mode lock: each transfer holds a quorum lock (N = min(ranks, 3)) with a
 *   lease.  The bank's ledger is key 0 of a quorum register (R = min(ranks,
 *   3), majorities): the token of the last transfer that wrote, a transfer
 *   count and the money held by the accounts of each home rank.  Under the
 *   lock a transfer reads the ledger and both balances, refuses an
 *   overdraft, checks its lease, writes the new ledger with
 *   ordo_qreg_write_fenced(token) (the commit point: the replicas refuse a
 *   token older than one they have seen, ORDO_ERR_FENCED, and the transfer
 *   is dropped before any balance changes), then writes the source, then
 *   the destination, and releases.  At start rank 0 shows that the check
 *   exists: a ledger write with a token older than a later holder's is
 *   refused.  The balance writes after the commit are covered by the lease
 *   (checked just before), not by the token (shared objects do not check
 *   tokens); a late write would show up in the next audit.
 *   Audits (the lowest live rank, every --audit-ms, while the others go on)
 *   take the lock, so they see a consistent snapshot: the ledger's homes
 *   must sum to the initial total, and every live home's accounts must sum
 *   to its ledger entry.
 *
 * --mode cas: no lock.  A withdrawal is a CAS loop on the source (refused
 *   when the balance it sees is too small), the deposit an ordo_fetch_add on
 *   the destination.  Between the two the money is in flight, so audits
 *   happen at quiescent points: every --audit-ms all ranks stop, fence and
 *   meet in a barrier, the lowest live rank reads every balance, the ranks
 *   meet again and go on.  The total must equal the initial total.
 *
 * Failures (a rank killed: ORDO_FAULT=crash=R@T, or SIGKILL under mpirun
 * --enable-recovery).  Shared objects are not replicated: the accounts
 * homed at the dead rank are lost with it.  The survivors skip transfers
 * that touch a failed home, acknowledge the failure (ordo_failure_ack) at
 * their next barrier and go on; the lock and the ledger (replicated) keep
 * working while a quorum of their replicas lives.  What is checked then:
 *   lock: the ledger's total is still the initial total, exactly (money
 *     "lost" is what the ledger puts at the dead homes), and every live
 *     home's accounts match the ledger, within max-amount per failed rank
 *     (a holder that died between its commit and its last balance write).
 *   cas: the reachable total may only go down (nothing is created: a
 *     withdrawal comes before its deposit); at the first audit after a
 *     failure the difference is reported as lost with the dead homes and
 *     in flight, the audit's total becomes the new base, and every later
 *     audit must match it exactly.
 *
 * Rank 0 (the lowest live rank) prints a summary; exit status 1 if an audit
 * found a wrong total (it says which audit, expected and found), 2 for bad
 * arguments.
 */
#include <ordo.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STRIDE       (64 * 1024) /* bytes per account */
#define LEASE_US     1000000ull  /* a transfer's lease */
#define AUDIT_US     5000000ull  /* an audit's lease */
#define MARGIN_US    200000ull   /* lease left required before the commit */
#define MAX_ACCOUNTS 1024

enum { MODE_LOCK, MODE_CAS };

/* Counters summed over the ranks at the end. */
enum { C_DONE, C_FUNDS, C_FENCED, C_LEASE, C_UNREACH, C_RETRY, C_TIMEOUT, C_AUDITS, C_NC };

typedef struct opts {
    int mode, accounts;
    int64_t balance, max_amount;
    double duration; /* seconds, when transfers == 0 */
    long transfers;  /* per rank */
    double audit_ms;
    uint64_t seed;
} opts_t;

static opts_t o;
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
static uint64_t rng;
static double t_start;

typedef struct ledger {
    uint64_t token, transfers;
    int64_t home[]; /* money held by the accounts of each home rank */
} ledger_t;

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

/* ---- lock mode -------------------------------------------------------- */

static int lease_ok(uint64_t need)
{
    uint64_t left = 0;
    return ordo_lock_lease_left(lock, &left) == ORDO_OK && left >= need;
}

static int acquire(uint64_t lease, uint64_t *token)
{
    int s = ordo_lock_acquire(lock, lease, token);
    if (s == ORDO_ERR_TIMEOUT) {
        cnt[C_TIMEOUT]++;
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

static void read_ledger(ledger_t *l)
{
    int s = ordo_qreg_read(ledger, 0, l, NULL);
    if (s != ORDO_OK)
        die("ledger read", s);
}

/* One transfer under the lock; the caller holds it with token tok. */
static void transfer_locked(uint64_t tok, int from, int to, int64_t amt, ledger_t *l)
{
    int64_t bf, bt;
    if (failed(home[from]) || failed(home[to]) || ordo_read(acct, off(from), &bf, 8) != ORDO_OK ||
        ordo_read(acct, off(to), &bt, 8) != ORDO_OK) {
        cnt[C_UNREACH]++;
        return;
    }
    if (bf < amt) {
        cnt[C_FUNDS]++;
        return;
    }
    read_ledger(l);
    if (!lease_ok(MARGIN_US)) {
        cnt[C_LEASE]++;
        return;
    }
    l->token = tok;
    l->transfers++;
    l->home[home[from]] -= amt;
    l->home[home[to]] += amt;
    int s = ordo_qreg_write_fenced(ledger, 0, l, tok); /* the commit */
    if (s == ORDO_ERR_FENCED) {
        cnt[C_FENCED]++;
        return;
    }
    if (s != ORDO_OK)
        die("ledger write", s);
    bf -= amt;
    bt += amt;
    if ((s = ordo_write(acct, off(from), &bf, 8)) != ORDO_OK) {
        if (s != ORDO_ERR_PEER_FAILED)
            die("write", s);
        /* The source's home died: undo the commit (the source's balance is
         * lost with it either way). */
        l->home[home[from]] += amt;
        l->home[home[to]] -= amt;
        l->transfers--;
        (void)ordo_qreg_write_fenced(ledger, 0, l, tok);
        cnt[C_UNREACH]++;
        return;
    }
    /* A dead destination: the ledger already holds the amount at its home. */
    if ((s = ordo_write(acct, off(to), &bt, 8)) != ORDO_OK && s != ORDO_ERR_PEER_FAILED)
        die("write", s);
    cnt[C_DONE]++;
}

static void audit_report(const char *kind, int64_t expected, int64_t found, const char *what)
{
    printf("ordo_bank: audit %d (%s, rank %d, %.2f s): %s: expected %" PRId64 ", found %" PRId64
           ": %s\n",
           audits, kind, me, now_s() - t_start, what, expected, found,
           expected == found ? "ok" : "WRONG");
    fflush(stdout);
}

/* A consistent snapshot under the lock: the ledger conserves the total and
 * every live home's accounts match it. */
static void audit_lock(const char *kind, int verbose)
{
    uint64_t tok;
    ledger_t *l = malloc(ledger_size);
    int64_t *sum = calloc((size_t)n, sizeof(int64_t));
    char *lost = calloc((size_t)n, 1);
    if (!l || !sum || !lost)
        die("audit", ORDO_ERR_NOMEM);
    for (int tries = 0;; tries++) {
        while (!acquire(AUDIT_US, &tok))
            ;
        read_ledger(l);
        memset(sum, 0, sizeof(int64_t) * (size_t)n);
        for (int a = 0; a < o.accounts; a++) {
            int64_t b;
            if (failed(home[a]) || ordo_read(acct, off(a), &b, 8) != ORDO_OK)
                lost[home[a]] = 1;
            else
                sum[home[a]] += b;
        }
        int ok = lease_ok(1);
        release();
        if (ok)
            break;
        if (tries == 10)
            die("audit", ORDO_ERR_TIMEOUT); /* never a snapshot within the lease */
    }
    audits++;
    cnt[C_AUDITS]++;
    int64_t ltotal = 0, found = 0, expected = 0, gone = 0, slack = 0;
    for (int h = 0; h < n; h++) {
        ltotal += l->home[h];
        if (failed(h) || lost[h]) {
            gone += l->home[h];
            slack += o.max_amount;
        } else {
            expected += l->home[h];
            found += sum[h];
        }
    }
    total_end = found + gone;
    int wrong = ltotal != total0 || found < expected - slack || found > expected + slack;
    if (wrong || verbose) {
        audit_report(kind, total0, ltotal, "ledger total");
        audit_report(kind, expected, found, "balances at live homes");
        if (gone)
            printf("ordo_bank: %" PRId64 " lost with failed homes (the ledger's share of them)\n",
                   gone);
    }
    bad |= wrong;
    free(l);
    free(sum);
    free(lost);
}

static void run_lock(void)
{
    ledger_t *l = malloc(ledger_size);
    if (!l)
        die("ledger", ORDO_ERR_NOMEM);
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
        int from = (int)(next() % (uint64_t)o.accounts);
        int to = (int)((from + 1 + (int)(next() % (uint64_t)(o.accounts - 1))) % o.accounts);
        int64_t amt = 1 + (int64_t)(next() % (uint64_t)o.max_amount);
        uint64_t tok;
        if (!acquire(LEASE_US, &tok))
            continue;
        transfer_locked(tok, from, to, amt, l);
        release();
    }
    free(l);
}

/* At start: a write with a token older than a later holder's is refused. */
static void show_fencing(void)
{
    ledger_t *l = malloc(ledger_size);
    uint64_t t1 = 0, t2 = 0;
    int s = ORDO_OK;
    if (!l)
        die("ledger", ORDO_ERR_NOMEM);
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
    free(l);
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
    int64_t res[2] = {0, 0}; /* total found, wrong */
    ordo_membership_t m;
    ordo_membership(&m);
    audits++;
    cnt[C_AUDITS] += me == lowest_live();
    if (me == lowest_live()) {
        int64_t found = 0;
        for (int a = 0; a < o.accounts; a++) {
            int64_t b;
            if (!failed(home[a]) && ordo_read(acct, off(a), &b, 8) == ORDO_OK)
                found += b;
        }
        if (m.failed > *known_failed) { /* rebase: only losses allowed */
            res[1] = found > *base;
            audit_report(kind, *base, found, "after a failure, reachable total (may only drop)");
            printf("ordo_bank: %" PRId64 " lost with the failed homes and in flight; "
                   "expected from now on: %" PRId64 "\n",
                   *base - found, found);
        } else {
            res[1] = found != *base;
            if (res[1] || verbose)
                audit_report(kind, *base, found, "total");
        }
        res[0] = found;
    }
    reduce(res, res, 2, ORDO_DTYPE_INT64, ORDO_OP_MAX); /* the auditor's values are >= 0 */
    *base = res[0];
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
            int from = (int)(next() % (uint64_t)o.accounts);
            int to = (int)((from + 1 + (int)(next() % (uint64_t)(o.accounts - 1))) % o.accounts);
            transfer_cas(from, to, 1 + (int64_t)(next() % (uint64_t)o.max_amount));
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
    home = malloc(sizeof(int) * (size_t)o.accounts);
    last_seen = malloc(sizeof(int64_t) * (size_t)o.accounts);
    if (!home || !last_seen)
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
        ledger_size = sizeof(ledger_t) + sizeof(int64_t) * (size_t)n;
        if ((s = ordo_lock_create(r, &lock)) != ORDO_OK ||
            (s = ordo_qreg_create(1, ledger_size, r, r / 2 + 1, r / 2 + 1, 0, &ledger)) != ORDO_OK)
            die("lock and ledger", s);
        if (me == 0) {
            ledger_t *l = calloc(1, ledger_size);
            if (!l)
                die("ledger", ORDO_ERR_NOMEM);
            for (int a = 0; a < o.accounts; a++)
                l->home[home[a]] += o.balance;
            if ((s = ordo_qreg_write(ledger, 0, l)) != ORDO_OK)
                die("ledger write", s);
            free(l);
        }
    }
    ordo_fence();
    meet();
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ordo_bank [-m lock|cas] [-a ACCOUNTS] [-b BALANCE] [-x MAX_AMOUNT]\n"
            "                 [-d SECONDS | -t TRANSFERS] [-i AUDIT_MS] [-s SEED]\n"
            "  -m, --mode        lock (quorum lock, fenced ledger) or cas (lock-free); lock\n"
            "  -a, --accounts    2 .. %d; 64\n"
            "  -b, --balance     initial balance of every account, 1 .. 10^12; 1000\n"
            "  -x, --max-amount  transfers move 1 .. this; half the balance\n"
            "  -d, --duration    seconds of transfers, (0, 3600]; 3\n"
            "  -t, --transfers   transfers per rank instead of a duration, 1 .. 10^9\n"
            "  -i, --audit-ms    milliseconds between audits, [1, 600000]; 500\n"
            "  -s, --seed        seed of the transfers (each rank mixes in its rank); 1\n",
            MAX_ACCOUNTS);
}

static int num(const char *name, const char *arg, double lo, double hi, double *v)
{
    char *end;
    *v = strtod(arg, &end);
    if (end == arg || *end || !(*v >= lo && *v <= hi)) {
        fprintf(stderr, "ordo_bank: bad %s '%s' (expected %g .. %g)\n", name, arg, lo, hi);
        return 0;
    }
    return 1;
}

static int parse(int argc, char **argv)
{
    static const struct option lo[] = {{"mode", 1, 0, 'm'},     {"accounts", 1, 0, 'a'},
                                       {"balance", 1, 0, 'b'},  {"max-amount", 1, 0, 'x'},
                                       {"duration", 1, 0, 'd'}, {"transfers", 1, 0, 't'},
                                       {"audit-ms", 1, 0, 'i'}, {"seed", 1, 0, 's'},
                                       {"help", 0, 0, 'h'},     {0, 0, 0, 0}};
    double v;
    int c, ok = 1;
    o = (opts_t){.mode = MODE_LOCK,
                 .accounts = 64,
                 .balance = 1000,
                 .duration = 3,
                 .audit_ms = 500,
                 .seed = 1};
    while (ok && (c = getopt_long(argc, argv, "m:a:b:x:d:t:i:s:h", lo, NULL)) != -1) {
        switch (c) {
        case 'm':
            o.mode = !strcmp(optarg, "lock") ? MODE_LOCK : !strcmp(optarg, "cas") ? MODE_CAS : -1;
            if (o.mode < 0)
                fprintf(stderr, "ordo_bank: bad mode '%s' (expected lock or cas)\n", optarg);
            ok = o.mode >= 0;
            break;
        case 'a':
            ok = num("--accounts", optarg, 2, MAX_ACCOUNTS, &v) && v == (int)v;
            o.accounts = (int)v;
            break;
        case 'b':
            ok = num("--balance", optarg, 1, 1e12, &v) && v == (int64_t)v;
            o.balance = (int64_t)v;
            break;
        case 'x':
            ok = num("--max-amount", optarg, 1, 1e12, &v) && v == (int64_t)v;
            o.max_amount = (int64_t)v;
            break;
        case 'd':
            ok = num("--duration", optarg, 1e-3, 3600, &v);
            o.duration = v;
            break;
        case 't':
            ok = num("--transfers", optarg, 1, 1e9, &v) && v == (long)v;
            o.transfers = (long)v;
            break;
        case 'i':
            ok = num("--audit-ms", optarg, 1, 600000, &v);
            o.audit_ms = v;
            break;
        case 's':
            ok = num("--seed", optarg, 0, 1e18, &v) && v == (double)(uint64_t)v;
            o.seed = (uint64_t)v;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            ok = 0;
        }
    }
    if (ok && optind < argc) {
        fprintf(stderr, "ordo_bank: unexpected argument '%s'\n", argv[optind]);
        ok = 0;
    }
    if (!ok) {
        usage(stderr);
        return 0;
    }
    if (!o.max_amount)
        o.max_amount = o.balance / 2 > 0 ? o.balance / 2 : 1;
    return 1;
}

int main(int argc, char **argv)
{
    if (!parse(argc, argv))
        return 2;
    int s = ordo_init(&argc, &argv);
    if (s != ORDO_OK)
        die("ordo_init", s);
    me = ordo_rank();
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
               " lock timeouts), %" PRId64 " audits, total %" PRId64 " before, %" PRId64
               " after, %.0f transfers/s: %s\n",
               o.mode == MODE_LOCK ? "lock" : "cas", n, m.failed, o.accounts, sums[C_DONE],
               sums[C_FUNDS], sums[C_FENCED], sums[C_LEASE], sums[C_UNREACH], sums[C_RETRY],
               sums[C_TIMEOUT], sums[C_AUDITS], total0, o.mode == MODE_CAS ? base : total_end,
               (double)sums[C_DONE] / dtmax, anybad ? "TOTAL CHANGED" : "ok");
        fflush(stdout);
    }
    if (lock)
        ordo_lock_destroy(lock);
    if (ledger)
        ordo_qreg_destroy(ledger);
    ordo_fence();
    ordo_obj_free(acct);
    s = ordo_finalize();
    return anybad ? 1 : s != ORDO_OK;
}
