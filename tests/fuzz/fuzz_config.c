/*
 * fuzz_config.c - libFuzzer target: the ORDO_* value parsers.  The input,
 * split into lines, is an environment (NAME=VALUE) that the runtime's table
 * is loaded from (runtime/config.c), then printed; the whole input, as a
 * string, is also an ORDO_FAULT spec (runtime/fault.c).
 */
#include "ordo_config.h"

#include "runtime/config.h"
#include "runtime/fault.h"

#include <ordo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 64

/* ORDO_TRANSPORT's choices, which tl.c (and the UCX backend with it) holds. */
const char *const ordo__tl_names[] = {"ucx", NULL};

static FILE *devnull;

static void unknown(const char *name)
{
    (void)name;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    return devnull ? 0 : -1;
}

static void load_env(const uint8_t *in, size_t n)
{
    char *envp[MAX_VARS + 1];
    int nv = 0;
    size_t at = 0;

    while (at < n && nv < MAX_VARS) {
        const uint8_t *nl = memchr(in + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - in) : n;
        envp[nv] = strndup((const char *)in + at, end - at);
        if (!envp[nv])
            break;
        nv++;
        at = end + 1;
    }
    envp[nv] = NULL;

    static ordo__config_t cfg;
    int origin[ORDO__CFG_MAX];
    char err[512];
    ordo__cfg_table_t t = ordo__config_table(&cfg);
    if (ordo__cfg_table_load(&t, origin, envp, err, sizeof(err)) == ORDO_OK) {
        ordo__cfg_warn_unknown(&t, 1, envp, unknown);
        ordo__cfg_table_print(&t, origin, devnull);
    } else if (!memchr(err, '\0', sizeof(err))) {
        __builtin_trap();
    }
    for (int i = 0; i < nv; i++)
        free(envp[i]);
}

static void parse_fault(const uint8_t *in, size_t n)
{
    char *s = strndup((const char *)in, n);
    ordo__fault_spec_t spec;
    char why[160], buf[256];
    if (!s)
        return;
    if (ordo__fault_parse(s, &spec, why, sizeof(why)) == 0) {
        /* What was accepted is what the spec allows. */
        if (!(spec.drop >= 0 && spec.drop <= 1) || !(spec.dup >= 0 && spec.dup <= 1) ||
            !(spec.delay >= 0 && spec.delay <= 1) || spec.delay_us > 10000000)
            __builtin_trap();
        ordo__fault_format(&spec, buf, sizeof(buf));
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    load_env(in, n);
    parse_fault(in, n);
    return 0;
}
