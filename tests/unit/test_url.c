/* test_url.c: common/url.c, normalization, resolution and hosts. */
#include "common/compat.h"

#include "common/buf.h"
#include "common/url.h"
#include "tests/unit/test.h"

/* url_normalize(in) must give want. */
static void norm_is(const char *in, const char *want)
{
    const char *why = "unset";
    char *got = url_normalize(in, &why);

    CHECK_STR(got, want);
    if (!got)
        fprintf(stderr, "  '%s' refused: %s\n", in, why ? why : "(null)");
    else
        CHECK(why == NULL);
    free(got);
}

/* url_normalize(in) must refuse, with a reason containing word. */
static void norm_refused(const char *in, const char *word)
{
    const char *why = NULL;
    char *got = url_normalize(in, &why);

    CHECK_STR(got, NULL);
    CHECK(why != NULL && *why);
    if (why && word && !strstr(why, word)) {
        fprintf(stderr, "  '%s': reason '%s' lacks '%s'\n", in, why, word);
        CHECK(strstr(why, word) != NULL);
    }
    free(got);
}

/* Two spellings normalize to the same string. */
static void norm_same(const char *a, const char *b)
{
    const char *why;
    char *x = url_normalize(a, &why), *y = url_normalize(b, &why);

    CHECK(x != NULL);
    CHECK_STR(x, y);
    free(x);
    free(y);
}

static void test_normalize(void)
{
    /* RFC 3986 section 6.2.2: case, percent-encoding, dot segments */
    norm_is("HTTP://www.Example.com:80/a/./b/../c/%7Efoo",
            "http://www.example.com/a/c/~foo");
    norm_same("HTTP://www.Example.com:80/a/./b/../c/%7Efoo",
              "http://www.example.com/a/c/~foo");
    norm_same("http://example.com/%7e", "http://EXAMPLE.com:80/~");
    norm_same("https://example.com:443", "https://example.com/");
    /* default ports only are dropped */
    norm_is("http://example.com:80/", "http://example.com/");
    norm_is("https://example.com:443/", "https://example.com/");
    norm_is("http://example.com:443/", "http://example.com:443/");
    norm_is("https://example.com:80/", "https://example.com:80/");
    norm_is("http://example.com:8080", "http://example.com:8080/");
    norm_is("http://example.com:/a", "http://example.com/a");
    /* empty path is "/"; the fragment goes */
    norm_is("http://example.com", "http://example.com/");
    norm_is("http://example.com?q", "http://example.com/?q");
    norm_is("http://example.com/p#frag", "http://example.com/p");
    norm_is("http://example.com/p?q=1#frag", "http://example.com/p?q=1");
    norm_is("http://example.com/#", "http://example.com/");
    norm_is("http://example.com/?", "http://example.com/");
    /* unreserved characters decoded, the rest upper-case hex */
    norm_is("http://example.com/%41%5a%61%7A%30%2D%2E%5F%7E",
            "http://example.com/AZaz0-._~");
    norm_is("http://example.com/a%3ab?c=%3a&d=%7e%2f",
            "http://example.com/a%3Ab?c=%3A&d=~%2F");
    norm_is("http://example.com/%c3%a9", "http://example.com/%C3%A9");
    norm_is("http://example.com/a/%2F/b", "http://example.com/a/%2F/b");
    /* a stray '%' is encoded */
    norm_is("http://example.com/100%/%zz%4", "http://example.com/100%25/"
            "%25zz%254");
    /* spaces, quotes and non-ASCII bytes are encoded, in path and query */
    norm_is("http://example.com/a b/\xc3\xa9?q=a b\"<>",
            "http://example.com/a%20b/%C3%A9?q=a%20b%22%3C%3E");
    /* dot segments, also those percent-decoding makes */
    norm_is("http://example.com/../../a/./b/..", "http://example.com/a/");
    norm_is("http://example.com/a/%2e%2E/b", "http://example.com/b");
    norm_is("http://example.com/a/%2E/b/%2e", "http://example.com/a/b/");
    norm_is("http://example.com/a/.../b", "http://example.com/a/.../b");
    norm_is("http://example.com/a?b=../c", "http://example.com/a?b=../c");
    norm_is("http://example.com//a//", "http://example.com//a//");
    /* host lower case, user info kept; IPv6 */
    norm_is("https://User:PW@WWW.EXAMPLE.COM/X", "https://User:PW@"
            "www.example.com/X");
    norm_is("http://[::1]:80/x", "http://[::1]/x");
    norm_is("http://[::1]:8080", "http://[::1]:8080/");
    norm_is("http://127.0.0.1:8080/", "http://127.0.0.1:8080/");
    /* surrounding whitespace and embedded tab/CR/LF are dropped */
    norm_is("  \thttp://example.com/a\n/b\r\n  ", "http://example.com/a/b");
    /* a backslash in the path is a slash, as browsers read it */
    norm_is("http://example.com/a\\b?c\\d", "http://example.com/a/b?c%5Cd");
    /* idempotent */
    norm_same("http://example.com/a%20b/%C3%A9?q=~",
              "http://example.com/a b/\xc3\xa9?q=%7E");

    norm_refused("", "empty");
    norm_refused("   \n ", "empty");
    norm_refused("example.com/page", "scheme");
    norm_refused("/relative/path", "scheme");
    norm_refused("//example.com/", "scheme");
    norm_refused("mailto:someone@example.com", "scheme");
    norm_refused("javascript:alert(1)", "scheme");
    norm_refused("ftp://example.com/file", "scheme");
    norm_refused("file:///etc/passwd", "scheme");
    norm_refused("data:text/html,hi", "scheme");
    norm_refused("http:example.com/x", "//");
    norm_refused("http://", NULL);
    norm_refused("https://", NULL);
    norm_is("http:///path", "http://path/");   /* as browsers read it */
    norm_refused("http://exa mple.com/", NULL);
    norm_refused("http://example.com:99999/", NULL);
    norm_refused("http://example.com:port/", NULL);
    norm_refused("\x01\xff\xfe\x80", NULL);
    norm_refused("\xff://example.com/", NULL);
    norm_refused("ht tp://example.com/", NULL);
    {
        /* far too long */
        static char big[70 * 1024];
        memset(big, 'a', sizeof(big) - 1);
        memcpy(big, "http://example.com/", 19);
        norm_refused(big, "long");
    }
}

