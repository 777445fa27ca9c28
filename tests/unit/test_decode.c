/* test_decode.c: parser/decode.c, charset sniffing and conversion.
 * Fixture pages live in tests/fixtures/charset/ (made by gen.py there);
 * the tests run from the repository root. */
#include "common/compat.h"

#include "common/util.h"
#include "parser/decode.h"
#include "tests/unit/test.h"

#define FIXTURES "tests/fixtures/charset/"
#define BIG (1u << 20)
#define FIXTURE_MAX (64 * 1024)

/* Read a fixture file whole; caller frees; NULL (and a failed check) if
 * it cannot be read. */
static char *slurp(const char *name, size_t *len)
{
    char path[256], *p = NULL;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), FIXTURES "%s", name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open '%s' (run from the repo root)\n", path);
        CHECK(f != NULL);
        return NULL;
    }
    p = xmalloc(FIXTURE_MAX + 1);
    n = fread(p, 1, FIXTURE_MAX, f);
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

/* Decode s (len bytes) with content type ct and no useful cap. */
static char *dec(const char *s, size_t len, const char *ct, size_t *outlen,
                 const char **cs)
{
    return decode_to_utf8(s, len, ct, BIG, outlen, cs);
}

/* Decode a NUL-free string literal; check the charset; return the text. */
static char *decs(const char *s, const char *ct, const char *want_cs)
{
    const char *cs = NULL;
    size_t n;
    char *out = dec(s, strlen(s), ct, &n, &cs);

    CHECK_STR(cs, want_cs);
    CHECK(out != NULL && strlen(out) == n);
    return out;
}

/* The text between the first "<p>" and "</p>" of a page; caller frees. */
static char *para(const char *page)
{
    const char *a = page ? strstr(page, "<p>") : NULL;
    const char *b = a ? strstr(a, "</p>") : NULL;

    if (!a || !b)
        return xstrdup("(no paragraph)");
    return xstrndup(a + 3, (size_t)(b - a - 3));
}

/* Decode fixture NAME.html, compare with NAME.expected and the charset;
 * returns the paragraph text (caller frees). */
static char *fixture(const char *name, const char *ct, const char *want_cs)
{
    char file[128];
    char *page, *want, *got, *text;
    size_t plen = 0, wlen = 0, glen = 0;
    const char *cs = NULL;

    snprintf(file, sizeof(file), "%s.html", name);
    page = slurp(file, &plen);
    snprintf(file, sizeof(file), "%s.expected", name);
    want = slurp(file, &wlen);
    if (!page || !want) {
        free(page);
        free(want);
        return xstrdup("(missing)");
    }
    got = dec(page, plen, ct, &glen, &cs);
    CHECK_STR(cs, want_cs);
    CHECK(got != NULL);
    if (got) {
        CHECK_INT(glen, wlen);
        if (glen != wlen || memcmp(got, want, wlen))
            fprintf(stderr, "%s: decoded text differs:\n%s\n", name, got);
        CHECK(glen == wlen && !memcmp(got, want, wlen));
    }
    text = para(got);
    free(page);
    free(want);
    free(got);
    return text;
}

