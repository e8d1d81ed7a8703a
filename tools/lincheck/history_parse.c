/*
 * history_parse.c - one line of a history: a Jepsen EDN map or a JSON
 * object, one event each.
 *
 *   {:process 0, :type :invoke, :f :write, :key 3, :value 7, :time 1234}
 *   {"process":0,"type":"ok","f":"write","key":3,"value":7,"time":1300}
 *
 * The syntax is chosen per line by the first key: `{:` is EDN (keywords,
 * commas are blanks, nil, `;` comments), `{"` is JSON (strings, commas
 * between pairs, null). Keys come in any order; keys other than process,
 * type, f, key, value and time are read (any EDN or JSON value, nested or
 * not) and ignored. Nothing is allocated; every path ends at the line's NUL.
 */
#include "lincheck.h"

#include <stdarg.h>
#include <string.h>

#define SHOW_MAX 40 /* characters of a bad token quoted in a message */
#define NEST_MAX 64 /* brackets (and tags) inside one ignored value */
#define U63_MAX  ((uint64_t)INT64_MAX)

/* What a value is, as far as the known keys care. */
typedef enum value_kind {
    V_INT,  /* an integer: num, unless negative or overflow */
    V_NIL,  /* nil, null */
    V_NAME, /* an EDN keyword or a string: text + name_off, name_len */
    V_OTHER /* anything else: a float, true, a vector, a map, ... */
} value_kind_t;

typedef struct value {
    value_kind_t kind;
    int negative, overflow; /* V_INT */
    int keyword;            /* V_NAME: `:name` (1) or `"name"` (0) */
    uint64_t num;
    const char *text; /* the value as written */
    size_t len;
} value_t;

typedef struct parser {
    const char *p;
    int json;
    char *err;
} parser_t;

/* The keys this tool reads. */
enum { K_PROCESS, K_TYPE, K_F, K_KEY, K_VALUE, K_TIME, NKEYS };
static const char *const key_names[NKEYS] = {"process", "type", "f", "key", "value", "time"};
static const char *const type_names[LINCHECK_NTYPES] = {"invoke", "ok", "fail", "info"};
static const char *const f_names[LINCHECK_NFS] = {"read", "write", "acquire", "release"};

const char *lincheck_type_name(int type)
{
    return type >= 0 && type < LINCHECK_NTYPES ? type_names[type] : "?";
}

const char *lincheck_f_name(int f)
{
    return f >= 0 && f < LINCHECK_NFS ? f_names[f] : "?";
}

/* ---- messages ------------------------------------------------------------- */

/* text[0..len) for a message: printable, escaped, cut at SHOW_MAX. */
typedef struct shown {
    char s[SHOW_MAX * 4 + 8];
} shown_t;

static const char *show(shown_t *out, const char *text, size_t len)
{
    size_t n = 0, i;

    for (i = 0; i < len && text[i] && i < SHOW_MAX; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f)
            out->s[n++] = (char)c;
        else
            n += (size_t)snprintf(out->s + n, sizeof(out->s) - n, "\\x%02x", c);
    }
    if (i < len && text[i])
        n += (size_t)snprintf(out->s + n, sizeof(out->s) - n, "...");
    out->s[n] = '\0';
    return out->s;
}

/* What is at p, for "found ..." : the rest of the line, or "the end of the line". */
static const char *show_here(shown_t *out, const char *p)
{
    if (!*p)
        return "the end of the line";
    snprintf(out->s, sizeof(out->s), "'%s'", show(&(shown_t){{0}}, p, strlen(p)));
    return out->s;
}

