/*
 * ordo_bank.h - the options of apps/ordo_bank (parsed in ordo_bank_opts.c).
 */
#ifndef ORDO_BANK_H
#define ORDO_BANK_H

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

/* This process's id (unistd.h's acct() would clash with ordo_bank.c's). */
long ordo_bank_pid(void);

#endif
