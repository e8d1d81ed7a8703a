/*
 * parse.c - strict parsers of one value each (parse.h).  Every parser
 * checks the characters itself before it converts anything, so what the C
 * library would also take (spaces, signs, 0x, nan, inf, trailing junk) is
 * refused.
 */
#include "ordo_config.h"

#include "runtime/parse.h"

#include <stdlib.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* One or more decimal digits at *p into *v; *p moves past them.  -1 if
 * there is no digit or the number does not fit in 64 bits. */
static int scan_digits(const char **p, uint64_t *v)
{
    const char *q = *p;
    uint64_t x = 0;
    if (!is_digit(*q))
        return -1;
    for (; is_digit(*q); q++) {
        unsigned d = (unsigned)(*q - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *p = q;
    *v = x;
    return 0;
}

int ordo__parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (scan_digits(&s, &v) || *s || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int ordo__parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v;
    unsigned shift = 0;
    if (scan_digits(&s, &v))
        return -1;
    switch (*s) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    default:
        return -1;
    }
    if (shift && *++s)
        return -1;
    if (v > (UINT64_MAX >> shift))
        return -1;
    v <<= shift;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* [digits] ['.' digits], at least one digit in all: moves *p past it. */
static int scan_decimal(const char **p)
{
    const char *q = *p;
    int digits = 0;
    for (; is_digit(*q); q++)
        digits++;
    if (*q == '.') {
        if (!is_digit(q[1]))
            return -1;
        for (q++; is_digit(*q); q++)
            digits++;
    }
    if (!digits)
        return -1;
    *p = q;
    return 0;
}

int ordo__parse_prob(const char *s, double *out)
{
    const char *p = s;
    if (scan_decimal(&p))
        return -1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return -1;
        while (is_digit(*p))
            p++;
    }
    if (*p)
        return -1;
    /* Only [0-9.eE+-] from here: strtod reads exactly what was checked
     * (or less, under a locale whose decimal point is not '.': refused). */
    char *end;
    double x = strtod(s, &end);
    if (end != p || !(x >= 0.0 && x <= 1.0))
        return -1;
    *out = x;
    return 0;
}

int ordo__parse_duration_ns(const char *s, uint64_t *out)
{
    const char *p = s;
    uint64_t whole = 0, unit, ns;
    if (scan_decimal(&p))
        return -1;
    if (p[0] == 'u' && p[1] == 's' && !p[2])
        unit = 1000;
    else if (p[0] == 'm' && p[1] == 's' && !p[2])
        unit = 1000000;
    else if (p[0] == 's' && !p[1])
        unit = 1000000000;
    else
        return -1;
    const char *q = s;
    if (is_digit(*q) && scan_digits(&q, &whole))
        return -1;
    if (whole > ORDO__PARSE_DURATION_MAX_NS / unit)
        return -1;
    ns = whole * unit;
    if (*q == '.') {
        uint64_t scale = unit / 10;
        for (q++; is_digit(*q); q++) {
            unsigned d = (unsigned)(*q - '0');
            if (!scale && d) /* finer than a nanosecond */
                return -1;
            ns += d * scale;
            scale /= 10;
        }
    }
    if (ns > ORDO__PARSE_DURATION_MAX_NS)
        return -1;
    *out = ns;
    return 0;
}

int ordo__parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    int neg = *s == '-';
    uint64_t mag;
    int64_t v;
    if (*s == '-' || *s == '+')
        s++;
    if (scan_digits(&s, &mag) || *s)
        return -1;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return -1;
        v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return -1;
        v = (int64_t)mag;
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
