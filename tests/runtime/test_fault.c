/* test_fault.c - ORDO_FAULT: the grammar, its refusals, printing back, the
 * ranks check, the answers of the queries before, in and after windows, and
 * a slow rank's fixed hold. */
#include "../ordo_test.h"

#include "runtime/fault.h"

#include <stdint.h>
#include <string.h>

#define S(x)  ((uint64_t)(x)*1000000000ull)
#define MS(x) ((uint64_t)(x)*1000000ull)

static char why[1024];

static int parse(const char *s, ordo__fault_spec_t *spec)
{
    why[0] = '\0';
    return ordo__fault_parse(s, spec, why, sizeof(why));
}

/* s parses, and prints back as want (NULL: as s). */
static void expect_format(const char *s, const char *want)
{
    ordo__fault_spec_t spec, again;
    char buf[2048];
    CU_ASSERT_EQUAL_FATAL(parse(s, &spec), 0);
    ordo__fault_format(&spec, buf, sizeof(buf));
    if (strcmp(buf, want ? want : s) != 0)
        fprintf(stderr, "\n  %s printed back as %s\n", s, buf);
    CU_ASSERT_STRING_EQUAL(buf, want ? want : s);
    /* and what is printed reads back as the same spec */
    CU_ASSERT_EQUAL_FATAL(parse(buf, &again), 0);
    CU_ASSERT_EQUAL(memcmp(&spec, &again, sizeof(spec)), 0);
}

