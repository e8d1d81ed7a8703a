/* fault.c - seeded fault injection: drop, duplicate, delay (and so reorder). */
#include "ordo_config.h"

#include "runtime/fault.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ordo__fault_spec_t active;
static uint64_t rng_state;

static int parse_prob(const char *v, double *p)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    /* Written so that NaN, which every comparison lets through, fails. */
    if (errno || end == v || (*end && *end != ':') || !(x >= 0 && x <= 1))
        return -1;
    *p = x;
    return 0;
}

int ordo__fault_parse(const char *s, ordo__fault_spec_t *spec, char *why, size_t len)
{
    char buf[256], *save = NULL;
    memset(spec, 0, sizeof(*spec));
    if (!*s || !strcmp(s, "none"))
        return 0;
    if (strlen(s) >= sizeof(buf)) {
        snprintf(why, len, "longer than %zu characters", sizeof(buf) - 1);
        return -1;
    }
    snprintf(buf, sizeof(buf), "%s", s);
    for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            snprintf(why, len, "'%s' is not key=value", kv);
            return -1;
        }
        *eq = '\0';
        const char *v = eq + 1;
        char *end;
        if (!strcmp(kv, "drop") || !strcmp(kv, "dup")) {
            if (parse_prob(v, !strcmp(kv, "drop") ? &spec->drop : &spec->dup) || strchr(v, ':')) {
                snprintf(why, len, "%s=%s: a probability from 0 to 1 is expected", kv, v);
                return -1;
            }
        } else if (!strcmp(kv, "delay")) {
            const char *colon = strchr(v, ':');
            errno = 0;
            if (parse_prob(v, &spec->delay) || !colon || colon[1] == '\0' || colon[1] == '-' ||
                (spec->delay_us = strtoull(colon + 1, &end, 10), errno || *end) ||
                spec->delay_us > 10000000) {
                snprintf(why, len,
                         "delay=%s: P:US expected (probability, then at most "
                         "10000000 microseconds)",
                         v);
                return -1;
            }
        } else if (!strcmp(kv, "seed")) {
            errno = 0;
            if (!*v || *v == '-' || (spec->seed = strtoull(v, &end, 10), errno || *end)) {
                snprintf(why, len, "seed=%s: a non-negative integer is expected", v);
                return -1;
            }
        } else {
            snprintf(why, len, "unknown key '%s' (known: drop, dup, delay, seed)", kv);
            return -1;
        }
    }
    spec->enabled = spec->drop > 0 || spec->dup > 0 || spec->delay > 0;
    return 0;
}

void ordo__fault_format(const ordo__fault_spec_t *spec, char *buf, size_t len)
{
    if (!spec->enabled)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "drop=%g,dup=%g,delay=%g:%" PRIu64 ",seed=%" PRIu64, spec->drop,
                 spec->dup, spec->delay, spec->delay_us, spec->seed);
}

void ordo__fault_init(const ordo__fault_spec_t *spec, int rank)
{
    active = *spec;
    /* splitmix64 of seed and rank: every rank its own, replayable stream */
    rng_state = spec->seed * 0x9e3779b97f4a7c15ull + (uint64_t)rank + 1;
}

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double next_unit(void)
{
    return (double)(next_u64() >> 11) / (double)(1ull << 53);
}

ordo__fault_action_t ordo__fault_next(uint64_t *delay_ns)
{
    if (!active.enabled)
        return ORDO__FAULT_PASS;
    double x = next_unit();
    if (x < active.drop)
        return ORDO__FAULT_DROP;
    x -= active.drop;
    if (x < active.dup)
        return ORDO__FAULT_DUP;
    x -= active.dup;
    if (x < active.delay) {
        *delay_ns = (uint64_t)(next_unit() * (double)active.delay_us * 1000.0);
        return ORDO__FAULT_DELAY;
    }
    return ORDO__FAULT_PASS;
}
