/*
 * ordo.h - the public API of the ordo runtime.
 *
 * An application links libordo and is launched by mpirun or Slurm (srun).
 * Every call returns an ordo_status_t: ORDO_OK (0) on success, a negative
 * ORDO_ERR_* on failure; ordo_strerror() names it.  Calling any function
 * before ordo_init() returns ORDO_ERR_NOT_INIT.
 */
#ifndef ORDO_H
#define ORDO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ORDO_API __attribute__((visibility("default")))
#else
#define ORDO_API
#endif

#define ORDO_VERSION_MAJOR 0
#define ORDO_VERSION_MINOR 1
#define ORDO_VERSION_PATCH 0

/*
 * Status codes.  One list, expanded into the enum and into the strings of
 * ordo_strerror(), so the two cannot drift apart.
 *   X(name, value, description)
 */
#define ORDO_STATUS_LIST(X)                                                                        \
    X(OK, 0, "success")                                                                            \
    X(ERR_INVALID, -1, "invalid argument")                                                         \
    X(ERR_NOMEM, -2, "out of memory")                                                              \
    X(ERR_NOT_INIT, -3, "ordo is not initialized (call ordo_init first)")                          \
    X(ERR_ALREADY_INIT, -4, "ordo is already initialized")                                         \
    X(ERR_CONFIG, -5, "bad configuration value")                                                   \
    X(ERR_BOOTSTRAP, -6, "bootstrap (MPI) failure")                                                \
    X(ERR_TRANSPORT, -7, "transport (UCX) failure")                                                \
    X(ERR_TIMEOUT, -8, "operation timed out")                                                      \
    X(ERR_PEER_FAILED, -9, "peer process failed or is unreachable")                                \
    X(ERR_NO_HANDLER, -10, "no handler registered for this id")                                    \
    X(ERR_EXISTS, -11, "already registered")                                                       \
    X(ERR_TRUNCATED, -12, "data larger than the buffer provided")                                  \
    X(ERR_MSG, -13, "malformed message")                                                           \
    X(ERR_UNAVAILABLE, -14, "not enough live replicas to form a quorum")                           \
    X(ERR_UNSUPPORTED, -15, "operation not supported in this configuration")                       \
    X(ERR_IO, -16, "input/output error")                                                           \
    X(ERR_INTERNAL, -17, "internal error")                                                         \
    X(ERR_NO_QUORUM, -18, "fewer replicas than a quorum answered")                                 \
    X(ERR_FENCED, -19, "fencing token older than one a replica has seen")                          \
    X(ERR_NOT_HELD, -20, "lock not held by this rank, or its lease has run out")

#define ORDO__STATUS_ENUM(name, value, desc) ORDO_##name = (value),
typedef enum { ORDO_STATUS_LIST(ORDO__STATUS_ENUM) } ordo_status_t;
#undef ORDO__STATUS_ENUM

/** Describe a status code.  Never returns NULL; unknown codes give "unknown status". */
ORDO_API const char *ordo_strerror(int status);

/** Name of a status code, e.g. "ORDO_ERR_TIMEOUT" (or "ORDO_ERR_UNKNOWN"). */
ORDO_API const char *ordo_status_name(int status);

/** Version string of the library, e.g. "0.1.0". */
ORDO_API const char *ordo_version(void);

/* ------------------------------------------------------------------------ */
/* Runtime                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Start the runtime.  Collective over all processes of the job.
 *
 * Reads and validates the ORDO_* environment variables (a bad value fails
 * with ORDO_ERR_CONFIG and a message naming the variable, the value and what
 * is accepted; an unknown ORDO_ variable is warned about).  Calls MPI_Init
 * if the application has not initialized MPI, otherwise uses a private
 * duplicate of MPI_COMM_WORLD.  Creates the UCX context and worker, exchanges
 * worker addresses, reads the node topology (hwloc).
 *
 * argc, argv may be NULL.  Returns ORDO_ERR_ALREADY_INIT if called twice.
 */
ORDO_API ordo_status_t ordo_init(int *argc, char ***argv);

/**
 * Stop the runtime.  Collective.  Waits for outstanding sends, closes the
 * endpoints, releases UCX.  Calls MPI_Finalize only if ordo_init called
 * MPI_Init (MPI is left as ordo_init found it).
 */
ORDO_API ordo_status_t ordo_finalize(void);

/** 1 between ordo_init and ordo_finalize, else 0. */
ORDO_API int ordo_initialized(void);

/** This process's rank in [0, ordo_size()), or ORDO_ERR_NOT_INIT. */
ORDO_API int ordo_rank(void);

/** Number of processes in the job, or ORDO_ERR_NOT_INIT. */
ORDO_API int ordo_size(void);

/**
 * Drive communication: run pending message handlers and complete requests.
 * Returns the number of events processed (>= 0), or a negative status.
 */
ORDO_API int ordo_progress(void);

/** Node-local rank of this process (ranks on the same host numbered from 0). */
ORDO_API int ordo_local_rank(void);

/** Number of processes on this process's node. */
ORDO_API int ordo_local_size(void);

/** 1 if ranks a and b run on the same node, 0 if not, or a negative status. */
ORDO_API int ordo_same_node(int a, int b);

/** NUMA node of rank r (as seen by hwloc on its host; -1 if unknown). */
ORDO_API int ordo_numa_node(int r);

/**
 * Print what ordo_info prints: version, every configuration variable with
 * its value and origin, the transports in use and the topology of every
 * rank.  Works before ordo_init (version and configuration only) and after
 * it (everything).  Not collective.
 */
ORDO_API ordo_status_t ordo_info_print(FILE *out);

/**
 * Print the reference of every ORDO_* variable as Markdown, generated from
 * the configuration tables (the runtime's, then each module's): variable,
 * accepted values, default, what it does; no values read from the
 * environment.  docs/config.md is this output (`ordo_info -m`), so the
 * documentation cannot drift from the code.  Not collective; works before
 * ordo_init.
 */
ORDO_API ordo_status_t ordo_config_markdown(FILE *out);

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */
/* ------------------------------------------------------------------------ */

/** Handler ids 0 .. ORDO_RPC_MAX_ID-1 are the application's. */
#define ORDO_RPC_MAX_ID 1024

/** A message as seen by its handler.  Valid only while the handler runs. */
typedef struct ordo_rpc_msg {
    int src;           /**< rank that sent it */
    unsigned id;       /**< handler id */
    const void *data;  /**< payload (read-only) */
    size_t len;        /**< payload length in bytes */
    int expects_reply; /**< 1 for ordo_rpc_call, 0 for ordo_rpc_send */
    void *priv;        /**< runtime's own; do not touch */
} ordo_rpc_msg_t;

/**
 * A message handler.  It runs inside ordo_progress() (or inside a blocking
 * ordo call) on the rank the message was sent to.  Its return value is the
 * status the caller of ordo_rpc_call receives (ORDO_OK or a negative code).
 * It may call ordo_rpc_reply() once; it must not block on other messages.
 */
typedef int (*ordo_rpc_cb_t)(const ordo_rpc_msg_t *msg, void *arg);

/** Register cb for handler id (< ORDO_RPC_MAX_ID).  ORDO_ERR_EXISTS if taken. */
ORDO_API ordo_status_t ordo_rpc_register(unsigned id, ordo_rpc_cb_t cb, void *arg);

