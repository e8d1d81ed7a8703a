/*
 * ordo_stale - stale reads of a degraded quorum read under partitions,
 * against P(stale) = pi * (1 - (1 - exp(-w D)) / (w D)) (stale_print.c
 * derives it, with the policy's own correction).
 *
 * N ranks (3 or more), one register set of KEYS keys, R = N, W = Q = N/2 + 1,
 * ORDO_QREG_DEGRADED_READ.  Rank 0, the reader, is cut off alone (a
 * minority: its own replica only) from ranks 1..N-1 (a majority) for D ms
 * once every period, by the ORDO_FAULT partition windows this program
 * sets before ordo_init; D must stay below ORDO_FD_TIMEOUT_MS, so no rank
 * is declared failed and the cut holds messages without losing them.
 * Rank 1, the writer, writes each key its numbers 1, 2, ... at Poisson
 * times (rate w per key, one write per key in flight); rank 0 reads a
 * random key at Poisson times (non-blocking: a read that waits
 * ORDO_QREG_DEGRADE_MS does not delay the next).  Both log CLOCK_REALTIME
 * ns, key, value, flags; one host, one clock.  The run is one phase per
 * write rate, CUTS cuts each; at the end rank 0 gathers the writer's log
 * and prints a CSV line per phase (stale_print.c).
 *
 * Usage: ordo_stale [-w W[,W...]] [-D MS] [-p PERIOD_MS] [-c CUTS] [-k KEYS]
 *                   [-r READS_PER_S] [-g DEGRADE_MS] [-s SEED] [-o LOGDIR]
 */
#include "stale.h"

#include <errno.h>
#include <math.h>
#include <ordo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define INFLIGHT_MAX 64
#define KEYS_MAX     1024

static stale_opt_t opt = {.w = {2.5},
                          .phases = 1,
                          .cut_ms = 400,
                          .period_ms = 1600,
                          .cuts = 4,
                          .keys = 32,
                          .read_rate = 200,
                          .degrade_ms = 20,
                          .lead_ms = 1500,
                          .seed = 1};

static uint64_t real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- random numbers: splitmix64 ------------------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* An exponential gap at rate per second, in ns. */
static uint64_t exp_ns(double rate)
{
    double u = (double)(rnd() >> 11) / 9007199254740992.0; /* [0, 1) */
    return (uint64_t)(-log1p(-u) / rate * 1e9);
}

/* ---- the environment: ORDO_FAULT and friends, before ordo_init ----------------- */

/* The job's ranks as the launcher tells them (ordo_size is known only
 * after ordo_init, and ORDO_FAULT must be set before). */
static int launcher_size(void)
{
    const char *names[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_NTASKS"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = getenv(names[i]);
        if (v && atoi(v) > 0)
            return atoi(v);
    }
    return 0;
}

static int set_env(int n, char *why, size_t len)
{
    char fault[1024], num[32];
    size_t used = 0;
    const char *env = getenv("ORDO_FAULT");
    if (env && *env && strcmp(env, "none") != 0) {
        snprintf(why, len, "ORDO_FAULT is set ('%s'): ordo_stale sets its own partitions", env);
        return -1;
    }
    if (n < 3) {
        snprintf(why, len, "needs 3 ranks or more (the launcher says %d)", n);
        return -1;
    }
    int total = opt.phases * opt.cuts;
    for (int j = 0; j < total; j++) {
        double from = opt.lead_ms + j * opt.period_ms + (opt.period_ms - opt.cut_ms) / 2;
        used +=
            (size_t)snprintf(fault + used, sizeof(fault) - used, "%spartition=0|1-%d@%.0fms-%.0fms",
                             j ? "," : "", n - 1, from, from + opt.cut_ms);
        if (used >= sizeof(fault)) {
            snprintf(why, len, "%d cuts do not fit in ORDO_FAULT's 1024 characters", total);
            return -1;
        }
    }
    snprintf(num, sizeof(num), "%.0f", opt.degrade_ms);
    if (setenv("ORDO_FAULT", fault, 1) != 0 || setenv("ORDO_QREG_DEGRADE_MS", num, 1) != 0) {
        snprintf(why, len, "setenv: %s", strerror(errno));
        return -1;
    }
    /* The detector must not declare the cut-off rank failed. */
    const char *fd = getenv("ORDO_FD_TIMEOUT_MS");
    double fd_ms = fd ? atof(fd) : 5000;
    if (fd_ms < 2 * opt.cut_ms) {
        if (fd) {
            snprintf(why, len, "ORDO_FD_TIMEOUT_MS=%s: below twice the cut (%.0f ms)", fd,
                     opt.cut_ms);
            return -1;
        }
        snprintf(num, sizeof(num), "%.0f", 4 * opt.cut_ms);
        setenv("ORDO_FD_TIMEOUT_MS", num, 1);
    }
    return 0;
}

