# benchmarks/local.mk - included by Makefile.am: the OSU-style benchmarks.
#
# Each benchmark is one main() over the shared harness (bench.h, bench.c),
# built against the public API only (libordo.la), with PAPI for counters.

# The harness, compiled once (a libtool convenience library).
noinst_LTLIBRARIES += benchmarks/libordo_bench.la
benchmarks_libordo_bench_la_SOURCES = benchmarks/bench.c benchmarks/bench.h \
	benchmarks/bench_int.h benchmarks/bench_opts.c benchmarks/bench_time.c \
	benchmarks/bench_counters.c benchmarks/bench_output.c
benchmarks_libordo_bench_la_CFLAGS = $(AM_CFLAGS) $(PAPI_CFLAGS)
benchmarks_libordo_bench_la_LIBADD = $(PAPI_LIBS) -lm

# The collective benchmarks' shared part (coll_bench.h), compiled once.
noinst_LTLIBRARIES += benchmarks/libordo_collbench.la
benchmarks_libordo_collbench_la_SOURCES = benchmarks/coll_bench.c benchmarks/coll_bench.h \
	benchmarks/coll_bench_int.h benchmarks/coll_bench_print.c benchmarks/coll_floor.c \
	benchmarks/coll_floor.h
benchmarks_libordo_collbench_la_CFLAGS = $(AM_CFLAGS) $(PAPI_CFLAGS)

BENCH_CFLAGS = $(AM_CFLAGS) $(PAPI_CFLAGS)
BENCH_LDADD = benchmarks/libordo_bench.la libordo.la $(PAPI_LIBS) -lm

bin_PROGRAMS += \
	benchmarks/ordo_latency \
	benchmarks/ordo_bw \
	benchmarks/ordo_bibw \
	benchmarks/ordo_rpc_rate \
	benchmarks/ordo_crossover \
	benchmarks/ordo_obj_latency \
	benchmarks/ordo_qreg_latency \
	benchmarks/ordo_lock_bench \
	benchmarks/ordo_fd \
	benchmarks/ordo_gossip \
	benchmarks/ordo_allreduce \
	benchmarks/ordo_bcast \
	benchmarks/ordo_reduce \
	benchmarks/ordo_allgather \
	benchmarks/ordo_alltoall \
	benchmarks/ordo_barrier

benchmarks_ordo_latency_SOURCES = benchmarks/ordo_latency.c benchmarks/bench_ucx.c \
	benchmarks/bench_ucx.h
benchmarks_ordo_latency_CFLAGS = $(BENCH_CFLAGS) $(UCX_CFLAGS)
benchmarks_ordo_latency_LDADD = $(BENCH_LDADD) $(UCX_LIBS)

benchmarks_ordo_bw_SOURCES = benchmarks/ordo_bw.c benchmarks/bench_ucx.c benchmarks/bench_ucx.h
benchmarks_ordo_bw_CFLAGS = $(BENCH_CFLAGS) $(UCX_CFLAGS)
benchmarks_ordo_bw_LDADD = $(BENCH_LDADD) $(UCX_LIBS)

benchmarks_ordo_bibw_SOURCES = benchmarks/ordo_bibw.c
benchmarks_ordo_bibw_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_bibw_LDADD = $(BENCH_LDADD)

benchmarks_ordo_rpc_rate_SOURCES = benchmarks/ordo_rpc_rate.c
benchmarks_ordo_rpc_rate_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_rpc_rate_LDADD = $(BENCH_LDADD)

benchmarks_ordo_crossover_SOURCES = benchmarks/ordo_crossover.c
benchmarks_ordo_crossover_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_crossover_LDADD = $(BENCH_LDADD)

benchmarks_ordo_obj_latency_SOURCES = benchmarks/ordo_obj_latency.c benchmarks/obj_latency.h \
	benchmarks/obj_latency_print.c benchmarks/obj_rma.c
benchmarks_ordo_obj_latency_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_obj_latency_LDADD = $(BENCH_LDADD)

benchmarks_ordo_qreg_latency_SOURCES = benchmarks/ordo_qreg_latency.c benchmarks/qreg_latency.h \
	benchmarks/qreg_latency_print.c benchmarks/qreg_latency_opts.c
benchmarks_ordo_qreg_latency_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_qreg_latency_LDADD = $(BENCH_LDADD)
benchmarks_ordo_lock_bench_SOURCES = benchmarks/ordo_lock_bench.c
benchmarks_ordo_lock_bench_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_lock_bench_LDADD = $(BENCH_LDADD)

