/*
 * config.h - ORDO_* environment variables: tables of {name, type, default,
 * doc, field}, parsed and validated at init.  The runtime has its table
 * (ordo__cfg_table, values in ordo__config_t); each module brings its own
 * (module.h), with its own values struct.
 */
#ifndef ORDO_RUNTIME_CONFIG_H
#define ORDO_RUNTIME_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/fault.h"

typedef enum {
    ORDO__WAIT_AUTO,
    ORDO__WAIT_SPIN,
    ORDO__WAIT_YIELD,
    ORDO__WAIT_BLOCK,
} ordo__wait_mode_t;

/* The runtime's parsed values.  One field per table entry; the table maps names to fields. */
typedef struct ordo__config {
    int log_level;              /* ORDO_LOG: ordo__log_level_t */
    int wait_mode;              /* ORDO_WAIT: ordo__wait_mode_t */
    int transport;              /* ORDO_TRANSPORT: index in ordo__tl_backends */
    uint64_t timeout_ms;        /* ORDO_TIMEOUT_MS */
    uint64_t max_msg_size;      /* ORDO_MAX_MSG_SIZE, bytes */
    int peer_errors;            /* ORDO_PEER_ERRORS: 1 = UCX peer error handling on */
    int progress;               /* ORDO_PROGRESS: 0 poll, 1 thread */
    int bind;                   /* ORDO_BIND: ordo__bind_t (topo.h) */
    int proto;                  /* ORDO_PROTO: ordo_proto_t */
    uint64_t rndv_thresh;       /* ORDO_RNDV_THRESH: bytes, or ORDO__CFG_AUTO */
    uint64_t rndv_inflight;     /* ORDO_RNDV_INFLIGHT: bytes pulled at once */
    int delivery;               /* ORDO_DELIVERY: 0 exactly-once, 1 at-least-once */
    uint64_t retry_ms;          /* ORDO_RETRY_MS: resend an unanswered request (0: never) */
    uint64_t dedup_window;      /* ORDO_DEDUP_WINDOW: requests remembered per source */
    ordo__fault_spec_t fault;   /* ORDO_FAULT */
    unsigned clocks;            /* ORDO_CLOCKS: ORDO__CLOCK_* bits (lclock.h) */
    uint64_t hlc_max_offset_us; /* ORDO_HLC_MAX_OFFSET_US */
    char trace_dir[1024];       /* ORDO_TRACE: "" for no trace */
} ordo__config_t;

/* The value of a SIZE_AUTO variable set to "auto". */
#define ORDO__CFG_AUTO UINT64_MAX

typedef enum {
    ORDO__CFG_ORIGIN_DEFAULT,
    ORDO__CFG_ORIGIN_ENV,
} ordo__cfg_origin_t;

typedef enum {
    ORDO__CFG_ENUM,      /* one of choices; stored as int index */
    ORDO__CFG_UINT,      /* decimal integer in [min, max]; stored as uint64_t */
    ORDO__CFG_SIZE,      /* bytes, with optional K/M/G suffix (powers of 2); uint64_t */
    ORDO__CFG_BOOL,      /* y|n|yes|no|1|0|on|off|true|false; stored as int */
    ORDO__CFG_SIZE_AUTO, /* "auto" (ORDO__CFG_AUTO) or a SIZE */
    ORDO__CFG_FAULT,     /* a fault-injection spec (fault.h) */
    ORDO__CFG_CLOCKS,    /* a subset of lamport,vector,hlc, or none; stored as unsigned bits */
    ORDO__CFG_PATH,      /* a path (or empty); stored in a char[1024] */
} ordo__cfg_type_t;

typedef struct ordo__cfg_entry {
    const char *name;
    ordo__cfg_type_t type;
    const char *dflt;
    const char *doc;
    size_t offset;
    const char *const *choices; /* ENUM only, NULL-terminated */
    uint64_t min, max;          /* UINT and SIZE */
    /* UINT, SIZE and SIZE_AUTO (not for auto): a constraint beyond the
     * range, or NULL.  Returns 0 if v is fine, else -1 and says why in
     * why, which the loader's message then quotes. */
    int (*check)(uint64_t v, char *why, size_t len);
} ordo__cfg_entry_t;

/* Entries a table may have (origin arrays are this long; a longer table is
 * refused at load). */
#define ORDO__CFG_MAX 48

/* A table and where its values go. */
typedef struct ordo__cfg_table {
    const char *module;
    const ordo__cfg_entry_t *entries;
    size_t len;
    void *values; /* the entries' offsets point into this */
    size_t values_size;
} ordo__cfg_table_t;

/* Fill t->values from envp (a NULL-terminated "NAME=value" array such as
 * environ); nothing is written unless every entry parses.  origin (may be
 * NULL, else ORDO__CFG_MAX long) receives an ordo__cfg_origin_t per entry.
 * On a bad value returns ORDO_ERR_CONFIG and writes a message naming the
 * variable, the value and what is accepted into err. */
int ordo__cfg_table_load(const ordo__cfg_table_t *t, int *origin, char *const *envp, char *err,
                         size_t errlen);
/* 1 if the table has the variable name[0, len). */
int ordo__cfg_table_has(const ordo__cfg_table_t *t, const char *name, size_t len);
/* Report every ORDO_* variable of envp that none of the n tables knows. */
void ordo__cfg_warn_unknown(const ordo__cfg_table_t *tables, size_t n, char *const *envp,
                            void (*warn_unknown)(const char *name));
/* Format the value of entry e (of values) into buf. */
void ordo__cfg_format(const ordo__cfg_entry_t *e, const void *values, char *buf, size_t len);
/* Print the table: doc, accepted values, default, name=value and origin. */
void ordo__cfg_table_print(const ordo__cfg_table_t *t, const int *origin, FILE *out);
/* The table as Markdown: variable, accepted values, default, what it does. */
void ordo__cfg_table_markdown(const ordo__cfg_table_t *t, FILE *out);

/* The runtime's table. */
extern const ordo__cfg_entry_t ordo__cfg_table[];
extern const size_t ordo__cfg_table_len;
ordo__cfg_table_t ordo__config_table(ordo__config_t *cfg);

/* The runtime's table loaded into cfg (unknown: ORDO_* variables no table knows). */
int ordo__config_load(ordo__config_t *cfg, int *origin, char *const *envp, char *err, size_t errlen,
                      void (*warn_unknown)(const char *name));
void ordo__config_print(const ordo__config_t *cfg, const int *origin, FILE *out);

#endif
