/* page.c: decode, parse and extract one page, within the parse budget.
 *
 * gumbo 0.10 needs quadratic time on deeply nested unclosed tags and
 * cannot be interrupted, so the parse runs under an ITIMER_REAL timer
 * whose SIGALRM handler siglongjmps out of gumbo.  That is safe because
 * gumbo allocates only from our arena (mmap chunks, no locks), and the
 * arena is reset after the jump: nothing leaks, nothing is half-freed. */
#include "common/compat.h"

#include <ctype.h>
#include <setjmp.h>
#include <signal.h>
#include <strings.h>
#include <sys/time.h>

#include "common/log.h"
#include "common/msg.h"
#include "common/util.h"
#include "parser/arena.h"
#include "parser/decode.h"
#include "parser/page.h"

static struct arena page_arena;
static sigjmp_buf parse_jmp;
static volatile sig_atomic_t in_parse;

static void on_parse_alarm(int signo)
{
    (void)signo;
    if (in_parse)
        siglongjmp(parse_jmp, 1);
}

static void on_arena_full(void)
{
    if (in_parse)
        siglongjmp(parse_jmp, 2);
}

void page_init(void)
{
    struct sigaction sa;

    arena_init(&page_arena, PAGE_ARENA_MAX);
    arena_on_overflow = on_arena_full;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_parse_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
}

void page_cleanup(void)
{
    arena_release(&page_arena);
}

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

static void set_timer(long ms)
{
    struct itimerval it;

    memset(&it, 0, sizeof(it));
    it.it_value.tv_sec = ms / 1000;
    it.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer(ITIMER_REAL, &it, NULL);
}

/* Parse under the timer.  NULL on timeout or arena overflow. */
static GumboOutput *parse_guarded(const GumboOptions *opts, const char *s,
                                  size_t n, long timeout_ms)
{
    GumboOutput *volatile doc = NULL;

    if (sigsetjmp(parse_jmp, 1)) {
        in_parse = 0;
        set_timer(0);
        arena_reset(&page_arena);
        return NULL;
    }
    if (timeout_ms > 0)
        set_timer(timeout_ms);
    in_parse = 1;
    doc = gumbo_parse_with_options(opts, s, n);
    in_parse = 0;
    if (timeout_ms > 0)
        set_timer(0);
    return doc;
}

/* Decode in and parse it under the parse budget.  Returns ZS_OK with the
 * tree in *doc (in the arena) and the decoded bytes in *utf8 (caller
 * frees), or an error code with nothing to free. */
static int parse_page(const struct page_in *in, const struct page_opts *po,
                      GumboOutput **doc, char **utf8)
{
    GumboOptions opts = kGumboDefaultOptions;
    const char *charset;
    size_t ulen;

    if (!page_is_html(in->content_type, in->body, in->len))
        return ZS_NOT_HTML;
    *utf8 = decode_to_utf8(in->body, in->len, in->content_type,
                           po->max_bytes, &ulen, &charset);
    if (!*utf8)
        return ZS_TOO_LARGE;
    opts.max_errors = 0;   /* do not build gumbo's error list */
    opts.allocator = arena_gumbo_alloc;
    opts.deallocator = arena_gumbo_free;
    opts.userdata = &page_arena;
    *doc = parse_guarded(&opts, *utf8, ulen, po->timeout_ms);
    if (!*doc) {
        log_warn("parse limit: '%s' took longer than %ld ms to parse or "
                 "needed more than %zu MB", in->url, po->timeout_ms,
                 PAGE_ARENA_MAX >> 20);
        free(*utf8);
        return ZS_PARSE_LIMIT;
    }
    return ZS_OK;
}

int page_process(const struct rules *r, const struct page_in *in,
                 const struct page_opts *po, struct extract_out *o)
{
    GumboOutput *doc;
    char *utf8;
    int rc;

    rc = parse_page(in, po, &doc, &utf8);
    if (rc != ZS_OK) {
        extract_nulls(r, o);
        return rc;
    }
    /* the depth check comes with the selector index extraction builds */
    rc = extract_page_depth(r, doc, in->url, po->max_depth, o);
    if (rc == -2)
        log_warn("parse limit: '%s' nests deeper than %d elements", in->url,
                 po->max_depth);
    /* no gumbo_destroy_output(): the arena frees the tree at once */
    arena_reset(&page_arena);
    free(utf8);
    if (rc < 0) {
        extract_out_release(o);
        extract_out_init(o);
        extract_nulls(r, o);
        return ZS_PARSE_LIMIT;
    }
    return ZS_OK;
}

/* Deepest element nesting under the document (its children are 2, as
 * select_doc_depth() counts), walked with an explicit stack. */
static size_t tree_depth(const GumboNode *root)
{
    size_t cap = 64, depth = 1, max = 0;
    const GumboNode **node = xmalloc(cap * sizeof(*node));
    size_t *child = xmalloc(cap * sizeof(*child));

    node[0] = root;
    child[0] = 0;
    while (depth) {
        const GumboNode *n = node[depth - 1];
        const GumboVector *v = n->type == GUMBO_NODE_DOCUMENT ?
                               &n->v.document.children :
                               &n->v.element.children;
        const GumboNode *c;

        if (child[depth - 1] >= v->length) {
            depth--;
            continue;
        }
        c = v->data[child[depth - 1]++];
        if (c->type != GUMBO_NODE_ELEMENT && c->type != GUMBO_NODE_TEMPLATE)
            continue;
        if (depth == cap) {
            cap *= 2;
            node = xrealloc(node, cap * sizeof(*node));
            child = xrealloc(child, cap * sizeof(*child));
        }
        node[depth] = c;
        child[depth++] = 0;
        if (depth > max)
            max = depth;
    }
    free(node);
    free(child);
    return max;
}

int page_parse_only(const struct page_in *in, const struct page_opts *po)
{
    GumboOutput *doc;
    char *utf8;
    int rc;

    rc = parse_page(in, po, &doc, &utf8);
    if (rc != ZS_OK)
        return rc;
    if (po->max_depth > 0 &&
        tree_depth(doc->document) > (size_t)po->max_depth)
        rc = ZS_PARSE_LIMIT;
    arena_reset(&page_arena);
    free(utf8);
    return rc;
}
