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
#include "litmus_lex.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
            return lex_fail_at(p, LITMUS_ERR_LIMIT, line, col,
                               "too many locations: the limit is %d", LITMUS_MAX_LOCS);
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

    if (!lex_tok_is(p, "LISA"))
        return lex_expected(p, "'LISA' and the test's name");
    while (lex_peekc(p, 0) == ' ' || lex_peekc(p, 0) == '\t')
        lex_advance(p);
    start = p->pos;
    line = p->line;
    col = p->col;
    while (lex_peekc(p, 0) != EOF && !lex_is_blank(lex_peekc(p, 0)))
        lex_advance(p);
    n = p->pos - start;
    if (!n)
        return lex_fail_at(p, LITMUS_ERR_PARSE, line, col, "expected the test's name, found %s",
                           lex_peekc(p, 0) == EOF ? "end of file" : "end of line");
    if (n >= sizeof(p->test->name))
        return lex_fail_at(p, LITMUS_ERR_LIMIT, line, col, "test name too long: the limit is %d",
                           (int)sizeof(p->test->name) - 1);
    memcpy(p->test->name, p->text + start, n);
    p->test->name[n] = '\0';
    return LITMUS_OK;
}

/* 1 if the line at p starts with `key =`; p does not move. */
static int key_value_line(const parser_t *p)
{
    size_t i = 0;

    while (lex_peekc(p, i) != EOF && lex_is_ident_char(lex_peekc(p, i)))
        i++;
    while (lex_peekc(p, i) == ' ' || lex_peekc(p, i) == '\t')
        i++;
    return lex_peekc(p, i) == '=';
}

/* Doc strings and key=value lines, up to the `{` of the init block. */
static int parse_preamble(parser_t *p)
{
    for (;;) {
        int status = lex_skip_space(p);
        int c = lex_peekc(p, 0), line = p->line, col = p->col;

        if (status)
            return status;
        if (c == '{') {
            lex_advance(p);
            return lex_next(p);
        }
        if (c == '"') {
            lex_advance(p);
            while (lex_peekc(p, 0) != EOF && lex_peekc(p, 0) != '"')
                lex_advance(p);
            if (lex_peekc(p, 0) == EOF)
                return lex_fail_at(p, LITMUS_ERR_PARSE, line, col,
                                   "expected '\"' closing this string, found end of file");
            lex_advance(p);
        } else if (c != EOF && lex_is_ident_start(c) && key_value_line(p)) {
            while (lex_peekc(p, 0) != EOF && lex_peekc(p, 0) != '\n')
                lex_advance(p);
        } else {
            if ((status = lex_next(p)))
                return status;
            return lex_expected(p, "a doc string, a key=value line or '{' starting the init block");
        }
    }
}

/* ---- 3: the init block ------------------------------------------------------------------ */

static int parse_init(parser_t *p)
{
    unsigned char seen[LITMUS_MAX_LOCS] = {0};
    int status;

    /* the '{' is consumed */
    while (!lex_tok_punct(p, '}')) {
        char name[LITMUS_MAX_NAME];
        int64_t value;
        int line = p->tok.line, col = p->tok.col, loc;

        if (p->tok.kind != TOK_IDENT)
            return lex_expected(p, "a location (x=0;) or '}'");
        if ((status = lex_take_name(p, name, "a location")))
            return status;
        if ((status = lex_expect_punct(p, '=', "'=' after the location")))
            return status;
        if ((status = lex_take_number(p, &value, "an integer value")))
            return status;
        if ((status = loc_get(p, name, line, col, &loc)))
            return status;
        if (seen[loc])
            return lex_fail_at(p, LITMUS_ERR_INVALID, line, col, "location %s initialised twice",
                               name);
        seen[loc] = 1;
        p->test->init[loc] = value;
        if (lex_tok_punct(p, ';')) {
            if ((status = lex_next(p)))
                return status;
        } else if (!lex_tok_punct(p, '}')) {
            return lex_expected(p, "';' or '}'");
        }
    }
    return lex_next(p);
}

/* ---- 4: the thread table ----------------------------------------------------------------- */

static int parse_thread_header(parser_t *p)
{
    litmus_test_t *test = p->test;
    int status;

    for (;;) {
        char want[16];
        snprintf(want, sizeof(want), "P%d", test->nthreads);
        if (!lex_tok_is(p, want)) {
            char what[48];
            snprintf(what, sizeof(what), test->nthreads ? "thread %s" : "thread P0 (P0 | P1 ;)",
                     want);
            return lex_expected(p, what);
        }
        if (test->nthreads == LITMUS_MAX_THREADS)
            return lex_fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                               "too many threads: the limit is %d", LITMUS_MAX_THREADS);
        test->nthreads++;
        if ((status = lex_next(p)))
            return status;
        if (lex_tok_punct(p, ';'))
            return lex_next(p);
        if ((status = lex_expect_punct(p, '|', "'|' or ';'")))
            return status;
    }
}

