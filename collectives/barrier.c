/* barrier.c - ordo_barrier: the dissemination barrier of the runtime. */
#include "ordo_config.h"

#include "runtime/rt.h"

ordo_status_t ordo_barrier(void)
{
    ORDO__CHECK_INIT();
    if (ordo__in_handler)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    int status = ordo__rt_barrier(0);
    ORDO__UNLOCK();
    return status;
}
