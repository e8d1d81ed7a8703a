/*
 * test_fd_busy.c - no false alarm under load: every rank computes for the
 * number of seconds given (default 20) without calling ordo, all at once
 * and more ranks than cores; the detector's threads keep them alive.
 * Afterwards every rank's view holds no failure and no rank is out; a
 * barrier and ordo_finalize succeed.  Each rank prints one "rank" line.
 */
#include "fd_test.h"

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 20.0;
    if (fd_test_init(&argc, &argv) != 0)
        return 1;
    int s;
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("first barrier: %s", ordo_status_name(s));
    fd_test_compute(seconds);

    ordo_membership_t m;
    if (ordo_progress() < 0 || ordo_membership(&m) != ORDO_OK)
        FAIL("ordo_membership");
    if (m.failed != 0 || m.out != 0 || m.epoch != 0)
        FAIL("after %.0f s of computing: %d failed, out %d, epoch %llu", seconds, m.failed, m.out,
             (unsigned long long)m.epoch);
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("barrier after computing: %s", ordo_status_name(s));
    if ((s = ordo_finalize()) != ORDO_OK)
        FAIL("ordo_finalize: %s", ordo_status_name(s));
    printf("rank %d: computed %.0f s without ordo; 0 failed, not out; finalize ok\n", fd_test_me,
           seconds);
    return 0;
}
