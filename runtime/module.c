/* module.c - the module registry (module.h). */
#include "ordo_config.h"

#include "runtime/module.h"

#include "runtime/log.h"

#include <ordo.h>
#include <string.h>

_Static_assert(ORDO__MODULE_MAX <= 32, "one bit per module in ordo__modules_pending");

static struct {
    ordo__module_t *mods[ORDO__MODULE_MAX];
    size_t n;
    size_t ninit; /* modules whose init succeeded, in order */
} reg;

volatile uint32_t ordo__modules_pending;

int ordo__module_register(ordo__module_t *m)
{
    if (!m || !m->name)
        return ORDO_ERR_INVALID;
    for (size_t i = 0; i < reg.n; i++)
        if (reg.mods[i] == m || !strcmp(reg.mods[i]->name, m->name))
            return ORDO_ERR_EXISTS;
    if (reg.n == ORDO__MODULE_MAX) {
        ordo_log_error("module %s: the registry holds %d modules at most", m->name,
                       ORDO__MODULE_MAX);
        return ORDO_ERR_NOMEM;
    }
    m->index = (unsigned)reg.n;
    reg.mods[reg.n++] = m;
    return ORDO_OK;
}

void ordo__module_clear(void)
{
    memset(&reg, 0, sizeof(reg));
    ordo__modules_pending = 0;
}

size_t ordo__module_count(void)
{
    return reg.n;
}

ordo__module_t *ordo__module_at(size_t i)
{
    return i < reg.n ? reg.mods[i] : NULL;
}

int ordo__modules_init(void)
{
    for (reg.ninit = 0; reg.ninit < reg.n; reg.ninit++) {
        ordo__module_t *m = reg.mods[reg.ninit];
        int status = m->init ? m->init() : ORDO_OK;
        if (status != ORDO_OK) {
            ordo_log_error("module %s: start-up failed: %s", m->name, ordo_strerror(status));
            return status;
        }
    }
    return ORDO_OK;
}

void ordo__modules_fini(void)
{
    while (reg.ninit > 0) {
        ordo__module_t *m = reg.mods[--reg.ninit];
        if (m->fini)
            m->fini();
    }
    ordo__modules_pending = 0;
}

int ordo__modules_quiesce(uint64_t deadline_ns)
{
    int first = ORDO_OK;
    for (size_t i = reg.ninit; i-- > 0;) {
        ordo__module_t *m = reg.mods[i];
        int status = m->quiesce ? m->quiesce(deadline_ns) : ORDO_OK;
        if (status != ORDO_OK && first == ORDO_OK)
            first = status;
    }
    return first;
}

void ordo__modules_peer_failed(int peer, int status)
{
    for (size_t i = 0; i < reg.ninit; i++)
        if (reg.mods[i]->peer_failed)
            reg.mods[i]->peer_failed(peer, status);
}

int ordo__modules_leave(void)
{
    for (size_t i = 0; i < reg.ninit; i++)
        if (reg.mods[i]->leave)
            return reg.mods[i]->leave();
    ordo_log_debug("no module offers a leave: ordo_finalize does not wait for the others");
    return ORDO_OK;
}

void ordo__modules_progress(void)
{
    uint32_t pending = __atomic_exchange_n(&ordo__modules_pending, 0, __ATOMIC_ACQUIRE);
    for (size_t i = 0; pending && i < reg.ninit; i++) {
        if (pending & (1u << i)) {
            pending &= ~(1u << i);
            if (reg.mods[i]->progress)
                reg.mods[i]->progress();
        }
    }
}
