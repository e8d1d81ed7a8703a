/* status.c - names and descriptions of ordo_status_t, from ORDO_STATUS_LIST. */
#include "ordo_config.h"

#include <ordo.h>

#define ORDO__STATUS_DESC(name, value, desc)                                                       \
    case ORDO_##name:                                                                              \
        return desc;
#define ORDO__STATUS_NAME(name, value, desc)                                                       \
    case ORDO_##name:                                                                              \
        return "ORDO_" #name;

const char *ordo_strerror(int status)
{
    switch (status) {
        ORDO_STATUS_LIST(ORDO__STATUS_DESC)
    default:
        return "unknown status";
    }
}

const char *ordo_status_name(int status)
{
    switch (status) {
        ORDO_STATUS_LIST(ORDO__STATUS_NAME)
    default:
        return "ORDO_ERR_UNKNOWN";
    }
}

const char *ordo_version(void)
{
    return PACKAGE_VERSION;
}