static void test_message_faults(void)
{
    ordo__fault_spec_t spec;
    CU_ASSERT_EQUAL_FATAL(parse("drop=0.25,dup=0.5,delay=0.125:300,seed=9", &spec), 0);
    CU_ASSERT_EQUAL(spec.enabled, 1);
    CU_ASSERT_DOUBLE_EQUAL(spec.drop, 0.25, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(spec.dup, 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(spec.delay, 0.125, 1e-12);
    CU_ASSERT_EQUAL(spec.delay_us, 300);
    CU_ASSERT_EQUAL(spec.seed, 9);
    CU_ASSERT_EQUAL(spec.drop_when.start_ns, 0);
    CU_ASSERT_EQUAL(spec.drop_when.end_ns, ORDO__FAULT_FOREVER);
    CU_ASSERT_EQUAL(spec.nevents, 0);

    CU_ASSERT_EQUAL_FATAL(parse("drop=.5@1s-2s,dup=1e-3@500ms-,delay=1:250@250us-1.5s", &spec), 0);
    CU_ASSERT_DOUBLE_EQUAL(spec.drop, 0.5, 1e-12);
    CU_ASSERT_EQUAL(spec.drop_when.start_ns, S(1));
    CU_ASSERT_EQUAL(spec.drop_when.end_ns, S(2));
    CU_ASSERT_DOUBLE_EQUAL(spec.dup, 0.001, 1e-15);
    CU_ASSERT_EQUAL(spec.dup_when.start_ns, MS(500));
    CU_ASSERT_EQUAL(spec.dup_when.end_ns, ORDO__FAULT_FOREVER);
    CU_ASSERT_DOUBLE_EQUAL(spec.delay, 1, 1e-12);
    CU_ASSERT_EQUAL(spec.delay_us, 250);
    CU_ASSERT_EQUAL(spec.delay_when.start_ns, 250000);
    CU_ASSERT_EQUAL(spec.delay_when.end_ns, MS(1500));

    CU_ASSERT_EQUAL(parse("none", &spec), 0);
    CU_ASSERT_EQUAL(spec.enabled, 0);
    CU_ASSERT_EQUAL(parse("", &spec), 0);
    CU_ASSERT_EQUAL(spec.enabled, 0);
    CU_ASSERT_EQUAL(parse("seed=5", &spec), 0);
    CU_ASSERT_EQUAL(spec.enabled, 0); /* a seed alone injects nothing */
    CU_ASSERT_EQUAL(parse("drop=0", &spec), 0);
    CU_ASSERT_EQUAL(spec.enabled, 0);
}

static void test_events(void)
{
    ordo__fault_spec_t spec;
    CU_ASSERT_EQUAL_FATAL(parse("partition=0,1|2,3,4@2s-6s", &spec), 0);
    CU_ASSERT_EQUAL(spec.enabled, 1);
    CU_ASSERT_EQUAL_FATAL(spec.nevents, 1);
    const ordo__fault_event_t *ev = &spec.events[0];
    CU_ASSERT_EQUAL(ev->kind, ORDO__FAULT_EV_PARTITION);
    CU_ASSERT_EQUAL(ev->ngroups, 2);
    CU_ASSERT_EQUAL(ev->nranges, 5);
    CU_ASSERT_EQUAL(ev->when.start_ns, S(2));
    CU_ASSERT_EQUAL(ev->when.end_ns, S(6));
    uint32_t want_group[] = {0, 0, 1, 1, 1};
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(spec.ranges[ev->first + i].lo, (uint32_t)i);
        CU_ASSERT_EQUAL(spec.ranges[ev->first + i].hi, (uint32_t)i);
        CU_ASSERT_EQUAL(spec.ranges[ev->first + i].group, want_group[i]);
    }

    CU_ASSERT_EQUAL_FATAL(parse("partition=0-1|2-4|7@1.5s-,crash=1@2s,pause=2@1s-2s,skew=1:-500,"
                                "drift=0:100,skew=3:+3600000000",
                                &spec),
                          0);
    CU_ASSERT_EQUAL_FATAL(spec.nevents, 6);
    ev = &spec.events[0];
    CU_ASSERT_EQUAL(ev->ngroups, 3);
    CU_ASSERT_EQUAL(ev->nranges, 3);
    CU_ASSERT_EQUAL(spec.ranges[ev->first + 1].lo, 2);
    CU_ASSERT_EQUAL(spec.ranges[ev->first + 1].hi, 4);
    CU_ASSERT_EQUAL(spec.ranges[ev->first + 2].group, 2);
    CU_ASSERT_EQUAL(ev->when.start_ns, MS(1500));
    CU_ASSERT_EQUAL(ev->when.end_ns, ORDO__FAULT_FOREVER);
    CU_ASSERT_EQUAL(spec.events[1].kind, ORDO__FAULT_EV_CRASH);
    CU_ASSERT_EQUAL(spec.events[1].rank, 1);
    CU_ASSERT_EQUAL(spec.events[1].when.start_ns, S(2));
    CU_ASSERT_EQUAL(spec.events[2].kind, ORDO__FAULT_EV_PAUSE);
    CU_ASSERT_EQUAL(spec.events[2].rank, 2);
    CU_ASSERT_EQUAL(spec.events[2].when.start_ns, S(1));
    CU_ASSERT_EQUAL(spec.events[2].when.end_ns, S(2));
    CU_ASSERT_EQUAL(spec.events[3].kind, ORDO__FAULT_EV_SKEW);
    CU_ASSERT_EQUAL(spec.events[3].value, -500);
    CU_ASSERT_EQUAL(spec.events[4].kind, ORDO__FAULT_EV_DRIFT);
    CU_ASSERT_EQUAL(spec.events[4].rank, 0);
    CU_ASSERT_EQUAL(spec.events[4].value, 100);
    CU_ASSERT_EQUAL(spec.events[5].value, 3600000000ll);

    /* Same item kinds several times, for different ranks or windows. */
    CU_ASSERT_EQUAL(parse("pause=1@1s-2s,pause=1@3s-4s,crash=0@1s,crash=2@1s,"
                          "partition=0|1@1s-2s,partition=0|1@2s-3s",
                          &spec),
                    0);
    CU_ASSERT_EQUAL(spec.nevents, 6);
}

static void test_slow(void)
{
    ordo__fault_spec_t spec;
    CU_ASSERT_EQUAL_FATAL(parse("slow=1:200,slow=2:400@1s-2s,slow=3:800@500ms-,drop=0", &spec), 0);
    CU_ASSERT_EQUAL(spec.enabled, 1);
    CU_ASSERT_EQUAL_FATAL(spec.nevents, 3);
    CU_ASSERT_EQUAL(spec.events[0].kind, ORDO__FAULT_EV_SLOW);
    CU_ASSERT_EQUAL(spec.events[0].rank, 1);
    CU_ASSERT_EQUAL(spec.events[0].value, 200);
    CU_ASSERT_EQUAL(spec.events[0].when.start_ns, 0);
    CU_ASSERT_EQUAL(spec.events[0].when.end_ns, ORDO__FAULT_FOREVER);
    CU_ASSERT_EQUAL(spec.events[1].rank, 2);
    CU_ASSERT_EQUAL(spec.events[1].value, 400);
    CU_ASSERT_EQUAL(spec.events[1].when.start_ns, S(1));
    CU_ASSERT_EQUAL(spec.events[1].when.end_ns, S(2));
    CU_ASSERT_EQUAL(spec.events[2].when.start_ns, MS(500));
    CU_ASSERT_EQUAL(spec.events[2].when.end_ns, ORDO__FAULT_FOREVER);
    CU_ASSERT_EQUAL_FATAL(parse("slow=0:10000000,slow=1000000:1", &spec), 0);
    CU_ASSERT_EQUAL(spec.events[0].value, 10000000);
    CU_ASSERT_EQUAL(spec.events[1].rank, 1000000);
    /* the ranks named must exist */
    CU_ASSERT_EQUAL_FATAL(parse("slow=1:200,slow=5:400", &spec), 0);
    CU_ASSERT_EQUAL(ordo__fault_check_ranks(&spec, 5, why, sizeof(why)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "slow=5:400: rank 5 does not exist"));
    CU_ASSERT_EQUAL(ordo__fault_check_ranks(&spec, 6, why, sizeof(why)), 0);
}

static void test_format(void)
{
    expect_format("drop=0.25,dup=0.5,delay=0.125:300,seed=9", NULL);
    expect_format("seed=9,delay=0.125:300,dup=0.5,drop=0.25",
                  "drop=0.25,dup=0.5,delay=0.125:300,seed=9");
    expect_format("none", NULL);
    expect_format("", "none");
    expect_format("drop=0.1@1s-2s,dup=1e-3@500ms-,delay=1:250@250us-1.5s",
                  "drop=0.1@1s-2s,dup=0.001@500ms-,delay=1:250@250us-1.5s");
    expect_format("drop=0.5@0s-", "drop=0.5");
    expect_format("partition=0,1|2,3,4@2s-6s,crash=1@2.5s,pause=2@1s-,skew=1:-500,drift=0:100",
                  NULL);
    expect_format("partition=0-1|2-4|7@1.5s-,crash=1@0.000000001s,skew=3:+7",
                  "partition=0-1|2-4|7@1.5s-,crash=1@0.000000001s,skew=3:7");
    expect_format("crash=0@1500ms,pause=1@0.25s-2000.5ms,pause=2@0.0015ms-1.0000015s",
                  "crash=0@1.5s,pause=1@250ms-2.0005s,pause=2@0.0000015s-1.0000015s");
    expect_format("pause=0@1000ms-2000000us", "pause=0@1s-2s");
    expect_format("slow=1:200,slow=2:400@1s-2s,slow=3:800@500ms-", NULL);
    expect_format("slow=1:200@0s-,delay=0.5:10", "delay=0.5:10,slow=1:200");
}

/* s is refused and why contains every fragment given. */
static void refused(const char *s, const char *frag, const char *frag2)
{
    ordo__fault_spec_t spec, before;
    memset(&spec, 0x5a, sizeof(spec));
    before = spec;
    CU_ASSERT_EQUAL(parse(s, &spec), -1);
    CU_ASSERT_EQUAL(memcmp(&spec, &before, sizeof(spec)), 0);
    int ok = strstr(why, frag) && (!frag2 || strstr(why, frag2));
    if (!ok)
        fprintf(stderr, "\n  ORDO_FAULT=%s: '%s' does not say '%s'%s%s\n", s, why, frag,
                frag2 ? " and " : "", frag2 ? frag2 : "");
    CU_ASSERT(ok);
}

static void test_refused(void)
{
    refused("drop=nan", "drop=nan: a probability from 0 to 1 is expected", NULL);
    refused("dup=0x1", "dup=0x1: a probability from 0 to 1 is expected", NULL);
    refused("drop=inf", "drop=inf: a probability", NULL);
    refused("drop=2", "drop=2: a probability", NULL);
    refused("drop=-0.1", "drop=-0.1: a probability", NULL);
    refused("drop=0.5x", "drop=0.5x: a probability", NULL);
    refused("drop=0.5,drop=0.5", "drop given twice", NULL);
    refused("dup=0.1,seed=1,dup=0.2", "dup given twice", NULL);
    refused("seed=1,seed=1", "seed given twice", NULL);
    refused("delay=0.1:5,delay=0.1:5", "delay given twice", NULL);
    refused("drop=0.5,", "item 2 is empty", NULL);
    refused(",", "item 1 is empty", NULL);
    refused(",drop=0.5", "item 1 is empty", NULL);
    refused("drop=0.1,dup=0.1,,seed=1", "item 3 is empty", NULL);
    refused("drop", "item 1 'drop' is not key=value", NULL);
    refused("foo=1",
            "unknown key 'foo' (known: drop, dup, delay, seed, partition, crash, pause, skew, "
            "drift, slow)",
            NULL);
    refused("delay=0.1", "delay=0.1: P:US expected", NULL);
    refused("delay=0.1:", "delay=0.1:: P:US expected", NULL);
    refused("delay=0.1:-5", "P:US expected", NULL);
    refused("delay=0.1:20000000", "P:US expected", NULL);
    refused("seed=-1", "seed=-1: a non-negative integer is expected", NULL);
    refused("seed=0x10", "seed=0x10: a non-negative integer", NULL);
    refused("drop=0.5@2s", "drop=0.5@2s: window '2s' is not T1-T2 or T1-", NULL);
    refused("drop=0.5@2x-3s", "'2x' is not a time", NULL);
    refused("dup=0.5@3s-1s", "dup=0.5@3s-1s: the window 3s-1s does not end after it starts", NULL);

    refused("partition=0,1|1,2@2s-6s", "partition=0,1|1,2@2s-6s: rank 1 is in two groups", NULL);
    refused("partition=0-3|2@1s-2s", "rank 2 is in two groups", NULL);
    refused("partition=0-3|5|1-9@1s-2s", "rank 1 is in two groups", NULL);
    refused("partition=0,0|1@1s-2s", "rank 0 is listed twice in group 1", NULL);
    refused("partition=0,1@2s-6s", "partition=0,1@2s-6s: at least 2 groups", NULL);
    refused("partition=0|1@6s-2s", "partition=0|1@6s-2s: the window 6s-2s does not end", NULL);
    refused("partition=0|1@2s-2s", "does not end after it starts", NULL);
    refused("partition=0|1", "partition=0|1: GROUPS@WINDOW or ring@WINDOW expected", NULL);
    refused("partition=0|1@", "window '' is not T1-T2", NULL);
    refused("partition=0||1@1s-2s", "group 2 is empty", NULL);
    refused("partition=|1@1s-2s", "group 1 is empty", NULL);
    refused("partition=3-1|4@1s-2s", "the range 3-1 runs backwards", NULL);
    refused("partition=a|1@1s-2s", "'a' is not a rank", NULL);
    refused("partition=0|1-@1s-2s", "'' is not a rank", NULL);
    refused("partition=0|1@1s-2s,partition=0|1@1s-2s", "partition=0|1@1s-2s given twice", NULL);

    refused("crash=1", "crash=1: R@T expected", NULL);
    refused("crash=1@", "crash=1@: '' is not a time", NULL);
    refused("crash=1@1s-2s", "'1s-2s' is not a time", NULL);
    refused("crash=1@2", "'2' is not a time", NULL);
    refused("crash=1@2d", "'2d' is not a time", NULL);
    refused("crash=1@86401s", "'86401s' is not a time", NULL);
    refused("crash=x@1s", "'x' is not a rank", NULL);
    refused("crash=1@1s,crash=1@2s", "crash=1@2s: rank 1 already has a crash", NULL);
    refused("crash=1@1s,crash=1@1s", "crash=1@1s given twice", NULL);

    refused("pause=1", "pause=1: R@WINDOW expected", NULL);
    refused("pause=1@1s", "window '1s' is not T1-T2", NULL);
    refused("pause=-1@1s-2s", "pause=-1@1s-2s: '-1' is not a rank", NULL);
    refused("pause=1@1s-2s,pause=1@1s-2s", "pause=1@1s-2s given twice", NULL);

    refused("skew=1:abc", "skew=1:abc: 'abc' is not an offset in microseconds", NULL);
    refused("skew=1", "skew=1: R:US expected", NULL);
    refused("skew=1:3600000001", "'3600000001' is not an offset", "-3600000000 to 3600000000");
    refused("skew=1:-3600000001", "is not an offset", NULL);
    refused("skew=1:5,skew=1:6", "rank 1 already has a skew", NULL);
    refused("drift=1:1e9", "drift=1:1e9: '1e9' is not a drift in parts per million", NULL);
    refused("drift=1:100001", "-100000 to 100000", NULL);
    refused("drift=1:1.5", "'1.5' is not a drift", NULL);
    refused("drift=1", "drift=1: R:PPM expected", NULL);
    refused("drift=2:1,drift=2:-1", "rank 2 already has a drift", NULL);

    refused("slow=1", "slow=1: R:US[@WINDOW] expected", NULL);
    refused("slow=1:", "slow=1:: '' is not a hold in microseconds", "1 to 10000000");
    refused("slow=1:0", "'0' is not a hold in microseconds (an integer from 1 to 10000000)", NULL);
    refused("slow=1:10000001", "'10000001' is not a hold", NULL);
    refused("slow=1:-5", "'-5' is not a hold", NULL);
    refused("slow=1:1.5", "'1.5' is not a hold", NULL);
    refused("slow=1:2e3", "'2e3' is not a hold", NULL);
    refused("slow=x:200", "slow=x:200: 'x' is not a rank", NULL);
    refused("slow=-1:200", "'-1' is not a rank", NULL);
    refused("slow=1000001:200", "'1000001' is not a rank (an integer from 0 to 1000000)", NULL);
    refused("slow=:200", "'' is not a rank", NULL);
    refused("slow=1:200@1s", "slow=1:200@1s: window '1s' is not T1-T2 or T1-", NULL);
    refused("slow=1:200@2s-1s", "the window 2s-1s does not end after it starts", NULL);
    refused("slow=1:200@", "window '' is not T1-T2", NULL);
    refused("slow=1:200,slow=2:400,slow=1:800",
            "slow=1:800: rank 1 already has a slow (at most one per rank)", NULL);
    refused("slow=1:200@1s-2s,slow=1:200@3s-", "rank 1 already has a slow", NULL);
    refused("slow=1:200,slow=1:200", "slow=1:200 given twice", NULL);

    /* 17 events, where 16 are allowed */
    char many[512] = "";
    for (int r = 0; r < 16; r++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sskew=%d:1", r ? "," : "", r);
    ordo__fault_spec_t spec;
    CU_ASSERT_EQUAL(parse(many, &spec), 0);
    CU_ASSERT_EQUAL(spec.nevents, 16);
    strcat(many, ",pause=0@1s-2s");
    refused(many, "pause=0@1s-2s: more than 16 events", NULL);
    /* ... slow items among them */
    many[0] = '\0';
    for (int r = 0; r < 16; r++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sslow=%d:%d", r ? "," : "", r,
                 100 * (r + 1));
    CU_ASSERT_EQUAL(parse(many, &spec), 0);
    CU_ASSERT_EQUAL(spec.nevents, 16);
    strcat(many, ",slow=16:100");
    refused(many, "slow=16:100: more than 16 events (partition, crash, pause, skew, drift, slow)",
            NULL);

    char longer[ORDO__FAULT_SPEC_MAX + 2];
    memset(longer, '1', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    memcpy(longer, "seed=", 5);
    refused(longer, "longer than 1024 characters", NULL);
}

static void test_check_ranks(void)
{
    ordo__fault_spec_t spec;
    CU_ASSERT_EQUAL_FATAL(parse("partition=0|9@1s-2s", &spec), 0);
    CU_ASSERT_EQUAL(ordo__fault_check_ranks(&spec, 2, why, sizeof(why)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "partition=0|9@1s-2s: rank 9 does not exist"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "2 ranks"));
    CU_ASSERT_EQUAL(ordo__fault_check_ranks(&spec, 10, why, sizeof(why)), 0);
    CU_ASSERT_EQUAL_FATAL(parse("skew=1:5,crash=2@1s", &spec), 0);
    CU_ASSERT_EQUAL(ordo__fault_check_ranks(&spec, 2, why, sizeof(why)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "crash=2@1s: rank 2 does not exist"));
    CU_ASSERT_EQUAL(ordo__fault_check_ranks(&spec, 3, why, sizeof(why)), 0);
    CU_ASSERT_EQUAL_FATAL(parse("drop=0.5", &spec), 0);
    CU_ASSERT_EQUAL(ordo__fault_check_ranks(&spec, 1, why, sizeof(why)), 0);
}

#define ORIGIN S(1000)
#define AT(t)  (ORIGIN + (t))

static void test_queries(void)
{
    ordo__fault_spec_t spec;
    uint64_t until = 0, d = 0;
    CU_ASSERT_EQUAL_FATAL(parse("drop=1@1s-2s,partition=0,1|2@1s-3s,crash=1@5s,pause=1@2s-4s,"
                                "pause=1@3s-6s,skew=1:-500,drift=1:100,partition=0|3@4s-",
                                &spec),
                          0);
    ordo__fault_init(&spec, 1, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_active(), 1);

    /* drop: only inside its window [1s, 2s) */
    CU_ASSERT_EQUAL(ordo__fault_next(AT(MS(999)), &d), ORDO__FAULT_PASS);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(S(1)), &d), ORDO__FAULT_DROP);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(MS(1999)), &d), ORDO__FAULT_DROP);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(S(2)), &d), ORDO__FAULT_PASS);

    /* partition 0,1|2 in [1s, 3s): rank 1 is cut from 2, not from 0 */
    CU_ASSERT_EQUAL(ordo__fault_cut(2, AT(MS(500))), 0);
    CU_ASSERT_EQUAL(ordo__fault_cut(2, AT(S(1))), 1);
    CU_ASSERT_EQUAL(ordo__fault_cut(0, AT(S(1))), 0);
    CU_ASSERT_EQUAL(ordo__fault_cut(2, AT(MS(2999))), 1);
    CU_ASSERT_EQUAL(ordo__fault_cut(2, AT(S(3))), 0);
    /* partition 0|3 from 4s on: rank 1 is with the unlisted ranks (2, 4) */
    CU_ASSERT_EQUAL(ordo__fault_cut(0, AT(S(4))), 1);
    CU_ASSERT_EQUAL(ordo__fault_cut(3, AT(S(5))), 1);
    CU_ASSERT_EQUAL(ordo__fault_cut(2, AT(S(5))), 0);
    CU_ASSERT_EQUAL(ordo__fault_cut(4, AT(S(86400))), 0);
    CU_ASSERT_EQUAL(ordo__fault_cut(0, AT(S(86400))), 1);

    CU_ASSERT_EQUAL(ordo__fault_crash_at(), AT(S(5)));

    /* pauses [2s, 4s) and [3s, 6s) */
    CU_ASSERT_EQUAL(ordo__fault_paused(AT(S(1)), &until), 0);
    CU_ASSERT_EQUAL(ordo__fault_paused(AT(S(2)), &until), 1);
    CU_ASSERT_EQUAL(until, AT(S(4)));
    CU_ASSERT_EQUAL(ordo__fault_paused(AT(MS(3500)), &until), 1);
    CU_ASSERT_EQUAL(until, AT(S(6)));
    CU_ASSERT_EQUAL(ordo__fault_paused(AT(S(5)), &until), 1);
    CU_ASSERT_EQUAL(until, AT(S(6)));
    until = 7;
    CU_ASSERT_EQUAL(ordo__fault_paused(AT(S(6)), &until), 0);
    CU_ASSERT_EQUAL(until, 7);

    /* every start and end of a window of rank 1, and the crash */
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(0), AT(S(1)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(0)), AT(S(1)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(S(1))), AT(S(2)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(S(2))), AT(S(3)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(MS(2500))), AT(S(3)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(S(3))), AT(S(4)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(S(4))), AT(S(5)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(S(5))), AT(S(6)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(S(6))), UINT64_MAX);

    /* skew -500 us, drift +100 ppm: +1 ms after 10 s */
    CU_ASSERT_EQUAL(ordo__fault_clock_offset_ns(AT(0)), -500000);
    CU_ASSERT_EQUAL(ordo__fault_clock_offset_ns(AT(S(10))), 500000);
    CU_ASSERT_EQUAL(ordo__fault_clock_offset_ns(AT(1)), -500000); /* 1 ns: 0.0001 ns of drift */
    CU_ASSERT_EQUAL(ordo__fault_clock_offset_ns(AT(S(86400) * 365)), -500000 + 3153600000000ll);

    /* Rank 0: the partitions only (its pauses, crash, skew, drift: none) */
    ordo__fault_init(&spec, 0, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_crash_at(), UINT64_MAX);
    CU_ASSERT_EQUAL(ordo__fault_paused(AT(S(3)), &until), 0);
    CU_ASSERT_EQUAL(ordo__fault_clock_offset_ns(AT(S(10))), 0);
    CU_ASSERT_EQUAL(ordo__fault_cut(1, AT(S(2))), 0);
    CU_ASSERT_EQUAL(ordo__fault_cut(2, AT(S(2))), 1);
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(S(1))), AT(S(3)));
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(S(4))), UINT64_MAX);

    /* Negative drift, and a delay window */
    CU_ASSERT_EQUAL_FATAL(parse("drift=0:-20,delay=1:100@1s-", &spec), 0);
    ordo__fault_init(&spec, 0, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_clock_offset_ns(AT(S(1))), -20000);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(MS(500)), &d), ORDO__FAULT_PASS);
    d = UINT64_MAX;
    CU_ASSERT_EQUAL(ordo__fault_next(AT(MS(1500)), &d), ORDO__FAULT_DELAY);
    CU_ASSERT(d <= 100000);
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(0)), UINT64_MAX);

    /* Nothing once finished, nor when nothing is configured */
    ordo__fault_fini();
    CU_ASSERT_EQUAL(ordo__fault_active(), 0);
    CU_ASSERT_EQUAL(ordo__fault_crash_at(), UINT64_MAX);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(S(2)), &d), ORDO__FAULT_PASS);
    CU_ASSERT_EQUAL(ordo__fault_cut(1, AT(S(2))), 0);
    CU_ASSERT_EQUAL(ordo__fault_clock_offset_ns(AT(S(2))), 0);
    CU_ASSERT_EQUAL_FATAL(parse("none", &spec), 0);
    ordo__fault_init(&spec, 0, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_active(), 0);
    ordo__fault_fini();
}

