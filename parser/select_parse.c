/* select_parse.c: the selector compiler: CSS text -> struct select.
 *
 * A hand-written recursive descent over the bytes (the lexical layer is
 * select_lex.c).  Recursion only follows :not() and :has() nesting, which
 * is capped (SELECT_MAX_NEST). */
#include "common/compat.h"

#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "parser/select_int.h"

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
static int parse_anb(struct sel_parser *p, long *a, long *b)
{
    long sign = 1, v = 0;
    bool digits = false;
    size_t start;

    lex_skip_ws(p);
    start = p->pos;
    if (lex_ident_starts(p) && lex_peek(p) != '-' && lex_peek(p) != 'n' &&
        lex_peek(p) != 'N') {
        struct buf w;
        int rc = 0;

        buf_init(&w, SELECT_MAX_LEN);
        lex_name(p, &w);
        if (w.len == 3 && !strncasecmp(w.data, "odd", 3)) {
            *a = 2;
            *b = 1;
        } else if (w.len == 4 && !strncasecmp(w.data, "even", 4)) {
            *a = 2;
            *b = 0;
        } else {
            rc = lex_fail(p, start, "expected an+b, odd or even");
        }
        buf_release(&w);
        return rc;
    }
    if (lex_peek(p) == '+' || lex_peek(p) == '-') {
        sign = lex_peek(p) == '-' ? -1 : 1;
        p->pos++;
    }
    while (lex_peek(p) >= '0' && lex_peek(p) <= '9') {
        v = v * 10 + (lex_peek(p) - '0');
        if (v > SEL_MAX_NUM)
            return lex_fail(p, start, "number too large in an+b");
        digits = true;
        p->pos++;
    }
    if (lex_peek(p) != 'n' && lex_peek(p) != 'N') {
        if (!digits)
            return lex_fail(p, start, "expected an+b, odd or even");
        *a = 0;
        *b = sign * v;
        return 0;
    }
    p->pos++;
    *a = sign * (digits ? v : 1);
    *b = 0;
    if (lex_is_name_char(lex_peek(p)) && lex_peek(p) != '-')
        return lex_fail(p, p->pos, "unexpected character in an+b");
    lex_skip_ws(p);
    if (lex_peek(p) == '+' || lex_peek(p) == '-') {
        sign = lex_peek(p) == '-' ? -1 : 1;
        p->pos++;
        lex_skip_ws(p);
        v = 0;
        digits = false;
        while (lex_peek(p) >= '0' && lex_peek(p) <= '9') {
            v = v * 10 + (lex_peek(p) - '0');
            if (v > SEL_MAX_NUM)
                return lex_fail(p, start, "number too large in an+b");
            digits = true;
            p->pos++;
        }
        if (!digits)
            return lex_fail(p, p->pos, "expected a number in an+b");
        *b = sign * v;
    }
    return 0;
}

/* Expect ')' after optional whitespace. */
static int close_paren(struct sel_parser *p, const char *what)
{
    lex_skip_ws(p);
    if (lex_peek(p) != ')') {
        if (lex_peek(p) < 0)
            return lex_fail(p, p->pos, "missing ')' after %s", what);
        return lex_fail(p, p->pos, "expected ')' after %s", what);
    }
    p->pos++;
    return 0;
}

static int parse_compound(struct sel_parser *p, struct sel_compound *c,
                          bool allow_pe, struct sel_chain *ch, bool *any);
static int parse_list(struct sel_parser *p, struct sel_chain **out, int *nout,
                      bool relative, int *bits);

