/* job.c: a transfer's life: easy handle setup, body capture with a cap,
 * outcome classification, retry policy, and the page message. */
#include "common/compat.h"

#include <strings.h>

#include "common/log.h"
#include "common/util.h"
#include "common/zsock.h"
#include "fetcher/job.h"

#define JOB_MAX_REDIRS 10
#define JOB_BACKOFF_BASE_MS 500
#define JOB_BACKOFF_MAX_MS 30000
#define JOB_RETRY_AFTER_MAX_S 120
#define JOB_RECV_BUFFERS_BYTES (8L << 20)
#define JOB_RECV_BUFFER_MIN 1024L           /* CURL_MIN_BUFFERSIZE */
#define JOB_RECV_BUFFER_MAX 16384L          /* curl's default */

struct job *job_new(const struct msg_meta *meta, const char *url,
                    size_t max_bytes)
{
    struct job *j = xcalloc(1, sizeof(*j));

    j->meta = *meta;
    j->recv_ms = now_ms();
    j->url = xstrdup(url);
    j->proxy_i = -1;
    buf_init(&j->body, max_bytes);
    return j;
}

void job_free(struct job *j)
{
    if (!j)
        return;
    if (j->easy)
        curl_easy_cleanup(j->easy);
    buf_release(&j->body);
    curl_slist_free_all(j->cond_hdrs);
    if (j->cap)
        warc_capture_release(j->cap);
    free(j->cap);
    free(j->if_etag);
    free(j->if_lastmod);
    free(j->method);
    free(j->req_hdrs);
    free(j->req_body);
    free(j->url);
    free(j->host);
    free(j);
}

void job_set_validators(struct job *j, const char *etag,
                        const char *lastmod)
{
    free(j->if_etag);
    free(j->if_lastmod);
    j->if_etag = etag && *etag ? xstrdup(etag) : NULL;
    j->if_lastmod = lastmod && *lastmod ? xstrdup(lastmod) : NULL;
}

void job_set_request(struct job *j, const char *method, const char *hdrs,
                     size_t hlen, const char *body, size_t blen)
{
    free(j->method);
    free(j->req_hdrs);
    free(j->req_body);
    j->method = xstrdup(method);
    j->req_hdrs = NULL;
    j->req_hdrs_len = hlen;
    if (hlen) {
        /* NUL-ended lines; one more NUL keeps a torn last line bounded */
        j->req_hdrs = xmalloc(hlen + 1);
        memcpy(j->req_hdrs, hdrs, hlen);
        j->req_hdrs[hlen] = '\0';
    }
    j->req_body = NULL;
    j->req_body_len = blen;
    if (body) {
        j->req_body = xmalloc(blen + 1);
        memcpy(j->req_body, body, blen);
        j->req_body[blen] = '\0';
    }
}

/* True when the seed's headers set the one of the "Name: value" line. */
static bool seed_sets(const struct job *j, const char *line)
{
    const char *colon = strchr(line, ':');

    return msg_header_has(j->req_hdrs, j->req_hdrs_len, line,
                          colon ? (size_t)(colon - line) : strlen(line));
}

/* The --header lines plus "name: value", appended to *list; NULL when
 * curl is out of memory (the list is freed then). */
static struct curl_slist *add_header(struct curl_slist *list,
                                     const char *name, const char *value)
{
    char *line = xasprintf("%s: %s", name, value);
    struct curl_slist *l = curl_slist_append(list, line);

    free(line);
    if (!l)
        curl_slist_free_all(list);
    return l;
}

/* The job's own headers on e: a request seed's and the conditional
 * ones, after the --header lines the seed does not replace; -1 on curl
 * failure. */
