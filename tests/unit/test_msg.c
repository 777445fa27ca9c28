/* test_msg.c: common/msg.c, the wire header and whole multipart messages
 * over a real ZeroMQ inproc PUSH/PULL pair. */
#include "common/compat.h"

#include <unistd.h>

#include "common/log.h"
#include "common/msg.h"
#include "common/util.h"
#include "tests/unit/test.h"

#define EP "inproc://test-msg"
#define RCV_TIMEOUT_MS 2000

static int freed;          /* calls of on_free */
static void *freed_data;   /* its last data argument */
static void *freed_hint;   /* its last hint argument */

/* The zero-copy release function: counts its calls and frees data. */
static void on_free(void *data, void *hint)
{
    freed++;
    freed_data = data;
    freed_hint = hint;
    free(data);
}

static struct msg_meta sample_meta(int type)
{
    struct msg_meta m;

    memset(&m, 0, sizeof(m));
    m.type = (uint8_t)type;
    m.id = UINT64_C(0x0102030405060708);
    m.depth = 0xa0b0c0d0u;
    m.status = 404;
    m.error = ZS_HTTP;
    m.attempt = 3;
    m.elapsed_ms = 123456789u;
    m.fetched_at = INT64_C(1700000000123);
    m.bytes = UINT64_C(0xfffffffffff);
    m.fetch_wait_ms = 17;
    m.parse_wait_ms = 0x10203;
    m.parse_ms = 99;
    return m;
}

static bool meta_equal(const struct msg_meta *a, const struct msg_meta *b)
{
    return a->type == b->type && a->id == b->id && a->depth == b->depth &&
           a->status == b->status && a->error == b->error &&
           a->attempt == b->attempt && a->elapsed_ms == b->elapsed_ms &&
           a->fetched_at == b->fetched_at && a->bytes == b->bytes &&
           a->fetch_wait_ms == b->fetch_wait_ms &&
           a->parse_wait_ms == b->parse_wait_ms && a->parse_ms == b->parse_ms;
}

static void test_header(void)
{
    unsigned char h[MSG_HDR_LEN + 1];
    struct msg_meta in = sample_meta(MSG_PAGE), out;
    const char *why;
    int t;

    msg_encode_header(&in, h);
    CHECK_INT(h[0], MSG_VERSION);
    CHECK_INT(h[1], MSG_PAGE);
    CHECK_INT(h[2], 0x08);   /* little-endian id */
    CHECK_INT(h[9], 0x01);
    memset(&out, 0xff, sizeof(out));
    why = NULL;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), 0);
    CHECK(meta_equal(&in, &out));
    CHECK(why == NULL);

    /* extremes survive */
    in.id = UINT64_MAX;
    in.depth = UINT32_MAX;
    in.status = UINT16_MAX;
    in.error = ZS_ERR_COUNT - 1;
    in.attempt = UINT8_MAX;
    in.elapsed_ms = UINT32_MAX;
    in.fetched_at = -1;
    in.bytes = UINT64_MAX;
    in.fetch_wait_ms = in.parse_wait_ms = in.parse_ms = UINT32_MAX;
    msg_encode_header(&in, h);
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), 0);
    CHECK(meta_equal(&in, &out));
    in = sample_meta(MSG_PAGE);
    for (t = MSG_DISPATCH; t <= MSG_CONTROL; t++) {
        in.type = (uint8_t)t;
        msg_encode_header(&in, h);
        CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), 0);
        CHECK_INT(out.type, t);
    }

    /* another version is refused, whatever its length */
    in = sample_meta(MSG_PAGE);
    msg_encode_header(&in, h);
    h[0] = MSG_VERSION + 1;
    why = NULL;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), -1);
    CHECK(why && strstr(why, "version"));
    CHECK_INT(msg_decode_header(h, 5, &out, &why), -1);
    CHECK(why && strstr(why, "version"));
    h[0] = 0;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), -1);
    h[0] = MSG_VERSION;

    /* wrong length */
    why = NULL;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN - 1, &out, &why), -1);
    CHECK(why && strstr(why, "length"));
    h[MSG_HDR_LEN] = 0;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN + 1, &out, &why), -1);
    CHECK(why && strstr(why, "length"));
    CHECK_INT(msg_decode_header(h, 1, &out, &why), -1);
    why = NULL;
    CHECK_INT(msg_decode_header(h, 0, &out, &why), -1);
    CHECK(why != NULL);

    /* unknown type, unknown error code */
    h[1] = 0;
    why = NULL;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), -1);
    CHECK(why && strstr(why, "type"));
    h[1] = MSG_STARTED + 1;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), -1);
    h[1] = 0xff;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), -1);
    h[1] = MSG_PAGE;
    h[16] = ZS_ERR_COUNT;
    why = NULL;
    CHECK_INT(msg_decode_header(h, MSG_HDR_LEN, &out, &why), -1);
    CHECK(why && strstr(why, "error"));

    CHECK_INT(msg_min_parts(MSG_DISPATCH), 1);
    CHECK_INT(msg_min_parts(MSG_PAGE), 6);
    CHECK_INT(msg_min_parts(MSG_RESULT), 6);
    CHECK_INT(MSG_RESULT_FIELDS, 6);
    CHECK_INT(msg_min_parts(MSG_CONTROL), 1);
    CHECK(msg_min_parts(0) < 0);
    CHECK_STR(zs_err_name(ZS_OK), NULL);
    CHECK_STR(zs_err_name(ZS_DNS), "dns");
    CHECK_STR(zs_err_name(ZS_PARSE_LIMIT), "parse_limit");
    CHECK_STR(zs_err_name(ZS_LOST), "lost");
    CHECK_STR(zs_err_name(ZS_ERR_COUNT), NULL);
    CHECK_STR(zs_err_name(-1), NULL);
}

