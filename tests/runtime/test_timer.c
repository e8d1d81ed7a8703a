/* test_timer.c - the timer service's heap (runtime/timer.c), alone: timers
 * fire in deadline order, once, never after a cancel; moves, callbacks that
 * arm and cancel, the armed count and the next deadline.  Time is given to
 * ordo__timers_run_at, so nothing here depends on the clock. */
#include "../ordo_test.h"

#include "runtime/timer.h"

#include <ordo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N 2000

typedef struct {
    ordo__timer_t t;
    int fired;     /* times its callback ran */
    int cancelled; /* cancelled last (must not fire) */
} item_t;

static item_t items[N];
static uint64_t last_deadline; /* of the last timer fired */
static int out_of_order;
static uint64_t run_now; /* the time of the run in progress */
static int fired_early;

static void on_fire(void *arg)
{
    item_t *it = arg;
    CU_ASSERT_FALSE(ordo__timer_armed(&it->t)); /* no longer armed once it runs */
    if (it->t.deadline_ns < last_deadline)
        out_of_order++;
    if (it->t.deadline_ns > run_now)
        fired_early++;
    last_deadline = it->t.deadline_ns;
    it->fired++;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void run_at(uint64_t now)
{
    run_now = now;
    ordo__timers_run_at(now);
}

/* Many random deadlines, some cancelled, some moved: the rest fire in
 * order, each once, none before its deadline, none cancelled. */
static void test_random_order(void)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    memset(items, 0, sizeof(items));
    last_deadline = 0;
    CU_ASSERT_EQUAL(ordo__timer_reserve(N / 2), ORDO_OK);
    for (int i = 0; i < N; i++) {
        ordo__timer_init(&items[i].t, on_fire, &items[i]);
        CU_ASSERT_EQUAL_FATAL(ordo__timer_arm(&items[i].t, 1000 + rnd(&seed) % 1000000), ORDO_OK);
    }
    CU_ASSERT_EQUAL(ordo__timers_armed, N);
    for (int i = 0; i < N; i++) {
        uint64_t r = rnd(&seed) % 4;
        if (r == 0) {
            ordo__timer_cancel(&items[i].t);
            items[i].cancelled = 1;
        } else if (r == 1) {
            /* moved, sooner or later */
            ordo__timer_arm(&items[i].t, 1000 + rnd(&seed) % 1000000);
        }
    }
    int armed = 0;
    uint64_t min = UINT64_MAX;
    for (int i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(ordo__timer_armed(&items[i].t), !items[i].cancelled);
        if (!items[i].cancelled) {
            armed++;
            if (items[i].t.deadline_ns < min)
                min = items[i].t.deadline_ns;
        }
    }
    CU_ASSERT_EQUAL(ordo__timers_armed, (uint32_t)armed);
    CU_ASSERT_EQUAL(ordo__timer_next_ns(), min);
    run_at(min - 1); /* nothing is due yet */
    for (int i = 0; i < N; i++)
        CU_ASSERT_EQUAL(items[i].fired, 0);
    /* Time goes on in uneven steps; a few more are cancelled on the way. */
    for (uint64_t now = 0; now <= 1002000; now += 1 + rnd(&seed) % 50000) {
        for (int k = 0; k < 5; k++) {
            item_t *it = &items[rnd(&seed) % N];
            if (ordo__timer_armed(&it->t)) {
                ordo__timer_cancel(&it->t);
                it->cancelled = 1;
            }
        }
        run_at(now);
        CU_ASSERT_TRUE(ordo__timer_next_ns() > now);
    }
    run_at(UINT64_MAX);
    CU_ASSERT_EQUAL(out_of_order, 0);
    CU_ASSERT_EQUAL(fired_early, 0);
    CU_ASSERT_EQUAL(ordo__timers_armed, 0);
    CU_ASSERT_EQUAL(ordo__timer_next_ns(), UINT64_MAX);
    int fired = 0, cancelled = 0;
    for (int i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(items[i].fired, items[i].cancelled ? 0 : 1);
        fired += items[i].fired;
        cancelled += items[i].cancelled;
    }
    CU_ASSERT_EQUAL(fired + cancelled, N);
    CU_ASSERT_TRUE(cancelled > N / 8); /* the test did cancel */
}

