/* litmus_run.h - running litmus tests on ordo's shared objects (litmus7's job). */
#ifndef ORDO_LITMUS_RUN_H
#define ORDO_LITMUS_RUN_H

#include "litmus.h"

#include <ordo.h>

typedef enum litmus_homes {
    LITMUS_HOMES_THREADS, /* location l at thread (l+1) mod T's rank */
    LITMUS_HOMES_OTHERS,  /* on the ranks after the last thread */
} litmus_homes_t;

typedef struct litmus_run_opts {
    litmus_model_t model; /* sc, tso or causal (the object's model) */
    long iterations;      /* instances in all */
    int batch;            /* instances per round (one object each) */
    litmus_homes_t homes;
    int stress; /* random pauses between instructions */
    uint32_t seed;
} litmus_run_opts_t;

/* What rank 0 saw: the distinct final states and how often each came. */
typedef struct litmus_run_result {
    litmus_state_set_t states;
    long *count; /* per state of states */
    long iterations;
    double seconds;
} litmus_run_result_t;

/*
 * Run test on the runtime (collective: every rank calls it with the same
 * test and options).  Rank 0 fills *res (free with litmus_run_result_free);
 * others leave it empty.  ORDO_OK, or an ordo status (the operation that
 * failed is described in err on the rank that saw it).
 */
int litmus_run(const litmus_test_t *test, const litmus_run_opts_t *opts, litmus_run_result_t *res,
               char *err, size_t errlen);
void litmus_run_result_free(litmus_run_result_t *res);

#endif
