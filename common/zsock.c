/* zsock.c: socket setup and endpoint naming. */
#include "common/compat.h"

#include <zmq.h>

#include "common/curve.h"
#include "common/log.h"
#include "common/util.h"
#include "common/zsec.h"
#include "common/zsock.h"

#define ZSOCK_LINGER_MS 200
#define ZSOCK_KEEPALIVE_IDLE_S 10   /* TCP keepalive: first probe */
#define ZSOCK_KEEPALIVE_INTVL_S 5   /* then one every 5 s, */
#define ZSOCK_KEEPALIVE_CNT 3       /* 3 unanswered: the peer is gone */

static void *zsock_ctx;     /* the process's context (one a process) */

static const char *const ep_names[EP_COUNT] = {
    "dispatch", "pages-in", "pages-out", "results", "control", "hello",
};

char *zsock_endpoint(const char *base, enum zs_endpoint k)
{
    const char *colon;
    long port;

    if (!strncmp(base, "ipc://", 6) && base[6])
        return xasprintf("%s.%s", base, ep_names[k]);
    if (strncmp(base, "tcp://", 6))
        return NULL;
    colon = strrchr(base + 6, ':');
    if (!colon || colon == base + 6 ||
        parse_long(colon + 1, 1, 65535 - EP_COUNT, &port) < 0)
        return NULL;
    return xasprintf("%.*s:%ld", (int)(colon - base), base, port + (long)k);
}

void *zsock_new(void *ctx, int type, int hwm)
{
    void *s = zmq_socket(ctx, type);
    int linger = ZSOCK_LINGER_MS;
    int64_t maxmsg = ZSOCK_MAX_FRAME;
    int ka = 1, ka_idle = ZSOCK_KEEPALIVE_IDLE_S;
    int ka_intvl = ZSOCK_KEEPALIVE_INTVL_S, ka_cnt = ZSOCK_KEEPALIVE_CNT;

    if (!s)
        fatal("cannot create socket: %s", zmq_strerror(errno));
    zsock_ctx = ctx;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
    /* a peer announcing a bigger frame is disconnected before anything
     * is allocated (garbage on a port must not cost memory) */
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
    /* A peer whose link went down (a cable, a firewall, a frozen host)
     * sends no FIN: on an idle connection TCP keepalive notices it within
     * about 25 s, and the leases bring back what it held.  Not
     * ZMTP heartbeats: with them libzmq 4.3.4 aborts on "!_io_error"
     * (stream_engine_base.cpp:331, libzmq issue 4841) when a peer dies
     * with output pending, as the sink-crash test showed. */
    zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE, &ka, sizeof(ka));
    zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_IDLE, &ka_idle, sizeof(ka_idle));
    zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_INTVL, &ka_intvl, sizeof(ka_intvl));
    zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_CNT, &ka_cnt, sizeof(ka_cnt));
    return s;
}

int zsock_bind(void *s, const char *ep)
{
    if (zsec_prepare(zsock_ctx, s, ep, true) < 0)
        return error("cannot secure '%s'", ep);
    if (zmq_bind(s, ep) < 0)
        return error("cannot bind '%s': %s", ep, zmq_strerror(errno));
    return 0;
}

int zsock_connect(void *s, const char *ep)
{
    if (zsec_prepare(zsock_ctx, s, ep, false) < 0)
        return error("cannot secure '%s'", ep);
    if (zmq_connect(s, ep) < 0)
        return error("cannot connect to '%s': %s", ep, zmq_strerror(errno));
    return 0;
}

void zsock_use_curve(const char *dir, bool server)
{
    char err[512];
    struct curve_keys *k;

    k = curve_keys_load(dir, server ? CURVE_SERVER : CURVE_CLIENT, err,
                        sizeof(err));
    if (!k)
        die_usage("--curve-keys: %s", err);
    zsec_use(k);
}

int zsock_fd(void *s)
{
    int fd = -1;
    size_t sz = sizeof(fd);

    zmq_getsockopt(s, ZMQ_FD, &fd, &sz);
    return fd;
}

static int events(void *s)
{
    int ev = 0;
    size_t sz = sizeof(ev);

    if (zmq_getsockopt(s, ZMQ_EVENTS, &ev, &sz) < 0)
        return 0;
    return ev;
}

bool zsock_readable(void *s)
{
    return events(s) & ZMQ_POLLIN;
}

bool zsock_writable(void *s)
{
    return events(s) & ZMQ_POLLOUT;
}