__attribute__((format(printf, 2, 3))) static int fail(parser_t *ps, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ps->err, LINCHECK_ERROR_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- tokens --------------------------------------------------------------- */

static int is_blank(const parser_t *ps, char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || (!ps->json && c == ',');
}

/* Blanks and, in EDN, a `;` comment (to the end of the line). */
static void skip_blank(parser_t *ps)
{
    for (;;) {
        while (is_blank(ps, *ps->p))
            ps->p++;
        if (ps->json || *ps->p != ';')
            return;
        ps->p += strlen(ps->p);
    }
}

/* A character that ends a token (symbol, number, keyword). */
static int is_delim(const parser_t *ps, char c)
{
    return !c || is_blank(ps, c) || strchr("{}[]()\"", c) || c == ';' ||
           (ps->json && strchr(",:", c));
}

static void skip_token(parser_t *ps)
{
    while (!is_delim(ps, *ps->p))
        ps->p++;
}

/* A string at `"`: to its closing quote, escapes skipped. */
static int skip_string(parser_t *ps)
{
    const char *start = ps->p++;

    for (; *ps->p != '"'; ps->p++) {
        if (*ps->p == '\\' && ps->p[1])
            ps->p++;
        if (!*ps->p) {
            shown_t sh;
            return fail(ps, "expected '\"' to close the string '%s', found the end of the line",
                        show(&sh, start, strlen(start)));
        }
    }
    ps->p++;
    return 0;
}

static char closer(char open)
{
    return open == '{' ? '}' : open == '[' ? ']' : ')';
}

/* A vector, list, map or set at its opening bracket, read to its end and
 * ignored: nesting is checked, the tokens inside are not. */
static int skip_nested(parser_t *ps)
{
    char stack[NEST_MAX];
    int depth = 0;
    shown_t sh;

    do {
        if (ps->json)
            while (is_blank(ps, *ps->p) || *ps->p == ',' || *ps->p == ':')
                ps->p++;
        else
            skip_blank(ps);
        char c = *ps->p;
        if (!c)
            return fail(ps, "expected '%c' to close the value, found the end of the line",
                        stack[depth - 1]);
        if (c == '{' || c == '[' || c == '(') {
            if (depth == NEST_MAX)
                return fail(ps, "expected at most %d nested brackets in a value", NEST_MAX);
            stack[depth++] = closer(c);
            ps->p++;
        } else if (c == '}' || c == ']' || c == ')') {
            if (depth == 0 || c != stack[depth - 1])
                return fail(ps, "expected '%c' to close the value, found %s", stack[depth - 1],
                            show_here(&sh, ps->p));
            depth--;
            ps->p++;
        } else if (c == '"') {
            if (skip_string(ps))
                return -1;
        } else if (!ps->json && c == '\\') {
            ps->p += ps->p[1] ? 2 : 1; /* a character: \a, \{, \newline, \u0041 */
            skip_token(ps);
        } else if (!ps->json && c == '#' && ps->p[1] == '{') {
            ps->p++; /* a set: the '{' opens it */
        } else {
            const char *start = ps->p;
            skip_token(ps);
            if (ps->p == start)
                return fail(ps, "expected a value, found %s", show_here(&sh, ps->p));
        }
    } while (depth > 0);
    return 0;
}

/* An integer at a digit or '-': num, or negative / overflow; something
 * else that starts like a number (1.5, 1e9, 12N, 0x1f, -) is V_OTHER. */
static int parse_number(parser_t *ps, value_t *v)
{
    const char *start = ps->p;
    shown_t sh;

    v->kind = V_INT;
    if (*ps->p == '-') {
        v->negative = 1;
        ps->p++;
    }
    if (*ps->p < '0' || *ps->p > '9') {
        if (ps->json)
            return fail(ps, "expected a number, found %s", show_here(&sh, start));
        v->kind = V_OTHER; /* the symbol - or -foo */
        skip_token(ps);
        return 0;
    }
    for (; *ps->p >= '0' && *ps->p <= '9'; ps->p++) {
        unsigned d = (unsigned)(*ps->p - '0');
        if (v->num > (UINT64_MAX - d) / 10)
            v->overflow = 1;
        else
            v->num = v->num * 10 + d;
    }
    if (!is_delim(ps, *ps->p)) {
        v->kind = V_OTHER;
        skip_token(ps);
    }
    return 0;
}

/* A keyword, symbol or literal (nil, null, true, false). */
static int parse_word(parser_t *ps, value_t *v)
{
    const char *start = ps->p;
    shown_t sh;
    size_t n;

    if (!ps->json && *ps->p == ':') {
        ps->p++;
        skip_token(ps);
        if (ps->p == start + 1)
            return fail(ps, "expected a keyword after ':', found %s", show_here(&sh, ps->p));
        v->kind = V_NAME;
        v->keyword = 1;
        return 0;
    }
    skip_token(ps);
    n = (size_t)(ps->p - start);
    if (n == (ps->json ? 4 : 3) && !strncmp(start, ps->json ? "null" : "nil", n))
        v->kind = V_NIL;
    else if ((n == 4 && !strncmp(start, "true", 4)) || (n == 5 && !strncmp(start, "false", 5)))
        v->kind = V_OTHER;
    else if (ps->json || n == 0)
        return fail(ps, "expected a value, found %s", show_here(&sh, start));
    else
        v->kind = V_OTHER; /* an EDN symbol */
    return 0;
}

static int parse_value(parser_t *ps, value_t *v, int tags)
{
    char c = *ps->p;
    int status;

    *v = (value_t){.kind = V_OTHER, .text = ps->p};
    if (c == '{' || c == '[' || c == '(' || (!ps->json && c == '#' && ps->p[1] == '{')) {
        status = skip_nested(ps);
    } else if (c == '"') {
        v->kind = V_NAME;
        status = skip_string(ps);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        status = parse_number(ps, v);
    } else if (!ps->json && c == '\\') {
        ps->p += ps->p[1] ? 2 : 1;
        skip_token(ps);
        status = 0;
    } else if (!ps->json && c == '#') {
        /* A tagged value (#inst "...", #uuid "...") or a discarded one (#_ x). */
        if (tags == NEST_MAX)
            return fail(ps, "expected at most %d tags on a value", NEST_MAX);
        skip_token(ps);
        skip_blank(ps);
        status = parse_value(ps, v, tags + 1);
        v->kind = V_OTHER;
        v->text = ps->p;
    } else {
        status = parse_word(ps, v);
    }
    v->len = (size_t)(ps->p - v->text);
    return status;
}

/* The name of a V_NAME value: without ':' or quotes. */
static const char *name_of(const value_t *v, size_t *len)
{
    *len = v->len - (v->keyword ? 1 : 2);
    return v->text + 1;
}

/* A key: `:name` in EDN, `"name"` in JSON (then ':'). Its index in
 * key_names, or NKEYS for another one. */
static int parse_key(parser_t *ps, int *key)
{
    value_t v;
    shown_t sh;
    size_t len;
    const char *name;

    if (*ps->p != (ps->json ? '"' : ':'))
        return fail(ps, "expected a key (%s), found %s", ps->json ? "\"name\"" : ":name",
                    show_here(&sh, ps->p));
    if (parse_value(ps, &v, 0))
        return -1;
    name = name_of(&v, &len);
    for (*key = 0; *key < NKEYS; (*key)++)
        if (strlen(key_names[*key]) == len && !strncmp(key_names[*key], name, len))
            break;
    if (ps->json) {
        skip_blank(ps);
        if (*ps->p != ':')
            return fail(ps, "expected ':' after the key \"%s\", found %s", show(&sh, name, len),
                        show_here(&sh, ps->p));
        ps->p++;
    }
    return 0;
}

/* ---- fields --------------------------------------------------------------- */

/* How the line spells a key or a name: `:type` / `"type"`. */
static const char *spell(const parser_t *ps, char *buf, size_t size, const char *name)
{
    snprintf(buf, size, ps->json ? "\"%s\"" : ":%s", name);
    return buf;
}

static int field_u64(parser_t *ps, int key, const value_t *v, uint64_t max, uint64_t *out)
{
    char k[16];
    shown_t sh;

    if (v->kind == V_INT && !v->negative && !v->overflow && v->num <= max) {
        *out = v->num;
        return 0;
    }
    spell(ps, k, sizeof(k), key_names[key]);
    if (v->kind == V_INT && !v->negative)
        return fail(ps, "%s: expected a number below 2^%d, found %s", k,
                    max == UINT64_MAX ? 64 : 63, show(&sh, v->text, v->len));
    return fail(ps, "%s: expected a non-negative integer, found %s", k, show(&sh, v->text, v->len));
}

/* One of names[0..n), spelled as the line's syntax spells names. */
static int field_name(parser_t *ps, int key, const value_t *v, const char *const *names, int n,
                      uint8_t *out)
{
    char k[16], list[128], one[24];
    size_t len = 0, nlen;
    const char *name;
    shown_t sh;

    if (v->kind == V_NAME && v->keyword == !ps->json) {
        name = name_of(v, &nlen);
        for (int i = 0; i < n; i++) {
            if (strlen(names[i]) == nlen && !strncmp(names[i], name, nlen)) {
                *out = (uint8_t)i;
                return 0;
            }
        }
    }
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                                i == 0       ? ""
                                : i == n - 1 ? " or "
                                             : ", ",
                                spell(ps, one, sizeof(one), names[i]));
    return fail(ps, "%s: expected %s, found %s", spell(ps, k, sizeof(k), key_names[key]), list,
                show(&sh, v->text, v->len));
}

