# ORDO_CHECK_UCX: UCX's ucp library (Debian: libucx-dev).
AC_DEFUN([ORDO_CHECK_UCX], [
  PKG_CHECK_MODULES([UCX], [ucx >= 1.12], [],
    [AC_MSG_ERROR([UCX (ucp) >= 1.12 not found: install the Debian package libucx-dev])])
  ordo_save_CFLAGS=$CFLAGS; ordo_save_LIBS=$LIBS
  CFLAGS="$CFLAGS $UCX_CFLAGS"; LIBS="$LIBS $UCX_LIBS"
  AC_CHECK_HEADER([ucp/api/ucp.h], [],
    [AC_MSG_ERROR([ucp/api/ucp.h not found: install the Debian package libucx-dev])])
  AC_CHECK_FUNC([ucp_am_send_nbx], [],
    [AC_MSG_ERROR([ucp_am_send_nbx not found in UCX: ordo needs UCX >= 1.12 (libucx-dev)])])
  CFLAGS=$ordo_save_CFLAGS; LIBS=$ordo_save_LIBS
])
