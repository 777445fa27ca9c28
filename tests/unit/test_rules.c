/* test_rules.c: the rule file: what parses, into what, and every error
 * as FILE:LINE:COL: message. */
#include "common/compat.h"

#include <unistd.h>

#include "common/util.h"
#include "parser/extract.h"
#include "parser/rules.h"
#include "parser/select.h"
#include "test.h"

static struct rules *parse(const char *text, char *err, size_t errlen)
{
    err[0] = '\0';
    return rules_parse(text, strlen(text), "r.conf", err, errlen);
}

/* The error text parses to ("ok" when it parses); caller frees. */
static char *err_of(const char *text)
{
    char err[512];
    struct rules *r = parse(text, err, sizeof(err));

    if (r) {
        rules_free(r);
        return xstrdup("ok");
    }
    return xstrdup(err);
}

#define ERR(text, want) do { \
    char *got_ = err_of(text); \
    CHECK_STR(got_, want); \
    free(got_); } while (0)

static void test_design_example(void)
{
    static const char text[] =
        "# field    selector                 value     [all]\n"
        "title      h1.title                 text\n"
        "price      span.price               text\n"
        "tags       ul.tags li               text      all\n"
        "image      img.main                 @src\n"
        "links      a[href]                  @href     all\n"
        "follow     a.next, nav.pager a      @href\n";
    char err[256];
    struct rules *r = parse(text, err, sizeof(err));
    const struct rule *f;

    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_INT(rules_nfields(r), 5);
    CHECK_STR(rules_field_name(r, 0), "title");
    CHECK_STR(rules_field_name(r, 1), "price");
    CHECK_STR(rules_field_name(r, 2), "tags");
    CHECK_STR(rules_field_name(r, 3), "image");
    CHECK_STR(rules_field_name(r, 4), "links");
    CHECK(rules_field_name(r, 5) == NULL);
    CHECK(rules_field_name(r, -1) == NULL);
    f = rules_field(r, 0);
    CHECK_INT(f->value, RULE_TEXT);
    CHECK(!f->all);
    CHECK_INT(f->line, 2);
    f = rules_field(r, 2);
    CHECK_INT(f->value, RULE_TEXT);
    CHECK(f->all);
    f = rules_field(r, 3);
    CHECK_INT(f->value, RULE_ATTR);
    CHECK_STR(f->attr, "src");
    CHECK(f->url);
    CHECK(!f->all);
    f = rules_field(r, 4);
    CHECK_STR(f->attr, "href");
    CHECK(f->url && f->all);
    CHECK_INT(rules_nfollow(r), 1);
    f = rules_follow(r, 0);
    CHECK_STR(f->name, "follow");
    CHECK_INT(f->value, RULE_ATTR);
    CHECK_STR(f->attr, "href");
    CHECK(rules_follow(r, 1) == NULL);
    rules_free(r);
}

static void test_defaults(void)
{
    CHECK_INT(rules_nfields(NULL), 2);
    CHECK_STR(rules_field_name(NULL, 0), "title");
    CHECK_STR(rules_field_name(NULL, 1), "links");
    CHECK(rules_field_name(NULL, 2) == NULL);
    CHECK(!rules_field(NULL, 0)->all);
    CHECK(rules_field(NULL, 1)->all);
    CHECK_INT(rules_nfollow(NULL), 0);
    CHECK_STR(rules_follow_default()->attr, "href");
    CHECK(rules_url_attr("href") && rules_url_attr("src") &&
          rules_url_attr("action") && rules_url_attr("formaction") &&
          rules_url_attr("poster") && rules_url_attr("cite") &&
          rules_url_attr("background") && rules_url_attr("data") &&
          rules_url_attr("longdesc"));
    CHECK(!rules_url_attr("alt") && !rules_url_attr("title") &&
          !rules_url_attr("data-src"));
}

