/* select_parse.c: the selector compiler: CSS text -> struct select.
 *
 * A hand-written recursive descent over the bytes.  Recursion only
 * follows :not() and :has() nesting, which is capped (SELECT_MAX_NEST).
 * Identifiers and strings carry CSS escapes (\31 23, \:, \"); they are
 * decoded here, so the matcher compares plain UTF-8 with gumbo's decoded
 * attribute values. */
#include "common/compat.h"

#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "parser/select_int.h"

/* Parser state. */
struct sp {
    const char *s;          /* the selector text */
    size_t len;             /* bytes in s */
    size_t pos;             /* current offset */
    char *err;              /* message out */
    size_t errlen;          /* bytes in err */
    size_t errpos;          /* offset of the first error */
    bool failed;            /* an error was reported */
    int depth;              /* :not()/:has() nesting */
    bool in_has;            /* inside a :has() argument */
    struct select *sel;     /* what is being built */
};

#define SP_MAX_NUM 1000000000L  /* largest a or b of an+b */

static int sp_fail(struct sp *p, size_t pos, const char *fmt, ...)
    ZS_PRINTF(3, 4);

/* Record the first error: message and offset.  Returns -1. */
static int sp_fail(struct sp *p, size_t pos, const char *fmt, ...)
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

static int peek_at(const struct sp *p, size_t off)
{
    return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

static int peek(const struct sp *p)
{
    return peek_at(p, 0);
}

static bool is_ws(int c)
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
static bool skip_ws(struct sp *p)
{
    size_t start = p->pos;

    while (is_ws(peek(p)))
        p->pos++;
    return p->pos != start;
}

static bool is_name_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

static bool is_name_char(int c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* A valid escape: a backslash not followed by a newline. */
static bool is_escape_at(const struct sp *p, size_t off)
{
    int c = peek_at(p, off + 1);

    return peek_at(p, off) == '\\' && c != '\n' && c != '\r' && c != '\f';
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
static void read_escape(struct sp *p, struct buf *b)
{
    int c;

    p->pos++;
    c = peek(p);
    if (c < 0) {
        put_utf8(b, 0xfffd);
        return;
    }
    if (is_hex(c)) {
        uint32_t cp = 0;
        int i;

        for (i = 0; i < 6 && is_hex(peek(p)); i++, p->pos++)
            cp = cp * 16 + (uint32_t)hex_val(peek(p));
        if (peek(p) == '\r' && peek_at(p, 1) == '\n')
            p->pos += 2;
        else if (is_ws(peek(p)))
            p->pos++;
        put_utf8(b, cp);
        return;
    }
    buf_addch(b, (char)c);
    p->pos++;
}

/* True when an identifier starts at p->pos. */
static bool ident_starts(const struct sp *p)
{
    int c = peek(p);

    if (c == '-') {
        int d = peek_at(p, 1);
        return is_name_start(d) || d == '-' || is_escape_at(p, 1);
    }
    return is_name_start(c) || is_escape_at(p, 0);
}

/* Read name characters and escapes into b (cleared first).  Returns the
 * number of source bytes read. */
static size_t read_name(struct sp *p, struct buf *b)
{
    size_t start = p->pos;

    buf_reset(b);
    for (;;) {
        int c = peek(p);
        if (is_name_char(c)) {
            buf_addch(b, (char)c);
            p->pos++;
        } else if (is_escape_at(p, 0)) {
            read_escape(p, b);
        } else {
            break;
        }
    }
    return p->pos - start;
}

/* Read an identifier into b; -1 (reported) if there is none. */
static int read_ident(struct sp *p, struct buf *b, const char *what)
{
    if (!ident_starts(p)) {
        if (peek(p) < 0)
            return sp_fail(p, p->pos, "expected %s, found end", what);
        return sp_fail(p, p->pos, "expected %s", what);
    }
    read_name(p, b);
    return 0;
}

/* Read a quoted string at p->pos into b; -1 if it does not end. */
static int read_string(struct sp *p, struct buf *b)
{
    size_t open = p->pos;
    int q = peek(p);

    buf_reset(b);
    p->pos++;
    for (;;) {
        int c = peek(p);
        if (c < 0 || c == '\n' || c == '\r' || c == '\f')
            return sp_fail(p, open, "unterminated quote");
        if (c == q) {
            p->pos++;
            return 0;
        }
        if (c == '\\') {
            int d = peek_at(p, 1);
            if (d == '\n' || d == '\f') {
                p->pos += 2;
            } else if (d == '\r') {
                p->pos += peek_at(p, 2) == '\n' ? 3 : 2;
            } else if (d < 0) {
                p->pos++;
            } else {
                read_escape(p, b);
            }
            continue;
        }
        buf_addch(b, (char)c);
        p->pos++;
    }
}

static void lower_ascii(char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] + 32);
}

/* A copy of b's bytes, NUL-terminated; caller frees. */
static char *buf_copy(const struct buf *b)
{
    return xstrndup(b->data ? b->data : "", b->len);
}

/* ------------------------------------------------------------ freeing */

static void compound_release(struct sel_compound *c);

static void cond_release(struct sel_cond *c)
{
    int i;

    free(c->name);
    free(c->value);
    for (i = 0; i < c->nlist; i++)
        compound_release(&c->list[i]);
    free(c->list);
}

static void compound_release(struct sel_compound *c)
{
    int i;

    for (i = 0; i < c->nconds; i++)
        cond_release(&c->conds[i]);
    free(c->conds);
    free(c->tname);
}

static void chain_release(struct sel_chain *ch)
{
    int i;

    for (i = 0; i < ch->n; i++)
        compound_release(&ch->c[i]);
    free(ch->c);
    free(ch->attr);
}

void select_free(struct select *sel)
{
    int i, j;

    if (!sel)
        return;
    for (i = 0; i < sel->nchains; i++)
        chain_release(&sel->chains[i]);
    free(sel->chains);
    for (i = 0; i < sel->nhas; i++) {
        for (j = 0; j < sel->has[i].nrel; j++)
            chain_release(&sel->has[i].rel[j]);
        free(sel->has[i].rel);
    }
    free(sel->has);
    for (i = 0; i < sel->ncontains; i++)
        free(sel->needles[i]);
    free(sel->needles);
    free(sel->nlens);
    free(sel);
}

enum select_kind select_kind(const struct select *sel)
{
    return sel->kind;
}

/* ------------------------------------------------------- conditions */

/* A new zeroed condition appended to c. */
static struct sel_cond *cond_add(struct sel_compound *c,
                                 enum sel_cond_kind kind)
{
    struct sel_cond *d;

    c->conds = xrealloc(c->conds, (size_t)(c->nconds + 1) * sizeof(*d));
    d = &c->conds[c->nconds++];
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    return d;
}

/* Parse an+b (odd, even, 3, -n+2, 2n + 1, ...) up to, not including,
 * the closing parenthesis. */
static int parse_anb(struct sp *p, long *a, long *b)
{
    long sign = 1, v = 0;
    bool digits = false;
    size_t start;

    skip_ws(p);
    start = p->pos;
    if (ident_starts(p) && peek(p) != '-' && peek(p) != 'n' &&
        peek(p) != 'N') {
        struct buf w;
        int rc = 0;

        buf_init(&w, SELECT_MAX_LEN);
        read_name(p, &w);
        if (w.len == 3 && !strncasecmp(w.data, "odd", 3)) {
            *a = 2;
            *b = 1;
        } else if (w.len == 4 && !strncasecmp(w.data, "even", 4)) {
            *a = 2;
            *b = 0;
        } else {
            rc = sp_fail(p, start, "expected an+b, odd or even");
        }
        buf_release(&w);
        return rc;
    }
    if (peek(p) == '+' || peek(p) == '-') {
        sign = peek(p) == '-' ? -1 : 1;
        p->pos++;
    }
    while (peek(p) >= '0' && peek(p) <= '9') {
        v = v * 10 + (peek(p) - '0');
        if (v > SP_MAX_NUM)
            return sp_fail(p, start, "number too large in an+b");
        digits = true;
        p->pos++;
    }
    if (peek(p) != 'n' && peek(p) != 'N') {
        if (!digits)
            return sp_fail(p, start, "expected an+b, odd or even");
        *a = 0;
        *b = sign * v;
        return 0;
    }
    p->pos++;
    *a = sign * (digits ? v : 1);
    *b = 0;
    if (is_name_char(peek(p)) && peek(p) != '-')
        return sp_fail(p, p->pos, "unexpected character in an+b");
    skip_ws(p);
    if (peek(p) == '+' || peek(p) == '-') {
        sign = peek(p) == '-' ? -1 : 1;
        p->pos++;
        skip_ws(p);
        v = 0;
        digits = false;
        while (peek(p) >= '0' && peek(p) <= '9') {
            v = v * 10 + (peek(p) - '0');
            if (v > SP_MAX_NUM)
                return sp_fail(p, start, "number too large in an+b");
            digits = true;
            p->pos++;
        }
        if (!digits)
            return sp_fail(p, p->pos, "expected a number in an+b");
        *b = sign * v;
    }
    return 0;
}

/* Expect ')' after optional whitespace. */
static int close_paren(struct sp *p, const char *what)
{
    skip_ws(p);
    if (peek(p) != ')') {
        if (peek(p) < 0)
            return sp_fail(p, p->pos, "missing ')' after %s", what);
        return sp_fail(p, p->pos, "expected ')' after %s", what);
    }
    p->pos++;
    return 0;
}

static int parse_compound(struct sp *p, struct sel_compound *c,
                          bool allow_pe, struct sel_chain *ch, bool *any);
static int parse_list(struct sp *p, struct sel_chain **out, int *nout,
                      bool relative, int *bits);

/* :not(compound, ...) after the parenthesis. */
static int parse_not(struct sp *p, struct sel_cond *d)
{
    for (;;) {
        struct sel_compound *c;
        size_t start;
        bool any = false;

        skip_ws(p);
        start = p->pos;
        d->list = xrealloc(d->list, (size_t)(d->nlist + 1) * sizeof(*c));
        c = &d->list[d->nlist++];
        memset(c, 0, sizeof(*c));
        c->tag = GUMBO_TAG_LAST;
        if (parse_compound(p, c, false, NULL, &any) < 0)
            return -1;
        if (!any)
            return sp_fail(p, start, "expected a selector in ':not()'");
        skip_ws(p);
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p) == ')') {
            p->pos++;
            return 0;
        }
        if (peek(p) < 0)
            return sp_fail(p, p->pos, "missing ')' after ':not('");
        return sp_fail(p, p->pos,
                       "':not()' takes compound selectors, no combinators");
    }
}

