/*
 * ordo_kv_progress.c - apps/ordo_kv's per-second progress lines.  Every
 * second each rank sends its figures (operations, failures, a latency
 * histogram) in one one-way message to the lowest live rank, which sums
 * them and prints a line once every live rank has reported, or two seconds
 * late (a lost message, a dead rank: the line says "3/4 ranks").  Not a
 * collective: with --ops the ranks end their load at different seconds, and
 * a collective in flight fails on every survivor when a rank dies.
 */
#include "apps/ordo_kv.h"
#include <ordo.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NB         ORDO_KV_HIST_BUCKETS
#define ID_SECOND  77 /* the handler of the per-second figures */
#define SEC_WINDOW 16 /* seconds the printer keeps */

typedef struct second {     /* one rank's figures of one second */
    uint32_t sec, rank, ms; /* ms: the length of the interval (1000, less for the last) */
    uint32_t pad;
    uint64_t ops, fails;
    uint32_t hist[NB];
} second_t;

typedef struct agg { /* the printer's sum of one second */
    int64_t sec;
    int nrep, printed;
    uint32_t ms;
    uint64_t ops, fails;
    uint32_t hist[NB];
    unsigned char *seen; /* per rank: a duplicate is not counted twice */
} agg_t;

static int me, n, quiet;
static double t_start;
static second_t cur; /* this second's figures */
static agg_t agg[SEC_WINDOW];
static int64_t next_print;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int ordo_kv_lowest_live(void)
{
    for (int r = 0; r < n; r++)
        if (ordo_peer_state(r) != ORDO_PEER_FAILED)
            return r;
    return me;
}

static int live_count(void)
{
    ordo_membership_t m;
    return ordo_membership(&m) == ORDO_OK ? m.live : n;
}
static void print_second(agg_t *a)
{
    double secs = a->ms ? a->ms / 1e3 : 1.0;
    printf("ordo_kv %3" PRId64 " s: %8.0f ops/s, %" PRIu64
           " failed, latency p50 %.1f p99 %.1f p99.9 %.1f us, %d/%d ranks\n",
           a->sec + 1, (double)a->ops / secs, a->fails, ordo_kv_hist_quantile_u32(a->hist, 0.5),
           ordo_kv_hist_quantile_u32(a->hist, 0.99), ordo_kv_hist_quantile_u32(a->hist, 0.999),
           a->nrep, n);
    fflush(stdout);
    a->printed = 1;
}

/* Print the seconds that are complete (every live rank reported), or late
 * (two seconds past: a message was lost, or a rank died); final: all. */
static void print_ready(int64_t now_sec, int final)
{
    int live = live_count();
    int64_t last = final ? next_print + SEC_WINDOW - 1 : now_sec;
    for (; next_print <= last; next_print++) {
        agg_t *a = &agg[next_print % SEC_WINDOW];
        int here = a->sec == next_print, late = final || now_sec >= next_print + 2;
        if (here && !a->printed) {
            if (a->nrep < live && !late)
                break;
            print_second(a);
        } else if (!here && !late) {
            break;
        }
    }
}

static int on_second(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    second_t s;
    if (msg->len != sizeof(s))
        return ORDO_ERR_INVALID;
    memcpy(&s, msg->data, sizeof(s));
    if ((int64_t)s.sec < next_print || s.rank >= (uint32_t)n)
        return ORDO_OK; /* already printed */
    agg_t *a = &agg[s.sec % SEC_WINDOW];
    if (a->sec != (int64_t)s.sec) {
        if (a->sec >= 0 && !a->printed && me == ordo_kv_lowest_live())
            print_second(a); /* the window is full: print it late */
        unsigned char *seen = a->seen;
        memset(a, 0, sizeof(*a));
        memset(seen, 0, (size_t)n);
        a->seen = seen;
        a->sec = s.sec;
    }
    if (a->seen[s.rank])
        return ORDO_OK; /* a duplicate */
    a->seen[s.rank] = 1;
    a->nrep++;
    a->ops += s.ops;
    a->fails += s.fails;
    a->ms = s.ms > a->ms ? s.ms : a->ms;
    for (int b = 0; b < NB; b++)
        a->hist[b] += s.hist[b];
    return ORDO_OK;
}

static void send_second(uint32_t ms)
{
    cur.rank = (uint32_t)me;
    cur.ms = ms;
    (void)ordo_rpc_send(ordo_kv_lowest_live(), ID_SECOND, &cur,
                        sizeof(cur)); /* lost: "3/4 ranks" */
    uint32_t sec = cur.sec + 1;
    memset(&cur, 0, sizeof(cur));
    cur.sec = sec;
}

void ordo_kv_progress_tick(void)
{
    if (quiet)
        return;
    int64_t sec = (int64_t)(now_s() - t_start);
    while ((int64_t)cur.sec < sec)
        send_second(1000);
    if (me == ordo_kv_lowest_live())
        print_ready(sec, 0);
}

int ordo_kv_progress_init(int q)
{
    me = ordo_rank();
    n = ordo_size();
    quiet = q;
    for (int i = 0; i < SEC_WINDOW; i++) {
        agg[i].sec = -1;
        if (!(agg[i].seen = calloc((size_t)n, 1)))
            return ORDO_ERR_NOMEM;
    }
    return ordo_rpc_register(ID_SECOND, on_second, NULL);
}

void ordo_kv_progress_start(double t0)
{
    t_start = t0;
}

void ordo_kv_progress_ok(int bucket)
{
    cur.hist[bucket]++;
    cur.ops++;
}

void ordo_kv_progress_fail(void)
{
    cur.fails++;
}

void ordo_kv_progress_end(double dt)
{
    if (!quiet && dt - cur.sec >= 0.1) /* the last, partial second; a sliver is left out */
        send_second((uint32_t)((dt - cur.sec) * 1e3));
}

void ordo_kv_progress_flush(void)
{
    if (!quiet && me == ordo_kv_lowest_live())
        print_ready((int64_t)cur.sec + 1, 1);
}
