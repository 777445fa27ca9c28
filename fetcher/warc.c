/* warc.c: WARC 1.1 records, one gzip member each (see warc.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "common/log.h"
#include "common/util.h"
#include "fetcher/warc.h"

#define WARC_UUID_LEN 48        /* "<urn:uuid:" 36 ">" and the NUL */
#define WARC_DATE_LEN 32
#define WARC_MAX_PARTS 4
#define WARC_GZ_SLACK 64        /* beyond deflateBound(): the gzip trailer */
#define WARC_CRAWLER_PREFIX "X-Crawler-"

struct warc {
    int fd;                 /* FILE, O_APPEND */
    char *path;             /* its name, for messages */
    uint64_t records;       /* records written */
};

/* ---------------------------------------------------------------- capture */

void warc_capture_init(struct warc_capture *c)
{
    buf_init(&c->req, WARC_HEADERS_MAX + WARC_REQ_BODY_MAX);
    buf_init(&c->resp, WARC_HEADERS_MAX);
    c->req_body = false;
}

void warc_capture_release(struct warc_capture *c)
{
    buf_release(&c->req);
    buf_release(&c->resp);
}

void warc_capture_reset(struct warc_capture *c)
{
    buf_reset(&c->req);
    buf_reset(&c->resp);
    c->req_body = false;
}

/* The head in b ends with its empty line. */
static bool head_complete(const struct buf *b)
{
    return b->len >= 2 && b->data[b->len - 1] == '\n' &&
           (b->data[b->len - 2] == '\n' ||
            (b->len >= 4 && !memcmp(b->data + b->len - 4, "\r\n\r\n", 4)));
}

void warc_capture_add(struct warc_capture *c, bool out, const char *p,
                      size_t n)
{
    struct buf *b = out ? &c->req : &c->resp;

    if (out ? c->req_body || head_complete(b)
        : (n >= 5 && !memcmp(p, "HTTP/", 5))) {
        buf_reset(b);
        c->req_body = out ? false : c->req_body;
    }
    (void)buf_add(b, p, n);     /* a head past the cap is cut short */
}

void warc_capture_req_body(struct warc_capture *c, const char *p, size_t n)
{
    c->req_body = true;
    (void)buf_add(&c->req, p, n);   /* past the cap: cut short */
}

/* ---------------------------------------------------------------- helpers */

void warc_sha1_b32(const void *const *parts, const size_t *lens, int nparts,
                   char *out)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, bits = 0, acc = 0, i;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t o = 0;
    int k;

    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1)
        fatal("cannot compute SHA-1 (libcrypto)");
    for (k = 0; k < nparts; k++)
        if (lens[k])
            EVP_DigestUpdate(ctx, parts[k], lens[k]);
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    for (i = 0; i < mdlen; i++) {      /* 20 bytes: 32 digits, no '=' */
        acc = (acc << 8) | md[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = alpha[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits)
        out[o++] = alpha[(acc << (5 - bits)) & 31];
    out[o] = '\0';
}

/* A fresh "<urn:uuid:...>" (version 4) into out (WARC_UUID_LEN bytes). */
static void new_record_id(char *out)
{
    unsigned char u[16];
    size_t i;

    if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u))
        for (i = 0; i < sizeof(u); i++)
            u[i] = (unsigned char)random();
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    snprintf(out, WARC_UUID_LEN, "<urn:uuid:%02x%02x%02x%02x-%02x%02x-"
             "%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x>", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
             u[12], u[13], u[14], u[15]);
}

/* The line of t bytes at l is header NAME (case-insensitive). */
static bool is_header(const char *l, size_t t, const char *name)
{
    size_t n = strlen(name);

    return t > n && l[n] == ':' && !strncasecmp(l, name, n);
}

