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

int page_process(const struct rules *r, const struct page_in *in,
                 const struct page_opts *po, struct extract_out *o)
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
    utf8 = decode_to_utf8(in->body, in->len, in->content_type, po->max_bytes,
                          &ulen, &charset);
    if (!utf8) {
        extract_nulls(r, o);
        return ZS_TOO_LARGE;
    }
    opts.max_errors = 0;   /* do not build gumbo's error list */
    opts.allocator = arena_gumbo_alloc;
    opts.deallocator = arena_gumbo_free;
    opts.userdata = &page_arena;
    doc = parse_guarded(&opts, utf8, ulen, po->timeout_ms);
    if (!doc) {
        log_warn("parse limit: '%s' took longer than %ld ms to parse or "
                 "needed more than %zu MB", in->url, po->timeout_ms,
                 PAGE_ARENA_MAX >> 20);
        free(utf8);
        extract_nulls(r, o);
        return ZS_PARSE_LIMIT;
    }
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
