/* test_select.c: the CSS selector engine, one group of checks a feature,
 * on hand-written HTML.  A match prints as tag#id (or the tag alone),
 * "text" for ::text and @name=value for ::attr(); matches are joined by
 * spaces; a compile error prints as "ERR message @offset". */
#include "common/compat.h"

#include <time.h>

#include "common/buf.h"
#include "common/util.h"
#include "parser/select.h"
#include "parser/text.h"
#include "synth_tree.h"
#include "test.h"

static int collect(const struct select_match *m, void *ctx)
{
    struct buf *b = ctx;
    size_t len;
    const char *name;
    GumboAttribute *id;

    if (b->len)
        buf_addch(b, ' ');
    if (m->attr) {
        buf_printf(b, "@%s=%s", m->attr->name, m->attr->value);
        return 0;
    }
    if (m->node->type != GUMBO_NODE_ELEMENT &&
        m->node->type != GUMBO_NODE_TEMPLATE) {
        buf_printf(b, "\"%s\"", m->node->v.text.text);
        return 0;
    }
    name = text_tag_name(m->node, &len);
    buf_add(b, name, len);
    id = gumbo_get_attribute(&m->node->v.element.attributes, "id");
    if (id)
        buf_printf(b, "#%s", id->value);
    return 0;
}

/* What css matches in html; caller frees. */
static char *sel(const char *html, const char *css)
{
    GumboOptions opts = kGumboDefaultOptions;
    GumboOutput *g;
    struct select_doc *d;
    char err[256];
    size_t pos = 0;
    struct select *s = select_compile(css, strlen(css), err, sizeof(err),
                                      &pos);
    struct buf b;

    buf_init(&b, 64u << 20);
    opts.max_errors = 0;     /* as parser/page.c: no error list */
    g = gumbo_parse_with_options(&opts, html, strlen(html));
    d = select_doc_new(g->document);
    if (!s)
        buf_printf(&b, "ERR %s @%zu", err, pos);
    else
        select_run(s, d, collect, &b);
    select_free(s);
    select_doc_free(d);
    gumbo_destroy_output(&opts, g);
    return buf_detach(&b, NULL);
}

#define SEL(html, css, want) do { \
    char *got_ = sel(html, css); \
    CHECK_STR(got_, want); \
    free(got_); } while (0)

/* The compile error of css, or "ok"; caller frees. */
static char *err_of(const char *css, size_t len)
{
    char err[256];
    size_t pos = 0;
    struct select *s = select_compile(css, len, err, sizeof(err), &pos);

    if (s) {
        select_free(s);
        return xstrdup("ok");
    }
    return xasprintf("%s @%zu", err, pos);
}

#define ERR(css, want) do { \
    char *got_ = err_of(css, strlen(css)); \
    CHECK_STR(got_, want); \
    free(got_); } while (0)

static const char *page =
    "<!DOCTYPE html><html id=h><head><title id=t>T</title></head>"
    "<body id=b>"
    "<div id=d1 class='box  first\tx'>"
    "<p id=p1 class=lead>one <b id=b1>two</b> three</p>"
    "<p id=p2>four</p>"
    "</div>"
    "<DIV id=d2 lang=en-US data-k='V'><span id=s1>x</span></DIV>"
    "</body></html>";

static void test_type(void)
{
    SEL(page, "p", "p#p1 p#p2");
    SEL(page, "P", "p#p1 p#p2");
    SEL(page, "dIv", "div#d1 div#d2");
    SEL(page, "body *", "div#d1 p#p1 b#b1 p#p2 div#d2 span#s1");
    SEL(page, "*", "html#h head title#t body#b div#d1 p#p1 b#b1 p#p2 "
        "div#d2 span#s1");
    SEL(page, "section", "");
    /* unknown elements by their own name, any case on either side */
    SEL("<my-el id=a>x</my-el><My-El id=b></My-El><MyTag id=c></MyTag>"
        "<mytagx id=d></mytagx>", "my-el", "my-el#a My-El#b");
    SEL("<MyTag id=c></MyTag><mytagx id=d></mytagx>", "mytag", "MyTag#c");
    SEL("<mytag id=c></mytag>", "MYTAG", "mytag#c");
    /* a known name never matches an unknown element and vice versa */
    SEL("<divx id=a></divx><div id=b></div>", "div", "div#b");
    /* foreign content */
    SEL("<svg id=s><circle id=c></circle><title id=t>x</title></svg>",
        "svg > circle, svg title", "circle#c title#t");
}

