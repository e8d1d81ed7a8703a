/*
 * litmus_parse.c - reading a litmus test in LISA syntax (a subset of
 * herdtools7's), in the order of the file:
 *
 *   1. `LISA NAME` (the name: any characters but blanks, up to the line's end);
 *   2. preamble lines until `{`: doc strings "..." and `key=value` lines;
 *   3. the init block `{ x=1; y=0; }` (unlisted locations start at 0);
 *   4. the thread table: `P0 | P1 ;` then rows of cells separated by `|`
 *      and ended by `;`; a cell is empty or one of `w[..] LOC VALUE`,
 *      `r[..] REG LOC`, `f[..]`;
 *   5. optionally `locations [x; 0:r0;]`;
 *   6. the condition: `exists`, `~exists` or `forall`, then a proposition
 *      over `T:REG=V` and `LOC=V` with `~`, `/\`, `\/` and parentheses.
 *
 * Comments `(* ... *)` (nested) may appear anywhere after the first line.
 * The first problem stops the parse with `file:line:col: expected ...,
 * found ...`; semantic problems (a register no read writes, a thread out of
 * range, limits) are reported at the offending token.
 */
#include "litmus.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_MAX 24 /* characters of a token quoted in a message */

typedef enum tok_kind {
    TOK_EOF,
    TOK_IDENT,
    TOK_NUM,
    TOK_PUNCT, /* one of { } ; | [ ] ( ) = : , ~ */
    TOK_AND,   /* /\ */
    TOK_OR,    /* \/ */
    TOK_BAD    /* any other character */
} tok_kind_t;

typedef struct token {
    tok_kind_t kind;
    const char *start;
    size_t len;
    int line, col;
    int64_t num;      /* TOK_NUM */
    int num_overflow; /* TOK_NUM too big for int64 */
} token_t;

typedef struct parser {
    const char *file;
    const char *text;
    size_t len, pos;
    int line, col; /* of text[pos] */
    token_t tok;   /* the current token */
    litmus_test_t *test;
    litmus_error_t *err;
} parser_t;

/* ---- errors ------------------------------------------------------------------ */

static int fail_at(parser_t *p, int status, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail_at(parser_t *p, int status, int line, int col, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(p->err->msg, sizeof(p->err->msg), "%s:%d:%d: ", p->file, line, col);

    if (n < 0 || (size_t)n >= sizeof(p->err->msg))
        return status;
    va_start(ap, fmt);
    vsnprintf(p->err->msg + n, sizeof(p->err->msg) - (size_t)n, fmt, ap);
    va_end(ap);
    return status;
}

/* Quotes text for a message: printable, escaped, cut at SHOW_MAX. */
static const char *show(char *out, size_t cap, const char *text, size_t len)
{
    size_t n = 0, i;

    n += (size_t)snprintf(out + n, cap - n, "'");
    for (i = 0; i < len && i < SHOW_MAX && n + 8 < cap; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f)
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
    }
    out[n] = '\0';
    snprintf(out + n, cap - n, "%s'", i < len ? "..." : "");
    return out;
}

/* The current token as a message names it. */
static const char *found(const parser_t *p, char *out, size_t cap)
{
    if (p->tok.kind == TOK_EOF)
        return "end of file";
    return show(out, cap, p->tok.start, p->tok.len);
}

static int expected(parser_t *p, const char *what)
{
    char buf[SHOW_MAX * 4 + 8];

    return fail_at(p, LITMUS_ERR_PARSE, p->tok.line, p->tok.col, "expected %s, found %s", what,
                   found(p, buf, sizeof(buf)));
}

/* ---- characters and tokens ------------------------------------------------------ */

static int peekc(const parser_t *p, size_t ahead)
{
    return p->pos + ahead < p->len ? (unsigned char)p->text[p->pos + ahead] : EOF;
}

