/* test_robots.c: fetcher/robots.c, robots.txt parsing and matching
 * (RFC 9309 examples, Google's documented precedence examples, tolerance
 * of broken files, caps and hostile input). */
#include "common/compat.h"

#include "common/util.h"
#include "common/robots.h"
#include "tests/unit/test.h"

#define PRODUCT "zscrape"
/* strlen("sitemap: https://e.example/00000.xml\n") */
#define SITEMAP_LINE 37

/* Check that r allows (want true) or disallows path. */
#define CHECK_PATH(r, path, want) do { \
    const char *p_ = (path); \
    bool got_ = robots_allowed((r), p_); \
    if (got_ != (want)) \
        fprintf(stderr, "%s:%d: '%s' is %s\n", __FILE__, __LINE__, p_, \
                got_ ? "allowed" : "disallowed"); \
    CHECK(got_ == (want)); } while (0)
#define ALLOWED(r, path) CHECK_PATH(r, path, true)
#define DENIED(r, path) CHECK_PATH(r, path, false)

static struct robots *parse(const char *text, const char *product)
{
    return robots_parse(text, strlen(text), product);
}

/* Does the file text allow path for product? */
static bool allows(const char *text, const char *product, const char *path)
{
    struct robots *r = parse(text, product);
    bool ok = robots_allowed(r, path);

    robots_free(r);
    return ok;
}

static void test_product(void)
{
    char out[32];

    robots_product("zscrape/0.1 (+https://example.com/bot)", out,
                   sizeof(out));
    CHECK_STR(out, "zscrape");
    robots_product("ExampleBot/0.1", out, sizeof(out));
    CHECK_STR(out, "ExampleBot");
    robots_product("  Foo Bar/2", out, sizeof(out));
    CHECK_STR(out, "Foo");
    robots_product("plain", out, sizeof(out));
    CHECK_STR(out, "plain");
    robots_product("", out, sizeof(out));
    CHECK_STR(out, "");
    robots_product(NULL, out, sizeof(out));
    CHECK_STR(out, "");
    robots_product("abcdefgh/1", out, 4);
    CHECK_STR(out, "abc");
    out[0] = 'x';
    robots_product("abc", out, 0);      /* no room: nothing written */
    CHECK(out[0] == 'x');
}

/* RFC 9309 2.2.1: groups, merging, the "*" fallback. */
static void test_rfc_groups(void)
{
    static const char merge[] =
        "user-agent: ExampleBot\n"
        "disallow: /foo\n"
        "disallow: /bar\n"
        "\n"
        "user-agent: ExampleBot\n"
        "disallow: /baz\n";
    static const char star[] =
        "user-agent: *\n"
        "disallow: /foo\n"
        "disallow: /bar\n"
        "\n"
        "user-agent: BazBot\n"
        "disallow: /baz\n";
    struct robots *r;

    r = parse(merge, "ExampleBot");
    DENIED(r, "/foo");
    DENIED(r, "/bar");
    DENIED(r, "/baz");
    ALLOWED(r, "/qux");
    ALLOWED(r, "/");
    robots_free(r);
    /* case-insensitive product match */
    r = parse(merge, "examplebot");
    DENIED(r, "/foo");
    DENIED(r, "/baz");
    robots_free(r);

    r = parse(star, "ExampleBot");
    DENIED(r, "/foo");
    DENIED(r, "/bar");
    ALLOWED(r, "/baz");
    robots_free(r);
    r = parse(star, "BazBot");
    DENIED(r, "/baz");
    ALLOWED(r, "/foo");
    ALLOWED(r, "/bar");
    robots_free(r);

    /* no matching group and no "*": no rules apply */
    CHECK(allows("user-agent: BazBot\ndisallow: /\n", "ExampleBot", "/x"));
    /* no groups at all */
    CHECK(allows("disallow: /\n", "ExampleBot", "/x"));
    CHECK(allows("", "ExampleBot", "/x"));
}

