/*
 * gen_history.c - histories for ordo-lincheck's tests and timing: a
 * simulation of processes using real atomic registers (or try-locks with
 * fencing tokens), written as the runtime writes them (EDN, or JSON lines).
 *
 *   gen_history [--ops=N] [--procs=P] [--keys=K] [--key-base=B] [--seed=S]
 *               [--model=register|mutex] [--fail=PPM] [--info=PPM] [--bad] [--json]
 *
 * Each process invokes an operation on a random key (B to B + K - 1), the operation takes
 * effect atomically at a random time after its invoke (its linearization
 * point) and completes a random time after that; then the process thinks a
 * random time and invokes the next. So the history is linearizable, with
 * operations overlapping at random. --fail and --info (parts per million)
 * make an operation fail (it never takes effect) or end in info (a write
 * takes effect or not, at random; the process then goes on under a new id,
 * as in Jepsen). Writes write distinct values.
 *
 * --bad makes one operation, past the middle of the history, report what
 * cannot be: a register read returns a value overwritten before the read was
 * invoked (by a write that began after the one that wrote it had completed);
 * a mutex acquire returns the token of an acquire that completed before it
 * was invoked. The line of its completion goes to stderr:
 * `gen_history: bad <f> at line L`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0        1700000000000000000ULL /* ns: CLOCK_REALTIME in 2023 */
#define LATENCY   40000                  /* ns: invoke to effect, effect to completion */
#define THINK     20000                  /* ns: completion to the next invoke */
#define RECENT    16                     /* completed ops remembered per key, for --bad */
#define MAX_PROCS 1024
#define MAX_KEYS  100000

enum { READ, WRITE, ACQUIRE, RELEASE };
enum { IDLE, BEFORE_EFFECT, BEFORE_COMPLETION };
enum { OK, FAIL, INFO };

static const char *const f_names[] = {"read", "write", "acquire", "release"};
static const char *const type_names[] = {"ok", "fail", "info"};

typedef struct options {
    long ops, procs, keys, key_base, fail, info;
    uint64_t seed;
    int mutex, bad, json;
} options_t;

/* A completed operation of a key, as --bad needs it. */
typedef struct done {
    uint64_t call, ret, value;
} done_t;

typedef struct key {
    uint64_t value;        /* register: its value; mutex: the holder + 1, or 0 */
    uint64_t token;        /* mutex: the last token given */
    done_t recent[RECENT]; /* the last ok writes / acquires, oldest first */
    int nrecent;
} object_t;

typedef struct proc {
    uint64_t id;
    int phase;
    uint64_t next; /* the time of its next step */
    int f, outcome, effect, has_value;
    uint64_t key, value, call, ret;
} proc_t;

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t below(uint64_t n)
{
    return n ? rng() % n : 0;
}

static uint64_t line;

static void emit(const options_t *o, const proc_t *p, const char *type, int has_value,
                 uint64_t time)
{
    char value[24] = "nil";

    if (has_value)
        snprintf(value, sizeof(value), "%" PRIu64, p->value);
    else if (o->json)
        strcpy(value, "null");
    if (o->json)
        printf("{\"process\":%" PRIu64 ",\"type\":\"%s\",\"f\":\"%s\",\"key\":%" PRIu64
               ",\"value\":%s,\"time\":%" PRIu64 "}\n",
               p->id, type, f_names[p->f], p->key + (uint64_t)o->key_base, value, time);
    else
        printf("{:process %" PRIu64 ", :type :%s, :f :%s, :key %" PRIu64
               ", :value %s, :time %" PRIu64 "}\n",
               p->id, type, f_names[p->f], p->key + (uint64_t)o->key_base, value, time);
    line++;
}

static void remember(object_t *k, const proc_t *p)
{
    if (k->nrecent == RECENT) {
        memmove(k->recent, k->recent + 1, (RECENT - 1) * sizeof(*k->recent));
        k->nrecent--;
    }
    k->recent[k->nrecent++] = (done_t){p->call, p->ret, p->value};
}

/* --bad for a read: a value written by a write that completed before a
 * later write began, which completed before this read was invoked. */
static int stale_value(const object_t *k, const proc_t *p, uint64_t *value)
{
    for (int b = k->nrecent - 1; b > 0; b--) {
        if (k->recent[b].ret >= p->call)
            continue;
        for (int a = b - 1; a >= 0; a--) {
            if (k->recent[a].ret < k->recent[b].call) {
                *value = k->recent[a].value;
                return 1;
            }
        }
    }
    return 0;
}

/* --bad for an acquire: the token of one that completed before it was invoked. */
static int old_token(const object_t *k, const proc_t *p, uint64_t *value)
{
    for (int a = k->nrecent - 1; a >= 0; a--) {
        if (k->recent[a].ret < p->call) {
            *value = k->recent[a].value;
            return 1;
        }
    }
    return 0;
}

static void invoke(const options_t *o, proc_t *p, uint64_t nkeys, uint64_t *counter)
{
    uint64_t r = below(1000000);

    if (p->f == ACQUIRE && p->outcome == OK && p->has_value) {
        p->f = RELEASE; /* the lock it holds: release it */
        p->outcome = OK;
    } else {
        p->key = below(nkeys);
        p->f = o->mutex ? ACQUIRE : below(2) ? WRITE : READ;
        p->outcome = r < (uint64_t)o->fail ? FAIL : r < (uint64_t)(o->fail + o->info) ? INFO : OK;
    }
    p->effect = p->outcome == OK || (p->outcome == INFO && p->f == WRITE && below(2));
    p->has_value = p->f == WRITE;
    if (p->f == WRITE)
        p->value = ++*counter;
    p->call = p->next;
    emit(o, p, "invoke", p->has_value, p->call);
    p->next = p->call + below(LATENCY);
    p->phase = BEFORE_EFFECT;
}