static void test_id_class(void)
{
    SEL(page, "#p2", "p#p2");
    SEL(page, "p#p2", "p#p2");
    SEL(page, "div#p2", "");
    SEL(page, "#P2", "");                   /* ids are case-sensitive */
    SEL(page, ".box", "div#d1");
    SEL(page, ".x", "div#d1");              /* tab-separated class */
    SEL(page, ".box.first", "div#d1");
    SEL(page, ".box.lead", "");
    SEL(page, ".Box", "");                  /* classes too */
    SEL(page, ".lead#p1", "p#p1");
    SEL("<p id=a class='a b'><p id=b class='ab'>", ".a", "p#a");
}

static void test_attributes(void)
{
    const char *h =
        "<a id=a1 href='/x/page.html' title='Hello World' rel='nofollow "
        "noopener' lang=en-GB data-e=''>"
        "<a id=a2 href='http://ex.com/' title='hello' lang=en>"
        "<a id=a3 title='x&amp;y &quot;q&quot;' lang=english>"
        "<a id=a4 HREF=UPPER>";

    SEL(h, "[href]", "a#a1 a#a2 a#a4");
    SEL(h, "[HREF]", "a#a1 a#a2 a#a4");      /* names: any case */
    SEL(h, "[title=hello]", "a#a2");
    SEL(h, "[title='hello']", "a#a2");
    SEL(h, "[title=\"Hello World\"]", "a#a1");
    SEL(h, "[title=HELLO]", "");
    SEL(h, "[title=HELLO i]", "a#a2");
    SEL(h, "[title='HELLO' I]", "a#a2");
    SEL(h, "[title=hello s]", "a#a2");
    SEL(h, "[title=Hello s]", "");
    SEL(h, "[rel~=noopener]", "a#a1");
    SEL(h, "[rel~=noop]", "");
    SEL(h, "[rel~='nofollow noopener']", "");  /* never with a space */
    SEL(h, "[rel~='']", "");
    SEL(h, "[lang|=en]", "a#a1 a#a2");
    SEL(h, "[lang|=EN i]", "a#a1 a#a2");
    SEL(h, "[href^='/x/']", "a#a1");
    SEL(h, "[href^='']", "");                 /* empty never matches */
    SEL(h, "[href$='.html']", "a#a1");
    SEL(h, "[href$='.HTML' i]", "a#a1");
    SEL(h, "[href$='']", "");
    SEL(h, "[href*=ex]", "a#a2");
    SEL(h, "[href*='']", "");
    SEL(h, "[title*=WORLD i]", "a#a1");
    SEL(h, "[data-e]", "a#a1");
    SEL(h, "[data-e='']", "a#a1");
    /* values arrive decoded from the page, escaped in the selector */
    SEL(h, "[title='x&y \"q\"']", "a#a3");
    SEL(h, "[title=\"x&y \\\"q\\\"\"]", "a#a3");
    SEL(h, "[title='x\\26y \\22q\\22']", "a#a3");
    /* bare values are lenient */
    SEL(h, "[href=/x/page.html]", "a#a1");
    SEL("<img id=a width=100><img id=b width=50>", "[width=100]", "img#a");
    /* whitespace inside the brackets */
    SEL(h, "[ title = hello ]", "a#a2");
    SEL(h, "a[ lang |= en i ]", "a#a1 a#a2");
}

