/* config.c - parse and validate the ORDO_* environment variables. */
#include "ordo_config.h"

#include "runtime/config.h"

#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/parse.h"
#include "runtime/tl.h"
#include "runtime/topo.h"

#include <inttypes.h>
#include <ordo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const log_choices[] = {"error", "warn", "info", "debug", NULL};
static const char *const wait_choices[] = {"auto", "spin", "yield", "block", NULL};
static const char *const progress_choices[] = {"poll", "thread", NULL};
/* In the order of ordo__bind_t (topo.h, which declares it for its messages). */
const char *const ordo__bind_names[] = {"launcher", "none", "core", "numa", NULL};
static const char *const delivery_choices[] = {"exactly-once", "at-least-once", NULL};
/* In the order of ordo_proto_t. */
static const char *const proto_choices[] = {"auto", "eager", "rndv", NULL};

#define FIELD(f) offsetof(ordo__config_t, f)

const ordo__cfg_entry_t ordo__cfg_table[] = {
    {"ORDO_LOG", ORDO__CFG_ENUM, "warn",
     "Log level: messages at this level and more severe are printed.", FIELD(log_level),
     log_choices, 0, 0, NULL},
    {"ORDO_WAIT", ORDO__CFG_ENUM, "auto",
     "How a blocked call waits: spin (lowest latency), yield (sched_yield between polls), block "
     "(sleep on the UCX worker's event fd), auto (spin when the node has a core per rank, else "
     "yield).",
     FIELD(wait_mode), wait_choices, 0, 0, NULL},
    {"ORDO_TRANSPORT", ORDO__CFG_ENUM, "ucx",
     "The transport backend the message layer uses (ordo_info describes it): ucx (UCX active "
     "messages and RDMA get).",
     FIELD(transport), ordo__tl_names, 0, 0, NULL},
    {"ORDO_TIMEOUT_MS", ORDO__CFG_UINT, "30000",
     "Milliseconds a blocking operation waits for a peer before it fails with ORDO_ERR_TIMEOUT.",
     FIELD(timeout_ms), NULL, 1, 86400000, NULL},
    {"ORDO_MAX_MSG_SIZE", ORDO__CFG_SIZE, "256M",
     "Largest payload of one message; larger ones are refused with ORDO_ERR_INVALID.",
     FIELD(max_msg_size), NULL, 1024, (uint64_t)1 << 40, NULL},
    {"ORDO_PEER_ERRORS", ORDO__CFG_BOOL, "y",
     "Use UCX peer error handling so a dead peer fails the operations that need it "
     "(ORDO_ERR_PEER_FAILED) instead of hanging.",
     FIELD(peer_errors), NULL, 0, 0, NULL},
    {"ORDO_PROGRESS", ORDO__CFG_ENUM, "poll",
     "Who runs message handlers: poll (the application's thread, inside ordo calls and "
     "ordo_progress) or thread (also a progress thread, so handlers run while the application "
     "computes).",
     FIELD(progress), progress_choices, 0, 0, NULL},
    {"ORDO_BIND", ORDO__CFG_ENUM, "launcher",
     "Where each rank runs (hwloc): launcher (keep the binding mpirun or srun gave the "
     "process; ordo binds nothing), none (unbind: every PU the host allows), core (one core "
     "per rank: local rank r on core r mod cores, so ranks share cores round-robin when they "
     "outnumber them), numa (the PUs of one NUMA node: local rank r on node r * nodes / local "
     "ranks).  The progress thread stays within the rank's set; the failure detector's thread "
     "gets the host's whole set, so a busy rank never starves it.",
     FIELD(bind), ordo__bind_names, 0, 0, NULL},
    {"ORDO_PROTO", ORDO__CFG_ENUM, "auto",
     "How payloads travel: auto (eager up to the threshold, rendezvous above), eager (always "
     "an active message), rndv (always a rendezvous: the receiver pulls with RDMA get).",
     FIELD(proto), proto_choices, 0, 0, NULL},
    {"ORDO_RNDV_THRESH", ORDO__CFG_SIZE_AUTO, "auto",
     "Payload size above which ORDO_PROTO=auto uses the rendezvous: auto (the crossover x* of "
     "the cost model calibrated at start-up) or a size in bytes.",
     FIELD(rndv_thresh), NULL, 0, (uint64_t)1 << 40, NULL},
    {"ORDO_RNDV_INFLIGHT", ORDO__CFG_SIZE, "8M",
     "Bytes of rendezvous payloads a rank pulls at once into buffers of its own; further pulls "
     "wait their turn (one always runs), so a burst of large messages reuses a few warm "
     "buffers instead of faulting in fresh memory for each.",
     FIELD(rndv_inflight), NULL, 0, (uint64_t)1 << 40, NULL},
    {"ORDO_DELIVERY", ORDO__CFG_ENUM, "exactly-once",
     "What a retried or duplicated request does: exactly-once (the receiver remembers the last "
     "ORDO_DEDUP_WINDOW requests of each source and answers a repeat from memory) or "
     "at-least-once (it runs the handler again; cheaper).",
     FIELD(delivery), delivery_choices, 0, 0, NULL},
    {"ORDO_RETRY_MS", ORDO__CFG_UINT, "0",
     "Resend a request that has no reply after this many milliseconds, until ORDO_TIMEOUT_MS "
     "(0: never; UCX itself is reliable, retries matter with ORDO_FAULT or lossy paths).",
     FIELD(retry_ms), NULL, 0, 86400000, NULL},
    {"ORDO_DEDUP_WINDOW", ORDO__CFG_UINT, "256",
     "Requests per source remembered for exactly-once delivery (a power of two is best); "
     "exactly-once holds while a rank has at most this many calls in flight to one peer.",
     FIELD(dedup_window), NULL, 16, 65536, NULL},
    {"ORDO_FAULT", ORDO__CFG_FAULT, "none",
     "Fault injection, comma-separated items: drop=P[@W], dup=P[@W], delay=P:US[@W] drop, "
     "duplicate or hold back (up to US microseconds, so reorder) requests and replies of "
     "application handlers and the objects' messages with probability P; seed=N seeds them per "
     "rank, so a run replays; partition=G@W cuts the groups G apart (G: comma lists of ranks and "
     "ranges a-b separated by |, such as 0,1|2-4; the ranks not listed form one more group); "
     "partition=ring@W cuts each rank from all but its nearest ring neighbours (a majority, "
     "Jepsen's majorities-ring); "
     "crash=R@T kills rank R at time T; pause=R@W stops rank R's progress and failure detector; "
     "skew=R:US offsets rank R's physical clock by US microseconds (signed); drift=R:PPM makes "
     "it run fast or slow by PPM parts per million (signed); slow=R:US[@W] holds back every "
     "message rank R sends that delay may hold exactly US microseconds.  W, a window: T1-T2 or "
     "T1- (from T1 on); T: a time such as 2s, 500ms, 1.5s or 250us from the end of ordo_init.  "
     "drop, dup, delay, seed once each; at most 16 partition, crash, pause, skew, drift, slow "
     "items, crash, skew, drift and slow once per rank.",
     FIELD(fault), NULL, 0, 0, NULL},
    {"ORDO_CLOCKS", ORDO__CFG_CLOCKS, "lamport",
     "Logical clocks every message carries: a comma-separated subset of lamport, vector, hlc "
     "(or none).  ORDO_TRACE turns all three on.",
     FIELD(clocks), NULL, 0, 0, NULL},
    {"ORDO_HLC_MAX_OFFSET_US", ORDO__CFG_UINT, "500000",
     "A message whose hybrid clock is further ahead of this rank's physical clock than this "
     "many microseconds is reported (warning) and counted.",
     FIELD(hlc_max_offset_us), NULL, 1, 3600000000ull, NULL},
    {"ORDO_TRACE", ORDO__CFG_PATH, "",
     "Directory where every rank writes ordo-trace.<rank>.txt: each send, receive and user "
     "event with Lamport, vector and HLC time and wall time (check and view with ordo-trace).",
     FIELD(trace_dir), NULL, 0, 0, NULL},
};
const size_t ordo__cfg_table_len = sizeof(ordo__cfg_table) / sizeof(ordo__cfg_table[0]);