/* Frame i of m equals the n bytes at want. */
static bool part_is(struct msg *m, int i, const void *want, size_t n)
{
    size_t len;
    const char *p = msg_part(m, i, &len);

    return len == n && (n == 0 || !memcmp(p, want, n));
}

/* Send raw frames (no msg.c) to make malformed messages. */
static void send_raw(void *s, const void *const *data, const size_t *len,
                     int n)
{
    int i;

    for (i = 0; i < n; i++)
        CHECK(zmq_send(s, data[i], len[i],
                       i + 1 < n ? ZMQ_SNDMORE : 0) >= 0);
}

static void test_roundtrip(void *push, void *pull)
{
    struct msg m;
    struct msg_meta meta;
    struct msg_frame f[MSG_MAX_PARTS + 1];
    static const char body_text[] = "<html>\0binary\xff body</html>";
    char *body, *s;
    const char result_links[] = "http://a/\0http://b/";
    const char field[] = "title\0\"T\"";
    int i;

    /* DISPATCH: one url frame */
    meta = sample_meta(MSG_DISPATCH);
    f[0] = (struct msg_frame){ "http://example.com/", 19, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, f, 1, 0), 0);
    CHECK_INT(msg_recv(pull, &m, 0), 0);
    CHECK(meta_equal(&meta, &m.meta));
    CHECK_INT(m.nparts, 1);
    s = msg_part_str(&m, 0);
    CHECK_STR(s, "http://example.com/");
    free(s);
    msg_close(&m);

    /* DISPATCH with the stored validators */
    f[1] = (struct msg_frame){ "W/\"x\"", 5, NULL, NULL };
    f[2] = (struct msg_frame){ "Mon, 02 Jan 2006 15:04:05 GMT", 29, NULL,
                               NULL };
    CHECK_INT(msg_send(push, &meta, f, 3, 0), 0);
    CHECK_INT(msg_recv(pull, &m, 0), 0);
    CHECK_INT(m.nparts, 3);
    CHECK(part_is(&m, MSG_DISPATCH_ETAG, "W/\"x\"", 5));
    CHECK(part_is(&m, MSG_DISPATCH_LASTMOD,
                  "Mon, 02 Jan 2006 15:04:05 GMT", 29));
    msg_close(&m);

    /* PAGE: url, final_url, content_type, then a zero-copy body */
    meta = sample_meta(MSG_PAGE);
    body = xmalloc(sizeof(body_text));
    memcpy(body, body_text, sizeof(body_text));
    f[0] = (struct msg_frame){ "http://a/", 9, NULL, NULL };
    f[1] = (struct msg_frame){ "http://a/final", 14, NULL, NULL };
    f[2] = (struct msg_frame){ "text/html", 9, NULL, NULL };
    f[3] = (struct msg_frame){ body, sizeof(body_text), on_free, &freed };
    f[4] = (struct msg_frame){ "\"v1\"", 4, NULL, NULL };
    f[5] = (struct msg_frame){ "", 0, NULL, NULL };
    freed = 0;
    CHECK_INT(msg_send(push, &meta, f, 6, 0), 0);
    CHECK_INT(msg_recv(pull, &m, 0), 0);
    CHECK(meta_equal(&meta, &m.meta));
    CHECK_INT(m.nparts, 6);
    CHECK(part_is(&m, MSG_PAGE_ETAG, "\"v1\"", 4));
    CHECK(part_is(&m, MSG_PAGE_LASTMOD, "", 0));
    CHECK(part_is(&m, 0, "http://a/", 9));
    CHECK(part_is(&m, 1, "http://a/final", 14));
    CHECK(part_is(&m, 2, "text/html", 9));
    CHECK(part_is(&m, 3, body_text, sizeof(body_text)));
    msg_close(&m);
    CHECK_INT(freed, 1);
    CHECK(freed_data == body);
    CHECK(freed_hint == &freed);

    /* RESULT: url, final_url, content_type, links, fields; an empty
     * frame stays an empty frame */
    meta = sample_meta(MSG_RESULT);
    f[0] = (struct msg_frame){ "http://a/", 9, NULL, NULL };
    f[1] = (struct msg_frame){ "http://a/final", 14, NULL, NULL };
    f[2] = (struct msg_frame){ "", 0, NULL, NULL };
    f[3] = (struct msg_frame){ result_links, sizeof(result_links), NULL,
                               NULL };
    f[4] = (struct msg_frame){ "", 0, NULL, NULL };
    f[5] = (struct msg_frame){ "Tue, 01 Jan 2030 00:00:00 GMT", 29, NULL,
                               NULL };
    f[6] = (struct msg_frame){ field, sizeof(field) - 1, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, f, 7, 0), 0);
    CHECK_INT(msg_recv(pull, &m, 0), 0);
    CHECK(meta_equal(&meta, &m.meta));
    CHECK_INT(m.nparts, 7);
    CHECK(part_is(&m, 2, "", 0));
    CHECK(part_is(&m, 3, result_links, sizeof(result_links)));
    CHECK(part_is(&m, MSG_RESULT_ETAG, "", 0));
    CHECK(part_is(&m, MSG_RESULT_LASTMOD, "Tue, 01 Jan 2030 00:00:00 GMT",
                  29));
    CHECK(part_is(&m, MSG_RESULT_FIELDS, field, sizeof(field) - 1));
    {
        /* out of range frames are empty */
        size_t len = 99;
        const char *p = msg_part(&m, 7, &len);
        CHECK(p != NULL && len == 0);
        p = msg_part(&m, -1, &len);
        CHECK(p != NULL && len == 0);
    }
    msg_close(&m);

    /* CONTROL: command and argument */
    meta = sample_meta(MSG_CONTROL);
    meta.error = ZS_OK;
    f[0] = (struct msg_frame){ "stop", 4, NULL, NULL };
    f[1] = (struct msg_frame){ "now", 3, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, f, 2, 0), 0);
    CHECK_INT(msg_recv(pull, &m, 0), 0);
    CHECK(meta_equal(&meta, &m.meta));
    CHECK_INT(m.nparts, 2);
    CHECK(part_is(&m, 0, "stop", 4));
    CHECK(part_is(&m, 1, "now", 3));
    msg_close(&m);

    /* the most frames a message may have */
    meta = sample_meta(MSG_RESULT);
    for (i = 0; i < MSG_MAX_PARTS; i++)
        f[i] = (struct msg_frame){ "x", 1, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, f, MSG_MAX_PARTS, 0), 0);
    CHECK_INT(msg_recv(pull, &m, 0), 0);
    CHECK_INT(m.nparts, MSG_MAX_PARTS);
    msg_close(&m);
    CHECK_INT(m.nparts, 0);
}

