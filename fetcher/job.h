/* job.h: one URL's fetch: its curl easy handle (CURLOPT_PRIVATE points
 * back here), the capped body, retries.  A job is created when a dispatch
 * message arrives and freed in exactly one place, job_free(), after its
 * page message has been handed to ZeroMQ. */
#ifndef ZS_JOB_H
#define ZS_JOB_H

#define ROBOTS_MAX_BYTES (512 * 1024)   /* RFC 9309: parse >= 500 KiB */

#include "common/compat.h"

#include <curl/curl.h>

#include "common/buf.h"
#include "common/msg.h"
#include "fetcher/request.h"
#include "fetcher/warc.h"

struct job;

struct fetch_conf {
    long timeout_ms;        /* total time per attempt */
    long connect_timeout_ms;/* connect phase */
    int retries;            /* extra attempts on transient failures */
    size_t max_bytes;       /* decoded body cap */
    long recv_buffer;       /* CURLOPT_BUFFERSIZE: see job_recv_buffer */
    const char *user_agent; /* User-Agent header */
    const char *proxy;      /* proxy URL or NULL */
    bool insecure;          /* skip TLS verification */
    const char *cacert;     /* CA certificates (PEM file) or NULL */
    const char *cert;       /* client certificate (PEM file) or NULL */
    const char *key;        /* its private key (PEM file) or NULL */
    bool http11;            /* HTTP/1.1 only: no HTTP/2 over TLS */
    const char *cookies;    /* the cookie jar's file, or NULL */
    struct warc *warc;      /* --warc: the records' file, or NULL */
    struct request req;     /* headers, credentials, the cookie jar */
    /* called when a request of a job is about to be sent (a connection
     * made or reused), or NULL */
    void (*on_request)(void *arg, struct job *j);
    void *on_request_arg;   /* its first argument */
};

struct host;

struct job {
    struct msg_meta meta;   /* id, depth, attempt from the dispatch */
    char *url;              /* as dispatched (normalized) */
    char *host;             /* lower-case host, key of its struct host */
    struct host *h;         /* the host's limits and queue (borrowed) */
    const struct fetch_conf *conf; /* its settings (borrowed) */
    CURL *easy;             /* live while in the multi handle, else NULL */
    int multi_i;            /* which of events.h's multi handles it is in */
    struct buf body;        /* decoded body, capped at max_bytes */
    char errbuf[CURL_ERROR_SIZE]; /* curl's message for the last attempt */
    bool too_large;         /* the write callback hit the cap */
    bool is_robots;         /* a robots.txt fetch, not a dispatched URL */
    const char *proxy;      /* this attempt's proxy (borrowed), or NULL */
    long proxy_i;           /* its place in --proxies, -1 for none */
    int proxy_fails;        /* attempts its proxy failed (not tries) */
    char *if_etag;          /* stored ETag: If-None-Match, or NULL */
    char *if_lastmod;       /* stored Last-Modified: If-Modified-Since */
    char *method;           /* a request seed's method, or NULL (GET) */
    char *req_hdrs;         /* its "Name: value" lines, each NUL-ended */
    size_t req_hdrs_len;
    char *req_body;         /* its body (NULL: none; may hold NULs) */
    size_t req_body_len;
    struct curl_slist *cond_hdrs; /* --header lines + the seed's headers
                                   * + the conditions, when it has some */
    struct warc_capture *cap; /* --warc: request and response heads */
    int tries;              /* attempts made */
    int64_t recv_ms;        /* monotonic time the dispatch arrived */
    int64_t started_ms;     /* monotonic time of the first attempt */
    int64_t retry_at_ms;    /* monotonic time of the next attempt */
    struct job *next;       /* link in a host queue or the retry list */
    struct job *run_prev;   /* links in the fetcher's running list */
    struct job *run_next;
};

struct job *job_new(const struct msg_meta *meta, const char *url,
                    size_t max_bytes);
void job_free(struct job *j);
/* Make the job's requests conditional on the stored validators (copied;
 * NULL or "" for none): If-None-Match, If-Modified-Since. */
void job_set_validators(struct job *j, const char *etag,
                        const char *lastmod);

/* Make the job a request seed's (sink/reqseed.h): method, headers as
 * NUL-ended "Name: value" lines, body (hlen, blen bytes; all copied).  A
 * seed header replaces a --header of the same name. */
void job_set_request(struct job *j, const char *method, const char *hdrs,
                     size_t hlen, const char *body, size_t blen);

/* The receive buffer of each transfer when concurrency run at once.
 * libcurl 7.88 gives every transfer a buffer of its own (16 KB by
 * default; curl 8 shares one per multi handle), mostly empty while
 * servers think: at 10,000 transfers, 160 MB of address space and at
 * least a page resident each.  Together they get at most
 * JOB_RECV_BUFFERS_BYTES, each within curl's 1 KB to 16 KB: 16 KB up to
 * 512 transfers, 1 KB from 8,192 (more recv calls for a large page). */
long job_recv_buffer(int concurrency);

/* Make the easy handle for the next attempt; -1 on curl failure. */
int job_prepare(struct job *j, const struct fetch_conf *c);

/* After an attempt ended with code: decide.  Returns the delay in ms
 * before another attempt, or -1 when the job is finished (meta.status,
 * meta.error set).  The easy handle is cleaned up either way. */
long job_finish_attempt(struct job *j, CURLcode code,
                        const struct fetch_conf *c);

/* Hand the page message to ZeroMQ on sock (the body without a copy),
 * with the response's ETag and Last-Modified (empty when absent).
 * Returns 0 when sent (the job may be freed), -1 with errno EAGAIN when
 * the socket is full (the job keeps everything), -2 when the send failed
 * after the body was handed over (the body is gone: fetch again). */
int job_send_page(struct job *j, void *sock);

/* --warc: the finished job's request and response records to w, when
 * it got a response (robots.txt fetches too).  Before job_send_page(),
 * which hands the body over. */
void job_write_warc(struct job *j, struct warc *w);

/* A SOCKS proxy's own report (CURLE_PROXY) of the origin, as the record's
 * code: refused or unreachable is connect, TTL expired timeout, a name
 * it could not resolve dns, anything else reset. */
int job_map_proxy_error(CURL *e);

/* Map a finished curl code to a record's error code (README, Output). */
int job_map_error(CURLcode code, bool too_large);

#endif
