/* select_match.c: the selector matcher over gumbo trees.
 *
 * select_doc_new() indexes the page once: every element in document order
 * (preorder), with its parent, element siblings, first element child and
 * element-only position (gumbo's index_within_parent counts text nodes).
 * Of-type positions and the text index for :contains() are built on first
 * use.
 *
 * select_run() then evaluates a selector list in one pass in document
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

#define NONE (-1)

/* One element of the page. */
struct sel_el {
    GumboNode *node;        /* the element */
    int32_t parent;         /* parent element, NONE under the document */
    int32_t prev;           /* previous element sibling or NONE */
    int32_t next;           /* next element sibling or NONE */
    int32_t first;          /* first element child or NONE */
    uint32_t pos;           /* 1-based position among element siblings */
    uint32_t count;         /* element siblings, itself included */
    uint32_t tpos;          /* position among siblings of its type */
    uint32_t tcount;        /* siblings of its type, itself included */
};

struct select_doc {
    GumboNode *root;        /* what was indexed */
    struct sel_el *el;      /* elements in document order */
    size_t n;               /* entries in el */
    int32_t top_first;      /* first element under the root */
    bool have_types;        /* tpos/tcount are set */
    bool have_text;         /* text, ts, te are set */
    size_t max_depth;       /* deepest element nesting */
    char *text;             /* every text layer, collapsed, concatenated */
    size_t tlen;            /* bytes in text */
    uint32_t *ts;           /* element i's text is text[ts[i]..te[i]) */
    uint32_t *te;           /* end of element i's text */
};

/* A walk frame: a node whose children are being visited. */
struct frame {
    GumboNode *node;        /* the node */
    int32_t el;             /* its element index, NONE for the document */
    size_t child;           /* next child to visit */
    int32_t last;           /* last element child seen, or NONE */
    uint32_t count;         /* element children seen */
};

static bool is_element(const GumboNode *n)
{
    return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE;
}

static const GumboVector *kids(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (is_element(n))
        return &n->v.element.children;
    return NULL;
}

/* Push a frame, growing the stack as needed. */
static struct frame *frame_push(struct frame **st, size_t *depth,
                                size_t *cap, GumboNode *node, int32_t el)
{
    struct frame *f;

    if (*depth == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *st = xrealloc(*st, *cap * sizeof(**st));
    }
    f = &(*st)[(*depth)++];
    f->node = node;
    f->el = el;
    f->child = 0;
    f->last = NONE;
    f->count = 0;
    return f;
}

/* ------------------------------------------------------------ index */

static int32_t el_add(struct select_doc *d, size_t *cap, GumboNode *node,
                      struct frame *parent)
{
    struct sel_el *e;
    int32_t i;

    if (d->n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        d->el = xrealloc(d->el, *cap * sizeof(*d->el));
    }
    i = (int32_t)d->n++;
    e = &d->el[i];
    memset(e, 0, sizeof(*e));
    e->node = node;
    e->parent = parent ? parent->el : NONE;
    e->prev = parent ? parent->last : NONE;
    e->next = NONE;
    e->first = NONE;
    e->pos = parent ? parent->count + 1 : 1;
    e->count = 1;
    if (parent) {
        if (parent->last != NONE)
            d->el[parent->last].next = i;
        else if (parent->el != NONE)
            d->el[parent->el].first = i;
        else
            d->top_first = i;
        parent->last = i;
        parent->count++;
    }
    return i;
}

/* Set count on every element child of a finished frame. */
static void frame_done(struct select_doc *d, const struct frame *f)
{
    int32_t c = f->el != NONE ? d->el[f->el].first : d->top_first;

    for (; c != NONE; c = d->el[c].next)
        d->el[c].count = f->count;
}

struct select_doc *select_doc_new(GumboNode *root)
{
    struct select_doc *d = xcalloc(1, sizeof(*d));
    struct frame *st = NULL;
    size_t depth = 0, cap = 0, elcap = 0;

    d->root = root;
    d->top_first = NONE;
    if (is_element(root)) {
        int32_t i = el_add(d, &elcap, root, NULL);
        d->top_first = i;
        frame_push(&st, &depth, &cap, root, i);
    } else if (root->type == GUMBO_NODE_DOCUMENT) {
        frame_push(&st, &depth, &cap, root, NONE);
    }
    while (depth) {
        struct frame *f = &st[depth - 1];
        const GumboVector *v = kids(f->node);
        GumboNode *c;
        int32_t i;

        if (f->child >= v->length) {
            frame_done(d, f);
            depth--;
            continue;
        }
        c = v->data[f->child++];
        if (!is_element(c))
            continue;
        i = el_add(d, &elcap, c, f);
        frame_push(&st, &depth, &cap, c, i);
        if (depth > d->max_depth)
            d->max_depth = depth;
    }
    free(st);
    return d;
}