/* A good DISPATCH for url (copied frame). */
static void send_dispatch(void *push, const char *url)
{
    struct msg_meta meta = sample_meta(MSG_DISPATCH);
    struct msg_frame f = { url, strlen(url), NULL, NULL };

    CHECK_INT(msg_send(push, &meta, &f, 1, 0), 0);
}

/* The next message is a good DISPATCH for url. */
static void expect_dispatch(void *pull, const char *url)
{
    struct msg m;
    char *s;

    CHECK_INT(msg_recv(pull, &m, 0), 0);
    CHECK_INT(m.meta.type, MSG_DISPATCH);
    s = msg_part_str(&m, 0);
    CHECK_STR(s, url);
    free(s);
    msg_close(&m);
}

static void test_refused(void *push, void *pull)
{
    unsigned char h[MSG_HDR_LEN];
    struct msg_meta meta = sample_meta(MSG_PAGE);
    struct msg_frame f[MSG_MAX_PARTS + 1];
    struct msg m;
    uint64_t refused = msg_refused;
    const void *data[4];
    size_t len[4];
    int i;

    /* nothing there: -1 with EAGAIN */
    errno = 0;
    CHECK_INT(msg_recv(pull, &m, ZMQ_DONTWAIT), -1);
    CHECK_INT(errno, EAGAIN);

    /* a peer of another version: -2, drained, the next one arrives */
    msg_encode_header(&meta, h);
    h[0] = MSG_VERSION + 1;
    data[0] = h, len[0] = sizeof(h);
    data[1] = "http://a/", len[1] = 9;
    data[2] = "junk", len[2] = 4;
    data[3] = "more junk", len[3] = 9;
    send_raw(push, data, len, 4);
    send_dispatch(push, "http://after-version/");
    CHECK_INT(msg_recv(pull, &m, 0), -2);
    CHECK_INT(m.nparts, 0);
    CHECK(msg_refused == refused + 1);
    expect_dispatch(pull, "http://after-version/");

    /* plain garbage, a single frame and a multipart one */
    data[0] = "GET / HTTP/1.0\r\n\r\n", len[0] = 18;
    send_raw(push, data, len, 1);
    send_raw(push, data, len, 3);
    send_dispatch(push, "http://after-garbage/");
    CHECK_INT(msg_recv(pull, &m, 0), -2);
    CHECK_INT(msg_recv(pull, &m, 0), -2);
    expect_dispatch(pull, "http://after-garbage/");

    /* a header of the right version but wrong length, unknown type */
    msg_encode_header(&meta, h);
    data[0] = h, len[0] = sizeof(h) - 1;
    send_raw(push, data, len, 2);
    h[1] = 99;
    data[0] = h, len[0] = sizeof(h);
    send_raw(push, data, len, 2);
    send_dispatch(push, "http://after-header/");
    CHECK_INT(msg_recv(pull, &m, 0), -2);
    CHECK_INT(msg_recv(pull, &m, 0), -2);
    expect_dispatch(pull, "http://after-header/");

    /* too few frames: PAGE needs 6, DISPATCH 1 */
    meta = sample_meta(MSG_PAGE);
    f[0] = (struct msg_frame){ "http://a/", 9, NULL, NULL };
    f[1] = (struct msg_frame){ "http://a/", 9, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, f, 2, 0), 0);
    meta = sample_meta(MSG_DISPATCH);
    CHECK_INT(msg_send(push, &meta, f, 0, 0), 0);
    send_dispatch(push, "http://after-short/");
    CHECK_INT(msg_recv(pull, &m, 0), -2);
    CHECK_INT(m.nparts, 0);
    CHECK_INT(msg_recv(pull, &m, 0), -2);
    expect_dispatch(pull, "http://after-short/");

    /* too many frames */
    meta = sample_meta(MSG_RESULT);
    for (i = 0; i < MSG_MAX_PARTS + 1; i++)
        f[i] = (struct msg_frame){ "x", 1, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, f, MSG_MAX_PARTS + 1, 0), 0);
    send_dispatch(push, "http://after-many/");
    CHECK_INT(msg_recv(pull, &m, 0), -2);
    CHECK_INT(m.nparts, 0);
    expect_dispatch(pull, "http://after-many/");
    CHECK(msg_refused == refused + 8);

    /* nothing left over */
    CHECK_INT(msg_recv(pull, &m, ZMQ_DONTWAIT), -1);
}

