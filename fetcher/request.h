/* request.h: what a fetcher adds to its requests from its options: extra
 * header lines (--header), basic-auth credentials for named hosts
 * (--auth), and one cookie jar shared by all its transfers (--cookies: a
 * CURLSH share, loaded from the file at start and saved to it at exit).
 * Single-threaded: the share needs no lock callbacks. */
#ifndef ZS_REQUEST_H
#define ZS_REQUEST_H

#include "common/compat.h"

#include <curl/curl.h>

/* One --auth HOST=user:password. */
struct request_auth {
    char *host;             /* lower-case host name (owned) */
    char *userpwd;          /* "user:password" (owned) */
};

struct request {
    struct curl_slist *headers; /* --header lines (owned), or NULL */
    struct request_auth *auth;  /* --auth entries (owned) */
    size_t nauth;
    char **proxies;         /* --proxies URLs (owned), or NULL */
    size_t nproxies;
    CURLSH *share;          /* the cookie jar, or NULL */
    CURL *jar;              /* handle that loads and saves it, or NULL */
};

void request_init(struct request *r);
/* Free the lists and, without saving it, the cookie jar. */
void request_release(struct request *r);

/* Add a checked header line (fetchopt_header). */
void request_add_header(struct request *r, const char *line);
/* Add a checked HOST=user:password (fetchopt_auth) whose HOST is
 * host_len bytes long. */
void request_add_auth(struct request *r, const char *spec,
                      size_t host_len);

/* Use the proxies listed in path (fetchopt_proxies) in turn; replaces
 * a list loaded before.  -1 with the reason in err. */
int request_load_proxies(struct request *r, const char *path, char *err,
                         size_t errlen);

/* Forget the proxy list (--proxy given after --proxies). */
void request_drop_proxies(struct request *r);

/* Share one cookie jar among the transfers, loaded from path (a missing
 * or empty file: an empty jar).  -1 on failure. */
int request_open_jar(struct request *r, const char *path);
/* Save the jar to the file it was loaded from and free it; call after
 * every transfer's easy handle is gone.  -1 on failure. */
int request_save_jar(struct request *r, const char *path);

/* Set the headers, the cookie jar and the credentials for url (its host's
 * only: libcurl does not send them on across a redirect to another host)
 * on e.  -1 on curl failure. */
int request_apply(const struct request *r, CURL *e, const char *url);

#endif