static void test_layout(void)
{
    char err[256];
    struct rules *r;

    /* comments, blanks, CRLF, tabs, leading blanks, a BOM; '#id' is a
     * selector, not a comment */
    r = parse("\xef\xbb\xbf# comment\r\n\r\n   \t\n  # indented comment\n"
              "\tmain\t#content > p\t\ttext\r\n"
              "img  img  @SRC  ALL\n"
              "body_html body HTML\n"
              "n  :root\n", err, sizeof(err));
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_INT(rules_nfields(r), 4);
    CHECK_STR(rules_field_name(r, 0), "main");
    CHECK_INT(rules_field(r, 0)->line, 5);
    CHECK_STR(rules_field(r, 1)->attr, "src");
    CHECK(rules_field(r, 1)->all);
    CHECK_INT(rules_field(r, 2)->value, RULE_HTML);
    CHECK_INT(rules_field(r, 3)->value, RULE_TEXT);
    CHECK_INT(rules_nfollow(r), 0);
    rules_free(r);

    /* the last words: `all`, then a value; the rest is the selector */
    r = parse("a  svg text\n"          /* selector svg, value text */
              "b  svg text text\n"     /* <text> elements of svg */
              "c  ul li all\n"
              "d  a[title=\"x all\"] @title\n"
              "e  all\n"               /* an element named all */
              "f  p  @data-x\n"
              "g  div:contains('text') html all\n", err, sizeof(err));
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_INT(rules_nfields(r), 7);
    CHECK_INT(rules_field(r, 0)->value, RULE_TEXT);
    CHECK(!rules_field(r, 0)->all);
    CHECK_INT(rules_field(r, 1)->value, RULE_TEXT);
    CHECK(rules_field(r, 2)->all);
    CHECK_INT(rules_field(r, 3)->value, RULE_ATTR);
    CHECK(!rules_field(r, 3)->all);
    CHECK(!rules_field(r, 4)->all);
    CHECK(!rules_field(r, 5)->url);
    CHECK_INT(rules_field(r, 6)->value, RULE_HTML);
    CHECK(rules_field(r, 6)->all);
    rules_free(r);

    /* parsel pseudo-elements */
    r = parse("t  h1::text\n"
              "u  a::attr(href) all\n"
              "v  div *::text text all\n", err, sizeof(err));
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(select_kind(rules_field(r, 0)->sel), SELECT_TEXT);
        CHECK_INT(select_kind(rules_field(r, 1)->sel), SELECT_ATTR);
        CHECK(rules_field(r, 2)->all);
        rules_free(r);
    }

    /* follow lines: @href is the default, several lines add up */
    r = parse("follow a.next\n"
              "follow  link[rel=next]  @href\n"
              "FOLLOW img::attr(data-src)\n"
              "title title\n", err, sizeof(err));
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(rules_nfields(r), 1);
        CHECK_INT(rules_nfollow(r), 3);
        CHECK_STR(rules_follow(r, 0)->attr, "href");
        CHECK(rules_follow(r, 0)->all);
        CHECK_INT(select_kind(rules_follow(r, 2)->sel), SELECT_ATTR);
        rules_free(r);
    }

    /* an empty file is no fields at all */
    r = parse("", err, sizeof(err));
    CHECK(r && rules_nfields(r) == 0 && rules_nfollow(r) == 0);
    rules_free(r);
    r = parse("# only comments\n\n", err, sizeof(err));
    CHECK(r && rules_nfields(r) == 0);
    rules_free(r);
}

