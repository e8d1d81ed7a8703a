/*
 * test_qreg_degrade.c - a degraded read's bounded wait (ORDO_QREG_DEGRADE_MS)
 * across a partition shorter than the failure detector's timeout.
 *
 *   test_qreg_degrade bounded|unbounded
 *
 * 5 ranks, two register sets of one key, R = 5, W = Q = 3: "strict" (no
 * flags) and "loose" (ORDO_QREG_DEGRADED_READ).  Rank 0 writes 1 to both
 * before the cut; the script's ORDO_FAULT cuts {0,1,2} from {3,4} from
 * CUT_START to CUT_END (no rank is declared failed: ORDO_FD_TIMEOUT_MS is
 * longer); during the cut rank 0 writes 2 to both (its side is a majority),
 * then the minority reads:
 *
 *   rank 4  a blocking degraded read of loose, then a strict read, and
 *           after the heal a degraded read again;
 *   rank 3  a non-blocking degraded read of loose, polled with
 *           ordo_qreg_test (the timer answers from the progress that
 *           polling makes).
 *
 * bounded (ORDO_QREG_DEGRADE_MS of a few hundred ms): the degraded reads
 * answer while the cut lasts, ORDO_OK with the old value 1 flagged
 * ORDO_QREG_STALE; the strict read waits out the cut (its requests are held
 * until the heal) and returns 2, not stale; after the heal loose reads 2,
 * not stale.  unbounded (ORDO_QREG_DEGRADE_MS=0, the behaviour before the
 * bound): the degraded reads too wait out the cut and return 2, not stale.
 * Each rank prints what it saw and "FAILED: ..." naming what is wrong.
 */
#include <ordo.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CUT_START 2.0 /* s after ordo_init: the script's partition window */
#define CUT_END   6.0
#define WRITE_AT  2.5 /* rank 0's write of 2, on the majority side */
#define READ_AT   3.0 /* the minority's reads */
#define AFTER_AT  6.8 /* rank 4's read after the heal */

static int me, bounded, bad;
static double t_start;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9 - t_start;
}

static void wait_until(double t)
{
    while (now_s() < t)
        ordo_progress();
}

static void fail(const char *what)
{
    printf("rank %d: FAILED: %s\n", me, what);
    bad = 1;
}

/* One read's outcome against what the mode expects; `during` whether it
 * must have answered while the cut lasted. */
static void check_read(const char *name, int s, uint64_t got, unsigned fl, double end,
                       uint64_t want, int want_stale, int during)
{
    char why[256];
    printf("rank %d: %s %s value %llu%s, ended at %.2f s\n", me, name, ordo_status_name(s),
           (unsigned long long)got, fl & ORDO_QREG_STALE ? " stale" : "", end);
    if (s != ORDO_OK || got != want || !!(fl & ORDO_QREG_STALE) != want_stale) {
        snprintf(why, sizeof(why), "%s: expected ORDO_OK value %llu%s", name,
                 (unsigned long long)want, want_stale ? " stale" : " not stale");
        fail(why);
    }
    if (during && end >= CUT_END) {
        snprintf(why, sizeof(why), "%s: answered at %.2f s, after the cut healed (%.1f s)", name,
                 end, CUT_END);
        fail(why);
    }
}

static void minority_blocking(ordo_qreg_t *strict, ordo_qreg_t *loose)
{
    uint64_t got = 0;
    unsigned fl = 0;
    wait_until(READ_AT);
    int s = ordo_qreg_read(loose, 0, &got, &fl);
    check_read("degraded read in the cut", s, got, fl, now_s(), bounded ? 1 : 2, bounded, bounded);
    got = 0;
    s = ordo_qreg_read(strict, 0, &got, &fl);
    check_read("strict read in the cut", s, got, fl, now_s(), 2, 0, 0);
    wait_until(AFTER_AT);
    got = 0;
    s = ordo_qreg_read(loose, 0, &got, &fl);
    check_read("degraded read after the heal", s, got, fl, now_s(), 2, 0, 0);
}

