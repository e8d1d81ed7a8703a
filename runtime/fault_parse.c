/*
 * fault_parse.c - ORDO_FAULT read into a spec and printed back (the
 * grammar is in fault.h).  Every value goes through one strict parser
 * (parse.h); an error names the item, or the part of it, that is wrong.
 */
#include "ordo_config.h"

#include "runtime/fault.h"
#include "runtime/parse.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KNOWN         "drop, dup, delay, seed, partition, crash, pause, skew, drift, slow"
#define TIME_FORMS    "2s, 500ms, 1.5s or 250us"
#define DELAY_US_MAX  10000000
#define SKEW_US_MAX   3600000000ll
#define DRIFT_PPM_MAX 100000

/* The item being read, and where a complaint goes. */
typedef struct {
    ordo__fault_spec_t *spec;
    const char *item; /* key=value as given */
    char *why;
    size_t len;
} item_ctx_t;

__attribute__((format(printf, 2, 3))) static int refuse(const item_ctx_t *c, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(c->why, c->len, "%s: %s", c->item, what);
    return -1;
}

static int parse_rank(const item_ctx_t *c, const char *s, int *rank)
{
    uint64_t v;
    if (ordo__parse_uint(s, 0, ORDO__FAULT_RANK_MAX, &v))
        return refuse(c, "'%s' is not a rank (an integer from 0 to %d)", s, ORDO__FAULT_RANK_MAX);
    *rank = (int)v;
    return 0;
}

static int parse_time(const item_ctx_t *c, const char *s, uint64_t *ns)
{
    if (ordo__parse_duration_ns(s, ns))
        return refuse(c, "'%s' is not a time (%s, at most a day)", s, TIME_FORMS);
    return 0;
}

/* T1-T2 or T1-; w is changed. */
static int parse_window(const item_ctx_t *c, char *w, ordo__fault_window_t *out)
{
    char *dash = strchr(w, '-');
    if (!dash)
        return refuse(c, "window '%s' is not T1-T2 or T1- (times such as %s)", w, TIME_FORMS);
    *dash = '\0';
    ordo__fault_window_t win = {0, ORDO__FAULT_FOREVER};
    if (parse_time(c, w, &win.start_ns))
        return -1;
    if (dash[1] && parse_time(c, dash + 1, &win.end_ns))
        return -1;
    if (win.end_ns <= win.start_ns)
        return refuse(c, "the window %s-%s does not end after it starts", w, dash + 1);
    *out = win;
    return 0;
}

/* "A@B": *b points after the '@' (NULL if there is none). */
static char *split_at(char *s, int sep, char **b)
{
    char *p = strchr(s, sep);
    *b = NULL;
    if (p) {
        *p = '\0';
        *b = p + 1;
    }
    return s;
}

static int once(const item_ctx_t *c, const char *key, unsigned bit)
{
    if (c->spec->given & bit) {
        snprintf(c->why, c->len, "%s given twice", key);
        return -1;
    }
    c->spec->given |= bit;
    return 0;
}

/* drop=P[@W], dup=P[@W] */
static int parse_prob_item(const item_ctx_t *c, const char *key, char *v, double *p,
                           ordo__fault_window_t *when, unsigned bit)
{
    char *w;
    split_at(v, '@', &w);
    if (ordo__parse_prob(v, p))
        return refuse(c, "a probability from 0 to 1 is expected");
    if (w && parse_window(c, w, when))
        return -1;
    return once(c, key, bit);
}

/* delay=P:US[@W] */
static int parse_delay(const item_ctx_t *c, char *v)
{
    ordo__fault_spec_t *spec = c->spec;
    char *w, *us;
    split_at(v, '@', &w);
    split_at(v, ':', &us);
    if (!us || ordo__parse_prob(v, &spec->delay) ||
        ordo__parse_uint(us, 0, DELAY_US_MAX, &spec->delay_us))
        return refuse(c, "P:US expected (a probability from 0 to 1, then at most %d microseconds)",
                      DELAY_US_MAX);
    if (w && parse_window(c, w, &spec->delay_when))
        return -1;
    return once(c, "delay", ORDO__FAULT_GIVEN_DELAY);
}

static int parse_seed(const item_ctx_t *c, char *v)
{
    if (ordo__parse_uint(v, 0, UINT64_MAX, &c->spec->seed))
        return refuse(c, "a non-negative integer is expected");
    return once(c, "seed", ORDO__FAULT_GIVEN_SEED);
}

