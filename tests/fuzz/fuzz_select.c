/* fuzz_select.c: libFuzzer harness for the selector compiler and matcher.
 *
 * Input: a selector, optionally followed by a NUL byte and an HTML page.
 * The selector is compiled; when it compiles, it runs over a fixed page
 * covering every feature and over the page from the input (when given).
 * Crashes, leaks and sanitizer reports are the findings.  `make fuzz`. */
#include "common/compat.h"

#include <gumbo.h>

#include "parser/select.h"
#include "parser/text.h"

static const char fixed_page[] =
    "<!DOCTYPE html><html lang=en><head><title>t</title>"
    "<style>p{}</style></head><body class='a b'>"
    "<div id=x class=c data-k='V v'><p>one <b>two</b> three</p><p></p>"
    "<p> </p><!-- c --><my-el x=1>m</my-el><MyTag>t</MyTag>"
    "<template><i>in</i></template><script>s</script></div>"
    "<ul><li>1</li><li class=o>2</li><li>3</li><li>4</li></ul>"
    "<svg viewBox='0 0 1 1'><circle r=1 /><title>s</title></svg>"
    "<a href='/x#y' rel='next nofollow' lang=en-US>l</a>"
    "<table><tr><td>1</td><td>2</td></tr></table></body></html>";

static int on_match(const struct select_match *m, void *ctx)
{
    size_t *n = ctx, len;

    /* touch what a caller would read */
    if (m->attr)
        *n += strlen(m->attr->value);
    else if (m->node->type == GUMBO_NODE_ELEMENT ||
             m->node->type == GUMBO_NODE_TEMPLATE)
        *n += (size_t)(text_tag_name(m->node, &len) != NULL) + len;
    else
        *n += strlen(m->node->v.text.text);
    return 0;
}

static void run_on(const struct select *s, const char *html, size_t len)
{
    GumboOptions opts = kGumboDefaultOptions;
    GumboOutput *g;
    struct select_doc *d;
    size_t n = 0;

    opts.max_errors = 0;
    g = gumbo_parse_with_options(&opts, html, len);
    if (!g)
        return;
    d = select_doc_new(g->document);
    select_run(s, d, on_match, &n);
    select_doc_free(d);
    gumbo_destroy_output(&opts, g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nul = memchr(in, '\0', size);
    size_t slen = nul ? (size_t)(nul - in) : size;
    char err[256];
    size_t pos = 0;
    struct select *s = select_compile(in, slen, err, sizeof(err), &pos);

    if (!s) {
        if (pos > slen || !err[0])
            abort();    /* an error must point inside the input */
        return 0;
    }
    run_on(s, fixed_page, sizeof(fixed_page) - 1);
    if (nul)
        run_on(s, nul + 1, size - slen - 1);
    select_free(s);
    return 0;
}
