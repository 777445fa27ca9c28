/* select_match.c: the selector matcher over an indexed page
 * (select_index.c).
 *
 * select_run() evaluates a selector list in one pass in document
 * order.  Each compound of each chain owns a bit; an element's bitset M
 * says which chain prefixes match ending at it.  A prefix ending at an
 * element needs its compound to match there and the previous prefix's bit
 * on the parent (>), on an ancestor (descendant: the OR of M over the
 * ancestors, carried down), on the previous element sibling (+) or on an
 * earlier sibling (~: the OR over earlier siblings, carried along).  So
 * every element costs O(compounds), whatever the tree's shape.
 *
 * :has() chains run right to left in one reverse pass (children and later
 * siblings come after an element in document order); :contains() looks up
 * needle occurrences in the page's collapsed text, where every element's
 * text is one contiguous range.  Both fill per-element tables first. */
#include "common/compat.h"

#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "parser/select_int.h"
#include "parser/text.h"

/* ------------------------------------------------------- conditions */

/* Run state of one select_run(). */
struct run {
    const struct select *sel;   /* the list */
    struct select_doc *d;       /* the page */
    unsigned char **contains;   /* per :contains() slot: n flags */
    unsigned char **has;        /* per :has() slot: n flags */
};

/* Attribute name equality, qualified names for foreign attributes
 * (xlink:href). */
static bool attr_name_eq(const GumboAttribute *a, const char *name)
{
    static const char *const pfx[] = { "", "xlink:", "xml:", "xmlns:" };
    const char *p;
    size_t pl;

    if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_NONE)
        return !strcasecmp(a->name, name);
    if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_XMLNS &&
        !strcasecmp(a->name, "xmlns"))
        return !strcasecmp(name, "xmlns");
    p = pfx[a->attr_namespace & 3];
    pl = strlen(p);
    return !strncasecmp(name, p, pl) && !strcasecmp(name + pl, a->name);
}

static const GumboAttribute *find_attr(const GumboNode *n, const char *name)
{
    const GumboVector *v = &n->v.element.attributes;
    size_t i;

    for (i = 0; i < v->length; i++) {
        const GumboAttribute *a = v->data[i];
        if (attr_name_eq(a, name))
            return a;
    }
    return NULL;
}

static bool bytes_eq(const char *a, const char *b, size_t n, bool icase)
{
    return icase ? !strncasecmp(a, b, n) : !memcmp(a, b, n);
}

/* v contains w as a whitespace-separated token. */
static bool has_token(const char *v, const char *w, size_t wl, bool icase)
{
    size_t i = 0, n = strlen(v);

    if (!wl || memchr(w, ' ', wl) || memchr(w, '\t', wl) ||
        memchr(w, '\n', wl) || memchr(w, '\r', wl) || memchr(w, '\f', wl))
        return false;
    while (i < n) {
        size_t j;
        while (i < n && text_is_ws((unsigned char)v[i]))
            i++;
        for (j = i; j < n && !text_is_ws((unsigned char)v[j]); j++)
            ;
        if (j - i == wl && bytes_eq(v + i, w, wl, icase))
            return true;
        i = j;
    }
    return false;
}

static bool attr_ok(const struct sel_cond *c, const GumboNode *n)
{
    const GumboAttribute *a = find_attr(n, c->name);
    const char *v, *w = c->value;
    size_t vl, wl = c->vlen, i;

    if (!a)
        return false;
    v = a->value;
    vl = strlen(v);
    switch (c->op) {
    case ATTR_EXISTS:
        return true;
    case ATTR_EQ:
        return vl == wl && bytes_eq(v, w, wl, c->icase);
    case ATTR_INCLUDES:
        return has_token(v, w, wl, c->icase);
    case ATTR_DASH:
        return vl >= wl && bytes_eq(v, w, wl, c->icase) &&
               (vl == wl || v[wl] == '-');
    case ATTR_PREFIX:
        return wl && vl >= wl && bytes_eq(v, w, wl, c->icase);
    case ATTR_SUFFIX:
        return wl && vl >= wl && bytes_eq(v + vl - wl, w, wl, c->icase);
    case ATTR_SUBSTR:
        if (!wl || vl < wl)
            return false;
        if (!c->icase)
            return memmem(v, vl, w, wl) != NULL;
        for (i = 0; i + wl <= vl; i++)
            if (!strncasecmp(v + i, w, wl))
                return true;
        return false;
    }
    return false;
}

/* x = a*k + b for some integer k >= 0. */
static bool nth_ok(long a, long b, long x)
{
    if (a == 0)
        return x == b;
    if ((x - b) % a != 0)
        return false;
    return (x - b) / a >= 0;
}