/* One element of a group: a rank or a range a-b. */
static int parse_range(const item_ctx_t *c, char *s, ordo__fault_range_t *r)
{
    char *hi;
    int lo_rank = 0, hi_rank = 0;
    split_at(s, '-', &hi);
    if (parse_rank(c, s, &lo_rank))
        return -1;
    hi_rank = lo_rank;
    if (hi && parse_rank(c, hi, &hi_rank))
        return -1;
    if (hi_rank < lo_rank)
        return refuse(c, "the range %d-%d runs backwards", lo_rank, hi_rank);
    r->lo = (uint32_t)lo_rank;
    r->hi = (uint32_t)hi_rank;
    return 0;
}

/* r against the ranges ev already has: a rank in two places is refused. */
static int check_overlap(const item_ctx_t *c, const ordo__fault_event_t *ev,
                         const ordo__fault_range_t *r)
{
    const ordo__fault_range_t *all = c->spec->ranges + ev->first;
    for (int i = 0; i < ev->nranges; i++) {
        if (r->hi < all[i].lo || all[i].hi < r->lo)
            continue;
        uint32_t rank = r->lo > all[i].lo ? r->lo : all[i].lo;
        if (all[i].group == r->group)
            return refuse(c, "rank %" PRIu32 " is listed twice in group %" PRIu32, rank,
                          r->group + 1);
        return refuse(c, "rank %" PRIu32 " is in two groups", rank);
    }
    return 0;
}

/* GROUPS: group|group|..., each rank[,rank...], a rank "r" or "a-b". */
static int parse_groups(const item_ctx_t *c, char *g, ordo__fault_event_t *ev)
{
    ordo__fault_spec_t *spec = c->spec;
    char *next_group;
    ev->first = (uint16_t)spec->nranges;
    for (; g; g = next_group) {
        split_at(g, '|', &next_group);
        uint32_t group = ev->ngroups++;
        if (!*g)
            return refuse(c, "group %" PRIu32 " is empty", group + 1);
        char *next;
        for (char *e = g; e; e = next) {
            split_at(e, ',', &next);
            if (!*e)
                return refuse(c, "group %" PRIu32 " has an empty rank", group + 1);
            ordo__fault_range_t r = {.group = group};
            if (parse_range(c, e, &r) || check_overlap(c, ev, &r))
                return -1;
            if (spec->nranges == ORDO__FAULT_RANGES_MAX)
                return refuse(c, "more than %d ranks and ranges in the groups of all partitions",
                              ORDO__FAULT_RANGES_MAX);
            spec->ranges[spec->nranges++] = r;
            ev->nranges++;
        }
    }
    if (ev->ngroups < 2)
        return refuse(c, "at least 2 groups separated by | are expected");
    return 0;
}

/* partition=GROUPS@WINDOW, partition=ring@WINDOW */
static int parse_partition(const item_ctx_t *c, char *v, ordo__fault_event_t *ev)
{
    char *w;
    split_at(v, '@', &w);
    if (!w)
        return refuse(c, "GROUPS@WINDOW or ring@WINDOW expected (such as 0,1|2-3@2s-6s; the "
                         "window is required)");
    if (parse_window(c, w, &ev->when))
        return -1;
    ev->ring = !strcmp(v, "ring");
    return ev->ring ? 0 : parse_groups(c, v, ev);
}

/* crash=R@T, pause=R@WINDOW */
static int parse_rank_at(const item_ctx_t *c, char *v, ordo__fault_event_t *ev)
{
    int crash = ev->kind == ORDO__FAULT_EV_CRASH;
    char *t;
    split_at(v, '@', &t);
    if (!t)
        return refuse(c, crash ? "R@T expected (a rank and a time such as 2s)"
                               : "R@WINDOW expected (a rank and a window such as 1s-2s)");
    if (parse_rank(c, v, &ev->rank))
        return -1;
    if (!crash)
        return parse_window(c, t, &ev->when);
    if (parse_time(c, t, &ev->when.start_ns))
        return -1;
    ev->when.end_ns = ev->when.start_ns;
    return 0;
}

/* skew=R:US, drift=R:PPM */
static int parse_rank_value(const item_ctx_t *c, char *v, ordo__fault_event_t *ev)
{
    int skew = ev->kind == ORDO__FAULT_EV_SKEW;
    int64_t max = skew ? SKEW_US_MAX : DRIFT_PPM_MAX;
    char *x;
    split_at(v, ':', &x);
    if (!x)
        return refuse(c, skew ? "R:US expected (a rank and microseconds)"
                              : "R:PPM expected (a rank and parts per million)");
    if (parse_rank(c, v, &ev->rank))
        return -1;
    if (ordo__parse_int(x, -max, max, &ev->value))
        return refuse(c, "'%s' is not %s (a signed integer from %" PRId64 " to %" PRId64 ")", x,
                      skew ? "an offset in microseconds" : "a drift in parts per million", -max,
                      max);
    return 0;
}