static int set_conditions(struct job *j, CURL *e, const struct fetch_conf *c)
{
    struct curl_slist *l = NULL, *h, *t;
    size_t i;

    if (!j->if_etag && !j->if_lastmod && !j->req_hdrs_len && !j->req_body)
        return 0;
    curl_slist_free_all(j->cond_hdrs);
    j->cond_hdrs = NULL;
    for (h = c->req.headers; h; h = h->next) {
        if (seed_sets(j, h->data))
            continue;
        if (!(t = curl_slist_append(l, h->data))) {
            curl_slist_free_all(l);
            return -1;
        }
        l = t;
    }
    for (i = 0; i < j->req_hdrs_len; i += strlen(j->req_hdrs + i) + 1) {
        if (!(t = curl_slist_append(l, j->req_hdrs + i))) {
            curl_slist_free_all(l);
            return -1;
        }
        l = t;
    }
    if (j->req_body) {
        /* no "Expect: 100-continue" round trip before a body, and no
         * Content-Type but the one the seed or --header gives (curl would
         * say form-urlencoded) */
        bool ctype = false;
        for (h = l; h; h = h->next)
            ctype |= !strncasecmp(h->data, "Content-Type:", 13);
        if (!(t = curl_slist_append(l, "Expect:")) ||
            (!ctype && !(t = curl_slist_append(t, "Content-Type:")))) {
            curl_slist_free_all(l);
            return -1;
        }
        l = t;
    }
    if (j->if_etag && !(l = add_header(l, "If-None-Match", j->if_etag)))
        return -1;
    if (j->if_lastmod &&
        !(l = add_header(l, "If-Modified-Since", j->if_lastmod)))
        return -1;
    j->cond_hdrs = l;
    return curl_easy_setopt(e, CURLOPT_HTTPHEADER, l) == CURLE_OK ? 0 : -1;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct job *j = arg;

    if (buf_add(&j->body, p, size * n) < 0) {
        j->too_large = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return size * n;
}

/* --warc: the heads as libcurl sends and reads them. */
static int on_debug(CURL *e, curl_infotype type, char *p, size_t n,
                    void *arg)
{
    struct job *j = arg;

    (void)e;
    if (type == CURLINFO_HEADER_OUT || type == CURLINFO_HEADER_IN)
        warc_capture_add(j->cap, type == CURLINFO_HEADER_OUT, p, n);
    else if (type == CURLINFO_DATA_OUT)
        warc_capture_req_body(j->cap, p, n);
    return 0;
}

#define SETOPT(opt, val) \
    do { if (curl_easy_setopt(e, opt, val) != CURLE_OK) goto fail; } while (0)

/* --warc: capture this attempt's heads; -1 on curl failure. */
static int set_capture(struct job *j, CURL *e)
{
    if (!j->cap) {
        j->cap = xmalloc(sizeof(*j->cap));
        warc_capture_init(j->cap);
    }
    warc_capture_reset(j->cap);
    SETOPT(CURLOPT_DEBUGFUNCTION, on_debug);
    SETOPT(CURLOPT_DEBUGDATA, j);
    SETOPT(CURLOPT_VERBOSE, 1L);
    return 0;
fail:
    return -1;
}

/* A request seed's method and body; -1 on curl failure.  POST goes as
 * curl's POST, so a 301, 302 or 303 turns it into a GET as browsers do;
 * another method stays across redirects. */
static int set_method(struct job *j, CURL *e)
{
    bool post = j->method && !strcmp(j->method, "POST");

    if (!j->method || !strcmp(j->method, "GET"))
        return 0;
    if (!strcmp(j->method, "HEAD")) {
        SETOPT(CURLOPT_NOBODY, 1L);
        return 0;
    }
    if (j->req_body || post) {
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->req_body_len);
        SETOPT(CURLOPT_POSTFIELDS, j->req_body ? j->req_body : "");
    }
    if (!post)
        SETOPT(CURLOPT_CUSTOMREQUEST, j->method);
    return 0;
fail:
    return -1;
}

/* TLS and HTTP version settings for a transfer of url; -1 on curl
 * failure. */
