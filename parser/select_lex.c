/* select_lex.c: the selector compiler's lexical layer: peeking, white
 * space, names, CSS escapes (\31 23, \:, \") and quoted strings, decoded
 * to plain UTF-8 so the matcher compares them with gumbo's decoded
 * attribute values.  The grammar is in select_parse.c. */
#include "common/compat.h"

#include "common/buf.h"
#include "common/util.h"
#include "parser/select_int.h"

/* Record the first error: message and offset.  Returns -1. */
int lex_fail(struct sel_parser *p, size_t pos, const char *fmt, ...)
{
    va_list ap;

    if (p->failed)
        return -1;
    p->failed = true;
    p->errpos = pos;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int lex_peek_at(const struct sel_parser *p, size_t off)
{
    return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

int lex_peek(const struct sel_parser *p)
{
    return lex_peek_at(p, 0);
}

bool lex_is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

static int hex_val(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

/* Skip whitespace; true if there was some. */
bool lex_skip_ws(struct sel_parser *p)
{
    size_t start = p->pos;

    while (lex_is_ws(lex_peek(p)))
        p->pos++;
    return p->pos != start;
}

static bool is_name_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

bool lex_is_name_char(int c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* A valid escape: a backslash not followed by a newline. */
bool lex_is_escape_at(const struct sel_parser *p, size_t off)
{
    int c = lex_peek_at(p, off + 1);

    return lex_peek_at(p, off) == '\\' && c != '\n' && c != '\r' && c != '\f';
}

/* Append code point cp as UTF-8. */
static void put_utf8(struct buf *b, uint32_t cp)
{
    char u[4];

    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        cp = 0xfffd;
    if (cp < 0x80) {
        u[0] = (char)cp;
        buf_add(b, u, 1);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        buf_add(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        buf_add(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        buf_add(b, u, 4);
    }
}

/* Decode the escape at p->pos (a backslash) into b. */
void lex_escape(struct sel_parser *p, struct buf *b)
{
    int c;

    p->pos++;
    c = lex_peek(p);
    if (c < 0) {
        put_utf8(b, 0xfffd);
        return;
    }
    if (is_hex(c)) {
        uint32_t cp = 0;
        int i;

        for (i = 0; i < 6 && is_hex(lex_peek(p)); i++, p->pos++)
            cp = cp * 16 + (uint32_t)hex_val(lex_peek(p));
        if (lex_peek(p) == '\r' && lex_peek_at(p, 1) == '\n')
            p->pos += 2;
        else if (lex_is_ws(lex_peek(p)))
            p->pos++;
        put_utf8(b, cp);
        return;
    }
    buf_addch(b, (char)c);
    p->pos++;
}

/* True when an identifier starts at p->pos. */
bool lex_ident_starts(const struct sel_parser *p)
{
    int c = lex_peek(p);

    if (c == '-') {
        int d = lex_peek_at(p, 1);
        return is_name_start(d) || d == '-' || lex_is_escape_at(p, 1);
    }
    return is_name_start(c) || lex_is_escape_at(p, 0);
}

/* Read name characters and escapes into b (cleared first).  Returns the
 * number of source bytes read. */
size_t lex_name(struct sel_parser *p, struct buf *b)
{
    size_t start = p->pos;

    buf_reset(b);
    for (;;) {
        int c = lex_peek(p);
        if (lex_is_name_char(c)) {
            buf_addch(b, (char)c);
            p->pos++;
        } else if (lex_is_escape_at(p, 0)) {
            lex_escape(p, b);
        } else {
            break;
        }
    }
    return p->pos - start;
}

/* Read an identifier into b; -1 (reported) if there is none. */
int lex_ident(struct sel_parser *p, struct buf *b, const char *what)
{
    if (!lex_ident_starts(p)) {
        if (lex_peek(p) < 0)
            return lex_fail(p, p->pos, "expected %s, found end", what);
        return lex_fail(p, p->pos, "expected %s", what);
    }
    lex_name(p, b);
    return 0;
}

/* Read a quoted string at p->pos into b; -1 if it does not end. */
int lex_string(struct sel_parser *p, struct buf *b)
{
    size_t open = p->pos;
    int q = lex_peek(p);

    buf_reset(b);
    p->pos++;
    for (;;) {
        int c = lex_peek(p);
        if (c < 0 || c == '\n' || c == '\r' || c == '\f')
            return lex_fail(p, open, "unterminated quote");
        if (c == q) {
            p->pos++;
            return 0;
        }
        if (c == '\\') {
            int d = lex_peek_at(p, 1);
            if (d == '\n' || d == '\f') {
                p->pos += 2;
            } else if (d == '\r') {
                p->pos += lex_peek_at(p, 2) == '\n' ? 3 : 2;
            } else if (d < 0) {
                p->pos++;
            } else {
                lex_escape(p, b);
            }
            continue;
        }
        buf_addch(b, (char)c);
        p->pos++;
    }
}

void lex_lower(char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] + 32);
}

/* A copy of b's bytes, NUL-terminated; caller frees. */
char *lex_copy(const struct buf *b)
{
    return xstrndup(b->data ? b->data : "", b->len);
}