static void test_escapes(void)
{
    const char *h = "<p id='123'>a</p><p id='weird:id' class='a.b'>b</p>"
                    "<p id='sp ace' class='\xc3\xa9t\xc3\xa9'>c</p>"
                    "<p id='x\xef\xbf\xbdy'>d</p>";

    SEL(h, "#\\31 23", "p#123");
    SEL(h, "#\\000031 23", "p#123"); /* the space ends the escape */
    SEL(h, "#\\31 2\\33", "p#123");
    SEL(h, "#\\00003123", "p#123");
    SEL(h, "#weird\\:id", "p#weird:id");
    SEL(h, ".a\\.b", "p#weird:id");
    SEL(h, "#sp\\ ace", "p#sp ace");
    SEL(h, ".\xc3\xa9t\xc3\xa9", "p#sp ace");
    SEL(h, ".\\e9 t\\E9", "p#sp ace");
    SEL(h, "#x\\0y", "p#x\xef\xbf\xbdy");   /* \0 is U+FFFD */
    SEL(h, "[id='weird\\3a id']", "p#weird:id");
}

static const char *list =
    "<ul id=u>\n  text\n <!-- c -->"
    "<li id=l1>1</li> <li id=l2>2</li><li id=l3>3</li>"
    "<li id=l4>4</li><li id=l5>5</li><li id=l6>6</li><li id=l7>7</li>"
    "</ul>";

static void test_nth(void)
{
    /* positions count elements only: text and comments do not */
    SEL(list, "li:first-child", "li#l1");
    SEL(list, "li:last-child", "li#l7");
    SEL(list, "li:nth-child(odd)", "li#l1 li#l3 li#l5 li#l7");
    SEL(list, "li:nth-child(ODD)", "li#l1 li#l3 li#l5 li#l7");
    SEL(list, "li:nth-child(even)", "li#l2 li#l4 li#l6");
    SEL(list, "li:nth-child(2n+1)", "li#l1 li#l3 li#l5 li#l7");
    SEL(list, "li:nth-child(2n)", "li#l2 li#l4 li#l6");
    SEL(list, "li:nth-child(-n+3)", "li#l1 li#l2 li#l3");
    SEL(list, "li:nth-child(n)", "li#l1 li#l2 li#l3 li#l4 li#l5 li#l6 "
        "li#l7");
    SEL(list, "li:nth-child(n+5)", "li#l5 li#l6 li#l7");
    SEL(list, "li:nth-child(3)", "li#l3");
    SEL(list, "li:nth-child(+3)", "li#l3");
    SEL(list, "li:nth-child(0n+2)", "li#l2");
    SEL(list, "li:nth-child(-2n+5)", "li#l1 li#l3 li#l5");
    SEL(list, "li:nth-child(3n-1)", "li#l2 li#l5");
    SEL(list, "li:nth-child( 3n - 1 )", "li#l2 li#l5");
    SEL(list, "li:nth-child(3n+ 1)", "li#l1 li#l4 li#l7");
    SEL(list, "li:nth-child(-n-1)", "");
    SEL(list, "li:nth-child(0)", "");
    SEL(list, "li:nth-child(-3)", "");
    SEL(list, "li:nth-child(N+6)", "li#l6 li#l7");
    SEL(list, "li:nth-last-child(1)", "li#l7");
    SEL(list, "li:nth-last-child(odd)", "li#l1 li#l3 li#l5 li#l7");
    SEL(list, "li:nth-last-child(-n+2)", "li#l6 li#l7");
    SEL(list, "li:nth-last-child(3n)", "li#l2 li#l5");
    SEL(list, "li:only-child", "");
    SEL("<ul><li id=a>x</li></ul><ol> t <li id=b>y</li> t </ol>",
        "li:only-child", "li#a li#b");
}

static void test_of_type(void)
{
    const char *h = "<div id=d>"
        "<h2 id=h1>a</h2><p id=p1>1</p><p id=p2>2</p><span id=s1>s</span>"
        "<p id=p3>3</p><x-a id=x1></x-a><X-A id=x2></X-A><x-b id=y1></x-b>"
        "<h2 id=h2>b</h2><p id=p4>4</p></div>";

    SEL(h, "p:first-of-type", "p#p1");
    SEL(h, "p:last-of-type", "p#p4");
    SEL(h, "p:nth-of-type(2)", "p#p2");
    SEL(h, "p:nth-of-type(even)", "p#p2 p#p4");
    SEL(h, "p:nth-last-of-type(2)", "p#p3");
    SEL(h, "p:nth-last-of-type(-n+2)", "p#p3 p#p4");
    SEL(h, "span:only-of-type", "span#s1");
    SEL(h, "p:only-of-type", "");
    SEL(h, "h2:last-of-type", "h2#h2");
    /* unknown elements: one type by name, whatever the case */
    SEL(h, "x-a:last-of-type", "X-A#x2");
    SEL(h, "x-b:only-of-type", "x-b#y1");
    SEL(h, "*:first-of-type", "html head body div#d h2#h1 p#p1 span#s1 "
        "x-a#x1 x-b#y1");
    SEL(h, "#d > :nth-of-type(2)", "p#p2 X-A#x2 h2#h2");
    SEL(h, ":nth-last-of-type(1):not(p)", "html head body div#d span#s1 "
        "X-A#x2 x-b#y1 h2#h2");
}

