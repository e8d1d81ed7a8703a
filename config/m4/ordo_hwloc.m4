# ORDO_CHECK_HWLOC: hwloc topology library (Debian: libhwloc-dev).
AC_DEFUN([ORDO_CHECK_HWLOC], [
  PKG_CHECK_MODULES([HWLOC], [hwloc >= 2.0], [],
    [AC_MSG_ERROR([hwloc >= 2.0 not found: install the Debian package libhwloc-dev])])
])
