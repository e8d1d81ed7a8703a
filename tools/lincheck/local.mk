# tools/lincheck/local.mk - included by Makefile.am: ordo-lincheck, which
# checks that a history of operations on registers and locks (Jepsen EDN or
# JSON lines, one file per rank or one for all) is linearizable.
#
# The tool only reads files: it links neither libordo nor MPI's libraries
# (the linker drops mpicc's -lmpi, which nothing uses), so it runs anywhere.

LINCHECK_SOURCES = \
	tools/lincheck/lincheck.h \
	tools/lincheck/history_parse.c \
	tools/lincheck/history_read.c \
	tools/lincheck/keys.c \
	tools/lincheck/models.c \
	tools/lincheck/wgl.c \
	tools/lincheck/report.c

bin_PROGRAMS += tools/lincheck/ordo-lincheck
tools_lincheck_ordo_lincheck_SOURCES = tools/lincheck/ordo_lincheck.c $(LINCHECK_SOURCES)
tools_lincheck_ordo_lincheck_CFLAGS = $(AM_CFLAGS)

# The unit tests (CUnit) link the same sources, without the CLI; the
# generator simulates processes on atomic registers and locks for the
# large histories of lincheck_tests.sh.
check_PROGRAMS += tools/lincheck/tests/test_lincheck tools/lincheck/tests/gen_history
tools_lincheck_tests_test_lincheck_SOURCES = tools/lincheck/tests/test_lincheck.c $(LINCHECK_SOURCES)
tools_lincheck_tests_test_lincheck_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tools_lincheck_tests_test_lincheck_LDADD = $(CUNIT_LIBS)
tools_lincheck_tests_gen_history_SOURCES = tools/lincheck/tests/gen_history.c
tools_lincheck_tests_gen_history_CFLAGS = $(AM_CFLAGS)


TESTS += tools/lincheck/tests/test_lincheck
