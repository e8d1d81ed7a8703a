/*
 * ordo_kv_opts.c - the options of apps/ordo_kv: usage, parsing, ranges.
 * A bad argument is one message naming the option and its range, and the
 * usage, on stderr (exit status 2).  The options are a contract: the fault
 * campaigns of ordo-nemesis run ordo_kv with exactly these.
 */
#include "apps/ordo_kv.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ordo_kv [options]\n"
            "  -w, --workload a|b|c        a: 50%% reads, 50%% updates; b: 95/5; c: read-only; a\n"
            "  -z, --dist uniform|zipfian  keys; zipfian is YCSB's, constant 0.99, scrambled; "
            "zipfian\n"
            "  -k, --keys N                1 .. %u; 1024\n"
            "  -v, --value-size B          16 .. 65536; 64\n"
            "  -d, --duration S            seconds of load, (0, 86400]; 5\n"
            "  -n, --ops N                 operations per rank instead, 1 .. 10^12\n"
            "  -i, --inflight N            operations in flight per rank, 1 .. %d; 8\n"
            "  -r, --replicas R            1 .. 64 (at most the ranks); min(5, ranks)\n"
            "  -W, --write-quorum W        1 .. R; a majority of R\n"
            "  -Q, --read-quorum Q         1 .. R, W + Q > R; a majority of R\n"
            "  -b, --backend qreg|sc       quorum registers, or SC shared objects; qreg\n"
            "  -s, --seed N                0 .. 2^63 (each rank mixes in its rank); 1\n"
            "  -o, --report DIR            DIR/kv.<rank>.pid at start, DIR/kv.<rank>.report at "
            "the end\n"
            "  -q, --quiet                 no per-second progress lines\n",
            ORDO_KV_MAX_KEYS, ORDO_KV_MAX_INFLIGHT);
}

/* A decimal integer in [lo, hi] for --name, or a message and 0. */
static int integer(const char *name, const char *arg, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    unsigned long long v = 0;
    int ok = arg[0] >= '0' && arg[0] <= '9';
    if (ok) {
        v = strtoull(arg, &end, 10);
        ok = !*end && v >= lo && v <= hi && !(v == ~0ull);
    }
    if (!ok) {
        fprintf(stderr, "ordo_kv: bad --%s '%s' (expected an integer %llu .. %llu)\n", name, arg,
                (unsigned long long)lo, (unsigned long long)hi);
        return 0;
    }
    *out = v;
    return 1;
}

static int word(const char *name, const char *arg, const char *const *words, int *out)
{
    for (int i = 0; words[i]; i++)
        if (!strcmp(arg, words[i])) {
            *out = i;
            return 1;
        }
    fprintf(stderr, "ordo_kv: bad --%s '%s' (expected %s", name, arg, words[0]);
    for (int i = 1; words[i]; i++)
        fprintf(stderr, "%s%s", words[i + 1] ? ", " : " or ", words[i]);
    fprintf(stderr, ")\n");
    return 0;
}

static int duration(const char *arg, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v > 0 && v <= 86400)) {
        fprintf(stderr, "ordo_kv: bad --duration '%s' (expected seconds, 0 < S <= 86400)\n", arg);
        return 0;
    }
    *out = v;
    return 1;
}

