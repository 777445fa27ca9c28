/* text.h: the `text` value of a node and the tree walk every parser module
 * shares.
 *
 * The text value of an element is all its descendant text (text, CDATA and
 * whitespace nodes) except inside script, style and template elements,
 * with runs of ASCII whitespace (space, tab, CR, LF, FF) collapsed to one
 * space and trimmed; a no-break space is not whitespace.  When the element
 * itself is a script, style or template, its own contents count (so
 * `script[type="application/ld+json"]` gives the JSON); nested ones are
 * still skipped.  No walk here recurses: pages nest 100,000 deep. */
#ifndef ZS_TEXT_H
#define ZS_TEXT_H

#include "common/compat.h"

#include <gumbo.h>

#include "common/buf.h"

/* Whitespace collapsing state, fed text piece by piece. */
struct text_ws {
    bool started;   /* a non-space byte has been written */
    bool pending;   /* whitespace seen since the last non-space byte */
};

/* True for the ASCII whitespace bytes that collapse. */
static inline bool text_is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Append s[0..n) to out, collapsed: leading whitespace is dropped, a
 * whitespace run becomes one space written only when more text follows.
 * Returns 0, or -1 when out's cap is hit. */
int text_feed(struct text_ws *st, struct buf *out, const char *s, size_t n);

/* True for a node whose text the text value skips when it is a
 * descendant: script, style (any namespace) and template. */
bool text_skipped(const GumboNode *n);

/* True for text-bearing nodes: text, CDATA and whitespace. */
bool text_node(const GumboNode *n);

/* The next node after n in document order within the subtree of root,
 * not descending into n's children when skip_children is set; NULL at the
 * end.  Uses parent pointers, no stack. */
GumboNode *text_walk_next(const GumboNode *root, const GumboNode *n,
                          bool skip_children);

/* The next sibling node of n (any type), or NULL. */
GumboNode *text_next_sibling(const GumboNode *n);

/* Append the text value of node (an element, the document or a text node;
 * a text node gives its collapsed text) to out.  Returns 0, or -1 when
 * out's cap is hit (out then holds a prefix). */
int text_value(const GumboNode *node, struct buf *out);

/* The tag name of an element: gumbo's normalized name for known tags, the
 * name in the original tag text for unknown ones (in its original case;
 * compare with strncasecmp), "" for an unknown element the parser made up.
 * *len gets the length; the result is not NUL-terminated and is borrowed
 * from the tree or from gumbo's static data. */
const char *text_tag_name(const GumboNode *n, size_t *len);

#endif
