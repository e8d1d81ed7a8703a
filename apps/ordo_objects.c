/*
 * ordo_objects - shared objects under the three consistency models, on any
 * number of ranks, with the public API only.
 *
 *   SC      every rank fetch-adds one shared counter; rank 0 checks the
 *           exact total.
 *   TSO     every rank writes its own word and reads it back at once (its
 *           store buffer forwards the write), fences, and the next rank
 *           reads the word after a barrier.
 *   causal  every rank writes its rank into its own slot of a replicated
 *           array, fences; after a barrier every rank checks every slot on
 *           its own replica.
 *
 * Each rank counts what it found wrong into a fourth object (SC, one word
 * per model); rank 0 prints one line per model and the program exits
 * non-zero if anything was wrong on any rank.
 */
#include <ordo.h>
#include <stdint.h>
#include <stdio.h>

#define ADDS 100 /* fetch-adds per rank */

enum { M_SC, M_TSO, M_CAUSAL, NMODELS };

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int s_ = (call);                                                                           \
        if (s_ != ORDO_OK) {                                                                       \
            fprintf(stderr, "rank %d: %s failed: %s\n", ordo_rank(), #call, ordo_strerror(s_));    \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

/* The value rank r puts in its word or slot: not zero, not another's. */
static int64_t mark(int r)
{
    return 1000 + r;
}

/* SC: ADDS fetch-adds of 1 by every rank; rank 0 reads the total.  Returns
 * the mismatches seen here (or -1 if a call failed). */
static int sc_counter(int me, int n, int64_t *total)
{
    ordo_obj_t *counter;
    int64_t old, prev = -1;
    int bad = 0;
    CHECK(ordo_obj_alloc(sizeof(int64_t), ORDO_MODEL_SC, &counter));
    for (int i = 0; i < ADDS; i++) {
        CHECK(ordo_fetch_add(counter, 0, 1, &old));
        bad += old <= prev; /* this rank's adds are ordered: what it sees only grows */
        prev = old;
    }
    CHECK(ordo_barrier());
    if (me == 0) {
        CHECK(ordo_read(counter, 0, total, sizeof(*total)));
        bad += *total != (int64_t)n * ADDS;
    }
    CHECK(ordo_obj_free(counter));
    return bad;
}

/* TSO: write, read back before the fence, fence; the next rank reads it. */
static int tso_words(int me, int n)
{
    ordo_obj_t *words;
    int64_t v = mark(me), back = 0, seen = 0;
    int prev = (me + n - 1) % n, bad = 0;
    CHECK(ordo_obj_alloc((size_t)n * sizeof(int64_t), ORDO_MODEL_TSO, &words));
    CHECK(ordo_write(words, (size_t)me * sizeof(v), &v, sizeof(v)));
    CHECK(ordo_read(words, (size_t)me * sizeof(v), &back, sizeof(back)));
    bad += back != v; /* store forwarding */
    CHECK(ordo_fence());
    CHECK(ordo_barrier());
    CHECK(ordo_read(words, (size_t)prev * sizeof(seen), &seen, sizeof(seen)));
    bad += seen != mark(prev); /* rank prev's word, after its fence */
    CHECK(ordo_obj_free(words));
    return bad;
}

/* Causal: every rank fills its slot; after fence and barrier, every
 * replica has every slot. */
static int causal_slots(int me, int n, int *checked)
{
    ordo_obj_t *slots;
    int64_t v = mark(me);
    int bad = 0;
    CHECK(ordo_obj_alloc((size_t)n * sizeof(int64_t), ORDO_MODEL_CAUSAL, &slots));
    CHECK(ordo_write(slots, (size_t)me * sizeof(v), &v, sizeof(v)));
    CHECK(ordo_fence());
    CHECK(ordo_barrier());
    for (int r = 0; r < n; r++) {
        int64_t got = 0;
        CHECK(ordo_read(slots, (size_t)r * sizeof(got), &got, sizeof(got)));
        bad += got != mark(r);
        (*checked)++;
    }
    CHECK(ordo_obj_free(slots));
    return bad;
}

/* Add this rank's mismatches to the shared tally; rank 0 reads it. */
static int tally(ordo_obj_t *errors, const int bad[NMODELS], int64_t sum[NMODELS])
{
    for (int m = 0; m < NMODELS; m++)
        CHECK(ordo_fetch_add(errors, (size_t)m * sizeof(int64_t), bad[m], NULL));
    CHECK(ordo_barrier());
    if (ordo_rank() == 0)
        CHECK(ordo_read(errors, 0, sum, NMODELS * sizeof(int64_t)));
    return 0;
}

static const char *verdict(int64_t wrong)
{
    return wrong == 0 ? "ok" : "WRONG";
}

int main(int argc, char **argv)
{
    int64_t total = 0, sum[NMODELS] = {0, 0, 0};
    int bad[NMODELS], checked = 0, failed = 0, wrong = 0;
    ordo_obj_t *errors = NULL;
    int status = ordo_init(&argc, &argv);
    if (status != ORDO_OK) {
        fprintf(stderr, "ordo_objects: ordo_init failed: %s\n", ordo_strerror(status));
        return 1;
    }
    int me = ordo_rank(), n = ordo_size();

    status = ordo_obj_alloc(NMODELS * sizeof(int64_t), ORDO_MODEL_SC, &errors);
    bad[M_SC] = status == ORDO_OK ? sc_counter(me, n, &total) : -1;
    bad[M_TSO] = bad[M_SC] >= 0 ? tso_words(me, n) : -1;
    bad[M_CAUSAL] = bad[M_TSO] >= 0 ? causal_slots(me, n, &checked) : -1;
    if (bad[M_CAUSAL] < 0 || tally(errors, bad, sum) < 0) {
        fprintf(stderr, "ordo_objects: rank %d: a call failed (see above)\n", me);
        failed = 1; /* the others may now wait in vain: the launcher ends them */
    }
    if (me == 0 && !failed) {
        printf("ordo_objects: SC: %d ranks x %d fetch-adds on one counter: total %lld "
               "(expected %lld): %s\n",
               n, ADDS, (long long)total, (long long)n * ADDS, verdict(sum[M_SC]));
        printf("ordo_objects: TSO: %d ranks read their own word back before the fence (store "
               "forwarding), the next rank read it after: %lld wrong: %s\n",
               n, (long long)sum[M_TSO], verdict(sum[M_TSO]));
        printf("ordo_objects: causal: %d ranks checked all %d slots on their own replicas "
               "after fence and barrier: %lld wrong: %s\n",
               n, checked, (long long)sum[M_CAUSAL], verdict(sum[M_CAUSAL]));
        wrong = sum[M_SC] || sum[M_TSO] || sum[M_CAUSAL];
    }
    if (errors && !failed) /* collective: every rank frees it, whatever rank 0 found */
        ordo_obj_free(errors);
    status = ordo_finalize();
    if (status != ORDO_OK) {
        fprintf(stderr, "ordo_objects: ordo_finalize failed: %s\n", ordo_strerror(status));
        return 1;
    }
    return failed || wrong ? 1 : 0;
}