/* RFC 9309 2.2.2: encoding of paths and patterns. */
static void test_rfc_encoding(void)
{
    struct robots *r;

    r = parse("user-agent: *\ndisallow: /foo/bar?baz=quz\n", PRODUCT);
    DENIED(r, "/foo/bar?baz=quz");
    DENIED(r, "/foo/bar?baz=quz&x=1");
    ALLOWED(r, "/foo/bar?baz=qu");
    ALLOWED(r, "/foo/bar");
    robots_free(r);

    /* reserved characters compare equal encoded or not */
    r = parse("user-agent: *\ndisallow: /foo/bar?baz=https://foo.bar\n",
              PRODUCT);
    DENIED(r, "/foo/bar?baz=https%3A%2F%2Ffoo.bar");
    DENIED(r, "/foo/bar?baz=https://foo.bar");
    DENIED(r, "/foo/bar?baz=https%3a%2f%2ffoo.bar");
    ALLOWED(r, "/foo/bar?baz=http%3A%2F%2Ffoo.bar");
    robots_free(r);
    r = parse("user-agent: *\n"
              "disallow: /foo/bar?baz=https%3A%2F%2Ffoo.bar\n", PRODUCT);
    DENIED(r, "/foo/bar?baz=https://foo.bar");
    robots_free(r);

    /* U+30C4 raw in the pattern, encoded in the path, and back */
    r = parse("user-agent: *\ndisallow: /foo/bar/\xE3\x83\x84\n", PRODUCT);
    DENIED(r, "/foo/bar/%E3%83%84");
    DENIED(r, "/foo/bar/%e3%83%84");
    DENIED(r, "/foo/bar/\xE3\x83\x84");
    ALLOWED(r, "/foo/bar/%E3%83%85");
    ALLOWED(r, "/foo/bar/");
    robots_free(r);
    r = parse("user-agent: *\ndisallow: /foo/bar/%E3%83%84\n", PRODUCT);
    DENIED(r, "/foo/bar/%E3%83%84");
    DENIED(r, "/foo/bar/\xE3\x83\x84");
    DENIED(r, "/foo/bar/%e3%83%84/x");
    robots_free(r);
    r = parse("user-agent: *\ndisallow: /foo/bar/%e3%83%84\n", PRODUCT);
    DENIED(r, "/foo/bar/%E3%83%84");
    robots_free(r);

    /* unreserved characters match their encoding */
    r = parse("user-agent: *\ndisallow: /foo/bar/%62%61%7A\n", PRODUCT);
    DENIED(r, "/foo/bar/baz");
    DENIED(r, "/foo/bar/%62%61%7A");
    ALLOWED(r, "/foo/bar/ba");
    robots_free(r);
    r = parse("user-agent: *\ndisallow: /foo/bar/baz\n", PRODUCT);
    DENIED(r, "/foo/bar/%62%61%7A");
    DENIED(r, "/foo/bar/%62%61%7a");
    DENIED(r, "/foo/bar/b%61z");
    robots_free(r);
    r = parse("user-agent: *\ndisallow: /~joe/\n", PRODUCT);
    DENIED(r, "/%7Ejoe/x");
    DENIED(r, "/%7ejoe/x");
    robots_free(r);

    /* a percent sign that starts no escape is an ordinary octet */
    r = parse("user-agent: *\ndisallow: /a%\n", PRODUCT);
    DENIED(r, "/a%");
    DENIED(r, "/a%zz");
    DENIED(r, "/a%25");
    ALLOWED(r, "/a");
    robots_free(r);
    r = parse("user-agent: *\ndisallow: /a%4\n", PRODUCT);
    DENIED(r, "/a%4");
    ALLOWED(r, "/a%41");
    robots_free(r);
}

/* RFC 9309 2.2.2: precedence, rules outside groups, /robots.txt. */
static void test_rfc_precedence(void)
{
    struct robots *r;

    /* equivalent allow and disallow: allow */
    r = parse("user-agent: *\ndisallow: /x\nallow: /x\n", PRODUCT);
    ALLOWED(r, "/x");
    ALLOWED(r, "/x/y");
    robots_free(r);
    r = parse("user-agent: *\nallow: /x\ndisallow: /x\n", PRODUCT);
    ALLOWED(r, "/x");
    robots_free(r);
    /* equivalent once decoded: still a tie */
    r = parse("user-agent: *\nallow: /%61\ndisallow: /a\n", PRODUCT);
    ALLOWED(r, "/a");
    robots_free(r);
    /* octets are counted decoded: %E3%83%84 is three, like the raw form */
    r = parse("user-agent: *\nallow: /\xE3\x83\x84\n"
              "disallow: /%E3%83%84x\n", PRODUCT);
    DENIED(r, "/\xE3\x83\x84x");
    ALLOWED(r, "/\xE3\x83\x84y");
    robots_free(r);

    /* matching is case sensitive */
    r = parse("user-agent: *\ndisallow: /foo\n", PRODUCT);
    DENIED(r, "/foo");
    ALLOWED(r, "/FOO");
    ALLOWED(r, "/Foo/bar");
    robots_free(r);

    /* rules before the first user-agent line belong to no group */
    r = parse("disallow: /a\nallow: /b\nuser-agent: *\ndisallow: /b\n",
              PRODUCT);
    ALLOWED(r, "/a");
    DENIED(r, "/b");
    robots_free(r);

    /* /robots.txt is always allowed */
    r = parse("user-agent: *\ndisallow: /\ndisallow: /robots.txt\n",
              PRODUCT);
    ALLOWED(r, "/robots.txt");
    ALLOWED(r, "/robots.txt?x=1");
    DENIED(r, "/robots.txtx");
    DENIED(r, "/robots");
    DENIED(r, "/");
    robots_free(r);

    /* a group without rules allows everything */
    CHECK(allows("user-agent: zscrape\n", PRODUCT, "/"));
}

