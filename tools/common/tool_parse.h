/*
 * tool_parse.h - reading numbers in the offline tools' inputs and options
 * (ordo-trace, ordo-lincheck): strict, nothing before or after.
 */
#ifndef ORDO_TOOLS_TOOL_PARSE_H
#define ORDO_TOOLS_TOOL_PARSE_H

#include <stdint.h>

/* s as a decimal number: 0; -1 if it is not one (empty, a sign, a space,
 * any other character), -2 if it does not fit in 64 bits. */
static inline int tool_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

#endif