static int set_tls(CURL *e, const char *url, const struct fetch_conf *c)
{
    bool h2 = !c->http11 && !strncmp(url, "https:", 6);

    /* HTTP/2 where the server offers it over TLS.  PIPEWAIT: a transfer
     * to a host whose connection is in its handshake waits to share it.
     * Not for http:// (never HTTP/2 here): it would wait for the first
     * reply, and a server that gives none would stall every transfer. */
    SETOPT(CURLOPT_HTTP_VERSION, c->http11 ? (long)CURL_HTTP_VERSION_1_1 :
           (long)CURL_HTTP_VERSION_2TLS);
    SETOPT(CURLOPT_PIPEWAIT, h2 ? 1L : 0L);
    if (c->insecure) {
        SETOPT(CURLOPT_SSL_VERIFYPEER, 0L);
        SETOPT(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c->cacert)
        SETOPT(CURLOPT_CAINFO, c->cacert);
    if (c->cert)
        SETOPT(CURLOPT_SSLCERT, c->cert);
    if (c->key)
        SETOPT(CURLOPT_SSLKEY, c->key);
    return 0;
fail:
    return -1;
}

long job_recv_buffer(int concurrency)
{
    long b = JOB_RECV_BUFFERS_BYTES / (concurrency > 0 ? concurrency : 1);

    if (b > JOB_RECV_BUFFER_MAX)
        return JOB_RECV_BUFFER_MAX;
    return b < JOB_RECV_BUFFER_MIN ? JOB_RECV_BUFFER_MIN : b;
}

/* CURLOPT_PREREQFUNCTION: a request is about to go out. */
static int on_prereq(void *clientp, char *ip, char *local_ip, int port,
                     int local_port)
{
    struct job *j = clientp;

    (void)ip;
    (void)local_ip;
    (void)port;
    (void)local_port;
    if (j->conf && j->conf->on_request)
        j->conf->on_request(j->conf->on_request_arg, j);
    return CURL_PREREQFUNC_OK;
}

int job_prepare(struct job *j, const struct fetch_conf *c)
{
    CURL *e = curl_easy_init();

    if (!e)
        return error("cannot make a curl handle");
    buf_reset(&j->body);
    if (j->tries == 0 && !j->proxy_fails) {
        j->started_ms = now_ms();   /* elapsed_ms: from the first attempt */
        j->meta.fetch_wait_ms = (uint32_t)(j->started_ms - j->recv_ms);
    }
    j->too_large = false;
    j->errbuf[0] = '\0';
    SETOPT(CURLOPT_URL, j->url);
    SETOPT(CURLOPT_PRIVATE, j);
    j->conf = c;
    SETOPT(CURLOPT_PREREQFUNCTION, on_prereq);
    SETOPT(CURLOPT_PREREQDATA, j);
    SETOPT(CURLOPT_ERRORBUFFER, j->errbuf);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, j);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
    SETOPT(CURLOPT_MAXREDIRS, (long)JOB_MAX_REDIRS);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_ACCEPT_ENCODING, "");
    SETOPT(CURLOPT_TIMEOUT_MS, c->timeout_ms);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    SETOPT(CURLOPT_USERAGENT, c->user_agent);
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_bytes);
    SETOPT(CURLOPT_TCP_NODELAY, 1L);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    if (c->recv_buffer)
        SETOPT(CURLOPT_BUFFERSIZE, c->recv_buffer);
    if (j->proxy || c->proxy)
        SETOPT(CURLOPT_PROXY, j->proxy ? j->proxy : c->proxy);
    if (set_tls(e, j->url, c) < 0 || request_apply(&c->req, e, j->url) < 0 ||
        set_conditions(j, e, c) < 0 || set_method(j, e) < 0 ||
        (c->warc && set_capture(j, e) < 0))
        goto fail;
    j->easy = e;
    return 0;
fail:
    curl_easy_cleanup(e);
    return error("cannot set up transfer of '%s'", j->url);
}

