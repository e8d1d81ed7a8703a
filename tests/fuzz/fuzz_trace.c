/*
 * fuzz_trace.c - libFuzzer target: ordo-trace's reader
 * (tools/trace/trace_read.c) on files held in memory, then what works on a
 * loaded trace (check, export, merge), which must never see a malformed one.
 *
 * Input: up to MAX_FILES rank files separated by form feeds (\f).
 */
#include "tools/trace/trace.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 8

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    return devnull ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    static const char *const names[MAX_FILES] = {"fuzz.0", "fuzz.1", "fuzz.2", "fuzz.3",
                                                 "fuzz.4", "fuzz.5", "fuzz.6", "fuzz.7"};
    ordo_trace_text_t texts[MAX_FILES];
    char *copies[MAX_FILES];
    int nt = 0;
    size_t at = 0;

    /* Each file in a buffer of its own exact size. */
    while (nt < MAX_FILES) {
        const uint8_t *ff = at < n ? memchr(in + at, '\f', n - at) : NULL;
        size_t end = ff && nt < MAX_FILES - 1 ? (size_t)(ff - in) : n;
        copies[nt] = malloc(end - at ? end - at : 1);
        if (!copies[nt])
            break;
        memcpy(copies[nt], in + at, end - at);
        texts[nt] = (ordo_trace_text_t){names[nt], copies[nt], end - at};
        nt++;
        if (end == n)
            break;
        at = end + 1;
    }

    ordo_trace_t trace;
    if (ordo_trace_load_texts(&trace, nt, texts) == 0) {
        ordo_trace_check(&trace, devnull);
        ordo_trace_export(&trace, devnull);
        ordo_trace_merge(&trace, devnull);
        ordo_trace_free(&trace);
    }
    for (int i = 0; i < nt; i++)
        free(copies[i]);
    return 0;
}