static int same_event(const ordo__fault_spec_t *spec, const ordo__fault_event_t *a,
                      const ordo__fault_event_t *b)
{
    if (a->kind != b->kind || a->rank != b->rank || a->value != b->value || a->ring != b->ring ||
        a->when.start_ns != b->when.start_ns || a->when.end_ns != b->when.end_ns ||
        a->nranges != b->nranges || a->ngroups != b->ngroups)
        return 0;
    for (int i = 0; i < a->nranges; i++) {
        const ordo__fault_range_t *x = &spec->ranges[a->first + i],
                                  *y = &spec->ranges[b->first + i];
        if (x->lo != y->lo || x->hi != y->hi || x->group != y->group)
            return 0;
    }
    return 1;
}

/* slow=R:US[@WINDOW] */
static int parse_slow(const item_ctx_t *c, char *v, ordo__fault_event_t *ev)
{
    static const ordo__fault_window_t always = {0, ORDO__FAULT_FOREVER};
    char *w, *us;
    uint64_t hold;
    split_at(v, '@', &w);
    split_at(v, ':', &us);
    if (!us)
        return refuse(c, "R:US[@WINDOW] expected (a rank and microseconds, such as 1:200)");
    if (parse_rank(c, v, &ev->rank))
        return -1;
    if (ordo__parse_uint(us, 1, DELAY_US_MAX, &hold))
        return refuse(c, "'%s' is not a hold in microseconds (an integer from 1 to %d)", us,
                      DELAY_US_MAX);
    ev->value = (int64_t)hold;
    ev->when = always;
    return w ? parse_window(c, w, &ev->when) : 0;
}

/* The new event (the last) against the earlier ones. */
static int check_event(const item_ctx_t *c, const ordo__fault_event_t *ev)
{
    static const char *const what[] = {
        [ORDO__FAULT_EV_CRASH] = "crash",
        [ORDO__FAULT_EV_SKEW] = "skew",
        [ORDO__FAULT_EV_DRIFT] = "drift",
        [ORDO__FAULT_EV_SLOW] = "slow",
    };
    const ordo__fault_spec_t *spec = c->spec;
    for (int i = 0; i < spec->nevents; i++) {
        const ordo__fault_event_t *old = &spec->events[i];
        if (same_event(spec, old, ev)) {
            snprintf(c->why, c->len, "%s given twice", c->item);
            return -1;
        }
        if (old->kind == ev->kind && old->rank == ev->rank &&
            (ev->kind == ORDO__FAULT_EV_CRASH || ev->kind == ORDO__FAULT_EV_SKEW ||
             ev->kind == ORDO__FAULT_EV_DRIFT || ev->kind == ORDO__FAULT_EV_SLOW))
            return refuse(c, "rank %d already has a %s (at most one per rank)", ev->rank,
                          what[ev->kind]);
    }
    return 0;
}

static int parse_event(const item_ctx_t *c, ordo__fault_event_kind_t kind, char *v)
{
    ordo__fault_spec_t *spec = c->spec;
    if (spec->nevents == ORDO__FAULT_EVENTS_MAX)
        return refuse(c, "more than %d events (partition, crash, pause, skew, drift, slow) in all",
                      ORDO__FAULT_EVENTS_MAX);
    ordo__fault_event_t ev = {.kind = kind, .rank = -1};
    int nranges = spec->nranges, s;
    switch (kind) {
    case ORDO__FAULT_EV_PARTITION:
        s = parse_partition(c, v, &ev);
        break;
    case ORDO__FAULT_EV_CRASH:
    case ORDO__FAULT_EV_PAUSE:
        s = parse_rank_at(c, v, &ev);
        break;
    case ORDO__FAULT_EV_SLOW:
        s = parse_slow(c, v, &ev);
        break;
    default:
        s = parse_rank_value(c, v, &ev);
        break;
    }
    if (s == 0)
        s = check_event(c, &ev);
    if (s) {
        spec->nranges = nranges;
        return -1;
    }
    spec->events[spec->nevents++] = ev;
    return 0;
}