static void advance(parser_t *p)
{
    if (p->pos >= p->len)
        return;
    if (p->text[p->pos] == '\n') {
        p->line++;
        p->col = 1;
    } else {
        p->col++;
    }
    p->pos++;
}

static int is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(int c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Skips blanks and (nested) comments. */
static int skip_space(parser_t *p)
{
    for (;;) {
        int c = peekc(p, 0);
        if (c != EOF && is_blank(c)) {
            advance(p);
        } else if (c == '(' && peekc(p, 1) == '*') {
            int line = p->line, col = p->col, depth = 0;
            do {
                if (peekc(p, 0) == EOF)
                    return fail_at(p, LITMUS_ERR_PARSE, line, col,
                                   "expected '*)' closing this comment, found end of file");
                if (peekc(p, 0) == '(' && peekc(p, 1) == '*') {
                    depth++;
                    advance(p);
                } else if (peekc(p, 0) == '*' && peekc(p, 1) == ')') {
                    depth--;
                    advance(p);
                }
                advance(p);
            } while (depth > 0);
        } else {
            return LITMUS_OK;
        }
    }
}

/* Reads the next token into p->tok. */
static int next(parser_t *p)
{
    token_t *t = &p->tok;
    int status = skip_space(p);
    int c;

    if (status)
        return status;
    memset(t, 0, sizeof(*t));
    t->start = p->text + p->pos;
    t->line = p->line;
    t->col = p->col;
    c = peekc(p, 0);
    if (c == EOF) {
        t->kind = TOK_EOF;
        return LITMUS_OK;
    }
    if (is_ident_start(c)) {
        t->kind = TOK_IDENT;
        while (peekc(p, 0) != EOF && is_ident_char(peekc(p, 0)))
            advance(p);
    } else if (is_digit(c) || (c == '-' && is_digit(peekc(p, 1)))) {
        int neg = c == '-';
        uint64_t v = 0;
        t->kind = TOK_NUM;
        if (neg)
            advance(p);
        while (peekc(p, 0) != EOF && is_digit(peekc(p, 0))) {
            unsigned d = (unsigned)(peekc(p, 0) - '0');
            if (v > ((uint64_t)INT64_MAX - d) / 10)
                t->num_overflow = 1;
            else
                v = v * 10 + d;
            advance(p);
        }
        t->num = neg ? -(int64_t)v : (int64_t)v;
    } else if (c == '/' && peekc(p, 1) == '\\') {
        t->kind = TOK_AND;
        advance(p);
        advance(p);
    } else if (c == '\\' && peekc(p, 1) == '/') {
        t->kind = TOK_OR;
        advance(p);
        advance(p);
    } else if (strchr("{};|[]()=:,~", c)) {
        t->kind = TOK_PUNCT;
        advance(p);
    } else {
        t->kind = TOK_BAD;
        advance(p);
    }
    t->len = (size_t)(p->text + p->pos - t->start);
    return LITMUS_OK;
}

static int tok_is(const parser_t *p, const char *text)
{
    size_t n = strlen(text);
    return p->tok.kind != TOK_EOF && p->tok.len == n && !memcmp(p->tok.start, text, n);
}

static int tok_punct(const parser_t *p, char c)
{
    return p->tok.kind == TOK_PUNCT && p->tok.start[0] == c;
}

/* Consumes the punctuation c or fails with "expected what". */
static int expect_punct(parser_t *p, char c, const char *what)
{
    if (!tok_punct(p, c))
        return expected(p, what);
    return next(p);
}

/* Copies the current identifier into out (LITMUS_MAX_NAME bytes). */
static int take_name(parser_t *p, char *out, const char *what)
{
    if (p->tok.kind != TOK_IDENT)
        return expected(p, what);
    if (p->tok.len >= LITMUS_MAX_NAME)
        return fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                       "name too long: the limit is %d characters", LITMUS_MAX_NAME - 1);
    memcpy(out, p->tok.start, p->tok.len);
    out[p->tok.len] = '\0';
    return next(p);
}