static void test_fixtures(void)
{
    char *a, *b, *c;

    a = fixture("latin1", NULL, "windows-1252");
    CHECK_STR(a, "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e, "
              "\xc2\xbd \xc2\xb0" "C, \xc3\xbf");
    free(a);

    /* 0x80 euro, 0x93/0x94 curly quotes, 0x96 en dash, 0x89 per mille */
    a = fixture("windows-1252", NULL, "windows-1252");
    b = fixture("windows-1252-default", NULL, "windows-1252");
    c = fixture("utf8-bom", NULL, "utf-8");   /* BOM beats its <meta> */
    CHECK_STR(a, "\xe2\x80\x9c" "Caf\xc3\xa9\xe2\x80\x9d \xe2\x80\x93 5 "
              "\xe2\x82\xac, na\xc3\xafve \xc2\xbd \xe2\x80\xb0");
    CHECK_STR(b, a);
    CHECK_STR(c, a);
    free(a);
    free(b);
    free(c);

    /* Shift_JIS as WHATWG has it (CP932): 0x8160 is U+FF5E, 0x8740 is
     * U+2460, 0x5c stays a backslash */
    a = fixture("shift_jis", NULL, "shift_jis");
    b = fixture("utf8-bom-ja", NULL, "utf-8");
    c = fixture("utf-16le-bom", NULL, "utf-16le");
    CHECK_STR(a, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
              "\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88"
              "\xef\xbd\x9e\xe2\x91\xa0 C:\\tmp");
    CHECK_STR(b, a);
    CHECK_STR(c, a);
    free(a);
    free(b);
    free(c);

    /* upper-case http-equiv form after a comment holding a decoy */
    a = fixture("euc-jp", NULL, "euc-jp");
    free(a);
    a = fixture("koi8-r", NULL, "koi8-r");
    free(a);
    /* Content-Type beats the page's <meta charset=koi8-r> */
    {
        const char *cs = NULL;
        size_t plen = 0, n = 0;
        char *page = slurp("koi8-r.html", &plen), *out = NULL;

        if (page)
            out = dec(page, plen, "text/html; charset=windows-1251", &n,
                      &cs);
        CHECK_STR(cs, "windows-1251");
        a = para(out);
        CHECK_STR(a, "\xd1\x80\xd0\xa2\xd0\x99\xd0\xa7\xd0\x95"
                  "\xd0\xa4, \xd0\x9d\xd0\x99\xd0\xa2");
        free(a);
        free(out);
        free(page);
    }
}

static void test_meta_prescan(void)
{
    char *s;

    s = decs("<meta charset=koi8-r><p>\xf0", NULL, "koi8-r");
    CHECK_STR(s, "<meta charset=koi8-r><p>\xd0\x9f");
    free(s);
    free(decs("<meta charset=\"ISO-8859-2\">", NULL, "iso-8859-2"));
    free(decs("<meta charset='latin1'>", NULL, "windows-1252"));
    free(decs("<META CHARSET = \" UTF-8 \" >", NULL, "utf-8"));
    free(decs("<meta/charset=\"utf8\"/>", NULL, "utf-8"));
    /* the http-equiv form, either attribute order, any case */
    free(decs("<meta http-equiv=\"Content-Type\" content=\"text/html; "
              "charset=koi8-r\">", NULL, "koi8-r"));
    free(decs("<meta content='text/html;charset=\"shift_jis\"' "
              "http-equiv='CONTENT-TYPE'>", NULL, "shift_jis"));
    free(decs("<Meta Content=\"text/html; Charset = EUC-KR\" "
              "HTTP-EQUIV=content-type>", NULL, "euc-kr"));
    /* content without http-equiv is no declaration */
    free(decs("<meta content=\"text/html; charset=koi8-r\"><meta "
              "charset=big5>", NULL, "big5"));
    /* after other tags, a doctype, a comment and a processing
     * instruction; the decoys inside them do not count */
    free(decs("<?xml version=\"1.0\" encoding=\"koi8-r\"?>\n"
              "<!DOCTYPE html><html lang=en><!-- <meta charset=koi8-r> -->"
              "<head><title>x</title><meta charset=gbk>", NULL, "gbk"));
    free(decs("<!--><meta charset=koi8-r>", NULL, "koi8-r"));
    free(decs("<div title='<meta charset=koi8-r>'><meta charset=big5>",
              NULL, "big5"));
    free(decs("</p title='<meta charset=koi8-r>'>", NULL, "windows-1252"));
    free(decs("<!-- <meta charset=koi8-r>", NULL, "windows-1252"));
    /* an unknown label: keep scanning; utf-16 in a meta means utf-8 */
    free(decs("<meta charset=bogus><meta charset=iso-8859-15>", NULL,
              "iso-8859-15"));
    free(decs("<meta charset=utf-16le>", NULL, "utf-8"));
    free(decs("<meta charset=utf-16>", NULL, "utf-8"));
    /* the first charset attribute counts; <metadata> is another tag */
    free(decs("<meta charset=koi8-r charset=big5>", NULL, "koi8-r"));
    free(decs("<metadata charset=koi8-r>", NULL, "windows-1252"));
    free(decs("<meta charset=koi8-r", NULL, "windows-1252"));
    free(decs("", NULL, "windows-1252"));
    {
        /* only the first 1024 bytes are looked at */
        char page[1101];
        const char *m = "<meta charset=koi8-r>";

        memset(page, ' ', sizeof(page) - 1);
        page[sizeof(page) - 1] = '\0';
        memcpy(page + 1030, m, strlen(m));
        free(decs(page, NULL, "windows-1252"));
        memcpy(page + 1010, m, strlen(m));   /* ends past byte 1024 */
        free(decs(page, NULL, "windows-1252"));
        memcpy(page + 1000, m, strlen(m));
        free(decs(page, NULL, "koi8-r"));
    }
}

