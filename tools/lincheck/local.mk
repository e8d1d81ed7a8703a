# tools/lincheck/local.mk - included by Makefile.am: ordo-lincheck, which
# checks that a history of operations on registers and locks (Jepsen EDN or
# JSON lines, one file per rank or one for all) is linearizable.
#
# The tool only reads files: it links neither libordo nor MPI's libraries
# (the linker drops mpicc's -lmpi, which nothing uses), so it runs anywhere.

LINCHECK_SOURCES = \
	tools/lincheck/lincheck.h \
	tools/lincheck/history_parse.c \
	tools/lincheck/history_files.c \
	tools/common/tool_files.h \
	tools/common/tool_parse.h \
	tools/common/tool_files.c \
	tools/lincheck/history_read.c \
	tools/lincheck/keys.c \
	tools/lincheck/models.c \
	tools/lincheck/wgl.c \
	tools/lincheck/lost.c \
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

# Hand-made histories: valid ones, one per kind of violation, a directory of
# per-rank files, one of several objects' files, one malformed file per kind
# of bad input.
LINCHECK_TEST_INPUTS = \
	tools/lincheck/tests/bad/after-info.edn \
	tools/lincheck/tests/bad/float-time.edn \
	tools/lincheck/tests/bad/json-bare-word.jsonl \
	tools/lincheck/tests/bad/json-comma.jsonl \
	tools/lincheck/tests/bad/json-trailing-comma.jsonl \
	tools/lincheck/tests/bad/mixed-key.edn \
	tools/lincheck/tests/bad/negative.edn \
	tools/lincheck/tests/bad/no-invoke.edn \
	tools/lincheck/tests/bad/no-time.edn \
	tools/lincheck/tests/bad/not-a-map.edn \
	tools/lincheck/tests/bad/overflow.edn \
	tools/lincheck/tests/bad/process-range.edn \
	tools/lincheck/tests/bad/read-nil.edn \
	tools/lincheck/tests/bad/second-invoke.edn \
	tools/lincheck/tests/bad/string-type.edn \
	tools/lincheck/tests/bad/trailing.edn \
	tools/lincheck/tests/bad/twice.edn \
	tools/lincheck/tests/bad/unbalanced.edn \
	tools/lincheck/tests/bad/unclosed.edn \
	tools/lincheck/tests/bad/unknown-f.edn \
	tools/lincheck/tests/bad/unknown-type.edn \
	tools/lincheck/tests/bad/unterminated-string.edn \
	tools/lincheck/tests/bad/value-vector.edn \
	tools/lincheck/tests/bad/write-mismatch.edn \
	tools/lincheck/tests/bad/write-nil.edn \
	tools/lincheck/tests/bad/wrong-completion.edn \
	tools/lincheck/tests/invalid/fail-write-seen.edn \
	tools/lincheck/tests/invalid/info-write-seen-early.edn \
	tools/lincheck/tests/invalid/mutex-release-non-holder.edn \
	tools/lincheck/tests/invalid/mutex-tokens.edn \
	tools/lincheck/tests/invalid/mutex-two-holders.edn \
	tools/lincheck/tests/invalid/never-written.edn \
	tools/lincheck/tests/invalid/ordo-history.4.edn \
	tools/lincheck/tests/invalid/qreg-2.1.edn \
	tools/lincheck/tests/invalid/stale-read.edn \
	tools/lincheck/tests/lost/final-read.edn \
	tools/lincheck/tests/objects/README.txt \
	tools/lincheck/tests/objects/lock-1.0.edn \
	tools/lincheck/tests/objects/qreg-1.0.edn \
	tools/lincheck/tests/objects/qreg-1.1.edn \
	tools/lincheck/tests/objects/qreg-2.0.edn \
	tools/lincheck/tests/ranks/README.txt \
	tools/lincheck/tests/ranks/ordo-history.0.edn \
	tools/lincheck/tests/ranks/ordo-history.10.edn \
	tools/lincheck/tests/ranks/ordo-history.2.edn \
	tools/lincheck/tests/ranks/ordo-history.3.jsonl \
	tools/lincheck/tests/valid/fail-write-unseen.edn \
	tools/lincheck/tests/valid/info-write-seen.edn \
	tools/lincheck/tests/valid/info-write-unseen.edn \
	tools/lincheck/tests/valid/mutex.edn \
	tools/lincheck/tests/valid/register-both-orders.edn \
	tools/lincheck/tests/valid/register.jsonl

TESTS += tools/lincheck/tests/test_lincheck tools/lincheck/tests/lincheck_tests.sh

EXTRA_DIST += \
	tools/lincheck/README.md \
	tools/lincheck/tests/lincheck_tests.sh \
	$(LINCHECK_TEST_INPUTS)
