/*
 * raw_call.h - tests that send hand-made requests to ordo's own handlers
 * call ordo__rpc_call as the public calls do: under the runtime lock, since
 * a progress thread (ORDO_PROGRESS=thread) may be driving the worker.
 */
#ifndef ORDO_TESTS_RAW_CALL_H
#define ORDO_TESTS_RAW_CALL_H

#include "runtime/rt.h"

static inline int raw_call(int dest, unsigned id, const void *req, size_t len, void *reply,
                           size_t cap, size_t *reply_len)
{
    ORDO__LOCK();
    int s = ordo__rpc_call(dest, id, req, len, reply, cap, reply_len);
    ORDO__UNLOCK();
    return s;
}

#endif