# The collectives, as OSU's osu_allreduce etc.: a main each over coll_bench.c.
COLL_BENCH_LDADD = benchmarks/libordo_collbench.la $(BENCH_LDADD)
benchmarks_ordo_allreduce_SOURCES = benchmarks/ordo_allreduce.c
benchmarks_ordo_allreduce_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_allreduce_LDADD = $(COLL_BENCH_LDADD)
benchmarks_ordo_bcast_SOURCES = benchmarks/ordo_bcast.c
benchmarks_ordo_bcast_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_bcast_LDADD = $(COLL_BENCH_LDADD)
benchmarks_ordo_reduce_SOURCES = benchmarks/ordo_reduce.c
benchmarks_ordo_reduce_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_reduce_LDADD = $(COLL_BENCH_LDADD)
benchmarks_ordo_allgather_SOURCES = benchmarks/ordo_allgather.c
benchmarks_ordo_allgather_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_allgather_LDADD = $(COLL_BENCH_LDADD)
benchmarks_ordo_alltoall_SOURCES = benchmarks/ordo_alltoall.c
benchmarks_ordo_alltoall_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_alltoall_LDADD = $(COLL_BENCH_LDADD)
benchmarks_ordo_barrier_SOURCES = benchmarks/ordo_barrier.c
benchmarks_ordo_barrier_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_barrier_LDADD = $(COLL_BENCH_LDADD)

# The failure detector: one trial per job (benchmarks/fd-detect.sh runs them).
benchmarks_ordo_fd_SOURCES = benchmarks/ordo_fd.c
benchmarks_ordo_fd_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_fd_LDADD = libordo.la

# Gossip: rounds to full dissemination (benchmarks/gossip-scaling.sh runs N = 2 .. 64).
benchmarks_ordo_gossip_SOURCES = benchmarks/ordo_gossip.c
benchmarks_ordo_gossip_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_gossip_LDADD = $(BENCH_LDADD)

# Tail amplification: fan-outs of k calls (benchmarks/report/row_tail.sh).
bin_PROGRAMS += benchmarks/ordo_fanout
benchmarks_ordo_fanout_SOURCES = benchmarks/ordo_fanout.c
benchmarks_ordo_fanout_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_fanout_LDADD = libordo.la -lm

# Clock skew under injected drift against 2*rho*P (benchmarks/report/row_clock.sh).
bin_PROGRAMS += benchmarks/ordo_skew
benchmarks_ordo_skew_SOURCES = benchmarks/ordo_skew.c
benchmarks_ordo_skew_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_skew_LDADD = libordo.la -lm

# Consistent hashing against 1/N and max/mean (benchmarks/report/row_ring.sh):
# it links the consistency layer's ring as tests/consistency/test_ring does,
# so it is built, not installed.
noinst_PROGRAMS = benchmarks/ordo_ring_bench
benchmarks_ordo_ring_bench_SOURCES = benchmarks/ordo_ring_bench.c
benchmarks_ordo_ring_bench_CFLAGS = $(AM_CFLAGS) $(UCX_CFLAGS)
benchmarks_ordo_ring_bench_LDADD = libordo_core.la -lm

# Smoke tests: every benchmark on 2 ranks with small sizes, the output's
# format, a bad option, and the refusal to run on 1 rank; the collective
# benchmarks on 3 ranks (coll_smoke.sh).
TESTS += \
	benchmarks/tests/bench_smoke.sh \
	benchmarks/tests/bench_np1.sh \
	benchmarks/tests/compare_ucx.sh \
	benchmarks/tests/callgrind_rpc.sh \
	benchmarks/tests/gossip_smoke.sh \
	benchmarks/tests/coll_smoke.sh \
	benchmarks/tests/counters_smoke.sh

# The report (issue 19): the seeds' formulas against this machine, into
# BUILD/report/ (report.md, CSV, PNG); REPORT_FLAGS=-q for the smoke test.
# The lease row uses the consistency suite's test_qlock_lease.
.PHONY: report
report: all tests/consistency/test_qlock_lease
	$(SHELL) $(top_srcdir)/benchmarks/report.sh $(REPORT_FLAGS) $(top_builddir)

EXTRA_DIST += \
	benchmarks/report.sh \
	benchmarks/report/lib.sh \
	benchmarks/report/row_crossover.sh \
	benchmarks/report/row_gossip.sh \
	benchmarks/report/row_quorum.sh \
	benchmarks/report/row_clock.sh \
	benchmarks/report/row_stale.sh \
	benchmarks/report/row_ring.sh \
	benchmarks/report/row_exactly_once.sh \
	benchmarks/report/row_tail.sh \
	benchmarks/tests/coll_smoke.sh \
	benchmarks/tests/counters_smoke.sh \
	benchmarks/coll-scaling.sh \
	benchmarks/tests/bench_smoke.sh \
	benchmarks/tests/bench_np1.sh \
	benchmarks/tests/compare_ucx.sh \
	benchmarks/tests/callgrind_rpc.sh \
	benchmarks/tests/gossip_smoke.sh \
	benchmarks/gossip-scaling.sh \
	benchmarks/compare-ucx.sh \
	benchmarks/fd-detect.sh \
	benchmarks/qreg-latency.sh \
	benchmarks/callgrind-rpc.sh \
	benchmarks/clocks.sh \
	benchmarks/README.md

# Stale reads of a degraded quorum read under partitions against
# pi * (1 - (1 - exp(-w D)) / (w D)) (benchmarks/report/row_stale.sh).
bin_PROGRAMS += benchmarks/ordo_stale
benchmarks_ordo_stale_SOURCES = benchmarks/ordo_stale.c benchmarks/stale_print.c \
	benchmarks/stale.h
benchmarks_ordo_stale_CFLAGS = $(BENCH_CFLAGS)
benchmarks_ordo_stale_LDADD = libordo.la -lm
