/* page.h: one fetched page -> extraction output: content-type check,
 * charset decoding, gumbo parse, rules.  Pure (no ZeroMQ, no IO); shared by
 * the parser loop and `zscrape try`. */
#ifndef ZS_PAGE_H
#define ZS_PAGE_H

#include "common/compat.h"

#include "parser/extract.h"

struct page_in {
    const char *url;            /* final URL (base for links) */
    const char *content_type;   /* Content-Type header or "" */
    const char *body;           /* raw bytes (not NUL-terminated) */
    size_t len;                 /* body length */
};

/* True when content_type names HTML (or is empty and the body looks like
 * markup). */
bool page_is_html(const char *content_type, const char *body, size_t len);

/* Process one page.  Fills o (fields null on error).  Returns ZS_OK or the
 * error code of the record: ZS_NOT_HTML, ZS_PARSE_LIMIT. */
int page_process(const struct rules *r, const struct page_in *in,
                 size_t max_bytes, struct extract_out *o);

#endif
