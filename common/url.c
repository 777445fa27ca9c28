/* url.c: URL normalization and resolution (curl_url underneath). */
#include "common/compat.h"

#include <ctype.h>
#include <curl/curl.h>
#include <strings.h>

#include "common/buf.h"
#include "common/url.h"
#include "common/util.h"

#define URL_MAX (64 * 1024)

static const char hexdig[] = "0123456789ABCDEF";

/* ASCII letters and digits only, whatever the locale says. */
static bool ascii_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static bool unreserved(int c)
{
    return ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Length of the "scheme:" that s starts with (RFC 3986: a letter, then
 * letters, digits, '+', '-' or '.'), or 0 when it has none. */
static size_t scheme_len(const char *s)
{
    size_t i;

    if (!ascii_alnum(s[0]) || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (i = 1; ascii_alnum(s[i]) || s[i] == '+' || s[i] == '-' ||
         s[i] == '.'; i++)
        ;
    return s[i] == ':' ? i + 1 : 0;
}

/* True when the scheme of s (of length n, colon included) is http or
 * https, the WHATWG "special" schemes we handle. */
static bool scheme_is_http(const char *s, size_t n)
{
    return (n == 5 && !strncasecmp(s, "http:", 5)) ||
           (n == 6 && !strncasecmp(s, "https:", 6));
}

/* Where the path starts in s (after "scheme://authority" or
 * "//authority"), so the authority is never percent-encoded. */
static size_t after_authority(const char *s)
{
    const char *p = s + scheme_len(s);

    if (strncmp(p, "//", 2))
        return 0;
    p += 2;
    return (size_t)(p - s) + strcspn(p, "/?#");
}

/* True for the bytes of a userinfo that the WHATWG URL standard's
 * userinfo percent-encode set encodes (':' the separator aside; '@' is
 * the caller's: only the last one ends the userinfo). */
static bool userinfo_encodes(unsigned char c)
{
    return c <= ' ' || c >= 0x7f || strchr("\"<>`{}|\\^[];=/?#", c);
}

/* Append the authority a[0..n) to o with its userinfo (up to the last
 * '@') percent-encoded as the WHATWG URL parser does: non-ASCII bytes,
 * controls, space and the userinfo set, an earlier '@' as %40, a ':'
 * after the first (in the password) as %3A. */
static void add_authority(struct buf *o, const char *a, size_t n)
{
    const char *at = NULL;
    bool colon = false;
    size_t i;

    for (i = 0; i < n; i++)
        if (a[i] == '@')
            at = a + i;
    for (i = 0; at && a + i < at; i++) {
        unsigned char c = (unsigned char)a[i];
        bool sep = c == ':' && !colon;
        colon |= c == ':';
        if (c == '@' || (c == ':' && !sep) ||
            (c != ':' && c != '%' && userinfo_encodes(c))) {
            char e[3] = { '%', hexdig[c >> 4], hexdig[c & 15] };
            buf_add(o, e, 3);
        } else {
            buf_addch(o, (char)c);
        }
    }
    buf_add(o, a + i, n - i);
}

/* Trim ASCII whitespace and controls, drop tab/CR/LF inside, encode
 * space, controls and non-ASCII bytes after the authority (and in its
 * userinfo), and in http(s) and relative URLs read '\\' in the path as
 * '/' (the WHATWG URL parser's leniency).  Returns a new string; NULL if
 * it would be too long. */
static char *clean_input(const char *in)
{
    struct buf b, o;
    size_t n = strlen(in), start, i, auth, sl;
    bool in_path;

    while (n && (unsigned char)in[n - 1] <= ' ')
        n--;
    for (start = 0; start < n && (unsigned char)in[start] <= ' '; start++)
        ;
    buf_init(&b, URL_MAX);
    for (i = start; i < n; i++) {
        if (in[i] == '\t' || in[i] == '\n' || in[i] == '\r')
            continue;
        if (buf_addch(&b, in[i]) < 0) {
            buf_release(&b);
            return NULL;
        }
    }
    if (!b.data)
        return xstrdup("");
    auth = after_authority(b.data);
    sl = scheme_len(b.data);
    in_path = !sl || scheme_is_http(b.data, sl);
    buf_init(&o, URL_MAX * 3);
    if (auth) {
        /* "scheme://" or "//", then the authority */
        size_t pre = sl + 2;
        buf_add(&o, b.data, pre);
        add_authority(&o, b.data + pre, auth - pre);
    }
    for (i = auth; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        if (c == '?' || c == '#')
            in_path = false;
        if (c == '\\' && in_path) {
            buf_addch(&o, '/');
        } else if (c <= ' ' || c >= 0x7f || c == '"' || c == '<' ||
                   c == '>' || c == '`' || c == '{' || c == '}' ||
                   c == '|' || c == '\\' || c == '^') {
            char e[3] = { '%', hexdig[c >> 4], hexdig[c & 15] };
            buf_add(&o, e, 3);
        } else {
            buf_addch(&o, (char)c);
        }
    }
    buf_release(&b);
    return buf_detach(&o, NULL);
}

/* Normalize percent-escapes in place-copy: decode unreserved, upper-case
 * hex, encode a stray '%'.  Returns a new string. */
static char *norm_escapes(const char *s)
{
    struct buf o;
    size_t i, n = strlen(s);

    buf_init(&o, n * 3 + 1);
    for (i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] != '%') {
            buf_addch(&o, s[i]);
            continue;
        }
        hi = i + 1 < n ? hex_digit((unsigned char)s[i + 1]) : -1;
        lo = i + 2 < n ? hex_digit((unsigned char)s[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            buf_addstr(&o, "%25");
            continue;
        }
        if (unreserved(hi * 16 + lo)) {
            buf_addch(&o, (char)(hi * 16 + lo));
        } else {
            char e[3] = { '%', hexdig[hi], hexdig[lo] };
            buf_add(&o, e, 3);
        }
        i += 2;
    }
    return buf_detach(&o, NULL);
}

/* RFC 3986 section 5.2.4: remove "." and ".." segments from an absolute
 * path.  Returns a new string. */
static char *remove_dot_segments(const char *in)
{
    size_t n = strlen(in), len = 0;
    char *out = xmalloc(n + 2);

    while (*in) {
        if (!strncmp(in, "../", 3)) {
            in += 3;
        } else if (!strncmp(in, "./", 2)) {
            in += 2;
        } else if (!strncmp(in, "/./", 3) || !strcmp(in, "/.")) {
            in += 2;
            if (!*in)
                out[len++] = '/';
        } else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
            in += 3;
            while (len && out[len - 1] != '/')
                len--;
            if (len)
                len--;
            if (!*in)
                out[len++] = '/';
        } else if (!strcmp(in, ".") || !strcmp(in, "..")) {
            break;
        } else {
            size_t k = strcspn(in + 1, "/") + 1;
            memcpy(out + len, in, k);
            len += k;
            in += k;
        }
    }
    out[len] = '\0';
    return out;
}