/* One item, "key=value" (nul-terminated, as given); scratch is as long. */
static int parse_item(ordo__fault_spec_t *spec, int n, const char *item, char *scratch, char *why,
                      size_t len)
{
    static const struct {
        const char *key;
        ordo__fault_event_kind_t kind;
    } events[] = {
        {"partition", ORDO__FAULT_EV_PARTITION}, {"crash", ORDO__FAULT_EV_CRASH},
        {"pause", ORDO__FAULT_EV_PAUSE},         {"skew", ORDO__FAULT_EV_SKEW},
        {"drift", ORDO__FAULT_EV_DRIFT},         {"slow", ORDO__FAULT_EV_SLOW},
    };
    item_ctx_t c = {spec, item, why, len};
    if (!*item) {
        snprintf(why, len, "item %d is empty", n);
        return -1;
    }
    const char *eq = strchr(item, '=');
    if (!eq) {
        snprintf(why, len, "item %d '%s' is not key=value", n, item);
        return -1;
    }
    size_t klen = (size_t)(eq - item);
    char *v = strcpy(scratch, eq + 1);
#define IS(k) (klen == strlen(k) && !strncmp(item, k, klen))
    if (IS("drop"))
        return parse_prob_item(&c, "drop", v, &spec->drop, &spec->drop_when,
                               ORDO__FAULT_GIVEN_DROP);
    if (IS("dup"))
        return parse_prob_item(&c, "dup", v, &spec->dup, &spec->dup_when, ORDO__FAULT_GIVEN_DUP);
    if (IS("delay"))
        return parse_delay(&c, v);
    if (IS("seed"))
        return parse_seed(&c, v);
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
        if (IS(events[i].key))
            return parse_event(&c, events[i].kind, v);
#undef IS
    snprintf(why, len, "unknown key '%.*s' (known: %s)", klen < 64 ? (int)klen : 64, item, KNOWN);
    return -1;
}

/* Where the item at s ends: at the first comma not followed by a digit
 * (a comma and a digit go on a partition's rank list), or at the end. */
static char *item_end(char *s)
{
    while (*s && !(*s == ',' && !(s[1] >= '0' && s[1] <= '9')))
        s++;
    return s;
}

int ordo__fault_parse(const char *s, ordo__fault_spec_t *spec, char *why, size_t len)
{
    static const ordo__fault_window_t always = {0, ORDO__FAULT_FOREVER};
    char buf[ORDO__FAULT_SPEC_MAX + 1], scratch[ORDO__FAULT_SPEC_MAX + 1];
    ordo__fault_spec_t tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.drop_when = tmp.dup_when = tmp.delay_when = always;
    if (*s && strcmp(s, "none") != 0) {
        if (strlen(s) > ORDO__FAULT_SPEC_MAX) {
            snprintf(why, len, "longer than %d characters", ORDO__FAULT_SPEC_MAX);
            return -1;
        }
        strcpy(buf, s);
        char *item = buf;
        for (int n = 1;; n++) {
            char *end = item_end(item);
            int last = *end == '\0';
            *end = '\0';
            if (parse_item(&tmp, n, item, scratch, why, len))
                return -1;
            if (last)
                break;
            item = end + 1;
        }
    }
    tmp.enabled = tmp.drop > 0 || tmp.dup > 0 || tmp.delay > 0 || tmp.nevents > 0;
    *spec = tmp;
    return 0;
}

/* ---- printing back ------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, used;
} out_t;

__attribute__((format(printf, 2, 3))) static void put(out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, o->used < o->len ? o->len - o->used : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n;
}

/* The shortest %g that reads back as the same double. */
static void put_prob(out_t *o, double p)
{
    char s[32];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(s, sizeof(s), "%.*g", prec, p);
        double back;
        if (ordo__parse_prob(s, &back) == 0 && back == p)
            break;
    }
    put(o, "%s", s);
}

/* Whole seconds, else from a second on in seconds with a fraction (1.5s),
 * else in the largest unit that keeps it whole (ms, us), else in seconds. */
static void put_time(out_t *o, uint64_t ns)
{
    uint64_t sec = ns / 1000000000u, frac = ns % 1000000000u;
    if (frac && sec == 0 && ns % 1000000u == 0)
        put(o, "%" PRIu64 "ms", ns / 1000000u);
    else if (frac && sec == 0 && ns % 1000u == 0)
        put(o, "%" PRIu64 "us", ns / 1000u);
    else if (frac) {
        char digits[16];
        snprintf(digits, sizeof(digits), "%09" PRIu64, frac);
        size_t l = strlen(digits);
        while (digits[l - 1] == '0')
            digits[--l] = '\0';
        put(o, "%" PRIu64 ".%ss", sec, digits);
    } else
        put(o, "%" PRIu64 "s", sec);
}

