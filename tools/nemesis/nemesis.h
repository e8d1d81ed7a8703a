/*
 * nemesis.h - ordo-nemesis, a fault campaign: a workload (the kv registers
 * of apps/ordo_kv, the lock and bank of apps/ordo_bank, or both one after
 * the other) runs on N ranks while a seeded schedule of faults strikes;
 * then the histories and the ranks' reports are checked.
 *
 *   schedule.c   the schedule: drawn from a seed, turned into ORDO_FAULT
 *                (plus real SIGKILLs from outside), printed, read back
 *   job.c        one workload run: the launcher, the environment, the
 *                SIGKILLs on time, the time limit, the ranks' reports
 *   checks.c     ordo-lincheck (linearizability, lost writes), the bank's
 *                invariant, hung ranks
 *   ordo_nemesis.c  options, the runs, the one-screen summary, exit status
 *
 * Only POSIX and the files the ranks write: no MPI, no libordo.
 */
#ifndef ORDO_NEMESIS_H
#define ORDO_NEMESIS_H

#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NEM_EXIT_OK        0 /* every check passed */
#define NEM_EXIT_VIOLATION 1 /* some check found a violation */
#define NEM_EXIT_USAGE     2 /* bad usage, or the job could not run */

#define NEM_RANKS_MAX 64
#define NEM_KILLS_MAX 8
#define NEM_SPEC_MAX  1024 /* ORDO_FAULT's own limit */

/* The kinds of fault a schedule draws from (--faults). */
typedef enum {
    NEM_DROP,
    NEM_DUP,
    NEM_DELAY,
    NEM_MINORITY, /* partition: one rank cut from the rest */
    NEM_MAJORITY, /* partition: random halves */
    NEM_RING,     /* partition=ring: majorities ring */
    NEM_CRASH,    /* crash=R@T (injected SIGKILL) */
    NEM_KILL,     /* a real SIGKILL from outside */
    NEM_PAUSE,
    NEM_DRIFT,
    NEM_SKEW,
    NEM_NKINDS
} nem_kind_t;

/* A real SIGKILL of rank `rank`, `at_ms` after its pid file appeared. */
typedef struct nem_kill {
    int rank;
    uint64_t at_ms;
} nem_kill_t;

typedef struct nem_schedule {
    char fault[NEM_SPEC_MAX + 1]; /* the ORDO_FAULT string ("none": nothing injected) */
    nem_kill_t kills[NEM_KILLS_MAX];
    int nkills;
    unsigned kinds;             /* bit per nem_kind_t present */
    int nfaults;                /* faults in it (kills included) */
    int crashed[NEM_RANKS_MAX]; /* ranks meant to die (crash= or a kill) */
} nem_schedule_t;

/* ---- schedule.c ---------------------------------------------------------- */

const char *nem_kind_name(int kind);
/* A comma list of kind names ("all" for every one) into bits: 0, or -1
 * with the unknown name in why. */
int nem_kinds_parse(const char *list, unsigned *kinds, char *why, size_t len);
/* Draws count faults of the kinds given (distinct kinds while there are
 * enough), each in its own slot of the duration, for np ranks. */
void nem_schedule_draw(nem_schedule_t *s, uint64_t seed, unsigned kinds, int count, int np,
                       double duration);
/* Reads back a schedule: an ORDO_FAULT string and kills (R@T, T in ms or
 * with a unit) as --schedule and --kill give them: 0, or -1 and why. */
int nem_schedule_parse(nem_schedule_t *s, const char *fault, char *const *kills, int nkills, int np,
                       char *why, size_t len);
/* The schedule, one fault per line, and the replay options. */
void nem_schedule_print(FILE *out, const nem_schedule_t *s);

/* ---- job.c --------------------------------------------------------------- */

/* One rank's report (its <app>.<rank>.report file). */
typedef struct nem_rank {
    int started; /* its pid file appeared */
    int reported;
    int hung;   /* still running at the time limit (killed then) */
    int killed; /* by a scheduled kill */
    long pid;
    uint64_t last_op_ns, end_ns;
    char status[16];
} nem_rank_t;

typedef struct nem_job {
    const char *app; /* "kv" or "bank": the name of its files */
    char dir[4096];  /* its output: hist/, reports, out.txt */
    char **argv;     /* the launcher and the workload */
    double limit;    /* seconds before the ranks still running count as hung */
    int np;
    const nem_schedule_t *schedule;
    /* results */
    int launched, exit_status; /* of the launcher */
    double seconds;            /* wall time of the run */
    nem_rank_t ranks[NEM_RANKS_MAX];
    int kills_done;
} nem_job_t;

/* Runs the job (its environment set by the caller, ORDO_FAULT and
 * ORDO_HISTORY by this): 0, or -1 if it could not start (printed). */
int nem_job_run(nem_job_t *job);
/* Reads the ranks' pid and report files of a finished run. */
void nem_job_reports(nem_job_t *job);

/* ---- checks.c ------------------------------------------------------------ */

typedef enum { NEM_PASS, NEM_FAIL, NEM_UNKNOWN, NEM_SKIPPED } nem_verdict_t;

typedef struct nem_checks {
    size_t ops, ok, fail, info; /* history operations (invokes and their outcomes) */
    nem_verdict_t lin, lost, bank, kv, hung;
    long lost_writes;
    int nhung, ndied; /* hung survivors; ranks dead that no fault meant to kill */
    double idle_s;    /* the longest a reporting rank went from its last operation to its end */
    char lin_why[512], bank_why[512], kv_why[512], mutex_why[256];
} nem_checks_t;

/* Checks a finished job's directory (lincheck at lincheck, with a time
 * limit in seconds), adding to *c. */
void nem_checks_run(nem_checks_t *c, const nem_job_t *job, const char *lincheck, double time_limit);
const char *nem_verdict_name(nem_verdict_t v);

#endif
