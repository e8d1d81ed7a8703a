/*
 * test_fd_partition.c DIR - run by tests/jobs/netns_partition.sh on ranks
 * spread over two network-namespace hosts.  After a barrier and calls
 * between every pair, rank 0 creates DIR/ready; the script then cuts one
 * host off the data network and writes the time of the cut (CLOCK_REALTIME,
 * seconds) to DIR/cut.  Every rank keeps calling the ranks of the other
 * host until each call ends with ORDO_ERR_PEER_FAILED (never a timeout, and
 * within ORDO_FD_TIMEOUT_MS of the cut: checked by the script from the
 * printed delay), checks its view (the other side failed, not itself),
 * calls the ranks of its own host, acknowledges, runs a barrier over its
 * side, and finalizes.  One "rank" line each.
 */
#include "fd_test.h"

#include <string.h>

#define HOST_LEN 64

static double realtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double read_cut(const char *dir)
{
    char path[512];
    double t = 0;
    snprintf(path, sizeof(path), "%s/cut", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%lf", &t) != 1)
        t = 0;
    fclose(f);
    return t;
}

int main(int argc, char **argv)
{
    char hosts[FD_TEST_MAX_RANKS][HOST_LEN], me_host[HOST_LEN] = {0}, path[512];
    if (fd_test_init(&argc, &argv) != 0)
        return 1;
    int me = ordo_rank(), n = ordo_size(), s, others = 0, failed_seen = 0;
    const char *dir = argc > 1 ? argv[1] : NULL;
    if (!dir || n > FD_TEST_MAX_RANKS)
        FAIL("usage: test_fd_partition DIR (at most %d ranks)", FD_TEST_MAX_RANKS);
    gethostname(me_host, sizeof(me_host) - 1);
    if (MPI_Allgather(me_host, HOST_LEN, MPI_CHAR, hosts, HOST_LEN, MPI_CHAR, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        FAIL("MPI_Allgather of the host names");
    for (int r = 0; r < n; r++)
        others += strcmp(hosts[r], me_host) != 0;
    if (!others || others == n - 1)
        FAIL("needs at least two ranks on each of two hosts");
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("first barrier: %s", ordo_status_name(s));
    for (int r = 0; r < n; r++)
        if ((s = fd_test_call(r)) != ORDO_OK)
            FAIL("call to %d before the cut: %s", r, ordo_status_name(s));
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("second barrier: %s", ordo_status_name(s));
    if (me == 0) {
        snprintf(path, sizeof(path), "%s/ready", dir);
        FILE *f = fopen(path, "w");
        if (!f)
            FAIL("cannot create %s", path);
        fclose(f);
    }

    /* Call across until every rank over there has failed. */
    char failed_at[FD_TEST_MAX_RANKS] = {0};
    double start = fd_test_now(), last = 0;
    while (failed_seen < others) {
        if (fd_test_now() - start > 90)
            FAIL("the other host's ranks were not all declared failed within 90 s");
        for (int r = 0; r < n; r++) {
            if (!strcmp(hosts[r], me_host) || failed_at[r])
                continue;
            s = fd_test_call(r);
            if (s == ORDO_OK)
                continue;
            if (s != ORDO_ERR_PEER_FAILED)
                FAIL("call across to %d: %s", r, ordo_status_name(s));
            failed_at[r] = 1;
            failed_seen++;
            last = realtime();
        }
    }
    double cut = read_cut(dir);
    if (cut == 0)
        FAIL("the other side failed but no cut was recorded in %s/cut", dir);

    ordo_membership_t m;
    if (ordo_progress() < 0 || ordo_membership(&m) != ORDO_OK)
        FAIL("ordo_membership");
    if (m.failed != others || m.out || m.live != n - others)
        FAIL("view: %d failed, %d live, out %d; expected %d, %d, 0", m.failed, m.live, m.out,
             others, n - others);
    for (int round = 0; round < 10; round++)
        for (int r = 0; r < n; r++)
            if (!strcmp(hosts[r], me_host) && (s = fd_test_call(r)) != ORDO_OK)
                FAIL("call within the host to %d: %s", r, ordo_status_name(s));
    if (ordo_failure_ack(NULL) != ORDO_OK)
        FAIL("ordo_failure_ack");
    if ((s = ordo_barrier()) != ORDO_OK)
        FAIL("barrier within the host: %s", ordo_status_name(s));
    if ((s = ordo_finalize()) != ORDO_OK)
        FAIL("ordo_finalize: %s", ordo_status_name(s));
    printf("rank %d on %s: the other host's %d ranks failed %.3f s after the cut; own host ok; "
           "finalize ok\n",
           me, me_host, others, last - cut);
    return 0;
}