/* Part of h as stored (still percent-encoded); caller frees with free();
 * NULL when absent. */
static char *get_part(CURLU *h, CURLUPart part)
{
    char *v = NULL, *out;

    if (curl_url_get(h, part, &v, 0) != CURLUE_OK)
        return NULL;
    out = xstrdup(v);
    curl_free(v);
    return out;
}

bool url_is_http(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

char *url_normalize(const char *in, const char **why)
{
    CURLU *h = NULL;
    char *clean = NULL, *v = NULL, *out = NULL;
    char *path = NULL, *query = NULL, *tmp;
    CURLUcode uc;
    size_t i, sl;
    struct buf o;

    *why = NULL;
    clean = clean_input(in);
    if (!clean) {
        *why = "URL too long";
        goto out;
    }
    if (!*clean) {
        *why = "empty URL";
        goto out;
    }
    sl = scheme_len(clean);
    if (!sl) {
        *why = "not an absolute URL (no scheme)";
        goto out;
    }
    if (!scheme_is_http(clean, sl)) {
        *why = "unsupported scheme (only http and https)";
        goto out;
    }
    if (strncmp(clean + sl, "//", 2)) {
        *why = "not an absolute URL (no '//' after the scheme)";
        goto out;
    }
    h = curl_url();
    if (!h) {
        *why = "out of memory";
        goto out;
    }
    uc = curl_url_set(h, CURLUPART_URL, clean, 0);
    if (uc != CURLUE_OK) {
        *why = curl_url_strerror(uc);
        goto out;
    }
    if (curl_url_get(h, CURLUPART_HOST, &v, 0) != CURLUE_OK || !*v) {
        *why = "no host";
        goto out;
    }
    for (i = 0; v[i]; i++)
        v[i] = (char)tolower((unsigned char)v[i]);
    if (curl_url_set(h, CURLUPART_HOST, v, 0) != CURLUE_OK) {
        *why = "bad host";
        goto out;
    }
    curl_free(v);
    v = NULL;
    /* Path and query are normalized here and appended to what curl
     * builds of the rest: curl_url_set() of a part lower-cases its
     * percent-escapes (libcurl 7.88), and percent-decoding can make new
     * dot segments ("%2e%2e"). */
    path = get_part(h, CURLUPART_PATH);
    query = get_part(h, CURLUPART_QUERY);
    if (curl_url_set(h, CURLUPART_PATH, "/", 0) != CURLUE_OK ||
        curl_url_set(h, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
        curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_URL, &v, CURLU_NO_DEFAULT_PORT) !=
        CURLUE_OK || !*v || v[strlen(v) - 1] != '/') {
        *why = "cannot rebuild URL";
        goto out;
    }
    buf_init(&o, URL_MAX * 3);
    buf_add(&o, v, strlen(v) - 1);
    tmp = norm_escapes(path && *path ? path : "/");
    free(path);
    path = remove_dot_segments(tmp);
    free(tmp);
    buf_addstr(&o, path);
    if (query && *query) {  /* an empty query is dropped, as curl does */
        tmp = norm_escapes(query);
        buf_addch(&o, '?');
        buf_addstr(&o, tmp);
        free(tmp);
    }
    out = buf_detach(&o, NULL);
out:
    curl_free(v);
    curl_url_cleanup(h);
    free(path);
    free(query);
    free(clean);
    return out;
}

/* base (an absolute URL) without its fragment, as curl writes it, with
 * frag (which starts with '#') appended; NULL if base does not parse. */
static char *with_fragment(const char *base, const char *frag)
{
    CURLU *h = curl_url();
    char *v = NULL, *out = NULL;

    if (h && curl_url_set(h, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_URL, &v, 0) == CURLUE_OK)
        out = xasprintf("%s%s", v, frag);
    curl_free(v);
    curl_url_cleanup(h);
    return out;
}

/* The delimiters of empty components that libcurl drops when it
 * resolves ref against base (RFC 3986 section 5.2.2 keeps them): a '?'
 * with no query (ref's own, or base's when ref is a bare path-less
 * reference without a query), a '#' with no fragment (ref's). */
static void empty_parts(const char *base, const char *ref, bool *empty_q,
                        bool *empty_f)
{
    size_t pq = strcspn(ref, "?#"), bq;

    *empty_q = ref[pq] == '?' && (ref[pq + 1] == '\0' || ref[pq + 1] == '#');
    *empty_f = ref[strcspn(ref, "#")] == '#' &&
               ref[strcspn(ref, "#") + 1] == '\0';
    if (pq == 0 && ref[0] != '?') {
        /* no path, no query: the base's query, empty or not */
        bq = strcspn(base, "?#");
        *empty_q = base[bq] == '?' && (base[bq + 1] == '\0' ||
                                       base[bq + 1] == '#');
    }
}

/* url (as libcurl writes it: it never ends in an empty '?' or '#') with
 * the empty query and fragment delimiters asked for put back.  Returns
 * a new string; url is freed. */
static char *put_empty_parts(char *url, bool empty_q, bool empty_f)
{
    size_t hash = strcspn(url, "#");
    char *out;

    if (!empty_q && !empty_f)
        return url;
    if (empty_q && url[strcspn(url, "?")] == '?')
        empty_q = false;        /* a query after all */
    out = xasprintf("%.*s%s%s%s", (int)hash, url, empty_q ? "?" : "",
                    url + hash, empty_f && !url[hash] ? "#" : "");
    free(url);
    return out;
}

char *url_resolve(const char *base, const char *ref)
{
    CURLU *h;
    char *clean, *v = NULL, *out = NULL;
    const char *r;
    size_t sl, bl;
    bool empty_q, empty_f;

    clean = clean_input(ref);
    if (!clean)
        return NULL;
    r = clean;
    sl = scheme_len(r);
    bl = scheme_len(base);
    if (!*r) {
        free(clean);
        return NULL;
    }
    if (sl && !scheme_is_http(r, sl)) {
        /* mailto:, javascript:, ftp://...: absolute already */
        return clean;
    }
    if (sl && sl == bl && !strncasecmp(r, base, sl) && strncmp(r + sl,
        "//", 2))
        r += sl;    /* "http:page.html" is relative on an http page */
    empty_parts(base, r, &empty_q, &empty_f);
    if (!*r) {
        /* "http:" alone on an http page: the page itself (WHATWG) */
        out = xstrndup(base, strcspn(base, "#"));
        free(clean);
        return out;
    }
    if (*r == '#') {
        /* curl 7.88 resolves "#frag" like a path ("dir/#frag") */
        out = with_fragment(base, r);
        free(clean);
        return out ? put_empty_parts(out, empty_q, false) : NULL;
    }
    h = curl_url();
    /* the base's fragment plays no part (curl 7.88 drops a "?q" reference
     * against a base that has one) */
    if (h && curl_url_set(h, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
        curl_url_set(h, CURLUPART_URL, r, CURLU_NON_SUPPORT_SCHEME) ==
        CURLUE_OK &&
        curl_url_get(h, CURLUPART_URL, &v, 0) == CURLUE_OK)
        out = put_empty_parts(xstrdup(v), empty_q, empty_f);
    curl_free(v);
    curl_url_cleanup(h);
    free(clean);
    return out;
}

char *url_host(const char *url)
{
    CURLU *h = curl_url();
    char *v = NULL, *out = NULL;
    size_t i;

    if (h && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &v, 0) == CURLUE_OK) {
        out = xstrdup(v);
        for (i = 0; out[i]; i++)
            out[i] = (char)tolower((unsigned char)out[i]);
    }
    curl_free(v);
    curl_url_cleanup(h);
    return out;
}

char *url_origin(const char *url)
{
    CURLU *h = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
    size_t i;

    if (h && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
        CURLUE_OK) {
        out = xasprintf("%s://%s:%s", scheme, host, port);
        for (i = 0; out[i]; i++)
            out[i] = (char)tolower((unsigned char)out[i]);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(h);
    return out;
}

char *url_path_query(const char *url)
{
    CURLU *h = curl_url();
    char *path = NULL, *query = NULL, *out = NULL;

    if (h && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
        if (curl_url_get(h, CURLUPART_QUERY, &query, 0) == CURLUE_OK &&
            query)
            out = xasprintf("%s?%s", path, query);
        else
            out = xstrdup(path);
    }
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(h);
    return out;
}

/* ------------------------------------------------------------------ */
/* the fast path: one base, many relative links                        */

int url_base_init(struct url_base *b, const char *base_url)
{
    const char *why, *p;

    b->url = url_normalize(base_url, &why);
    if (!b->url)
        return -1;
    p = strstr(b->url, "://") + 3;
    b->prefix_len = (size_t)(p - b->url) + strcspn(p, "/");
    b->path_len = strcspn(b->url + b->prefix_len, "?");
    return 0;
}

void url_base_release(struct url_base *b)
{
    free(b->url);
    b->url = NULL;
}

/* Characters a plain relative reference may hold as they are. */
static bool plain_char(unsigned char c)
{
    return c > ' ' && c < 0x7f && c != '"' && c != '<' && c != '>' &&
           c != '`' && c != '{' && c != '}' && c != '|' && c != '\\' &&
           c != '^';
}

/* Append s[0..n) with escapes normalized (unreserved decoded, hex upper
 * case); -1 on a stray '%'. */
static int add_escaped(struct buf *o, const char *s, size_t n)
{
    size_t i, run = 0;

    for (i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] != '%') {
            run++;
            continue;
        }
        buf_add(o, s + i - run, run);
        run = 0;
        if (i + 2 >= n)
            return -1;
        hi = hex_digit((unsigned char)s[i + 1]);
        lo = hex_digit((unsigned char)s[i + 2]);
        if (hi < 0 || lo < 0)
            return -1;
        if (unreserved(hi * 16 + lo)) {
            buf_addch(o, (char)(hi * 16 + lo));
        } else {
            char e[3] = { '%', hexdig[hi], hexdig[lo] };
            buf_add(o, e, 3);
        }
        i += 2;
    }
    return buf_add(o, s + n - run, run);
}

