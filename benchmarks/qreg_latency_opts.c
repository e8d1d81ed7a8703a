/*
 * qreg_latency_opts.c - ordo_qreg_latency's options (--delays, --quorums:
 * parsed before ordo starts, as --delays sets ORDO_FAULT), its echo
 * handler (the round trips the predictions come from) and its bench_spec.
 */
#include "qreg_latency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DELAYS_MAX   64
#define DELAY_US_MAX 10000000

/* The benchmark's own options. */
static const bench_extra_opt_t extra_opts[] = {
    {"delays", "US0,US1,...",
     "hold back every message rank r sends by US_r microseconds\n"
     "(0..10000000; 0: none): sets ORDO_FAULT=slow=r:US_r,..."},
    {"quorums", "min|all",
     "the (W, Q) of each R: min, Q = R - W + 1 for\n"
     "W = 1..R (the default); all, every W + Q > R"},
    {NULL, NULL, NULL},
};

qrl_opt_t qrl_opt;

/* ---- options, before ordo starts ------------------------------------------------ */

/* US0,US1,...: ORDO_FAULT's slow items for the ranks with a hold. */
static int parse_delays(const char *arg, char *why, size_t len)
{
    const char *env = getenv("ORDO_FAULT");
    char *end;
    size_t used = 0;
    int r = 0;
    if (env && *env && strcmp(env, "none") != 0) {
        snprintf(why, len, "ORDO_FAULT is set already ('%s'): give the delays there or here", env);
        return -1;
    }
    qrl_opt.fault[0] = '\0';
    for (const char *p = arg;; r++) {
        if (r == DELAYS_MAX || *p < '0' || *p > '9') {
            snprintf(why, len, "a comma list of at most %d holds in microseconds (0..%d) expected",
                     DELAYS_MAX, DELAY_US_MAX);
            return -1;
        }
        unsigned long us = strtoul(p, &end, 10);
        if (us > DELAY_US_MAX || (*end != ',' && *end != '\0')) {
            snprintf(why, len, "a comma list of at most %d holds in microseconds (0..%d) expected",
                     DELAYS_MAX, DELAY_US_MAX);
            return -1;
        }
        if (us)
            used += (size_t)snprintf(qrl_opt.fault + used, sizeof(qrl_opt.fault) - used,
                                     "%sslow=%d:%lu", used ? "," : "", r, us);
        if (*end == '\0')
            break;
        p = end + 1;
    }
    qrl_opt.delays_given = 1;
    /* Every rank parses the same command line and sets the same value. */
    if (used && setenv("ORDO_FAULT", qrl_opt.fault, 1) != 0) {
        snprintf(why, len, "setenv(ORDO_FAULT) failed");
        return -1;
    }
    return 0;
}

static int parse_extra(int index, const char *arg, char *why, size_t len)
{
    if (index == 0)
        return parse_delays(arg, why, len);
    if (strcmp(arg, "min") != 0 && strcmp(arg, "all") != 0) {
        snprintf(why, len, "min or all expected");
        return -1;
    }
    qrl_opt.quorums_all = strcmp(arg, "all") == 0;
    return 0;
}

static int on_echo(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, msg->data, msg->len);
}

static int register_handlers(void)
{
    return ordo_rpc_register(QRL_ID_ECHO, on_echo, NULL);
}

const bench_spec_t qrl_spec = {
    .prog = "ordo_qreg_latency",
    .title = "Quorum Register Latency Test",
    .summary = "Write and read latency (p50, p99) of quorum registers for R = 3 and 5 and\n"
               "their (W, Q), against the prediction from round trips measured in the same\n"
               "run (write: Q-th + W-th fastest replica, read: Q-th), with one rank and with\n"
               "every rank operating, and throughput with a window of operations in flight.",
    .min_size = 8,
    .max_size = 8,
    .iters = 200,
    .iters_large = 100,
    .warmup = 20,
    .warmup_large = 5,
    .window = 64,
    .flags = BENCH_OPT_WINDOW | BENCH_OPT_ALL_RANKS | BENCH_OPT_NO_MPI,
    .register_handlers = register_handlers,
    .extra_opts = extra_opts,
    .parse_extra = parse_extra,
};
