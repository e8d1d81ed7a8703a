/* test_fifo.c - the runtime's queue (runtime/fifo.c), alone: items come
 * out in the order they went in, across growth while the ring is wrapped;
 * remove keeps the others' order; free leaves an empty, usable queue. */
#include "../ordo_test.h"

#include "runtime/fifo.h"

#include <ordo.h>
#include <stdint.h>

typedef struct {
    uint64_t id;
    char tag[12]; /* an item larger than a pointer */
} item_t;

static item_t make(uint64_t id)
{
    item_t it = {.id = id};
    snprintf(it.tag, sizeof(it.tag), "#%llu", (unsigned long long)(id % 100000));
    return it;
}

/* Push and pop in waves, so that the ring wraps before each growth. */
static void test_order_across_growth(void)
{
    ordo__fifo_t f;
    ordo__fifo_init(&f, sizeof(item_t));
    uint64_t next_in = 0, next_out = 0;
    for (int wave = 1; wave <= 12; wave++) {
        for (int i = 0; i < 10 * wave; i++) {
            item_t it = make(next_in++);
            CU_ASSERT_EQUAL_FATAL(ordo__fifo_push(&f, &it), ORDO_OK);
        }
        for (int i = 0; i < 7 * wave; i++) {
            item_t it;
            ordo__fifo_pop(&f, &it);
            CU_ASSERT_EQUAL(it.id, next_out);
            item_t want = make(next_out++);
            CU_ASSERT_STRING_EQUAL(it.tag, want.tag);
        }
        CU_ASSERT_EQUAL(f.count, next_in - next_out);
        for (size_t i = 0; i < f.count; i++) /* at(i) is the i-th oldest */
            CU_ASSERT_EQUAL(((item_t *)ordo__fifo_at(&f, i))->id, next_out + i);
    }
    while (f.count) {
        ordo__fifo_pop(&f, NULL);
        next_out++;
    }
    CU_ASSERT_EQUAL(next_out, next_in);
    ordo__fifo_free(&f);
    CU_ASSERT_EQUAL(f.count, 0);
    CU_ASSERT_EQUAL(f.size, sizeof(item_t));
    item_t it = make(7); /* usable again */
    CU_ASSERT_EQUAL(ordo__fifo_push(&f, &it), ORDO_OK);
    CU_ASSERT_EQUAL(((item_t *)ordo__fifo_at(&f, 0))->id, 7);
    ordo__fifo_free(&f);
}

static int is_multiple(const void *item, void *arg)
{
    return ((const item_t *)item)->id % *(uint64_t *)arg == 0;
}

/* Remove from a wrapped ring: the rest keep their order. */
static void test_remove(void)
{
    ordo__fifo_t f;
    ordo__fifo_init(&f, sizeof(item_t));
    for (uint64_t id = 0; id < 16; id++) { /* fills the first allocation */
        item_t it = make(id);
        CU_ASSERT_EQUAL_FATAL(ordo__fifo_push(&f, &it), ORDO_OK);
    }
    for (int i = 0; i < 10; i++)
        ordo__fifo_pop(&f, NULL);           /* 10..15 left, head at 10 */
    for (uint64_t id = 16; id < 30; id++) { /* 16..21 wrap to the front, then growth */
        item_t it = make(id);
        CU_ASSERT_EQUAL_FATAL(ordo__fifo_push(&f, &it), ORDO_OK);
    }
    uint64_t three = 3;
    CU_ASSERT_EQUAL(ordo__fifo_remove(&f, is_multiple, &three), 6); /* 12 15 18 21 24 27 */
    CU_ASSERT_EQUAL_FATAL(f.count, 14);
    size_t i = 0;
    for (uint64_t id = 10; id < 30; id++)
        if (id % 3)
            CU_ASSERT_EQUAL(((item_t *)ordo__fifo_at(&f, i++))->id, id);
    uint64_t big = 1000;
    CU_ASSERT_EQUAL(ordo__fifo_remove(&f, is_multiple, &big), 0); /* nothing to remove */
    CU_ASSERT_EQUAL(f.count, 14);
    uint64_t one = 1;
    CU_ASSERT_EQUAL(ordo__fifo_remove(&f, is_multiple, &one), 14); /* all */
    CU_ASSERT_EQUAL(f.count, 0);
    ordo__fifo_free(&f);
}

static CU_TestInfo tests[] = {
    {"order across growth of a wrapped ring", test_order_across_growth},
    {"remove keeps the order of the rest", test_remove},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/fifo", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_fifo") == 0 ? 0 : 1;
}
