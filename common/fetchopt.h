/* fetchopt.h: the fetchers' options, listed once, and the checks of
 * their values.  The sink takes every one of them (it checks them up
 * front, so a bad value stops the crawl before it starts, and hands them
 * to each fetcher that joins); the fetcher checks them again on the words
 * it got.  The checks return 0, or -1 with the reason in err (no option
 * name). */
#ifndef ZS_FETCHOPT_H
#define ZS_FETCHOPT_H

#include "common/compat.h"

#include "common/zsock.h"

/* The User-Agent without --user-agent (its product token is the one
 * robots.txt groups are matched against). */
#define FETCHOPT_DEFAULT_UA "zscrape/" ZS_VERSION

enum fetchopt_kind {
    FO_FLAG,                /* no value */
    FO_NUM,                 /* a number in [min, max] */
    FO_STR,                 /* a non-empty string, passing check if any */
};

/* X(ID, name, kind, min, max, check), in --help's order. */
#define FETCHOPT_LIST(X) \
    X(CONC, "concurrency", FO_NUM, 1, 100000, NULL) \
    X(PERHOST, "per-host", FO_NUM, 1, 100000, NULL) \
    X(DELAY, "delay", FO_NUM, 0, 3600000, NULL) \
    X(TIMEOUT, "timeout", FO_NUM, 1, 86400, NULL) \
    X(RETRIES, "retries", FO_NUM, 0, 100, NULL) \
    X(UA, "user-agent", FO_STR, 0, 0, NULL) \
    X(MAXB, "max-bytes", FO_NUM, 1, ZSOCK_MAX_BODY, NULL) \
    X(PROXY, "proxy", FO_STR, 0, 0, NULL) \
    X(PROXIES, "proxies", FO_STR, 0, 0, fetchopt_proxies_check) \
    X(INSECURE, "insecure", FO_FLAG, 0, 0, NULL) \
    X(CACERT, "cacert", FO_STR, 0, 0, fetchopt_file) \
    X(CERT, "cert", FO_STR, 0, 0, fetchopt_file) \
    X(KEY, "key", FO_STR, 0, 0, fetchopt_file) \
    X(HTTP11, "http1.1", FO_FLAG, 0, 0, NULL) \
    X(HEADER, "header", FO_STR, 0, 0, fetchopt_header) \
    X(AUTH, "auth", FO_STR, 0, 0, fetchopt_auth_check) \
    X(COOKIES, "cookies", FO_STR, 0, 0, fetchopt_jar) \
    X(WARC, "warc", FO_STR, 0, 0, fetchopt_warc) \
    X(ROBOTS, "robots", FO_STR, 0, 0, fetchopt_onoff)

enum fetchopt_id {
#define FETCHOPT_ID(id, name, kind, min, max, check) FO_##id,
    FETCHOPT_LIST(FETCHOPT_ID)
#undef FETCHOPT_ID
    FO_COUNT
};

/* getopt_long's code of option id (clear of the programs' own codes),
 * and its struct option entry: FETCHOPT_LIST(FETCHOPT_LONGOPT) in a
 * longopts table. */
#define FETCHOPT_CODE(id) (1024 + (int)(id))
#define FETCHOPT_LONGOPT(id, name, kind, min, max, check) \
    { name, (kind) == FO_FLAG ? no_argument : required_argument, NULL, \
      FETCHOPT_CODE(FO_##id) },

/* The option of getopt code code, or -1 when it is none of them. */
int fetchopt_of_code(int code);
const char *fetchopt_name(enum fetchopt_id id);
enum fetchopt_kind fetchopt_kind(enum fetchopt_id id);
/* Check val, option id's value: exits 2 with "--NAME: why" when it is
 * bad.  Returns the number of an FO_NUM option, else 0. */
long fetchopt_take(enum fetchopt_id id, const char *val);

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
int fetchopt_auth_check(const char *a, char *err, size_t errlen);

/* v is on or off (--robots). */
int fetchopt_onoff(const char *v, char *err, size_t errlen);

/* Read the proxy list at path: one proxy URL a line (http, https,
 * socks4, socks4a, socks5 or socks5h://HOST[:PORT]), blank and '#' lines
 * skipped; at least one.  The URLs go to *out (NULL-terminated, caller
 * frees with fetchopt_proxies_free) and their number to *n, unless out
 * is NULL (a check only).  A bad line is "PATH:LINE: why" (the line is
 * not echoed: it may hold credentials). */
int fetchopt_proxies(const char *path, char ***out, size_t *n, char *err,
                     size_t errlen);
void fetchopt_proxies_free(char **list);
int fetchopt_proxies_check(const char *path, char *err, size_t errlen);

#endif
