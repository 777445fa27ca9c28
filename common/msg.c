/* msg.c: encode and decode the multipart wire messages of msg.h. */
#include "common/compat.h"

#include "common/log.h"
#include "common/msg.h"
#include "common/util.h"

uint64_t msg_refused;

static const char *const err_names[ZS_ERR_COUNT] = {
    NULL, "bad_url", "dns", "connect", "timeout", "tls", "reset", "http",
    "too_large", "redirects", "robots", "not_html", "parse_limit", "lost",
};

const char *zs_err_name(int err)
{
    if (err <= 0 || err >= ZS_ERR_COUNT)
        return NULL;
    return err_names[err];
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    int i;

    for (i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void msg_encode_header(const struct msg_meta *m, unsigned char *out)
{
    out[0] = MSG_VERSION;
    out[1] = m->type;
    put_le(out + 2, m->id, 8);
    put_le(out + 10, m->depth, 4);
    put_le(out + 14, m->status, 2);
    out[16] = m->error;
    out[17] = m->attempt;
    put_le(out + 18, m->elapsed_ms, 4);
    put_le(out + 22, (uint64_t)m->fetched_at, 8);
    put_le(out + 30, m->bytes, 8);
    put_le(out + 38, m->fetch_wait_ms, 4);
    put_le(out + 42, m->parse_wait_ms, 4);
    put_le(out + 46, m->parse_ms, 4);
}

int msg_min_parts(int type)
{
    switch (type) {
    case MSG_DISPATCH: return 1;
    case MSG_PAGE: return 6;
    case MSG_RESULT: return MSG_RESULT_FIELDS;
    case MSG_CONTROL: return 1;
    case MSG_GO: return 0;
    case MSG_ROBOTS: return 1;
    case MSG_CREDIT: return 0;
    case MSG_ENDED: return 0;
    case MSG_RETRY: return 0;
    case MSG_TAKEN: return 1;
    case MSG_DROP: return 0;
    case MSG_STARTED: return 0;
    default: return -1;
    }
}

int msg_decode_header(const void *p, size_t len, struct msg_meta *m,
                      const char **why)
{
    const unsigned char *b = p;

    if (len < 1) {
        *why = "empty header frame";
        return -1;
    }
    if (b[0] != MSG_VERSION) {
        *why = "protocol version mismatch";
        return -1;
    }
    if (len != MSG_HDR_LEN) {
        *why = "header frame of wrong length";
        return -1;
    }
    if (msg_min_parts(b[1]) < 0) {
        *why = "unknown message type";
        return -1;
    }
    m->type = b[1];
    m->id = get_le(b + 2, 8);
    m->depth = (uint32_t)get_le(b + 10, 4);
    m->status = (uint16_t)get_le(b + 14, 2);
    m->error = b[16];
    m->attempt = b[17];
    m->elapsed_ms = (uint32_t)get_le(b + 18, 4);
    m->fetched_at = (int64_t)get_le(b + 22, 8);
    m->bytes = get_le(b + 30, 8);
    m->fetch_wait_ms = (uint32_t)get_le(b + 38, 4);
    m->parse_wait_ms = (uint32_t)get_le(b + 42, 4);
    m->parse_ms = (uint32_t)get_le(b + 46, 4);
    if (m->error >= ZS_ERR_COUNT) {
        *why = "unknown error code";
        return -1;
    }
    return 0;
}

static void release_frames(struct msg_frame *frames, int from, int n)
{
    int i;

    for (i = from; i < n; i++)
        if (frames[i].ffn)
            frames[i].ffn((void *)frames[i].data, frames[i].hint);
}

int msg_send(void *sock, const struct msg_meta *meta,
             struct msg_frame *frames, int n, int flags)
{
    unsigned char hdr[MSG_HDR_LEN];
    int i;

    msg_encode_header(meta, hdr);
    if (zmq_send(sock, hdr, sizeof(hdr), flags | (n ? ZMQ_SNDMORE : 0)) < 0) {
        int saved = errno;
        release_frames(frames, 0, n);
        errno = saved;
        return -1;
    }
    /* Once the first part is queued, ZeroMQ takes the whole message. */
    for (i = 0; i < n; i++) {
        int more = i + 1 < n ? ZMQ_SNDMORE : 0;
        int rc;
        if (frames[i].ffn) {
            zmq_msg_t zm;
            zmq_msg_init_data(&zm, (void *)frames[i].data, frames[i].len,
                              frames[i].ffn, frames[i].hint);
            rc = zmq_msg_send(&zm, sock, more);
            if (rc < 0)
                zmq_msg_close(&zm);
        } else {
            rc = zmq_send(sock, frames[i].data, frames[i].len, more);
        }
        if (rc < 0) {
            int saved = errno;
            release_frames(frames, i + 1, n);
            errno = saved;
            return error("cannot send frame %d: %s", i, zmq_strerror(errno));
        }
    }
    return 0;
}

int msg_send_to(void *router, const void *id, size_t idlen,
                const struct msg_meta *meta, struct msg_frame *frames, int n,
                int flags)
{
    if (zmq_send(router, id, idlen, flags | ZMQ_SNDMORE) < 0) {
        int saved = errno;
        release_frames(frames, 0, n);
        errno = saved;
        return -1;
    }
    return msg_send(router, meta, frames, n, flags);
}

static int more_parts(void *sock)
{
    int more = 0;
    size_t sz = sizeof(more);

    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
    return more;
}

static void drain(void *sock)
{
    while (more_parts(sock)) {
        zmq_msg_t zm;
        zmq_msg_init(&zm);
        zmq_msg_recv(&zm, sock, 0);
        zmq_msg_close(&zm);
    }
}

/* Count a refused message; log at most one line a second (with the
 * count since the last line), so a garbage peer cannot flood the log. */
static void refuse(const char *why)
{
    static int64_t last_ms;
    static uint64_t logged;
    int64_t now = now_ms();

    msg_refused++;
    if (last_ms && now - last_ms < 1000)
        return;
    log_warn("refused a message from a peer: %s (expected protocol "
             "version %d) refused_since_last=%llu", why, MSG_VERSION,
             (unsigned long long)(msg_refused - logged));
    logged = msg_refused;
    last_ms = now;
}

int msg_recv(void *sock, struct msg *m, int flags)
{
    zmq_msg_t hdr;
    const char *why = NULL;

    m->nparts = 0;
    zmq_msg_init(&hdr);
    if (zmq_msg_recv(&hdr, sock, flags) < 0) {
        zmq_msg_close(&hdr);
        return -1;
    }
    if (msg_decode_header(zmq_msg_data(&hdr), zmq_msg_size(&hdr), &m->meta,
                          &why) < 0) {
        zmq_msg_close(&hdr);
        drain(sock);
        refuse(why);
        return -2;
    }
    zmq_msg_close(&hdr);
    while (more_parts(sock)) {
        if (m->nparts == MSG_MAX_PARTS) {
            drain(sock);
            msg_close(m);
            refuse("too many frames");
            return -2;
        }
        zmq_msg_init(&m->parts[m->nparts]);
        if (zmq_msg_recv(&m->parts[m->nparts], sock, 0) < 0) {
            zmq_msg_close(&m->parts[m->nparts]);
            msg_close(m);
            refuse("truncated message");
            return -2;
        }
        m->nparts++;
    }
    if (m->nparts < msg_min_parts(m->meta.type)) {
        msg_close(m);
        refuse("too few frames");
        return -2;
    }
    return 0;
}

int msg_recv_from(void *router, void *id, size_t *idlen, struct msg *m,
                  int flags)
{
    int len = zmq_recv(router, id, *idlen, flags);

    m->nparts = 0;
    if (len < 0)
        return -1;
    if ((size_t)len > *idlen || !more_parts(router)) {
        /* a routing id longer than ours, or nothing after it */
        drain(router);
        refuse("a message without a body");
        return -2;
    }
    *idlen = (size_t)len;
    return msg_recv(router, m, 0);
}

void msg_close(struct msg *m)
{
    int i;

    for (i = 0; i < m->nparts; i++)
        zmq_msg_close(&m->parts[i]);
    m->nparts = 0;
}

const char *msg_part(struct msg *m, int i, size_t *len)
{
    if (i < 0 || i >= m->nparts) {
        *len = 0;
        return "";
    }
    *len = zmq_msg_size(&m->parts[i]);
    return zmq_msg_data(&m->parts[i]);
}

char *msg_part_str(struct msg *m, int i)
{
    size_t len;
    const char *p = msg_part(m, i, &len);

    return xstrndup(p, len);
}

bool msg_header_has(const char *lines, size_t len, const char *name,
                    size_t n)
{
    size_t i = 0;

    while (i < len) {
        const char *h = lines + i;
        size_t hlen = strnlen(h, len - i);
        if (hlen > n && h[n] == ':' && !strncasecmp(h, name, n))
            return true;
        i += hlen + 1;
    }
    return false;
}

bool msg_control_drain(void *sock, struct msg_ctl *c)
{
    struct msg m;
    size_t len, tlen = c->token ? strlen(c->token) : 0;
    int rc;

    while ((rc = msg_recv(sock, &m, ZMQ_DONTWAIT)) != -1) {
        if (rc != 0)
            continue;           /* refused (and logged) by msg_recv */
        if (m.meta.type == MSG_CONTROL) {
            const char *cmd = msg_part(&m, 0, &len);
            c->last_heard_ms = now_ms();
            if (len == 4 && !memcmp(cmd, "stop", 4)) {
                c->stop = true;
            } else if (len > 3 && !memcmp(cmd, "hb ", 3)) {
                char hex[24];
                uint64_t sess;
                snprintf(hex, sizeof(hex), "%.*s", (int)(len - 3), cmd + 3);
                sess = strtoull(hex, NULL, 16);
                if (!c->session)
                    c->session = sess;
                else if (sess && sess != c->session)
                    c->rejoin = true;
            } else if (tlen && len == 6 + tlen &&
                       !memcmp(cmd, "reset ", 6) &&
                       !memcmp(cmd + 6, c->token, tlen)) {
                c->rejoin = true;
            }
        }
        msg_close(&m);
    }
    return c->stop || c->rejoin;
}

bool msg_sink_silent(int64_t last_heard_ms)
{
    return last_heard_ms && now_ms() - last_heard_ms > MSG_ORPHAN_MS;
}
