/* log.c - one line per message on stderr:
 *   [2026-11-22 20:55:01.123456 ordo r3 pid 4242] warn: text (file.c:42)
 */
#include "ordo_config.h"

#include "runtime/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int ordo__log_level = ORDO__LOG_WARN;
static int log_rank = -1;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void ordo__log_set_rank(int rank)
{
    log_rank = rank;
}

const char *ordo__log_level_name(ordo__log_level_t level)
{
    return level_names[level];
}

void ordo__log(ordo__log_level_t level, const char *file, int line, const char *fmt, ...)
{
    char when[32], rank[16], text[1024];
    struct timeval tv;
    struct tm tm;
    va_list ap;

    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    if (log_rank >= 0)
        snprintf(rank, sizeof(rank), "r%d", log_rank);
    else
        snprintf(rank, sizeof(rank), "r?");
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    const char *base = strrchr(file, '/');
    /* One fprintf so that lines of concurrent ranks do not interleave. */
    fprintf(stderr, "[%s.%06ld ordo %s pid %d] %s: %s (%s:%d)\n", when, (long)tv.tv_usec, rank,
            (int)getpid(), level_names[level], text, base ? base + 1 : file, line);
}