/* Equal deadlines all fire; cancel of a timer not armed changes nothing. */
static void test_ties_and_idle_cancel(void)
{
    memset(items, 0, sizeof(items));
    last_deadline = 0;
    for (int i = 0; i < 10; i++) {
        ordo__timer_init(&items[i].t, on_fire, &items[i]);
        ordo__timer_cancel(&items[i].t);
        ordo__timer_arm(&items[i].t, 500);
    }
    CU_ASSERT_EQUAL(ordo__timers_armed, 10);
    run_at(499);
    run_at(500);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(items[i].fired, 1);
    ordo__timer_cancel(&items[0].t);
    CU_ASSERT_EQUAL(ordo__timers_armed, 0);
}

/* Callbacks that arm and cancel: a periodic timer re-arms itself (once per
 * run, even at a deadline already past), one cancels another that is due,
 * one arms a new timer. */
static ordo__timer_t periodic, victim, killer, spawner, spawned;
static int n_periodic, n_victim, n_spawned;

static void on_periodic(void *arg)
{
    (void)arg;
    n_periodic++;
    ordo__timer_arm(&periodic, periodic.deadline_ns); /* the same, already past */
}

static void on_victim(void *arg)
{
    (void)arg;
    n_victim++;
}

static void on_killer(void *arg)
{
    (void)arg;
    ordo__timer_cancel(&victim);
}

static void on_spawner(void *arg)
{
    (void)arg;
    ordo__timer_arm(&spawned, 2000);
}

static void on_spawned(void *arg)
{
    (void)arg;
    n_spawned++;
}

static void test_callbacks_arm_and_cancel(void)
{
    ordo__timer_init(&periodic, on_periodic, NULL);
    ordo__timer_init(&victim, on_victim, NULL);
    ordo__timer_init(&killer, on_killer, NULL);
    ordo__timer_init(&spawner, on_spawner, NULL);
    ordo__timer_init(&spawned, on_spawned, NULL);
    ordo__timer_arm(&periodic, 100);
    ordo__timer_arm(&killer, 200);
    ordo__timer_arm(&victim, 300);
    ordo__timer_arm(&spawner, 400);
    ordo__timers_run_at(1000);
    CU_ASSERT_EQUAL(n_periodic, 1); /* re-armed in the past: not again in this run */
    CU_ASSERT_EQUAL(n_victim, 0);   /* cancelled by the killer, due as it was */
    CU_ASSERT_TRUE(ordo__timer_armed(&periodic));
    CU_ASSERT_TRUE(ordo__timer_armed(&spawned));
    CU_ASSERT_EQUAL(ordo__timers_armed, 2);
    ordo__timers_run_at(1000);
    CU_ASSERT_EQUAL(n_periodic, 2);
    CU_ASSERT_EQUAL(n_spawned, 0);
    ordo__timer_cancel(&periodic);
    ordo__timers_run_at(2000);
    CU_ASSERT_EQUAL(n_spawned, 1);
    CU_ASSERT_EQUAL(n_periodic, 2);
    CU_ASSERT_EQUAL(ordo__timers_armed, 0);
}

/* fini disarms what is still armed. */
static void test_fini(void)
{
    ordo__timer_init(&victim, on_victim, NULL);
    ordo__timer_arm(&victim, 5);
    ordo__timers_fini();
    CU_ASSERT_FALSE(ordo__timer_armed(&victim));
    CU_ASSERT_EQUAL(ordo__timers_armed, 0);
    CU_ASSERT_EQUAL(ordo__timer_arm(&victim, 5), ORDO_OK); /* usable again */
    ordo__timers_fini();
}

static CU_TestInfo tests[] = {
    {"random deadlines: in order, once, cancelled never", test_random_order},
    {"equal deadlines; cancel when not armed", test_ties_and_idle_cancel},
    {"callbacks arm and cancel timers", test_callbacks_arm_and_cancel},
    {"fini disarms", test_fini},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/timer", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_timer") == 0 ? 0 : 1;
}
