# ORDO_DEVEL_FLAGS: warnings as errors in development builds, optional sanitizers.
AC_DEFUN([ORDO_DEVEL_FLAGS], [
  AC_ARG_ENABLE([devel],
    [AS_HELP_STRING([--disable-devel], [do not build with -Wall -Wextra -Werror])],
    [], [enable_devel=yes])
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build with AddressSanitizer and UndefinedBehaviorSanitizer])],
    [], [enable_sanitizers=no])
  ORDO_DEV_CFLAGS="-fvisibility=hidden"
  AS_IF([test "x$enable_devel" = "xyes"],
        [ORDO_DEV_CFLAGS="$ORDO_DEV_CFLAGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes"])
  ORDO_SAN_FLAGS=""
  AS_IF([test "x$enable_sanitizers" = "xyes"],
        [ORDO_SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"])
  AM_CONDITIONAL([ORDO_SANITIZERS], [test "x$enable_sanitizers" = "xyes"])
  AC_SUBST([ORDO_DEV_CFLAGS])
  AC_SUBST([ORDO_SAN_FLAGS])
])
