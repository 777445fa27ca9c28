/* page.c: decode, parse and extract one page. */
#include "common/compat.h"

#include <ctype.h>
#include <strings.h>

#include "common/log.h"
#include "common/msg.h"
#include "parser/decode.h"
#include "parser/page.h"

bool page_is_html(const char *ct, const char *body, size_t len)
{
    size_t n, i;

    if (!ct || !*ct) {
        for (i = 0; i < len && i < 1024; i++) {
            if (isspace((unsigned char)body[i]))
                continue;
            return body[i] == '<';
        }
        return len == 0;
    }
    while (*ct == ' ')
        ct++;
    n = strcspn(ct, "; \t");
    return (n == 9 && !strncasecmp(ct, "text/html", 9)) ||
           (n == 21 && !strncasecmp(ct, "application/xhtml+xml", 21));
}

int page_process(const struct rules *r, const struct page_in *in,
                 size_t max_bytes, struct extract_out *o)
{
    GumboOptions opts = kGumboDefaultOptions;
    GumboOutput *doc;
    const char *charset;
    size_t ulen;
    char *utf8;
    int rc;

    if (!page_is_html(in->content_type, in->body, in->len)) {
        extract_nulls(r, o);
        return ZS_NOT_HTML;
    }
    utf8 = decode_to_utf8(in->body, in->len, in->content_type, max_bytes,
                          &ulen, &charset);
    if (!utf8) {
        extract_nulls(r, o);
        return ZS_TOO_LARGE;
    }
    opts.max_errors = 0;   /* do not build gumbo's error list */
    doc = gumbo_parse_with_options(&opts, utf8, ulen);
    if (!doc) {
        free(utf8);
        extract_nulls(r, o);
        return ZS_PARSE_LIMIT;
    }
    rc = extract_page(r, doc, in->url, o);
    gumbo_destroy_output(&opts, doc);
    free(utf8);
    if (rc < 0) {
        extract_out_release(o);
        extract_out_init(o);
        extract_nulls(r, o);
        return ZS_PARSE_LIMIT;
    }
    return ZS_OK;
}
