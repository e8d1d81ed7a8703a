/*
 * litmus_run.c - run a litmus test on ordo's shared objects, litmus7-style.
 *
 * Thread T of the test runs on rank T; every rank takes part (the ranks
 * past the last thread serve as homes, and all meet in the barriers).  The
 * iterations go in rounds of `batch` instances.  Each round allocates a
 * fresh object of the model, so every instance has locations of its own,
 * set to their initial values.  Then, for each instance, the ranks meet in
 * a barrier and each thread rank executes its instructions on that
 * instance's locations, calling ordo_progress() between them (so replicas
 * take in writes as a spinning program's would) and, with stress, pausing
 * a random moment.  At the end of a round the threads fence, their
 * registers go to rank 0 through an SC object, and rank 0 reads the final
 * values of the observed locations and counts each final state.
 *
 * Placement of the locations' homes (SC and TSO; a causal object has a
 * replica everywhere): LITMUS_HOMES_THREADS puts location l at thread
 * (l + 1) mod T, so a thread's writes travel to another thread's rank;
 * LITMUS_HOMES_OTHERS puts them on the ranks after the last thread.  The
 * tool sets ORDO_OBJ_BLOCK=8 (each word its own block) unless the user
 * chose a block size, so that every word can be placed on its own.
 */
#include "litmus_run.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A small per-rank generator for the stress pauses (xorshift). */
static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void stress_pause(uint32_t *seed)
{
    volatile unsigned spin = next_rand(seed) % 1000; /* up to ~5 us */
    while (spin)
        spin--;
}

static int is_causal(litmus_model_t m)
{
    return m == LITMUS_MODEL_CAUSAL || m == LITMUS_MODEL_CAUSAL_ANY;
}

static ordo_model_t ordo_model_of(litmus_model_t m)
{
    return m == LITMUS_MODEL_SC    ? ORDO_MODEL_SC
           : m == LITMUS_MODEL_TSO ? ORDO_MODEL_TSO
                                   : ORDO_MODEL_CAUSAL;
}

/* The wanted home of location l. */
static int home_of(const litmus_test_t *t, const litmus_run_opts_t *o, int l, int size)
{
    if (o->homes == LITMUS_HOMES_OTHERS)
        return t->nthreads + l % (size - t->nthreads);
    return (l + 1) % t->nthreads;
}

/* The state of one round: its object and where each instance's locations are. */
typedef struct round {
    ordo_obj_t *obj;
    size_t words; /* the object's size in words */
    size_t *off;  /* off[l * batch + k]: location l of instance k */
} round_t;

#define FAIL(what)                                                                                 \
    do {                                                                                           \
        snprintf(err, errlen, "%s: %s", what, ordo_strerror(status));                              \
        goto out;                                                                                  \
    } while (0)

/* Allocate the round's object and place every instance's words. */
static int round_begin(const litmus_test_t *t, const litmus_run_opts_t *o, round_t *r, char *err,
                       size_t errlen)
{
    int size = ordo_size(), nlocs = t->nlocs, status;
    size_t need = (size_t)o->batch * (size_t)nlocs;
    size_t *filled = calloc((size_t)nlocs, sizeof(*filled));

    r->obj = NULL;
    r->off = malloc(need * sizeof(*r->off));
    /* SC and TSO: room for the words to fall unevenly on the homes. */
    r->words = is_causal(o->model) ? need : need * (size_t)size * 3 + 64;
    status = filled && r->off ? ORDO_OK : ORDO_ERR_NOMEM;
    if (status != ORDO_OK)
        FAIL("memory for the round");
    status = ordo_obj_alloc(r->words * 8, ordo_model_of(o->model), &r->obj);
    if (status != ORDO_OK)
        FAIL("ordo_obj_alloc");
    if (is_causal(o->model)) {
        for (size_t i = 0; i < need; i++)
            r->off[i] = i * 8;
    } else {
        /* Every rank computes the same placement (homes are a function of
         * the object's id and the block). */
        size_t done = 0;
        for (size_t w = 0; w < r->words && done < need; w++) {
            int h;
            status = ordo_obj_home(r->obj, w * 8, &h);
            if (status != ORDO_OK)
                FAIL("ordo_obj_home");
            for (int l = 0; l < nlocs; l++)
                if (filled[l] < (size_t)o->batch && home_of(t, o, l, size) == h) {
                    r->off[(size_t)l * (size_t)o->batch + filled[l]++] = w * 8;
                    done++;
                    break;
                }
        }
        if (done < need) {
            status = ORDO_ERR_INTERNAL;
            FAIL("placing the locations on their homes");
        }
    }
    /* Initial values other than 0, written by rank 0 before anyone starts. */
    if (ordo_rank() == 0)
        for (int l = 0; l < nlocs; l++)
            for (int k = 0; t->init[l] && k < o->batch; k++) {
                status = ordo_write(r->obj, r->off[(size_t)l * (size_t)o->batch + (size_t)k],
                                    &t->init[l], 8);
                if (status != ORDO_OK)
                    FAIL("writing the initial values");
            }
    status = ordo_fence();
    if (status == ORDO_OK)
        status = ordo_barrier();
    if (status != ORDO_OK)
        FAIL("setting up the round");
out:
    free(filled);
    return status;
}

