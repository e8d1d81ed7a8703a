/* tl.c - the transport backends built in, chosen by name (tl.h). */
#include "ordo_config.h"

#include "runtime/tl.h"

#include <string.h>

const ordo__tl_ops_t *const ordo__tl_backends[] = {
    &ordo__tl_ucx_ops,
    NULL,
};

/* Their names, in the same order: ORDO_TRANSPORT's choices. */
const char *const ordo__tl_names[] = {"ucx", NULL};
_Static_assert(sizeof(ordo__tl_names) == sizeof(ordo__tl_backends), "a name per backend");

const ordo__tl_ops_t *ordo__tl_find(const char *name)
{
    for (size_t i = 0; ordo__tl_backends[i]; i++)
        if (!strcmp(ordo__tl_backends[i]->name, name))
            return ordo__tl_backends[i];
    return NULL;
}