/* url_resolve(base, ref) must give want. */
static void res_is(const char *base, const char *ref, const char *want)
{
    char *got = url_resolve(base, ref);

    if (!(got == NULL && want == NULL) &&
        (!got || !want || strcmp(got, want)))
        fprintf(stderr, "  resolving '%s' against '%s'\n", ref, base);
    CHECK_STR(got, want);
    free(got);
}

static void test_resolve(void)
{
    const char *b = "http://example.com/dir/page.html?x=1#top";

    res_is(b, "other.html", "http://example.com/dir/other.html");
    res_is(b, "./other.html", "http://example.com/dir/other.html");
    res_is(b, "sub/a.html", "http://example.com/dir/sub/a.html");
    res_is(b, "../up.html", "http://example.com/up.html");
    res_is(b, "../../../../x", "http://example.com/x");
    res_is(b, ".", "http://example.com/dir/");
    res_is(b, "..", "http://example.com/");
    res_is(b, "/abs/path", "http://example.com/abs/path");
    res_is(b, "//cdn.example.org/lib.js", "http://cdn.example.org/lib.js");
    res_is("https://example.com/", "//cdn.example.org/x",
           "https://cdn.example.org/x");
    res_is(b, "?q=2", "http://example.com/dir/page.html?q=2");
    /* the fragment is kept; a bare fragment keeps path and query */
    res_is(b, "#frag", "http://example.com/dir/page.html?x=1#frag");
    res_is(b, "other.html#sec", "http://example.com/dir/other.html#sec");
    res_is("http://example.com/", "#a", "http://example.com/#a");
    /* absolute URLs, another host */
    res_is(b, "https://other.org/a?b#c", "https://other.org/a?b#c");
    res_is(b, "HTTP://Other.ORG", "http://Other.ORG/");
    /* whitespace around and tab/CR/LF inside an href */
    res_is(b, "  \t sub/page.html \n ", "http://example.com/dir/sub/"
           "page.html");
    res_is(b, "a\nb.ht\r\nml", "http://example.com/dir/ab.html");
    res_is(b, "\n  /x\n", "http://example.com/x");
    res_is(b, "a b.html", "http://example.com/dir/a%20b.html");
    res_is(b, "\xc3\xa9.html", "http://example.com/dir/%C3%A9.html");
    res_is(b, "..\\c.html", "http://example.com/c.html");
    res_is(b, "http:other.html", "http://example.com/dir/other.html");
    /* other schemes are absolute already */
    res_is(b, "mailto:a@example.com", "mailto:a@example.com");
    res_is(b, " javascript:void(0) ", "javascript:void(0)");
    res_is(b, "ftp://f.example.org/x", "ftp://f.example.org/x");
    /* nothing to resolve */
    res_is(b, "", NULL);
    res_is(b, " \n\t ", NULL);
    res_is(b, "http://", NULL);
    res_is(b, "//", NULL);
    res_is("not a url", "x.html", NULL);
}