static const char *env_lookup(char *const *envp, const char *name)
{
    size_t n = strlen(name);
    for (char *const *e = envp; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

int ordo__cfg_table_has(const ordo__cfg_table_t *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->len; i++)
        if (strlen(t->entries[i].name) == len && strncmp(t->entries[i].name, name, len) == 0)
            return 1;
    return 0;
}

static void accepted(const ordo__cfg_entry_t *e, char *buf, size_t len)
{
    size_t used = 0;
    switch (e->type) {
    case ORDO__CFG_ENUM:
        buf[0] = '\0';
        for (const char *const *c = e->choices; *c; c++)
            used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
                                     c == e->choices ? "" : "|", *c);
        break;
    case ORDO__CFG_UINT:
        snprintf(buf, len, "an integer from %" PRIu64 " to %" PRIu64 " (decimal digits only)",
                 e->min, e->max);
        break;
    case ORDO__CFG_SIZE:
        snprintf(buf, len,
                 "a size in bytes from %" PRIu64 " to %" PRIu64
                 " (decimal digits, then optionally one suffix K, M or G: KiB, MiB, GiB)",
                 e->min, e->max);
        break;
    case ORDO__CFG_BOOL:
        snprintf(buf, len, "y|n (also yes|no|1|0|on|off|true|false)");
        break;
    case ORDO__CFG_SIZE_AUTO:
        snprintf(buf, len,
                 "auto, or a size in bytes from %" PRIu64 " to %" PRIu64
                 " (decimal digits, then optionally one suffix K, M or G: KiB, MiB, GiB)",
                 e->min, e->max);
        break;
    case ORDO__CFG_FAULT:
        snprintf(buf, len,
                 "none, or items drop=P[@W], dup=P[@W], delay=P:US[@W], seed=N, "
                 "partition=G@W, partition=ring@W, crash=R@T, pause=R@W, skew=R:US, drift=R:PPM, "
                 "slow=R:US[@W] "
                 "with P from 0 "
                 "to 1, W a window T1-T2 or T1-, T a time (2s, 500ms, 1.5s, 250us)");
        break;
    case ORDO__CFG_CLOCKS:
        snprintf(buf, len,
                 "none, or a comma-separated subset of lamport,vector,hlc (each at most once)");
        break;
    case ORDO__CFG_PATH:
        snprintf(buf, len, "a directory path of at most 1000 characters, or empty");
        break;
    }
}

