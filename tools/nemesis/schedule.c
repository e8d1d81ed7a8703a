/*
 * schedule.c - a fault schedule: drawn from a seed (each fault in a slot of
 * its own within the run, so they come one after the other as Jepsen's
 * nemesis brings them), turned into the runtime's ORDO_FAULT grammar
 * (README "Fault injection") plus real SIGKILLs sent from outside, printed,
 * and read back from --schedule / --kill for a replay.
 */
#include "tools/nemesis/nemesis.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[NEM_NKINDS] = {
    [NEM_DROP] = "drop",         [NEM_DUP] = "dup",           [NEM_DELAY] = "delay",
    [NEM_MINORITY] = "minority", [NEM_MAJORITY] = "majority", [NEM_RING] = "ring",
    [NEM_CRASH] = "crash",       [NEM_KILL] = "kill",         [NEM_PAUSE] = "pause",
    [NEM_DRIFT] = "drift",       [NEM_SKEW] = "skew",
};

const char *nem_kind_name(int kind)
{
    return kind >= 0 && kind < NEM_NKINDS ? kind_names[kind] : "?";
}

int nem_kinds_parse(const char *list, unsigned *kinds, char *why, size_t len)
{
    char buf[512], *save = NULL;
    unsigned k = 0;

    if (strlen(list) >= sizeof(buf)) {
        snprintf(why, len, "--faults: too long");
        return -1;
    }
    strcpy(buf, list);
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = !strcmp(t, "all");
        if (found)
            k |= (1u << NEM_NKINDS) - 1;
        for (int i = 0; i < NEM_NKINDS && !found; i++)
            if (!strcmp(t, kind_names[i])) {
                k |= 1u << i;
                found = 1;
            }
        if (!found) {
            snprintf(why, len,
                     "--faults: unknown kind '%s' (known: all, drop, dup, delay, minority, "
                     "majority, ring, crash, kill, pause, drift, skew)",
                     t);
            return -1;
        }
    }
    if (!k) {
        snprintf(why, len, "--faults: no kind given");
        return -1;
    }
    *kinds = k;
    return 0;
}

/* ---- drawing ------------------------------------------------------------- */

typedef struct {
    uint64_t state;
} rng_t;

static uint64_t rnd(rng_t *r) /* splitmix64 */
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unit(rng_t *r)
{
    return (double)(rnd(r) >> 11) / (double)(1ull << 53);
}

static uint64_t between(rng_t *r, uint64_t lo, uint64_t hi)
{
    return lo + rnd(r) % (hi - lo + 1);
}

__attribute__((format(printf, 2, 3))) static void add(nem_schedule_t *s, const char *fmt, ...)
{
    size_t used = strlen(s->fault);
    va_list ap;
    if (used && used < sizeof(s->fault) - 1)
        s->fault[used++] = ',';
    va_start(ap, fmt);
    vsnprintf(s->fault + used, sizeof(s->fault) - used, fmt, ap);
    va_end(ap);
}

/* A rank not yet meant to die (crash, kill), -1 if none is left to spare:
 * a majority of the ranks must live. */
static int victim(nem_schedule_t *s, rng_t *r, int np)
{
    int dead = 0, pick;
    for (int i = 0; i < np; i++)
        dead += s->crashed[i];
    if (dead + 1 > (np - 1) / 2)
        return -1;
    do
        pick = (int)(rnd(r) % (uint64_t)np);
    while (s->crashed[pick]);
    s->crashed[pick] = 1;
    return pick;
}

