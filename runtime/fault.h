/*
 * fault.h - fault injection (ORDO_FAULT): the spec, its parser, and the
 * queries the message layer, progress and the clocks ask.
 *
 * ORDO_FAULT is "none" (or empty), or items separated by commas; an item
 * starts at a comma followed by anything but a digit (the rank lists of a
 * partition contain commas too):
 *
 *   drop=P[@W]        lose a message with probability P
 *   dup=P[@W]         send a message twice with probability P
 *   delay=P:US[@W]    hold a message back up to US microseconds (so reorder)
 *   seed=N            the generator's seed (per rank: seed and rank)
 *   partition=G@W     ranks in different groups cannot reach each other:
 *                     G is groups separated by |, each a comma list of
 *                     ranks and ranges a-b (0,1|2-4); at least 2 groups, a
 *                     rank in one only; the ranks no group lists form one
 *                     more group together
 *   partition=ring@W  a ring (Jepsen's majorities-ring): each rank reaches
 *                     the ranks within ring distance ceil(floor(N/2) / 2)
 *                     of it, so itself and at least floor(N/2) others (a
 *                     majority), and no two ranks the same majority
 *   crash=R@T         rank R kills itself (SIGKILL) at time T
 *   pause=R@W         rank R's progress and failure detector stop during W
 *   skew=R:US         rank R's physical clock is off by US microseconds
 *                     (signed, at most 3600000000 either way)
 *   drift=R:PPM       rank R's physical clock runs fast (or, negative,
 *                     slow) by PPM parts per million (at most 100000)
 *   slow=R:US[@W]     every message rank R sends that delay may hold back
 *                     is held back exactly US microseconds (1 to 10000000):
 *                     a replica, or a link, of its own latency
 *
 * W, a window, is T1-T2 (T2 after T1) or T1- (from T1 on); T is a duration
 * (250us, 500ms, 2s, 1.5s; at most a day) counted from the end of ordo_init
 * on each rank.  drop, dup, delay and seed at most once each;
 * partition, crash, pause, skew, drift and slow at most
 * ORDO__FAULT_EVENTS_MAX in all, crash, skew, drift and slow at most once
 * per rank, no item twice.
 */
#ifndef ORDO_RUNTIME_FAULT_H
#define ORDO_RUNTIME_FAULT_H

#include <stddef.h>
#include <stdint.h>

/* Longest ORDO_FAULT value, in characters. */
#define ORDO__FAULT_SPEC_MAX 1024
/* partition, crash, pause, skew, drift and slow items, in all. */
#define ORDO__FAULT_EVENTS_MAX 16
/* Ranks and ranges a-b in the groups of all partitions. */
#define ORDO__FAULT_RANGES_MAX 64
/* Largest rank an item may name. */
#define ORDO__FAULT_RANK_MAX 1000000
/* The end of a window T1- (it never ends). */
#define ORDO__FAULT_FOREVER UINT64_MAX

/* [start_ns, end_ns) from the end of ordo_init. */
typedef struct ordo__fault_window {
    uint64_t start_ns;
    uint64_t end_ns; /* ORDO__FAULT_FOREVER: no end */
} ordo__fault_window_t;

typedef enum {
    ORDO__FAULT_EV_PARTITION,
    ORDO__FAULT_EV_CRASH,
    ORDO__FAULT_EV_PAUSE,
    ORDO__FAULT_EV_SKEW,
    ORDO__FAULT_EV_DRIFT,
    ORDO__FAULT_EV_SLOW,
} ordo__fault_event_kind_t;

/* Ranks lo..hi of a partition's group. */
typedef struct ordo__fault_range {
    uint32_t lo, hi;
    uint32_t group; /* from 0 */
} ordo__fault_range_t;

typedef struct ordo__fault_event {
    ordo__fault_event_kind_t kind;
    int rank;                  /* crash, pause, skew, drift, slow */
    ordo__fault_window_t when; /* partition, pause, slow; crash: start_ns is the time */
    int64_t value;             /* skew, slow: microseconds; drift: parts per million */
    uint16_t first, nranges;   /* partition: its ranges in spec->ranges */
    uint16_t ngroups;          /* partition: groups listed (the unlisted ranks: one more) */
    uint8_t ring;              /* partition=ring: no groups, cuts by ring distance */
} ordo__fault_event_t;