static void round_end(round_t *r)
{
    if (r->obj)
        ordo_obj_free(r->obj);
    free(r->off);
    r->obj = NULL;
    r->off = NULL;
}

/* This rank's thread runs instance k; its registers go to regs[]. */
static int run_instance(const litmus_test_t *t, const litmus_run_opts_t *o, const round_t *r, int k,
                        int64_t *regs, uint32_t *seed, char *err, size_t errlen)
{
    const litmus_thread_t *th = &t->threads[ordo_rank()];
    int status = ORDO_OK;
    for (int i = 0; i < th->ninstrs; i++) {
        const litmus_instr_t *in = &th->instrs[i];
        size_t at =
            in->op == LITMUS_OP_FENCE ? 0 : r->off[(size_t)in->loc * (size_t)o->batch + (size_t)k];
        if (o->stress)
            stress_pause(seed);
        if (i > 0 || o->stress)
            ordo_progress();
        switch (in->op) {
        case LITMUS_OP_WRITE:
            status = ordo_write(r->obj, at, &in->value, 8);
            if (status != ORDO_OK)
                FAIL("ordo_write");
            break;
        case LITMUS_OP_READ:
            status = ordo_read(r->obj, at, &regs[in->reg], 8);
            if (status != ORDO_OK)
                FAIL("ordo_read");
            break;
        case LITMUS_OP_FENCE:
            status = ordo_fence();
            if (status != ORDO_OK)
                FAIL("ordo_fence");
            break;
        }
    }
out:
    return status;
}

void litmus_run_result_free(litmus_run_result_t *res)
{
    litmus_state_set_free(&res->states);
    free(res->count);
    res->count = NULL;
}

/* Rank 0: count the final state of every instance of the round. */
static int tally(const litmus_test_t *t, const litmus_run_opts_t *o, const round_t *r,
                 const int64_t *all_regs, litmus_run_result_t *res, char *err, size_t errlen)
{
    int status = ORDO_OK;
    for (int k = 0; k < o->batch; k++) {
        litmus_state_t s;
        size_t idx, before = res->states.count;
        memset(&s, 0, sizeof(s));
        for (int th = 0; th < t->nthreads; th++)
            memcpy(s.regs[th],
                   all_regs + ((size_t)th * (size_t)o->batch + (size_t)k) * LITMUS_MAX_REGS,
                   sizeof(s.regs[th]));
        for (int l = 0; l < t->nlocs; l++)
            if (t->observed[l]) {
                status = ordo_read(r->obj, r->off[(size_t)l * (size_t)o->batch + (size_t)k],
                                   &s.mem[l], 8);
                if (status != ORDO_OK)
                    FAIL("reading the final values");
            }
        if (litmus_state_set_add(&res->states, &s, &idx) != LITMUS_OK) {
            status = ORDO_ERR_NOMEM;
            FAIL("counting the states");
        }
        if (res->states.count > before) {
            long *c = realloc(res->count, res->states.count * sizeof(*c));
            if (!c) {
                status = ORDO_ERR_NOMEM;
                FAIL("counting the states");
            }
            res->count = c;
            c[idx] = 0;
        }
        res->count[idx]++;
        res->iterations++;
    }
out:
    return status;
}

/* Registers of a thread for a round, sent to rank 0: batch x LITMUS_MAX_REGS. */
#define LITMUS_RPC_REGS 1000

