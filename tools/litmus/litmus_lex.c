/*
 * litmus_lex.c - the LISA parser's characters, tokens and error messages
 * (litmus_lex.h): comments (* ... *) nested, numbers checked for overflow,
 * every error as file:line:col: expected ..., found ....
 */
#include "litmus_lex.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------------ */

int lex_fail_at(parser_t *p, int status, int line, int col, const char *fmt, ...)
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

int lex_expected(parser_t *p, const char *what)
{
    char buf[SHOW_MAX * 4 + 8];

    return lex_fail_at(p, LITMUS_ERR_PARSE, p->tok.line, p->tok.col, "expected %s, found %s", what,
                       found(p, buf, sizeof(buf)));
}

/* ---- characters and tokens ------------------------------------------------------ */

int lex_peekc(const parser_t *p, size_t ahead)
{
    return p->pos + ahead < p->len ? (unsigned char)p->text[p->pos + ahead] : EOF;
}

void lex_advance(parser_t *p)
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

int lex_is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

int lex_is_ident_char(int c)
{
    return lex_is_ident_start(c) || (c >= '0' && c <= '9');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

int lex_is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Skips blanks and (nested) comments. */
int lex_skip_space(parser_t *p)
{
    for (;;) {
        int c = lex_peekc(p, 0);
        if (c != EOF && lex_is_blank(c)) {
            lex_advance(p);
        } else if (c == '(' && lex_peekc(p, 1) == '*') {
            int line = p->line, col = p->col, depth = 0;
            do {
                if (lex_peekc(p, 0) == EOF)
                    return lex_fail_at(p, LITMUS_ERR_PARSE, line, col,
                                       "expected '*)' closing this comment, found end of file");
                if (lex_peekc(p, 0) == '(' && lex_peekc(p, 1) == '*') {
                    depth++;
                    lex_advance(p);
                } else if (lex_peekc(p, 0) == '*' && lex_peekc(p, 1) == ')') {
                    depth--;
                    lex_advance(p);
                }
                lex_advance(p);
            } while (depth > 0);
        } else {
            return LITMUS_OK;
        }
    }
}

/* Reads the next token into p->tok. */
int lex_next(parser_t *p)
{
    token_t *t = &p->tok;
    int status = lex_skip_space(p);
    int c;

    if (status)
        return status;
    memset(t, 0, sizeof(*t));
    t->start = p->text + p->pos;
    t->line = p->line;
    t->col = p->col;
    c = lex_peekc(p, 0);
    if (c == EOF) {
        t->kind = TOK_EOF;
        return LITMUS_OK;
    }
    if (lex_is_ident_start(c)) {
        t->kind = TOK_IDENT;
        while (lex_peekc(p, 0) != EOF && lex_is_ident_char(lex_peekc(p, 0)))
            lex_advance(p);
    } else if (is_digit(c) || (c == '-' && is_digit(lex_peekc(p, 1)))) {
        int neg = c == '-';
        uint64_t v = 0;
        t->kind = TOK_NUM;
        if (neg)
            lex_advance(p);
        while (lex_peekc(p, 0) != EOF && is_digit(lex_peekc(p, 0))) {
            unsigned d = (unsigned)(lex_peekc(p, 0) - '0');
            if (v > ((uint64_t)INT64_MAX - d) / 10)
                t->num_overflow = 1;
            else
                v = v * 10 + d;
            lex_advance(p);
        }
        t->num = neg ? -(int64_t)v : (int64_t)v;
    } else if (c == '/' && lex_peekc(p, 1) == '\\') {
        t->kind = TOK_AND;
        lex_advance(p);
        lex_advance(p);
    } else if (c == '\\' && lex_peekc(p, 1) == '/') {
        t->kind = TOK_OR;
        lex_advance(p);
        lex_advance(p);
    } else if (strchr("{};|[]()=:,~", c)) {
        t->kind = TOK_PUNCT;
        lex_advance(p);
    } else {
        t->kind = TOK_BAD;
        lex_advance(p);
    }
    t->len = (size_t)(p->text + p->pos - t->start);
    return LITMUS_OK;
}

int lex_tok_is(const parser_t *p, const char *text)
{
    size_t n = strlen(text);
    return p->tok.kind != TOK_EOF && p->tok.len == n && !memcmp(p->tok.start, text, n);
}

int lex_tok_punct(const parser_t *p, char c)
{
    return p->tok.kind == TOK_PUNCT && p->tok.start[0] == c;
}

/* Consumes the punctuation c or fails with "expected what". */
int lex_expect_punct(parser_t *p, char c, const char *what)
{
    if (!lex_tok_punct(p, c))
        return lex_expected(p, what);
    return lex_next(p);
}

/* Copies the current identifier into out (LITMUS_MAX_NAME bytes). */
int lex_take_name(parser_t *p, char *out, const char *what)
{
    if (p->tok.kind != TOK_IDENT)
        return lex_expected(p, what);
    if (p->tok.len >= LITMUS_MAX_NAME)
        return lex_fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                           "name too long: the limit is %d characters", LITMUS_MAX_NAME - 1);
    memcpy(out, p->tok.start, p->tok.len);
    out[p->tok.len] = '\0';
    return lex_next(p);
}

int lex_take_number(parser_t *p, int64_t *out, const char *what)
{
    if (p->tok.kind != TOK_NUM)
        return lex_expected(p, what);
    if (p->tok.num_overflow)
        return lex_fail_at(p, LITMUS_ERR_LIMIT, p->tok.line, p->tok.col,
                           "number too large: values must fit in 64 bits");
    *out = p->tok.num;
    return lex_next(p);
}