static void test_errors(void)
{
    /* unknown value kind */
    ERR("title  h1  txt\n", "r.conf:1:12: unknown value kind 'txt' "
        "(text, html or @ATTRIBUTE)");
    ERR("# c\ntitle h1 inner_html all\n", "r.conf:2:10: unknown value "
        "kind 'inner_html' (text, html or @ATTRIBUTE)");
    ERR("x  a  href\n", "r.conf:1:7: unknown value kind 'href' (text, "
        "html or @ATTRIBUTE)");
    ERR("x  a  @\n", "r.conf:1:7: missing attribute name after '@'");
    /* bad selectors, at the column of the fault */
    ERR("title    h1:hover\n", "r.conf:1:12: unknown pseudo-class "
        "':hover'");
    ERR("a b\nt  div >  \n", "r.conf:2:9: expected a selector, found end");
    ERR("t  p::before text\n", "r.conf:1:5: unknown pseudo-element "
        "'::before' (known: ::text, ::attr(name))");
    ERR("t  a[href\n", "r.conf:1:5: unterminated '['");
    ERR("  t\t\tp,,a\n", "r.conf:1:8: expected a selector");
    /* the column counts characters, not bytes */
    ERR("t  .\xc3\xa9t\xc3\xa9:hover\n", "r.conf:1:8: unknown pseudo-class "
        "':hover'");
    /* unterminated quotes */
    ERR("t  a[title=\"x]  text\n", "r.conf:1:12: unterminated quote");
    ERR("t  p:contains('abc)\n", "r.conf:1:15: unterminated quote");
    /* reserved and duplicate names */
    ERR("url  a\n", "r.conf:1:1: reserved field name 'url' (a metadata "
        "key of every record)");
    ERR("  Final_URL  a\n", "r.conf:1:3: reserved field name 'Final_URL' "
        "(a metadata key of every record)");
    ERR("status a\n", "r.conf:1:1: reserved field name 'status' (a "
        "metadata key of every record)");
    ERR("fetched_at a\n", "r.conf:1:1: reserved field name 'fetched_at' "
        "(a metadata key of every record)");
    ERR("title h1\nx p\n\ntitle h2\n", "r.conf:4:1: duplicate field name "
        "'title' (first on line 1)");
    ERR("title h1\nTitle h2\n", "r.conf:2:1: duplicate field name "
        "'Title' (first on line 1)");
    /* bad names, missing selectors */
    ERR("my-field a\n", "r.conf:1:3: bad field name 'my-field' (letters, "
        "digits and '_', not starting with a digit)");
    ERR("1st a\n", "r.conf:1:1: bad field name '1st' (letters, digits and "
        "'_', not starting with a digit)");
    ERR("title\n", "r.conf:1:6: missing selector after 'title'");
    ERR("title   \n", "r.conf:1:6: missing selector after 'title'");
    /* values that do not fit the selector or the directive */
    ERR("t  h1::text  html\n", "r.conf:1:14: a selector ending in "
        "'::text' gives strings: its value must be text");
    ERR("t  a::attr(href)  @href\n", "r.conf:1:19: a selector ending in "
        "'::attr()' gives strings: its value must be text");
    ERR("follow  a  text\n", "r.conf:1:12: 'follow' takes URLs: an "
        "@ATTRIBUTE value or '::attr()'");
    ERR("follow  a::text\n", "r.conf:1:9: 'follow' takes URLs: an "
        "@ATTRIBUTE value or '::attr()'");
}

static void test_nul_byte(void)
{
    char err[256];
    static const char text[] = "x a\ny a\0b\n";
    struct rules *r = rules_parse(text, sizeof(text) - 1, "r.conf", err,
                                  sizeof(err));

    CHECK(r == NULL);
    CHECK_STR(err, "r.conf:2:4: NUL byte in the rule file");
}

static void test_too_many(void)
{
    struct buf b;
    char *got;
    int i;

    buf_init(&b, 1 << 20);
    for (i = 0; i < EXTRACT_MAX_FIELDS; i++)
        buf_printf(&b, "f%d p\n", i);
    got = err_of(b.data);
    CHECK_STR(got, "ok");
    free(got);
    buf_addstr(&b, "\nlast p\n");
    got = err_of(b.data);
    CHECK_STR(got, "r.conf:62:1: too many fields (at most 60)");
    free(got);
    buf_release(&b);
}

static void test_load(void)
{
    char path[] = "/tmp/test_rules.XXXXXX", err[512], *want;
    struct rules *r;
    FILE *f;
    int fd, i;

    r = rules_load("/nonexistent/rules.conf", err, sizeof(err));
    CHECK(r == NULL);
    CHECK_STR(err, "/nonexistent/rules.conf: No such file or directory");

    fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    f = fdopen(fd, "w");
    fputs("title  h1\nprice  .price  text\n", f);
    fclose(f);
    r = rules_load(path, err, sizeof(err));
    CHECK(r != NULL);
    CHECK_INT(rules_nfields(r), 2);
    rules_free(r);

    f = fopen(path, "w");
    fputs("title  h1\n\nprice  .price:nope  text\n", f);
    fclose(f);
    r = rules_load(path, err, sizeof(err));
    CHECK(r == NULL);
    want = xasprintf("%s:3:14: unknown pseudo-class ':nope'", path);
    CHECK_STR(err, want);
    free(want);

    f = fopen(path, "w");
    for (i = 0; i < 200000; i++)
        fputs("# padding\n", f);
    fclose(f);
    r = rules_load(path, err, sizeof(err));
    CHECK(r == NULL);
    want = xasprintf("%s: larger than 1048576 bytes", path);
    CHECK_STR(err, want);
    free(want);
    unlink(path);
}

int main(void)
{
    test_design_example();
    test_defaults();
    test_layout();
    test_errors();
    test_nul_byte();
    test_too_many();
    test_load();
    return TEST_DONE();
}