/* `[...]`: any words (and commas) inside the brackets; the first is kept. */
static int parse_annot(parser_t *p, litmus_instr_t *ins)
{
    int status;

    if ((status = lex_expect_punct(p, '[', "'[' (an annotation such as [] or [mb])")))
        return status;
    while (!lex_tok_punct(p, ']')) {
        if (p->tok.kind == TOK_IDENT && !ins->annot[0]) {
            if ((status = lex_take_name(p, ins->annot, "an annotation")))
                return status;
        } else if (p->tok.kind == TOK_IDENT || lex_tok_punct(p, ',')) {
            if ((status = lex_next(p)))
                return status;
        } else {
            return lex_expected(p, "']'");
        }
    }
    return lex_next(p);
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
    if (lex_tok_is(p, "w"))
        ins.op = LITMUS_OP_WRITE;
    else if (lex_tok_is(p, "r"))
        ins.op = LITMUS_OP_READ;
    else if (lex_tok_is(p, "f"))
        ins.op = LITMUS_OP_FENCE;
    else
        return lex_expected(p, "an instruction (w[] x 1, r[] r0 x or f[mb]), '|' or ';'");
    if (th->ninstrs == LITMUS_MAX_INSTRS)
        return lex_fail_at(p, LITMUS_ERR_LIMIT, ins.line, ins.col,
                           "too many instructions in thread P%d: the limit is %d", t,
                           LITMUS_MAX_INSTRS);
    if ((status = lex_next(p)) || (status = parse_annot(p, &ins)))
        return status;
    switch (ins.op) {
    case LITMUS_OP_WRITE:
        line = p->tok.line;
        col = p->tok.col;
        if ((status = lex_take_name(p, name, "a location")) ||
            (status = loc_get(p, name, line, col, &ins.loc)) ||
            (status = lex_take_number(p, &ins.value, "an integer value")))
            return status;
        break;
    case LITMUS_OP_READ:
        line = p->tok.line;
        col = p->tok.col;
        if ((status = lex_take_name(p, name, "a register")))
            return status;
        ins.reg = reg_find(th, name);
        if (ins.reg < 0) {
            if (th->nregs == LITMUS_MAX_REGS)
                return lex_fail_at(p, LITMUS_ERR_LIMIT, line, col,
                                   "too many registers in thread P%d: the limit is %d", t,
                                   LITMUS_MAX_REGS);
            ins.reg = th->nregs++;
            strcpy(th->regs[ins.reg], name);
        }
        line = p->tok.line;
        col = p->tok.col;
        if ((status = lex_take_name(p, name, "a location")) ||
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
        if (!lex_tok_punct(p, '|') && !lex_tok_punct(p, ';') && (status = parse_instr(p, t)))
            return status;
        if (last)
            return lex_expect_punct(p, ';', "';' ending the row");
        if ((status = lex_expect_punct(p, '|', "'|' before the next thread's cell")))
            return status;
    }
    return LITMUS_OK;
}

static int at_condition(const parser_t *p)
{
    return lex_tok_is(p, "exists") || lex_tok_is(p, "forall") || lex_tok_punct(p, '~') ||
           lex_tok_is(p, "locations") || p->tok.kind == TOK_EOF;
}

/* ---- 5, 6: locations and the condition ---------------------------------------------------- */

/* `T:reg` with the current token the thread number: the register's index. */
static int parse_reg_ref(parser_t *p, int *thread, int *reg)
{
    litmus_test_t *test = p->test;
    char name[LITMUS_MAX_NAME];
    int line = p->tok.line, col = p->tok.col, status;
    int64_t t;

    if ((status = lex_take_number(p, &t, "a thread number")))
        return status;
    if ((status = lex_expect_punct(p, ':', "':' between thread and register")))
        return status;
    if ((status = lex_take_name(p, name, "a register")))
        return status;
    if (t < 0 || t >= test->nthreads)
        return lex_fail_at(p, LITMUS_ERR_INVALID, line, col,
                           "thread %" PRId64 " out of range: the test has %d thread(s), P0..P%d", t,
                           test->nthreads, test->nthreads - 1);
    *reg = reg_find(&test->threads[t], name);
    if (*reg < 0)
        return lex_fail_at(p, LITMUS_ERR_INVALID, line, col,
                           "register %" PRId64 ":%s is never written by thread P%" PRId64, t, name,
                           t);
    *thread = (int)t;
    return LITMUS_OK;
}

static int parse_locations(parser_t *p)
{
    int status, thread, reg;

    /* `locations` is the current token */
    if ((status = lex_next(p)) || (status = lex_expect_punct(p, '[', "'[' after locations")))
        return status;
    while (!lex_tok_punct(p, ']')) {
        if (p->tok.kind == TOK_NUM) {
            if ((status = parse_reg_ref(p, &thread, &reg)))
                return status;
        } else if (p->tok.kind == TOK_IDENT) {
            char name[LITMUS_MAX_NAME];
            int line = p->tok.line, col = p->tok.col, loc;
            if ((status = lex_take_name(p, name, "a location")) ||
                (status = loc_get(p, name, line, col, &loc)))
                return status;
            p->test->observed[loc] = 1;
        } else {
            return lex_expected(p, "a location, a register T:reg or ']'");
        }
        if (lex_tok_punct(p, ';')) {
            if ((status = lex_next(p)))
                return status;
        } else if (!lex_tok_punct(p, ']')) {
            return lex_expected(p, "';' or ']'");
        }
    }
    return lex_next(p);
}

static int cond_new(parser_t *p, litmus_cond_kind_t kind, int *out)
{
    litmus_test_t *test = p->test;

    if (test->ncond == LITMUS_MAX_COND)
        return lex_fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
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
        return lex_fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                           "condition nested too deeply: the limit is 64");
    if (lex_tok_punct(p, '~')) {
        int child;
        if ((status = lex_next(p)) || (status = parse_unary(p, depth + 1, &child)) ||
            (status = cond_new(p, LITMUS_COND_NOT, &node)))
            return status;
        test->cond[node].left = child;
    } else if (lex_tok_punct(p, '(')) {
        if ((status = lex_next(p)) || (status = parse_or(p, depth + 1, &node)))
            return status;
        if ((status = lex_expect_punct(p, ')', "')' or an operator (/\\, \\/)")))
            return status;
    } else if (lex_tok_is(p, "true") || lex_tok_is(p, "false")) {
        if ((status = cond_new(p, lex_tok_is(p, "true") ? LITMUS_COND_TRUE : LITMUS_COND_FALSE,
                               &node)) ||
            (status = lex_next(p)))
            return status;
    } else if (p->tok.kind == TOK_NUM) {
        int thread, reg;
        if ((status = parse_reg_ref(p, &thread, &reg)) ||
            (status = lex_expect_punct(p, '=', "'=' after the register")) ||
            (status = cond_new(p, LITMUS_COND_REG, &node)))
            return status;
        test->cond[node].thread = thread;
        test->cond[node].reg = reg;
        if ((status = lex_take_number(p, &test->cond[node].value, "an integer value")))
            return status;
    } else if (p->tok.kind == TOK_IDENT) {
        char name[LITMUS_MAX_NAME];
        int line = p->tok.line, col = p->tok.col, loc;
        if ((status = lex_take_name(p, name, "a location")) ||
            (status = loc_get(p, name, line, col, &loc)) ||
            (status = lex_expect_punct(p, '=', "'=' after the location")) ||
            (status = cond_new(p, LITMUS_COND_LOC, &node)))
            return status;
        test->observed[loc] = 1;
        test->cond[node].loc = loc;
        if ((status = lex_take_number(p, &test->cond[node].value, "an integer value")))
            return status;
    } else {
        return lex_expected(p, "T:reg=value, location=value, '~' or '('");
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
        if ((status = lex_next(p)))
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

    if (lex_tok_is(p, "locations") && (status = parse_locations(p)))
        return status;
    if (lex_tok_is(p, "exists")) {
        test->quant = LITMUS_EXISTS;
    } else if (lex_tok_is(p, "forall")) {
        test->quant = LITMUS_FORALL;
    } else if (lex_tok_punct(p, '~')) {
        if ((status = lex_next(p)))
            return status;
        if (!lex_tok_is(p, "exists"))
            return lex_expected(p, "'exists' after '~'");
        test->quant = LITMUS_NOT_EXISTS;
    } else {
        return lex_expected(p, "a condition (exists, ~exists or forall)");
    }
    if ((status = lex_next(p)) || (status = parse_or(p, 0, &test->cond_root)))
        return status;
    if (p->tok.kind != TOK_EOF)
        return lex_expected(p, "end of file after the condition");
    return LITMUS_OK;
}

/* ---- the whole test ------------------------------------------------------------------------- */

static int parse_test(parser_t *p)
{
    int status;

    if ((status = lex_next(p)) || (status = parse_title(p)) || (status = parse_preamble(p)) ||
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
            lex_advance(&p);
        return lex_fail_at(&p, LITMUS_ERR_PARSE, p.line, p.col,
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
