/* qlock.c - placeholder on the work branch: the lock helper replaces it. */
#include "ordo_config.h"

#include "consistency/quorum.h"

int ordo__qlock_init(void)
{
    return ORDO_OK;
}

void ordo__qlock_fini(void)
{
}