/* Ranks shuffled: the first k form one side of a partition. */
static void partition(nem_schedule_t *s, rng_t *r, int np, int k, uint64_t t0, uint64_t t1)
{
    int order[NEM_RANKS_MAX];
    char a[512] = "", b[512] = "";
    for (int i = 0; i < np; i++)
        order[i] = i;
    for (int i = np - 1; i > 0; i--) {
        int j = (int)(rnd(r) % (uint64_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int rank = 0; rank < np; rank++) {
        int side = 0;
        for (int i = 0; i < k; i++)
            side |= order[i] == rank;
        char *g = side ? a : b;
        snprintf(g + strlen(g), 512 - strlen(g), "%s%d", *g ? "," : "", rank);
    }
    add(s, "partition=%s|%s@%" PRIu64 "ms-%" PRIu64 "ms", a, b, t0, t1);
}

/* One fault of kind k in the slot [t0, t1) ms. */
static void draw_one(nem_schedule_t *s, rng_t *r, int k, int np, uint64_t t0, uint64_t t1)
{
    uint64_t len = t1 - t0, start = t0 + (uint64_t)(unit(r) * 0.3 * (double)len);
    uint64_t end = start + len / 3 + (uint64_t)(unit(r) * (double)(len / 3));
    int rank;

    switch (k) {
    case NEM_DROP:
        add(s, "drop=0.%02d@%" PRIu64 "ms-%" PRIu64 "ms", (int)between(r, 5, 30), start, end);
        break;
    case NEM_DUP:
        add(s, "dup=0.%02d@%" PRIu64 "ms-%" PRIu64 "ms", (int)between(r, 5, 30), start, end);
        break;
    case NEM_DELAY:
        add(s, "delay=0.%02d:%" PRIu64 "@%" PRIu64 "ms-%" PRIu64 "ms", (int)between(r, 20, 60),
            between(r, 1000, 50000), start, end);
        break;
    case NEM_MINORITY:
        partition(s, r, np, 1, start, end);
        break;
    case NEM_MAJORITY:
        partition(s, r, np, np / 2, start, end);
        break;
    case NEM_RING:
        add(s, "partition=ring@%" PRIu64 "ms-%" PRIu64 "ms", start, end);
        break;
    case NEM_CRASH:
    case NEM_KILL:
        if ((rank = victim(s, r, np)) < 0)
            return;
        if (k == NEM_CRASH)
            add(s, "crash=%d@%" PRIu64 "ms", rank, start);
        else
            s->kills[s->nkills++] = (nem_kill_t){rank, start};
        break;
    case NEM_PAUSE:
        add(s, "pause=%d@%" PRIu64 "ms-%" PRIu64 "ms", (int)(rnd(r) % (uint64_t)np), start, end);
        break;
    case NEM_DRIFT:
        add(s, "drift=%d:%s%" PRIu64, (int)(rnd(r) % (uint64_t)np), rnd(r) & 1 ? "-" : "",
            between(r, 1000, 50000));
        break;
    case NEM_SKEW:
        add(s, "skew=%d:%s%" PRIu64, (int)(rnd(r) % (uint64_t)np), rnd(r) & 1 ? "-" : "",
            between(r, 1000, 500000));
        break;
    }
    s->kinds |= 1u << k;
    s->nfaults++;
}

void nem_schedule_draw(nem_schedule_t *s, uint64_t seed, unsigned kinds, int count, int np,
                       double duration)
{
    rng_t r = {seed * 0x100000001b3ull + 0x5eed};
    int pool[NEM_NKINDS], npool = 0;
    uint64_t d = (uint64_t)(duration * 1000.0), lo = d / 10, hi = d - d / 10;

    memset(s, 0, sizeof(*s));
    for (int k = 0; k < NEM_NKINDS; k++)
        if (kinds >> k & 1)
            pool[npool++] = k;
    /* the kinds in a random order, repeated while count asks for more;
     * drift and skew once at most (once per rank in ORDO_FAULT) */
    for (int i = 0; i < count; i++) {
        if (i % npool == 0)
            for (int j = npool - 1; j > 0; j--) {
                int x = (int)(rnd(&r) % (uint64_t)(j + 1)), t = pool[j];
                pool[j] = pool[x];
                pool[x] = t;
            }
        int k = pool[i % npool];
        if (i >= npool &&
            (k == NEM_DRIFT || k == NEM_SKEW || k == NEM_DROP || k == NEM_DUP || k == NEM_DELAY))
            continue;
        uint64_t t0 = lo + (hi - lo) * (uint64_t)i / (uint64_t)count;
        uint64_t t1 = lo + (hi - lo) * (uint64_t)(i + 1) / (uint64_t)count;
        draw_one(s, &r, k, np, t0, t1);
    }
    if (s->kinds & (1u << NEM_DROP | 1u << NEM_DUP | 1u << NEM_DELAY))
        add(s, "seed=%" PRIu64, seed);
    if (!s->fault[0])
        strcpy(s->fault, "none");
}

/* ---- reading back -------------------------------------------------------- */

/* Milliseconds: 1500, 1500ms, 1.5s, 250us. */
static int parse_ms(const char *t, uint64_t *ms)
{
    char *end;
    double v = strtod(t, &end), scale = 1;
    if (end == t || v < 0)
        return -1;
    if (!strcmp(end, "s"))
        scale = 1000;
    else if (!strcmp(end, "us"))
        scale = 1e-3;
    else if (*end && strcmp(end, "ms"))
        return -1;
    *ms = (uint64_t)(v * scale);
    return 0;
}

/* The kind of one ORDO_FAULT item, -1 if it is none of ours (seed, slow). */
static int item_kind(const char *item, nem_schedule_t *s, int np)
{
    static const struct {
        const char *key;
        int kind;
    } keys[] = {{"drop=", NEM_DROP},   {"dup=", NEM_DUP},     {"delay=", NEM_DELAY},
                {"crash=", NEM_CRASH}, {"pause=", NEM_PAUSE}, {"drift=", NEM_DRIFT},
                {"skew=", NEM_SKEW}};
    if (!strncmp(item, "partition=ring", 14))
        return NEM_RING;
    if (!strncmp(item, "partition=", 10)) {
        /* a side of one rank (no comma, no range): a minority cut */
        int alone = 0;
        for (const char *p = item + 10; *p && *p != '@';) {
            const char *q = p + strcspn(p, "|@");
            alone |= !memchr(p, ',', (size_t)(q - p)) && !memchr(p, '-', (size_t)(q - p));
            p = *q == '|' ? q + 1 : q;
        }
        return alone ? NEM_MINORITY : NEM_MAJORITY;
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strncmp(item, keys[i].key, strlen(keys[i].key))) {
            int rank = atoi(item + strlen(keys[i].key));
            if (keys[i].kind == NEM_CRASH && rank >= 0 && rank < np)
                s->crashed[rank] = 1;
            return keys[i].kind;
        }
    return -1;
}

int nem_schedule_parse(nem_schedule_t *s, const char *fault, char *const *kills, int nkills, int np,
                       char *why, size_t len)
{
    memset(s, 0, sizeof(*s));
    if (strlen(fault) > NEM_SPEC_MAX) {
        snprintf(why, len, "--schedule: longer than %d characters", NEM_SPEC_MAX);
        return -1;
    }
    strcpy(s->fault, *fault ? fault : "none");
    /* items end at a comma not followed by a digit (ORDO_FAULT's rule) */
    for (const char *p = s->fault; *p && strcmp(s->fault, "none");) {
        const char *e = p;
        while (*e && !(*e == ',' && !(e[1] >= '0' && e[1] <= '9')))
            e++;
        char item[NEM_SPEC_MAX + 1];
        memcpy(item, p, (size_t)(e - p));
        item[e - p] = '\0';
        int k = item_kind(item, s, np);
        if (k >= 0) {
            s->kinds |= 1u << k;
            s->nfaults++;
        }
        p = *e ? e + 1 : e;
    }
    for (int i = 0; i < nkills; i++) {
        char *at = strchr(kills[i], '@'), *end;
        long rank = strtol(kills[i], &end, 10);
        if (s->nkills == NEM_KILLS_MAX || !at || end != at || rank < 0 || rank >= np ||
            parse_ms(at + 1, &s->kills[s->nkills].at_ms)) {
            snprintf(why, len,
                     "--kill '%s': R@T expected (a rank below %d, a time such as 2s, "
                     "1500ms; at most %d kills)",
                     kills[i], np, NEM_KILLS_MAX);
            return -1;
        }
        s->kills[s->nkills++].rank = (int)rank;
        s->crashed[rank] = 1;
        s->kinds |= 1u << NEM_KILL;
        s->nfaults++;
    }
    return 0;
}

void nem_schedule_print(FILE *out, const nem_schedule_t *s)
{
    fprintf(out, "schedule: %d fault%s:", s->nfaults, s->nfaults == 1 ? "" : "s");
    for (int k = 0; k < NEM_NKINDS; k++)
        if (s->kinds >> k & 1)
            fprintf(out, " %s", kind_names[k]);
    fprintf(out, "\n  ORDO_FAULT=%s\n", s->fault);
    for (int i = 0; i < s->nkills; i++)
        fprintf(out, "  SIGKILL rank %d at %" PRIu64 "ms\n", s->kills[i].rank, s->kills[i].at_ms);
}