/* :not(compound, ...) after the parenthesis. */
static int parse_not(struct sel_parser *p, struct sel_cond *d)
{
    for (;;) {
        struct sel_compound *c;
        size_t start;
        bool any = false;

        lex_skip_ws(p);
        start = p->pos;
        d->list = xrealloc(d->list, (size_t)(d->nlist + 1) * sizeof(*c));
        c = &d->list[d->nlist++];
        memset(c, 0, sizeof(*c));
        c->tag = GUMBO_TAG_LAST;
        if (parse_compound(p, c, false, NULL, &any) < 0)
            return -1;
        if (!any)
            return lex_fail(p, start, "expected a selector in ':not()'");
        lex_skip_ws(p);
        if (lex_peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (lex_peek(p) == ')') {
            p->pos++;
            return 0;
        }
        if (lex_peek(p) < 0)
            return lex_fail(p, p->pos, "missing ')' after ':not('");
        return lex_fail(p, p->pos,
                       "':not()' takes compound selectors, no combinators");
    }
}

/* :has(relative selectors) after the parenthesis. */
static int parse_has(struct sel_parser *p, struct sel_cond *d, size_t at)
{
    struct select *sel = p->sel;
    struct sel_has h = { NULL, 0, 0 };
    int rc;

    if (p->in_has)
        return lex_fail(p, at, "':has()' cannot be nested");
    p->in_has = true;
    rc = parse_list(p, &h.rel, &h.nrel, true, &h.nbits);
    p->in_has = false;
    /* kept even on error, so select_free() releases it */
    sel->has = xrealloc(sel->has, (size_t)(sel->nhas + 1) * sizeof(h));
    sel->has[sel->nhas] = h;
    d->slot = sel->nhas++;
    if (rc < 0)
        return -1;
    if (lex_peek(p) != ')')
        return lex_fail(p, p->pos, "expected ')' after ':has('");
    p->pos++;
    return 0;
}

/* :contains("text") after the parenthesis. */
static int parse_contains(struct sel_parser *p, struct sel_cond *d)
{
    struct select *sel = p->sel;
    struct buf w;
    int rc;

    buf_init(&w, SELECT_MAX_LEN);
    lex_skip_ws(p);
    if (lex_peek(p) == '"' || lex_peek(p) == '\'')
        rc = lex_string(p, &w);
    else
        rc = lex_ident(p, &w, "a string in ':contains()'");
    if (rc == 0)
        rc = close_paren(p, "':contains('");
    if (rc == 0) {
        size_t n = (size_t)sel->ncontains + 1;
        sel->needles = xrealloc(sel->needles, n * sizeof(char *));
        sel->nlens = xrealloc(sel->nlens, n * sizeof(size_t));
        sel->nlens[sel->ncontains] = w.len;
        sel->needles[sel->ncontains] = lex_copy(&w);
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
static int parse_pseudo_class(struct sel_parser *p, struct sel_compound *c)
{
    size_t at = p->pos, i;
    const struct pseudo_def *def = NULL;
    struct sel_cond *d;
    struct buf w;
    bool func;
    int rc = 0;

    p->pos++;
    buf_init(&w, SELECT_MAX_LEN);
    if (!lex_ident_starts(p)) {
        buf_release(&w);
        return lex_fail(p, at, "expected a pseudo-class name after ':'");
    }
    lex_name(p, &w);
    lex_lower(w.data, w.len);
    func = lex_peek(p) == '(';
    for (i = 0; i < ARRAY_SIZE(pseudos); i++)
        if (strlen(pseudos[i].name) == w.len &&
            !memcmp(pseudos[i].name, w.data, w.len))
            def = &pseudos[i];
    if (!def) {
        rc = lex_fail(p, at, "unknown pseudo-class ':%s%s'", w.data,
                     func ? "()" : "");
        goto out;
    }
    if (def->func && !func) {
        rc = lex_fail(p, at, "':%s' needs an argument: ':%s(...)'",
                     def->name, def->name);
        goto out;
    }
    if (!def->func && func) {
        rc = lex_fail(p, at, "':%s' takes no argument", def->name);
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
            rc = lex_fail(p, at, "selector nests too deeply");
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
static int parse_pseudo_element(struct sel_parser *p, struct sel_chain *ch)
{
    size_t at = p->pos;
    struct buf w;
    int rc = 0;

    p->pos += 2;
    if (!ch)
        return lex_fail(p, at, "pseudo-elements cannot appear inside "
                       "':not()' or ':has()'");
    buf_init(&w, SELECT_MAX_LEN);
    if (!lex_ident_starts(p)) {
        buf_release(&w);
        return lex_fail(p, at, "expected a pseudo-element name after '::'");
    }
    lex_name(p, &w);
    lex_lower(w.data, w.len);
    if (!strcmp(w.data, "text") && lex_peek(p) != '(') {
        ch->kind = SELECT_TEXT;
    } else if (!strcmp(w.data, "attr") && lex_peek(p) == '(') {
        p->pos++;
        lex_skip_ws(p);
        if (lex_peek(p) == '"' || lex_peek(p) == '\'')
            rc = lex_string(p, &w);
        else
            rc = lex_ident(p, &w, "an attribute name in '::attr()'");
        if (rc == 0 && w.len == 0)
            rc = lex_fail(p, at, "empty attribute name in '::attr()'");
        if (rc == 0)
            rc = close_paren(p, "'::attr('");
        if (rc == 0) {
            lex_lower(w.data, w.len);
            ch->kind = SELECT_ATTR;
            ch->attr = lex_copy(&w);
        }
    } else {
        rc = lex_fail(p, at, "unknown pseudo-element '::%s%s' (known: "
                     "::text, ::attr(name))", w.data,
                     lex_peek(p) == '(' ? "()" : "");
    }
    buf_release(&w);
    return rc;
}

/* An attribute selector at p->pos (the '['). */
static int parse_attr(struct sel_parser *p, struct sel_compound *c)
{
    size_t open = p->pos;
    struct sel_cond *d = cond_add(c, COND_ATTR);
    struct buf w;
    int rc = -1, ch;

    buf_init(&w, SELECT_MAX_LEN);
    p->pos++;
    lex_skip_ws(p);
    if (lex_ident(p, &w, "an attribute name after '['") < 0)
        goto out;
    if (lex_peek(p) == '|' && lex_peek_at(p, 1) != '=') {
        lex_fail(p, p->pos, "namespaces are not supported");
        goto out;
    }
    lex_lower(w.data, w.len);
    d->name = lex_copy(&w);
    lex_skip_ws(p);
    ch = lex_peek(p);
    if (ch == ']') {
        p->pos++;
        d->op = ATTR_EXISTS;
        rc = 0;
        goto out;
    }
    if (ch == '=') {
        d->op = ATTR_EQ;
        p->pos++;
    } else if (ch >= 0 && strchr("~|^$*", ch) && lex_peek_at(p, 1) == '=') {
        d->op = ch == '~' ? ATTR_INCLUDES : ch == '|' ? ATTR_DASH :
                ch == '^' ? ATTR_PREFIX : ch == '$' ? ATTR_SUFFIX :
                ATTR_SUBSTR;
        p->pos += 2;
    } else if (ch < 0) {
        lex_fail(p, open, "unterminated '['");
        goto out;
    } else {
        lex_fail(p, p->pos, "expected an attribute operator or ']'");
        goto out;
    }
    lex_skip_ws(p);
    ch = lex_peek(p);
    if (ch == '"' || ch == '\'') {
        if (lex_string(p, &w) < 0)
            goto out;
    } else if (ch < 0 || ch == ']') {
        lex_fail(p, p->pos, "expected a value after the operator");
        goto out;
    } else {
        /* a bare value: an identifier, or leniently any run of bytes up
         * to whitespace or ']' ([width=100], [href=/about]) */
        buf_reset(&w);
        while ((ch = lex_peek(p)) >= 0 && !lex_is_ws(ch) && ch != ']') {
            if (ch == '"' || ch == '\'') {
                lex_fail(p, p->pos, "unexpected quote in a bare value");
                goto out;
            }
            if (ch == '\\' && lex_is_escape_at(p, 0)) {
                lex_escape(p, &w);
            } else {
                buf_addch(&w, (char)ch);
                p->pos++;
            }
        }
    }
    d->value = lex_copy(&w);
    d->vlen = w.len;
    lex_skip_ws(p);
    ch = lex_peek(p);
    if ((ch == 'i' || ch == 'I' || ch == 's' || ch == 'S') &&
        !lex_is_name_char(lex_peek_at(p, 1)) && !lex_is_escape_at(p, 1)) {
        d->icase = ch == 'i' || ch == 'I';
        p->pos++;
        lex_skip_ws(p);
    }
    if (lex_peek(p) < 0) {
        lex_fail(p, open, "unterminated '['");
        goto out;
    }
    if (lex_peek(p) != ']') {
        lex_fail(p, p->pos, "expected ']'");
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
static int parse_compound(struct sel_parser *p, struct sel_compound *c,
                          bool allow_pe, struct sel_chain *ch, bool *any)
{
    struct buf w;
    int rc = 0;

    buf_init(&w, SELECT_MAX_LEN);
    *any = false;
    if (lex_peek(p) == '*') {
        p->pos++;
        *any = true;
    } else if (lex_ident_starts(p)) {
        lex_name(p, &w);
        lex_lower(w.data, w.len);
        c->tag = gumbo_tagn_enum(w.data, (unsigned)w.len);
        if (c->tag == GUMBO_TAG_UNKNOWN) {
            c->tname = lex_copy(&w);
            c->tlen = w.len;
        }
        *any = true;
    }
    if (*any && lex_peek(p) == '|') {
        rc = lex_fail(p, p->pos, "namespaces are not supported");
        goto out;
    }
    for (;;) {
        int k = lex_peek(p);
        size_t at = p->pos;
        struct sel_cond *d;

        if (k == '#' || k == '.') {
            p->pos++;
            bool named = k == '#' ? lex_is_name_char(lex_peek(p)) ||
                                    lex_is_escape_at(p, 0) :
                                    lex_ident_starts(p);
            if (!named) {
                rc = lex_fail(p, at, "expected a name after '%c'", k);
                goto out;
            }
            lex_name(p, &w);
            d = cond_add(c, k == '#' ? COND_ID : COND_CLASS);
            d->value = lex_copy(&w);
            d->vlen = w.len;
        } else if (k == '[') {
            if ((rc = parse_attr(p, c)) < 0)
                goto out;
        } else if (k == ':' && lex_peek_at(p, 1) == ':') {
            if (!allow_pe) {
                rc = lex_fail(p, at, "pseudo-elements cannot appear inside "
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
static bool at_chain_end(const struct sel_parser *p, bool inner)
{
    int c = lex_peek(p);

    return c < 0 || c == ',' || (inner && c == ')');
}

/* A complex selector into ch; relative: may start with a combinator (the
 * argument of :has()), bits: the running bit count of its list. */
static int parse_chain(struct sel_parser *p, struct sel_chain *ch,
                       bool relative, int *bits)
{
    enum sel_comb comb = COMB_NONE;
    bool inner = p->depth > 0;
    int c;

    ch->kind = SELECT_ELEMENT;
    lex_skip_ws(p);
    c = lex_peek(p);
    if (c == '>' || c == '+' || c == '~') {
        if (!relative)
            return lex_fail(p, p->pos, "selector cannot start with '%c'",
                           c);
        comb = c == '>' ? COMB_CHILD : c == '+' ? COMB_ADJ : COMB_SIB;
        p->pos++;
        lex_skip_ws(p);
    } else if (relative) {
        comb = COMB_DESC;
    }
    for (;;) {
        struct sel_compound *cp;
        size_t start = p->pos;
        bool any, ws;

        if (*bits >= SELECT_MAX_BITS)
            return lex_fail(p, start, "selector too long");
        ch->c = xrealloc(ch->c, (size_t)(ch->n + 1) * sizeof(*cp));
        cp = &ch->c[ch->n++];
        memset(cp, 0, sizeof(*cp));
        cp->comb = comb;
        cp->tag = GUMBO_TAG_LAST;
        (*bits)++;
        if (parse_compound(p, cp, !relative, ch, &any) < 0)
            return -1;
        if (!any) {
            if (lex_peek(p) < 0)
                return lex_fail(p, start, "expected a selector, found end");
            if (comb != COMB_NONE && comb != COMB_DESC)
                return lex_fail(p, start, "expected a selector after the "
                               "combinator");
            return lex_fail(p, start, "expected a selector");
        }
        ws = lex_skip_ws(p);
        if (ch->kind != SELECT_ELEMENT) {
            if (!at_chain_end(p, inner))
                return lex_fail(p, p->pos, "a pseudo-element must end the "
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
        c = lex_peek(p);
        if (c == '>' || c == '+' || c == '~') {
            comb = c == '>' ? COMB_CHILD : c == '+' ? COMB_ADJ : COMB_SIB;
            p->pos++;
            lex_skip_ws(p);
            continue;
        }
        if (at_chain_end(p, inner))
            return 0;
        if (!ws)
            return lex_fail(p, p->pos, "unexpected character '%c'", c);
        comb = COMB_DESC;
    }
}

/* A selector list: chains separated by commas, up to the end or (inner)
 * a ')'. */
static int parse_list(struct sel_parser *p, struct sel_chain **out, int *nout,
                      bool relative, int *bits)
{
    for (;;) {
        struct sel_chain *ch;
        size_t start;

        *out = xrealloc(*out, (size_t)(*nout + 1) * sizeof(*ch));
        ch = &(*out)[(*nout)++];
        memset(ch, 0, sizeof(*ch));
        ch->bit0 = *bits;
        lex_skip_ws(p);
        start = p->pos;
        if (parse_chain(p, ch, relative, bits) < 0)
            return -1;
        if (ch->kind != (*out)[0].kind)
            return lex_fail(p, start, "a selector list cannot mix "
                           "elements, ::text and ::attr()");
        lex_skip_ws(p);
        if (lex_peek(p) != ',')
            return 0;
        p->pos++;
    }
}

struct select *select_compile(const char *s, size_t len, char *err,
                              size_t errlen, size_t *errpos)
{
    struct sel_parser p;
    struct select *sel = xcalloc(1, sizeof(*sel));

    memset(&p, 0, sizeof(p));
    p.s = s;
    p.len = len;
    p.err = err;
    p.errlen = errlen;
    p.sel = sel;
    if (len > SELECT_MAX_LEN) {
        lex_fail(&p, SELECT_MAX_LEN, "selector longer than %d bytes",
                SELECT_MAX_LEN);
        goto fail;
    }
    if (memchr(s, '\0', len)) {
        lex_fail(&p, (size_t)((const char *)memchr(s, '\0', len) - s),
                "NUL byte in selector");
        goto fail;
    }
    lex_skip_ws(&p);
    if (lex_peek(&p) < 0) {
        lex_fail(&p, p.pos, "empty selector");
        goto fail;
    }
    if (parse_list(&p, &sel->chains, &sel->nchains, false, &sel->nbits) < 0)
        goto fail;
    if (lex_peek(&p) >= 0) {
        lex_fail(&p, p.pos, "unexpected character '%c'", lex_peek(&p));
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
