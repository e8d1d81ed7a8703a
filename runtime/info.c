/* info.c - what ordo_info prints: version, configuration, transports, topology. */
#include "ordo_config.h"

#include "runtime/boot.h"
#include "runtime/log.h"
#include "runtime/rt.h"

#include <string.h>
#include <ucp/api/ucp.h>

extern char **environ;

static const char *const wait_names[] = {"auto", "spin", "yield", "block"};

static void print_transports(FILE *out)
{
    char desc[256];
    int self = ordo__rt.rank, local = -1, remote = -1;

    for (int r = 0; r < ordo__rt.size; r++) {
        if (r == self)
            continue;
        if (ordo__rt.topo.ranks[r].node == ordo__rt.topo.ranks[self].node) {
            if (local < 0)
                local = r;
        } else if (remote < 0) {
            remote = r;
        }
    }
    unsigned maj, min, rel;
    ucp_get_version(&maj, &min, &rel);
    fprintf(out, "# transport: %s (UCX %u.%u.%u), peer error handling %s\n", ordo__rt.tl_ops->name,
            maj, min, rel, ordo__rt.cfg.peer_errors ? "on" : "off");
    struct {
        const char *what;
        int peer;
    } kinds[] = {{"self", self}, {"same node", local}, {"other node", remote}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (kinds[i].peer < 0)
            continue;
        int s = ordo__rt.tl_ops->describe(ordo__rt.tl, kinds[i].peer, desc, sizeof(desc));
        fprintf(out, "#   to %-10s (rank %d): %s\n", kinds[i].what, kinds[i].peer,
                s == ORDO_OK ? desc : ordo_strerror(s));
    }
}

ordo_status_t ordo_info_print(FILE *out)
{
    ordo__config_t cfg;
    int origin[ORDO__CFG_MAX];
    char err[512];

    if (!out)
        return ORDO_ERR_INVALID;
    fprintf(out, "# ordo %s\n", ordo_version());
    if (ordo__rt.initialized) {
        cfg = ordo__rt.cfg;
        memcpy(origin, ordo__rt.cfg_origin, sizeof(origin));
    } else {
        int status = ordo__config_load(&cfg, origin, environ, err, sizeof(err), NULL);
        if (status != ORDO_OK) {
            fprintf(out, "# configuration error: %s\n", err);
            return status;
        }
    }
    fprintf(out, "#\n# configuration (ORDO_* environment variables)\n");
    ordo__config_print(&cfg, origin, out);
    if (!ordo__rt.initialized)
        return ORDO_OK;
    fprintf(out, "#\n# job: %d rank(s); this is rank %d; MPI %s by ordo\n", ordo__rt.size,
            ordo__rt.rank,
            ordo__rt.size && ordo__boot_owns_mpi() ? "initialized" : "not initialized");
    fprintf(out, "# wait mode: %s%s\n", wait_names[ordo__rt.wait_mode],
            cfg.wait_mode == ORDO__WAIT_AUTO ? " (chosen by ORDO_WAIT=auto)" : "");
    print_transports(out);
    ordo__topo_print(&ordo__rt.topo, out);
    return ORDO_OK;
}
