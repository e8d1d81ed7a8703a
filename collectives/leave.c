/*
 * leave.c - ordo_finalize's agreement to leave, over the live members.
 *
 * Every rank tells every rank it holds alive that it is leaving (a one-way
 * message, after its own operations have completed), then waits until each
 * peer has said so too or has failed.  So no survivor closes while another
 * still works on its blocks, and none waits on a dead peer: the view (the
 * transport, the failure detector) ends the wait for those.  Whether a
 * failure was acknowledged does not matter here.  A live peer that computes
 * long before it comes is waited for, with a warning every ORDO_TIMEOUT_MS
 * naming it; without a failure detector or transport errors (nothing would
 * tell that a peer died) the wait ends after ORDO_TIMEOUT_MS.
 *
 * n - 1 small messages per rank: the dissemination barrier's log n rounds
 * could not tell a rank that finished them from one that died inside them.
 */
#include "ordo_config.h"

#include "collectives/coll.h"
#include "runtime/clock.h"
#include "runtime/fd.h"
#include "runtime/log.h"
#include "runtime/rt.h"
#include "runtime/timer.h"

#include <stdlib.h>
#include <string.h>

#define LEAVE_MAGIC 0x6c656176u /* "leav" */

static struct {
    unsigned id;
    char *left; /* per rank: said it is leaving */
} lv;

static int leave_handler(const ordo_rpc_msg_t *msg, void *arg)
{
    uint32_t magic;
    (void)arg;
    if (msg->len != sizeof(magic) ||
        (memcpy(&magic, msg->data, sizeof(magic)), magic) != LEAVE_MAGIC) {
        ordo_log_warn("leave message of %zu bytes from rank %d dropped", msg->len, msg->src);
        return ORDO_ERR_MSG;
    }
    if (lv.left)
        lv.left[msg->src] = 1;
    return ORDO_OK;
}

int ordo__coll_leave_init(void)
{
    free(lv.left);
    lv.left = calloc((size_t)ordo__rt.size, 1);
    if (!lv.left)
        return ORDO_ERR_NOMEM;
    return ordo__rpc_handler_add("leave", leave_handler, NULL, 0, &lv.id);
}

typedef struct leave_wait {
    int next; /* the first rank not known to have left or failed */
} leave_wait_t;

static int all_left(void *arg)
{
    leave_wait_t *w = arg;
    while (w->next < ordo__rt.size &&
           (w->next == ordo__rt.rank || lv.left[w->next] || ordo__rt.peer_failed[w->next]))
        w->next++;
    return w->next == ordo__rt.size;
}

typedef struct leave_warn {
    ordo__timer_t timer;
    leave_wait_t *w;
    uint64_t start_ns, period_ns;
} leave_warn_t;

static void warn_slow(void *arg)
{
    leave_warn_t *lw = arg;
    uint64_t now = ordo__now_ns();
    if (!all_left(lw->w))
        ordo_log_warn("ordo_finalize: rank %d (alive) has not come after %.1f s; waiting on",
                      lw->w->next, (double)(now - lw->start_ns) / 1e9);
    (void)ordo__timer_arm(&lw->timer, now + lw->period_ns);
}

int ordo__coll_leave(void)
{
    uint32_t magic = LEAVE_MAGIC;
    int status = ORDO_OK;
    for (int r = 0; r < ordo__rt.size; r++) {
        if (r == ordo__rt.rank || ordo__rt.peer_failed[r])
            continue;
        int s = ordo__rpc_send(r, lv.id, &magic, sizeof(magic));
        if (s != ORDO_OK && s != ORDO_ERR_PEER_FAILED && status == ORDO_OK)
            status = s;
    }
    leave_wait_t w = {0};
    leave_warn_t lw = {
        .w = &w, .start_ns = ordo__now_ns(), .period_ns = ordo__rt.cfg.timeout_ms * 1000000u};
    /* Nothing would tell that a peer died: bounded. */
    int told = ordo__rt.cfg.peer_errors || ordo__fd_cfg.enabled;
    uint64_t deadline = told ? UINT64_MAX : lw.start_ns + lw.period_ns;
    ordo__timer_init(&lw.timer, warn_slow, &lw);
    if (told)
        (void)ordo__timer_arm(&lw.timer, lw.start_ns + lw.period_ns);
    int s = ordo__wait_until(all_left, &w, deadline);
    ordo__timer_cancel(&lw.timer);
    if (s != ORDO_OK)
        ordo_log_error("ordo_finalize: rank %d did not come within ORDO_TIMEOUT_MS", w.next);
    return status != ORDO_OK ? status : s;
}

void ordo__coll_leave_fini(void)
{
    free(lv.left);
    lv.left = NULL;
}
