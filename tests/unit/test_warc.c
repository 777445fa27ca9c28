/* test_warc.c: the WARC writer: digests, the stored response head, the
 * head capture, and a file of gzip members read back with zlib. */
#include "common/compat.h"

#include <unistd.h>
#include <zlib.h>

#include "common/buf.h"
#include "fetcher/warc.h"
#include "tests/unit/test.h"

#define MAX_MEMBERS 8

static void test_sha1(void)
{
    const void *parts[2] = { "", NULL };
    size_t lens[2] = { 0, 0 };
    char a[WARC_SHA1_B32_LEN + 1], b[WARC_SHA1_B32_LEN + 1];

    warc_sha1_b32(parts, lens, 1, a);
    /* SHA-1 of nothing, as every WARC tool writes it */
    CHECK_STR(a, "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    parts[0] = "hello, ";
    lens[0] = 7;
    parts[1] = "world";
    lens[1] = 5;
    warc_sha1_b32(parts, lens, 2, a);
    parts[0] = "hello, world";
    lens[0] = 12;
    warc_sha1_b32(parts, lens, 1, b);
    CHECK_STR(a, b);
    CHECK_INT(strlen(a), WARC_SHA1_B32_LEN);
}

/* warc_fix_head(in, body_len) as a string. */
static void check_head(const char *in, size_t body_len, const char *want)
{
    struct buf out;

    buf_init(&out, 1 << 16);
    warc_fix_head(in, strlen(in), body_len, &out);
    CHECK_STR(out.data, want);
    buf_release(&out);
}

static void test_fix_head(void)
{
    check_head("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
               "content-encoding: gzip\r\nContent-Length: 50\r\n"
               "Transfer-Encoding: chunked\r\nVary: Accept-Encoding\r\n\r\n",
               120,
               "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
               "X-Crawler-content-encoding: gzip\r\n"
               "X-Crawler-Content-Length: 50\r\n"
               "X-Crawler-Transfer-Encoding: chunked\r\n"
               "Vary: Accept-Encoding\r\nContent-Length: 120\r\n\r\n");
    /* a true length stays; LF-only lines come out CRLF */
    check_head("HTTP/1.1 200 OK\nContent-Length: 5\n\n", 5,
               "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    check_head("HTTP/1.1 304 Not Modified\r\n\r\n", 0,
               "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n");
    check_head("HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n", 5,
               "HTTP/1.1 200 OK\r\nX-Crawler-Content-Length: 5x\r\n"
               "Content-Length: 5\r\n\r\n");
}

static void test_capture(void)
{
    static const char *in[] = { "HTTP/1.1 302 Found\r\n", "Location: /b\r\n",
                                "\r\n", "HTTP/1.1 100 Continue\r\n", "\r\n",
                                "HTTP/1.1 200 OK\r\n", "A: b\r\n", "\r\n" };
    struct warc_capture c;
    size_t i;

    warc_capture_init(&c);
    warc_capture_add(&c, true, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", 28);
    for (i = 0; i < 3; i++)
        warc_capture_add(&c, false, in[i], strlen(in[i]));
    warc_capture_add(&c, true, "GET /b HTTP/1.1\r\n", 17);
    warc_capture_add(&c, true, "Host: h\r\n\r\n", 11);
    for (i = 3; i < ARRAY_SIZE(in); i++)
        warc_capture_add(&c, false, in[i], strlen(in[i]));
    CHECK_STR(c.req.data, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK_STR(c.resp.data, "HTTP/1.1 200 OK\r\nA: b\r\n\r\n");
    warc_capture_release(&c);
}

/* Inflate the gzip members of data one by one into out[] (caller frees);
 * returns their number, -1 on a bad member. */
static int gunzip_members(const unsigned char *data, size_t len, char **out,
                          size_t *outlen)
{
    size_t off = 0;
    int n = 0;

    while (off < len && n < MAX_MEMBERS) {
        struct buf b;
        unsigned char chunk[4096];
        z_stream z;
        int rc;

        memset(&z, 0, sizeof(z));
        if (inflateInit2(&z, 15 + 16) != Z_OK)
            return -1;
        buf_init(&b, 1 << 24);
        z.next_in = (Bytef *)(uintptr_t)(data + off);
        z.avail_in = (uInt)(len - off);
        do {
            z.next_out = chunk;
            z.avail_out = sizeof(chunk);
            rc = inflate(&z, Z_NO_FLUSH);
            buf_add(&b, chunk, sizeof(chunk) - z.avail_out);
        } while (rc == Z_OK);
        off = len - z.avail_in;
        inflateEnd(&z);
        if (rc != Z_STREAM_END) {
            buf_release(&b);
            return -1;
        }
        out[n] = buf_detach(&b, &outlen[n]);
        n++;
    }
    return off == len ? n : -1;
}

static void test_file(void)
{
    char path[] = "/tmp/test_warc.XXXXXX", *m[MAX_MEMBERS];
    size_t mlen[MAX_MEMBERS], len = 0;
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                               "Content-Encoding: gzip\r\n\r\n";
    struct warc_exchange x = { "http://h/a", "127.0.0.1", 0,
                               "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", 28,
                               resp, sizeof(resp) - 1, "hello", 5, NULL };
    unsigned char data[1 << 16];
    struct warc *w;
    FILE *fp;
    int fd, n, i;

    fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    w = warc_open(path, "test/1");
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK_INT(warc_write_exchange(w, &x), 0);
    CHECK_INT(warc_records(w), 3);
    warc_close(w);
    fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (fp) {
        len = fread(data, 1, sizeof(data), fp);
        fclose(fp);
    }
    unlink(path);
    n = gunzip_members(data, len, m, mlen);
    CHECK_INT(n, 3);
    if (n != 3)
        return;
    CHECK(!strncmp(m[0], "WARC/1.1\r\nWARC-Type: warcinfo\r\n", 31));
    CHECK(!strncmp(m[1], "WARC/1.1\r\nWARC-Type: response\r\n", 31));
    CHECK(!strncmp(m[2], "WARC/1.1\r\nWARC-Type: request\r\n", 30));
    CHECK(strstr(m[1], "\r\nWARC-Target-URI: http://h/a\r\n") != NULL);
    CHECK(strstr(m[1], "\r\nWARC-IP-Address: 127.0.0.1\r\n") != NULL);
    CHECK(strstr(m[1], "\r\nContent-Type: application/http;msgtype="
                 "response\r\n") != NULL);
    CHECK(strstr(m[1], "\r\nX-Crawler-Content-Encoding: gzip\r\n") != NULL);
    CHECK(strstr(m[1], "\r\nX-Crawler-Content-Length: 3\r\n") != NULL);
    CHECK(strstr(m[1], "gzip\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n")
          != NULL);
    CHECK(mlen[1] > 9 && !strcmp(m[1] + mlen[1] - 9, "hello\r\n\r\n"));
    CHECK(strstr(m[2], "\r\nContent-Length: 28\r\n\r\nGET /a HTTP/1.1\r\n")
          != NULL);
    /* each names the other */
    CHECK(strstr(m[1], "WARC-Concurrent-To: <urn:uuid:") != NULL);
    CHECK(strstr(m[2], "WARC-Concurrent-To: <urn:uuid:") != NULL);
    for (i = 0; i < n; i++)
        free(m[i]);
}

int main(void)
{
    test_sha1();
    test_fix_head();
    test_capture();
    test_file();
    return TEST_DONE();
}
