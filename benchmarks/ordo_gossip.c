/*
 * ordo_gossip - how many gossip rounds a record takes to reach every rank,
 * and what it costs in messages, against a central registry.
 *
 * Per iteration the publishers (ranks 0 .. K-1, --publishers K, default 1)
 * each publish one record of the -m size (default 32 B); every rank drives
 * progress until it has delivered them, then until it spreads nothing any
 * more (gossip is quiet), then meets the others (ordo_barrier).  For each
 * record: the rounds it took to reach the last rank (the largest
 * ordo_gossip_record rounds over the ranks: rounds are counted along the
 * record's path, not timed) and the hops; for each iteration the messages
 * every rank sent (pushes and answers) and the rounds it ran.
 *
 * One row, keyed by N (the Size column): rounds to full dissemination (mean
 * and max over the records), ceil(log2 N), the registry's steps, hops
 * (mean, max), messages per rank per round, messages per record (every
 * rank's, until gossip is quiet) and the registry's.  The registry: one
 * rank holds the record and sends it to each of the N - 1 others, one send
 * per step: N - 1 steps and N - 1 messages (a tree would take ceil(log2 N)
 * steps, but it must know the membership and fails with any inner rank).
 * benchmarks/gossip-scaling.sh runs it at N = 2 .. 64.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int publishers = 1;
static long delivered;

static const bench_extra_opt_t extra_opts[] = {
    {"publishers", "K", "ranks 0..K-1 publish one record each per iteration (default 1)"},
    {NULL, NULL, NULL},
};

static int parse_extra(int index, const char *arg, char *why, size_t len)
{
    char *end;
    long k = strtol(arg, &end, 10);
    (void)index;
    if (*arg == '\0' || *end != '\0' || k < 1 || k > 64) {
        snprintf(why, len, "an integer from 1 to 64 expected");
        return -1;
    }
    publishers = (int)k;
    return 0;
}

static void on_record(int origin, uint64_t seq, const void *data, size_t len, void *arg)
{
    (void)origin, (void)seq, (void)data, (void)len, (void)arg;
    delivered++;
}

static int setup_all(const bench_t *b)
{
    (void)b;
    return ordo_gossip_subscribe(on_record, NULL);
}

static const bench_spec_t spec = {
    .prog = "ordo_gossip",
    .title = "Gossip Dissemination Test",
    .summary = "Rounds until a gossiped record reaches every rank (mean and max over the\n"
               "records), beside ceil(log2 N) and a central registry's N - 1 sequential\n"
               "sends; hops; messages per rank per round and per record.  -m sets the record\n"
               "size (its max, at most 256 B), -i the records per publisher.",
    .min_size = 32,
    .max_size = 32,
    .iters = 10,
    .iters_large = 10,
    .warmup = 1,
    .warmup_large = 1,
    .flags = BENCH_OPT_ALL_RANKS | BENCH_OPT_NO_MPI,
    .setup_all = setup_all,
    .extra_opts = extra_opts,
    .parse_extra = parse_extra,
};

static void check(const bench_t *b, const char *what, int s)
{
    if (s != ORDO_OK)
        bench_fail(b, what, 0, s);
}

static void wait_delivered(const bench_t *b, long target)
{
    while (delivered < target)
        bench_poll(b);
}

static void wait_quiet(const bench_t *b)
{
    ordo_gossip_stats_t st;
    for (;;) {
        check(b, "ordo_gossip_stats", ordo_gossip_stats(&st));
        if (st.young == 0)
            return;
        bench_poll(b);
    }
}

typedef struct totals {
    double rounds_sum, rounds_max, hops_sum, hops_max, records;
    double msgs, rank_rounds;
} totals_t;

/* One iteration: publish, deliver, quieten; then the figures of its records. */
static void iteration(const bench_t *b, int it, size_t size, totals_t *t)
{
    static unsigned char buf[ORDO_GOSSIP_MAX_RECORD];
    int k = publishers < b->size ? publishers : b->size;
    ordo_gossip_stats_t s0, s1;
    check(b, "ordo_gossip_stats", ordo_gossip_stats(&s0));
    memset(buf, it & 0xff, size);
    if (b->rank < k)
        check(b, "ordo_gossip_publish", ordo_gossip_publish(buf, size, NULL));
    wait_delivered(b, (long)(it + 1) * k);
    wait_quiet(b);
    check(b, "ordo_barrier", ordo_barrier());
    check(b, "ordo_gossip_stats", ordo_gossip_stats(&s1));
    /* Per record: rounds and hops here; the most over the ranks; the sum. */
    double mine[2 * 64 + 2], most[2 * 64], sum[2 * 64 + 2];
    for (int o = 0; o < k; o++) {
        ordo_gossip_record_info_t info;
        check(b, "ordo_gossip_record", ordo_gossip_record(o, (uint64_t)it, &info));
        mine[2 * o] = info.rounds;
        mine[2 * o + 1] = info.hops;
    }
    MPI_Allreduce(mine, most, 2 * k, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    mine[2 * k] = (double)(s1.msgs_sent - s0.msgs_sent);
    mine[2 * k + 1] = (double)(s1.rounds - s0.rounds);
    MPI_Allreduce(mine, sum, 2 * k + 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    for (int o = 0; o < k; o++) {
        t->rounds_sum += most[2 * o];
        t->rounds_max = most[2 * o] > t->rounds_max ? most[2 * o] : t->rounds_max;
        t->hops_sum += sum[2 * o + 1] / (b->size - 1); /* mean over the other ranks */
        t->hops_max = most[2 * o + 1] > t->hops_max ? most[2 * o + 1] : t->hops_max;
        t->records++;
    }
    t->msgs += sum[2 * k];
    t->rank_rounds += sum[2 * k + 1];
}

int main(int argc, char **argv)
{
    bench_t b;
    int rc = bench_start(&b, &spec, argc, argv);
    if (rc != BENCH_RUN)
        return rc;
    size_t size = b.opts.max_size; /* -m [min:]max: the record is max bytes */
    if (size > ORDO_GOSSIP_MAX_RECORD)
        bench_fail(&b, "a record over ORDO_GOSSIP_MAX_RECORD bytes", size, ORDO_ERR_INVALID);
    int warm = bench_warmup(&b, size), iters = bench_iters(&b, size);
    totals_t t, unused;
    memset(&t, 0, sizeof(t));
    memset(&unused, 0, sizeof(unused));
    double t0 = bench_now_us();
    for (int i = 0; i < warm + iters; i++)
        iteration(&b, i, size, i < warm ? &unused : &t);
    double ms = (bench_now_us() - t0) / 1e3 / (warm + iters);
    if (b.role == BENCH_ACTIVE) {
        int n = b.size, log2n = 0;
        while ((1 << log2n) < n)
            log2n++;
        bench_print_title(&b);
        bench_note(&b,
                   "gossip: fanout %s, period %s ms, retransmit %s (0: 2*ceil(log2(N+1))); "
                   "%d publisher(s), %d B records, %.0f records timed",
                   getenv("ORDO_GOSSIP_FANOUT") ? getenv("ORDO_GOSSIP_FANOUT") : "3",
                   getenv("ORDO_GOSSIP_PERIOD_MS") ? getenv("ORDO_GOSSIP_PERIOD_MS") : "100",
                   getenv("ORDO_GOSSIP_RETRANSMIT") ? getenv("ORDO_GOSSIP_RETRANSMIT") : "0",
                   publishers < n ? publishers : n, (int)size, t.records);
        bench_note(&b, "the Size column is N (ranks); rounds: until the last rank has the record; "
                       "registry: one rank sends to the N - 1 others, one send per step");
        bench_note(&b,
                   "%.1f ms per iteration (publish, every rank delivers, gossip quiet, "
                   "barrier)",
                   ms);
        bench_table_t tab;
        bench_table_init(&tab);
        const char *cols[] = {"Rounds mean",     "Rounds max",  "log2(N)",
                              "Registry steps",  "Hops mean",   "Hops max",
                              "Msgs/rank/round", "Msgs/record", "Registry msgs"};
        for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
            bench_table_col(&tab, cols[i]);
        bench_table_header(&b, &tab);
        bench_row_begin(&b, &tab, (size_t)n);
        bench_cell(&b, &tab, t.rounds_sum / t.records);
        bench_cell_prec(&b, &tab, t.rounds_max, 0);
        bench_cell_prec(&b, &tab, log2n, 0);
        bench_cell_prec(&b, &tab, n - 1, 0);
        bench_cell(&b, &tab, t.hops_sum / t.records);
        bench_cell_prec(&b, &tab, t.hops_max, 0);
        bench_cell(&b, &tab, t.rank_rounds ? t.msgs / t.rank_rounds : 0);
        bench_cell(&b, &tab, t.msgs / t.records);
        bench_cell_prec(&b, &tab, n - 1, 0);
        bench_row_end(&b, &tab);
    }
    return bench_finish(&b);
}