/* A comma-separated subset of the clocks, each named once, no empty item. */
static int parse_clocks(const char *s, unsigned *out, char *why, size_t whylen)
{
    static const struct {
        const char *name;
        unsigned bit;
    } clocks[] = {
        {"lamport", ORDO__CLOCK_LAMPORT},
        {"vector", ORDO__CLOCK_VECTOR},
        {"hlc", ORDO__CLOCK_HLC},
    };
    const size_t nclocks = sizeof(clocks) / sizeof(clocks[0]);
    unsigned bits = 0;
    if (!strcmp(s, "none")) {
        *out = 0;
        return 0;
    }
    for (int item = 1;; item++) {
        size_t n = strcspn(s, ","), k = 0;
        if (n == 0) {
            snprintf(why, whylen, "item %d is empty", item);
            return -1;
        }
        while (k < nclocks && (strlen(clocks[k].name) != n || strncmp(s, clocks[k].name, n)))
            k++;
        if (k == nclocks) {
            snprintf(why, whylen, "unknown clock '%.*s'", n < 64 ? (int)n : 64, s);
            return -1;
        }
        if (bits & clocks[k].bit) {
            snprintf(why, whylen, "%s given twice", clocks[k].name);
            return -1;
        }
        bits |= clocks[k].bit;
        s += n;
        if (!*s++)
            break;
    }
    *out = bits;
    return 0;
}