/* ---- options ---------------------------------------------------------------------- */

static int parse_w(const char *arg)
{
    char *end;
    opt.phases = 0;
    for (const char *p = arg; opt.phases < STALE_PHASES_MAX; p = end + 1) {
        double v = strtod(p, &end);
        if (end == p || v <= 0 || (*end != ',' && *end != '\0'))
            return -1;
        opt.w[opt.phases++] = v;
        if (*end == '\0')
            return 0;
    }
    return -1;
}

/* A whole number in arg (a decimal, no trailing text), or -1 with why. */
static int number(int c, const char *arg, double *out, char *why, size_t len)
{
    char *end;
    errno = 0;
    *out = strtod(arg, &end);
    if (end == arg || *end != '\0' || errno || !isfinite(*out)) {
        snprintf(why, len, "-%c %s: a number expected", c, arg);
        return -1;
    }
    return 0;
}

static int parse(int argc, char **argv, char *why, size_t len)
{
    int c;
    double v;
    while ((c = getopt(argc, argv, "w:D:p:c:k:r:g:s:o:")) != -1) {
        switch (c) {
        case 'w':
            if (parse_w(optarg) != 0) {
                snprintf(why, len, "-w: a comma list of at most %d rates > 0 expected",
                         STALE_PHASES_MAX);
                return -1;
            }
            break;
        case 'D':
            if (number(c, optarg, &v, why, len) != 0)
                return -1;
            opt.cut_ms = v;
            break;
        case 'p':
            if (number(c, optarg, &v, why, len) != 0)
                return -1;
            opt.period_ms = v;
            break;
        case 'c':
            if (number(c, optarg, &v, why, len) != 0)
                return -1;
            opt.cuts = v == (int)v ? (int)v : 0;
            break;
        case 'k':
            if (number(c, optarg, &v, why, len) != 0)
                return -1;
            opt.keys = v == (int)v ? (int)v : 0;
            break;
        case 'r':
            if (number(c, optarg, &v, why, len) != 0)
                return -1;
            opt.read_rate = v;
            break;
        case 'g':
            if (number(c, optarg, &v, why, len) != 0)
                return -1;
            opt.degrade_ms = v;
            break;
        case 's': {
            char *end;
            errno = 0;
            opt.seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end != '\0' || errno || *optarg == '-') {
                snprintf(why, len, "-s %s: a seed (a whole number >= 0) expected", optarg);
                return -1;
            }
            break;
        }
        case 'o':
            opt.logdir = optarg;
            break;
        default:
            snprintf(why, len, "unknown option");
            return -1;
        }
    }
    if (opt.cut_ms < 1 || opt.period_ms <= opt.cut_ms || opt.cuts < 1 ||
        opt.phases * opt.cuts > STALE_CUTS_MAX) {
        snprintf(why, len, "1 <= D < period, and at most %d cuts in all (phases x cuts)",
                 STALE_CUTS_MAX);
        return -1;
    }
    if (opt.keys < 1 || opt.keys > KEYS_MAX || opt.read_rate <= 0 || opt.degrade_ms < 1 ||
        opt.degrade_ms >= opt.cut_ms) {
        snprintf(why, len, "1 <= keys <= %d, reads/s > 0, 1 <= degrade (-g) < D", KEYS_MAX);
        return -1;
    }
    return 0;
}

/* ---- the logs ------------------------------------------------------------------- */

