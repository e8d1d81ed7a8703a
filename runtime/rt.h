/* rt.h - the runtime's state and the services layers above use. */
#ifndef ORDO_RUNTIME_RT_H
#define ORDO_RUNTIME_RT_H

#include "runtime/config.h"
#include "runtime/module.h"
#include "runtime/timer.h"
#include "runtime/tl.h"
#include "runtime/topo.h"

#include <ordo.h>
#include <pthread.h>
#include <stdint.h>

/* Handler ids at and above ORDO_RPC_MAX_ID belong to ordo itself: handed
 * out by ordo__rpc_handler_add in the order of registration, which is the
 * same on every rank (the runtime's own, then the modules' in init order). */
#define ORDO__RPC_INTERNAL_IDS 64

/* Handler classes: what fault injection (ORDO_FAULT) may do to a handler's
 * messages.  The application's handlers are ORDO__RPC_F_FAULTS. */
/* Its requests and replies may be dropped, duplicated or held back
 * (retries and the exactly-once window make up for them). */
#define ORDO__RPC_F_FAULTS 0x1u
/* Its one-way messages may be held back or duplicated but not dropped:
 * the protocol stands reordering and repeats but never resends. */
#define ORDO__RPC_F_ONEWAY_NORESEND 0x2u

typedef struct ordo__rt_stats {
    uint64_t msgs_sent;
    uint64_t msgs_received;
    uint64_t malformed;    /* dropped: bad header */
    uint64_t no_handler;   /* one-way messages for an unregistered id */
    uint64_t late_replies; /* replies to calls that had timed out */
    uint64_t duplicates;   /* repeated requests answered from the exactly-once window */
    uint64_t retries;      /* requests sent again for want of a reply */
    uint64_t landed;       /* rendezvous payloads pulled straight into place (a lander) */
    uint64_t fault_dropped, fault_duplicated, fault_delayed; /* ORDO_FAULT's doing */
} ordo__rt_stats_t;

typedef struct ordo__rt {
    int initialized;
    int rank, size;
    ordo__config_t cfg;
    int cfg_origin[ORDO__CFG_MAX]; /* per entry of the runtime's table */
    int wait_mode;                 /* resolved: never ORDO__WAIT_AUTO */
    unsigned fast_polls;           /* ordo__wait_until's inline polls (wait_mode's) */
    const ordo__tl_ops_t *tl_ops;
    ordo__tl_t *tl;
    ordo__topo_t topo;
    char *peer_failed; /* one flag per rank */
    int npeers_failed;
    int finalizing;       /* in ordo_finalize: peers leaving is expected */
    int threaded;         /* a progress thread runs: take the lock */
    pthread_mutex_t lock; /* recursive; guards everything below the API */
    pthread_t progress_thread;
    volatile int progress_stop;
    ordo_rpc_model_t model;
    ordo__rt_stats_t stats;
} ordo__rt_t;

extern ordo__rt_t ordo__rt;

/* > 0 while a message handler runs on this thread (the application's, or the
 * progress thread): blocking calls from a handler are refused. */
/* Thread-local with the initial-exec model: a plain load off the thread
 * pointer, not a __tls_get_addr call per progress loop (libordo may still be
 * dlopen'ed: an int fits in the static TLS glibc keeps for that). */
#define ORDO__TLS __thread __attribute__((tls_model("initial-exec")))
extern ORDO__TLS int ordo__in_handler;

#define ORDO__CHECK_INIT()                                                                         \
    do {                                                                                           \
        if (!ordo__rt.initialized)                                                                 \
            return ORDO_ERR_NOT_INIT;                                                              \
    } while (0)

#define ORDO__LOCK()                                                                               \
    do {                                                                                           \
        if (ordo__rt.threaded)                                                                     \
            pthread_mutex_lock(&ordo__rt.lock);                                                    \
    } while (0)
#define ORDO__UNLOCK()                                                                             \
    do {                                                                                           \
        if (ordo__rt.threaded)                                                                     \
            pthread_mutex_unlock(&ordo__rt.lock);                                                  \
    } while (0)

