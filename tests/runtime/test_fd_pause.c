/*
 * test_fd_pause.c - a pause shorter than the detector's suspicion is no
 * failure: rank 0 SIGSTOPs rank 1 for 40% of ORDO_FD_TIMEOUT_MS, then
 * SIGCONTs it, PAUSES times; meanwhile the other ranks keep calling rank 1
 * (their calls wait out the pause).  Afterwards no rank's view holds a
 * failure, calls to rank 1 work, a barrier and ordo_finalize succeed.
 * Each rank prints one "rank" line.
 */
#include "fd_test.h"

#include <signal.h>

#define PAUSES 3
#define GAP_S  0.5 /* between pauses */

int main(int argc, char **argv)
{
    pid_t pids[FD_TEST_MAX_RANKS];
    if (fd_test_init(&argc, &argv) != 0)
        return 1;
    int me = ordo_rank(), n = ordo_size(), s, calls = 0;
    const char *t = getenv("ORDO_FD_TIMEOUT_MS");
    double pause_s = 0.4 * (t ? atof(t) : 5000.0) / 1e3;
    double phase = PAUSES * (pause_s + GAP_S);
    if (n < 3 || fd_test_pids(pids) != 0)
        FAIL("needs 3 ranks or more, and their pids");
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("first barrier: %s", ordo_status_name(s));
    double t0 = fd_test_now();
    if (me == 0) {
        for (int i = 0; i < PAUSES; i++) {
            if (kill(pids[1], SIGSTOP) != 0)
                FAIL("kill SIGSTOP");
            usleep((useconds_t)(pause_s * 1e6));
            if (kill(pids[1], SIGCONT) != 0)
                FAIL("kill SIGCONT");
            usleep((useconds_t)(GAP_S * 1e6));
        }
    } else if (me != 1) {
        while (fd_test_now() - t0 < phase) {
            if ((s = fd_test_call(1)) != ORDO_OK)
                FAIL("call %d to the paused rank: %s", calls, ordo_status_name(s));
            calls++;
        }
    }
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("barrier after the pauses: %s", ordo_status_name(s));
    ordo_membership_t m;
    if (ordo_progress() < 0 || ordo_membership(&m) != ORDO_OK)
        FAIL("ordo_membership");
    if (m.failed != 0 || m.out != 0 || m.epoch != 0)
        FAIL("after the pauses: %d failed, out %d, epoch %llu", m.failed, m.out,
             (unsigned long long)m.epoch);
    for (int r = 0; r < n; r++)
        if ((s = fd_test_call(r)) != ORDO_OK)
            FAIL("call to rank %d after the pauses: %s", r, ordo_status_name(s));
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("last barrier: %s", ordo_status_name(s));
    if ((s = ordo_finalize()) != ORDO_OK)
        FAIL("ordo_finalize: %s", ordo_status_name(s));
    printf("rank %d: rank 1 paused %d x %.2f s; %d calls to it meanwhile; 0 failed; finalize ok\n",
           me, PAUSES, pause_s, calls);
    return 0;
}