int url_base_resolve(const struct url_base *b, const char *ref, size_t n,
                     bool keep_fragment, struct buf *out)
{
    const char *bpath = b->url + b->prefix_len;
    const char *bq = bpath + b->path_len;
    size_t i, plen, qlen = 0, flen = 0, start = out->len;
    const char *q = NULL, *frag = NULL;
    struct buf path;
    char *clean;
    int rc = -1;

    while (n && (unsigned char)ref[0] <= ' ')
        ref++, n--;
    while (n && (unsigned char)ref[n - 1] <= ' ')
        n--;
    if (!n)
        return -1;          /* the general path decides on empty links */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ref[i];
        if (!plain_char(c))
            return -1;
        if (c == ':' && !q && !frag && !memchr(ref, '/', i))
            return -1;      /* a scheme (or a colon in the first segment) */
        if (c == '?' && !q && !frag)
            q = ref + i + 1;
        if (c == '#' && !frag)
            frag = ref + i + 1;
    }
    if (n >= 2 && ref[0] == '/' && ref[1] == '/')
        return -1;          /* network-path reference */
    plen = q ? (size_t)(q - 1 - ref) : frag ? (size_t)(frag - 1 - ref) : n;
    if (q)
        qlen = frag ? (size_t)(frag - 1 - q) : (size_t)(ref + n - q);
    if (frag)
        flen = (size_t)(ref + n - frag);
    buf_init(&path, URL_MAX * 3);
    if (plen == 0) {
        buf_add(&path, bpath, b->path_len);
        if (!q && *bq == '?') {
            q = bq + 1;
            qlen = strlen(q);
        }
    } else if (ref[0] == '/') {
        if (add_escaped(&path, ref, plen) < 0)
            goto out;
    } else {
        const char *slash = bpath;
        for (i = 0; i < b->path_len; i++)
            if (bpath[i] == '/')
                slash = bpath + i;
        buf_add(&path, bpath, (size_t)(slash - bpath) + 1);
        if (add_escaped(&path, ref, plen) < 0)
            goto out;
    }
    clean = remove_dot_segments(path.data ? path.data : "/");
    rc = buf_add(out, b->url, b->prefix_len);
    rc |= buf_addstr(out, *clean ? clean : "/");
    free(clean);
    /* the normal form drops an empty query; a field's URL keeps it, and
     * an empty fragment, as written (RFC 3986, WHATWG) */
    if (q && (qlen || keep_fragment))
        rc |= buf_addch(out, '?') | add_escaped(out, q, qlen);
    if (keep_fragment && frag)
        rc |= buf_addch(out, '#') | buf_add(out, frag, flen);
out:
    if (rc < 0) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    buf_release(&path);
    return rc;
}
