/*
 * test_ring.c - consistent hashing places blocks evenly, and taking a rank
 * out moves only that rank's blocks (about 1/N of all), each to some other
 * rank; adding it back restores the placement exactly.
 */
#include "../ordo_test.h"

#include "consistency/obj.h"

#include <string.h>

#define N      8
#define BLOCKS 40000

static int owner_of(const ordo__ring_t *r, uint64_t b)
{
    return ordo__ring_owner(r, ordo__ring_key(7, b));
}

static void test_even_spread(void)
{
    ordo__ring_t ring;
    int count[N] = {0};
    CU_ASSERT_EQUAL_FATAL(ordo__ring_build(&ring, N, NULL, 64), ORDO_OK);
    for (uint64_t b = 0; b < BLOCKS; b++) {
        int o = owner_of(&ring, b);
        CU_ASSERT(o >= 0 && o < N);
        if (o >= 0 && o < N)
            count[o]++;
    }
    /* 64 virtual nodes: every rank within +-40% of the fair share. */
    for (int r = 0; r < N; r++) {
        CU_ASSERT(count[r] > BLOCKS / N * 6 / 10);
        CU_ASSERT(count[r] < BLOCKS / N * 14 / 10);
    }
    ordo__ring_free(&ring);
}

static void test_removal_moves_one_nth(void)
{
    ordo__ring_t all, less;
    char alive[N];
    int moved = 0, moved_wrongly = 0, was_removed = 0;
    memset(alive, 1, sizeof(alive));
    alive[3] = 0;
    CU_ASSERT_EQUAL_FATAL(ordo__ring_build(&all, N, NULL, 64), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo__ring_build(&less, N, alive, 64), ORDO_OK);
    for (uint64_t b = 0; b < BLOCKS; b++) {
        int before = owner_of(&all, b), after = owner_of(&less, b);
        CU_ASSERT_NOT_EQUAL(after, 3);
        if (before != after) {
            moved++;
            moved_wrongly += before != 3; /* only rank 3's blocks may move */
        }
        was_removed += before == 3;
    }
    CU_ASSERT_EQUAL(moved_wrongly, 0);
    CU_ASSERT_EQUAL(moved, was_removed);
    /* About 1/N of the blocks, as consistent hashing promises. */
    CU_ASSERT(moved > BLOCKS / N / 2);
    CU_ASSERT(moved < BLOCKS / N * 3 / 2);
    printf("\n    %d of %d blocks moved when 1 of %d ranks left (1/N = %d)\n", moved, BLOCKS, N,
           BLOCKS / N);
    ordo__ring_free(&all);
    ordo__ring_free(&less);
}

static void test_same_everywhere_and_bad_input(void)
{
    ordo__ring_t a, b;
    char none[N] = {0};
    CU_ASSERT_EQUAL_FATAL(ordo__ring_build(&a, N, NULL, 16), ORDO_OK);
    CU_ASSERT_EQUAL_FATAL(ordo__ring_build(&b, N, NULL, 16), ORDO_OK);
    for (uint64_t k = 0; k < 1000; k++)
        CU_ASSERT_EQUAL(owner_of(&a, k), owner_of(&b, k)); /* every rank computes the same */
    ordo__ring_free(&a);
    ordo__ring_free(&b);
    CU_ASSERT_EQUAL(ordo__ring_build(&a, 0, NULL, 16), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo__ring_build(&a, N, NULL, 0), ORDO_ERR_INVALID);
    CU_ASSERT_EQUAL(ordo__ring_build(&a, N, none, 16), ORDO_ERR_UNAVAILABLE);
    CU_ASSERT_EQUAL(ordo__ring_build(&a, 1, NULL, 1), ORDO_OK);
    CU_ASSERT_EQUAL(ordo__ring_owner(&a, 0), 0);
    CU_ASSERT_EQUAL(ordo__ring_owner(&a, UINT64_MAX), 0);
    ordo__ring_free(&a);
}

static CU_TestInfo tests[] = {
    {"blocks spread evenly", test_even_spread},
    {"a rank leaving moves only its blocks (~1/N)", test_removal_moves_one_nth},
    {"deterministic; bad input", test_same_everywhere_and_bad_input},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"consistency/ring", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_ring") == 0 ? 0 : 1;
}