/* A slow rank holds every message exactly US within its window, draws
 * nothing, and its hold goes under what delay, drop and dup do. */
static void test_slow_hold(void)
{
    ordo__fault_spec_t spec;
    uint64_t d = 7;
    CU_ASSERT_EQUAL_FATAL(parse("slow=1:200,slow=2:400@1s-2s", &spec), 0);
    ordo__fault_init(&spec, 1, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_active(), 1);
    for (int i = 0; i < 3; i++) {
        d = 7;
        CU_ASSERT_EQUAL(ordo__fault_next(AT(MS(i)), &d), ORDO__FAULT_DELAY);
        CU_ASSERT_EQUAL(d, 200000);
    }
    CU_ASSERT_EQUAL(ordo__fault_next_event_ns(AT(0)), UINT64_MAX); /* no timer needed */
    /* rank 2: only within [1s, 2s) */
    ordo__fault_init(&spec, 2, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(MS(999)), &d), ORDO__FAULT_PASS);
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(S(1)), &d), ORDO__FAULT_DELAY);
    CU_ASSERT_EQUAL(d, 400000);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(MS(1999)), &d), ORDO__FAULT_DELAY);
    CU_ASSERT_EQUAL(d, 400000);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(S(2)), &d), ORDO__FAULT_PASS);
    CU_ASSERT_EQUAL(d, 0);
    /* rank 0: none */
    ordo__fault_init(&spec, 0, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(S(1)), &d), ORDO__FAULT_PASS);
    CU_ASSERT_EQUAL(d, 0);

    /* With delay=1:100 the hold is delay's draw (up to 100 us) plus 200 us;
     * with drop=1 a drop, the hold given for a caller that makes it a pass;
     * with dup=1 a duplicate whose two copies wait 200 us. */
    CU_ASSERT_EQUAL_FATAL(parse("slow=1:200,delay=1:100", &spec), 0);
    ordo__fault_init(&spec, 1, 5, ORIGIN);
    for (int i = 0; i < 50; i++) {
        CU_ASSERT_EQUAL(ordo__fault_next(AT(MS(i)), &d), ORDO__FAULT_DELAY);
        CU_ASSERT(d >= 200000 && d <= 300000);
    }
    CU_ASSERT_EQUAL_FATAL(parse("slow=1:200,drop=1", &spec), 0);
    ordo__fault_init(&spec, 1, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(0), &d), ORDO__FAULT_DROP);
    CU_ASSERT_EQUAL(d, 200000);
    CU_ASSERT_EQUAL_FATAL(parse("slow=1:200,dup=1", &spec), 0);
    ordo__fault_init(&spec, 1, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(0), &d), ORDO__FAULT_DUP);
    CU_ASSERT_EQUAL(d, 200000);
    ordo__fault_init(&spec, 0, 5, ORIGIN);
    CU_ASSERT_EQUAL(ordo__fault_next(AT(0), &d), ORDO__FAULT_DUP);
    CU_ASSERT_EQUAL(d, 0);

    /* slow draws nothing: with it, the seeded faults are the same */
    int a[100], b[100];
    CU_ASSERT_EQUAL_FATAL(parse("drop=0.3,dup=0.1,seed=5", &spec), 0);
    ordo__fault_init(&spec, 1, 5, 0);
    for (int i = 0; i < 100; i++)
        a[i] = ordo__fault_next(S(i), &d);
    CU_ASSERT_EQUAL_FATAL(parse("drop=0.3,dup=0.1,seed=5,slow=1:50", &spec), 0);
    ordo__fault_init(&spec, 1, 5, 0);
    for (int i = 0; i < 100; i++) {
        b[i] = ordo__fault_next(S(i), &d);
        CU_ASSERT_EQUAL(d, 50000);
        if (b[i] == ORDO__FAULT_DELAY)
            b[i] = ORDO__FAULT_PASS; /* the pass, held */
    }
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
    ordo__fault_fini();
    CU_ASSERT_EQUAL(ordo__fault_next(AT(0), &d), ORDO__FAULT_PASS);
    CU_ASSERT_EQUAL(d, 0);
}