/* Absolute deadline ORDO_TIMEOUT_MS from now. */
uint64_t ordo__deadline(void);

/* Reusable large buffers (buf.c): *cap is the buffer's class (0 below 4
 * KiB: plain malloc); give it back with the same cap; release at the end. */
void *ordo__buf_get(size_t len, size_t *cap);
void ordo__buf_put(void *p, size_t cap);
void ordo__buf_release(void);

/* Message layer (rpc_*.c; runtime/rpc_int.h says which file does what). */
int ordo__rpc_init(void);
void ordo__rpc_fini(void);
void ordo__rpc_recv(void *arg, const void *hdr, size_t hlen, const void *data, size_t len);
/* End every operation that waits for peer, with status (member.c calls it
 * when the view learns that peer failed, and again when the transport hands
 * back what it held). */
void ordo__rpc_peer_down(int peer, int status);
/* Register one of ordo's own handlers (name: for logs and ordo_info), of
 * class flags (ORDO__RPC_F_*); *id receives its id.  Every rank registers
 * the same handlers in the same order, so ids agree. */
int ordo__rpc_handler_add(const char *name, ordo_rpc_cb_t cb, void *arg, unsigned flags,
                          unsigned *id);
/* The id of ordo's handler called name (ORDO_ERR_NO_HANDLER: none). */
int ordo__rpc_handler_id(const char *name, unsigned *id);
/* Like ordo_rpc_send / ordo_rpc_call, for ordo's own handler ids too. */
int ordo__rpc_send(int dest, unsigned id, const void *msg, size_t len);
/* A one-way message to one of ordo's own handler ids, prefix and payload
 * (pre_len + len bytes, small) copied into one short-form packet the
 * transport takes at once: ORDO_OK when it left (the buffers are free at
 * once), ORDO__AGAIN when the short path does not apply (fault injection,
 * retries, other clocks, too large, a failed peer) or the transport cannot
 * take it now: nothing was sent, use ordo__rpc_send_pre_nb_cb.  Other
 * errors: the transport's. */
int ordo__rpc_send_now(int dest, unsigned id, const void *pre, size_t pre_len, const void *msg,
                       size_t len);
int ordo__rpc_call(int dest, unsigned id, const void *req, size_t len, void *reply, size_t cap,
                   size_t *reply_len);
/* Non-blocking forms for ordo's own ids: a request to wait for, or a
 * callback (then the runtime frees the request).  req / msg must stay valid
 * until completion.  A callback must not start new messages: it runs inside
 * progress, possibly while the message layer walks its requests. */
int ordo__rpc_call_nb(int dest, unsigned id, const void *req, size_t len, void *reply, size_t cap,
                      ordo_request_t **out);
int ordo__rpc_call_nb_cb(int dest, unsigned id, const void *req, size_t len, ordo_request_cb_t cb,
                         void *arg);
int ordo__rpc_send_nb_cb(int dest, unsigned id, const void *msg, size_t len, ordo_request_cb_t cb,
                         void *arg);
/* A call whose reply lands in reply (cap bytes) and whose callback then
 * runs (ordo_request_reply_len(req) gives the reply's length there). */
int ordo__rpc_call_nb_reply_cb(int dest, unsigned id, const void *req, size_t len, void *reply,
                               size_t cap, ordo_request_cb_t cb, void *arg);
/* Calls whose request is a prefix of at most ORDO__RPC_PREFIX_MAX bytes
 * (copied: it may be on the stack) and a payload (not copied, sent from
 * where it is: eager, or pulled by the receiver from the caller's memory).
 * The handler sees the payload as msg->data and the prefix through
 * ordo__rpc_msg_prefix. */
#define ORDO__RPC_PREFIX_MAX 64
int ordo__rpc_call_pre(int dest, unsigned id, const void *pre, size_t pre_len, const void *payload,
                       size_t len, void *reply, size_t cap, size_t *reply_len);
int ordo__rpc_call_pre_nb(int dest, unsigned id, const void *pre, size_t pre_len,
                          const void *payload, size_t len, void *reply, size_t cap,
                          ordo_request_t **out);
