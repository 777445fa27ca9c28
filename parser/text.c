/* text.c: the text value of a node, the stackless tree walk and tag
 * names. */
#include "common/compat.h"

#include "parser/text.h"

int text_feed(struct text_ws *st, struct buf *out, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t run = 0;

        while (i < n && text_is_ws((unsigned char)s[i])) {
            st->pending = true;
            i++;
        }
        while (i + run < n && !text_is_ws((unsigned char)s[i + run]))
            run++;
        if (!run)
            break;
        if (st->pending && st->started && buf_addch(out, ' ') < 0)
            return -1;
        if (buf_add(out, s + i, run) < 0)
            return -1;
        st->started = true;
        st->pending = false;
        i += run;
    }
    return 0;
}

bool text_skipped(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_TEMPLATE)
        return true;
    if (n->type != GUMBO_NODE_ELEMENT)
        return false;
    return n->v.element.tag == GUMBO_TAG_SCRIPT ||
           n->v.element.tag == GUMBO_TAG_STYLE ||
           n->v.element.tag == GUMBO_TAG_TEMPLATE;
}

bool text_node(const GumboNode *n)
{
    return n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
           n->type == GUMBO_NODE_WHITESPACE;
}

/* The children of n, or NULL for nodes that have none. */
static const GumboVector *children_of(const GumboNode *n)
{
    switch (n->type) {
    case GUMBO_NODE_DOCUMENT:
        return &n->v.document.children;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
        return &n->v.element.children;
    default:
        return NULL;
    }
}

/* Index of n in its parent's children; trusts index_within_parent only
 * after checking it. */
static size_t index_in_parent(const GumboNode *n)
{
    const GumboVector *v = children_of(n->parent);
    size_t i = n->index_within_parent;

    if (v && i < v->length && v->data[i] == n)
        return i;
    return (size_t)gumbo_vector_index_of((GumboVector *)v, n);
}

GumboNode *text_walk_next(const GumboNode *root, const GumboNode *n,
                          bool skip_children)
{
    const GumboVector *v = children_of(n);

    if (!skip_children && v && v->length)
        return v->data[0];
    while (n != root && n->parent) {
        size_t i = index_in_parent(n);

        v = children_of(n->parent);
        if (i + 1 < v->length)
            return v->data[i + 1];
        n = n->parent;
    }
    return NULL;
}

GumboNode *text_next_sibling(const GumboNode *n)
{
    const GumboVector *v;
    size_t i;

    if (!n->parent)
        return NULL;
    v = children_of(n->parent);
    i = index_in_parent(n);
    return i + 1 < v->length ? v->data[i + 1] : NULL;
}

int text_value(const GumboNode *node, struct buf *out)
{
    struct text_ws st = { false, false };
    const GumboNode *n = node;

    while (n) {
        bool skip = false;

        if (text_node(n)) {
            if (text_feed(&st, out, n->v.text.text,
                          strlen(n->v.text.text)) < 0)
                return -1;
        } else if (n != node && text_skipped(n)) {
            skip = true;
        }
        n = text_walk_next(node, n, skip);
    }
    return 0;
}

const char *text_tag_name(const GumboNode *n, size_t *len)
{
    const GumboElement *e = &n->v.element;
    GumboStringPiece p;

    if (e->tag != GUMBO_TAG_UNKNOWN) {
        const char *s = gumbo_normalized_tagname(e->tag);
        *len = strlen(s);
        return s;
    }
    p = e->original_tag;
    if (!p.data || p.length < 2 || p.data[0] != '<') {
        *len = 0;
        return "";
    }
    gumbo_tag_from_original_text(&p);
    *len = p.length;
    return p.data;
}