static void test_combinators(void)
{
    const char *h = "<div id=a><p id=b><span id=c><em id=d></em></span>"
        "</p>text<p id=e></p><!-- c --><span id=f></span><p id=g></p>"
        "</div><span id=h></span>";

    SEL(h, "div span", "span#c span#f");
    SEL(h, "div    span", "span#c span#f");
    SEL(h, "div > span", "span#f");
    SEL(h, "div>span", "span#f");
    SEL(h, "p > span > em", "em#d");
    SEL(h, "div em", "em#d");
    SEL(h, "div > em", "");
    SEL(h, "p + p", "p#e");                   /* text between: still */
    SEL(h, "p + span", "span#f");             /* a comment between */
    SEL(h, "p~p", "p#e p#g");
    SEL(h, "p ~ span", "span#f");
    SEL(h, "div ~ span", "span#h");
    SEL(h, "div + span", "span#h");
    SEL(h, "div p ~ p > *", "");
    SEL(h, "#a > p + p ~ p", "p#g");
    SEL(h, "div span ~ p", "p#g");
    SEL(h, "p span em", "em#d");
    SEL(h, "div > p span", "span#c");
    /* the descendant relation must not need the same ancestor twice */
    SEL("<div id=x><div id=y><p id=z></p></div></div>", "div div p",
        "p#z");
    SEL("<div id=x><p id=z></p></div>", "div div p", "");
}

static void test_lists(void)
{
    /* document order, no duplicates */
    SEL(page, "p, div", "div#d1 p#p1 p#p2 div#d2");
    SEL(page, "#p2, #p1", "p#p1 p#p2");
    SEL(page, "p, p#p1, .lead", "p#p1 p#p2");
    SEL(page, "b , span", "b#b1 span#s1");
    SEL(page, "title,b", "title#t b#b1");
}

static void test_not_empty_root(void)
{
    SEL(list, "li:not(:first-child):not(:last-child)",
        "li#l2 li#l3 li#l4 li#l5 li#l6");
    SEL(list, "li:not(#l1, #l2, :nth-child(n+4))", "li#l3");
    SEL(list, "li:not(li)", "");
    SEL(list, ":not(li)", "html head body ul#u");
    SEL(list, "li:not(:not(#l3))", "li#l3");
    SEL(page, "p:not([class])", "p#p2");
    SEL(page, "*:not(html, head, body, p, b)", "title#t div#d1 div#d2 "
        "span#s1");
    SEL(page, "*:not(div *)", "ERR ':not()' takes compound selectors, no "
        "combinators @10");
    SEL("<p id=a></p><p id=b> </p><p id=c><!--x--></p><p id=d><b></b>"
        "</p><p id=e>x</p>", "p:empty", "p#a p#c");
    SEL(page, ":root", "html#h");
    SEL(page, "html:root", "html#h");
    SEL(page, "body:root", "");
    SEL(page, ":root > body", "body#b");
    SEL(page, ":root:first-child:last-child", "html#h");
}

