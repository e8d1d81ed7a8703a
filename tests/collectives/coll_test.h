/*
 * coll_test.h - what test_coll_mpi.c and test_coll_checks.c (one program)
 * share: the rank and job size, the algorithms of a family, and the tests
 * that live in test_coll_checks.c.
 */
#ifndef ORDO_TESTS_COLL_TEST_H
#define ORDO_TESTS_COLL_TEST_H

#include "ordo.h"

extern int rank, size;

/* The family's algorithms (names, at most 8): how many. */
int nalgs(ordo_coll_family_t f, const char **names);

void test_bad_input(void);
void test_mismatch(void);
void test_predict(void);

#endif