/* :has(relative selectors) after the parenthesis. */
static int parse_has(struct sp *p, struct sel_cond *d, size_t at)
{
    struct select *sel = p->sel;
    struct sel_has h = { NULL, 0, 0 };
    int rc;

    if (p->in_has)
        return sp_fail(p, at, "':has()' cannot be nested");
    p->in_has = true;
    rc = parse_list(p, &h.rel, &h.nrel, true, &h.nbits);
    p->in_has = false;
    /* kept even on error, so select_free() releases it */
    sel->has = xrealloc(sel->has, (size_t)(sel->nhas + 1) * sizeof(h));
    sel->has[sel->nhas] = h;
    d->slot = sel->nhas++;
    if (rc < 0)
        return -1;
    if (peek(p) != ')')
        return sp_fail(p, p->pos, "expected ')' after ':has('");
    p->pos++;
    return 0;
}

/* :contains("text") after the parenthesis. */
static int parse_contains(struct sp *p, struct sel_cond *d)
{
    struct select *sel = p->sel;
    struct buf w;
    int rc;

    buf_init(&w, SELECT_MAX_LEN);
    skip_ws(p);
    if (peek(p) == '"' || peek(p) == '\'')
        rc = read_string(p, &w);
    else
        rc = read_ident(p, &w, "a string in ':contains()'");
    if (rc == 0)
        rc = close_paren(p, "':contains('");
    if (rc == 0) {
        size_t n = (size_t)sel->ncontains + 1;
        sel->needles = xrealloc(sel->needles, n * sizeof(char *));
        sel->nlens = xrealloc(sel->nlens, n * sizeof(size_t));
        sel->nlens[sel->ncontains] = w.len;
        sel->needles[sel->ncontains] = buf_copy(&w);
        d->slot = sel->ncontains++;
    }
    buf_release(&w);
    return rc;
}