static void test_contains(void)
{
    const char *h = "<div id=a>Hello <b id=b>big</b>   world"
        "<script id=s>var secret = 1;</script>"
        "<style id=y>.secret {}</style>"
        "<template id=t><i id=i>tmpl secret</i></template></div>"
        "<p id=p>a&nbsp;b</p><p id=q>fo<b id=o>o</b> bar</p>"
        "<p id=r>\n  lead  </p>";

    SEL(h, "div:contains('Hello big world')", "div#a");
    SEL(h, ":contains(\"big world\")", "html body div#a");
    SEL(h, "*:contains(big)", "html body div#a b#b");
    SEL(h, ":contains('Hello  big')", "");          /* collapsed */
    /* script, style and template text is not the element's text ... */
    SEL(h, "div:contains(secret)", "");
    /* ... unless the element is the script, style or template */
    SEL(h, ":contains(secret)", "script#s style#y template#t i#i");
    SEL(h, "p:contains('a b')", "");                /* nbsp stays */
    SEL(h, "p:contains('a\xc2\xa0" "b')", "p#p");
    SEL(h, "p:contains('foo bar')", "p#q");         /* across children */
    SEL(h, "p:contains(lead)", "p#r");
    SEL(h, "p:contains(' lead')", "");              /* trimmed */
    SEL(h, "p:contains('')", "p#p p#q p#r");
    SEL(h, "b:not(:contains(big))", "b#o");
    /* overlapping occurrences */
    SEL("<p id=a>aaab</p><p id=b>aab</p>", "p:contains(aab)", "p#a p#b");
    SEL("<p id=a>abab<b>a</b>c</p>", ":contains(ababac)", "html body p#a");
}

static void test_has(void)
{
    const char *h = "<div id=a><p id=p1><b id=b1>x</b></p></div>"
        "<div id=c><span id=s1></span><p id=p2></p></div>"
        "<div id=e><p id=p3></p><span id=s2></span><i id=i1></i></div>";

    SEL(h, "div:has(b)", "div#a");
    SEL(h, "div:has(> b)", "");
    SEL(h, "div:has(> p > b)", "div#a");
    SEL(h, "div:has(p b)", "div#a");
    SEL(h, "div:has(p)", "div#a div#c div#e");
    SEL(h, ":has(> span)", "div#c div#e");
    SEL(h, "span:has(+ p)", "span#s1");
    SEL(h, "p:has(+ span)", "p#p3");
    SEL(h, "p:has(~ i)", "p#p3");
    SEL(h, "p:has(~ span + i)", "p#p3");
    SEL(h, "span:has(~ i)", "span#s2");
    SEL(h, "div:has(span, b)", "div#a div#c div#e");
    SEL(h, "div:has(span + p)", "div#c");
    SEL(h, "div:not(:has(span))", "div#a");
    SEL(h, "div:has(> p:first-child)", "div#a div#e");
    SEL(h, "body > :has(b) ~ div", "div#c div#e");
    SEL(h, "div:has(x)", "");
    SEL(h, "p:has(b:contains(x))", "p#p1");
}

static void test_pseudo_elements(void)
{
    const char *h = "<div id=a>own <p id=p>one <b>two</b> three</p> tail"
        "<a href='/x' class=c>link</a><a>none</a><a href='/y'></a></div>";

    SEL(h, "p::text", "\"one \" \" three\"");
    SEL(h, "p ::text", "\"one \" \"two\" \" three\"");
    SEL(h, "p *::text", "\"one \" \"two\" \" three\"");
    SEL(h, "div > *::text", "\"one \" \" three\" \"link\" \"none\"");
    SEL(h, "b::text, p::text", "\"one \" \"two\" \" three\"");
    SEL(h, "p::TEXT", "\"one \" \" three\"");
    SEL(h, "a::attr(href)", "@href=/x @href=/y");
    SEL(h, "a::attr(\"href\")", "@href=/x @href=/y");
    SEL(h, "a::attr(href), a::attr(class)", "@href=/x @class=c @href=/y");
    SEL(h, "a::attr(nothing)", "");
    SEL(h, "div *::attr(id)", "@id=a @id=p");
    SEL(h, "div > *::attr(id)", "@id=p");
    SEL(h, "*::text", "\"own \" \"one \" \"two\" \" three\" \" tail\" "
        "\"link\" \"none\"");
}

