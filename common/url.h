/* url.h: URL normalization and resolution on libcurl's URL API.
 *
 * Normal form (what the seen set compares): scheme and host lower case,
 * default port dropped, dot segments resolved, empty path "/",
 * percent-encoding normalized (unreserved characters decoded, hex upper
 * case, spaces and non-ASCII bytes encoded), fragment removed. */
#ifndef ZS_URL_H
#define ZS_URL_H

#include "common/compat.h"

/* Normalize an absolute http or https URL.  Returns a new string (caller
 * frees), or NULL with a static reason in *why. */
char *url_normalize(const char *in, const char **why);

/* Resolve ref (as found in a page) against the absolute URL base.
 * Returns a new absolute URL (caller frees) or NULL when ref is empty or
 * cannot be resolved.  The fragment is kept; no other normalization
 * beyond what resolution does, but for what libcurl does not do as RFC
 * 3986 and the WHATWG URL standard say: an empty query or fragment keeps
 * its '?' or '#' ("test?#"), non-ASCII bytes of the userinfo are
 * percent-encoded, and a bare "http:" on an http page is the page. */
char *url_resolve(const char *base, const char *ref);

/* A page's base URL, split once so that the many links of the page
 * resolve without re-parsing it (the fast path of link extraction). */
struct url_base {
    char *url;              /* the normalized base URL (owned) */
    size_t prefix_len;      /* length of "scheme://authority" in url */
    size_t path_len;        /* length of the path after the prefix */
};

/* Split base_url (absolute http(s)); -1 when it does not normalize. */
int url_base_init(struct url_base *b, const char *base_url);
void url_base_release(struct url_base *b);

/* Resolve the link ref[0..n) against b and append the result in normal
 * form (as url_normalize() gives, plus the fragment when keep_fragment:
 * then an empty query or fragment keeps its '?' or '#', as url_resolve()
 * does) to out.  Returns 0, or -1 when ref is not a plain relative reference
 * (a scheme, "//host", characters to encode, a stray '%'): the caller
 * then takes the general path (url_resolve + url_normalize).  Nothing is
 * appended on -1. */
struct buf;
int url_base_resolve(const struct url_base *b, const char *ref, size_t n,
                     bool keep_fragment, struct buf *out);

/* Lower-case host of an absolute URL; caller frees; NULL if none. */
char *url_host(const char *url);

/* Origin of an absolute URL, "scheme://host:port" with the port always
 * given (lower case); caller frees; NULL if none. */
char *url_origin(const char *url);

/* Path and query of an absolute URL ("/a/b?q"), as it is written;
 * caller frees; NULL if none. */
char *url_path_query(const char *url);

/* True when the URL's scheme is http or https (case-insensitive). */
bool url_is_http(const char *url);

#endif
