# ORDO_CHECK_PTHREAD: POSIX threads for the progress thread.
AC_DEFUN([ORDO_CHECK_PTHREAD], [
  AC_CHECK_HEADER([pthread.h], [], [AC_MSG_ERROR([pthread.h not found: install libc6-dev])])
  AC_SEARCH_LIBS([pthread_create], [pthread], [],
    [AC_MSG_ERROR([pthread_create not found: install libc6-dev])])
  AC_SEARCH_LIBS([clock_gettime], [rt])
  AC_SEARCH_LIBS([sqrt], [m])
])