/** Remove the handler of id.  Messages arriving later get ORDO_ERR_NO_HANDLER. */
ORDO_API ordo_status_t ordo_rpc_deregister(unsigned id);

/**
 * Set the reply of the message being handled (copied: buf may be on the
 * handler's stack).  It is sent, with the handler's return value as status,
 * when the handler returns.  Only for msg->expects_reply; once per message
 * (ORDO_ERR_EXISTS after that).
 */
ORDO_API ordo_status_t ordo_rpc_reply(const ordo_rpc_msg_t *msg, const void *buf, size_t len);

/**
 * Blocking round trip: run handler id on rank dest with req, wait for its
 * reply.  *reply_len (may be NULL) receives the reply's length.  Returns the
 * handler's status, ORDO_ERR_NO_HANDLER if dest has none, ORDO_ERR_TRUNCATED
 * if the reply does not fit in cap (the first cap bytes are stored),
 * ORDO_ERR_TIMEOUT after ORDO_TIMEOUT_MS, ORDO_ERR_PEER_FAILED if dest died.
 */
ORDO_API ordo_status_t ordo_rpc_call(int dest, unsigned id, const void *req, size_t len,
                                     void *reply, size_t cap, size_t *reply_len);

/**
 * One-way message: run handler id on rank dest with msg.  Returns once msg
 * may be reused (local completion); it does not wait for the handler.
 */
ORDO_API ordo_status_t ordo_rpc_send(int dest, unsigned id, const void *msg, size_t len);

/** Largest payload ordo_rpc_call / ordo_rpc_send accept (ORDO_MAX_MSG_SIZE). */
ORDO_API size_t ordo_rpc_max_size(void);

/**
 * Allocate len bytes that peers can read directly, as MPI_Alloc_mem does:
 * a rendezvous payload sent from this memory is pulled with one copy (a
 * peer on the same node maps it; others read it by RDMA) and is never
 * registered again.  Memory from malloc works too, but on shared memory its
 * pull costs an extra copy through the sender.  *ptr is set on success.
 * ORDO_ERR_UNSUPPORTED if the transport (ORDO_TRANSPORT) cannot allocate
 * such memory.
 */
ORDO_API ordo_status_t ordo_mem_alloc(size_t len, void **ptr);

/**
 * Free memory from ordo_mem_alloc (ORDO_ERR_INVALID for any other pointer).
 * A send still reading it keeps it until the send completes; what is not
 * freed is released by ordo_finalize().  A peer may keep a mapping of it for
 * a while (a cache of 8 keys per peer), so the pages return to the system
 * once every peer has let go.
 */
ORDO_API ordo_status_t ordo_mem_free(void *ptr);

/* Non-blocking messages.  A request completes when the reply has arrived
 * (calls) or when the payload may be reused (sends). */
typedef struct ordo_request ordo_request_t;

/**
 * Completion callback: runs inside ordo_progress() (or any blocking ordo
 * call, or the progress thread) once the request completed with status.
 * It must not block.  For a call, ordo_request_reply_len() gives the reply's
 * length.
 */
typedef void (*ordo_request_cb_t)(ordo_request_t *req, int status, void *arg);

/**
 * Start a call (see ordo_rpc_call) without waiting.  req and reply must stay
 * valid until completion.  If out is NULL the request is released by the
 * runtime after cb has run (cb is then required); otherwise *out must be
 * passed to ordo_request_wait() or ordo_request_free().  When the start
 * fails (bad arguments, a failed destination), *out is NULL.
 */
ORDO_API ordo_status_t ordo_rpc_call_nb(int dest, unsigned id, const void *req, size_t len,
                                        void *reply, size_t cap, ordo_request_cb_t cb, void *cb_arg,
                                        ordo_request_t **out);

/** Start a one-way send (see ordo_rpc_send) without waiting; as ordo_rpc_call_nb. */
ORDO_API ordo_status_t ordo_rpc_send_nb(int dest, unsigned id, const void *msg, size_t len,
                                        ordo_request_cb_t cb, void *cb_arg, ordo_request_t **out);

/** 1 if req has completed, 0 if not (makes progress first), or a negative status. */
ORDO_API int ordo_request_test(ordo_request_t *req);

/**
 * Wait for req (at most ORDO_TIMEOUT_MS), release it and return its status.
 * For calls, *reply_len (may be NULL) receives the reply's length.
 */
ORDO_API ordo_status_t ordo_request_wait(ordo_request_t *req, size_t *reply_len);

/** Length of the reply of a completed call request (0 for sends). */
ORDO_API size_t ordo_request_reply_len(const ordo_request_t *req);

/**
 * Release req without waiting.  If it has not completed, its buffers stay in
 * use until it does and its callback still runs.
 */
ORDO_API ordo_status_t ordo_request_free(ordo_request_t *req);

/** How payloads travel: chosen per message from the model, or forced. */
typedef enum {
    ORDO_PROTO_AUTO = 0,  /**< eager up to the threshold, rendezvous above */
    ORDO_PROTO_EAGER = 1, /**< always an eager active message */
    ORDO_PROTO_RNDV = 2,  /**< always a rendezvous (RDMA get by the receiver) */
} ordo_proto_t;

/**
 * The cost model of the two paths, T(x) = alpha + x / beta, as calibrated
 * at ordo_init (or set by ORDO_RNDV_THRESH / ORDO_PROTO).  The rendezvous
 * is modelled twice: from ordinary memory, and from ordo_mem_alloc memory
 * (which a peer on the node maps: one copy fewer), and each message takes
 * the threshold of the memory it is in.
 */
typedef struct ordo_rpc_model {
    double eager_alpha_us;       /**< eager start-up cost, microseconds */
    double eager_beta_mbs;       /**< eager bandwidth, MB/s (10^6 bytes per second) */
    double rndv_alpha_us;        /**< rendezvous start-up cost, microseconds */
    double rndv_beta_mbs;        /**< rendezvous bandwidth, MB/s */
    double crossover;            /**< x* = (a_r - a_e) / (1/b_e - 1/b_r), bytes (< 0: none) */
    size_t threshold;            /**< payloads above this go by rendezvous (ORDO_PROTO_AUTO) */
    int calibrated;              /**< 1 if measured at start-up, 0 if set by configuration */
    double calibration_ms;       /**< time spent calibrating */
    double rndv_mapped_alpha_us; /**< rendezvous from ordo_mem_alloc memory: start-up, us */
    double rndv_mapped_beta_mbs; /**< ... and bandwidth, MB/s */
    double crossover_mapped;     /**< x* of eager vs that rendezvous, bytes (< 0: none) */
    size_t threshold_mapped;     /**< threshold for payloads in ordo_mem_alloc memory */
} ordo_rpc_model_t;

/** The model and threshold in effect. */
ORDO_API ordo_status_t ordo_rpc_model(ordo_rpc_model_t *model);

