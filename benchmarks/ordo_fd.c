/*
 * ordo_fd.c - the failure detector, measured.  One trial per job; the
 * driver benchmarks/fd-detect.sh runs many and reports percentiles.
 *
 *   --crash kill|stop   the last rank writes CLOCK_REALTIME (shared by the
 *                       ranks of one node) to every survivor, then raises
 *                       SIGKILL (the transport usually reports it first) or
 *                       SIGSTOP (only the detector can see it).  Each
 *                       survivor prints the delay from that instant to its
 *                       view's failure callback: "detect RANK MS".  Rank 0
 *                       kills a stopped victim at the end.
 *   --false-positives S every rank computes for S seconds without calling
 *                       ordo; each prints the failures its view holds
 *                       afterwards and whether it is out: "fp RANK FAILED OUT".
 *   --partition MS      ORDO_FAULT (set by the driver) cuts the last rank
 *                       off from the others MS ms after ordo_init returns
 *                       (partition=0-N|L@MSms-); every rank prints the delay
 *                       from that instant (its own CLOCK_REALTIME at the end
 *                       of ordo_init + MS) to its view's failure callback for
 *                       a rank across: "detect RANK MS STATUS", both sides.
 *
 * Output: OSU-style comment lines naming the settings (ORDO_FD_*), then the
 * rows above.  Public API and MPI only.
 */
#include <mpi.h>
#include <ordo.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ID_STAMP 1
#define ID_ECHO  2

static volatile double kill_stamp; /* the victim's CLOCK_REALTIME, seconds */
static volatile double seen_stamp; /* when this rank's view learnt of it */
static int victim = -1;

static double init_end; /* CLOCK_REALTIME when ordo_init returned */

static double realtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int on_stamp(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    double t;
    if (msg->len == sizeof(t)) {
        memcpy(&t, msg->data, sizeof(t));
        kill_stamp = t;
    }
    return ORDO_OK;
}

static int on_echo(const ordo_rpc_msg_t *msg, void *arg)
{
    (void)arg;
    return ordo_rpc_reply(msg, msg->data, msg->len);
}

static void on_failure(int rank, uint64_t epoch, void *arg)
{
    (void)epoch;
    (void)arg;
    if (rank == victim && seen_stamp == 0)
        seen_stamp = realtime();
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: ordo_fd --crash kill|stop | --false-positives SECONDS | --partition MS\n"
               "  (benchmarks/fd-detect.sh runs the trials and reports percentiles)\n");
}

static void header(const char *mode)
{
    const char *p = getenv("ORDO_FD_PERIOD_MS"), *t = getenv("ORDO_FD_TIMEOUT_MS");
    const char *fd = getenv("ORDO_FD"), *ind = getenv("ORDO_FD_INDIRECT");
    printf("# OSU-style ordo Failure Detector Test v%s\n", ordo_version());
    printf("# mode: %s; %d ranks\n", mode, ordo_size());
    printf("# ORDO_FD=%s ORDO_FD_PERIOD_MS=%s ORDO_FD_TIMEOUT_MS=%s ORDO_FD_INDIRECT=%s\n",
           fd ? fd : "y (default)", p ? p : "500 (default)", t ? t : "5000 (default)",
           ind ? ind : "2 (default)");
    fflush(stdout);
}

static int crash(int stop)
{
    int me = ordo_rank(), n = ordo_size(), mypid = getpid(), pids[1024];
    char b[8] = "x", rep[8];
    victim = n - 1;
    if (n < 3 || n > 1024) {
        fprintf(stderr, "ordo_fd --crash: needs 3 to 1024 ranks\n");
        return 1;
    }
    MPI_Allgather(&mypid, 1, MPI_INT, pids, 1, MPI_INT, MPI_COMM_WORLD);
    if (me == 0)
        header(stop ? "crash, SIGSTOP" : "crash, SIGKILL");
    if (ordo_barrier() != ORDO_OK)
        return 1;
    if (me == victim) {
        double t = realtime();
        for (int r = 0; r < victim; r++)
            ordo_rpc_send(r, ID_STAMP, &t, sizeof(t));
        raise(stop ? SIGSTOP : SIGKILL);
        for (;;)
            pause();
    }
    int s;
    do
        s = ordo_rpc_call(victim, ID_ECHO, b, 1, rep, sizeof(rep), NULL);
    while (s == ORDO_OK);
    while (kill_stamp == 0 || seen_stamp == 0)
        if (ordo_progress() < 0)
            return 1;
    printf("detect %d %.1f %s\n", me, (seen_stamp - kill_stamp) * 1e3, ordo_status_name(s));
    fflush(stdout);
    ordo_failure_ack(NULL);
    if (ordo_barrier() != ORDO_OK)
        return 1;
    if (me == 0 && stop)
        kill(pids[victim], SIGKILL);
    return ordo_finalize() == ORDO_OK ? 0 : 1;
}

