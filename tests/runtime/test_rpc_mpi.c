/*
 * test_rpc_mpi.c - the message layer under load, on several ranks: payload
 * integrity at every size from 0 to 16 MiB on both paths, many requests in
 * flight from every rank at once, completion callbacks, request misuse.
 */
#include "../ordo_test.h"

#include "runtime/rt.h"

#include <mpi.h>
#include <ordo.h>
#include <stdlib.h>
#include <string.h>

enum { ID_ECHO = 1, ID_SINK = 2, ID_GET = 3 };

#define MAX_SIZE (16u << 20)

static int me, n;
static unsigned char *sbuf, *rbuf, *hbuf;
static volatile long sink_count, sink_bad;

/* The byte at offset i of a message of len bytes from rank src. */
static unsigned char pattern(int src, size_t len, size_t i)
{
    return (unsigned char)((i * 2654435761u) ^ (len * 40503u) ^ (unsigned)src);
}

static void fill(unsigned char *b, int src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        b[i] = pattern(src, len, i);
}

static size_t count_bad(const unsigned char *b, int src, size_t len)
{
    size_t bad = 0;
    for (size_t i = 0; i < len; i++)
        bad += b[i] != pattern(src, len, i);
    return bad;
}

/* Check the request, answer with the same length in the replier's pattern. */
static int echo(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    if (count_bad(msg->data, msg->src, msg->len))
        return ORDO_ERR_MSG;
    fill(hbuf, me, msg->len);
    return ordo_rpc_reply(msg, hbuf, msg->len);
}

/* The request is a length: answer with that many bytes of the replier's pattern. */
static int get(const ordo_rpc_msg_t *msg, void *arg)
{
    uint64_t len;
    (void)arg;
    if (msg->len != sizeof(len))
        return ORDO_ERR_MSG;
    memcpy(&len, msg->data, sizeof(len));
    if (len > MAX_SIZE)
        return ORDO_ERR_INVALID;
    fill(hbuf, me, len);
    return ordo_rpc_reply(msg, hbuf, len);
}

static int sink(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    sink_count++;
    sink_bad += count_bad(msg->data, msg->src, msg->len) != 0;
    return ORDO_OK;
}

static void check_call(int peer, size_t len)
{
    size_t got = (size_t)-1;
    fill(sbuf, me, len);
    memset(rbuf, 0, len);
    int s = ordo_rpc_call(peer, ID_ECHO, sbuf, len, rbuf, MAX_SIZE, &got);
    CU_ASSERT_EQUAL(s, ORDO_OK);
    CU_ASSERT_EQUAL(got, len);
    if (s == ORDO_OK && got == len)
        CU_ASSERT_EQUAL(count_bad(rbuf, peer, len), 0);
    if (s != ORDO_OK || got != len)
        fprintf(stderr, "rank %d: call to %d with %zu bytes: %s (reply %zu)\n", me, peer, len,
                ordo_strerror(s), got);
}

static void integrity(ordo_proto_t proto)
{
    ordo_rpc_model_t m;
    CU_ASSERT_EQUAL_FATAL(ordo_rpc_model(&m), ORDO_OK);
    size_t t = m.threshold < MAX_SIZE ? m.threshold : 100000;
    size_t sizes[] = {0,        1,       7,     8,     63, 64,    65,       4095,
                      4096,     4097,    65536, t - 1, t,  t + 1, 1u << 20, (1u << 20) + 3,
                      4u << 20, MAX_SIZE};
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(proto), ORDO_OK);
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
            check_call((me + k) % n, sizes[i]);
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(ORDO_PROTO_AUTO), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_integrity_auto(void)
{
    integrity(ORDO_PROTO_AUTO);
}

static void test_integrity_eager(void)
{
    integrity(ORDO_PROTO_EAGER);
}

static void test_integrity_rndv(void)
{
    integrity(ORDO_PROTO_RNDV);
}

/* One-way messages of every path: a send completes, the payload arrives intact. */
static void test_one_way_both_paths(void)
{
    const size_t sizes[] = {0, 100, 70000, 3u << 20};
    long expect = 0;
    sink_count = sink_bad = 0;
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    for (int proto = ORDO_PROTO_EAGER; proto <= ORDO_PROTO_RNDV; proto++) {
        CU_ASSERT_EQUAL(ordo_rpc_set_proto((ordo_proto_t)proto), ORDO_OK);
        for (int k = 0; k < n; k++)
            for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                fill(sbuf, me, sizes[i]);
                CU_ASSERT_EQUAL(ordo_rpc_send((me + k) % n, ID_SINK, sbuf, sizes[i]), ORDO_OK);
                expect++;
            }
    }
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(ORDO_PROTO_AUTO), ORDO_OK);
    /* Every rank sent as many as it receives. */
    CU_ASSERT(ordo_test_progress_until(&sink_count, expect));
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(sink_count, expect);
    CU_ASSERT_EQUAL(sink_bad, 0);
}

