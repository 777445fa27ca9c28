/* test_extract.c: page -> record fields and follow list, with the default
 * rules and with rule files: every value kind, URL resolution, nulls, the
 * caps, and trees too deep for recursion. */
#include "common/compat.h"

#include "common/buf.h"
#include "common/util.h"
#include "parser/extract.h"
#include "parser/rules.h"
#include "parser/serialize.h"
#include "synth_tree.h"
#include "test.h"

#define URL "http://ex.com/dir/page.html?q=1#top"

/* Run the rules (text; NULL: the defaults) over html at URL; returns the
 * fields as "name=json" joined by newlines, then "follow:" and the follow
 * URLs joined by spaces, or "ERR ..." ; caller frees. */
static char *run(const char *rules_text, const char *html)
{
    GumboOptions opts = kGumboDefaultOptions;
    struct rules *r = NULL;
    struct extract_out o;
    GumboOutput *g;
    struct buf b;
    char err[256];
    size_t i;
    int k, rc;

    buf_init(&b, 256u << 20);
    if (rules_text) {
        r = rules_parse(rules_text, strlen(rules_text), "t.rules", err,
                        sizeof(err));
        if (!r) {
            buf_printf(&b, "ERR %s", err);
            return buf_detach(&b, NULL);
        }
    }
    opts.max_errors = 0;
    g = gumbo_parse_with_options(&opts, html, strlen(html));
    extract_out_init(&o);
    rc = extract_page(r, g, URL, &o);
    if (rc < 0)
        buf_addstr(&b, "ERR cap\n");
    for (k = 0; k < o.nfields; k++)
        buf_printf(&b, "%s=%s\n", o.fields[k].name,
                   o.fields[k].json.data ? o.fields[k].json.data : "");
    buf_addstr(&b, "follow:");
    for (i = 0; i < o.follow.len; i += strlen(o.follow.data + i) + 1)
        buf_printf(&b, " %s", o.follow.data + i);
    extract_out_release(&o);
    gumbo_destroy_output(&opts, g);
    rules_free(r);
    return buf_detach(&b, NULL);
}

#define RUN(rules, html, want) do { \
    char *got_ = run(rules, html); \
    CHECK_STR(got_, want); \
    free(got_); } while (0)

static void test_defaults(void)
{
    RUN(NULL,
        "<html><head><title>\n  Hello \t world&nbsp;!\n</title></head>"
        "<body><a href='a.html#f'>a</a> <a href=''>self</a>"
        "<a href='mailto:x@y.z'>m</a><a>no href</a>"
        "<a href='//other.org/p'>o</a><a href='javascript:void(0)'>j</a>"
        "<a href=' ../up.html '>u</a><a href='http://ex.com/x'>x</a>"
        "</body></html>",
        "title=\"Hello world\xc2\xa0!\"\n"
        "links=[\"http://ex.com/dir/a.html#f\","
        "\"http://ex.com/dir/page.html?q=1\","
        "\"mailto:x@y.z\",\"http://other.org/p\",\"javascript:void(0)\","
        "\"http://ex.com/up.html\",\"http://ex.com/x\"]\n"
        "follow: http://ex.com/dir/a.html http://ex.com/dir/page.html?q=1 "
        "http://other.org/p http://ex.com/up.html http://ex.com/x");
    /* <base href> changes the base of every relative link */
    RUN(NULL,
        "<head><base href='/b/'><base href='/ignored/'></head>"
        "<a href='x'>x</a>",
        "title=null\n"
        "links=[\"http://ex.com/b/x\"]\n"
        "follow: http://ex.com/b/x");
    RUN(NULL, "<head><base target=_top><base href='https://o.org/'></head>"
        "<a href='y#z'>y</a>",
        "title=null\n"
        "links=[\"https://o.org/y#z\"]\n"
        "follow: https://o.org/y");
    /* no title, no links */
    RUN(NULL, "<p>nothing</p>", "title=null\nlinks=[]\nfollow:");
    /* the first title; its text only; an empty one is "" */
    RUN(NULL, "<title></title><title>second</title>",
        "title=\"\"\nlinks=[]\nfollow:");
    /* a title is RCDATA: no comments, entities decoded */
    RUN(NULL, "<title>a<!--c-->b &lt;&quot;</title>",
        "title=\"a<!--c-->b <\\\"\"\nlinks=[]\nfollow:");
}