/* The operation takes effect (or not). */
static void effect(proc_t *p, object_t *k)
{
    switch (p->f) {
    case READ:
        p->value = k->value;
        p->has_value = 1;
        break;
    case WRITE:
        if (p->effect)
            k->value = p->value;
        break;
    case ACQUIRE: /* a try-lock: fails if held */
        if (p->effect && k->value == 0) {
            k->value = p->id + 1;
            p->value = ++k->token;
            p->has_value = 1;
        } else {
            p->outcome = p->outcome == OK ? FAIL : p->outcome;
            p->has_value = 0;
        }
        break;
    case RELEASE:
        k->value = 0;
        break;
    }
    p->next += below(LATENCY);
    p->phase = BEFORE_COMPLETION;
}

static void complete(const options_t *o, proc_t *p, object_t *k, long issued, int *bad_done)
{
    int has_value = p->has_value && p->outcome == OK;

    p->ret = p->next;
    if (o->bad && !*bad_done && p->outcome == OK && issued > o->ops / 2 &&
        ((p->f == READ && stale_value(k, p, &p->value)) ||
         (p->f == ACQUIRE && old_token(k, p, &p->value)))) {
        *bad_done = 1;
        fprintf(stderr, "gen_history: bad %s at line %" PRIu64 "\n", f_names[p->f], line + 1);
    }
    if (p->f == WRITE)
        has_value = 1;
    emit(o, p, type_names[p->outcome], has_value, p->ret);
    if (p->outcome == OK && (p->f == WRITE || (p->f == ACQUIRE && has_value)))
        remember(k, p);
    if (p->outcome == INFO)
        p->id += (uint64_t)o->procs; /* a new process, as Jepsen does */
    if (p->f == ACQUIRE && !has_value)
        p->has_value = 0;
    p->next += below(THINK);
    p->phase = IDLE;
}

static int parse(const char *arg, const char *name, long max, long *out)
{
    size_t n = strlen(name);
    char *end;

    if (strncmp(arg, name, n) || arg[n] != '=')
        return 0;
    *out = strtol(arg + n + 1, &end, 10);
    if (*end || *out < 0 || *out > max) {
        fprintf(stderr, "gen_history: %s: expected 0 to %ld\n", name, max);
        exit(2);
    }
    return 1;
}

int main(int argc, char **argv)
{
    options_t o = {.ops = 100000, .procs = 5, .keys = 10, .seed = 1, .fail = 10000, .info = 100};
    long seed = 1, issued = 0;
    uint64_t counter = 0;
    int bad_done = 0;

    for (int i = 1; i < argc; i++) {
        if (parse(argv[i], "--ops", 100000000, &o.ops) ||
            parse(argv[i], "--procs", MAX_PROCS, &o.procs) ||
            parse(argv[i], "--keys", MAX_KEYS, &o.keys) ||
            parse(argv[i], "--key-base", 1000000000, &o.key_base) ||
            parse(argv[i], "--seed", 1000000000, &seed) ||
            parse(argv[i], "--fail", 1000000, &o.fail) ||
            parse(argv[i], "--info", 1000000, &o.info))
            continue;
        if (!strcmp(argv[i], "--model=mutex") || !strcmp(argv[i], "--model=register"))
            o.mutex = !strcmp(argv[i], "--model=mutex");
        else if (!strcmp(argv[i], "--bad"))
            o.bad = 1;
        else if (!strcmp(argv[i], "--json"))
            o.json = 1;
        else {
            fprintf(stderr,
                    "usage: gen_history [--ops=N] [--procs=P] [--keys=K] [--key-base=B] [--seed=S] "
                    "[--model=register|mutex] [--fail=PPM] [--info=PPM] [--bad] "
                    "[--json]\n");
            return 2;
        }
    }
    if (o.procs < 1 || o.keys < 1 || o.fail + o.info > 1000000) {
        fputs("gen_history: expected a process, a key, and --fail + --info <= 10^6\n", stderr);
        return 2;
    }
    rng_state = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed * 0x2545f4914f6cdd1dULL);
    proc_t *procs = calloc((size_t)o.procs, sizeof(*procs));
    object_t *keys = calloc((size_t)o.keys, sizeof(*keys));
    if (!procs || !keys)
        return 2;
    for (long i = 0; i < o.procs; i++)
        procs[i] = (proc_t){.id = (uint64_t)i, .next = T0 + below(THINK), .f = READ};

    for (;;) {
        proc_t *p = NULL;
        for (long i = 0; i < o.procs; i++) {
            proc_t *q = &procs[i];
            if (q->phase == IDLE && issued == o.ops)
                continue; /* done */
            if (!p || q->next < p->next)
                p = q;
        }
        if (!p)
            break;
        switch (p->phase) {
        case IDLE:
            invoke(&o, p, (uint64_t)o.keys, &counter);
            issued++;
            break;
        case BEFORE_EFFECT:
            effect(p, &keys[p->key]);
            break;
        default:
            complete(&o, p, &keys[p->key], issued, &bad_done);
            break;
        }
    }
    if (o.bad && !bad_done) {
        fputs("gen_history: found no operation to make bad\n", stderr);
        return 1;
    }
    free(procs);
    free(keys);
    return fflush(stdout) ? 2 : 0;
}
