/*
 * ordo_bank.h - what apps/ordo_bank's files share: the options (parsed in
 * ordo_bank_opts.c), the run's state and helpers (ordo_bank.c), and each
 * mode's entry points (bank_lock.c, bank_cas.c).
 */
#ifndef ORDO_BANK_H
#define ORDO_BANK_H

#include <ordo.h>
#include <stddef.h>
#include <stdint.h>

#define ORDO_BANK_MAX_ACCOUNTS 1024

enum { MODE_LOCK, MODE_CAS };

typedef struct ordo_bank_opts {
    int mode, accounts;
    int64_t balance, max_amount; /* a transfer moves 1 .. max_amount */
    double duration;             /* seconds of transfers, when transfers == 0 */
    double audit_ms;             /* between audits */
    long transfers;              /* per rank, or 0 */
    uint64_t seed;
    const char *report; /* a directory for bank.<rank>.pid and .report, or NULL */
} ordo_bank_opts_t;

/* Parse the command line into *o: 1, or 0 after a message and the usage on
 * stderr.  -h prints the usage and exits 0. */
int ordo_bank_parse(int argc, char **argv, ordo_bank_opts_t *o);

/* This process's id (from ordo_bank_opts.c, which includes unistd.h). */
long ordo_bank_pid(void);

#define STRIDE (64 * 1024) /* bytes per account */

/* Counters summed over the ranks at the end. */
enum { C_DONE, C_FUNDS, C_FENCED, C_LEASE, C_UNREACH, C_RETRY, C_TIMEOUT, C_AUDITS, C_NC };

typedef struct bank {
    ordo_bank_opts_t o;
    int me, n, bad, audits;
    int *home;           /* home rank of each account */
    int64_t total0;      /* the initial total */
    int64_t total_end;   /* what the last audit found (lost homes: their ledger share) */
    int64_t cnt[C_NC];   /* this rank's counters */
    ordo_obj_t *acct;    /* the accounts, STRIDE bytes apart */
    double t_start;      /* bank_now_s() when the transfers began */
    uint64_t last_op_ns; /* CLOCK_REALTIME when this rank's last transfer ended */
} bank_t;

extern bank_t bank;

/* ordo_bank.c: clocks, a fatal error (exit 1), the view, meeting (a
 * barrier that acknowledges failures), an allreduce over the live ranks, a
 * random transfer (two accounts, an amount of 1 .. max), an audit's line. */
uint64_t bank_wall_ns(void);
double bank_now_s(void);
void bank_die(const char *what, int s);
int bank_failed(int r);
int bank_lowest_live(void);
void bank_meet(void);
void bank_reduce(const void *in, void *out, size_t count, ordo_dtype_t t, ordo_op_t op);
int64_t bank_pick(int *from, int *to);
void bank_audit_report(const char *kind, int64_t expected, int64_t found, const char *what, int ok);

static inline size_t bank_off(int a)
{
    return (size_t)a * STRIDE;
}

/* bank_lock.c: the lock and the ledger (set-up, end), the fencing shown at
 * start, the transfers with periodic audits, an audit (the lowest live rank). */
void bank_lock_setup(void);
void bank_lock_fini(void);
void bank_lock_show_fencing(void);
void bank_lock_run(void);
void bank_lock_audit(const char *kind, int verbose);

/* bank_cas.c: set-up, and the transfers with quiescent audits; *base is
 * the total the audits expect. */
void bank_cas_setup(void);
void bank_cas_run(int64_t *base);

#endif