size_t select_doc_depth(const struct select_doc *d)
{
    return d->max_depth;
}

void select_doc_free(struct select_doc *d)
{
    if (!d)
        return;
    free(d->el);
    free(d->text);
    free(d->ts);
    free(d->te);
    free(d);
}

/* ---------------------------------------------------------- of-type */

/* Same element type: tag and namespace, and for unknown elements the
 * name (ASCII case-insensitively). */
static bool same_type(const GumboNode *a, const GumboNode *b)
{
    const char *na, *nb;
    size_t la, lb;

    if (a->v.element.tag != b->v.element.tag ||
        a->v.element.tag_namespace != b->v.element.tag_namespace)
        return false;
    if (a->v.element.tag != GUMBO_TAG_UNKNOWN)
        return true;
    na = text_tag_name(a, &la);
    nb = text_tag_name(b, &lb);
    return la == lb && !strncasecmp(na, nb, la);
}

static uint32_t type_hash(const GumboNode *n)
{
    uint32_t h = (uint32_t)n->v.element.tag * 31u +
                 (uint32_t)n->v.element.tag_namespace;

    if (n->v.element.tag == GUMBO_TAG_UNKNOWN) {
        size_t len, i;
        const char *s = text_tag_name(n, &len);
        for (i = 0; i < len; i++)
            h = h * 33u + (uint32_t)(s[i] | 0x20);
    }
    return h * 2654435761u;
}

/* Type slot of child c in the open-addressed table (mask + 1 entries of
 * element indices, NONE when free). */
static int32_t *type_slot(struct select_doc *d, int32_t *tab, size_t mask,
                          int32_t c)
{
    size_t k = type_hash(d->el[c].node) & mask;

    while (tab[k] != NONE && !same_type(d->el[tab[k]].node, d->el[c].node))
        k = (k + 1) & mask;
    return &tab[k];
}

/* Fill tpos and tcount: for each parent, count its children by type with
 * a small hash table, front to back (tpos, counts in the first element of
 * each type), then copy the totals. */
static void index_types(struct select_doc *d)
{
    int32_t *tab = NULL;
    size_t tabcap = 0, p;

    for (p = 0; p <= d->n; p++) {
        int32_t first = p == d->n ? d->top_first : d->el[p].first, c;
        size_t size = 4, mask;

        if (first == NONE)
            continue;
        while (size < 2 * (size_t)d->el[first].count)
            size *= 2;
        if (size > tabcap) {
            tabcap = size;
            tab = xrealloc(tab, tabcap * sizeof(*tab));
        }
        mask = size - 1;
        memset(tab, 0xff, size * sizeof(*tab));
        for (c = first; c != NONE; c = d->el[c].next) {
            int32_t *s = type_slot(d, tab, mask, c);
            if (*s == NONE) {
                *s = c;
                d->el[c].tpos = 1;
                d->el[c].tcount = 1;
            } else {
                d->el[c].tpos = ++d->el[*s].tcount;
            }
        }
        for (c = first; c != NONE; c = d->el[c].next)
            d->el[c].tcount = d->el[*type_slot(d, tab, mask, c)].tcount;
    }
    free(tab);
    d->have_types = true;
}

/* ------------------------------------------------------- text index */

/* A text layer: the text outside nested script, style and template
 * elements of one such element (or of the whole page). */
struct layer {
    struct buf b;           /* its collapsed text */
    struct text_ws ws;      /* collapsing state */
    int32_t id;             /* index into the base table */
};

/* Build the text index: one walk keeps a stack of open layers; every
 * element records its range in the layer it belongs to (its own layer for
 * a script, style or template); a finished layer is appended to the page
 * text, and the ranges are made absolute at the end. */
