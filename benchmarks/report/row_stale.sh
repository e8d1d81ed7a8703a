#!/bin/sh
# Row 5, stale reads of a degraded quorum read under a partition: not
# measured in this first cut.  The section says what the row needs; no CSV
# is expected, so the report does not count the row as broken.
set -eu
# shellcheck source=benchmarks/report/lib.sh
. "$REPORT_SRC/benchmarks/report/lib.sh"
report_summary "5 stale read" "P(stale) = pi * P(stale, given a partition)" "-" "-" "-" "-" \
    "not measured in this cut (see section 5)" ""
report_section stale <<'EOF2'
## 5. Stale reads of a degraded quorum read under a partition

**Not measured in this first cut.** The seeds give no closed form, only its ingredients: how
often a partition is in force (pi) and the read policy while it is (a quorum read that may
degrade to fewer than Q replicas: ORDO_QREG_DEGRADED_READ, which flags such a read
ORDO_QREG_STALE). The expression the row is meant to test: a reader cut off with one replica
reads stale iff a write completed on the majority side since the cut, so with writes at rate w
(Poisson) and partitions of length D in force a share pi of the time,

    P(stale) = pi * (1 - (1 - exp(-w D)) / (w D)),

and 0 for quorum reads (W + Q > R). What measuring it needs: a program in which a writer on
the majority side writes a counter at random intervals while a reader grouped with one
replica (ORDO_FAULT partition=...@T1-T2, shorter than the failure detector's timeout) reads
with the degraded policy; both log (CLOCK_REALTIME, value), which on one host is one true
clock; a read is stale when its value is older than the last write that completed before the
read began. What stands in the way, read from consistency/qreg.c: a read that cannot gather
Q answers returns the freshest value only once every call it made has ended (query_decided:
wait_rest), and across a silent partition a call ends when the failure detector declares
the replica failed or at ORDO_TIMEOUT_MS; after that the failed replicas are not asked, and
a rank declared failed stays out of the view. So pi cannot be a share of time over
repeated partitions in one job; a job gives one cut, its reads until the detector decides
are few and late, and the ones after it all degrade. The row needs either one job per
partition (pi from the cut's length over the job's) or a membership that readmits a rank.
EOF2
