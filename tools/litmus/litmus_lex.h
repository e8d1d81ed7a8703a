/*
 * litmus_lex.h - the LISA parser's tokens and errors (litmus_lex.c), shared
 * by the parser (litmus_parse.c) only.
 */
#ifndef ORDO_TOOLS_LITMUS_LEX_H
#define ORDO_TOOLS_LITMUS_LEX_H

#include "litmus.h"

#include <stddef.h>
#include <stdint.h>

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

/* Moves past the current character (counting lines and columns). */
void lex_advance(parser_t *p);

/* Consumes the punctuation c or fails with "expected what". */
int lex_expect_punct(parser_t *p, char c, const char *what);

/* Fails with "expected what, found <the current token>" (LITMUS_ERR_PARSE). */
int lex_expected(parser_t *p, const char *what);

/* Writes file:line:col: and the message into p->err; returns status. */
int lex_fail_at(parser_t *p, int status, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Character classes of LISA. */
int lex_is_blank(int c);
int lex_is_ident_char(int c);
int lex_is_ident_start(int c);

/* Reads the next token into p->tok. */
int lex_next(parser_t *p);

/* The character ahead characters on (-1 past the end). */
int lex_peekc(const parser_t *p, size_t ahead);

/* Skips blanks and (nested) comments. */
int lex_skip_space(parser_t *p);

/* Copies the current identifier into out (LITMUS_MAX_NAME bytes). */
int lex_take_name(parser_t *p, char *out, const char *what);

/* Takes the current number (checked for overflow) into out. */
int lex_take_number(parser_t *p, int64_t *out, const char *what);

/* Is the current token the identifier text, the punctuation c? */
int lex_tok_is(const parser_t *p, const char *text);
int lex_tok_punct(const parser_t *p, char c);

#endif