/* The known keys, read: the event, or 0 for a nemesis event. */
static int fields(parser_t *ps, const value_t *vals, const int *seen, lincheck_event_t *ev)
{
    static const int required[] = {K_PROCESS, K_TYPE, K_F, K_TIME};
    const value_t *value = &vals[K_VALUE];
    char k[16];
    shown_t sh;
    size_t len;

    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!seen[required[i]])
            return fail(ps, "expected the key %s, found none",
                        spell(ps, k, sizeof(k), key_names[required[i]]));
    if (vals[K_PROCESS].kind == V_NAME && vals[K_PROCESS].keyword == !ps->json) {
        const char *name = name_of(&vals[K_PROCESS], &len);
        if (len == 7 && !strncmp(name, "nemesis", 7))
            return 0;
    }
    *ev = (lincheck_event_t){0};
    if (field_u64(ps, K_PROCESS, &vals[K_PROCESS], U63_MAX, &ev->process) ||
        field_name(ps, K_TYPE, &vals[K_TYPE], type_names, LINCHECK_NTYPES, &ev->type) ||
        field_name(ps, K_F, &vals[K_F], f_names, LINCHECK_NFS, &ev->f) ||
        (seen[K_KEY] && field_u64(ps, K_KEY, &vals[K_KEY], UINT64_MAX, &ev->key)) ||
        field_u64(ps, K_TIME, &vals[K_TIME], UINT64_MAX, &ev->time))
        return -1;
    if (seen[K_VALUE] && value->kind != V_NIL) {
        if (value->kind != V_INT)
            return fail(ps, "%s: expected a non-negative integer or %s, found %s",
                        spell(ps, k, sizeof(k), "value"), ps->json ? "null" : "nil",
                        show(&sh, value->text, value->len));
        if (field_u64(ps, K_VALUE, value, UINT64_MAX, &ev->value))
            return -1;
        ev->has_value = 1;
    }
    return 1;
}

