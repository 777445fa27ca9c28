/* request.c: headers, credentials and the cookie jar of a fetcher's
 * requests (see request.h). */
#include "common/compat.h"

#include <ctype.h>

#include "common/fetchopt.h"
#include "common/log.h"
#include "common/url.h"
#include "common/util.h"
#include "fetcher/request.h"

void request_init(struct request *r)
{
    memset(r, 0, sizeof(*r));
}

void request_release(struct request *r)
{
    size_t i;

    curl_slist_free_all(r->headers);
    for (i = 0; i < r->nauth; i++) {
        free(r->auth[i].host);
        free(r->auth[i].userpwd);
    }
    free(r->auth);
    fetchopt_proxies_free(r->proxies);
    if (r->jar)
        curl_easy_cleanup(r->jar);
    if (r->share)
        curl_share_cleanup(r->share);
    request_init(r);
}

void request_add_header(struct request *r, const char *line)
{
    struct curl_slist *l = curl_slist_append(r->headers, line);

    if (!l)
        fatal("out of memory");
    r->headers = l;
}

void request_add_auth(struct request *r, const char *spec, size_t host_len)
{
    struct request_auth *a;
    size_t i;

    r->auth = xrealloc(r->auth, (r->nauth + 1) * sizeof(*r->auth));
    a = &r->auth[r->nauth++];
    a->host = xstrndup(spec, host_len);
    for (i = 0; a->host[i]; i++)
        a->host[i] = (char)tolower((unsigned char)a->host[i]);
    a->userpwd = xstrdup(spec + host_len + 1);
}

int request_load_proxies(struct request *r, const char *path, char *err,
                         size_t errlen)
{
    char **list;
    size_t n;

    if (fetchopt_proxies(path, &list, &n, err, errlen) < 0)
        return -1;
    request_drop_proxies(r);
    r->proxies = list;
    r->nproxies = n;
    return 0;
}

void request_drop_proxies(struct request *r)
{
    fetchopt_proxies_free(r->proxies);
    r->proxies = NULL;
    r->nproxies = 0;
}

int request_open_jar(struct request *r, const char *path)
{
    r->share = curl_share_init();
    r->jar = curl_easy_init();
    if (!r->share || !r->jar ||
        curl_share_setopt(r->share, CURLSHOPT_SHARE,
                          CURL_LOCK_DATA_COOKIE) != CURLSHE_OK ||
        curl_easy_setopt(r->jar, CURLOPT_SHARE, r->share) != CURLE_OK ||
        curl_easy_setopt(r->jar, CURLOPT_COOKIEFILE, path) != CURLE_OK ||
        curl_easy_setopt(r->jar, CURLOPT_COOKIELIST, "RELOAD") != CURLE_OK)
        return error("cannot load the cookie jar '%s'", path);
    return 0;
}

int request_save_jar(struct request *r, const char *path)
{
    CURLSHcode sc;
    int rc = 0;

    /* libcurl writes the jar when the handle naming it goes */
    if (curl_easy_setopt(r->jar, CURLOPT_COOKIEJAR, path) != CURLE_OK)
        rc = error("cannot save the cookie jar '%s'", path);
    curl_easy_cleanup(r->jar);
    r->jar = NULL;
    sc = curl_share_cleanup(r->share);
    if (sc != CURLSHE_OK)
        rc = error("cannot free the cookie jar: %s", curl_share_strerror(sc));
    r->share = NULL;
    return rc;
}

/* The credentials for url's host, or NULL. */
static const char *auth_for(const struct request *r, const char *url)
{
    const char *found = NULL;
    char *host;
    size_t i;

    if (!r->nauth || !(host = url_host(url)))
        return NULL;
    for (i = 0; i < r->nauth && !found; i++)
        if (!strcmp(r->auth[i].host, host))
            found = r->auth[i].userpwd;
    free(host);
    return found;
}

#define SETOPT(opt, val) \
    do { if (curl_easy_setopt(e, opt, val) != CURLE_OK) return -1; } while (0)

int request_apply(const struct request *r, CURL *e, const char *url)
{
    const char *userpwd = auth_for(r, url);

    if (r->headers)
        SETOPT(CURLOPT_HTTPHEADER, r->headers);
    if (r->share) {
        SETOPT(CURLOPT_SHARE, r->share);
        SETOPT(CURLOPT_COOKIEFILE, "");     /* the cookie engine on */
    }
    /* never to another host, not across a redirect either */
    SETOPT(CURLOPT_UNRESTRICTED_AUTH, 0L);
    if (userpwd) {
        SETOPT(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        SETOPT(CURLOPT_USERPWD, userpwd);
    }
    return 0;
}
