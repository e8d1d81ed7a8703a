/*
 * parse.h - strict parsers of one value each, for the ORDO_* variables and
 * the items of ORDO_FAULT.  Each takes the whole NUL-terminated string (no
 * leading or trailing spaces, nothing after the value), never reads past
 * its end, writes *out only on success and returns 0, else -1.
 */
#ifndef ORDO_RUNTIME_PARSE_H
#define ORDO_RUNTIME_PARSE_H

#include <stdint.h>

/* Decimal digits only (no sign, no 0x, not empty), in [min, max]. */
int ordo__parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Decimal digits with an optional single suffix K, M or G (also k, m, g:
 * times 2^10, 2^20, 2^30) and nothing after it, in [min, max]. */
int ordo__parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A probability: a decimal number from 0 to 1 (0, 1, 0.25, .5, 1e-3); no
 * sign, nan, inf or hexadecimal. */
int ordo__parse_prob(const char *s, double *out);
/* A duration in nanoseconds: an integer or a decimal number and a unit,
 * us, ms or s (250us, 500ms, 2s, 1.5s), at most one day; the unit is
 * required and the value must be a whole number of nanoseconds. */
int ordo__parse_duration_ns(const char *s, uint64_t *out);
/* A signed decimal integer (an optional - or +, then digits), in [min, max]. */
int ordo__parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* The longest duration ordo__parse_duration_ns accepts: one day. */
#define ORDO__PARSE_DURATION_MAX_NS (86400ull * 1000000000ull)

#endif