int job_map_proxy_error(CURL *e)
{
    long px = CURLPX_OK;

    if (!e || curl_easy_getinfo(e, CURLINFO_PROXY_ERROR, &px) != CURLE_OK)
        return ZS_RESET;
    switch (px) {
    case CURLPX_REPLY_CONNECTION_REFUSED:
    case CURLPX_REPLY_HOST_UNREACHABLE:
    case CURLPX_REPLY_NETWORK_UNREACHABLE:
        return ZS_CONNECT;
    case CURLPX_REPLY_TTL_EXPIRED:
        return ZS_TIMEOUT;
    case CURLPX_RESOLVE_HOST:
        return ZS_DNS;
    default:
        return ZS_RESET;
    }
}

int job_map_error(CURLcode code, bool too_large)
{
    if (too_large)
        return ZS_TOO_LARGE;
    switch (code) {
    case CURLE_OK:
        return ZS_OK;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return ZS_BAD_URL;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return ZS_DNS;
    case CURLE_COULDNT_CONNECT:
        return ZS_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return ZS_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CLIENTCERT:
        return ZS_TLS;
    case CURLE_TOO_MANY_REDIRECTS:
        return ZS_REDIRECTS;
    case CURLE_FILESIZE_EXCEEDED:
        return ZS_TOO_LARGE;
    default:
        /* closed, reset, partial, bad encoding: no complete reply */
        return ZS_RESET;
    }
}

static bool transient(CURLcode code, long status)
{
    if (code == CURLE_COULDNT_CONNECT)
        return true;
    if (code != CURLE_OK)
        return false;
    return status == 429 || (status >= 500 && status <= 599);
}

/* Exponential backoff with full jitter in [base/2, base]. */
static long backoff_ms(int tries)
{
    long base = JOB_BACKOFF_BASE_MS;
    int i;

    for (i = 1; i < tries && base < JOB_BACKOFF_MAX_MS; i++)
        base *= 2;
    if (base > JOB_BACKOFF_MAX_MS)
        base = JOB_BACKOFF_MAX_MS;
    return base / 2 + random() % (base / 2 + 1);
}

long job_finish_attempt(struct job *j, CURLcode code,
                        const struct fetch_conf *c)
{
    long status = 0;
    curl_off_t retry_after = 0;
    long delay = -1;

    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    j->tries++;
    if (transient(code, status) && j->tries <= c->retries) {
        delay = backoff_ms(j->tries);
        if (curl_easy_getinfo(j->easy, CURLINFO_RETRY_AFTER, &retry_after) ==
            CURLE_OK && retry_after > 0) {
            if (retry_after > JOB_RETRY_AFTER_MAX_S)
                retry_after = JOB_RETRY_AFTER_MAX_S;
            delay = (long)retry_after * 1000;
        }
        log_debug("retry url='%s' status=%ld code=%d in_ms=%ld", j->url,
                  status, (int)code, delay);
        curl_easy_cleanup(j->easy);
        j->easy = NULL;
        return delay;
    }
    j->meta.status = (uint16_t)(status > 0 && status < 1000 ? status : 0);
    j->meta.error = (uint8_t)job_map_error(code, j->too_large);
    if (code == CURLE_PROXY)
        j->meta.error = (uint8_t)job_map_proxy_error(j->easy);
    if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        /* curl says so too of a reply that is not HTTP at all: with a
         * connection made, that is a broken reply, not a bad URL */
        char *ip = NULL;
        curl_easy_getinfo(j->easy, CURLINFO_PRIMARY_IP, &ip);
        if (ip && *ip)
            j->meta.error = ZS_RESET;
    }
    if (j->meta.error == ZS_OK && status >= 400)
        j->meta.error = ZS_HTTP;
    if (j->meta.error != ZS_OK)
        log_debug("fetch failed url='%s' error=%s status=%ld why='%s' "
                  "proxy_i=%ld", j->url, zs_err_name(j->meta.error), status,
                  j->errbuf[0] ? j->errbuf : curl_easy_strerror(code),
                  j->proxy_i);
    return -1;
}