/* Its value as a decimal number, or -1. */
static long long header_number(const char *l, size_t t)
{
    const char *p = memchr(l, ':', t), *end = l + t;
    long long v = 0;
    bool digits = false;

    if (!p)
        return -1;
    for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
        ;
    for (; p < end && *p >= '0' && *p <= '9' && v < (1LL << 56); p++) {
        v = v * 10 + (*p - '0');
        digits = true;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return digits && p == end ? v : -1;
}

void warc_fix_head(const char *hd, size_t len, size_t body_len,
                   struct buf *out)
{
    bool first = true, length_ok = false;
    size_t i = 0;

    while (i < len) {
        const char *l = hd + i, *nl = memchr(l, '\n', len - i);
        size_t n = nl ? (size_t)(nl - l) + 1 : len - i, t = n;
        i += n;
        while (t && (l[t - 1] == '\n' || l[t - 1] == '\r'))
            t--;
        if (t == 0)
            break;                      /* the empty line: the head ends */
        if (!first && (is_header(l, t, "Content-Encoding") ||
                       is_header(l, t, "Transfer-Encoding")))
            buf_addstr(out, WARC_CRAWLER_PREFIX);
        if (!first && is_header(l, t, "Content-Length")) {
            if (!length_ok && header_number(l, t) == (long long)body_len)
                length_ok = true;
            else
                buf_addstr(out, WARC_CRAWLER_PREFIX);
        }
        first = false;
        buf_add(out, l, t);
        buf_addstr(out, "\r\n");
    }
    if (!length_ok)
        buf_printf(out, "Content-Length: %zu\r\n", body_len);
    buf_addstr(out, "\r\n");
}

/* ---------------------------------------------------------------- records */

/* Gzip the parts as one member and append it to w's file with one
 * write(2).  0, or -1 (logged). */
static int write_member(struct warc *w, const void *const *parts,
                        const size_t *lens, int nparts)
{
    z_stream z;
    size_t total = 0, bound, len;
    unsigned char *out;
    ssize_t n;
    int k, zrc = Z_OK, rc = 0;

    memset(&z, 0, sizeof(z));
    /* windowBits 15 + 16: a gzip wrapper, as wget and Heritrix write */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return error("--warc: cannot start zlib");
    for (k = 0; k < nparts; k++)
        total += lens[k];
    bound = deflateBound(&z, (uLong)total) + WARC_GZ_SLACK;
    out = xmalloc(bound);
    z.next_out = out;
    z.avail_out = (uInt)bound;
    for (k = 0; k < nparts && zrc == Z_OK; k++) {
        int flush = k == nparts - 1 ? Z_FINISH : Z_NO_FLUSH;
        if (!lens[k] && flush == Z_NO_FLUSH)
            continue;           /* no progress: Z_BUF_ERROR */
        z.next_in = (Bytef *)(uintptr_t)parts[k];
        z.avail_in = (uInt)lens[k];
        do {
            zrc = deflate(&z, flush);
        } while (zrc == Z_OK && z.avail_out &&
                 (z.avail_in || flush == Z_FINISH));
    }
    len = bound - z.avail_out;
    deflateEnd(&z);
    if (zrc != Z_STREAM_END) {
        free(out);
        return error("--warc: zlib failed (%d)", zrc);
    }
    do {
        n = write(w->fd, out, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        rc = error("--warc: cannot write '%s': %s", w->path, strerror(errno));
    else if ((size_t)n != len)
        rc = error("--warc: short write to '%s' (%zd of %zu bytes): a torn "
                   "record", w->path, n, len);
    else
        w->records++;
    free(out);
    return rc;
}

/* One record: the WARC head (type, id, date, the lines of extra, the
 * block's type, digest and length), the block (the parts), two CRLFs. */
static int write_record(struct warc *w, const char *type, const char *id,
                        const char *date, const char *extra,
                        const char *ctype, const void *const *parts,
                        const size_t *lens, int nparts)
{
    const void *all[WARC_MAX_PARTS + 2];
    size_t alens[WARC_MAX_PARTS + 2], blen = 0;
    char digest[WARC_SHA1_B32_LEN + 1];
    struct buf head;
    int k, rc;

    for (k = 0; k < nparts; k++)
        blen += lens[k];
    warc_sha1_b32(parts, lens, nparts, digest);
    buf_init(&head, 2 * WARC_HEADERS_MAX);
    buf_printf(&head, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\n"
               "WARC-Date: %s\r\n%sContent-Type: %s\r\n"
               "WARC-Block-Digest: sha1:%s\r\nContent-Length: %zu\r\n\r\n",
               type, id, date, extra, ctype, digest, blen);
    all[0] = head.data;
    alens[0] = head.len;
    for (k = 0; k < nparts; k++) {
        all[k + 1] = parts[k];
        alens[k + 1] = lens[k];
    }
    all[nparts + 1] = "\r\n\r\n";
    alens[nparts + 1] = 4;
    rc = write_member(w, all, alens, nparts + 2);
    buf_release(&head);
    return rc;
}

struct warc *warc_open(const char *path, const char *software)
{
    struct warc *w;
    char id[WARC_UUID_LEN], date[WARC_DATE_LEN], host[256] = "";
    const char *base = strrchr(path, '/');
    char *extra, *fields;
    const void *parts[1];
    size_t lens[1];
    int fd, rc;

    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        error("--warc: cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    w = xcalloc(1, sizeof(*w));
    w->fd = fd;
    w->path = xstrdup(path);
    gethostname(host, sizeof(host) - 1);
    new_record_id(id);
    fmt_rfc3339(wall_ms(), date, sizeof(date));
    extra = xasprintf("WARC-Filename: %s\r\n", base ? base + 1 : path);
    fields = xasprintf("software: %s\r\nformat: WARC File Format 1.1\r\n"
                       "conformsTo: https://iipc.github.io/"
                       "warc-specifications/specifications/warc-format/"
                       "warc-1.1/\r\nhostname: %s\r\n"
                       "description: payloads decoded; Content-Encoding, "
                       "Transfer-Encoding and a changed Content-Length "
                       "kept as " WARC_CRAWLER_PREFIX "*\r\n",
                       software, host);
    parts[0] = fields;
    lens[0] = strlen(fields);
    rc = write_record(w, "warcinfo", id, date, extra,
                      "application/warc-fields", parts, lens, 1);
    free(extra);
    free(fields);
    if (rc < 0) {
        warc_close(w);
        return NULL;
    }
    return w;
}

void warc_close(struct warc *w)
{
    if (!w)
        return;
    close(w->fd);
    free(w->path);
    free(w);
}

uint64_t warc_records(const struct warc *w)
{
    return w ? w->records : 0;
}

int warc_write_exchange(struct warc *w, const struct warc_exchange *x)
{
    char req_id[WARC_UUID_LEN], resp_id[WARC_UUID_LEN];
    char date[WARC_DATE_LEN], payload[WARC_SHA1_B32_LEN + 1];
    const void *parts[2];
    size_t lens[2];
    struct buf head;
    char *ip, *extra;
    int rc;

    new_record_id(req_id);
    new_record_id(resp_id);
    fmt_rfc3339(x->date_ms, date, sizeof(date));
    ip = x->ip && *x->ip ? xasprintf("WARC-IP-Address: %s\r\n", x->ip) :
         xstrdup("");
    /* the response first: a reader that stops early keeps the payload */
    buf_init(&head, 2 * WARC_HEADERS_MAX);
    warc_fix_head(x->resp, x->resp_len, x->body_len, &head);
    parts[0] = x->body;
    lens[0] = x->body_len;
    warc_sha1_b32(parts, lens, 1, payload);
    extra = xasprintf("WARC-Target-URI: %s\r\n%sWARC-Concurrent-To: %s\r\n"
                      "WARC-Payload-Digest: sha1:%s\r\n%s%s%s", x->uri, ip,
                      req_id, payload, x->truncated ? "WARC-Truncated: " : "",
                      x->truncated ? x->truncated : "",
                      x->truncated ? "\r\n" : "");
    parts[0] = head.data;
    lens[0] = head.len;
    parts[1] = x->body;
    lens[1] = x->body_len;
    rc = write_record(w, "response", resp_id, date, extra,
                      "application/http;msgtype=response", parts, lens, 2);
    free(extra);
    buf_release(&head);
    if (rc == 0) {
        extra = xasprintf("WARC-Target-URI: %s\r\n%sWARC-Concurrent-To: "
                          "%s\r\n", x->uri, ip, resp_id);
        parts[0] = x->req;
        lens[0] = x->req_len;
        rc = write_record(w, "request", req_id, date, extra,
                          "application/http;msgtype=request", parts, lens,
                          1);
        free(extra);
    }
    free(ip);
    return rc;
}
