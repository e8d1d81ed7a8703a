/*
 * fuzz_lincheck.c - libFuzzer target: ordo-lincheck's reader
 * (tools/lincheck/history_parse.c, history_read.c) on histories held in
 * memory, then the split by key and the search with its window (keys.c,
 * models.c, wgl.c, report.c), which must never see a malformed history.
 *
 * Input: up to MAX_FILES history files separated by form feeds (\f). Each
 * key's search gets SEARCH_SECONDS, so no input makes a timeout.
 */
#include "tools/lincheck/lincheck.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES      4
#define SEARCH_SECONDS 0.5

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

static void check(const lincheck_history_t *h)
{
    lincheck_keys_t keys;

    if (lincheck_keys_split(&keys, h, NULL))
        return;
    for (size_t i = 0; i < keys.n; i++) {
        lincheck_stats_t st;
        lincheck_window_t win;
        if (lincheck_check_key(&keys.v[i], 0, lincheck_now() + SEARCH_SECONDS, &st, &win) ==
            LINCHECK_INVALID)
            lincheck_window_print(devnull, h, &keys.v[i], &win);
        lincheck_window_free(&win);
    }
    lincheck_keys_free(&keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    static const char *const names[MAX_FILES] = {"fuzz.0", "fuzz.1", "fuzz.2", "fuzz.3"};
    lincheck_text_t texts[MAX_FILES];
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
        texts[nt] = (lincheck_text_t){names[nt], copies[nt], end - at};
        nt++;
        if (end == n)
            break;
        at = end + 1;
    }

    lincheck_history_t h;
    if (lincheck_history_load_texts(&h, nt, texts) == 0) {
        check(&h);
        lincheck_history_free(&h);
    }
    for (int i = 0; i < nt; i++)
        free(copies[i]);
    return 0;
}
