/*
 * ordo.c - libordo: the layers put together.  The one place that names the
 * modules of every layer, in init order (the order of the design: runtime,
 * collectives, consistency); the runtime starts them through its registry
 * (runtime/module.h) and never names them itself.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "collectives/gossip.h"
#include "consistency/obj.h"
#include "consistency/quorum.h"
#include "runtime/fd.h"
#include "runtime/rt.h"

static ordo__module_t *const modules[] = {
    &ordo__fd_module,     /* failure detector: the membership view's second source */
    &ordo__coll_module,   /* barrier: objects are allocated and freed collectively */
    &ordo__gossip_module, /* gossip: records, and failures, spread to every rank */
    &ordo__obj_module,    /* shared objects: SC, TSO, causal */
    &ordo__quorum_module, /* quorum registers, locks and leases */
};

/* Register the modules at load (so that ordo_info -c lists their variables
 * before ordo_init), and again from ordo_init in case the loader ran no
 * constructors (a module registered already is left where it is).  Modules
 * an application or test registers itself come after these. */
static int register_modules(void)
{
    for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
        int status = ordo__module_register(modules[i]);
        if (status != ORDO_OK && status != ORDO_ERR_EXISTS)
            return status;
    }
    return ORDO_OK;
}

__attribute__((constructor)) static void at_load(void)
{
    (void)register_modules();
}

ordo_status_t ordo_init(int *argc, char ***argv)
{
    if (ordo__rt.initialized)
        return ORDO_ERR_ALREADY_INIT;
    int status = register_modules();
    return status != ORDO_OK ? status : ordo__rt_init(argc, argv);
}

ordo_status_t ordo_finalize(void)
{
    return ordo__rt_finalize();
}