static int parse_value(const ordo__cfg_entry_t *e, const char *s, void *values, char *why,
                       size_t whylen)
{
    void *field = (char *)values + e->offset;
    uint64_t v;

    switch (e->type) {
    case ORDO__CFG_ENUM:
        for (int i = 0; e->choices[i]; i++)
            if (strcasecmp(s, e->choices[i]) == 0) {
                *(int *)field = i;
                return 0;
            }
        return -1;
    case ORDO__CFG_SIZE_AUTO:
        if (strcasecmp(s, "auto") == 0) {
            *(uint64_t *)field = ORDO__CFG_AUTO;
            return 0;
        }
        /* fall through */
    case ORDO__CFG_UINT:
    case ORDO__CFG_SIZE:
        if (e->type == ORDO__CFG_UINT ? ordo__parse_uint(s, e->min, e->max, &v)
                                      : ordo__parse_size(s, e->min, e->max, &v))
            return -1;
        if (e->check && e->check(v, why, whylen))
            return -1;
        *(uint64_t *)field = v;
        return 0;
    case ORDO__CFG_FAULT:
        return ordo__fault_parse(s, field, why, whylen);
    case ORDO__CFG_CLOCKS:
        return parse_clocks(s, field, why, whylen);
    case ORDO__CFG_PATH:
        if (strlen(s) > 1000)
            return -1;
        snprintf(field, 1024, "%s", s);
        return 0;
    case ORDO__CFG_BOOL:
        if (!strcasecmp(s, "y") || !strcasecmp(s, "yes") || !strcmp(s, "1") ||
            !strcasecmp(s, "on") || !strcasecmp(s, "true")) {
            *(int *)field = 1;
            return 0;
        }
        if (!strcasecmp(s, "n") || !strcasecmp(s, "no") || !strcmp(s, "0") ||
            !strcasecmp(s, "off") || !strcasecmp(s, "false")) {
            *(int *)field = 0;
            return 0;
        }
        return -1;
    }
    return -1;
}

int ordo__cfg_table_load(const ordo__cfg_table_t *t, int *origin, char *const *envp, char *err,
                         size_t errlen)
{
    if (t->len > ORDO__CFG_MAX) {
        snprintf(err, errlen, "configuration of %s: %zu variables, at most %d", t->module, t->len,
                 ORDO__CFG_MAX);
        return ORDO_ERR_CONFIG;
    }
    void *tmp = calloc(1, t->values_size);
    if (!tmp) {
        snprintf(err, errlen, "configuration of %s: out of memory", t->module);
        return ORDO_ERR_NOMEM;
    }
    for (size_t i = 0; i < t->len; i++) {
        const ordo__cfg_entry_t *e = &t->entries[i];
        const char *s = env_lookup(envp, e->name);
        int from_env = s != NULL;
        char why[512] = "";
        if (e->offset >= t->values_size ||
            parse_value(e, from_env ? s : e->dflt, tmp, why, sizeof(why)) != 0) {
            char acc[512];
            accepted(e, acc, sizeof(acc));
            snprintf(err, errlen, "bad value %s='%s': %s%saccepted values are %s", e->name,
                     from_env ? s : e->dflt, why, why[0] ? "; " : "", acc);
            free(tmp);
            return ORDO_ERR_CONFIG;
        }
        if (origin)
            origin[i] = from_env ? ORDO__CFG_ORIGIN_ENV : ORDO__CFG_ORIGIN_DEFAULT;
    }
    memcpy(t->values, tmp, t->values_size);
    free(tmp);
    return ORDO_OK;
}

void ordo__cfg_warn_unknown(const ordo__cfg_table_t *tables, size_t n, char *const *envp,
                            void (*warn_unknown)(const char *name))
{
    for (char *const *e = envp; e && *e && warn_unknown; e++) {
        const char *eq = strchr(*e, '=');
        if (strncmp(*e, "ORDO_", 5) != 0 || !eq)
            continue;
        size_t i = 0;
        while (i < n && !ordo__cfg_table_has(&tables[i], *e, (size_t)(eq - *e)))
            i++;
        if (i == n)
            warn_unknown(*e);
    }
}