/* Labels of the WHATWG table, as a Content-Type charset and in a
 * <meta>, through each converter */
static void test_labels(void)
{
    static const struct {
        const char *label;   /* as a page may spell it */
        const char *name;    /* canonical name decode reports */
        const char *in;      /* text in that encoding */
        const char *utf8;    /* the same text in UTF-8 */
    } t[] = {
        { "iso-2022-jp", "iso-2022-jp",
          "\x1b$B$3$s$K$A$O\x1b(B",
          "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf" },
        { "gb2312", "gbk",
          "\xd6\xd0\xce\xc4\xcd\xf8\xd2\xb3",
          "\xe4\xb8\xad\xe6\x96\x87\xe7\xbd\x91\xe9\xa1\xb5" },
        { "GB18030", "gb18030",
          "\xd6\xd0\xce\xc4\xa2\xe3\x94" "9\xfc" "6",
          "\xe4\xb8\xad\xe6\x96\x87\xe2\x82\xac\xf0\x9f\x98\x80" },
        { "big5", "big5",
          "\xc1" "c\xc5\xe9\xa4\xa4\xa4\xe5",
          "\xe7\xb9\x81\xe9\xab\x94\xe4\xb8\xad\xe6\x96\x87" },
        { "ks_c_5601-1987", "euc-kr",
          "\xc7\xd1\xb1\xb9\xbe\xee \x8c" "c",
          "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 \xeb\x98\xa0" },
        { "greek", "iso-8859-7",
          "\xc5\xeb\xeb\xe7\xed\xe9\xea\xdc",
          "\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac" },
        { "cp1251", "windows-1251",
          "\xcf\xf0\xe8\xe2\xe5\xf2",
          "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
        { "l9", "iso-8859-15",
          "\xa4uro \xbd",
          "\xe2\x82\xacuro \xc5\x93" },
        { "x-cp1250", "windows-1250",
          "Za\xbf\xf3\xb3\xe6",
          "Za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87" },
        { "866", "ibm866",
          "\x8f\xe0\xa8\xa2\xa5\xe2",
          "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
        { "x-mac-cyrillic", "x-mac-cyrillic",
          "\x8f\xf0\xe8\xe2\xe5\xf2",
          "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
        { "mac", "macintosh",
          "caf\x8e",
          "caf\xc3\xa9" },
        { "tis-620", "windows-874",
          "\xc0\xd2\xc9\xd2\xe4\xb7\xc2",
          "\xe0\xb8\xa0\xe0\xb8\xb2\xe0\xb8\xa9\xe0\xb8\xb2\xe0\xb9\x84"
          "\xe0\xb8\x97\xe0\xb8\xa2" },
        { "logical", "iso-8859-8-i",
          "\xf2\xe1\xf8\xe9\xfa",
          "\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa" },
        { "x-euc-jp", "euc-jp",
          "\xc6\xfc\xcb\xdc",
          "\xe6\x97\xa5\xe6\x9c\xac" },
        { "koi8-u", "koi8-u",
          "\xf5\xcb\xd2\xc1\xa7\xce\xc1",
          "\xd0\xa3\xd0\xba\xd1\x80\xd0\xb0\xd1\x97\xd0\xbd\xd0\xb0" },
        { "latin2", "iso-8859-2",
          "\xa3\xf3" "d\xbc",
          "\xc5\x81\xc3\xb3" "d\xc5\xba" },
        { "iso-8859-9", "windows-1254",
          "\xddstanbul \xf0",
          "\xc4\xb0stanbul \xc4\x9f" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(t); i++) {
        char ct[128], page[256], want[256];
        char *s;

        snprintf(ct, sizeof(ct), "text/html; charset=%s", t[i].label);
        s = decs(t[i].in, ct, t[i].name);
        CHECK_STR(s, t[i].utf8);
        free(s);
        snprintf(page, sizeof(page), "<meta charset='%s'>%s", t[i].label,
                 t[i].in);
        snprintf(want, sizeof(want), "<meta charset='%s'>%s", t[i].label,
                 t[i].utf8);
        s = decs(page, NULL, t[i].name);
        CHECK_STR(s, want);
        free(s);
    }
}

static void test_precedence(void)
{
    char *s;

    /* Content-Type charset over <meta>; quoted, any case, other params */
    s = decs("<meta charset=koi8-r>\xe9", "text/html; charset=ISO-8859-1",
             "windows-1252");
    CHECK_STR(s, "<meta charset=koi8-r>\xc3\xa9");
    free(s);
    free(decs("<meta charset=koi8-r>", "text/html;charset=\"utf-8\"",
              "utf-8"));
    free(decs("<meta charset=koi8-r>", "text/html; q=1; CharSet=gbk; "
              "charset=big5", "gbk"));
    /* an unknown or missing charset falls through to the <meta> */
    free(decs("<meta charset=koi8-r>", "text/html; charset=nonsense",
              "koi8-r"));
    free(decs("<meta charset=koi8-r>", "text/html", "koi8-r"));
    free(decs("<meta charset=koi8-r>", "", "koi8-r"));
    free(decs("<meta charset=koi8-r>", "text/html; charset", "koi8-r"));
    free(decs("<meta charset=koi8-r>", "text/html; charset=", "koi8-r"));
    /* a BOM over Content-Type */
    s = decs("\xef\xbb\xbf\xc3\xa9", "text/html; charset=windows-1252",
             "utf-8");
    CHECK_STR(s, "\xc3\xa9");
    free(s);
    {
        const char *cs = NULL;
        size_t n = 0;
        char *out = dec("\xfe\xff\x00" "A\x00\xe9", 6,
                        "text/html; charset=utf-8", &n, &cs);
        CHECK_STR(cs, "utf-16be");
        CHECK_STR(out, "A\xc3\xa9");
        free(out);
        /* the Content-Type may say utf-16 (little-endian, no BOM) */
        out = dec("A\x00\x3d\xd8\x00\xde", 6, "text/html; "
                  "charset=utf-16", &n, &cs);
        CHECK_STR(cs, "utf-16le");
        CHECK_STR(out, "A\xf0\x9f\x98\x80");
        free(out);
    }
}

static void test_invalid(void)
{
    const char *cs = NULL;
    size_t n = 99;
    char *s;

    /* invalid UTF-8: each maximal bad subpart is one U+FFFD */
    s = decs("a\xff" "b\xe2\x82" "c\xc0\xaf" "d\xed\xa0\x80" "e\xf4\x90"
             "\x80\x80" "f\xe2\x82\xac", "text/html; charset=utf-8",
             "utf-8");
    CHECK_STR(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
              "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
              "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
              "f\xe2\x82\xac");
    free(s);
    s = decs("\xef\xbb\xbf" "ok\xf0\x9f\x98", NULL, "utf-8");
    CHECK_STR(s, "ok\xef\xbf\xbd");
    free(s);
    /* windows-1252's unassigned bytes map to C1 controls */
    s = decs("\x81\x8d\x9d", NULL, "windows-1252");
    CHECK_STR(s, "\xc2\x81\xc2\x8d\xc2\x9d");
    free(s);
    /* iconv: a byte that does not convert is U+FFFD, and it goes on */
    s = decs("<meta charset=shift_jis>\x82\xa0\x82\xa2\xff\x82\xa4\x82",
             NULL, "shift_jis");
    CHECK_STR(s, "<meta charset=shift_jis>\xe3\x81\x82\xe3\x81\x84"
              "\xef\xbf\xbd\xe3\x81\x86\xef\xbf\xbd");
    free(s);
    /* UTF-16: lone surrogates and an odd last byte */
    s = dec("\xff\xfe" "A\x00\x00\xdc" "B\x00\x00\xd8" "C\x00" "D", 13,
            NULL, &n, &cs);
    CHECK_STR(cs, "utf-16le");
    CHECK_STR(s, "A\xef\xbf\xbd" "B\xef\xbf\xbd" "C\xef\xbf\xbd");
    free(s);

    /* a page that is only a BOM */
    s = dec("\xef\xbb\xbf", 3, NULL, &n, &cs);
    CHECK_STR(s, "");
    CHECK_INT(n, 0);
    CHECK_STR(cs, "utf-8");
    free(s);
    s = dec("\xff\xfe", 2, "text/html; charset=koi8-r", &n, &cs);
    CHECK_STR(s, "");
    CHECK_INT(n, 0);
    CHECK_STR(cs, "utf-16le");
    free(s);
    s = dec(NULL, 0, NULL, &n, &cs);
    CHECK_STR(s, "");
    CHECK_INT(n, 0);
    free(s);

    /* NUL bytes are kept, in every decoder */
    s = dec("a\0b\0", 4, NULL, &n, &cs);
    CHECK(s != NULL && n == 4 && !memcmp(s, "a\0b\0", 5));
    free(s);
    s = dec("\xe9\0\xe9", 3, NULL, &n, &cs);
    CHECK(s != NULL && n == 5 && !memcmp(s, "\xc3\xa9\0\xc3\xa9", 6));
    free(s);
    s = dec("\xff\0\xc3\xa9", 4, "text/html; charset=utf-8", &n, &cs);
    CHECK(s != NULL && n == 6 && !memcmp(s, "\xef\xbf\xbd\0\xc3\xa9", 7));
    free(s);
    s = dec("a\0\x82\xa0", 4, "text/html;charset=sjis", &n, &cs);
    CHECK(s != NULL && n == 5 && !memcmp(s, "a\0\xe3\x81\x82", 6));
    free(s);
}

static void test_cap(void)
{
    const char *cs = NULL;
    size_t n = 0;
    char *s, *big;

    /* exactly at the cap is fine, one over is NULL: fast path */
    s = decode_to_utf8("abcd", 4, NULL, 4, &n, &cs);
    CHECK_STR(s, "abcd");
    free(s);
    CHECK(decode_to_utf8("abcde", 5, NULL, 4, &n, &cs) == NULL);
    /* the cap counts output bytes: 3 Latin-1 bytes are 6 UTF-8 bytes */
    s = decode_to_utf8("\xe9\xe9\xe9", 3, NULL, 6, &n, &cs);
    CHECK_STR(s, "\xc3\xa9\xc3\xa9\xc3\xa9");
    free(s);
    CHECK(decode_to_utf8("\xe9\xe9\xe9", 3, NULL, 5, &n, &cs) == NULL);
    CHECK(decode_to_utf8("\xff\xff", 2, "text/html; charset=utf-8", 5, &n,
                         &cs) == NULL);
    CHECK(decode_to_utf8("\x82\xa0\x82\xa0", 4, "text/html; charset=sjis",
                         5, &n, &cs) == NULL);
    CHECK(decode_to_utf8("\xff\xfe" "a\0b\0", 6, NULL, 1, &n, &cs) == NULL);
    CHECK(decode_to_utf8("x", 1, NULL, 0, &n, &cs) == NULL);

    /* large pages through every path, past the staging chunk */
    big = xmalloc(BIG);
    memset(big, 0xe9, BIG);
    s = decode_to_utf8(big, BIG, NULL, 2 * BIG, &n, &cs);
    CHECK(s != NULL && n == 2 * BIG && !memcmp(s + n - 2, "\xc3\xa9", 2));
    free(s);
    CHECK(decode_to_utf8(big, BIG, NULL, 2 * BIG - 1, &n, &cs) == NULL);
    s = decode_to_utf8(big, BIG, "text/html; charset=koi8-r", 2 * BIG, &n,
                       &cs);
    CHECK(s != NULL && n == 2 * BIG);
    free(s);
    CHECK(decode_to_utf8(big, BIG, "text/html; charset=koi8-r", BIG, &n,
                         &cs) == NULL);
    memset(big, 'a', BIG);
    s = decode_to_utf8(big, BIG, "text/html; charset=utf-8", BIG, &n, &cs);
    CHECK(s != NULL && n == BIG && s[n] == '\0');
    free(s);
    big[BIG / 2] = (char)0xff;
    s = decode_to_utf8(big, BIG, "text/html; charset=utf-8", BIG + 2, &n,
                       &cs);
    CHECK(s != NULL && n == BIG + 2);
    free(s);
    CHECK(decode_to_utf8(big, BIG, "text/html; charset=utf-8", BIG + 1, &n,
                         &cs) == NULL);
    free(big);
}

int main(void)
{
    test_fixtures();
    test_meta_prescan();
    test_labels();
    test_precedence();
    test_invalid();
    test_cap();
    return TEST_DONE();
}