int ordo__rpc_call_pre_nb_cb(int dest, unsigned id, const void *pre, size_t pre_len,
                             const void *payload, size_t len, ordo_request_cb_t cb, void *arg);
/* A one-way message of a prefix (copied) and a payload (not copied: it
 * must stay valid until cb runs). */
int ordo__rpc_send_pre_nb_cb(int dest, unsigned id, const void *pre, size_t pre_len,
                             const void *payload, size_t len, ordo_request_cb_t cb, void *arg);
/* The prefix of the message being handled (NULL and 0 if none). */
const void *ordo__rpc_msg_prefix(const ordo_rpc_msg_t *msg, size_t *len);
/* A lander says where a request's or one-way message's rendezvous payload
 * of len bytes goes before it is pulled: a pointer to len writable bytes,
 * or NULL for a buffer of the runtime's.  The handler then finds the
 * payload there (msg->data).  It runs inside progress, before the handler;
 * what it points to must stay valid until the handler has run. */
typedef void *(*ordo__rpc_lander_t)(int src, const void *pre, size_t pre_len, size_t len);
int ordo__rpc_set_lander(unsigned id, ordo__rpc_lander_t land);
/* The path chosen per message (ORDO_PROTO_AUTO: rendezvous above threshold). */
void ordo__rpc_set_threshold(size_t threshold, size_t threshold_mapped);
int ordo__rpc_proto(void);
void ordo__rpc_set_proto_internal(int proto);
/* Fit the cost model of both paths and set the threshold (calib.c). */
int ordo__rpc_calibrate(void);
/* One round of progress: the transport, then the timers that are due (the
 * clock is read only when a timer is armed) and the modules' deferred work
 * (inline: waits spin on it). */
static inline int ordo__progress(void)
{
    int events = ordo__rt.tl_ops->progress(ordo__rt.tl);
    if (ordo__timers_armed)
        ordo__timers_run();
    if (ordo__modules_pending)
        ordo__modules_progress();
    return events;
}
/* Progress until done(arg) is true or the deadline passes (ORDO_ERR_TIMEOUT),
 * waiting between polls as ORDO_WAIT says.  deadline_ns 0: ORDO_TIMEOUT_MS
 * from the first time it has to wait.  The first ordo__rt.fast_polls polls
 * go without a clock read or a wait, inline (a reply that comes at once is
 * found with no call but the transport's); ordo__wait_slow does the rest.
 * Spinning, ORDO__FAST_POLLS; yielding or blocking (ranks share cores), a
 * few only: a waiting rank that polls on holds the core its peer needs. */
#define ORDO__FAST_POLLS       256
#define ORDO__FAST_POLLS_SHARE 4
int ordo__wait_slow(int (*done)(void *arg), void *arg, uint64_t deadline_ns);
static inline int ordo__wait_until(int (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
    for (unsigned i = 0; i < ordo__rt.fast_polls; i++) {
        if (done(arg))
            return ORDO_OK;
        ordo__progress();
    }
    return ordo__wait_slow(done, arg, deadline_ns);
}
/* Progress (at most max_ns) until the transport holds no acknowledgement
 * of this rank's: a call that returns to an application which may then
 * compute, or block in another library, for long does not leave a peer
 * waiting for the acknowledgement of a payload it pulled (the transport
 * holds a send back when the peer's receive queue is full). */
void ordo__rpc_flush_ctrl(uint64_t max_ns);
/* Wait (until the deadline) for every send of this rank to complete locally. */
int ordo__rpc_quiesce(uint64_t deadline_ns);

/* Every rank learns every rank's address of a transport instance (init.c;
 * collective, over the bootstrap): the message layer's, the detector's. */
int ordo__tl_exchange(const ordo__tl_ops_t *ops, ordo__tl_t *tl);

/* Start-up and shut-down of the runtime (init.c), with the modules
 * registered (module.h); lib/ordo.c's ordo_init and ordo_finalize call them. */
int ordo__rt_init(int *argc, char ***argv);
int ordo__rt_finalize(void);

#endif