static int take_number(parser_t *p, int64_t *out, const char *what)
{
    if (p->tok.kind != TOK_NUM)
        return expected(p, what);
    if (p->tok.num_overflow)
        return fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                       "number too large: values must fit in 64 bits");
    *out = p->tok.num;
    return next(p);
}

/* ---- names ---------------------------------------------------------------------- */

static int loc_find(const litmus_test_t *test, const char *name)
{
    for (int i = 0; i < test->nlocs; i++)
        if (!strcmp(test->locs[i], name))
            return i;
    return -1;
}

/* The index of location name, added if new; line, col for the error. */
static int loc_get(parser_t *p, const char *name, int line, int col, int *out)
{
    litmus_test_t *test = p->test;
    int i = loc_find(test, name);

    if (i < 0) {
        if (test->nlocs == LITMUS_MAX_LOCS)
            return fail_at(p, LITMUS_ERR_LIMIT, line, col, "too many locations: the limit is %d",
                           LITMUS_MAX_LOCS);
        i = test->nlocs++;
        strcpy(test->locs[i], name);
    }
    *out = i;
    return LITMUS_OK;
}

static int reg_find(const litmus_thread_t *th, const char *name)
{
    for (int i = 0; i < th->nregs; i++)
        if (!strcmp(th->regs[i], name))
            return i;
    return -1;
}

/* ---- 1, 2: the title line and the preamble ------------------------------------------ */

static int parse_title(parser_t *p)
{
    size_t start, n;
    int line, col;

    if (!tok_is(p, "LISA"))
        return expected(p, "'LISA' and the test's name");
    while (peekc(p, 0) == ' ' || peekc(p, 0) == '\t')
        advance(p);
    start = p->pos;
    line = p->line;
    col = p->col;
    while (peekc(p, 0) != EOF && !is_blank(peekc(p, 0)))
        advance(p);
    n = p->pos - start;
    if (!n)
        return fail_at(p, LITMUS_ERR_PARSE, line, col, "expected the test's name, found %s",
                       peekc(p, 0) == EOF ? "end of file" : "end of line");
    if (n >= sizeof(p->test->name))
        return fail_at(p, LITMUS_ERR_LIMIT, line, col, "test name too long: the limit is %d",
                       (int)sizeof(p->test->name) - 1);
    memcpy(p->test->name, p->text + start, n);
    p->test->name[n] = '\0';
    return LITMUS_OK;
}

/* 1 if the line at p starts with `key =`; p does not move. */
static int key_value_line(const parser_t *p)
{
    size_t i = 0;

    while (peekc(p, i) != EOF && is_ident_char(peekc(p, i)))
        i++;
    while (peekc(p, i) == ' ' || peekc(p, i) == '\t')
        i++;
    return peekc(p, i) == '=';
}

/* Doc strings and key=value lines, up to the `{` of the init block. */
static int parse_preamble(parser_t *p)
{
    for (;;) {
        int status = skip_space(p);
        int c = peekc(p, 0), line = p->line, col = p->col;

        if (status)
            return status;
        if (c == '{') {
            advance(p);
            return next(p);
        }
        if (c == '"') {
            advance(p);
            while (peekc(p, 0) != EOF && peekc(p, 0) != '"')
                advance(p);
            if (peekc(p, 0) == EOF)
                return fail_at(p, LITMUS_ERR_PARSE, line, col,
                               "expected '\"' closing this string, found end of file");
            advance(p);
        } else if (c != EOF && is_ident_start(c) && key_value_line(p)) {
            while (peekc(p, 0) != EOF && peekc(p, 0) != '\n')
                advance(p);
        } else {
            if ((status = next(p)))
                return status;
            return expected(p, "a doc string, a key=value line or '{' starting the init block");
        }
    }
}

