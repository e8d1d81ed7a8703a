/* boot_mpi.c - bootstrap over MPI. */
#include "ordo_config.h"

#include "runtime/boot.h"

#include "runtime/log.h"

#include <mpi.h>
#include <ordo.h>

static MPI_Comm boot_comm = MPI_COMM_NULL;
static int boot_owns_mpi;

static int mpi_status(int rc, const char *what)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (rc == MPI_SUCCESS)
        return ORDO_OK;
    MPI_Error_string(rc, msg, &len);
    ordo_log_error("%s failed: %s", what, msg);
    return ORDO_ERR_BOOTSTRAP;
}

int ordo__boot_init(int *argc, char ***argv, int *rank, int *size)
{
    int inited = 0, finalized = 0, provided, status;

    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (finalized) {
        ordo_log_error("MPI was already finalized: call ordo_init before MPI_Finalize");
        return ORDO_ERR_BOOTSTRAP;
    }
    if (!inited) {
        status = mpi_status(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided),
                            "MPI_Init_thread");
        if (status != ORDO_OK)
            return status;
        boot_owns_mpi = 1;
    }
    status = mpi_status(MPI_Comm_dup(MPI_COMM_WORLD, &boot_comm), "MPI_Comm_dup");
    if (status != ORDO_OK)
        goto err_finalize;
    /* Errors on our communicator come back as codes, not as an abort. */
    MPI_Comm_set_errhandler(boot_comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(boot_comm, rank);
    MPI_Comm_size(boot_comm, size);
    return ORDO_OK;

err_finalize:
    if (boot_owns_mpi)
        MPI_Finalize();
    boot_owns_mpi = 0;
    return status;
}

int ordo__boot_allgather(const void *in, size_t len, void *out)
{
    if (len > (size_t)INT32_MAX)
        return ORDO_ERR_INVALID;
    return mpi_status(MPI_Allgather(in, (int)len, MPI_BYTE, out, (int)len, MPI_BYTE, boot_comm),
                      "MPI_Allgather");
}

int ordo__boot_agree(int status)
{
    int worst = status;
    if (MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MIN, boot_comm) != MPI_SUCCESS)
        return ORDO_ERR_BOOTSTRAP;
    if (worst != ORDO_OK && status == ORDO_OK)
        ordo_log_error("another rank failed to start: %s", ordo_strerror(worst));
    return worst;
}

int ordo__boot_owns_mpi(void)
{
    return boot_owns_mpi;
}

int ordo__boot_finalize(int peers_failed)
{
    int status = ORDO_OK;

    if (peers_failed) {
        /* MPI_Comm_free and MPI_Finalize are collective and can hang on a dead
         * peer (measured with pml ucx): leave MPI alone and say so. */
        if (boot_owns_mpi)
            ordo_log_warn("a peer failed: not calling MPI_Finalize (it could hang); "
                          "the launcher may report that this process did not finalize");
        boot_comm = MPI_COMM_NULL;
        boot_owns_mpi = 0;
        return ORDO_OK;
    }
    if (boot_comm != MPI_COMM_NULL)
        status = mpi_status(MPI_Comm_free(&boot_comm), "MPI_Comm_free");
    if (boot_owns_mpi && status == ORDO_OK)
        status = mpi_status(MPI_Finalize(), "MPI_Finalize");
    boot_owns_mpi = 0;
    return status;
}
