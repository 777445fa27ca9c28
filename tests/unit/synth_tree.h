/* synth_tree.h: deep gumbo trees built by hand for the unit tests.
 *
 * gumbo's own parser is quadratic on deep nesting (12 s for 100,000
 * levels), so deep trees are built node by node, laid out exactly as
 * gumbo would lay them out. */
#ifndef ZS_SYNTH_TREE_H
#define ZS_SYNTH_TREE_H

#include "common/compat.h"

#include <gumbo.h>

#include "common/util.h"

struct forest {
    GumboNode **nodes;      /* every node, to free them */
    size_t n;               /* entries in nodes */
    size_t cap;             /* room in nodes */
};

static GumboAttribute attr_id = {
    GUMBO_ATTR_NAMESPACE_NONE, "id", { "id", 2 }, "last", { "last", 4 },
    { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }
};

static inline GumboNode *node_add(struct forest *f, GumboNodeType type,
                                  GumboNode *parent, GumboTag tag,
                                  const char *txt)
{
    GumboNode *n = xcalloc(1, sizeof(*n));

    n->type = type;
    n->parent = parent;
    if (type == GUMBO_NODE_ELEMENT) {
        n->v.element.tag = tag;
        n->v.element.tag_namespace = GUMBO_NAMESPACE_HTML;
    } else if (type != GUMBO_NODE_DOCUMENT) {
        n->v.text.text = txt;
    }
    if (parent) {
        GumboVector *v = parent->type == GUMBO_NODE_DOCUMENT ?
                         &parent->v.document.children :
                         &parent->v.element.children;
        v->data = xrealloc(v->data, (v->length + 1) * sizeof(void *));
        n->index_within_parent = v->length;
        v->data[v->length++] = n;
        v->capacity = v->length;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 1024;
        f->nodes = xrealloc(f->nodes, f->cap * sizeof(*f->nodes));
    }
    f->nodes[f->n++] = n;
    return n;
}

static inline void forest_free(struct forest *f)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        GumboNode *n = f->nodes[i];
        if (n->type == GUMBO_NODE_DOCUMENT)
            free(n->v.document.children.data);
        else if (n->type == GUMBO_NODE_ELEMENT) {
            free(n->v.element.children.data);
            free(n->v.element.attributes.data);
        }
        free(n);
    }
    free(f->nodes);
}

/* document > html > body > div ("x", div ("x", ... p#last "end")), depth
 * divs deep. */
static inline GumboNode *deep_tree(struct forest *f, int depth)
{
    GumboNode *doc = node_add(f, GUMBO_NODE_DOCUMENT, NULL, 0, NULL);
    GumboNode *html = node_add(f, GUMBO_NODE_ELEMENT, doc, GUMBO_TAG_HTML,
                               NULL);
    GumboNode *n = node_add(f, GUMBO_NODE_ELEMENT, html, GUMBO_TAG_BODY,
                            NULL);
    int i;

    for (i = 0; i < depth; i++) {
        n = node_add(f, GUMBO_NODE_ELEMENT, n, GUMBO_TAG_DIV, NULL);
        node_add(f, GUMBO_NODE_TEXT, n, 0, "x");
    }
    n = node_add(f, GUMBO_NODE_ELEMENT, n, GUMBO_TAG_P, NULL);
    n->v.element.attributes.data = xmalloc(sizeof(void *));
    n->v.element.attributes.data[0] = &attr_id;
    n->v.element.attributes.length = 1;
    node_add(f, GUMBO_NODE_TEXT, n, 0, "end");
    return doc;
}

#endif