ordo__cfg_table_t ordo__config_table(ordo__config_t *cfg)
{
    return (ordo__cfg_table_t){"runtime", ordo__cfg_table, ordo__cfg_table_len, cfg, sizeof(*cfg)};
}

int ordo__config_load(ordo__config_t *cfg, int *origin, char *const *envp, char *err, size_t errlen,
                      void (*warn_unknown)(const char *name))
{
    ordo__cfg_table_t t = ordo__config_table(cfg);
    int status = ordo__cfg_table_load(&t, origin, envp, err, errlen);
    if (status == ORDO_OK)
        ordo__cfg_warn_unknown(&t, 1, envp, warn_unknown);
    return status;
}

void ordo__cfg_format(const ordo__cfg_entry_t *e, const void *values, char *buf, size_t len)
{
    const void *field = (const char *)values + e->offset;
    switch (e->type) {
    case ORDO__CFG_ENUM:
        snprintf(buf, len, "%s", e->choices[*(const int *)field]);
        break;
    case ORDO__CFG_UINT:
    case ORDO__CFG_SIZE:
        snprintf(buf, len, "%" PRIu64, *(const uint64_t *)field);
        break;
    case ORDO__CFG_BOOL:
        snprintf(buf, len, "%s", *(const int *)field ? "y" : "n");
        break;
    case ORDO__CFG_SIZE_AUTO:
        if (*(const uint64_t *)field == ORDO__CFG_AUTO)
            snprintf(buf, len, "auto");
        else
            snprintf(buf, len, "%" PRIu64, *(const uint64_t *)field);
        break;
    case ORDO__CFG_FAULT:
        ordo__fault_format(field, buf, len);
        break;
    case ORDO__CFG_CLOCKS: {
        unsigned b = *(const unsigned *)field;
        snprintf(buf, len, "%s%s%s%s", b & ORDO__CLOCK_LAMPORT ? "lamport," : "",
                 b & ORDO__CLOCK_VECTOR ? "vector," : "", b & ORDO__CLOCK_HLC ? "hlc," : "",
                 b ? "" : "none");
        size_t l = strlen(buf);
        if (l && buf[l - 1] == ',')
            buf[l - 1] = '\0';
        break;
    }
    case ORDO__CFG_PATH:
        snprintf(buf, len, "%s", (const char *)field);
        break;
    }
}

void ordo__cfg_table_print(const ordo__cfg_table_t *t, const int *origin, FILE *out)
{
    char val[1100], acc[512];
    for (size_t i = 0; i < t->len; i++) {
        const ordo__cfg_entry_t *e = &t->entries[i];
        ordo__cfg_format(e, t->values, val, sizeof(val));
        accepted(e, acc, sizeof(acc));
        fprintf(out, "#\n# %s\n# accepted: %s; default: %s\n#\n%s=%s   (%s)\n", e->doc, acc,
                e->dflt, e->name, val,
                origin && origin[i] == ORDO__CFG_ORIGIN_ENV ? "environment" : "default");
    }
}

/* s with every | escaped (a Markdown table cell). */
static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', out);
        fputc(*s, out);
    }
}

void ordo__cfg_table_markdown(const ordo__cfg_table_t *t, FILE *out)
{
    char acc[512];
    fprintf(out, "| variable | accepted | default | what |\n| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < t->len; i++) {
        const ordo__cfg_entry_t *e = &t->entries[i];
        accepted(e, acc, sizeof(acc));
        fprintf(out, "| `%s` | ", e->name);
        md_cell(out, acc);
        fprintf(out, " | `");
        md_cell(out, e->dflt[0] ? e->dflt : "(empty)");
        fprintf(out, "` | ");
        md_cell(out, e->doc);
        fprintf(out, " |\n");
    }
}

void ordo__config_print(const ordo__config_t *cfg, const int *origin, FILE *out)
{
    ordo__cfg_table_t t = ordo__config_table((ordo__config_t *)cfg);
    ordo__cfg_table_print(&t, origin, out);
}