void job_write_warc(struct job *j, struct warc *w)
{
    struct warc_exchange x;
    char *final_url = NULL, *ip = NULL, *uri;

    if (!w || !j->easy || !j->cap || !j->cap->resp.len)
        return;                 /* no response: nothing to keep */
    curl_easy_getinfo(j->easy, CURLINFO_EFFECTIVE_URL, &final_url);
    curl_easy_getinfo(j->easy, CURLINFO_PRIMARY_IP, &ip);
    memset(&x, 0, sizeof(x));
    /* the URL requested: no fragment (a request seed's label) */
    uri = xstrndup(final_url ? final_url : j->url,
                   strcspn(final_url ? final_url : j->url, "#"));
    x.uri = uri;
    x.ip = ip;
    x.date_ms = wall_ms();
    x.req = j->cap->req.data;
    x.req_len = j->cap->req.len;
    x.resp = j->cap->resp.data;
    x.resp_len = j->cap->resp.len;
    x.body = j->body.data;
    x.body_len = j->body.len;
    if (j->too_large || j->meta.error == ZS_TOO_LARGE)
        x.truncated = "length";
    else if (j->meta.error == ZS_TIMEOUT)
        x.truncated = "time";
    else if (j->meta.error == ZS_RESET)
        x.truncated = "disconnect";
    (void)warc_write_exchange(w, &x);     /* logged; the crawl goes on */
    free(uri);
}

static void free_body(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* The value of the last response's header name, or "" (borrowed from
 * curl until the handle's next use). */
static const char *response_header(CURL *e, const char *name)
{
    struct curl_header *h = NULL;

    if (!e || curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) !=
        CURLHE_OK || !h || !h->value)
        return "";
    return h->value;
}

int job_send_page(struct job *j, void *sock)
{
    struct msg_frame f[6];
    char *final_url = NULL, *ctype = NULL;
    const char *fu, *ct, *etag, *lastmod;
    size_t blen = 0, fulen;
    char *body;
    int rc;

    if (j->easy) {
        curl_easy_getinfo(j->easy, CURLINFO_EFFECTIVE_URL, &final_url);
        curl_easy_getinfo(j->easy, CURLINFO_CONTENT_TYPE, &ctype);
    }
    fu = final_url ? final_url : j->url;
    ct = ctype ? ctype : "";
    /* final_url is where the page is: no fragment (a request seed's
     * label, or one a redirect named) */
    fulen = strcspn(fu, "#");
    etag = response_header(j->easy, "ETag");
    lastmod = response_header(j->easy, "Last-Modified");
    j->meta.type = MSG_PAGE;
    j->meta.bytes = j->body.len;
    f[0] = (struct msg_frame){ j->url, strlen(j->url), NULL, NULL };
    f[1] = (struct msg_frame){ fu, fulen, NULL, NULL };
    f[2] = (struct msg_frame){ ct, strlen(ct), NULL, NULL };
    if (j->meta.error == ZS_OK && j->body.len) {
        /* Probe for room first: ownership of the body passes on send,
         * and ZMQ_POLLOUT promises the send will not fail with EAGAIN. */
        if (!zsock_writable(sock)) {
            errno = EAGAIN;
            return -1;
        }
        body = buf_detach(&j->body, &blen);
        f[3] = (struct msg_frame){ body, blen, free_body, NULL };
    } else {
        f[3] = (struct msg_frame){ "", 0, NULL, NULL };
    }
    f[MSG_PAGE_ETAG] = (struct msg_frame){ etag, strlen(etag), NULL, NULL };
    f[MSG_PAGE_LASTMOD] = (struct msg_frame){ lastmod, strlen(lastmod),
                                              NULL, NULL };
    rc = msg_send(sock, &j->meta, f, 6, ZMQ_DONTWAIT);
    if (rc < 0 && f[3].ffn)
        return -2; /* the body went with the failed send */
    return rc;
}