/* ---- 3: the init block ------------------------------------------------------------------ */

static int parse_init(parser_t *p)
{
    unsigned char seen[LITMUS_MAX_LOCS] = {0};
    int status;

    /* the '{' is consumed */
    while (!tok_punct(p, '}')) {
        char name[LITMUS_MAX_NAME];
        int64_t value;
        int line = p->tok.line, col = p->tok.col, loc;

        if (p->tok.kind != TOK_IDENT)
            return expected(p, "a location (x=0;) or '}'");
        if ((status = take_name(p, name, "a location")))
            return status;
        if ((status = expect_punct(p, '=', "'=' after the location")))
            return status;
        if ((status = take_number(p, &value, "an integer value")))
            return status;
        if ((status = loc_get(p, name, line, col, &loc)))
            return status;
        if (seen[loc])
            return fail_at(p, LITMUS_ERR_INVALID, line, col, "location %s initialised twice", name);
        seen[loc] = 1;
        p->test->init[loc] = value;
        if (tok_punct(p, ';')) {
            if ((status = next(p)))
                return status;
        } else if (!tok_punct(p, '}')) {
            return expected(p, "';' or '}'");
        }
    }
    return next(p);
}

/* ---- 4: the thread table ----------------------------------------------------------------- */

static int parse_thread_header(parser_t *p)
{
    litmus_test_t *test = p->test;
    int status;

    for (;;) {
        char want[16];
        snprintf(want, sizeof(want), "P%d", test->nthreads);
        if (!tok_is(p, want)) {
            char what[48];
            snprintf(what, sizeof(what), test->nthreads ? "thread %s" : "thread P0 (P0 | P1 ;)",
                     want);
            return expected(p, what);
        }
        if (test->nthreads == LITMUS_MAX_THREADS)
            return fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                           "too many threads: the limit is %d", LITMUS_MAX_THREADS);
        test->nthreads++;
        if ((status = next(p)))
            return status;
        if (tok_punct(p, ';'))
            return next(p);
        if ((status = expect_punct(p, '|', "'|' or ';'")))
            return status;
    }
}

/* `[...]`: any words (and commas) inside the brackets; the first is kept. */
static int parse_annot(parser_t *p, litmus_instr_t *ins)
{
    int status;

    if ((status = expect_punct(p, '[', "'[' (an annotation such as [] or [mb])")))
        return status;
    while (!tok_punct(p, ']')) {
        if (p->tok.kind == TOK_IDENT && !ins->annot[0]) {
            if ((status = take_name(p, ins->annot, "an annotation")))
                return status;
        } else if (p->tok.kind == TOK_IDENT || tok_punct(p, ',')) {
            if ((status = next(p)))
                return status;
        } else {
            return expected(p, "']'");
        }
    }
    return next(p);
}