/** Counters of this rank since ordo_init. */
typedef struct ordo_stats {
    uint64_t msgs_sent;        /**< messages handed to the transport */
    uint64_t msgs_received;    /**< messages with a valid header */
    uint64_t malformed;        /**< dropped: a bad or truncated header, a bad descriptor */
    uint64_t no_handler;       /**< one-way messages for an id with no handler */
    uint64_t late_replies;     /**< replies to calls that had timed out, dropped */
    uint64_t duplicates;       /**< repeated requests answered from the exactly-once window */
    uint64_t retries;          /**< requests sent again for want of a reply (ORDO_RETRY_MS) */
    uint64_t landed;           /**< rendezvous payloads pulled straight into place */
    uint64_t hlc_ahead;        /**< messages whose HLC was ahead by > ORDO_HLC_MAX_OFFSET_US */
    uint64_t fault_dropped;    /**< ORDO_FAULT: messages dropped */
    uint64_t fault_duplicated; /**< ORDO_FAULT: messages sent twice */
    uint64_t fault_delayed;    /**< ORDO_FAULT: messages held back */
} ordo_stats_t;

/** This rank's counters (ordo_info_print shows them too). */
ORDO_API ordo_status_t ordo_stats(ordo_stats_t *stats);

/** Choose the path for messages sent from now on (benchmarks, experiments). */
ORDO_API ordo_status_t ordo_rpc_set_proto(ordo_proto_t proto);

/* ------------------------------------------------------------------------ */
/* Clocks                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Every message carries the sender's logical clocks (ORDO_CLOCKS chooses
 * which: lamport, vector, hlc).  Sending ticks them, receiving merges them,
 * so order is constructed, not read off a wall clock.
 */

/** Current Lamport clock of this rank (0 before init). */
ORDO_API uint64_t ordo_lamport_now(void);

/** Tick the Lamport clock for a local event and return the new value. */
ORDO_API uint64_t ordo_lamport_tick(void);

/**
 * Copy this rank's vector clock into vc (n entries, n == ordo_size()).
 * ORDO_ERR_UNSUPPORTED unless ORDO_CLOCKS includes vector.
 */
ORDO_API ordo_status_t ordo_vclock_now(uint64_t *vc, int n);

/** Results of comparing two timestamps. */
enum {
    ORDO_HB_BEFORE = 1,     /**< a happened before b */
    ORDO_HB_AFTER = 2,      /**< b happened before a */
    ORDO_HB_EQUAL = 3,      /**< the same event (or the same knowledge) */
    ORDO_HB_CONCURRENT = 4, /**< neither: concurrent */
};

/** Compare vector clocks a and b of n entries: ORDO_HB_*, or ORDO_ERR_INVALID. */
ORDO_API int ordo_vclock_compare(const uint64_t *a, const uint64_t *b, int n);

/** A hybrid logical clock timestamp (Kulkarni et al. 2014). */
typedef struct ordo_hlc {
    uint64_t l; /**< the largest physical time known, nanoseconds since the epoch */
    uint64_t c; /**< logical counter to order events with the same l */
} ordo_hlc_t;

/**
 * Current HLC of this rank, after ticking it for this read (a local event).
 * ORDO_ERR_UNSUPPORTED unless ORDO_CLOCKS includes hlc.
 */
ORDO_API ordo_status_t ordo_hlc_now(ordo_hlc_t *t);

/**
 * Bytes the clocks add to the header of the next message this rank sends
 * (0 with ORDO_CLOCKS=none).  The vector clock grows slowly with its counters
 * (LEB128: 1 byte per entry below 128, 2 below 16384, ...).
 */
ORDO_API size_t ordo_clock_wire_bytes(void);

/** Compare HLC timestamps (total order by (l, c)): ORDO_HB_BEFORE, _AFTER or _EQUAL. */
ORDO_API int ordo_hlc_compare(const ordo_hlc_t *a, const ordo_hlc_t *b);

/**
 * Record a user event: ticks the clocks and, with ORDO_TRACE set, writes the
 * event (name: letters, digits, '_', '-', '.', at most 63 characters) to the
 * rank's trace.
 */
ORDO_API ordo_status_t ordo_trace_event(const char *name);

/* ------------------------------------------------------------------------ */
/* Shared objects                                                           */
/* ------------------------------------------------------------------------ */

/*
 * A shared object is nbytes of memory every rank reads and writes by byte
 * range, with the consistency model chosen when it is made.  8-byte words
 * are the unit of atomicity.  The object is cut into blocks of
 * ORDO_OBJ_BLOCK bytes, each with a home rank chosen by consistent hashing
 * (so a change of membership would move about 1/N of the blocks).
 *
 * Handlers of the protocols run inside ordo calls and ordo_progress(), and
 * on the progress thread with ORDO_PROGRESS=thread: a rank that computes
 * for long without either delays the others' operations on its blocks.
 * None of these functions may be called from a message handler
 * (ORDO_ERR_INVALID).  Bad arguments (a range outside the object, an
 * unaligned atomic, a freed or unknown handle) return ORDO_ERR_INVALID and
 * change nothing.
 *
 * When a rank fails (see "Membership and failures" below):
 *  - A block's data lives at its home only, so a failed home's blocks are
 *    lost (quorum registers will be the replicated option).  Every
 *    operation on a range that touches one returns ORDO_ERR_PEER_FAILED at
 *    once, sends nothing and changes nothing, under every model (causal
 *    too: its home runs the atomics).  Blocks homed at live ranks keep
 *    working.  A rank that is out of the job gets ORDO_ERR_PEER_FAILED for
 *    every operation.
 *  - ordo_fence completes over the live homes and replicas and skips the
 *    failed ones; while a failure it had to skip (a replica that misses
 *    some of this rank's writes, a home whose buffered writes were dropped)
 *    is not acknowledged by ordo_failure_ack it returns ORDO_ERR_PEER_FAILED
 *    (one warning names the ranks), and ORDO_OK after.
 *  - TSO: buffered writes to a failed home are dropped from the store
 *    buffer (reported by the next fence as above); writes to live homes
 *    behind them drain on.
 *  - Causal: the survivors' writes reach every live replica.  A write of
 *    the failed rank that some survivors applied and others did not is
 *    spread by the survivors (each, once it learns of the failure, takes no
 *    more writes of that rank and sends the live replicas the words where a
 *    write of it is the newest it holds), so the survivors' replicas
 *    converge: such a write is kept if any survivor had it as the newest
 *    of its words, and lost if none had.  Nothing waits for a write of the
 *    failed rank any more; the price is causal order around its writes (a
 *    replica may see a survivor's write before the failed rank's write it
 *    depended on).
 *  - ordo_obj_alloc / ordo_obj_free are collective over the live members:
 *    they fail while a failure is not acknowledged.  A new object's blocks
 *    are homed at ranks whose failure was not acknowledged; existing
 *    objects keep their homes.
 *  - Whatever a rank declared failed still sends (it was paused, not dead)
 *    is refused by the homes and replicas.
 */
typedef enum {
    /** Sequential consistency (linearizable): every operation completes at
     *  the block's home before it returns; the home applies them one at a time. */
    ORDO_MODEL_SC = 0,
    /** Total store order: writes enter this rank's FIFO store buffer and
     *  return at once; its own reads see them (store forwarding); others see
     *  them in program order; ordo_fence() and atomics drain the buffer. */
    ORDO_MODEL_TSO = 1,
    /** Causal+: every rank holds a replica; writes apply locally and reach
     *  the others in causal order (vector clocks); concurrent writes to a
     *  word are settled by (Lamport time, rank), so replicas converge; reads
     *  are local; ordo_fence() waits until every replica has this rank's writes. */
    ORDO_MODEL_CAUSAL = 2,
} ordo_model_t;

