/* info.c - what ordo_info prints: version, configuration, transports, topology. */
#include "ordo_config.h"

#include "runtime/boot.h"
#include "runtime/lclock.h"
#include "runtime/log.h"
#include "runtime/fd.h"
#include "runtime/rt.h"

#include <stdlib.h>
#include <string.h>

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
    char about[256] = "";
    const ordo__tl_ops_t *tl = ordo__rt.tl_ops;
    if (tl->about)
        tl->about(ordo__rt.tl, about, sizeof(about));
    fprintf(out, "# transport: %s (%s): %s\n", tl->name, tl->doc, about);
    fprintf(out, "#   can:%s%s%s%s%s%s\n", tl->caps & ORDO__TL_CAP_GET ? " rdma-get" : "",
            tl->caps & ORDO__TL_CAP_MEM_REG ? " mem-reg" : "",
            tl->caps & ORDO__TL_CAP_MEM_ALLOC ? " mem-alloc" : "",
            tl->caps & ORDO__TL_CAP_SEND_SHORT ? " short-send" : "",
            tl->caps & ORDO__TL_CAP_EVENT_FD ? " event-fd" : "",
            tl->caps & ORDO__TL_CAP_PEER_ERR ? " peer-errors" : "");
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

static void print_model(FILE *out)
{
    const ordo_rpc_model_t *m = &ordo__rt.model;
    static const char *const proto[] = {"auto", "eager", "rndv"};
    fprintf(out,
            "# message paths: ORDO_PROTO=%s, threshold %zu B, %zu B from ordo_mem_alloc memory "
            "(%s)\n",
            proto[ordo__rpc_proto()], m->threshold, m->threshold_mapped,
            m->calibrated ? "calibrated" : "set by ORDO_RNDV_THRESH");
    if (!m->calibrated)
        return;
    fprintf(out, "#   model T(x) = alpha + x/beta, fitted in %.1f ms on ranks 0 and 1:\n",
            m->calibration_ms);
    fprintf(out, "#   eager:         alpha %8.2f us  beta %10.0f MB/s\n", m->eager_alpha_us,
            m->eager_beta_mbs);
    fprintf(out, "#   rndv:          alpha %8.2f us  beta %10.0f MB/s", m->rndv_alpha_us,
            m->rndv_beta_mbs);
    if (m->crossover > 0)
        fprintf(out, "  crossover x* = %.0f B\n", m->crossover);
    else
        fprintf(out, "  crossover x*: none (never cheaper)\n");
    fprintf(out, "#   rndv (mapped): alpha %8.2f us  beta %10.0f MB/s", m->rndv_mapped_alpha_us,
            m->rndv_mapped_beta_mbs);
    if (m->crossover_mapped > 0)
        fprintf(out, "  crossover x* = %.0f B\n", m->crossover_mapped);
    else
        fprintf(out, "  crossover x*: none (never cheaper)\n");
}

ordo_status_t ordo_stats(ordo_stats_t *st)
{
    ORDO__CHECK_INIT();
    if (!st)
        return ORDO_ERR_INVALID;
    ORDO__LOCK();
    const ordo__rt_stats_t *s = &ordo__rt.stats;
    *st = (ordo_stats_t){
        .msgs_sent = s->msgs_sent,
        .msgs_received = s->msgs_received,
        .malformed = s->malformed,
        .no_handler = s->no_handler,
        .late_replies = s->late_replies,
        .duplicates = s->duplicates,
        .retries = s->retries,
        .landed = s->landed,
        .hlc_ahead = ordo__lclock_hlc_ahead(),
        .fault_dropped = s->fault_dropped,
        .fault_duplicated = s->fault_duplicated,
        .fault_delayed = s->fault_delayed,
    };
    ORDO__UNLOCK();
    return ORDO_OK;
}

/* Each module's table: its values once initialized, else what the
 * environment would give. */
/* The failure detector's settings and this rank's view. */
static void print_membership(FILE *out)
{
    char fd[256];
    ordo__fd_describe(fd, sizeof(fd));
    fprintf(out, "# failure detector: %s\n", fd);
    ordo_membership_t m;
    if (ordo_membership(&m) != ORDO_OK)
        return;
    fprintf(out,
            "# membership (this rank's view): epoch %llu, %d live, %d suspected, %d failed, "
            "acknowledged up to epoch %llu%s\n",
            (unsigned long long)m.epoch, m.live, m.suspected, m.failed,
            (unsigned long long)m.acked_epoch, m.out ? "; this rank is OUT of the job" : "");
    if (m.failed || m.suspected) {
        fprintf(out, "#   ");
        for (int r = 0; r < ordo__rt.size; r++) {
            int st = ordo_peer_state(r);
            if (st != ORDO_PEER_ALIVE)
                fprintf(out, " %d:%s", r, st == ORDO_PEER_FAILED ? "failed" : "suspected");
        }
        fprintf(out, "\n");
    }
    ordo__fd_stats_t fs;
    ordo__fd_stats(&fs);
    fprintf(out,
            "#   detector counters: heartbeats sent %llu, received %llu; suspicions %llu, "
            "refuted %llu; declared failed %llu; stalls of its thread %llu; its CPU %.2f ms in "
            "%.2f s\n",
            (unsigned long long)fs.heartbeats_sent, (unsigned long long)fs.heartbeats_received,
            (unsigned long long)fs.suspicions, (unsigned long long)fs.refuted,
            (unsigned long long)fs.declared, (unsigned long long)fs.stalls, (double)fs.cpu_ns / 1e6,
            (double)fs.run_ns / 1e9);
}

