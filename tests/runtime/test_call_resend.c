/*
 * test_call_resend.c - a call's request buffer is the caller's again once
 * the call completes, even when a copy of the request is still with the
 * transport (call_resend_np2.sh: ORDO_RETRY_MS=20, at-least-once delivery,
 * 2 ranks).
 *
 * ROUNDS times: rank 1 stops running handlers for BUSY_MS (it computes);
 * rank 0 starts a call to it (64 B of a pattern, into the shared-memory
 * FIFO), then floods it with one-way messages until the FIFO is full and
 * FLOOD more wait in the transport's queue.  After ORDO_RETRY_MS without
 * a reply the call's request is sent again: behind the flood.  When rank 1
 * comes back it answers the first copy at once, while the second still
 * waits in rank 0's queue.  Rank 0 overwrites the request buffer once the call is waited for (the
 * caller owns it again; freed after).  Had the call completed at the reply, the second copy would
 * carry the overwritten bytes; with at-least-once delivery rank 1 runs the handler on every copy
 * and counts the requests that do not hold the pattern: there must be none, and some request must
 * have run twice (else the round proved nothing and the test fails).
 */
#include "fd_test.h"

#include <string.h>

#define ROUNDS   5
#define BUSY_MS  150
#define FLOOD    3000
#define REQ_LEN  64
#define ID_CHECK 2
#define ID_SINK  3
#define ID_STATS 4

static int bad, runs, sink_count;

static int on_check(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    const uint8_t *p = msg->data;
    int ok = msg->len == REQ_LEN;
    for (size_t i = 0; ok && i < REQ_LEN; i++)
        ok = p[i] == (uint8_t)(0xa0 + i % 16);
    bad += !ok;
    runs++;
    return ORDO_OK;
}

static int on_sink(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)msg;
    (void)arg;
    sink_count++;
    return ORDO_OK;
}

static int on_stats(const ordo_rpc_msg_t *msg, void *arg)
{
    int v[2] = {bad, runs};
    (void)arg;
    return ordo_rpc_reply(msg, v, sizeof(v));
}

static void sent(ordo_request_t *req, int status, void *arg)
{
    (void)req;
    (void)status;
    (void)arg;
}

static int one_round(uint8_t *buf)
{
    static uint8_t flood[REQ_LEN];
    ordo_request_t *call;
    for (size_t i = 0; i < REQ_LEN; i++)
        buf[i] = (uint8_t)(0xa0 + i % 16);
    if (ordo_rpc_call_nb(1, ID_CHECK, buf, REQ_LEN, NULL, 0, NULL, NULL, &call) != ORDO_OK)
        FAIL("ordo_rpc_call_nb");
    for (int i = 0; i < FLOOD; i++)
        if (ordo_rpc_send_nb(1, ID_SINK, flood, sizeof(flood), sent, NULL, NULL) != ORDO_OK)
            FAIL("ordo_rpc_send_nb %d", i);
    int s = ordo_request_wait(call, NULL);
    memset(buf, 0xee, REQ_LEN); /* the caller's again: reuse it */
    if (s != ORDO_OK)
        FAIL("call: %s", ordo_status_name(s));
    return 0;
}

int main(int argc, char **argv)
{
    if (fd_test_init(&argc, &argv) != 0)
        return 1;
    if (ordo_size() != 2)
        FAIL("run on 2 ranks");
    if (ordo_rpc_register(ID_CHECK, on_check, NULL) != ORDO_OK ||
        ordo_rpc_register(ID_SINK, on_sink, NULL) != ORDO_OK ||
        ordo_rpc_register(ID_STATS, on_stats, NULL) != ORDO_OK)
        FAIL("register");
    if (ordo_barrier() != ORDO_OK)
        FAIL("barrier");
    for (int round = 0; round < ROUNDS; round++) {
        if (fd_test_me == 1) {
            fd_test_compute(BUSY_MS / 1e3); /* no handler runs meanwhile */
        } else {
            uint8_t *buf = malloc(REQ_LEN);
            if (!buf || one_round(buf))
                return 1;
            free(buf);
        }
        if (ordo_barrier() != ORDO_OK)
            FAIL("barrier after round %d", round);
    }
    if (fd_test_me == 0) {
        int v[2];
        if (ordo_rpc_call(1, ID_STATS, NULL, 0, v, sizeof(v), NULL) != ORDO_OK)
            FAIL("stats");
        printf("call_resend: %d rounds, %d executions of the calls, %d with a request that "
               "was not the caller's any more\n",
               ROUNDS, v[1], v[0]);
        if (v[0] != 0)
            FAIL("%d requests sent from a buffer the caller had got back", v[0]);
        if (v[1] <= ROUNDS)
            FAIL("no request was sent twice: the test proved nothing");
    }
    if (ordo_barrier() != ORDO_OK)
        FAIL("final barrier");
    return ordo_finalize() == ORDO_OK ? 0 : 1;
}
