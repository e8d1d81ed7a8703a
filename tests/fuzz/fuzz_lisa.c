/*
 * fuzz_lisa.c - libFuzzer target: ordo-litmus's LISA parser
 * (tools/litmus/litmus_parse.c) on arbitrary text, and what reads a parsed
 * test back (the condition and a final state formatted, the condition
 * evaluated).
 */
#include "tools/litmus/litmus.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    static litmus_test_t test;
    static litmus_error_t err;
    static litmus_state_t state;
    char buf[4096];

    int s = litmus_parse_string("fuzz.litmus", (const char *)in, n, &test, &err);
    if (s != LITMUS_OK) {
        if (s > 0 || !memchr(err.msg, '\0', sizeof(err.msg)))
            __builtin_trap();
        return 0;
    }
    memset(&state, 0, sizeof(state));
    litmus_cond_format(&test, buf, sizeof(buf));
    litmus_state_format(&test, &state, buf, sizeof(buf));
    litmus_eval_cond(&test, &state);
    return 0;
}
