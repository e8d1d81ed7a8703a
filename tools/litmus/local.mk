# tools/litmus/local.mk - included by Makefile.am: ordo-litmus, which reads
# litmus tests in herdtools7's LISA syntax and enumerates the outcomes the
# SC, TSO and causal+ models allow, and runs them on the runtime's shared
# objects (litmus_run.c, which links libordo; the parser and enumerator do
# not, and their unit tests link them alone).

LITMUS_SOURCES = \
	tools/litmus/litmus.h \
	tools/litmus/litmus_lex.h \
	tools/litmus/litmus_lex.c \
	tools/litmus/litmus_parse.c \
	tools/litmus/litmus_state.c \
	tools/litmus/litmus_enum.c

bin_PROGRAMS += tools/litmus/ordo-litmus
tools_litmus_ordo_litmus_SOURCES = tools/litmus/ordo_litmus.c tools/litmus/litmus_run.h \
	tools/litmus/litmus_run.c $(LITMUS_SOURCES)
tools_litmus_ordo_litmus_CFLAGS = $(AM_CFLAGS)
tools_litmus_ordo_litmus_LDADD = libordo.la

# The library's unit tests (CUnit) link the same sources, without the CLI.
check_PROGRAMS += tests/litmus/test_litmus
tests_litmus_test_litmus_SOURCES = tests/litmus/test_litmus.c $(LITMUS_SOURCES)
tests_litmus_test_litmus_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_litmus_test_litmus_LDADD = $(CUNIT_LIBS)

# The catalogue (one test per file, named after the test), its expected
# verdicts, and malformed tests that must be refused at a given position.
LITMUS_CATALOGUE = \
	tests/litmus/2+2W.litmus \
	tests/litmus/3.SB.litmus \
	tests/litmus/CoRR.litmus \
	tests/litmus/CoRR2.litmus \
	tests/litmus/CoRW.litmus \
	tests/litmus/CoWR.litmus \
	tests/litmus/CoWW.litmus \
	tests/litmus/IRIW+fences.litmus \
	tests/litmus/IRIW.litmus \
	tests/litmus/ISA2.litmus \
	tests/litmus/LB.litmus \
	tests/litmus/MP+fences.litmus \
	tests/litmus/MP+rfi.litmus \
	tests/litmus/MP.litmus \
	tests/litmus/R+fences.litmus \
	tests/litmus/R.litmus \
	tests/litmus/RWC+fences.litmus \
	tests/litmus/RWC.litmus \
	tests/litmus/S.litmus \
	tests/litmus/SB+fences.litmus \
	tests/litmus/SB+rfi.litmus \
	tests/litmus/SB.litmus \
	tests/litmus/W+RWC.litmus \
	tests/litmus/WRC.litmus \
	tests/litmus/expected.txt

LITMUS_BAD = \
	tests/litmus/bad/bad-char.litmus \
	tests/litmus/bad/bad-cond.litmus \
	tests/litmus/bad/bad-number.litmus \
	tests/litmus/bad/bad-preamble.litmus \
	tests/litmus/bad/init-twice.litmus \
	tests/litmus/bad/missing-bar.litmus \
	tests/litmus/bad/no-condition.litmus \
	tests/litmus/bad/no-lisa.litmus \
	tests/litmus/bad/no-name.litmus \
	tests/litmus/bad/reg-unwritten.litmus \
	tests/litmus/bad/thread-order.litmus \
	tests/litmus/bad/thread-range.litmus \
	tests/litmus/bad/too-many-instrs.litmus \
	tests/litmus/bad/too-many-threads.litmus \
	tests/litmus/bad/trailing.litmus \
	tests/litmus/bad/unknown-instr.litmus \
	tests/litmus/bad/unterminated-comment.litmus

# The catalogue is installed (share/ordo/litmus) for jobs/litmus.sbatch.
litmusdir = $(pkgdatadir)/litmus
litmus_DATA = $(LITMUS_CATALOGUE)

TESTS += tests/litmus/test_litmus tests/litmus/litmus_tests.sh tests/litmus/litmus_run_np4.sh

EXTRA_DIST += \
	tests/litmus/litmus_tests.sh \
	tests/litmus/litmus_run_np4.sh \
	$(LITMUS_CATALOGUE) \
	$(LITMUS_BAD)
