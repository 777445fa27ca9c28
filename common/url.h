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
 * beyond what resolution does. */
char *url_resolve(const char *base, const char *ref);

/* Lower-case host of an absolute URL; caller frees; NULL if none. */
char *url_host(const char *url);

/* True when the URL's scheme is http or https (case-insensitive). */
bool url_is_http(const char *url);

#endif
