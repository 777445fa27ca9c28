/* fetchopt.h: checks of the fetchers' request options that name files or
 * carry headers and credentials (--cacert, --cert, --key, --cookies,
 * --header, --auth).  The sink runs them up front, so a bad value stops
 * the crawl before it starts; the fetcher runs them again on the words it
 * got.  Each returns 0, or -1 with the reason in err (no option name). */
#ifndef ZS_FETCHOPT_H
#define ZS_FETCHOPT_H

#include "common/compat.h"

/* path names a readable regular file. */
int fetchopt_file(const char *path, char *err, size_t errlen);

/* path is a cookie jar (Netscape format): a readable and writable file,
 * created empty when missing, so that every save replaces it whole
 * (libcurl writes a new file and renames it over one that exists). */
int fetchopt_jar(const char *path, char *err, size_t errlen);

/* path can take --warc records: a file opened for appending, created
 * empty when missing. */
int fetchopt_warc(const char *path, char *err, size_t errlen);

/* h is a header line "Name: value" (or "Name:", which removes a header
 * libcurl would send): a token, a colon, no CR or LF. */
int fetchopt_header(const char *h, char *err, size_t errlen);

/* a is "HOST=user:password" (HOST a host name or address, no port).
 * On success, *host_len is the length of HOST; the credentials follow
 * its '='. */
int fetchopt_auth(const char *a, size_t *host_len, char *err,
                  size_t errlen);

/* Read the proxy list at path: one proxy URL a line (http, https,
 * socks4, socks4a, socks5 or socks5h://HOST[:PORT]), blank and '#' lines
 * skipped; at least one.  The URLs go to *out (NULL-terminated, caller
 * frees with fetchopt_proxies_free) and their number to *n, unless out
 * is NULL (a check only).  A bad line is "PATH:LINE: why" (the line is
 * not echoed: it may hold credentials). */
int fetchopt_proxies(const char *path, char ***out, size_t *n, char *err,
                     size_t errlen);
void fetchopt_proxies_free(char **list);

#endif