/* Cases in the shape of the WHATWG URL test data (urltestdata.json:
 * input, base, href) for what libcurl 7.88 does differently and url.c
 * handles around it (issue #14): empty query and fragment kept,
 * non-ASCII bytes and the userinfo set percent-encoded in the userinfo,
 * a scheme-only reference.  RFC 3986 differences (IDNA, IPv4 forms, a
 * path's own percent-encode set) are set aside. */
struct whatwg_case {
    const char *input;          /* the reference */
    const char *base;           /* the URL it is resolved against */
    const char *href;           /* the result; NULL: failure */
};

static void test_whatwg(void)
{
    static const struct whatwg_case cases[] = {
        /* empty query and fragment (12) */
        { "http://example.org/test?#", "http://other.com/",
          "http://example.org/test?#" },
        { "http://example.org/test?", "http://other.com/",
          "http://example.org/test?" },
        { "http://example.org/test#", "http://other.com/",
          "http://example.org/test#" },
        { "?", "http://example.org/foo/bar", "http://example.org/foo/bar?" },
        { "#", "http://example.org/foo/bar", "http://example.org/foo/bar#" },
        { "?#", "http://example.org/foo/bar",
          "http://example.org/foo/bar?#" },
        { "test?#", "http://example.org/foo/bar",
          "http://example.org/foo/test?#" },
        { "#", "http://example.org/foo/bar?q",
          "http://example.org/foo/bar?q#" },
        { "?#x", "http://example.org/foo/bar?q",
          "http://example.org/foo/bar?#x" },
        { "??a=b&c=d", "http://example.org/foo/bar",
          "http://example.org/foo/bar??a=b&c=d" },
        { "/x?", "https://example.org/a", "https://example.org/x?" },
        /* the base's empty query stays with a path-less reference */
        { "#f", "http://example.org/foo/bar?",
          "http://example.org/foo/bar?#f" },
        /* userinfo (13) */
        { "http://foo:\xf0\x9f\x92\xa9@example.com/bar", "http://other.com/",
          "http://foo:%F0%9F%92%A9@example.com/bar" },
        { "http://\xc3\xa9@example.com/", "http://other.com/",
          "http://%C3%A9@example.com/" },
        { "http://&a:foo(b]c@d:2/", "http://example.org/foo/bar",
          "http://&a:foo(b%5Dc@d:2/" },
        { "http://::@c@d:2", "http://example.org/foo/bar",
          "http://:%3A%40c@d:2/" },
        { "http://us er:p w@example.com/", "http://other.com/",
          "http://us%20er:p%20w@example.com/" },
        { "//\xc3\xa9:x@example.com/p", "https://other.com/",
          "https://%C3%A9:x@example.com/p" },
        /* a scheme-only reference (14) */
        { "http:", "http://example.org/foo/bar", "http://example.org/foo/bar" },
        { "http:", "http://example.org/foo/bar?q#f",
          "http://example.org/foo/bar?q" },
        { "HTTP:", "http://example.org/foo/bar", "http://example.org/foo/bar" },
        { "https:", "https://example.org/foo/bar",
          "https://example.org/foo/bar" },
        { "http:", "https://example.org/foo/bar", NULL },
        { "http:#x", "http://example.org/foo/bar",
          "http://example.org/foo/bar#x" },
        { "http:?y", "http://example.org/foo/bar",
          "http://example.org/foo/bar?y" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++)
        res_is(cases[i].base, cases[i].input, cases[i].href);
}

/* The fast resolver, asked for a field's URL (keep_fragment), keeps an
 * empty query and fragment; for the frontier (no fragment) it drops both,
 * and a link's empty query and fragment are dropped by url_normalize. */
static void test_fast_empty_parts(void)
{
    static const char *const want_field[][2] = {
        { "test?#", "http://example.org/foo/test?#" },
        { "test?", "http://example.org/foo/test?" },
        { "test#", "http://example.org/foo/test#" },
        { "?#", "http://example.org/foo/bar?#" },
        { "#", "http://example.org/foo/bar#" },
        { "/a?b#", "http://example.org/a?b#" },
    };
    struct url_base b;
    struct buf out;
    const char *why;
    char *n;
    size_t i;

    CHECK(url_base_init(&b, "http://example.org/foo/bar") == 0);
    buf_init(&out, 1 << 16);
    for (i = 0; i < ARRAY_SIZE(want_field); i++) {
        buf_reset(&out);
        CHECK_INT(url_base_resolve(&b, want_field[i][0],
                                   strlen(want_field[i][0]), true, &out), 0);
        CHECK_STR(out.data, want_field[i][1]);
    }
    buf_reset(&out);
    CHECK_INT(url_base_resolve(&b, "test?#", 6, false, &out), 0);
    CHECK_STR(out.data, "http://example.org/foo/test");
    buf_release(&out);
    url_base_release(&b);
    n = url_normalize("http://example.org/test?#", &why);
    CHECK_STR(n, "http://example.org/test");
    free(n);
    /* the seen set's form keeps the encoded userinfo */
    n = url_normalize("http://\xc3\xa9@Example.com/", &why);
    CHECK_STR(n, "http://%C3%A9@example.com/");
    free(n);
}

static void test_host(void)
{
    char *h;

    h = url_host("HTTP://WWW.Example.COM:8080/x?y#z");
    CHECK_STR(h, "www.example.com");
    free(h);
    h = url_host("https://user:pw@example.org/");
    CHECK_STR(h, "example.org");
    free(h);
    h = url_host("http://[::1]:80/");
    CHECK_STR(h, "[::1]");
    free(h);
    h = url_host("http://127.0.0.1/");
    CHECK_STR(h, "127.0.0.1");
    free(h);
    h = url_host("no host here");
    CHECK_STR(h, NULL);
    h = url_host("");
    CHECK_STR(h, NULL);

    CHECK(url_is_http("http://x/"));
    CHECK(url_is_http("HTTPS://x/"));
    CHECK(!url_is_http("ftp://x/"));
    CHECK(!url_is_http("http:x"));
    CHECK(!url_is_http(""));
}

/* The fast resolver must give what the general path gives: url_resolve
 * then url_normalize (fragment dropped), or decline with -1. */
static void check_fast(const char *base, const char *ref)
{
    struct url_base b;
    struct buf out;
    const char *why;
    char *slow_r, *slow;
    int rc;

    CHECK(url_base_init(&b, base) == 0);
    buf_init(&out, 1 << 16);
    rc = url_base_resolve(&b, ref, strlen(ref), false, &out);
    slow_r = url_resolve(base, ref);
    slow = slow_r ? url_normalize(slow_r, &why) : NULL;
    if (rc == 0) {
        if (!slow || strcmp(out.data, slow))
            fprintf(stderr, "base '%s' ref '%s': fast '%s' slow '%s'\n",
                    base, ref, out.data, slow ? slow : "(null)");
        CHECK(slow && !strcmp(out.data, slow));
    } else {
        CHECK_INT(out.len, 0);
    }
    free(slow);
    free(slow_r);
    buf_release(&out);
    url_base_release(&b);
}

static void test_fast_resolve(void)
{
    static const char *const bases[] = {
        "http://a/b/c/d;p?q",
        "https://Example.COM:443/dir/page.html#top",
        "http://h:8080",
        "http://h/only/",
        "http://h/%7euser/x.html?a=%3a",
    };
    static const char *const refs[] = {
        "g", "./g", "g/", "/g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x",
        "g;x", "g;x?y#s", "", ".", "./", "..", "../", "../g", "../..",
        "../../", "../../g", "../../../g", "../../../../g", "/./g",
        "/../g", "g.", ".g", "g..", "..g", "./../g", "./g/.", "g/./h",
        "g/../h", "g;x=1/./y", "g;x=1/../y", "  spaced.html  ",
        "%7Efoo", "a%2fb", "a%2e%2e/b", "%2e%2e/x", "q?a=%7e&b=%3A",
        "x.html?", "?", "#", "page.html#", "/abs/path?x=1#f",
        "g:h", "http:g", "//g", "mailto:a@b", "a b", "caf\xc3\xa9",
        "%zz", "100%", "a\\b", "javascript:void(0)",
    };
    size_t i, j;
    struct url_base b;
    struct buf out;

    for (i = 0; i < ARRAY_SIZE(bases); i++)
        for (j = 0; j < ARRAY_SIZE(refs); j++)
            check_fast(bases[i], refs[j]);
    /* the fragment, when asked for, and declines */
    CHECK(url_base_init(&b, "http://h/a/b.html") == 0);
    buf_init(&out, 1 << 16);
    CHECK_INT(url_base_resolve(&b, "c.html#x", 8, true, &out), 0);
    CHECK_STR(out.data, "http://h/a/c.html#x");
    buf_reset(&out);
    CHECK_INT(url_base_resolve(&b, "mailto:x", 8, true, &out), -1);
    CHECK_INT(url_base_resolve(&b, "//other/x", 9, true, &out), -1);
    CHECK_INT(url_base_resolve(&b, "%zz", 3, true, &out), -1);
    CHECK_INT(out.len, 0);
    buf_release(&out);
    url_base_release(&b);
    CHECK(url_base_init(&b, "ftp://h/") < 0);
}

int main(void)
{
    test_normalize();
    test_resolve();
    test_whatwg();
    test_fast_empty_parts();
    test_host();
    test_fast_resolve();
    return TEST_DONE();
}