/* RFC 9309 2.2.3: "#", "$", "*" and their percent-encoded forms. */
static void test_rfc_special(void)
{
    struct robots *r;

    r = parse("# comment on its own line\n"
              "user-agent: * # comment\n"
              "disallow: /x # comment in line\n"
              "allow: /x/ok # comment in line\n", PRODUCT);
    DENIED(r, "/x");
    ALLOWED(r, "/x/ok");
    ALLOWED(r, "/x/ok/more");
    DENIED(r, "/x/o");
    robots_free(r);
    CHECK(allows("user-agent: *\nallow: / # comment in line\n", PRODUCT,
                 "/a"));

    r = parse("user-agent: *\ndisallow: /this\n"
              "allow: /this/path/exactly$\n", PRODUCT);
    ALLOWED(r, "/this/path/exactly");
    DENIED(r, "/this/path/exactly/more");
    DENIED(r, "/this/path/exactlyx");
    DENIED(r, "/this/path/exactly?q");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /this\n"
              "allow: /this/*/exactly\n", PRODUCT);
    ALLOWED(r, "/this/a/exactly");
    ALLOWED(r, "/this/a/b/c/exactly");
    ALLOWED(r, "/this//exactly");
    ALLOWED(r, "/this/a/exactly/more");
    DENIED(r, "/this/exactly");
    DENIED(r, "/this/a/exact");
    robots_free(r);

    /* %2A and %24 in a pattern are literal characters */
    r = parse("user-agent: *\n"
              "disallow: /path/file-with-a-%2A.html\n"
              "disallow: /path/foo-%24\n", PRODUCT);
    DENIED(r, "/path/file-with-a-*.html");
    DENIED(r, "/path/file-with-a-%2A.html");
    DENIED(r, "/path/file-with-a-%2a.html");
    ALLOWED(r, "/path/file-with-a-x.html");
    ALLOWED(r, "/path/file-with-a-.html");
    DENIED(r, "/path/foo-$");
    DENIED(r, "/path/foo-%24");
    DENIED(r, "/path/foo-$bar");   /* a literal '$' does not anchor */
    ALLOWED(r, "/path/foo-");
    robots_free(r);

    /* '$' before the end of a pattern is literal */
    r = parse("user-agent: *\ndisallow: /a$b\n", PRODUCT);
    DENIED(r, "/a$b");
    DENIED(r, "/a%24b");
    ALLOWED(r, "/a");
    ALLOWED(r, "/ab");
    robots_free(r);
}

/* RFC 9309 2.2.4: other records do not end a group. */
static void test_rfc_other_records(void)
{
    static const char text[] =
        "user-agent: zscrape\n"
        "disallow: /a\n"
        "sitemap: https://example.com/sitemap.xml\n"
        "disallow: /b\n";
    /* a sitemap line between user-agent lines does not split them */
    static const char split[] =
        "user-agent: zscrape\n"
        "sitemap: https://example.com/sitemap.xml\n"
        "user-agent: other\n"
        "disallow: /c\n";
    struct robots *r;

    r = parse(text, PRODUCT);
    DENIED(r, "/a");
    DENIED(r, "/b");
    CHECK_INT(robots_nsitemaps(r), 1);
    robots_free(r);
    r = parse(split, PRODUCT);
    DENIED(r, "/c");
    robots_free(r);
}

/* RFC 9309 5.1 and 5.2. */
static void test_rfc_examples(void)
{
    static const char simple[] =
        "User-Agent: *\n"
        "Disallow: *.gif$\n"
        "Disallow: /example/\n"
        "Allow: /publications/\n"
        "\n"
        "User-Agent: foobot\n"
        "Disallow:/\n"
        "Allow:/example/page.html\n"
        "Allow:/example/allowed.gif\n"
        "\n"
        "User-Agent: barbot\n"
        "User-Agent: bazbot\n"
        "Disallow: /example/page.html\n"
        "\n"
        "User-Agent: quxbot\n"
        "\n";
    static const char longest[] =
        "User-Agent: foobot\n"
        "Allow: /example/page/\n"
        "Disallow: /example/page/disallowed.gif\n";
    static const char *const barbaz[] = { "barbot", "BazBot" };
    struct robots *r;
    size_t i;

    /* "*": any agent without its own group */
    r = parse(simple, "otherbot");
    DENIED(r, "/example/");
    DENIED(r, "/example/x.html");
    ALLOWED(r, "/publications/");
    ALLOWED(r, "/publications/a.gif");  /* longer allow wins */
    DENIED(r, "/a.gif");
    DENIED(r, "/images/b/c.gif");
    ALLOWED(r, "/a.gif?size=2");         /* '$' anchors */
    ALLOWED(r, "/a.gifs");
    ALLOWED(r, "/");
    ALLOWED(r, "/index.html");
    robots_free(r);

    r = parse(simple, "foobot");
    DENIED(r, "/");
    DENIED(r, "/index.html");
    ALLOWED(r, "/example/page.html");
    ALLOWED(r, "/example/allowed.gif");
    DENIED(r, "/example/other.html");
    DENIED(r, "/publications/");        /* the "*" group is not ours */
    robots_free(r);

    for (i = 0; i < ARRAY_SIZE(barbaz); i++) {
        r = parse(simple, barbaz[i]);
        DENIED(r, "/example/page.html");
        DENIED(r, "/example/page.html5");
        ALLOWED(r, "/example/other.html");
        ALLOWED(r, "/a.gif");
        ALLOWED(r, "/");
        robots_free(r);
    }

    r = parse(simple, "quxbot");
    ALLOWED(r, "/");
    ALLOWED(r, "/example/");
    ALLOWED(r, "/example/page.html");
    ALLOWED(r, "/a.gif");
    robots_free(r);

    r = parse(longest, "foobot");
    DENIED(r, "/example/page/disallowed.gif");
    ALLOWED(r, "/example/page/");
    ALLOWED(r, "/example/page/allowed.gif");
    ALLOWED(r, "/example/");
    robots_free(r);
}

/* Google's documented order of precedence examples. */
static void test_google_precedence(void)
{
    struct robots *r;

    CHECK(allows("user-agent: *\nallow: /p\ndisallow: /\n", PRODUCT,
                 "/page"));
    CHECK(allows("user-agent: *\nallow: /folder\ndisallow: /folder\n",
                 PRODUCT, "/folder/page"));
    CHECK(!allows("user-agent: *\nallow: /page\ndisallow: /*.htm\n",
                  PRODUCT, "/page.htm"));
    CHECK(allows("user-agent: *\nallow: /page\ndisallow: /*.ph\n",
                 PRODUCT, "/page.php5"));
    r = parse("user-agent: *\nallow: /$\ndisallow: /\n", PRODUCT);
    ALLOWED(r, "/");
    DENIED(r, "/page.htm");
    DENIED(r, "/?q");
    robots_free(r);
}

