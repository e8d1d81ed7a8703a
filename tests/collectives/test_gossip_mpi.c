/*
 * test_gossip_mpi.c - the gossip service on every rank (run at 2 .. 8 ranks
 * by gossip_np2to8.sh): every rank publishes RECORDS records of 0 .. 256
 * bytes; every rank delivers each record of every rank exactly once, with
 * its bytes; the counters agree; the rounds each record took stay under a
 * generous bound (rounds are counted, not timed); bad arguments are
 * refused; a late subscriber gets what the rank knew; hand-made malformed
 * messages to the gossip handler are refused with ORDO_ERR_MSG (and a
 * warning the script looks for), a hand-made empty push is answered.
 */
#include "collectives/gossip.h"
#include "../ordo_test.h"
#include "../raw_call.h"

#include <string.h>

#define RECORDS 4
#define MAX_N   64

static int me, n, before_init;
static unsigned char seen[MAX_N][RECORDS];
static long delivered, bad_bytes, in_cb_wait, late_count;

static size_t rec_len(int origin, uint64_t seq)
{
    return (size_t)(origin * 7 + (int)seq * 53) % (ORDO_GOSSIP_MAX_RECORD + 1);
}

static void rec_fill(int origin, uint64_t seq, unsigned char *buf)
{
    for (size_t i = 0; i < rec_len(origin, seq); i++)
        buf[i] = (unsigned char)(origin * 31 + (int)seq * 17 + (int)i);
}

static void on_record(int origin, uint64_t seq, const void *data, size_t len, void *arg)
{
    unsigned char want[ORDO_GOSSIP_MAX_RECORD];
    (void)arg;
    if (origin < 0 || origin >= n || seq >= RECORDS) {
        bad_bytes++;
        return;
    }
    rec_fill(origin, seq, want);
    if (len != rec_len(origin, seq) || (len && memcmp(data, want, len) != 0))
        bad_bytes++;
    seen[origin][seq]++;
    delivered++;
    /* A subscriber must not wait. */
    if (ordo_barrier() == ORDO_ERR_INVALID)
        in_cb_wait++;
}

static void on_late(int origin, uint64_t seq, const void *data, size_t len, void *arg)
{
    (void)origin, (void)seq, (void)data, (void)len, (void)arg;
    late_count++;
}

