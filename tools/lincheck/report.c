/*
 * report.c - what ordo-lincheck prints about a key that is not
 * linearizable: the window where the search got stuck, every operation as
 * its input lines (`file:line: {...}`, in EDN whatever the input was).
 *
 * The window is the first configuration, in the search's order, with the
 * most operations linearized (wgl.c). There, the operation that returned
 * first among the rest ("stuck") had to take effect before anything that
 * returned after it, yet neither it nor any operation that could go before it
 * is legal in the model's state. Shown: the state, the last operation
 * linearized other than a read (which made that state), the stuck one,
 * those that could go before it, and the linearized ones whose interval
 * overlaps it (the search tried them in other orders too). Each group is
 * cut at GROUP_MAX.
 */
#include "lincheck.h"

#include <inttypes.h>

#define GROUP_MAX 8

const char *lincheck_key_name(char *buf, size_t size, const lincheck_history_t *h, uint32_t object,
                              uint64_t key)
{
    if (h->nobjects > 1)
        snprintf(buf, size, "%s key %" PRIu64, h->objects[object], key);
    else
        snprintf(buf, size, "key %" PRIu64, key);
    return buf;
}

void lincheck_event_print(FILE *out, const lincheck_history_t *h, size_t i)
{
    const lincheck_event_t *ev = &h->events[i];

    fprintf(out, "%s:%" PRIu64 ": {:process %" PRIu64 ", :type :%s, :f :%s, :key %" PRIu64 ", ",
            h->files[ev->file], ev->line, ev->process, lincheck_type_name(ev->type),
            lincheck_f_name(ev->f), ev->key);
    if (ev->has_value)
        fprintf(out, ":value %" PRIu64, ev->value);
    else
        fputs(":value nil", out);
    fprintf(out, ", :time %" PRIu64 "}\n", ev->time);
}

/* An operation: its invoke and its completion, four spaces in. */
void lincheck_op_print(FILE *out, const lincheck_history_t *h, const lincheck_op_t *op)
{
    fputs("    ", out);
    lincheck_event_print(out, h, op->invoke);
    if (op->done == LINCHECK_NONE) {
        fputs("    (never completed: its outcome is unknown)\n", out);
        return;
    }
    fputs("    ", out);
    lincheck_event_print(out, h, op->done);
}

static void group_print(FILE *out, const lincheck_history_t *h, const char *title,
                        const lincheck_op_t *const *ops, size_t n)
{
    if (!n)
        return;
    fprintf(out, "  %s:\n", title);
    for (size_t i = 0; i < n && i < GROUP_MAX; i++)
        lincheck_op_print(out, h, ops[i]);
    if (n > GROUP_MAX)
        fprintf(out, "    ... and %zu more\n", n - GROUP_MAX);
}

void lincheck_window_print(FILE *out, const lincheck_history_t *h, const lincheck_key_t *key,
                           const lincheck_window_t *win)
{
    char name[256];

    fprintf(out, "%s: not linearizable\n",
            lincheck_key_name(name, sizeof(name), h, key->object, key->key));
    if (!win->computed) {
        fputs("  (the time limit passed before the window was found)\n", out);
        return;
    }
    fprintf(out, "  stuck after linearizing %zu of %zu operations, in state: ", win->depth,
            win->total);
    key->model->describe(out, &win->state);
    fputc('\n', out);
    if (win->last)
        group_print(out, h, "last linearized (reads skipped)", &win->last, 1);
    else
        fputs("  (the initial state: nothing but reads linearized)\n", out);
    group_print(out, h, "cannot take effect there, and returned first", &win->stuck, 1);
    group_print(out, h, "could go before it, cannot take effect either", win->could, win->ncould);
    group_print(out, h, "linearized before, overlapping it", win->overlap, win->noverlap);
}
