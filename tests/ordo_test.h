/* ordo_test.h - running CUnit suites, on one rank or on many. */
#ifndef ORDO_TEST_H
#define ORDO_TEST_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <ordo.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Exit status for "skipped" under automake's test driver. */
#define ORDO_TEST_SKIP 77

/* CLOCK_MONOTONIC in seconds (one clock for every rank of one host). */
static inline double ordo_test_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Register suites and run them.  Only the rank given as "quiet == 0" prints
 * the per-test lines; every rank prints its own failures.  Returns the
 * number of failed assertions and tests (0 on success), or -1 if CUnit
 * itself failed.
 */
static inline int ordo_test_run(CU_SuiteInfo *suites, int quiet, const char *who)
{
    int failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return -1;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "%s: cannot register suites: %s\n", who, CU_get_error_msg());
        CU_cleanup_registry();
        return -1;
    }
    CU_basic_set_mode(quiet ? CU_BRM_SILENT : CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = (int)(CU_get_number_of_failures() + CU_get_number_of_tests_failed());
    if (failures && quiet) {
        fprintf(stderr, "%s: %d failure(s):\n", who, failures);
        CU_basic_show_failures(CU_get_failure_list());
        fprintf(stderr, "\n");
    }
    CU_cleanup_registry();
    return failures;
}

/* The rank the launcher gave this process, known before ordo_init (0 when
 * started alone): mpirun, PMIx (srun --mpi=pmix) or Slurm. */
static inline int ordo_test_launcher_rank(void)
{
    const char *vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID", NULL};
    for (int i = 0; vars[i]; i++)
        if (getenv(vars[i]))
            return atoi(getenv(vars[i]));
    return 0;
}

/* main() of a multi-rank suite: every rank runs the suites, rank 0 prints
 * the per-test lines, every rank its failures.  Exit status 0 or 1. */
static inline int ordo_test_main_ranks(CU_SuiteInfo *suites, const char *name)
{
    char who[64];
    int rank = ordo_test_launcher_rank();
    snprintf(who, sizeof(who), "%s rank %d", name, rank);
    return ordo_test_run(suites, rank != 0, who) == 0 ? 0 : 1;
}

/* Call ordo_progress() until *counter reaches target or 60 s have passed
 * (a lost message must fail the test, not hang it).  1 if reached. */
static inline int ordo_test_progress_until(volatile long *counter, long target)
{
    time_t t0 = time(NULL);
    while (*counter < target && time(NULL) - t0 < 60)
        if (ordo_progress() < 0)
            return 0;
    return *counter >= target;
}

#endif
