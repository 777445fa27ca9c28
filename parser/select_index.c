/* select_index.c: the page index the selector matcher runs on.
 *
 * select_doc_new() lists every element in document order (preorder) with
 * its parent, element siblings, first element child and element-only
 * position (gumbo's index_within_parent counts text nodes), in one
 * stackless walk (an explicit frame stack; pages nest 100,000 deep).
 * Of-type positions and the text index for :contains() are built on
 * first use: sel_index_types(), sel_index_text(). */
#include "common/compat.h"

#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "parser/select_int.h"
#include "parser/text.h"

bool sel_is_element(const GumboNode *n)
{
    return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE;
}

const GumboVector *sel_kids(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (sel_is_element(n))
        return &n->v.element.children;
    return NULL;
}

/* Push a frame, growing the stack as needed. */
struct sel_frame *sel_frame_push(struct sel_frame **st, size_t *depth,
                                 size_t *cap, GumboNode *node, int32_t el)
{
    struct sel_frame *f;

    if (*depth == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *st = xrealloc(*st, *cap * sizeof(**st));
    }
    f = &(*st)[(*depth)++];
    f->node = node;
    f->el = el;
    f->child = 0;
    f->last = SEL_NONE;
    f->count = 0;
    return f;
}

/* ------------------------------------------------------------ index */

static int32_t el_add(struct select_doc *d, size_t *cap, GumboNode *node,
                      struct sel_frame *parent)
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
    e->tag = (uint16_t)node->v.element.tag;
    e->ns = (uint16_t)node->v.element.tag_namespace;
    e->parent = parent ? parent->el : SEL_NONE;
    e->prev = parent ? parent->last : SEL_NONE;
    e->next = SEL_NONE;
    e->first = SEL_NONE;
    e->pos = parent ? parent->count + 1 : 1;
    e->count = 1;
    if (parent) {
        if (parent->last != SEL_NONE)
            d->el[parent->last].next = i;
        else if (parent->el != SEL_NONE)
            d->el[parent->el].first = i;
        else
            d->top_first = i;
        parent->last = i;
        parent->count++;
    }
    return i;
}

/* Set count on every element child of a finished frame. */
static void frame_done(struct select_doc *d, const struct sel_frame *f)
{
    int32_t c = f->el != SEL_NONE ? d->el[f->el].first : d->top_first;

    for (; c != SEL_NONE; c = d->el[c].next)
        d->el[c].count = f->count;
}

struct select_doc *select_doc_new(GumboNode *root)
{
    struct select_doc *d = xcalloc(1, sizeof(*d));
    struct sel_frame *st = NULL;
    size_t depth = 0, cap = 0, elcap = 0;

    d->root = root;
    d->top_first = SEL_NONE;
    if (sel_is_element(root)) {
        int32_t i = el_add(d, &elcap, root, NULL);
        d->top_first = i;
        sel_frame_push(&st, &depth, &cap, root, i);
    } else if (root->type == GUMBO_NODE_DOCUMENT) {
        sel_frame_push(&st, &depth, &cap, root, SEL_NONE);
    }
    while (depth) {
        struct sel_frame *f = &st[depth - 1];
        const GumboVector *v = sel_kids(f->node);
        GumboNode *c;
        int32_t i;

        if (f->child >= v->length) {
            frame_done(d, f);
            depth--;
            continue;
        }
        c = v->data[f->child++];
        if (!sel_is_element(c))
            continue;
        i = el_add(d, &elcap, c, f);
        sel_frame_push(&st, &depth, &cap, c, i);
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

const GumboAttribute *select_doc_base_href(const struct select_doc *d)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        const GumboAttribute *a;

        if (d->el[i].tag != GUMBO_TAG_BASE ||
            d->el[i].ns != GUMBO_NAMESPACE_HTML)
            continue;
        a = gumbo_get_attribute(&d->el[i].node->v.element.attributes,
                                "href");
        if (a)
            return a;
    }
    return NULL;
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
static bool same_type(const struct sel_el *a, const struct sel_el *b)
{
    const char *na, *nb;
    size_t la, lb;

    if (a->tag != b->tag || a->ns != b->ns)
        return false;
    if (a->tag != GUMBO_TAG_UNKNOWN)
        return true;
    na = text_tag_name(a->node, &la);
    nb = text_tag_name(b->node, &lb);
    return la == lb && !strncasecmp(na, nb, la);
}

static uint32_t type_hash(const struct sel_el *e)
{
    uint32_t h = (uint32_t)e->tag * 31u + (uint32_t)e->ns;

    if (e->tag == GUMBO_TAG_UNKNOWN) {
        size_t len, i;
        const char *s = text_tag_name(e->node, &len);
        for (i = 0; i < len; i++)
            h = h * 33u + (uint32_t)(s[i] | 0x20);
    }
    return h * 2654435761u;
}

/* Type slot of child c in the open-addressed table (mask + 1 entries of
 * element indices, SEL_NONE when free). */
static int32_t *type_slot(struct select_doc *d, int32_t *tab, size_t mask,
                          int32_t c)
{
    size_t k = type_hash(&d->el[c]) & mask;

    while (tab[k] != SEL_NONE && !same_type(&d->el[tab[k]], &d->el[c]))
        k = (k + 1) & mask;
    return &tab[k];
}

/* Fill tpos and tcount: for each parent, count its children by type with
 * a small hash table, front to back (tpos, counts in the first element of
 * each type), then copy the totals. */
void sel_index_types(struct select_doc *d)
{
    int32_t *tab = NULL;
    size_t tabcap = 0, p;

    for (p = 0; p <= d->n; p++) {
        int32_t first = p == d->n ? d->top_first : d->el[p].first, c;
        size_t size = 4, mask;

        if (first == SEL_NONE)
            continue;
        while (size < 2 * (size_t)d->el[first].count)
            size *= 2;
        if (size > tabcap) {
            tabcap = size;
            tab = xrealloc(tab, tabcap * sizeof(*tab));
        }
        mask = size - 1;
        memset(tab, 0xff, size * sizeof(*tab));
        for (c = first; c != SEL_NONE; c = d->el[c].next) {
            int32_t *s = type_slot(d, tab, mask, c);
            if (*s == SEL_NONE) {
                *s = c;
                d->el[c].tpos = 1;
                d->el[c].tcount = 1;
            } else {
                d->el[c].tpos = ++d->el[*s].tcount;
            }
        }
        for (c = first; c != SEL_NONE; c = d->el[c].next)
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
void sel_index_text(struct select_doc *d)
{
    struct sel_frame *st = NULL;
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
    if (sel_is_element(d->root)) {
        if (text_skipped(d->root))
            OPEN_LAYER();
        lay[0] = ls[nl - 1].id;
        d->ts[0] = 0;
        sel_frame_push(&st, &depth, &cap, d->root, next++);
    } else if (d->root->type == GUMBO_NODE_DOCUMENT) {
        sel_frame_push(&st, &depth, &cap, d->root, SEL_NONE);
    }
    while (depth) {
        struct sel_frame *f = &st[depth - 1];
        const GumboVector *v = sel_kids(f->node);
        GumboNode *c;

        if (f->child >= v->length) {
            if (f->el != SEL_NONE) {
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
        } else if (sel_is_element(c)) {
            int32_t e = next++;
            if (text_skipped(c))
                OPEN_LAYER();
            lay[e] = ls[nl - 1].id;
            d->ts[e] = (uint32_t)ls[nl - 1].b.len;
            sel_frame_push(&st, &depth, &cap, c, e);
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