struct pseudo_def {
    const char *name;       /* lower case */
    bool func;              /* takes an argument */
    enum sel_cond_kind kind;
    int op;                 /* nth kind */
    long a, b;              /* fixed an+b for the shorthands */
    bool only;              /* :only-*() */
};

static const struct pseudo_def pseudos[] = {
    { "first-child", false, COND_NTH, NTH_CHILD, 0, 1, false },
    { "last-child", false, COND_NTH, NTH_LAST_CHILD, 0, 1, false },
    { "only-child", false, COND_NTH, NTH_CHILD, 0, 1, true },
    { "first-of-type", false, COND_NTH, NTH_OF_TYPE, 0, 1, false },
    { "last-of-type", false, COND_NTH, NTH_LAST_OF_TYPE, 0, 1, false },
    { "only-of-type", false, COND_NTH, NTH_OF_TYPE, 0, 1, true },
    { "nth-child", true, COND_NTH, NTH_CHILD, 0, 0, false },
    { "nth-last-child", true, COND_NTH, NTH_LAST_CHILD, 0, 0, false },
    { "nth-of-type", true, COND_NTH, NTH_OF_TYPE, 0, 0, false },
    { "nth-last-of-type", true, COND_NTH, NTH_LAST_OF_TYPE, 0, 0, false },
    { "empty", false, COND_EMPTY, 0, 0, 0, false },
    { "root", false, COND_ROOT, 0, 0, 0, false },
    { "not", true, COND_NOT, 0, 0, 0, false },
    { "contains", true, COND_CONTAINS, 0, 0, 0, false },
    { "has", true, COND_HAS, 0, 0, 0, false },
};

