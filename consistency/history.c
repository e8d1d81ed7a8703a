/*
 * history.c - per-object operation histories (history.h): one file per
 * register set or lock and rank, an invoke and a completion line per
 * operation, buffered, flushed at every invoke and every completion so that
 * a rank that crashes leaves every operation it started on disk: one that
 * never completed reads as info (it may have taken effect: a write whose
 * messages went out before the crash may be read later, and a history
 * without its invoke would show a value nobody wrote).
 */
#include "ordo_config.h"

#include "consistency/history.h"
#include "consistency/quorum.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct ordo__hist_file {
    FILE *f;
    int json;
    /* Processes: rank + size * k for k = 0, 1, ...; free ones are reused
     * (lowest first), one that ended in info never is. */
    uint64_t next_k;
    uint64_t *free;
    size_t nfree, cap;
};

static const char *const type_name[] = {"ok", "fail", "info"};

ordo__hist_file_t *ordo__hist_open(const char *kind, uint32_t id)
{
    const char *dir = ordo__quorum_cfg.history;
    if (!*dir)
        return NULL;
    int json = ordo__quorum_cfg.history_format == 1;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        ordo_log_error("ORDO_HISTORY=%s: cannot create the directory: %s", dir, strerror(errno));
        return NULL;
    }
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s-%u.%d.%s", dir, kind, (unsigned)id, ordo__rt.rank,
             json ? "jsonl" : "edn");
    ordo__hist_file_t *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->f = fopen(path, "w");
    if (!h->f) {
        ordo_log_error("ORDO_HISTORY: cannot write %s: %s (no history for it)", path,
                       strerror(errno));
        free(h);
        return NULL;
    }
    h->json = json;
    return h;
}

void ordo__hist_close(ordo__hist_file_t *h)
{
    if (!h)
        return;
    if (fclose(h->f) != 0)
        ordo_log_error("ORDO_HISTORY: closing a history: %s", strerror(errno));
    free(h->free);
    free(h);
}

uint64_t ordo__hist_value(const void *val, size_t len)
{
    uint64_t v = 0;
    const uint8_t *b = val;
    for (size_t i = 0; i < len && i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put(ordo__hist_file_t *h, uint64_t process, const char *type, const char *f,
                uint64_t key, int has_value, uint64_t value)
{
    char v[24];
    uint64_t t = now_ns();
    if (has_value)
        snprintf(v, sizeof(v), "%llu", (unsigned long long)value);
    else
        strcpy(v, h->json ? "null" : "nil");
    if (h->json)
        fprintf(h->f,
                "{\"process\":%llu,\"type\":\"%s\",\"f\":\"%s\",\"key\":%llu,\"value\":%s,"
                "\"time\":%llu}\n",
                (unsigned long long)process, type, f, (unsigned long long)key, v,
                (unsigned long long)t);
    else
        fprintf(h->f, "{:process %llu, :type :%s, :f :%s, :key %llu, :value %s, :time %llu}\n",
                (unsigned long long)process, type, f, (unsigned long long)key, v,
                (unsigned long long)t);
}

uint64_t ordo__hist_invoke(ordo__hist_file_t *h, const char *f, uint64_t key, int has_value,
                           uint64_t value)
{
    if (!h)
        return 0;
    uint64_t process;
    if (h->nfree) {
        size_t lo = 0; /* the lowest free process: histories stay readable */
        for (size_t i = 1; i < h->nfree; i++)
            if (h->free[i] < h->free[lo])
                lo = i;
        process = h->free[lo];
        h->free[lo] = h->free[--h->nfree];
    } else {
        process = (uint64_t)ordo__rt.rank + (uint64_t)ordo__rt.size * h->next_k++;
    }
    put(h, process, "invoke", f, key, has_value, value);
    fflush(h->f); /* before the operation's messages go out */
    return process;
}

void ordo__hist_complete(ordo__hist_file_t *h, uint64_t process, ordo__hist_type_t type,
                         const char *f, uint64_t key, int has_value, uint64_t value)
{
    if (!h)
        return;
    put(h, process, type_name[type], f, key, has_value, value);
    fflush(h->f);
    if (type == ORDO__HIST_INFO)
        return; /* Jepsen: a process whose operation's outcome is unknown is done */
    if (h->nfree == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        uint64_t *p = realloc(h->free, cap * sizeof(*p));
        if (!p)
            return; /* the process is not reused: harmless */
        h->free = p;
        h->cap = cap;
    }
    h->free[h->nfree++] = process;
}

ordo__hist_type_t ordo__hist_type(int status, int maybe_applied)
{
    if (status == ORDO_OK)
        return ORDO__HIST_OK;
    return maybe_applied ? ORDO__HIST_INFO : ORDO__HIST_FAIL;
}