static bool nth_cond_ok(const struct sel_cond *c, const struct sel_el *e)
{
    long pos, cnt;

    if (c->op == NTH_CHILD || c->op == NTH_LAST_CHILD) {
        pos = e->pos;
        cnt = e->count;
    } else {
        pos = e->tpos;
        cnt = e->tcount;
    }
    if (c->only)
        return cnt == 1;
    if (c->op == NTH_LAST_CHILD || c->op == NTH_LAST_OF_TYPE)
        pos = cnt - pos + 1;
    return nth_ok(c->a, c->b, pos);
}

/* :empty: no element or text children (comments do not count). */
static bool is_empty(const GumboNode *n)
{
    const GumboVector *v = &n->v.element.children;
    size_t i;

    for (i = 0; i < v->length; i++) {
        const GumboNode *c = v->data[i];
        if (sel_is_element(c) || text_node(c))
            return false;
    }
    return true;
}

static bool compound_ok(const struct run *r, const struct sel_compound *c,
                        int32_t i);

static bool cond_ok(const struct run *r, const struct sel_cond *c,
                    int32_t i)
{
    const struct sel_el *e = &r->d->el[i];
    const GumboAttribute *a;
    int k;

    switch (c->kind) {
    case COND_ID:
        a = find_attr(e->node, "id");
        return a && strlen(a->value) == c->vlen &&
               !memcmp(a->value, c->value, c->vlen);
    case COND_CLASS:
        a = find_attr(e->node, "class");
        return a && has_token(a->value, c->value, c->vlen, false);
    case COND_ATTR:
        return attr_ok(c, e->node);
    case COND_NTH:
        return nth_cond_ok(c, e);
    case COND_EMPTY:
        return is_empty(e->node);
    case COND_ROOT:
        return e->parent == SEL_NONE && e->node->parent &&
               e->node->parent->type == GUMBO_NODE_DOCUMENT;
    case COND_NOT:
        for (k = 0; k < c->nlist; k++)
            if (compound_ok(r, &c->list[k], i))
                return false;
        return true;
    case COND_CONTAINS:
        return r->contains[c->slot][i];
    case COND_HAS:
        return r->has[c->slot][i];
    }
    return false;
}

static bool compound_ok(const struct run *r, const struct sel_compound *c,
                        int32_t i)
{
    const GumboNode *n = r->d->el[i].node;
    int k;

    if (c->tag != GUMBO_TAG_LAST) {
        if ((int)n->v.element.tag != c->tag)
            return false;
        if (c->tag == GUMBO_TAG_UNKNOWN) {
            size_t len;
            const char *name = text_tag_name(n, &len);
            if (len != c->tlen || strncasecmp(name, c->tname, len))
                return false;
        }
    }
    for (k = 0; k < c->nconds; k++)
        if (!cond_ok(r, &c->conds[k], i))
            return false;
    return true;
}

/* ---------------------------------------------------------- bitsets */

static bool bit_get(const uint64_t *w, int b)
{
    return (w[b >> 6] >> (b & 63)) & 1;
}

static void bit_set(uint64_t *w, int b)
{
    w[b >> 6] |= (uint64_t)1 << (b & 63);
}

/* ---------------------------------------------------------- :contains */

/* Flags of one needle: element i contains it when an occurrence starts
 * at or after ts[i] and ends by te[i]; occurrences come from one KMP scan
 * of the page text, found by binary search. */
