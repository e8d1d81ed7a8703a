/*
 * gossip.h - push-pull gossip (gossip.c: the module, rounds and API;
 * gossip_wire.c: the wire format).  Internal to the collectives layer.
 *
 * A record is a rumour: data records (ordo_gossip_publish: origin rank,
 * seq, <= ORDO_GOSSIP_MAX_RECORD bytes) and membership records (rank X
 * failed, as the reporter's view had it at its epoch e).  A data record is
 * known by (origin, seq), a membership record by X: a rank keeps each once.
 *
 * Each round (a timer, run from progress) a rank that still spreads
 * something ("young" records: pushed in fewer than ORDO_GOSSIP_RETRANSMIT
 * rounds) calls ORDO_GOSSIP_FANOUT random live peers with a PUSH: its
 * digest (per origin, the first seq it does not know, for the origins of
 * which it knows any; a bitmap of the ranks whose failure record it holds)
 * and its young records.  The peer keeps what is new and answers with a
 * PULL: records it has that the digest says the pusher lacks, oldest first
 * (per origin by seq, origins in turn), as many as fit.  A rank with
 * nothing young runs no round and arms no timer: once every record has
 * stopped spreading, progress reads no clock for gossip.
 */
#ifndef ORDO_COLLECTIVES_GOSSIP_H
#define ORDO_COLLECTIVES_GOSSIP_H

#include "runtime/module.h"
#include "runtime/timer.h"

#include <ordo.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ordo__gossip_config {
    int enabled;         /* ORDO_GOSSIP */
    uint64_t fanout;     /* ORDO_GOSSIP_FANOUT */
    uint64_t period_ms;  /* ORDO_GOSSIP_PERIOD_MS */
    uint64_t retransmit; /* ORDO_GOSSIP_RETRANSMIT: 0 = 2 * ceil(log2(n + 1)) */
    uint64_t seed;       /* ORDO_GOSSIP_SEED: 0 = from the rank alone */
} ordo__gossip_config_t;
extern ordo__gossip_config_t ordo__gossip_cfg;

/* The gossip module (registered by lib/ordo.c after the collectives'). */
extern ordo__module_t ordo__gossip_module;

/* ---- the wire format ------------------------------------------------------- */

#define ORDO__GOSSIP_VERSION 1

enum { ORDO__GOSSIP_PUSH = 1, ORDO__GOSSIP_PULL = 2 };
enum { ORDO__GOSSIP_DATA = 0, ORDO__GOSSIP_MEMBER = 1 };

/* A message: header, ndigest digest entries, the failure bitmap (bitmap_len
 * bytes: 0, or (size + 7) / 8), nrec records (each a record header and its
 * data).  Fields in the host's byte order, as every ordo message. */
typedef struct ordo__gossip_hdr {
    uint8_t version; /* ORDO__GOSSIP_VERSION */
    uint8_t kind;    /* ORDO__GOSSIP_PUSH or _PULL */
    uint16_t nrec;
    uint32_t ndigest;
    uint32_t bitmap_len;
    uint32_t round; /* the sender's round (low bits; for logs) */
} ordo__gossip_hdr_t;

typedef struct ordo__gossip_digest {
    uint32_t origin;
    uint32_t pad;
    uint64_t next; /* every seq below it is known */
} ordo__gossip_digest_t;

typedef struct ordo__gossip_rec_hdr {
    uint32_t origin; /* data: the publisher; member: the failed rank */
    uint8_t kind;    /* ORDO__GOSSIP_DATA or _MEMBER */
    uint8_t pad;
    uint16_t len; /* bytes of data that follow */
    uint64_t seq; /* data: per origin from 0; member: the reporting rank */
    uint32_t hops;
    uint32_t age; /* rounds since it was published, counted along its path */
} ordo__gossip_rec_hdr_t;

/* Bytes of records one message carries at most (besides digest, bitmap). */
#define ORDO__GOSSIP_RECORD_BUDGET 16384

/* A record as a rank holds it. */
typedef struct ordo__gossip_rec {
    ordo__gossip_rec_hdr_t h; /* hops and age as learnt (own: 0, 0) */
    uint64_t round;           /* this rank's round when it learnt it */
    uint64_t idx;             /* data: its place in the order learnt (delivery) */
    uint32_t pushed;          /* rounds it was pushed in */
    uint8_t data[];
} ordo__gossip_rec_t;

/* A message parsed and checked (pointers into it: valid while it is). */
typedef struct ordo__gossip_view {
    ordo__gossip_hdr_t h;
    const uint8_t *digest; /* ndigest entries (unaligned) */
    const uint8_t *bitmap; /* bitmap_len bytes, or NULL */
    const uint8_t *recs;   /* the first record */
} ordo__gossip_view_t;

