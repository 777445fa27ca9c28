/* warc.h: --warc FILE: every response (and its request) as WARC 1.1
 * records, each record one gzip member written with one write(2) to FILE
 * opened O_APPEND, so fetchers on one host share the file.  A warcinfo
 * record once per fetcher start, then per fetch a `request` and a
 * `response` record that name each other (WARC-Concurrent-To).
 *
 * The payload stored is the body as libcurl decoded it (what the parsers
 * saw): the response's Content-Encoding and Transfer-Encoding headers and
 * a Content-Length that no longer matches are kept under the prefix
 * "X-Crawler-" and a true Content-Length is added (Common Crawl's
 * convention), so every reader can use the record as it stands. */
#ifndef ZS_WARC_H
#define ZS_WARC_H

#include "common/compat.h"

#include "common/buf.h"

#define WARC_HEADERS_MAX (256 * 1024) /* captured request or response head */
#define WARC_REQ_BODY_MAX (1 << 20)   /* captured request body */
#define WARC_SHA1_B32_LEN 32          /* base32 of a 20-byte SHA-1 */

struct warc;

/* One fetch as the writer needs it (all borrowed). */
struct warc_exchange {
    const char *uri;        /* WARC-Target-URI: the final URL */
    const char *ip;         /* WARC-IP-Address, or NULL */
    int64_t date_ms;        /* WARC-Date (wall clock ms) */
    const char *req;        /* request line and headers as sent */
    size_t req_len;
    const char *resp;       /* status line and headers as received */
    size_t resp_len;
    const char *body;       /* the decoded payload */
    size_t body_len;
    const char *truncated;  /* WARC-Truncated: "length", "time",
                             * "disconnect"; NULL for a whole body */
};

/* What a transfer captures for its records (embedded in a job). */
struct warc_capture {
    struct buf req;         /* the last request's head, then its body */
    struct buf resp;        /* the last response's head */
    bool req_body;          /* req holds body bytes: a head starts anew */
};

void warc_capture_init(struct warc_capture *c);
void warc_capture_release(struct warc_capture *c);
void warc_capture_reset(struct warc_capture *c);
/* Feed one chunk of request head (out) or response head (!out), as
 * CURLINFO_HEADER_OUT/IN give them: a new request or status line starts
 * the head over, so the last of redirects and 1xx replies stays. */
void warc_capture_add(struct warc_capture *c, bool out, const char *p,
                      size_t n);
/* Feed one chunk of the request's body (CURLINFO_DATA_OUT: a request
 * seed's POST), after its head; WARC_REQ_BODY_MAX kept. */
void warc_capture_req_body(struct warc_capture *c, const char *p, size_t n);

/* Open path for appending (created 0644 when missing) and write the
 * warcinfo record naming software.  NULL on failure (logged). */
struct warc *warc_open(const char *path, const char *software);
void warc_close(struct warc *w);

/* Write the request and response records of x.  0, or -1 (logged) when
 * the file refused them. */
int warc_write_exchange(struct warc *w, const struct warc_exchange *x);

/* Records written and write failures. */
uint64_t warc_records(const struct warc *w);

/* The response head hd (status line and header lines, CRLF or LF) as
 * stored for a decoded body of body_len bytes, appended to out: see the
 * top of this file.  Ends with the empty line. */
void warc_fix_head(const char *hd, size_t len, size_t body_len,
                   struct buf *out);

/* SHA-1 of the n bytes of each of the parts, base32 (RFC 4648), into
 * out (WARC_SHA1_B32_LEN + 1 bytes). */
void warc_sha1_b32(const void *const *parts, const size_t *lens, int nparts,
                   char *out);

#endif