static void test_errors(void)
{
    ERR("", "empty selector @0");
    ERR("   ", "empty selector @3");
    ERR("p:hover", "unknown pseudo-class ':hover' @1");
    ERR("p:HOVER()", "unknown pseudo-class ':hover()' @1");
    ERR("p::before", "unknown pseudo-element '::before' (known: ::text, "
        "::attr(name)) @1");
    ERR("[a=\"x]", "unterminated quote @3");
    ERR("[a='x", "unterminated quote @3");
    ERR(":contains('x)", "unterminated quote @10");
    ERR("[a=x", "unterminated '[' @0");
    ERR("[a", "unterminated '[' @0");
    ERR("[", "expected an attribute name after '[', found end @1");
    ERR("[a!=b]", "expected an attribute operator or ']' @2");
    ERR("[a=]", "expected a value after the operator @3");
    ERR("[a=b c]", "expected ']' @5");
    ERR("a >", "expected a selector, found end @3");
    ERR("> a", "selector cannot start with '>' @0");
    ERR("a,,b", "expected a selector @2");
    ERR("a,", "expected a selector, found end @2");
    ERR("a b,", "expected a selector, found end @4");
    ERR("a > > b", "expected a selector after the combinator @4");
    ERR("a)", "unexpected character ')' @1");
    ERR("a$", "unexpected character '$' @1");
    ERR(".", "expected a name after '.' @0");
    ERR("#", "expected a name after '#' @0");
    ERR(".1a", "expected a name after '.' @0");
    ERR(":", "expected a pseudo-class name after ':' @0");
    ERR("p:not", "':not' needs an argument: ':not(...)' @1");
    ERR("p:empty()", "':empty' takes no argument @1");
    ERR("p:not(a b)", "':not()' takes compound selectors, no "
        "combinators @8");
    ERR("p:not()", "expected a selector in ':not()' @6");
    ERR("p:not(a", "missing ')' after ':not(' @7");
    ERR("p:not(::text)", "pseudo-elements cannot appear inside ':not()' "
        "or ':has()' @6");
    ERR("p:has(a:has(b))", "':has()' cannot be nested @7");
    ERR("p:has(a::text)", "pseudo-elements cannot appear inside ':not()' "
        "or ':has()' @7");
    ERR("p:has()", "expected a selector @6");
    ERR("p::text a", "a pseudo-element must end the selector @8");
    ERR("p::text.x", "a pseudo-element must end the selector @7");
    ERR("p::text, a", "a selector list cannot mix elements, ::text and "
        "::attr() @9");
    ERR("p::attr()", "expected an attribute name in '::attr()' @8");
    ERR("p::attr(a b)", "expected ')' after '::attr(' @10");
    ERR("p::text()", "unknown pseudo-element '::text()' (known: ::text, "
        "::attr(name)) @1");
    ERR("svg|a", "namespaces are not supported @3");
    ERR("[svg|a]", "namespaces are not supported @4");
    ERR("li:nth-child()", "expected an+b, odd or even @13");
    ERR("li:nth-child(2n+)", "expected a number in an+b @16");
    ERR("li:nth-child(n2)", "unexpected character in an+b @14");
    ERR("li:nth-child(foo)", "expected an+b, odd or even @13");
    ERR("li:nth-child(- n)", "expected an+b, odd or even @13");
    ERR("li:nth-child(3 n)", "expected ')' after an+b @15");
    ERR("li:nth-child(99999999999)", "number too large in an+b @13");
    ERR("li:nth-child(2", "missing ')' after an+b @14");
    ERR(":contains()", "expected a string in ':contains()' @10");
    ERR(":contains(a b)", "expected ')' after ':contains(' @12");
    ERR("p:not(:not(:not(:not(:not(:not(:not(:not(:not(a)))))))))",
        "selector nests too deeply @41");
    {
        char *got = err_of("a\0b", 3);
        CHECK_STR(got, "NUL byte in selector @1");
        free(got);
    }
    {
        size_t n = SELECT_MAX_LEN + 1;
        char *big = xmalloc(n);
        char *got;
        memset(big, 'a', n);
        got = err_of(big, n);
        CHECK_STR(got, "selector longer than 4096 bytes @4096");
        free(got);
        free(big);
    }
    /* accepted forms */
    ERR("a , b", "ok");
    ERR(" a > b ~ c + d e ", "ok");
    ERR("*|*", "namespaces are not supported @1");
    ERR("::text", "ok");
    ERR("-foo", "ok");
    ERR("--foo", "ok");
    ERR("-1", "expected a selector @0");
    ERR("a:nth-child(even):nth-last-of-type(2n+1):only-child", "ok");
    ERR("p:not(:not(:not(:not(:not(:not(:not(:not(a))))))))", "ok");
}