static void minority_polled(ordo_qreg_t *loose)
{
    uint64_t got = 0;
    unsigned fl = 0;
    ordo_qreg_op_t *op;
    wait_until(READ_AT);
    int s = ordo_qreg_read_nb(loose, 0, &got, &op);
    int t = 0;
    while (s == ORDO_OK && (t = ordo_qreg_test(op)) == 0)
        ;
    double end = now_s();
    if (s == ORDO_OK)
        s = t == 1 ? ordo_qreg_wait(op, &fl) : t;
    check_read("polled degraded read in the cut", s, got, fl, end, bounded ? 1 : 2, bounded,
               bounded);
}

static int run(void)
{
    ordo_qreg_t *strict, *loose;
    int s = ordo_qreg_create(1, 8, 5, 3, 3, 0, &strict);
    if (s == ORDO_OK)
        s = ordo_qreg_create(1, 8, 5, 3, 3, ORDO_QREG_DEGRADED_READ, &loose);
    if (s != ORDO_OK) {
        printf("rank %d: FAILED: ordo_qreg_create: %s\n", me, ordo_status_name(s));
        return 1;
    }
    uint64_t v = 1;
    if (me == 0 && ((s = ordo_qreg_write(strict, 0, &v)) != ORDO_OK ||
                    (s = ordo_qreg_write(loose, 0, &v)) != ORDO_OK))
        fail("rank 0's writes of 1 before the cut");
    if ((s = ordo_barrier()) != ORDO_OK || now_s() >= CUT_START - 0.5) {
        printf("rank %d: FAILED: set-up not done well before the cut (%s at %.2f s)\n", me,
               ordo_status_name(s), now_s());
        return 1;
    }
    if (me == 0) {
        v = 2;
        wait_until(WRITE_AT);
        if ((s = ordo_qreg_write(strict, 0, &v)) != ORDO_OK ||
            (s = ordo_qreg_write(loose, 0, &v)) != ORDO_OK)
            fail("rank 0's writes of 2 on the majority side of the cut");
        printf("rank 0: wrote 2 in the cut: %s, done at %.2f s\n", ordo_status_name(s), now_s());
        if (now_s() >= READ_AT)
            fail("rank 0's write of 2 ended after the minority's reads began: raise READ_AT");
    } else if (me == 4) {
        minority_blocking(strict, loose);
    } else if (me == 3) {
        minority_polled(loose);
    }
    /* Everyone meets after the heal: the held messages were delivered. */
    wait_until(AFTER_AT);
    if ((s = ordo_barrier()) != ORDO_OK)
        printf("rank %d: FAILED: barrier after the heal: %s\n", me, ordo_status_name(s));
    int d = ordo_qreg_destroy(loose);
    int e = ordo_qreg_destroy(strict);
    if (d != ORDO_OK || e != ORDO_OK)
        fail("ordo_qreg_destroy");
    return s != ORDO_OK;
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "bounded") != 0 && strcmp(argv[1], "unbounded") != 0)) {
        fprintf(stderr, "usage: test_qreg_degrade bounded|unbounded (on 5 ranks)\n");
        return 2;
    }
    bounded = strcmp(argv[1], "bounded") == 0;
    int s = ordo_init(&argc, &argv);
    t_start = 0;
    t_start = now_s();
    if (s != ORDO_OK) {
        fprintf(stderr, "test_qreg_degrade: ordo_init: %s\n", ordo_strerror(s));
        return 1;
    }
    me = ordo_rank();
    if (ordo_size() != 5) {
        if (me == 0)
            fprintf(stderr, "test_qreg_degrade: FAILED: needs 5 ranks, has %d\n", ordo_size());
        ordo_finalize();
        return 1;
    }
    int r = run();
    s = ordo_finalize();
    printf("rank %d: end %s, finalize %s\n", me, bad || r ? "FAILED" : "ok", ordo_status_name(s));
    return bad || r || s != ORDO_OK;
}
