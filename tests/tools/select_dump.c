/* select_dump: print what CSS selectors match in HTML files, one line a
 * match, for the differential test (tests/t0300-css-differential.sh).
 *
 *   select_dump -s SELECTORS_FILE PAGE.html...
 *   select_dump SELECTOR PAGE.html...
 *
 * For each page and selector: a line "== PAGE<TAB>N" (N: the selector's
 * 0-based line in SELECTORS_FILE), then one line a match:
 *   element:  TAG<TAB>ATTRS<TAB>TEXT   (ATTRS: name="value" joined by
 *             spaces, in source order; TEXT: the `text` value)
 *   ::text:   #text<TAB><TAB>RAW
 *   ::attr(): @NAME<TAB><TAB>VALUE
 * Tabs, newlines, CRs, quotes and backslashes are escaped with '\'.
 * A selector that does not compile prints "!! message at offset" as its
 * only line.  Exit status 0, or 2 on bad usage or an unreadable file. */
#include "common/compat.h"

#include <ctype.h>

#include "common/buf.h"
#include "common/util.h"
#include "parser/select.h"
#include "parser/text.h"

#define DUMP_MAX_FILE (64u << 20)

static void put_esc(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];
        switch (c) {
        case '\t': fputs("\\t", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        default: putchar(c); break;
        }
    }
}

static void put_lower(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        putchar(tolower((unsigned char)s[i]));
}

static int on_match(const struct select_match *m, void *ctx)
{
    struct buf t;
    size_t len, i;
    const char *name;
    const GumboVector *v;

    (void)ctx;
    if (m->attr) {
        putchar('@');
        fputs(m->attr->name, stdout);
        fputs("\t\t", stdout);
        put_esc(m->attr->value, strlen(m->attr->value));
        putchar('\n');
        return 0;
    }
    if (m->node->type != GUMBO_NODE_ELEMENT &&
        m->node->type != GUMBO_NODE_TEMPLATE) {
        fputs("#text\t\t", stdout);
        put_esc(m->node->v.text.text, strlen(m->node->v.text.text));
        putchar('\n');
        return 0;
    }
    name = text_tag_name(m->node, &len);
    put_lower(name, len);
    putchar('\t');
    v = &m->node->v.element.attributes;
    for (i = 0; i < v->length; i++) {
        const GumboAttribute *a = v->data[i];
        if (i)
            putchar(' ');
        fputs(a->name, stdout);
        fputs("=\"", stdout);
        put_esc(a->value, strlen(a->value));
        putchar('"');
    }
    putchar('\t');
    buf_init(&t, DUMP_MAX_FILE);
    text_value(m->node, &t);
    put_esc(t.data ? t.data : "", t.len);
    buf_release(&t);
    putchar('\n');
    return 0;
}

/* Read a whole file; caller frees; NULL on error. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[65536];
    size_t n;

    if (!f)
        return NULL;
    buf_init(&b, DUMP_MAX_FILE);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_add(&b, chunk, n) < 0) {
            fclose(f);
            buf_release(&b);
            return NULL;
        }
    fclose(f);
    return buf_detach(&b, len);
}

int main(int argc, char **argv)
{
    char **sels = NULL, *list = NULL;
    int nsel = 0, first = 2, i, j;
    GumboOptions opts = kGumboDefaultOptions;

    opts.max_errors = 0;   /* as parser/page.c */
    if (argc >= 3 && !strcmp(argv[1], "-s")) {
        size_t len;
        char *p, *nl;
        list = slurp(argv[2], &len);
        if (!list) {
            fprintf(stderr, "select_dump: cannot read '%s'\n", argv[2]);
            return 2;
        }
        for (p = list; *p; p = nl + 1) {
            nl = strchr(p, '\n');
            sels = xrealloc(sels, (size_t)(nsel + 1) * sizeof(*sels));
            sels[nsel++] = p;
            if (!nl)
                break;
            *nl = '\0';
        }
        first = 3;
    } else if (argc >= 2) {
        sels = xmalloc(sizeof(*sels));
        sels[nsel++] = argv[1];
    } else {
        fprintf(stderr, "usage: select_dump (-s FILE | SELECTOR) "
                "PAGE...\n");
        return 2;
    }
    for (i = first; i < argc; i++) {
        size_t len;
        char *html = slurp(argv[i], &len);
        GumboOutput *doc;
        struct select_doc *d;

        if (!html) {
            fprintf(stderr, "select_dump: cannot read '%s'\n", argv[i]);
            return 2;
        }
        doc = gumbo_parse_with_options(&opts, html, len);
        d = select_doc_new(doc->document);
        for (j = 0; j < nsel; j++) {
            char err[256];
            size_t pos = 0;
            struct select *s = select_compile(sels[j], strlen(sels[j]),
                                              err, sizeof(err), &pos);
            printf("== %s\t%d\n", argv[i], j);
            if (!s) {
                printf("!! %s at %zu\n", err, pos);
                continue;
            }
            select_run(s, d, on_match, NULL);
            select_free(s);
        }
        select_doc_free(d);
        gumbo_destroy_output(&opts, doc);
        free(html);
    }
    free(sels);
    free(list);
    return 0;
}