/* Escapes cut short by the end of the input. */
static void test_escape_at_end(void)
{
    ERR("\\", "ok");                 /* a lone backslash is U+FFFD */
    ERR("a\\", "ok");
    ERR("[a=\\", "unterminated '[' @0");
    ERR("[a='\\", "unterminated quote @3");
}

/* What css matches under the tree root; caller frees. */
static char *sel_tree(GumboNode *root, const char *css)
{
    struct select_doc *d = select_doc_new(root);
    char err[256];
    size_t pos = 0;
    struct select *s = select_compile(css, strlen(css), err, sizeof(err),
                                      &pos);
    struct buf b;

    buf_init(&b, 64u << 20);
    if (!s)
        buf_printf(&b, "ERR %s @%zu", err, pos);
    else
        select_run(s, d, collect, &b);
    select_free(s);
    select_doc_free(d);
    return buf_detach(&b, NULL);
}

#define SEL_TREE(root, css, want) do { \
    char *got_ = sel_tree(root, css); \
    CHECK_STR(got_, want); \
    free(got_); } while (0)

/* Pages nest 100,000 deep: nothing may recurse on depth, and matching
 * must stay linear in the tree size. */
static void test_deep(void)
{
    enum { DEPTH = 200000 };
    struct forest f = { NULL, 0, 0 };
    GumboNode *doc = deep_tree(&f, DEPTH);
    clock_t t0 = clock();
    double secs;
    struct buf t;

    SEL_TREE(doc, "div div div p", "p#last");
    SEL_TREE(doc, "div > div > p:only-child:first-of-type", "p#last");
    SEL_TREE(doc, "body > div:contains(end) div:has(p) > p", "p#last");
    SEL_TREE(doc, "div:has(div > div > p) > div > div > p", "p#last");
    SEL_TREE(doc, "p:contains('xend'), div:has(> div > x-y)", "");
    SEL_TREE(doc, "p:contains('end'):not(:has(*))", "p#last");
    SEL_TREE(doc, "div:contains('xxend'):not(:has(div div))::text",
             "\"x\"");
    SEL_TREE(doc, "div:has(+ p, > p:last-child) ~ *, :root > body > div "
             "> div:nth-child(1):nth-last-of-type(1) > div:empty", "");
    SEL_TREE(doc, "body div:nth-of-type(1):not(:has(p)), #last:root", "");
    /* the text value walks without recursion too */
    buf_init(&t, 64u << 20);
    CHECK_INT(text_value(doc, &t), 0);
    CHECK_INT(t.len, DEPTH + 3);
    buf_release(&t);
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* linear work takes well under a second here (under valgrind, a few);
     * anything quadratic (200,000^2 steps) takes many minutes */
    CHECK(secs < 60);
    forest_free(&f);
}

/* 100,000 siblings: nth-last-of-type, ~ and :has(~) stay linear. */
static void test_wide(void)
{
    enum { WIDTH = 100000 };
    struct buf h;
    char *got;
    int i;

    buf_init(&h, 16u << 20);
    buf_addstr(&h, "<ul>");
    for (i = 0; i < WIDTH; i++)
        buf_addstr(&h, i % 2 ? "<li>a</li>" : "<i>b</i>");
    buf_addstr(&h, "<li id=z>z</li></ul>");
    got = sel(h.data, "li:nth-last-of-type(1):nth-child(100001), "
              "i:has(~ li#z):nth-of-type(1)");
    CHECK_STR(got, "i li#z");
    free(got);
    got = sel(h.data, "i ~ li ~ li#z:last-child");
    CHECK_STR(got, "li#z");
    free(got);
    buf_release(&h);
}

int main(void)
{
    test_type();
    test_id_class();
    test_attributes();
    test_escapes();
    test_nth();
    test_of_type();
    test_combinators();
    test_lists();
    test_not_empty_root();
    test_contains();
    test_has();
    test_pseudo_elements();
    test_errors();
    test_escape_at_end();
    test_deep();
    test_wide();
    return TEST_DONE();
}