static int parse_instr(parser_t *p, int t)
{
    litmus_test_t *test = p->test;
    litmus_thread_t *th = &test->threads[t];
    litmus_instr_t ins;
    char name[LITMUS_MAX_NAME];
    int status, line, col;

    memset(&ins, 0, sizeof(ins));
    ins.line = p->tok.line;
    ins.col = p->tok.col;
    if (tok_is(p, "w"))
        ins.op = LITMUS_OP_WRITE;
    else if (tok_is(p, "r"))
        ins.op = LITMUS_OP_READ;
    else if (tok_is(p, "f"))
        ins.op = LITMUS_OP_FENCE;
    else
        return expected(p, "an instruction (w[] x 1, r[] r0 x or f[mb]), '|' or ';'");
    if (th->ninstrs == LITMUS_MAX_INSTRS)
        return fail_at(p, LITMUS_ERR_LIMIT, ins.line, ins.col,
                       "too many instructions in thread P%d: the limit is %d", t,
                       LITMUS_MAX_INSTRS);
    if ((status = next(p)) || (status = parse_annot(p, &ins)))
        return status;
    switch (ins.op) {
    case LITMUS_OP_WRITE:
        line = p->tok.line;
        col = p->tok.col;
        if ((status = take_name(p, name, "a location")) ||
            (status = loc_get(p, name, line, col, &ins.loc)) ||
            (status = take_number(p, &ins.value, "an integer value")))
            return status;
        break;
    case LITMUS_OP_READ:
        line = p->tok.line;
        col = p->tok.col;
        if ((status = take_name(p, name, "a register")))
            return status;
        ins.reg = reg_find(th, name);
        if (ins.reg < 0) {
            if (th->nregs == LITMUS_MAX_REGS)
                return fail_at(p, LITMUS_ERR_LIMIT, line, col,
                               "too many registers in thread P%d: the limit is %d", t,
                               LITMUS_MAX_REGS);
            ins.reg = th->nregs++;
            strcpy(th->regs[ins.reg], name);
        }
        line = p->tok.line;
        col = p->tok.col;
        if ((status = take_name(p, name, "a location")) ||
            (status = loc_get(p, name, line, col, &ins.loc)))
            return status;
        break;
    case LITMUS_OP_FENCE:
        break;
    }
    th->instrs[th->ninstrs++] = ins;
    return LITMUS_OK;
}

static int parse_row(parser_t *p)
{
    int status;

    for (int t = 0; t < p->test->nthreads; t++) {
        int last = t == p->test->nthreads - 1;
        if (!tok_punct(p, '|') && !tok_punct(p, ';') && (status = parse_instr(p, t)))
            return status;
        if (last)
            return expect_punct(p, ';', "';' ending the row");
        if ((status = expect_punct(p, '|', "'|' before the next thread's cell")))
            return status;
    }
    return LITMUS_OK;
}

static int at_condition(const parser_t *p)
{
    return tok_is(p, "exists") || tok_is(p, "forall") || tok_punct(p, '~') ||
           tok_is(p, "locations") || p->tok.kind == TOK_EOF;
}

/* ---- 5, 6: locations and the condition ---------------------------------------------------- */

/* `T:reg` with the current token the thread number: the register's index. */
static int parse_reg_ref(parser_t *p, int *thread, int *reg)
{
    litmus_test_t *test = p->test;
    char name[LITMUS_MAX_NAME];
    int line = p->tok.line, col = p->tok.col, status;
    int64_t t;

    if ((status = take_number(p, &t, "a thread number")))
        return status;
    if ((status = expect_punct(p, ':', "':' between thread and register")))
        return status;
    if ((status = take_name(p, name, "a register")))
        return status;
    if (t < 0 || t >= test->nthreads)
        return fail_at(p, LITMUS_ERR_INVALID, line, col,
                       "thread %" PRId64 " out of range: the test has %d thread(s), P0..P%d", t,
                       test->nthreads, test->nthreads - 1);
    *reg = reg_find(&test->threads[t], name);
    if (*reg < 0)
        return fail_at(p, LITMUS_ERR_INVALID, line, col,
                       "register %" PRId64 ":%s is never written by thread P%" PRId64, t, name, t);
    *thread = (int)t;
    return LITMUS_OK;
}

static int parse_locations(parser_t *p)
{
    int status, thread, reg;

    /* `locations` is the current token */
    if ((status = next(p)) || (status = expect_punct(p, '[', "'[' after locations")))
        return status;
    while (!tok_punct(p, ']')) {
        if (p->tok.kind == TOK_NUM) {
            if ((status = parse_reg_ref(p, &thread, &reg)))
                return status;
        } else if (p->tok.kind == TOK_IDENT) {
            char name[LITMUS_MAX_NAME];
            int line = p->tok.line, col = p->tok.col, loc;
            if ((status = take_name(p, name, "a location")) ||
                (status = loc_get(p, name, line, col, &loc)))
                return status;
            p->test->observed[loc] = 1;
        } else {
            return expected(p, "a location, a register T:reg or ']'");
        }
        if (tok_punct(p, ';')) {
            if ((status = next(p)))
                return status;
        } else if (!tok_punct(p, ']')) {
            return expected(p, "';' or ']'");
        }
    }
    return next(p);
}

