/* test_buf.c: common/buf.c, capped buffers and JSON string escaping. */
#include "common/compat.h"

#include "common/buf.h"
#include "common/util.h"
#include "tests/unit/test.h"

static void test_caps(void)
{
    struct buf b;
    char *p;
    size_t n = 99;
    int rc;

    buf_init(&b, 8);
    CHECK(b.data == NULL && b.len == 0);
    CHECK_INT(buf_add(&b, "", 0), 0);
    CHECK_INT(buf_addstr(&b, "abcd"), 0);
    CHECK_INT(buf_addch(&b, 'e'), 0);
    CHECK_STR(b.data, "abcde");
    /* a write that would pass the cap appends nothing */
    CHECK_INT(buf_addstr(&b, "fghi"), -1);
    CHECK_STR(b.data, "abcde");
    CHECK_INT(b.len, 5);
    CHECK_INT(buf_printf(&b, "%d", 1234), -1);
    CHECK_STR(b.data, "abcde");
    CHECK_INT(buf_printf(&b, "%s", "fgh"), 0);
    CHECK_STR(b.data, "abcdefgh");
    CHECK_INT(b.len, 8);
    CHECK(b.len <= b.max && b.cap > b.len);
    /* exactly full: no more bytes at all */
    CHECK_INT(buf_addch(&b, 'x'), -1);
    CHECK_INT(buf_add(&b, "", 0), 0);
    CHECK_INT(buf_json_str(&b, "", 0), -1);
    CHECK_STR(b.data, "abcdefgh");
    /* a huge length does not wrap around the cap check */
    CHECK_INT(buf_add(&b, "x", SIZE_MAX), -1);
    buf_reset(&b);
    CHECK_INT(b.len, 0);
    CHECK_STR(b.data, "");
    CHECK_INT(buf_add(&b, "a\0b", 3), 0);
    CHECK_INT(b.len, 3);
    CHECK(!memcmp(b.data, "a\0b", 4));
    p = buf_detach(&b, &n);
    CHECK_INT(n, 3);
    CHECK(!memcmp(p, "a\0b", 4));
    CHECK(b.data == NULL && b.len == 0);
    free(p);
    /* detaching an empty buffer gives "" */
    p = buf_detach(&b, &n);
    CHECK_STR(p, "");
    CHECK_INT(n, 0);
    free(p);
    buf_release(&b);
    buf_release(&b);   /* twice is harmless */

    /* growth past the first allocation keeps the bytes */
    buf_init(&b, 100000);
    for (n = 0, rc = 0; n < 10000; n++)
        rc |= buf_printf(&b, "%zu,", n % 10);
    CHECK_INT(rc, 0);
    CHECK_INT(b.len, 20000);
    CHECK(!memcmp(b.data + 19990, "5,6,7,8,9,", 10));
    CHECK_INT(b.data[b.len], '\0');
    buf_release(&b);

    /* a zero cap takes nothing */
    buf_init(&b, 0);
    CHECK_INT(buf_addch(&b, 'a'), -1);
    CHECK(b.data == NULL);
    buf_release(&b);
}

/* buf_json_str of n bytes of s, as a new string; caller frees. */
static char *json(const char *s, size_t n)
{
    struct buf b;

    buf_init(&b, 1024);
    if (buf_json_str(&b, s, n) < 0) {
        buf_release(&b);
        return xstrdup("(error)");
    }
    return buf_detach(&b, NULL);
}

static void check_json(const char *s, size_t n, const char *want)
{
    char *got = json(s, n);

    CHECK_STR(got, want);
    free(got);
}

#define JSON(lit, want) check_json(lit, sizeof(lit) - 1, want)

static void test_json(void)
{
    struct buf b;

    JSON("", "\"\"");
    JSON("plain text", "\"plain text\"");
    JSON("say \"hi\"", "\"say \\\"hi\\\"\"");
    JSON("C:\\dir\\", "\"C:\\\\dir\\\\\"");
    JSON("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    /* other control characters as \u00XX, NUL included */
    JSON("\x01\x1f\b\f\x7f", "\"\\u0001\\u001f\\u0008\\u000c\x7f\"");
    JSON("a\0b", "\"a\\u0000b\"");
    /* '/' needs no escape; valid multibyte UTF-8 is kept as is */
    JSON("</script>", "\"</script>\"");
    JSON("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf",
         "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf\"");
    /* invalid UTF-8 becomes U+FFFD: stray continuation, bad lead,
     * overlong, surrogate, past U+10FFFF, truncated at the end */
    JSON("a\x80z", "\"a\xef\xbf\xbdz\"");
    JSON("\xff", "\"\xef\xbf\xbd\"");
    JSON("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    JSON("\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    JSON("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    JSON("\xf4\x90\x80\x80",
         "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    JSON("ok\xe2\x82", "\"ok\xef\xbf\xbd\xef\xbf\xbd\"");
    JSON("\xe2\x82\"", "\"\xef\xbf\xbd\xef\xbf\xbd\\\"\"");
    /* only n bytes are read */
    check_json("abc", 2, "\"ab\"");
    check_json("\xc3\xa9", 1, "\"\xef\xbf\xbd\"");

    /* the cap applies to the escaped form; a refused string may leave
     * a partial literal (callers throw the buffer away) */
    buf_init(&b, 4);
    CHECK_INT(buf_json_str(&b, "ab", 2), 0);
    CHECK_STR(b.data, "\"ab\"");
    buf_reset(&b);
    CHECK_INT(buf_json_str(&b, "abc", 3), -1);
    buf_reset(&b);
    CHECK_INT(buf_json_str(&b, "\n", 1), 0);
    buf_reset(&b);
    CHECK_INT(buf_json_str(&b, "\x01", 1), -1);
    CHECK(b.len <= 4);
    buf_release(&b);
}

int main(void)
{
    test_caps();
    test_json();
    return TEST_DONE();
}