/* A send that fails still releases zero-copy frames, exactly once. */
static void test_send_fails(void *ctx)
{
    void *lonely = zmq_socket(ctx, ZMQ_PUSH);
    struct msg_meta meta = sample_meta(MSG_PAGE);
    struct msg_frame f[4];
    int linger = 0;

    CHECK(lonely != NULL);
    if (!lonely)
        return;
    zmq_setsockopt(lonely, ZMQ_LINGER, &linger, sizeof(linger));
    f[0] = (struct msg_frame){ "u", 1, NULL, NULL };
    f[1] = (struct msg_frame){ xstrdup("zero"), 4, on_free, NULL };
    f[2] = (struct msg_frame){ "t", 1, NULL, NULL };
    f[3] = (struct msg_frame){ xstrdup("copy"), 4, on_free, NULL };
    freed = 0;
    errno = 0;
    /* no peer: a PUSH socket cannot queue, EAGAIN */
    CHECK_INT(msg_send(lonely, &meta, f, 4, ZMQ_DONTWAIT), -1);
    CHECK_INT(errno, EAGAIN);
    CHECK_INT(freed, 2);
    zmq_close(lonely);
}

/* msg_control_drain: every waiting message read, "stop" seen, the time of
 * the last word kept; the first session kept and another one asks for a
 * rejoin, as does "reset" with our token (not with another's); garbage in
 * between refused, not fatal. */