static int option(int c, const char *arg, ordo_kv_opts_t *o, int *have_d)
{
    static const char *const workloads[] = {"a", "b", "c", NULL};
    static const char *const dists[] = {"uniform", "zipfian", NULL};
    static const char *const backends[] = {"qreg", "sc", NULL};
    static const int read_pct[] = {50, 95, 100};
    uint64_t v;
    int w, ok = 1;
    switch (c) {
    case 'w':
        if ((ok = word("workload", arg, workloads, &w))) {
            o->workload = (char)('a' + w);
            o->read_pct = read_pct[w];
        }
        break;
    case 'z':
        ok = word("dist", arg, dists, &o->dist);
        break;
    case 'b':
        ok = word("backend", arg, backends, &o->backend);
        break;
    case 'k':
        ok = integer("keys", arg, 1, ORDO_KV_MAX_KEYS, &o->keys);
        break;
    case 'v':
        ok = integer("value-size", arg, 16, 65536, &o->value_size);
        break;
    case 'd':
        ok = *have_d = duration(arg, &o->duration);
        break;
    case 'n':
        if ((ok = integer("ops", arg, 1, 1000000000000ull, &v)))
            o->ops = (long)v;
        break;
    case 'i':
        if ((ok = integer("inflight", arg, 1, ORDO_KV_MAX_INFLIGHT, &v)))
            o->inflight = (int)v;
        break;
    case 'r':
        if ((ok = integer("replicas", arg, 1, 64, &v)))
            o->replicas = (int)v;
        break;
    case 'W':
        if ((ok = integer("write-quorum", arg, 1, 64, &v)))
            o->wq = (int)v;
        break;
    case 'Q':
        if ((ok = integer("read-quorum", arg, 1, 64, &v)))
            o->rq = (int)v;
        break;
    case 's':
        ok = integer("seed", arg, 0, 1ull << 63, &o->seed);
        break;
    case 'o':
        o->report = arg;
        ok = arg[0] != 0;
        if (!ok)
            fprintf(stderr, "ordo_kv: bad --report '' (expected a directory)\n");
        break;
    case 'q':
        o->quiet = 1;
        break;
    default:
        ok = 0; /* getopt has said what */
    }
    return ok;
}

int ordo_kv_parse(int argc, char **argv, ordo_kv_opts_t *out)
{
    static const struct option lo[] = {{"workload", 1, 0, 'w'},     {"dist", 1, 0, 'z'},
                                       {"keys", 1, 0, 'k'},         {"value-size", 1, 0, 'v'},
                                       {"duration", 1, 0, 'd'},     {"ops", 1, 0, 'n'},
                                       {"inflight", 1, 0, 'i'},     {"replicas", 1, 0, 'r'},
                                       {"write-quorum", 1, 0, 'W'}, {"read-quorum", 1, 0, 'Q'},
                                       {"backend", 1, 0, 'b'},      {"seed", 1, 0, 's'},
                                       {"report", 1, 0, 'o'},       {"quiet", 0, 0, 'q'},
                                       {"help", 0, 0, 'h'},         {0, 0, 0, 0}};
    ordo_kv_opts_t o = {.workload = 'a',
                        .read_pct = 50,
                        .dist = KV_DIST_ZIPFIAN,
                        .backend = KV_BACKEND_QREG,
                        .inflight = 8,
                        .keys = 1024,
                        .value_size = 64,
                        .seed = 1,
                        .duration = 5};
    int c, ok = 1, have_d = 0;
    while (ok && (c = getopt_long(argc, argv, "w:z:k:v:d:n:i:r:W:Q:b:s:o:qh", lo, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            exit(0);
        }
        ok = option(c, optarg, &o, &have_d);
    }
    if (ok && optind < argc) {
        fprintf(stderr, "ordo_kv: unexpected argument '%s'\n", argv[optind]);
        ok = 0;
    }
    if (ok && have_d && o.ops) {
        fprintf(stderr, "ordo_kv: --duration and --ops exclude each other\n");
        ok = 0;
    }
    if (ok && o.replicas && ((o.wq && o.wq > o.replicas) || (o.rq && o.rq > o.replicas))) {
        fprintf(stderr, "ordo_kv: bad quorums W %d, Q %d for --replicas %d (expected 1 .. R)\n",
                o.wq, o.rq, o.replicas);
        ok = 0;
    }
    uint64_t slot = 8;
    while (slot < o.value_size)
        slot *= 2;
    if (ok && o.backend == KV_BACKEND_SC && o.keys * slot > ORDO_KV_SC_MAX_BYTES) {
        fprintf(stderr,
                "ordo_kv: --backend sc: --keys %llu of --value-size %llu need %llu bytes (slots "
                "of %llu) (expected at most %llu)\n",
                (unsigned long long)o.keys, (unsigned long long)o.value_size,
                (unsigned long long)(o.keys * slot), (unsigned long long)slot,
                (unsigned long long)ORDO_KV_SC_MAX_BYTES);
        ok = 0;
    }
    if (!ok) {
        usage(stderr);
        return 0;
    }
    *out = o;
    return 1;
}
