/*
 * test_runtime_mpi.c - the runtime on several ranks (run under mpirun with
 * 1, 2 and 4 ranks): start-up, topology, a message between every pair,
 * the error paths of the message layer, and a clean finalize.
 */
#include "../ordo_test.h"

#include "collectives/coll.h"
#include "runtime/clock.h"
#include "runtime/lclock.h"
#include "runtime/msg.h"
#include "runtime/rpc_int.h"
#include "runtime/rt.h"
#include "runtime/timer.h"

#include <mpi.h>
#include <ordo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ID_ECHO = 1, ID_STATUS = 2, ID_COUNT = 3, ID_NESTED = 4, ID_UNUSED = 77 };

static int me, n;
static int one_way_received;
static int64_t one_way_sum;

/* Echo the payload back with every byte xor 0x5a. */
static int echo(const ordo_rpc_msg_t *msg, void *arg)
{
    static unsigned char out[1 << 17];
    (void)arg;
    if (msg->len > sizeof(out))
        return ORDO_ERR_INVALID;
    for (size_t i = 0; i < msg->len; i++)
        out[i] = ((const unsigned char *)msg->data)[i] ^ 0x5a;
    return ordo_rpc_reply(msg, out, msg->len);
}

/* Return the status the caller asks for, as an int in the payload. */
static int give_status(const ordo_rpc_msg_t *msg, void *arg)
{
    int s;
    (void)arg;
    if (msg->len != sizeof(s))
        return ORDO_ERR_MSG;
    memcpy(&s, msg->data, sizeof(s));
    return s;
}

/* The prefix and payload lengths of the last message count() took. */
static size_t last_prefix_len, last_len;

static int count(const ordo_rpc_msg_t *msg, void *arg)
{
    int64_t v;
    (void)arg;
    if (msg->len != sizeof(v))
        return ORDO_ERR_MSG;
    memcpy(&v, msg->data, sizeof(v));
    (void)ordo__rpc_msg_prefix(msg, &last_prefix_len);
    last_len = msg->len;
    one_way_received++;
    one_way_sum += v;
    return ORDO_OK;
}