/* Google's documented path matching examples. */
static void test_google_paths(void)
{
    struct robots *r;

    r = parse("user-agent: *\ndisallow: /fish\n", PRODUCT);
    DENIED(r, "/fish");
    DENIED(r, "/fish.html");
    DENIED(r, "/fish/salmon.html");
    DENIED(r, "/fishheads");
    DENIED(r, "/fishheads/yummy.html");
    DENIED(r, "/fish.php?id=anything");
    ALLOWED(r, "/Fish.asp");
    ALLOWED(r, "/catfish");
    ALLOWED(r, "/?id=fish");
    ALLOWED(r, "/desert/fish");
    robots_free(r);

    /* "/fish*" is the same as "/fish" */
    r = parse("user-agent: *\ndisallow: /fish*\n", PRODUCT);
    DENIED(r, "/fish");
    DENIED(r, "/fishheads");
    ALLOWED(r, "/Fish.asp");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /fish/\n", PRODUCT);
    DENIED(r, "/fish/");
    DENIED(r, "/fish/?id=anything");
    DENIED(r, "/fish/salmon.htm");
    ALLOWED(r, "/fish");
    ALLOWED(r, "/fish.html");
    ALLOWED(r, "/animals/fish/");
    ALLOWED(r, "/Fish/Salmon.asp");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /*.php\n", PRODUCT);
    DENIED(r, "/index.php");
    DENIED(r, "/filename.php");
    DENIED(r, "/folder/filename.php");
    DENIED(r, "/folder/filename.php?parameters");
    DENIED(r, "/folder/any.php.file.html");
    DENIED(r, "/filename.php/");
    ALLOWED(r, "/");
    ALLOWED(r, "/windows.PHP");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /*.php$\n", PRODUCT);
    DENIED(r, "/filename.php");
    DENIED(r, "/folder/filename.php");
    ALLOWED(r, "/filename.php?parameters");
    ALLOWED(r, "/filename.php/");
    ALLOWED(r, "/filename.php5");
    ALLOWED(r, "/windows.PHP");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /fish*.php\n", PRODUCT);
    DENIED(r, "/fish.php");
    DENIED(r, "/fishheads/catfish.php?parameters");
    ALLOWED(r, "/Fish.PHP");
    robots_free(r);

    /* "/", "/" "*" and "*" match everything, "/$" only the root */
    CHECK(!allows("user-agent: *\ndisallow: /\n", PRODUCT, "/any/x"));
    CHECK(!allows("user-agent: *\ndisallow: /*\n", PRODUCT, "/any/x"));
    CHECK(!allows("user-agent: *\ndisallow: *\n", PRODUCT, "/any/x"));
    CHECK(!allows("user-agent: *\ndisallow: /$\n", PRODUCT, "/"));
    CHECK(allows("user-agent: *\ndisallow: /$\n", PRODUCT, "/x"));
}

/* More wildcard cases: the greedy search must stay exact. */
static void test_wildcards(void)
{
    struct robots *r;

    r = parse("user-agent: *\ndisallow: /a*b*c$\n", PRODUCT);
    DENIED(r, "/abc");
    DENIED(r, "/aXbYc");
    DENIED(r, "/abcbc");
    DENIED(r, "/a/b/c/d/c");
    ALLOWED(r, "/aXbYcZ");
    ALLOWED(r, "/acb");
    ALLOWED(r, "/abcb");
    ALLOWED(r, "/ab");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /*aa*aa$\n", PRODUCT);
    ALLOWED(r, "/aaa");                 /* the two "aa" cannot overlap */
    DENIED(r, "/aaaa");
    DENIED(r, "/xaayaa");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /*ab$\n", PRODUCT);
    DENIED(r, "/abab");
    DENIED(r, "/aab");
    ALLOWED(r, "/aba");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /x**y\n", PRODUCT);
    DENIED(r, "/xy");
    DENIED(r, "/x-y");
    DENIED(r, "/x-y-z");
    ALLOWED(r, "/x");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: *$\n", PRODUCT);
    DENIED(r, "/");
    DENIED(r, "/anything?at=all");
    robots_free(r);

    r = parse("user-agent: *\ndisallow: /*?\n", PRODUCT);
    DENIED(r, "/x?y");
    DENIED(r, "/?");
    ALLOWED(r, "/x");
    robots_free(r);

    /* a pattern of just "$" matches only the empty path */
    r = parse("user-agent: *\ndisallow: $\n", PRODUCT);
    ALLOWED(r, "/");
    robots_free(r);

    /* long paths (decoded on the heap) */
    {
        char path[5000];
        memset(path, 'a', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 2] = 'b';
        path[sizeof(path) - 1] = '\0';
        r = parse("user-agent: *\ndisallow: /*b$\n", PRODUCT);
        DENIED(r, path);
        path[sizeof(path) - 2] = 'c';
        ALLOWED(r, path);
        robots_free(r);
    }
}

