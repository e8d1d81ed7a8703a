/*
 * ordo-nemesis - a fault campaign of one seed: draw (or replay) a
 * schedule, run the workload under it, check the histories and the ranks'
 * reports, print a one-screen summary. Exit 0 every check passed, 1 a
 * violation, 2 bad usage or the job could not run. README "ordo-nemesis".
 */
#include "tools/nemesis/nemesis.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ARGS_MAX 128

typedef struct options {
    const char *workload, *out, *launcher, *app_args, *schedule, *faults, *bin, *check;
    char *kills[NEM_KILLS_MAX];
    int nkills, np, count, dry_run;
    uint64_t seed;
    double duration, grace, lin_limit;
} options_t;

static const char *const env_defaults[][2] = {
    {"ORDO_FD_PERIOD_MS", "100"}, {"ORDO_FD_TIMEOUT_MS", "1000"},    {"ORDO_TIMEOUT_MS", "3000"},
    {"ORDO_RETRY_MS", "20"},      {"ORDO_CLOCK_DRIFT_PPM", "60000"}, {"ORDO_WAIT", "yield"},
};
#define NENV (sizeof(env_defaults) / sizeof(env_defaults[0]))

static void usage(FILE *f)
{
    fputs("usage: ordo-nemesis [-w kv|bank|both] [-n NP] [-d SECONDS] [-s SEED] [-f KINDS]\n"
          "                    [-c COUNT] [-o DIR] [--schedule 'ORDO_FAULT' [--kill R@T]...]\n"
          "                    [--launcher CMD] [--grace S] [--app-args ARGS] [--bin DIR]\n"
          "                    [--lincheck-limit S] [--dry-run] | --check DIR\n"
          "  -w, --workload   kv (apps/ordo_kv), bank (apps/ordo_bank -m lock), both (kv\n"
          "                   then bank, each under the same schedule); both\n"
          "  -n, --np         ranks, 3 .. 64; 5\n"
          "  -d, --duration   seconds of load per workload; 10\n"
          "  -s, --seed       the schedule's seed (and the workload's); 1\n"
          "  -f, --faults     kinds to draw from, a comma list: drop, dup, delay, minority,\n"
          "                   majority, ring, crash, kill, pause, drift, skew, or all; all\n"
          "  -c, --count      faults per schedule, each in its own slot of the run; 4\n"
          "  -o, --out        output directory; nemesis.SEED\n"
          "  --schedule S     replay: S is the ORDO_FAULT string a run printed\n"
          "  --kill R@T       replay: a real SIGKILL of rank R, T (2s, 1500ms) after it started\n"
          "  --launcher CMD   the launcher; mpirun --allow-run-as-root --oversubscribe\n"
          "                   --enable-recovery (ranks as -np N, variables by -x); a launcher\n"
          "                   named srun gets -n N and passes the environment\n"
          "  --grace S        seconds after the load before running ranks count as hung; 30\n"
          "  --app-args ARGS  more arguments for the workload (split at spaces)\n"
          "  --bin DIR        the build directory (apps/, tools/lincheck/); from argv[0]\n"
          "  --lincheck-limit S  ordo-lincheck's time limit; 300\n"
          "  --dry-run        print the schedule and the replay command, run nothing\n"
          "  --check DIR      check the output of an earlier run again, run nothing\n"
          "Exit status: 0 every check passed, 1 a violation, 2 bad usage or no job.\n",
          f);
}

static int bad(const char *what, const char *arg)
{
    fprintf(stderr, "ordo-nemesis: %s '%s'\n", what, arg);
    usage(stderr);
    return NEM_EXIT_USAGE;
}

static int number(const char *arg, double lo, double hi, double *v)
{
    char *end;
    *v = strtod(arg, &end);
    return end != arg && !*end && *v >= lo && *v <= hi ? 0 : -1;
}