static stale_write_t *wlog;
static stale_read_t *rlog;
static size_t nwlog, nrlog, wcap, rcap;

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 4096;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* Nothing in flight: progress (this rank serves its replica), then the
 * core to the others for a moment (3 ranks or more on 2 cores: a rank that
 * spins delays the others' operations by time slices, which the logs would
 * count as the writes' latency). */
static void idle(void)
{
    ordo_progress();
    usleep(50);
}

/* ---- the writer ------------------------------------------------------------------- */

/* The phase of time t (ns from t0), or -1 after the last. */
static int phase_at(uint64_t t_ns)
{
    double ms = (double)t_ns / 1e6 - opt.lead_ms;
    int p = ms < 0 ? 0 : (int)(ms / stale_phase_ms(&opt));
    return p < opt.phases ? p : -1;
}

/* The next write time after t (ns from t0): a gap at the phase's rate; one
 * that crosses into the next phase starts over at its start (memoryless). */
static uint64_t next_write(uint64_t t)
{
    for (;;) {
        int p = phase_at(t);
        if (p < 0)
            return UINT64_MAX;
        uint64_t end = (uint64_t)((opt.lead_ms + (p + 1) * stale_phase_ms(&opt)) * 1e6);
        uint64_t n = t + exp_ns(opt.w[p]);
        if (n < end)
            return n;
        t = end;
    }
}

typedef struct pending {
    ordo_qreg_op_t *op;
    size_t log; /* its entry */
    uint64_t value;
} pending_t;

static int writer(ordo_qreg_t *reg, uint64_t t0, uint64_t t_end)
{
    pending_t *key = calloc((size_t)opt.keys, sizeof(*key));
    uint64_t *due = malloc((size_t)opt.keys * sizeof(*due));
    int s = key && due ? ORDO_OK : ORDO_ERR_NOMEM;
    uint64_t start = (uint64_t)(opt.lead_ms * 1e6);
    for (int k = 0; k < opt.keys && s == ORDO_OK; k++)
        due[k] = next_write(start);
    int busy = 0;
    while (s == ORDO_OK && (real_ns() < t_end || busy)) {
        uint64_t now = real_ns() - t0;
        for (int k = 0; k < opt.keys && s == ORDO_OK; k++) {
            pending_t *pk = &key[k];
            if (pk->op) {
                int t = ordo_qreg_test(pk->op);
                if (t == 1) {
                    wlog[pk->log].status = ordo_qreg_wait(pk->op, NULL);
                    wlog[pk->log].end_ns = real_ns();
                    pk->op = NULL;
                    busy--;
                } else if (t < 0) {
                    s = t;
                }
            } else if (due[k] <= now) {
                if (grow((void **)&wlog, &wcap, nwlog, sizeof(*wlog)) != 0) {
                    s = ORDO_ERR_NOMEM;
                    break;
                }
                pk->log = nwlog++;
                pk->value++;
                wlog[pk->log] = (stale_write_t){
                    .start_ns = real_ns(), .value = pk->value, .key = (uint32_t)k, .status = 1};
                s = ordo_qreg_write_nb(reg, (uint64_t)k, &pk->value, &pk->op);
                busy += s == ORDO_OK;
                due[k] = next_write(due[k]);
            }
        }
        if (!busy)
            idle();
    }
    free(key);
    free(due);
    return s;
}

/* ---- the reader ------------------------------------------------------------------- */

/* A read in flight: its slot holds the destination, so a slot never moves
 * while its read may still write there. */
typedef struct slot {
    ordo_qreg_op_t *op; /* NULL: free */
    size_t log;
    uint64_t value;
} slot_t;

static int reader(ordo_qreg_t *reg, uint64_t t0, uint64_t t_end)
{
    static slot_t fl[INFLIGHT_MAX];
    int n = 0, s = ORDO_OK;
    uint64_t next = t0 + (uint64_t)(opt.lead_ms * 1e6) + exp_ns(opt.read_rate);
    while (s == ORDO_OK && (real_ns() < t_end || n)) {
        uint64_t now = real_ns();
        if (now >= next && now < t_end && n < INFLIGHT_MAX) {
            slot_t *f = fl;
            while (f->op)
                f++;
            if (grow((void **)&rlog, &rcap, nrlog, sizeof(*rlog)) != 0)
                return ORDO_ERR_NOMEM;
            f->log = nrlog++;
            uint32_t k = (uint32_t)(rnd() % (uint64_t)opt.keys);
            rlog[f->log] = (stale_read_t){.start_ns = now, .key = k, .status = 1};
            s = ordo_qreg_read_nb(reg, k, &f->value, &f->op);
            n += s == ORDO_OK;
            next += exp_ns(opt.read_rate);
        }
        for (int i = 0; i < INFLIGHT_MAX && n && s == ORDO_OK; i++) {
            if (!fl[i].op)
                continue;
            int t = ordo_qreg_test(fl[i].op);
            if (t < 0)
                s = t;
            if (t != 1)
                continue;
            stale_read_t *e = &rlog[fl[i].log];
            unsigned flags = 0;
            e->status = ordo_qreg_wait(fl[i].op, &flags);
            e->end_ns = real_ns();
            e->flags = flags;
            e->value = fl[i].value;
            fl[i].op = NULL;
            n--;
        }
        if (!n)
            idle();
    }
    return s;
}

/* ---- main ------------------------------------------------------------------------- */

/* Rank 1's log to every rank (a count, then the entries). */
static int gather_writes(void)
{
    uint64_t n = nwlog;
    int s = ordo_bcast(&n, sizeof(n), 1);
    if (s != ORDO_OK)
        return s;
    if (ordo_rank() != 1) {
        free(wlog);
        wlog = calloc(n ? n : 1, sizeof(*wlog));
        if (!wlog)
            return ORDO_ERR_NOMEM;
        nwlog = n;
    }
    return n ? ordo_bcast(wlog, n * sizeof(*wlog), 1) : ORDO_OK;
}

static int one_host(void)
{
    char mine[256] = {0}, *all = calloc((size_t)ordo_size(), sizeof(mine));
    if (!all)
        return ORDO_ERR_NOMEM;
    gethostname(mine, sizeof(mine) - 1);
    int s = ordo_allgather(mine, sizeof(mine), all);
    for (int i = 1; i < ordo_size() && s == ORDO_OK; i++)
        if (strcmp(all, all + i * sizeof(mine)) != 0) {
            if (ordo_rank() == 0)
                fprintf(stderr,
                        "ordo_stale: ranks 0 and %d run on %s and %s: one host needed "
                        "(one clock for both logs)\n",
                        i, all, all + i * sizeof(mine));
            s = ORDO_ERR_INVALID;
        }
    free(all);
    return s;
}

static int run(uint64_t t0)
{
    int me = ordo_rank(), n = ordo_size();
    ordo_qreg_t *reg;
    int s = one_host();
    if (s == ORDO_OK)
        s = ordo_qreg_create((size_t)opt.keys, sizeof(uint64_t), n, n / 2 + 1, n / 2 + 1,
                             ORDO_QREG_DEGRADED_READ, &reg);
    if (s != ORDO_OK)
        return s;
    uint64_t t0s[2] = {t0, 0}, *all = calloc((size_t)n, sizeof(t0s));
    if (!all)
        return ORDO_ERR_NOMEM;
    s = ordo_allgather(t0s, sizeof(t0s), all);
    uint64_t rt0 = all[0]; /* the phases are the reader's */
    double spread = 0;
    for (int i = 0; i < n; i++)
        spread = fmax(spread, fabs((double)all[2 * i] - (double)rt0) / 1e6);
    free(all);
    if (s == ORDO_OK && real_ns() >= rt0 + (uint64_t)(opt.lead_ms * 1e6)) {
        fprintf(stderr, "ordo_stale: rank %d: set-up took longer than the lead-in (%.0f ms)\n", me,
                opt.lead_ms);
        s = ORDO_ERR_TIMEOUT;
    }
    uint64_t t_end = rt0 + (uint64_t)((opt.lead_ms + opt.phases * stale_phase_ms(&opt)) * 1e6);
    if (s == ORDO_OK && me == 0)
        s = reader(reg, rt0, t_end);
    else if (s == ORDO_OK && me == 1)
        s = writer(reg, t0, t_end);
    while (s == ORDO_OK && me > 1 && real_ns() < t_end)
        idle();
    int b = ordo_barrier();
    s = s == ORDO_OK ? b : s;
    if (s == ORDO_OK)
        s = gather_writes();
    if (s == ORDO_OK && me == 0) {
        stale_print(&opt, rt0, wlog, nwlog, rlog, nrlog, spread);
        if (opt.logdir && stale_write_logs(&opt, wlog, nwlog, rlog, nrlog) != 0)
            fprintf(stderr, "ordo_stale: logs in %s: %s\n", opt.logdir, strerror(errno));
    }
    int d = ordo_qreg_destroy(reg);
    return s == ORDO_OK ? d : s;
}

int main(int argc, char **argv)
{
    char why[512];
    int size = launcher_size();
    if (parse(argc, argv, why, sizeof(why)) != 0 || set_env(size, why, sizeof(why)) != 0) {
        fprintf(stderr, "ordo_stale: %s\n", why);
        fprintf(stderr, "usage: ordo_stale [-w W[,W...]] [-D MS] [-p PERIOD_MS] [-c CUTS] "
                        "[-k KEYS] [-r READS_PER_S] [-g DEGRADE_MS] [-s SEED] [-o LOGDIR], on 3 "
                        "ranks or more of one host\n");
        return 2;
    }
    int s = ordo_init(&argc, &argv);
    uint64_t t0 = real_ns(); /* ORDO_FAULT's windows count from here */
    if (s != ORDO_OK) {
        fprintf(stderr, "ordo_stale: ordo_init: %s\n", ordo_strerror(s));
        return 1;
    }
    rng = opt.seed * 0x100000001b3u + (uint64_t)ordo_rank();
    if (ordo_size() != size) {
        fprintf(stderr, "ordo_stale: the launcher said %d ranks, the job has %d\n", size,
                ordo_size());
        s = ORDO_ERR_INVALID;
    }
    if (s == ORDO_OK)
        s = run(t0);
    if (s != ORDO_OK)
        fprintf(stderr, "ordo_stale: rank %d: %s\n", ordo_rank(), ordo_strerror(s));
    int f = ordo_finalize();
    return s == ORDO_OK && f == ORDO_OK ? 0 : 1;
}
