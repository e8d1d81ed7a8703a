/* log.h - the runtime's logger: level from ORDO_LOG, rank and time on every line. */
#ifndef ORDO_RUNTIME_LOG_H
#define ORDO_RUNTIME_LOG_H

#include <stdarg.h>

typedef enum {
    ORDO__LOG_ERROR = 0,
    ORDO__LOG_WARN = 1,
    ORDO__LOG_INFO = 2,
    ORDO__LOG_DEBUG = 3,
} ordo__log_level_t;

/* Messages above this level are compiled out. */
#ifndef ORDO_LOG_MAX_LEVEL
#define ORDO_LOG_MAX_LEVEL ORDO__LOG_DEBUG
#endif

extern int ordo__log_level;

void ordo__log_set_rank(int rank);
void ordo__log(ordo__log_level_t level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *ordo__log_level_name(ordo__log_level_t level);

#define ORDO__LOG_AT(_level, ...)                                                                  \
    do {                                                                                           \
        if ((_level) <= ORDO_LOG_MAX_LEVEL && (int)(_level) <= ordo__log_level)                    \
            ordo__log((_level), __FILE__, __LINE__, __VA_ARGS__);                                  \
    } while (0)

#define ordo_log_error(...) ORDO__LOG_AT(ORDO__LOG_ERROR, __VA_ARGS__)
#define ordo_log_warn(...)  ORDO__LOG_AT(ORDO__LOG_WARN, __VA_ARGS__)
#define ordo_log_info(...)  ORDO__LOG_AT(ORDO__LOG_INFO, __VA_ARGS__)
#define ordo_log_debug(...) ORDO__LOG_AT(ORDO__LOG_DEBUG, __VA_ARGS__)

#endif