typedef struct ordo_obj ordo_obj_t;

/**
 * Make a shared object of nbytes (> 0) bytes, all zero, with the given
 * model.  Collective: every rank calls it, in the same order and with the
 * same arguments; it returns once every rank has the object.  A size past
 * what an object can hold (whole blocks within PTRDIFF_MAX) is refused with
 * ORDO_ERR_INVALID.
 */
ORDO_API ordo_status_t ordo_obj_alloc(size_t nbytes, ordo_model_t model, ordo_obj_t **obj);

/**
 * Free an object.  Collective.  This rank's buffered writes to it are
 * drained first, then the ranks meet; the handle is invalid afterwards.
 */
ORDO_API ordo_status_t ordo_obj_free(ordo_obj_t *obj);

/** Read len bytes at offset off of obj into buf. */
ORDO_API ordo_status_t ordo_read(ordo_obj_t *obj, size_t off, void *buf, size_t len);

/** Write len bytes of buf at offset off of obj (see the model for when others see it). */
ORDO_API ordo_status_t ordo_write(ordo_obj_t *obj, size_t off, const void *buf, size_t len);

/**
 * Atomically add add to the 8-byte word at off (a multiple of 8), at the
 * word's home; *old (may be NULL) receives the value before.  Under TSO it
 * drains the store buffer first, as a fence.
 */
ORDO_API ordo_status_t ordo_fetch_add(ordo_obj_t *obj, size_t off, int64_t add, int64_t *old);

/**
 * Atomically replace the word at off with desire if it equals expect; *old
 * (may be NULL) receives the value found.  Runs at the home, like fetch-add.
 */
ORDO_API ordo_status_t ordo_cas(ordo_obj_t *obj, size_t off, int64_t expect, int64_t desire,
                                int64_t *old);

/**
 * Order this rank's operations: drain the TSO store buffer, and wait until
 * every live replica has applied this rank's causal writes
 * (ORDO_ERR_TIMEOUT after ORDO_TIMEOUT_MS).  A buffered write that could
 * not reach its home is reported here.  Failed homes and replicas are
 * skipped: ORDO_ERR_PEER_FAILED while one it skipped is not acknowledged
 * (ordo_failure_ack), ORDO_OK after (see above).
 */
ORDO_API ordo_status_t ordo_fence(void);

/** The home rank of the block holding byte off of obj. */
ORDO_API ordo_status_t ordo_obj_home(const ordo_obj_t *obj, size_t off, int *rank);

/* ------------------------------------------------------------------------ */
/* Quorum registers                                                         */
/* ------------------------------------------------------------------------ */

/*
 * A register set: nkeys registers of value_size bytes each, all zero at
 * first.  Each key is stored at `replicas` ranks (R), placed by consistent
 * hashing, and read and written by multi-writer ABD (Attiya, Bar-Noy,
 * Dolev): a write asks every live replica for its tag (counter, writer
 * rank), takes the highest of the first Q answers and stores the value with
 * the next tag at the replicas, returning once W have it; a read asks every
 * live replica, takes the freshest of the first Q answers, and writes it
 * back to W before returning, unless its answers agreed and showed W
 * replicas holding it (then it returns at once; possible when Q >= W).  With W + Q > R every read
 * quorum meets the last write quorum, so the registers are linearizable (atomic), and with f
 * replicas failed an operation still completes while R - f >= max(W, Q).
 *
 * Any rank may read and write any key; ranks that are not replicas hold
 * nothing.  Replicas on failed ranks (ordo_peer_state) are not asked.
 * A write that stopped after some replicas stored its value may become
 * visible later (the history calls its outcome unknown); one that stopped
 * before never does.
 */
typedef struct ordo_qreg ordo_qreg_t;

/** Flags of ordo_qreg_create. */
enum {
    /** Allow W + Q <= R: a weak register, not linearizable (experiments). */
    ORDO_QREG_WEAK = 0x1,
    /** A read that cannot gather Q answers returns the freshest value it got
     *  (ORDO_OK, *out_flags has ORDO_QREG_STALE) instead of ORDO_ERR_NO_QUORUM.
     *  It waits for Q answers at most ORDO_QREG_DEGRADE_MS (default 100 ms)
     *  from its start, then answers with the freshest of those it has (at
     *  least one: it waits for the first), so a reader cut off from the
     *  majority by a partition keeps answering while the cut lasts; with
     *  ORDO_QREG_DEGRADE_MS=0 it waits until every call has ended (a cut-off
     *  replica's call: when the cut heals, the replica is declared failed,
     *  or at ORDO_TIMEOUT_MS).  The bound is the register set's from its
     *  creation. */
    ORDO_QREG_DEGRADED_READ = 0x2,
    /** Test knob, unsafe: reads never write back (ABD without its second
     *  read phase; histories then show new-old inversions). */
    ORDO_QREG_NO_WRITEBACK = 0x4,
};

/** Flags a read returns in *out_flags. */
enum {
    /** The value comes from fewer than Q replicas (a degraded read, see
     *  ORDO_QREG_DEGRADED_READ): not a quorum answer, possibly stale. */
    ORDO_QREG_STALE = 0x1,
    /** The answers agreed and W replicas hold the value: no write-back. */
    ORDO_QREG_AGREED = 0x2,
};

/**
 * Create a register set (collective over the live members, like
 * ordo_obj_alloc).  Requires 1 <= w, q <= replicas <= ordo_size() and
 * w + q > replicas unless flags has ORDO_QREG_WEAK; value_size in
 * [1, ORDO_QREG_VALUE_MAX]; nkeys >= 1.  Anything else: ORDO_ERR_INVALID,
 * nothing created.
 */
#define ORDO_QREG_VALUE_MAX 65536
ORDO_API ordo_status_t ordo_qreg_create(size_t nkeys, size_t value_size, int replicas, int w, int q,
                                        unsigned flags, ordo_qreg_t **reg);

/**
 * Write value_size bytes from val to key.  ORDO_ERR_NO_QUORUM if fewer than
 * Q replicas answered the tag query or fewer than W stored the value (then
 * the write may or may not become visible); ORDO_ERR_INVALID for a key out
 * of range, a NULL val or a destroyed register.
 */
ORDO_API ordo_status_t ordo_qreg_write(ordo_qreg_t *reg, uint64_t key, const void *val);

/**
 * As ordo_qreg_write, carrying a fencing token (ordo_lock_acquire): a
 * replica that has seen a larger token for key refuses it, and the write
 * fails with ORDO_ERR_FENCED (before storing anything if a replica of the
 * tag query refuses; otherwise the outcome is unknown).  Accepted tokens
 * raise the replicas' mark for key.
 */
ORDO_API ordo_status_t ordo_qreg_write_fenced(ordo_qreg_t *reg, uint64_t key, const void *val,
                                              uint64_t token);

/**
 * Read key into val (value_size bytes).  out_flags (may be NULL) receives
 * ORDO_QREG_* read flags.  ORDO_ERR_NO_QUORUM if fewer than Q replicas
 * answered (never a stale value, unless the register has
 * ORDO_QREG_DEGRADED_READ: see there).
 */
ORDO_API ordo_status_t ordo_qreg_read(ordo_qreg_t *reg, uint64_t key, void *val,
                                      unsigned *out_flags);