/* The generator is seeded: the same seed and rank give the same faults. */
static void test_replay(void)
{
    ordo__fault_spec_t spec;
    int a[200], b[200], c[200], drops = 0;
    uint64_t d;
    CU_ASSERT_EQUAL_FATAL(parse("drop=0.3,dup=0.1,seed=5", &spec), 0);
    ordo__fault_init(&spec, 3, 5, 0);
    for (int i = 0; i < 200; i++)
        a[i] = ordo__fault_next(S(i), &d);
    ordo__fault_init(&spec, 3, 5, S(50));
    for (int i = 0; i < 200; i++) {
        b[i] = ordo__fault_next(S(i), &d);
        drops += b[i] == ORDO__FAULT_DROP;
    }
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
    CU_ASSERT(drops > 30 && drops < 90); /* about 60 of 200 */
    ordo__fault_init(&spec, 2, 5, 0);
    for (int i = 0; i < 200; i++)
        c[i] = ordo__fault_next(S(i), &d);
    CU_ASSERT_NOT_EQUAL(memcmp(a, c, sizeof(a)), 0); /* another rank, another stream */

    /* A window skips faults but not draws: message n meets the same fate
     * inside the window whatever came before. */
    CU_ASSERT_EQUAL_FATAL(parse("drop=0.3,dup=0.1,seed=5,drop=0.3", &spec), -1);
    CU_ASSERT_EQUAL_FATAL(parse("drop=0.3@100s-,dup=0.1@100s-,seed=5", &spec), 0);
    ordo__fault_init(&spec, 3, 5, 0);
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(ordo__fault_next(S(i), &d), ORDO__FAULT_PASS);
    for (int i = 100; i < 200; i++)
        CU_ASSERT_EQUAL(ordo__fault_next(S(100), &d), a[i]);
    ordo__fault_fini();
}