static void test_nulls(void)
{
    struct extract_out o;
    struct rules *r;
    char err[256];
    static const char text[] = "a  p\nb  p  all\nc  p  @href\n"
                               "d  p  html all\nfollow a\n";

    extract_out_init(&o);
    extract_nulls(NULL, &o);
    CHECK_INT(o.nfields, 2);
    CHECK_STR(o.fields[0].name, "title");
    CHECK_STR(o.fields[0].json.data, "null");
    CHECK_STR(o.fields[1].name, "links");
    CHECK_STR(o.fields[1].json.data, "null");   /* error records: null */
    CHECK_INT(o.follow.len, 0);
    r = rules_parse(text, sizeof(text) - 1, "t", err, sizeof(err));
    CHECK(r != NULL);
    if (r) {
        extract_nulls(r, &o);
        CHECK_INT(o.nfields, 4);
        CHECK_STR(o.fields[0].json.data, "null");
        CHECK_STR(o.fields[1].json.data, "null");
        CHECK_STR(o.fields[2].json.data, "null");
        CHECK_STR(o.fields[3].json.data, "null");
        CHECK_STR(o.fields[3].name, "d");
    }
    rules_free(r);
    extract_out_release(&o);
}

static const char *shop =
    "<html><head><title>Shop</title></head><body>"
    "<h1 class=title>  Big\n <em>Sale</em> </h1>"
    "<span class=price>$ 9.99</span><span class=price>$ 1</span>"
    "<ul class=tags><li>a</li><li> b  c </li><li></li></ul>"
    "<img class=main src='img/x.png' alt='An &amp; image'>"
    "<img class=other alt='no src'>"
    "<img class=main2 data-src='lazy.png' src='s.png'>"
    "<a href='p2.html' class=next>next</a>"
    "<nav class=pager><a href='p3.html#x'>3</a><a href='https://o.org/'>o</a>"
    "</nav>"
    "<div id=box><p>Hi <b class=\"x\">there</b> &amp; <br>you</p>"
    "<!-- note --><script>if (a < b) x();</script>"
    "<svg viewBox='0 0 1 1'><foreignObject></foreignObject></svg>"
    "<input value='&quot;q&quot;' disabled></div>"
    "<p class=n>a&nbsp;b</p>"
    "</body></html>";

static void test_value_kinds(void)
{
    RUN("title h1.title text\n"
        "price span.price\n"
        "prices span.price text all\n"
        "tags ul.tags li all\n"
        "nothing .none\n"
        "none_all .none all\n",
        shop,
        "title=\"Big Sale\"\n"
        "price=\"$ 9.99\"\n"
        "prices=[\"$ 9.99\",\"$ 1\"]\n"
        "tags=[\"a\",\"b c\",\"\"]\n"
        "nothing=null\n"
        "none_all=[]\n"
        "follow: http://ex.com/dir/p2.html http://ex.com/dir/p3.html "
        "https://o.org/");
    /* attributes: URL ones resolved (fragment kept), others raw; elements
     * without the attribute are skipped, with or without all */
    RUN("image img.main @src\n"
        "alt img @alt\n"
        "alts img @alt all\n"
        "srcs img @src all\n"
        "first_src img @src\n"
        "lazy img @data-src all\n"
        "next a.next @href\n"
        "pager nav.pager a @href all\n"
        "missing h1 @href\n"
        "missing_all h1 @href all\n",
        shop,
        "image=\"http://ex.com/dir/img/x.png\"\n"
        "alt=\"An & image\"\n"
        "alts=[\"An & image\",\"no src\"]\n"
        "srcs=[\"http://ex.com/dir/img/x.png\",\"http://ex.com/dir/s.png\"]\n"
        "first_src=\"http://ex.com/dir/img/x.png\"\n"
        "lazy=[\"lazy.png\"]\n"
        "next=\"http://ex.com/dir/p2.html\"\n"
        "pager=[\"http://ex.com/dir/p3.html#x\",\"https://o.org/\"]\n"
        "missing=null\n"
        "missing_all=[]\n"
        "follow: http://ex.com/dir/p2.html http://ex.com/dir/p3.html "
        "https://o.org/");
    /* inner HTML from the tree */
    RUN("box #box html\n"
        "ps p html all\n"
        "empty br html\n",
        shop,
        "box=\"<p>Hi <b class=\\\"x\\\">there</b> &amp; <br>you</p>"
        "<!-- note --><script>if (a < b) x();</script>"
        "<svg viewBox=\\\"0 0 1 1\\\"><foreignObject></foreignObject></svg>"
        "<input value=\\\"&quot;q&quot;\\\" disabled=\\\"\\\">\"\n"
        "ps=[\"Hi <b class=\\\"x\\\">there</b> &amp; <br>you\","
        "\"a&nbsp;b\"]\n"
        "empty=\"\"\n"
        "follow: http://ex.com/dir/p2.html http://ex.com/dir/p3.html "
        "https://o.org/");
}

