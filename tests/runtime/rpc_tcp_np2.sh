#!/bin/sh
# The message-layer suite on 2 ranks over UCX's TCP transport (loopback), as
# across nodes: there a send with a header that shared memory could not take
# at once completes, so a header that must travel as one piece with its
# payload (msg.h's short form) is caught if it goes as a transport header.
UCX_TLS=tcp,self
export UCX_TLS
exec "$top_srcdir/tests/mpirun.sh" 2 -x UCX_TLS "$top_builddir/tests/runtime/test_rpc_mpi"