static void test_user_agents(void)
{
    static const char tail[] =
        "disallow: /ours\n\nuser-agent: *\ndisallow: /star\n";
    static const struct {
        const char *line;   /* the user-agent line */
        bool ours;          /* does it name zscrape? */
    } cases[] = {
        { "User-agent: zscrape\n", true },
        { "User-agent: ZSCRAPE\n", true },
        { "USER-AGENT: ZScrape\n", true },
        { "user-agent:zscrape\n", true },
        { "  user-agent  \t:\t zscrape  \n", true },
        { "User-agent: zscrape/2.0\n", true },
        { "User-agent: zscrape extra words\n", true },
        { "User-agent: zscrape # our crawler\n", true },
        { "Useragent: zscrape\n", true },
        { "User-agent: zscrape-images\n", false },
        { "User-agent: zscrap\n", false },
        { "User-agent: zscrapex\n", false },
        { "User-agent: xzscrape\n", false },
        { "User-agent: *zscrape\n", false },
        { "User-agent:\n", false },
        { "User-agent: Mozilla/5.0 (compatible; zscrape/0.1)\n", false },
    };
    struct robots *r;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        char *text = xasprintf("%s%s", cases[i].line, tail);
        r = parse(text, PRODUCT);
        if (robots_allowed(r, "/ours") == cases[i].ours ||
            robots_allowed(r, "/star") != cases[i].ours)
            fprintf(stderr, "user-agent case %zu: %s", i, cases[i].line);
        CHECK_PATH(r, "/ours", !cases[i].ours);
        CHECK_PATH(r, "/star", cases[i].ours);
        robots_free(r);
        free(text);
    }

    /* "*" only as a whole token */
    CHECK(allows("user-agent: *bot\ndisallow: /\n", PRODUCT, "/x"));
    CHECK(!allows("user-agent: * \ndisallow: /\n", PRODUCT, "/x"));
    CHECK(!allows("user-agent: */1.0\ndisallow: /\n", PRODUCT, "/x"));

    /* consecutive user-agent lines form one group */
    r = parse("user-agent: a\nuser-agent: zscrape\nuser-agent: b\n"
              "disallow: /x\n", PRODUCT);
    DENIED(r, "/x");
    robots_free(r);
    /* ... even with blank lines between them (RFC 9309 ABNF) */
    r = parse("user-agent: zscrape\n\nuser-agent: *\ndisallow: /x\n",
              PRODUCT);
    DENIED(r, "/x");
    robots_free(r);
    /* a rule ends the run: the next user-agent line starts a group */
    r = parse("user-agent: zscrape\ndisallow: /x\nuser-agent: other\n"
              "disallow: /y\n", PRODUCT);
    DENIED(r, "/x");
    ALLOWED(r, "/y");
    robots_free(r);
    /* so does a crawl-delay line */
    r = parse("user-agent: zscrape\ncrawl-delay: 5\nuser-agent: other\n"
              "disallow: /y\n", PRODUCT);
    ALLOWED(r, "/y");
    CHECK_INT(robots_crawl_delay_ms(r), 5000);
    robots_free(r);
    /* unknown keys and lines without ':' do not */
    r = parse("user-agent: zscrape\nnoindex: /z\nrandom words\n"
              "user-agent: other\ndisallow: /y\n", PRODUCT);
    DENIED(r, "/y");
    ALLOWED(r, "/z");
    robots_free(r);

    /* a group naming us and "*" at once */
    r = parse("user-agent: *\nuser-agent: zscrape\ndisallow: /both\n"
              "\nuser-agent: other\ndisallow: /other\n", PRODUCT);
    DENIED(r, "/both");
    ALLOWED(r, "/other");
    robots_free(r);
    r = parse("user-agent: *\nuser-agent: zscrape\ndisallow: /both\n",
              "else");
    DENIED(r, "/both");
    robots_free(r);

    /* our groups are combined across the file; "*" is then ignored */
    r = parse("user-agent: zscrape\ndisallow: /a\n\n"
              "user-agent: *\ndisallow: /s\n\n"
              "user-agent: ZScrape\nallow: /a/ok\ndisallow: /b\n",
              PRODUCT);
    DENIED(r, "/a");
    ALLOWED(r, "/a/ok");
    DENIED(r, "/b");
    ALLOWED(r, "/s");
    robots_free(r);
    /* the "*" groups are combined too */
    r = parse("user-agent: *\ndisallow: /a\n\nuser-agent: x\n"
              "disallow: /x\n\nuser-agent: *\ndisallow: /b\n", PRODUCT);
    DENIED(r, "/a");
    DENIED(r, "/b");
    ALLOWED(r, "/x");
    robots_free(r);

    /* an empty group naming us beats "*" */
    r = parse("user-agent: *\ndisallow: /\n\nuser-agent: zscrape\n",
              PRODUCT);
    ALLOWED(r, "/");
    ALLOWED(r, "/x");
    robots_free(r);
    r = parse("user-agent: zscrape\nallow: /nothing\n\nuser-agent: *\n"
              "disallow: /\n", PRODUCT);
    ALLOWED(r, "/x");
    robots_free(r);

    /* no product (NULL or ""): only "*" applies */
    r = parse("user-agent: zscrape\ndisallow: /a\nuser-agent: *\n"
              "disallow: /b\n", NULL);
    ALLOWED(r, "/a");
    DENIED(r, "/b");
    robots_free(r);
    r = parse("user-agent:\ndisallow: /a\nuser-agent: *\n"
              "disallow: /b\n", "");
    ALLOWED(r, "/a");
    DENIED(r, "/b");
    robots_free(r);
}