static int parse(int argc, char **argv, options_t *o)
{
    static const struct option lo[] = {{"workload", 1, 0, 'w'},
                                       {"np", 1, 0, 'n'},
                                       {"duration", 1, 0, 'd'},
                                       {"seed", 1, 0, 's'},
                                       {"faults", 1, 0, 'f'},
                                       {"count", 1, 0, 'c'},
                                       {"out", 1, 0, 'o'},
                                       {"schedule", 1, 0, 'S'},
                                       {"kill", 1, 0, 'K'},
                                       {"launcher", 1, 0, 'L'},
                                       {"mpirun", 1, 0, 'L'},
                                       {"grace", 1, 0, 'G'},
                                       {"app-args", 1, 0, 'A'},
                                       {"bin", 1, 0, 'B'},
                                       {"lincheck-limit", 1, 0, 'T'},
                                       {"dry-run", 0, 0, 'D'},
                                       {"check", 1, 0, 'C'},
                                       {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
    double v;
    int c;
    while ((c = getopt_long(argc, argv, "w:n:d:s:f:c:o:h", lo, NULL)) != -1) {
        switch (c) {
        case 'w':
            if (strcmp(optarg, "kv") && strcmp(optarg, "bank") && strcmp(optarg, "both"))
                return bad("--workload: expected kv, bank or both, found", optarg);
            o->workload = optarg;
            break;
        case 'n':
            if (number(optarg, 3, NEM_RANKS_MAX, &v) || v != (int)v)
                return bad("--np: expected an integer from 3 to 64, found", optarg);
            o->np = (int)v;
            break;
        case 'd':
            if (number(optarg, 1, 3600, &v))
                return bad("--duration: expected seconds from 1 to 3600, found", optarg);
            o->duration = v;
            break;
        case 's':
            if (number(optarg, 0, 1e15, &v) || v != (double)(uint64_t)v)
                return bad("--seed: expected an integer from 0 to 10^15, found", optarg);
            o->seed = (uint64_t)v;
            break;
        case 'c':
            if (number(optarg, 0, 16, &v) || v != (int)v)
                return bad("--count: expected an integer from 0 to 16, found", optarg);
            o->count = (int)v;
            break;
        case 'G':
        case 'T':
            if (number(optarg, 1, 86400, &v))
                return bad(c == 'G' ? "--grace: expected seconds from 1, found"
                                    : "--lincheck-limit: expected seconds from 1, found",
                           optarg);
            *(c == 'G' ? &o->grace : &o->lin_limit) = v;
            break;
        case 'K':
            if (o->nkills == NEM_KILLS_MAX)
                return bad("--kill: at most 8, one too many:", optarg);
            o->kills[o->nkills++] = optarg;
            break;
        case 'f':
            o->faults = optarg;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'S':
            o->schedule = optarg;
            break;
        case 'L':
            o->launcher = optarg;
            break;
        case 'A':
            o->app_args = optarg;
            break;
        case 'B':
            o->bin = optarg;
            break;
        case 'D':
            o->dry_run = 1;
            break;
        case 'C':
            o->check = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return NEM_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return bad("unexpected argument", argv[optind]);
    if (o->nkills && !o->schedule)
        return bad("--kill replays a schedule: give --schedule too (or 'none'), with", o->kills[0]);
    return 0;
}

/* Splits s at spaces into argv[*n...]. */
static void split(char *s, char **argv, int *n)
{
    for (char *t = strtok(s, " "); t && *n < ARGS_MAX - 8; t = strtok(NULL, " "))
        argv[(*n)++] = t;
}

/* The launcher and the workload's command line, for app. */
static char **command(const options_t *o, const char *app, const char *dir, char *buf, size_t len)
{
    static char *argv[ARGS_MAX];
    static char num[4][64], path[4200];
    int n = 0;
    snprintf(buf, len, "%s", o->launcher);
    split(buf, argv, &n);
    int srun = !strcmp(basename(argv[0]), "srun");
    snprintf(num[0], sizeof(num[0]), "%d", o->np);
    argv[n++] = srun ? "-n" : "-np";
    argv[n++] = num[0];
    for (size_t i = 0; !srun && i < NENV + 2; i++) {
        static const char *const extra[] = {"ORDO_FAULT", "ORDO_HISTORY"};
        argv[n++] = "-x";
        argv[n++] = (char *)(i < NENV ? env_defaults[i][0] : extra[i - NENV]);
    }
    snprintf(path, sizeof(path), "%s/apps/ordo_%s", o->bin, app);
    argv[n++] = path;
    snprintf(num[1], sizeof(num[1]), "%g", o->duration);
    snprintf(num[2], sizeof(num[2]), "%" PRIu64, o->seed);
    if (!strcmp(app, "bank")) {
        argv[n++] = "-m";
        argv[n++] = "lock";
    }
    argv[n++] = "-d";
    argv[n++] = num[1];
    argv[n++] = "-s";
    argv[n++] = num[2];
    argv[n++] = strcmp(app, "bank") ? "-o" : "--report";
    argv[n++] = (char *)dir;
    if (strcmp(app, "bank"))
        argv[n++] = "-q"; /* no per-second progress lines */
    if (o->app_args) {
        char *extra = strdup(o->app_args);
        split(extra, argv, &n);
    }
    argv[n] = NULL;
    return argv;
}

static void print_replay(const options_t *o, const nem_schedule_t *s)
{
    printf("replay: ordo-nemesis -w %s -n %d -d %g -s %" PRIu64 " --schedule '%s'", o->workload,
           o->np, o->duration, o->seed, s->fault);
    for (int i = 0; i < s->nkills; i++)
        printf(" --kill %d@%" PRIu64 "ms", s->kills[i].rank, s->kills[i].at_ms);
    printf("\n");
}

/* DIR/schedule: what --check needs to check a run again. */
static void save_schedule(const options_t *o, const nem_schedule_t *s)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/schedule", o->out);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "np=%d\nworkload=%s\nduration=%g\nseed=%" PRIu64 "\nfault=%s\n", o->np, o->workload,
            o->duration, o->seed, s->fault);
    for (int i = 0; i < s->nkills; i++)
        fprintf(f, "kill=%d@%" PRIu64 "ms\n", s->kills[i].rank, s->kills[i].at_ms);
    fclose(f);
}

static int load_schedule(options_t *o, nem_schedule_t *s)
{
    static char workload[16], fault[NEM_SPEC_MAX + 2], kills[NEM_KILLS_MAX][64];
    char path[4200], line[NEM_SPEC_MAX + 64], why[512];
    snprintf(path, sizeof(path), "%s/schedule", o->check);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "ordo-nemesis: --check: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        char *v = strchr(line, '=');
        if (!v)
            continue;
        *v++ = '\0';
        if (!strcmp(line, "np"))
            o->np = atoi(v);
        else if (!strcmp(line, "workload"))
            o->workload = strcpy(workload, strcmp(v, "kv") && strcmp(v, "bank") ? "both" : v);
        else if (!strcmp(line, "duration"))
            o->duration = atof(v);
        else if (!strcmp(line, "seed"))
            o->seed = strtoull(v, NULL, 10);
        else if (!strcmp(line, "fault"))
            snprintf(fault, sizeof(fault), "%.1024s", v);
        else if (!strcmp(line, "kill") && o->nkills < NEM_KILLS_MAX) {
            snprintf(kills[o->nkills], sizeof(kills[0]), "%.60s", v);
            o->kills[o->nkills] = kills[o->nkills];
            o->nkills++;
        }
    }
    fclose(f);
    o->out = o->check;
    if (o->np < 3 || o->np > NEM_RANKS_MAX ||
        nem_schedule_parse(s, fault, o->kills, o->nkills, o->np, why, sizeof(why))) {
        fprintf(stderr, "ordo-nemesis: --check: %s is not a schedule ordo-nemesis wrote\n", path);
        return -1;
    }
    return 0;
}

static void summary(const options_t *o, const nem_schedule_t *s, const nem_checks_t *c, double secs,
                    int verdict)
{
    printf("\n==== ordo-nemesis: seed %" PRIu64 ", workload %s, %d ranks, %g s ====\n", o->seed,
           o->workload, o->np, o->duration);
    nem_schedule_print(stdout, s);
    printf("operations:  %zu (ok %zu, fail %zu, info %zu), %.0f ops/s under faults\n", c->ops,
           c->ok, c->fail, c->info, secs > 0 ? (double)c->ops / secs : 0.0);
    printf("lincheck:    %-8s %s\n", nem_verdict_name(c->lin), c->lin_why);
    printf("lost writes: %-8s %ld\n", nem_verdict_name(c->lost), c->lost_writes);
    if (c->mutex_why[0])
        printf("locks:       (as mutexes, for information: leases end without releases) %s\n",
               c->mutex_why);
    if (c->kv != NEM_SKIPPED)
        printf("kv:          %-8s %s\n", nem_verdict_name(c->kv), c->kv_why);
    if (c->bank != NEM_SKIPPED)
        printf("bank:        %-8s %s\n", nem_verdict_name(c->bank), c->bank_why);
    printf("hung:        %-8s %d hung, %d died unscheduled; at most %.1f s from a rank's last "
           "operation to its end\n",
           nem_verdict_name(c->hung), c->nhung, c->ndied, c->idle_s);
    printf("verdict:     %s\n", verdict == NEM_EXIT_OK          ? "PASS"
                                : verdict == NEM_EXIT_VIOLATION ? "FAIL (a violation)"
                                                                : "NO RUN");
    printf("nemesis: seed=%" PRIu64 " workload=%s faults=%d kinds=", o->seed, o->workload,
           s->nfaults);
    const char *sep = "";
    for (int k = 0; k < NEM_NKINDS; k++)
        if (s->kinds >> k & 1) {
            printf("%s%s", sep, nem_kind_name(k));
            sep = "+";
        }
    printf("%s ops=%zu ok=%zu fail=%zu info=%zu secs=%.1f ops_s=%.0f lincheck=%s lost=%ld "
           "kv=%s bank=%s hung=%d verdict=%s\n",
           *sep ? "" : "none", c->ops, c->ok, c->fail, c->info, secs,
           secs > 0 ? (double)c->ops / secs : 0.0, nem_verdict_name(c->lin), c->lost_writes,
           nem_verdict_name(c->kv), nem_verdict_name(c->bank), c->nhung + c->ndied,
           verdict == NEM_EXIT_OK          ? "PASS"
           : verdict == NEM_EXIT_VIOLATION ? "FAIL"
                                           : "NORUN");
}

/* Runs (or with --check, only reads) one workload and checks it. */
static int one(const options_t *o, const nem_schedule_t *s, const char *app, nem_checks_t *c,
               double *secs)
{
    static char buf[8192];
    char lincheck[4200];
    nem_job_t job = {.app = app, .np = o->np, .schedule = s};
    job.limit = o->duration + o->grace;
    snprintf(job.dir, sizeof(job.dir), "%s/%s", o->out, app);
    snprintf(lincheck, sizeof(lincheck), "%s/tools/lincheck/ordo-lincheck", o->bin);
    if (o->check) {
        nem_job_reports(&job);
        *secs += o->duration;
    } else {
        job.argv = command(o, app, job.dir, buf, sizeof(buf));
        printf("nemesis: running %s:", app);
        for (char **a = job.argv; *a; a++)
            printf(" %s", *a);
        printf("\n");
        fflush(stdout);
        if (nem_job_run(&job))
            return -1;
        /* the load's time, not the start-up's nor the final reads' */
        *secs += o->duration;
        int started = 0;
        for (int r = 0; r < o->np; r++)
            started += job.ranks[r].started;
        if (!started) {
            fprintf(stderr,
                    "ordo-nemesis: no rank of %s started (launcher exit %d); see %s/out.txt\n", app,
                    job.exit_status, job.dir);
            return -1;
        }
    }
    nem_checks_run(c, &job, lincheck, o->lin_limit);
    return 0;
}

/* The build directory from argv[0] (BUILD/tools/nemesis/ordo-nemesis). */
static const char *bin_dir(const char *argv0)
{
    static char dir[PATH_MAX];
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", argv0);
    snprintf(dir, sizeof(dir), "%s/../..", dirname(tmp));
    return dir;
}

int main(int argc, char **argv)
{
    options_t o = {.workload = "both",
                   .np = 5,
                   .duration = 10,
                   .seed = 1,
                   .count = 4,
                   .faults = "all",
                   .grace = 30,
                   .lin_limit = 300,
                   .launcher = "mpirun --allow-run-as-root --oversubscribe --enable-recovery"};
    nem_schedule_t s;
    nem_checks_t c = {.lin = NEM_SKIPPED,
                      .lost = NEM_SKIPPED,
                      .bank = NEM_SKIPPED,
                      .kv = NEM_SKIPPED,
                      .hung = NEM_SKIPPED};
    char why[512], outbuf[64];
    unsigned kinds;
    double secs = 0;
    int st = parse(argc, argv, &o);

    if (st)
        return st;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!o.bin)
        o.bin = bin_dir(argv[0]);
    if (o.check) {
        if (load_schedule(&o, &s))
            return NEM_EXIT_USAGE;
    } else if (o.schedule) {
        if (nem_schedule_parse(&s, o.schedule, o.kills, o.nkills, o.np, why, sizeof(why)))
            return bad(why, o.schedule);
    } else {
        if (nem_kinds_parse(o.faults, &kinds, why, sizeof(why)))
            return bad(why, o.faults);
        nem_schedule_draw(&s, o.seed, kinds, o.count, o.np, o.duration);
    }
    if (!o.out) {
        snprintf(outbuf, sizeof(outbuf), "nemesis.%" PRIu64, o.seed);
        o.out = outbuf;
    }
    nem_schedule_print(stdout, &s);
    print_replay(&o, &s);
    if (o.dry_run)
        return NEM_EXIT_OK;
    if (!o.check) {
        if (mkdir(o.out, 0755) && errno != EEXIST) {
            fprintf(stderr, "ordo-nemesis: cannot make %s: %s\n", o.out, strerror(errno));
            return NEM_EXIT_USAGE;
        }
        save_schedule(&o, &s);
        for (size_t i = 0; i < NENV; i++)
            setenv(env_defaults[i][0], env_defaults[i][1], 0);
    }
    int both = !strcmp(o.workload, "both");
    if ((both || !strcmp(o.workload, "kv")) && one(&o, &s, "kv", &c, &secs))
        st = NEM_EXIT_USAGE;
    if (!st && (both || !strcmp(o.workload, "bank")) && one(&o, &s, "bank", &c, &secs))
        st = NEM_EXIT_USAGE;
    if (!st)
        /* A workload without a summary (every rank declared out: nobody left
         * to verify) is unknown, shown, not a violation; an unreadable
         * history is. */
        st = c.lin == NEM_FAIL || c.lost == NEM_FAIL || c.bank == NEM_FAIL || c.hung == NEM_FAIL ||
                     c.kv == NEM_FAIL || c.lost == NEM_UNKNOWN
                 ? NEM_EXIT_VIOLATION
                 : NEM_EXIT_OK;
    summary(&o, &s, &c, secs, st);
    return st;
}
