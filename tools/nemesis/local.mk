# tools/nemesis/local.mk - included by Makefile.am: ordo-nemesis, the fault
# campaign (a workload under a seeded schedule of faults, then the checks),
# and campaign.sh, many seeds in one table. Like ordo-lincheck it links
# neither libordo nor MPI: it launches the workload and reads files. Its
# test, tests/tools/ordo_nemesis.sh, is with the other scripts in
# Makefile.am.

bin_PROGRAMS += tools/nemesis/ordo-nemesis
tools_nemesis_ordo_nemesis_SOURCES = \
	tools/nemesis/nemesis.h \
	tools/nemesis/schedule.c \
	tools/nemesis/job.c \
	tools/nemesis/checks.c \
	tools/nemesis/ordo_nemesis.c
tools_nemesis_ordo_nemesis_CFLAGS = $(AM_CFLAGS)

dist_noinst_SCRIPTS = tools/nemesis/campaign.sh
