/* json.c: value kinds and string literal decoding. */
#include "common/compat.h"

#include "common/json.h"
#include "common/util.h"

enum json_kind json_kind(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
                     p[i] == '\r'))
        i++;
    if (i == n)
        return JSON_NULL;
    if (p[i] == '"')
        return JSON_STRING;
    if (n - i >= 4 && !memcmp(p + i, "null", 4))
        return JSON_NULL;
    return JSON_OTHER;
}

static int hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        int d = hex_digit((unsigned char)p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

static int put_utf8(struct buf *out, uint32_t cp)
{
    char b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return buf_add(out, b, n);
}

int json_string_decode(const char *p, size_t n, struct buf *out)
{
    size_t i = 1, run;

    if (n < 2 || p[0] != '"' || p[n - 1] != '"')
        return -1;
    n--;
    while (i < n) {
        uint32_t cp, lo;
        for (run = i; run < n && p[run] != '\\'; run++)
            ;
        if (run > i && buf_add(out, p + i, run - i) < 0)
            return -1;
        i = run;
        if (i >= n)
            break;
        if (i + 1 >= n)
            return -1;
        switch (p[i + 1]) {
        case '"': case '\\': case '/':
            if (buf_addch(out, p[i + 1]) < 0)
                return -1;
            i += 2;
            continue;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (i + 6 > n || hex4(p + i + 2, &cp) < 0)
                return -1;
            i += 6;
            if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= n &&
                p[i] == '\\' && p[i + 1] == 'u' &&
                hex4(p + i + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            } else if (cp >= 0xd800 && cp <= 0xdfff) {
                cp = 0xfffd;
            }
            if (put_utf8(out, cp) < 0)
                return -1;
            continue;
        default:
            return -1;
        }
        if (buf_addch(out, (char)cp) < 0)
            return -1;
        i += 2;
    }
    return 0;
}

static size_t skip_ws(const char *p, size_t i, size_t n)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
                     p[i] == '\r'))
        i++;
    return i;
}

/* End of the string literal starting at p[i] == '"', or 0. */
static size_t string_end(const char *p, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
        else if ((unsigned char)p[i] < 0x20)
            return 0;
    }
    return 0;
}

static size_t scalar_end(const char *p, size_t i, size_t n)
{
    static const char *const words[] = { "true", "false", "null" };
    size_t k, start = i;

    for (k = 0; k < 3; k++) {
        size_t len = strlen(words[k]);
        if (n - i >= len && !memcmp(p + i, words[k], len))
            return i + len;
    }
    while (i < n && strchr("+-0123456789.eE", p[i]))
        i++;
    return i > start && (p[start] == '-' || (p[start] >= '0' &&
                                              p[start] <= '9')) ? i : 0;
}

/* After a member's key at p[i] and its ':': where its value may start,
 * or 0. */
static size_t key_colon(const char *p, size_t i, size_t n)
{
    size_t e;

    if (i >= n || p[i] != '"' || !(e = string_end(p, i, n)))
        return 0;
    i = skip_ws(p, e, n);
    return i < n && p[i] == ':' ? i + 1 : 0;
}

long json_skip(const char *p, size_t n)
{
    char stack[JSON_SKIP_DEPTH];
    int depth = 0;
    size_t i = 0, e;
    bool want_value = true;

    for (;;) {
        i = skip_ws(p, i, n);
        if (i >= n)
            return -1;
        if (want_value) {
            if (p[i] == '{' || p[i] == '[') {
                if (depth == JSON_SKIP_DEPTH)
                    return -1;
                stack[depth++] = p[i] == '{' ? '}' : ']';
                i = skip_ws(p, i + 1, n);
                if (i < n && p[i] == stack[depth - 1]) {
                    depth--;
                    i++;
                    want_value = false;
                    if (!depth)
                        return (long)i;
                    continue;
                }
                if (stack[depth - 1] == '}' && !(i = key_colon(p, i, n)))
                    return -1;
                continue;
            }
            e = p[i] == '"' ? string_end(p, i, n) : scalar_end(p, i, n);
            if (!e)
                return -1;
            i = e;
            if (!depth)
                return (long)i;
            want_value = false;
            continue;
        }
        /* after a value inside an object or array: ',' or its end */
        if (p[i] == stack[depth - 1]) {
            depth--;
            i++;
            if (!depth)
                return (long)i;
            continue;
        }
        if (p[i] != ',')
            return -1;
        i = skip_ws(p, i + 1, n);
        if (stack[depth - 1] == '}' && !(i = key_colon(p, i, n)))
            return -1;
        want_value = true;
    }
}
