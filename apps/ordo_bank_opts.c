/*
 * ordo_bank_opts.c - the options of apps/ordo_bank: usage, parsing, ranges.
 * A bad argument is a clear message and usage on stderr (exit status 2).
 */
#include "apps/ordo_bank.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ordo_bank_opts_t o;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ordo_bank [-m lock|cas] [-a ACCOUNTS] [-b BALANCE] [-x MAX_AMOUNT]\n"
            "                 [-d SECONDS | -t TRANSFERS] [-i AUDIT_MS] [-s SEED] [-o DIR]\n"
            "  -m, --mode        lock (quorum lock, fenced ledger) or cas (lock-free); lock\n"
            "  -a, --accounts    2 .. %d; 64\n"
            "  -b, --balance     initial balance of every account, 1 .. 10^12; 1000\n"
            "  -x, --max-amount  transfers move 1 .. this; half the balance\n"
            "  -d, --duration    seconds of transfers, (0, 3600]; 3\n"
            "  -t, --transfers   transfers per rank instead of a duration, 1 .. 10^9\n"
            "  -i, --audit-ms    milliseconds between audits, [1, 600000]; 500\n"
            "  -s, --seed        seed of the transfers (each rank mixes in its rank); 1\n"
            "  -o, --report      each rank writes DIR/bank.<rank>.pid at start and\n"
            "                    DIR/bank.<rank>.report at the end (for ordo-nemesis)\n",
            ORDO_BANK_MAX_ACCOUNTS);
}

/* The numeric options, each checked against its range. */
static double num_v[7];
static const struct {
    int c;
    const char *name;
    double lo, hi, def;
    int integer;
} nums[] = {{'a', "accounts", 2, ORDO_BANK_MAX_ACCOUNTS, 64, 1},
            {'b', "balance", 1, 1e12, 1000, 1},
            {'x', "max-amount", 1, 1e12, 0, 1},
            {'d', "duration", 1e-3, 3600, 0, 0},
            {'t', "transfers", 1, 1e9, 0, 1},
            {'i', "audit-ms", 1, 600000, 500, 0},
            {'s', "seed", 0, 1e15, 1, 1}};

static int num(int c, const char *arg)
{
    for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
        if (nums[k].c != c)
            continue;
        char *end;
        double v = strtod(arg, &end);
        if (end == arg || *end || !(v >= nums[k].lo && v <= nums[k].hi) ||
            (nums[k].integer && v != (double)(int64_t)v)) {
            fprintf(stderr, "ordo_bank: bad --%s '%s' (expected %s%g .. %g)\n", nums[k].name, arg,
                    nums[k].integer ? "an integer " : "", nums[k].lo, nums[k].hi);
            return 0;
        }
        num_v[k] = v;
        return 1;
    }
    return 0;
}

int ordo_bank_parse(int argc, char **argv, ordo_bank_opts_t *out)
{
    static const struct option lo[] = {{"mode", 1, 0, 'm'},
                                       {"accounts", 1, 0, 'a'},
                                       {"balance", 1, 0, 'b'},
                                       {"max-amount", 1, 0, 'x'},
                                       {"duration", 1, 0, 'd'},
                                       {"transfers", 1, 0, 't'},
                                       {"audit-ms", 1, 0, 'i'},
                                       {"seed", 1, 0, 's'},
                                       {"report", 1, 0, 'o'},
                                       {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c, ok = 1;
    for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++)
        num_v[k] = nums[k].def;
    o.mode = MODE_LOCK;
    o.report = NULL;
    while (ok && (c = getopt_long(argc, argv, "m:a:b:x:d:t:i:s:o:h", lo, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            exit(0);
        } else if (c == 'o') {
            o.report = optarg;
        } else if (c == 'm') {
            o.mode = !strcmp(optarg, "lock") ? MODE_LOCK : !strcmp(optarg, "cas") ? MODE_CAS : -1;
            if (o.mode < 0)
                fprintf(stderr, "ordo_bank: bad --mode '%s' (expected lock or cas)\n", optarg);
            ok = o.mode >= 0;
        } else {
            ok = num(c, optarg);
        }
    }
    if (ok && optind < argc) {
        fprintf(stderr, "ordo_bank: unexpected argument '%s'\n", argv[optind]);
        ok = 0;
    }
    if (ok && num_v[3] > 0 && num_v[4] > 0) {
        fprintf(stderr, "ordo_bank: --duration and --transfers exclude each other\n");
        ok = 0;
    }
    if (!ok) {
        usage(stderr);
        return 0;
    }
    o.accounts = (int)num_v[0];
    o.balance = (int64_t)num_v[1];
    o.max_amount = num_v[2] > 0 ? (int64_t)num_v[2] : (o.balance > 1 ? o.balance / 2 : 1);
    o.duration = num_v[3] > 0 ? num_v[3] : 3;
    o.transfers = (long)num_v[4];
    o.audit_ms = num_v[5];
    o.seed = (uint64_t)num_v[6];
    *out = o;
    return 1;
}

long ordo_bank_pid(void)
{
    return (long)getpid();
}
