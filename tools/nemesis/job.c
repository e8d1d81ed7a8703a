/*
 * job.c - one run of a workload: the launcher (mpirun --enable-recovery, or
 * srun under Slurm) in a process group of its own with ORDO_FAULT and
 * ORDO_HISTORY set, the scheduled SIGKILLs sent to the ranks' pids (from
 * their pid files) on time, and the time limit: ranks still running then
 * are counted as hung and the whole group is killed. Then the ranks' report
 * files are read.
 */
#include "tools/nemesis/nemesis.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* DIR/<app>.<rank>.<ext> */
static void rank_file(char *buf, size_t len, const nem_job_t *job, int rank, const char *ext)
{
    snprintf(buf, len, "%s/%s.%d.%s", job->dir, job->app, rank, ext);
}

static long read_pid(const nem_job_t *job, int rank)
{
    char path[4200];
    long pid = 0;
    rank_file(path, sizeof(path), job, rank, "pid");
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid;
}

static int alive(long pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Scheduled kills: rank R's at_ms after its pid file appeared. */
static void kills_due(nem_job_t *job, const double *seen)
{
    const nem_schedule_t *s = job->schedule;
    for (int i = job->kills_done; i < s->nkills; i++) {
        const nem_kill_t *k = &s->kills[i];
        nem_rank_t *r = &job->ranks[k->rank];
        if (seen[k->rank] == 0 || r->killed || now_s() < seen[k->rank] + (double)k->at_ms / 1e3)
            continue;
        if (r->pid > 0 && kill((pid_t)r->pid, SIGKILL) == 0) {
            printf("nemesis: SIGKILL rank %d (pid %ld) at %.2f s\n", k->rank, r->pid,
                   now_s() - seen[k->rank]);
            fflush(stdout);
        }
        r->killed = 1;
    }
}

/* The launcher with stdout and stderr to DIR/out.txt, in its own group. */
static pid_t launch(nem_job_t *job)
{
    char out[4200];
    snprintf(out, sizeof(out), "%s/out.txt", job->dir);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
        _exit(127);
    setpgid(0, 0);
    execvp(job->argv[0], job->argv);
    fprintf(stderr, "ordo-nemesis: cannot run %s: %s\n", job->argv[0], strerror(errno));
    _exit(127);
}

/* At the limit: every rank started and not reported is hung; kill them
 * and the launcher's group. */
static void time_limit(nem_job_t *job, pid_t pid)
{
    char path[4200];
    for (int r = 0; r < job->np; r++) {
        nem_rank_t *rk = &job->ranks[r];
        rank_file(path, sizeof(path), job, r, "report");
        if (access(path, F_OK) == 0 || !alive(rk->pid))
            continue;
        rk->hung = 1;
        kill((pid_t)rk->pid, SIGKILL);
    }
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

int nem_job_run(nem_job_t *job)
{
    char hist[4200];
    double seen[NEM_RANKS_MAX] = {0};
    int status = 0;

    snprintf(hist, sizeof(hist), "%s/hist", job->dir);
    if ((mkdir(job->dir, 0755) && errno != EEXIST) || (mkdir(hist, 0755) && errno != EEXIST)) {
        fprintf(stderr, "ordo-nemesis: cannot make %s: %s\n", hist, strerror(errno));
        return -1;
    }
    setenv("ORDO_HISTORY", hist, 1);
    setenv("ORDO_FAULT", job->schedule->fault, 1);
    double t0 = now_s();
    pid_t pid = launch(job);
    if (pid < 0) {
        fprintf(stderr, "ordo-nemesis: fork: %s\n", strerror(errno));
        return -1;
    }
    job->launched = 1;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        for (int r = 0; r < job->np; r++)
            if (seen[r] == 0 && (job->ranks[r].pid = read_pid(job, r)) > 0) {
                seen[r] = now_s();
                job->ranks[r].started = 1;
            }
        kills_due(job, seen);
        if (now_s() - t0 > job->limit) {
            time_limit(job, pid);
            waitpid(pid, &status, 0);
            break;
        }
        sleep_ms(20);
    }
    job->seconds = now_s() - t0;
    job->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    nem_job_reports(job);
    return 0;
}

/* key=value lines of a rank's report. */
static void read_report(nem_rank_t *r, FILE *f)
{
    char line[256], key[64], val[128];
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%63[^=]=%127s", key, val) != 2)
            continue;
        if (!strcmp(key, "last_op_ns"))
            r->last_op_ns = strtoull(val, NULL, 10);
        else if (!strcmp(key, "end_ns"))
            r->end_ns = strtoull(val, NULL, 10);
        else if (!strcmp(key, "status"))
            snprintf(r->status, sizeof(r->status), "%.15s", val);
    }
}

void nem_job_reports(nem_job_t *job)
{
    char path[4200];
    for (int i = 0; i < job->np; i++) {
        nem_rank_t *r = &job->ranks[i];
        if (!r->pid)
            r->pid = read_pid(job, i);
        r->started |= r->pid > 0;
        rank_file(path, sizeof(path), job, i, "report");
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        r->reported = 1;
        read_report(r, f);
        fclose(f);
    }
}