/* Check msg (len bytes) from a job of size ranks: version, kind, every
 * count and length, every rank in range, record sizes <= the maximum.
 * ORDO_OK and *v, or ORDO_ERR_MSG with why filled. */
int ordo__gossip_parse(const void *msg, size_t len, int size, ordo__gossip_view_t *v, char *why,
                       size_t why_len);
/* The next record of a parsed message: header copied to *h, *data points
 * at its bytes; returns the position after it. */
const uint8_t *ordo__gossip_next_rec(const uint8_t *p, ordo__gossip_rec_hdr_t *h,
                                     const uint8_t **data);
/* A digest entry of a parsed message. */
void ordo__gossip_digest_at(const ordo__gossip_view_t *v, uint32_t i, ordo__gossip_digest_t *d);

/* Building a message in buf (cap bytes): begin, the digest entries and the
 * bitmap (PUSH only), then records while they fit (add_rec: 0 if it does
 * not fit, nothing written), then end (the header's counts; returns the
 * length). */
typedef struct ordo__gossip_writer {
    uint8_t *buf;
    size_t cap, len;
    ordo__gossip_hdr_t h;
} ordo__gossip_writer_t;
void ordo__gossip_begin(ordo__gossip_writer_t *w, void *buf, size_t cap, int kind, uint32_t round);
void ordo__gossip_add_digest(ordo__gossip_writer_t *w, uint32_t origin, uint64_t next);
void ordo__gossip_add_bitmap(ordo__gossip_writer_t *w, const uint8_t *bitmap, uint32_t len);
int ordo__gossip_add_rec(ordo__gossip_writer_t *w, const ordo__gossip_rec_hdr_t *h,
                         const void *data);
size_t ordo__gossip_end(ordo__gossip_writer_t *w);

/* ---- the state (gossip.c: the protocol; gossip_api.c: calls and module) ---- */

/* Subscribers, as failure callbacks. */
#define ORDO__GOSSIP_SUBS_MAX 8

/* The records of one origin. */
typedef struct ordo__gossip_log {
    ordo__gossip_rec_t **rec; /* by seq; NULL: not known */
    uint64_t cap, next;       /* every seq below next is known */
} ordo__gossip_log_t;

/* A growing array of records. */
typedef struct ordo__gossip_vec {
    ordo__gossip_rec_t **v;
    size_t n, cap;
} ordo__gossip_vec_t;

typedef struct ordo__gossip {
    int on;       /* initialized, enabled, messages fit */
    int stopping; /* quiesced: no more rounds */
    unsigned id;
    int n, me;
    size_t msg_max;
    uint64_t retransmit, rng, round;
    ordo__timer_t timer;
    int round_due;
    ordo__gossip_log_t *log;     /* per origin */
    ordo__gossip_rec_t **member; /* per rank: its failure record */
    uint8_t *bitmap;             /* member[r] != NULL, as sent */
    int *pending_fail;           /* per rank: 1 + reporter of a failure to apply */
    int pending, pending_self;   /* any to apply; 1 + reporter of our own */
    char *inflight;              /* per peer: a call not ended */
    int ninflight, *cand;
    ordo__gossip_vec_t young, all; /* records spread; data records in the order learnt */
    size_t young_next, ndelivered;
    uint32_t reply_origin;
    uint8_t *scratch; /* a handler's answer */
    struct {
        ordo_gossip_cb_t cb;
        void *arg;
        size_t upto;
    } subs[ORDO__GOSSIP_SUBS_MAX];
    int nsubs;
    char *warned; /* per rank: a message of it was refused (warn once) */
    ordo_gossip_stats_t st;
} ordo__gossip_t;
extern ordo__gossip_t ordo__gossip;

/* gossip.c, for gossip_api.c: a record made (NULL: no memory); a data
 * record kept (not known yet); one looked up (NULL: not known). */
ordo__gossip_rec_t *ordo__gossip_rec_new(const ordo__gossip_rec_hdr_t *h, const void *data);
int ordo__gossip_store_data(ordo__gossip_rec_t *r);
ordo__gossip_rec_t *ordo__gossip_lookup(uint32_t origin, uint64_t seq);
/* The module's hooks, the handler and the round timer's callback. */
int ordo__gossip_handler(const ordo_rpc_msg_t *msg, void *arg);
void ordo__gossip_round_due(void *arg);
void ordo__gossip_progress(void);
void ordo__gossip_peer_failed(int peer, int status);
/* The records' holder is woken (delivery, failures to apply). */
void ordo__gossip_wake(void);

#endif