/* ---- the line ------------------------------------------------------------- */

int lincheck_parse_line(const char *line, lincheck_event_t *ev, char err[LINCHECK_ERROR_MAX])
{
    parser_t ps = {.p = line, .err = err};
    value_t vals[NKEYS], v;
    int seen[NKEYS] = {0}, key = NKEYS;
    const char *q;
    char k[16];
    shown_t sh;

    while (*ps.p == ' ' || *ps.p == '\t' || *ps.p == '\r')
        ps.p++;
    if (!*ps.p || *ps.p == ';' || *ps.p == '#')
        return 0;
    if (*ps.p != '{')
        return fail(&ps, "expected an event: a map '{...}', found %s", show_here(&sh, ps.p));
    for (q = ps.p + 1; *q == ' ' || *q == '\t' || *q == ','; q++)
        ;
    if (*q != ':' && *q != '"')
        return fail(&ps, "expected a key (:name in EDN, \"name\" in JSON) after '{', found %s",
                    show_here(&sh, q));
    ps.json = *q == '"';
    ps.p++;
    for (int first = 1;; first = 0) {
        skip_blank(&ps);
        if (*ps.p == '}')
            break;
        if (!*ps.p)
            return fail(&ps, "expected '}' to close the map, found the end of the line");
        if (ps.json && !first) {
            if (*ps.p != ',')
                return fail(&ps, "expected ',' or '}', found %s", show_here(&sh, ps.p));
            ps.p++;
            skip_blank(&ps);
        }
        if (parse_key(&ps, &key))
            return -1;
        skip_blank(&ps);
        if (!*ps.p || *ps.p == '}' || (ps.json && *ps.p == ','))
            return fail(&ps, "expected a value after the key, found %s", show_here(&sh, ps.p));
        if (parse_value(&ps, &v, 0))
            return -1;
        if (key == NKEYS)
            continue;
        if (seen[key])
            return fail(&ps, "expected the key %s once, found it twice",
                        spell(&ps, k, sizeof(k), key_names[key]));
        seen[key] = 1;
        vals[key] = v;
    }
    ps.p++;
    skip_blank(&ps);
    if (*ps.p)
        return fail(&ps, "expected the end of the line after the map, found %s",
                    show_here(&sh, ps.p));
    return fields(&ps, vals, seen, ev);
}