static void test_crawl_delay(void)
{
    static const struct {
        const char *value;  /* after "crawl-delay:" */
        long ms;            /* expected */
    } cases[] = {
        { "2", 2000 },
        { "0", 0 },
        { "0.5", 500 },
        { "1.25", 1250 },
        { ".75", 750 },
        { "3.", 3000 },
        { "0.0005", 0 },
        { "10 # seconds", 10000 },
        { "7s", 7000 },
        { "60", 60000 },
        { "59.999", 59999 },
        { "60.5", 60000 },
        { "3600", 60000 },
        { "99999999999999999999999999", 60000 },
        { "", -1 },
        { "abc", -1 },
        { "-3", -1 },
        { ".", -1 },
    };
    static const char groups[] =
        "crawl-delay: 1\n"
        "user-agent: *\ncrawl-delay: 9\n\n"
        "user-agent: zscrape\ndisallow: /x\n\n"
        "user-agent: other\nCrawl-Delay: 4\n";
    struct robots *r;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        char *text = xasprintf("user-agent: zscrape\ncrawl-delay: %s\n",
                               cases[i].value);
        r = parse(text, PRODUCT);
        if (robots_crawl_delay_ms(r) != cases[i].ms)
            fprintf(stderr, "crawl-delay case '%s'\n", cases[i].value);
        CHECK_INT(robots_crawl_delay_ms(r), cases[i].ms);
        robots_free(r);
        free(text);
    }

    /* taken from the group we obey only */
    r = parse(groups, PRODUCT);
    CHECK_INT(robots_crawl_delay_ms(r), -1);
    robots_free(r);
    r = parse(groups, "nobody");
    CHECK_INT(robots_crawl_delay_ms(r), 9000);
    robots_free(r);
    r = parse(groups, "other");
    CHECK_INT(robots_crawl_delay_ms(r), 4000);
    robots_free(r);
    /* combined groups: the largest */
    r = parse("user-agent: zscrape\ncrawl-delay: 2\n\nuser-agent: x\n"
              "crawl-delay: 30\n\nuser-agent: zscrape\ncrawl-delay: 5\n"
              "crawl-delay: 3\n", PRODUCT);
    CHECK_INT(robots_crawl_delay_ms(r), 5000);
    robots_free(r);
    /* an invalid value does not erase a valid one */
    r = parse("user-agent: zscrape\ncrawl-delay: 2\ncrawl-delay: no\n",
              PRODUCT);
    CHECK_INT(robots_crawl_delay_ms(r), 2000);
    robots_free(r);
}

static void test_sitemaps(void)
{
    struct robots *r;
    char *text;
    size_t n;
    int i;

    r = parse("Sitemap: https://example.com/s1.xml\n"
              "user-agent: other\n"
              "disallow: /\n"
              "sitemap: https://example.com/s2.xml\n"
              "SITEMAP \t:  https://example.com/s3.xml?a=b  \n"
              "sitemap:\n"
              "site-map: http://example.com/s4.xml # comment\n"
              "user-agent: zscrape\n"
              "sitemap: https://other.example/s5.xml\n", PRODUCT);
    CHECK_INT(robots_nsitemaps(r), 5);
    CHECK_STR(robots_sitemap(r, 0), "https://example.com/s1.xml");
    CHECK_STR(robots_sitemap(r, 1), "https://example.com/s2.xml");
    CHECK_STR(robots_sitemap(r, 2), "https://example.com/s3.xml?a=b");
    CHECK_STR(robots_sitemap(r, 3), "http://example.com/s4.xml");
    CHECK_STR(robots_sitemap(r, 4), "https://other.example/s5.xml");
    CHECK(robots_sitemap(r, 5) == NULL);
    CHECK(robots_sitemap(r, -1) == NULL);
    ALLOWED(r, "/");
    robots_free(r);

    /* the same whatever the product */
    r = parse("user-agent: *\nsitemap: https://example.com/a.xml\n",
              "other");
    CHECK_INT(robots_nsitemaps(r), 1);
    robots_free(r);

    /* capped */
    text = xmalloc(SITEMAP_LINE * (ROBOTS_SITEMAPS_MAX + 10) + 1);
    for (i = 0, n = 0; i < ROBOTS_SITEMAPS_MAX + 10; i++)
        n += (size_t)snprintf(text + n, SITEMAP_LINE + 1,
                              "sitemap: https://e.example/%05d.xml\n", i);
    r = robots_parse(text, n, PRODUCT);
    CHECK_INT(robots_nsitemaps(r), ROBOTS_SITEMAPS_MAX);
    CHECK_STR(robots_sitemap(r, ROBOTS_SITEMAPS_MAX - 1),
              "https://e.example/00999.xml");
    robots_free(r);
    free(text);
}

