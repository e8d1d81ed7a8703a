# ORDO_CHECK_PAPI: PAPI hardware counters for the benchmarks (Debian: libpapi-dev).
AC_DEFUN([ORDO_CHECK_PAPI], [
  PKG_CHECK_MODULES([PAPI], [papi], [],
    [AC_MSG_ERROR([PAPI not found: install the Debian package libpapi-dev])])
  ordo_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS $PAPI_CFLAGS"
  AC_CHECK_HEADER([papi.h], [],
    [AC_MSG_ERROR([papi.h not found: install the Debian package libpapi-dev])])
  CFLAGS=$ordo_save_CFLAGS
])