static void put_window(out_t *o, const ordo__fault_window_t *w)
{
    put_time(o, w->start_ns);
    put(o, "-");
    if (w->end_ns != ORDO__FAULT_FOREVER)
        put_time(o, w->end_ns);
}

/* "@W" unless the window is [0, forever). */
static void put_opt_window(out_t *o, const ordo__fault_window_t *w)
{
    if (w->start_ns == 0 && w->end_ns == ORDO__FAULT_FOREVER)
        return;
    put(o, "@");
    put_window(o, w);
}

static void put_groups(out_t *o, const ordo__fault_spec_t *spec, const ordo__fault_event_t *ev)
{
    for (uint32_t g = 0; g < ev->ngroups; g++) {
        const char *sep = g ? "|" : "";
        for (int i = 0; i < ev->nranges; i++) {
            const ordo__fault_range_t *r = &spec->ranges[ev->first + i];
            if (r->group != g)
                continue;
            put(o, "%s%" PRIu32, sep, r->lo);
            if (r->hi != r->lo)
                put(o, "-%" PRIu32, r->hi);
            sep = ",";
        }
    }
}

static void put_event(out_t *o, const ordo__fault_spec_t *spec, const ordo__fault_event_t *ev)
{
    switch (ev->kind) {
    case ORDO__FAULT_EV_PARTITION:
        put(o, "partition=");
        if (ev->ring)
            put(o, "ring");
        put_groups(o, spec, ev);
        put(o, "@");
        put_window(o, &ev->when);
        break;
    case ORDO__FAULT_EV_CRASH:
        put(o, "crash=%d@", ev->rank);
        put_time(o, ev->when.start_ns);
        break;
    case ORDO__FAULT_EV_PAUSE:
        put(o, "pause=%d@", ev->rank);
        put_window(o, &ev->when);
        break;
    case ORDO__FAULT_EV_SKEW:
        put(o, "skew=%d:%" PRId64, ev->rank, ev->value);
        break;
    case ORDO__FAULT_EV_DRIFT:
        put(o, "drift=%d:%" PRId64, ev->rank, ev->value);
        break;
    case ORDO__FAULT_EV_SLOW:
        put(o, "slow=%d:%" PRId64, ev->rank, ev->value);
        put_opt_window(o, &ev->when);
        break;
    }
}

void ordo__fault_format(const ordo__fault_spec_t *spec, char *buf, size_t len)
{
    out_t o = {buf, len, 0};
    const char *sep = "";
    if (len)
        buf[0] = '\0';
    if (spec->given & ORDO__FAULT_GIVEN_DROP) {
        put(&o, "drop=");
        put_prob(&o, spec->drop);
        put_opt_window(&o, &spec->drop_when);
        sep = ",";
    }
    if (spec->given & ORDO__FAULT_GIVEN_DUP) {
        put(&o, "%sdup=", sep);
        put_prob(&o, spec->dup);
        put_opt_window(&o, &spec->dup_when);
        sep = ",";
    }
    if (spec->given & ORDO__FAULT_GIVEN_DELAY) {
        put(&o, "%sdelay=", sep);
        put_prob(&o, spec->delay);
        put(&o, ":%" PRIu64, spec->delay_us);
        put_opt_window(&o, &spec->delay_when);
        sep = ",";
    }
    if (spec->given & ORDO__FAULT_GIVEN_SEED) {
        put(&o, "%sseed=%" PRIu64, sep, spec->seed);
        sep = ",";
    }
    for (int i = 0; i < spec->nevents; i++) {
        put(&o, "%s", sep);
        put_event(&o, spec, &spec->events[i]);
        sep = ",";
    }
    if (!o.used)
        put(&o, "none");
}

int ordo__fault_check_ranks(const ordo__fault_spec_t *spec, int nranks, char *why, size_t len)
{
    char item[256];
    for (int i = 0; i < spec->nevents; i++) {
        const ordo__fault_event_t *ev = &spec->events[i];
        int worst = ev->rank;
        for (int r = 0; r < ev->nranges; r++)
            if ((int)spec->ranges[ev->first + r].hi > worst)
                worst = (int)spec->ranges[ev->first + r].hi;
        if (worst < nranks)
            continue;
        out_t o = {item, sizeof(item), 0};
        put_event(&o, spec, ev);
        snprintf(why, len, "%s: rank %d does not exist (the job has %d rank%s, 0 to %d)", item,
                 worst, nranks, nranks == 1 ? "" : "s", nranks - 1);
        return -1;
    }
    return 0;
}