/* Broken, odd and binary files. */
static void test_tolerance(void)
{
    static const char nul[] =
        "user-agent: *\ndisallow: /a\0b\ndisallow: /c\n\0\0garbage\n"
        "disallow: /d\n";
    struct robots *r;
    unsigned char *junk;
    uint32_t seed = 12345;
    size_t i;

    /* BOM */
    CHECK(!allows("\xEF\xBB\xBFuser-agent: *\ndisallow: /x\n", PRODUCT,
                  "/x"));
    /* a lone BOM, a broken BOM */
    CHECK(allows("\xEF\xBB\xBF", PRODUCT, "/x"));
    CHECK(allows("\xEF\xBB", PRODUCT, "/x"));

    /* CR, CRLF, LF and mixes; no final line end */
    r = parse("user-agent: *\rdisallow: /cr\r\ndisallow: /crlf\n"
              "disallow: /lf\r\r\n\ndisallow: /last", PRODUCT);
    DENIED(r, "/cr");
    DENIED(r, "/crlf");
    DENIED(r, "/lf");
    DENIED(r, "/last");
    ALLOWED(r, "/other");
    robots_free(r);
    r = parse("user-agent: *\r\nallow: /x/y\r\ndisallow: /x\r\n", PRODUCT);
    ALLOWED(r, "/x/y");
    DENIED(r, "/x/z");
    robots_free(r);

    /* whitespace around ':' and values; keys in any case */
    r = parse(" \tuSeR-aGeNt \t: \t * \t\n"
              "   DISALLOW  :   /x   \n"
              "\tAllow\t:\t/x/y\t\n", PRODUCT);
    DENIED(r, "/x");
    ALLOWED(r, "/x/y");
    robots_free(r);

    /* unknown keys, lines without ':', misspelled disallow */
    r = parse("user-agent: *\nfoo: bar\nnoindex: /n\ndisallow /nocolon\n"
              "just some words\ndissallow: /m\nDisalow: /m2\n", PRODUCT);
    ALLOWED(r, "/n");
    ALLOWED(r, "/nocolon");
    DENIED(r, "/m");
    DENIED(r, "/m2");
    robots_free(r);

    /* empty disallow (and allow): nothing disallowed */
    r = parse("user-agent: *\ndisallow:\nallow:\n", PRODUCT);
    ALLOWED(r, "/");
    ALLOWED(r, "/x");
    robots_free(r);
    CHECK(allows("user-agent: *\ndisallow:    # nothing\n", PRODUCT, "/"));

    /* empty and comment-only files */
    CHECK(allows("", PRODUCT, "/"));
    CHECK(allows("# nothing here\n\n\n", PRODUCT, "/x"));
    r = robots_parse(NULL, 0, PRODUCT);
    ALLOWED(r, "/x");
    CHECK_INT(robots_crawl_delay_ms(r), -1);
    CHECK_INT(robots_nsitemaps(r), 0);
    robots_free(r);
    /* len is obeyed: the text need not end in NUL */
    r = robots_parse("user-agent: *\ndisallow: /abcdef", 28, PRODUCT);
    DENIED(r, "/abc");
    ALLOWED(r, "/ab");
    robots_free(r);

    /* NUL bytes inside the file */
    r = robots_parse(nul, sizeof(nul) - 1, PRODUCT);
    ALLOWED(r, "/a");
    DENIED(r, "/c");
    DENIED(r, "/d");
    DENIED(r, "/a%00b");
    robots_free(r);

    /* random binary garbage, alone and around valid lines */
    junk = xmalloc(256 * 1024);
    for (i = 0; i < 256 * 1024; i++) {
        seed = seed * 1103515245u + 12345u;
        junk[i] = (unsigned char)(seed >> 16);
    }
    r = robots_parse((const char *)junk, 256 * 1024, PRODUCT);
    (void)robots_allowed(r, "/");
    (void)robots_allowed(r, "/some/path?q=1");
    CHECK(robots_crawl_delay_ms(r) <= ROBOTS_DELAY_MAX_MS);
    robots_free(r);
    memcpy(junk + 1000, "\nuser-agent: zscrape\ndisallow: /j\n", 34);
    r = robots_parse((const char *)junk, 256 * 1024, PRODUCT);
    DENIED(r, "/j");
    robots_free(r);
    /* every byte value as a user-agent and as rule text */
    for (i = 0; i < 256 * 1024; i++)
        if (junk[i] == '\n' || junk[i] == '\r' || junk[i] == '#')
            junk[i] = 'x';
    memcpy(junk, "user-agent: *\ndisallow: ", 24);
    junk[4096] = '\n';
    r = robots_parse((const char *)junk, 4097, PRODUCT);
    (void)robots_allowed(r, "/");
    robots_free(r);
    free(junk);
}

/* Fixed answers for 4xx and 5xx, and NULL. */
static void test_fixed(void)
{
    struct robots *r;

    r = robots_allow_all();
    ALLOWED(r, "/");
    ALLOWED(r, "/x?y");
    CHECK_INT(robots_crawl_delay_ms(r), -1);
    CHECK_INT(robots_nsitemaps(r), 0);
    robots_free(r);

    r = robots_disallow_all();
    DENIED(r, "/");
    DENIED(r, "/x?y");
    DENIED(r, "");
    ALLOWED(r, "/robots.txt");
    CHECK_INT(robots_crawl_delay_ms(r), -1);
    CHECK_INT(robots_nsitemaps(r), 0);
    robots_free(r);

    CHECK(robots_allowed(NULL, "/x"));
    CHECK_INT(robots_crawl_delay_ms(NULL), -1);
    CHECK_INT(robots_nsitemaps(NULL), 0);
    CHECK(robots_sitemap(NULL, 0) == NULL);
    robots_free(NULL);
}

