/*
 * history.h - the operation histories of registers and locks, for
 * linearizability checkers (ordo-lincheck, Knossos).
 *
 * With ORDO_HISTORY=DIR each rank writes, per register set or lock, the
 * file DIR/<object>.<rank>.<ext> (object "qreg-3" or "lock-1"; ext "edn",
 * or "jsonl" with ORDO_HISTORY_FORMAT=json): one line per event, an invoke
 * when an operation starts and its completion when it ends:
 *
 *   {:process 4, :type :invoke, :f :write, :key 3, :value 7, :time 1764...}
 *   {:process 4, :type :ok, :f :write, :key 3, :value 7, :time 1764...}
 *
 * type: invoke, then ok (it happened), fail (it certainly did not) or info
 * (unknown: it may have happened, e.g. a write that stopped after some
 * replicas stored it).  f: read, write (registers), acquire, release
 * (locks; an acquire's ok carries the fencing token as its value).  value:
 * the register value's first 8 bytes (fewer if it is shorter) as an
 * unsigned little-endian integer, nil where there is none (a read's
 * invoke).  time: CLOCK_REALTIME in ns (not the fault-injected clock), so
 * the files of the ranks of one node merge exactly.  process: a sequential
 * client, as Jepsen's: every operation in flight has its own, and one whose
 * operation ended in info is never used again.
 */
#ifndef ORDO_CONSISTENCY_HISTORY_H
#define ORDO_CONSISTENCY_HISTORY_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    ORDO__HIST_OK,
    ORDO__HIST_FAIL,
    ORDO__HIST_INFO,
} ordo__hist_type_t;

typedef struct ordo__hist_file ordo__hist_file_t;

/* Open the history of an object (kind "qreg" or "lock", its id); NULL when
 * histories are off (or the file could not be opened: logged once). */
ordo__hist_file_t *ordo__hist_open(const char *kind, uint32_t id);
void ordo__hist_close(ordo__hist_file_t *h);

/* The value as the history shows it: its first min(8, len) bytes. */
uint64_t ordo__hist_value(const void *val, size_t len);

/* Log an invoke of f on key (value given when has_value); returns the
 * process that runs it (pass it to the completion). */
uint64_t ordo__hist_invoke(ordo__hist_file_t *h, const char *f, uint64_t key, int has_value,
                           uint64_t value);
/* Log the completion of process's operation; the process is free again
 * unless type is info. */
void ordo__hist_complete(ordo__hist_file_t *h, uint64_t process, ordo__hist_type_t type,
                         const char *f, uint64_t key, int has_value, uint64_t value);

/* The status of an operation as the history's type: ok for ORDO_OK; info
 * when it may have taken effect (maybe_applied), else fail. */
ordo__hist_type_t ordo__hist_type(int status, int maybe_applied);

#endif