/** A register operation in flight (the non-blocking forms). */
typedef struct ordo_qreg_op ordo_qreg_op_t;

/**
 * Start a write (val is copied) or a read (val must stay valid until the
 * operation completes) and return at once; many may be in flight, on any
 * keys.  *op is then passed to ordo_qreg_wait (or tested first).  On a
 * start that fails, *op is NULL.
 */
ORDO_API ordo_status_t ordo_qreg_write_nb(ordo_qreg_t *reg, uint64_t key, const void *val,
                                          ordo_qreg_op_t **op);
ORDO_API ordo_status_t ordo_qreg_read_nb(ordo_qreg_t *reg, uint64_t key, void *val,
                                         ordo_qreg_op_t **op);

/**
 * 1 if op has completed, 0 if not (makes progress first), or
 * ORDO_ERR_INVALID.  An operation polled this way ends as a waited one
 * does: once ORDO_TIMEOUT_MS has passed since its start without an outcome
 * (replicas that neither answer nor are declared failed), ordo_qreg_test
 * returns 1 and ordo_qreg_wait then returns ORDO_ERR_TIMEOUT (a write's
 * outcome is then unknown: it may still show).
 */
ORDO_API int ordo_qreg_test(ordo_qreg_op_t *op);

/**
 * Wait for op (at most ORDO_TIMEOUT_MS), release it and return its status;
 * out_flags (may be NULL) receives a read's ORDO_QREG_* read flags.  A
 * released op is gone, as a freed pointer is: it must not be passed again
 * (NULL gives ORDO_ERR_INVALID).
 */
ORDO_API ordo_status_t ordo_qreg_wait(ordo_qreg_op_t *op, unsigned *out_flags);

/** Counters of this rank's operations on reg since its creation. */
typedef struct ordo_qreg_stats {
    uint64_t writes, reads;   /**< completed with ORDO_OK */
    uint64_t reads_agreed;    /**< reads whose Q answers agreed: no write-back */
    uint64_t failed;          /**< operations that returned an error */
    uint64_t replica_queries; /**< tag queries this rank answered as a replica */
    uint64_t replica_stores;  /**< stores this rank applied as a replica (newer tag) */
    uint64_t replica_fenced;  /**< stores or queries refused for an old token */
} ordo_qreg_stats_t;
ORDO_API ordo_status_t ordo_qreg_stats(const ordo_qreg_t *reg, ordo_qreg_stats_t *stats);

/** The replica ranks of key (replicas[] has room for R), in ring order. */
ORDO_API ordo_status_t ordo_qreg_replicas(const ordo_qreg_t *reg, uint64_t key, int *replicas);

/**
 * Destroy a register set (collective over the live members): waits for
 * this rank's operations on it that have not finished, then frees its
 * replicas' storage (once answers still due to finished operations, from
 * replicas beyond their quorum, have come or timed out; at ordo_finalize
 * at the latest).  The handle is invalid afterwards (ORDO_ERR_INVALID).
 */
ORDO_API ordo_status_t ordo_qreg_destroy(ordo_qreg_t *reg);

/* ------------------------------------------------------------------------ */
/* Quorum locks and leases                                                  */
/* ------------------------------------------------------------------------ */

/*
 * A lock is granted by q of its N replica ranks (2q > N: never two holders;
 * q <= N - f: it survives f failed replicas) for a lease of D microseconds.
 * Each acquire returns a fencing token larger than every earlier holder's:
 * pass it to ordo_qreg_write_fenced, and a holder that paused past its
 * lease cannot overwrite what the next holder protects.
 *
 * Leases and clocks: the holder stops trusting its lease at D - 2*rho*D by
 * its own clock, counted from when it asked; replicas grant the lock again
 * only D + 2*rho*D after they granted it, by theirs; rho is
 * ORDO_CLOCK_DRIFT_PPM, the bound on any rank's clock rate error.  So two
 * holders never overlap in real time while every clock drifts by less
 * than rho.  (ORDO_LEASE_GUARD=n drops the guard, to show what it
 * prevents.)  The clock is ordo's physical clock, which ORDO_FAULT's drift
 * and skew shift.
 *
 * Replicas on failed ranks are not asked; a holder that fails keeps the
 * lock until its lease ends.  With ORDO_HISTORY each acquire and release
 * is logged (lock-<id>.<rank>.edn, key 0, an acquire's value its token).
 */
typedef struct ordo_lock ordo_lock_t;

/**
 * Create a lock (collective over the live members) with `replicas` replica
 * ranks (N, 1 <= N <= ordo_size()), placed by consistent hashing, and the
 * majority quorum q = N/2 + 1: it survives f = N - q failed replicas.
 * Anything else: ORDO_ERR_INVALID (with a warning), nothing created.
 */
ORDO_API ordo_status_t ordo_lock_create(int replicas, ordo_lock_t **lock);

/**
 * Acquire the lock for a lease of lease_us microseconds (1 .. 86400000000),
 * waiting (at most ORDO_TIMEOUT_MS: ORDO_ERR_TIMEOUT) while another rank
 * holds it: asked replicas that refuse are let go at once and the request
 * is repeated after a random back-off (50 us, doubling up to 20 ms).
 * *fencing_token receives the token.  It never returns a lease that has
 * already run out (a rank paused while acquiring tries again).
 * ORDO_ERR_NO_QUORUM when fewer than q replicas are alive; ORDO_ERR_INVALID
 * if this rank holds it already (a lease of its own that ran out is let go
 * first), for bad arguments, or when the guard leaves nothing of the
 * lease (ORDO_CLOCK_DRIFT_PPM of 500000).
 */
ORDO_API ordo_status_t ordo_lock_acquire(ordo_lock_t *lock, uint64_t lease_us,
                                         uint64_t *fencing_token);

/**
 * Release the lock: returns once q replicas let it go.  ORDO_ERR_NOT_HELD if
 * this rank does not hold it or its lease has run out by its own clock (the
 * replicas let it go by themselves).  ORDO_ERR_NO_QUORUM (or
 * ORDO_ERR_TIMEOUT) if fewer than q answered: the rank does not hold the
 * lock any more either way, the others get it when the lease ends.
 */
ORDO_API ordo_status_t ordo_lock_release(ordo_lock_t *lock);

/**
 * Microseconds this rank may still trust its lease (0: not held, or run
 * out), by its own clock, the guard taken off.
 */
ORDO_API ordo_status_t ordo_lock_lease_left(const ordo_lock_t *lock, uint64_t *left_us);

/** A lock's shape and this rank's counters since its creation. */
typedef struct ordo_lock_stats {
    int replicas, quorum, tolerates; /**< N, q = N/2 + 1, f = N - q */
    uint64_t acquires, releases;     /**< completed with ORDO_OK */
    uint64_t attempts;               /**< grant rounds started (retries included) */
    uint64_t lease_lost;             /**< attempts that got the lock after the lease ran out */
    uint64_t failed;                 /**< acquires and releases that returned an error (not the
                                           bad arguments: they change nothing) */
    uint64_t replica_grants;         /**< grants this rank gave as a replica */
    uint64_t replica_refusals;       /**< grants it refused (held by another) */
    uint64_t replica_commits;        /**< tokens it accepted */
    uint64_t replica_frees;          /**< grants it freed on a release */
} ordo_lock_stats_t;
ORDO_API ordo_status_t ordo_lock_stats(const ordo_lock_t *lock, ordo_lock_stats_t *stats);