/* Bits of ordo__fault_spec_t.given: the keys that may appear once. */
enum {
    ORDO__FAULT_GIVEN_DROP = 1u << 0,
    ORDO__FAULT_GIVEN_DUP = 1u << 1,
    ORDO__FAULT_GIVEN_DELAY = 1u << 2,
    ORDO__FAULT_GIVEN_SEED = 1u << 3,
};

typedef struct ordo__fault_spec {
    double drop;       /* probability a message is lost */
    double dup;        /* probability a message is sent twice */
    double delay;      /* probability a message is held back ... */
    uint64_t delay_us; /* ... for up to this many microseconds (uniform) */
    uint64_t seed;     /* same seed, same faults (per rank: seed and rank) */
    ordo__fault_window_t drop_when, dup_when, delay_when; /* [0, forever) if none given */
    unsigned given;                                       /* ORDO__FAULT_GIVEN_* */
    int nevents;
    ordo__fault_event_t events[ORDO__FAULT_EVENTS_MAX];
    int nranges;
    ordo__fault_range_t ranges[ORDO__FAULT_RANGES_MAX];
    int enabled; /* any fault at all (drop, dup or delay above 0, or an event) */
} ordo__fault_spec_t;

/* Parse ORDO_FAULT ("" or "none": no fault).  On error returns -1, leaves
 * spec alone and says in why which part is wrong and what is expected. */
int ordo__fault_parse(const char *s, ordo__fault_spec_t *spec, char *why, size_t len);
/* The spec in the same grammar ("none" if empty): drop, dup, delay, seed,
 * then the events in the order given. */
void ordo__fault_format(const ordo__fault_spec_t *spec, char *buf, size_t len);
/* -1 (and why) if an item names a rank >= nranks. */
int ordo__fault_check_ranks(const ordo__fault_spec_t *spec, int nranks, char *why, size_t len);

typedef enum {
    ORDO__FAULT_PASS,
    ORDO__FAULT_DROP,
    ORDO__FAULT_DUP,
    ORDO__FAULT_DELAY,
    ORDO__FAULT_CUT, /* dropped: a partition separates sender and receiver */
} ordo__fault_action_t;

/* Times below are ordo__now_ns() (clock.h); origin_ns is its value at the
 * end of ordo_init, from which the spec's times count; nranks (the job's
 * size) places the ranks of a ring partition.  Until this is called (and
 * after ordo__fault_fini) no fault is active. */
void ordo__fault_init(const ordo__fault_spec_t *spec, int rank, int nranks, uint64_t origin_ns);
void ordo__fault_fini(void);
/* 1 once ordo__fault_init has run with any fault at all configured for
 * this job (any thread may ask: the failure detector's does). */
extern __attribute__((visibility("hidden"))) int ordo__fault_started;
static inline int ordo__fault_active(void)
{
    return __atomic_load_n(&ordo__fault_started, __ATOMIC_ACQUIRE);
}
/* What to do with the next message (drop, dup, delay, each within its
 * window).  Seeded: one draw per message, so the same seed, rank and
 * message order give the same faults (slow draws nothing).  *delay_ns is
 * always set: for ORDO__FAULT_DELAY, the hold (delay's draw plus this
 * rank's slow hold); for any other action, this rank's slow hold at now_ns
 * (0: none), which a DUP's two copies wait for, and which a caller that
 * turns the action into a pass applies as a DELAY. */
ordo__fault_action_t ordo__fault_next(uint64_t now_ns, uint64_t *delay_ns);
/* 1 if a partition active at now_ns puts this rank and peer in different
 * groups (or, a ring, farther apart than its reach). */
int ordo__fault_cut(int peer, uint64_t now_ns);
/* When this rank must crash, UINT64_MAX if never. */
uint64_t ordo__fault_crash_at(void);
/* 1 if this rank is in a pause window at now_ns; *until_ns its end
 * (UINT64_MAX: it never ends). */
int ordo__fault_paused(uint64_t now_ns, uint64_t *until_ns);
/* The first time after now_ns at which a partition or a pause of this rank
 * starts or ends, or this rank's crash is due: UINT64_MAX if none (the
 * windows of drop, dup, delay and slow need no timer: every message asks). */
uint64_t ordo__fault_next_event_ns(uint64_t now_ns);
/* This rank's clock offset at now_ns: skew + drift * (now_ns - origin) / 1e6, in ns. */
int64_t ordo__fault_clock_offset_ns(uint64_t now_ns);

#endif