static int print_module_config(FILE *out)
{
    char err[1024];
    for (size_t i = 0; i < ordo__module_count(); i++) {
        ordo__module_t *m = ordo__module_at(i);
        if (!m->cfg_len)
            continue;
        ordo__cfg_table_t t = ordo__module_cfg_table(m);
        int origin[ORDO__CFG_MAX];
        const int *org = m->cfg_origin;
        void *tmp = NULL;
        if (!ordo__rt.initialized) {
            tmp = calloc(1, m->cfg_size);
            if (!tmp)
                return ORDO_ERR_NOMEM;
            t.values = tmp;
            org = origin;
            int status = ordo__cfg_table_load(&t, origin, environ, err, sizeof(err));
            if (status != ORDO_OK) {
                fprintf(out, "# configuration error: %s\n", err);
                free(tmp);
                return status;
            }
        }
        fprintf(out, "#\n# module %s\n", m->name);
        ordo__cfg_table_print(&t, org, out);
        free(tmp);
    }
    return ORDO_OK;
}

ordo_status_t ordo_config_markdown(FILE *out)
{
    if (!out)
        return ORDO_ERR_INVALID;
    ordo__config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    ordo__cfg_table_t t = ordo__config_table(&cfg);
    fprintf(out, "# Configuration\n\n"
                 "<!-- Generated by `ordo_info -m` from the configuration tables: do not edit; "
                 "tests/tools/config_doc.sh checks it is current. -->\n\n"
                 "Every `ORDO_*` environment variable ordo reads, by the part of ordo that owns "
                 "it. A value outside what is accepted makes `ordo_init` fail with "
                 "`ORDO_ERR_CONFIG` and a message naming the variable; a variable ordo does not "
                 "know is warned about. `ordo_info -c` prints the values in effect and where "
                 "each came from.\n\n## runtime\n\n");
    ordo__cfg_table_markdown(&t, out);
    for (size_t i = 0; i < ordo__module_count(); i++) {
        ordo__module_t *m = ordo__module_at(i);
        if (!m->cfg_len)
            continue;
        t = ordo__module_cfg_table(m);
        fprintf(out, "\n## %s\n\n", m->name);
        ordo__cfg_table_markdown(&t, out);
    }
    return ferror(out) ? ORDO_ERR_INTERNAL : ORDO_OK;
}

ordo_status_t ordo_info_print(FILE *out)
{
    ordo__config_t cfg;
    int origin[ORDO__CFG_MAX];
    char err[1024];

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
    int status = print_module_config(out);
    if (status != ORDO_OK)
        return status;
    if (!ordo__rt.initialized)
        return ORDO_OK;
    ORDO__LOCK();
    fprintf(out, "#\n# job: %d rank(s); this is rank %d; MPI %s by ordo\n", ordo__rt.size,
            ordo__rt.rank,
            ordo__rt.size && ordo__boot_owns_mpi() ? "initialized" : "not initialized");
    fprintf(out, "# wait mode: %s%s\n", wait_names[ordo__rt.wait_mode],
            cfg.wait_mode == ORDO__WAIT_AUTO ? " (chosen by ORDO_WAIT=auto)" : "");
    print_transports(out);
    print_model(out);
    print_membership(out);
    ordo__topo_print(&ordo__rt.topo, out);
    ORDO__UNLOCK();
    ordo_stats_t st;
    if (ordo_stats(&st) == ORDO_OK)
        fprintf(out,
                "# counters (this rank): sent %llu, received %llu, malformed %llu, no handler "
                "%llu, late replies %llu, duplicates %llu, retries %llu, landed %llu, HLC ahead "
                "%llu; ORDO_FAULT dropped %llu, duplicated %llu, delayed %llu\n",
                (unsigned long long)st.msgs_sent, (unsigned long long)st.msgs_received,
                (unsigned long long)st.malformed, (unsigned long long)st.no_handler,
                (unsigned long long)st.late_replies, (unsigned long long)st.duplicates,
                (unsigned long long)st.retries, (unsigned long long)st.landed,
                (unsigned long long)st.hlc_ahead, (unsigned long long)st.fault_dropped,
                (unsigned long long)st.fault_duplicated, (unsigned long long)st.fault_delayed);
    return ORDO_OK;
}