static int cond_new(parser_t *p, litmus_cond_kind_t kind, int *out)
{
    litmus_test_t *test = p->test;

    if (test->ncond == LITMUS_MAX_COND)
        return fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                       "condition too long: the limit is %d terms", LITMUS_MAX_COND);
    *out = test->ncond++;
    memset(&test->cond[*out], 0, sizeof(test->cond[*out]));
    test->cond[*out].kind = kind;
    return LITMUS_OK;
}

static int parse_or(parser_t *p, int depth, int *out);

static int parse_unary(parser_t *p, int depth, int *out)
{
    litmus_test_t *test = p->test;
    int status, node;

    if (depth > 64)
        return fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                       "condition nested too deeply: the limit is 64");
    if (tok_punct(p, '~')) {
        int child;
        if ((status = next(p)) || (status = parse_unary(p, depth + 1, &child)) ||
            (status = cond_new(p, LITMUS_COND_NOT, &node)))
            return status;
        test->cond[node].left = child;
    } else if (tok_punct(p, '(')) {
        if ((status = next(p)) || (status = parse_or(p, depth + 1, &node)))
            return status;
        if ((status = expect_punct(p, ')', "')' or an operator (/\\, \\/)")))
            return status;
    } else if (tok_is(p, "true") || tok_is(p, "false")) {
        if ((status =
                 cond_new(p, tok_is(p, "true") ? LITMUS_COND_TRUE : LITMUS_COND_FALSE, &node)) ||
            (status = next(p)))
            return status;
    } else if (p->tok.kind == TOK_NUM) {
        int thread, reg;
        if ((status = parse_reg_ref(p, &thread, &reg)) ||
            (status = expect_punct(p, '=', "'=' after the register")) ||
            (status = cond_new(p, LITMUS_COND_REG, &node)))
            return status;
        test->cond[node].thread = thread;
        test->cond[node].reg = reg;
        if ((status = take_number(p, &test->cond[node].value, "an integer value")))
            return status;
    } else if (p->tok.kind == TOK_IDENT) {
        char name[LITMUS_MAX_NAME];
        int line = p->tok.line, col = p->tok.col, loc;
        if ((status = take_name(p, name, "a location")) ||
            (status = loc_get(p, name, line, col, &loc)) ||
            (status = expect_punct(p, '=', "'=' after the location")) ||
            (status = cond_new(p, LITMUS_COND_LOC, &node)))
            return status;
        test->observed[loc] = 1;
        test->cond[node].loc = loc;
        if ((status = take_number(p, &test->cond[node].value, "an integer value")))
            return status;
    } else {
        return expected(p, "T:reg=value, location=value, '~' or '('");
    }
    *out = node;
    return LITMUS_OK;
}

/* A chain of unaries joined by op (TOK_AND) or of ands joined by TOK_OR. */
static int parse_chain(parser_t *p, int depth, tok_kind_t op, int *out)
{
    litmus_cond_kind_t kind = op == TOK_AND ? LITMUS_COND_AND : LITMUS_COND_OR;
    int status, left, right, node;

    status = op == TOK_AND ? parse_unary(p, depth, &left) : parse_chain(p, depth, TOK_AND, &left);
    if (status)
        return status;
    while (p->tok.kind == op) {
        if ((status = next(p)))
            return status;
        status =
            op == TOK_AND ? parse_unary(p, depth, &right) : parse_chain(p, depth, TOK_AND, &right);
        if (status || (status = cond_new(p, kind, &node)))
            return status;
        p->test->cond[node].left = left;
        p->test->cond[node].right = right;
        left = node;
    }
    *out = left;
    return LITMUS_OK;
}