/* Payloads from ordo_mem_alloc memory (peers map it): every size on the
 * rendezvous, requests and replies, the buffer rewritten between calls. */
static void test_integrity_mem_alloc(void)
{
    void *s, *h;
    unsigned char *old_s = sbuf, *old_h = hbuf;
    CU_ASSERT_EQUAL_FATAL(ordo_mem_alloc(MAX_SIZE, &s), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_mem_alloc(MAX_SIZE, &h), ORDO_OK);
    sbuf = s;
    hbuf = h;
    integrity(ORDO_PROTO_RNDV);
    integrity(ORDO_PROTO_AUTO);
    sbuf = old_s;
    hbuf = old_h;
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK); /* nobody answers from h any more */
    CU_ASSERT_EQUAL(ordo_mem_free(s), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_mem_free(h), ORDO_OK);
}

/* More registrations than a peer keeps keys for, each used twice, and
 * memory freed while its send is still in flight. */
static void test_mem_alloc_many_and_free_in_flight(void)
{
    enum { NBUF = 12, LEN = 200000 };
    void *b[NBUF];
    ordo_request_t *req;
    long expect = 0;

    sink_count = sink_bad = 0;
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(ORDO_PROTO_RNDV), ORDO_OK);
    for (int i = 0; i < NBUF; i++)
        CU_ASSERT_EQUAL_FATAL(ordo_mem_alloc(LEN + (size_t)i, &b[i]), ORDO_OK);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < NBUF; i++) {
            fill(b[i], me, LEN + (size_t)i);
            CU_ASSERT_EQUAL(ordo_rpc_send((me + 1) % n, ID_SINK, b[i], LEN + (size_t)i), ORDO_OK);
            expect++;
        }
    /* Freed while the peer may still pull it: the send keeps it. */
    fill(b[0], me, LEN);
    CU_ASSERT_EQUAL(ordo_rpc_send_nb((me + 1) % n, ID_SINK, b[0], LEN, NULL, NULL, &req), ORDO_OK);
    expect++;
    CU_ASSERT_EQUAL(ordo_mem_free(b[0]), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_mem_free(b[0]), ORDO_ERR_INVALID); /* twice */
    CU_ASSERT_EQUAL(ordo_request_wait(req, NULL), ORDO_OK);
    for (int i = 1; i < NBUF; i++)
        CU_ASSERT_EQUAL(ordo_mem_free(b[i]), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(ORDO_PROTO_AUTO), ORDO_OK);
    CU_ASSERT(ordo_test_progress_until(&sink_count, expect));
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(sink_count, expect);
    CU_ASSERT_EQUAL(sink_bad, 0);

    /* Not memory of ordo's. */
    int on_stack;
    CU_ASSERT_EQUAL(ordo_mem_free(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_mem_free(&on_stack), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_mem_free(sbuf), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_mem_alloc(8, NULL), ORDO_ERR_INVALID);
}

/* A burst of large one-way messages from every rank to one: the receiver
 * pulls ORDO_RNDV_INFLIGHT bytes at a time and queues the rest; all arrive
 * intact. */
static void test_rndv_burst(void)
{
    enum { NMSG = 48, LEN = 1u << 20 };
    ordo_request_t *reqs[NMSG];
    long expect = me == 0 ? (long)NMSG * (n - 1) : 0;

    sink_count = sink_bad = 0;
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(ORDO_PROTO_RNDV), ORDO_OK);
    if (me != 0) {
        fill(sbuf, me, LEN);
        for (int i = 0; i < NMSG; i++)
            CU_ASSERT_EQUAL(ordo_rpc_send_nb(0, ID_SINK, sbuf, LEN, NULL, NULL, &reqs[i]), ORDO_OK);
        for (int i = 0; i < NMSG; i++)
            CU_ASSERT_EQUAL(ordo_request_wait(reqs[i], NULL), ORDO_OK);
    }
    CU_ASSERT(ordo_test_progress_until(&sink_count, expect));
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(ORDO_PROTO_AUTO), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(sink_count, expect);
    CU_ASSERT_EQUAL(sink_bad, 0);
}

static volatile long callbacks_run;
static volatile long callbacks_bad;

static void on_done(ordo_request_t *req, int status, void *arg)
{
    size_t want = (size_t)(uintptr_t)arg;
    callbacks_run++;
    if (status != ORDO_OK || ordo_request_reply_len(req) != want)
        callbacks_bad++;
}

