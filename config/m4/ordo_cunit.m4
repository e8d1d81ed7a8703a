# ORDO_CHECK_CUNIT: CUnit for the test suites (Debian: libcunit1-dev).
AC_DEFUN([ORDO_CHECK_CUNIT], [
  PKG_CHECK_MODULES([CUNIT], [cunit >= 2.1], [],
    [AC_MSG_ERROR([CUnit not found: install the Debian package libcunit1-dev])])
])
