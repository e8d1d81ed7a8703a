/*
 * ordo_info - print ordo's version, configuration, transports and topology.
 *
 *   ordo_info            start the runtime (singleton or under mpirun) and
 *                        print everything from rank 0
 *   ordo_info -c         print the configuration only, without starting
 */
#include <ordo.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: ordo_info [-c] [-h]\n"
                 "  -c  print the configuration only (does not start the runtime)\n"
                 "  -h  this help\n");
}

int main(int argc, char **argv)
{
    int config_only = 0, status;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c")) {
            config_only = 1;
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
    if (ordo_rank() == 0)
        status = ordo_info_print(stdout);
    fflush(stdout);
    int fin = ordo_finalize();
    if (status == ORDO_OK)
        status = fin;
    if (status != ORDO_OK)
        fprintf(stderr, "ordo_info: %s\n", ordo_strerror(status));
    return status == ORDO_OK ? 0 : 1;
}