/* A pseudo-class at p->pos (the colon). */
static int parse_pseudo_class(struct sp *p, struct sel_compound *c)
{
    size_t at = p->pos, i;
    const struct pseudo_def *def = NULL;
    struct sel_cond *d;
    struct buf w;
    bool func;
    int rc = 0;

    p->pos++;
    buf_init(&w, SELECT_MAX_LEN);
    if (!ident_starts(p)) {
        buf_release(&w);
        return sp_fail(p, at, "expected a pseudo-class name after ':'");
    }
    read_name(p, &w);
    lower_ascii(w.data, w.len);
    func = peek(p) == '(';
    for (i = 0; i < ARRAY_SIZE(pseudos); i++)
        if (strlen(pseudos[i].name) == w.len &&
            !memcmp(pseudos[i].name, w.data, w.len))
            def = &pseudos[i];
    if (!def) {
        rc = sp_fail(p, at, "unknown pseudo-class ':%s%s'", w.data,
                     func ? "()" : "");
        goto out;
    }
    if (def->func && !func) {
        rc = sp_fail(p, at, "':%s' needs an argument: ':%s(...)'",
                     def->name, def->name);
        goto out;
    }
    if (!def->func && func) {
        rc = sp_fail(p, at, "':%s' takes no argument", def->name);
        goto out;
    }
    d = cond_add(c, def->kind);
    d->op = def->op;
    d->a = def->a;
    d->b = def->b;
    d->only = def->only;
    if (d->kind == COND_NTH && (d->op == NTH_OF_TYPE ||
                                d->op == NTH_LAST_OF_TYPE))
        p->sel->of_type = true;
    if (!func)
        goto out;
    p->pos++;
    if (d->kind == COND_NOT || d->kind == COND_HAS) {
        if (p->depth >= SELECT_MAX_NEST) {
            rc = sp_fail(p, at, "selector nests too deeply");
            goto out;
        }
        p->depth++;
        rc = d->kind == COND_NOT ? parse_not(p, d) : parse_has(p, d, at);
        p->depth--;
    } else if (d->kind == COND_CONTAINS) {
        rc = parse_contains(p, d);
    } else {
        rc = parse_anb(p, &d->a, &d->b);
        if (rc == 0)
            rc = close_paren(p, "an+b");
    }
out:
    buf_release(&w);
    return rc;
}

