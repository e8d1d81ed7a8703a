/*
 * checks.c - what a finished run must show: its histories linearizable
 * (ordo-lincheck), no acknowledged write lost (ordo-lincheck
 * --lost-writes, which also counts the operations), the bank's money
 * conserved (its summary line), and no surviving rank hung (every rank no
 * fault meant to kill wrote its report before the time limit, status ok).
 * The histories are read by ordo-lincheck alone: one reader.
 */
#include "tools/nemesis/nemesis.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

const char *nem_verdict_name(nem_verdict_t v)
{
    static const char *const names[] = {"ok", "VIOLATED", "unknown", "-"};
    return names[v];
}

/* Runs cmd (a shell line), its output into out (a file): its exit status,
 * -1 if it could not run. */
static int run(const char *cmd)
{
    int st = system(cmd);
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* The first line of file starting with prefix, into line; 0 if none. */
static int find_line(const char *file, const char *prefix, char *line, size_t len)
{
    FILE *f = fopen(file, "r");
    int found = 0;
    if (!f)
        return 0;
    while (!found && fgets(line, (int)len, f))
        found = !strncmp(line, prefix, strlen(prefix));
    fclose(f);
    if (found)
        line[strcspn(line, "\n")] = '\0';
    return found;
}

static void lincheck(nem_checks_t *c, const nem_job_t *job, const char *bin, double limit)
{
    char cmd[9000], out[4200], line[1024];
    size_t ops = 0, ok = 0, fail = 0, info = 0;
    long lost = 0;

    /* The registers: linearizable, the verdict. The locks' histories are
     * checked as mutexes for information only: a holder cut off or paused
     * past its lease loses the lock without a release (or its release
     * fails), which a mutex does not allow; what must hold then is the
     * fenced ledger, a register. */
    snprintf(out, sizeof(out), "%s/lincheck-locks.txt", job->dir);
    snprintf(
        cmd, sizeof(cmd),
        "set -- '%s'/hist/lock-*; [ -e \"$1\" ] || exit 77; '%s' --time-limit %g \"$@\" >'%s' 2>&1",
        job->dir, bin, limit, out);
    int st = run(cmd);
    if (st != 0 && find_line(out, "ordo-lincheck: ", line, sizeof(line)))
        snprintf(c->mutex_why, sizeof(c->mutex_why), "%.200s", line + 15);
    else if (st == 0 && !c->mutex_why[0])
        snprintf(c->mutex_why, sizeof(c->mutex_why), "%s", "ok");
    snprintf(out, sizeof(out), "%s/lincheck.txt", job->dir);
    snprintf(cmd, sizeof(cmd), "set -- '%s'/hist/qreg-*; '%s' --time-limit %g \"$@\" >'%s' 2>&1",
             job->dir, bin, limit, out);
    st = run(cmd);
    nem_verdict_t v = st == 0 ? NEM_PASS : st == 1 ? NEM_FAIL : NEM_UNKNOWN;
    /* one line per workload: "kv: ...; bank: ..." */
    size_t used = strlen(c->lin_why);
    char *w = c->lin_why + used;
    size_t room = sizeof(c->lin_why) - used;
    if (find_line(out, "ordo-lincheck: ", line, sizeof(line)))
        snprintf(w, room, "%s%s: %.200s", used ? "; " : "", job->app, line + 15);
    else if (st != 0)
        snprintf(w, room, "%s%s: ordo-lincheck exit %d (see %.200s)", used ? "; " : "", job->app,
                 st, out);
    if (v > c->lin || c->lin == NEM_SKIPPED)
        c->lin = v;

    snprintf(out, sizeof(out), "%s/lost-writes.txt", job->dir);
    snprintf(cmd, sizeof(cmd), "'%s' --lost-writes '%s/hist' >'%s' 2>&1", bin, job->dir, out);
    st = run(cmd);
    v = st == 0 ? NEM_PASS : st == 1 ? NEM_FAIL : NEM_UNKNOWN;
    if (find_line(out, "ordo-lincheck: ", line, sizeof(line)) &&
        sscanf(line, "ordo-lincheck: %zu operations (ok %zu, fail %zu, info %zu)", &ops, &ok, &fail,
               &info) == 4) {
        const char *l = strstr(line, "register key");
        if (l && (l = strchr(l, ',')))
            lost = strtol(l + 1, NULL, 10);
    }
    c->ops += ops;
    c->ok += ok;
    c->fail += fail;
    c->info += info;
    c->lost_writes += lost;
    if (v > c->lost || c->lost == NEM_SKIPPED)
        c->lost = v;
}

/* The bank's summary line(s): one per side that went on (a partition may
 * leave two); any "TOTAL CHANGED" or audit "WRONG" is a violation, none a
 * failure to check. */
static void bank(nem_checks_t *c, const nem_job_t *job)
{
    char out[4200], line[1024], total[128] = "";
    int summaries = 0, wrong = 0, skipped = 0;
    long audits = 0, a, before, after;
    snprintf(out, sizeof(out), "%s/out.txt", job->dir);
    FILE *f = fopen(out, "r");
    if (f) {
        while (fgets(line, sizeof(line), f)) {
            line[strcspn(line, "\n")] = '\0';
            const char *t = strstr(line, " audits, total ");
            while (t && t > line && t[-1] >= '0' && t[-1] <= '9')
                t--;
            if (!strncmp(line, "ordo_bank: mode ", 16) && t &&
                sscanf(t, "%ld audits, total %ld before, %ld after", &a, &before, &after) == 3) {
                summaries++;
                audits += a;
                if (a > 0) /* a side whose final audit ran */
                    snprintf(total, sizeof(total), "total %ld before, %ld after", before, after);
            }
            skipped += strstr(line, "audit by rank") && strstr(line, "skipped") != NULL;
            if (strstr(line, "TOTAL CHANGED") || strstr(line, ": WRONG")) {
                wrong = 1;
                snprintf(c->bank_why, sizeof(c->bank_why), "%.500s", line);
            }
        }
        fclose(f);
    }
    nem_verdict_t v = wrong ? NEM_FAIL : summaries ? NEM_PASS : NEM_UNKNOWN;
    if (!summaries && !wrong)
        snprintf(c->bank_why, sizeof(c->bank_why), "no summary line in %.400s", out);
    else if (!wrong)
        snprintf(c->bank_why, sizeof(c->bank_why),
                 "%ld audits, %d final audit%s skipped (no quorum, or a home cut off), %.127s",
                 audits, skipped, skipped == 1 ? "" : "s", total[0] ? total : "no audit ran");
    if (v > c->bank || c->bank == NEM_SKIPPED)
        c->bank = v;
}

/* ordo_kv's summary line(s), one per side that went on: the survivors
 * read every key after the load and must agree ("ok"); "WRONG" or a
 * summary not ending in ": ok" is a violation, none a failure to check. */
static void kv(nem_checks_t *c, const nem_job_t *job)
{
    char out[4200], line[2048];
    int summaries = 0, wrong = 0;
    snprintf(out, sizeof(out), "%s/out.txt", job->dir);
    FILE *f = fopen(out, "r");
    if (f) {
        while (fgets(line, sizeof(line), f)) {
            line[strcspn(line, "\n")] = '\0';
            int summary = !strncmp(line, "ordo_kv: workload ", 18);
            size_t len = strlen(line);
            int bad = (!strncmp(line, "ordo_kv: ", 9) && strstr(line, "WRONG")) ||
                      (summary && (len < 4 || strcmp(line + len - 4, ": ok")));
            summaries += summary;
            if (bad && !wrong) {
                wrong = 1;
                snprintf(c->kv_why, sizeof(c->kv_why), "%.500s", line);
            } else if (summary && !wrong) {
                const char *v = strstr(line, "verified ");
                snprintf(c->kv_why, sizeof(c->kv_why), "%.400s", v ? v : line);
            }
        }
        fclose(f);
    }
    if (!summaries && !wrong)
        snprintf(c->kv_why, sizeof(c->kv_why), "no summary line in %.400s", out);
    nem_verdict_t v = wrong ? NEM_FAIL : summaries ? NEM_PASS : NEM_UNKNOWN;
    if (v > c->kv || c->kv == NEM_SKIPPED)
        c->kv = v;
}

/* Every rank that no fault meant to kill reported; none hung. */
static void hung(nem_checks_t *c, const nem_job_t *job)
{
    int bad = 0;
    for (int i = 0; i < job->np; i++) {
        const nem_rank_t *r = &job->ranks[i];
        if (r->hung) {
            c->nhung++;
            bad = 1;
            printf("nemesis: %s rank %d hung (still running at the %.0f s limit)\n", job->app, i,
                   job->limit);
        } else if (r->reported && r->last_op_ns && r->end_ns > r->last_op_ns) {
            double idle = (double)(r->end_ns - r->last_op_ns) / 1e9;
            c->idle_s = idle > c->idle_s ? idle : c->idle_s;
        } else if (!r->reported && !job->schedule->crashed[i]) {
            c->ndied++;
            bad = 1;
            printf("nemesis: %s rank %d ended without a report (no fault meant it to die)\n",
                   job->app, i);
        }
    }
    if (bad || c->hung == NEM_SKIPPED)
        c->hung = bad ? NEM_FAIL : NEM_PASS;
}

void nem_checks_run(nem_checks_t *c, const nem_job_t *job, const char *lincheck_bin,
                    double time_limit)
{
    lincheck(c, job, lincheck_bin, time_limit);
    if (!strcmp(job->app, "bank"))
        bank(c, job);
    else
        kv(c, job);
    hung(c, job);
}
