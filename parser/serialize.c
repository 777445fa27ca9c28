/* serialize.c: inner HTML from gumbo's tree. */
#include "common/compat.h"

#include "parser/serialize.h"
#include "parser/text.h"

static bool is_element(const GumboNode *n)
{
    return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE;
}

static bool is_void(const GumboNode *n)
{
    if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return false;
    switch (n->v.element.tag) {
    case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND: case GUMBO_TAG_BR: case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_FRAME: case GUMBO_TAG_HR:
    case GUMBO_TAG_IMG: case GUMBO_TAG_INPUT: case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_LINK: case GUMBO_TAG_META: case GUMBO_TAG_PARAM:
    case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK: case GUMBO_TAG_WBR:
        return true;
    default:
        return false;
    }
}

/* Text under these parents is written as is. */
static bool is_raw_parent(const GumboNode *p)
{
    if (!p || !is_element(p) ||
        p->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return false;
    switch (p->v.element.tag) {
    case GUMBO_TAG_STYLE: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_XMP:
    case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_PLAINTEXT:
        return true;
    default:
        return false;
    }
}

/* Append s with &, nbsp, and (attr ? " : < >) escaped. */
static int put_escaped(struct buf *out, const char *s, bool attr)
{
    const char *run = s;

    for (; *s; s++) {
        const char *rep = NULL;
        size_t skip = 1;

        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '"': rep = attr ? "&quot;" : NULL; break;
        case '<': rep = attr ? NULL : "&lt;"; break;
        case '>': rep = attr ? NULL : "&gt;"; break;
        case '\xc2':
            if (s[1] == '\xa0') {
                rep = "&nbsp;";
                skip = 2;
            }
            break;
        default: break;
        }
        if (!rep)
            continue;
        if (buf_add(out, run, (size_t)(s - run)) < 0 ||
            buf_addstr(out, rep) < 0)
            return -1;
        s += skip - 1;
        run = s + 1;
    }
    return buf_addstr(out, run);
}

/* The element's name as serialized: lower case, SVG camel case kept. */
static int put_name(struct buf *out, const GumboNode *n)
{
    size_t len, i;
    const char *name = text_tag_name(n, &len);

    if (n->v.element.tag_namespace == GUMBO_NAMESPACE_SVG &&
        n->v.element.original_tag.length) {
        GumboStringPiece p = n->v.element.original_tag;
        const char *fixed;
        gumbo_tag_from_original_text(&p);
        fixed = gumbo_normalize_svg_tagname(&p);
        if (fixed)
            return buf_addstr(out, fixed);
    }
    for (i = 0; i < len; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (buf_addch(out, c) < 0)
            return -1;
    }
    return 0;
}

static int put_start(struct buf *out, const GumboNode *n)
{
    static const char *const pfx[] = { "", "xlink:", "xml:", "xmlns:" };
    const GumboVector *v = &n->v.element.attributes;
    size_t i;

    if (buf_addch(out, '<') < 0 || put_name(out, n) < 0)
        return -1;
    for (i = 0; i < v->length; i++) {
        const GumboAttribute *a = v->data[i];
        const char *p = pfx[a->attr_namespace & 3];
        if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_XMLNS &&
            !strcmp(a->name, "xmlns"))
            p = "";
        if (buf_addch(out, ' ') < 0 || buf_addstr(out, p) < 0 ||
            buf_addstr(out, a->name) < 0 || buf_addstr(out, "=\"") < 0 ||
            put_escaped(out, a->value, true) < 0 || buf_addch(out, '"') < 0)
            return -1;
    }
    return buf_addch(out, '>');
}

static int put_end(struct buf *out, const GumboNode *n)
{
    if (buf_addstr(out, "</") < 0 || put_name(out, n) < 0)
        return -1;
    return buf_addch(out, '>');
}

static const GumboVector *kids(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (is_element(n))
        return &n->v.element.children;
    return NULL;
}

int serialize_inner(const GumboNode *node, struct buf *out)
{
    const GumboVector *v = kids(node);
    const GumboNode *n = v && v->length ? v->data[0] : NULL;

    while (n) {
        if (is_element(n)) {
            if (put_start(out, n) < 0)
                return -1;
            if (!is_void(n) && n->v.element.children.length) {
                n = n->v.element.children.data[0];
                continue;
            }
            if (!is_void(n) && put_end(out, n) < 0)
                return -1;
        } else if (n->type == GUMBO_NODE_COMMENT) {
            if (buf_addstr(out, "<!--") < 0 ||
                buf_addstr(out, n->v.text.text) < 0 ||
                buf_addstr(out, "-->") < 0)
                return -1;
        } else if (text_node(n)) {
            if (is_raw_parent(n->parent) ?
                buf_addstr(out, n->v.text.text) < 0 :
                put_escaped(out, n->v.text.text, false) < 0)
                return -1;
        }
        for (;;) {
            const GumboNode *next = text_next_sibling(n);
            if (next) {
                n = next;
                break;
            }
            n = n->parent;
            if (!n || n == node) {
                n = NULL;
                break;
            }
            if (put_end(out, n) < 0)
                return -1;
        }
    }
    return 0;
}
