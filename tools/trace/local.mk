# tools/trace/local.mk - included by Makefile.am: ordo-trace, which checks,
# merges and exports the per-rank clock traces a run writes with
# ORDO_TRACE=<dir>.
#
# The tool only reads files: it links neither libordo nor MPI's libraries
# (the linker drops mpicc's -lmpi, which nothing uses), so it runs anywhere.

bin_PROGRAMS += tools/trace/ordo-trace
tools_trace_ordo_trace_SOURCES = \
	tools/trace/ordo_trace.c \
	tools/trace/trace.h \
	tools/trace/trace_int.h \
	tools/trace/trace_input.c \
	tools/trace/trace_read.c \
	tools/common/tool_files.h \
	tools/common/tool_parse.h \
	tools/common/tool_files.c \
	tools/trace/trace_order.c \
	tools/trace/trace_check.c \
	tools/trace/trace_export.c
tools_trace_ordo_trace_CFLAGS = $(AM_CFLAGS)

# Hand-made traces: a correct 3-rank run, one altered rank file per kind of
# clock violation, one damaged file per kind of bad input.
TRACE_TEST_INPUTS = \
	tools/trace/tests/corrupt/bad-header.1.txt \
	tools/trace/tests/corrupt/bad-kind.1.txt \
	tools/trace/tests/corrupt/bad-name.0.txt \
	tools/trace/tests/corrupt/bad-number.0.txt \
	tools/trace/tests/corrupt/bad-peer.0.txt \
	tools/trace/tests/corrupt/blank-line.2.txt \
	tools/trace/tests/corrupt/cycle.0.txt \
	tools/trace/tests/corrupt/dup-recv.1.txt \
	tools/trace/tests/corrupt/dup-send.0.txt \
	tools/trace/tests/corrupt/empty.1.txt \
	tools/trace/tests/corrupt/event-peer.1.txt \
	tools/trace/tests/corrupt/handler.2.txt \
	tools/trace/tests/corrupt/msg-src.0.txt \
	tools/trace/tests/corrupt/no-header.2.txt \
	tools/trace/tests/corrupt/overflow.0.txt \
	tools/trace/tests/corrupt/recv-without-send.1.txt \
	tools/trace/tests/corrupt/renamed/ordo-trace.1.txt \
	tools/trace/tests/corrupt/seq-gap.0.txt \
	tools/trace/tests/corrupt/size-mismatch.2.txt \
	tools/trace/tests/corrupt/truncated-eof.2.txt \
	tools/trace/tests/corrupt/truncated-line.1.txt \
	tools/trace/tests/corrupt/vc-width.1.txt \
	tools/trace/tests/corrupt/wrong-dest.2.txt \
	tools/trace/tests/good/ordo-trace.0.txt \
	tools/trace/tests/good/ordo-trace.1.txt \
	tools/trace/tests/good/ordo-trace.2.txt \
	tools/trace/tests/missing-rank/ordo-trace.0.txt \
	tools/trace/tests/missing-rank/ordo-trace.2.txt \
	tools/trace/tests/violations/hlc-order.2.txt \
	tools/trace/tests/violations/lamport-order.1.txt \
	tools/trace/tests/violations/mono.1.txt \
	tools/trace/tests/violations/vc-knows.0.txt \
	tools/trace/tests/violations/vc-misses.2.txt \
	tools/trace/tests/violations/vc-order.1.txt

TESTS += tools/trace/tests/trace_tests.sh

EXTRA_DIST += \
	tools/trace/tests/trace_tests.sh \
	$(TRACE_TEST_INPUTS)
