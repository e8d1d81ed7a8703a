/*
 * ordo_info - print ordo's version, configuration, transports and topology.
 *
 *   ordo_info            start the runtime (singleton or under mpirun) and
 *                        print everything from rank 0
 *   ordo_info -c         print the configuration only, without starting
 *   ordo_info -C         start, and print only the collectives' decision
 *                        table (which algorithm at which size, predicted)
 *   ordo_info -m         print the reference of every ORDO_* variable as
 *                        Markdown (docs/config.md), without starting
 */
#include <ordo.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: ordo_info [-c | -C | -m] [-h]\n"
                 "  -c  print the configuration only (does not start the runtime)\n"
                 "  -C  print only the collectives' decision table for this job\n"
                 "  -m  print every ORDO_* variable's reference as Markdown (docs/config.md)\n"
                 "  -h  this help\n");
}

/* For each family and size, what AUTO runs here and its predicted time,
 * with every algorithm's prediction beside it. */
static int print_decisions(FILE *out)
{
    static const size_t sizes[] = {0, 8, 64, 512, 4096, 32768, 262144, 1u << 21, 1u << 24};
    fprintf(out,
            "# collectives: decision table for %d rank(s) (predicted us from the calibrated "
            "model; ORDO_COLL_<FAMILY>=alg forces one)\n",
            ordo_size());
    ordo_coll_model_t cm;
    if (ordo_coll_model(&cm) == ORDO_OK)
        fprintf(out,
                "# model: a message's CPU (o) %.3f us; a byte reduced %.3g us, copied %.3g us; "
                "%.2f ranks per PU\n",
                cm.msg_us, cm.reduce_us_per_byte, cm.copy_us_per_byte, cm.ranks_per_pu);
    ordo_coll_shm_t shm;
    if (ordo_coll_shm_info(&shm) == ORDO_OK) {
        if (shm.bytes) {
            fprintf(out,
                    "# shm: node segment of %zu bytes, %zu per rank and phase; a cache line's "
                    "hand-off %.2f us; every rank run once (a pass) %.2f us; a byte another "
                    "rank wrote, copied %.3g us (in %zu KiB), %.3g us (in %zu KiB)\n",
                    shm.bytes, shm.chunk, shm.line_us, shm.pass_us, shm.copy_us_per_byte,
                    shm.copy_bytes / 1024, shm.copy_far_us_per_byte, shm.copy_far_bytes / 1024);
            if (shm.single_copy)
                fprintf(out,
                        "# shm: a bcast of more than %zu bytes by single copy (process_vm_readv, "
                        "%.2f us a call)\n",
                        2 * shm.chunk, shm.cma_us);
            else
                fprintf(out, "# shm: no single copy (ORDO_COLL_SHM_CMA=n, or process_vm_readv "
                             "is not allowed here): every bcast through the segment\n");
            fprintf(out, shm.mapped
                             ? "# shm: ordo_mem_alloc memory is mapped between the ranks: "
                               "large reductions read such input where it is\n"
                             : "# shm: ordo_mem_alloc memory is not mapped between the ranks "
                               "here: every reduction copies its input in\n");
        } else
            fprintf(out, "# shm: no node segment (ranks on several hosts, ORDO_COLL_SHM_CHUNK=0, "
                         "or one rank): the message algorithms serve\n");
    }
    fprintf(out, "# %-10s %10s  %-20s %10s  %s\n", "family", "bytes", "auto", "predicted",
            "every algorithm (us)");
    for (int f = 0; f < ORDO_COLL_FAMILIES; f++) {
        const char *names[8];
        int n = ordo_coll_algorithms((ordo_coll_family_t)f, names, 8);
        if (n < 0)
            return n;
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            if (f == ORDO_COLL_BARRIER && s)
                break;
            const char *alg = NULL;
            double us;
            int st = ordo_coll_predict((ordo_coll_family_t)f, sizes[s], &alg, &us);
            if (st != ORDO_OK)
                return st;
            fprintf(out, "  %-10s %10zu  %-20s %10.1f ",
                    ordo_coll_family_name((ordo_coll_family_t)f), sizes[s], alg, us);
            for (int i = 0; i < n && n > 1; i++) {
                const char *a = names[i];
                double t;
                if (ordo_coll_predict((ordo_coll_family_t)f, sizes[s], &a, &t) == ORDO_OK)
                    fprintf(out, " %s %.1f", a, t);
            }
            fputc('\n', out);
        }
    }
    return ORDO_OK;
}

int main(int argc, char **argv)
{
    int config_only = 0, decisions_only = 0, status;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c")) {
            config_only = 1;
        } else if (!strcmp(argv[i], "-C")) {
            decisions_only = 1;
        } else if (!strcmp(argv[i], "-m")) {
            return ordo_config_markdown(stdout) == ORDO_OK ? 0 : 1;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "ordo_info: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (config_only)
        return ordo_info_print(stdout) == ORDO_OK ? 0 : 1;

    status = ordo_init(&argc, &argv);
    if (status != ORDO_OK) {
        fprintf(stderr, "ordo_info: ordo_init failed: %s\n", ordo_strerror(status));
        return 1;
    }
    if (ordo_rank() == 0) {
        status = decisions_only ? ORDO_OK : ordo_info_print(stdout);
        if (status == ORDO_OK)
            status = print_decisions(stdout);
    }
    fflush(stdout);
    int fin = ordo_finalize();
    if (status == ORDO_OK)
        status = fin;
    if (status != ORDO_OK)
        fprintf(stderr, "ordo_info: %s\n", ordo_strerror(status));
    return status == ORDO_OK ? 0 : 1;
}