/* The 500 KiB parse limit and the rule cap. */
static void test_caps(void)
{
    size_t size = ROBOTS_PARSE_MAX + 4096, n;
    char *text = xmalloc(size);
    struct robots *r;
    int i;

    /* a line cut by the limit is dropped, and all after it */
    n = (size_t)snprintf(text, size, "user-agent: *\ndisallow: /in\n");
    memset(text + n, '#', ROBOTS_PARSE_MAX - 5 - n);
    n = ROBOTS_PARSE_MAX - 5;
    text[n - 1] = '\n';
    n += (size_t)snprintf(text + n, size - n,
                          "disallow: /cut\ndisallow: /out\n");
    r = robots_parse(text, n, PRODUCT);
    DENIED(r, "/in");
    ALLOWED(r, "/cut");
    ALLOWED(r, "/out");
    robots_free(r);

    /* a line that ends right at the limit is kept: "disallow:/e" fills
     * the last 11 bytes, its line end is the first byte past the limit */
    n = (size_t)snprintf(text, size, "user-agent: *\n");
    memset(text + n, '#', ROBOTS_PARSE_MAX - 12 - n);
    text[ROBOTS_PARSE_MAX - 12] = '\n';
    memcpy(text + ROBOTS_PARSE_MAX - 11, "disallow:/e", 11);
    text[ROBOTS_PARSE_MAX] = '\n';
    text[ROBOTS_PARSE_MAX + 1] = '\n';
    n = ROBOTS_PARSE_MAX + 2;
    r = robots_parse(text, n, PRODUCT);
    DENIED(r, "/e");
    robots_free(r);
    /* the same with a CRLF that the limit splits */
    text[ROBOTS_PARSE_MAX] = '\r';
    r = robots_parse(text, n, PRODUCT);
    DENIED(r, "/e");
    robots_free(r);
    /* one byte more and the line is cut, so dropped */
    text[ROBOTS_PARSE_MAX] = 'x';
    r = robots_parse(text, n, PRODUCT);
    ALLOWED(r, "/e");
    robots_free(r);
    /* exactly the limit, no line end at all: kept */
    r = robots_parse(text, ROBOTS_PARSE_MAX, PRODUCT);
    DENIED(r, "/e");
    robots_free(r);
    free(text);

    /* the rule cap: rules past it are ignored */
    text = xmalloc((size_t)(ROBOTS_RULES_MAX + 10) * 2 * 20 + 256);
    n = (size_t)snprintf(text, 64, "user-agent: other\n");
    for (i = 0; i < ROBOTS_RULES_MAX + 5; i++)
        n += (size_t)snprintf(text + n, 20, "disallow: /o%d\n", i);
    n += (size_t)snprintf(text + n, 64, "user-agent: *\n");
    for (i = 0; i < ROBOTS_RULES_MAX; i++)
        n += (size_t)snprintf(text + n, 20, "disallow: /r%d\n", i);
    n += (size_t)snprintf(text + n, 64, "disallow: /last\n");
    r = robots_parse(text, n, PRODUCT);
    DENIED(r, "/r0");
    DENIED(r, "/r9999");
    ALLOWED(r, "/o0");
    ALLOWED(r, "/last");        /* rule 10,001 */
    robots_free(r);
    free(text);
}

/* Hostile files: nothing quadratic, nothing recursive. */
static void test_hostile(void)
{
    const size_t big = 10 * 1024 * 1024;
    size_t n, i;
    char *text = xmalloc(big + 64), *path;
    struct robots *r;

    /* a 10 MB line: cut by the limit, so dropped */
    n = (size_t)snprintf(text, 64, "user-agent: *\ndisallow: /");
    memset(text + n, 'a', big);
    n += big;
    r = robots_parse(text, n, PRODUCT);
    ALLOWED(r, "/");
    ALLOWED(r, "/aaaa");
    robots_free(r);
    /* ... and one after a real rule */
    n = (size_t)snprintf(text, 64, "user-agent: *\ndisallow: /x\n");
    memset(text + n, 'b', big);
    n += big;
    r = robots_parse(text, n, PRODUCT);
    DENIED(r, "/x");
    robots_free(r);

    /* 100,000 '*' in one pattern */
    n = (size_t)snprintf(text, 64, "user-agent: *\ndisallow: /");
    memset(text + n, '*', 100000);
    n += 100000;
    n += (size_t)snprintf(text + n, 64, "x$\n");
    path = xmalloc(200002);
    path[0] = '/';
    memset(path + 1, 'a', 200000);
    path[200001] = '\0';
    r = robots_parse(text, n, PRODUCT);
    ALLOWED(r, path);
    DENIED(r, "/ax");
    DENIED(r, "/x");
    ALLOWED(r, "/xa");
    robots_free(r);

    /* "/" "*a*a*a...*b" against "/aaaa...": backtracking would explode */
    n = (size_t)snprintf(text, 64, "user-agent: *\ndisallow: /");
    for (i = 0; i < 100000; i++) {
        text[n++] = '*';
        text[n++] = 'a';
    }
    n += (size_t)snprintf(text + n, 64, "*b\n");
    r = robots_parse(text, n, PRODUCT);
    ALLOWED(r, path);
    path[200000] = 'b';
    DENIED(r, path);
    path[200000] = 'a';
    robots_free(r);

    /* the rule cap full of wildcard rules against a long path */
    n = (size_t)snprintf(text, 64, "user-agent: *\n");
    for (i = 0; i < ROBOTS_RULES_MAX; i++)
        n += (size_t)snprintf(text + n, 64, "disallow: /*a*a*a*ab*c\n");
    r = robots_parse(text, n, PRODUCT);
    path[2000] = '\0';
    ALLOWED(r, path);
    path[1000] = 'b';
    path[1999] = 'c';
    DENIED(r, path);
    robots_free(r);

    free(path);
    free(text);
}

int main(void)
{
    test_product();
    test_rfc_groups();
    test_rfc_encoding();
    test_rfc_precedence();
    test_rfc_special();
    test_rfc_other_records();
    test_rfc_examples();
    test_google_precedence();
    test_google_paths();
    test_wildcards();
    test_user_agents();
    test_crawl_delay();
    test_sitemaps();
    test_tolerance();
    test_fixed();
    test_caps();
    test_hostile();
    return TEST_DONE();
}