/* A handler that tries to block: the runtime must refuse, not deadlock. */
static int nested(const ordo_rpc_msg_t *msg, void *arg)
{
    int inner[3];
    (void)arg;
    inner[0] = ordo_rpc_call(msg->src, ID_ECHO, "x", 1, NULL, 0, NULL);
    inner[1] = ordo_barrier();
    inner[2] = ordo_progress();
    return ordo_rpc_reply(msg, inner, sizeof(inner)) == ORDO_OK ? ORDO_OK : ORDO_ERR_INTERNAL;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void test_init(void)
{
    int mpi_rank, mpi_size, inited;
    CU_ASSERT_EQUAL_FATAL(ordo_init(NULL, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_initialized(), 1);
    me = ordo_rank();
    n = ordo_size();
    /* ordo started MPI, and the application can use it too. */
    MPI_Initialized(&inited);
    CU_ASSERT_TRUE(inited);
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
    CU_ASSERT_EQUAL(me, mpi_rank);
    CU_ASSERT_EQUAL(n, mpi_size);
    CU_ASSERT_EQUAL(ordo_init(NULL, NULL), ORDO_ERR_ALREADY_INIT);
    CU_ASSERT_EQUAL_FATAL(ordo_rpc_register(ID_ECHO, echo, NULL), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_rpc_register(ID_STATUS, give_status, NULL), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_rpc_register(ID_COUNT, count, NULL), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo_rpc_register(ID_NESTED, nested, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_topology(void)
{
    int local = 0;
    for (int r = 0; r < n; r++) {
        CU_ASSERT_EQUAL(ordo_same_node(r, r), 1);
        CU_ASSERT(ordo_numa_node(r) >= -1);
        local += ordo_same_node(me, r);
    }
    CU_ASSERT_EQUAL(ordo_local_size(), local);
    CU_ASSERT(ordo_local_rank() >= 0 && ordo_local_rank() < ordo_local_size());
    CU_ASSERT_EQUAL(ordo_same_node(-1, 0), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_same_node(0, n), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_numa_node(n), ORDO_ERR_INVALID);
    /* Every rank agrees on the hosts (all gathered from the same exchange). */
    int node0 = ordo__rt.topo.ranks[0].node, all;
    MPI_Allreduce(&node0, &all, 1, MPI_INT, MPI_BOR, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(all, node0);
}

/* ---- messages between every pair ------------------------------------------ */

static void check_echo(int peer, size_t len)
{
    static unsigned char req[1 << 17], rep[1 << 17];
    size_t got = (size_t)-1;
    for (size_t i = 0; i < len; i++)
        req[i] = (unsigned char)(i * 131 + (size_t)me * 17 + (size_t)peer);
    CU_ASSERT_EQUAL_FATAL(ordo_rpc_call(peer, ID_ECHO, req, len, rep, sizeof(rep), &got), ORDO_OK);
    CU_ASSERT_EQUAL(got, len);
    size_t bad = 0;
    for (size_t i = 0; i < len; i++)
        bad += rep[i] != (req[i] ^ 0x5a);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_call_every_pair(void)
{
    const size_t sizes[] = {0, 1, 8, 63, 64, 1000, 4096, 65536, 1 << 17};
    for (int k = 0; k < n; k++)
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
            check_echo((me + k) % n, sizes[s]);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_one_way_every_pair(void)
{
    one_way_received = 0;
    one_way_sum = 0;
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    for (int k = 0; k < n; k++) {
        int64_t v = 1000 + me;
        CU_ASSERT_EQUAL(ordo_rpc_send((me + k) % n, ID_COUNT, &v, sizeof(v)), ORDO_OK);
    }
    /* A message from everyone: progress until all arrived (bounded by the barrier's
     * own timeout if one never comes). */
    while (one_way_received < n)
        if (ordo_progress() < 0)
            break;
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(one_way_received, n);
    CU_ASSERT_EQUAL(one_way_sum, 1000LL * n + (int64_t)n * (n - 1) / 2);
}

/* ---- error paths --------------------------------------------------------- */

static void test_handler_status_reaches_caller(void)
{
    int peer = (me + 1) % n;
    int want[] = {ORDO_OK, ORDO_ERR_UNAVAILABLE, ORDO_ERR_INVALID, ORDO_ERR_IO};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        CU_ASSERT_EQUAL(ordo_rpc_call(peer, ID_STATUS, &want[i], sizeof(int), NULL, 0, NULL),
                        want[i]);
}

static void test_unknown_handler(void)
{
    int peer = (me + 1) % n;
    size_t len = 12345;
    char rep[8];
    CU_ASSERT_EQUAL(ordo_rpc_call(peer, ID_UNUSED, "abc", 3, rep, sizeof(rep), &len),
                    ORDO_ERR_NO_HANDLER);
    CU_ASSERT_EQUAL(len, 12345); /* outputs untouched on error */
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_truncated_reply(void)
{
    unsigned char req[100], rep[10];
    size_t len = 0;
    memset(req, 0x11, sizeof(req));
    CU_ASSERT_EQUAL(ordo_rpc_call((me + 1) % n, ID_ECHO, req, sizeof(req), rep, sizeof(rep), &len),
                    ORDO_ERR_TRUNCATED);
    CU_ASSERT_EQUAL(len, sizeof(req));
    CU_ASSERT_EQUAL(rep[0], 0x11 ^ 0x5a);
    CU_ASSERT_EQUAL(rep[9], 0x11 ^ 0x5a);
}

static void test_bad_arguments(void)
{
    char buf[8] = {0};
    CU_ASSERT_EQUAL(ordo_rpc_call(-1, ID_ECHO, buf, 1, buf, 8, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_call(n, ID_ECHO, buf, 1, buf, 8, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_send(n + 5, ID_ECHO, buf, 1), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_call(0, ORDO_RPC_MAX_ID, buf, 1, buf, 8, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_send(0, ORDO_RPC_MAX_ID + 5, buf, 1), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_call(0, ID_ECHO, NULL, 4, buf, 8, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_call(0, ID_ECHO, buf, 1, NULL, 8, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_register(ID_ECHO, echo, NULL), ORDO_ERR_EXISTS);
    CU_ASSERT_EQUAL(ordo_rpc_register(ORDO_RPC_MAX_ID, echo, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_register(5, NULL, NULL), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_deregister(ID_UNUSED), ORDO_ERR_NO_HANDLER);
    CU_ASSERT_EQUAL(ordo_rpc_reply(NULL, buf, 1), ORDO_ERR_INVALID);
}

static void test_oversize_refused(void)
{
    /* main() set ORDO_MAX_MSG_SIZE=1M */
    size_t big = ordo_rpc_max_size() + 1;
    CU_ASSERT_EQUAL_FATAL(ordo_rpc_max_size(), 1u << 20);
    char *buf = calloc(1, big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    uint64_t sent = ordo__rt.stats.msgs_sent;
    CU_ASSERT_EQUAL(ordo_rpc_call((me + 1) % n, ID_ECHO, buf, big, NULL, 0, NULL),
                    ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_rpc_send((me + 1) % n, ID_COUNT, buf, big), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo__rt.stats.msgs_sent, sent); /* nothing left this rank */
    free(buf);
}

static void test_handler_cannot_block(void)
{
    int inner[3] = {0, 0, 0};
    size_t len = 0;
    CU_ASSERT_EQUAL(ordo_rpc_call((me + 1) % n, ID_NESTED, NULL, 0, inner, sizeof(inner), &len),
                    ORDO_OK);
    CU_ASSERT_EQUAL(len, sizeof(inner));
    CU_ASSERT_EQUAL(inner[0], ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(inner[1], ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(inner[2], ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* Headers a broken or hostile peer could send: each is dropped and counted. */
static void test_malformed_headers_dropped(void)
{
    ordo__msg_hdr_t good = {.magic = ORDO__MSG_MAGIC,
                            .version = ORDO__MSG_VERSION,
                            .kind = ORDO__MSG_SEND,
                            .hdr_len = sizeof(ordo__msg_hdr_t),
                            .handler = ID_COUNT,
                            .src = 0};
    ordo__msg_hdr_t h;
    int64_t v = 1;
    uint64_t malformed = ordo__rt.stats.malformed;
    int received = one_way_received;

    ordo__rpc_recv(NULL, &good, 5, &v, sizeof(v)); /* truncated header */
    h = good;
    h.magic = 0xbeef;
    ordo__rpc_recv(NULL, &h, sizeof(h), &v, sizeof(v));
    h = good;
    h.version = 9;
    ordo__rpc_recv(NULL, &h, sizeof(h), &v, sizeof(v));
    h = good;
    h.src = n;
    ordo__rpc_recv(NULL, &h, sizeof(h), &v, sizeof(v));
    h = good;
    h.src = -3;
    ordo__rpc_recv(NULL, &h, sizeof(h), &v, sizeof(v));
    h = good;
    h.kind = 42;
    ordo__rpc_recv(NULL, &h, sizeof(h), &v, sizeof(v));
    h = good;
    h.hdr_len = 200;
    ordo__rpc_recv(NULL, &h, sizeof(h), &v, sizeof(v));
    CU_ASSERT_EQUAL(ordo__rt.stats.malformed, malformed + 7);
    CU_ASSERT_EQUAL(one_way_received, received);
    ordo_stats_t st;
    CU_ASSERT_EQUAL(ordo_stats(&st), ORDO_OK);
    CU_ASSERT_EQUAL(st.malformed, malformed + 7);
    CU_ASSERT(st.msgs_sent > 0 && st.msgs_received > 0);
    CU_ASSERT_EQUAL(ordo_stats(NULL), ORDO_ERR_INVALID);

    /* A reply nobody asked for is dropped as well. */
    uint64_t late = ordo__rt.stats.late_replies;
    h = good;
    h.kind = ORDO__MSG_REPLY;
    h.req_id = 0xdeadbeefULL;
    ordo__rpc_recv(NULL, &h, sizeof(h), NULL, 0);
    CU_ASSERT_EQUAL(ordo__rt.stats.late_replies, late + 1);

    /* The valid header still works. */
    ordo__rpc_recv(NULL, &good, sizeof(good), &v, sizeof(v));
    CU_ASSERT_EQUAL(one_way_received, received + 1);
}

/* A packed message in the long form (msg.h): header, Lamport clock and
 * payload as one, as the short paths send them when the short form does not
 * apply.  Every shape works; one that lies about its lengths or source is
 * dropped and counted. */
static size_t packed(uint8_t *buf, unsigned kind, unsigned flags, int src, uint64_t req_id,
                     const void *data, size_t len)
{
    ordo__msg_hdr_t h = {.magic = ORDO__MSG_MAGIC,
                         .version = ORDO__MSG_VERSION,
                         .kind = (uint8_t)kind,
                         .flags = (uint16_t)(ORDO__MSG_F_LAMPORT | flags),
                         .hdr_len = sizeof(ordo__msg_hdr_t) + 8,
                         .handler = ID_COUNT,
                         .src = src,
                         .req_id = req_id};
    uint64_t clock = 5;
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), &clock, sizeof(clock));
    if (len)
        memcpy(buf + h.hdr_len, data, len);
    return h.hdr_len + len;
}

static void test_packed_messages(void)
{
    uint8_t buf[128];
    int64_t v = 2;
    int received = one_way_received;
    uint64_t malformed = ordo__rt.stats.malformed, late = ordo__rt.stats.late_replies;
    uint64_t lamport = ordo__lamport;

    /* One-way: the general path. */
    size_t len = packed(buf, ORDO__MSG_SEND, 0, me, 0, &v, sizeof(v));
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    CU_ASSERT_EQUAL(one_way_received, received + 1);
    CU_ASSERT(ordo__lamport > lamport);
    /* A request sent once: its reply goes to a call that does not exist
     * and comes back as a late reply. */
    len = packed(buf, ORDO__MSG_REQ, ORDO__MSG_F_ONCE, me, ((uint64_t)1 << 51) | 9, &v, sizeof(v));
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    CU_ASSERT_EQUAL(one_way_received, received + 2);
    /* A reply nobody waits for, in the reply's shape. */
    len = packed(buf, ORDO__MSG_REPLY, 0, me, 0xfeedULL, NULL, 0);
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    for (int i = 0; i < 1000 && ordo__rt.stats.late_replies < late + 2; i++) {
        ordo_progress();
        usleep(1000);
    }
    CU_ASSERT_EQUAL(ordo__rt.stats.late_replies, late + 2);

    /* Lies: each is dropped and counted, nothing runs. */
    ordo__rpc_recv(NULL, NULL, 0, buf, 20); /* shorter than a header */
    len = packed(buf, ORDO__MSG_REQ, ORDO__MSG_F_ONCE, n, 1, &v, sizeof(v)); /* no such rank */
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    len = packed(buf, ORDO__MSG_SEND, 0, me, 0, &v, sizeof(v));
    ordo__rpc_recv(NULL, NULL, 0, buf, sizeof(ordo__msg_hdr_t) + 4); /* clock cut off */
    ((ordo__msg_hdr_t *)buf)->pre_len = 8;                           /* a prefix without its flag */
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    ((ordo__msg_hdr_t *)buf)->pre_len = 200; /* past the end */
    ((ordo__msg_hdr_t *)buf)->flags |= ORDO__MSG_F_PREFIX;
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    CU_ASSERT_EQUAL(ordo__rt.stats.malformed, malformed + 5);
    CU_ASSERT_EQUAL(one_way_received, received + 2);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* A message in the short form (msg.h): its 24 bytes, then the payload. */
static size_t short_msg(uint8_t *buf, unsigned tag, unsigned src, uint32_t arg, uint64_t req_id,
                        uint64_t clock, const void *data, size_t len)
{
    ordo__msg_short_t m = {
        .src_tag = src | tag << 24, .arg = arg, .req_id = req_id, .lamport = clock};
    memcpy(buf, &m, sizeof(m));
    if (len)
        memcpy(buf + sizeof(m), data, len);
    return sizeof(m) + len;
}

/* The short form: a request runs its handler (its reply goes to a call
 * that does not exist and comes back late), a reply nobody waits for is
 * late, whatever its status; the clock is merged.  Lies (a rank that does
 * not exist, a handler id past 16 bits, a header cut short) are dropped and
 * counted, and nothing runs. */
static void test_short_messages(void)
{
    uint8_t buf[128];
    int64_t v = 4;
    int received = one_way_received;
    uint64_t malformed = ordo__rt.stats.malformed, late = ordo__rt.stats.late_replies;
    uint64_t clock = ordo__lamport + 1000;

    size_t len = short_msg(buf, ORDO__MSG_SHORT_REQ, (unsigned)me, ID_COUNT,
                           ((uint64_t)1 << 52) | 11, clock, &v, sizeof(v));
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    CU_ASSERT_EQUAL(one_way_received, received + 1);
    CU_ASSERT(ordo__lamport > clock);
    len = short_msg(buf, ORDO__MSG_SHORT_REPLY, (unsigned)me, (uint32_t)-12345, 0xbeefULL, 1, NULL,
                    0);
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    for (int i = 0; i < 1000 && ordo__rt.stats.late_replies < late + 2; i++) {
        ordo_progress();
        usleep(1000);
    }
    CU_ASSERT_EQUAL(ordo__rt.stats.late_replies, late + 2);
    CU_ASSERT_EQUAL(ordo__rt.stats.malformed, malformed);

    len = short_msg(buf, ORDO__MSG_SHORT_REQ, (unsigned)n, ID_COUNT, 1, 1, &v, sizeof(v));
    ordo__rpc_recv(NULL, NULL, 0, buf, len); /* no such rank */
    len = short_msg(buf, ORDO__MSG_SHORT_REPLY, ORDO__MSG_SHORT_SRC_MAX, 0, 1, 1, NULL, 0);
    ordo__rpc_recv(NULL, NULL, 0, buf, len); /* no such rank either */
    len =
        short_msg(buf, ORDO__MSG_SHORT_REQ, (unsigned)me, 0x10000u | ID_COUNT, 1, 1, &v, sizeof(v));
    ordo__rpc_recv(NULL, NULL, 0, buf, len); /* a handler id of more than 16 bits */
    len = short_msg(buf, ORDO__MSG_SHORT_REQ, (unsigned)me, ID_COUNT, 1, 1, NULL, 0);
    ordo__rpc_recv(NULL, NULL, 0, buf, len - 1); /* cut short: not even a header */
    CU_ASSERT_EQUAL(ordo__rt.stats.malformed, malformed + 4);
    CU_ASSERT_EQUAL(one_way_received, received + 1);

    /* A request with a prefix (pre_len in the upper half of bytes 4..7):
     * taken with its prefix; lies about the prefix's length are dropped. */
    uint8_t pv[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    len = short_msg(buf, ORDO__MSG_SHORT_REQ_PRE, (unsigned)me, 4u << 16 | ID_COUNT,
                    ((uint64_t)2 << 52) | 11, clock, pv, sizeof(pv));
    ordo__rpc_recv(NULL, NULL, 0, buf, len);
    CU_ASSERT_EQUAL(one_way_received, received + 2);
    CU_ASSERT_EQUAL(last_prefix_len, 4);
    CU_ASSERT_EQUAL(last_len, sizeof(pv) - 4);
    len = short_msg(buf, ORDO__MSG_SHORT_REQ_PRE, (unsigned)me, ID_COUNT, 1, 1, pv, sizeof(pv));
    ordo__rpc_recv(NULL, NULL, 0, buf, len); /* the prefix flag, no prefix */
    len = short_msg(buf, ORDO__MSG_SHORT_REQ_PRE, (unsigned)me,
                    (uint32_t)(ORDO__RPC_PREFIX_MAX + 1) << 16 | ID_COUNT, 1, 1, pv, sizeof(pv));
    ordo__rpc_recv(NULL, NULL, 0, buf, len); /* a prefix longer than any */
    len = short_msg(buf, ORDO__MSG_SHORT_REQ_PRE, (unsigned)me, 13u << 16 | ID_COUNT, 1, 1, pv,
                    sizeof(pv));
    ordo__rpc_recv(NULL, NULL, 0, buf, len); /* a prefix past the message's end */
    CU_ASSERT_EQUAL(ordo__rt.stats.malformed, malformed + 7);
    CU_ASSERT_EQUAL(one_way_received, received + 2);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* When the short path cannot send at once, an op takes the message with the
 * header made there; one in the short form goes out in the long form, with
 * the same request id and clock, and its call completes as any other. */
static void test_short_header_to_op(void)
{
    int64_t v = 0x1122334455667788LL, out = 0;
    rpc_op_t *op = ordo__op_get(OP_CALL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    op->payload = &v;
    op->len = sizeof(v);
    op->reply.buf = &out;
    op->reply.cap = sizeof(out);
    op->holds = OP_HOLD_OWNER;
    uint64_t clock = ordo__lamport + 1000;
    ordo__msg_short_t m = {.src_tag = (uint32_t)me | ORDO__MSG_SHORT_REQ << 24,
                           .arg = ID_ECHO,
                           .req_id = ((uint64_t)77 << RPC_SLOT_BITS) | op->slot,
                           .lamport = clock};
    ordo__op_send_stamped(op, &m, sizeof(m), me, ORDO__MSG_REQ, ID_ECHO);
    CU_ASSERT_EQUAL(op->hdr.req_id, m.req_id);
    CU_ASSERT_EQUAL(op->hdr.kind, ORDO__MSG_REQ);
    CU_ASSERT_EQUAL(op->hdr.handler, ID_ECHO);
    CU_ASSERT_EQUAL(op->hdr_len, sizeof(ordo__msg_hdr_t) + sizeof(uint64_t));
    size_t reply_len = 0;
    CU_ASSERT_EQUAL(ordo__op_wait(op, &reply_len), ORDO_OK);
    CU_ASSERT_EQUAL(reply_len, sizeof(v));
    CU_ASSERT_EQUAL(out, v ^ 0x5a5a5a5a5a5a5a5aLL);
    CU_ASSERT(ordo__lamport > clock);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* A request that says its sender never sends it again (no retries, no
 * fault injection) passes the exactly-once window by: each copy that
 * arrives runs, and the window keeps nothing of it.  The replies go back to
 * a call that does not exist and are dropped as late. */
static void test_request_sent_once(void)
{
    ordo__msg_hdr_t h = {.magic = ORDO__MSG_MAGIC,
                         .version = ORDO__MSG_VERSION,
                         .kind = ORDO__MSG_REQ,
                         .flags = ORDO__MSG_F_ONCE,
                         .hdr_len = sizeof(ordo__msg_hdr_t),
                         .handler = ID_COUNT,
                         .src = me,
                         .req_id = ((uint64_t)1 << 50) | 7};
    int64_t v = 3;
    int received = one_way_received;
    uint64_t dups = ordo__rt.stats.duplicates, late = ordo__rt.stats.late_replies;
    ordo__rpc_recv(NULL, &h, sizeof(h), &v, sizeof(v));
    ordo__rpc_recv(NULL, &h, sizeof(h), &v, sizeof(v));
    CU_ASSERT_EQUAL(one_way_received, received + 2);
    CU_ASSERT_EQUAL(ordo__rt.stats.duplicates, dups);
    for (int i = 0; i < 1000 && ordo__rt.stats.late_replies < late + 2; i++) {
        ordo_progress();
        usleep(1000);
    }
    CU_ASSERT_EQUAL(ordo__rt.stats.late_replies, late + 2);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* A rank that computes longer than ORDO_TIMEOUT_MS before it comes to the
 * barrier is waited for (ORDO_BARRIER_TIMEOUT_MS=0, the default); with
 * ORDO_BARRIER_TIMEOUT_MS set below the wait, the barrier fails with
 * ORDO_ERR_TIMEOUT, and the next one works again. */
static void test_barrier_waits_for_slow_rank(void)
{
    uint64_t saved = ordo__rt.cfg.timeout_ms, saved_b = ordo__coll_cfg.barrier_timeout_ms;
    ordo__rt.cfg.timeout_ms = 200;
    ordo__coll_cfg.barrier_timeout_ms = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == n - 1)
        usleep(700 * 1000); /* computing, not progressing */
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);

    ordo__coll_cfg.barrier_timeout_ms = 300;
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == n - 1) {
        usleep(900 * 1000);
        ordo_barrier(); /* the others may have left it: no verdict here */
    } else {
        CU_ASSERT_EQUAL(ordo_barrier(), ORDO_ERR_TIMEOUT);
    }
    ordo__rt.cfg.timeout_ms = saved;
    ordo__coll_cfg.barrier_timeout_ms = saved_b;
    MPI_Barrier(MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

/* A peer that does not progress: the call times out, the late reply is dropped. */
static void test_timeout_then_late_reply(void)
{
    if (n < 2)
        return;
    uint64_t saved = ordo__rt.cfg.timeout_ms;
    /* MPI's barrier does not progress ordo: after it, rank 1 handles nothing
     * until it calls ordo again. */
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == 0) {
        int s = ORDO_OK;
        ordo__rt.cfg.timeout_ms = 300;
        CU_ASSERT_EQUAL(ordo_rpc_call(1, ID_STATUS, &s, sizeof(s), NULL, 0, NULL),
                        ORDO_ERR_TIMEOUT);
        ordo__rt.cfg.timeout_ms = saved;
    } else if (me == 1) {
        usleep(1200 * 1000); /* busy elsewhere, not progressing */
    }
    uint64_t late = ordo__rt.stats.late_replies;
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    if (me == 0) {
        /* The reply came during the barrier, or comes now. */
        for (int i = 0; i < 1000 && ordo__rt.stats.late_replies == late; i++) {
            ordo_progress();
            usleep(1000);
        }
        CU_ASSERT_EQUAL(ordo__rt.stats.late_replies, late + 1);
    }
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
}

static void test_info_after_init(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    CU_ASSERT_EQUAL(ordo_info_print(mem), ORDO_OK);
    fclose(mem);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "# topology"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "# transport: ucx"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "to self"));
    if (n > 1)
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "to same node"));
    free(text);
}

static void test_finalize(void)
{
    int finalized = 0;
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_initialized(), 0);
    CU_ASSERT_EQUAL(ordo_rank(), ORDO_ERR_NOT_INIT);
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_ERR_NOT_INIT);
    /* ordo started MPI, so ordo finalized it. */
    MPI_Finalized(&finalized);
    CU_ASSERT_TRUE(finalized);
}

/* The timer service, as a layer above the message layer uses it: timers
 * armed outside any ordo call fire from ordo_progress, in order, once; a
 * cancelled one never; a periodic one re-arms itself from its callback. */
static int timer_order[8], timer_fired;
static ordo__timer_t t_first, t_second, t_cancelled, t_periodic;
static int periodic_left = 3;

static void on_timer(void *arg)
{
    timer_order[timer_fired++ % 8] = (int)(intptr_t)arg;
}

static void on_periodic_timer(void *arg)
{
    on_timer(arg);
    if (--periodic_left > 0)
        ordo__timer_arm(&t_periodic, ordo__now_ns() + 100000);
}

static void test_timers_from_progress(void)
{
    uint64_t now = ordo__now_ns();
    timer_fired = 0;
    ordo__timer_init(&t_first, on_timer, (void *)(intptr_t)1);
    ordo__timer_init(&t_second, on_timer, (void *)(intptr_t)2);
    ordo__timer_init(&t_cancelled, on_timer, (void *)(intptr_t)3);
    ordo__timer_init(&t_periodic, on_periodic_timer, (void *)(intptr_t)4);
    CU_ASSERT_EQUAL(ordo__timer_arm(&t_second, now + 2000000), ORDO_OK);
    CU_ASSERT_EQUAL(ordo__timer_arm(&t_first, now + 1000000), ORDO_OK);
    CU_ASSERT_EQUAL(ordo__timer_arm(&t_cancelled, now + 500000), ORDO_OK);
    CU_ASSERT_EQUAL(ordo__timer_arm(&t_periodic, now + 3000000), ORDO_OK);
    ordo__timer_cancel(&t_cancelled);
    time_t t0 = time(NULL);
    while (timer_fired < 5 && time(NULL) - t0 < 20)
        CU_ASSERT_TRUE_FATAL(ordo_progress() >= 0);
    CU_ASSERT_EQUAL(timer_fired, 5);
    CU_ASSERT_EQUAL(timer_order[0], 1);
    CU_ASSERT_EQUAL(timer_order[1], 2);
    CU_ASSERT_EQUAL(timer_order[2], 4);
    CU_ASSERT_EQUAL(timer_order[3], 4);
    CU_ASSERT_EQUAL(timer_order[4], 4);
    CU_ASSERT_FALSE(ordo__timer_armed(&t_periodic));
    CU_ASSERT_FALSE(ordo__timer_armed(&t_cancelled));
}

static CU_TestInfo lifecycle_start[] = {
    {"ordo_init", test_init},
    {"topology", test_topology},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo messages[] = {
    {"call between every pair, 0 B to 128 KiB", test_call_every_pair},
    {"one-way message between every pair", test_one_way_every_pair},
    {"handler status reaches the caller", test_handler_status_reaches_caller},
    {"unknown handler id", test_unknown_handler},
    {"reply larger than the buffer", test_truncated_reply},
    {"bad arguments", test_bad_arguments},
    {"payload over ORDO_MAX_MSG_SIZE refused", test_oversize_refused},
    {"handlers cannot block", test_handler_cannot_block},
    {"malformed headers dropped and counted", test_malformed_headers_dropped},
    {"packed messages: taken, or dropped and counted", test_packed_messages},
    {"short messages: taken, or dropped and counted", test_short_messages},
    {"a short header handed to an op goes in the long form", test_short_header_to_op},
    {"a request sent once passes the exactly-once window by", test_request_sent_once},
    {"the barrier waits for a slow rank, or times out when bounded",
     test_barrier_waits_for_slow_rank},
    {"timeout, then the late reply is dropped", test_timeout_then_late_reply},
    {"ordo_info_print after init", test_info_after_init},
    {"timers armed outside the message layer fire from progress", test_timers_from_progress},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo lifecycle_end[] = {
    {"ordo_finalize", test_finalize},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/start", NULL, NULL, NULL, NULL, lifecycle_start},
    {"runtime/messages", NULL, NULL, NULL, NULL, messages},
    {"runtime/finalize", NULL, NULL, NULL, NULL, lifecycle_end},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    setenv("ORDO_MAX_MSG_SIZE", "1M", 1);
    return ordo_test_main_ranks(suites, "test_runtime_mpi");
}
