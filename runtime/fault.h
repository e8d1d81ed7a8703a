/* fault.h - seeded fault injection on the message path (ORDO_FAULT). */
#ifndef ORDO_RUNTIME_FAULT_H
#define ORDO_RUNTIME_FAULT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ordo__fault_spec {
    double drop;       /* probability a message is lost */
    double dup;        /* probability a message is sent twice */
    double delay;      /* probability a message is held back ... */
    uint64_t delay_us; /* ... for up to this many microseconds (uniform) */
    uint64_t seed;     /* same seed, same faults (per rank: seed + rank) */
    int enabled;
} ordo__fault_spec_t;

/* Parse "drop=P,dup=P,delay=P:US,seed=N" (any subset; "" or "none" = off).
 * On error returns -1 and says why in why. */
int ordo__fault_parse(const char *s, ordo__fault_spec_t *spec, char *why, size_t len);
void ordo__fault_format(const ordo__fault_spec_t *spec, char *buf, size_t len);

typedef enum {
    ORDO__FAULT_PASS,
    ORDO__FAULT_DROP,
    ORDO__FAULT_DUP,
    ORDO__FAULT_DELAY,
} ordo__fault_action_t;

/* Seed the generator of this rank. */
void ordo__fault_init(const ordo__fault_spec_t *spec, int rank);
/* What to do with the next message; *delay_ns for ORDO__FAULT_DELAY. */
ordo__fault_action_t ordo__fault_next(uint64_t *delay_ns);

#endif