/* partition=ring: every rank reaches a majority (itself and its nearest
 * ring neighbours), no two the same one; parsed, printed back, refused. */
static void test_ring(void)
{
    /* n ranks: the peers rank 0 reaches (bit p), and ring distance d cut */
    static const struct {
        int n;
        unsigned reach0;
    } want[] = {{2, 0x3}, {3, 0x7}, {4, 0xb}, {5, 0x13}, {6, 0x37}, {7, 0x67}, {9, 0x187}};
    ordo__fault_spec_t spec;
    expect_format("partition=ring@1s-2s", NULL);
    expect_format("partition=ring@1s-,partition=0|1@1s-2s,crash=1@3s", NULL);
    CU_ASSERT_EQUAL_FATAL(parse("partition=ring@1s-2s", &spec), 0);
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        int n = want[k].n;
        for (int r = 0; r < n; r++) {
            ordo__fault_init(&spec, r, n, ORIGIN);
            int reach = 0;
            for (int p = 0; p < n; p++) {
                int cut = ordo__fault_cut(p, AT(MS(1500)));
                /* symmetric: rank 0's reach turned by r */
                CU_ASSERT_EQUAL(cut, !(want[k].reach0 >> ((p - r + n) % n) & 1));
                CU_ASSERT_EQUAL(ordo__fault_cut(p, AT(MS(999))), 0);
                CU_ASSERT_EQUAL(ordo__fault_cut(p, AT(S(2))), 0);
                reach += !cut;
            }
            CU_ASSERT(reach > n / 2); /* a majority */
        }
    }
    ordo__fault_fini();
    refused("partition=ring", "partition=ring: GROUPS@WINDOW or ring@WINDOW expected", NULL);
    refused("partition=ring@2s", "window '2s' is not T1-T2", NULL);
    refused("partition=ring@1s-2s,partition=ring@1s-2s", "partition=ring@1s-2s given twice", NULL);
    refused("partition=rings@1s-2s", "'rings' is not a rank", NULL);
    refused("partition=ring|1@1s-2s", "'ring' is not a rank", NULL);
}

static CU_TestInfo tests[] = {
    {"drop, dup, delay, seed", test_message_faults},
    {"partition, crash, pause, skew, drift", test_events},
    {"slow: several ranks, windows, ranks checked", test_slow},
    {"printed back in the same grammar", test_format},
    {"bad specs refused, naming the part", test_refused},
    {"ranks checked against the job size", test_check_ranks},
    {"queries before, in and after windows", test_queries},
    {"slow: a fixed hold, under delay, drop and dup", test_slow_hold},
    {"same seed, same faults", test_replay},
    {"partition=ring: majorities, printed, refused", test_ring},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/fault", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return ordo_test_run(suites, 0, "test_fault") == 0 ? 0 : 1;
}