static int parse_or(parser_t *p, int depth, int *out)
{
    return parse_chain(p, depth, TOK_OR, out);
}

static int parse_condition(parser_t *p)
{
    litmus_test_t *test = p->test;
    int status;

    if (tok_is(p, "locations") && (status = parse_locations(p)))
        return status;
    if (tok_is(p, "exists")) {
        test->quant = LITMUS_EXISTS;
    } else if (tok_is(p, "forall")) {
        test->quant = LITMUS_FORALL;
    } else if (tok_punct(p, '~')) {
        if ((status = next(p)))
            return status;
        if (!tok_is(p, "exists"))
            return expected(p, "'exists' after '~'");
        test->quant = LITMUS_NOT_EXISTS;
    } else {
        return expected(p, "a condition (exists, ~exists or forall)");
    }
    if ((status = next(p)) || (status = parse_or(p, 0, &test->cond_root)))
        return status;
    if (p->tok.kind != TOK_EOF)
        return expected(p, "end of file after the condition");
    return LITMUS_OK;
}

/* ---- the whole test ------------------------------------------------------------------------- */

static int parse_test(parser_t *p)
{
    int status;

    if ((status = next(p)) || (status = parse_title(p)) || (status = parse_preamble(p)) ||
        (status = parse_init(p)) || (status = parse_thread_header(p)))
        return status;
    while (!at_condition(p))
        if ((status = parse_row(p)))
            return status;
    return parse_condition(p);
}

int litmus_parse_string(const char *name, const char *text, size_t len, litmus_test_t *test,
                        litmus_error_t *err)
{
    parser_t p;
    const char *nul;
    int status;

    if (!name || !text || !test || !err)
        return LITMUS_ERR_ARG;
    memset(&p, 0, sizeof(p));
    p.file = name;
    p.text = text;
    p.len = len;
    p.line = p.col = 1;
    p.err = err;
    err->msg[0] = '\0';
    nul = memchr(text, '\0', len);
    if (nul) {
        size_t off = (size_t)(nul - text);
        while (p.pos < off)
            advance(&p);
        return fail_at(&p, LITMUS_ERR_PARSE, p.line, p.col,
                       "expected a line of text, found a NUL byte");
    }
    p.test = calloc(1, sizeof(*p.test));
    if (!p.test) {
        snprintf(err->msg, sizeof(err->msg), "%s: out of memory", name);
        return LITMUS_ERR_NOMEM;
    }
    status = parse_test(&p);
    if (status == LITMUS_OK)
        *test = *p.test;
    free(p.test);
    return status;
}

int litmus_parse_file(const char *path, litmus_test_t *test, litmus_error_t *err)
{
    FILE *fp;
    char *text = NULL;
    size_t len = 0, cap = 0;
    int status;

    if (!path || !test || !err)
        return LITMUS_ERR_ARG;
    fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err->msg, sizeof(err->msg), "%s: cannot open: %s", path, strerror(errno));
        return LITMUS_ERR_IO;
    }
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            char *ntext = ncap > (1u << 24) ? NULL : realloc(text, ncap);
            if (!ntext) {
                snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
                         ncap > (1u << 24) ? "file too large: the limit is 16 MiB"
                                           : "out of memory");
                status = ncap > (1u << 24) ? LITMUS_ERR_LIMIT : LITMUS_ERR_NOMEM;
                goto out;
            }
            text = ntext;
            cap = ncap;
        }
        size_t n = fread(text + len, 1, cap - len, fp);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(fp)) {
        snprintf(err->msg, sizeof(err->msg), "%s: cannot read: %s", path, strerror(errno));
        status = LITMUS_ERR_IO;
        goto out;
    }
    status = litmus_parse_string(path, text ? text : "", len, test, err);
out:
    free(text);
    fclose(fp);
    return status;
}