/* Many calls in flight from every rank to every rank, of mixed sizes and
 * paths, with handles and with callbacks only. */
static void test_many_in_flight(void)
{
    enum { NREQ = 256 };
    ordo_request_t *reqs[NREQ];
    static unsigned char *bufs[NREQ], *replies[NREQ];
    size_t lens[NREQ];
    int peers[NREQ];
    unsigned seed = 12345u + (unsigned)me;

    callbacks_run = callbacks_bad = 0;
    for (int i = 0; i < NREQ; i++) {
        seed = seed * 1103515245u + 12345u;
        lens[i] = (seed >> 8) % 5 == 0 ? 200000 + (seed >> 12) % 100000 : (seed >> 8) % 3000;
        peers[i] = (int)((seed >> 16) % (unsigned)n);
        bufs[i] = malloc(lens[i] + 1);
        replies[i] = malloc(lens[i] + 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(bufs[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(replies[i]);
        fill(bufs[i], me, lens[i]);
    }
    for (int i = 0; i < NREQ; i++) {
        int s;
        if (i % 2 == 0)
            s = ordo_rpc_call_nb(peers[i], ID_ECHO, bufs[i], lens[i], replies[i], lens[i], NULL,
                                 NULL, &reqs[i]);
        else
            s = ordo_rpc_call_nb(peers[i], ID_ECHO, bufs[i], lens[i], replies[i], lens[i], on_done,
                                 (void *)(uintptr_t)lens[i], NULL);
        CU_ASSERT_EQUAL(s, ORDO_OK);
    }
    for (int i = 0; i < NREQ; i += 2) {
        size_t got = 0;
        CU_ASSERT_EQUAL(ordo_request_wait(reqs[i], &got), ORDO_OK);
        CU_ASSERT_EQUAL(got, lens[i]);
        CU_ASSERT_EQUAL(count_bad(replies[i], peers[i], lens[i]), 0);
    }
    CU_ASSERT(ordo_test_progress_until(&callbacks_run, NREQ / 2));
    CU_ASSERT_EQUAL(callbacks_run, NREQ / 2);
    CU_ASSERT_EQUAL(callbacks_bad, 0);
    for (int i = 1; i < NREQ; i += 2)
        CU_ASSERT_EQUAL(count_bad(replies[i], peers[i], lens[i]), 0);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    for (int i = 0; i < NREQ; i++) {
        free(bufs[i]);
        free(replies[i]);
    }
}

static void test_rndv_truncated_reply(void)
{
    size_t got = 0;
    size_t len = 300000;
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(ORDO_PROTO_RNDV), ORDO_OK);
    fill(sbuf, me, len);
    memset(rbuf, 0, len);
    CU_ASSERT_EQUAL(ordo_rpc_call((me + 1) % n, ID_ECHO, sbuf, len, rbuf, 1000, &got),
                    ORDO_ERR_TRUNCATED);
    CU_ASSERT_EQUAL(got, len);
    CU_ASSERT_EQUAL(rbuf[0], pattern((me + 1) % n, len, 0));
    CU_ASSERT_EQUAL(rbuf[999], pattern((me + 1) % n, len, 999));
    CU_ASSERT_EQUAL(rbuf[1000], 0);
    CU_ASSERT_EQUAL(ordo_rpc_set_proto(ORDO_PROTO_AUTO), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* A small request whose reply is of any size: the blocking call sends the
 * request at once and matches its reply itself, until a reply comes by
 * rendezvous and an op takes the call over; a reply larger than the
 * buffer is cut, either way. */
static void test_small_request_any_reply(void)
{
    static const size_t sizes[] = {0, 8, 200, 4096, 65536, 300000, 4u << 20};
    int peer = (me + 1) % n;
    for (int k = 0; k < 3; k++) /* again: the fast path's state is reused */
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            uint64_t want = sizes[i];
            size_t got = (size_t)-1;
            memset(rbuf, 0, sizes[i] + 1);
            CU_ASSERT_EQUAL(ordo_rpc_call(peer, ID_GET, &want, sizeof(want), rbuf, MAX_SIZE, &got),
                            ORDO_OK);
            CU_ASSERT_EQUAL(got, sizes[i]);
            CU_ASSERT_EQUAL(count_bad(rbuf, peer, sizes[i]), 0);
            CU_ASSERT_EQUAL(rbuf[sizes[i]], 0);
            got = 0;
            memset(rbuf, 0, 101);
            int s = ordo_rpc_call(peer, ID_GET, &want, sizeof(want), rbuf, 100, &got);
            CU_ASSERT_EQUAL(s, sizes[i] > 100 ? ORDO_ERR_TRUNCATED : ORDO_OK);
            CU_ASSERT_EQUAL(got, sizes[i]);
            size_t cut = sizes[i] < 100 ? sizes[i] : 100, bad_bytes = 0;
            for (size_t j = 0; j < cut; j++) /* the first bytes of the whole reply */
                bad_bytes += rbuf[j] != pattern(peer, sizes[i], j);
            CU_ASSERT_EQUAL(bad_bytes, 0);
            CU_ASSERT_EQUAL(rbuf[100], 0);
        }
    uint64_t bad = (uint64_t)MAX_SIZE + 1;
    CU_ASSERT_EQUAL(ordo_rpc_call(peer, ID_GET, &bad, sizeof(bad), rbuf, MAX_SIZE, NULL),
                    ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_request_misuse(void)
{
    ordo_request_t *r = NULL;
    CU_ASSERT_EQUAL(ordo_request_wait(NULL, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_request_test(NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_request_free(NULL), ORDO_ERR_INVALID);
    /* Neither a handle nor a callback: nobody would learn the outcome. */
    CU_ASSERT_EQUAL(ordo_rpc_send_nb(0, ID_SINK, "x", 1, NULL, NULL, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_call_nb(n, ID_ECHO, "x", 1, NULL, 0, NULL, NULL, &r),
                    ORDO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(ordo_rpc_set_proto((ordo_proto_t)7), ORDO_ERR_INVALID);
    /* A request freed before completion still completes quietly. */
    sink_count = 0;
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    fill(sbuf, me, 500000);
    CU_ASSERT_EQUAL(ordo_rpc_send_nb((me + 1) % n, ID_SINK, sbuf, 500000, NULL, NULL, &r), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_request_free(r), ORDO_OK);
    CU_ASSERT(ordo_test_progress_until(&sink_count, 1));
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo__rpc_quiesce(ordo__deadline()), ORDO_OK);
}

static void test_model(void)
{
    ordo_rpc_model_t m;
    CU_ASSERT_EQUAL_FATAL(ordo_rpc_model(&m), ORDO_OK);
    CU_ASSERT_EQUAL(m.calibrated, 1);
    CU_ASSERT(m.eager_alpha_us >= 0 && m.rndv_alpha_us >= 0);
    CU_ASSERT(m.eager_beta_mbs > 0 && m.rndv_beta_mbs > 0);
    CU_ASSERT(m.threshold >= 1024 && m.threshold <= ordo_rpc_max_size());
    CU_ASSERT(m.calibration_ms > 0);
    CU_ASSERT_EQUAL(ordo_rpc_model(NULL), ORDO_ERR_INVALID);
    /* Every rank uses the same threshold. */
    unsigned long t = m.threshold, tmax = 0;
    MPI_Allreduce(&t, &tmax, 1, MPI_UNSIGNED_LONG, MPI_MAX, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(t, tmax);
}

static void test_init(void)
{
    CU_ASSERT_EQUAL_FATAL(ordo_init(NULL, NULL), ORDO_OK);
    me = ordo_rank();
    n = ordo_size();
    sbuf = malloc(MAX_SIZE);
    rbuf = malloc(MAX_SIZE);
    hbuf = malloc(MAX_SIZE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sbuf && rbuf && hbuf);
    CU_ASSERT_EQUAL(ordo_rpc_register(ID_ECHO, echo, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_rpc_register(ID_SINK, sink, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_rpc_register(ID_GET, get, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_finalize(void)
{
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
    free(sbuf);
    free(rbuf);
    free(hbuf);
}

static CU_TestInfo tests[] = {
    {"ordo_init", test_init},
    {"calibrated model", test_model},
    {"integrity 0 B .. 16 MiB, automatic path", test_integrity_auto},
    {"integrity 0 B .. 16 MiB, forced eager", test_integrity_eager},
    {"integrity 0 B .. 16 MiB, forced rendezvous", test_integrity_rndv},
    {"one-way messages on both paths", test_one_way_both_paths},
    {"integrity from ordo_mem_alloc memory", test_integrity_mem_alloc},
    {"many ordo_mem_alloc buffers, one freed in flight", test_mem_alloc_many_and_free_in_flight},
    {"burst of rendezvous messages to one rank", test_rndv_burst},
    {"many calls in flight, handles and callbacks", test_many_in_flight},
    {"rendezvous reply larger than the buffer", test_rndv_truncated_reply},
    {"small request, reply of any size (eager and rendezvous)", test_small_request_any_reply},
    {"request misuse", test_request_misuse},
    {"ordo_finalize", test_finalize},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/rpc", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    setenv("ORDO_MAX_MSG_SIZE", "32M", 1);
    return ordo_test_main_ranks(suites, "test_rpc_mpi");
}
