# ORDO_CHECK_MPI: use the MPI compiler wrapper as CC and find the launcher.
AC_DEFUN([ORDO_CHECK_MPI], [
  AC_ARG_VAR([MPICC], [MPI C compiler wrapper (default: mpicc)])
  AC_ARG_VAR([MPIEXEC], [MPI launcher used by make check (default: mpirun)])
  AC_CHECK_PROGS([MPICC], [mpicc], [no])
  AS_IF([test "x$MPICC" = "xno"],
        [AC_MSG_ERROR([mpicc not found: install the Debian package libopenmpi-dev (apt-get install libopenmpi-dev openmpi-bin)])])
  AS_IF([test -z "$CC"], [CC="$MPICC"])
  AC_CHECK_PROGS([MPIEXEC], [mpirun mpiexec], [no])
  AS_IF([test "x$MPIEXEC" = "xno"],
        [AC_MSG_ERROR([mpirun not found: install the Debian package openmpi-bin])])
])

# ORDO_CHECK_MPI_LINK (after AC_PROG_CC): the compiler must link MPI programs.
AC_DEFUN([ORDO_CHECK_MPI_LINK], [
  AC_MSG_CHECKING([whether $CC links MPI programs])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>]], [[MPI_Init(0, 0); MPI_Finalize();]])],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([$CC cannot build MPI programs: install the Debian package libopenmpi-dev, or set CC=mpicc])])
])