/* A pseudo-element at p->pos (the first colon of '::'). */
static int parse_pseudo_element(struct sp *p, struct sel_chain *ch)
{
    size_t at = p->pos;
    struct buf w;
    int rc = 0;

    p->pos += 2;
    if (!ch)
        return sp_fail(p, at, "pseudo-elements cannot appear inside "
                       "':not()' or ':has()'");
    buf_init(&w, SELECT_MAX_LEN);
    if (!ident_starts(p)) {
        buf_release(&w);
        return sp_fail(p, at, "expected a pseudo-element name after '::'");
    }
    read_name(p, &w);
    lower_ascii(w.data, w.len);
    if (!strcmp(w.data, "text") && peek(p) != '(') {
        ch->kind = SELECT_TEXT;
    } else if (!strcmp(w.data, "attr") && peek(p) == '(') {
        p->pos++;
        skip_ws(p);
        if (peek(p) == '"' || peek(p) == '\'')
            rc = read_string(p, &w);
        else
            rc = read_ident(p, &w, "an attribute name in '::attr()'");
        if (rc == 0 && w.len == 0)
            rc = sp_fail(p, at, "empty attribute name in '::attr()'");
        if (rc == 0)
            rc = close_paren(p, "'::attr('");
        if (rc == 0) {
            lower_ascii(w.data, w.len);
            ch->kind = SELECT_ATTR;
            ch->attr = buf_copy(&w);
        }
    } else {
        rc = sp_fail(p, at, "unknown pseudo-element '::%s%s' (known: "
                     "::text, ::attr(name))", w.data,
                     peek(p) == '(' ? "()" : "");
    }
    buf_release(&w);
    return rc;
}

/* An attribute selector at p->pos (the '['). */
static int parse_attr(struct sp *p, struct sel_compound *c)
{
    size_t open = p->pos;
    struct sel_cond *d = cond_add(c, COND_ATTR);
    struct buf w;
    int rc = -1, ch;

    buf_init(&w, SELECT_MAX_LEN);
    p->pos++;
    skip_ws(p);
    if (read_ident(p, &w, "an attribute name after '['") < 0)
        goto out;
    if (peek(p) == '|' && peek_at(p, 1) != '=') {
        sp_fail(p, p->pos, "namespaces are not supported");
        goto out;
    }
    lower_ascii(w.data, w.len);
    d->name = buf_copy(&w);
    skip_ws(p);
    ch = peek(p);
    if (ch == ']') {
        p->pos++;
        d->op = ATTR_EXISTS;
        rc = 0;
        goto out;
    }
    if (ch == '=') {
        d->op = ATTR_EQ;
        p->pos++;
    } else if (ch >= 0 && strchr("~|^$*", ch) && peek_at(p, 1) == '=') {
        d->op = ch == '~' ? ATTR_INCLUDES : ch == '|' ? ATTR_DASH :
                ch == '^' ? ATTR_PREFIX : ch == '$' ? ATTR_SUFFIX :
                ATTR_SUBSTR;
        p->pos += 2;
    } else if (ch < 0) {
        sp_fail(p, open, "unterminated '['");
        goto out;
    } else {
        sp_fail(p, p->pos, "expected an attribute operator or ']'");
        goto out;
    }
    skip_ws(p);
    ch = peek(p);
    if (ch == '"' || ch == '\'') {
        if (read_string(p, &w) < 0)
            goto out;
    } else if (ch < 0 || ch == ']') {
        sp_fail(p, p->pos, "expected a value after the operator");
        goto out;
    } else {
        /* a bare value: an identifier, or leniently any run of bytes up
         * to whitespace or ']' ([width=100], [href=/about]) */
        buf_reset(&w);
        while ((ch = peek(p)) >= 0 && !is_ws(ch) && ch != ']') {
            if (ch == '"' || ch == '\'') {
                sp_fail(p, p->pos, "unexpected quote in a bare value");
                goto out;
            }
            if (ch == '\\' && is_escape_at(p, 0)) {
                read_escape(p, &w);
            } else {
                buf_addch(&w, (char)ch);
                p->pos++;
            }
        }
    }
    d->value = buf_copy(&w);
    d->vlen = w.len;
    skip_ws(p);
    ch = peek(p);
    if ((ch == 'i' || ch == 'I' || ch == 's' || ch == 'S') &&
        !is_name_char(peek_at(p, 1)) && !is_escape_at(p, 1)) {
        d->icase = ch == 'i' || ch == 'I';
        p->pos++;
        skip_ws(p);
    }
    if (peek(p) < 0) {
        sp_fail(p, open, "unterminated '['");
        goto out;
    }
    if (peek(p) != ']') {
        sp_fail(p, p->pos, "expected ']'");
        goto out;
    }
    p->pos++;
    rc = 0;
out:
    buf_release(&w);
    return rc;
}

