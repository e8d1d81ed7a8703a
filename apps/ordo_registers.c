/*
 * ordo_registers - quorum registers on any number of ranks (>= 3), with the
 * public API only: a replicated table of KEYS counters-by-writer, R = 3
 * (or the ranks there are) with majority quorums, every rank keeping
 * WINDOW reads and writes in flight on random keys for SECONDS (default 2).
 *
 * Each rank prints its operations per second, how many reads returned
 * without a write-back (their Q answers agreed) and what it did as a
 * replica; rank 0 then checks that every rank reads the same final value
 * of every key.  Run it with ORDO_HISTORY=DIR and check DIR with
 * ordo-lincheck (./run.sh does).  Exit status 0, or 1 if anything failed.
 */
#include <ordo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEYS   8
#define WINDOW 8

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int s_ = (call);                                                                           \
        if (s_ != ORDO_OK) {                                                                       \
            fprintf(stderr, "rank %d: %s failed: %s\n", ordo_rank(), #call, ordo_strerror(s_));    \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static int run(double seconds)
{
    int me = ordo_rank(), n = ordo_size();
    int r = n < 3 ? n : 3, quorum = r / 2 + 1;
    ordo_qreg_t *reg;
    CHECK(ordo_qreg_create(KEYS, sizeof(uint64_t), r, quorum, quorum, 0, &reg));
    ordo_qreg_op_t *op[WINDOW] = {0};
    uint64_t val[WINDOW], counter = 0;
    long done = 0;
    srand((unsigned)me * 7919u + 1u);
    double t0 = now_s();
    for (int busy = 1; busy;) {
        busy = 0;
        for (int i = 0; i < WINDOW; i++) {
            if (op[i]) {
                int t = ordo_qreg_test(op[i]);
                if (t == 0) {
                    busy = 1;
                    continue;
                }
                CHECK(ordo_qreg_wait(op[i], NULL));
                op[i] = NULL;
                done++;
            }
            if (now_s() - t0 >= seconds)
                continue;
            uint64_t key = (uint64_t)(rand() % KEYS);
            if (rand() % 2) {
                val[i] = ((uint64_t)(me + 1) << 32) | ++counter; /* writer, sequence */
                CHECK(ordo_qreg_write_nb(reg, key, &val[i], &op[i]));
            } else {
                CHECK(ordo_qreg_read_nb(reg, key, &val[i], &op[i]));
            }
            busy = 1;
        }
    }
    double dt = now_s() - t0;
    ordo_qreg_stats_t st;
    CHECK(ordo_qreg_stats(reg, &st));
    printf("rank %d: %ld operations in %.2f s (%.0f/s, %d in flight), %llu of %llu reads "
           "agreed (no write-back); as a replica %llu queries, %llu stores\n",
           me, done, dt, done / dt, WINDOW, (unsigned long long)st.reads_agreed,
           (unsigned long long)st.reads, (unsigned long long)st.replica_queries,
           (unsigned long long)st.replica_stores);
    CHECK(ordo_barrier());
    /* Quiet now: every rank must read the same value of each key. */
    ordo_obj_t *all;
    CHECK(ordo_obj_alloc((size_t)n * KEYS * 8, ORDO_MODEL_SC, &all));
    uint64_t mine[KEYS];
    for (int k = 0; k < KEYS; k++)
        CHECK(ordo_qreg_read(reg, (uint64_t)k, &mine[k], NULL));
    CHECK(ordo_write(all, (size_t)me * KEYS * 8, mine, sizeof(mine)));
    CHECK(ordo_barrier());
    int bad = 0;
    if (me == 0) {
        for (int q = 1; q < n; q++) {
            uint64_t theirs[KEYS];
            CHECK(ordo_read(all, (size_t)q * KEYS * 8, theirs, sizeof(theirs)));
            bad += memcmp(theirs, mine, sizeof(mine)) != 0;
        }
        printf("registers: R = %d, W = Q = %d, %d keys: the %d ranks read %s final values\n", r,
               quorum, KEYS, n, bad ? "DIFFERENT" : "the same");
    }
    CHECK(ordo_barrier());
    CHECK(ordo_obj_free(all));
    CHECK(ordo_qreg_destroy(reg));
    return bad != 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (seconds <= 0 || seconds > 3600) {
        fprintf(stderr, "usage: ordo_registers [SECONDS (0 < s <= 3600, default 2)]\n");
        return 2;
    }
    int s = ordo_init(&argc, &argv);
    if (s != ORDO_OK) {
        fprintf(stderr, "ordo_init: %s\n", ordo_strerror(s));
        return 1;
    }
    int bad = run(seconds);
    s = ordo_finalize();
    return bad || s != ORDO_OK;
}
