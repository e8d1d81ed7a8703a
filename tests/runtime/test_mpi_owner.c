/*
 * test_mpi_owner.c - an application that initializes MPI itself: ordo uses
 * it, leaves it usable between ordo_init and ordo_finalize, and does not
 * finalize it.
 */
#include "../ordo_test.h"

#include <mpi.h>
#include <ordo.h>
#include <stdlib.h>

static int world_rank;

static void test_ordo_inside_application_mpi(void)
{
    int finalized = 1, sum = 0, one = 1, size;

    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CU_ASSERT_EQUAL_FATAL(ordo_init(NULL, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_rank(), world_rank);
    CU_ASSERT_EQUAL(ordo_size(), size);
    /* The application's MPI keeps working next to ordo. */
    CU_ASSERT_EQUAL(MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), MPI_SUCCESS);
    CU_ASSERT_EQUAL(sum, size);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
    /* ... and after ordo_finalize, MPI is as the application left it. */
    MPI_Finalized(&finalized);
    CU_ASSERT_FALSE(finalized);
    sum = 0;
    CU_ASSERT_EQUAL(MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), MPI_SUCCESS);
    CU_ASSERT_EQUAL(sum, size);
    /* ordo can start again in the same MPI job. */
    CU_ASSERT_EQUAL(ordo_init(NULL, NULL), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_barrier(), ORDO_OK);
    CU_ASSERT_EQUAL(ordo_finalize(), ORDO_OK);
}

static CU_TestInfo tests[] = {
    {"ordo inside an MPI application", test_ordo_inside_application_mpi},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runtime/mpi_owner", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    char who[64];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    snprintf(who, sizeof(who), "test_mpi_owner rank %d", world_rank);
    int failures = ordo_test_run(suites, world_rank != 0, who);
    MPI_Finalize();
    return failures == 0 ? 0 : 1;
}