static void test_bad_input(void)
{
    unsigned char big[ORDO_GOSSIP_MAX_RECORD + 1] = {0};
    ordo_gossip_record_info_t info;
    CU_ASSERT_EQUAL(before_init, ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_gossip_publish(NULL, 4, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_gossip_publish(big, sizeof(big), NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_gossip_subscribe(NULL, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_gossip_stats(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_gossip_record(-1, 0, &info), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_gossip_record(n, 0, &info), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_gossip_record(0, 0, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_gossip_record(me, 0, &info), ORDO_ERR_UNAVAILABLE);
    ordo_gossip_stats_t st;
    CU_ASSERT_EQUAL(ordo_gossip_stats(&st), ORDO_OK);
    CU_ASSERT_EQUAL(st.published, 0);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* ceil(log2 n) */
static unsigned log2up(int x)
{
    unsigned k = 0;
    while ((1 << k) < x)
        k++;
    return k;
}

static void test_dissemination(void)
{
    unsigned char buf[ORDO_GOSSIP_MAX_RECORD];
    CU_ASSERT_EQUAL_FATAL(ordo_gossip_subscribe(on_record, NULL), ORDO_OK);
    for (uint64_t k = 0; k < RECORDS; k++) {
        uint64_t seq = 99;
        rec_fill(me, k, buf);
        CU_ASSERT_EQUAL(ordo_gossip_publish(buf, rec_len(me, k), &seq), ORDO_OK);
        CU_ASSERT_EQUAL(seq, k);
    }
    CU_ASSERT_TRUE(ordo_test_progress_until(&delivered, (long)n * RECORDS));
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK); /* every rank has them all */
    CU_ASSERT_EQUAL(delivered, (long)n * RECORDS);
    CU_ASSERT_EQUAL(bad_bytes, 0);
    CU_ASSERT_EQUAL(in_cb_wait, delivered);
    for (int o = 0; o < n; o++)
        for (int k = 0; k < RECORDS; k++)
            CU_ASSERT_EQUAL(seen[o][k], 1);

    ordo_gossip_stats_t st;
    CU_ASSERT_EQUAL_FATAL(ordo_gossip_stats(&st), ORDO_OK);
    CU_ASSERT_EQUAL(st.published, RECORDS);
    CU_ASSERT_EQUAL(st.records_known, (uint64_t)n * RECORDS);
    CU_ASSERT_EQUAL(st.delivered, (uint64_t)n * RECORDS);
    CU_ASSERT_EQUAL(st.learnt, (uint64_t)(n - 1) * RECORDS);
    /* A rank may have been pulled from before its first round: it answered. */
    CU_ASSERT_TRUE(st.msgs_sent >= 1);
    CU_ASSERT_EQUAL(st.malformed, 0);
    /* Rounds are counted: a generous bound of the O(log n) they should take. */
    unsigned bound = 4 * log2up(n) + 8, worst = 0;
    for (int o = 0; o < n; o++)
        for (uint64_t k = 0; k < RECORDS; k++) {
            ordo_gossip_record_info_t info;
            CU_ASSERT_EQUAL_FATAL(ordo_gossip_record(o, k, &info), ORDO_OK);
            CU_ASSERT_TRUE(info.delivered);
            if (o == me) {
                CU_ASSERT_EQUAL(info.rounds, 0);
                CU_ASSERT_EQUAL(info.hops, 0);
            } else {
                CU_ASSERT_TRUE(info.rounds >= 1 && info.rounds <= bound);
                CU_ASSERT_TRUE(info.hops >= 1 && info.hops < (uint32_t)n);
            }
            worst = info.rounds > worst ? info.rounds : worst;
        }
    CU_ASSERT_EQUAL(st.rounds_max, worst);
    printf("gossip rank %d of %d: %u records, learnt in at most %u rounds (bound %u, mean %.1f), "
           "%llu rounds, %llu messages sent\n",
           me, n, n * RECORDS, worst, bound,
           st.learnt ? (double)st.rounds_sum / (double)st.learnt : 0.0,
           (unsigned long long)st.rounds, (unsigned long long)st.msgs_sent);
}

static void test_late_subscriber(void)
{
    CU_ASSERT_EQUAL_FATAL(ordo_gossip_subscribe(on_late, NULL), ORDO_OK);
    CU_ASSERT_TRUE(ordo_test_progress_until(&late_count, (long)n * RECORDS));
    CU_ASSERT_EQUAL(late_count, (long)n * RECORDS);
    CU_ASSERT_EQUAL(delivered, (long)n * RECORDS); /* the first one got nothing twice */
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* A header (and what follows it) sent to rank 1's gossip handler. */
static int send_raw(unsigned id, const ordo__gossip_hdr_t *h, const void *tail, size_t tlen,
                    void *reply, size_t cap, size_t *rlen)
{
    unsigned char msg[512];
    memcpy(msg, h, sizeof(*h));
    if (tlen)
        memcpy(msg + sizeof(*h), tail, tlen);
    return raw_call(1, id, msg, sizeof(*h) + tlen, reply, cap, rlen);
}

#define MALFORMED 8

static void test_malformed(void)
{
    unsigned id;
    CU_ASSERT_EQUAL_FATAL(ordo__rpc_handler_id("gossip", &id), ORDO_OK);
    if (me == 0) {
        static unsigned char reply[1 << 16];
        size_t rlen = 0;
        ordo__gossip_hdr_t h = {.version = ORDO__GOSSIP_VERSION, .kind = ORDO__GOSSIP_PUSH};
        ordo__gossip_rec_hdr_t r = {.kind = ORDO__GOSSIP_DATA, .len = 4};
        unsigned char tail[300] = {0};
        const char junk[3] = "xyz";
        CU_ASSERT_EQUAL(raw_call(1, id, junk, 3, reply, sizeof(reply), NULL), ORDO_ERR_MSG);
        h.version = 9;
        CU_ASSERT_EQUAL(send_raw(id, &h, NULL, 0, reply, sizeof(reply), NULL), ORDO_ERR_MSG);
        h.version = ORDO__GOSSIP_VERSION;
        h.kind = ORDO__GOSSIP_PULL; /* an answer sent as a request */
        CU_ASSERT_EQUAL(send_raw(id, &h, NULL, 0, reply, sizeof(reply), NULL), ORDO_ERR_MSG);
        h.kind = ORDO__GOSSIP_PUSH;
        h.nrec = 5; /* records that are not there */
        CU_ASSERT_EQUAL(send_raw(id, &h, NULL, 0, reply, sizeof(reply), NULL), ORDO_ERR_MSG);
        h.nrec = 1;
        r.origin = (uint32_t)n; /* a rank outside the job */
        memcpy(tail, &r, sizeof(r));
        CU_ASSERT_EQUAL(send_raw(id, &h, tail, sizeof(r) + 4, reply, sizeof(reply), NULL),
                        ORDO_ERR_MSG);
        r.origin = 0;
        r.len = ORDO_GOSSIP_MAX_RECORD + 1; /* too long (and cut short) */
        memcpy(tail, &r, sizeof(r));
        CU_ASSERT_EQUAL(send_raw(id, &h, tail, sizeof(tail), reply, sizeof(reply), NULL),
                        ORDO_ERR_MSG);
        h.nrec = 0;
        h.ndigest = (uint32_t)n + 1; /* more entries than ranks */
        CU_ASSERT_EQUAL(send_raw(id, &h, NULL, 0, reply, sizeof(reply), NULL), ORDO_ERR_MSG);
        h.ndigest = 0;
        h.bitmap_len = 1000; /* not (n + 7) / 8 */
        CU_ASSERT_EQUAL(send_raw(id, &h, NULL, 0, reply, sizeof(reply), NULL), ORDO_ERR_MSG);
        /* A well-formed empty push: the answer holds everything rank 1 knows. */
        h.bitmap_len = 0;
        CU_ASSERT_EQUAL(send_raw(id, &h, NULL, 0, reply, sizeof(reply), &rlen), ORDO_OK);
        ordo__gossip_view_t v;
        char why[160];
        CU_ASSERT_EQUAL(ordo__gossip_parse(reply, rlen, n, &v, why, sizeof(why)), ORDO_OK);
        CU_ASSERT_EQUAL(v.h.kind, ORDO__GOSSIP_PULL);
        CU_ASSERT_EQUAL(v.h.nrec, n * RECORDS);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    ordo_gossip_stats_t st;
    CU_ASSERT_EQUAL(ordo_gossip_stats(&st), ORDO_OK);
    CU_ASSERT_EQUAL(st.malformed, me == 1 ? MALFORMED : 0);
    CU_ASSERT_EQUAL(st.records_known, (uint64_t)n * RECORDS); /* nothing taken from them */
}

static CU_TestInfo tests[] = {
    {"bad input refused", test_bad_input},
    {"every rank delivers every record once", test_dissemination},
    {"a late subscriber gets what the rank knows", test_late_subscriber},
    {"malformed messages refused, no crash", test_malformed},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"gossip", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    before_init = ordo_gossip_publish("x", 1, NULL);
    if (ordo_init(&argc, &argv) != ORDO_OK)
        return 1;
    me = ordo_rank();
    n = ordo_size();
    if (n > MAX_N) {
        ordo_finalize();
        return ORDO_TEST_SKIP;
    }
    int rc = ordo_test_main_ranks(suites, "test_gossip_mpi");
    return ordo_finalize() == ORDO_OK ? rc : 1;
}
