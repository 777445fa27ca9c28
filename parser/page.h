/* page.h: one fetched page -> extraction output: content-type check,
 * charset decoding, gumbo parse (in an arena, under a timer), rules.  No
 * ZeroMQ, no IO; shared by the parser loop, `zscrape try` and the parse
 * benchmark.  One page at a time per process (the parse timer is
 * process-wide). */
#ifndef ZS_PAGE_H
#define ZS_PAGE_H

#include "common/compat.h"

#include "parser/extract.h"

#define PAGE_DEFAULT_TIMEOUT_MS 5000
#define PAGE_DEFAULT_MAX_DEPTH 10000
#define PAGE_ARENA_MAX ((size_t)2 << 30)

struct page_in {
    const char *url;            /* final URL (base for links) */
    const char *content_type;   /* Content-Type header or "" */
    const char *body;           /* raw bytes (not NUL-terminated) */
    size_t len;                 /* body length */
};

struct page_opts {
    size_t max_bytes;           /* cap on the decoded page */
    long timeout_ms;            /* parse timer (0: none) */
    int max_depth;              /* deepest element nesting accepted */
};

/* Set up the parse arena and timer; call once before page_process. */
void page_init(void);
void page_cleanup(void);

/* True when content_type names HTML (or is empty and the body looks like
 * markup). */
bool page_is_html(const char *content_type, const char *body, size_t len);

/* Process one page.  Fills o (fields null on error).  Returns ZS_OK or the
 * error code of the record: ZS_NOT_HTML, ZS_TOO_LARGE (decoded size),
 * ZS_PARSE_LIMIT (timer, depth, arena cap). */
int page_process(const struct rules *r, const struct page_in *in,
                 const struct page_opts *opts, struct extract_out *o);

/* The parse alone, under the same guard (decode, arena, timer, depth
 * check), the tree freed at once: what page_process costs before the
 * rules, for the parse benchmark.  Returns what page_process would for a
 * page that fails before extraction, else ZS_OK. */
int page_parse_only(const struct page_in *in, const struct page_opts *po);

#endif
