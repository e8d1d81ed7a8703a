#!/bin/sh
# A call completes only once the transport has let go of every copy of its
# request (test_call_resend.c): a retry queued behind a flood must not be
# sent from a buffer its caller has got back.
ORDO_DELIVERY=at-least-once ORDO_RETRY_MS=20
export ORDO_DELIVERY ORDO_RETRY_MS
exec "$top_srcdir/tests/mpirun.sh" 2 -x ORDO_DELIVERY -x ORDO_RETRY_MS \
    "$top_builddir/tests/runtime/test_call_resend"