/** The replica ranks of lock (replicas[] has room for N), in ring order. */
ORDO_API ordo_status_t ordo_lock_replicas(const ordo_lock_t *lock, int *replicas);

/**
 * Destroy a lock (collective over the live members): waits for this rank's
 * messages about it, then frees its replicas' state.  The handle is invalid
 * afterwards (ORDO_ERR_INVALID).
 */
ORDO_API ordo_status_t ordo_lock_destroy(ordo_lock_t *lock);

/* ------------------------------------------------------------------------ */
/* Collectives                                                              */
/* ------------------------------------------------------------------------ */

/**
 * Wait until every rank has called ordo_barrier.  On one host it runs
 * through the node's shared segment (ORDO_COLL_BARRIER=shm: one arrival
 * counter, no message); elsewhere, or forced, over ordo's message layer
 * (dissemination, ceil(log2 n) rounds).  A rank that computes long
 * before it comes is waited for, as with MPI_Barrier, with a warning every
 * ORDO_TIMEOUT_MS; a dead one makes it fail with ORDO_ERR_PEER_FAILED
 * instead of hanging.  ORDO_BARRIER_TIMEOUT_MS > 0 bounds the wait
 * (ORDO_ERR_TIMEOUT); so does ORDO_TIMEOUT_MS when ORDO_PEER_ERRORS=n, where
 * nothing would tell that a peer died.
 */
ORDO_API ordo_status_t ordo_barrier(void);

/*
 * Data collectives.  Every live rank calls each collective, in the same
 * order and with matching arguments (as in MPI); they run over ordo's
 * message layer, and the waiting ranks wait as ORDO_WAIT says (they yield
 * the core on an oversubscribed node rather than spin).  Each family has
 * several algorithms, correct for any number of ranks; AUTO (the default)
 * predicts each one's time from the calibrated cost model T(x) = alpha +
 * x/beta (ordo_rpc_model) and the rounds and bytes the algorithm moves, and
 * takes the cheapest; ORDO_COLL_<FAMILY>=<algorithm> (or ordo_coll_force)
 * makes one family always use one algorithm.  ordo_info -C prints the
 * decision table.  A failed rank fails a collective with
 * ORDO_ERR_PEER_FAILED on every survivor; after ordo_failure_ack the
 * collectives run over the live ranks (the slots of failed ranks in
 * ordo_allgather / ordo_alltoall output are left as they were; a failed
 * root fails ordo_bcast / ordo_reduce with ORDO_ERR_PEER_FAILED).  Called
 * from a message handler or a callback they return ORDO_ERR_INVALID.
 */

/** Element types of the reductions. */
typedef enum {
    ORDO_DTYPE_INT32 = 0,
    ORDO_DTYPE_INT64 = 1,
    ORDO_DTYPE_UINT64 = 2,
    ORDO_DTYPE_FLOAT = 3,
    ORDO_DTYPE_DOUBLE = 4,
} ordo_dtype_t;

/** Size in bytes of one element of t, or 0 if t is not a datatype. */
ORDO_API size_t ordo_dtype_size(ordo_dtype_t t);

/**
 * Reduction operations: the built-in ones, or one made by ordo_op_create.
 * Every operation must be associative and commutative: the algorithms
 * combine contributions in an order of their own.  Floating-point sums are
 * therefore exact up to the rounding of that order (the same on every rank
 * for ordo_allreduce: every rank gets the same bits).  ORDO_OP_BAND and
 * ORDO_OP_BOR take integer types only.
 */
typedef int ordo_op_t;
#define ORDO_OP_SUM  0
#define ORDO_OP_PROD 1
#define ORDO_OP_MIN  2
#define ORDO_OP_MAX  3
#define ORDO_OP_BAND 4
#define ORDO_OP_BOR  5

/** A user reduction: inout[i] = inout[i] (op) in[i] for count elements of t. */
typedef void (*ordo_op_fn_t)(const void *in, void *inout, size_t count, ordo_dtype_t t, void *arg);

/**
 * Make a reduction operation of fn (which must be associative and
 * commutative, and must not call ordo).  Every rank creates the same
 * operations in the same order (the handle is a number).  At most 32.
 * Usable before ordo_init.
 */
ORDO_API ordo_status_t ordo_op_create(ordo_op_fn_t fn, void *arg, ordo_op_t *op);
/** Forget an operation made by ordo_op_create. */
ORDO_API ordo_status_t ordo_op_free(ordo_op_t op);

/**
 * Broadcast len bytes of buf from root to every rank's buf.
 */
ORDO_API ordo_status_t ordo_bcast(void *buf, size_t len, int root);

/**
 * Reduce count elements of every rank's in with op into root's out (out
 * is used at root only and may be NULL elsewhere; in == out at root reduces
 * in place).
 */
ORDO_API ordo_status_t ordo_reduce(const void *in, void *out, size_t count, ordo_dtype_t t,
                                   ordo_op_t op, int root);

/**
 * Reduce count elements of every rank's in with op; every rank receives
 * the result in out (in == out: in place).  Every rank gets the same bits.
 */
ORDO_API ordo_status_t ordo_allreduce(const void *in, void *out, size_t count, ordo_dtype_t t,
                                      ordo_op_t op);

/**
 * Gather len bytes from every rank: out (ordo_size() * len bytes) receives
 * rank r's in at r * len.  in may be out + rank * len (in place).
 */
ORDO_API ordo_status_t ordo_allgather(const void *in, size_t len, void *out);

/**
 * Personalized all-to-all: rank r's in holds ordo_size() blocks of len
 * bytes, block d for rank d; out receives at s * len rank s's block for
 * r.  in == out exchanges in place.
 */
ORDO_API ordo_status_t ordo_alltoall(const void *in, size_t len, void *out);

/** A collective in flight (the non-blocking forms). */
typedef struct ordo_coll_req ordo_coll_req_t;

/**
 * Non-blocking forms: start the collective and return at once; *req then
 * goes to ordo_coll_wait (or is tested first).  The buffers must stay
 * untouched until it completes.  Several may be in flight; every rank
 * starts them in the same order.  They progress inside ordo calls and on
 * the progress thread (ORDO_PROGRESS_THREAD), so computation overlaps.
 * On a start that fails, *req is NULL.
 */
ORDO_API ordo_status_t ordo_ibarrier(ordo_coll_req_t **req);
ORDO_API ordo_status_t ordo_ibcast(void *buf, size_t len, int root, ordo_coll_req_t **req);
ORDO_API ordo_status_t ordo_ireduce(const void *in, void *out, size_t count, ordo_dtype_t t,
                                    ordo_op_t op, int root, ordo_coll_req_t **req);
ORDO_API ordo_status_t ordo_iallreduce(const void *in, void *out, size_t count, ordo_dtype_t t,
                                       ordo_op_t op, ordo_coll_req_t **req);
ORDO_API ordo_status_t ordo_iallgather(const void *in, size_t len, void *out,
                                       ordo_coll_req_t **req);
ORDO_API ordo_status_t ordo_ialltoall(const void *in, size_t len, void *out, ordo_coll_req_t **req);