static unsigned char *contains_table(struct select_doc *d, const char *w,
                                     size_t m)
{
    unsigned char *t = xcalloc(d->n ? d->n : 1, 1);
    uint32_t *occ = NULL, *fail;
    size_t nocc = 0, occcap = 0, i, k;

    if (m == 0) {
        memset(t, 1, d->n);
        return t;
    }
    if (!d->have_text)
        sel_index_text(d);
    fail = xmalloc(m * sizeof(*fail));
    fail[0] = 0;
    for (i = 1, k = 0; i < m; i++) {
        while (k && w[i] != w[k])
            k = fail[k - 1];
        if (w[i] == w[k])
            k++;
        fail[i] = (uint32_t)k;
    }
    for (i = 0, k = 0; i < d->tlen; i++) {
        while (k && d->text[i] != w[k])
            k = fail[k - 1];
        if (d->text[i] == w[k])
            k++;
        if (k == m) {
            if (nocc == occcap) {
                occcap = occcap ? occcap * 2 : 64;
                occ = xrealloc(occ, occcap * sizeof(*occ));
            }
            occ[nocc++] = (uint32_t)(i + 1 - m);
            k = fail[k - 1];
        }
    }
    for (i = 0; i < d->n && nocc; i++) {
        size_t lo = 0, hi = nocc;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (occ[mid] < d->ts[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        t[i] = lo < nocc && (size_t)occ[lo] + m <= d->te[i];
    }
    free(fail);
    free(occ);
    return t;
}

/* -------------------------------------------------------------- :has */

/* Flags of one :has() argument.  In reverse document order, for element
 * i: X(i) bit b = "compounds j..end of b's chain match, starting at i";
 * D(i) = OR over descendants of X, F(i) = OR over later siblings of X.
 * X(i) needs D, the children's X, or the next siblings' X: all come
 * later in document order, so they are done. */
static unsigned char *has_table(const struct run *r, const struct sel_has *h)
{
    const struct select_doc *d = r->d;
    size_t W = ((size_t)h->nbits + 63) / 64, n = d->n ? d->n : 1;
    uint64_t *X = xcalloc(n * W, sizeof(uint64_t));
    uint64_t *D = xcalloc(n * W, sizeof(uint64_t));
    uint64_t *F = xcalloc(n * W, sizeof(uint64_t));
    uint64_t *K = xcalloc(W, sizeof(uint64_t));
    unsigned char *t = xcalloc(n, 1);
    size_t i, w;
    int q, j;

    for (i = d->n; i-- > 0;) {
        const struct sel_el *e = &d->el[i];
        uint64_t *x = X + i * W, *dd = D + i * W, *f = F + i * W;
        const uint64_t *xn = e->next != SEL_NONE ? X + (size_t)e->next * W :
                             NULL;
        int32_t c;

        memset(K, 0, W * sizeof(*K));
        for (c = e->first; c != SEL_NONE; c = d->el[c].next)
            for (w = 0; w < W; w++) {
                dd[w] |= X[(size_t)c * W + w] | D[(size_t)c * W + w];
                K[w] |= X[(size_t)c * W + w];
            }
        if (xn)
            for (w = 0; w < W; w++)
                f[w] = xn[w] | F[(size_t)e->next * W + w];
        for (q = 0; q < h->nrel; q++) {
            const struct sel_chain *ch = &h->rel[q];
            bool found;

            for (j = ch->n - 1; j >= 0; j--) {
                int b = ch->bit0 + j;
                bool ok = true;

                if (j < ch->n - 1) {
                    switch (ch->c[j + 1].comb) {
                    case COMB_CHILD:
                        ok = bit_get(K, b + 1);
                        break;
                    case COMB_ADJ:
                        ok = xn && bit_get(xn, b + 1);
                        break;
                    case COMB_SIB:
                        ok = bit_get(f, b + 1);
                        break;
                    default:
                        ok = bit_get(dd, b + 1);
                        break;
                    }
                }
                if (ok && compound_ok(r, &ch->c[j], (int32_t)i))
                    bit_set(x, b);
            }
            switch (ch->c[0].comb) {
            case COMB_CHILD:
                found = bit_get(K, ch->bit0);
                break;
            case COMB_ADJ:
                found = xn && bit_get(xn, ch->bit0);
                break;
            case COMB_SIB:
                found = bit_get(f, ch->bit0);
                break;
            default:
                found = bit_get(dd, ch->bit0);
                break;
            }
            if (found)
                t[i] = 1;
        }
    }
    free(X);
    free(D);
    free(F);
    free(K);
    return t;
}

/* ------------------------------------------------------------- run */

/* Emit the text children of matched elements, in document order. */
static int emit_text(const struct select_doc *d, const unsigned char *hit,
                     select_fn fn, void *ctx)
{
    struct sel_frame *st = NULL;
    size_t depth = 0, cap = 0;
    int32_t next = 0;
    int rc = 0;

    if (sel_is_element(d->root))
        sel_frame_push(&st, &depth, &cap, d->root, next++);
    else if (d->root->type == GUMBO_NODE_DOCUMENT)
        sel_frame_push(&st, &depth, &cap, d->root, SEL_NONE);
    while (depth && !rc) {
        struct sel_frame *f = &st[depth - 1];
        const GumboVector *v = sel_kids(f->node);
        GumboNode *c;

        if (f->child >= v->length) {
            depth--;
            continue;
        }
        c = v->data[f->child++];
        if (text_node(c) && f->el != SEL_NONE && hit[f->el]) {
            struct select_match m = { c, NULL };
            rc = fn(&m, ctx);
        } else if (sel_is_element(c)) {
            int32_t e = next++;
            if (sel_kids(c)->length)
                sel_frame_push(&st, &depth, &cap, c, e);
        }
    }
    free(st);
    return rc;
}

/* Chain ch yields element i: its last bit is set on i, or for parsel's
 * `A *::text` on i or an ancestor (am: the bits of i and its
 * ancestors). */
static bool chain_hit(const struct sel_chain *ch, const uint64_t *m,
                      const uint64_t *am)
{
    return bit_get(ch->or_desc ? am : m, ch->bit0 + ch->n - 1);
}

/* Emit the matched attributes of element i, in attribute order. */
static int emit_attrs(const struct run *r, const uint64_t *m,
                      const uint64_t *am, int32_t i, select_fn fn,
                      void *ctx)
{
    const GumboVector *v = &r->d->el[i].node->v.element.attributes;
    size_t k;
    int q, rc;

    for (k = 0; k < v->length; k++) {
        const GumboAttribute *a = v->data[k];
        for (q = 0; q < r->sel->nchains; q++) {
            const struct sel_chain *ch = &r->sel->chains[q];
            if (chain_hit(ch, m, am) && attr_name_eq(a, ch->attr)) {
                struct select_match mt = { r->d->el[i].node, a };
                if ((rc = fn(&mt, ctx)) != 0)
                    return rc;
                break;
            }
        }
    }
    return 0;
}

int select_run(const struct select *sel, struct select_doc *d,
               select_fn fn, void *ctx)
{
    struct run r;
    size_t W = ((size_t)sel->nbits + 63) / 64, n = d->n ? d->n : 1, i, w;
    uint64_t *M, *AM, *SM;
    unsigned char *hit = NULL;
    int rc = 0, k;

    r.sel = sel;
    r.d = d;
    r.contains = xcalloc((size_t)sel->ncontains + 1, sizeof(*r.contains));
    r.has = xcalloc((size_t)sel->nhas + 1, sizeof(*r.has));
    if (sel->of_type && !d->have_types)
        sel_index_types(d);
    for (k = 0; k < sel->ncontains; k++)
        r.contains[k] = contains_table(d, sel->needles[k], sel->nlens[k]);
    for (k = 0; k < sel->nhas; k++)
        r.has[k] = has_table(&r, &sel->has[k]);
    M = xcalloc(n * W, sizeof(uint64_t));
    AM = xcalloc(n * W, sizeof(uint64_t));
    SM = xcalloc(n * W, sizeof(uint64_t));
    if (sel->kind == SELECT_TEXT)
        hit = xcalloc(n, 1);
    for (i = 0; i < d->n && !rc; i++) {
        const struct sel_el *e = &d->el[i];
        uint64_t *m = M + i * W;
        const uint64_t *pm = e->parent != SEL_NONE ?
                             M + (size_t)e->parent * W : NULL;
        const uint64_t *pa = e->parent != SEL_NONE ?
                             AM + (size_t)e->parent * W : NULL;
        const uint64_t *qm = e->prev != SEL_NONE ? M + (size_t)e->prev * W :
                             NULL;
        const uint64_t *qs = e->prev != SEL_NONE ? SM + (size_t)e->prev * W :
                             NULL;
        bool matched = false;

        for (k = 0; k < sel->nchains; k++) {
            const struct sel_chain *ch = &sel->chains[k];
            int j;

            for (j = 0; j < ch->n; j++) {
                int b = ch->bit0 + j;
                bool ok;

                switch (ch->c[j].comb) {
                case COMB_NONE:
                    ok = true;
                    break;
                case COMB_CHILD:
                    ok = pm && bit_get(pm, b - 1);
                    break;
                case COMB_ADJ:
                    ok = qm && bit_get(qm, b - 1);
                    break;
                case COMB_SIB:
                    ok = qs && bit_get(qs, b - 1);
                    break;
                default:
                    ok = pa && bit_get(pa, b - 1);
                    break;
                }
                if (ok && compound_ok(&r, &ch->c[j], (int32_t)i))
                    bit_set(m, b);
            }
        }
        for (w = 0; w < W; w++) {
            AM[i * W + w] = (pa ? pa[w] : 0) | m[w];
            SM[i * W + w] = (qs ? qs[w] : 0) | m[w];
        }
        for (k = 0; k < sel->nchains && !matched; k++)
            matched = chain_hit(&sel->chains[k], m, AM + i * W);
        if (!matched)
            continue;
        if (sel->kind == SELECT_ELEMENT) {
            struct select_match mt = { e->node, NULL };
            rc = fn(&mt, ctx);
        } else if (sel->kind == SELECT_ATTR) {
            rc = emit_attrs(&r, m, AM + i * W, (int32_t)i, fn, ctx);
        } else {
            hit[i] = 1;
        }
    }
    if (!rc && sel->kind == SELECT_TEXT)
        rc = emit_text(d, hit, fn, ctx);
    free(hit);
    free(M);
    free(AM);
    free(SM);
    for (k = 0; k < sel->ncontains; k++)
        free(r.contains[k]);
    for (k = 0; k < sel->nhas; k++)
        free(r.has[k]);
    free(r.contains);
    free(r.has);
    return rc;
}