static void test_control(void *push, void *pull)
{
    struct msg_meta meta = sample_meta(MSG_CONTROL);
    struct msg_frame f;
    struct msg_ctl c;

    memset(&c, 0, sizeof(c));
    c.token = "0123456789abcdef";
    f = (struct msg_frame){ "hb 00000000000000aa", 19, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, &f, 1, 0), 0);
    CHECK_INT(zmq_send(push, "garbage", 7, 0), 7);
    f = (struct msg_frame){ "reset fedcba9876543210", 22, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, &f, 1, 0), 0);
    f = (struct msg_frame){ "stop", 4, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, &f, 1, 0), 0);
    usleep(100 * 1000);     /* inproc: let them arrive */
    CHECK(msg_control_drain(pull, &c));
    CHECK(c.stop);
    CHECK(!c.rejoin);
    CHECK_INT(c.session, 0xaa);
    CHECK(c.last_heard_ms > 0);
    CHECK(!msg_sink_silent(c.last_heard_ms));
    CHECK(msg_sink_silent(c.last_heard_ms - MSG_ORPHAN_MS - 1));
    CHECK(!msg_sink_silent(0));      /* never heard: not an orphan */
    c.stop = false;
    f = (struct msg_frame){ "hb 00000000000000aa", 19, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, &f, 1, 0), 0);
    usleep(100 * 1000);
    CHECK(!msg_control_drain(pull, &c));
    /* the sink restarted: another session */
    f = (struct msg_frame){ "hb 00000000000000bb", 19, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, &f, 1, 0), 0);
    usleep(100 * 1000);
    CHECK(msg_control_drain(pull, &c));
    CHECK(c.rejoin);
    c.rejoin = false;
    f = (struct msg_frame){ "reset 0123456789abcdef", 22, NULL, NULL };
    CHECK_INT(msg_send(push, &meta, &f, 1, 0), 0);
    usleep(100 * 1000);
    CHECK(msg_control_drain(pull, &c));
    CHECK(c.rejoin);
}

/* DISPATCH's header lines: found by name, any case, never past the
 * frame (a last line without its NUL is still bounded) */
static void test_header_lines(void)
{
    static const char l[] = "X-A: 1\0Content-Type: t\0X-Torn: 2";

    CHECK(msg_header_has(l, sizeof(l) - 1, "x-a", 3));
    CHECK(msg_header_has(l, sizeof(l) - 1, "CONTENT-TYPE", 12));
    CHECK(msg_header_has(l, sizeof(l) - 1, "X-Torn", 6));
    CHECK(!msg_header_has(l, sizeof(l) - 1, "X-", 2));
    CHECK(!msg_header_has(l, 7, "Content-Type", 12));
    CHECK(!msg_header_has(l, sizeof(l) - 1 - 5, "X-Torn", 6)); /* "X-To" */
    CHECK(!msg_header_has("", 0, "X-A", 3));
}

int main(void)
{
    void *ctx, *push, *pull;
    int linger = 0, timeout = RCV_TIMEOUT_MS;

    log_init("test", LOG_ERROR);
    test_header();
    test_header_lines();

    ctx = zmq_ctx_new();
    push = zmq_socket(ctx, ZMQ_PUSH);
    pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(ctx && push && pull);
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof(linger));
    zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof(linger));
    /* a bug must fail the test, not hang it */
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
    CHECK_INT(zmq_bind(pull, EP), 0);
    CHECK_INT(zmq_connect(push, EP), 0);

    test_roundtrip(push, pull);
    test_refused(push, pull);
    test_control(push, pull);
    test_send_fails(ctx);

    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return TEST_DONE();
}