/** 1 if req has completed, 0 if not (makes progress first), or ORDO_ERR_INVALID. */
ORDO_API int ordo_coll_test(ordo_coll_req_t *req);

/** Wait for req, release it and return the collective's status. */
ORDO_API ordo_status_t ordo_coll_wait(ordo_coll_req_t *req);

/** The collective families (for the algorithm choice). */
typedef enum {
    ORDO_COLL_BARRIER = 0,
    ORDO_COLL_BCAST = 1,
    ORDO_COLL_REDUCE = 2,
    ORDO_COLL_ALLREDUCE = 3,
    ORDO_COLL_ALLGATHER = 4,
    ORDO_COLL_ALLTOALL = 5,
    ORDO_COLL_FAMILIES = 6,
} ordo_coll_family_t;

/** Name of a family ("allreduce"), or NULL. */
ORDO_API const char *ordo_coll_family_name(ordo_coll_family_t f);

/**
 * The algorithms of family f: names[i] for i < the return value (at most
 * max are written; names may be NULL to count them).  Negative: bad f.
 */
ORDO_API int ordo_coll_algorithms(ordo_coll_family_t f, const char **names, int max);

/**
 * What AUTO would run for f with bytes bytes (per rank: bcast len;
 * reduce, allreduce count * element size; allgather len; alltoall len per
 * destination) over the current live ranks: *alg (may be NULL) receives
 * the algorithm's name, *us (may be NULL) its predicted time.  With alg
 * set to a name on entry (not NULL *alg), predicts that algorithm instead.
 * Local: no message is sent.
 */
ORDO_API ordo_status_t ordo_coll_predict(ordo_coll_family_t f, size_t bytes, const char **alg,
                                         double *us);

/** The collectives model's own figures, measured at start-up (rank 0's,
 * taken by every rank, so that all choose alike).  The message paths'
 * alpha and beta are ordo_rpc_model()'s; the node's pass is in
 * ordo_coll_shm_t. */
typedef struct ordo_coll_model {
    double reduce_us_per_byte; /**< gamma: reducing a byte (a sum of doubles) */
    double copy_us_per_byte;   /**< delta: copying a byte (memcpy of 256 KiB) */
    double msg_us;             /**< o: the CPU of one more message a rank sends or
                                    takes in a round, fitted to a linear exchange
                                    of short messages among up to 16 peers */
    double ranks_per_pu;       /**< ranks per processing unit on rank 0's host
                                    (above 1: the ranks share the cores, and the
                                    byte and message terms grow by it) */
} ordo_coll_model_t;

/** Fill *model with the collectives model's figures.  Local.
 * ORDO_ERR_INVALID for a NULL model. */
ORDO_API ordo_status_t ordo_coll_model(ordo_coll_model_t *model);

/**
 * Make family f use algorithm alg from now on (NULL or "auto": the model's
 * choice again), as ORDO_COLL_<FAMILY> does.  Every rank must make the
 * same choice before the next collective of f.  ORDO_ERR_INVALID names an
 * unknown algorithm.
 */
ORDO_API ordo_status_t ordo_coll_force(ordo_coll_family_t f, const char *alg);

/** The node's shared segment, through which the shm algorithms run. */
typedef struct ordo_coll_shm {
    size_t bytes;                /**< its size; 0: none (the ranks are on several hosts,
                                      ORDO_COLL_SHM_CHUNK is 0, or it could not be made) */
    size_t chunk;                /**< bytes per rank and phase (ORDO_COLL_SHM_CHUNK) */
    double line_us;              /**< a cache line's hand-off between two ranks,
                                      measured at start-up (the model's phase cost
                                      where the pass could not be measured) */
    double pass_us;              /**< every rank of the node run once (a counter all
                                      arrive at, measured at start-up): with more ranks
                                      than PUs a turn of each; every collective's
                                      prediction holds one */
    double copy_us_per_byte;     /**< a byte another rank has just written, copied
                                      in a copy of copy_bytes (64 KiB, or the
                                      chunk; each rank copies its
                                      neighbour's slot at start-up; the ranks'
                                      mean): what the shm allgather's and
                                      alltoall's copies cost, where the model's
                                      copy_us_per_byte is a rank's own warm
                                      buffer's; 0 if it could not be measured */
    double copy_far_us_per_byte; /**< the same in a copy of copy_far_bytes
                                      (512 KiB, or the chunk); the model
                                      interpolates in log(bytes) between */
    size_t copy_bytes;           /**< the near copy's length (copy_us_per_byte) */
    size_t copy_far_bytes;       /**< the far copy's length (copy_far_us_per_byte) */
    int single_copy;             /**< 1: a shm bcast of more than two chunks goes by
                                      single copy (every rank can read the others' memory
                                      with process_vm_readv; ORDO_COLL_SHM_CMA) */
    double cma_us;               /**< an 8-byte process_vm_readv, measured at start-up */
    int mapped;                  /**< 1: every rank can map the others' ordo_mem_alloc memory
                                      (probed at start-up): a large shm reduction reads such
                                      input where it is instead of copying it in.  (A shm
                                      bcast from such a root is got with the transport's
                                      RMA get either way: ORDO_COLL_SHM_GET_MIN.) */
} ordo_coll_shm_t;

/**
 * What the node segment is in this job (the same on every rank).  Local.
 * ORDO_ERR_INVALID for a NULL info.
 */
ORDO_API ordo_status_t ordo_coll_shm_info(ordo_coll_shm_t *info);

/* ------------------------------------------------------------------------ */
/* Membership and failures                                                  */
/* ------------------------------------------------------------------------ */

/*
 * ordo keeps one membership view per rank.  Two sources feed it: the
 * transport (UCX reports a peer whose connection broke) and the failure
 * detector (heartbeats on a light thread of their own, so a rank that
 * computes for minutes without calling ordo is not declared dead; a silent
 * peer is suspected after half of ORDO_FD_TIMEOUT_MS, probed through other
 * ranks, and declared failed after ORDO_FD_TIMEOUT_MS).  A rank that
 * declares a peer failed tells the others, so every survivor's view agrees
 * within the timeout.  Failure is final (fail-stop): a failed rank never
 * comes back, and a rank that learns the others declared it failed (it was
 * paused, or cut off, for longer than the timeout) is out of the job: every
 * peer is failed for it, its calls fail with ORDO_ERR_PEER_FAILED.
 *
 * Every call that needs a failed peer returns ORDO_ERR_PEER_FAILED, within
 * the detector's timeout of the failure.  ordo_barrier (and ordo_obj_alloc
 * / ordo_obj_free) fail while a failure is not acknowledged; after
 * ordo_failure_ack they run over the live members.  ordo_finalize always
 * runs over the live members.
 */

/** What a rank's view says of a peer. */
typedef enum {
    ORDO_PEER_ALIVE = 0,     /* heard from within the detector's timeout */
    ORDO_PEER_SUSPECTED = 1, /* silent for half the timeout: being probed */
    ORDO_PEER_FAILED = 2,    /* failed, cut off or gone: final */
} ordo_peer_state_t;

/** The state of rank in this rank's view (an ordo_peer_state_t), or a
 *  negative status (ORDO_ERR_INVALID for a rank outside the job). */
ORDO_API int ordo_peer_state(int rank);

