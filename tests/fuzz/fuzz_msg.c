/* fuzz_msg.c: libFuzzer harness for the wire-protocol decoder.
 *
 * Input: frames separated by the byte 0xFF (at most MSG_MAX_PARTS + 4).
 * The first is decoded as a header on its own; then all of them travel as
 * one multipart message over a real inproc PUSH/PULL pair into
 * msg_recv(), which must accept or refuse it without crashing, leaking or
 * reading out of bounds, and leave the socket ready for the next
 * message.  `make fuzz-msg`. */
#include "common/compat.h"

#include "common/msg.h"

#define FUZZ_MAX_FRAMES (MSG_MAX_PARTS + 4)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *ctx, *in, *out;

static void setup(void)
{
    ctx = zmq_ctx_new();
    in = zmq_socket(ctx, ZMQ_PULL);
    out = zmq_socket(ctx, ZMQ_PUSH);
    zmq_bind(in, "inproc://fuzz-msg");
    zmq_connect(out, "inproc://fuzz-msg");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *start = data, *end = data + size, *p;
    const uint8_t *fr[FUZZ_MAX_FRAMES];
    size_t len[FUZZ_MAX_FRAMES];
    struct msg_meta meta;
    struct msg m;
    const char *why;
    int n = 0, i, rc;

    if (!ctx)
        setup();
    while (n < FUZZ_MAX_FRAMES) {
        p = memchr(start, 0xff, (size_t)(end - start));
        fr[n] = start;
        len[n] = p ? (size_t)(p - start) : (size_t)(end - start);
        n++;
        if (!p)
            break;
        start = p + 1;
    }
    msg_decode_header(fr[0], len[0], &meta, &why);
    for (i = 0; i < n; i++)
        zmq_send(out, fr[i], len[i], i + 1 < n ? ZMQ_SNDMORE : 0);
    rc = msg_recv(in, &m, 0);
    if (rc == 0) {
        for (i = 0; i < m.nparts; i++) {
            size_t l;
            const char *d = msg_part(&m, i, &l);
            if (l && (d[0] == 1 && d[l - 1] == 2))
                break;      /* touch the bytes */
        }
        free(msg_part_str(&m, 0));
        msg_close(&m);
    }
    /* the socket must still work: a good message comes through */
    memset(&meta, 0, sizeof(meta));
    meta.type = MSG_DISPATCH;
    {
        struct msg_frame f = { "http://x/", 9, NULL, NULL };
        msg_send(out, &meta, &f, 1, 0);
    }
    if (msg_recv(in, &m, 0) != 0 || m.meta.type != MSG_DISPATCH)
        __builtin_trap();
    msg_close(&m);
    return 0;
}