/* A compound selector: [type|*] then #id .class [attr] :pseudo, and, when
 * allow_pe, a pseudo-element stored in ch.  *any is set when something
 * was read. */
static int parse_compound(struct sp *p, struct sel_compound *c,
                          bool allow_pe, struct sel_chain *ch, bool *any)
{
    struct buf w;
    int rc = 0;

    buf_init(&w, SELECT_MAX_LEN);
    *any = false;
    if (peek(p) == '*') {
        p->pos++;
        *any = true;
    } else if (ident_starts(p)) {
        read_name(p, &w);
        lower_ascii(w.data, w.len);
        c->tag = gumbo_tagn_enum(w.data, (unsigned)w.len);
        if (c->tag == GUMBO_TAG_UNKNOWN) {
            c->tname = buf_copy(&w);
            c->tlen = w.len;
        }
        *any = true;
    }
    if (*any && peek(p) == '|') {
        rc = sp_fail(p, p->pos, "namespaces are not supported");
        goto out;
    }
    for (;;) {
        int k = peek(p);
        size_t at = p->pos;
        struct sel_cond *d;

        if (k == '#' || k == '.') {
            p->pos++;
            if (k == '#' ? !(is_name_char(peek(p)) || is_escape_at(p, 0))
                         : !ident_starts(p)) {
                rc = sp_fail(p, at, "expected a name after '%c'", k);
                goto out;
            }
            read_name(p, &w);
            d = cond_add(c, k == '#' ? COND_ID : COND_CLASS);
            d->value = buf_copy(&w);
            d->vlen = w.len;
        } else if (k == '[') {
            if ((rc = parse_attr(p, c)) < 0)
                goto out;
        } else if (k == ':' && peek_at(p, 1) == ':') {
            if (!allow_pe) {
                rc = sp_fail(p, at, "pseudo-elements cannot appear inside "
                             "':not()' or ':has()'");
                goto out;
            }
            if ((rc = parse_pseudo_element(p, ch)) < 0)
                goto out;
            *any = true;
            break;
        } else if (k == ':') {
            if ((rc = parse_pseudo_class(p, c)) < 0)
                goto out;
        } else {
            break;
        }
        *any = true;
    }
out:
    buf_release(&w);
    return rc;
}

/* Nothing but a list separator or the end may follow a chain. */
static bool at_chain_end(const struct sp *p, bool inner)
{
    int c = peek(p);

    return c < 0 || c == ',' || (inner && c == ')');
}

/* A complex selector into ch; relative: may start with a combinator (the
 * argument of :has()), bits: the running bit count of its list. */