static int false_positives(double seconds)
{
    volatile uint64_t x = 1;
    if (ordo_rank() == 0) {
        header("false positives");
        printf("# every rank computes %.0f s without calling ordo\n", seconds);
        fflush(stdout);
    }
    if (ordo_barrier() != ORDO_OK)
        return 1;
    double end = MPI_Wtime() + seconds;
    while (MPI_Wtime() < end)
        for (int i = 0; i < 100000; i++)
            x = x * 6364136223846793005ull + 1;
    ordo_membership_t m;
    ordo_progress();
    ordo_membership(&m);
    printf("fp %d %d %d\n", ordo_rank(), m.failed, m.out);
    fflush(stdout);
    ordo_failure_ack(NULL);
    ordo_barrier();
    return ordo_finalize() == ORDO_OK ? 0 : 1;
}

static int partition(double cut_ms)
{
    int me = ordo_rank(), n = ordo_size();
    char b[8] = "x", rep[8];
    if (n < 2) {
        fprintf(stderr, "ordo_fd --partition: needs 2 ranks or more\n");
        return 1;
    }
    victim = me == n - 1 ? 0 : n - 1; /* a rank across the cut */
    kill_stamp = init_end + cut_ms / 1e3;
    if (me == 0) {
        const char *f = getenv("ORDO_FAULT");
        header("partition (ORDO_FAULT)");
        printf("# ORDO_FAULT=%s; the cut at %.0f ms after ordo_init\n", f ? f : "(unset)", cut_ms);
        fflush(stdout);
    }
    int s;
    do
        s = ordo_rpc_call(victim, ID_ECHO, b, 1, rep, sizeof(rep), NULL);
    while (s == ORDO_OK);
    while (seen_stamp == 0)
        if (ordo_progress() < 0)
            return 1;
    printf("detect %d %.1f %s\n", me, (seen_stamp - kill_stamp) * 1e3, ordo_status_name(s));
    fflush(stdout);
    ordo_failure_ack(NULL);
    if (ordo_barrier() != ORDO_OK) /* each side on its own */
        return 1;
    return ordo_finalize() == ORDO_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    int mode = 0, stop = 0;
    double seconds = 0;
    if (argc == 3 && !strcmp(argv[1], "--crash") &&
        (!strcmp(argv[2], "kill") || !strcmp(argv[2], "stop"))) {
        mode = 1;
        stop = !strcmp(argv[2], "stop");
    } else if (argc == 3 && !strcmp(argv[1], "--false-positives") && atof(argv[2]) > 0) {
        mode = 2;
        seconds = atof(argv[2]);
    } else if (argc == 3 && !strcmp(argv[1], "--partition") && atof(argv[2]) > 0) {
        mode = 3;
        seconds = atof(argv[2]);
    } else {
        usage(argc == 2 && !strcmp(argv[1], "-h") ? stdout : stderr);
        return argc == 2 && !strcmp(argv[1], "-h") ? 0 : 2;
    }
    if (ordo_init(&argc, &argv) != ORDO_OK)
        return 1;
    init_end = realtime();
    if (ordo_rpc_register(ID_STAMP, on_stamp, NULL) != ORDO_OK ||
        ordo_rpc_register(ID_ECHO, on_echo, NULL) != ORDO_OK ||
        ordo_failure_cb_register(on_failure, NULL) != ORDO_OK)
        return 1;
    int rc = 0;
    switch (mode) {
    case 1:
        rc = crash(stop);
        break;
    case 2:
        rc = false_positives(seconds);
        break;
    default:
        rc = partition(seconds);
    }
    return rc;
}
