# tools/litmus/local.mk - included by Makefile.am: ordo-litmus, which reads
# litmus tests in herdtools7's LISA syntax and enumerates the outcomes the
# SC, TSO and causal+ models allow (the runner that executes them on the
# runtime comes later and will link libordo; this part does not).
#
# Like ordo-trace, the tool links neither libordo nor MPI's libraries.

LITMUS_SOURCES = \
	tools/litmus/litmus.h \
	tools/litmus/litmus_parse.c \
	tools/litmus/litmus_state.c \
	tools/litmus/litmus_enum.c

bin_PROGRAMS += tools/litmus/ordo-litmus
tools_litmus_ordo_litmus_SOURCES = tools/litmus/ordo_litmus.c $(LITMUS_SOURCES)
tools_litmus_ordo_litmus_CFLAGS = $(AM_CFLAGS)