typedef struct regs_msg {
    int32_t thread;
    int32_t batch;
} regs_msg_t;

static int64_t *collected; /* rank 0: all threads' registers of the round */
static int collected_batch;

static int regs_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    regs_msg_t h;
    (void)arg;
    if (msg->len < sizeof(h) || !collected)
        return ORDO_ERR_MSG;
    memcpy(&h, msg->data, sizeof(h));
    size_t n = (size_t)collected_batch * LITMUS_MAX_REGS * sizeof(int64_t);
    if (h.batch != collected_batch || h.thread < 0 || h.thread >= LITMUS_MAX_THREADS ||
        msg->len != sizeof(h) + n)
        return ORDO_ERR_MSG;
    memcpy(collected + (size_t)h.thread * (size_t)collected_batch * LITMUS_MAX_REGS,
           (const char *)msg->data + sizeof(h), n);
    return ORDO_OK;
}

int litmus_run(const litmus_test_t *t, const litmus_run_opts_t *o, litmus_run_result_t *res,
               char *err, size_t errlen)
{
    int me = ordo_rank(), status = ORDO_OK;
    int thread = me < t->nthreads;
    size_t regs_len = (size_t)o->batch * LITMUS_MAX_REGS * sizeof(int64_t);
    uint8_t *msg = malloc(sizeof(regs_msg_t) + regs_len);
    int64_t *regs = (int64_t *)(void *)(msg + sizeof(regs_msg_t));
    uint32_t seed = o->seed * 2654435761u + (uint32_t)me * 40503u + 1u;
    round_t r = {0};
    double t0;

    memset(res, 0, sizeof(*res));
    litmus_state_set_init(&res->states);
    err[0] = '\0';
    collected_batch = o->batch;
    if (me == 0)
        collected =
            calloc((size_t)t->nthreads * (size_t)o->batch * LITMUS_MAX_REGS, sizeof(int64_t));
    if (!msg || (me == 0 && !collected)) {
        status = ORDO_ERR_NOMEM;
        FAIL("memory for the registers");
    }
    ordo_rpc_deregister(LITMUS_RPC_REGS);
    status = ordo_rpc_register(LITMUS_RPC_REGS, regs_handler, NULL);
    if (status == ORDO_OK)
        status = ordo_barrier();
    if (status != ORDO_OK)
        FAIL("registering the register collector");
    t0 = now_s();
    for (long done = 0; done < o->iterations; done += o->batch) {
        status = round_begin(t, o, &r, err, errlen);
        if (status != ORDO_OK)
            goto out;
        memset(regs, 0, regs_len);
        for (int k = 0; k < o->batch; k++) {
            status = ordo_barrier();
            if (status != ORDO_OK)
                FAIL("ordo_barrier");
            if (thread) {
                status = run_instance(t, o, &r, k, regs + (size_t)k * LITMUS_MAX_REGS, &seed, err,
                                      errlen);
                if (status != ORDO_OK)
                    goto out;
            }
        }
        /* Every write is everywhere it goes, then the registers go to rank 0. */
        status = ordo_fence();
        if (status != ORDO_OK)
            FAIL("ordo_fence");
        if (thread && me != 0) {
            regs_msg_t h = {me, o->batch};
            memcpy(msg, &h, sizeof(h));
            status = ordo_rpc_call(0, LITMUS_RPC_REGS, msg, sizeof(h) + regs_len, NULL, 0, NULL);
            if (status != ORDO_OK)
                FAIL("sending the registers to rank 0");
        } else if (me == 0) {
            memcpy(collected, regs, regs_len);
        }
        status = ordo_barrier();
        if (status != ORDO_OK)
            FAIL("ordo_barrier");
        if (me == 0) {
            status = tally(t, o, &r, collected, res, err, errlen);
            if (status != ORDO_OK)
                goto out;
        }
        status = ordo_barrier(); /* rank 0 has read the final values */
        if (status != ORDO_OK)
            FAIL("ordo_barrier");
        round_end(&r);
    }
    res->seconds = now_s() - t0;
out:
    round_end(&r);
    ordo_rpc_deregister(LITMUS_RPC_REGS);
    free(collected);
    collected = NULL;
    free(msg);
    return status;
}