static void test_parsel(void)
{
    /* ::text and ::attr() give the strings as parsel does: raw */
    RUN("t h1::text\n"
        "ts h1 *::text all\n"
        "h a.next::attr(href)\n"
        "hs nav a::attr(href) all\n"
        "follow nav a::attr(href)\n",
        shop,
        "t=\"  Big\\n \"\n"
        "ts=[\"  Big\\n \",\"Sale\",\" \"]\n"
        "h=\"p2.html\"\n"
        "hs=[\"p3.html#x\",\"https://o.org/\"]\n"
        "follow: http://ex.com/dir/p3.html https://o.org/");
}

static void test_follow(void)
{
    /* follow lines replace the default; several add up; non-http and
     * unresolvable URLs are dropped; duplicates are the sink's business */
    RUN("follow a.next\n"
        "follow img @data-src\n"
        "follow nav.pager a @href\n",
        shop,
        "follow: http://ex.com/dir/p2.html http://ex.com/dir/lazy.png "
        "http://ex.com/dir/p3.html https://o.org/");
    RUN("follow a\n",
        "<a href='mailto:a@b'>m</a><a href='ftp://x/'>f</a>"
        "<a href='http://[bad/'>b</a><a href='#top'>t</a>"
        "<a href='?q=2'>q</a>",
        "follow: http://ex.com/dir/page.html?q=1 "
        "http://ex.com/dir/page.html?q=2");
    /* no fields at all: just the follow list */
    RUN("", "<a href=x>x</a>", "follow: http://ex.com/dir/x");
}

/* Every field's JSON is capped: a page whose nested matches repeat their
 * text quadratically hits EXTRACT_FIELD_MAX and gives -1. */
static void test_caps(void)
{
    struct buf h;
    char *got;
    int i;

    buf_init(&h, 16u << 20);
    for (i = 0; i < 3000; i++)
        buf_addstr(&h, "<div>0123456789012345678901234567890123456789"
                   "0123456789");
    got = run("t div all\n", h.data);
    CHECK(!strncmp(got, "ERR cap\n", 8));
    free(got);
    got = run("t div\n", h.data);
    CHECK(!strncmp(got, "t=\"0123", 7));
    free(got);
    buf_release(&h);
}

/* Trees 200,000 deep: text, html and matching without recursion. */
static void test_deep(void)
{
    struct forest f = { NULL, 0, 0 };
    GumboNode *doc = deep_tree(&f, 200000);
    GumboOutput out;
    struct extract_out o;
    struct rules *r;
    struct buf b;
    char err[256];
    static const char text[] = "body body html\n"
                               "p div p\n"
                               "last div:not(:has(div))\n";

    memset(&out, 0, sizeof(out));
    out.document = doc;
    out.root = doc->v.document.children.data[0];
    r = rules_parse(text, sizeof(text) - 1, "t", err, sizeof(err));
    CHECK(r != NULL);
    extract_out_init(&o);
    CHECK_INT(extract_page(r, &out, URL, &o), 0);
    CHECK_INT(o.fields[0].json.len, 200000 * strlen("<div>x</div>") +
              strlen("<p id=\\\"last\\\">end</p>") + 2);
    CHECK_STR(o.fields[1].json.data, "\"end\"");
    CHECK_STR(o.fields[2].json.data, "\"xend\"");
    buf_init(&b, 64u << 20);
    CHECK_INT(serialize_inner(doc, &b), 0);
    CHECK(b.len > 2400000);
    buf_release(&b);
    extract_out_release(&o);
    rules_free(r);
    forest_free(&f);
}

int main(void)
{
    test_defaults();
    test_nulls();
    test_value_kinds();
    test_parsel();
    test_follow();
    test_caps();
    test_deep();
    return TEST_DONE();
}
