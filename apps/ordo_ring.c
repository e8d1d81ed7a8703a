/*
 * ordo_ring - the smallest complete ordo program: every rank calls every
 * other rank (and itself) once, then a token goes around the ring of ranks
 * with one-way messages.  Prints what it saw on rank 0; exits non-zero if
 * anything was wrong.
 */
#include <ordo.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { ID_ECHO = 1, ID_TOKEN = 2 };

static volatile int64_t token = -1;

/* Reply with the request, each byte incremented, so the caller can check it. */
static int echo(const ordo_rpc_msg_t *msg, void *arg)
{
    static unsigned char out[256];
    (void)arg;
    if (msg->len > sizeof(out))
        return ORDO_ERR_INVALID;
    for (size_t i = 0; i < msg->len; i++)
        out[i] = (unsigned char)(((const unsigned char *)msg->data)[i] + 1);
    return ordo_rpc_reply(msg, out, msg->len);
}

static int on_token(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    if (msg->len != sizeof(int64_t))
        return ORDO_ERR_MSG;
    memcpy((void *)&token, msg->data, sizeof(int64_t));
    return ORDO_OK;
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int s_ = (call);                                                                           \
        if (s_ != ORDO_OK) {                                                                       \
            fprintf(stderr, "rank %d: %s failed: %s\n", ordo_rank(), #call, ordo_strerror(s_));    \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static int all_pairs(int me, int n)
{
    unsigned char req[64], rep[64];
    size_t len = 0;
    for (int k = 0; k < n; k++) {
        int peer = (me + k) % n;
        for (size_t i = 0; i < sizeof(req); i++)
            req[i] = (unsigned char)(me * 31 + peer * 7 + (int)i);
        CHECK(ordo_rpc_call(peer, ID_ECHO, req, sizeof(req), rep, sizeof(rep), &len));
        if (len != sizeof(req))
            return fprintf(stderr, "rank %d: reply from %d has %zu bytes\n", me, peer, len), 1;
        for (size_t i = 0; i < sizeof(req); i++)
            if (rep[i] != (unsigned char)(req[i] + 1))
                return fprintf(stderr, "rank %d: reply from %d corrupt at %zu\n", me, peer, i), 1;
    }
    return 0;
}

/* The token starts at rank 0 with value 0; each rank adds its rank and passes it on. */
static int ring(int me, int n, int64_t *result)
{
    if (me == 0) {
        int64_t t = 0;
        CHECK(ordo_rpc_send(1 % n, ID_TOKEN, &t, sizeof(t)));
    }
    while (token < 0)
        if (ordo_progress() < 0)
            return 1;
    int64_t t = token + me;
    if (me != 0) {
        CHECK(ordo_rpc_send((me + 1) % n, ID_TOKEN, &t, sizeof(t)));
    }
    *result = me == 0 ? token : t;
    return 0;
}

int main(int argc, char **argv)
{
    int64_t result = 0;
    int status = ordo_init(&argc, &argv);
    if (status != ORDO_OK) {
        fprintf(stderr, "ordo_ring: ordo_init failed: %s\n", ordo_strerror(status));
        return 1;
    }
    int me = ordo_rank(), n = ordo_size();
    CHECK(ordo_rpc_register(ID_ECHO, echo, NULL));
    CHECK(ordo_rpc_register(ID_TOKEN, on_token, NULL));
    CHECK(ordo_barrier());
    int bad = all_pairs(me, n);
    CHECK(ordo_barrier());
    bad |= ring(me, n, &result);
    CHECK(ordo_barrier());
    if (me == 0) {
        int64_t expect = (int64_t)n * (n - 1) / 2;
        printf("ordo_ring: %d ranks; %d calls checked; token went round with sum %lld "
               "(expected %lld): %s\n",
               n, n * n, (long long)result, (long long)expect,
               !bad && result == expect ? "ok" : "WRONG");
        bad |= result != expect;
    }
    status = ordo_finalize();
    if (status != ORDO_OK) {
        fprintf(stderr, "ordo_ring: ordo_finalize failed: %s\n", ordo_strerror(status));
        return 1;
    }
    return bad ? 1 : 0;
}