static void index_text(struct select_doc *d)
{
    struct frame *st = NULL;
    struct layer *ls = NULL;
    size_t depth = 0, cap = 0, nl = 0, lcap = 0, nbase = 0, i;
    uint32_t *base = NULL;
    int32_t *lay = xmalloc((d->n ? d->n : 1) * sizeof(*lay));
    int32_t next = 0;
    struct buf all;

    buf_init(&all, UINT32_MAX - 1);
    d->ts = xmalloc((d->n ? d->n : 1) * sizeof(*d->ts));
    d->te = xmalloc((d->n ? d->n : 1) * sizeof(*d->te));
#define OPEN_LAYER() do { \
        if (nl == lcap) { \
            lcap = lcap ? lcap * 2 : 16; \
            ls = xrealloc(ls, lcap * sizeof(*ls)); \
        } \
        buf_init(&ls[nl].b, UINT32_MAX - 1); \
        ls[nl].ws.started = ls[nl].ws.pending = false; \
        ls[nl].id = (int32_t)nbase++; \
        base = xrealloc(base, nbase * sizeof(*base)); \
        nl++; \
    } while (0)
    OPEN_LAYER();
    if (is_element(d->root)) {
        if (text_skipped(d->root))
            OPEN_LAYER();
        lay[0] = ls[nl - 1].id;
        d->ts[0] = 0;
        frame_push(&st, &depth, &cap, d->root, next++);
    } else if (d->root->type == GUMBO_NODE_DOCUMENT) {
        frame_push(&st, &depth, &cap, d->root, NONE);
    }
    while (depth) {
        struct frame *f = &st[depth - 1];
        const GumboVector *v = kids(f->node);
        GumboNode *c;

        if (f->child >= v->length) {
            if (f->el != NONE) {
                d->te[f->el] = (uint32_t)ls[nl - 1].b.len;
                if (text_skipped(f->node)) {
                    struct layer *l = &ls[--nl];
                    base[l->id] = (uint32_t)all.len;
                    buf_add(&all, l->b.data, l->b.len);
                    buf_release(&l->b);
                }
            }
            depth--;
            continue;
        }
        c = v->data[f->child++];
        if (text_node(c)) {
            struct layer *l = &ls[nl - 1];
            text_feed(&l->ws, &l->b, c->v.text.text,
                      strlen(c->v.text.text));
        } else if (is_element(c)) {
            int32_t e = next++;
            if (text_skipped(c))
                OPEN_LAYER();
            lay[e] = ls[nl - 1].id;
            d->ts[e] = (uint32_t)ls[nl - 1].b.len;
            frame_push(&st, &depth, &cap, c, e);
        }
    }
#undef OPEN_LAYER
    while (nl) {
        struct layer *l = &ls[--nl];
        base[l->id] = (uint32_t)all.len;
        buf_add(&all, l->b.data, l->b.len);
        buf_release(&l->b);
    }
    for (i = 0; i < d->n; i++) {
        d->ts[i] += base[lay[i]];
        d->te[i] += base[lay[i]];
        if (d->ts[i] < d->te[i] && all.data[d->ts[i]] == ' ')
            d->ts[i]++;
    }
    d->tlen = all.len;
    d->text = buf_detach(&all, NULL);
    free(st);
    free(ls);
    free(base);
    free(lay);
    d->have_text = true;
}

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
        if (is_element(c) || text_node(c))
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
        return e->parent == NONE && e->node->parent &&
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
        index_text(d);
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
        const uint64_t *xn = e->next != NONE ? X + (size_t)e->next * W :
                             NULL;
        int32_t c;

        memset(K, 0, W * sizeof(*K));
        for (c = e->first; c != NONE; c = d->el[c].next)
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
    struct frame *st = NULL;
    size_t depth = 0, cap = 0;
    int32_t next = 0;
    int rc = 0;

    if (is_element(d->root))
        frame_push(&st, &depth, &cap, d->root, next++);
    else if (d->root->type == GUMBO_NODE_DOCUMENT)
        frame_push(&st, &depth, &cap, d->root, NONE);
    while (depth && !rc) {
        struct frame *f = &st[depth - 1];
        const GumboVector *v = kids(f->node);
        GumboNode *c;

        if (f->child >= v->length) {
            depth--;
            continue;
        }
        c = v->data[f->child++];
        if (text_node(c) && f->el != NONE && hit[f->el]) {
            struct select_match m = { c, NULL };
            rc = fn(&m, ctx);
        } else if (is_element(c)) {
            int32_t e = next++;
            if (kids(c)->length)
                frame_push(&st, &depth, &cap, c, e);
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
        index_types(d);
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
        const uint64_t *pm = e->parent != NONE ?
                             M + (size_t)e->parent * W : NULL;
        const uint64_t *pa = e->parent != NONE ?
                             AM + (size_t)e->parent * W : NULL;
        const uint64_t *qm = e->prev != NONE ? M + (size_t)e->prev * W :
                             NULL;
        const uint64_t *qs = e->prev != NONE ? SM + (size_t)e->prev * W :
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