static int parse_chain(struct sp *p, struct sel_chain *ch, bool relative,
                       int *bits)
{
    enum sel_comb comb = COMB_NONE;
    bool inner = p->depth > 0;
    int c;

    ch->kind = SELECT_ELEMENT;
    skip_ws(p);
    c = peek(p);
    if (c == '>' || c == '+' || c == '~') {
        if (!relative)
            return sp_fail(p, p->pos, "selector cannot start with '%c'",
                           c);
        comb = c == '>' ? COMB_CHILD : c == '+' ? COMB_ADJ : COMB_SIB;
        p->pos++;
        skip_ws(p);
    } else if (relative) {
        comb = COMB_DESC;
    }
    for (;;) {
        struct sel_compound *cp;
        size_t start = p->pos;
        bool any, ws;

        if (*bits >= SELECT_MAX_BITS)
            return sp_fail(p, start, "selector too long");
        ch->c = xrealloc(ch->c, (size_t)(ch->n + 1) * sizeof(*cp));
        cp = &ch->c[ch->n++];
        memset(cp, 0, sizeof(*cp));
        cp->comb = comb;
        cp->tag = GUMBO_TAG_LAST;
        (*bits)++;
        if (parse_compound(p, cp, !relative, ch, &any) < 0)
            return -1;
        if (!any) {
            if (peek(p) < 0)
                return sp_fail(p, start, "expected a selector, found end");
            if (comb != COMB_NONE && comb != COMB_DESC)
                return sp_fail(p, start, "expected a selector after the "
                               "combinator");
            return sp_fail(p, start, "expected a selector");
        }
        ws = skip_ws(p);
        if (ch->kind != SELECT_ELEMENT) {
            if (!at_chain_end(p, inner))
                return sp_fail(p, p->pos, "a pseudo-element must end the "
                               "selector");
            /* parsel turns `A *::text` into A/descendant-or-self::text()
             * and `A *::attr(x)` into A/descendant-or-self::*, then @x */
            if (ch->n >= 2 && cp->comb == COMB_DESC &&
                cp->tag == GUMBO_TAG_LAST && !cp->nconds) {
                ch->or_desc = true;
                ch->n--;
            }
            return 0;
        }
        c = peek(p);
        if (c == '>' || c == '+' || c == '~') {
            comb = c == '>' ? COMB_CHILD : c == '+' ? COMB_ADJ : COMB_SIB;
            p->pos++;
            skip_ws(p);
            continue;
        }
        if (at_chain_end(p, inner))
            return 0;
        if (!ws)
            return sp_fail(p, p->pos, "unexpected character '%c'", c);
        comb = COMB_DESC;
    }
}

/* A selector list: chains separated by commas, up to the end or (inner)
 * a ')'. */
static int parse_list(struct sp *p, struct sel_chain **out, int *nout,
                      bool relative, int *bits)
{
    for (;;) {
        struct sel_chain *ch;
        size_t start;

        *out = xrealloc(*out, (size_t)(*nout + 1) * sizeof(*ch));
        ch = &(*out)[(*nout)++];
        memset(ch, 0, sizeof(*ch));
        ch->bit0 = *bits;
        skip_ws(p);
        start = p->pos;
        if (parse_chain(p, ch, relative, bits) < 0)
            return -1;
        if (ch->kind != (*out)[0].kind)
            return sp_fail(p, start, "a selector list cannot mix "
                           "elements, ::text and ::attr()");
        skip_ws(p);
        if (peek(p) != ',')
            return 0;
        p->pos++;
    }
}

struct select *select_compile(const char *s, size_t len, char *err,
                              size_t errlen, size_t *errpos)
{
    struct sp p;
    struct select *sel = xcalloc(1, sizeof(*sel));

    memset(&p, 0, sizeof(p));
    p.s = s;
    p.len = len;
    p.err = err;
    p.errlen = errlen;
    p.sel = sel;
    if (len > SELECT_MAX_LEN) {
        sp_fail(&p, SELECT_MAX_LEN, "selector longer than %d bytes",
                SELECT_MAX_LEN);
        goto fail;
    }
    if (memchr(s, '\0', len)) {
        sp_fail(&p, (size_t)((const char *)memchr(s, '\0', len) - s),
                "NUL byte in selector");
        goto fail;
    }
    skip_ws(&p);
    if (peek(&p) < 0) {
        sp_fail(&p, p.pos, "empty selector");
        goto fail;
    }
    if (parse_list(&p, &sel->chains, &sel->nchains, false, &sel->nbits) < 0)
        goto fail;
    if (peek(&p) >= 0) {
        sp_fail(&p, p.pos, "unexpected character '%c'", peek(&p));
        goto fail;
    }
    sel->kind = sel->chains[0].kind;
    return sel;
fail:
    if (errpos)
        *errpos = p.errpos;
    select_free(sel);
    return NULL;
}