/** A summary of this rank's membership view. */
typedef struct ordo_membership {
    uint64_t epoch;       /* failures known: grows by one per failed rank */
    uint64_t acked_epoch; /* the epoch ordo_failure_ack last acknowledged */
    int live;             /* ranks not failed, this one included */
    int suspected;        /* live ranks under suspicion now */
    int failed;           /* failed ranks */
    int out;              /* 1 if the others declared this rank failed */
} ordo_membership_t;

/** Fill *m with this rank's view. */
ORDO_API ordo_status_t ordo_membership(ordo_membership_t *m);

/**
 * Called once per failed rank, on the thread that runs ordo's progress
 * (inside an ordo call, or the progress thread), after every operation
 * that needed the rank has ended.  epoch is the view's epoch with this
 * failure.  The callback must not block (ordo calls that wait refuse with
 * ORDO_ERR_INVALID inside it).  At most 8 callbacks; they run in the order
 * registered.
 */
typedef void (*ordo_failure_cb_t)(int rank, uint64_t epoch, void *arg);
ORDO_API ordo_status_t ordo_failure_cb_register(ordo_failure_cb_t cb, void *arg);

/**
 * Acknowledge every failure this rank knows of (as ULFM's
 * MPI_Comm_failure_ack): ordo_barrier, and the collective object calls,
 * then run over the ranks still alive.  *epoch (may be NULL) receives the
 * epoch acknowledged.  Ranks that acknowledge different sets meet once
 * each has learnt of every failure (within the detector's timeout) and
 * acknowledged again: a barrier fails with ORDO_ERR_PEER_FAILED while the
 * view holds a failure not acknowledged.
 */
ORDO_API ordo_status_t ordo_failure_ack(uint64_t *epoch);

/* ------------------------------------------------------------------------ */
/* Gossip                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Push-pull gossip: a rank publishes a small record (a rumour) and returns
 * at once; every live rank learns it within O(log n) rounds and hands it to
 * its subscribers once.  Each round (every ORDO_GOSSIP_PERIOD_MS) a rank
 * that still spreads records calls ORDO_GOSSIP_FANOUT random live peers
 * with a digest of what it knows and its young records; each peer keeps
 * what is new and answers with the records the digest says the caller
 * lacks.  A record is spread for ORDO_GOSSIP_RETRANSMIT rounds by each rank
 * that learns it.  Failed peers are not called.
 *
 * Rounds run from ordo's progress (a runtime timer): inside any ordo call
 * that waits (ordo_progress, ordo_barrier, ...) or on the progress thread
 * (ORDO_PROGRESS=thread).  A rank that never drives progress neither
 * spreads nor answers.  Once no rank spreads anything, gossip costs nothing.
 *
 * Membership: when a rank learns that a peer failed (from any source) it
 * gossips that too, and a rank that learns it this way applies it to its
 * view (ordo_peer_state, ordo_failure_cb_register) as an obituary would:
 * failure knowledge spreads even where the failure detector's messages do
 * not reach.
 *
 * Records are kept until ordo_finalize (a peer may still pull them).
 */

/** Largest record ordo_gossip_publish takes, in bytes. */
#define ORDO_GOSSIP_MAX_RECORD 256

/**
 * A subscriber: called once per record per rank (the publisher's own
 * records included), on the thread that runs ordo's progress, with the
 * record's origin rank, its sequence number at the origin (0, 1, 2, ... in
 * publishing order) and its bytes (valid during the call).  Records of one
 * origin may come out of order.  It must not block (ordo calls that wait
 * refuse with ORDO_ERR_INVALID inside it); it may publish.
 */
typedef void (*ordo_gossip_cb_t)(int origin, uint64_t seq, const void *data, size_t len, void *arg);

/**
 * Spread len bytes (0 .. ORDO_GOSSIP_MAX_RECORD; data may be NULL when len
 * is 0) from this rank to every live rank.  Copies data and returns at
 * once; the rounds that spread it run from progress.  *seq (may be NULL)
 * receives the record's sequence number.  ORDO_ERR_INVALID for a NULL data
 * with len > 0 or len too large (with a warning), ORDO_ERR_UNSUPPORTED with
 * ORDO_GOSSIP=n, ORDO_ERR_NOMEM.  May be called from a handler or a
 * subscriber (it sends nothing itself).
 */
ORDO_API ordo_status_t ordo_gossip_publish(const void *data, size_t len, uint64_t *seq);

/**
 * Call cb for every record this rank learns, the ones it knew before the
 * call included (delivered from progress, not from this call).  At most 8
 * subscribers (ORDO_ERR_NOMEM after that); ORDO_ERR_INVALID for a NULL cb,
 * ORDO_ERR_UNSUPPORTED with ORDO_GOSSIP=n.
 */
ORDO_API ordo_status_t ordo_gossip_subscribe(ordo_gossip_cb_t cb, void *arg);

/** This rank's gossip counters since ordo_init. */
typedef struct ordo_gossip_stats {
    uint64_t rounds;         /**< rounds run (a round runs only while something spreads) */
    uint64_t msgs_sent;      /**< pushes sent and answers given */
    uint64_t msgs_received;  /**< pushes handled and answers received */
    uint64_t bytes_sent;     /**< of those messages */
    uint64_t published;      /**< records this rank published */
    uint64_t records_known;  /**< data records this rank holds, its own included */
    uint64_t delivered;      /**< records handed to the subscribers (counted without one too) */
    uint64_t duplicates;     /**< records received that this rank knew already */
    uint64_t malformed;      /**< messages refused: malformed, or from a failed rank */
    uint64_t skipped;        /**< peers not called: the last call to them not ended yet */
    uint64_t young;          /**< records this rank still spreads */
    uint64_t member_records; /**< membership records (a failed rank each) this rank holds */
    uint64_t member_applied; /**< failures this rank learnt first from gossip */
    uint64_t learnt;         /**< data records learnt from peers (not its own) */
    uint64_t rounds_sum;     /**< sum over those of the rounds it took them to come */
    uint64_t rounds_max;     /**< the most rounds one of them took */
    uint64_t hops_sum;       /**< sum over those of the ranks they passed (1: direct) */
    uint64_t hops_max;       /**< the most hops one of them took */
} ordo_gossip_stats_t;

/** Fill *st (ORDO_ERR_INVALID if NULL; ORDO_ERR_UNSUPPORTED with ORDO_GOSSIP=n). */
ORDO_API ordo_status_t ordo_gossip_stats(ordo_gossip_stats_t *st);

/** What this rank knows of one record. */
typedef struct ordo_gossip_record_info {
    uint32_t rounds; /**< rounds from its publication until this rank learnt it (0: own) */
    uint32_t hops;   /**< messages it passed through to get here (0: own) */
    uint64_t round;  /**< this rank's round count when it learnt it */
    int delivered;   /**< 1 once handed to the subscribers */
} ordo_gossip_record_info_t;

/**
 * Look up record (origin, seq): ORDO_OK and *info if this rank knows it,
 * ORDO_ERR_UNAVAILABLE if it does not (yet), ORDO_ERR_INVALID for an
 * origin outside the job or a NULL info.
 */
ORDO_API ordo_status_t ordo_gossip_record(int origin, uint64_t seq,
                                          ordo_gossip_record_info_t *info);

#ifdef __cplusplus
}
#endif

#endif /* ORDO_H */
